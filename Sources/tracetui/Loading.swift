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

func loadInputs(_ paths: [String]) -> LoadedInputs {
    var result = LoadedInputs()
    for path in paths {
        do {
            let r = try TraceLoader.load(path: path, into: &result.store)
            result.issues += r.issues.map(\.description)
        } catch {
            result.failures.append(String(describing: error))
        }
    }
    return result
}

/// When no input gave a span, says why, one line per input, and exits 1 (nothing to show: no
/// output, no terminal UI).
func requireSpans(_ inputs: LoadedInputs) throws {
    guard inputs.store.spans.isEmpty else { return }
    for line in inputs.failures + inputs.issues { printError("tracetui: " + line) }
    throw ExitCode(1)
}

/// Loads the inputs; exits 1 when none of them gave a span (see `requireSpans`).
func loadInputsWithSpans(_ paths: [String]) throws -> LoadedInputs {
    let inputs = loadInputs(paths)
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
