import Foundation
import TraceModel
import XCTest

@testable import TraceFormats

// MARK: helpers

private let trace1 = "0102030405060708090a0b0c0d0e0f10"
private let trace2 = "a0a0a0a0a0a0a0a0b0b0b0b0b0b0b0b0"

/// One OTLP span object as compact JSON.
private func spanJSON(
    trace: String = trace1, id: String, parent: String? = nil, name: String,
    start: Int64 = 1_000, end: Int64 = 2_000, attrs: String = "", extra: String = ""
) -> String {
    var s = #"{"traceId":"\#(trace)","spanId":"\#(id)","#
    if let parent { s += #""parentSpanId":"\#(parent)","# }
    s += #""name":"\#(name)","startTimeUnixNano":"\#(start)","endTimeUnixNano":"\#(end)""#
    if !attrs.isEmpty { s += #","attributes":[\#(attrs)]"# }
    if !extra.isEmpty { s += "," + extra }
    return s + "}"
}

/// A compact one-line ExportTraceServiceRequest holding `spans`.
private func request(_ spans: [String], service: String = "svc") -> String {
    #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"\#(service)"}}]},"scopeSpans":[{"scope":{"name":"lib","version":"1.0"},"spans":[\#(spans.joined(separator: ","))]}]}]}"#
}

private func decode(_ json: String, name: String = "x.json", into store: inout SpanStore) throws -> LoadResult {
    try TraceLoader.decode(bytes: Array(json.utf8), name: name, into: &store)
}

private func span(_ store: SpanStore, named name: String) -> Span? {
    store.spans.first { store.string($0.name) == name }
}

private func attr(_ store: SpanStore, _ span: Span, _ key: String) -> AttrValue? {
    store.value(forKey: key, in: span.attributes)
}

private func tempDir() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tracetui-formats-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// Gzips `data` with /bin/gzip (level 6) and returns the compressed bytes.
private func gzip(_ data: Data, in dir: URL) throws -> Data {
    let plain = dir.appendingPathComponent("plain-\(UUID().uuidString)")
    try data.write(to: plain)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/gzip")
    p.arguments = ["-c", "-n", plain.path]
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let out = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    XCTAssertEqual(p.terminationStatus, 0)
    return out
}

private let samples = "/work/shared/samples/"

final class OTLPShapeTests: XCTestCase {
    func testPrettySingleRequest() throws {
        let json = """
            {
              "resourceSpans": [
                {
                  "resource": {
                    "attributes": [
                      { "key": "service.name", "value": { "stringValue": "checkout" } },
                      { "key": "host.name", "value": { "stringValue": "h1" } }
                    ]
                  },
                  "scopeSpans": [
                    {
                      "scope": { "name": "my.lib", "version": "2.1.0" },
                      "spans": [
                        {
                          "traceId": "5B8EFFF798038103D269B633813FC60C",
                          "spanId": "EEE19B7EC3C1B174",
                          "parentSpanId": "",
                          "name": "GET /cart",
                          "kind": 2,
                          "startTimeUnixNano": "1544712660000000000",
                          "endTimeUnixNano": "1544712661000000000",
                          "attributes": [
                            { "key": "http.method", "value": { "stringValue": "GET" } },
                            { "key": "http.status_code", "value": { "intValue": "200" } }
                          ],
                          "events": [
                            { "timeUnixNano": "1544712660500000000", "name": "cache.miss",
                              "attributes": [ { "key": "k", "value": { "boolValue": true } } ] }
                          ],
                          "links": [
                            { "traceId": "0102030405060708090a0b0c0d0e0f10", "spanId": "a1b2c3d4e5f60718", "traceState": "x=1" }
                          ],
                          "status": { "code": 2, "message": "boom" }
                        },
                        {
                          "traceId": "5b8efff798038103d269b633813fc60c",
                          "spanId": "00000000000000aa",
                          "parentSpanId": "EEE19B7EC3C1B174",
                          "name": "db.query",
                          "kind": 3,
                          "startTimeUnixNano": "1544712660100000000",
                          "endTimeUnixNano": "1544712660300000000",
                          "status": {}
                        }
                      ]
                    }
                  ]
                }
              ]
            }
            """
        var store = SpanStore()
        let result = try decode(json, name: "pretty.json", into: &store)
        XCTAssertEqual(result.file, "pretty.json")
        XCTAssertEqual(result.spans, 2)
        XCTAssertEqual(result.skippedValues, 0)
        XCTAssertEqual(result.issues, [])
        XCTAssertEqual(store.spans.count, 2)
        XCTAssertEqual(store.sources, ["pretty.json"])

        let root = store.spans[0]
        XCTAssertEqual(root.traceID.hex, "5b8efff798038103d269b633813fc60c")
        XCTAssertEqual(root.traceID, TraceID(high: 0x5b8e_fff7_9803_8103, low: 0xd269_b633_813f_c60c))
        XCTAssertEqual(root.spanID, 0xEEE1_9B7E_C3C1_B174)
        XCTAssertEqual(root.parentSpanID, 0)
        XCTAssertEqual(store.string(root.name), "GET /cart")
        XCTAssertEqual(root.kind, .server)
        XCTAssertEqual(root.startNanos, 1_544_712_660_000_000_000)
        XCTAssertEqual(root.endNanos, 1_544_712_661_000_000_000)
        XCTAssertEqual(root.durationNanos, 1_000_000_000)
        XCTAssertEqual(root.status, .error)
        XCTAssertEqual(store.string(root.statusMessage), "boom")
        XCTAssertEqual(root.attributes.count, 2)
        XCTAssertEqual(attr(store, root, "http.method").map { store.text($0) }, "GET")
        XCTAssertEqual(attr(store, root, "http.status_code"), .int(200))
        XCTAssertEqual(store.string(store.resources[Int(root.resource)].serviceName), "checkout")
        XCTAssertEqual(store.string(store.scopes[Int(root.scope)].name), "my.lib")
        XCTAssertEqual(store.string(store.scopes[Int(root.scope)].version), "2.1.0")
        XCTAssertEqual(root.events.count, 1)
        let event = store.events[Int(root.events.start)]
        XCTAssertEqual(store.string(event.name), "cache.miss")
        XCTAssertEqual(event.timeNanos, 1_544_712_660_500_000_000)
        XCTAssertEqual(store.value(forKey: "k", in: event.attributes), .bool(true))
        XCTAssertEqual(root.links.count, 1)
        let link = store.links[Int(root.links.start)]
        XCTAssertEqual(link.traceID.hex, trace1)
        XCTAssertEqual(link.spanID, 0xa1b2_c3d4_e5f6_0718)
        XCTAssertEqual(store.string(link.traceState), "x=1")

        let child = store.spans[1]
        XCTAssertEqual(child.traceID, root.traceID)
        XCTAssertEqual(child.spanID, 0xaa)
        XCTAssertEqual(child.parentSpanID, 0xEEE1_9B7E_C3C1_B174)
        XCTAssertEqual(child.kind, .client)
        XCTAssertEqual(child.status, .unset)
        XCTAssertEqual(child.resource, root.resource)
    }

    func testJSONLinesSkipsMetricAndLogLines() throws {
        let lines = [
            request([spanJSON(id: "0000000000000001", name: "a")]),
            #"{"resourceMetrics":[{"resource":{},"scopeMetrics":[{"metrics":[{"name":"m","gauge":{"dataPoints":[{"asInt":"3"}]}}]}]}]}"#,
            #"{"resourceLogs":[{"resource":{},"scopeLogs":[{"logRecords":[{"body":{"stringValue":"hello {"}}]}]}]}"#,
            request([
                spanJSON(id: "0000000000000002", parent: "0000000000000001", name: "b"),
                spanJSON(id: "0000000000000003", parent: "0000000000000001", name: "c"),
            ]),
        ]
        var store = SpanStore()
        let result = try decode(lines.joined(separator: "\n") + "\n", name: "mixed.jsonl", into: &store)
        XCTAssertEqual(result.spans, 3)
        XCTAssertEqual(result.skippedValues, 2)
        XCTAssertEqual(result.issues, [])
        XCTAssertEqual(store.spans.map { store.string($0.name) }, ["a", "b", "c"])
    }

    func testOnlyMetricLinesIsNotAnErrorButSkipped() throws {
        var store = SpanStore()
        let result = try decode(#"{"resourceMetrics":[]}"# + "\n" + #"{"resourceLogs":[]}"#, into: &store)
        XCTAssertEqual(result.spans, 0)
        XCTAssertEqual(result.skippedValues, 2)
        XCTAssertEqual(result.issues, [])
    }

    func testOneTraceSplitAcrossLinesAndFiles() throws {
        var store = SpanStore()
        let line1 = request([spanJSON(id: "00000000000000a1", name: "root", start: 100, end: 900)], service: "front")
        let line2 = request(
            [spanJSON(id: "00000000000000a2", parent: "00000000000000a1", name: "child", start: 200, end: 300)],
            service: "back")
        let r1 = try decode(line1 + "\n" + line2 + "\n", name: "one.jsonl", into: &store)
        XCTAssertEqual(r1.spans, 2)
        // A third span of the same trace arrives in a second file.
        let r2 = try decode(
            request([
                spanJSON(id: "00000000000000a3", parent: "00000000000000a2", name: "grandchild", start: 210, end: 250)
            ]),
            name: "two.json", into: &store)
        XCTAssertEqual(r2.spans, 1)
        XCTAssertEqual(store.sources, ["one.jsonl", "two.json"])
        XCTAssertEqual(store.spans.map(\.source), [0, 0, 1])
        XCTAssertEqual(
            store.spans.map(\.traceID), [TraceID(hex: trace1)!, TraceID(hex: trace1)!, TraceID(hex: trace1)!])
        XCTAssertEqual(store.resources.count, 3)
        XCTAssertEqual(
            store.spans.map { store.string(store.resources[Int($0.resource)].serviceName) }, ["front", "back", "svc"])
    }

    /// A long load tells how far it has got every 65,536 spans: bytes decoded (the file's, or the
    /// inflated ones of a gzip file) and spans, both growing.
    func testProgressOfALongLoad() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let trace = "0af7651916cd43dd8448eb211c80319c"
        var lines = ""
        for batch in 0..<140 {
            let spans = (0..<1_000).map { i in
                #"{"traceId":"\#(trace)","spanId":"\#(String(format: "%016x", batch * 1_000 + i + 1))","name":"s","startTimeUnixNano":"1","endTimeUnixNano":"2"}"#
            }
            lines += request(spans) + "\n"
        }
        let data = Data(lines.utf8)
        for zipped in [false, true] {
            let path = dir.appendingPathComponent(zipped ? "spans.jsonl.gz" : "spans.jsonl").path
            try (zipped ? gzip(data, in: dir) : data).write(to: URL(fileURLWithPath: path))
            var seen: [LoadProgress] = []
            var store = SpanStore()
            let result = try TraceLoader.load(path: path, into: &store) { seen.append($0) }
            XCTAssertEqual(result.spans, 140_000)
            XCTAssertEqual(seen.map(\.spans), [65_536, 131_072])
            XCTAssertEqual(seen.map(\.inflated), [zipped, zipped])
            // Within the line of the span that made the count, of about 130 bytes a span.
            for p in seen {
                XCTAssertGreaterThan(p.bytes, p.spans * 120)
                XCTAssertLessThan(p.bytes, min(data.count, (p.spans + 1_000) * 140))
            }
        }
    }

    func testGzipRecognisedByContentDespiteJSONName() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let json =
            request([
                spanJSON(id: "0000000000000001", name: "zipped-a"),
                spanJSON(id: "0000000000000002", parent: "0000000000000001", name: "zipped-b"),
            ]) + "\n"
        let gz = try gzip(Data(json.utf8), in: dir)
        XCTAssertEqual(Array(gz.prefix(2)), [0x1f, 0x8b])
        let path = dir.appendingPathComponent("trace.json").path
        try gz.write(to: URL(fileURLWithPath: path))
        var store = SpanStore()
        let result = try TraceLoader.load(path: path, into: &store)
        XCTAssertEqual(result.file, path)
        XCTAssertEqual(result.spans, 2)
        XCTAssertEqual(result.issues, [])
        XCTAssertEqual(store.spans.map { store.string($0.name) }, ["zipped-a", "zipped-b"])
        XCTAssertEqual(store.sources, [path])
    }

    func testConcatenatedGzipMembers() throws {
        // Rotated files joined with `cat a.gz b.gz > all.gz`.
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try gzip(Data((request([spanJSON(id: "0000000000000001", name: "first")]) + "\n").utf8), in: dir)
        let b = try gzip(Data((request([spanJSON(id: "0000000000000002", name: "second")]) + "\n").utf8), in: dir)
        let path = dir.appendingPathComponent("all.jsonl.gz").path
        try (a + b).write(to: URL(fileURLWithPath: path))
        var store = SpanStore()
        let result = try TraceLoader.load(path: path, into: &store)
        XCTAssertEqual(result.spans, 2)
        XCTAssertEqual(store.spans.map { store.string($0.name) }, ["first", "second"])
    }

    func testTruncatedGzipIsUnreadable() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let gz = try gzip(
            Data(String(repeating: request([spanJSON(id: "0000000000000001", name: "x")]) + "\n", count: 50).utf8),
            in: dir)
        let path = dir.appendingPathComponent("cut.json.gz").path
        try gz.prefix(gz.count / 2).write(to: URL(fileURLWithPath: path))
        var store = SpanStore()
        XCTAssertThrowsError(try TraceLoader.load(path: path, into: &store)) { error in
            guard case LoadError.unreadable(let file, let reason)? = error as? LoadError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(file, path)
            XCTAssertTrue(reason.hasPrefix("truncated gzip data"), reason)
        }
    }

    func testSnakeCaseKeys() throws {
        let json =
            #"{"resource_spans":[{"resource":{"attributes":[{"key":"service.name","value":{"string_value":"snake"}}]},"scope_spans":[{"scope":{"name":"s"},"spans":[{"trace_id":"0102030405060708090a0b0c0d0e0f10","span_id":"00000000000000b2","parent_span_id":"00000000000000b1","name":"snaky","start_time_unix_nano":"5000","end_time_unix_nano":"7500","attributes":[{"key":"n","value":{"int_value":"7"}},{"key":"d","value":{"double_value":2.5}},{"key":"b","value":{"bool_value":true}}],"status":{"code":"STATUS_CODE_OK"}}]}]}]}"#
        var store = SpanStore()
        let result = try decode(json, into: &store)
        XCTAssertEqual(result.spans, 1)
        let s = store.spans[0]
        XCTAssertEqual(s.traceID.hex, trace1)
        XCTAssertEqual(s.spanID, 0xb2)
        XCTAssertEqual(s.parentSpanID, 0xb1)
        XCTAssertEqual(s.startNanos, 5000)
        XCTAssertEqual(s.endNanos, 7500)
        XCTAssertEqual(s.status, .ok)
        XCTAssertEqual(store.string(store.resources[Int(s.resource)].serviceName), "snake")
        XCTAssertEqual(attr(store, s, "n"), .int(7))
        XCTAssertEqual(attr(store, s, "d"), .double(2.5))
        XCTAssertEqual(attr(store, s, "b"), .bool(true))
    }

    func testEnumNames() throws {
        let spans = [
            spanJSON(
                id: "0000000000000001", name: "client",
                extra: #""kind":"SPAN_KIND_CLIENT","status":{"code":"STATUS_CODE_ERROR","message":"bad"}"#),
            spanJSON(
                id: "0000000000000002", name: "server",
                extra: #""kind":"SPAN_KIND_SERVER","status":{"code":"STATUS_CODE_OK"}"#),
            spanJSON(
                id: "0000000000000003", name: "internal",
                extra: #""kind":"SPAN_KIND_INTERNAL","status":{"code":"STATUS_CODE_UNSET"}"#),
            spanJSON(
                id: "0000000000000004", name: "producer", extra: #""kind":"SPAN_KIND_PRODUCER","status":{"code":1}"#),
            spanJSON(
                id: "0000000000000005", name: "consumer", extra: #""kind":"SPAN_KIND_CONSUMER","status":{"code":2}"#),
            spanJSON(id: "0000000000000006", name: "unspecified", extra: #""kind":"SPAN_KIND_UNSPECIFIED""#),
            spanJSON(id: "0000000000000007", name: "numeric", extra: #""kind":3"#),
        ]
        var store = SpanStore()
        _ = try decode(request(spans), into: &store)
        XCTAssertEqual(
            store.spans.map(\.kind), [.client, .server, .internal, .producer, .consumer, .unspecified, .client])
        XCTAssertEqual(store.spans.map(\.status), [.error, .ok, .unset, .ok, .error, .unset, .unset])
        XCTAssertEqual(store.string(store.spans[0].statusMessage), "bad")
    }

    func testBase64IDsEqualTheirHex() throws {
        // 5b8efff798038103d269b633813fc60c = W47/95gDgQPSabYzgT/GDA== (24 chars);
        // eee19b7ec3c1b174 = 7uGbfsPBsXQ= (12 chars); a1b2c3d4e5f60718 = obLD1OX2Bxg=.
        let hexLine = request([
            #"{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","parentSpanId":"a1b2c3d4e5f60718","name":"hex"}"#
        ])
        let b64Line = request([
            #"{"traceId":"W47/95gDgQPSabYzgT/GDA==","spanId":"7uGbfsPBsXQ=","parentSpanId":"obLD1OX2Bxg=","name":"b64"}"#
        ])
        var store = SpanStore()
        let r = try decode(hexLine + "\n" + b64Line, into: &store)
        XCTAssertEqual(r.spans, 2)
        XCTAssertEqual(r.issues, [])
        XCTAssertEqual(store.spans[1].traceID, store.spans[0].traceID)
        XCTAssertEqual(store.spans[1].spanID, store.spans[0].spanID)
        XCTAssertEqual(store.spans[1].parentSpanID, store.spans[0].parentSpanID)
        XCTAssertEqual(store.spans[1].traceID.hex, "5b8efff798038103d269b633813fc60c")
        XCTAssertEqual(store.spans[1].spanID, 0xeee1_9b7e_c3c1_b174)
        XCTAssertEqual(store.spans[1].parentSpanID, 0xa1b2_c3d4_e5f6_0718)
    }

    func testAllZeroParentIsRoot() throws {
        var store = SpanStore()
        _ = try decode(request([spanJSON(id: "0000000000000001", parent: "0000000000000000", name: "r")]), into: &store)
        XCTAssertEqual(store.spans[0].parentSpanID, 0)
    }

    /// Base64 ids may hold `/`, which a JSON writer may escape as `\/` (Foundation does; Go does not).
    func testBase64IDsWithEscapedSlashes() throws {
        var store = SpanStore()
        let span = #"{"traceId":"wrlUbg8CIPPtt\/HVy\/FRUA==","spanId":"8dXv\/tzaJvs=","name":"s"}"#
        let r = try decode(request([span]), into: &store)
        XCTAssertEqual(r.issues.map(\.message), [])
        XCTAssertEqual(store.spans[0].traceID.hex, "c2b9546e0f0220f3edb7f1d5cbf15150")
        XCTAssertEqual(spanIDHex(store.spans[0].spanID), "f1d5effedcda26fb")
    }

    func testInvalidTraceIDIsAnIssueWithLocation() throws {
        let line = request([#"{"traceId":"xyz","spanId":"0000000000000001","name":"bad"}"#])
        var store = SpanStore()
        let r = try decode(line, name: "bad.json", into: &store)
        XCTAssertEqual(r.spans, 0)
        XCTAssertEqual(r.issues.count, 1)
        // The id string's opening quote: offset of `"xyz"` in the line, 1-based column.
        let before = line.components(separatedBy: #""xyz""#)[0]
        XCTAssertEqual(r.issues[0].line, 1)
        XCTAssertEqual(r.issues[0].column, before.utf8.count + 1)  // the opening quote of "xyz"
        XCTAssertEqual(r.issues[0].message, #"invalid trace id "xyz" (expected 32 hex digits or base64)"#)
    }

    func testInt64AsNumberAndAsString() throws {
        let spans = [
            #"{"traceId":"\#(trace1)","spanId":"0000000000000001","name":"numbers","startTimeUnixNano":1700000000123456789,"endTimeUnixNano":1700000000987654321,"attributes":[{"key":"i","value":{"intValue":42}},{"key":"neg","value":{"intValue":-9000000000000000001}},{"key":"big","value":{"intValue":9223372036854775807}}]}"#,
            #"{"traceId":"\#(trace1)","spanId":"0000000000000002","name":"strings","startTimeUnixNano":"1700000000123456789","endTimeUnixNano":"1700000000987654321","attributes":[{"key":"i","value":{"intValue":"42"}},{"key":"neg","value":{"intValue":"-9000000000000000001"}},{"key":"big","value":{"intValue":"9223372036854775807"}}]}"#,
        ]
        var store = SpanStore()
        _ = try decode(request(spans), into: &store)
        for s in store.spans {
            XCTAssertEqual(s.startNanos, 1_700_000_000_123_456_789)
            XCTAssertEqual(s.endNanos, 1_700_000_000_987_654_321)
            XCTAssertEqual(attr(store, s, "i"), .int(42))
            XCTAssertEqual(attr(store, s, "neg"), .int(-9_000_000_000_000_000_001))
            XCTAssertEqual(attr(store, s, "big"), .int(Int64.max))
        }
    }

    func testDoubleValueSpecialStrings() throws {
        let attrs = [
            #"{"key":"nan","value":{"doubleValue":"NaN"}}"#,
            #"{"key":"inf","value":{"doubleValue":"Infinity"}}"#,
            #"{"key":"ninf","value":{"doubleValue":"-Infinity"}}"#,
            #"{"key":"num","value":{"doubleValue":0.125}}"#,
            #"{"key":"str","value":{"doubleValue":"1.5"}}"#,
            #"{"key":"whole","value":{"doubleValue":3}}"#,
        ].joined(separator: ",")
        var store = SpanStore()
        _ = try decode(request([spanJSON(id: "0000000000000001", name: "d", attrs: attrs)]), into: &store)
        let s = store.spans[0]
        guard case .double(let nan)? = attr(store, s, "nan") else { return XCTFail("nan not a double") }
        XCTAssertTrue(nan.isNaN)
        XCTAssertEqual(attr(store, s, "inf"), .double(.infinity))
        XCTAssertEqual(attr(store, s, "ninf"), .double(-.infinity))
        XCTAssertEqual(attr(store, s, "num"), .double(0.125))
        XCTAssertEqual(attr(store, s, "str"), .double(1.5))
        XCTAssertEqual(attr(store, s, "whole"), .double(3))
        XCTAssertEqual(store.text(attr(store, s, "nan")!), "NaN")
        XCTAssertEqual(store.text(attr(store, s, "inf")!), "Infinity")
        XCTAssertEqual(store.text(attr(store, s, "ninf")!), "-Infinity")
        XCTAssertEqual(store.text(attr(store, s, "num")!), "0.125")
    }

    func testInstrumentationLibrarySpans() throws {
        let json =
            #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"old"}}]},"instrumentationLibrarySpans":[{"instrumentationLibrary":{"name":"io.opentelemetry.old","version":"0.9"},"spans":[{"traceId":"\#(trace1)","spanId":"0000000000000001","name":"legacy","startTimeUnixNano":"10","endTimeUnixNano":"20"}]}]}]}"#
        var store = SpanStore()
        let r = try decode(json, into: &store)
        XCTAssertEqual(r.spans, 1)
        let s = store.spans[0]
        XCTAssertEqual(store.string(s.name), "legacy")
        XCTAssertEqual(store.string(store.scopes[Int(s.scope)].name), "io.opentelemetry.old")
        XCTAssertEqual(store.string(store.scopes[Int(s.scope)].version), "0.9")
        XCTAssertEqual(store.string(store.resources[Int(s.resource)].serviceName), "old")
    }

    func testBareResourceSpansPerLine() throws {
        let line1 =
            #"{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"py"}}]},"scopeSpans":[{"scope":{"name":"s"},"spans":[\#(spanJSON(id: "0000000000000001", name: "bare1"))]}]}"#
        // The resource may follow the spans.
        let line2 =
            #"{"scopeSpans":[{"spans":[\#(spanJSON(id: "0000000000000002", parent: "0000000000000001", name: "bare2"))]}],"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"late"}}]},"schemaUrl":"https://x"}"#
        var store = SpanStore()
        let r = try decode(line1 + "\n" + line2 + "\n", into: &store)
        XCTAssertEqual(r.spans, 2)
        XCTAssertEqual(r.issues, [])
        XCTAssertEqual(store.spans.map { store.string($0.name) }, ["bare1", "bare2"])
        XCTAssertEqual(store.spans.map { store.string(store.resources[Int($0.resource)].serviceName) }, ["py", "late"])
    }

    func testTempoBatchesWrapper() throws {
        let json =
            #"{"batches":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"tempo-svc"}}]},"scopeSpans":[{"spans":[{"traceId":"W47/95gDgQPSabYzgT/GDA==","spanId":"7uGbfsPBsXQ=","name":"from-tempo","kind":"SPAN_KIND_SERVER","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}"#
        var store = SpanStore()
        let r = try decode(json, into: &store)
        XCTAssertEqual(r.spans, 1)
        XCTAssertEqual(store.spans[0].traceID.hex, "5b8efff798038103d269b633813fc60c")
        XCTAssertEqual(store.spans[0].spanID, 0xeee1_9b7e_c3c1_b174)
        XCTAssertEqual(store.spans[0].kind, .server)
        XCTAssertEqual(store.string(store.resources[0].serviceName), "tempo-svc")
    }

    func testTempoV2TraceWrapper() throws {
        let json =
            #"{"trace":"# + request([spanJSON(id: "0000000000000001", name: "tempo-v2")])
            + #","status":"PARTIAL","message":"some blocks failed"}"#
        var store = SpanStore()
        let r = try decode(json, into: &store)
        XCTAssertEqual(r.spans, 1)
        XCTAssertEqual(store.string(store.spans[0].name), "tempo-v2")
    }

    func testJaegerV3ResultWrapper() throws {
        let json =
            #"{"result":"#
            + request([
                spanJSON(id: "0000000000000001", name: "jaeger-a"),
                spanJSON(id: "0000000000000002", name: "jaeger-b"),
            ]) + "}"
        var store = SpanStore()
        let r = try decode(json, into: &store)
        XCTAssertEqual(r.spans, 2)
        XCTAssertEqual(store.spans.map { store.string($0.name) }, ["jaeger-a", "jaeger-b"])
    }

    func testArrayOfRequests() throws {
        let json =
            "[\n" + request([spanJSON(id: "0000000000000001", name: "r1")]) + ",\n"
            + request([
                spanJSON(trace: trace2, id: "0000000000000002", name: "r2"),
                spanJSON(trace: trace2, id: "0000000000000003", name: "r3"),
            ]) + "\n]\n"
        var store = SpanStore()
        let r = try decode(json, into: &store)
        XCTAssertEqual(r.spans, 3)
        XCTAssertEqual(r.issues, [])
        XCTAssertEqual(store.spans.map { store.string($0.name) }, ["r1", "r2", "r3"])
        XCTAssertEqual(store.spans.map { $0.traceID.hex }, [trace1, trace2, trace2])
    }

    func testUnknownFieldsIgnoredAtEveryLevel() throws {
        let junk = #""zzUnknown":{"a":[1,2,{"b":"}]\"{"}],"c":null,"d":true,"e":-1.5e3}"#
        let json =
            #"{\#(junk),"resourceSpans":[{\#(junk),"resource":{\#(junk),"attributes":[{"key":"service.name",\#(junk),"value":{\#(junk),"stringValue":"u"}}],"droppedAttributesCount":0},"scopeSpans":[{\#(junk),"scope":{\#(junk),"name":"s"},"spans":[{\#(junk),"traceId":"\#(trace1)","spanId":"0000000000000001","name":"kept","droppedAttributesCount":3,"droppedEventsCount":0,"flags":257,"traceState":"k=v","events":[{\#(junk),"name":"e1"}],"status":{\#(junk),"code":1}}]}]}]}"#
        var store = SpanStore()
        let r = try decode(json, into: &store)
        XCTAssertEqual(r.spans, 1)
        XCTAssertEqual(r.issues, [])
        let s = store.spans[0]
        XCTAssertEqual(store.string(s.name), "kept")
        XCTAssertEqual(s.flags, 257)
        XCTAssertEqual(store.string(s.traceState), "k=v")
        XCTAssertEqual(s.status, .ok)
        XCTAssertEqual(s.events.count, 1)
        XCTAssertEqual(store.string(store.resources[0].serviceName), "u")
    }

    func testStringEscapes() throws {
        // caf\u00e9 = "café"; \ud83d\ude00 is the surrogate pair of U+1F600 😀.
        let name = #"caf\u00e9 \ud83d\ude00 \"q\" back\\slash\/ tab\tnl\n"#
        let attrs = #"{"key":"k\u00e9y","value":{"stringValue":"\u00e9\u4e2d\ud83d\ude00"}}"#
        var store = SpanStore()
        _ = try decode(request([spanJSON(id: "0000000000000001", name: name, attrs: attrs)]), into: &store)
        let s = store.spans[0]
        XCTAssertEqual(store.string(s.name), "café 😀 \"q\" back\\slash/ tab\tnl\n")
        XCTAssertEqual(attr(store, s, "kéy").map { store.text($0) }, "é中😀")
    }

    func testArrayAndKvlistValuesRender() throws {
        let attrs = [
            #"{"key":"arr","value":{"arrayValue":{"values":[{"stringValue":"a"},{"intValue":"1"},{"boolValue":true},{"doubleValue":2.5}]}}}"#,
            #"{"key":"map","value":{"kvlistValue":{"values":[{"key":"k","value":{"stringValue":"v"}},{"key":"n","value":{"intValue":2}},{"key":"inner","value":{"arrayValue":{"values":[{"stringValue":"x"},{"stringValue":"y"}]}}}]}}}"#,
            #"{"key":"emptyArr","value":{"arrayValue":{}}}"#,
            #"{"key":"empty","value":{}}"#,
            #"{"key":"bytes","value":{"bytesValue":"aGk="}}"#,
        ].joined(separator: ",")
        var store = SpanStore()
        _ = try decode(request([spanJSON(id: "0000000000000001", name: "v", attrs: attrs)]), into: &store)
        let s = store.spans[0]
        XCTAssertEqual(s.attributes.count, 5)
        XCTAssertEqual(store.text(attr(store, s, "arr")!), #"["a",1,true,2.5]"#)
        XCTAssertEqual(store.text(attr(store, s, "map")!), #"{"k":"v","n":2,"inner":["x","y"]}"#)
        XCTAssertEqual(store.text(attr(store, s, "emptyArr")!), "[]")
        XCTAssertEqual(attr(store, s, "empty"), .empty)
        XCTAssertEqual(store.text(attr(store, s, "empty")!), "")
        XCTAssertEqual(attr(store, s, "bytes").map { store.text($0) }, "aGk=")
        if case .array(_, let count)? = attr(store, s, "arr") {
            XCTAssertEqual(count, 4)
        } else {
            XCTFail("arr is not an array")
        }
        if case .kvlist(_, let count)? = attr(store, s, "map") {
            XCTAssertEqual(count, 3)
        } else {
            XCTFail("map is not a kvlist")
        }
    }
}

final class DecodeErrorTests: XCTestCase {
    func testBrokenSecondLineKeepsOtherLines() throws {
        let line1 = request([spanJSON(id: "0000000000000001", name: "one")])
        // Line 2 lacks the ':' after "name": the error is at the '"' of "two".
        let line2 =
            #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"\#(trace1)","spanId":"0000000000000002","name" "two"}]}]}]}"#
        let line3 = request([
            spanJSON(id: "0000000000000003", name: "three"), spanJSON(id: "0000000000000004", name: "four"),
        ])
        let text = [line1, line2, line3].joined(separator: "\n") + "\n"
        var store = SpanStore()
        let r = try decode(text, name: "broken.jsonl", into: &store)
        XCTAssertEqual(r.spans, 3)
        XCTAssertEqual(store.spans.map { store.string($0.name) }, ["one", "three", "four"])
        XCTAssertEqual(r.issues.count, 1)
        let issue = r.issues[0]
        // `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"` is 55 bytes, the id 32, then
        // `","spanId":"` 12, the id 16, `","name" ` 9 = 124 bytes before the '"' of "two": column 125.
        let prefix =
            #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"\#(trace1)","spanId":"0000000000000002","name" "#
        XCTAssertEqual(prefix.utf8.count, 124)
        XCTAssertEqual(issue.file, "broken.jsonl")
        XCTAssertEqual(issue.line, 2)
        XCTAssertEqual(issue.column, 125)
        XCTAssertEqual(issue.byteOffset, line1.utf8.count + 1 + 124)
        XCTAssertEqual(issue.message, "expected ':' after a key, found '\"'")
        XCTAssertEqual(
            issue.description,
            "broken.jsonl:2:125: expected ':' after a key, found '\"' (byte \(line1.utf8.count + 1 + 124))")
    }

    func testTruncatedMiddleLineDoesNotSwallowTheNextLine() throws {
        // A writer died mid-line, then appending resumed on a new line: the cut line ends after a
        // complete value, so a naive reader would read on into line 3.
        let line1 = request([spanJSON(id: "0000000000000001", name: "one")])
        let line2 = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"\#(trace1)","spanId":"0000000000000002""#
        let line3 = request([spanJSON(id: "0000000000000003", name: "three")])
        let text = [line1, line2, line3].joined(separator: "\n") + "\n"
        var store = SpanStore()
        let r = try decode(text, name: "cut.jsonl", into: &store)
        XCTAssertEqual(store.spans.map { store.string($0.name) }, ["one", "three"])
        XCTAssertEqual(r.spans, 2)
        XCTAssertEqual(r.issues.count, 1)
        XCTAssertEqual(r.issues[0].line, 2)
        // The line is cut after its last byte: column = length + 1.
        XCTAssertEqual(r.issues[0].column, line2.utf8.count + 1)
    }

    func testCutLineKeepsItsWholeSpansAndMakesNoPhantoms() throws {
        let line1 = request([spanJSON(id: "0000000000000001", name: "one")])
        // Line 2 holds one whole span, then is cut inside the second.
        let line2 =
            #"{"resourceSpans":[{"scopeSpans":[{"spans":["# + spanJSON(id: "0000000000000002", name: "two")
            + #",{"traceId":"\#(trace1)","#
        // Line 3 is cut right after `"spans":[`: read on, line 4 would look like a span object.
        let line3 = #"{"resourceSpans":[{"scopeSpans":[{"spans":["#
        let line4 = request([spanJSON(id: "0000000000000004", name: "four")])
        var store = SpanStore()
        let r = try decode(
            [line1, line2, line3, line4].joined(separator: "\n") + "\n", name: "cuts.jsonl", into: &store)
        XCTAssertEqual(store.spans.map { store.string($0.name) }, ["one", "two", "four"])
        XCTAssertEqual(r.spans, 3)
        XCTAssertEqual(r.issues.map(\.line), [2, 3])
        XCTAssertEqual(r.issues.map(\.column), [line2.utf8.count + 1, line3.utf8.count + 1])
    }

    func testTruncatedLastLine() throws {
        let line1 = request([spanJSON(id: "0000000000000001", name: "whole")])
        let full2 = request([spanJSON(id: "0000000000000002", name: "partial")])
        let line2 = String(full2.prefix(40))
        var store = SpanStore()
        let r = try decode(line1 + "\n" + line2, name: "tail.jsonl", into: &store)
        XCTAssertEqual(r.spans, 1)
        XCTAssertEqual(store.spans.map { store.string($0.name) }, ["whole"])
        XCTAssertEqual(
            r.issues.map(\.description),
            ["tail.jsonl: line 2 is cut short (the recording was interrupted?); kept the 1 line before it"])
        XCTAssertEqual(r.issues[0].byteOffset, line1.utf8.count + 1 + 40)
    }

    func testManyErrorsAreCapped() throws {
        let bad = #"{"resourceSpans":[}"#
        let text = Array(repeating: bad, count: 25).joined(separator: "\n")
        var store = SpanStore()
        let r = try decode(text, into: &store)
        XCTAssertEqual(r.spans, 0)
        XCTAssertEqual(r.issues.count, TraceLoader.maxIssuesPerFile + 1)
        XCTAssertEqual(r.issues.prefix(20).map(\.line), Array(1...20))
        XCTAssertEqual(r.issues.last?.message, "…and 5 more errors")
    }
}

final class FileAndSampleTests: XCTestCase {
    func testLangfuseSampleIsForeign() {
        var store = SpanStore()
        let path = samples + "langfuse-microsoft-agent-2025-12-17.trace.json"
        XCTAssertThrowsError(try TraceLoader.load(path: path, into: &store)) { error in
            guard case LoadError.foreignFormat(let file, let format)? = error as? LoadError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(file, path)
            XCTAssertEqual(format, .langfuse)
            XCTAssertTrue("\(error)".contains("this is a Langfuse trace export, not OTLP JSON"), "\(error)")
        }
        XCTAssertEqual(store.spans.count, 0)
    }

    func testUnknownJSONIsNamed() {
        var store = SpanStore()
        XCTAssertThrowsError(try decode(#"{"hello":1,"world":[2]}"#, name: "h.json", into: &store)) { error in
            guard case LoadError.unknownJSON(let file, let keys)? = error as? LoadError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(file, "h.json")
            XCTAssertEqual(keys, "hello, world")
            XCTAssertEqual(
                "\(error)",
                "h.json: no spans found: neither OTLP, Jaeger nor Zipkin JSON (top-level keys: hello, world)")
        }
        // The OTLP receiver's JSON bodies: OTLP only.
        XCTAssertThrowsError(
            try TraceLoader.decode(bytes: Array(#"{"hello":1}"#.utf8), name: "h", formats: .otlpJSON, into: &store)
        ) { error in
            guard case LoadError.notOTLP(_, let keys)? = error as? LoadError else { return XCTFail("\(error)") }
            XCTAssertEqual(keys, "hello")
        }
    }

    func testProtoExampleSample() throws {
        var store = SpanStore()
        let r = try TraceLoader.load(path: samples + "otlp-proto-examples-trace.json", into: &store)
        XCTAssertEqual(r.spans, 1)
        XCTAssertEqual(r.issues, [])
        let s = store.spans[0]
        XCTAssertEqual(s.traceID.hex, "5b8efff798038103d269b633813fc60c")
        XCTAssertEqual(s.spanID, 0xEEE1_9B7E_C3C1_B174)
        XCTAssertEqual(s.parentSpanID, 0xEEE1_9B7E_C3C1_B173)
        XCTAssertEqual(store.string(s.name), "I'm a server span")
        XCTAssertEqual(s.kind, .server)
        XCTAssertEqual(s.durationNanos, 1_000_000_000)
        XCTAssertEqual(store.string(store.resources[Int(s.resource)].serviceName), "my.service")
        XCTAssertEqual(store.string(store.scopes[Int(s.scope)].name), "my.library")
        XCTAssertEqual(
            store.value(forKey: "my.scope.attribute", in: store.scopes[Int(s.scope)].attributes).map { store.text($0) },
            "some scope attribute")
    }

    func testOtelTuiSampleSpanCount() throws {
        var store = SpanStore()
        let r = try TraceLoader.load(path: samples + "otel-tui-test_data.traces.jsonl", into: &store)
        XCTAssertEqual(r.spans, 547)
        XCTAssertEqual(r.skippedValues, 0)
        XCTAssertEqual(r.issues, [])
        XCTAssertEqual(store.spans.count, 547)
        XCTAssertEqual(Set(store.spans.map(\.traceID)).count, 141)
        XCTAssertEqual(Set(store.resources.map { store.string($0.serviceName) }).count, 8)
    }

    func testNonexistentFileIsUnreadable() {
        var store = SpanStore()
        let path = "/nonexistent-dir-\(UUID().uuidString)/t.json"
        XCTAssertThrowsError(try TraceLoader.load(path: path, into: &store)) { error in
            guard case LoadError.unreadable(let file, let reason)? = error as? LoadError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(file, path)
            XCTAssertEqual(reason, "No such file or directory")
        }
    }

    func testDirectoryIsUnreadable() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var store = SpanStore()
        XCTAssertThrowsError(try TraceLoader.load(path: dir.path, into: &store)) { error in
            guard case LoadError.unreadable(_, let reason)? = error as? LoadError else { return XCTFail("\(error)") }
            XCTAssertEqual(reason, "is a directory")
        }
    }

    func testZstdMagicIsForeign() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("trace.json.zst").path
        try Data([0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x00, 0x51, 0x00, 0x00]).write(to: URL(fileURLWithPath: path))
        var store = SpanStore()
        XCTAssertThrowsError(try TraceLoader.load(path: path, into: &store)) { error in
            guard case LoadError.foreignFormat(let file, let format)? = error as? LoadError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(file, path)
            XCTAssertEqual(format, .zstd)
        }
    }

    func testBinaryIsReadAsProtobuf() {
        var store = SpanStore()
        XCTAssertThrowsError(try TraceLoader.decode(bytes: [0x0a, 0x83, 0x01, 0x12], name: "p.bin", into: &store)) {
            error in
            XCTAssertEqual(
                "\(error)",
                "p.bin: cannot read: binary data, not OTLP protobuf: the input ends inside a 134-byte resourceSpans "
                    + "field (byte 0)")
        }
    }
}
