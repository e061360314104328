"""sample-traces/anthropic-cache*.json: Anthropic prompt caching, three ways.

Two Anthropic Messages calls through the official `anthropic` client against the
local fake Messages API. Usage as Anthropic reports it (input_tokens EXCLUDES the cache):
  call 1: input 200, cache_creation 3000, cache_read 0,    output 300
  call 2: input 100, cache_creation 500,  cache_read 3000, output 250
Modes (one per output file):
  (default)        anthropic-cache.json: opentelemetry-instrumentation-anthropic (OpenLLMetry);
  --openinference  anthropic-cache-openinference.json: openinference-instrumentation-anthropic;
  --native         anthropic-sdk-native.json: no instrumentation, the anthropic SDK's own
                   OpenTelemetry spans (scope com.anthropic.sdk.python).
In the two instrumentation modes the SDK's own spans are switched off
(client option open_telemetry=False); left on, every call would be traced twice.
Each call is its own trace (nothing makes a parent span).
"""

import os
import sys

MODE = "openinference" if "--openinference" in sys.argv else "native" if "--native" in sys.argv else "openllmetry"
os.environ.setdefault("TRACELOOP_TRACE_CONTENT", "true")

import otlp_json  # noqa: E402
from fake_provider import FakeProvider, anthropic_responder, run_anthropic_calls  # noqa: E402

SEEDS = {"openllmetry": 5005, "openinference": 5006, "native": 5007}
OUT = {"openllmetry": "anthropic-cache.json", "openinference": "anthropic-cache-openinference.json",
       "native": "anthropic-sdk-native.json"}

provider, exporter = otlp_json.setup_tracing("support-bot", seed=SEEDS[MODE])

if MODE == "openinference":
    from openinference.instrumentation.anthropic import AnthropicInstrumentor
    AnthropicInstrumentor().instrument(tracer_provider=provider)
elif MODE == "openllmetry":
    from opentelemetry.instrumentation.anthropic import AnthropicInstrumentor
    AnthropicInstrumentor().instrument(tracer_provider=provider)

with FakeProvider(anthropic_responder) as fake:
    run_anthropic_calls(fake.base_url, native_tracing=(MODE == "native"))

provider.force_flush()
request = otlp_json.spans_to_request(exporter.get_finished_spans())
otlp_json.anchor(request, otlp_json.ANCHOR_END_NS - 5 * 3_600 * 10**9)
otlp_json.write_pretty(OUT[MODE], request)
