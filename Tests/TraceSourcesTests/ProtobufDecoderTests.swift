import Foundation
import OTLPProto
import SwiftProtobuf
import TraceFormats
import TraceModel
import XCTest

/// The protobuf decoder against requests encoded by swift-protobuf's generated types.
final class ProtobufDecoderTests: XCTestCase {
    func decode(_ request: PBRequest) throws -> (SpanStore, BatchDecodeResult) {
        var store = SpanStore()
        let r = try OTLPProtobuf.decode(Array(try request.serializedBytes() as [UInt8]), source: "test", into: &store)
        return (store, r)
    }

    func testEveryFieldAndValueKind() throws {
        var nested = Opentelemetry_Proto_Common_V1_KeyValueList()
        nested.values = [
            kv("inner", .intValue(-7)), kv("deep", .arrayValue(.with { $0.values = [.with { $0.stringValue = "x" }] })),
        ]
        var span = pbSpan(
            trace: traceA, span: "00f067aa0ba902b7", parent: "53995c3f42cd8ad8", name: "llm.generate",
            attributes: [
                kv("llm.model", .stringValue("gpt-4o")),
                kv("llm.input_tokens", .intValue(1200)),
                kv("llm.temperature", .doubleValue(0.25)),
                kv("llm.stream", .boolValue(true)),
                kv(
                    "llm.stop",
                    .arrayValue(.with { $0.values = [.with { $0.stringValue = "\n\n" }, .with { $0.intValue = 3 }] })),
                kv("llm.meta", .kvlistValue(nested)),
                kv("blob", .bytesValue(Data([0xde, 0xad, 0xbe, 0xef, 0x01]))),
            ])
        span.traceState = "vendor=1"
        span.flags = 0x101
        span.status.code = .error
        span.status.message = "boom"
        var event = Opentelemetry_Proto_Trace_V1_Span.Event()
        event.name = "exception"
        event.timeUnixNano = 1_500
        event.attributes = [kv("exception.type", .stringValue("Timeout"))]
        span.events = [event]
        var link = Opentelemetry_Proto_Trace_V1_Span.Link()
        link.traceID = bytes(hex: traceB)
        link.spanID = bytes(hex: "1111111111111111")
        link.attributes = [kv("link.kind", .stringValue("retry-of"))]
        span.links = [link]
        let (store, result) = try decode(pbRequest(service: "ai-service", spans: [span]))

        XCTAssertEqual(result, BatchDecodeResult(spans: 1, rejected: 0, rejectionMessage: nil))
        let s = try XCTUnwrap(store.spans.first)
        XCTAssertEqual(s.traceID.hex, traceA)
        XCTAssertEqual(spanIDHex(s.spanID), "00f067aa0ba902b7")
        XCTAssertEqual(spanIDHex(s.parentSpanID), "53995c3f42cd8ad8")
        XCTAssertEqual(store.string(s.name), "llm.generate")
        XCTAssertEqual(s.kind, .client)
        XCTAssertEqual(s.startNanos, 1_000)
        XCTAssertEqual(s.endNanos, 2_000)
        XCTAssertEqual(s.flags, 0x101)
        XCTAssertEqual(store.string(s.traceState), "vendor=1")
        XCTAssertEqual(s.status, .error)
        XCTAssertEqual(store.string(s.statusMessage), "boom")
        XCTAssertEqual(store.string(store.resources[Int(s.resource)].serviceName), "ai-service")
        XCTAssertEqual(store.string(store.scopes[Int(s.scope)].name), "lib")
        XCTAssertEqual(store.string(store.scopes[Int(s.scope)].version), "1.2")
        func text(_ key: String) -> String? { store.value(forKey: key, in: s.attributes).map { store.text($0) } }
        XCTAssertEqual(text("llm.model"), "gpt-4o")
        XCTAssertEqual(store.value(forKey: "llm.input_tokens", in: s.attributes), .int(1200))
        XCTAssertEqual(store.value(forKey: "llm.temperature", in: s.attributes), .double(0.25))
        XCTAssertEqual(store.value(forKey: "llm.stream", in: s.attributes), .bool(true))
        XCTAssertEqual(text("llm.stop"), "[\"\n\n\",3]")
        XCTAssertEqual(text("llm.meta"), "{\"inner\":-7,\"deep\":[\"x\"]}")
        XCTAssertEqual(text("blob"), "3q2+7wE=")
        XCTAssertEqual(store.events.count, 1)
        XCTAssertEqual(store.string(store.events[0].name), "exception")
        XCTAssertEqual(store.events[0].timeNanos, 1_500)
        XCTAssertEqual(
            store.value(forKey: "exception.type", in: store.events[0].attributes).map { store.text($0) }, "Timeout")
        XCTAssertEqual(store.links[0].traceID.hex, traceB)
        XCTAssertEqual(store.links[0].spanID, 0x1111_1111_1111_1111)
    }

    func testUnknownFieldsAreSkippedAndFieldOrderDoesNotMatter() throws {
        // A resource after its spans, unknown fields of every wire type, the old field 1000.
        var w: [UInt8] = []
        func varint(_ v: UInt64) {
            var v = v
            while v >= 0x80 {
                w.append(UInt8(v & 0x7f) | 0x80)
                v >>= 7
            }
            w.append(UInt8(v))
        }
        func field(_ n: UInt64, _ wire: UInt64) { varint(n << 3 | wire) }
        func bytesField(_ n: UInt64, _ b: [UInt8]) {
            field(n, 2)
            varint(UInt64(b.count))
            w.append(contentsOf: b)
        }
        func message(_ build: () -> Void) -> [UInt8] {
            let saved = w
            w = []
            build()
            let m = w
            w = saved
            return m
        }
        let span = message {
            bytesField(1, Array(bytes(hex: traceA)))
            bytesField(2, Array(bytes(hex: "00000000000000aa")))
            field(99, 0)
            varint(5)  // unknown varint
            field(98, 1)
            w += [UInt8](repeating: 1, count: 8)  // unknown fixed64
            field(97, 5)
            w += [1, 2, 3, 4]  // unknown fixed32
            bytesField(96, [1, 2, 3])  // unknown bytes
            field(95, 3)
            field(1, 0)
            varint(1)
            field(95, 4)  // a deprecated group
            bytesField(5, Array("old".utf8))
            field(6, 0)
            varint(42)  // unknown enum value
        }
        let libSpans = message {
            bytesField(1, message { bytesField(1, Array("old-lib".utf8)) })
            bytesField(2, span)
        }
        let resourceSpans = message {
            bytesField(1000, libSpans)
            bytesField(
                1,
                message {
                    bytesField(
                        1,
                        message {
                            bytesField(1, Array("service.name".utf8))
                            bytesField(2, message { bytesField(1, Array("late".utf8)) })
                        })
                })
        }
        let request = message {
            bytesField(1, resourceSpans)
            bytesField(2, [9, 9])
        }
        var store = SpanStore()
        let r = try OTLPProtobuf.decode(request, source: "t", into: &store)
        XCTAssertEqual(r.spans, 1)
        XCTAssertEqual(store.string(store.spans[0].name), "old")
        XCTAssertEqual(store.spans[0].kind, .unspecified)
        XCTAssertEqual(store.string(store.scopes[0].name), "old-lib")
        XCTAssertEqual(store.string(store.resources[0].serviceName), "late")
    }

    func testInvalidIDsAreRejectedNotStored() throws {
        let good = pbSpan(trace: traceA, span: "00000000000000a1", name: "good")
        let shortTrace = pbSpan(trace: "0af7651916cd43dd", span: "00000000000000a2", name: "short")
        let zeroSpan = pbSpan(trace: traceA, span: "0000000000000000", name: "zero")
        var noTrace = pbSpan(trace: traceA, span: "00000000000000a3", name: "none")
        noTrace.traceID = Data()
        let (store, r) = try decode(pbRequest(spans: [good, shortTrace, zeroSpan, noTrace]))
        XCTAssertEqual(store.spans.count, 1)
        XCTAssertEqual(r.spans, 1)
        XCTAssertEqual(r.rejected, 3)
        XCTAssertEqual(
            r.rejectionMessage,
            "1 span(s) with a trace id of 8 bytes (expected 16); 1 span(s) with an all-zero span id; 1 span(s) without a trace id"
        )
    }

    func testGarbageAndTruncationSayWhereAndWhat() throws {
        var store = SpanStore()
        XCTAssertThrowsError(try OTLPProtobuf.decode(Array("{\"resourceSpans\":[]}".utf8), source: "t", into: &store)) {
            e in
            XCTAssertTrue(String(describing: e).contains("(byte "), "\(e)")
        }
        let full: [UInt8] = try pbRequest(spans: [
            pbSpan(trace: traceA, span: "00000000000000a1", name: "a long enough name")
        ]).serializedBytes()
        XCTAssertThrowsError(try OTLPProtobuf.decode(Array(full.dropLast(5)), source: "t", into: &store)) { e in
            XCTAssertTrue(String(describing: e).contains("runs past the end of the message"), "\(e)")
        }
        // Broken deep inside: the error names the field path.
        var w = Wire()
        w.field(1) { rs in
            rs.field(2) { ss in
                ss.field(2) { span in
                    span.field(1, Array(bytes(hex: traceA)))
                    span.field(9) { attribute in
                        attribute.field(1, "k")
                        attribute.field(2, [0x0f])
                    }
                }
            }
        }
        XCTAssertThrowsError(try OTLPProtobuf.decode(w.bytes, source: "t", into: &store)) { e in
            XCTAssertEqual(
                String(describing: e),
                "resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value: invalid wire type 7 (byte 31)")
        }
        XCTAssertThrowsError(
            try OTLPProtobuf.decode(
                [0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], source: "t", into: &store))
        XCTAssertThrowsError(try OTLPProtobuf.decode([0x0f], source: "t", into: &store)) { e in
            XCTAssertTrue(String(describing: e).contains("invalid wire type 7"), "\(e)")
        }
    }

    func testEmptyRequestIsValid() throws {
        var store = SpanStore()
        XCTAssertEqual(try OTLPProtobuf.decode([], source: "t", into: &store), BatchDecodeResult())
    }

    /// What --record writes reads back as what was received.
    func testJSONLinesRoundTrip() throws {
        var span = pbSpan(
            trace: traceA, span: "00f067aa0ba902b7", parent: "53995c3f42cd8ad8", name: "q\"uote\\ and \u{1}",
            attributes: [
                kv("d", .doubleValue(.nan)), kv("inf", .doubleValue(-.infinity)), kv("f", .doubleValue(1e-7)),
                kv("i", .intValue(Int64.min)), kv("b", .bytesValue(Data([1, 2]))), kv("e", .stringValue("é ✓")),
                kv("kv", .kvlistValue(.with { $0.values = [kv("x", .boolValue(false))] })),
            ])
        span.status.code = .ok
        span.events = [
            .with {
                $0.name = "ev"
                $0.timeUnixNano = 7
            }
        ]
        let other = pbSpan(trace: traceB, span: "00000000000000b1", name: "other")
        var req = pbRequest(service: "one", spans: [span])
        req.resourceSpans.append(pbRequest(service: "two", scope: "s2", spans: [other]).resourceSpans[0])
        let (store, _) = try decode(req)
        var line = OTLPJSONEncoder.encodeLine(store)
        XCTAssertFalse(line.contains(0x0A))
        line.append(0x0A)
        var back = SpanStore()
        let r = try TraceLoader.decode(bytes: line + line, name: "rec", into: &back)
        XCTAssertEqual(r.issues, [])
        XCTAssertEqual(back.spans.count, 4)
        for (i, s) in store.spans.enumerated() {
            let b = back.spans[i]
            XCTAssertEqual(b.traceID, s.traceID)
            XCTAssertEqual(b.spanID, s.spanID)
            XCTAssertEqual(b.parentSpanID, s.parentSpanID)
            XCTAssertEqual(back.string(b.name), store.string(s.name))
            XCTAssertEqual(b.kind, s.kind)
            XCTAssertEqual(b.status, s.status)
            XCTAssertEqual(b.startNanos, s.startNanos)
            XCTAssertEqual(b.endNanos, s.endNanos)
            XCTAssertEqual(
                back.string(back.resources[Int(b.resource)].serviceName),
                store.string(store.resources[Int(s.resource)].serviceName))
            XCTAssertEqual(back.string(back.scopes[Int(b.scope)].name), store.string(store.scopes[Int(s.scope)].name))
            let attrs = store.attributes[s.attributes.range].map { store.string($0.key) + "=" + store.text($0.value) }
            let backAttrs = back.attributes[b.attributes.range].map { back.string($0.key) + "=" + back.text($0.value) }
            XCTAssertEqual(backAttrs, attrs)
        }
        XCTAssertEqual(back.events.count, 2)
    }

    func testMergeAndCompactKeepEverythingOfTheKeptSpans() throws {
        let (a, _) = try decode(
            pbRequest(
                service: "one",
                spans: [
                    pbSpan(
                        trace: traceA, span: "00000000000000a1", name: "a",
                        attributes: [kv("k", .stringValue("v"))])
                ]))
        let (b, _) = try decode(
            pbRequest(
                service: "two",
                spans: [
                    pbSpan(
                        trace: traceB, span: "00000000000000b1", name: "b",
                        attributes: [kv("k", .kvlistValue(.with { $0.values = [kv("n", .intValue(1))] }))])
                ]))
        var store = SpanStore()
        store.append(contentsOf: a)
        store.append(contentsOf: b)
        XCTAssertEqual(store.spans.map { store.string($0.name) }, ["a", "b"])
        XCTAssertEqual(store.sources, ["test"])
        let kept = store.compacted { store.spans[$0].traceID.hex == traceB }
        XCTAssertEqual(kept.spans.count, 1)
        XCTAssertEqual(kept.string(kept.resources[Int(kept.spans[0].resource)].serviceName), "two")
        XCTAssertEqual(kept.value(forKey: "k", in: kept.spans[0].attributes).map { kept.text($0) }, "{\"n\":1}")
        XCTAssertNil(kept.strings.lookup("one"), "strings only the evicted spans used are gone")
    }
}
