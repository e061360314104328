"""sample-traces/genai-openai-v2.json (and genai-openai-v2-latest.json with --latest).

Runs the official OpenTelemetry GenAI instrumentation for the OpenAI client
(opentelemetry-instrumentation-openai-v2) against the local fake provider:
one plain chat call (usage with 1024 cached prompt tokens) and one that
answers with a tool call. Each call is its own trace, as the instrumentation
makes no parent span.

Default mode = the package's default conventions (GenAI semconv v1.30) with
OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true. In that mode the
message content goes to log records (events), not onto the span, so the trace
file carries no prompt text.
--latest = OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental and
OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=span_only, which puts
gen_ai.input.messages / gen_ai.output.messages on the span.
"""

import os
import sys

LATEST = "--latest" in sys.argv
if LATEST:
    os.environ["OTEL_SEMCONV_STABILITY_OPT_IN"] = "gen_ai_latest_experimental"
    os.environ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "span_only"
else:
    os.environ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "true"

import otlp_json  # noqa: E402
from fake_provider import FakeProvider, openai_responder, run_openai_calls  # noqa: E402

provider, exporter = otlp_json.setup_tracing("chat-app", seed=2002 if not LATEST else 2003)

from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor  # noqa: E402

OpenAIInstrumentor().instrument(tracer_provider=provider)

with FakeProvider(openai_responder) as fake:
    run_openai_calls(fake.base_url)

provider.force_flush()
request = otlp_json.spans_to_request(exporter.get_finished_spans())
otlp_json.anchor(request, otlp_json.ANCHOR_END_NS - 2 * 3_600 * 10**9)
otlp_json.write_pretty("genai-openai-v2-latest.json" if LATEST else "genai-openai-v2.json", request)
