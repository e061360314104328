import Foundation
import XCTest

/// A stand-in trace store: `scripts/stores/replay_server.py` answering with the given routes (the real
/// bodies of ../shared/samples/stores/ and variations of them), logging every request it gets.
final class ReplayStore {
    let process: BackgroundProcess
    let url: String
    let logPath = Live.temp("requests.jsonl")
    private let routesPath = Live.temp("routes.json")

    init(_ routes: [[String: Any]], tls: (cert: String, key: String)? = nil) throws {
        try Live.requirePython()
        let data = try JSONSerialization.data(withJSONObject: ["routes": routes])
        _ = FileManager.default.createFile(atPath: routesPath, contents: data)
        var args = [Harness.repoRoot.appendingPathComponent("scripts/stores/replay_server.py").path, routesPath]
        args += ["--log", logPath]
        if let tls { args += ["--tls", tls.cert, tls.key] }
        process = try BackgroundProcess(Live.python, args)
        let text = try process.waitForStderr("the replay server") { $0.contains("listening on") }
        let port = Live.port("listening on", in: text) ?? 0
        url = (tls == nil ? "http" : "https") + "://127.0.0.1:\(port)"
    }

    deinit {
        for p in [logPath, routesPath] { try? FileManager.default.removeItem(atPath: p) }
    }

    /// The requests received, oldest first: path, query parameters, headers (names in lower case).
    var requests: [(path: String, query: [String: String], headers: [String: String])] {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return (
                o["path"] as? String ?? "", o["query"] as? [String: String] ?? [:],
                o["headers"] as? [String: String] ?? [:]
            )
        }
    }
}

final class StoreEndToEndTests: XCTestCase {
    static let sampleTrace = "c2b9546e0f0220f3edb7f1d5cbf15150"
    static let docsTrace = "5b8efff798038103d269b633813fc700"

    func stores(_ name: String) throws -> String {
        guard let path = Harness.sharedSample("stores/\(name)") else { throw XCTSkip("no ../shared/samples/stores") }
        return path
    }

    /// The bundled agent workflow as a store writes it: ids in base64 (Tempo), top-level key `key`,
    /// inside `wrapper` when given (`{"trace":…}` for Tempo v2).
    func storeBody(key: String = "resourceSpans", base64: Bool, wrapper: String? = nil, extra: [String: Any] = [:])
        throws -> String
    {
        let file = Harness.repoRoot.appendingPathComponent("sample-traces/agent-workflow.json")
        var request = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
        func recode(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                var out: [String: Any] = [:]
                for (k, v) in object {
                    if base64, ["traceId", "spanId", "parentSpanId"].contains(k), let hex = v as? String, !hex.isEmpty {
                        var bytes: [UInt8] = []
                        var i = hex.startIndex
                        while i < hex.endIndex {
                            let j = hex.index(i, offsetBy: 2)
                            bytes.append(UInt8(hex[i..<j], radix: 16)!)
                            i = j
                        }
                        out[k] = Data(bytes).base64EncodedString()
                    } else {
                        out[k] = recode(v)
                    }
                }
                return out
            }
            if let array = value as? [Any] { return array.map(recode) }
            return value
        }
        request = recode(request) as! [String: Any]
        var body: [String: Any] = [key: request["resourceSpans"]!]
        if let wrapper { body = [wrapper: body] }
        body.merge(extra) { $1 }
        return String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
    }

    func viewFileJSON() throws -> String {
        let r = try Harness.run([
            "view", "--json", Harness.repoRoot.appendingPathComponent("sample-traces/agent-workflow.json").path,
        ])
        XCTAssertEqual(r.status, 0, r.stderr)
        return r.stdout
    }

    // MARK: Tempo

    /// Tempo v2 (base64 ids in `{"trace":…}`) gives exactly the figures of the same trace read from a
    /// file; the request asks for the id padded to 32 digits, with the headers given.
    func testTempoV2TraceIsTheSameAsTheFile() throws {
        let store = try ReplayStore([
            ["path": "/api/v2/traces/\(Self.sampleTrace)", "body": try storeBody(base64: true, wrapper: "trace")]
        ])
        let r = try Harness.run(
            ["view", "--tempo", store.url, Self.sampleTrace, "--json", "--header", "X-Scope-OrgID: team-a"],
            environment: ["TRACETUI_HEADERS": "Authorization=Bearer%20tok"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr, "")
        XCTAssertEqual(r.stdout, try viewFileJSON())
        XCTAssertEqual(store.requests.map(\.path), ["/api/v2/traces/\(Self.sampleTrace)"])
        XCTAssertEqual(store.requests.first?.headers["x-scope-orgid"], "team-a")
        XCTAssertEqual(store.requests.first?.headers["authorization"], "Bearer tok")
    }

    /// A Tempo without v2 answers Go's "404 page not found"; the older route's `batches` are read.
    func testTempoWithoutV2FallsBackToTheOlderRoute() throws {
        let store = try ReplayStore([
            ["path": "/api/traces/\(Self.sampleTrace)", "body": try storeBody(key: "batches", base64: true)]
        ])
        let r = try Harness.run(["view", "--tempo", store.url, Self.sampleTrace, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, try viewFileJSON())
        XCTAssertEqual(
            store.requests.map(\.path), ["/api/v2/traces/\(Self.sampleTrace)", "/api/traces/\(Self.sampleTrace)"])
    }

    /// `PARTIAL` is shown with Tempo's message: a warning line, in --json too, and exit status 65.
    func testAPartialTraceSaysSo() throws {
        let body = try storeBody(
            base64: false, wrapper: "trace", extra: ["status": "PARTIAL", "message": "trace exceeds max size"])
        let store = try ReplayStore([["path": "/api/v2/traces/\(Self.sampleTrace)", "body": body]])
        let r = try Harness.run(["view", "--tempo", store.url, Self.sampleTrace, "--json"])
        let warning = "Tempo at \(store.url) returned only part of trace \(Self.sampleTrace): trace exceeds max size"
        XCTAssertEqual(r.status, 65)
        XCTAssertEqual(r.stderr, "tracetui: warning: \(warning)\n")
        XCTAssertTrue(r.stdout.contains("\"warnings\": [\n    \"\(warning)\"\n  ]"), r.stdout)
    }

    /// The bodies Tempo's docs and tests print: v2 and v1 trace by id, and jsonpb with typed attributes.
    func testTempoBodiesFromItsDocsAndTests() throws {
        let store = try ReplayStore([
            ["path": "/api/v2/traces/\(Self.docsTrace)", "file": try stores("tempo-api-v2-traces.json")],
            [
                "path": "/api/traces/0000000000000000000000000000beef", "file": try stores("tempo-api-traces-v1.json"),
            ],
            [
                "path": "/api/v2/traces/3149195ffb0bec05347b48efe8ecc1b0",
                "file": try stores("tempo-vulture-trace-jsonpb.json"),
            ],
        ])
        let v2 = try Harness.run(["view", "--tempo", store.url, Self.docsTrace, "--plain"])
        XCTAssertEqual(v2.status, 0, v2.stderr)
        XCTAssertEqual(
            v2.stdout,
            """
            trace 5b8efff798038103d269b633813fc700  my.service  2023-07-21 19:55:02 UTC  1 spans, 0 LLM calls, -
            SPAN          KIND   DURATION  TOKENS IN/OUT  COST  STATUS
            I am a span!  other    11m38s              -     -  unset


            """)
        // The v1 body holds the docs' trace, whatever id was asked for: what the store sent is shown.
        let v1 = try Harness.run(["view", "--tempo", store.url, "beef", "--json"])
        XCTAssertEqual(v1.status, 0, v1.stderr)
        XCTAssertTrue(v1.stdout.contains("\"traceId\": \"\(Self.docsTrace)\""), v1.stdout)
        let vulture = try Harness.run(["view", "--tempo", store.url, "3149195ffb0bec05347b48efe8ecc1b0", "--json"])
        XCTAssertEqual(vulture.status, 0, vulture.stderr)
        XCTAssertTrue(vulture.stdout.contains("\"spanCount\": 6,"), vulture.stdout)
    }

    /// `search --json`: the docs' TraceQL answer and a tags answer whose 16-digit ids are padded back
    /// to 32; the query parameters sent.
    func testTempoSearch() throws {
        let store = try ReplayStore([["path": "/api/search", "file": try stores("tempo-api-search.json")]])
        let r = try Harness.run([
            "search", "--tempo", store.url, #"{ resource.service.name = "my.service" }"#, "--start",
            "2023-09-14T19:00:00Z", "--end", "1694721600", "--limit", "5", "--spss", "2", "--json",
        ])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(
            r.stdout,
            """
            {
              "traces": [
                {
                  "traceId": "5b8efff798038103d269b633813fc700",
                  "rootService": "my.service",
                  "rootName": "I am a span!",
                  "startTime": "2023-09-14 19:10:25",
                  "durationMs": 10000,
                  "matchedSpans": 1
                }
              ],
              "warnings": []
            }

            """)
        let sent = try XCTUnwrap(store.requests.first)
        XCTAssertEqual(sent.path, "/api/search")
        XCTAssertEqual(
            sent.query,
            [
                "q": #"{ resource.service.name = "my.service" }"#, "start": "1694718000", "end": "1694721600",
                "limit": "5", "spss": "2",
            ])

        let tags = try ReplayStore([["path": "/api/search", "file": try stores("tempo-api-search-by-tags.json")]])
        let t = try Harness.run([
            "search", "--tempo", tags.url, "--service", "frontend", "--min-duration", "600ms", "--limit", "2", "--json",
        ])
        XCTAssertEqual(t.status, 0, t.stderr)
        XCTAssertTrue(t.stdout.contains("\"traceId\": \"0000000000000000d6e9329d67b6146a\""), t.stdout)
        XCTAssertTrue(t.stdout.contains("\"matchedSpans\": null"), t.stdout)
        XCTAssertTrue(
            t.stdout.contains(
                "\"warnings\": [\n    \"Tempo at \(tags.url) returned 2 traces, the limit: there may be more (raise --limit)\""
            ), t.stdout)
        XCTAssertEqual(
            tags.requests.first?.query["q"], #"{ resource.service.name = "frontend" && duration >= 600000000ns }"#)
    }

    // MARK: Jaeger

    /// v3's `result` wrapper (hex ids, numeric enums), the older grpc-gateway body (base64 ids), and a
    /// Jaeger without v3 answering the older /api/traces in its own JSON model.
    func testJaegerTraces() throws {
        let store = try ReplayStore([
            [
                "path": "/api/v3/traces/00000000000000000000000000000001",
                "file": try stores("jaeger-api-v3-traces.json"),
            ],
            [
                "path": "/api/v3/traces/000000000000009600000000000000a0",
                "file": try stores("jaeger-api-v3-traces-grpcgateway-2023.json"),
            ],
            [
                "path": "/api/v3/traces/00000000000000000000000000000404", "status": 404,
                "body": #"{"error":{"httpCode":404,"message":"trace not found"}}"#,
            ],
        ])
        let v3 = try Harness.run(["view", "--jaeger", store.url, "1", "--plain"])
        XCTAssertEqual(v3.status, 0, v3.stderr)
        XCTAssertTrue(v3.stdout.hasPrefix("trace 00000000000000000000000000000001"), v3.stdout)
        XCTAssertTrue(v3.stdout.contains("foobar  other       0ns              -     -  error"), v3.stdout)
        let old = try Harness.run(["view", "--jaeger", store.url, "9600000000000000a0", "--json"])
        XCTAssertEqual(old.status, 0, old.stderr)
        XCTAssertTrue(old.stdout.contains("\"traceId\": \"000000000000009600000000000000a0\""), old.stdout)
        XCTAssertTrue(old.stdout.contains("\"spanId\": \"00000000000000b4\""), old.stdout)
        let missing = try Harness.run(["view", "--jaeger", store.url, "404", "--json"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(
            missing.stderr, "tracetui: Jaeger at \(store.url): trace 00000000000000000000000000000404 not found\n")
        XCTAssertEqual(missing.stdout, "")

        let legacy = try ReplayStore([
            [
                "path": "/api/traces/83a9efd15c1c98a977e0711cc93ee28b",
                "file": try stores("jaeger-api-traces-legacy.json"),
            ]
        ])
        let l = try Harness.run(["view", "--jaeger", legacy.url, "83a9efd15c1c98a977e0711cc93ee28b", "--json"])
        XCTAssertEqual(l.status, 0, l.stderr)
        XCTAssertEqual(
            legacy.requests.map(\.path),
            ["/api/v3/traces/83a9efd15c1c98a977e0711cc93ee28b", "/api/traces/83a9efd15c1c98a977e0711cc93ee28b"])
        XCTAssertTrue(l.stdout.contains("\"traceId\": \"83a9efd15c1c98a977e0711cc93ee28b\""), l.stdout)
    }

    /// Jaeger v3 (`{"result":…}`, hex ids) gives exactly the figures of the same trace read from a file.
    func testJaegerV3TraceIsTheSameAsTheFile() throws {
        let store = try ReplayStore([
            ["path": "/api/v3/traces/\(Self.sampleTrace)", "body": try storeBody(base64: false, wrapper: "result")]
        ])
        let r = try Harness.run(["view", "--jaeger", store.url, Self.sampleTrace, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, try viewFileJSON())
        XCTAssertEqual(store.requests.map(\.path), ["/api/v3/traces/\(Self.sampleTrace)"])
    }

    /// v3 search: the parameters Jaeger's gateway reads, summaries worked out from the whole traces it
    /// answers with; a search without a service lists the services; "No traces found" is no trace.
    func testJaegerSearch() throws {
        let store = try ReplayStore([
            ["path": "/api/v3/traces", "file": try stores("jaeger-api-v3-traces-search.json")],
            ["path": "/api/v3/services", "file": try stores("jaeger-api-v3-services.json")],
        ])
        let r = try Harness.run([
            "search", "--jaeger", store.url, "--service", "foo", "--operation", "foobar", "--attr", "http.method=GET",
            "--min-duration", "1s", "--max-duration", "2s", "--start", "1700000000", "--end", "1700003600", "--json",
        ])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(
            r.stdout,
            """
            {
              "traces": [
                {
                  "traceId": "00000000000000000000000000000001",
                  "rootService": "",
                  "rootName": "foobar",
                  "startTime": "1970-01-01 00:00:00",
                  "durationMs": 0,
                  "matchedSpans": 0
                }
              ],
              "warnings": []
            }

            """)
        XCTAssertEqual(
            store.requests.first?.query,
            [
                "query.service_name": "foo", "query.operation_name": "foobar",
                "query.start_time_min": "2023-11-14T22:13:20Z", "query.start_time_max": "2023-11-14T23:13:20Z",
                "query.duration_min": "1000000000ns", "query.duration_max": "2000000000ns",
                "query.search_depth": "20", "query.attributes": #"{"http.method":"GET"}"#,
            ])
        let noService = try Harness.run(["search", "--jaeger", store.url, "--json"])
        XCTAssertEqual(noService.status, 1)
        XCTAssertEqual(noService.stderr, "tracetui: a Jaeger search needs a service: --service NAME (services: foo)\n")

        let none = try ReplayStore([
            [
                "path": "/api/v3/traces", "status": 404,
                "body": #"{"error":{"httpCode":404,"message":"No traces found"}}"#,
            ]
        ])
        let n = try Harness.run(["search", "--jaeger", none.url, "--service", "foo", "--json"])
        XCTAssertEqual(n.status, 0, n.stderr)
        XCTAssertEqual(n.stdout, "{\n  \"traces\": [],\n  \"warnings\": []\n}\n")
    }

    // MARK: failures

    /// Each failure is one line naming the store and what to do, exit status 1, nothing on stdout,
    /// and no secret in the line.
    func testFailuresAreOneClearLine() throws {
        let bad = try ReplayStore([
            [
                "path": "/api/v2/traces/00000000000000000000000000000500", "status": 500,
                "body": "internal error: disk full\n",
            ],
            ["path": "/api/v2/traces/00000000000000000000000000000510", "delay": 4, "body": "{}"],
            ["path": "/api/v2/traces/00000000000000000000000000000520", "drop": true],
            [
                "path": "/api/v2/traces/00000000000000000000000000000401", "require": ["Authorization": "Bearer right"],
                "body": "{}",
            ],
            [
                "path": "/api/search", "status": 400,
                "body": "invalid TraceQL query: parse error at line 1, col 3: syntax error\n",
            ],
        ])
        let secret = "pa55word-\(UUID().uuidString)"
        func view(_ id: String, _ extra: [String] = []) throws -> Harness.Result {
            try Harness.run(
                ["view", "--tempo", bad.url.replacingOccurrences(of: "://", with: "://ops:\(secret)@"), id, "--json"]
                    + ["--header", "Authorization: Bearer \(secret)", "--timeout", "1"] + extra)
        }
        let cases: [(String, String)] = [
            ("500", "HTTP 500: internal error: disk full"),
            ("510", "no answer within 1 s (raise it with --timeout)"),
            ("520", "the connection closed before the answer was complete"),
            ("401", "HTTP 401 unauthorized: Unauthorized (give credentials with --header or --user)"),
        ]
        for (id, said) in cases {
            let r = try view("00000000000000000000000000000" + id)
            XCTAssertEqual(r.status, 1, id)
            XCTAssertEqual(r.stderr, "tracetui: Tempo at \(bad.url): \(said)\n", id)
            XCTAssertEqual(r.stdout, "", id)
            XCTAssertFalse(r.stderr.contains(secret))
        }
        let search = try Harness.run(["search", "--tempo", bad.url, "{ bad", "--json"])
        XCTAssertEqual(search.status, 1)
        XCTAssertEqual(
            search.stderr,
            "tracetui: Tempo at \(bad.url): HTTP 400: invalid TraceQL query: parse error at line 1, col 3: syntax error\n"
        )

        // Nothing listens on the port a finished server had.
        let closedPort = try ReplayStore([])
        let url = closedPort.url
        _ = try closedPort.process.stop()
        let refused = try Harness.run(["view", "--tempo", url, "abc", "--json"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(
            refused.stderr, "tracetui: Tempo at \(url): connection refused (is the store running, on that port?)\n")
    }

    /// A self-signed store: refused with a line saying why, accepted with --insecure.
    func testTLS() throws {
        let certificate = try Live.selfSignedCertificate(self)
        let store = try ReplayStore(
            [["path": "/api/v2/traces/\(Self.sampleTrace)", "body": try storeBody(base64: true, wrapper: "trace")]],
            tls: certificate)
        let refused = try Harness.run(["view", "--tempo", store.url, Self.sampleTrace, "--json"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(
            refused.stderr,
            "tracetui: Tempo at \(store.url): TLS failed: the server's certificate is not trusted by the system's CA store (a self-signed test setup needs --insecure)\n"
        )
        let insecure = try Harness.run(["view", "--tempo", store.url, Self.sampleTrace, "--json", "--insecure"])
        XCTAssertEqual(insecure.status, 0, insecure.stderr)
        XCTAssertEqual(insecure.stdout, try viewFileJSON())
    }

    /// Without a store, a trace id is not a file: the line says how to fetch it.
    func testATraceIDWithoutAStore() throws {
        let r = try Harness.run(
            ["view", Self.sampleTrace, "--json"], environment: ["TEMPO_URL": "", "JAEGER_URL": ""])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(
            r.stderr,
            "tracetui: \(Self.sampleTrace): no such file; to fetch a trace id, give --tempo URL or --jaeger URL (or set TEMPO_URL or JAEGER_URL)\n"
        )
    }

    // MARK: the TUI

    /// A Jaeger search without a service opens on the form, its services ready to complete; the
    /// search then runs with the service chosen.
    func testJaegerSearchWithoutAServiceOpensTheForm() throws {
        let store = try ReplayStore([
            ["path": "/api/v3/services", "json": ["services": ["checkout", "frontend"]]],
            ["path": "/api/v3/traces", "file": try stores("jaeger-api-v3-traces-search.json")],
        ])
        let tmux = try TmuxSession(
            command: "env LANG=C.UTF-8 TERM=xterm-256color \(Harness.binary) search --jaeger \(store.url); sleep 30",
            width: 80, height: 24)
        try tmux.waitFor(text: "Search Jaeger at \(store.url)")
        try tmux.send("f")
        try tmux.waitFor(text: "Tab: frontend")
        try tmux.send("Tab", "Enter")
        try tmux.waitFor(text: "1 trace found")
        XCTAssertTrue(try tmux.screen().contains("foobar"))
        XCTAssertEqual(store.requests.last?.query["query.service_name"], "frontend")
    }

    /// search → the results list → Enter fetches and opens the trace → w saves it → q back to the
    /// list; a failing fetch is a message and the list stays.
    func testSearchOpenSaveAndBackInTheTerminal() throws {
        let store = try ReplayStore([
            ["path": "/api/search", "file": try stores("tempo-api-search-by-tags.json")],
            [
                "path": "/api/v2/traces/0000000000000000d6e9329d67b6146a",
                "body": try storeBody(base64: true, wrapper: "trace"),
            ],
            ["path": "/api/v2/traces/00000000000000001b1ba462b409200d", "status": 500, "body": "boom\n"],
        ])
        let dir = Live.temp("saved")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let tmux = try TmuxSession(
            command:
                "cd \(dir) && env LANG=C.UTF-8 TERM=xterm-256color TEMPO_URL=\(store.url) \(Harness.binary) search; sleep 30",
            width: 80, height: 24)
        try tmux.waitFor(text: "2 traces found")
        let list = try tmux.screen()
        XCTAssertTrue(list.hasPrefix("tracetui · Tempo at \(store.url) · 2 traces\n"), list)
        XCTAssertTrue(list.contains("10-20 11:05:03    611ms       - frontend         /cart"), list)
        try tmux.send("Enter")
        try tmux.waitFor(text: "trace c2b9546e0f02 · ai-service · 11 spans")
        try tmux.send("w")
        try tmux.waitFor(text: "saved trace-\(Self.sampleTrace).json (11 spans)")
        let saved = try Harness.run(["view", "--json", "\(dir)/trace-\(Self.sampleTrace).json"])
        XCTAssertEqual(saved.stdout, try viewFileJSON())
        try tmux.send("q")
        try tmux.waitFor(text: "START (UTC)")
        try tmux.send("j", "Enter")
        try tmux.waitFor(text: "HTTP 500: boom")
        XCTAssertTrue(try tmux.screen().contains("/cart"))
        try tmux.send("q")
        try tmux.waitFor("the command to end") { !$0.contains("START (UTC)") }
    }
}
