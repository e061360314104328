"""sample-traces/vercel-ai-sdk.json -- HAND-MADE.

npm is not reachable from the build machine, so this is not a run of the Vercel AI
SDK. The spans are built with the OpenTelemetry Python SDK, copying the span names
and attribute keys the AI SDK (v4, `experimental_telemetry: {isEnabled: true}`)
documents for generateText: an outer `ai.generateText` span and an inner
`ai.generateText.doGenerate` span (the provider call), with ai.* keys and, on the
inner span, the gen_ai.* keys it also sets. Scope name "ai" as the SDK's tracer.
"""

import json
import time

import otlp_json
from opentelemetry import trace
from opentelemetry.trace import SpanKind

provider, exporter = otlp_json.setup_tracing("nextjs-app", seed=7007)
tracer = trace.get_tracer("ai")

FUNCTION_ID = "summarize-ticket"
MODEL, PROVIDER = "gpt-4o-mini", "openai.chat"
PROMPT = "Summarize this support ticket in two sentences: the trace viewer crashes on gzip files."
SYSTEM = "You summarise support tickets."
TEXT = ("The user reports that the trace viewer crashes when opening gzip-compressed trace files. "
        "They ask for compressed input to be supported or rejected with a clear error.")
IN_TOK, OUT_TOK = 500, 120

common = {
    "ai.model.id": MODEL,
    "ai.model.provider": PROVIDER,
    "ai.telemetry.functionId": FUNCTION_ID,
    "resource.name": FUNCTION_ID,
    "ai.settings.maxRetries": 2,
}

with tracer.start_as_current_span("ai.generateText") as outer:
    outer.set_attributes({
        "operation.name": f"ai.generateText {FUNCTION_ID}",
        "ai.operationId": "ai.generateText",
        **common,
        "ai.prompt": json.dumps({"system": SYSTEM, "prompt": PROMPT}),
    })
    time.sleep(0.003)
    with tracer.start_as_current_span("ai.generateText.doGenerate", kind=SpanKind.CLIENT) as inner:
        inner.set_attributes({
            "operation.name": f"ai.generateText.doGenerate {FUNCTION_ID}",
            "ai.operationId": "ai.generateText.doGenerate",
            **common,
            "ai.prompt.format": "messages",
            "ai.prompt.messages": json.dumps([
                {"role": "system", "content": SYSTEM},
                {"role": "user", "content": [{"type": "text", "text": PROMPT}]},
            ]),
            "gen_ai.system": PROVIDER,
            "gen_ai.request.model": MODEL,
        })
        time.sleep(0.060)
        inner.set_attributes({
            "ai.response.text": TEXT,
            "ai.response.finishReason": "stop",
            "ai.response.id": "chatcmpl-fake0003",
            "ai.response.model": MODEL,
            "ai.response.timestamp": "2026-11-28T04:59:59.000Z",
            "ai.usage.promptTokens": IN_TOK,
            "ai.usage.completionTokens": OUT_TOK,
            "gen_ai.response.finish_reasons": ["stop"],
            "gen_ai.response.id": "chatcmpl-fake0003",
            "gen_ai.response.model": MODEL,
            "gen_ai.usage.input_tokens": IN_TOK,
            "gen_ai.usage.output_tokens": OUT_TOK,
        })
    time.sleep(0.002)
    outer.set_attributes({
        "ai.response.text": TEXT,
        "ai.response.finishReason": "stop",
        "ai.usage.promptTokens": IN_TOK,
        "ai.usage.completionTokens": OUT_TOK,
    })

provider.force_flush()
request = otlp_json.spans_to_request(exporter.get_finished_spans())
otlp_json.anchor(request, otlp_json.ANCHOR_END_NS - 7 * 3_600 * 10**9)
otlp_json.write_pretty("vercel-ai-sdk.json", request)
