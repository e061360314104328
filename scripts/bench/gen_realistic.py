#!/usr/bin/env python3
"""Writes N spans of realistic agent runs as OTLP JSON, for the scale benchmark (issue 10).

What the file holds (deterministic for a given --seed):
  * agent runs (traces) whose root is an agent in one of three services, each instrumented with one of
    the three GenAI conventions tracetui reads, keys as in sample-traces/:
      - support-agent:   OTel GenAI (>= 1.37) -- invoke_agent / chat / execute_tool spans, prompts and
                         answers as JSON in gen_ai.input.messages / gen_ai.output.messages;
      - research-agent:  OpenInference -- AGENT / LLM / TOOL spans, llm.input_messages.N.message.* and
                         llm.output_messages.N.message.*, input.value / output.value;
      - billing-agent:   OpenLLMetry -- traceloop workflow / agent / tool spans and openai.chat spans
                         with gen_ai.prompt.N.* / gen_ai.completion.N.*;
  * sub-agents (sometimes another service's agent, so traces cross services and conventions), tool
    calls that go over HTTP (client span) to tool-gateway (server span) and its database (client span),
    retrievals through retrieval-service (embeddings + vector query), HTTP spans under model calls;
  * depth 4 to 12 (the first trace is exactly 12 deep; nothing deeper anywhere);
  * errors on ~2 % of the spans (rate limits, tool timeouts, HTTP 5xx: status ERROR, exception events,
    error.type);
  * exactly one span with 5,000 children (a nightly evaluation fanning out to its model calls),
    written half-way through the file; no other span has more than 8 children;
  * ~800 bytes a span on average (the achieved figure is printed).

Spans are written as a collector batches them: 512 spans a batch, grouped by resource and scope,
children before parents, traces split across batches. --jsonl (the collector's file exporter: one
{"resourceSpans":[...]} a line, one line a batch) or --json (one document whose resourceSpans are
those of every batch). Written as a stream: memory stays flat whatever N is.

Usage: gen_realistic.py N OUT [--jsonl|--json] [--seed S]
(default format: --jsonl when OUT ends in .jsonl, else --json; default seed 42)
Small N (below 10,000 spans) gets a fan-out of N // 4 instead of 5,000, so that it still fits.
"""
import argparse
import json
import random
import sys
import time

BATCH = 512
FANOUT = 5000
MAX_DEPTH = 12
BASE_NS = 1_795_000_000_000_000_000
esc = json.encoder.encode_basestring  # the C encoder: a quoted JSON string, UTF-8 kept as is
MASK64 = (1 << 64) - 1
MASK128 = (1 << 128) - 1

# ---------------------------------------------------------------------------------------------------
# Text: a fixed pool of sentences, drawn with the seeded generator.

WORDS = """trace span agent tool model token cost latency request response retry cache window context
prompt answer user customer invoice refund order shipment account password billing plan upgrade
subscription error timeout service database query index vector search document summary report
incident alert dashboard metric deploy release version branch commit review test failure flaky
region cluster node memory disk network gateway proxy certificate expiry renewal schedule meeting
calendar email draft translate policy compliance audit export import schema migration backup
restore quota limit throttle budget forecast revenue churn cohort experiment feature flag rollout
""".split()
ACCENTED = ["café", "naïve", "résumé", "Zürich", "São Paulo", "日本語のドキュメント", "Größe", "señal", "€42"]
SYSTEM_PROMPTS = [
    "You are a careful support agent for an online store. Cite the order number; never invent refunds.",
    "You are a research assistant. Search before answering and give every claim a source.",
    "You are a billing assistant. Explain each charge plainly; escalate refunds above 100 EUR.",
    "You are a planner. List the next three steps as JSON with fields step, tool, reason.",
    "You are a concise assistant.",
]
TOOLS = [
    ("web_search", "Search the web and return the top results", '{"query": %s}'),
    ("lookup_order", "Fetch an order by its number", '{"order_id": %s}'),
    ("get_invoice", "Fetch an invoice and its lines", '{"invoice_id": %s}'),
    ("search_docs", "Search the product documentation", '{"query": %s, "top_k": 5}'),
    ("run_sql", "Run a read-only SQL query on the warehouse", '{"sql": %s}'),
    ("send_email", "Send an email to the customer", '{"to": "customer@example.com", "subject": %s}'),
]
MODELS = [  # (model, provider, weight)
    ("gpt-4o", "openai", 5), ("gpt-4o-mini", "openai", 8), ("gpt-4.1", "openai", 2), ("o4-mini", "openai", 2),
    ("claude-sonnet-4", "anthropic", 3), ("claude-3.5-haiku", "anthropic", 2), ("gemini-2.5-flash", "gcp.gemini", 1),
]
AGENTS = {"support-agent": ["triage", "order_helper", "refund_checker", "escalation"],
          "research-agent": ["researcher", "planner", "summarizer", "fact_checker"],
          "billing-agent": ["billing", "invoice_reader", "dispute_helper", "plan_advisor"]}
CONVENTION = {"support-agent": "genai", "research-agent": "openinference", "billing-agent": "openllmetry"}
FEATURES = ["chat", "search", "summarize", "refund", "invoice-qa", "report"]

SERVICES = ["support-agent", "research-agent", "billing-agent", "tool-gateway", "retrieval-service", "eval-runner"]
SCOPES = [  # (name, version)
    ("opentelemetry.instrumentation.openai_v2", "2.3b0"),    # 0 genai model calls
    ("opentelemetry.util.genai.handler", "1.1b0"),           # 1 genai agents and tools
    ("openinference.instrumentation.openai", "0.1.66"),      # 2 openinference model calls
    ("openinference.instrumentation.smolagents", "0.1.20"),  # 3 openinference agents and tools
    ("opentelemetry.instrumentation.openai.v1", "0.40.14"),  # 4 openllmetry model calls
    ("traceloop.tracer", None),                              # 5 openllmetry workflows, agents, tools
    ("opentelemetry.instrumentation.httpx", "0.58b0"),       # 6 http clients
    ("opentelemetry.instrumentation.fastapi", "0.58b0"),     # 7 http servers
    ("opentelemetry.instrumentation.psycopg", "0.58b0"),     # 8 database clients
]
SVC = {name: i for i, name in enumerate(SERVICES)}


def resource_json(i, name):
    attrs = [s_attr("service.name", name), s_attr("service.version", "1.%d.%d" % (4 + i, i * 3)),
             s_attr("service.instance.id", "%08x-4e2b-4c1d-9a3f-%012x" % (0x5eed0000 + i, 0xabc0000 + i * 7919)),
             s_attr("deployment.environment.name", "production"), s_attr("host.name", "ip-10-0-%d-%d" % (i, 17 + i)),
             s_attr("telemetry.sdk.language", "python"), s_attr("telemetry.sdk.name", "opentelemetry"),
             s_attr("telemetry.sdk.version", "1.37.0")]
    return '{"resource":{"attributes":[' + ",".join(attrs) + ']},"scopeSpans":['


def scope_json(name, version):
    v = ',"version":"%s"' % version if version else ""
    return '{"scope":{"name":"%s"%s},"spans":[' % (name, v)


# Attribute fragments, written as text (the C string encoder does the escaping).
def s_attr(k, v):
    return '{"key":"' + k + '","value":{"stringValue":' + esc(v) + "}}"


def i_attr(k, v):
    return '{"key":"' + k + '","value":{"intValue":"' + str(v) + '"}}'


def d_attr(k, v):
    return '{"key":"' + k + '","value":{"doubleValue":' + repr(v) + "}}"


def b_attr(k, v):
    return '{"key":"' + k + '","value":{"boolValue":' + ("true" if v else "false") + "}}"


def a_attr(k, values):
    return '{"key":"' + k + '","value":{"arrayValue":{"values":[' + ",".join(
        '{"stringValue":' + esc(v) + "}" for v in values) + "]}}}"


class Gen:
    def __init__(self, seed, total):
        self.rnd = random.Random(seed)
        self.total = total
        r = self.rnd
        self.sentences = []
        for _ in range(3000):
            words = [r.choice(WORDS) for _ in range(r.randint(4, 10))]
            if r.random() < 0.08:
                words.insert(r.randrange(len(words)), r.choice(ACCENTED))
            s = " ".join(words)
            self.sentences.append(s[0].upper() + s[1:] + r.choice([".", ".", ".", "?", "!"]))
        self.model_names = [m for m, _, w in MODELS for _ in range(w)]
        self.provider = {m: p for m, p, _ in MODELS}
        self.span_no = 0
        self.trace_no = 0
        self.call_no = 0
        self.max_depth = 0
        self.max_children = 0
        self.out = []  # the current trace: (service, scope, span json)

    # -- small helpers ------------------------------------------------------------------------------
    def text(self, lo, hi):
        r = self.rnd
        return " ".join(r.choice(self.sentences) for _ in range(r.randint(lo, hi)))

    def new_span_id(self):
        self.span_no += 1
        return "%016x" % ((self.span_no * 0x9E3779B97F4A7C15) & MASK64)

    def emit(self, svc, scope, tid, sid, parent, name, kind, start, end, attrs, status="{}", events=""):
        p = ',"parentSpanId":"' + parent + '"' if parent else ""
        ev = ',"events":[' + events + "]" if events else ""
        self.out.append((svc, scope, status.startswith('{"code":2'), '{"traceId":"' + tid + '","spanId":"' + sid + '"' + p + ',"name":' + esc(name)
                         + ',"kind":' + str(kind) + ',"startTimeUnixNano":"' + str(start) + '","endTimeUnixNano":"'
                         + str(end) + '","attributes":[' + ",".join(attrs) + "]" + ev + ',"status":' + status
                         + ',"flags":256}'))

    @staticmethod
    def error_status(message):
        return '{"code":2,"message":' + esc(message) + "}"

    def exception_event(self, at, etype, message):
        frames = "".join('  File "/srv/app/%s.py", line %d, in %s\n' % (self.rnd.choice(WORDS), self.rnd.randint(10, 900),
                                                                         self.rnd.choice(WORDS)) for _ in range(3))
        return ('{"timeUnixNano":"%d","name":"exception","attributes":[' % at + ",".join([
            s_attr("exception.type", etype), s_attr("exception.message", message),
            s_attr("exception.stacktrace", "Traceback (most recent call last):\n" + frames + etype + ": " + message)])
            + "]}")

    @staticmethod
    def slots(start, end, k):
        """k consecutive child intervals inside [start, end], a small gap around each."""
        step = max((end - start) // max(k, 1), 4)
        gap = step // 50
        return [(start + i * step + gap, start + (i + 1) * step - gap) for i in range(k)]

    @staticmethod
    def weighted_slots(start, end, weights):
        """Consecutive child intervals inside [start, end], each as long as its weight says."""
        total, out, at = sum(weights), [], start
        for w in weights:
            step = max((end - start) * w // total, 4)
            out.append((at + step // 50, at + step - step // 50))
            at += step
        return out

    def track(self, depth, children):
        if depth > self.max_depth:
            self.max_depth = depth
        if children > self.max_children:
            self.max_children = children

    # -- model calls --------------------------------------------------------------------------------
    def llm(self, svc, tid, parent, depth, start, end, room, conv=None, system=None, question=None, model=None):
        r = self.rnd
        conv = conv or CONVENTION[SERVICES[svc]]
        self.call_no += 1
        sid = self.new_span_id()
        model = model or r.choice(self.model_names)
        provider = self.provider[model]
        system = system or r.choice(SYSTEM_PROMPTS)
        question = question or self.text(1, 1)
        history = []  # earlier turns (user, assistant or tool results)
        for _ in range(r.choice([0, 0, 0, 1, 2])):
            history.append(("tool" if r.random() < 0.4 else "assistant", self.text(1, 2)))
        tool_call = r.random() < 0.35
        tool = r.choice(TOOLS)
        args = tool[2] % esc(self.text(1, 1)[:60])
        answer = "" if tool_call else self.text(1, 2)
        tin = r.randint(200, 9000)
        tout = r.randint(5, 60) if tool_call else r.randint(40, 900)
        cached = r.choice([0, 0, 0, tin // 2 // 1024 * 1024])
        finish = "tool_calls" if tool_call else r.choice(["stop"] * 12 + ["length"])
        rid = "chatcmpl-%012x" % (self.call_no * 2654435761 & 0xFFFFFFFFFFFF)
        err = r.random() < 0.035
        status, events, attrs = "{}", "", []
        params = r.random() < 0.3  # the app set temperature and max_tokens
        if conv == "genai":
            msgs = [{"role": "system", "parts": [{"type": "text", "content": system}]},
                    {"role": "user", "parts": [{"type": "text", "content": question}]}]
            for role, text in history:
                if role == "tool":
                    msgs.append({"role": "tool", "parts": [{"type": "tool_call_response", "id": "call_%x" % self.call_no,
                                                            "response": text}]})
                else:
                    msgs.append({"role": "assistant", "parts": [{"type": "text", "content": text}]})
            if tool_call:
                out = [{"role": "assistant", "parts": [{"type": "tool_call", "id": "call_%x" % self.call_no,
                                                        "name": tool[0], "arguments": json.loads(args)}],
                        "finish_reason": finish}]
            else:
                out = [{"role": "assistant", "parts": [{"type": "text", "content": answer}], "finish_reason": finish}]
            attrs = [s_attr("gen_ai.operation.name", "chat"), s_attr("gen_ai.request.model", model),
                     s_attr("gen_ai.provider.name", provider)]
            if params:
                attrs += [d_attr("gen_ai.request.temperature", 0.2), i_attr("gen_ai.request.max_tokens", 1024)]
            if not err:
                attrs += [a_attr("gen_ai.response.finish_reasons", [finish]), s_attr("gen_ai.response.model", model),
                          s_attr("gen_ai.response.id", rid), i_attr("gen_ai.usage.input_tokens", tin),
                          i_attr("gen_ai.usage.output_tokens", tout)]
                if cached:
                    attrs.append(i_attr("gen_ai.usage.cache_read.input_tokens", cached))
            attrs.append(s_attr("gen_ai.input.messages", json.dumps(msgs, ensure_ascii=False, separators=(",", ":"))))
            if not err:
                attrs.append(s_attr("gen_ai.output.messages", json.dumps(out, ensure_ascii=False, separators=(",", ":"))))
            scope, name, kind = 0, "chat " + model, 3
        elif conv == "openinference":
            msgs = [("system", system), ("user", question)] + history
            attrs = [s_attr("llm.system", provider), s_attr("llm.model_name", model)]
            if params:
                attrs.append(s_attr("llm.invocation_parameters", '{"model": "%s", "temperature": 0.2}' % model))
            for i, (role, text) in enumerate(msgs):
                attrs += [s_attr("llm.input_messages.%d.message.role" % i, role),
                          s_attr("llm.input_messages.%d.message.content" % i, text)]
            if not err:
                attrs += [i_attr("llm.token_count.prompt", tin), i_attr("llm.token_count.completion", tout),
                          i_attr("llm.token_count.total", tin + tout)]
                if cached:
                    attrs.append(i_attr("llm.token_count.prompt_details.cache_read", cached))
                attrs.append(s_attr("llm.output_messages.0.message.role", "assistant"))
                if tool_call:
                    attrs += [s_attr("llm.output_messages.0.message.tool_calls.0.tool_call.id", "call_%x" % self.call_no),
                              s_attr("llm.output_messages.0.message.tool_calls.0.tool_call.function.name", tool[0]),
                              s_attr("llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments", args)]
                else:
                    attrs.append(s_attr("llm.output_messages.0.message.content", answer))
                attrs.append(s_attr("llm.finish_reason", finish))
            attrs.append(s_attr("openinference.span.kind", "LLM"))
            scope, name, kind = 2, "ChatCompletion", 1
            status = '{"code":1}'
        else:  # openllmetry
            msgs = [("system", system), ("user", question)] + history
            attrs = [s_attr("llm.request.type", "chat"), s_attr("gen_ai.system", provider),
                     s_attr("gen_ai.request.model", model), b_attr("llm.is_streaming", False)]
            if params:
                attrs += [i_attr("gen_ai.request.max_tokens", 1024), d_attr("gen_ai.request.temperature", 0.2)]
            for i, (role, text) in enumerate(msgs):
                attrs += [s_attr("gen_ai.prompt.%d.role" % i, role), s_attr("gen_ai.prompt.%d.content" % i, text)]
            if not err:
                attrs += [s_attr("gen_ai.response.model", model), s_attr("gen_ai.response.id", rid),
                          i_attr("llm.usage.total_tokens", tin + tout), i_attr("gen_ai.usage.completion_tokens", tout),
                          i_attr("gen_ai.usage.prompt_tokens", tin)]
                if cached:
                    attrs.append(i_attr("gen_ai.usage.cache_read_input_tokens", cached))
                attrs += [s_attr("gen_ai.completion.0.finish_reason", finish),
                          s_attr("gen_ai.completion.0.role", "assistant")]
                if tool_call:
                    attrs += [s_attr("gen_ai.completion.0.tool_calls.0.id", "call_%x" % self.call_no),
                              s_attr("gen_ai.completion.0.tool_calls.0.name", tool[0]),
                              s_attr("gen_ai.completion.0.tool_calls.0.arguments", args)]
                else:
                    attrs.append(s_attr("gen_ai.completion.0.content", answer))
            scope, name, kind = 4, "openai.chat", 3
        if err:
            etype, msg = r.choice([("RateLimitError", "Error code: 429 - {'error': {'code': 'rate_limit_exceeded'}}"),
                                   ("APITimeoutError", "Request timed out."),
                                   ("InternalServerError", "Error code: 500 - The server had an error")])
            attrs.append(s_attr("error.type", etype))
            status = self.error_status(msg)
            events = self.exception_event(end, etype, msg)
        self.emit(svc, scope, tid, sid, parent, name, kind, start, end, attrs, status, events)
        children = 0
        if room >= 1 and r.random() < 0.5:  # the HTTP request beneath the call
            s, e = self.slots(start, end, 1)[0]
            self.http_client(svc, tid, sid, depth + 1, s, e, "api.openai.com", "/v1/chat/completions", err)
            children = 1
        self.track(depth, children)

    # -- tools, HTTP and databases --------------------------------------------------------------------
    def http_client(self, svc, tid, parent, depth, start, end, host, path, failed=False):
        sid = self.new_span_id()
        code = 503 if failed else 200
        attrs = [s_attr("http.request.method", "POST"), s_attr("url.full", "https://%s%s" % (host, path)),
                 s_attr("server.address", host), i_attr("http.response.status_code", code)]
        status = "{}"
        if failed:
            attrs.append(s_attr("error.type", "503"))
            status = self.error_status("HTTP 503")
        self.emit(svc, 6, tid, sid, parent, "POST", 3, start, end, attrs, status)
        self.track(depth, 0)
        return sid

    def tool(self, svc, tid, parent, depth, start, end, height):
        """A tool call whose subtree is exactly `height` spans deep (1 to 4)."""
        r = self.rnd
        conv = CONVENTION[SERVICES[svc]]
        sid = self.new_span_id()
        name, desc, argf = r.choice(TOOLS)
        args = argf % esc(self.text(1, 1)[:60])
        result = self.text(1, 2)
        err = r.random() < 0.05
        status, events = "{}", ""
        if conv == "genai":
            attrs = [s_attr("gen_ai.operation.name", "execute_tool"), s_attr("gen_ai.tool.name", name),
                     s_attr("gen_ai.tool.type", "function"),
                     s_attr("gen_ai.tool.call.id", "call_%x" % self.span_no), s_attr("gen_ai.tool.call.arguments", args)]
            if not err:
                attrs.append(s_attr("gen_ai.tool.call.result", result))
            scope, span_name = 1, "execute_tool " + name
        elif conv == "openinference":
            attrs = [s_attr("openinference.span.kind", "TOOL"), s_attr("tool.name", name), s_attr("tool.description", desc),
                     s_attr("input.value", args), s_attr("input.mime_type", "application/json")]
            if not err:
                attrs += [s_attr("output.value", result), s_attr("output.mime_type", "text/plain")]
            scope, span_name = 3, name
        else:
            attrs = [s_attr("traceloop.span.kind", "tool"), s_attr("traceloop.entity.name", name),
                     s_attr("traceloop.workflow.name", "support"),
                     s_attr("traceloop.entity.input", '{"inputs": %s}' % args)]
            if not err:
                attrs.append(s_attr("traceloop.entity.output", json.dumps({"output": result}, ensure_ascii=False)))
            scope, span_name = 5, name + ".tool"
        if err:
            msg = "%s: upstream did not answer within %d ms" % (name, r.choice([500, 1000, 5000]))
            status = self.error_status(msg)
            events = self.exception_event(end, "TimeoutError", msg)
        self.emit(svc, scope, tid, sid, parent, span_name, 1, start, end, attrs, status, events)
        self.track(depth, 1 if height > 1 else 0)
        if height > 1:
            s, e = self.slots(start, end, 1)[0]
            host = "retrieval.internal" if name in ("search_docs", "web_search") else "tools.internal"
            hid = self.http_client(svc, tid, sid, depth + 1, s, e, host, "/tools/" + name)
            self.track(depth + 1, 1 if height > 2 else 0)
            if height > 2:
                s, e = self.slots(s, e, 1)[0]
                self.server(tid, hid, depth + 2, s, e, name, height - 2)

    def server(self, tid, parent, depth, start, end, tool, height):
        """The tool's server side: tool-gateway or retrieval-service, `height` deep (1 or 2)."""
        r = self.rnd
        sid = self.new_span_id()
        retrieval = tool in ("search_docs", "web_search")
        svc = SVC["retrieval-service" if retrieval else "tool-gateway"]
        route = "/tools/" + tool
        attrs = [s_attr("http.request.method", "POST"), s_attr("http.route", route),
                 i_attr("http.response.status_code", 200)]
        self.emit(svc, 7, tid, sid, parent, "POST " + route, 2, start, end, attrs)
        kids = 0
        if height > 1:
            parts = self.slots(start, end, 2 if retrieval else 1)
            if retrieval:  # embed the query, then ask the vector index
                self.embedding(svc, tid, sid, depth + 1, *parts[0])
                kids += 1
            s, e = parts[-1]
            did = self.new_span_id()
            if retrieval:
                q = "SELECT id, content FROM chunks ORDER BY embedding <=> $1 LIMIT 8"
            else:
                q = "SELECT * FROM %s WHERE id = $1" % r.choice(["orders", "invoices", "customers", "tickets"])
            table = q.split(" FROM ")[1].split()[0]
            self.emit(svc, 8, tid, did, sid, "SELECT " + table, 3, s, e,
                      [s_attr("db.system.name", "postgresql"), s_attr("db.operation.name", "SELECT"),
                       s_attr("db.collection.name", table), s_attr("db.query.text", q)])
            kids += 1
            self.track(depth + 1, 0)
        self.track(depth, kids)

    def embedding(self, svc, tid, parent, depth, start, end):
        sid = self.new_span_id()
        n = self.rnd.randint(8, 120)
        self.emit(svc, 0, tid, sid, parent, "embeddings text-embedding-3-small", 3, start, end,
                  [s_attr("gen_ai.operation.name", "embeddings"), s_attr("gen_ai.request.model", "text-embedding-3-small"),
                   s_attr("gen_ai.provider.name", "openai"), s_attr("gen_ai.response.model", "text-embedding-3-small"),
                   i_attr("gen_ai.usage.input_tokens", n), i_attr("gen_ai.embeddings.dimension.count", 1536)])
        self.track(depth, 0)

    # -- agents --------------------------------------------------------------------------------------
    def agent(self, svc, tid, parent, depth, start, end, limit, feature, question, root=False):
        """An agent whose subtree reaches exactly depth `limit` (one spine goes all the way down)."""
        r = self.rnd
        conv = CONVENTION[SERVICES[svc]]
        sid = self.new_span_id()
        name = r.choice(AGENTS[SERVICES[svc]])
        session = "sess-%06d" % (self.trace_no % 50000)
        if conv == "genai":
            attrs = [s_attr("gen_ai.operation.name", "invoke_agent"), s_attr("gen_ai.agent.name", name),
                     s_attr("gen_ai.agent.id", "asst_%s" % name), s_attr("gen_ai.provider.name", "openai"),
                     s_attr("gen_ai.conversation.id", session)]
            scope, span_name = 1, "invoke_agent " + name
        elif conv == "openinference":
            attrs = [s_attr("openinference.span.kind", "AGENT"), s_attr("agent.name", name),
                     s_attr("session.id", session), s_attr("input.value", question),
                     s_attr("input.mime_type", "text/plain")]
            scope, span_name = 3, name + ".run"
        else:
            kind = "workflow" if root else "agent"
            attrs = [s_attr("traceloop.span.kind", kind), s_attr("traceloop.entity.name", name),
                     s_attr("traceloop.workflow.name", name),
                     s_attr("traceloop.entity.input", json.dumps({"inputs": {"question": question}}, ensure_ascii=False))]
            scope, span_name = 5, name + "." + kind
        if root:
            attrs += [s_attr("app.feature", feature), s_attr("user.id", "user-%05d" % r.randint(1, 20000))]
        # The steps: a spine (a sub-agent, or a tool chain exactly as deep as what is left), plus
        # model calls and shallower tools and agents.
        room = limit - depth
        steps = r.randint(2, 7)
        spine = r.randrange(steps)
        # The spine (the deepest work) takes as long as all the other steps together.
        parts = self.weighted_slots(start, end, [max(steps - 1, 1) if i == spine else 1 for i in range(steps)])
        system = r.choice(SYSTEM_PROMPTS)
        self.emit(svc, scope, tid, sid, parent, span_name, 1, start, end, attrs)
        self.track(depth, steps)
        for i in range(steps):
            s, e = parts[i]
            if i == spine:
                if room >= 5:
                    # a sub-agent: now and then another service's agent (another convention)
                    other = svc if r.random() < 0.8 else SVC[r.choice(list(AGENTS))]
                    self.agent(other, tid, sid, depth + 1, s, e, limit, feature, self.text(1, 1))
                else:
                    self.tool(svc, tid, sid, depth + 1, s, e, room)
                continue
            pick = r.random()
            if pick < 0.5 or room < 1:
                self.llm(svc, tid, sid, depth + 1, s, e, room - 1, system=system, question=question)
            elif pick < 0.93 or room < 6:
                self.tool(svc, tid, sid, depth + 1, s, e, r.randint(1, min(room, 4)))
            else:
                self.agent(svc, tid, sid, depth + 1, s, e, depth + 1 + r.randint(2, min(room - 1, 5)), feature,
                           self.text(1, 1))

    def trace(self):
        """One agent run; the first is exactly MAX_DEPTH deep."""
        r = self.rnd
        self.trace_no += 1
        tid = "%032x" % ((self.trace_no * 0x9E3779B97F4A7C15F39CC0605CEDC835) & MASK128)
        start = BASE_NS + self.trace_no * 1_700_000_000
        end = start + r.randint(2_000_000_000, 60_000_000_000)
        limit = MAX_DEPTH if self.trace_no == 1 else r.choice([4, 4, 5, 5, 5, 6, 6, 7, 8] * 4 + [9, 10, 11, 12])
        svc = r.choice([0, 1, 2])
        self.agent(svc, tid, None, 1, start, end, limit, r.choice(FEATURES), self.text(1, 2), root=True)

    def fanout(self, n):
        """The nightly evaluation: one workflow span and its n model calls, side by side."""
        r = self.rnd
        self.trace_no += 1
        tid = "%032x" % ((self.trace_no * 0x9E3779B97F4A7C15F39CC0605CEDC835) & MASK128)
        start = BASE_NS + self.trace_no * 1_700_000_000
        end = start + 3_600_000_000_000
        sid = self.new_span_id()
        svc = SVC["eval-runner"]
        self.emit(svc, 1, tid, sid, None, "invoke_workflow nightly-eval", 1, start, end,
                  [s_attr("gen_ai.operation.name", "invoke_workflow"), s_attr("app.feature", "evaluation"),
                   s_attr("eval.dataset", "support-regression-v7"), i_attr("eval.cases", n)])
        self.track(1, n)
        step = (end - start) // (n + 1)
        for i in range(n):
            s = start + i * step + 1000
            self.llm(svc, tid, sid, 2, s, min(s + r.randint(300_000_000, 9_000_000_000), end - 1), 0, conv="genai",
                     model=r.choice(["gpt-4o-mini", "gpt-4.1", "claude-sonnet-4"]), question=self.text(1, 2))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("spans", type=int)
    p.add_argument("out")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--jsonl", dest="fmt", action="store_const", const="jsonl", help="JSON Lines, a batch a line")
    g.add_argument("--json", dest="fmt", action="store_const", const="json", help="one OTLP JSON document")
    p.add_argument("--seed", type=int, default=42)
    a = p.parse_args()
    fmt = a.fmt or ("jsonl" if a.out.endswith(".jsonl") else "json")
    total = a.spans
    if total < 2:
        sys.exit("gen_realistic.py: at least 2 spans")
    fan = FANOUT if total >= 10_000 else total // 4
    fan_at = total // 2  # the fan-out trace starts once this many spans are written
    g = Gen(a.seed, total)
    res = [resource_json(i, s) for i, s in enumerate(SERVICES)]
    scopes = [scope_json(n, v) for n, v in SCOPES]
    t0 = time.time()
    written = errors = 0
    batch = []
    first_doc_part = True
    fan_done = False
    with open(a.out, "w", encoding="utf-8", newline="\n") as f:
        if fmt == "json":
            f.write('{"resourceSpans":[')

        def flush(spans):
            nonlocal first_doc_part
            groups = {}  # (service, scope) -> spans, first-seen order; by resource then scope
            for svc, scope, _, js in spans:
                groups.setdefault(svc, {}).setdefault(scope, []).append(js)
            parts = [res[svc] + ",".join(scopes[sc] + ",".join(lst) + "]}" for sc, lst in by_scope.items()) + "]}"
                     for svc, by_scope in groups.items()]
            if fmt == "jsonl":
                f.write('{"resourceSpans":[' + ",".join(parts) + "]}\n")
            else:
                f.write(("" if first_doc_part else ",") + ",".join(parts))
                first_doc_part = False

        while written < total:
            g.out = []
            if not fan_done and written >= fan_at and total - written > fan:
                g.fanout(fan)
                fan_done = True
            else:
                g.trace()
            spans = g.out
            if written + len(spans) > total:
                # Generated parent first: a prefix is still a tree. Only while the fan-out is not cut.
                spans = spans[: total - written]
            written += len(spans)
            errors += sum(1 for x in spans if x[2])
            # Children end first, so a collector exports them first.
            spans.reverse()
            batch.extend(spans)
            while len(batch) >= BATCH:
                flush(batch[:BATCH])
                del batch[:BATCH]
        if batch:
            flush(batch)
        if fmt == "json":
            f.write("]}\n")
        size = f.tell()
    secs = time.time() - t0
    if not fan_done:
        sys.exit("gen_realistic.py: the fan-out trace did not fit (%d spans)" % total)
    print("%s: %d spans, %d traces, %d bytes (%.0f bytes a span), %s; errors %d (%.2f %%), max depth %d, "
          "widest span %d children; %.1f s"
          % (a.out, written, g.trace_no, size, size / written, fmt, errors, 100.0 * errors / written, g.max_depth,
             g.max_children, secs))


if __name__ == "__main__":
    main()
