"""sample-traces/multi-trace.jsonl: six agent runs as the collector's file exporter writes them.

Two services, each with its own real SDK TracerProvider in this one process:
"ai-service" (agent.workflow root with app.feature, llm.generate spans with the
article's llm.* keys and cost, tool.execute CLIENT spans) and "search-tool" (a
search.query SERVER span, child of tool.execute through the in-process context).
Runs (feature / models / twist):
  1 chat       gpt-4o
  2 summarize  gpt-4o-mini           finish_reason length (truncated)
  3 search     claude-sonnet-4 + search-tool; its ai-service spans are split over two lines
  4 search     gpt-4o + search-tool  the search fails (ERROR status, exception event)
  5 chat       claude-sonnet-4       first call rejected: 429, error.type RateLimitError; retried
  6 summarize  gpt-4o
Each run is shifted so the six are spread over the three days ending
2026-11-28T12:00:00Z. Lines are compact JSON in the collector's style (hex ids,
"parentSpanId":"" on roots, "status":{} when unset); one resourceMetrics line and one
resourceLogs line (minimal, hand-made) are mixed in for readers to skip.
"""

import json
import os
import time

from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

import otlp_json

ai_provider, ai_exp = otlp_json.setup_tracing("ai-service", seed=8008, set_global=False)
search_provider, search_exp = otlp_json.setup_tracing("search-tool", seed=8009, set_global=False,
                                                      extra_resource={"service.version": "0.4.1"})
ai = ai_provider.get_tracer("ai-service")
search = search_provider.get_tracer("search-tool")

COST_PER_1K_TOKENS = {
    "gpt-4o": {"input": 0.0025, "output": 0.01},
    "gpt-4o-mini": {"input": 0.00015, "output": 0.0006},
    "claude-opus-4": {"input": 0.015, "output": 0.075},
    "claude-sonnet-4": {"input": 0.003, "output": 0.015},
}


def calculate_cost(model, pin, pout):
    rates = COST_PER_1K_TOKENS.get(model, {"input": 0, "output": 0})
    return round((pin / 1000) * rates["input"] + (pout / 1000) * rates["output"], 6)


class RateLimitError(Exception):
    pass


def llm_call(model, pin, pout, finish="stop", text="ok", delay=0.02, rate_limited=False):
    with ai.start_as_current_span("llm.generate", kind=SpanKind.CLIENT) as span:
        span.set_attribute("llm.model", model)
        span.set_attribute("llm.provider", "anthropic" if model.startswith("claude") else "openai")
        time.sleep(delay)
        if rate_limited:
            span.set_attribute("http.response.status_code", 429)
            span.set_attribute("error.type", "RateLimitError")
            exc = RateLimitError("Error code: 429 - rate_limit_error: Number of request tokens has "
                                 "exceeded your per-minute rate limit")
            span.record_exception(exc)
            span.set_status(Status(StatusCode.ERROR, str(exc)))
            return 0.0
        cost = calculate_cost(model, pin, pout)
        span.set_attribute("llm.input_tokens", pin)
        span.set_attribute("llm.output_tokens", pout)
        span.set_attribute("llm.total_tokens", pin + pout)
        span.set_attribute("llm.latency_ms", int(delay * 1000))
        span.set_attribute("llm.cost_usd", cost)
        span.set_attribute("llm.finish_reason", finish)
        span.set_attribute("quality.finish_reason", finish)
        span.set_attribute("quality.response_length", len(text))
        span.set_attribute("quality.has_code", "```" in text)
        span.set_attribute("quality.contains_apology", "sorry" in text.lower())
        return cost


def search_call(query, fail=False):
    with ai.start_as_current_span("tool.execute", kind=SpanKind.CLIENT) as tool:
        tool.set_attribute("tool.name", "web_search")
        with search.start_as_current_span("search.query", kind=SpanKind.SERVER) as srv:
            srv.set_attribute("search.query", query)
            time.sleep(0.015)
            if fail:
                try:
                    raise ConnectionError("search index shard 3 unavailable")
                except ConnectionError as exc:
                    srv.record_exception(exc)
                    srv.set_status(Status(StatusCode.ERROR, str(exc)))
                    tool.set_status(Status(StatusCode.ERROR, "search-tool returned an error"))
                    tool.set_attribute("error.type", "ConnectionError")
                    return None
            srv.set_attribute("search.results", 5)
            return ["r1", "r2", "r3", "r4", "r5"]


def workflow(feature, query, body):
    with ai.start_as_current_span("agent.workflow") as root:
        root.set_attribute("app.feature", feature)
        root.set_attribute("user.query", query[:200])
        costs, steps = body()
        root.set_attribute("agent.total_steps", steps)
        root.set_attribute("agent.total_cost", round(sum(costs), 6))


RUNS = [
    ("chat", "What is a span?",
     lambda: ([llm_call("gpt-4o", 1000, 200, text="A span is one timed operation in a trace.")], 1)),
    ("summarize", "Summarize the incident report",
     lambda: ([llm_call("gpt-4o-mini", 4000, 500, finish="length",
                        text="The incident began when the cache cluster")], 1)),
    ("search", "Latest OTel GenAI conventions?",
     lambda: ([0.0 if search_call("otel genai semconv") is None else 0.0,
               llm_call("claude-sonnet-4", 2000, 400, text="They define gen_ai.* attributes.")], 2)),
    ("search", "Price of gpt-4o today?",
     lambda: ([0.0 if search_call("gpt-4o price", fail=True) is None else 0.0,
               llm_call("gpt-4o", 800, 100, text="Sorry, I could not search right now.")], 2)),
    ("chat", "Explain prompt caching",
     lambda: ([llm_call("claude-sonnet-4", 1500, 0, rate_limited=True, delay=0.005),
               llm_call("claude-sonnet-4", 1500, 300, text="Prompt caching reuses a prefix.")], 2)),
    ("summarize", "Summarize this thread",
     lambda: ([llm_call("gpt-4o", 3000, 250, text="The thread agrees to ship on Friday.")], 1)),
]

# run i ends END_OFFSETS_H[i] hours before 2026-11-28T12:00:00Z
END_OFFSETS_H = [70.5, 57.25, 45.0, 26.75, 0.01, 0.0]


def encoded(spans, delta):
    req = otlp_json.spans_to_request(spans)
    otlp_json.shift_times(req, delta)
    return otlp_json.collector_style(req)


def merge(*reqs):
    return {"resourceSpans": [rs for r in reqs for rs in r["resourceSpans"]]}


lines = []
first_ns = None
for i, (feature, query, body) in enumerate(RUNS):
    ai_exp.clear()
    search_exp.clear()
    workflow(feature, query, body)
    ai_spans = list(ai_exp.get_finished_spans())
    search_spans = list(search_exp.get_finished_spans())
    end = max(s.end_time for s in ai_spans + search_spans)
    delta = otlp_json.ANCHOR_END_NS - int(END_OFFSETS_H[i] * 3600e9) - end
    if i == 2:
        # split like a BatchSpanProcessor would: the children ended first and were
        # exported in one batch, the root later in another; search-tool on its own line.
        children = [s for s in ai_spans if s.parent is not None]
        roots = [s for s in ai_spans if s.parent is None]
        lines.append(encoded(children, delta))
        lines.append(encoded(search_spans, delta))
        lines.append(encoded(roots, delta))
    elif i == 3:
        lines.append(merge(encoded(ai_spans, delta), encoded(search_spans, delta)))
    else:
        lines.append(encoded(ai_spans, delta))
    if first_ns is None:
        first_ns = otlp_json.time_bounds(lines[-1])[0]

# the last two runs (36 s apart) share one batch line, as a batching exporter would
lines[-2:] = [merge(lines[-2], lines[-1])]

svc = {"key": "service.name", "value": {"stringValue": "ai-service"}}
metrics_line = {"resourceMetrics": [{"resource": {"attributes": [svc]}, "scopeMetrics": [{
    "scope": {"name": "ai-service"},
    "metrics": [{"name": "llm.calls", "unit": "{call}", "sum": {
        "dataPoints": [{"startTimeUnixNano": str(first_ns),
                        "timeUnixNano": str(otlp_json.ANCHOR_END_NS), "asInt": "8"}],
        "aggregationTemporality": 2, "isMonotonic": True}}]}]}]}
err_span = next(s for line in lines for rs in line["resourceSpans"] for ss in rs["scopeSpans"]
                for s in ss["spans"] if s["name"] == "search.query" and s["status"].get("code") == 2)
logs_line = {"resourceLogs": [{"resource": {"attributes": [
    {"key": "service.name", "value": {"stringValue": "search-tool"}}]}, "scopeLogs": [{
    "scope": {"name": "search-tool"},
    "logRecords": [{"timeUnixNano": err_span["endTimeUnixNano"],
                    "observedTimeUnixNano": err_span["endTimeUnixNano"],
                    "severityNumber": 17, "severityText": "ERROR",
                    "body": {"stringValue": "search index shard 3 unavailable"},
                    "traceId": err_span["traceId"], "spanId": err_span["spanId"]}]}]}]}

lines.insert(3, metrics_line)
lines.insert(6, logs_line)

path = os.path.join(otlp_json.OUT_DIR, "multi-trace.jsonl")
with open(path, "w", encoding="utf-8") as f:
    for obj in lines:
        f.write(otlp_json.compact(obj) + "\n")
print(f"wrote {path} ({os.path.getsize(path)} bytes, {len(lines)} lines)")
