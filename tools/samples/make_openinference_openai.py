"""sample-traces/openinference-openai.json

Runs Arize's OpenInference instrumentation for the OpenAI client
(openinference-instrumentation-openai) against the local fake provider: the
same two calls as the other OpenAI samples (a plain chat call whose usage has
1024 cached prompt tokens, and a call answered with a tool call). Each call is
its own trace; the instrumentation makes no parent span.
"""

import otlp_json
from fake_provider import FakeProvider, openai_responder, run_openai_calls

provider, exporter = otlp_json.setup_tracing("chat-app", seed=3003)

from openinference.instrumentation.openai import OpenAIInstrumentor  # noqa: E402

OpenAIInstrumentor().instrument(tracer_provider=provider)

with FakeProvider(openai_responder) as fake:
    run_openai_calls(fake.base_url)

provider.force_flush()
request = otlp_json.spans_to_request(exporter.get_finished_spans())
otlp_json.anchor(request, otlp_json.ANCHOR_END_NS - 3 * 3_600 * 10**9)
otlp_json.write_pretty("openinference-openai.json", request)
