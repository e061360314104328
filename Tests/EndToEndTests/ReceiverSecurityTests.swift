import Foundation
import XCTest

/// `listen` with `--auth-token`, `--tls-cert`/`--tls-key`, and `--record` under a kill: the real binary,
/// the real OpenTelemetry Python exporters, curl.
final class ReceiverSecurityTests: XCTestCase {
    func testTLSAndABearerTokenOnBothReceivers() throws {
        try Live.requirePython()
        let (cert, key) = try Live.selfSignedCertificate(self)
        let token = "tok-\(UUID().uuidString)"
        let p = try BackgroundProcess(
            Harness.binary,
            [
                "listen", "--no-tui", "--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0", "--tls-cert", cert,
                "--tls-key", key, "--auth-token", token, "--status-interval", "0.5",
            ])
        let banner = try p.waitForStderr("the listening message") { $0.contains("listening on") }
        XCTAssertTrue(banner.contains("(over TLS, a bearer token required)"), banner)
        let grpc = try XCTUnwrap(Live.port("gRPC", in: banner))
        let http = try XCTUnwrap(Live.port("HTTP", in: banner))
        let secure = ["--cacert", cert, "--traces", "1"]
        let authorized = secure + ["--header", "authorization=Bearer \(token)"]
        for (proto, endpoint) in [("grpc", "localhost:\(grpc)"), ("http-protobuf", "https://localhost:\(http)")] {
            var r = try Live.send(["--protocol", proto, "--endpoint", endpoint] + authorized)
            XCTAssertEqual(r.status, 0, "\(proto) with the token: \(r.stderr)")
            r = try Live.send(["--protocol", proto, "--endpoint", endpoint] + secure + ["--seed", "2"])
            XCTAssertEqual(r.status, 1, "\(proto) without the token is refused")
        }
        // curl trusts the certificate and reads the clear 401.
        let curl = try Harness.run(
            "/usr/bin/curl",
            [
                "-s", "--cacert", cert, "-H", "Content-Type: application/json", "--data", "{}",
                "-w", "\n%{http_code}", "https://localhost:\(http)/v1/traces",
            ])
        XCTAssertTrue(curl.stdout.hasSuffix("\n401"), curl.stdout)
        XCTAssertTrue(curl.stdout.contains("missing or wrong bearer token"), curl.stdout)
        // Plain HTTP on the TLS port gets nowhere.
        let plain = try Harness.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "http://127.0.0.1:\(http)/v1/traces"])
        XCTAssertNotEqual(plain.status, 0)
        XCTAssertEqual(try p.stop(), 0)
        XCTAssertTrue(
            p.stderr.contains("tracetui: spans received 12 = stored 12 + evicted 0 + rejected 0 + refused 0\n"),
            p.stderr)
        XCTAssertTrue(p.stderr.contains("3 unauthorized requests"), p.stderr)
        XCTAssertFalse(p.stderr.contains(token), "the token is never printed")
    }

    func testANonLoopbackAddressWithoutATokenIsWarnedAbout() throws {
        let p = try BackgroundProcess(Harness.binary, ["listen", "--no-tui", "--no-grpc", "--http", "0.0.0.0:0"])
        _ = try p.waitForStderr("the listening message") { $0.contains("listening on") }
        XCTAssertEqual(try p.stop(), 0)
        XCTAssertTrue(
            p.stderr.hasPrefix(
                "tracetui: warning: 0.0.0.0:0 is reachable from other machines and anyone who can reach it can send spans; set --auth-token (or TRACETUI_AUTH_TOKEN)\n"
            ), p.stderr)
        setenv("TRACETUI_AUTH_TOKEN", "x", 1)
        defer { unsetenv("TRACETUI_AUTH_TOKEN") }
        let quiet = try BackgroundProcess(Harness.binary, ["listen", "--no-tui", "--no-grpc", "--http", "0.0.0.0:0"])
        _ = try quiet.waitForStderr("the listening message") { $0.contains("listening on") }
        XCTAssertEqual(try quiet.stop(), 0)
        XCTAssertFalse(quiet.stderr.contains("warning"), quiet.stderr)
        XCTAssertTrue(quiet.stderr.contains("(a bearer token required)"), quiet.stderr)
    }

    func testARecorderKilledMidStreamLeavesOnlyWholeLines() throws {
        try Live.requirePython()
        let record = Live.temp("killed.jsonl")
        defer { try? FileManager.default.removeItem(atPath: record) }
        let p = try BackgroundProcess(
            Harness.binary, ["listen", "--no-tui", "--no-grpc", "--http", "127.0.0.1:0", "--record", record])
        let banner = try p.waitForStderr("the listening message") { $0.contains("listening on") }
        let http = try XCTUnwrap(Live.port("HTTP", in: banner))
        let sender = try BackgroundProcess(
            Live.python,
            [
                Live.sender, "--protocol", "http-json", "--endpoint", "http://127.0.0.1:\(http)", "--duration", "20",
                "--batch", "50",
            ])
        defer { kill(sender.pid, SIGKILL) }
        let deadline = Date().addingTimeInterval(20)
        while (try? Data(contentsOf: URL(fileURLWithPath: record)).count) ?? 0 < 200_000 && Date() < deadline {
            usleep(20_000)
        }
        kill(p.pid, SIGKILL)
        XCTAssertEqual(try p.exitStatus(wait: true), 128 + SIGKILL)
        let data = try Data(contentsOf: URL(fileURLWithPath: record))
        XCTAssertGreaterThan(data.count, 200_000)
        var lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        lines.removeLast()  // empty after the last line break, or a line cut by the kill
        XCTAssertGreaterThan(lines.count, 5)
        for (n, line) in lines.enumerated() {
            XCTAssertNoThrow(try JSONSerialization.jsonObject(with: line), "line \(n + 1) of \(lines.count) is whole")
        }
        print(
            "killed recorder: \(data.count) bytes, \(lines.count) whole lines, ends with a line break: \(data.last == 0x0A)"
        )
    }
}
