import ArgumentParser
import Foundation
import TerminalBackend
import TraceAnalysis
import TraceModel
import TraceReports
import TraceStores
import TraceText
import TraceUI

struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search Grafana Tempo or Jaeger for traces, then open them.",
        discussion: """
            Asks Tempo's /api/search (TraceQL; without a query, the fields below are turned into one) or \
            Jaeger's /api/v3/traces (or the older /api/traces; a service is required) for the traces of a \
            time window: the last hour unless --since or --start/--end say otherwise. In a terminal the \
            results open in a list (Enter fetches and opens a trace, q goes back to the list, S searches \
            again, w saves the open trace as OTLP JSON); with --plain, or when standard output is not a \
            terminal, they are printed as a table; --json prints {"traces":[{"traceId","rootService",\
            "rootName","startTime","durationMs","matchedSpans"}],"warnings":[...]}. \
            Exit status: 0 when the store answered (even with no trace); 1 when it could not be asked or \
            refused (one line on stderr says why); 64 for wrong arguments.
            """
    )

    @Argument(
        help: ArgumentHelp("A TraceQL query, for Tempo (default: built from the options below).", valueName: "TRACEQL"))
    var query: String?

    @Option(help: ArgumentHelp("Traces with spans of this service.", valueName: "NAME"))
    var service: String?

    @Option(help: ArgumentHelp("Traces with spans of this name (Jaeger: operation).", valueName: "NAME"))
    var operation: String?

    @Option(
        name: .customLong("attr"),
        help: ArgumentHelp("A span attribute the trace must have, key=value (repeatable).", valueName: "KEY=VALUE"))
    var attributes: [String] = []

    @Option(help: ArgumentHelp("The window: this long before now (90s, 15m, 1h, 2d).", valueName: "DURATION"))
    var since: String?

    @Option(help: ArgumentHelp("The window's start: RFC 3339 or Unix seconds.", valueName: "TIME"))
    var start: String?

    @Option(help: ArgumentHelp("The window's end: RFC 3339 or Unix seconds (default: now).", valueName: "TIME"))
    var end: String?

    @Option(help: ArgumentHelp("Traces lasting at least this long (500ms, 2s).", valueName: "DURATION"))
    var minDuration: String?

    @Option(help: ArgumentHelp("Traces lasting at most this long.", valueName: "DURATION"))
    var maxDuration: String?

    @Option(help: ArgumentHelp("At most this many traces (Tempo's own default is 20).", valueName: "N"))
    var limit = 20

    @Option(help: ArgumentHelp("Tempo: matching spans listed per trace (spss).", valueName: "N"))
    var spss: Int?

    @Flag(help: "Print the results as a table instead of opening the TUI.")
    var plain = false

    @Flag(help: "Print the results as JSON.")
    var json = false

    @Option(
        name: .customLong("feature-attr"),
        help: ArgumentHelp("The attribute that names a call's feature on the dashboard.", valueName: "KEY"))
    var featureAttr: String?

    @OptionGroup var prices: PriceOptions

    @OptionGroup(title: "Trace store") var store: StoreOptions

    func validate() throws {
        if plain && json { throw ValidationError("--plain and --json exclude each other.") }
        if limit < 1 { throw ValidationError("--limit must be at least 1.") }
        if since != nil && start != nil { throw ValidationError("--since and --start exclude each other.") }
        if let since, parseDuration(since) == nil {
            throw ValidationError("--since: \"\(since)\" is not a duration (90s, 15m, 1h, 2d).")
        }
        for (name, value) in [("--start", start), ("--end", end)] {
            if let value, parseTime(value) == nil {
                throw ValidationError("\(name): \"\(value)\" is not RFC 3339 (2026-12-02T10:00:00Z) or Unix seconds.")
            }
        }
        for (name, value) in [("--min-duration", minDuration), ("--max-duration", maxDuration)] {
            if let value, parseDuration(value) == nil {
                throw ValidationError("\(name): \"\(value)\" is not a duration (500ms, 2s, 1m).")
            }
        }
        for pair in attributes where !pair.contains("=") || pair.hasPrefix("=") {
            throw ValidationError("--attr: write key=value, not \"\(pair)\".")
        }
    }

    /// The query the options state, its window resolved against now.
    func storeQuery(now: Int64) -> StoreQuery {
        let endSeconds = end.flatMap(parseTime) ?? now
        let startSeconds =
            start.flatMap(parseTime) ?? endSeconds - (since.flatMap(parseDuration) ?? 3_600_000_000_000) / 1_000_000_000
        var q = StoreQuery(startSeconds: startSeconds, endSeconds: endSeconds)
        q.traceQL = query ?? ""
        q.service = service ?? ""
        q.operation = operation ?? ""
        q.attributes = attributes.map { pair in
            let eq = pair.firstIndex(of: "=")!
            return (String(pair[..<eq]), String(pair[pair.index(after: eq)...]))
        }
        q.minDurationNanos = minDuration.flatMap(parseDuration)
        q.maxDurationNanos = maxDuration.flatMap(parseDuration)
        q.limit = limit
        q.spansPerSpanSet = spss
        return q
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let connection = try store.connection(environment) else {
            throw ValidationError("Name the store: --tempo URL or --jaeger URL (or set TEMPO_URL or JAEGER_URL).")
        }
        let table = try prices.table()
        let query = storeQuery(now: Int64(Date().timeIntervalSince1970.rounded(.up)))
        try await withStoreClient(connection) { client in
            guard let client else { return }
            if json || plain || isatty(STDOUT_FILENO) == 0 {
                try await printResults(query, client)
            } else {
                try await browse(query, connection, client, table)
            }
        }
    }

    private func printResults(_ query: StoreQuery, _ client: any TraceStoreClient) async throws {
        let answer: SearchAnswer
        do throws(StoreError) {
            answer = try await client.search(query)
        } catch {
            printError("tracetui: " + error.description)
            throw ExitCode(1)
        }
        if json {
            print(SearchReport.json(answer.traces, warnings: answer.warnings), terminator: "")
        } else {
            for w in answer.warnings { printError("tracetui: warning: " + w) }
            print(SearchReport.table(answer.traces, width: 120))
        }
    }

    /// The TUI, opened at once on the results list while the search is on its way (or on the
    /// search form, for a Jaeger search that names no service yet).
    private func browse(
        _ query: StoreQuery, _ connection: StoreConnection, _ client: any TraceStoreClient, _ table: PriceTable
    ) async throws {
        let empty = SpanStore()
        let data = ViewData(
            store: empty, analysis: Analysis(store: empty, prices: table), title: connection.description,
            warnings: [], featureKeys: featureAttr.map { [$0] } ?? Conventions.featureKeys)
        var browser = StoreBrowserState(title: connection.description, kind: connection.kind)
        browser.lastValues = formValues(query, connection.kind)
        let inbox = try Inbox()
        let handler = RequestHandler(client: client, inbox: inbox, prices: table, featureKeys: data.featureKeys)
        if connection.kind == .jaeger && query.service.isEmpty {
            browser.form = SearchForm.make(for: .jaeger, values: browser.lastValues)
            handler.handle(.vocabulary, data)
        } else {
            browser.searching = true
            handler.handle(.search(query, sinceSeconds: nil), data)
        }
        do {
            try await runTerminalUI(
                data: data, start: .storeResults,
                appearance: Appearance.from(environment: ProcessInfo.processInfo.environment),
                inbox: inbox, store: browser, requests: handler.handle)
        } catch let stop as StoppedBySignal {
            throw ExitCode(128 + stop.signal)
        }
    }

    /// The search form's fields for this search, so `S` starts from it.
    private func formValues(_ query: StoreQuery, _ kind: StoreKind) -> [String] {
        let sinceText = since ?? "1h"
        switch kind {
        case .tempo:
            return [TempoClient.traceQL(for: query), sinceText, String(limit)]
        case .jaeger:
            return [
                query.service, query.operation, query.attributes.map { $0.key + "=" + $0.value }.joined(separator: " "),
                minDuration ?? "", sinceText, String(limit),
            ]
        }
    }
}
