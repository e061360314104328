"""Shared helpers for the sample-trace generators.

Spans are produced by the real OpenTelemetry Python SDK, captured with the
SDK's InMemorySpanExporter, encoded to protobuf with the official OTLP encoder
(opentelemetry-exporter-otlp-proto-common) and turned into OTLP JSON with
google.protobuf.json_format.MessageToDict (camelCase keys, int64 as strings, enums as integers).
The only post-processing is what canonical OTLP JSON requires and protobuf's
generic JSON mapping does not do: trace/span ids become lowercase hex instead
of base64. Optionally all timestamps are shifted by a constant so that the
files are anchored at a fixed date (durations are untouched).
"""

from __future__ import annotations

import base64
import json
import os
import random
from typing import Iterable

from google.protobuf.json_format import MessageToDict
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.id_generator import IdGenerator

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "sample-traces"))

# 2026-11-28T12:00:00Z in nanoseconds since the epoch.
ANCHOR_END_NS = 1795867200 * 1_000_000_000


class SeededIdGenerator(IdGenerator):
    """Deterministic ids so that regenerating a file gives a small diff."""

    def __init__(self, seed: int):
        self._rng = random.Random(seed)

    def generate_span_id(self) -> int:
        return self._rng.getrandbits(64) or 1

    def generate_trace_id(self) -> int:
        return self._rng.getrandbits(128) or 1


def setup_tracing(service_name: str, seed: int, extra_resource: dict | None = None,
                  set_global: bool = True):
    """Create a TracerProvider that records into memory. Returns (provider, exporter)."""
    attrs = {"service.name": service_name}
    attrs.update(extra_resource or {})
    provider = TracerProvider(resource=Resource.create(attrs), id_generator=SeededIdGenerator(seed))
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    if set_global:
        trace.set_tracer_provider(provider)
    return provider, exporter


def _b64_to_hex(value: str) -> str:
    return base64.b64decode(value).hex() if value else value


def _fix_ids(request: dict) -> dict:
    for rs in request.get("resourceSpans", []):
        for ss in rs.get("scopeSpans", []):
            for span in ss.get("spans", []):
                for key in ("traceId", "spanId", "parentSpanId"):
                    if key in span:
                        span[key] = _b64_to_hex(span[key])
                for link in span.get("links", []):
                    for key in ("traceId", "spanId"):
                        if key in link:
                            link[key] = _b64_to_hex(link[key])
    return request


def spans_to_request(spans: Iterable) -> dict:
    """ReadableSpans -> OTLP JSON ExportTraceServiceRequest as a dict (hex ids)."""
    message = encode_spans(list(spans))
    return _fix_ids(MessageToDict(message, use_integers_for_enums=True))


def iter_spans(request: dict):
    for rs in request.get("resourceSpans", []):
        for ss in rs.get("scopeSpans", []):
            yield from ss.get("spans", [])


def time_bounds(request: dict) -> tuple[int, int]:
    starts, ends = [], []
    for span in iter_spans(request):
        starts.append(int(span["startTimeUnixNano"]))
        ends.append(int(span["endTimeUnixNano"]))
    return min(starts), max(ends)


def shift_times(request: dict, delta_ns: int) -> dict:
    """Add delta_ns to every span/event timestamp (int64 kept as decimal strings)."""
    def sh(v):
        return str(int(v) + delta_ns)
    for span in iter_spans(request):
        span["startTimeUnixNano"] = sh(span["startTimeUnixNano"])
        span["endTimeUnixNano"] = sh(span["endTimeUnixNano"])
        for ev in span.get("events", []):
            ev["timeUnixNano"] = sh(ev["timeUnixNano"])
    return request


def anchor(request: dict, end_ns: int = ANCHOR_END_NS) -> dict:
    """Shift the whole request so that its last span ends at end_ns."""
    _, last = time_bounds(request)
    return shift_times(request, end_ns - last)


def write_pretty(name: str, request: dict) -> str:
    path = os.path.join(OUT_DIR, name)
    os.makedirs(OUT_DIR, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(request, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes, {sum(1 for _ in iter_spans(request))} spans)")
    return path


# ---------------------------------------------------------------------------
# Collector file-exporter style (pdata JSON marshaller): compact, field order as
# declared in trace.proto, "parentSpanId":"" on roots, "status":{} when unset,
# empty/zero fields otherwise left out.

_SPAN_ORDER = ["traceId", "spanId", "traceState", "parentSpanId", "flags", "name", "kind",
               "startTimeUnixNano", "endTimeUnixNano", "attributes", "droppedAttributesCount",
               "events", "droppedEventsCount", "links", "droppedLinksCount", "status"]


def _collector_span(span: dict) -> dict:
    out = {}
    for key in _SPAN_ORDER:
        if key == "parentSpanId":
            out[key] = span.get(key, "")
        elif key == "status":
            out[key] = span.get(key, {})
        elif key in span:
            out[key] = span[key]
    for key in span:  # anything unexpected is kept, at the end
        if key not in out:
            out[key] = span[key]
    return out


def collector_style(request: dict) -> dict:
    out = {"resourceSpans": []}
    for rs in request.get("resourceSpans", []):
        new_rs = {"resource": rs.get("resource", {}), "scopeSpans": []}
        for ss in rs.get("scopeSpans", []):
            new_ss = {"scope": ss.get("scope", {}),
                      "spans": [_collector_span(s) for s in ss.get("spans", [])]}
            if ss.get("schemaUrl"):
                new_ss["schemaUrl"] = ss["schemaUrl"]
            new_rs["scopeSpans"].append(new_ss)
        if rs.get("schemaUrl"):
            new_rs["schemaUrl"] = rs["schemaUrl"]
        out["resourceSpans"].append(new_rs)
    return out


def compact(obj: dict) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
