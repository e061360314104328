"""Writes the fuzzers' seed inputs: OUT/json, OUT/protobuf, OUT/sniff and OUT/keys.

Usage: make-seeds.py OUT SAMPLE_DIR...

From the sample traces (each JSON Lines record on its own, so every seed stays small), their
protobuf encodings (made with opentelemetry-proto, the reference schema's own Python classes),
single and as a length-delimited stream, gzip, and hand-made hostile cases: truncated input, deep nesting, a byte-order mark, NUL bytes,
invalid UTF-8, numbers out of range, broken varints and lengths, nested groups, terminal escape
sequences cut anywhere. Seeds over MAX_SEED bytes are left out; the fuzzers cut the others at 16 KiB.
"""

import base64
import gzip
import json
import pathlib
import sys

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

MAX_SEED = 64 * 1024


def samples(dirs):
    """(name, bytes) of each sample trace; each JSON Lines record is a sample of its own."""
    for d in dirs:
        for path in sorted(pathlib.Path(d).glob("*.json*")):
            data = path.read_bytes()
            if path.suffix == ".jsonl":
                for i, line in enumerate(data.splitlines()):
                    if line.strip():
                        yield f"{path.stem}-{i}", line
            else:
                yield path.stem, data


def hex_ids_to_base64(value):
    """OTLP JSON writes ids as hex; the protobuf JSON mapping reads bytes as base64."""
    if isinstance(value, list):
        return [hex_ids_to_base64(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, v in value.items():
        if key in ("traceId", "spanId", "parentSpanId") and isinstance(v, str):
            v = base64.b64encode(bytes.fromhex(v)).decode()
        out[key] = hex_ids_to_base64(v)
    return out


def protobuf_encoding(data):
    """The sample as an ExportTraceServiceRequest, or None when it is not OTLP the schema reads."""
    try:
        request = json_format.ParseDict(
            hex_ids_to_base64(json.loads(data)),
            trace_service_pb2.ExportTraceServiceRequest(),
            ignore_unknown_fields=True,
        )
    except (ValueError, json_format.ParseError):
        return None
    return request.SerializeToString() if request.resource_spans else None


def nested_value(depth):
    value = '{"stringValue":"leaf"}'
    for _ in range(depth):
        value = '{"arrayValue":{"values":[' + value + "]}}"
    return value


def json_hostile(otlp):
    """Hand-made hostile JSON, around `otlp` (one small OTLP request)."""
    span = '{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"s"'
    request = '{"resourceSpans":[{"scopeSpans":[{"spans":[' + span + "%s}]}]}]}"
    return {
        "empty": b"",
        "whitespace": b" \n\t\r\n",
        "truncated": otlp[: len(otlp) // 2],
        "bom": b"\xef\xbb\xbf" + otlp,
        "nul": otlp[:40] + b"\x00" + otlp[40:],
        "nul-only": b"\x00",
        "invalid-utf8": (request % ',"attributes":[{"key":"\xff\xfe","value":{"stringValue":"\xc0\xaf\xed\xa0\x80"}}]')
        .encode("latin-1"),
        "escapes": (request % ',"attributes":[{"key":"\\ud800\\u0000","value":"\\uDFFF\\ud83d\\ude00\\"\\\\"}]')
        .encode(),
        "numbers": (
            request
            % ',"startTimeUnixNano":"9223372036854775808","endTimeUnixNano":-1e400,"kind":1e3,'
            '"flags":"NaN","attributes":[{"key":"n","value":{"doubleValue":"-Infinity"}},'
            '{"key":"i","value":{"intValue":"-9223372036854775808"}},{"key":"b","value":{"boolValue":"true"}}]'
        ).encode(),
        "ids": (
            request.replace('"0102030405060708090a0b0c0d0e0f10"', '"AQIDBAUGBwgJCgsMDQ4PEA=="')
            % ',"parentSpanId":"abc","links":[{"traceId":"","spanId":"AQIDBAUGBwg="}]'
        ).encode(),
        "snake-case": (request % ',"status":{"code":"STATUS_CODE_ERROR","message":"m"}')
        .replace('"resourceSpans"', '"resource_spans"')
        .replace('"scopeSpans"', '"scope_spans"')
        .encode(),
        "deep-values": (request % (',"attributes":[{"key":"k","value":' + nested_value(150) + "}]")).encode(),
        "deep-arrays": b'{"x":' + b"[" * 8000 + b"]" * 8000 + b"}",
        "deep-wrappers": b'{"trace":' * 150 + b"{}" + b"}" * 150,
        "jsonl-broken-line": request.encode() + b"\n" + request[:60].encode() + b"\n" + request.encode() + b"\n",
        "array-of-requests": b"[" + otlp + b"," + otlp + b"]",
        "tempo-wrapper": b'{"trace":' + otlp + b"}",
        "jaeger-v3-wrapper": b'{"result":' + otlp + b"}",
        "metrics-line": b'{"resourceMetrics":[]}\n' + otlp,
        "zipkin": b'[{"traceId":"1","id":"2","timestamp":1,"localEndpoint":{}}]',
    }


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number, wire, payload):
    key = varint(number << 3 | wire)
    return key + (varint(len(payload)) + payload if wire == 2 else payload)


def protobuf_hostile(pb):
    """Hand-made hostile protobuf, around `pb` (one small encoded request)."""
    value = field(1, 2, b"leaf")
    for _ in range(150):
        value = field(5, 2, field(1, 2, value))  # AnyValue.array_value.values[0]
    span = field(1, 2, bytes(range(1, 17))) + field(2, 2, bytes(range(1, 9)))
    deep = field(1, 2, field(2, 2, field(2, 2, span + field(9, 2, field(1, 2, b"k") + field(2, 2, value)))))
    return {
        "empty": b"",
        "truncated": pb[: len(pb) // 2],
        "varint-overflow": b"\x0a" + b"\xff" * 10 + b"\x01",
        "length-past-end": b"\x0a\xff\xff\xff\xff\x0f",
        "field-zero": b"\x02\x00",
        "wire-type-7": b"\x0f",
        "groups": b"\x13" * 3000 + b"\x14" * 3000,
        "unclosed-group": b"\x13\x08\x01",
        "deep-values": deep,
        "legacy-library-spans": field(1, 2, field(1000, 2, field(2, 2, span))),
        "short-ids": field(1, 2, field(2, 2, field(2, 2, field(1, 2, b"\x01" * 15) + field(2, 2, b"\x00" * 8)))),
        "unknown-fields": pb + field(99, 0, varint(1)) + field(98, 1, b"\x00" * 8) + field(97, 5, b"\x00" * 4),
    }


KEYS = {
    "letters": b"jjkkq/abc\r",
    "arrows": b"\x1b[A\x1b[B\x1b[C\x1b[D",
    "ss3-arrows": b"\x1bOA\x1bOB\x1bOH\x1bOF",
    "home-end-page": b"\x1b[H\x1b[F\x1b[1~\x1b[4~\x1b[5~\x1b[6~\x1b[7~\x1b[8~",
    "modifiers": b"\x1b[1;5A\x1b[1;2B\x1b[3;5~",
    "back-tab": b"\x1b[Z\t",
    "escape-alone": b"\x1b",
    "escape-escape": b"\x1b\x1b[A\x1b\x1b",
    "cut-sequence": b"\x1b[1;",
    "long-parameters": b"\x1b[" + b"9" * 200 + b"~",
    "utf8": "é中😀".encode(),
    "utf8-cut": "😀".encode()[:3],
    "invalid-utf8": b"\xff\xfe\xc0\xaf\xed\xa0\x80",
    "controls": bytes(range(0, 32)) + b"\x7f",
    "mouse": b"\x1b[<0;10;20M\x1b[M !!",
    "bracketed-paste": b"\x1b[200~text\x1b[201~",
}


def write(directory, name, data):
    if len(data) <= MAX_SEED:
        (directory / name).write_bytes(data)


def main():
    out = pathlib.Path(sys.argv[1])
    dirs = {t: out / t for t in ("json", "protobuf", "sniff", "keys")}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    encoded = []
    for name, data in samples(sys.argv[2:]):
        write(dirs["json"], name + ".json", data)
        write(dirs["sniff"], name + ".json", data)
        pb = protobuf_encoding(data)
        if pb:
            encoded.append(pb)
            write(dirs["protobuf"], name + ".pb", pb)
            write(dirs["sniff"], name + ".pb", pb)
            # The delimited stream form of protobuf files: each request after its varint length.
            write(dirs["sniff"], name + ".delimited.pb", (varint(len(pb)) + pb) * 2)
        write(dirs["sniff"], name + ".json.gz", gzip.compress(data, mtime=0))
    otlp = min((d for _, d in samples(sys.argv[2:]) if b"resourceSpans" in d), key=len)
    for name, data in json_hostile(otlp).items():
        write(dirs["json"], "hostile-" + name + ".json", data)
        write(dirs["sniff"], "hostile-" + name + ".json", data)
    for name, data in protobuf_hostile(min(encoded, key=len)).items():
        write(dirs["protobuf"], "hostile-" + name + ".pb", data)
    sniff = {
        "gzip-concatenated": gzip.compress(otlp, mtime=0) + gzip.compress(otlp, mtime=0),
        "gzip-truncated": gzip.compress(otlp, mtime=0)[:30],
        "gzip-zero-padding": gzip.compress(otlp, mtime=0) + b"\x00" * 16,
        "zstd-magic": b"\x28\xb5\x2f\xfd" + otlp,
        "gzip-magic-only": b"\x1f\x8b",
    }
    for name, data in sniff.items():
        write(dirs["sniff"], "hostile-" + name, data)
    for name, data in KEYS.items():
        write(dirs["keys"], name, data)


if __name__ == "__main__":
    main()
