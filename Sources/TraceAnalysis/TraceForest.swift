import TraceModel

/// Marks on a span that the tree had to repair.
public struct TreeFlags: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// Its parent id names a span that was never seen: shown as a root of its trace.
    public static let orphan = TreeFlags(rawValue: 1)
    /// Another span of the trace has the same id; children attach to the first one.
    public static let duplicateID = TreeFlags(rawValue: 2)
    /// Its parent chain came back to itself (or it named itself): cut here, shown as a root.
    public static let cycle = TreeFlags(rawValue: 4)
}

/// One trace: its spans, its roots in start order, its time range.
public struct TraceEntry: Sendable {
    public var traceID: TraceID
    /// Span indices of the trace, in start order.
    public var spans: [Int32]
    /// True roots first, then orphans and cut cycles, each group in start order.
    public var roots: [Int32]
    public var start: Int64
    public var end: Int64
    public var durationNanos: Int64 { max(0, end - start) }
    /// The span that names the trace: its earliest true root, else its earliest root.
    public var rootSpan: Int32 { roots[0] }
}

/// The span trees of every trace in a store: parent links, children in start order, repairs.
/// Pure data built in one pass; nothing here allocates per span beyond flat arrays.
public struct TraceForest: Sendable {
    public var traces: [TraceEntry] = []
    /// Per span: its trace's index in `traces`.
    public var traceOf: [Int32] = []
    /// Per span: parent span index, or -1.
    public var parent: [Int32] = []
    /// Children of span i are `childList[childStart[i]..<childStart[i+1]]`, in start order.
    public var childStart: [Int32] = []
    public var childList: [Int32] = []
    public var flags: [TreeFlags] = []
    /// Per span: depth below its root.
    public var depth: [Int32] = []
    public var warnings: [String] = []
    /// Trace id to its index in `traces`: live data adopted by the UI finds its traces again by id
    /// without building this map on the UI thread.
    public var traceIndex: [TraceID: Int] = [:]

    public func children(of span: Int32) -> ArraySlice<Int32> {
        childList[Int(childStart[Int(span)])..<Int(childStart[Int(span) + 1])]
    }

    public init() {}

    public init(store: SpanStore) {
        let spans = store.spans
        let n = spans.count
        traceOf = [Int32](repeating: 0, count: n)
        parent = [Int32](repeating: -1, count: n)
        flags = [TreeFlags](repeating: [], count: n)
        depth = [Int32](repeating: 0, count: n)

        let members = Self.groupByTrace(spans, traceOf: &traceOf)
        let repairs = Self.resolveParents(members, spans, parent: &parent, flags: &flags)
        let cycles = Self.cutCycles(parent: &parent, flags: &flags, spans: spans)
        buildChildLists(spans)
        buildTraceEntries(members, spans)
        computeDepths()

        if repairs.orphans > 0 {
            warnings.append(
                "\(repairs.orphans) span(s) name a parent that is not in the data; "
                    + "shown as roots marked orphan")
        }
        if repairs.duplicates > 0 {
            warnings.append("\(repairs.duplicates) duplicate span id(s); children attach to the first span with the id")
        }
        if repairs.selfParents > 0 {
            warnings.append("\(repairs.selfParents) span(s) name themselves as parent; shown as roots")
        }
        if cycles > 0 { warnings.append("\(cycles) parent cycle(s) cut; the cut span is shown as a root") }
    }

    /// Orders spans by start time, then by index.
    private static func byStart(_ spans: [Span]) -> (Int32, Int32) -> Bool {
        { a, b in
            let sa = spans[Int(a)].startNanos
            let sb = spans[Int(b)].startNanos
            return sa != sb ? sa < sb : a < b
        }
    }

    /// The spans of each trace, traces in order of first appearance (for now); sets `traceOf`.
    private static func groupByTrace(_ spans: [Span], traceOf: inout [Int32]) -> [[Int32]] {
        var traceIndex: [TraceID: Int32] = [:]
        var members: [[Int32]] = []
        for i in 0..<spans.count {
            let id = spans[i].traceID
            if let t = traceIndex[id] {
                members[Int(t)].append(Int32(i))
                traceOf[i] = t
            } else {
                traceIndex[id] = Int32(members.count)
                traceOf[i] = Int32(members.count)
                members.append([Int32(i)])
            }
        }
        return members
    }

    /// Resolves parents within each trace, flagging duplicate ids, orphans and spans naming themselves.
    private static func resolveParents(
        _ members: [[Int32]], _ spans: [Span], parent: inout [Int32],
        flags: inout [TreeFlags]
    ) -> (duplicates: Int, orphans: Int, selfParents: Int) {
        var duplicates = 0
        var orphans = 0
        var selfParents = 0
        for list in members {
            var byID: [SpanID: Int32] = Dictionary(minimumCapacity: list.count)
            for s in list {
                let id = spans[Int(s)].spanID
                if let first = byID[id] {
                    flags[Int(s)].insert(.duplicateID)
                    flags[Int(first)].insert(.duplicateID)
                    duplicates += 1
                } else {
                    byID[id] = s
                }
            }
            for s in list {
                let p = spans[Int(s)].parentSpanID
                guard p != 0 else { continue }
                guard let ps = byID[p] else {
                    flags[Int(s)].insert(.orphan)
                    orphans += 1
                    continue
                }
                if ps == s {
                    flags[Int(s)].insert(.cycle)
                    selfParents += 1
                    continue
                }
                parent[Int(s)] = ps
            }
        }
        return (duplicates, orphans, selfParents)
    }

    /// Children lists (CSR), each in start order.
    private mutating func buildChildLists(_ spans: [Span]) {
        let n = spans.count
        var counts = [Int32](repeating: 0, count: n + 1)
        for i in 0..<n where parent[i] >= 0 { counts[Int(parent[i]) + 1] += 1 }
        for i in 0..<n { counts[i + 1] += counts[i] }
        childStart = counts
        childList = [Int32](repeating: 0, count: Int(counts[n]))
        var fill = counts
        for i in 0..<n where parent[i] >= 0 {
            let p = Int(parent[i])
            childList[Int(fill[p])] = Int32(i)
            fill[p] += 1
        }
        let byStart = Self.byStart(spans)
        for i in 0..<n where childStart[i + 1] - childStart[i] > 1 {
            childList[Int(childStart[i])..<Int(childStart[i + 1])].sort(by: byStart)
        }
    }

    /// Trace entries, sorted by start time; `traceOf` follows the new order.
    private mutating func buildTraceEntries(_ members: [[Int32]], _ spans: [Span]) {
        let byStart = Self.byStart(spans)
        var entries: [TraceEntry] = []
        entries.reserveCapacity(members.count)
        for var list in members {
            list.sort(by: byStart)
            let roots = list.filter { parent[Int($0)] < 0 }
            let trueRoots = roots.filter { flags[Int($0)].isEmpty && spans[Int($0)].parentSpanID == 0 }
            let others = roots.filter { !(flags[Int($0)].isEmpty && spans[Int($0)].parentSpanID == 0) }
            var start = Int64.max
            var end = Int64.min
            for s in list {
                start = min(start, spans[Int(s)].startNanos)
                end = max(end, spans[Int(s)].endNanos)
            }
            entries.append(
                TraceEntry(
                    traceID: spans[Int(list[0])].traceID, spans: list, roots: trueRoots + others,
                    start: start, end: max(end, start)))
        }
        entries.sort { $0.start != $1.start ? $0.start < $1.start : $0.traceID < $1.traceID }
        traceIndex.reserveCapacity(entries.count)
        for (t, e) in entries.enumerated() {
            for s in e.spans { traceOf[Int(s)] = Int32(t) }
            traceIndex[e.traceID] = t
        }
        traces = entries
    }

    /// Depths, iteratively (no recursion: a million-deep chain must not overflow the stack).
    private mutating func computeDepths() {
        var stack: [Int32] = []
        for e in traces {
            stack.append(contentsOf: e.roots)
            while let s = stack.popLast() {
                for c in children(of: s) {
                    depth[Int(c)] = depth[Int(s)] + 1
                    stack.append(c)
                }
            }
        }
    }

    /// Finds parent chains that loop and cuts each loop at its earliest-starting span. Returns the
    /// number of loops cut. Linear: each span is walked once.
    private static func cutCycles(parent: inout [Int32], flags: inout [TreeFlags], spans: [Span]) -> Int {
        let n = parent.count
        var state = [UInt8](repeating: 0, count: n)  // 0 unvisited, 1 on the current path, 2 done
        var path: [Int32] = []
        var cut = 0
        for i in 0..<n where state[i] == 0 {
            var s = Int32(i)
            path.removeAll(keepingCapacity: true)
            while s >= 0 && state[Int(s)] == 0 {
                state[Int(s)] = 1
                path.append(s)
                s = parent[Int(s)]
            }
            if s >= 0 && state[Int(s)] == 1 {
                // The loop is the part of the path from s onwards.
                let loop = path[path.firstIndex(of: s)!...]
                let victim = loop.min {
                    spans[Int($0)].startNanos != spans[Int($1)].startNanos
                        ? spans[Int($0)].startNanos < spans[Int($1)].startNanos : $0 < $1
                }!
                parent[Int(victim)] = -1
                flags[Int(victim)].insert(.cycle)
                cut += 1
            }
            for p in path { state[Int(p)] = 2 }
        }
        return cut
    }
}
