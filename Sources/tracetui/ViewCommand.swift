import ArgumentParser
import Foundation
import TerminalBackend
import TraceAnalysis
import TraceModel
import TraceReports
import TraceSources
import TraceStores
import TraceText
import TraceUI

struct ViewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Open trace files and explore their agent workflow trees.",
        discussion: """
            Reads OTLP JSON (a request, pretty or compact; JSON Lines as the collector's file exporter writes \
            them), OTLP protobuf (a request or a length-delimited stream), Jaeger JSON and Zipkin v2 JSON, \
            gzip or not, each recognised by its content whatever the name; several files at once (spans of \
            one trace join up), `-` for standard input. Opens the trace list when there are several traces, else the tree. \
            When standard output is not a terminal, or with --plain, prints the list and the trees as text; \
            --json prints them as JSON (schema in the README). With --follow, the files are followed as the \
            collector's file exporter writes them (new lines as they come, a rotated or truncated file \
            reopened) and the view grows live. \
            An argument that is not a file but a trace id (1 to 32 hex digits) is fetched from the trace \
            store given by --tempo or --jaeger (or TEMPO_URL or JAEGER_URL): Grafana Tempo's \
            /api/v2/traces (or /api/traces) or Jaeger's /api/v3/traces (or /api/traces); see \
            docs/BACKENDS.md. \
            Exit status: 0 when every input was read; 65 when an input was unreadable, broken or held no \
            span (one line on stderr says which and why) and the others are shown; 1 when no input holds a \
            span (nothing is printed and the TUI is not opened).
            """
    )

    @Argument(
        help: ArgumentHelp(
            "OTLP JSON or protobuf, Jaeger or Zipkin JSON files, gzip or not; - for standard input; or trace ids to fetch from the store.",
            valueName: "FILE|TRACE-ID"))
    var files: [String]

    @Flag(help: "Print the trace list and trees as text instead of opening the TUI.")
    var plain = false

    @Flag(help: "Print the traces, their totals and span trees as JSON.")
    var json = false

    @Flag(help: "Follow the files as they grow (JSON Lines from the collector's file exporter), like tail -F.")
    var follow = false

    @Option(
        help: ArgumentHelp(
            "With --follow: keep at most this many spans; older whole traces are evicted.", valueName: "N"))
    var maxSpans = 500_000

    @Flag(help: "Open the dashboard (overview, cost, performance, quality) first.")
    var dashboard = false

    @Flag(
        help:
            "Group the traces by conversation (gen_ai.conversation.id, session.id, langfuse.session.id, LangSmith thread_id): open the session list, or print it with --plain or --json."
    )
    var sessions = false

    @Option(
        name: .customLong("feature-attr"),
        help: ArgumentHelp(
            "The attribute that names a call's feature on the dashboard (default: app.feature, feature, feature.name, then the root span's name).",
            valueName: "KEY"))
    var featureAttr: String?

    @Option(help: ArgumentHelp("Open (or print only) the trace whose id starts with this.", valueName: "TRACE-ID"))
    var trace: String?

    @Option(
        help: ArgumentHelp(
            "Only traces with a span matching this expression (cost>0.05, model=gpt-4o*, status=error, words; the README lists the fields); the trees show the matches and their ancestors.",
            valueName: "EXPR"))
    var filter: String?

    @OptionGroup var prices: PriceOptions

    @OptionGroup(title: "Trace store") var store: StoreOptions

    func validate() throws {
        if files.isEmpty {
            throw ValidationError("Name at least one trace file (- for standard input) or trace id.")
        }
        if plain && json { throw ValidationError("--plain and --json exclude each other.") }
        if follow && (plain || json) {
            throw ValidationError("--follow shows the files live in the terminal; it excludes --plain and --json.")
        }
        if follow && filter != nil {
            throw ValidationError("--filter reads files whole; in a live view, press / to filter.")
        }
        if sessions && (follow || dashboard) {
            throw ValidationError("--sessions opens the session list; it excludes --follow and --dashboard.")
        }
        if follow && files.contains("-") { throw ValidationError("--follow reads files, not standard input.") }
        if follow && store.storeGiven { throw ValidationError("--follow reads files, not a trace store.") }
        if maxSpans < 1 { throw ValidationError("--max-spans must be at least 1.") }
    }

    func run() async throws {
        let table = try prices.table()
        let spanFilter = try parseFilterOption(filter)
        if follow { return try await runFollow(table) }
        let environment = ProcessInfo.processInfo.environment
        let connection = try store.connection(environment)
        try await withStoreClient(connection) { client in
            try await show(table, spanFilter, environment, connection, client)
        }
    }

    /// Loads the files and fetches the trace ids, then prints or opens them.
    private func show(
        _ table: PriceTable, _ spanFilter: SpanFilter?, _ environment: [String: String], _ connection: StoreConnection?,
        _ client: (any TraceStoreClient)?
    ) async throws {
        var paths: [String] = []
        var ids: [TraceID] = []
        var idsWithoutStore: [String] = []
        for argument in files {
            guard let id = storeTraceID(argument) else {
                paths.append(argument)
                continue
            }
            if client != nil {
                ids.append(id)
            } else {
                idsWithoutStore.append(
                    "\(argument): no such file; to fetch a trace id, give --tempo URL or --jaeger URL (or set TEMPO_URL or JAEGER_URL)"
                )
            }
        }
        let progress = ProgressLine()
        var inputs = loadInputs(paths, progress: progress)
        inputs.failures += idsWithoutStore
        if let client { await fetchTraces(ids, from: client, into: &inputs) }
        try requireSpans(inputs)
        let analysis = analyse(inputs.store, prices: table, progress: progress)
        let warnings = inputs.failures + inputs.issues + analysis.warnings
        var traces = Array(analysis.forest.traces.indices)
        if let wanted = trace {
            guard let t = analysis.trace(matching: wanted) else {
                printError("tracetui: no trace id starts with \"\(wanted)\"")
                throw ExitCode(1)
            }
            traces = [t]
        }
        let matchCounts = spanFilter?.matchCounts(store: inputs.store, analysis: analysis)
        if let spanFilter, let matchCounts {
            traces = traces.filter { matchCounts[$0] != nil }
            if traces.isEmpty {
                printError("tracetui: no span matches \(spanFilter.text)")
                throw ExitCode(1)
            }
        }
        if json || plain || isatty(STDOUT_FILENO) == 0 {
            for w in warnings { printError("tracetui: warning: " + w) }
        }
        if sessions && (json || plain || isatty(STDOUT_FILENO) == 0) {
            let shown = Set(traces)
            let list = analysis.sessions(in: inputs.store).filter { $0.turns.contains { shown.contains($0.trace) } }
            if json {
                print(
                    SessionsReport.json(list, store: inputs.store, analysis: analysis, warnings: warnings),
                    terminator: "")
            } else {
                print(
                    Format.sanitizeLines(SessionsReport.text(list, store: inputs.store, analysis: analysis)),
                    terminator: "")
            }
        } else if json {
            JSONReport.write(
                store: inputs.store, analysis: analysis, traces: traces, filter: spanFilter, warnings: warnings
            ) { piece in
                // The megabyte is written from the writer's buffer, not copied into a `Data` first.
                let bytes = UnsafeMutableRawPointer(mutating: piece.baseAddress!)
                FileHandle.standardOutput.write(Data(bytesNoCopy: bytes, count: piece.count, deallocator: .none))
            }
        } else if plain || isatty(STDOUT_FILENO) == 0 {
            if traces.count > 1 {
                print(
                    Format.sanitizeLines(
                        PlainReport.traceList(
                            store: inputs.store, analysis: analysis, traces: traces, matchCounts: matchCounts)))
            }
            for t in traces {
                print(
                    Format.sanitizeLines(
                        PlainReport.tree(store: inputs.store, analysis: analysis, trace: t, filter: spanFilter)))
            }
        } else {
            for failure in inputs.failures { printError("tracetui: warning: " + failure) }
            let data = ViewData(
                store: inputs.store, analysis: analysis, title: files.joined(separator: " "), warnings: warnings,
                featureKeys: featureAttr.map { [$0] } ?? Conventions.featureKeys)
            let start: Screen =
                sessions ? .sessions : dashboard ? .dashboard : traces.count == 1 ? .tree(trace: traces[0]) : .traceList
            // The dashboard's data is extracted while the user looks at the list or the tree.
            Thread.detachNewThread { data.prepareDashboardData() }
            let look = Appearance.from(environment: environment)
            let inbox = try Inbox()
            let handler = RequestHandler(
                client: client, inbox: inbox, prices: table, featureKeys: data.featureKeys)
            let browser = connection.map { StoreBrowserState(title: $0.description, kind: $0.kind) }
            do {
                try await runTerminalUI(
                    data: data, start: start, filter: spanFilter, appearance: look, inbox: inbox, store: browser,
                    requests: handler.handle)
            } catch let stop as StoppedBySignal {
                throw ExitCode(128 + stop.signal)
            }
            return
        }
        if inputs.partial { throw ExitCode(65) }
    }

    /// `--follow`: one follower thread per file feeding a live session, shown in the live TUI.
    private func runFollow(_ table: PriceTable) async throws {
        if isatty(STDOUT_FILENO) == 0 { throw ValidationError("--follow needs a terminal on standard output.") }
        let session = try LiveSession(maxSpans: maxSpans)
        let followers = files.map { FileFollower(path: $0, channel: session.channel) }
        for follower in followers { follower.start() }
        defer {
            session.channel.close()
            for follower in followers { follower.stop() }
            session.stop()
        }
        try await runLiveTerminalUI(
            session: session, prices: table, title: "following " + files.joined(separator: " "),
            extraStatus: { followers.map(\.state).first { !$0.hasPrefix("following ") } })
    }
}
