import TraceModel

/// One side of a diff: a trace of an analysed store. The two sides may share a store or not.
public struct TraceSide: Sendable {
    public let store: SpanStore
    public let analysis: Analysis
    /// Index of the trace in `analysis.forest.traces`.
    public let trace: Int

    public init(store: SpanStore, analysis: Analysis, trace: Int) {
        self.store = store
        self.analysis = analysis
        self.trace = trace
    }

    public var traceID: TraceID { analysis.forest.traces[trace].traceID }
    public var totals: Totals { analysis.traceTotals[trace] }
    public var durationNanos: Int64 { analysis.forest.traces[trace].durationNanos }
}

/// Whether a span of one run has its counterpart in the other, and whether they differ.
public enum DiffStatus: UInt8, Sendable, CaseIterable {
    case same, changed, added, removed
    public var name: String { ["same", "changed", "added", "removed"][Int(rawValue)] }
}

/// What a span says, as the diff compares it: its own figures, the call it counts (if any)
/// included, so the rows of a side add up to its trace's totals.
public struct DiffSpan: Sendable, Equatable {
    /// Index of the span in its side's store.
    public var span: Int32
    public var name: String
    public var role: SpanRole
    /// The call's model on the span that counts it, else the span's own; "" when none.
    public var model: String
    public var finishReason: String
    /// "ok", "unset" or "error" (an error status, an exception event or an error attribute).
    public var status: String
    public var durationNanos: Int64
    public var llmCalls: Int
    public var inputTokens: Int64
    public var outputTokens: Int64
    /// The known cost of the call counted here (0 for spans that count none); nil when unknown.
    public var costUSD: Double?
    public var errors: Int

    init(_ s: Int32, in side: TraceSide) {
        let a = side.analysis
        let store = side.store
        let span = store.spans[Int(s)]
        let facts = a.counted[Int(s)] ? a.callFacts(of: s) : a.facts[Int(s)]
        let own = a.selfTotals[Int(s)]
        self.span = s
        name = store.string(span.name)
        role = a.facts[Int(s)].role
        model = facts.model == 0 ? "" : store.string(facts.model)
        finishReason = facts.finishReason == 0 ? "" : store.string(facts.finishReason)
        status = a.isError[Int(s)] ? StatusCode.error.name : span.status.name
        durationNanos = span.durationNanos
        llmCalls = own.llmCalls
        inputTokens = own.inputTokens
        outputTokens = own.outputTokens
        costUSD = own.unknownCostCalls > 0 ? nil : own.costUSD
        errors = own.errors
    }
}

/// B minus A for one row; a side without the span counts as zero, so the rows' deltas add up to
/// the difference of the totals.
public struct DiffDelta: Sendable, Equatable {
    public var durationNanos: Int64 = 0
    public var llmCalls = 0
    public var inputTokens: Int64 = 0
    public var outputTokens: Int64 = 0
    /// The difference of the known costs…
    public var costUSD: Double = 0
    /// …which leaves out this many calls of unknown cost, of either side.
    public var unknownCostCalls = 0
    public var errors = 0

    public init() {}

    init(a: DiffSpan?, b: DiffSpan?) {
        durationNanos = (b?.durationNanos ?? 0) - (a?.durationNanos ?? 0)
        llmCalls = (b?.llmCalls ?? 0) - (a?.llmCalls ?? 0)
        inputTokens = (b?.inputTokens ?? 0) - (a?.inputTokens ?? 0)
        outputTokens = (b?.outputTokens ?? 0) - (a?.outputTokens ?? 0)
        costUSD = (b?.costUSD ?? 0) - (a?.costUSD ?? 0)
        unknownCostCalls = [a, b].filter { $0 != nil && $0!.costUSD == nil }.count
        errors = (b?.errors ?? 0) - (a?.errors ?? 0)
    }

    public var costComplete: Bool { unknownCostCalls == 0 }
}

/// One row of the merged tree: a span of A and its counterpart in B, or a span of one side only.
public struct DiffRow: Sendable, Equatable {
    public var status: DiffStatus
    public var depth: Int
    /// The parent's row, -1 for a root.
    public var parent: Int
    /// One past the last row of this row's subtree: rows are in display order, a subtree after its root.
    public var subtreeEnd: Int
    public var a: DiffSpan?
    public var b: DiffSpan?
    public var delta: DiffDelta

    /// The side that has the span (B when both do).
    public var shown: DiffSpan { b ?? a! }
    public var modelChanged: Bool { a != nil && b != nil && a!.model != b!.model }
    public var finishChanged: Bool { a != nil && b != nil && a!.finishReason != b!.finishReason }
    public var statusChanged: Bool { a != nil && b != nil && a!.status != b!.status }
}

/// Two runs compared span by span (`tracetui diff`, `d` in the TUI). Spans are matched level by level:
/// the roots of A with the roots of B, then the children of each matched pair, by an edit-distance
/// alignment of the sibling lists, so an inserted retry or an extra tool call is one added row and
/// the siblings after it stay matched. Two spans can be matched only when their names are equal; a
/// pair that also agrees on kind and model costs less than one that does not, and a pair whose
/// figures agree less than one whose figures differ (so of two attempts of one call, the one that
/// looks like A's call is matched and the other is added). A matched pair is `changed` when
/// `differs` says so.
public struct TraceDiff: Sendable, Equatable {
    public let traceA: TraceID
    public let traceB: TraceID
    public let totalsA: Totals
    public let totalsB: Totals
    public let durationA: Int64
    public let durationB: Int64
    /// The merged tree in display order.
    public let rows: [DiffRow]

    /// A duration counts as changed from this share of A's duration…
    public static let durationChangeShare = 0.2
    /// …and at least this many nanoseconds (1 ms): run-to-run jitter of a fast span is not a change.
    public static let durationChangeNanos: Int64 = 1_000_000
    /// Sibling lists longer than this product are aligned greedily (each span of A with the next span
    /// of B of the same name) instead of by the quadratic alignment.
    public static let alignmentCellLimit = 4_000_000

    public init(_ a: TraceSide, _ b: TraceSide) {
        traceA = a.traceID
        traceB = b.traceID
        totalsA = a.totals
        totalsB = b.totals
        durationA = a.durationNanos
        durationB = b.durationNanos
        rows = Self.mergedRows(a, b)
    }

    /// How many rows have each status.
    public func count(_ status: DiffStatus) -> Int { rows.reduce(0) { $0 + ($1.status == status ? 1 : 0) } }

    /// B's totals minus A's.
    public var totalsDelta: DiffDelta {
        var d = DiffDelta()
        d.durationNanos = durationB - durationA
        d.llmCalls = totalsB.llmCalls - totalsA.llmCalls
        d.inputTokens = totalsB.inputTokens - totalsA.inputTokens
        d.outputTokens = totalsB.outputTokens - totalsA.outputTokens
        d.costUSD = totalsB.costUSD - totalsA.costUSD
        d.unknownCostCalls = totalsA.unknownCostCalls + totalsB.unknownCostCalls
        d.errors = totalsB.errors - totalsA.errors
        return d
    }

    /// A matched pair is changed when the model, finish reason, status, token counts or cost differ
    /// (an unknown cost differs from a known one), or the duration moved by at least
    /// `durationChangeShare` of A's and at least `durationChangeNanos`.
    public static func differs(_ a: DiffSpan, _ b: DiffSpan) -> Bool {
        differences(a, b) > 0
    }

    /// The number of compared figures that differ (0…7): `differs`, and how good a match is.
    static func differences(_ a: DiffSpan, _ b: DiffSpan) -> Int {
        var n = 0
        if a.model != b.model { n += 1 }
        if a.finishReason != b.finishReason { n += 1 }
        if a.status != b.status { n += 1 }
        if a.inputTokens != b.inputTokens { n += 1 }
        if a.outputTokens != b.outputTokens { n += 1 }
        switch (a.costUSD, b.costUSD) {
        case (let x?, let y?) where abs(x - y) > 1e-12: n += 1
        case (nil, .some), (.some, nil): n += 1
        default: break
        }
        let moved = abs(b.durationNanos - a.durationNanos)
        if moved >= durationChangeNanos && Double(moved) >= durationChangeShare * Double(a.durationNanos) { n += 1 }
        return n
    }

    /// The merged tree, depth first, without recursion (a very deep chain must not overflow the stack).
    private static func mergedRows(_ a: TraceSide, _ b: TraceSide) -> [DiffRow] {
        var keys = KeyTable()
        var rows: [DiffRow] = []
        // Pairs waiting to become rows, popped in display order.
        var stack: [(a: DiffSpan?, b: DiffSpan?, depth: Int, parent: Int)] = []
        func push(_ pairs: [(DiffSpan?, DiffSpan?)], depth: Int, parent: Int) {
            for (x, y) in pairs.reversed() { stack.append((x, y, depth, parent)) }
        }
        let rootsA = a.analysis.forest.traces[a.trace].roots
        let rootsB = b.analysis.forest.traces[b.trace].roots
        push(keys.align(rootsA, a, rootsB, b), depth: 0, parent: -1)
        while let item = stack.popLast() {
            let (spanA, spanB, depth, parent) = item
            let status: DiffStatus
            switch (spanA, spanB) {
            case (let x?, let y?): status = differs(x, y) ? .changed : .same
            case (nil, _): status = .added
            case (_, nil): status = .removed
            }
            let row = rows.count
            rows.append(
                DiffRow(
                    status: status, depth: depth, parent: parent, subtreeEnd: row + 1, a: spanA, b: spanB,
                    delta: DiffDelta(a: spanA, b: spanB)))
            let childrenA = spanA.map { Array(a.analysis.forest.children(of: $0.span)) } ?? []
            let childrenB = spanB.map { Array(b.analysis.forest.children(of: $0.span)) } ?? []
            push(keys.align(childrenA, a, childrenB, b), depth: depth + 1, parent: row)
        }
        for r in rows.indices.reversed() where rows[r].parent >= 0 {
            rows[rows[r].parent].subtreeEnd = max(rows[rows[r].parent].subtreeEnd, rows[r].subtreeEnd)
        }
        return rows
    }
}

/// Span names and (name, kind, model) keys as small integers shared by both sides, so the alignment
/// compares integers, whichever string table each side has.
private struct KeyTable {
    private var names: [String: Int] = [:]
    private var keys: [String: Int] = [:]

    /// What the alignment compares of one sibling.
    struct Item {
        var name: Int
        var key: Int
        var span: DiffSpan
    }

    /// Cost of leaving a span unmatched, and of matching two spans whose kind or model differ: a same-name
    /// pair (at most 4 + 7) always costs less than two unmatched spans (20).
    static let gapCost = 10
    static let keyMismatchCost = 4

    private mutating func item(_ s: Int32, _ side: TraceSide) -> Item {
        let span = DiffSpan(s, in: side)
        let name = names[span.name] ?? names.count
        names[span.name] = name
        let keyText = span.name + "\u{0}" + span.role.name + "\u{0}" + span.model
        let key = keys[keyText] ?? keys.count
        keys[keyText] = key
        return Item(name: name, key: key, span: span)
    }

    /// The siblings paired in order: a span of A with its counterpart of B, or either alone.
    mutating func align(_ spansA: [Int32], _ a: TraceSide, _ spansB: [Int32], _ b: TraceSide) -> [(
        DiffSpan?, DiffSpan?
    )] {
        let itemsA = spansA.map { item($0, a) }
        let itemsB = spansB.map { item($0, b) }
        let pairs =
            itemsA.count * itemsB.count > TraceDiff.alignmentCellLimit
            ? Self.greedy(itemsA, itemsB) : Self.editDistance(itemsA, itemsB)
        return pairs.map { ($0 >= 0 ? itemsA[$0].span : nil, $1 >= 0 ? itemsB[$1].span : nil) }
    }

    /// The cost of matching two siblings, nil when they cannot be (different names).
    private static func matchCost(_ x: Item, _ y: Item) -> Int? {
        guard x.name == y.name else { return nil }
        return (x.key == y.key ? 0 : keyMismatchCost) + TraceDiff.differences(x.span, y.span)
    }

    /// The cheapest alignment (O(n·m) time and memory): costs of aligning the suffixes, then a walk from
    /// the start that prefers a match, then a span of A left out, then one of B, when costs tie.
    private static func editDistance(_ a: [Item], _ b: [Item]) -> [(Int, Int)] {
        let n = a.count
        let m = b.count
        let width = m + 1
        var cost = [Int32](repeating: 0, count: (n + 1) * width)
        for i in stride(from: n, through: 0, by: -1) {
            for j in stride(from: m, through: 0, by: -1) where i < n || j < m {
                var best = Int32.max
                if i < n, j < m, let c = matchCost(a[i], b[j]) { best = Int32(c) + cost[(i + 1) * width + j + 1] }
                if i < n { best = min(best, Int32(gapCost) + cost[(i + 1) * width + j]) }
                if j < m { best = min(best, Int32(gapCost) + cost[i * width + j + 1]) }
                cost[i * width + j] = best
            }
        }
        var pairs: [(Int, Int)] = []
        var i = 0
        var j = 0
        while i < n || j < m {
            let here = cost[i * width + j]
            if i < n, j < m, let c = matchCost(a[i], b[j]), Int32(c) + cost[(i + 1) * width + j + 1] == here {
                pairs.append((i, j))
                i += 1
                j += 1
            } else if i < n, Int32(gapCost) + cost[(i + 1) * width + j] == here {
                pairs.append((i, -1))
                i += 1
            } else {
                pairs.append((-1, j))
                j += 1
            }
        }
        return pairs
    }

    /// For huge sibling lists: each span of A is matched with the next unmatched span of B of the same
    /// name; the spans of B skipped on the way are added. Linear, order-preserving, not optimal.
    private static func greedy(_ a: [Item], _ b: [Item]) -> [(Int, Int)] {
        var positions: [Int: [Int]] = [:]
        for (j, item) in b.enumerated() { positions[item.name, default: []].append(j) }
        var next: [Int: Int] = [:]
        var pairs: [(Int, Int)] = []
        var j = 0
        for (i, item) in a.enumerated() {
            let list = positions[item.name] ?? []
            var k = next[item.name] ?? 0
            while k < list.count && list[k] < j { k += 1 }
            next[item.name] = k
            guard k < list.count else {
                pairs.append((i, -1))
                continue
            }
            while j < list[k] {
                pairs.append((-1, j))
                j += 1
            }
            pairs.append((i, j))
            j += 1
        }
        while j < b.count {
            pairs.append((-1, j))
            j += 1
        }
        return pairs
    }
}
