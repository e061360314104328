"""sample-traces/chat-sessions.json: multi-turn conversations, one trace per user turn.

A support chat bot (service "support-bot") answers user turns; each turn is its own trace
whose root span is the application's `chat.turn` (the same name for every turn, so only a
session key tells the conversations apart). The application keeps the whole history and
sends it with every call, so the prompt tokens the provider reports grow turn after turn.
Real instrumentations drive the official `openai` client against the local fake provider:

  session A  4 turns, gpt-4o, OpenInference (openinference-instrumentation-openai).
             The application wraps the conversation in
             `openinference.instrumentation.using_session(...)` and makes its own spans with
             OpenInference's OITracer, so `session.id` is on every span of the session (root,
             LLM and tool spans). The root (OpenInference kind CHAIN) carries the user's message
             as `input.value` and the answer as `output.value`, set by the application. Turn 3
             is a tool call (`start_return`, an OpenInference TOOL span) then the answer: 2 LLM
             calls. From turn 2 on the provider reports cached prompt tokens, which
             OpenInference records as `llm.token_count.prompt_details.cache_read`.
  session B  2 turns, gpt-4o-mini, the official OTel GenAI instrumentation
             (opentelemetry-instrumentation-openai-v2) with
             OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental and content mode
             span_only (`gen_ai.input.messages` / `gen_ai.output.messages` on the span).
             The application sets `gen_ai.conversation.id` on its root span and puts the same
             id in W3C baggage; a BaggageSpanProcessor (opentelemetry-processor-baggage,
             restricted to that one key) copies it onto every span started under it,
             including the instrumentation's LLM span. The provider answers turn 2 with a 429;
             the client does not retry (max_retries=0), the instrumentation marks its span
             ERROR (no exception event, no HTTP status attribute: the 429 is only in the status
             message), and the application gives up and apologises (its root span stays unset).
             With the pinned pair openai-v2 2.4b0 + util-genai 1.1b0 the instrumentation hands
             the exception class where a string is expected, so `error.type` reads
             "<class 'openai.RateLimitError'>" (the SDK stringifies it and prints a warning).
  session C  1 turn, gpt-4o-mini, openai-v2 as for B (no baggage): the root carries
             `langfuse.session.id` (the key Langfuse's SDK writes), set by hand.

Token counts and texts come from the fake provider (fixed). Durations are real (the fake
provider sleeps a fixed time per answer). Each trace is then shifted so that its root starts
at a fixed time (TURN_STARTS below), the sessions interleaved between 10:30 and 10:50 UTC on
2026-11-28.
"""

import json
import os
import time

os.environ["OTEL_SEMCONV_STABILITY_OPT_IN"] = "gen_ai_latest_experimental"
os.environ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "span_only"

import otlp_json  # noqa: E402
from fake_provider import FakeProvider, openai_chat_completion, openai_error  # noqa: E402

provider, exporter = otlp_json.setup_tracing("support-bot", seed=9001)

from opentelemetry import baggage, context  # noqa: E402
from opentelemetry.processor.baggage import BaggageSpanProcessor  # noqa: E402

CONVERSATION_KEY = "gen_ai.conversation.id"
provider.add_span_processor(BaggageSpanProcessor(lambda key: key == CONVERSATION_KEY))

import openai  # noqa: E402
from openinference.instrumentation import OITracer, TraceConfig, using_session  # noqa: E402

app_tracer = provider.get_tracer("support-bot", "2.3.0")
oi_tracer = OITracer(app_tracer, TraceConfig())

SESSION_A = "sess-a4f1c2"
SESSION_B = "conv-b83d07"
SESSION_C = "lf-sess-c5e91b"

SYSTEM_PROMPT = ("You are the support assistant of Northwind Audio. Answer briefly and follow the "
                 "returns and shipping policy below.\n\n<policy manual, about 1000 tokens, elided>")

START_RETURN_TOOL = {
    "type": "function",
    "function": {
        "name": "start_return",
        "description": "Open a return for an order and get the prepaid label",
        "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}},
                       "required": ["order_id"]},
    },
}

# ---------------------------------------------------------------------------
# What the fake provider answers, keyed by the last user message and the number of tool
# results after it: (model, text or tool call, prompt, completion, cached, response id, delay s)

A_TURNS = [
    "Hi! I bought the Aria headphones three weeks ago. Can I still return them?",
    "They were $129. Is there a restocking fee?",
    "Great, please start the return for order 4417.",
    "Thanks! How long until the refund shows up?",
]
B_TURNS = [
    "Do you ship to Norway?",
    "And how much is shipping for two pairs of headphones?",
]
C_TURNS = [
    "Do you have the Aria headphones in white?",
]

RETURN_CALL = {"id": "call_fake_a3", "type": "function",
               "function": {"name": "start_return", "arguments": "{\"order_id\": \"4417\"}"}}
RETURN_RESULT = {"return_id": "RMA-20931", "label_url": "https://labels.example.test/RMA-20931.pdf"}

CANNED = {
    (A_TURNS[0], 0): ("gpt-4o", "Yes. The Aria headphones can be returned within 30 days of "
                      "delivery, so you still have about a week. Opened items are fine as long "
                      "as all parts are in the box.", 1100, 90, 0, "chatcmpl-fake-a1", 0.60),
    (A_TURNS[1], 0): ("gpt-4o", "There is no restocking fee on headphones: you get the full $129 "
                      "back to your original payment method.", 1220, 110, 1024,
                      "chatcmpl-fake-a2", 0.75),
    (A_TURNS[2], 0): ("gpt-4o", RETURN_CALL, 1350, 25, 1152, "chatcmpl-fake-a3a", 0.35),
    (A_TURNS[2], 1): ("gpt-4o", "Done: return RMA-20931 is open. Print the prepaid label from "
                      "https://labels.example.test/RMA-20931.pdf and drop the parcel at any post "
                      "office within 14 days.", 1400, 60, 1280, "chatcmpl-fake-a3b", 0.50),
    (A_TURNS[3], 0): ("gpt-4o", "Refunds are issued within 2 business days of the parcel reaching "
                      "our warehouse; your bank may take 3 to 5 more days to show it.", 1490, 70,
                      1280, "chatcmpl-fake-a4", 0.55),
    (B_TURNS[0], 0): ("gpt-4o-mini", "Yes, we ship to Norway. Delivery takes 4 to 6 business "
                      "days, and import VAT is collected at checkout, so there is nothing to pay "
                      "on arrival.", 640, 80, 0, "chatcmpl-fake-b1", 0.40),
    (B_TURNS[1], 0): "rate-limited",
    (C_TURNS[0], 0): ("gpt-4o-mini", "Yes, the Aria headphones come in white, black and sage "
                      "green; white is in stock and ships within one business day.", 520, 40, 0,
                      "chatcmpl-fake-c1", 0.30),
}


def responder(path, req):
    if not path.endswith("/chat/completions"):
        return 404, openai_error(404, f"unknown path {path}", "invalid_request_error")
    messages = req.get("messages", [])
    last_user = max(i for i, m in enumerate(messages) if m.get("role") == "user")
    tool_results = sum(1 for m in messages[last_user:] if m.get("role") == "tool")
    answer = CANNED[(messages[last_user]["content"], tool_results)]
    if answer == "rate-limited":
        time.sleep(0.08)
        return 429, openai_error(
            429, "Rate limit reached for gpt-4o-mini in organization org-fake on requests per min "
            "(RPM): Limit 500, Used 500, Requested 1. Please try again in 120ms.", "requests",
            code="rate_limit_exceeded"), {"retry-after": "1", "x-request-id": "req_fake_b2"}
    model, out, pin, pout, cached, resp_id, delay = answer
    assert model == req.get("model"), (model, req.get("model"))
    time.sleep(delay)
    if isinstance(out, dict):  # a tool call
        return 200, openai_chat_completion(model, None, pin, pout, cached_tokens=cached,
                                           finish_reason="tool_calls", tool_calls=[out],
                                           resp_id=resp_id)
    return 200, openai_chat_completion(model, out, pin, pout, cached_tokens=cached,
                                       resp_id=resp_id)


# ---------------------------------------------------------------------------
# The application

def client_for(base_url):
    return openai.OpenAI(base_url=base_url + "/v1", api_key="sk-fake-local", max_retries=0)


def start_return(order_id):
    time.sleep(0.12)  # the order service
    return dict(RETURN_RESULT, order_id=order_id)


roots = []  # (trace id as hex, session label, turn number) in the order the turns ran


def remember(span, label, turn):
    roots.append((format(span.get_span_context().trace_id, "032x"), label, turn))


def run_session_a(base_url):
    """OpenInference: session.id from using_session on every span."""
    client = client_for(base_url)
    history = [{"role": "system", "content": SYSTEM_PROMPT}]
    with using_session(SESSION_A):
        for turn, user_text in enumerate(A_TURNS, 1):
            with oi_tracer.start_as_current_span("chat.turn", openinference_span_kind="chain") as root:
                remember(root, "A", turn)
                root.set_input(user_text)
                history.append({"role": "user", "content": user_text})
                while True:
                    r = client.chat.completions.create(model="gpt-4o", messages=history,
                                                       tools=[START_RETURN_TOOL], temperature=0.3)
                    msg = r.choices[0].message
                    if not msg.tool_calls:
                        history.append({"role": "assistant", "content": msg.content})
                        root.set_output(msg.content)
                        break
                    history.append(msg.model_dump(exclude_none=True))
                    for call in msg.tool_calls:
                        with oi_tracer.start_as_current_span(
                                call.function.name, openinference_span_kind="tool") as tool_span:
                            tool_span.set_tool(name=call.function.name,
                                               description=START_RETURN_TOOL["function"]["description"],
                                               parameters=START_RETURN_TOOL["function"]["parameters"])
                            tool_span.set_input(call.function.arguments, mime_type="application/json")
                            result = start_return(**json.loads(call.function.arguments))
                            tool_span.set_output(json.dumps(result), mime_type="application/json")
                        history.append({"role": "tool", "tool_call_id": call.id,
                                        "content": json.dumps(result)})


def run_session_b(base_url):
    """OTel GenAI: gen_ai.conversation.id on the root by the app, on the LLM span by baggage."""
    client = client_for(base_url)
    history = [{"role": "system", "content": SYSTEM_PROMPT}]
    token = context.attach(baggage.set_baggage(CONVERSATION_KEY, SESSION_B))
    try:
        for turn, user_text in enumerate(B_TURNS, 1):
            with app_tracer.start_as_current_span(
                    "chat.turn", attributes={CONVERSATION_KEY: SESSION_B}) as root:
                remember(root, "B", turn)
                history.append({"role": "user", "content": user_text})
                try:
                    r = client.chat.completions.create(model="gpt-4o-mini", messages=history,
                                                       temperature=0.3)
                    answer = r.choices[0].message.content
                except openai.RateLimitError:
                    answer = "Sorry, I can't answer right now. Please try again in a minute."
                history.append({"role": "assistant", "content": answer})
    finally:
        context.detach(token)


def run_session_c(base_url):
    """Langfuse's session key, set by hand on the root span."""
    client = client_for(base_url)
    history = [{"role": "system", "content": SYSTEM_PROMPT}]
    for turn, user_text in enumerate(C_TURNS, 1):
        with app_tracer.start_as_current_span(
                "chat.turn", attributes={"langfuse.session.id": SESSION_C}) as root:
            remember(root, "C", turn)
            history.append({"role": "user", "content": user_text})
            r = client.chat.completions.create(model="gpt-4o-mini", messages=history,
                                               temperature=0.3)
            history.append({"role": "assistant", "content": r.choices[0].message.content})


# Root start of each turn, in seconds before 2026-11-28T12:00:00Z (10:30:00, 10:31:30, ...).
TURN_STARTS = {("A", 1): 5400, ("B", 1): 5310, ("A", 2): 5220, ("A", 3): 4950,
               ("B", 2): 4860, ("A", 4): 4680, ("C", 1): 4200}


def place_traces(request):
    """Shift each trace on its own so that its root starts at TURN_STARTS."""
    spans = list(otlp_json.iter_spans(request))
    root_start = {s["traceId"]: int(s["startTimeUnixNano"]) for s in spans
                  if not s.get("parentSpanId")}
    delta = {}
    for trace_id, label, turn in roots:
        target = otlp_json.ANCHOR_END_NS - TURN_STARTS[(label, turn)] * 10**9
        delta[trace_id] = target - root_start[trace_id]
    for s in spans:
        d = delta[s["traceId"]]
        s["startTimeUnixNano"] = str(int(s["startTimeUnixNano"]) + d)
        s["endTimeUnixNano"] = str(int(s["endTimeUnixNano"]) + d)
        for ev in s.get("events", []):
            ev["timeUnixNano"] = str(int(ev["timeUnixNano"]) + d)
    return request


def main():
    from openinference.instrumentation.openai import OpenAIInstrumentor as OpenInferenceOpenAI
    from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor as GenAIOpenAI

    with FakeProvider(responder) as fake:
        oi = OpenInferenceOpenAI()
        oi.instrument(tracer_provider=provider)
        run_session_a(fake.base_url)
        oi.uninstrument()

        genai = GenAIOpenAI()
        genai.instrument(tracer_provider=provider)
        run_session_b(fake.base_url)
        run_session_c(fake.base_url)
        genai.uninstrument()

    provider.force_flush()
    request = otlp_json.spans_to_request(exporter.get_finished_spans())
    place_traces(request)
    assert otlp_json.time_bounds(request)[1] <= otlp_json.ANCHOR_END_NS
    otlp_json.write_pretty("chat-sessions.json", request)
    for trace_id, label, turn in sorted(roots, key=lambda r: TURN_STARTS[r[1:]], reverse=True):
        print(f"  session {label} turn {turn}: trace {trace_id}")


if __name__ == "__main__":
    main()
