#!/usr/bin/env python3
"""Fault and load scenarios against a running `tracetui listen --no-tui` (see receiver-faults.sh).

Prints one figure per scenario and, after each, the accounting identity from tracetui's own status
line (received = stored + evicted + rejected + refused). Raw sockets for what no exporter does
(trickled heads, cut-off bodies, a thousand idle connections); the OpenTelemetry protobuf classes and
a gRPC stub for real export requests.
"""
import argparse
import gzip
import re
import socket
import statistics
import threading
import time

import grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.proto.trace.v1 import trace_pb2


def export_body(spans, trace):
    request = trace_service_pb2.ExportTraceServiceRequest()
    scope = request.resource_spans.add().scope_spans.add()
    for n in range(spans):
        s = scope.spans.add()
        s.trace_id = trace.to_bytes(16, "big")
        s.span_id = (n + 1).to_bytes(8, "big")
        s.name = "bench"
        s.start_time_unix_nano, s.end_time_unix_nano = 1, 2
    return request.SerializeToString()


def http_request(body, extra=""):
    head = f"POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: {len(body)}\r\n{extra}\r\n"
    return head.encode() + body


def connect(port, timeout=30):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    return s


def read_status(sock):
    """The status code of one whole response (Content-Length bodies), or None."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return int(head.split()[1])


def wait_closed(sock):
    """Reads until the server closes; returns the bytes read."""
    out = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return out
            out += chunk
    except (ConnectionResetError, socket.timeout):
        return out


class Tracetui:
    def __init__(self, stderr_path, pid):
        self.stderr_path, self.pid = stderr_path, pid

    def accounting(self, settle=1.5):
        """The newest status line's accounting, after the session has had time to settle."""
        time.sleep(settle)
        with open(self.stderr_path) as f:
            lines = [l for l in f if "spans received" in l]
        m = re.search(r"(\d+) spans received .* · (\d+) stored \+ (\d+) evicted \+ (\d+) rejected \+ (\d+) refused(?: \+ (\d+) waiting)?(.*)", lines[-1])
        received, stored, evicted, rejected, refused = (int(m.group(i)) for i in range(1, 6))
        waiting = int(m.group(6) or 0)
        holds = received == stored + evicted + rejected + refused + waiting
        extra = m.group(7).strip(" ·")
        return f"received {received} = stored {stored} + evicted {evicted} + rejected {rejected} + refused {refused}" + \
            (f" + waiting {waiting}" if waiting else "") + f" ({'holds' if holds else 'DOES NOT HOLD'}){' · ' + extra if extra else ''}"

    def rss_kib(self):
        with open(f"/proc/{self.pid}/status") as f:
            return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def connections_held(args, t):
    http = [connect(args.http) for _ in range(args.connections)]
    grpc_socks = []
    for _ in range(args.connections):
        s = connect(args.grpc)
        s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00")  # preface + SETTINGS
        grpc_socks.append(s)
    time.sleep(2)
    for n, s in enumerate(http):
        s.sendall(http_request(export_body(1, 1_000_000 + n)))
    answered = sum(1 for s in http if read_status(s) == 200)
    open_grpc = 0
    for s in grpc_socks:
        s.setblocking(False)
        try:
            open_grpc += 1 if s.recv(65536) != b"" else 0  # the server's SETTINGS: still open
        except BlockingIOError:
            open_grpc += 1
    print(f"connections held: HTTP {answered}/{args.connections} open and answered after 2 s; "
          f"gRPC {open_grpc}/{args.connections} open (HTTP/2 preface sent); tracetui RSS {t.rss_kib() // 1024} MiB")
    for s in http + grpc_socks:
        s.close()
    print(f"  accounting: {t.accounting()}")


def slow_loris(args, t):
    body = export_body(2, 7)
    request = http_request(body)
    head_len = len(request) - len(body)
    rss_before = t.rss_kib()
    results = {"head": [], "body": []}

    def trickle(kind):
        s = connect(args.http, timeout=120)
        start = time.monotonic()
        if kind == "body":
            s.sendall(request[:head_len])
        data = request[:head_len] if kind == "head" else request[head_len:]
        for b in data:
            try:
                s.send(bytes([b]))
            except OSError:
                break
            s.settimeout(0.5)
            try:
                answer = s.recv(65536)
                break
            except socket.timeout:
                continue
        s.settimeout(120)
        wait_closed(s)
        results[kind].append(time.monotonic() - start)

    threads = [threading.Thread(target=trickle, args=(k,)) for k in ["head", "body"] for _ in range(args.slow)]
    for th in threads:
        th.start()
    time.sleep(3)
    rss_during = t.rss_kib()
    for th in threads:
        th.join()
    for kind in ["head", "body"]:
        r = results[kind]
        print(f"slow loris ({args.slow} clients trickling a {kind} byte every 0.5 s): cut off after "
              f"min {min(r):.1f} s, median {statistics.median(r):.1f} s, max {max(r):.1f} s")
    print(f"  tracetui RSS {rss_before // 1024} MiB before, {rss_during // 1024} MiB with {2 * args.slow} slow clients")
    print(f"  accounting: {t.accounting()}")


def oversize(args, t):
    s = connect(args.http)
    s.sendall(b"POST /v1/traces HTTP/1.1\r\nContent-Type: application/x-protobuf\r\nContent-Length: 1073741824\r\n\r\n")
    print(f"announced 1 GiB body: answered {read_status(s)} after 0 body bytes sent")
    s.close()
    s = connect(args.http)
    s.sendall(b"POST /v1/traces HTTP/1.1\r\nContent-Type: application/x-protobuf\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"%x\r\n" % (1 << 20) + b"\n" * (1 << 20) + b"\r\n"
    sent = 0
    try:
        while sent < (256 << 20):
            s.sendall(chunk)
            sent += 1 << 20
    except OSError:
        pass
    print(f"chunked body without end: cut off after {sent >> 20} MiB sent (limit 64 MiB; the rest sits in socket buffers)")
    s.close()
    bomb = gzip.compress(b"\0" * (80 << 20))
    s = connect(args.http)
    s.sendall(http_request(bomb, "Content-Encoding: gzip\r\n"))
    print(f"gzip body of {len(bomb) >> 10} KiB inflating to 80 MiB: answered {read_status(s)}")
    s.close()
    print(f"  accounting: {t.accounting()}")


def cut_off(args, t):
    request = http_request(export_body(20, 9))
    for _ in range(args.cut):
        s = connect(args.http)
        s.sendall(request[: len(request) // 2])
        s.close()
    s = connect(args.http)
    s.sendall(http_request(export_body(3, 10)))
    print(f"{args.cut} clients gone mid-body; the next request answered {read_status(s)}")
    s.close()
    print(f"  accounting: {t.accounting()}")


def burst(args, t):
    body = export_body(512, 11)
    statuses, retry_after = [], set()
    lock = threading.Lock()

    def one():
        s = connect(args.http)
        s.sendall(http_request(body))
        data = b""
        while b"\r\n\r\n" not in data:
            data += s.recv(65536)
        status = int(data.split()[1])
        m = re.search(rb"(?i)retry-after: *(\d+)", data)
        with lock:
            statuses.append(status)
            if m:
                retry_after.add(int(m.group(1)))
        s.close()

    threads = [threading.Thread(target=one) for _ in range(args.burst)]
    start = time.monotonic()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    took = time.monotonic() - start
    print(f"HTTP burst of {args.burst} requests x 512 spans at once (--queue-spans {args.queue}): "
          f"{statuses.count(200)} x 200, {statuses.count(503)} x 503 (Retry-After {sorted(retry_after)}), "
          f"other {len(statuses) - statuses.count(200) - statuses.count(503)}, in {took:.2f} s")
    print(f"  accounting: {t.accounting()}")
    channel = grpc.insecure_channel(f"127.0.0.1:{args.grpc}")
    stub = trace_service_pb2_grpc.TraceServiceStub(channel)
    request = trace_service_pb2.ExportTraceServiceRequest.FromString(body)
    futures = [stub.Export.future(request) for _ in range(args.burst)]
    codes = []
    for f in futures:
        try:
            f.result()
            codes.append("OK")
        except grpc.RpcError as e:
            codes.append(e.code().name)
    print(f"gRPC burst of {args.burst} requests x 512 spans at once on one channel: "
          + ", ".join(f"{codes.count(c)} x {c}" for c in sorted(set(codes))))
    print(f"  accounting: {t.accounting()}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--http", type=int, required=True)
    p.add_argument("--grpc", type=int, required=True)
    p.add_argument("--stderr", required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--queue", type=int, required=True)
    p.add_argument("--connections", type=int, default=1000)
    p.add_argument("--slow", type=int, default=100)
    p.add_argument("--cut", type=int, default=200)
    p.add_argument("--burst", type=int, default=200)
    args = p.parse_args()
    t = Tracetui(args.stderr, args.pid)
    for scenario in [connections_held, slow_loris, oversize, cut_off, burst]:
        scenario(args, t)


if __name__ == "__main__":
    main()
