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
        spans += o.spans; llmCalls += o.llmCalls; inputTokens += o.inputTokens; outputTokens += o.outputTokens
        cachedInputTokens += o.cachedInputTokens; costUSD += o.costUSD; unknownCostCalls += o.unknownCostCalls
        errors += o.errors; costMismatches += o.costMismatches; callsCountedElsewhere += o.callsCountedElsewhere
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
        let forest = TraceForest(store: store)
        let extractor = FactExtractor(strings: store.strings)
        let n = store.spans.count
        var facts = [LLMFacts]()
        facts.reserveCapacity(n)
        var isError = [Bool](repeating: false, count: n)
        for i in 0..<n {
            let span = store.spans[i]
            facts.append(extractor.facts(of: span, in: store))
            isError[i] = span.status == .error || extractor.hasException(span, in: store) || extractor.hasErrorAttribute(span, in: store)
        }

        // Costs, with one price lookup per distinct model string.
        var unknownModels: [StrID: Int] = [:]
        var priceCache: [StrID: ModelPrice?] = [:]
        var costs = [SpanCost](repeating: .none, count: n)
        for i in 0..<n where facts[i].role.isModelCall || facts[i].hasUsage {
            let f = facts[i]
            if priceCache[f.model] == nil { priceCache[f.model] = .some(prices.price(for: store.string(f.model))) }
            costs[i] = spanCost(f, price: priceCache[f.model]!)
        }

        let calls = CallGroups(store: store, forest: forest, facts: facts, ownCosts: costs) { priceCache[$0] ?? nil }
        var counted = [Bool](repeating: false, count: n)
        // A wrapper without usage whose call is counted elsewhere has no cost of its own, not an unknown one.
        for i in 0..<n where facts[i].role.isModelCall && !facts[i].hasUsage { costs[i] = .none }
        var selfTotals = [Totals](repeating: Totals(), count: n)
        for i in 0..<n {
            selfTotals[i].spans = 1
            selfTotals[i].errors = isError[i] ? 1 : 0
        }
        var conflicts: UInt32 = 0, conflictCalls = 0, repeatedCalls = 0
        for call in calls.groups {
            if call.conflicts != 0 { conflicts |= call.conflicts; conflictCalls += 1 }
            guard call.counted >= 0 else {
                repeatedCalls += 1
                selfTotals[Int(calls.members[Int(call.memberStart)])].callsCountedElsewhere = 1
                continue
            }
            let i = Int(call.counted), f = calls.facts(of: call)
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
                unknownModels[f.model, default: 0] += 1
            } else {
                t.costUSD = call.cost.usd
            }
            selfTotals[i] = t
        }

        // Subtree totals and self time, children before parents (reverse depth-first order).
        var subtree = selfTotals
        var selfNanos = [Int64](repeating: 0, count: n)
        var subtreeStart = store.spans.map(\.startNanos)
        var subtreeEnd = store.spans.map(\.endNanos)
        var order: [Int32] = []
        order.reserveCapacity(n)
        for trace in forest.traces {
            var stack = Array(trace.roots.reversed())
            while let s = stack.popLast() {
                order.append(s)
                stack.append(contentsOf: forest.children(of: s).reversed())
            }
        }
        for s in order.reversed() {
            let span = store.spans[Int(s)]
            var covered: Int64 = 0, cursor = span.startNanos
            for c in forest.children(of: s) {
                subtree[Int(s)].add(subtree[Int(c)])
                subtreeStart[Int(s)] = min(subtreeStart[Int(s)], subtreeStart[Int(c)])
                subtreeEnd[Int(s)] = max(subtreeEnd[Int(s)], subtreeEnd[Int(c)])
                let cs = max(store.spans[Int(c)].startNanos, cursor), ce = min(store.spans[Int(c)].endNanos, span.endNanos)
                if ce > cs { covered += ce - cs; cursor = ce }
            }
            selfNanos[Int(s)] = max(0, span.durationNanos - covered)
        }
        var traceTotals: [Totals] = []
        for trace in forest.traces {
            var t = Totals()
            for r in trace.roots { t.add(subtree[Int(r)]) }
            traceTotals.append(t)
        }

        var warnings = forest.warnings
        let mismatches = traceTotals.reduce(0) { $0 + Int($1.costMismatches) }
        if mismatches > 0 {
            warnings.append("\(mismatches) call(s): reported cost differs from list price by more than 5 %; the reported cost is used")
        }
        if conflictCalls > 0 {
            let names = Fact.allCases.filter { conflicts & (1 << UInt32($0.rawValue)) != 0 }.map(\.label)
            warnings.append("\(conflictCalls) call(s) are described by spans that disagree on \(names.joined(separator: ", ")); "
                + "the innermost span's figure is used")
        }
        if repeatedCalls > 0 {
            warnings.append("\(repeatedCalls) call(s) appear again in a later trace (same response id); each is counted once, in the earliest trace")
        }
        let unknownByName = unknownModels.map { (model: $0.key, name: store.string($0.key), count: $0.value) }
        for (model, name, count) in unknownByName.sorted(by: { $0.count != $1.count ? $0.count > $1.count : $0.name < $1.name }) {
            if name.isEmpty {
                warnings.append("\(count) model call(s) name no model or carry no token counts: cost unknown")
            } else if (priceCache[model] ?? nil) != nil {
                // The model is priced: these calls lack token counts.
                warnings.append("\(count) call(s) to model \"\(name)\" carry no token counts: cost unknown")
            } else {
                warnings.append("model \"\(name)\" is not in the price table: cost of \(count) call(s) unknown (add it with --prices)")
            }
        }

        self.forest = forest
        self.extractor = extractor
        self.facts = facts
        self.costs = costs
        self.calls = calls
        self.counted = counted
        self.isError = isError
        self.selfTotals = selfTotals
        self.subtree = subtree
        self.selfNanos = selfNanos
        self.subtreeStart = subtreeStart
        self.subtreeEnd = subtreeEnd
        self.traceTotals = traceTotals
        self.warnings = warnings
    }
}
