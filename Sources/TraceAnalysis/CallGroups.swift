import TraceModel

/// One model call as tracetui counts it: every span that describes the call (an application's wrapper
/// and the instrumentation span beneath it, two instrumentations side by side, the same response id
/// twice), with the facts merged field by field over them.
public struct CallGroup: Sendable {
    /// The members are `CallGroups.members[memberStart ..< memberStart + memberCount]`, innermost first.
    public var memberStart: Int32
    public var memberCount: Int32
    /// The member counted in totals; -1 when the call is counted in another trace.
    public var counted: Int32
    /// The counted span of an earlier trace that carries the same response id, else -1.
    public var countedElsewhere: Int32
    /// Where `CallGroups.facts(of:)` finds the call's facts: an index into the merged facts of calls
    /// with several spans, or -1 for a call of one span (its own facts: nothing is copied).
    var mergedIndex: Int32
    /// Reported by a member if any reports, else computed from the merged facts, else unknown.
    public var cost: SpanCost
    /// For a reported cost: the cost at list price, from the merged tokens and the price table; NaN
    /// when the cost is not reported or the model or tokens are unknown.
    public var listCostUSD: Double
    /// Facts on which two members disagree, as a bit per `Fact.rawValue`.
    public var conflicts: UInt32

    public var memberRange: Range<Int> { Int(memberStart)..<Int(memberStart + memberCount) }

    /// The reported cost is kept but differs from the list price by more than `mismatchShare`
    /// (and more than `mismatchFloorUSD`): a negotiated price, a stale table or an instrumentation bug.
    public var costMismatch: Bool {
        cost.source == .reported && !listCostUSD.isNaN && CallGroups.differs(reported: cost.usd, list: listCostUSD)
    }

    public func conflicts(on fact: Fact) -> Bool { conflicts & (1 << UInt32(fact.rawValue)) != 0 }
}

/// Finds the call groups of a store's model-call spans. The rule (README, "Counting each call once"):
/// 1. The same response id in one trace is the same call, whatever else the spans say.
/// 2. Model-call spans of different instrumentation scopes in one trace that agree (same model after
///    `canonicalModelName`, the same input and output counts) and overlap in time are the same call,
///    unless their response ids differ or one sits beneath the other.
/// 3. A model-call span joins the call beneath it when exactly one call sits beneath it (the nearest
///    model-call spans below, through any other spans) and their facts agree where both have them.
///    When several calls, or a disagreeing one, sit beneath it, it is a rollup: in no group, counted nowhere.
/// 4. A call whose response id was counted in an earlier trace is shown, but counted there only.
public struct CallGroups: Sendable {
    public static let mismatchShare = 0.05
    public static let mismatchFloorUSD = 0.000001

    public let groups: [CallGroup]
    public let members: [Int32]
    /// Per span: the index of its group in `groups`, or -1 (not a model call, or a rollup).
    public let groupOf: [Int32]
    /// Every span's own facts (shared with `Analysis.facts`) and the merged facts of the calls that
    /// several spans describe.
    private let spanFacts: [LLMFacts]
    private let mergedFacts: [LLMFacts]

    /// The call's facts: each field from the innermost member that has it; the model is the most
    /// specific name; the reported cost is the innermost reported one.
    public func facts(of call: CallGroup) -> LLMFacts {
        call.mergedIndex >= 0 ? mergedFacts[Int(call.mergedIndex)] : spanFacts[Int(members[Int(call.memberStart)])]
    }

    public static func differs(reported: Double, list: Double) -> Bool {
        let gap = abs(reported - list)
        return gap > mismatchFloorUSD && gap > mismatchShare * list
    }

    public func members(of group: Int) -> ArraySlice<Int32> { members[groups[group].memberRange] }

    /// The group of a span, when it describes a call.
    public func group(of span: Int32) -> CallGroup? {
        let g = groupOf[Int(span)]
        return g >= 0 ? groups[Int(g)] : nil
    }

    /// `ownCosts` are the spans' own costs (`spanCost` of their facts), reused for calls of one span.
    public init(
        store: SpanStore, forest: TraceForest, facts: [LLMFacts], ownCosts: [SpanCost],
        price: (StrID) -> ModelPrice?
    ) {
        var builder = GroupBuilder(store: store, forest: forest, facts: facts)
        builder.joinByResponseID()
        builder.joinSideBySide()
        builder.joinNested()
        let (groupOf, counts) = Self.numberGroups(&builder, forest: forest, facts: facts)
        let lists = Self.memberLists(groupOf: groupOf, counts: counts, forest: forest)
        let starts = lists.starts
        var members = lists.members

        let canonByModel = builder.canonByModel
        func sameModel(_ a: StrID, _ b: StrID) -> Bool { canonByModel[a] == canonByModel[b] }
        let innerFirst = InnerFirst(depth: forest.depth, facts: facts, spans: store.spans)
        var groups: [CallGroup] = []
        var mergedFacts: [LLMFacts] = []
        groups.reserveCapacity(counts.count)
        var countedByID: [StrID: Int32] = [:]
        for g in counts.indices {
            let range = Int(starts[g])..<Int(starts[g + 1])
            if range.count > 1 {
                members[range].sort(by: innerFirst.callAsFunction)
            }
            let made = Self.call(
                members[range], start: starts[g], facts: facts, ownCosts: ownCosts, store: store,
                mergedIndex: Int32(mergedFacts.count), sameModel: sameModel, price: price)
            var group = made.group
            let callFacts = made.facts
            if range.count > 1 { mergedFacts.append(callFacts) }
            if callFacts.responseID != 0 {
                if let earlier = countedByID[callFacts.responseID] {
                    group.countedElsewhere = earlier
                    group.counted = -1
                } else {
                    countedByID[callFacts.responseID] = group.counted
                }
            }
            groups.append(group)
        }
        self.groups = groups
        self.members = members
        self.groupOf = groupOf
        self.spanFacts = facts
        self.mergedFacts = mergedFacts
    }

    /// Member order: deepest first (the span nearest the provider), then the one with usage, then the
    /// earlier start.
    private struct InnerFirst {
        let depth: [Int32]
        let facts: [LLMFacts]
        let spans: [Span]

        func callAsFunction(_ a: Int32, _ b: Int32) -> Bool {
            let da = depth[Int(a)]
            let db = depth[Int(b)]
            if da != db { return da > db }
            let ua = facts[Int(a)].hasUsage
            let ub = facts[Int(b)].hasUsage
            if ua != ub { return ua }
            let sa = spans[Int(a)].startNanos
            let sb = spans[Int(b)].startNanos
            return sa != sb ? sa < sb : a < b
        }
    }

    /// Numbers the groups in trace order, then by the start of their first member, so "earlier" is well
    /// defined: per span its group (-1 for none), and per group its member count.
    private static func numberGroups(
        _ builder: inout GroupBuilder, forest: TraceForest,
        facts: [LLMFacts]
    ) -> (groupOf: [Int32], counts: [Int32]) {
        var groupOf = [Int32](repeating: -1, count: facts.count)
        var rootGroup = [Int32](repeating: -1, count: facts.count)
        var counts: [Int32] = []
        for trace in forest.traces {
            for s in trace.spans where facts[Int(s)].role.isModelCall && !builder.isRollup[Int(s)] {
                let root = Int(builder.find(s))
                if rootGroup[root] < 0 {
                    rootGroup[root] = Int32(counts.count)
                    counts.append(0)
                }
                groupOf[Int(s)] = rootGroup[root]
                counts[Int(rootGroup[root])] += 1
            }
        }
        return (groupOf, counts)
    }

    /// The members of every group, group after group in trace order: group g is `starts[g] ..< starts[g + 1]`.
    private static func memberLists(
        groupOf: [Int32], counts: [Int32],
        forest: TraceForest
    ) -> (starts: [Int32], members: [Int32]) {
        var starts = [Int32](repeating: 0, count: counts.count + 1)
        for g in counts.indices { starts[g + 1] = starts[g] + counts[g] }
        var members = [Int32](repeating: 0, count: Int(starts[counts.count]))
        var fill = starts
        for trace in forest.traces {
            for s in trace.spans where groupOf[Int(s)] >= 0 {
                let g = Int(groupOf[Int(s)])
                members[Int(fill[g])] = s
                fill[g] += 1
            }
        }
        return (starts, members)
    }

    /// One call from its members (innermost first), and its facts. A call of one span keeps the span's
    /// own facts and cost; several spans are merged and priced (their facts go to `mergedIndex`).
    @inline(__always)
    private static func call(
        _ list: ArraySlice<Int32>, start: Int32, facts: [LLMFacts], ownCosts: [SpanCost],
        store: SpanStore, mergedIndex: Int32, sameModel: (StrID, StrID) -> Bool,
        price: (StrID) -> ModelPrice?
    ) -> (group: CallGroup, facts: LLMFacts) {
        let first = list.first!
        var callFacts = facts[Int(first)]
        var cost = ownCosts[Int(first)]
        var conflicts: UInt32 = 0
        if list.count > 1 {
            let merged = mergeFacts(list, facts: facts, store: store, sameModel: sameModel)
            callFacts = merged.facts
            conflicts = merged.conflicts
            cost = spanCost(callFacts, price: price(callFacts.model))
        }
        // Only a reported cost is set against the list price.
        let tokens = callFacts.inputTokens >= 0 || callFacts.outputTokens >= 0
        let listCost =
            cost.source == .reported && tokens
            ? price(callFacts.model).map { computeCost(callFacts, price: $0) } ?? .nan : .nan
        // The span counted: the innermost one with usage (the innermost when none has any).
        let counter = list.first { facts[Int($0)].hasUsage } ?? first
        let group = CallGroup(
            memberStart: start, memberCount: Int32(list.count), counted: counter,
            countedElsewhere: -1, mergedIndex: list.count == 1 ? -1 : mergedIndex,
            cost: cost, listCostUSD: listCost, conflicts: conflicts)
        return (group, callFacts)
    }
}

/// The merge of a group's facts, with the member each fact came from.
public struct MergedFacts: Sendable {
    public var facts: LLMFacts
    /// Per `Fact.rawValue`: the member that gave the fact, or -1 (empty when not asked for).
    public var source: [Int32]
    public var conflicts: UInt32
}

/// Merges facts field by field over `members` (innermost first): each field from the first member
/// that has it; the model is the longest name (the most specific: `gpt-4o-2024-08-06` over `gpt-4o`).
/// Two members with different values of a count, a finish reason or a reported cost are a conflict,
/// and so are two model names that `sameModel` tells apart (names equal after `canonicalModelName`
/// are one model).
public func mergeFacts(
    _ members: ArraySlice<Int32>, facts: [LLMFacts], store: SpanStore,
    sameModel: (StrID, StrID) -> Bool
) -> MergedFacts {
    var source = [Int32](repeating: -1, count: Fact.allCases.count)
    guard let first = members.first else { return MergedFacts(facts: LLMFacts(), source: source, conflicts: 0) }
    if members.count == 1 {
        let f = facts[Int(first)]
        for fact in Fact.allCases where f.has(fact) { source[fact.rawValue] = first }
        return MergedFacts(facts: f, source: source, conflicts: 0)
    }
    var merger = FactMerger(members: members, facts: facts)
    var m = LLMFacts()
    merger.mergeCounts(into: &m)
    merger.mergeNames(into: &m, store: store)
    merger.mergeModel(into: &m, store: store, sameModel: sameModel)
    merger.mergeReportedCost(into: &m)
    m.role = members.contains { facts[Int($0)].role == .llm } ? .llm : facts[Int(first)].role
    return MergedFacts(facts: m, source: merger.source, conflicts: merger.conflicts)
}

/// One merge of several members' facts: where each fact came from, and the facts they disagree on.
private struct FactMerger {
    let members: ArraySlice<Int32>
    let facts: [LLMFacts]
    var source: [Int32]
    var conflicts: UInt32 = 0

    init(members: ArraySlice<Int32>, facts: [LLMFacts]) {
        self.members = members
        self.facts = facts
        source = [Int32](repeating: -1, count: Fact.allCases.count)
    }

    mutating func flag(_ fact: Fact) { conflicts |= 1 << UInt32(fact.rawValue) }

    /// The first member's count; another member with a different `compare` value is a conflict.
    mutating func count(_ fact: Fact, _ get: (LLMFacts) -> Int64, _ compare: (LLMFacts) -> Int64) -> Int64 {
        var chosen: Int64 = -1
        var seen: Int64 = -1
        for s in members where get(facts[Int(s)]) >= 0 {
            let other = compare(facts[Int(s)])
            if chosen < 0 {
                chosen = get(facts[Int(s)])
                seen = other
                source[fact.rawValue] = s
            } else if other != seen {
                flag(fact)
            }
        }
        return chosen
    }

    mutating func mergeCounts(into m: inout LLMFacts) {
        // Input counts are compared with the cache included, however each convention counted it.
        m.inputTokens = count(.inputTokens, \.inputTokens, \.allInputTokens)
        m.outputTokens = count(.outputTokens, \.outputTokens, \.outputTokens)
        m.cacheReadTokens = count(.cacheReadTokens, \.cacheReadTokens, \.cacheReadTokens)
        m.cacheWriteTokens = count(.cacheWriteTokens, \.cacheWriteTokens, \.cacheWriteTokens)
        m.reasoningTokens = count(.reasoningTokens, \.reasoningTokens, \.reasoningTokens)
        m.responseLength = count(.responseLength, \.responseLength, \.responseLength)
        let total = count(.totalTokens, \.totalTokens, \.totalTokens)
        conflicts &= ~(1 << UInt32(Fact.totalTokens.rawValue))  // a derived sum: its parts say it
        m.totalTokens =
            m.inputTokens >= 0 || m.outputTokens >= 0
            ? max(0, m.inputTokens) + max(0, m.outputTokens) : total
    }

    /// The first member's string; with `compare`, another member with a different one is a conflict.
    mutating func name(_ fact: Fact, _ get: (LLMFacts) -> StrID, compare: Bool) -> StrID {
        var chosen: StrID = 0
        for s in members where get(facts[Int(s)]) != 0 {
            let v = get(facts[Int(s)])
            if chosen == 0 {
                chosen = v
                source[fact.rawValue] = s
            } else if compare && v != chosen {
                flag(fact)
            }
        }
        return chosen
    }

    mutating func mergeNames(into m: inout LLMFacts, store: SpanStore) {
        m.provider = name(.provider, \.provider, compare: false)
        m.finishReason = name(.finishReason, \.finishReason, compare: false)
        m.toolName = name(.toolName, \.toolName, compare: false)
        m.agentName = name(.agentName, \.agentName, compare: false)
        m.responseID = name(.responseID, \.responseID, compare: true)
        // Finish reasons are spelled per convention (`end_turn` and `stop`): compare their categories.
        var chosenCategory: FinishCategory?
        for s in members where facts[Int(s)].finishReason != 0 && facts[Int(s)].finishReason != m.finishReason {
            let chosen = chosenCategory ?? FinishCategory.of(store.string(m.finishReason))
            chosenCategory = chosen
            if FinishCategory.of(store.string(facts[Int(s)].finishReason)) != chosen { flag(.finishReason) }
        }
    }

    /// The model: the longest name; names of different models are a conflict.
    mutating func mergeModel(into m: inout LLMFacts, store: SpanStore, sameModel: (StrID, StrID) -> Bool) {
        var longest = 0
        var firstModel: StrID = 0
        for s in members where facts[Int(s)].model != 0 {
            let model = facts[Int(s)].model
            if firstModel == 0 {
                firstModel = model
            } else if model != firstModel && !sameModel(firstModel, model) {
                flag(.model)
            }
            guard model != m.model else { continue }
            let length = store.string(model).utf8.count
            if length > longest {
                longest = length
                m.model = model
                source[Fact.model.rawValue] = s
            }
        }
    }

    /// The reported cost: the innermost reported one.
    mutating func mergeReportedCost(into m: inout LLMFacts) {
        for s in members where !facts[Int(s)].reportedCost.isNaN {
            let v = facts[Int(s)].reportedCost
            if m.reportedCost.isNaN {
                m.reportedCost = v
                source[Fact.reportedCost.rawValue] = s
            } else if abs(v - m.reportedCost) > CallGroups.mismatchFloorUSD {
                flag(.reportedCost)
            }
        }
    }
}

extension LLMFacts {
    /// The span carries this fact.
    public func has(_ fact: Fact) -> Bool {
        switch fact {
        case .model: return model != 0
        case .provider: return provider != 0
        case .operation: return false
        case .inputTokens: return inputTokens >= 0
        case .outputTokens: return outputTokens >= 0
        case .totalTokens: return totalTokens >= 0
        case .cacheReadTokens: return cacheReadTokens >= 0
        case .cacheWriteTokens: return cacheWriteTokens >= 0
        case .reasoningTokens: return reasoningTokens >= 0
        case .reportedCost: return !reportedCost.isNaN
        case .reportedRollupCost: return !reportedRollupCost.isNaN
        case .finishReason: return finishReason != 0
        case .toolName: return toolName != 0
        case .agentName: return agentName != 0
        case .responseLength: return responseLength >= 0
        case .responseID: return responseID != 0
        }
    }
}

/// The union-find pass behind `CallGroups`: flat arrays indexed by span, no collection per span.
private struct GroupBuilder {
    let store: SpanStore
    let forest: TraceForest
    let facts: [LLMFacts]
    /// The model-call spans, in store order.
    let calls: [Int32]
    var parent: [Int32]
    /// Per span: its model name's canonical form as a small id, -1 when it names none.
    let canon: [Int32]
    /// Model name id → canonical id, for the models of model-call spans.
    let canonByModel: [StrID: Int32]
    /// Per group root: the model, input (cache included) and output counts and the response id known
    /// for the group (-1 / 0 when unknown).
    var sigModel: [Int32], sigInput: [Int64], sigOutput: [Int64], sigID: [StrID]
    var isRollup: [Bool]
    /// Per group root: how many spans the group holds.
    var size: [Int32]
    /// Per span: its nearest model-call ancestor, or -1.
    let nearestCall: [Int32]
    /// Per span: its preorder number, and the largest preorder number in its subtree (an ancestor
    /// test in constant time, whatever the depth).
    let enter: [Int32], last: [Int32]

    init(store: SpanStore, forest: TraceForest, facts: [LLMFacts]) {
        self.store = store
        self.forest = forest
        self.facts = facts
        let n = facts.count
        var calls: [Int32] = []
        var canon = [Int32](repeating: -1, count: n)
        var canonByModel: [StrID: Int32] = [:]
        var canonByName: [String: Int32] = [:]
        var sigInput = [Int64](repeating: -1, count: n)
        var sigOutput = [Int64](repeating: -1, count: n)
        for i in 0..<n where facts[i].role.isModelCall {
            calls.append(Int32(i))
            let f = facts[i]
            if f.model != 0 {
                if let c = canonByModel[f.model] {
                    canon[i] = c
                } else {
                    let name = canonicalModelName(store.string(f.model))
                    let c = canonByName[name] ?? Int32(canonByName.count)
                    canonByName[name] = c
                    canonByModel[f.model] = c
                    canon[i] = c
                }
            }
            sigInput[i] = f.inputTokens >= 0 ? f.allInputTokens : -1
            sigOutput[i] = f.outputTokens
        }
        self.calls = calls
        self.canon = canon
        self.canonByModel = canonByModel
        self.parent = (0..<Int32(n)).map { $0 }
        self.sigModel = canon
        self.sigInput = sigInput
        self.sigOutput = sigOutput
        self.sigID = facts.map(\.responseID)
        self.isRollup = [Bool](repeating: false, count: n)
        self.size = [Int32](repeating: 1, count: n)

        (nearestCall, enter, last) = Self.walkTrees(forest, facts)
    }

    /// One walk down every tree: each span's nearest model-call ancestor, and its preorder number
    /// and the last preorder number beneath it (an ancestor test is two comparisons).
    private static func walkTrees(_ forest: TraceForest, _ facts: [LLMFacts]) -> ([Int32], [Int32], [Int32]) {
        let n = facts.count
        var nearest = [Int32](repeating: -1, count: n)
        var enter = [Int32](repeating: 0, count: n)
        var order: [Int32] = []
        order.reserveCapacity(n)
        var stack: [Int32] = []
        for trace in forest.traces {
            stack.append(contentsOf: trace.roots.reversed())
            while let s = stack.popLast() {
                enter[Int(s)] = Int32(order.count)
                order.append(s)
                let here = facts[Int(s)].role.isModelCall ? s : nearest[Int(s)]
                for c in forest.children(of: s).reversed() {
                    nearest[Int(c)] = here
                    stack.append(c)
                }
            }
        }
        var last = enter
        for s in order.reversed() {
            let p = forest.parent[Int(s)]
            if p >= 0 { last[Int(p)] = max(last[Int(p)], last[Int(s)]) }
        }
        return (nearest, enter, last)
    }

    mutating func find(_ x: Int32) -> Int32 {
        var x = x
        while parent[Int(x)] != x {
            parent[Int(x)] = parent[Int(parent[Int(x)])]
            x = parent[Int(x)]
        }
        return x
    }

    /// Joins the groups of `a` and `b`; the root keeps what it knew and learns what it did not.
    mutating func union(_ a: Int32, _ b: Int32) {
        let ra = find(a)
        let rb = find(b)
        guard ra != rb else { return }
        parent[Int(rb)] = ra
        size[Int(ra)] += size[Int(rb)]
        if sigModel[Int(ra)] < 0 { sigModel[Int(ra)] = sigModel[Int(rb)] }
        if sigInput[Int(ra)] < 0 { sigInput[Int(ra)] = sigInput[Int(rb)] }
        if sigOutput[Int(ra)] < 0 { sigOutput[Int(ra)] = sigOutput[Int(rb)] }
        if sigID[Int(ra)] == 0 { sigID[Int(ra)] = sigID[Int(rb)] }
    }

    /// The two groups' facts agree wherever both have them; two different response ids never do.
    mutating func agree(_ a: Int32, _ b: Int32) -> Bool {
        let ra = Int(find(a))
        let rb = Int(find(b))
        func same<T: Comparable & SignedInteger>(_ x: T, _ y: T) -> Bool { x < 0 || y < 0 || x == y }
        let ids = sigID[ra] == 0 || sigID[rb] == 0 || sigID[ra] == sigID[rb]
        return ids && same(sigModel[ra], sigModel[rb]) && same(sigInput[ra], sigInput[rb])
            && same(sigOutput[ra], sigOutput[rb])
    }

    /// Rule 1: one response id within one trace is one call.
    mutating func joinByResponseID() {
        struct Key: Hashable {
            var trace: Int32
            var id: StrID
        }
        var first: [Key: Int32] = [:]
        for s in calls where facts[Int(s)].responseID != 0 {
            let key = Key(trace: forest.traceOf[Int(s)], id: facts[Int(s)].responseID)
            if let f = first[key] { union(f, s) } else { first[key] = s }
        }
    }

    /// How many later equal-key spans, at most, are compared with each span.
    static let sideBySideWindow = 16

    /// Rule 2: calls of different scopes side by side (siblings or cousins) that agree and overlap.
    /// Candidates are sorted by (trace, model, input, output, start), so only spans with equal keys
    /// that overlap in time are ever compared.
    mutating func joinSideBySide() {
        let spans = store.spans
        let facts = self.facts
        let forest = self.forest
        let canon = self.canon
        // Only traces whose calls come from two instrumentation scopes or more can hold such a pair.
        var firstScope = [StrID](repeating: 0, count: forest.traces.count)
        var mixed = [Bool](repeating: false, count: forest.traces.count)
        for s in calls where !store.scopes.isEmpty {
            let t = Int(forest.traceOf[Int(s)])
            let scope = store.scopes[Int(spans[Int(s)].scope)].name
            if firstScope[t] == 0 { firstScope[t] = scope } else if firstScope[t] != scope { mixed[t] = true }
        }
        struct Keyed: Comparable {
            var trace: Int32, model: Int32, input: Int64, output: Int64, start: Int64, span: Int32
            /// The same call needs the same trace, model and counts.
            func sameKey(_ o: Keyed) -> Bool {
                trace == o.trace && model == o.model && input == o.input && output == o.output
            }
            static func < (a: Keyed, b: Keyed) -> Bool {
                (a.trace, a.model, a.input, a.output, a.start, a.span) < (
                    b.trace, b.model, b.input, b.output, b.start, b.span
                )
            }
        }
        var keyed: [Keyed] = []
        for s in calls where mixed[Int(forest.traceOf[Int(s)])] && canon[Int(s)] >= 0 {
            let f = facts[Int(s)]
            guard f.inputTokens >= 0 || f.outputTokens >= 0 else { continue }
            keyed.append(
                Keyed(
                    trace: forest.traceOf[Int(s)], model: canon[Int(s)],
                    input: f.inputTokens >= 0 ? f.allInputTokens : -1,
                    output: f.outputTokens, start: spans[Int(s)].startNanos, span: s))
        }
        keyed.sort()
        var i = 0
        while i < keyed.count {
            var j = i + 1
            while j < keyed.count && keyed[j].sameKey(keyed[i]) { j += 1 }
            for x in i..<j {
                let a = keyed[x].span
                // The spans of one call are a handful; a bound keeps a pathological file linear.
                for y in (x + 1)..<min(j, x + 1 + Self.sideBySideWindow) {
                    let b = keyed[y].span
                    guard keyed[y].start < spans[Int(a)].endNanos else { break }
                    if sameCallSideBySide(a, b) && agree(a, b) { union(a, b) }
                }
            }
            i = j
        }
    }

    /// Two spans of different scopes, neither beneath the other (`agree` checks the facts and ids).
    private func sameCallSideBySide(_ a: Int32, _ b: Int32) -> Bool {
        let sa = store.spans[Int(a)]
        let sb = store.spans[Int(b)]
        guard !store.scopes.isEmpty, store.scopes[Int(sa.scope)].name != store.scopes[Int(sb.scope)].name else {
            return false
        }
        return !isAncestor(a, of: b) && !isAncestor(b, of: a)
    }

    private func isAncestor(_ a: Int32, of b: Int32) -> Bool {
        a != b && enter[Int(a)] < enter[Int(b)] && enter[Int(b)] <= last[Int(a)]
    }

    /// Rule 3, deepest wrappers first: a model-call span with exactly one agreeing call beneath it
    /// joins it; one with several calls, a disagreeing one or a rollup beneath it is a rollup.
    mutating func joinNested() {
        let n = facts.count
        let nearest = nearestCall
        // The calls directly beneath each wrapper (CSR).
        var start = [Int32](repeating: 0, count: n + 1)
        for s in calls where nearest[Int(s)] >= 0 { start[Int(nearest[Int(s)]) + 1] += 1 }
        for i in 0..<n { start[i + 1] += start[i] }
        var below = [Int32](repeating: 0, count: Int(start[n]))
        var fill = start
        for s in calls where nearest[Int(s)] >= 0 {
            let w = Int(nearest[Int(s)])
            below[Int(fill[w])] = s
            fill[w] += 1
        }
        let depth = forest.depth
        let wrappers = calls.filter { start[Int($0) + 1] > start[Int($0)] }.sorted { depth[Int($0)] > depth[Int($1)] }
        for w in wrappers {
            let own = find(w)
            var beneath: Int32 = -1
            var several = false
            var rollupBeneath = false
            for c in below[Int(start[Int(w)])..<Int(start[Int(w) + 1])] {
                if isRollup[Int(c)] {
                    rollupBeneath = true
                    continue
                }
                let r = find(c)
                if r == own { continue }
                if beneath >= 0 && beneath != r { several = true } else { beneath = r }
            }
            if beneath < 0 && !rollupBeneath { continue }  // what is beneath already shares its response id
            if !several && !rollupBeneath && agree(w, beneath) {
                union(beneath, w)
            } else if size[Int(own)] == 1 {
                isRollup[Int(w)] = true
            }
            // Else the span already belongs to a call through its response id or a span beside it.
        }
    }
}

/// Where each of a call's merged facts came from, and where its spans disagree: for the detail pane
/// and `--json`. Recomputed for one call on demand; nothing of it is kept per span.
public struct CallProvenance: Sendable {
    public struct Source: Sendable, Equatable {
        public var fact: Fact
        public var span: Int32
        /// The attribute key the fact was read from.
        public var key: String
    }
    public struct Disagreement: Sendable, Equatable {
        public var fact: Fact
        /// Each member that has the fact (its value: `factText` in TraceText).
        public var spans: [Int32]
    }
    public var sources: [Source]
    public var disagreements: [Disagreement]
}

extension Analysis {
    /// The facts of the call a span describes, merged over its group (the span's own facts when it
    /// describes no call).
    public func callFacts(of span: Int32) -> LLMFacts {
        calls.group(of: span).map(calls.facts(of:)) ?? facts[Int(span)]
    }

    public func provenance(ofGroup g: Int, in store: SpanStore) -> CallProvenance {
        let members = calls.members(of: g)
        let merged = mergeFacts(members, facts: facts, store: store) {
            canonicalModelName(store.string($0)) == canonicalModelName(store.string($1))
        }
        // Only the spans a fact was taken from are read for their keys: a group may have a hundred
        // thousand members (a deep chain of wrappers over one call), of which a few are sources.
        var keys: [Int32: [Fact: String]] = [:]
        for s in merged.source where s >= 0 && keys[s] == nil {
            keys[s] = Dictionary(extractor.sources(of: store.spans[Int(s)], in: store), uniquingKeysWith: { x, _ in x })
        }
        let sources = Fact.allCases.compactMap { fact -> CallProvenance.Source? in
            let s = merged.source[fact.rawValue]
            guard s >= 0, let key = keys[s]?[fact] else { return nil }
            return CallProvenance.Source(fact: fact, span: s, key: key)
        }
        let disagreements = Fact.allCases.filter { calls.groups[g].conflicts(on: $0) }.map { fact in
            CallProvenance.Disagreement(fact: fact, spans: members.filter { facts[Int($0)].has(fact) })
        }
        return CallProvenance(sources: sources, disagreements: disagreements)
    }
}
