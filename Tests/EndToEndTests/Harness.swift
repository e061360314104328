import Foundation
import XCTest

/// Runs the real `tracetui` binary: as a process for plain output, or inside tmux for the TUI.
enum Harness {
    /// The binary built beside the test bundle (same build directory).
    static var binary: String {
        let testBinary = URL(
            fileURLWithPath: CommandLine.arguments.first { $0.hasSuffix(".xctest") } ?? CommandLine.arguments[0])
        var dir = testBinary.deletingLastPathComponent()
        if dir.lastPathComponent == "MacOS" {
            dir = dir.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        }
        return dir.appendingPathComponent("tracetui").path
    }

    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func fixture(_ name: String) -> String {
        repoRoot.appendingPathComponent("Tests/EndToEndTests/Fixtures/\(name)").path
    }

    /// The shared samples beside the repository (`../shared/samples`), when present.
    static func sharedSample(_ name: String) -> String? {
        let path = repoRoot.deletingLastPathComponent().appendingPathComponent("shared/samples/\(name)").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    @discardableResult
    static func run(_ args: [String], stdin: Data? = nil, environment: [String: String] = [:]) throws -> Result {
        try run(binary, args, stdin: stdin, environment: environment)
    }

    /// Spawns with posix_spawn and waits with waitpid. Foundation's `Process` is not used: on Linux its
    /// wait never returns when the child leaves a daemon behind (the tmux server). Output goes to
    /// files, not pipes, for the same reason: the daemon would hold the pipe open.
    static func run(_ executable: String, _ args: [String], stdin: Data? = nil, environment: [String: String] = [:])
        throws -> Result
    {
        let dir = FileManager.default.temporaryDirectory.path
        let id = UUID().uuidString
        let inPath = "\(dir)/tracetui-e2e-\(id).in"
        let outPath = "\(dir)/tracetui-e2e-\(id).out"
        let errPath = "\(dir)/tracetui-e2e-\(id).err"
        _ = FileManager.default.createFile(atPath: inPath, contents: stdin ?? Data())
        defer { for p in [inPath, outPath, errPath] { try? FileManager.default.removeItem(atPath: p) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0)=\($1)" }
        let argv = ([executable] + args).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard rc == 0 else {
            throw NSError(
                domain: "spawn", code: Int(rc), userInfo: [NSLocalizedDescriptionKey: "cannot run \(executable)"])
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let o = FileManager.default.contents(atPath: outPath) ?? Data()
        let e = FileManager.default.contents(atPath: errPath) ?? Data()
        return Result(
            status: exit, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}

/// A tmux server of its own (own socket) running one command in a detached session.
final class TmuxSession {
    let socket = "tracetui-e2e-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let name = "e2e"

    init(command: String, width: Int, height: Int) throws {
        let r = try tmux(["new-session", "-d", "-s", name, "-x", String(width), "-y", String(height), command])
        guard r.status == 0 else { throw XCTSkip("tmux could not start: \(r.stderr)") }
    }

    deinit { _ = try? tmux(["kill-server"]) }

    @discardableResult
    func tmux(_ args: [String]) throws -> Harness.Result {
        try Harness.run("/usr/bin/tmux", ["-L", socket, "-f", "/dev/null"] + args)
    }

    func screen() throws -> String { try tmux(["capture-pane", "-p", "-t", name]).stdout }

    func send(_ keys: String...) throws { try tmux(["send-keys", "-t", name] + keys) }

    var isRunning: Bool { (try? tmux(["has-session", "-t", name]).status == 0) ?? false }

    /// Waits up to `timeout` for the command to end (its session closes with it); false if it did not.
    func waitForExit(timeout: TimeInterval = 5) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while isRunning && Date() < deadline { usleep(50_000) }
        return !isRunning
    }

    /// Polls the screen until `predicate` holds; fails with the last screen after `timeout`.
    func waitFor(
        _ what: String, timeout: TimeInterval = 10, file: StaticString = #filePath, line: UInt = #line,
        _ predicate: (String) -> Bool
    ) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if predicate(last) { return }
            usleep(50_000)
        }
        let sessions = (try? tmux(["list-sessions"]))
        XCTFail(
            "timed out waiting for \(what); sessions: \(sessions?.stdout ?? "") \(sessions?.stderr ?? ""); screen was:\n\(last)",
            file: file, line: line)
        throw XCTSkip("stopping after a failed wait")
    }

    func waitFor(text: String, timeout: TimeInterval = 10, file: StaticString = #filePath, line: UInt = #line) throws {
        try waitFor("\"\(text)\"", timeout: timeout, file: file, line: line) { $0.contains(text) }
    }
}
