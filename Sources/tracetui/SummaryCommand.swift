import ArgumentParser
import Foundation
import TraceAnalysis
import TraceModel
import TraceReports
import TraceText

struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Print the four dashboard rows (overview, cost, performance, quality) without a terminal UI.",
        discussion: """
            Computes the sixteen panels of the dashboard from trace files: "now" is the newest span end in \
            them, and every figure says which window and how many LLM calls it comes from ("no data" where \
            there are none). Plain text is sized to the terminal (100 columns when standard output is not \
            a terminal); --json prints one object per row whose keys name the panels (schema in the README). \
            Exit status: 0 when every input was read; 65 when an input was unreadable, broken or held no \
            span (one line on stderr says which and why) and the others are summarised; 1 when no input \
            holds a span.
            """
    )

    @Argument(
        help: ArgumentHelp(
            "OTLP JSON or protobuf, Jaeger or Zipkin JSON files, gzip or not; - for standard input.",
            valueName: "FILE"))
    var files: [String]

    @Flag(help: "Print the panels as JSON.")
    var json = false

    @Option(
        name: .customLong("feature-attr"),
        help: ArgumentHelp(
            "The attribute that names a call's feature (default: app.feature, feature, feature.name, then the root span's name).",
            valueName: "KEY"))
    var featureAttr: String?

    @Option(help: ArgumentHelp("Only LLM calls of this model.", valueName: "MODEL"))
    var model: String?

    @Option(help: ArgumentHelp("Only this feature.", valueName: "FEATURE"))
    var feature: String?

    @Option(help: ArgumentHelp("Only spans of this service.", valueName: "SERVICE"))
    var service: String?

    @Option(help: ArgumentHelp("Only the last 1h, 24h or 7d before now, or all.", valueName: "RANGE"))
    var range: String = "all"

    @Option(
        help: ArgumentHelp(
            "Only traces with a span matching this expression (cost>0.05, model=gpt-4o*, status=error, words; the README lists the fields).",
            valueName: "EXPR"))
    var filter: String?

    @OptionGroup var prices: PriceOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("Name at least one trace file, or - for standard input.") }
        if TimeRange.allCases.first(where: { $0.title == range }) == nil {
            throw ValidationError("--range is one of all, 1h, 24h, 7d.")
        }
    }

    func run() throws {
        let table = try prices.table()
        let spanFilter = try parseFilterOption(filter)
        let progress = ProgressLine()
        let inputs = try loadInputsWithSpans(files, progress: progress)
        // The text report lists the warnings itself; JSON carries them too, but a person reads stderr.
        if json { for w in inputs.failures + inputs.issues { printError("tracetui: warning: " + w) } }
        var store = inputs.store
        var analysis = analyse(store, prices: table, progress: progress)
        // "now" stays the newest span end of all the inputs, so --range means the same with a filter.
        let now = store.spans.lazy.map(\.endNanos).max()
        if let spanFilter {
            store = try traces(matching: spanFilter, store: store, analysis: analysis)
            analysis = Analysis(store: store, prices: table)
        }
        let warnings = inputs.failures + inputs.issues + analysis.warnings
        let featureKeys = featureAttr.map { [$0] } ?? Conventions.featureKeys
        let filter = DashboardFilter(
            service: service, model: model, feature: feature,
            range: TimeRange.allCases.first { $0.title == range } ?? .all)
        let dashboard = Dashboard(
            store: store, analysis: analysis, filter: filter, now: now, featureKeys: featureKeys)
        if json {
            print(
                SummaryReport.json(dashboard, featureKeys: featureKeys, spanFilter: spanFilter, warnings: warnings),
                terminator: "")
        } else {
            let env = ProcessInfo.processInfo.environment
            let locale =
                env["LC_ALL"].flatMap { $0.isEmpty ? nil : $0 } ?? env["LC_CTYPE"].flatMap { $0.isEmpty ? nil : $0 }
                ?? env["LANG"] ?? ""
            let utf8 = locale.lowercased().contains("utf-8") || locale.lowercased().contains("utf8")
            print(
                Format.sanitizeLines(
                    SummaryReport.text(
                        dashboard, width: terminalWidth(of: STDOUT_FILENO) ?? 100, ascii: !utf8, spanFilter: spanFilter,
                        warnings: warnings)),
                terminator: "")
        }
        if inputs.partial { throw ExitCode(65) }
    }
}
