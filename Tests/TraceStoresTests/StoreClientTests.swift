import Foundation
import NIOCore
import TraceFormats
import TraceModel
import XCTest

@testable import TraceStores

/// The parts of the store clients that need no server: settings, secrets kept out of messages, the
/// queries sent, the envelopes and answers read. The HTTP exchanges themselves are tested end to end
/// against a replaying server (`StoreEndToEndTests`).
final class StoreClientTests: XCTestCase {
    func testTheURLLosesItsCredentialsAndGivesBasicAuth() throws {
        let c = try StoreConnection(kind: .tempo, url: "https://ops:pa%40ss@tempo.example:3200/tempo/")
        XCTAssertEqual(c.baseURL, "https://tempo.example:3200/tempo")
        XCTAssertEqual(c.description, "Tempo at https://tempo.example:3200/tempo")
        XCTAssertEqual(c.basicAuth?.user, "ops")
        XCTAssertEqual(c.basicAuth?.password, "pa@ss")
        let flag = try StoreConnection(kind: .jaeger, url: "jaeger:16686", user: "me:x:y")
        XCTAssertEqual(flag.baseURL, "http://jaeger:16686")
        XCTAssertEqual(flag.basicAuth?.user, "me")
        XCTAssertEqual(flag.basicAuth?.password, "x:y")
    }

    func testHeadersFromTheEnvironmentThenTheFlags() throws {
        let c = try StoreConnection(
            kind: .tempo, url: "http://t", headers: ["X-Scope-OrgID: team-a"],
            environment: ["TRACETUI_HEADERS": "Authorization=Bearer%20abc, X-Extra: 1"])
        XCTAssertEqual(c.headers.map(\.name), ["Authorization", "X-Extra", "X-Scope-OrgID"])
        XCTAssertEqual(c.headers.map(\.value), ["Bearer abc", "1", "team-a"])
    }

    func testBadSettingsAreNamedWithoutTheirSecrets() {
        func message(_ make: () throws -> StoreConnection) -> String {
            do {
                _ = try make()
                return "no error"
            } catch { return String(describing: error) }
        }
        XCTAssertEqual(
            message { try StoreConnection(kind: .tempo, url: "ftp://u:secret@host") },
            "Tempo URL \"ftp://host\" is not an http(s) URL")
        XCTAssertEqual(
            message { try StoreConnection(kind: .tempo, url: "http://t", headers: ["Authorization Bearer secret"]) },
            "header \"Authorization\" has no ':' (write it as 'Name: value')")
        XCTAssertEqual(
            message { try StoreConnection(kind: .tempo, url: "http://t", headers: ["Bad Name: secret"]) },
            "header name \"Bad Name\" is not a valid HTTP header name")
        XCTAssertEqual(
            message {
                try StoreConnection(
                    kind: .tempo, url: "http://t", environment: ["TRACETUI_HEADERS": "Authorization Bearer secret"])
            }, "TRACETUI_HEADERS entry \"Authorization\" has no '=' (write Name=value)")
        XCTAssertEqual(
            message { try StoreConnection(kind: .tempo, url: "http://t", headers: ["X-Token: a\u{1b}b"]) },
            "the value of header X-Token holds a control character")
        XCTAssertEqual(
            message { try StoreConnection(kind: .tempo, url: "http://t", timeoutSeconds: 0) },
            "the timeout must be more than 0 seconds")
    }

    func testWithoutCredentials() {
        XCTAssertEqual(StoreConnection.withoutCredentials("http://a:b@h:1/p"), "http://h:1/p")
        XCTAssertEqual(StoreConnection.withoutCredentials("http://h/p@x"), "http://h/p@x")
        XCTAssertEqual(StoreConnection.withoutCredentials("h"), "h")
    }

    func testTheTraceQLBuiltFromTheFields() {
        var q = StoreQuery(startSeconds: 0, endSeconds: 60)
        XCTAssertEqual(TempoClient.traceQL(for: q), "{}")
        q.service = "check\"out"
        q.operation = "chat gpt-4o"
        q.attributes = [("app.feature", "refund")]
        q.minDurationNanos = 1_500_000_000
        XCTAssertEqual(
            TempoClient.traceQL(for: q),
            #"{ resource.service.name = "check\"out" && name = "chat gpt-4o" && .app.feature = "refund" && duration >= 1500000000ns }"#
        )
        q.traceQL = "{ status = error }"
        XCTAssertEqual(TempoClient.traceQL(for: q), "{ status = error }")
    }

    func testQueryComponentsArePercentEncoded() {
        XCTAssertEqual(StoreHTTP.encode(#"{ .a = "b c" }"#), "%7B%20.a%20%3D%20%22b%20c%22%20%7D")
        XCTAssertEqual(StoreHTTP.encode("é~_-."), "%C3%A9~_-.")
        XCTAssertEqual(JaegerClient.rfc3339(1_764_669_600), "2025-12-02T10:00:00Z")
        XCTAssertEqual(JaegerClient.jsonMap([("b", "2"), ("a", "1")]), #"{"a":"1","b":"2"}"#)
    }

    func testEnvelopes() {
        let said = Array(#"{"trace":{"resourceSpans":[]},"message":"limit reached"}"#.utf8)
        XCTAssertEqual(StoreEnvelope.read(said), StoreEnvelope(message: "limit reached"))
        let v3 = Array(#"{"error":{"httpCode":404,"message":"No traces found"}}"#.utf8)
        XCTAssertEqual(StoreEnvelope.read(v3), StoreEnvelope(errorCode: 404, errorMessage: "No traces found"))
        let legacy = Array(#"{"data":null,"total":0,"errors":[{"code":404,"msg":"trace not found"}]}"#.utf8)
        XCTAssertEqual(StoreEnvelope.read(legacy), StoreEnvelope(errorCode: 404, errorMessage: "trace not found"))
        XCTAssertEqual(StoreEnvelope.read(Array("404 page not found\n".utf8)), StoreEnvelope())
        XCTAssertEqual(StoreEnvelope.read(Array(#"{"status":"#.utf8)), StoreEnvelope())
    }

    /// Tempo v2's `status` and `message` are read by the loader beside the trace, in the same pass.
    func testAPartialTraceWarns() throws {
        let body =
            #"{"trace":{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"AAAAAAAAAAAAAAAAAAAAAQ==","spanId":"AAAAAAAAAAE=","name":"s"}]}]}]},"status":"PARTIAL","message":"trace exceeds max size"}"#
        let fetched = FetchedTrace(
            traceID: TraceID(hex: "1")!, storeName: "Tempo at http://t", body: ByteBuffer(string: body))
        var store = SpanStore()
        XCTAssertEqual(
            try fetched.decode(into: &store),
            ["Tempo at http://t returned only part of trace 00000000000000000000000000000001: trace exceeds max size"])
        XCTAssertEqual(store.spans.count, 1)
        let empty = FetchedTrace(
            traceID: TraceID(hex: "2")!, storeName: "Tempo at http://t", body: ByteBuffer(string: "{}"))
        XCTAssertThrowsError(try empty.decode(into: &store)) { error in
            XCTAssertEqual(
                "\(error)",
                "Tempo at http://t: trace 00000000000000000000000000000002 not found: an empty JSON object ({})")
        }
    }

    func testWhatAFailedAnswerSaid() {
        func said(_ status: Int, _ body: String) -> String {
            StoreHTTP.said(StoreAnswer(status: status, body: ByteBuffer(string: body)))
        }
        XCTAssertEqual(said(404, "404 page not found\n"), "")
        XCTAssertEqual(said(400, #"{"error":{"httpCode":400,"message":"malformed parameter"}}"#), "malformed parameter")
        XCTAssertEqual(said(500, "\n  internal error\nstack…"), "internal error")
    }

    /// Jaeger's search answer holds whole traces: each becomes one summary with its root, its span
    /// and first start to last end, newest first.
    func testSummariesOfWholeTraces() throws {
        let body = """
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},
             "scopeSpans":[{"spans":[
              {"traceId":"0000000000000000000000000000000a","spanId":"0000000000000002","parentSpanId":"0000000000000001",
               "name":"child","startTimeUnixNano":"2000","endTimeUnixNano":"9000"},
              {"traceId":"0000000000000000000000000000000a","spanId":"0000000000000001","name":"root",
               "startTimeUnixNano":"1000","endTimeUnixNano":"5000"},
              {"traceId":"0000000000000000000000000000000b","spanId":"0000000000000003","name":"later",
               "startTimeUnixNano":"7000","endTimeUnixNano":"7500"}]}]}]}
            """
        var store = SpanStore()
        _ = try TraceLoader.decode(bytes: Array(body.utf8), name: "answer", into: &store)
        let found = summaries(of: store) { store.string($0.name) != "root" }
        XCTAssertEqual(
            found,
            [
                TraceSummary(
                    traceID: TraceID(hex: "b")!, rootService: "api", rootName: "later", startNanos: 7000,
                    durationNanos: 500, matchedSpans: 1),
                TraceSummary(
                    traceID: TraceID(hex: "a")!, rootService: "api", rootName: "root", startNanos: 1000,
                    durationNanos: 8000, matchedSpans: 1),
            ])
    }

    func testTempoSearchAnswersFromTheDocs() async throws {
        guard let path = sharedSample("stores/tempo-api-search-by-tags.json") else {
            throw XCTSkip("no ../shared/samples")
        }
        let answer = StoreAnswer(
            status: 200, body: ByteBuffer(bytes: try Data(contentsOf: URL(fileURLWithPath: path))))
        let http = StoreHTTP(try StoreConnection(kind: .tempo, url: "http://t"))
        let decoded = Result { () throws(StoreError) in
            try http.decodeJSON(TempoSearchBody.self, answer, what: "answer")
        }
        await http.shutdown()
        let body = try decoded.get()
        XCTAssertEqual(body.traces?.map(\.traceID), ["d6e9329d67b6146a", "1b1ba462b409200d"])
        XCTAssertEqual(body.traces?.first?.startTimeUnixNano?.value, 1_634_727_903_545_000_000)
        XCTAssertEqual(body.traces?.first?.durationMs?.value, 611)
        XCTAssertNil(body.traces?.first?.spanSets)
    }

    private func sharedSample(_ name: String) -> String? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("shared/samples/\(name)").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }
}
