import Dispatch
import Synchronization
import TraceModel

/// Totals over a span's subtree (or a whole trace). Costs add only known costs; `unknownCostCalls`
/// counts the calls whose cost could not be known, so "$1.20 + ?" is never shown as "$1.20".
public struct Totals: Sendable, Equatable {
    public var spans: Int = 0
    public var llmCalls: Int = 0
    public var inputTokens: Int64 = 0
    public var outputTokens: Int64 = 0
    public var cachedInputTokens: Int64 = 0
    public var costUSD: Double = 0
    public var unknownCostCalls: Int = 0
    public var errors: Int = 0
    /// Calls whose reported cost differs from the list price by more than 5 % (`CallGroup.costMismatch`).
    /// These two rare counts are 32-bit: two totals are kept per span.
    public var costMismatches: Int32 = 0
    /// Calls shown here but counted in an earlier trace (the same response id): not in `llmCalls`.
    public var callsCountedElsewhere: Int32 = 0
    public init() {}

    public var costComplete: Bool { unknownCostCalls == 0 }

    public mutating func add(_ o: Totals) {
        spans += o.spans
        llmCalls += o.llmCalls
        inputTokens += o.inputTokens
        outputTokens += o.outputTokens
        cachedInputTokens += o.cachedInputTokens
        costUSD += o.costUSD
        unknownCostCalls += o.unknownCostCalls
        errors += o.errors
        costMismatches += o.costMismatches
        callsCountedElsewhere += o.callsCountedElsewhere
    }
}

/// Everything derived from a store: trees, per-span LLM facts and costs, the model calls (groups of
/// spans that describe one call) and which span counts each, and subtree totals. Rebuilt from the
/// store; the store is never changed.
public struct Analysis: Sendable {
    public let forest: TraceForest
    public let extractor: FactExtractor
    /// Per span: what the span itself says.
    public let facts: [LLMFacts]
    /// Per span: the call's cost on the span that counts it (`calls`), the span's own cost elsewhere.
    public let costs: [SpanCost]
    /// The model calls, each described by one or more spans.
    public let calls: CallGroups
    /// Per span: it is the span that counts a model call in totals.
    public let counted: [Bool]
    public let isError: [Bool]
    /// Per span: totals of its own work only.
    public let selfTotals: [Totals]
    /// Per span: totals of the span and everything beneath it.
    public let subtree: [Totals]
    /// Per span: time not covered by its children, in nanoseconds.
    public let selfNanos: [Int64]
    /// Per span: first start and last end over its subtree (children may outlive their parent).
    public let subtreeStart: [Int64]
    public let subtreeEnd: [Int64]
    /// Per trace (same order as `forest.traces`).
    public let traceTotals: [Totals]
    public let warnings: [String]

    public init(store: SpanStore, prices: PriceTable) {
        self.init(store: store, prices: prices, twoCores: store.spans.count >= Self.spansForTwoCores)
    }

    /// `twoCores`: the independent parts run at once on two cores.
    init(store: SpanStore, prices: PriceTable, twoCores: Bool) {
        let extractor = FactExtractor(strings: store.strings)
        let n = store.spans.count
        // The trees and what each span says do not depend on each other.
        let (forest, (facts, isError, ownCosts, priceCache)) = concurrently(
            twoCores,
            { TraceForest(store: store) },
            {
                let (facts, isError) = Self.factsAndErrors(store, extractor)
                // Costs, with one price lookup per distinct model string.
                var priceCache: [StrID: ModelPrice?] = [:]
                let costs = Self.ownCosts(store, facts, prices, &priceCache)
                return (facts, isError, costs, priceCache)
            })
        var costs = ownCosts

        let calls = CallGroups(store: store, forest: forest, facts: facts, ownCosts: costs) { priceCache[$0] ?? nil }
        var counted = [Bool](repeating: false, count: n)
        // A wrapper without usage whose call is counted elsewhere has no cost of its own, not an unknown one.
        for i in 0..<n where facts[i].role.isModelCall && !facts[i].hasUsage { costs[i] = .none }
        var selfTotals = [Totals](repeating: Totals(), count: n)
        for i in 0..<n {
            selfTotals[i].spans = 1
            selfTotals[i].errors = isError[i] ? 1 : 0
        }
        let tally = Self.countCalls(calls, &costs, &counted, &selfTotals)
        let rollup = Rollup(store: store, forest: forest, selfTotals: selfTotals, twoCores: twoCores)
        var traceTotals: [Totals] = []
        for trace in forest.traces {
            var t = Totals()
            for r in trace.roots { t.add(rollup.subtree[Int(r)]) }
            traceTotals.append(t)
        }
        let warnings = Self.warnings(
            forest: forest, traceTotals: traceTotals, tally: tally, store: store,
            priceCache: priceCache)

        self.forest = forest
        self.extractor = extractor
        self.facts = facts
        self.costs = costs
        self.calls = calls
        self.counted = counted
        self.isError = isError
        self.selfTotals = selfTotals
        self.subtree = rollup.subtree
        self.selfNanos = rollup.selfNanos
        self.subtreeStart = rollup.subtreeStart
        self.subtreeEnd = rollup.subtreeEnd
        self.traceTotals = traceTotals
        self.warnings = warnings
    }

    /// Below this many spans, the analysis runs on one core: starting a second costs more than it saves.
    static let spansForTwoCores = 50_000

    /// Per span: what it says, and whether it is an error (status, exception event or error attribute).
    private static func factsAndErrors(_ store: SpanStore, _ extractor: FactExtractor) -> ([LLMFacts], [Bool]) {
        let n = store.spans.count
        var facts = [LLMFacts]()
        facts.reserveCapacity(n)
        var isError = [Bool](repeating: false, count: n)
        for i in 0..<n {
            let span = store.spans[i]
            facts.append(extractor.facts(of: span, in: store))
            isError[i] =
                span.status == .error || extractor.hasException(span, in: store)
                || extractor.hasErrorAttribute(span, in: store)
        }
        return (facts, isError)
    }

    /// Per span: its own cost, for model calls and spans with usage; `priceCache` keeps one lookup per model.
    private static func ownCosts(
        _ store: SpanStore, _ facts: [LLMFacts], _ prices: PriceTable,
        _ priceCache: inout [StrID: ModelPrice?]
    ) -> [SpanCost] {
        var costs = [SpanCost](repeating: .none, count: facts.count)
        for i in 0..<facts.count where facts[i].role.isModelCall || facts[i].hasUsage {
            let f = facts[i]
            if priceCache[f.model] == nil { priceCache[f.model] = .some(prices.price(for: store.string(f.model))) }
            costs[i] = spanCost(f, price: priceCache[f.model]!)
        }
        return costs
    }

    /// What counting the calls found, for the warnings.
    private struct CallTally {
        var conflicts: UInt32 = 0, conflictCalls = 0, repeatedCalls = 0
        var unknownModels: [StrID: Int] = [:]
    }

    /// Puts each call's figures on the span that counts it (a call seen in an earlier trace only marks its
    /// first member), and gives that span the call's cost.
    private static func countCalls(
        _ calls: CallGroups, _ costs: inout [SpanCost], _ counted: inout [Bool],
        _ selfTotals: inout [Totals]
    ) -> CallTally {
        var tally = CallTally()
        for call in calls.groups {
            if call.conflicts != 0 {
                tally.conflicts |= call.conflicts
                tally.conflictCalls += 1
            }
            guard call.counted >= 0 else {
                tally.repeatedCalls += 1
                selfTotals[Int(calls.members[Int(call.memberStart)])].callsCountedElsewhere = 1
                continue
            }
            let i = Int(call.counted)
            let f = calls.facts(of: call)
            counted[i] = true
            costs[i] = call.cost
            var t = selfTotals[i]
            t.llmCalls = 1
            t.inputTokens = f.allInputTokens
            t.outputTokens = max(0, f.outputTokens)
            t.cachedInputTokens = max(0, f.cacheReadTokens)
            t.costMismatches = call.costMismatch ? 1 : 0
            if call.cost.source == .unknown {
                t.unknownCostCalls = 1
                tally.unknownModels[f.model, default: 0] += 1
            } else {
                t.costUSD = call.cost.usd
            }
            selfTotals[i] = t
        }
        return tally
    }

    /// Subtree totals, extents and self time, children before parents (reverse depth-first order).
    /// Traces do not share spans, so with `twoCores` the traces are rolled up in two halves at once,
    /// each writing its own spans' entries.
    private struct Rollup {
        var subtree: [Totals]
        var selfNanos: [Int64]
        var subtreeStart: [Int64]
        var subtreeEnd: [Int64]

        init(store: SpanStore, forest: TraceForest, selfTotals: [Totals], twoCores: Bool) {
            let n = store.spans.count
            subtree = selfTotals
            selfNanos = [Int64](repeating: 0, count: n)
            subtreeStart = store.spans.map(\.startNanos)
            subtreeEnd = store.spans.map(\.endNanos)
            let traces = forest.traces.count
            let halves = twoCores && traces > 1 ? [0..<traces / 2, traces / 2..<traces] : [0..<traces]
            subtree.withUnsafeMutableBufferPointer { subtree in
                selfNanos.withUnsafeMutableBufferPointer { selfNanos in
                    subtreeStart.withUnsafeMutableBufferPointer { start in
                        subtreeEnd.withUnsafeMutableBufferPointer { end in
                            let columns = Columns(subtree: subtree, selfNanos: selfNanos, start: start, end: end)
                            DispatchQueue.concurrentPerform(iterations: halves.count) { h in
                                columns.rollUp(traces: halves[h], store: store, forest: forest)
                            }
                        }
                    }
                }
            }
        }

        /// The four per-span columns, written by both halves at once: at different spans.
        private struct Columns: @unchecked Sendable {
            let subtree: UnsafeMutableBufferPointer<Totals>
            let selfNanos: UnsafeMutableBufferPointer<Int64>
            let start: UnsafeMutableBufferPointer<Int64>
            let end: UnsafeMutableBufferPointer<Int64>

            func rollUp(traces: Range<Int>, store: SpanStore, forest: TraceForest) {
                var order: [Int32] = []
                for trace in forest.traces[traces] {
                    var stack = Array(trace.roots.reversed())
                    while let s = stack.popLast() {
                        order.append(s)
                        stack.append(contentsOf: forest.children(of: s).reversed())
                    }
                }
                for s in order.reversed() {
                    let span = store.spans[Int(s)]
                    var covered: Int64 = 0
                    var cursor = span.startNanos
                    for c in forest.children(of: s) {
                        subtree[Int(s)].add(subtree[Int(c)])
                        start[Int(s)] = min(start[Int(s)], start[Int(c)])
                        end[Int(s)] = max(end[Int(s)], end[Int(c)])
                        let cs = max(store.spans[Int(c)].startNanos, cursor)
                        let ce = min(store.spans[Int(c)].endNanos, span.endNanos)
                        if ce > cs {
                            covered += ce - cs
                            cursor = ce
                        }
                    }
                    selfNanos[Int(s)] = max(0, span.durationNanos - covered)
                }
            }
        }
    }

    /// The forest's warnings, then cost mismatches, disagreeing spans, repeated calls and unknown costs.
    private static func warnings(
        forest: TraceForest, traceTotals: [Totals], tally: CallTally, store: SpanStore,
        priceCache: [StrID: ModelPrice?]
    ) -> [String] {
        var warnings = forest.warnings
        let mismatches = traceTotals.reduce(0) { $0 + Int($1.costMismatches) }
        if mismatches > 0 {
            warnings.append(
                "\(mismatches) call(s): reported cost differs from list price by more than 5 %; "
                    + "the reported cost is used")
        }
        if tally.conflictCalls > 0 {
            let names = Fact.allCases.filter { tally.conflicts & (1 << UInt32($0.rawValue)) != 0 }.map(\.label)
            warnings.append(
                "\(tally.conflictCalls) call(s) are described by spans that disagree on "
                    + "\(names.joined(separator: ", ")); the innermost span's figure is used")
        }
        if tally.repeatedCalls > 0 {
            warnings.append(
                "\(tally.repeatedCalls) call(s) appear again in a later trace (same response id); "
                    + "each is counted once, in the earliest trace")
        }
        let unknownByName = tally.unknownModels.map { (model: $0.key, name: store.string($0.key), count: $0.value) }
        let sorted = unknownByName.sorted { $0.count != $1.count ? $0.count > $1.count : $0.name < $1.name }
        for (model, name, count) in sorted {
            if name.isEmpty {
                warnings.append("\(count) model call(s) name no model or carry no token counts: cost unknown")
            } else if (priceCache[model] ?? nil) != nil {
                // The model is priced: these calls lack token counts.
                warnings.append("\(count) call(s) to model \"\(name)\" carry no token counts: cost unknown")
            } else {
                warnings.append(
                    "model \"\(name)\" is not in the price table: cost of \(count) call(s) unknown "
                        + "(add it with --prices)")
            }
        }
        return warnings
    }
}

/// The results of `first` and `second`, run at once on two cores when `parallel` (one after the other
/// otherwise).
func concurrently<A: Sendable, B: Sendable>(_ parallel: Bool, _ first: @Sendable () -> A, _ second: @Sendable () -> B)
    -> (A, B)
{
    guard parallel else { return (first(), second()) }
    let a = Mutex<A?>(nil)
    let b = Mutex<B?>(nil)
    DispatchQueue.concurrentPerform(iterations: 2) { i in
        if i == 0 {
            let r = first()
            a.withLock { $0 = r }
        } else {
            let r = second()
            b.withLock { $0 = r }
        }
    }
    return (a.withLock { $0! }, b.withLock { $0! })
}
