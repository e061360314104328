#!/usr/bin/env python3
"""A trivial OTLP endpoint that reads each request whole and answers OK without decoding it: what
otlp_blast.py reaches when the receiver costs (almost) nothing, so its own ceiling is known.

  * http: a thread per keep-alive connection, reads the head and Content-Length bytes, answers 200
          with an empty application/x-protobuf body (an empty ExportTraceServiceResponse);
  * grpc: a grpc server whose Export handler takes the raw bytes and answers b"".

Runs for --duration seconds, then prints one JSON line: requests and bytes taken. Loopback only.
Usage: otlp_sink.py --protocol http|grpc --port PORT [--duration S]
"""
import argparse
import json
import socket
import threading
import time

count = {"requests": 0, "bytes": 0}
lock = threading.Lock()


def serve_http_connection(conn):
    f = conn.makefile("rb", buffering=1 << 20)
    try:
        while True:
            length = None
            line = f.readline()
            if not line:
                return
            while line not in (b"\r\n", b"\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
                line = f.readline()
            body = f.read(length or 0)
            with lock:
                count["requests"] += 1
                count["bytes"] += len(body)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\n\r\n")
    except (ConnectionError, OSError):
        return
    finally:
        conn.close()


def run_http(port, duration):
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(64)
    server.settimeout(0.2)
    deadline = time.monotonic() + duration
    while time.monotonic() < deadline:
        try:
            conn, _ = server.accept()
        except socket.timeout:
            continue
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=serve_http_connection, args=(conn,), daemon=True).start()
    server.close()


def run_grpc(port, duration):
    from concurrent import futures

    import grpc

    def export(request, context):
        with lock:
            count["requests"] += 1
            count["bytes"] += len(request)
        return b""

    handler = grpc.method_handlers_generic_handler(
        "opentelemetry.proto.collector.trace.v1.TraceService",
        {"Export": grpc.unary_unary_rpc_method_handler(export, request_deserializer=None, response_serializer=None)})
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8),
                         options=[("grpc.max_receive_message_length", 64 << 20)])
    server.add_generic_rpc_handlers((handler,))
    server.add_insecure_port("127.0.0.1:%d" % port)
    server.start()
    time.sleep(duration)
    server.stop(1)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--protocol", choices=["http", "grpc"], required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--duration", type=float, default=30)
    a = p.parse_args()
    (run_http if a.protocol == "http" else run_grpc)(a.port, a.duration)
    print(json.dumps(count), flush=True)


if __name__ == "__main__":
    main()
