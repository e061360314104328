import Foundation
import TraceModel
import XCTest

@testable import TraceFormats

/// `../shared/samples` beside the checkout (as CI has it), or nil to skip.
private let sharedSamples: String? = {
    let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    for dir in [
        checkout.deletingLastPathComponent().appendingPathComponent("shared/samples").path, "/work/shared/samples",
    ]
    where FileManager.default.fileExists(atPath: dir + "/README.md") {
        return dir + "/"
    }
    return nil
}()

private func sample(_ name: String) throws -> String {
    guard let dir = sharedSamples else { throw XCTSkip("../shared/samples not present") }
    return dir + name
}

private func load(_ path: String, into store: inout SpanStore) throws -> LoadResult {
    try TraceLoader.load(path: path, into: &store)
}

private func decode(_ text: String, formats: InputFormats = .files, into store: inout SpanStore) throws -> LoadResult {
    try TraceLoader.decode(bytes: Array(text.utf8), name: "x.json", formats: formats, into: &store)
}

private func span(_ store: SpanStore, _ id: SpanID, _ nth: Int = 0) -> Span {
    store.spans.filter { $0.spanID == id }[nth]
}

private func text(_ store: SpanStore, _ span: Span, _ key: String) -> String? {
    store.value(forKey: key, in: span.attributes).map { store.text($0) }
}

private func service(_ store: SpanStore, _ span: Span) -> String {
    store.string(store.resources[Int(span.resource)].serviceName)
}

private func keys(_ store: SpanStore, _ span: Span) -> [String] {
    store.attributes(of: span).map { store.string($0.key) }
}

final class JaegerJSONTests: XCTestCase {
    /// The UI's trace element: 5 spans (span 2 twice), CHILD_OF and FOLLOWS_FROM, typed tags, logs.
    func testJaegerUISample() throws {
        var store = SpanStore()
        let r = try load(try sample("jaeger-uimodel-ui_01.json"), into: &store)
        XCTAssertEqual(r.spans, 5)
        XCTAssertEqual(r.issues, [])
        XCTAssertEqual(store.spans.map(\.spanID), [2, 2, 3, 4, 5])
        XCTAssertTrue(store.spans.allSatisfy { $0.traceID == TraceID(high: 0, low: 1) })
        XCTAssertEqual(store.spans.map(\.parentSpanID), [0, 0, 2, 2, 4])
        XCTAssertEqual(
            store.spans.map { service(store, $0) }, ["service-x", "service-x", "service-y", "service-y", "service-y"])
        XCTAssertEqual(store.spans.map(\.startNanos), Array(repeating: 1_485_467_191_639_875_000, count: 5))
        XCTAssertEqual(store.spans.map(\.durationNanos), [5000, 5000, 5000, 5000, 4000])

        // Logs: the `event` field names the event, the others are its attributes.
        let first = store.spans[0]
        XCTAssertEqual(first.events.count, 2)
        let events = store.events[first.events.range]
        XCTAssertEqual(events.map { store.string($0.name) }, ["some-event", ""])
        XCTAssertEqual(events.map(\.timeNanos), [1_485_467_191_639_875_000, 1_485_467_191_639_875_000])
        XCTAssertEqual(events.map(\.attributes.count), [0, 1])
        XCTAssertEqual(store.value(forKey: "x", in: events.last!.attributes), .string(store.strings.lookup("y")!))

        // Typed tags; `error=true` is the status and is dropped.
        let tagged = store.spans[1]
        XCTAssertEqual(tagged.status, .error)
        XCTAssertEqual(keys(store, tagged), ["peer.service", "peer.ipv4", "temperature", "javascript_limit", "blob"])
        XCTAssertEqual(store.value(forKey: "peer.ipv4", in: tagged.attributes), .int(23456))
        XCTAssertEqual(store.value(forKey: "temperature", in: tagged.attributes), .double(72.5))
        XCTAssertEqual(store.value(forKey: "javascript_limit", in: tagged.attributes), .int(9_223_372_036_854_775_222))
        XCTAssertEqual(store.value(forKey: "blob", in: tagged.attributes), .bytes(store.strings.lookup("AAAwOQ==")!))

        // Span 4: parent 2 (CHILD_OF in the same trace); the other trace's CHILD_OF and the
        // FOLLOWS_FROM are links, tagged with their reference type.
        let referenced = span(store, 4)
        let links = store.links[referenced.links.range]
        XCTAssertEqual(links.map(\.traceID), [TraceID(high: 0, low: 0xff), TraceID(high: 0, low: 1)])
        XCTAssertEqual(links.map(\.spanID), [0xff, 2])
        XCTAssertEqual(
            links.map { store.text(store.value(forKey: "opentracing.ref_type", in: $0.attributes)!) },
            ["child_of", "follows_from"])
        XCTAssertEqual(text(store, referenced, "@jaeger@warnings"), #"["some span warning"]"#)
        XCTAssertEqual(span(store, 3).links.count, 0)
    }

    /// The legacy API envelope: `span.kind` and `otel.scope.name` become kind and scope.
    func testLegacyAPIAnswer() throws {
        var store = SpanStore()
        let r = try load(try sample("stores/jaeger-api-traces-legacy.json"), into: &store)
        XCTAssertEqual(r.spans, 2)
        let s = store.spans[0]
        XCTAssertEqual(s.traceID.hex, "83a9efd15c1c98a977e0711cc93ee28b")
        XCTAssertEqual(s.spanID, 0xe127_af99_e3b3_e074)
        XCTAssertEqual(s.parentSpanID, 0x9095_41b9_2cf0_5311)
        XCTAssertEqual(s.kind, .server)
        XCTAssertEqual(s.durationNanos, 123_000)
        XCTAssertEqual(service(store, s), "telemetrygen")
        XCTAssertEqual(store.string(store.scopes[Int(s.scope)].name), "telemetrygen")
        XCTAssertEqual(keys(store, s), ["net.peer.ip", "peer.service"])
    }

    /// Processes after the spans, GenAI tags, status from `otel.status_code`, `error=true` winning,
    /// a FOLLOWS_FROM parent when there is no CHILD_OF, ids without leading zeros.
    func testTraceMappedLikeJaegersTranslator() throws {
        let json = """
            {"data":[{"traceID":"abc","spans":[
              {"traceID":"abc","spanID":"1","operationName":"agent","startTime":1700000000000000,"duration":2000,
               "processID":"p1","tags":[{"key":"span.kind","type":"string","value":"server"},
               {"key":"otel.status_code","type":"string","value":"OK"}]},
              {"traceID":"abc","spanID":"2","operationName":"chat gpt-4o","startTime":1700000000000100,"duration":1500,
               "references":[{"refType":"CHILD_OF","traceID":"abc","spanID":"1"}],"processID":"p2",
               "tags":[{"key":"gen_ai.request.model","type":"string","value":"gpt-4o"},
               {"key":"gen_ai.usage.input_tokens","type":"int64","value":1200},
               {"key":"gen_ai.usage.output_tokens","type":"int64","value":"300"},
               {"key":"otel.status_code","type":"string","value":"OK"},{"key":"error","type":"bool","value":true},
               {"key":"otel.status_description","type":"string","value":"rate limited"}]},
              {"traceID":"abc","spanID":"3","operationName":"later","startTime":1700000000002000,"duration":5,
               "references":[{"refType":"FOLLOWS_FROM","traceID":"abc","spanID":"1"}],"processID":"p1",
               "tags":[{"key":"error","type":"bool","value":false}]}],
             "processes":{"p1":{"serviceName":"api","tags":[{"key":"host.name","type":"string","value":"h1"}]},
                          "p2":{"serviceName":"llm","tags":[]}}}],
             "total":0,"limit":0,"offset":0,"errors":null}
            """
        var store = SpanStore()
        XCTAssertEqual(try decode(json, into: &store).spans, 3)
        let (agent, chat, later) = (store.spans[0], store.spans[1], store.spans[2])
        XCTAssertEqual(agent.traceID.hex, "00000000000000000000000000000abc")
        XCTAssertEqual(agent.kind, .server)
        XCTAssertEqual(agent.status, .ok)
        XCTAssertEqual(keys(store, agent), [])
        XCTAssertEqual(service(store, agent), "api")
        XCTAssertEqual(
            store.value(forKey: "host.name", in: store.resources[Int(agent.resource)].attributes),
            .string(store.strings.lookup("h1")!))
        XCTAssertEqual(chat.parentSpanID, 1)
        XCTAssertEqual(service(store, chat), "llm")
        XCTAssertEqual(chat.status, .error)
        XCTAssertEqual(store.string(chat.statusMessage), "rate limited")
        XCTAssertEqual(store.value(forKey: "gen_ai.usage.input_tokens", in: chat.attributes), .int(1200))
        XCTAssertEqual(store.value(forKey: "gen_ai.usage.output_tokens", in: chat.attributes), .int(300))
        XCTAssertEqual(
            keys(store, chat), ["gen_ai.request.model", "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens"])
        XCTAssertEqual(chat.endNanos - chat.startNanos, 1_500_000)
        // FOLLOWS_FROM: the parent when there is no CHILD_OF, and a link all the same.
        XCTAssertEqual(later.parentSpanID, 1)
        XCTAssertEqual(later.links.count, 1)
        XCTAssertEqual(later.status, .unset)
        XCTAssertEqual(store.value(forKey: "error", in: later.attributes), .bool(false))
    }

    /// A bare span list with inline processes, and the deprecated `parentSpanID`.
    func testBareSpanListWithInlineProcess() throws {
        let json = """
            [{"traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"b7ad6b7169203331","parentSpanID":"00f067aa0ba902b7",
              "operationName":"GET /","startTime":1,"duration":2,"process":{"serviceName":"web","tags":[]}},
             {"traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"00f067aa0ba902b7","operationName":"root",
              "startTime":0,"duration":10,"processID":"p9"}]
            """
        var store = SpanStore()
        XCTAssertEqual(try decode(json, into: &store).spans, 2)
        XCTAssertEqual(store.spans[0].parentSpanID, 0x00f0_67aa_0ba9_02b7)
        XCTAssertEqual(service(store, store.spans[0]), "web")
        // A processID with no processes to look it up in: a resource without a service name.
        XCTAssertEqual(service(store, store.spans[1]), "")
    }

    func testEmptyAnswerAndAPIErrorsSayWhatTheyHold() throws {
        var store = SpanStore()
        let empty = try decode(#"{"data":[],"total":0,"limit":0,"offset":0,"errors":null}"#, into: &store)
        XCTAssertEqual(empty.spans, 0)
        XCTAssertEqual(empty.spanless, .jaegerWithoutSpans(errors: []))
        XCTAssertEqual(empty.spanless?.description, "a Jaeger answer without traces")
        let failed = try decode(#"{"data":null,"errors":[{"code":404,"msg":"trace not found"}]}"#, into: &store)
        XCTAssertEqual(failed.spanless?.description, "a Jaeger API error (404: trace not found)")
        let v3 = try decode(#"{"error":{"httpCode":400,"message":"malformed trace id"}}"#, into: &store)
        XCTAssertEqual(v3.spanless?.description, "a Jaeger API error (400: malformed trace id)")
    }

    /// A bad id in a span is an error at its byte; the same key in an object that is no span is not.
    func testBadIDsAreLocated() throws {
        var store = SpanStore()
        let r = try decode(
            """
            {"traceID":"xyz","spanID":"1","operationName":"a","startTime":1,"duration":1}
            {"traceID":"01","spanID":"2","operationName":"b","startTime":1,"duration":1}
            """, into: &store)
        XCTAssertEqual(r.spans, 1)
        XCTAssertEqual(
            r.issues.map(\.description),
            [#"x.json:1:12: invalid trace id "xyz" (expected up to 32 hex digits) (byte 11)"#])
        // Zipkin and Jaeger keys in an object that is no span (no trace id): neither format, no error.
        XCTAssertThrowsError(
            try decode(#"[{"id":"not-hex","name":"x","tags":["a"],"timestamp":"2025-01-01"}]"#, into: &store)
        ) { error in
            XCTAssertEqual(
                "\(error)",
                "x.json: no spans found: neither OTLP, Jaeger nor Zipkin JSON (top-level keys: id, name, tags, timestamp)"
            )
        }
    }

    func testNestingIsBounded() throws {
        var store = SpanStore()
        let deep = String(repeating: #"{"spans":["#, count: 20) + String(repeating: "]}", count: 20)
        let r = try decode(deep, into: &store)
        XCTAssertEqual(r.issues.first?.message, "Jaeger or Zipkin lists nested deeper than 8 levels")
    }

    /// The OTLP receivers take OTLP only: Jaeger JSON is named, not read.
    func testReceiverFormatsNameJaegerAndZipkin() throws {
        var store = SpanStore()
        XCTAssertThrowsError(
            try decode(#"{"data":[{"traceID":"1","spans":[]}]}"#, formats: .otlpJSON, into: &store)
        ) { error in
            guard case LoadError.foreignFormat(_, let format)? = error as? LoadError else { return XCTFail("\(error)") }
            XCTAssertEqual(format, .jaegerUI)
        }
        let zipkin =
            #"[{"traceId":"01","id":"02","name":"get","timestamp":1,"duration":5,"localEndpoint":{"serviceName":"z"}}]"#
        XCTAssertThrowsError(try decode(zipkin, formats: .otlpJSON, into: &store)) { error in
            guard case LoadError.foreignFormat(_, let format)? = error as? LoadError else { return XCTFail("\(error)") }
            XCTAssertEqual(format, .zipkin)
        }
        XCTAssertEqual(store.spans.count, 0)
    }
}

final class StoreAnswerTests: XCTestCase {
    /// Jaeger v1's gRPC gateway wrote a zero Go time as a uint64 past Int64.max: kept, clamped.
    func testJaegerGatewayAnswerWithUnsignedTimes() throws {
        var store = SpanStore()
        let r = try load(try sample("stores/jaeger-api-v3-traces-grpcgateway-2023.json"), into: &store)
        XCTAssertEqual(r.spans, 1)
        XCTAssertEqual(r.issues, [])
        XCTAssertEqual(store.spans[0].traceID.hex, "000000000000009600000000000000a0")
        XCTAssertEqual(store.spans[0].spanID, 0xb4)
        XCTAssertEqual(store.spans[0].startNanos, maxUnixNanos)
    }
}

final class ZipkinJSONTests: XCTestCase {
    func testMessagingSample() throws {
        var store = SpanStore()
        let r = try load(try sample("stores/zipkin-v2-trace-messaging.json"), into: &store)
        XCTAssertEqual(r.spans, 4)
        XCTAssertEqual(r.issues, [])
        XCTAssertTrue(store.spans.allSatisfy { $0.traceID.hex == "5aab74dbb904746bb33447baae403ed6" })
        XCTAssertEqual(store.spans.map(\.kind), [.consumer, .unspecified, .producer, .server])
        XCTAssertEqual(
            store.spans.map(\.parentSpanID),
            [0x05e3_ac9a_4f6e_3b90, 0xe457_b5a2_e4d8_6bd1, 0xb334_47ba_ae40_3ed6, 0])
        XCTAssertEqual(store.spans.map { service(store, $0) }, ["backend", "backend", "frontend", "frontend"])
        XCTAssertEqual(store.spans.map(\.durationNanos), [14_000, 371_000, 13_000, 2_839_000])
        XCTAssertEqual(store.spans[3].startNanos, 1_521_186_011_926_119_000)
        XCTAssertEqual(text(store, store.spans[0], "peer.service"), "rabbitmq")
        XCTAssertEqual(text(store, store.spans[0], "rabbit.queue"), "backend")
        XCTAssertEqual(text(store, store.spans[3], "net.peer.ip"), "::1")
        XCTAssertEqual(store.value(forKey: "net.peer.port", in: store.spans[3].attributes), .int(54602))
    }

    /// Shared spans: the server half of 7a778764a0d0b594 keeps its place under its client half.
    func testSharedServerSpansKeepBothHalves() throws {
        var store = SpanStore()
        let r = try load(try sample("stores/zipkin-v2-trace.json"), into: &store)
        XCTAssertEqual(r.spans, 16)
        XCTAssertEqual(Set(store.spans.map(\.spanID)).count, 16)
        let client = span(store, 0x7a77_8764_a0d0_b594)
        XCTAssertEqual(client.kind, .client)
        let server = span(store, sharedServerID(0x7a77_8764_a0d0_b594))
        XCTAssertEqual(server.kind, .server)
        XCTAssertEqual(server.parentSpanID, 0x7a77_8764_a0d0_b594)
        XCTAssertEqual(service(store, server), "spectre")
        XCTAssertEqual(text(store, server, "zipkin.span_id"), "7a778764a0d0b594")
        // The mobile_api server half (shared id f5f2…) holds the mobile_api spans whose parent is that
        // id, the client half of the spectre call among them.
        let mobileServer = sharedServerID(0xf5f2_6865_1b2a_2b34)
        XCTAssertEqual(span(store, mobileServer).parentSpanID, 0xf5f2_6865_1b2a_2b34)
        XCTAssertEqual(service(store, span(store, mobileServer)), "mobile_api")
        XCTAssertEqual(client.parentSpanID, mobileServer)
        XCTAssertEqual(span(store, 0x15fc_0392_7f0f_68df).parentSpanID, mobileServer)
        XCTAssertEqual(span(store, 0xf5f2_6865_1b2a_2b34).kind, .client)
        XCTAssertEqual(store.spans.reduce(0) { $0 + Int($1.events.count) }, 1)
    }

    func testSmartThingsSample() throws {
        var store = SpanStore()
        let r = try load(try sample("stores/zipkin-v2-trace-smartthings-oauth.json"), into: &store)
        XCTAssertEqual(r.spans, 175)
        XCTAssertEqual(r.issues, [])
        XCTAssertEqual(Set(store.spans.map(\.traceID)).count, 1)
        XCTAssertEqual(store.spans.filter { $0.durationNanos == 0 }.count, 19)
        XCTAssertEqual(store.spans.filter { $0.name == 0 }.count, 6)
    }

    /// Zipkin's search answer (a list of span lists), an `error` tag as the status message, and
    /// GenAI tags as the strings Zipkin keeps them in.
    func testSearchAnswerAndErrorTag() throws {
        let json = """
            [[{"traceId":"0000000000000001","id":"0000000000000001","name":"run","timestamp":1700000000000000,
               "duration":3000,"localEndpoint":{"serviceName":"agent"},
               "annotations":[{"timestamp":1700000000000500,"value":"retry"}]}],
             [{"traceId":"0000000000000002","id":"0000000000000003","parentId":"0000000000000009","name":"chat",
               "kind":"CLIENT","timestamp":1700000001000000,"duration":1000,"localEndpoint":{"serviceName":"agent"},
               "tags":{"error":"upstream 503","gen_ai.usage.input_tokens":"40","otel.scope.name":"openai"}}]]
            """
        var store = SpanStore()
        XCTAssertEqual(try decode(json, into: &store).spans, 2)
        let (run, chat) = (store.spans[0], store.spans[1])
        XCTAssertEqual(store.events[run.events.range].map { store.string($0.name) }, ["retry"])
        XCTAssertEqual(store.events[run.events.range].map(\.timeNanos), [1_700_000_000_000_500_000])
        XCTAssertEqual(chat.status, .error)
        XCTAssertEqual(store.string(chat.statusMessage), "upstream 503")
        XCTAssertEqual(chat.kind, .client)
        XCTAssertEqual(chat.parentSpanID, 9)
        XCTAssertEqual(store.string(store.scopes[Int(chat.scope)].name), "openai")
        XCTAssertEqual(keys(store, chat), ["gen_ai.usage.input_tokens"])
        XCTAssertEqual(run.resource, chat.resource)
    }

    func testGzipZipkin() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tracetui-zipkin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("trace.json.gz").path
        let json =
            #"[{"traceId":"01","id":"02","name":"get","timestamp":1,"duration":5,"localEndpoint":{"serviceName":"z"}}]"#
        try gzipped(Data(json.utf8)).write(to: URL(fileURLWithPath: path))
        var store = SpanStore()
        XCTAssertEqual(try load(path, into: &store).spans, 1)
        XCTAssertEqual(service(store, store.spans[0]), "z")
    }
}

// MARK: protobuf files

/// A small protobuf writer, independent of the decoder under test.
private func varint(_ value: UInt64) -> [UInt8] {
    var v = value
    var out: [UInt8] = []
    while v >= 0x80 {
        out.append(UInt8(v & 0x7F) | 0x80)
        v >>= 7
    }
    return out + [UInt8(v)]
}

private func field(_ number: UInt64, _ payload: [UInt8]) -> [UInt8] {
    varint(number << 3 | 2) + varint(UInt64(payload.count)) + payload
}

private func fixed64Field(_ number: UInt64, _ value: UInt64) -> [UInt8] {
    varint(number << 3 | 1) + (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
}

private func bigEndian(_ value: UInt64) -> [UInt8] {
    (0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
}

private func stringAttribute(_ key: String, _ value: String) -> [UInt8] {
    field(1, Array(key.utf8)) + field(2, field(1, Array(value.utf8)))
}

private func intAttribute(_ key: String, _ value: UInt64) -> [UInt8] {
    field(1, Array(key.utf8)) + field(2, varint(3 << 3) + varint(value))
}

/// An ExportTraceServiceRequest of one resource (`service`) with the spans given as (id, parent, name).
private func protobufRequest(service: String, spans: [(UInt64, UInt64, String)]) -> [UInt8] {
    var scopeSpans: [UInt8] = []
    for (id, parent, name) in spans {
        var s = field(1, bigEndian(1) + bigEndian(2)) + field(2, bigEndian(id))
        if parent != 0 { s += field(4, bigEndian(parent)) }
        s += field(5, Array(name.utf8)) + fixed64Field(7, 1_700_000_000_000_000_000 + id * 1000)
        s += fixed64Field(8, 1_700_000_000_000_000_000 + id * 1000 + 500)
        s += field(9, intAttribute("gen_ai.usage.input_tokens", 100 * id))
        scopeSpans += field(2, s)
    }
    let resource = field(1, field(1, stringAttribute("service.name", service)))
    return field(1, resource + field(2, scopeSpans))
}

private func gzipped(_ data: Data) throws -> Data {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/gzip")
    p.arguments = ["-c", "-n"]
    let input = Pipe()
    let output = Pipe()
    p.standardInput = input
    p.standardOutput = output
    try p.run()
    input.fileHandleForWriting.write(data)
    try input.fileHandleForWriting.close()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return out
}

final class ProtobufFileTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("tracetui-pb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    private func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    private let first = protobufRequest(service: "a", spans: [(1, 0, "root"), (2, 1, "chat")])
    private let second = protobufRequest(service: "b", spans: [(3, 1, "tool")])

    func testSingleRequest() throws {
        var store = SpanStore()
        let r = try load(try file("one.pb", first), into: &store)
        XCTAssertEqual(r.spans, 2)
        XCTAssertEqual(r.issues, [])
        XCTAssertEqual(store.spans.map(\.spanID), [1, 2])
        XCTAssertEqual(store.spans.map(\.parentSpanID), [0, 1])
        XCTAssertEqual(store.spans.map { store.string($0.name) }, ["root", "chat"])
        XCTAssertEqual(store.spans[1].durationNanos, 500)
        XCTAssertEqual(store.value(forKey: "gen_ai.usage.input_tokens", in: store.spans[1].attributes), .int(200))
        XCTAssertEqual(service(store, store.spans[0]), "a")
        XCTAssertEqual(store.sources, [dir.appendingPathComponent("one.pb").path])
    }

    /// A single request's `resourceSpans` fields are decoded one at a time: two of them are one file.
    func testRequestWithTwoResourceSpans() throws {
        var store = SpanStore()
        XCTAssertEqual(try load(try file("two.pb", first + second), into: &store).spans, 3)
        XCTAssertEqual(store.spans.map { service(store, $0) }, ["a", "a", "b"])
    }

    func testDelimitedStreamAndItsGzip() throws {
        let stream = varint(UInt64(first.count)) + first + varint(UInt64(second.count)) + second
        for (name, bytes) in [("s.pb", stream), ("s.pb.gz", Array(try gzipped(Data(stream))))] {
            var store = SpanStore()
            let r = try load(try file(name, bytes), into: &store)
            XCTAssertEqual(r.spans, 3, name)
            XCTAssertEqual(r.issues, [], name)
            XCTAssertEqual(store.spans.map { service(store, $0) }, ["a", "a", "b"], name)
        }
    }

    /// A request that does not decode is dropped whole, with its byte offset; the others are kept.
    func testBadRequestInAStreamIsSkipped() throws {
        let bad: [UInt8] = [0x0A, 0x05, 0x12, 0x03, 0x0A, 0x01]
        let stream =
            varint(UInt64(first.count)) + first + varint(UInt64(bad.count)) + bad + varint(UInt64(second.count))
            + second
        var store = SpanStore()
        let path = try file("bad.pb", stream)
        let r = try load(path, into: &store)
        XCTAssertEqual(r.spans, 3)
        XCTAssertEqual(store.spans.count, 3)
        let badStart = varint(UInt64(first.count)).count + first.count + 1
        XCTAssertEqual(
            r.issues.map(\.description),
            [
                "\(path): not OTLP protobuf: request 2: length 5 runs past the end of the message (4 bytes left) "
                    + "(byte \(badStart + 1)); skipped, the rest kept"
            ])
    }

    func testStreamCutShortKeepsTheRequestsBefore() throws {
        let stream = varint(UInt64(first.count)) + first + varint(UInt64(second.count)) + second.prefix(10)
        var store = SpanStore()
        let path = try file("cut.pb", Array(stream))
        let r = try load(path, into: &store)
        XCTAssertEqual(r.spans, 2)
        XCTAssertEqual(
            r.issues.map(\.description),
            [
                "\(path): not OTLP protobuf from byte \(varint(UInt64(first.count)).count + first.count): the input ends inside a "
                    + "\(1 + second.count)-byte request; kept the 2 spans before it"
            ])
    }

    func testBinaryThatIsNotProtobufCannotBeRead() throws {
        var store = SpanStore()
        let path = try file("junk.bin", [0x0A, 0xFF, 0xFF, 0xFF, 0x0F, 0x00])
        XCTAssertThrowsError(try load(path, into: &store)) { error in
            XCTAssertEqual(
                "\(error)",
                "\(path): cannot read: binary data, not OTLP protobuf: the input ends inside a 33554436-byte "
                    + "resourceSpans field (byte 0)")
        }
    }

    /// The first length of a request can read as `{`: its framing tells it from JSON.
    func testRequestWhoseLengthLooksLikeJSON() throws {
        let lengths = (1...120).map {
            protobufRequest(service: String(repeating: "s", count: $0), spans: [(1, 0, "r")])
        }
        let request = try XCTUnwrap(lengths.first { $0[1] == UInt8(ascii: "{") })
        var store = SpanStore()
        XCTAssertEqual(try load(try file("brace.pb", request), into: &store).spans, 1)
        let stream = try XCTUnwrap(lengths.first { $0.count == 0x7B })
        XCTAssertEqual(try load(try file("brace-stream.pb", [0x7B] + stream), into: &store).spans, 1)
    }

    func testReceiverFormatsRefuseBinary() {
        var store = SpanStore()
        XCTAssertThrowsError(
            try TraceLoader.decode(bytes: first, name: "p.bin", formats: .otlpJSON, into: &store)
        ) { error in
            guard case LoadError.foreignFormat(_, let format)? = error as? LoadError else { return XCTFail("\(error)") }
            XCTAssertEqual(format, .protobuf)
        }
    }
}
