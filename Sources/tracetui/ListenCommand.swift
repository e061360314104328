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
            runs without a terminal and prints a status line to standard error until interrupted. \
            --auth-token makes both receivers require "Authorization: Bearer TOKEN"; --tls-cert and --tls-key \
            serve both over TLS (docs/COLLECTOR.md).
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

    @Option(
        help: ArgumentHelp(
            "Spans that may wait to be stored; past this, senders are told to retry (503 / UNAVAILABLE).",
            valueName: "N"))
    var queueSpans = 250_000

    @Option(
        help: ArgumentHelp(
            "Require \"Authorization: Bearer TOKEN\" on every request (default: $TRACETUI_AUTH_TOKEN).",
            valueName: "TOKEN"))
    var authToken: String?

    @Option(help: ArgumentHelp("Serve both receivers over TLS with this PEM certificate chain.", valueName: "FILE"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("The PEM private key of --tls-cert.", valueName: "FILE"))
    var tlsKey: String?

    @OptionGroup var prices: PriceOptions

    func validate() throws {
        if noGrpc && noHttp { throw ValidationError("--no-grpc and --no-http leave nothing to listen on.") }
        if maxSpans < 1 { throw ValidationError("--max-spans must be at least 1.") }
        if statusInterval <= 0 { throw ValidationError("--status-interval must be positive.") }
        if queueSpans < 1 { throw ValidationError("--queue-spans must be at least 1.") }
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together.") }
        if authToken == "" { throw ValidationError("--auth-token must not be empty.") }
    }

    func run() async throws {
        let table = try prices.table()
        let tui = !noTui

        if tui && isatty(STDOUT_FILENO) == 0 {
            throw ValidationError(
                "standard output is not a terminal: use --no-tui (with --record FILE) to run headless.")
        }
        raiseOpenFileLimit()
        let session: LiveSession
        let receivers: Receivers
        do {
            session = try LiveSession(maxSpans: maxSpans, record: record, channel: IngestChannel(capacity: queueSpans))
            receivers = try startReceivers(ingest: OTLPIngest(channel: session.channel))
        } catch {
            printError("tracetui: \(error)")
            throw ExitCode(1)
        }
        for warning in exposureWarnings(tokenSet: receivers.token != nil) {
            printError("tracetui: warning: " + warning)
        }
        defer {
            receivers.stop()
            session.stop()
        }
        if tui {
            try await runLiveTerminalUI(session: session, prices: table, title: receivers.listening)
        } else {
            // Taken over before the listening message: a signal sent as soon as it shows must stop
            // the receivers and finish the recording, not end the process at once or go unheard.
            let stop = StopSignals()
            printError("tracetui: \(receivers.listening)" + (record.map { "; recording to \($0)" } ?? ""))
            runHeadless(session: session, receivers: receivers, stop: stop)
        }
    }

    /// Prints the status every `statusInterval` until SIGINT or SIGTERM, then stops the receivers
    /// and the session (storing and recording what was accepted) and prints the final accounting.
    private func runHeadless(session: LiveSession, receivers: Receivers, stop: StopSignals) {
        session.start()
        while !stop.wait(seconds: statusInterval) {
            printError("tracetui: " + session.currentStatus.line)
        }
        receivers.stop()
        session.stop()
        let status = session.currentStatus
        printError("tracetui: stopped; " + status.line)
        printError("tracetui: spans \(status.accounting.equation)")
    }

    /// The token from --auth-token or, failing that, TRACETUI_AUTH_TOKEN.
    private var token: BearerToken? {
        (authToken ?? ProcessInfo.processInfo.environment["TRACETUI_AUTH_TOKEN"]).flatMap(BearerToken.init)
    }

    private func startReceivers(ingest: OTLPIngest) throws -> Receivers {
        let tls = try tlsCert.map { try ReceiverTLS(certificatePath: $0, keyPath: tlsKey ?? "") }
        var receivers = Receivers(token: token, tls: tls != nil)
        do {
            if !noGrpc {
                let s = OTLPGRPCServer()
                try s.start(
                    host: grpc.host, port: grpc.port, ingest: ingest, options: OTLPGRPCOptions(token: token, tls: tls))
                receivers.grpc = s
                receivers.endpoints.append("gRPC \(ListenAddress(host: grpc.host, port: s.boundPort))")
            }
            if !noHttp {
                let s = OTLPHTTPServer()
                try s.start(
                    host: http.host, port: http.port, ingest: ingest, limits: OTLPHTTPLimits(token: token), tls: tls)
                receivers.http = s
                receivers.endpoints.append("HTTP \(ListenAddress(host: http.host, port: s.boundPort))")
            }
        } catch {
            receivers.stop()
            throw error
        }
        return receivers
    }

    /// A warning for each receiver reachable from other machines without a token.
    private func exposureWarnings(tokenSet: Bool) -> [String] {
        guard !tokenSet else { return [] }
        let open = [(noGrpc ? nil : grpc), (noHttp ? nil : http)].compactMap { $0 }.filter {
            !isLoopback(host: $0.host)
        }
        return open.map {
            "\($0) is reachable from other machines and anyone who can reach it can send spans; set --auth-token (or TRACETUI_AUTH_TOKEN)"
        }
    }
}

/// The running receivers and what the listening message says of them.
private struct Receivers {
    var token: BearerToken?
    var tls: Bool
    var grpc: OTLPGRPCServer?
    var http: OTLPHTTPServer?
    var endpoints: [String] = []

    /// `listening on gRPC 127.0.0.1:4317, HTTP 127.0.0.1:4318`, then how (never the token itself).
    var listening: String {
        var how: [String] = []
        if tls { how.append("over TLS") }
        if token != nil { how.append("a bearer token required") }
        return "listening on " + endpoints.joined(separator: ", ")
            + (how.isEmpty ? "" : " (\(how.joined(separator: ", ")))")
    }

    func stop() {
        grpc?.stop()
        http?.stop()
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
