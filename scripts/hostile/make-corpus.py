#!/usr/bin/env python3
"""Writes a corpus of hostile inputs for tracetui into OUTDIR, one file per case (nothing large is
committed: the big cases are made here): a 50 MB attribute value, a 1 MB span name, 200k attributes,
values nested 10,000 deep, 100,000 brackets, a 100,000-deep parent chain, gzip bombs of 1 MB that
inflate to 1 GiB. With --small, those are made small (for the end-to-end tests: the same shapes, quick
to run). Usage: make-corpus.py [--small] OUTDIR
Run them with scripts/hostile/run-corpus.sh BIN OUTDIR.
"""
import argparse
import gzip
import json
import os
import struct
import zlib

TRACE = "0af7651916cd43dd8448eb211c80319c"


def span(i, parent=None, name=None, **extra):
    s = {"traceId": TRACE, "spanId": "%016x" % i, "name": name or "span-%d" % i,
         "startTimeUnixNano": str(1_700_000_000_000_000_000 + i * 1000),
         "endTimeUnixNano": str(1_700_000_000_000_000_000 + i * 1000 + 500)}
    if parent is not None:
        s["parentSpanId"] = "%016x" % parent
    s.update(extra)
    return s


def request(spans):
    return {"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "hostile"}}]},
                               "scopeSpans": [{"scope": {"name": "corpus"}, "spans": spans}]}]}


def compact(doc):
    return json.dumps(doc, separators=(",", ":"))


def nested(kind, depth):
    """An AnyValue `depth` levels deep of arrayValue or kvlistValue, written without recursion."""
    inner = '{"stringValue":"bottom"}'
    if kind == "array":
        return '{"arrayValue":{"values":[' * depth + inner + "]}}" * depth
    return '{"kvlistValue":{"values":[{"key":"k","value":' * depth + inner + "}]}}" * depth


# protobuf, written by hand (field number, wire type)
def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def proto_span(i):
    return (field(1, bytes.fromhex(TRACE)) + field(2, struct.pack(">Q", i)) + field(5, b"proto-span")
            + varint(7 << 3 | 1) + struct.pack("<Q", 1_700_000_000_000_000_000)
            + varint(8 << 3 | 1) + struct.pack("<Q", 1_700_000_000_000_000_500))


def proto_request(spans):
    scope_spans = field(1, field(1, b"corpus")) + b"".join(field(2, proto_span(i)) for i in spans)
    return field(1, field(2, scope_spans))


def write(out, name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def write_gzip_stream(out, name, pieces):
    """Gzips an iterable of byte pieces without holding the inflated data."""
    with open(os.path.join(out, name), "wb") as raw:
        comp = zlib.compressobj(9, zlib.DEFLATED, 31)
        for piece in pieces:
            raw.write(comp.compress(piece))
        raw.write(comp.flush())


def text_cases(out, small):
    pretty = json.dumps(request([span(1), span(2, parent=1)]), indent=2)
    write(out, "truncated.json", pretty[: len(pretty) // 2])
    write(out, "invalid-utf8.json", compact(request([span(1, name="@@")])).encode().replace(b"@@", b"\xff\xfe\xc3"))
    write(out, "lone-surrogate.json", compact(request([span(1)])).replace("span-1", "\\ud800 and \\udfff"))
    write(out, "nul-bytes.json", compact(request([span(1)])).encode().replace(b"span-1", b"nul\x00raw \\u0000 escaped"))
    write(out, "bom.json", "\ufeff" + pretty)
    write(out, "bom.jsonl", "\ufeff" + compact(request([span(1)])) + "\n" + compact(request([span(2)])) + "\n")
    write(out, "empty.json", "")
    write(out, "whitespace.json", " \n\t\n  \r\n")
    write(out, "empty-object.json", "{}")
    write(out, "top-level-array.json", "[1, 2, 3]")
    write(out, "two-documents.json", pretty + pretty.replace('"span-', '"second-'))
    write(out, "trailing-garbage.json", pretty + "\ngarbage after the document\n")
    write(out, "html-error.json", "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>"
          "<body><h1>502 Bad Gateway</h1></body></html>\n")
    write(out, "otlp-logs.json", compact({"resourceLogs": [{"scopeLogs": [{"logRecords": [{"body": {"stringValue": "hi"}}]}]}]}))
    write(out, "otlp-metrics.json", compact({"resourceMetrics": [{"scopeMetrics": [{"metrics": [{"name": "m"}]}]}]}))
    lines = [compact(request([span(i)])) for i in range(1, 6)]
    write(out, "jsonl-bad-middle.jsonl", "\n".join(lines[:2] + [lines[2][:-20] + "}]}"] + lines[3:]) + "\n")
    write(out, "jsonl-cut-last.jsonl", "\n".join(lines[:4] + [lines[4][: len(lines[4]) // 2]]))


def size_cases(out, small):
    big_value = "v" * (50_000 if small else 50 << 20)
    write(out, "attribute-huge.json", compact(request([span(1, attributes=[{"key": "big", "value": {"stringValue": big_value}}])])))
    write(out, "name-huge.json", compact(request([span(1, name="n" * (10_000 if small else 1 << 20))])))
    count = 2_000 if small else 200_000
    attrs = [{"key": "k%d" % i, "value": {"intValue": str(i)}} for i in range(count)]
    write(out, "attributes-many.json", compact(request([span(1, attributes=attrs)])))
    depth = 200 if small else 10_000
    for kind in ("array", "kvlist"):
        doc = compact(request([span(1, attributes=[{"key": "deep", "value": "@@"}])]))
        write(out, "nested-%s.json" % kind, doc.replace('"@@"', nested(kind, depth)))
    brackets = 1_000 if small else 100_000
    doc = compact(request([span(1, extra="@@"), span(2, attributes=[{"key": "b", "value": "##"}])]))
    write(out, "brackets-deep.json", doc.replace('"@@"', "[" * brackets + "]" * brackets)
          .replace('"##"', "[" * brackets + "]" * brackets))
    chain = 200 if small else 100_000
    write(out, "chain-deep.json", compact(request([span(i + 1, parent=i if i else None) for i in range(chain)])))


def semantic_cases(out):
    write(out, "cycles.json", compact(request([span(1, parent=2), span(2, parent=3), span(3, parent=1),
                                               span(4, parent=4), span(5)])))
    ids = [span(1), span(1, name="duplicate"), dict(span(2), spanId="abc"), dict(span(3), spanId="zzzzzzzzzzzzzzzz"),
           dict(span(4), spanId="0" * 16), dict(span(5), traceId="0" * 32), dict(span(6), traceId="12345")]
    write(out, "bad-ids.json", "\n".join(compact(request([s])) for s in ids) + "\n")
    times = [dict(span(1), startTimeUnixNano="-5", endTimeUnixNano="-1"),
             dict(span(2), startTimeUnixNano="99999999999999999999", endTimeUnixNano="99999999999999999999"),
             dict(span(3), startTimeUnixNano="9223372036854775807", endTimeUnixNano="0"),
             dict(span(4), startTimeUnixNano="2000", endTimeUnixNano="1000")]
    write(out, "bad-timestamps.jsonl", "\n".join(compact(request([s])) for s in times) + "\n")
    mixed = [dict(span(1), kind="3", startTimeUnixNano=1_700_000_000_000_000_000, endTimeUnixNano=1_700_000_000_000_000_900,
                  status={"code": "2"}, attributes=[{"key": "n", "value": {"intValue": 5, "doubleValue": "1.5"}}]),
             dict(span(2), name=42, kind="SPAN_KIND_CLIENT", traceState=7, attributes=[{"key": 9, "value": {"stringValue": 3}}])]
    write(out, "numbers-and-strings.json", compact(request(mixed)))


def binary_cases(out, small):
    whole = proto_request(range(1, 4))
    write(out, "truncated.pb", whole[: len(whole) // 2])
    write(out, "length-2gb.pb", varint(1 << 3 | 2) + varint(2 << 30) + whole[:16])
    write(out, "wrong-wire-types.pb", varint(1 << 3 | 0) + varint(5) + varint(2 << 3 | 5) + b"\x00\x00\x00\x00")
    total = (1 << 20) if small else (1 << 30)
    head, tail = b'{"resourceSpans":[', (compact(request([span(1)]))[len('{"resourceSpans":['):]).encode()
    write_gzip_stream(out, "gzip-bomb-whitespace.json.gz",
                      [head] + [b" " * (1 << 20)] * (total >> 20) + [tail])
    lines = total >> 20
    pad = "p" * ((1 << 20) - 400)
    write_gzip_stream(out, "gzip-bomb-lines.jsonl.gz",
                      (compact(request([span(i + 1, padding=pad)])).encode() + b"\n" for i in range(lines)))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--small", action="store_true", help="make the big cases small (for tests)")
    p.add_argument("outdir")
    args = p.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    text_cases(args.outdir, args.small)
    size_cases(args.outdir, args.small)
    semantic_cases(args.outdir)
    binary_cases(args.outdir, args.small)


if __name__ == "__main__":
    main()
