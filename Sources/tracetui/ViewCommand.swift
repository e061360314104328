import ArgumentParser
import Foundation
import TerminalBackend
import TraceAnalysis
import TraceModel
import TraceReports
import TraceUI

struct ViewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Open trace files and explore their agent workflow trees.",
        discussion: """
        Reads OTLP JSON: a request (pretty or compact), JSON Lines as the collector's file exporter writes \
        them, gzip by content whatever the name, several files at once (spans of one trace join up), \
        `-` for standard input. Opens the trace list when there are several traces, else the tree. \
        When standard output is not a terminal, or with --plain, prints the list and the trees as text; \
        --json prints them as JSON (schema in the README).
        """
    )

    @Argument(help: ArgumentHelp("OTLP JSON / JSON Lines files, gzip or not; - for standard input.", valueName: "FILE"))
    var files: [String]

    @Flag(help: "Print the trace list and trees as text instead of opening the TUI.")
    var plain = false

    @Flag(help: "Print the traces, their totals and span trees as JSON.")
    var json = false

    @Option(help: ArgumentHelp("Open (or print only) the trace whose id starts with this.", valueName: "TRACE-ID"))
    var trace: String?

    @OptionGroup var prices: PriceOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("Name at least one trace file, or - for standard input.") }
        if plain && json { throw ValidationError("--plain and --json exclude each other.") }
    }

    func run() throws {
        let table = try prices.table()
        let inputs = loadInputs(files)
        for failure in inputs.failures { printError("tracetui: " + failure) }
        if inputs.store.spans.isEmpty && !inputs.failures.isEmpty {
            for issue in inputs.issues { printError("tracetui: " + issue) }
            throw ExitCode(1)
        }
        let analysis = Analysis(store: inputs.store, prices: table)
        let warnings = inputs.failures + inputs.issues + analysis.warnings
        var traces = Array(analysis.forest.traces.indices)
        if let wanted = trace {
            guard let t = analysis.trace(matching: wanted) else {
                printError("tracetui: no trace id starts with \"\(wanted)\"")
                throw ExitCode(1)
            }
            traces = [t]
        }
        let partial = !inputs.failures.isEmpty || !inputs.issues.isEmpty
        if json {
            print(JSONReport.render(store: inputs.store, analysis: analysis, traces: traces, warnings: warnings), terminator: "")
        } else if plain || isatty(STDOUT_FILENO) == 0 {
            for w in warnings { printError("tracetui: warning: " + w) }
            if traces.count > 1 { print(PlainReport.traceList(store: inputs.store, analysis: analysis, traces: traces)) }
            for t in traces { print(PlainReport.tree(store: inputs.store, analysis: analysis, trace: t)) }
        } else {
            let data = ViewData(store: inputs.store, analysis: analysis, title: files.joined(separator: " "), warnings: warnings)
            let start: Screen = traces.count == 1 ? .tree(trace: traces[0]) : .traceList
            let look = Appearance.from(environment: ProcessInfo.processInfo.environment)
            try MainActor.assumeIsolated { try runTerminalUI(data: data, start: start, appearance: look) }
            return
        }
        if partial { throw ExitCode(65) }
    }
}
