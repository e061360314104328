#!/usr/bin/env python3
"""A sender for the live-ingest figures that costs almost nothing, so the figure is the receiver's.

Builds BODIES distinct ExportTraceServiceRequest protobuf bodies once, before the clock starts: the
spans of scripts/bench/gen_realistic.py (realistic agent runs in the three GenAI conventions, ~1 KB a
span, 512 spans a request, grouped by resource and scope as a collector batches them), converted to
protobuf with the opentelemetry-proto classes, their times moved to end now. Then, for DURATION
seconds, posts them in turn:

  * http:  over one keep-alive http.client.HTTPConnection per --connections (a thread each),
           POST /v1/traces, Content-Type application/x-protobuf;
  * grpc:  raw bytes over one grpc channel (unary_unary with no serializer: the prebuilt body is the
           message), --connections calls in flight at once.

So that nothing dedups, each pass over the bodies writes a new prefix into the first 4 bytes of every
trace id in place (sender number and pass number; the other 12 bytes already differ between traces),
so every request carries traces never sent before, and a trace split across two consecutive bodies
stays one trace.

A refused request (HTTP 429/503, gRPC UNAVAILABLE/RESOURCE_EXHAUSTED) is counted, waits (Retry-After
or grpc-retry-pushback-ms when the answer has it, else --backoff) and is sent again, as an OTLP
exporter does; it is counted once acknowledged. Any other answer ends the run with an error. Prints
one JSON line: spans and requests acknowledged, refusals, retries, wall seconds, the sender's own
CPU seconds and what that CPU time would allow (cpuCeilingSpansPerSecond: spans acknowledged per
CPU-second of this process, the most it could send if it had a core to itself and the receiver
answered at once).

Usage: otlp_blast.py --protocol http|grpc --endpoint HOST:PORT [--duration S] [--bodies N]
                     [--sender K] [--connections C] [--backoff S] [--spans-per-body 512]
                     [--ready-file F --go-file G]
"""
import argparse
import base64
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ID_KEYS = ("traceId", "spanId", "parentSpanId")
TIME_KEYS = ("startTimeUnixNano", "endTimeUnixNano")


def build_bodies(count, seed, per_body):
    """count serialized requests of per_body spans, and the offsets of every trace id in each."""
    from google.protobuf import json_format
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "spans.jsonl")
        subprocess.run([sys.executable, os.path.join(HERE, "gen_realistic.py"), str(count * per_body), path,
                        "--jsonl", "--seed", str(seed)], check=True, stdout=subprocess.DEVNULL)
        with open(path, encoding="utf-8") as f:
            docs = [json.loads(line) for line in f if line.strip()]
    latest = 0
    for doc in docs:
        for _, span in spans_of(doc):
            latest = max(latest, int(span["endTimeUnixNano"]))
    shift = time.time_ns() - latest  # the newest span ends now

    bodies = []
    for doc in docs:
        trace_ids = set()
        for scope_spans, span in spans_of(doc):
            trace_ids.add(span["traceId"])
            for key in ID_KEYS:
                if key in span:
                    span[key] = base64.b64encode(bytes.fromhex(span[key])).decode()
            for key in TIME_KEYS:
                span[key] = str(int(span[key]) + shift)
            for event in span.get("events", []):
                event["timeUnixNano"] = str(int(event["timeUnixNano"]) + shift)
        request = json_format.ParseDict(doc, ExportTraceServiceRequest())
        body = request.SerializeToString()
        offsets = []
        for tid in trace_ids:
            raw = bytes.fromhex(tid)
            at = body.find(raw)
            while at >= 0:
                offsets.append(at)
                at = body.find(raw, at + 1)
        bodies.append((bytearray(body), sorted(offsets), sum(1 for _ in spans_of(doc))))
    return bodies


def spans_of(doc):
    for rs in doc.get("resourceSpans", []):
        for ss in rs.get("scopeSpans", []):
            for span in ss.get("spans", []):
                yield ss, span


class Totals:
    def __init__(self):
        self.lock = threading.Lock()
        self.spans = self.requests = self.refusals = self.retries = self.bytes = 0
        self.error = None

    def add(self, spans, size, refusals):
        with self.lock:
            self.spans += spans
            self.requests += 1
            self.bytes += size
            self.refusals += refusals
            self.retries += refusals


class Bodies:
    """Hands out bodies in turn; a new pass writes its prefix into every trace id first."""

    def __init__(self, bodies, sender):
        self.bodies = bodies
        self.sender = sender
        self.lock = threading.Lock()
        self.next = 0

    def take(self):
        with self.lock:
            n = self.next
            self.next += 1
        index = n % len(self.bodies)
        body, offsets, spans = self.bodies[index]
        prefix = ((self.sender & 0xFF) << 24 | (n // len(self.bodies) + 1) & 0xFFFFFF).to_bytes(4, "big")
        out = bytearray(body)  # a copy: another thread may be patching the same body for its pass
        for at in offsets:
            out[at:at + 4] = prefix
        return bytes(out), spans


def run_http(host, port, bodies, totals, deadline, backoff):
    import http.client

    conn = http.client.HTTPConnection(host, port, timeout=60)
    headers = {"Content-Type": "application/x-protobuf"}
    while time.monotonic() < deadline and totals.error is None:
        body, spans = bodies.take()
        refused = 0
        while True:
            conn.request("POST", "/v1/traces", body=body, headers=headers)
            r = conn.getresponse()
            r.read()
            if r.status == 200:
                break
            if r.status in (429, 503):
                refused += 1
                wait = r.getheader("Retry-After")
                time.sleep(float(wait) if wait and wait.strip().isdigit() else backoff)
                if r.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection(host, port, timeout=60)
                continue
            totals.error = "HTTP %d" % r.status
            return
        totals.add(spans, len(body), refused)
    conn.close()


def run_grpc(target, bodies, totals, deadline, backoff, inflight):
    import grpc

    channel = grpc.insecure_channel(target, options=[("grpc.max_send_message_length", 64 << 20)])
    export = channel.unary_unary("/opentelemetry.proto.collector.trace.v1.TraceService/Export",
                                 request_serializer=None, response_deserializer=None)
    retry_codes = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED)

    def worker():
        while time.monotonic() < deadline and totals.error is None:
            body, spans = bodies.take()
            refused = 0
            while True:
                try:
                    export(body, timeout=60)
                    break
                except grpc.RpcError as e:
                    if e.code() not in retry_codes:
                        totals.error = "gRPC %s: %s" % (e.code(), e.details())
                        return
                    refused += 1
                    pushback = dict(e.trailing_metadata() or ()).get("grpc-retry-pushback-ms")
                    time.sleep(int(pushback) / 1000 if pushback and pushback.isdigit() else backoff)
            totals.add(spans, len(body), refused)

    threads = [threading.Thread(target=worker) for _ in range(inflight)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    channel.close()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--protocol", choices=["http", "grpc"], required=True)
    p.add_argument("--endpoint", required=True, help="HOST:PORT")
    p.add_argument("--duration", type=float, default=15)
    p.add_argument("--bodies", type=int, default=64, help="distinct prebuilt requests")
    p.add_argument("--spans-per-body", type=int, default=512)
    p.add_argument("--sender", type=int, default=1, help="this sender's number (0-255), put in the trace ids")
    p.add_argument("--connections", type=int, default=1, help="HTTP connections / gRPC calls in flight")
    p.add_argument("--backoff", type=float, default=0.05, help="seconds before a retry without a hint")
    p.add_argument("--ready-file", help="touched once the bodies are built (the clock starts after)")
    p.add_argument("--go-file", help="wait until this file exists before the clock starts (senders start together)")
    a = p.parse_args()

    bodies = Bodies(build_bodies(a.bodies, 1000 + a.sender, a.spans_per_body), a.sender)
    if a.ready_file:
        open(a.ready_file, "w").close()
    while a.go_file and not os.path.exists(a.go_file):
        time.sleep(0.005)
    totals = Totals()
    host, port = a.endpoint.rsplit(":", 1)
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.monotonic()
    deadline = t0 + a.duration
    if a.protocol == "http":
        threads = [threading.Thread(target=run_http, args=(host, int(port), bodies, totals, deadline, a.backoff))
                   for _ in range(a.connections)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        run_grpc(a.endpoint, bodies, totals, deadline, a.backoff, a.connections)
    secs = time.monotonic() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    out = {
        "protocol": a.protocol, "sender": a.sender, "spans": totals.spans, "requests": totals.requests,
        "refusals": totals.refusals, "retries": totals.retries, "bytes": totals.bytes, "seconds": round(secs, 3),
        "spansPerSecond": round(totals.spans / secs), "cpuSeconds": round(cpu, 3),
        "cpuCeilingSpansPerSecond": round(totals.spans / cpu) if cpu > 0 else None,
    }
    if totals.error:
        out["error"] = totals.error
    print(json.dumps(out), flush=True)
    sys.exit(1 if totals.error else 0)


if __name__ == "__main__":
    main()
