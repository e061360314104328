"""sample-traces for "one model call, one set of facts": several spans describing one call.

Each mode runs real instrumentations from PyPI against the local fake provider, the way
applications combine them in the wild:

  --wrapper-openai-v2       app-wrapper-openai-v2.json: the application's own `llm.generate` span
                            (llm.model, llm.input_tokens, llm.cached_input_tokens, llm.cost_usd,
                            llm.response.id, ...) around the official OTel GenAI instrumentation
                            (opentelemetry-instrumentation-openai-v2), which records the token counts
                            but not the cache reads. The app prices calls itself at list price with
                            the cache discount.
  --wrapper-openinference   app-wrapper-openinference.json: the same kind of wrapper (no response id,
                            no cached count) around OpenInference (openinference-instrumentation-openai).
                            The app's price table is stale for the tool call: it reports 20 % above
                            list price, which tracetui must flag.
  --anthropic-both          anthropic-openllmetry-and-sdk.json: OpenLLMetry's Anthropic
                            instrumentation together with the anthropic SDK's own tracing (left on,
                            as it is by default): two spans per call, side by side under the
                            application's `support.session` span.
  --anthropic-both-split    anthropic-openllmetry-and-sdk-split.json: the same without an application
                            span: OpenLLMetry does not make its span current, so the SDK's span of
                            each call starts a trace of its own and every call is in two traces.

The OpenAI responses carry the dated model name (`gpt-4o-2024-08-06`), as the real API does.
"""

import os
import sys

import otlp_json
from fake_provider import (PLAIN_MESSAGES, TOOL_MESSAGES, WEATHER_TOOL, FakeProvider,
                           anthropic_responder, openai_responder, run_anthropic_calls)

MODES = ["--wrapper-openai-v2", "--wrapper-openinference", "--anthropic-both", "--anthropic-both-split"]
MODE = next((m for m in MODES if m in sys.argv), None)
if MODE is None:
    sys.exit("usage: make_call_groups.py " + " | ".join(MODES))

SEEDS = {"--wrapper-openai-v2": 7001, "--wrapper-openinference": 7002, "--anthropic-both": 7003,
         "--anthropic-both-split": 7004}
OUT = {"--wrapper-openai-v2": "app-wrapper-openai-v2.json", "--wrapper-openinference": "app-wrapper-openinference.json",
       "--anthropic-both": "anthropic-openllmetry-and-sdk.json",
       "--anthropic-both-split": "anthropic-openllmetry-and-sdk-split.json"}
HOURS_BEFORE_ANCHOR = {"--wrapper-openai-v2": 6, "--wrapper-openinference": 7, "--anthropic-both": 8,
                       "--anthropic-both-split": 9}

RESPONSE_MODEL = "gpt-4o-2024-08-06"
# The application's price table, USD per 1M tokens (gpt-4o list price: input, cached input, output).
LIST_PRICE = {"input": 2.50, "cached": 1.25, "output": 10.00}
# A stale copy of the table: 20 % above list (what the app still uses for tool calls in the
# openinference sample).
STALE_PRICE = {k: v * 1.2 for k, v in LIST_PRICE.items()}


def dated_openai_responder(path, req):
    status, body = openai_responder(path, req)[:2]
    if status == 200:
        body["model"] = RESPONSE_MODEL
    return status, body


def app_cost(usage, table, with_cache=True):
    cached = (usage.prompt_tokens_details.cached_tokens or 0) if with_cache else 0
    dollars = ((usage.prompt_tokens - cached) * table["input"] + cached * table["cached"]
               + usage.completion_tokens * table["output"])
    return round(dollars / 1_000_000, 8)


provider, exporter = otlp_json.setup_tracing("support-app", seed=SEEDS[MODE])
from opentelemetry import trace  # noqa: E402

tracer = trace.get_tracer("support-app", "1.4.0")


def traced_generate(client, record_cache_and_id, table_for_tools, **kwargs):
    """The application's own LLM span, in the article's style, around one chat call."""
    model = kwargs["model"]
    with tracer.start_as_current_span("llm.generate") as span:
        span.set_attribute("llm.model", model)
        span.set_attribute("llm.provider", "openai")
        r = client.chat.completions.create(**kwargs)
        u = r.usage
        span.set_attribute("llm.input_tokens", u.prompt_tokens)
        span.set_attribute("llm.output_tokens", u.completion_tokens)
        span.set_attribute("llm.total_tokens", u.total_tokens)
        if record_cache_and_id:
            span.set_attribute("llm.cached_input_tokens", u.prompt_tokens_details.cached_tokens or 0)
            span.set_attribute("llm.response.id", r.id)
        table = table_for_tools if kwargs.get("tools") else LIST_PRICE
        span.set_attribute("llm.cost_usd", app_cost(u, table))
        span.set_attribute("llm.finish_reason", r.choices[0].finish_reason)
        return r


def run_wrapped_openai(base_url, record_cache_and_id, table_for_tools):
    import openai
    client = openai.OpenAI(base_url=base_url + "/v1", api_key="sk-fake-local", max_retries=0)
    with tracer.start_as_current_span("agent.run") as root:
        root.set_attribute("app.feature", "weather-chat")
        traced_generate(client, record_cache_and_id, table_for_tools, model="gpt-4o", messages=PLAIN_MESSAGES,
                        max_tokens=400, temperature=0.2)
        traced_generate(client, record_cache_and_id, table_for_tools, model="gpt-4o", messages=TOOL_MESSAGES,
                        tools=[WEATHER_TOOL], temperature=0.2)


if MODE == "--wrapper-openai-v2":
    from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor
    OpenAIInstrumentor().instrument(tracer_provider=provider)
    with FakeProvider(dated_openai_responder) as fake:
        run_wrapped_openai(fake.base_url, record_cache_and_id=True, table_for_tools=LIST_PRICE)
elif MODE == "--wrapper-openinference":
    from openinference.instrumentation.openai import OpenAIInstrumentor
    OpenAIInstrumentor().instrument(tracer_provider=provider)
    with FakeProvider(dated_openai_responder) as fake:
        run_wrapped_openai(fake.base_url, record_cache_and_id=False, table_for_tools=STALE_PRICE)
else:
    os.environ.setdefault("TRACELOOP_TRACE_CONTENT", "true")
    from opentelemetry.instrumentation.anthropic import AnthropicInstrumentor
    AnthropicInstrumentor().instrument(tracer_provider=provider)
    with FakeProvider(anthropic_responder) as fake:
        if MODE == "--anthropic-both":
            with tracer.start_as_current_span("support.session") as session:
                session.set_attribute("app.feature", "support")
                run_anthropic_calls(fake.base_url, native_tracing=True)
        else:
            run_anthropic_calls(fake.base_url, native_tracing=True)

provider.force_flush()
request = otlp_json.spans_to_request(exporter.get_finished_spans())
otlp_json.anchor(request, otlp_json.ANCHOR_END_NS - HOURS_BEFORE_ANCHOR[MODE] * 3_600 * 10**9)
otlp_json.write_pretty(OUT[MODE], request)
