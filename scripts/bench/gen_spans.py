#!/usr/bin/env python3
"""Writes a synthetic OTLP JSON Lines file of agent runs for the load benchmark.

Each line is one collector-style batch of 100 traces x 10 spans (a workflow root, LLM calls with the
OTel GenAI keys, tool calls). Usage: gen_spans.py SPANS OUT.jsonl [--wrapped]

--wrapped: each LLM call is two spans, as applications that trace themselves write them: the app's
`llm.generate` (scope `app`: llm.model, llm.input_tokens, llm.cached_input_tokens, llm.cost_usd) around
the instrumentation's `chat` span (scope `opentelemetry.instrumentation.openai_v2`, OTel GenAI keys,
no cache reads): 3 calls (6 spans) and 3 tool calls per trace, so every call is a group of two.
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
    wrapped = "--wrapped" in sys.argv[3:]
    rnd = random.Random(42)
    models = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-20250514", "gemini-2.5-flash"]
    base = 1_764_331_200_000_000_000
    written = 0
    trace_no = 0
    with open(path, "w") as f:
        while written < total:
            spans, app = [], []
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
                    if wrapped and i % 3 == 2:
                        # The app's span; the instrumentation's span beneath it is the next id.
                        model, tin, tout = rnd.choice(models[:2]), rnd.randint(100, 5000), rnd.randint(10, 800)
                        cached = rnd.randint(0, tin)
                        price = {"gpt-4o": (2.5, 1.25, 10.0), "gpt-4o-mini": (0.15, 0.075, 0.6)}[model]
                        cost = ((tin - cached) * price[0] + cached * price[1] + tout * price[2]) / 1e6
                        a = attrs([("llm.model", model), ("llm.input_tokens", tin), ("llm.cached_input_tokens", cached),
                                   ("llm.output_tokens", tout)]) + [{"key": "llm.cost_usd", "value": {"doubleValue": round(cost, 8)}}]
                        app.append({"traceId": tid, "spanId": sid, "parentSpanId": root, "name": "llm.generate", "kind": 1,
                                    "startTimeUnixNano": str(start), "endTimeUnixNano": str(start + 150_000_000),
                                    "attributes": a, "status": {}})
                        wrapper = (sid, model, tin, tout)
                        continue
                    if wrapped and i % 3 == 0:
                        wid, model, tin, tout = wrapper
                        a = attrs([("gen_ai.operation.name", "chat"), ("gen_ai.request.model", model),
                                   ("gen_ai.usage.input_tokens", tin), ("gen_ai.usage.output_tokens", tout)])
                        spans.append({"traceId": tid, "spanId": sid, "parentSpanId": wid, "name": "chat " + model, "kind": 3,
                                      "startTimeUnixNano": str(start - 70_000_000), "endTimeUnixNano": str(start),
                                      "attributes": a, "status": {}})
                        continue
                    if i % 3 and not wrapped:
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
            scopes = [{"scope": {"name": "opentelemetry.instrumentation.openai_v2" if wrapped else "bench"}, "spans": spans}]
            if app:
                scopes.insert(0, {"scope": {"name": "app"}, "spans": app})
            batch = {"resourceSpans": [{"resource": {"attributes": attrs([("service.name", "bench-agent")])},
                                        "scopeSpans": scopes}]}
            f.write(json.dumps(batch, separators=(",", ":")) + "\n")
            written += len(spans) + len(app)


if __name__ == "__main__":
    main()
