// tracetui-keybench: issue 10's "every key at 1M spans ≤ 16 ms", measured on the pure core. Loads a
// trace file as `tracetui view` does (decode, analysis, `ViewData`), replays a fixed script of keys
// through `update` + `render` at a given terminal size, and prints p50/p99/max per kind of key as
// Markdown for BENCHMARKS.md. A benchmark, not a test: no figure here is asserted anywhere.
import Foundation
import TraceAnalysis
import TraceFormats
import TraceModel
import TraceUI

let usage = """
    usage: tracetui-keybench [--size WIDTHxHEIGHT] FILE
      Replays a fixed script of keys through the TUI's update + render (no terminal) on FILE, loaded as
      `tracetui view` loads it, and prints each kind of key's p50/p99/max in ms. --size: the terminal
      (default 80x24; 120 columns and more put the detail pane beside the tree).
    """

func fail(_ line: String) -> Never {
    FileHandle.standardError.write(Data("tracetui-keybench: \(line)\n".utf8))
    exit(64)
}

var width = 80
var height = 24
var path: String?
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "-h", "--help":
        print(usage)
        exit(0)
    case "--size":
        let parts = (arguments.popFirst() ?? "").split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts[0] >= 20, parts[1] >= 5 else { fail("--size WIDTHxHEIGHT, at least 20x5") }
        (width, height) = (parts[0], parts[1])
    default:
        guard path == nil, !argument.hasPrefix("-") else { fail(usage) }
        path = argument
    }
}
guard let path else { fail(usage) }

func seconds(since start: UInt64) -> String { String(format: "%.2f s", Double(monotonicNanos() - start) / 1e9) }
func ms(_ value: Double) -> String { String(format: "%.2f", value) }
func loadAverage() -> String {
    ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3)
        .joined(separator: " ")
}
func machine() -> String {
    let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let model =
        cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":", maxSplits: 1)
        .last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
    let ram = String(format: "%.1f GiB RAM", Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824)
    var name = utsname()
    uname(&name)
    let system = withUnsafeBytes(of: name.sysname) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    let arch = withUnsafeBytes(of: name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    return "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(model), \(ram), \(system) \(arch)"
}

let dateFormat = DateFormatter()
dateFormat.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
dateFormat.timeZone = TimeZone(identifier: "UTC")
print("date: \(dateFormat.string(from: Date()))")
print("machine: \(machine())")
print("load average at the start: \(loadAverage()) (other work on the machine skews every figure)")

// As `tracetui view FILE` (Loading.swift, ViewCommand.swift): decode, analysis, `ViewData`.
var started = monotonicNanos()
var store = SpanStore()
let loaded: LoadResult
do { loaded = try TraceLoader.load(path: path, into: &store) } catch { fail(String(describing: error)) }
let decodeTime = seconds(since: started)
started = monotonicNanos()
let prices: PriceTable
do { prices = try PriceTable.load(overrides: [], environment: ProcessInfo.processInfo.environment) } catch {
    fail(String(describing: error))
}
let analysis = Analysis(store: store, prices: prices)
let analysisTime = seconds(since: started)
let data = ViewData(
    store: store, analysis: analysis, title: path, warnings: loaded.issues.map(\.description) + analysis.warnings)
let forest = analysis.forest
guard forest.traces.count > 1 else { fail("the script starts in the trace list: \(path) holds one trace") }
let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
print(
    "file: \(path): \(store.spans.count) spans in \(forest.traces.count) traces, "
        + String(format: "%.0f MiB", Double(size) / 1_048_576))
print("terminal: \(width)x\(height), colour, UTF-8 glyphs")
print("load: decode \(decodeTime), analysis \(analysisTime)")

started = monotonicNanos()
var replay = Replay(state: AppState(screen: .traceList, width: width, height: height, data: data), data: data)
print(String(format: "first frame (AppState + render): %.2f ms", Double(monotonicNanos() - started) / 1e6))

// The TUI extracts the dashboard's data on a background thread after the first frame, so a `D`
// pressed a few seconds later finds it; here it is extracted before the replay, and a `D` that finds
// it missing is timed once at the end.
started = monotonicNanos()
data.prepareDashboardData()
print("dashboard data: \(seconds(since: started)) (a background thread in the TUI; here before the replay)")

// The widest span (the generator's 5,000-child one), found by the analysis, not by its id.
var wide: Int32 = 0
for span in forest.parent.indices where forest.children(of: Int32(span)).count > forest.children(of: wide).count {
    wide = Int32(span)
}
let wideTrace = Int(forest.traceOf[Int(wide)])
let wideChildren = forest.children(of: wide).count
print(
    "widest span: \(wideChildren) children, in a trace of \(forest.traces[wideTrace].spans.count) spans "
        + "(depth \(forest.depth[Int(wide)]))")

// The script. Each kind is pressed often enough for a p50; the slow ones a few times each.

// The trace list.
replay.press(.char("j"), "j", times: 100, as: "list: move")
replay.press(.char("k"), "k", times: 100, as: "list: move")
replay.press(.pageDown, "PgDn", times: 30, as: "list: page")
replay.press(.pageUp, "PgUp", times: 30, as: "list: page")
for _ in 0..<5 {
    replay.press(.char("G"), "G", as: "list: G / g")
    replay.press(.char("g"), "g", as: "list: G / g")
}
replay.press(.char("s"), "s", times: SortKey.allCases.count, as: "list: sort")
expect(replay.state.list.sort == .start, "s went round the sort keys")
replay.press(.char("r"), "r", times: 2, as: "list: sort")
for _ in 0..<10 {
    replay.press(.char("j"), "j", as: "list: move")
    replay.press(.enter, "Enter", as: "list: open a trace")
    expect(replay.state.tree != nil, "Enter opened a trace")
    replay.press(.char("q"), "q", as: "tree: back to the list")
}
replay.press(.char("?"), "?", as: "help: open / close")
replay.press(.char("q"), "q", as: "help: open / close")
for _ in 0..<3 {
    replay.press(.char("C"), "C", as: "list: sessions")
    expect(replay.state.screen == .sessions, "C opened the sessions")
    replay.press(.char("q"), "q", as: "sessions: back to the list")
}
expect(replay.state.screen == .traceList, "back in the list")

// The trace of the 5,000-child span: selected in the list directly (not a timed key), opened.
let wideRow = replay.state.list.rows.firstIndex(of: wideTrace)!
for _ in 0..<5 {
    replay.state.list.selected = wideRow
    replay.press(.enter, "Enter", as: "list: open the 5,000-child trace")
    expect(replay.state.screen == .tree(trace: wideTrace), "Enter opened the 5,000-child trace")
    replay.press(.char("q"), "q", as: "tree: back to the list")
}
replay.state.list.selected = wideRow
replay.press(.enter, "Enter", as: "list: open the 5,000-child trace")
let spanRow = replay.state.tree!.rows.firstIndex(of: wide)!
while replay.state.tree!.selected < spanRow { replay.press(.char("j"), "j", as: "tree: move") }
for _ in 0..<10 {
    replay.press(.enter, "Enter", as: "tree: fold the 5,000-child span")
    expect(replay.state.tree!.folded.contains(wide), "Enter folded the span")
    replay.press(.enter, "Enter", as: "tree: unfold it")
}
replay.press(.char("j"), "j", times: 200, as: "tree: move")
replay.press(.char("k"), "k", times: 200, as: "tree: move")
replay.press(.pageDown, "PgDn", times: 30, as: "tree: page")
replay.press(.pageUp, "PgUp", times: 30, as: "tree: page")
for _ in 0..<10 {
    replay.press(.char("G"), "G", as: "tree: G / g")
    replay.press(.char("g"), "g", as: "tree: G / g")
}
for _ in 0..<5 {
    replay.press(.char("H"), "H", as: "tree: collapse all")
    replay.press(.char("L"), "L", as: "tree: expand all")
}
expect(replay.state.tree!.rows.count == forest.traces[wideTrace].spans.count, "L expanded the whole trace")
replay.press(.tab, "Tab", as: "tree: detail pane open / close")
expect(replay.state.detailOpen, "Tab opened the detail pane")
replay.press(.char("j"), "j", times: 50, as: "tree: move, detail pane open")
replay.press(.char("k"), "k", times: 50, as: "tree: move, detail pane open")
replay.press(.char("q"), "q", as: "tree: detail pane open / close")
for _ in 0..<3 { replay.press(.char("c"), "c", times: 2, as: "tree: critical path on / off") }
replay.press(.char("e"), "e", times: 10, as: "tree: next error")
replay.press(.char("g"), "g", as: "tree: G / g")
for _ in 0..<3 {
    replay.press(.char("/"), "/", as: "prompt: / and typing")
    replay.type("refund", as: "prompt: / and typing")
    replay.press(.enter, "Enter", as: "tree: filter Enter (refund)")
    expect(replay.state.tree!.filter?.text == "refund", "the tree is filtered")
    replay.press(.char("n"), "n", times: 5, as: "tree: next / previous match")
    replay.press(.char("N"), "N", times: 5, as: "tree: next / previous match")
    replay.press(.char("/"), "/", as: "prompt: / and typing")
    replay.press(.backspace, "Backspace", times: "refund".count, as: "prompt: / and typing")
    replay.press(.enter, "Enter", as: "tree: clear the filter (Enter)")
}
replay.press(.char("q"), "q", as: "tree: back to the list")

// The dashboard, opened from the list.
replay.press(.char("D"), "D", as: "D: first open (data extracted before)")
expect(replay.state.screen == .dashboard, "D opened the dashboard")
replay.press(.char("j"), "j", times: 20, as: "dashboard: move")
replay.press(.char("k"), "k", times: 20, as: "dashboard: move")
replay.press(.pageDown, "PgDn", times: 10, as: "dashboard: page")
replay.press(.pageUp, "PgUp", times: 10, as: "dashboard: page")
for _ in 0..<3 {
    replay.press(.char("G"), "G", as: "dashboard: G / g")
    replay.press(.char("g"), "g", as: "dashboard: G / g")
}
for (key, times) in [("m", 4), ("f", 3), ("v", 3), ("t", 4), ("x", 1)] {
    replay.press(.char(Character(key)), key, times: times, as: "dashboard: change a filter")
}
expect(replay.state.list.facets.isEmpty, "x cleared the filters")
for _ in 0..<3 {
    replay.press(.char("j"), "j", as: "dashboard: move")
    replay.press(.enter, "Enter", as: "dashboard: the traces behind a figure")
    replay.press(.char("q"), "q", as: "list: back to the dashboard")
    expect(replay.state.screen == .dashboard, "q went back to the dashboard")
}
for _ in 0..<5 {
    replay.press(.char("D"), "D", as: "D: close")
    replay.press(.char("D"), "D", as: "D: open again")
}
replay.press(.char("D"), "D", as: "D: close")
expect(replay.state.screen == .traceList, "D went back to the list")

// The list's filters: the dashboard's facets, a filter expression, a bare word.
replay.press(.char("m"), "m", times: 2, as: "list: change a filter")
replay.press(.char("x"), "x", as: "list: change a filter")
for _ in 0..<3 {
    replay.press(.char("/"), "/", as: "prompt: / and typing")
    replay.type("cost>0.01", as: "prompt: / and typing")
    replay.press(.enter, "Enter", as: "list: filter Enter (cost>0.01)")
    expect(replay.state.list.filter?.text == "cost>0.01", "the list is filtered")
    replay.press(.char("j"), "j", times: 10, as: "list: move")
    replay.press(.enter, "Enter", as: "list: open a trace, filtered")
    replay.press(.char("q"), "q", as: "tree: back to the list")
    replay.press(.char("/"), "/", as: "prompt: / and typing")
    replay.press(.backspace, "Backspace", times: "cost>0.01".count, as: "prompt: / and typing")
    replay.press(.enter, "Enter", as: "list: clear the filter (Enter)")
    replay.press(.char("/"), "/", as: "prompt: / and typing")
    replay.type("refund", as: "prompt: / and typing")
    replay.press(.enter, "Enter", as: "list: search Enter (refund)")
    expect(replay.state.list.filter?.text == "refund", "the list is searched")
    replay.press(.char("/"), "/", as: "prompt: / and typing")
    replay.press(.backspace, "Backspace", times: "refund".count, as: "prompt: / and typing")
    replay.press(.enter, "Enter", as: "list: clear the filter (Enter)")
    expect(replay.state.list.filter == nil, "the filter is cleared")
}
expect(replay.frame[0, 0].scalar == "t", "the list's header is drawn")

// `D` before the background extraction ended: a fresh `ViewData` of the same spans, whose
// dashboard data is not there yet.
let cold = ViewData(store: store, analysis: analysis, title: path, warnings: data.warnings)
var coldReplay = Replay(state: AppState(screen: .traceList, width: width, height: height, data: cold), data: cold)
coldReplay.press(.char("D"), "D", as: "D: first open, data not yet extracted")

print("")
print("| kind of key | keys | count | p50 ms | p99 ms | max ms | p99 ≤ 16 ms |")
print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
let replays = [replay, coldReplay]
var kindsOver = 0
for (r, kind) in replays.flatMap({ r in r.kinds.map { (r, $0) } }) {
    let sorted = r.samples[kind]!.sorted()
    let p99 = percentile(sorted, 99)
    let verdict = p99 <= 16 ? "yes" : String(format: "**no**, %.1fx over", p99 / 16)
    if p99 > 16 { kindsOver += 1 }
    print(
        "| \(kind) | \(r.labels(of: kind)) | \(sorted.count) | \(ms(percentile(sorted, 50))) | \(ms(p99)) "
            + "| \(ms(sorted.last!)) | \(verdict) |")
}
let all = replays.flatMap(\.presses)
let everyKey = all.map(\.ms).sorted()
print("")
print(
    "all \(all.count) keys: p50 \(ms(percentile(everyKey, 50))) ms, p99 \(ms(percentile(everyKey, 99))) ms, "
        + "max \(ms(everyKey.last!)) ms; kinds over 16 ms at p99: \(kindsOver) of \(replays.map(\.kinds.count).reduce(0, +))"
)
print(
    "slowest keys: "
        + all.sorted { $0.ms > $1.ms }.prefix(5).map { "\($0.kind) [\($0.key)] \(ms($0.ms)) ms" }.joined(
            separator: "; "))
print("(p99 is the nearest rank: with fewer than 100 keys of a kind, the maximum)")
let background = Dictionary(grouping: replays.flatMap(\.background), by: \.kind)
if !background.isEmpty {
    print("off the UI thread (the shell's threads), the work before each message:")
    for (kind, work) in background.sorted(by: { $0.key < $1.key }) {
        let times = work.map(\.ms).sorted()
        print(
            "- \(kind): \(times.count) times, p50 \(ms(percentile(times, 50))) ms, max \(ms(times.last!)) ms "
                + "(\(times.map { ms($0) }.joined(separator: ", ")))")
    }
}
print("load average at the end: \(loadAverage())")
