"""sample-traces/openllmetry-openai.json

Runs the OpenLLMetry (Traceloop) community instrumentation for the OpenAI
client (opentelemetry-instrumentation-openai) against the local fake provider:
the same two calls as the other OpenAI samples. That package does not create
workflow spans (traceloop-sdk's @workflow decorator does), so the calls are
wrapped by hand in one parent span carrying the attributes traceloop-sdk puts
on a workflow span (traceloop.span.kind=workflow, traceloop.entity.name,
traceloop.workflow.name). Prompt/completion capture is on (TRACELOOP_TRACE_CONTENT).
"""

import os

os.environ.setdefault("TRACELOOP_TRACE_CONTENT", "true")

import otlp_json  # noqa: E402
from fake_provider import FakeProvider, openai_responder, run_openai_calls  # noqa: E402

provider, exporter = otlp_json.setup_tracing("chat-app", seed=4004)

from opentelemetry import trace  # noqa: E402
from opentelemetry.instrumentation.openai import OpenAIInstrumentor  # noqa: E402

OpenAIInstrumentor().instrument(tracer_provider=provider)
tracer = trace.get_tracer("traceloop.tracer")

with FakeProvider(openai_responder) as fake:
    with tracer.start_as_current_span("weather_chat.workflow") as wf:
        wf.set_attribute("traceloop.span.kind", "workflow")
        wf.set_attribute("traceloop.entity.name", "weather_chat")
        wf.set_attribute("traceloop.workflow.name", "weather_chat")
        run_openai_calls(fake.base_url)

provider.force_flush()
request = otlp_json.spans_to_request(exporter.get_finished_spans())
otlp_json.anchor(request, otlp_json.ANCHOR_END_NS - 4 * 3_600 * 10**9)
otlp_json.write_pretty("openllmetry-openai.json", request)
