import Foundation
import XCTest

/// `tracetui view --json` on Jaeger JSON, Zipkin v2 JSON and OTLP protobuf files: the real samples,
/// and the fixture `two-traces.json` rewritten in each format, which must give the same figures as
/// the OTLP JSON. `Fixtures/two-traces.pb` is that fixture as an ExportTraceServiceRequest, encoded
/// by opentelemetry-proto's Python classes (as `fuzz/make-seeds.py` encodes the samples).
final class ForeignFormatsEndToEndTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("tracetui-formats-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    private func write(_ name: String, _ data: Data) throws -> String {
        let url = dir.appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }

    private func traces(_ path: String, status: Int32 = 0) throws -> [[String: Any]] {
        let r = try Harness.run(["view", "--json", path])
        XCTAssertEqual(r.status, status, r.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], r.stderr)
        return try XCTUnwrap(object["traces"] as? [[String: Any]])
    }

    /// The figures `view --json` gives per trace, in a form that compares.
    private func figures(_ traces: [[String: Any]]) -> [String] {
        traces.map { t in
            ["traceId", "rootName", "spanCount", "llmCalls", "inputTokens", "outputTokens", "errorCount", "costUSD"]
                .map { "\($0)=\(t[$0].map { "\($0)" } ?? "nil")" }.joined(separator: " ")
        }
    }

    private func otlpFixture() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: Harness.fixture("two-traces.json")))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func testJaegerSample() throws {
        guard let path = Harness.sharedSample("jaeger-uimodel-ui_01.json") else {
            throw XCTSkip("../shared/samples not present")
        }
        let t = try traces(path)
        XCTAssertEqual(t.count, 1)
        XCTAssertEqual(t[0]["traceId"] as? String, "00000000000000000000000000000001")
        XCTAssertEqual(t[0]["spanCount"] as? Int, 5)
        XCTAssertEqual(t[0]["errorCount"] as? Int, 1)
        // 3 and 4 under the first span 2 (its duplicate is a root of its own), 5 under 4.
        let roots = try XCTUnwrap(t[0]["spans"] as? [[String: Any]])
        XCTAssertEqual(roots.map { $0["spanId"] as? String }, ["0000000000000002", "0000000000000002"])
        let children =
            (roots[0]["children"] as? [[String: Any]] ?? []) + (roots[1]["children"] as? [[String: Any]] ?? [])
        XCTAssertEqual(children.map { $0["spanId"] as? String }, ["0000000000000003", "0000000000000004"])
        XCTAssertEqual(children.map { $0["service"] as? String }, ["service-y", "service-y"])
        let grandchild = try XCTUnwrap((children[1]["children"] as? [[String: Any]])?.first)
        XCTAssertEqual(grandchild["spanId"] as? String, "0000000000000005")
        XCTAssertEqual(grandchild["durationMs"] as? Double, 0.004)
    }

    func testZipkinSamples() throws {
        guard let messaging = Harness.sharedSample("stores/zipkin-v2-trace-messaging.json"),
            let yelp = Harness.sharedSample("stores/zipkin-v2-trace.json"),
            let smartthings = Harness.sharedSample("stores/zipkin-v2-trace-smartthings-oauth.json")
        else { throw XCTSkip("../shared/samples not present") }
        let m = try traces(messaging)
        XCTAssertEqual(m.count, 1)
        XCTAssertEqual(m[0]["spanCount"] as? Int, 4)
        XCTAssertEqual(m[0]["rootName"] as? String, "get /")
        XCTAssertEqual(m[0]["service"] as? String, "frontend")
        XCTAssertEqual(m[0]["durationMs"] as? Double, 3.357)  // first start to last end, past the root's 2.839
        let y = try traces(yelp)
        XCTAssertEqual(y.map { $0["spanCount"] as? Int }, [16])
        XCTAssertEqual(try traces(smartthings).map { $0["spanCount"] as? Int }, [175])
    }

    /// The fixture as Jaeger JSON, Zipkin JSON and OTLP protobuf (one request, a delimited stream, and
    /// that stream gzipped): the same traces, spans, calls, tokens, errors and cost as the OTLP JSON.
    func testEveryFormatGivesTheSameFigures() throws {
        let expected = figures(try traces(Harness.fixture("two-traces.json")))
        XCTAssertEqual(expected.count, 2)
        let otlp = try otlpFixture()
        let pb = try Data(contentsOf: URL(fileURLWithPath: Harness.fixture("two-traces.pb")))
        var stream = Data(varint(pb.count))
        stream.append(pb)
        let inputs = [
            ("jaeger.json", try ForeignFormats.jaeger(otlp)),
            ("zipkin.json", try ForeignFormats.zipkin(otlp)),
            ("request.pb", pb),
            ("stream.pb", stream),
            ("stream.pb.gz", try gzipped(stream)),
        ]
        for (name, data) in inputs {
            XCTAssertEqual(figures(try traces(try write(name, data))), expected, name)
        }
    }

    func testBadRequestInAProtobufStreamIsNamedAndTheRestShown() throws {
        let pb = try Data(contentsOf: URL(fileURLWithPath: Harness.fixture("two-traces.pb")))
        let bad = Data([0x0A, 0x05, 0x12, 0x03, 0x0A, 0x01])
        var stream = Data(varint(bad.count)) + bad
        stream += Data(varint(pb.count)) + pb
        let path = try write("bad.pb", stream)
        XCTAssertEqual(try traces(path, status: 65).count, 2)
        let r = try Harness.run(["view", "--plain", path])
        XCTAssertEqual(
            r.stderr,
            "tracetui: warning: \(path): not OTLP protobuf: request 1: length 5 runs past the end of the message "
                + "(4 bytes left) (byte 2); skipped, the rest kept\n")
    }

    func testJaegerAPIErrorSaysSo() throws {
        let path = try write(
            "missing.json", Data(#"{"data":null,"total":0,"errors":[{"code":404,"msg":"trace not found"}]}"#.utf8))
        let r = try Harness.run(["view", path])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "tracetui: \(path): a Jaeger API error (404: trace not found): no spans\n")
    }
}

private func varint(_ value: Int) -> [UInt8] {
    var v = UInt64(value)
    var out: [UInt8] = []
    while v >= 0x80 {
        out.append(UInt8(v & 0x7F) | 0x80)
        v >>= 7
    }
    return out + [UInt8(v)]
}

private func gzipped(_ data: Data) throws -> Data {
    let r = try Harness.run("/bin/sh", ["-c", "gzip -c -n | base64 -w0"], stdin: data)
    return try XCTUnwrap(Data(base64Encoded: r.stdout))
}

/// OTLP JSON rewritten in Jaeger's JSON model and as Zipkin v2 spans, the way the Jaeger and Zipkin
/// exporters of the OpenTelemetry SDKs map spans (times in µs; kind, status and scope as tags).
enum ForeignFormats {
    struct OTLPSpan {
        var span: [String: Any]
        var service: String
        var scope: [String: Any]
    }

    static func spans(_ otlp: [String: Any]) -> [OTLPSpan] {
        var out: [OTLPSpan] = []
        for rs in otlp["resourceSpans"] as? [[String: Any]] ?? [] {
            let attributes = (rs["resource"] as? [String: Any])?["attributes"] as? [[String: Any]] ?? []
            let service =
                attributes.first { $0["key"] as? String == "service.name" }
                .flatMap { ($0["value"] as? [String: Any])?["stringValue"] as? String } ?? ""
            for ss in rs["scopeSpans"] as? [[String: Any]] ?? [] {
                for span in ss["spans"] as? [[String: Any]] ?? [] {
                    out.append(OTLPSpan(span: span, service: service, scope: ss["scope"] as? [String: Any] ?? [:]))
                }
            }
        }
        return out
    }

    static func micros(_ nanos: Any?) -> Int64 { Int64("\(nanos ?? 0)").map { $0 / 1000 } ?? 0 }

    static let kinds = [1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"]

    /// (key, JSON type, value) of each attribute, plus kind, status and scope as the exporters write them.
    static func tags(_ s: OTLPSpan) -> [(String, String, Any)] {
        var tags: [(String, String, Any)] = []
        for a in s.span["attributes"] as? [[String: Any]] ?? [] {
            let v = a["value"] as? [String: Any] ?? [:]
            if let x = v["stringValue"] {
                tags.append((a["key"] as! String, "string", x))
            } else if let x = v["intValue"] {
                tags.append((a["key"] as! String, "int64", Int64("\(x)")!))
            } else if let x = v["doubleValue"] {
                tags.append((a["key"] as! String, "float64", x))
            }
        }
        if let kind = kinds[s.span["kind"] as? Int ?? 0] { tags.append(("span.kind", "string", kind)) }
        let status = s.span["status"] as? [String: Any] ?? [:]
        if status["code"] as? Int == 2 {
            tags.append(("otel.status_code", "string", "ERROR"))
            if let message = status["message"] { tags.append(("otel.status_description", "string", message)) }
        }
        if let name = s.scope["name"] { tags.append(("otel.scope.name", "string", name)) }
        return tags
    }

    static func jaeger(_ otlp: [String: Any]) throws -> Data {
        let all = spans(otlp)
        let services = Array(Set(all.map(\.service))).sorted()
        var traces: [[String: Any]] = []
        for traceID in Array(Set(all.map { $0.span["traceId"] as! String })).sorted() {
            let spans = all.filter { $0.span["traceId"] as? String == traceID }.map { s -> [String: Any] in
                let parent = s.span["parentSpanId"] as? String ?? ""
                return [
                    "traceID": traceID, "spanID": s.span["spanId"]!, "operationName": s.span["name"]!,
                    "references": parent.isEmpty
                        ? [] : [["refType": "CHILD_OF", "traceID": traceID, "spanID": parent]],
                    "startTime": micros(s.span["startTimeUnixNano"]),
                    "duration": micros(s.span["endTimeUnixNano"]) - micros(s.span["startTimeUnixNano"]),
                    "tags": tags(s).map { ["key": $0.0, "type": $0.1, "value": $0.2] },
                    "logs": [], "processID": "p\(services.firstIndex(of: s.service)!)",
                ]
            }
            var processes: [String: Any] = [:]
            for (i, name) in services.enumerated() { processes["p\(i)"] = ["serviceName": name, "tags": []] }
            traces.append(["traceID": traceID, "spans": spans, "processes": processes, "warnings": NSNull()])
        }
        return try JSONSerialization.data(withJSONObject: ["data": traces, "total": 0, "errors": NSNull()])
    }

    static func zipkin(_ otlp: [String: Any]) throws -> Data {
        let list = spans(otlp).map { s -> [String: Any] in
            var span: [String: Any] = [
                "traceId": s.span["traceId"]!, "id": s.span["spanId"]!, "name": s.span["name"]!,
                "timestamp": micros(s.span["startTimeUnixNano"]),
                "duration": micros(s.span["endTimeUnixNano"]) - micros(s.span["startTimeUnixNano"]),
                "localEndpoint": ["serviceName": s.service],
            ]
            if let parent = s.span["parentSpanId"] as? String, !parent.isEmpty { span["parentId"] = parent }
            var tags: [String: String] = [:]
            for (key, _, value) in self.tags(s) where key != "span.kind" { tags[key] = "\(value)" }
            if let kind = kinds[s.span["kind"] as? Int ?? 0], kind != "internal" { span["kind"] = kind.uppercased() }
            span["tags"] = tags
            return span
        }
        return try JSONSerialization.data(withJSONObject: list)
    }
}
