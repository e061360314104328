#!/usr/bin/env python3
"""Writes one OTLP JSON trace that is a chain N spans deep, every span a model call of the same model
with the same token counts, alternating between two instrumentation scopes: nested, overlapping and
equal at once, the worst case for grouping the spans that describe one call (README, "Counting each
call once"). Usage: gen_call_chain.py N OUT.json
"""
import json
import sys


def main():
    n, path = int(sys.argv[1]), sys.argv[2]
    attrs = [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
             {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o"}},
             {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "1000"}},
             {"key": "gen_ai.usage.output_tokens", "value": {"intValue": "100"}}]
    spans = [{"traceId": "0" * 31 + "1", "spanId": "%016x" % (i + 1), "parentSpanId": "%016x" % i if i else "",
              "name": "chat", "startTimeUnixNano": str(i), "endTimeUnixNano": str(2 * n - i), "attributes": attrs}
             for i in range(n)]
    scopes = [{"scope": {"name": "lib.a"}, "spans": spans[0::2]}, {"scope": {"name": "lib.b"}, "spans": spans[1::2]}]
    with open(path, "w") as f:
        json.dump({"resourceSpans": [{"resource": {}, "scopeSpans": scopes}]}, f)


if __name__ == "__main__":
    main()
