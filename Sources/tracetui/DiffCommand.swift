import ArgumentParser
import Foundation
import TerminalBackend
import TraceAnalysis
import TraceModel
import TraceReports
import TraceText
import TraceUI

struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two runs span by span: what was added, removed or changed, and what it cost.",
        discussion: """
            `tracetui diff A B FILE...` compares the traces whose ids start with A and B in the files; \
            `tracetui diff FILE_A FILE_B` compares the one trace of each file. Spans are matched level by \
            level by an edit-distance alignment of their names (and kind and model), so an inserted retry \
            or an extra tool call shows as one added span; spans of the same name whose model, finish \
            reason, status, tokens or cost differ (or whose duration moved by 20 % and 1 ms) are changed. \
            Opens the merged tree in the TUI; when standard output is not a terminal, or with --plain, \
            prints it as text; --json prints it as JSON (schema in the README). \
            Exit status: 0 when the traces were compared; 1 when a trace id or file does not name exactly \
            one trace, or no input holds a span; 65 when the traces were compared but some input was \
            unreadable or broken.
            """
    )

    @Argument(
        help: ArgumentHelp(
            "Two trace id prefixes and the files that hold them, or two files of one trace each.",
            valueName: "A B FILE | FILE_A FILE_B"))
    var arguments: [String]

    @Flag(help: "Print the merged tree and the totals as text instead of opening the TUI.")
    var plain = false

    @Flag(help: "Print the diff as JSON.")
    var json = false

    @OptionGroup var prices: PriceOptions

    func validate() throws {
        if plain && json { throw ValidationError("--plain and --json exclude each other.") }
        if arguments.count < 2 {
            throw ValidationError("Give two trace ids and the files that hold them, or two files.")
        }
        // Not a file but a trace id (`storeTraceID`): the first form without its files.
        if arguments.count == 2 && arguments.contains(where: { storeTraceID($0) != nil }) {
            throw ValidationError(
                "Two arguments are two files of one trace each; to compare trace ids, name the files after them: "
                    + "tracetui diff A B FILE...")
        }
    }

    func run() async throws {
        let table = try prices.table()
        let (a, b, warnings, partial) = try arguments.count == 2 ? oneTraceEach(table) : tracesByID(table)
        let diff = TraceDiff(a, b)
        let terminal = isatty(STDOUT_FILENO) != 0
        if json || plain || !terminal { for w in warnings { printError("tracetui: warning: " + w) } }
        if json {
            print(DiffReport.json(diff, a: a, b: b, warnings: warnings), terminator: "")
        } else if plain || !terminal {
            print(Format.sanitizeLines(DiffReport.plain(diff, a: a, b: b)), terminator: "")
        } else {
            let data = ViewData(
                store: b.store, analysis: b.analysis, title: arguments.joined(separator: " "), warnings: warnings)
            do {
                try await runTerminalUI(
                    data: data, start: .traceList,
                    appearance: Appearance.from(environment: ProcessInfo.processInfo.environment),
                    diff: DiffState(sides: DiffSides(a: a, b: b)), requests: { _, _ in })
            } catch let stop as StoppedBySignal {
                throw ExitCode(128 + stop.signal)
            }
            return
        }
        if partial { throw ExitCode(65) }
    }

    /// Both sides, the warnings of reading and analysing them, and whether some input was not read.
    private typealias Sides = (a: TraceSide, b: TraceSide, warnings: [String], partial: Bool)

    /// `diff A B FILE...`: both traces from one store of all the files.
    private func tracesByID(_ table: PriceTable) throws -> Sides {
        let files = Array(arguments.dropFirst(2))
        let progress = ProgressLine()
        let inputs = try loadInputsWithSpans(files, progress: progress)
        let analysis = analyse(inputs.store, prices: table, progress: progress)
        func side(_ prefix: String) throws -> TraceSide {
            let p = prefix.lowercased()
            let matches = analysis.forest.traces.indices.filter { analysis.forest.traces[$0].traceID.hex.hasPrefix(p) }
            guard matches.count == 1 else {
                let ids = matches.prefix(5).map { analysis.forest.traces[$0].traceID.hex.prefix(12) }
                printError(
                    matches.isEmpty
                        ? "tracetui: no trace id starts with \"\(prefix)\" in \(files.joined(separator: " "))"
                        : "tracetui: \"\(prefix)\" starts \(matches.count) trace ids (\(ids.joined(separator: ", "))"
                            + (matches.count > 5 ? ", …" : "") + "): give more digits")
                throw ExitCode(1)
            }
            return TraceSide(store: inputs.store, analysis: analysis, trace: matches[0])
        }
        let warnings = inputs.failures + inputs.issues + analysis.warnings
        return (try side(arguments[0]), try side(arguments[1]), warnings, inputs.partial)
    }

    /// `diff FILE_A FILE_B`: each file loaded on its own, and it must hold exactly one trace; the
    /// analysis' warnings name their file.
    private func oneTraceEach(_ table: PriceTable) throws -> Sides {
        func side(_ file: String) throws -> (TraceSide, [String], Bool) {
            let progress = ProgressLine()
            let inputs = try loadInputsWithSpans([file], progress: progress)
            let analysis = analyse(inputs.store, prices: table, progress: progress)
            let count = analysis.forest.traces.count
            guard count == 1 else {
                printError(
                    "tracetui: \(file) holds \(count) traces; diff FILE_A FILE_B needs one in each "
                        + "(to pick them by id: tracetui diff A B FILE...)")
                throw ExitCode(1)
            }
            let warnings = inputs.failures + inputs.issues + analysis.warnings.map { file + ": " + $0 }
            return (TraceSide(store: inputs.store, analysis: analysis, trace: 0), warnings, inputs.partial)
        }
        let a = try side(arguments[0])
        let b = try side(arguments[1])
        return (a.0, b.0, a.1 + b.1, a.2 || b.2)
    }
}
