#!/usr/bin/env python3
"""Sends agent-workflow traces to an OTLP endpoint with the real OpenTelemetry Python SDK.

Used by the end-to-end tests and by scripts/bench/live-throughput.sh. Each trace is an agent run:

    agent.workflow
    ├── agent.plan ── llm.generate (gpt-4o-mini)
    ├── agent.tool_call (search)
    └── agent.synthesize ── llm.generate (claude-sonnet-4)

Spans are created with explicit ids and times (a fixed id generator) so that a manifest of exactly
what was sent can be written with --manifest and compared with what tracetui recorded.

--order children-first exports each trace's leaves before their parents, in bursts (--burst-pause),
as a real agent's BatchSpanProcessor does when children end first.
"""
import argparse
import json
import random
import sys
import time

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.id_generator import IdGenerator


class FixedIds(IdGenerator):
    """Deterministic ids so the manifest knows them before the spans exist."""

    def __init__(self, seed):
        self.rng = random.Random(seed)

    def generate_span_id(self):
        return self.rng.getrandbits(64) | 1

    def generate_trace_id(self):
        return self.rng.getrandbits(128) | 1


class Checked(SpanExporter):
    """Wraps an exporter and remembers whether any export failed (the SDK only logs failures)."""

    def __init__(self, inner):
        self.inner = inner
        self.failures = 0

    def export(self, spans):
        result = self.inner.export(spans)
        if result.name != "SUCCESS":
            self.failures += 1
        return result

    def shutdown(self):
        self.inner.shutdown()

    def force_flush(self, timeout_millis=30000):
        return True


def exporter_for(protocol, endpoint, gzip, headers=None, cacert=None):
    """headers: extra request headers (e.g. authorization); cacert: trust this CA and use TLS."""
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
        import grpc
        tls = {}
        if cacert:
            with open(cacert, "rb") as f:
                tls["credentials"] = grpc.ssl_channel_credentials(root_certificates=f.read())
        return OTLPSpanExporter(endpoint=endpoint, insecure=not cacert, headers=headers, **tls,
                                compression=grpc.Compression.Gzip if gzip else grpc.Compression.NoCompression)
    if protocol == "http-protobuf":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.exporter.otlp.proto.http import Compression
        return OTLPSpanExporter(endpoint=endpoint.rstrip("/") + "/v1/traces", headers=headers,
                                certificate_file=cacert,
                                compression=Compression.Gzip if gzip else Compression.NoCompression)
    if protocol == "http-json":
        from opentelemetry.exporter.otlp.json.http.trace_exporter import OTLPSpanExporter
        kwargs = {"headers": headers} if headers else {}
        if cacert:
            kwargs["certificate_file"] = cacert
        if gzip:
            from opentelemetry.exporter.otlp.json.http import Compression
            kwargs["compression"] = Compression.Gzip
        return OTLPSpanExporter(endpoint=endpoint.rstrip("/") + "/v1/traces", **kwargs)
    raise SystemExit(f"unknown protocol {protocol}")


# name, parent index, attributes
WORKFLOW = [
    ("agent.workflow", None, {"step.type": "workflow", "user.query": "why did cost triple?", "workflow.id": 0}),
    ("agent.plan", 0, {"step.type": "plan"}),
    ("llm.generate", 1, {"llm.model": "gpt-4o-mini", "llm.provider": "openai", "llm.input_tokens": 800,
                          "llm.output_tokens": 1000, "llm.finish_reason": "stop", "llm.temperature": 0.25,
                          "llm.stream": False, "llm.stop_sequences": ["\n\n", "END"]}),
    ("agent.tool_call", 0, {"step.type": "tool", "step.tool": "search", "tool.retries": 2}),
    ("agent.synthesize", 0, {"step.type": "synthesize"}),
    ("llm.generate", 4, {"llm.model": "claude-sonnet-4", "llm.provider": "anthropic", "llm.input_tokens": 2000,
                          "llm.output_tokens": 500, "llm.finish_reason": "length", "llm.temperature": 0.5,
                          "llm.stream": True, "llm.stop_sequences": ["</answer>"]}),
]
# Children before parents: leaves first, the root last.
CHILDREN_FIRST = [2, 5, 3, 1, 4, 0]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--protocol", choices=["grpc", "http-protobuf", "http-json"], required=True)
    p.add_argument("--endpoint", required=True, help="host:port for grpc, http://host:port for http")
    p.add_argument("--gzip", action="store_true")
    p.add_argument("--traces", type=int, default=3)
    p.add_argument("--service", default="ai-service")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--order", choices=["batch", "children-first"], default="batch")
    p.add_argument("--burst-pause", type=float, default=0.0, help="seconds between bursts (children-first)")
    p.add_argument("--manifest", help="write the spans sent as JSON here")
    p.add_argument("--duration", type=float, default=0.0,
                   help="benchmark: send traces for this many seconds and print spans/s")
    p.add_argument("--batch", type=int, default=512, help="max spans per export (batch order)")
    p.add_argument("--prebuilt", type=int, default=0,
                   help="benchmark: create this many traces first (untimed), then time exporting them in --batch spans per export")
    p.add_argument("--only-bursts", help="children-first: send only these bursts (comma-separated, 0-5)")
    p.add_argument("--base-time", type=int, help="start time of trace 0 in ns (default: now)")
    p.add_argument("--header", action="append", default=[], help="KEY=VALUE sent with every export")
    p.add_argument("--cacert", help="use TLS, trusting this PEM certificate")
    args = p.parse_args()

    if args.cacert:
        # requests prefers these to the exporter's own certificate_file when they are set.
        import os
        os.environ["REQUESTS_CA_BUNDLE"] = os.environ["CURL_CA_BUNDLE"] = args.cacert
    headers = dict(h.split("=", 1) for h in args.header) or None
    exporter = Checked(exporter_for(args.protocol, args.endpoint, args.gzip, headers, args.cacert))
    provider = TracerProvider(resource=Resource.create({"service.name": args.service, "deployment.environment": "test"}),
                              id_generator=FixedIds(args.seed))
    if args.order == "children-first" or args.prebuilt:
        processor = None
    else:
        processor = BatchSpanProcessor(exporter, max_export_batch_size=args.batch, max_queue_size=1 << 20,
                                       schedule_delay_millis=50)
        provider.add_span_processor(processor)
    tracer = provider.get_tracer("tracetui.e2e", "1.0")

    manifest = []
    base = args.base_time if args.base_time is not None else time.time_ns()
    sent = 0

    def one_trace(n, collect):
        """Creates one workflow; returns its ended spans (ReadableSpan) in creation order."""
        t0 = base + n * 10_000_000_000
        spans = []
        contexts = []
        for i, (name, parent, attrs) in enumerate(WORKFLOW):
            ctx = trace.set_span_in_context(contexts[parent]) if parent is not None else None
            attrs = dict(attrs)
            if i == 0:
                attrs["workflow.id"] = n
            span = tracer.start_span(name, context=ctx, start_time=t0 + i * 100_000_000,
                                     kind=trace.SpanKind.CLIENT if name == "llm.generate" else trace.SpanKind.INTERNAL,
                                     attributes=attrs)
            if name == "agent.tool_call":
                span.add_event("tool.result", {"result.count": 3}, timestamp=t0 + i * 100_000_000 + 5_000_000)
                span.set_status(trace.Status(trace.StatusCode.ERROR, "search timed out once"))
            contexts.append(span)
            spans.append(span)
        # End leaves first so ends nest (parents end last).
        for i in reversed(range(len(spans))):
            spans[i].end(end_time=t0 + 3_000_000_000 - i * 10_000_000)
        if collect:
            for i, s in enumerate(spans):
                c = s.get_span_context()
                parent = WORKFLOW[i][1]
                manifest.append({
                    "traceId": format(c.trace_id, "032x"),
                    "spanId": format(c.span_id, "016x"),
                    "parentSpanId": format(spans[parent].get_span_context().span_id, "016x") if parent is not None else None,
                    "name": s.name,
                    "attributes": dict(s.attributes),
                })
        return spans

    if args.prebuilt:
        spans = [s for n in range(args.prebuilt) for s in one_trace(n, False)]
        start = time.monotonic()
        for i in range(0, len(spans), args.batch):
            exporter.export(spans[i:i + args.batch])
        elapsed = time.monotonic() - start
        exporter.shutdown()
        if exporter.failures:
            print(f"{exporter.failures} export(s) failed", file=sys.stderr)
            sys.exit(1)
        print(json.dumps({"spans": len(spans), "seconds": round(elapsed, 3), "spansPerSecond": round(len(spans) / elapsed)}))
        return

    if args.duration > 0:
        start = time.monotonic()
        n = 0
        while time.monotonic() - start < args.duration:
            one_trace(n, False)
            n += 1
        processor.force_flush(timeout_millis=120_000)
        elapsed = time.monotonic() - start
        sent = n * len(WORKFLOW)
        provider.shutdown()
        print(json.dumps({"spans": sent, "seconds": round(elapsed, 3), "spansPerSecond": round(sent / elapsed)}))
        return

    if args.order == "children-first":
        all_spans = [one_trace(n, True) for n in range(args.traces)]
        # Burst k sends the k-th span (in children-first order) of every trace.
        bursts = [int(b) for b in args.only_bursts.split(",")] if args.only_bursts else range(len(WORKFLOW))
        for k in bursts:
            burst = [spans[CHILDREN_FIRST[k]] for spans in all_spans]
            result = exporter.export(burst)
            if result.name != "SUCCESS":
                print(f"export failed: {result}", file=sys.stderr)
                sys.exit(1)
            sent += len(burst)
            if args.burst_pause:
                time.sleep(args.burst_pause)
        exporter.shutdown()
    else:
        for n in range(args.traces):
            one_trace(n, True)
        ok = processor.force_flush(timeout_millis=60_000)
        provider.shutdown()
        if not ok:
            print("flush timed out", file=sys.stderr)
            sys.exit(1)
        sent = len(manifest)

    if exporter.failures:
        print(f"{exporter.failures} export(s) failed", file=sys.stderr)
        sys.exit(1)
    if args.manifest:
        with open(args.manifest, "w") as f:
            json.dump(manifest, f)
    print(f"sent {sent} spans", file=sys.stderr)


if __name__ == "__main__":
    main()
