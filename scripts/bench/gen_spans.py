#!/usr/bin/env python3
"""Writes a synthetic OTLP JSON Lines file of agent runs for the load benchmark.

Each line is one collector-style batch of 100 traces x 10 spans (a workflow root, LLM calls with the
OTel GenAI keys, tool calls). Usage: gen_spans.py SPANS OUT.jsonl
"""
import json
import random
import sys


def attrs(pairs):
    out = []
    for k, v in pairs:
        if isinstance(v, int):
            out.append({"key": k, "value": {"intValue": str(v)}})
        else:
            out.append({"key": k, "value": {"stringValue": v}})
    return out


def main():
    total, path = int(sys.argv[1]), sys.argv[2]
    rnd = random.Random(42)
    models = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-20250514", "gemini-2.5-flash"]
    base = 1_764_331_200_000_000_000
    written = 0
    trace_no = 0
    with open(path, "w") as f:
        while written < total:
            spans = []
            for _ in range(100):
                trace_no += 1
                tid = "%032x" % (trace_no * 2654435761)
                t0 = base + trace_no * 1_000_000_000
                root = "%016x" % (trace_no * 10 + 1)
                spans.append({"traceId": tid, "spanId": root, "parentSpanId": "", "name": "agent.workflow", "kind": 1,
                              "startTimeUnixNano": str(t0), "endTimeUnixNano": str(t0 + 900_000_000),
                              "attributes": attrs([("app.feature", rnd.choice(["chat", "search", "summarize"]))]), "status": {}})
                for i in range(2, 11):
                    sid = "%016x" % (trace_no * 10 + i)
                    start = t0 + i * 80_000_000
                    if i % 3:
                        a = attrs([("gen_ai.operation.name", "chat"), ("gen_ai.request.model", rnd.choice(models)),
                                   ("gen_ai.usage.input_tokens", rnd.randint(100, 5000)),
                                   ("gen_ai.usage.output_tokens", rnd.randint(10, 800))])
                        name = "chat"
                    else:
                        a = attrs([("gen_ai.operation.name", "execute_tool"), ("gen_ai.tool.name", "web_search")])
                        name = "execute_tool web_search"
                    spans.append({"traceId": tid, "spanId": sid, "parentSpanId": root, "name": name, "kind": 3,
                                  "startTimeUnixNano": str(start), "endTimeUnixNano": str(start + 70_000_000),
                                  "attributes": a, "status": {}})
            batch = {"resourceSpans": [{"resource": {"attributes": attrs([("service.name", "bench-agent")])},
                                        "scopeSpans": [{"scope": {"name": "bench"}, "spans": spans}]}]}
            f.write(json.dumps(batch, separators=(",", ":")) + "\n")
            written += len(spans)


if __name__ == "__main__":
    main()
