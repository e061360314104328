import ArgumentParser
import Foundation
import TerminalBackend
import TraceAnalysis
import TraceModel
import TraceSources
import TraceUI

struct ListenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Be the OTLP endpoint: receive spans over gRPC and HTTP and watch them arrive.",
        discussion: """
            Listens on 127.0.0.1:4317 (OTLP/gRPC, TraceService/Export) and 127.0.0.1:4318 (OTLP/HTTP, POST \
            /v1/traces, protobuf or JSON, gzip or not) unless told otherwise; loopback unless you name another \
            address. Point a collector's otlp/otlphttp exporter or an SDK's OTEL_EXPORTER_OTLP_ENDPOINT at it \
            (docs/COLLECTOR.md). The trace list and the open tree grow as spans arrive; past --max-spans the \
            least recently active whole traces are evicted and counted in the status line. When the store \
            falls behind, senders are answered 503 / UNAVAILABLE and retry: nothing is dropped silently. \
            --record keeps everything received as OTLP JSON Lines that `tracetui view` reopens; --no-tui \
            runs without a terminal and prints a status line to standard error until interrupted.
            """
    )

    @Option(help: ArgumentHelp("Where to listen for OTLP/gRPC.", valueName: "ADDR:PORT"))
    var grpc = ListenAddress(host: "127.0.0.1", port: 4317)

    @Option(help: ArgumentHelp("Where to listen for OTLP/HTTP.", valueName: "ADDR:PORT"))
    var http = ListenAddress(host: "127.0.0.1", port: 4318)

    @Flag(help: "Do not listen for OTLP/gRPC.")
    var noGrpc = false

    @Flag(help: "Do not listen for OTLP/HTTP.")
    var noHttp = false

    @Option(
        help: ArgumentHelp(
            "Keep at most this many spans; older whole traces are evicted (and counted).", valueName: "N"))
    var maxSpans = 500_000

    @Option(help: ArgumentHelp("Append every span received to this OTLP JSON Lines file.", valueName: "FILE"))
    var record: String?

    @Flag(help: "Run without the terminal UI: print a status line to standard error periodically.")
    var noTui = false

    @Option(help: ArgumentHelp("Seconds between status lines with --no-tui.", valueName: "SECONDS"))
    var statusInterval = 5.0

    @OptionGroup var prices: PriceOptions

    func validate() throws {
        if noGrpc && noHttp { throw ValidationError("--no-grpc and --no-http leave nothing to listen on.") }
        if maxSpans < 1 { throw ValidationError("--max-spans must be at least 1.") }
        if statusInterval <= 0 { throw ValidationError("--status-interval must be positive.") }
    }

    func run() async throws {
        let table = try prices.table()
        let tui = !noTui

        if tui && isatty(STDOUT_FILENO) == 0 {
            throw ValidationError(
                "standard output is not a terminal: use --no-tui (with --record FILE) to run headless.")
        }
        let session: LiveSession
        do { session = try LiveSession(maxSpans: maxSpans, record: record) } catch {
            printError("tracetui: \(error)")
            throw ExitCode(1)
        }
        let ingest = OTLPIngest(channel: session.channel)
        var grpcServer: OTLPGRPCServer?
        var httpServer: OTLPHTTPServer?
        var endpoints: [String] = []
        do {
            if !noGrpc {
                let s = OTLPGRPCServer()
                try s.start(host: grpc.host, port: grpc.port, ingest: ingest)
                grpcServer = s
                endpoints.append("gRPC \(ListenAddress(host: grpc.host, port: s.boundPort))")
            }
            if !noHttp {
                let s = OTLPHTTPServer()
                try s.start(host: http.host, port: http.port, ingest: ingest)
                httpServer = s
                endpoints.append("HTTP \(ListenAddress(host: http.host, port: s.boundPort))")
            }
        } catch {
            grpcServer?.stop()
            httpServer?.stop()
            session.stop()
            printError("tracetui: \(error)")
            throw ExitCode(1)
        }
        let listening = "listening on " + endpoints.joined(separator: ", ")
        defer {
            grpcServer?.stop()
            httpServer?.stop()
            session.stop()
        }
        if tui {
            try await runLiveTerminalUI(session: session, prices: table, title: listening)
        } else {
            printError("tracetui: \(listening)" + (record.map { "; recording to \($0)" } ?? ""))
            session.start()
            let stop = StopSignals()
            while !stop.wait(seconds: statusInterval) {
                printError("tracetui: " + session.currentStatus.line)
            }
            grpcServer?.stop()
            httpServer?.stop()
            session.stop()
            printError("tracetui: stopped; " + session.currentStatus.line)
        }
    }
}

/// SIGINT and SIGTERM, delivered as events (their default action, ending the process at once, is
/// turned off) so headless `listen` can stop its servers and finish the recording first.
private final class StopSignals {
    private let received = DispatchSemaphore(value: 0)
    private var sources: [DispatchSourceSignal] = []

    init() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [received] in received.signal() }
            source.resume()
            sources.append(source)
        }
    }

    /// Sleeps until a signal arrives (true) or for `seconds` (false).
    func wait(seconds: Double) -> Bool { received.wait(timeout: .now() + seconds) == .success }
}
