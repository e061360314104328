import Foundation
import XCTest

/// A process left running in the background (posix_spawn, output to files), stopped by the test.
final class BackgroundProcess {
    let pid: pid_t
    let stderrPath: String
    private var exited: Int32?

    init(_ executable: String, _ args: [String]) throws {
        stderrPath = FileManager.default.temporaryDirectory.path + "/tracetui-bg-\(UUID().uuidString).err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([executable] + args).map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.map { strdup("\($0)=\($1)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var p: pid_t = 0
        let rc = posix_spawn(&p, executable, &actions, nil, argv, envp)
        guard rc == 0 else { throw NSError(domain: "spawn", code: Int(rc)) }
        pid = p
    }

    deinit {
        if exited == nil {
            kill(pid, SIGKILL)
            var s: Int32 = 0
            waitpid(pid, &s, 0)
        }
        try? FileManager.default.removeItem(atPath: stderrPath)
    }

    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Polls standard error until `predicate` holds.
    func waitForStderr(_ what: String, timeout: TimeInterval = 20, _ predicate: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let text = stderr
            if predicate(text) { return text }
            if let status = try? exitStatus(wait: false) {
                XCTFail("exited (\(status)) waiting for \(what): \(text)")
                throw XCTSkip("stopped")
            }
            usleep(50_000)
        }
        XCTFail("timed out waiting for \(what); stderr:\n\(stderr)")
        throw XCTSkip("stopped")
    }

    /// The exit status (128 + signal when killed); nil while running when not waiting.
    @discardableResult
    func exitStatus(wait: Bool) throws -> Int32? {
        if let e = exited { return e }
        var status: Int32 = 0
        let r = waitpid(pid, &status, wait ? 0 : WNOHANG)
        if r == 0 { return nil }
        let e = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        exited = e
        return e
    }

    func stop(timeout: TimeInterval = 15) throws -> Int32 {
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let e = try exitStatus(wait: false) { return e }
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        return try exitStatus(wait: true) ?? -1
    }
}

enum Live {
    static var python: String { Harness.repoRoot.appendingPathComponent(".venv-tests/bin/python").path }
    static var sender: String { Harness.repoRoot.appendingPathComponent("Tests/otlp-senders/send_workflow.py").path }

    static func requirePython() throws {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            XCTFail("no \(python): ./scripts/test.sh creates it with the OpenTelemetry Python SDK")
            throw XCTSkip("no OpenTelemetry SDK")
        }
    }

    static func send(_ args: [String]) throws -> Harness.Result {
        try Harness.run(python, [sender] + args)
    }

    /// `gRPC 127.0.0.1:PORT` / `HTTP 127.0.0.1:PORT` from the listening message.
    static func port(_ proto: String, in text: String) -> Int? {
        guard let r = text.range(of: "\(proto) 127.0.0.1:") else { return nil }
        return Int(text[r.upperBound...].prefix { $0.isNumber })
    }

    /// A self-signed certificate for 127.0.0.1 and localhost, made by the openssl command.
    static func selfSignedCertificate(_ test: XCTestCase) throws -> (cert: String, key: String) {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") else {
            throw XCTSkip("no /usr/bin/openssl")
        }
        let cert = Live.temp("cert.pem")
        let key = Live.temp("key.pem")
        let r = try Harness.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            ])
        XCTAssertEqual(r.status, 0, r.stderr)
        test.addTeardownBlock {
            for p in [cert, key] { try? FileManager.default.removeItem(atPath: p) }
        }
        return (cert, key)
    }

    static func temp(_ name: String) -> String {
        FileManager.default.temporaryDirectory.path + "/tracetui-live-\(UUID().uuidString)-\(name)"
    }
}

/// The real binary as an OTLP endpoint, fed by the real OpenTelemetry Python SDK.
final class LiveReceiveTests: XCTestCase {
    struct SentSpan: Decodable {
        var traceId: String
        var spanId: String
        var parentSpanId: String?
        var name: String
        var attributes: [String: AnyJSON]
    }

    enum AnyJSON: Decodable, Equatable {
        case string(String)
        case int(Int64)
        case double(Double)
        case bool(Bool)
        case array([AnyJSON])
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) {
                self = .bool(b)
            } else if let i = try? c.decode(Int64.self) {
                self = .int(i)
            } else if let d = try? c.decode(Double.self) {
                self = .double(d)
            } else if let s = try? c.decode(String.self) {
                self = .string(s)
            } else {
                self = .array(try c.decode([AnyJSON].self))
            }
        }
    }

    /// An OTLP JSON `AnyValue` as the recorded file holds it, in the manifest's terms.
    func value(_ v: [String: Any]) -> AnyJSON? {
        if let s = v["stringValue"] as? String { return .string(s) }
        if let b = v["boolValue"] as? Bool { return .bool(b) }
        if let i = v["intValue"] as? String { return Int64(i).map { .int($0) } }
        if let d = v["doubleValue"] as? Double { return .double(d) }
        if let a = v["arrayValue"] as? [String: Any] {
            return .array(((a["values"] as? [[String: Any]]) ?? []).compactMap { value($0) })
        }
        return nil
    }

    func testEverySpanFromTheSDKArrivesOnceInTheRightTreeOverGRPCHTTPProtobufGzipAndJSON() throws {
        try Live.requirePython()
        let record = Live.temp("record.jsonl")
        defer { try? FileManager.default.removeItem(atPath: record) }
        let p = try BackgroundProcess(
            Harness.binary,
            [
                "listen", "--no-tui", "--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0",
                "--record", record, "--status-interval", "0.5",
            ])
        let banner = try p.waitForStderr("the listening message") { $0.contains("listening on") }
        let grpc = try XCTUnwrap(Live.port("gRPC", in: banner))
        let http = try XCTUnwrap(Live.port("HTTP", in: banner))

        var manifest: [SentSpan] = []
        let runs: [(String, [String])] = [
            ("grpc", ["--protocol", "grpc", "--endpoint", "127.0.0.1:\(grpc)"]),
            ("grpc-gzip", ["--protocol", "grpc", "--gzip", "--endpoint", "127.0.0.1:\(grpc)"]),
            ("http-protobuf", ["--protocol", "http-protobuf", "--endpoint", "http://127.0.0.1:\(http)"]),
            (
                "http-protobuf-gzip",
                ["--protocol", "http-protobuf", "--gzip", "--endpoint", "http://127.0.0.1:\(http)"]
            ),
            ("http-json", ["--protocol", "http-json", "--endpoint", "http://127.0.0.1:\(http)"]),
        ]
        for (n, (name, args)) in runs.enumerated() {
            let path = Live.temp("\(name).json")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let r = try Live.send(
                args + ["--traces", "3", "--seed", String(n + 1), "--service", "svc-\(name)", "--manifest", path])
            XCTAssertEqual(r.status, 0, "\(name): \(r.stderr)")
            manifest += try JSONDecoder().decode([SentSpan].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        }
        XCTAssertEqual(manifest.count, 5 * 3 * 6)
        _ = try p.waitForStderr("all spans stored") { $0.contains("\(manifest.count) spans received · 15 traces held") }
        XCTAssertEqual(try p.stop(), 0)
        XCTAssertTrue(
            p.stderr.contains("tracetui: stopped; \(manifest.count) spans received · 15 traces held"), p.stderr)
        XCTAssertTrue(
            p.stderr.contains(
                "tracetui: spans received \(manifest.count) = stored \(manifest.count) + evicted 0 + rejected 0 + refused 0\n"
            ),
            p.stderr)

        // The recording, reopened by `tracetui view --json`: every span once, in its tree, with its facts.
        let view = try Harness.run(["view", "--json", record])
        XCTAssertEqual(view.status, 0, view.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(view.stdout.utf8)) as? [String: Any])
        let traces = try XCTUnwrap(report["traces"] as? [[String: Any]])
        XCTAssertEqual(traces.count, 15)
        var seen: [String: (parent: String?, node: [String: Any], service: String)] = [:]
        func walk(_ node: [String: Any], parent: String?, trace: String, service: String) {
            let id = trace + "/" + (node["spanId"] as! String)
            XCTAssertNil(seen[id], "span \(id) twice")
            seen[id] = (parent, node, service)
            for c in node["children"] as? [[String: Any]] ?? [] {
                walk(c, parent: node["spanId"] as? String, trace: trace, service: service)
            }
        }
        for t in traces {
            let roots = t["spans"] as! [[String: Any]]
            XCTAssertEqual(roots.count, 1, "one root per trace")
            for r in roots { walk(r, parent: nil, trace: t["traceId"] as! String, service: t["service"] as! String) }
        }
        XCTAssertEqual(seen.count, manifest.count)
        for s in manifest {
            guard let got = seen[s.traceId + "/" + s.spanId] else {
                XCTFail("span \(s.name) \(s.spanId) missing")
                continue
            }
            XCTAssertEqual(got.parent, s.parentSpanId, "\(s.name) sits under its parent")
            XCTAssertEqual(got.node["name"] as? String, s.name)
            XCTAssertNil(got.node["orphan"])
            if case .string(let model)? = s.attributes["llm.model"] {
                XCTAssertEqual(got.node["model"] as? String, model)
                if case .int(let tokens)? = s.attributes["llm.input_tokens"] {
                    XCTAssertEqual((got.node["inputTokens"] as? NSNumber)?.int64Value, tokens)
                }
                if case .string(let reason)? = s.attributes["llm.finish_reason"] {
                    XCTAssertEqual(got.node["finishReason"] as? String, reason)
                }
            }
            if s.name == "agent.tool_call" { XCTAssertEqual(got.node["status"] as? String, "error") }
        }

        // And the raw attributes, every one, as the SDK set them.
        var recorded: [String: [String: AnyJSON]] = [:]
        for line in try String(contentsOfFile: record, encoding: .utf8).split(separator: "\n") {
            let request = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            for rs in request["resourceSpans"] as! [[String: Any]] {
                for ss in rs["scopeSpans"] as! [[String: Any]] {
                    XCTAssertEqual((ss["scope"] as? [String: Any])?["name"] as? String, "tracetui.e2e")
                    for span in ss["spans"] as! [[String: Any]] {
                        var attrs: [String: AnyJSON] = [:]
                        for a in span["attributes"] as? [[String: Any]] ?? [] {
                            attrs[a["key"] as! String] = value(a["value"] as! [String: Any])
                        }
                        recorded[(span["traceId"] as! String) + "/" + (span["spanId"] as! String)] = attrs
                    }
                }
            }
        }
        XCTAssertEqual(recorded.count, manifest.count)
        for s in manifest {
            XCTAssertEqual(recorded[s.traceId + "/" + s.spanId], s.attributes, "attributes of \(s.name)")
        }
    }

    func testAPortInUseIsSaidClearly() throws {
        let first = try BackgroundProcess(
            Harness.binary, ["listen", "--no-tui", "--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0"])
        let banner = try first.waitForStderr("the listening message") { $0.contains("listening on") }
        let http = try XCTUnwrap(Live.port("HTTP", in: banner))
        let grpc = try XCTUnwrap(Live.port("gRPC", in: banner))
        var r = try Harness.run(["listen", "--no-tui", "--no-grpc", "--http", "127.0.0.1:\(http)"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(
            r.stderr,
            "tracetui: cannot listen for OTLP/HTTP on 127.0.0.1:\(http): the address is already in use (another collector or tracetui?); pick another with --http ADDR:PORT or turn HTTP off with --no-http\n"
        )
        r = try Harness.run(["listen", "--no-tui", "--no-http", "--grpc", "127.0.0.1:\(grpc)"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(
            r.stderr.hasPrefix(
                "tracetui: cannot listen for OTLP/gRPC on 127.0.0.1:\(grpc): the address is already in use"), r.stderr)
        XCTAssertEqual(try first.stop(), 0)
    }

    func testListenRefusesWithoutATerminalUnlessHeadless() throws {
        let r = try Harness.run(["listen", "--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("use --no-tui"), r.stderr)
    }
}

/// `tracetui listen` and `view --follow` in a real terminal, while spans arrive.
final class LiveTUITests: XCTestCase {
    func testTheTreeCompletesAsLateParentsArriveAndFoldsSurvive() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            throw XCTSkip("tmux is not installed")
        }
        try Live.requirePython()
        let t = try TmuxSession(
            command:
                "env LANG=C.UTF-8 TERM=xterm-256color NO_COLOR= \(Harness.binary) listen --grpc 127.0.0.1:0 --http 127.0.0.1:0",
            width: 120, height: 30)
        try t.waitFor(text: "listening on gRPC 127.0.0.1:")
        let http = try XCTUnwrap(Live.port("HTTP", in: try t.screen()))
        let base = "1764000000000000000"
        func burst(_ bursts: String) throws {
            let r = try Live.send([
                "--protocol", "http-protobuf", "--endpoint", "http://127.0.0.1:\(http)", "--traces", "1", "--seed", "7",
                "--order", "children-first", "--only-bursts", bursts, "--base-time", base,
            ])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        // The two model calls arrive first: their parents are not known yet.
        try burst("0,1")
        try t.waitFor(text: "1 traces · 2 spans")
        try t.waitFor(text: "▲ 2 spans received · 1 traces held")
        try t.send("Enter")
        try t.waitFor(text: "llm.generate")
        // The tool call and the plan: the plan adopts its model call.
        try burst("2,3")
        try t.waitFor("agent.plan to adopt its child") {
            $0.contains("▾ agent.plan") && $0.contains("└─· llm.generate")
        }
        // Fold the plan (first row).
        try t.send("g", "Enter")
        try t.waitFor(text: "▸ agent.plan [orphan] (+1)")
        // The synthesize step and the root: the tree completes under agent.workflow, the fold kept.
        try burst("4,5")
        try t.waitFor("the whole tree") {
            $0.contains("agent.workflow") && $0.contains("6 spans") && $0.contains("▾ agent.synthesize")
        }
        let screen = try t.screen()
        XCTAssertTrue(screen.contains("▸ agent.plan (+1)"), "the fold survived:\n\(screen)")
        XCTAssertTrue(screen.contains("▲ 6 spans received · 1 traces held"), screen)
        XCTAssertFalse(screen.contains("orphan"), screen)
        // q goes back to the (live) list; q again quits.
        try t.send("q")
        try t.waitFor(text: "tracetui · 1 traces · 6 spans")
        try t.send("q")
        let deadline = Date().addingTimeInterval(5)
        while t.isRunning && Date() < deadline { usleep(50_000) }
        XCTAssertFalse(t.isRunning, "tracetui did not quit")
    }

    func testFollowAppendsRotationsAndTruncations() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            throw XCTSkip("tmux is not installed")
        }
        let dir = Live.temp("follow")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/traces.jsonl"
        func line(_ trace: Int, _ name: String) -> String {
            #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"follow-svc"}}]},"scopeSpans":[{"scope":{},"spans":[{"traceId":"\#(String(format: "%032x", trace))","spanId":"00000000000000a1","parentSpanId":"","name":"\#(name)","startTimeUnixNano":"\#(1_764_000_000_000_000_000 + trace * 1_000_000_000)","endTimeUnixNano":"\#(1_764_000_000_500_000_000 + trace * 1_000_000_000)","status":{}}]}]}]}"#
                + "\n"
        }
        func append(_ text: String) {
            let h = FileHandle(forWritingAtPath: path)!
            h.seekToEndOfFile()
            h.write(Data(text.utf8))
            h.closeFile()
        }
        _ = FileManager.default.createFile(atPath: path, contents: Data(line(1, "run-one").utf8))
        let t = try TmuxSession(
            command: "env LANG=C.UTF-8 TERM=xterm-256color \(Harness.binary) view --follow \(path)", width: 120,
            height: 30)
        try t.waitFor(text: "1 traces · 1 spans")
        try t.waitFor(text: "run-one")

        // A line written in two parts shows once it is whole.
        let two = line(2, "run-two")
        let cut = two.index(two.startIndex, offsetBy: 80)
        append(String(two[..<cut]))
        usleep(400_000)
        XCTAssertFalse(try t.screen().contains("run-two"))
        append(String(two[cut...]))
        try t.waitFor(text: "2 traces · 2 spans")

        // Rotation: the file is moved away and a new one started.
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        _ = FileManager.default.createFile(atPath: path, contents: Data(line(3, "run-three").utf8))
        try t.waitFor(text: "3 traces · 3 spans")

        // Truncation: the file is emptied and written again.
        let h = FileHandle(forWritingAtPath: path)!
        h.truncateFile(atOffset: 0)
        h.closeFile()
        append(line(4, "run-four"))
        try t.waitFor(text: "4 traces · 4 spans")
        let screen = try t.screen()
        for name in ["run-one", "run-two", "run-three", "run-four"] { XCTAssertTrue(screen.contains(name), screen) }
        try t.send("q")
    }
}
