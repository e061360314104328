#!/usr/bin/env python3
"""Rewrites an OTLP JSON Lines file (as gen_spans.py writes it) as one Jaeger JSON document, the shape
of the Jaeger UI's download and of the classic /api/traces answer: {"data":[trace...]}, each trace with
its spans (µs times, CHILD_OF references, typed tags, span.kind as a tag) and its processes.

Usage: otlp_to_jaeger.py IN.jsonl OUT.json

Written a batch at a time, so memory follows one input line, not the file. For scripts/bench/format-bench.sh.
"""
import json
import sys

KINDS = {1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}


def tag(attribute):
    key, value = attribute["key"], attribute["value"]
    if "intValue" in value:
        return {"key": key, "type": "int64", "value": int(value["intValue"])}
    if "doubleValue" in value:
        return {"key": key, "type": "float64", "value": float(value["doubleValue"])}
    if "boolValue" in value:
        return {"key": key, "type": "bool", "value": value["boolValue"]}
    return {"key": key, "type": "string", "value": value.get("stringValue", "")}


def jaeger_span(span, process):
    start = int(span["startTimeUnixNano"]) // 1000
    tags = [tag(a) for a in span.get("attributes", [])]
    if span.get("kind") in KINDS:
        tags.append({"key": "span.kind", "type": "string", "value": KINDS[span["kind"]]})
    if span.get("status", {}).get("code") == 2:
        tags.append({"key": "error", "type": "bool", "value": True})
    parent = span.get("parentSpanId", "")
    return {
        "traceID": span["traceId"],
        "spanID": span["spanId"],
        "operationName": span["name"],
        "references": [{"refType": "CHILD_OF", "traceID": span["traceId"], "spanID": parent}] if parent else [],
        "startTime": start,
        "duration": int(span["endTimeUnixNano"]) // 1000 - start,
        "tags": tags,
        "logs": [],
        "processID": process,
        "warnings": None,
    }


def traces_of(batch):
    """The batch's spans grouped by trace, with one process per resource."""
    traces = {}
    for i, rs in enumerate(batch["resourceSpans"]):
        attributes = rs.get("resource", {}).get("attributes", [])
        service = next((a["value"]["stringValue"] for a in attributes if a["key"] == "service.name"), "")
        process = {"serviceName": service, "tags": [tag(a) for a in attributes if a["key"] != "service.name"]}
        for ss in rs["scopeSpans"]:
            for span in ss["spans"]:
                trace = traces.setdefault(span["traceId"], {"spans": [], "processes": {}})
                trace["spans"].append(jaeger_span(span, f"p{i}"))
                trace["processes"][f"p{i}"] = process
    return traces


def main():
    source, target = sys.argv[1], sys.argv[2]
    with open(source) as lines, open(target, "w") as out:
        out.write('{"data":[')
        first = True
        for line in lines:
            for trace_id, trace in traces_of(json.loads(line)).items():
                out.write(("" if first else ",") + json.dumps({"traceID": trace_id, **trace, "warnings": None}))
                first = False
        out.write('],"total":0,"limit":0,"offset":0,"errors":null}\n')


if __name__ == "__main__":
    main()
