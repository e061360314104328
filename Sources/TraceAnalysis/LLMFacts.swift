import TraceModel

/// What one span says about a model call, tool or agent step, mapped from any convention.
/// Token counts are -1 when absent; costs are NaN when absent. Compact: no strings, no collections.
public struct LLMFacts: Sendable, Equatable {
    public var role: SpanRole = .other
    public var model: StrID = 0
    public var provider: StrID = 0
    public var finishReason: StrID = 0
    public var toolName: StrID = 0
    public var agentName: StrID = 0
    /// The provider's response id (`gen_ai.response.id`…): the same id is the same call.
    public var responseID: StrID = 0
    public var inputTokens: Int64 = -1
    public var outputTokens: Int64 = -1
    public var totalTokens: Int64 = -1
    public var cacheReadTokens: Int64 = -1
    public var cacheWriteTokens: Int64 = -1
    public var reasoningTokens: Int64 = -1
    public var responseLength: Int64 = -1
    public var reportedCost: Double = .nan
    public var reportedRollupCost: Double = .nan
    public init() {}

    /// The span carries usage: tokens or a cost.
    public var hasUsage: Bool { inputTokens >= 0 || outputTokens >= 0 || !reportedCost.isNaN }

    /// Cached tokens are counted inside the input count unless that is impossible.
    public var cacheCountedInInput: Bool { max(0, cacheReadTokens) + max(0, cacheWriteTokens) <= max(0, inputTokens) }

    /// Input tokens billed at the plain input rate.
    public var uncachedInputTokens: Int64 {
        let input = max(0, inputTokens)
        let cached = max(0, cacheReadTokens) + max(0, cacheWriteTokens)
        return cacheCountedInInput ? input - cached : input
    }

    /// All input tokens, cached ones included, whichever way the convention counted them.
    public var allInputTokens: Int64 {
        let input = max(0, inputTokens)
        return cacheCountedInInput ? input : input + max(0, cacheReadTokens) + max(0, cacheWriteTokens)
    }
}

/// Reads `LLMFacts` off spans through `Conventions`. Built once per string table: every synonym key
/// is looked up once, so each span costs one pass over its attributes with integer compares.
public struct FactExtractor: Sendable {
    /// Indexed by attribute key id: 0 for keys that give no fact, else `(fact + 1) << 8 | rank`
    /// (lower rank wins). A flat table: one array load per attribute instead of a hash lookup.
    private var keyFacts: [UInt16]
    private var operationRoles: [StrID: SpanRole] = [:]
    private let exceptionEvent: StrID?
    private var roleScoped: [(key: StrID, role: SpanRole, fact: Fact)] = []
    private var errorKeys: [StrID] = []

    public init(strings: StringTable) {
        keyFacts = [UInt16](repeating: 0, count: strings.count)
        for (fact, keys) in Conventions.synonyms {
            for (rank, key) in keys.enumerated() {
                if let id = strings.lookup(key) { keyFacts[Int(id)] = UInt16(fact.rawValue + 1) << 8 | UInt16(rank) }
            }
        }
        for (value, role) in Conventions.operationRoles {
            for spelling in [value, value.uppercased()] {
                if let id = strings.lookup(spelling) { operationRoles[id] = role }
            }
        }
        exceptionEvent = strings.lookup("exception")
        for (key, role, fact) in Conventions.roleScopedSynonyms {
            if let id = strings.lookup(key) { roleScoped.append((id, role, fact)) }
        }
        errorKeys = Conventions.errorKeys.compactMap { strings.lookup($0) }
    }

    /// For each fact, the index (into `store.attributes`) of the attribute that gave it, or -1.
    public func slots(of span: Span, in store: SpanStore) -> [Int] {
        var best = [Int](repeating: -1, count: Fact.allCases.count)
        best.withUnsafeMutableBufferPointer { fillSlots(span, store, $0) }
        return best
    }

    /// `slots` into caller-provided storage (the hot path uses stack memory: no allocation per span).
    private func fillSlots(_ span: Span, _ store: SpanStore, _ best: UnsafeMutableBufferPointer<Int>) {
        for f in 0..<best.count { best[f] = -1 }
        withUnsafeTemporaryAllocation(of: UInt16.self, capacity: best.count) { bestRank in
            for f in 0..<best.count { bestRank[f] = .max }
            store.attributes.withUnsafeBufferPointer { attrs in
                for i in span.attributes.range {
                    let key = Int(attrs[i].key)
                    guard key < keyFacts.count else { continue }
                    let entry = keyFacts[key]
                    guard entry != 0 else { continue }
                    let fact = Int(entry >> 8) - 1
                    let rank = entry & 0xFF
                    if rank < bestRank[fact] {
                        best[fact] = i
                        bestRank[fact] = rank
                    }
                }
            }
        }
        let op = best[Fact.operation.rawValue]
        if !roleScoped.isEmpty, op >= 0, let opRole = operationRole(store.attributes[op].value, in: store) {
            for (key, role, fact) in roleScoped where role == opRole && best[fact.rawValue] < 0 {
                if let i = span.attributes.range.first(where: { store.attributes[$0].key == key }) {
                    best[fact.rawValue] = i
                }
            }
        }
    }

    /// The key each fact of the span came from, for the detail pane.
    public func sources(of span: Span, in store: SpanStore) -> [(Fact, String)] {
        let s = slots(of: span, in: store)
        return Fact.allCases.compactMap { f in
            s[f.rawValue] >= 0 ? (f, store.string(store.attributes[s[f.rawValue]].key)) : nil
        }
    }

    public func facts(of span: Span, in store: SpanStore) -> LLMFacts {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: Fact.allCases.count) { slots in
            fillSlots(span, store, slots)
            return facts(of: span, in: store, slots: UnsafeBufferPointer(slots))
        }
    }

    private func facts(of span: Span, in store: SpanStore, slots s: UnsafeBufferPointer<Int>) -> LLMFacts {
        var f = LLMFacts()
        func value(_ fact: Fact) -> AttrValue? {
            s[fact.rawValue] >= 0 ? store.attributes[s[fact.rawValue]].value : nil
        }
        func int(_ fact: Fact) -> Int64 { value(fact).flatMap { store.intValue($0) }.map { max(0, $0) } ?? -1 }
        func str(_ fact: Fact) -> StrID { value(fact).flatMap { store.firstString($0) } ?? 0 }
        f.model = str(.model)
        f.provider = str(.provider)
        f.finishReason = str(.finishReason)
        f.toolName = str(.toolName)
        f.agentName = str(.agentName)
        f.responseID = str(.responseID)
        f.inputTokens = int(.inputTokens)
        f.outputTokens = int(.outputTokens)
        f.totalTokens = int(.totalTokens)
        f.cacheReadTokens = int(.cacheReadTokens)
        f.cacheWriteTokens = int(.cacheWriteTokens)
        f.reasoningTokens = int(.reasoningTokens)
        f.responseLength = int(.responseLength)
        f.reportedCost = value(.reportedCost).flatMap { store.doubleValue($0) } ?? .nan
        f.reportedRollupCost = value(.reportedRollupCost).flatMap { store.doubleValue($0) } ?? .nan
        if f.totalTokens < 0 && (f.inputTokens >= 0 || f.outputTokens >= 0) {
            f.totalTokens = max(0, f.inputTokens) + max(0, f.outputTokens)
        }
        f.role = role(span: span, store: store, operation: value(.operation), facts: f)
        return f
    }

    private func role(span: Span, store: SpanStore, operation: AttrValue?, facts: LLMFacts) -> SpanRole {
        if let op = operation, let role = operationRole(op, in: store) { return role }
        if facts.model != 0 { return .llm }
        if facts.toolName != 0 { return .tool }
        if facts.agentName != 0 { return .agent }
        let name = store.string(span.name)
        for (prefix, role) in Conventions.namePrefixRoles where name.hasPrefix(prefix) { return role }
        return .other
    }

    /// The role an operation/kind value names, if it is a known one.
    private func operationRole(_ op: AttrValue, in store: SpanStore) -> SpanRole? {
        guard let id = store.firstString(op) else { return nil }
        return operationRoles[id] ?? Conventions.operationRoles[store.string(id).lowercased()]
    }

    /// True when the span carries one of `Conventions.errorKeys` (e.g. `error.type`).
    public func hasErrorAttribute(_ span: Span, in store: SpanStore) -> Bool {
        errorKeys.contains { key in store.attributes(of: span).contains { $0.key == key } }
    }

    /// True when the span has an `exception` event.
    public func hasException(_ span: Span, in store: SpanStore) -> Bool {
        guard let exception = exceptionEvent else { return false }
        return store.events[span.events.range].contains { $0.name == exception }
    }
}
