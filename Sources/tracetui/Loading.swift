import ArgumentParser
import Foundation
import TraceAnalysis
import TraceFormats
import TraceModel
import TraceText

/// Options shared by the commands that read trace files.
struct PriceOptions: ParsableArguments {
    @Option(
        name: .customLong("prices"),
        help: ArgumentHelp("A JSON price file that overrides the embedded prices (repeatable).", valueName: "FILE"))
    var priceFiles: [String] = []

    func table() throws -> PriceTable {
        do { return try PriceTable.load(overrides: priceFiles, environment: ProcessInfo.processInfo.environment) } catch
        { throw ValidationError(String(describing: error)) }
    }
}

/// Loaded inputs: the store, and what went wrong on the way.
struct LoadedInputs {
    var store = SpanStore()
    var issues: [String] = []
    /// Inputs that could not be read at all, or held no span.
    var failures: [String] = []

    /// Something in the inputs was not read (exit status 65 when the rest is shown).
    var partial: Bool { !failures.isEmpty || !issues.isEmpty }
}

/// Loads every path; `progress` (a terminal's progress line) is told how each goes.
func loadInputs(_ paths: [String], progress: ProgressLine? = nil) -> LoadedInputs {
    var result = LoadedInputs()
    for path in paths {
        do {
            let size =
                path == "-" ? nil : (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
            let r = try TraceLoader.load(
                path: path, into: &result.store, progress: progress?.reporter(for: path, size: size))
            result.issues += r.issues.map(\.description)
        } catch {
            result.failures.append(String(describing: error))
        }
    }
    progress?.finish()
    return result
}

/// The analysis of the loaded spans; the progress line says it is under way, then is erased.
func analyse(_ store: SpanStore, prices: PriceTable, progress: ProgressLine) -> Analysis {
    progress.analysing(spans: store.spans.count)
    defer { progress.finish() }
    return Analysis(store: store, prices: prices)
}

/// When no input gave a span, says why, one line per input, and exits 1 (nothing to show: no
/// output, no terminal UI).
func requireSpans(_ inputs: LoadedInputs) throws {
    guard inputs.store.spans.isEmpty else { return }
    for line in inputs.failures + inputs.issues { printError("tracetui: " + line) }
    throw ExitCode(1)
}

/// Loads the inputs; exits 1 when none of them gave a span (see `requireSpans`).
func loadInputsWithSpans(_ paths: [String], progress: ProgressLine? = nil) throws -> LoadedInputs {
    let inputs = loadInputs(paths, progress: progress)
    try requireSpans(inputs)
    return inputs
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((Format.sanitizeLines(line) + "\n").utf8))
}

/// `--filter EXPR`, parsed; a wrong expression is told with a caret under its column (exit 64, as
/// for any wrong option).
func parseFilterOption(_ text: String?) throws -> SpanFilter? {
    guard let text else { return nil }
    do throws(FilterError) {
        let filter = try SpanFilter(text)
        return filter.isEmpty ? nil : filter
    } catch {
        printError("tracetui: --filter: \(error)")
        printError("  " + text)
        printError("  " + String(repeating: " ", count: error.column - 1) + "^")
        throw ExitCode(64)
    }
}

/// The spans of the traces with a span matching `filter`, copied into a store of their own, so the
/// dashboard's figures are those of the matching traces only.
func traces(matching filter: SpanFilter, store: SpanStore, analysis: Analysis) throws -> SpanStore {
    let counts = filter.matchCounts(store: store, analysis: analysis)
    guard !counts.isEmpty else {
        printError("tracetui: no span matches \(filter.text)")
        throw ExitCode(1)
    }
    let traceOf = analysis.forest.traceOf
    return store.compacted { counts[Int(traceOf[$0])] != nil }
}

/// The line on a terminal's standard error that says how a long load is going: `reading x.jsonl:
/// 312 MB of 833 MB (37%) · 380k spans · 95 MB/s`, then `analysing 1.0M spans…`. It appears only
/// after half a second (a small file shows nothing), is redrawn at most ten times a second, and is
/// erased before anything else is printed.
final class ProgressLine {
    private let start = Date()
    private var lastDrawn: Date?
    private var shown = false
    private let enabled: Bool

    /// Shown only when standard error is a terminal.
    init(enabled: Bool = isatty(STDERR_FILENO) != 0) { self.enabled = enabled }

    /// The progress reporter for one input of `size` bytes (nil: unknown, as for standard input).
    func reporter(for name: String, size: Int?) -> (LoadProgress) -> Void {
        { [self] p in
            draw(
                Format.loadProgress(
                    name, bytes: p.bytes, inflated: p.inflated, size: size, spans: p.spans,
                    seconds: Date().timeIntervalSince(start)))
        }
    }

    /// Between loading and the analysis.
    func analysing(spans: Int) { draw("analysing \(Format.tokens(Int64(spans))) spans…", always: true) }

    /// Erases the line.
    func finish() {
        guard shown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        shown = false
    }

    /// `always`: a new stage, drawn even if the last line was drawn a moment ago.
    private func draw(_ line: String, always: Bool = false) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(start) >= 0.5,
            always || lastDrawn.map({ now.timeIntervalSince($0) >= 0.1 }) ?? true
        else { return }
        lastDrawn = now
        shown = true
        // One row: a line that wrapped would leave its first rows behind when it is erased.
        let fitted = truncate(line, to: max(1, (terminalWidth(of: STDERR_FILENO) ?? 80) - 1))
        FileHandle.standardError.write(Data(("\r" + fitted + "\u{1B}[K").utf8))
    }
}

/// The width of the terminal on descriptor `fd`, or nil when it is not a terminal.
func terminalWidth(of fd: Int32) -> Int? {
    guard isatty(fd) != 0 else { return nil }
    var size = winsize()
    guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
    return Int(size.ws_col)
}
