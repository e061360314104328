import Foundation
import Synchronization
import TraceModel

/// One counted model call, reduced to what the dashboard panels need. Names are interned string ids
/// of the store (0 = none); absent figures are nil, never 0.
public struct DashboardCall: Sendable, Equatable {
    public var span: Int32
    public var trace: Int32
    /// When the call finished: windows place a call by its end, as a metric would be recorded.
    public var end: Int64
    public var latencyNanos: Int64
    public var model: StrID
    public var feature: StrID
    public var service: StrID
    /// nil when the cost is unknown (unknown model or no token counts).
    public var costUSD: Double?
    /// The reported cost differs from the list price by more than 5 % (`CallGroup.costMismatch`).
    public var costMismatch: Bool
    /// All input tokens, cached ones included; nil when the call reports none.
    public var inputTokens: Int64?
    public var outputTokens: Int64?
    public var cachedInputTokens: Int64
    public var cacheHit: Bool
    /// nil when the call reports no finish reason.
    public var finish: FinishCategory?
    /// Characters of the answer (`quality.response_length`, else the output text); nil when unknown.
    public var responseLength: Int64?
    public var isError: Bool
    public var retried: Bool
}

/// A span that hit a rate limit. Nested spans describing one refusal (the model call and the HTTP
/// client span beneath it) are one event: only the outermost is kept.
public struct RateLimitEvent: Sendable, Equatable {
    public var span: Int32
    public var trace: Int32
    public var end: Int64
    public var service: StrID
    public var feature: StrID
    /// The model of the refused call, 0 when the span names none.
    public var model: StrID
}

/// One user feedback (or evaluation) score or label found on a span.
public struct FeedbackRecord: Sendable, Equatable {
    public var span: Int32
    public var trace: Int32
    public var time: Int64
    public var service: StrID
    public var feature: StrID
    /// The model of the span that carries it, 0 when it names none.
    public var model: StrID
    public var score: Double?
    public var label: String?
    public var name: String?
}

/// Everything the dashboard reads, extracted from a store and its analysis in one pass: the counted
/// calls, rate-limit events, feedback, and per-span feature. Built once; every filter and every "now"
/// is then a cheap scan of these arrays.
public struct DashboardData: Sendable {
    public let calls: [DashboardCall]
    public let rateLimits: [RateLimitEvent]
    public let feedback: [FeedbackRecord]
    /// Per span: its feature (see `Conventions.featureKeys`).
    public let featureOf: [StrID]
    /// Per trace: the models of its counted calls.
    public let traceModels: [Set<StrID>]
    /// The newest span end in the store: "now" for a file.
    public let newestEnd: Int64
    /// The oldest span start: how far back the data goes.
    public let oldestStart: Int64
    public let featureKeys: [String]

    public init(store: SpanStore, analysis a: Analysis, featureKeys: [String] = Conventions.featureKeys) {
        let n = store.spans.count
        let forest = a.forest
        let featureIDs = featureKeys.compactMap { store.strings.lookup($0) }
        let (featureOf, newest, oldest) = Self.features(store: store, forest: forest, featureIDs: featureIDs)
        let signals = Signals(strings: store.strings)
        let rateLimits = Self.rateLimitEvents(store: store, analysis: a, featureOf: featureOf, signals: signals)
        let feedback = Self.feedbackRecords(store: store, analysis: a, featureOf: featureOf, signals: signals)

        // The counted calls, on every core: each is read from its own spans (answers are parsed).
        let counted = (0..<n).filter { a.counted[$0] }
        let pieces = min(ProcessInfo.processInfo.activeProcessorCount, max(1, counted.count / 4096))
        let made = Mutex([[DashboardCall]](repeating: [], count: pieces))
        DispatchQueue.concurrentPerform(iterations: pieces) { p in
            let part = counted[counted.count * p / pieces..<counted.count * (p + 1) / pieces].map {
                Self.call(counted: $0, store: store, analysis: a, featureOf: featureOf, signals: signals)
            }
            made.withLock { $0[p] = part }
        }
        var calls = made.withLock { $0 }.flatMap { $0 }
        var traceModels = [Set<StrID>](repeating: [], count: forest.traces.count)
        for call in calls { traceModels[Int(call.trace)].insert(call.model) }
        calls.sort { $0.end != $1.end ? $0.end < $1.end : $0.span < $1.span }

        self.calls = calls
        self.rateLimits = rateLimits
        self.feedback = feedback
        self.featureOf = featureOf
        self.traceModels = traceModels
        self.newestEnd = newest == Int64.min ? 0 : newest
        self.oldestStart = oldest == Int64.max ? 0 : oldest
        self.featureKeys = featureKeys
    }

    @inline(__always)
    static func service(_ s: Int, _ store: SpanStore) -> StrID {
        store.resources.isEmpty ? 0 : store.resources[Int(store.spans[s].resource)].serviceName
    }

    /// Feature per span: its own feature attribute, else its parent's, else the trace root's name; and
    /// the newest span end and oldest span start (`Int64.min`, `Int64.max` without spans).
    static func features(
        store: SpanStore, forest: TraceForest,
        featureIDs: [StrID]
    ) -> (featureOf: [StrID], newest: Int64, oldest: Int64) {
        var featureOf = [StrID](repeating: 0, count: store.spans.count)
        var newest = Int64.min
        var oldest = Int64.max
        for trace in forest.traces {
            let fallback = store.spans[Int(trace.rootSpan)].name
            var stack = Array(trace.roots)
            while let s = stack.popLast() {
                let span = store.spans[Int(s)]
                newest = max(newest, span.endNanos)
                oldest = min(oldest, span.startNanos)
                var own: StrID = 0
                for key in featureIDs {
                    if let v = store.value(forKey: key, in: span.attributes), let id = store.firstString(v), id != 0 {
                        own = id
                        break
                    }
                }
                let p = forest.parent[Int(s)]
                featureOf[Int(s)] = own != 0 ? own : p >= 0 ? featureOf[Int(p)] : fallback
                stack.append(contentsOf: forest.children(of: s))
            }
        }
        return (featureOf, newest, oldest)
    }

    /// Rate limits: the outermost rate-limited span of a chain, oldest first.
    static func rateLimitEvents(
        store: SpanStore, analysis a: Analysis, featureOf: [StrID],
        signals: Signals
    ) -> [RateLimitEvent] {
        let n = store.spans.count
        let forest = a.forest
        var limited = [Bool](repeating: false, count: n)
        for i in 0..<n { limited[i] = signals.isRateLimited(store.spans[i], in: store) }
        var rateLimits: [RateLimitEvent] = []
        for i in 0..<n where limited[i] {
            let p = forest.parent[i]
            if p >= 0 && limited[Int(p)] { continue }
            rateLimits.append(
                RateLimitEvent(
                    span: Int32(i), trace: forest.traceOf[i], end: store.spans[i].endNanos,
                    service: service(i, store), feature: featureOf[i],
                    model: a.facts[i].model))
        }
        rateLimits.sort { $0.end != $1.end ? $0.end < $1.end : $0.span < $1.span }
        return rateLimits
    }

    /// Feedback on any span, in span order.
    static func feedbackRecords(
        store: SpanStore, analysis a: Analysis, featureOf: [StrID],
        signals: Signals
    ) -> [FeedbackRecord] {
        var feedback: [FeedbackRecord] = []
        for i in 0..<store.spans.count {
            for f in signals.feedback(of: store.spans[i], in: store) {
                feedback.append(
                    FeedbackRecord(
                        span: Int32(i), trace: a.forest.traceOf[i],
                        time: f.time ?? store.spans[i].endNanos, service: service(i, store),
                        feature: featureOf[i], model: a.facts[i].model, score: f.score,
                        label: f.label, name: f.name))
            }
        }
        return feedback
    }

    /// The call counted on span `i`, with what the spans of its chain say about it.
    static func call(
        counted i: Int, store: SpanStore, analysis a: Analysis, featureOf: [StrID],
        signals: Signals
    ) -> DashboardCall {
        let forest = a.forest
        let span = store.spans[i]
        let g = Int(a.calls.groupOf[i])
        let group = a.calls.groups[g]
        let f = a.calls.facts(of: group)
        let cost = group.cost
        // The call unit: the spans that describe the call and the model-call wrappers around it.
        var unit = Int32(i)
        while forest.parent[Int(unit)] >= 0, a.facts[Int(forest.parent[Int(unit)])].role.isModelCall {
            unit = forest.parent[Int(unit)]
        }
        let chain = CallChain(
            members: a.calls.members(of: g), counted: Int32(i), unit: unit, parent: forest.parent,
            groupOf: a.calls.groupOf)
        var length: Int64? = f.responseLength >= 0 ? f.responseLength : nil
        for member in chain.members where length == nil {
            let n = signals.answerLength(store.spans[Int(member)], in: store)
            if n > 0 { length = Int64(n) }
        }
        let unitModel = a.facts[Int(unit)].model != 0 ? a.facts[Int(unit)].model : f.model
        let cacheHit =
            f.cacheReadTokens > 0
            || chain.contains { signals.hasCacheHitFlag(store.spans[Int($0)], in: store) }
        let retried =
            chain.contains { signals.isMarkedRetry(store.spans[Int($0)], in: store) }
            || signals.subtreeResent(Int32(i), forest: forest, store: store)
            || Self.followsFailedSibling(unit: unit, model: unitModel, analysis: a, store: store)
        return DashboardCall(
            span: Int32(i), trace: forest.traceOf[i], end: span.endNanos, latencyNanos: span.durationNanos,
            model: f.model, feature: featureOf[i], service: service(i, store),
            costUSD: cost.source == .reported || cost.source == .computed ? cost.usd : nil,
            costMismatch: group.costMismatch,
            inputTokens: f.inputTokens >= 0 || f.cacheReadTokens >= 0 ? f.allInputTokens : nil,
            outputTokens: f.outputTokens >= 0 ? f.outputTokens : nil,
            cachedInputTokens: max(0, f.cacheReadTokens),
            cacheHit: cacheHit,
            finish: f.finishReason == 0 ? nil : FinishCategory.of(store.string(f.finishReason)),
            responseLength: length,
            isError: chain.contains { a.isError[Int($0)] },
            retried: retried)
    }

    /// The spans of one counted call: its group's members, then the model-call wrappers above the
    /// counted span up to `unit` (rollups among them), walked without building an array per call.
    struct CallChain {
        let members: ArraySlice<Int32>
        let counted: Int32
        let unit: Int32
        let parent: [Int32]
        let groupOf: [Int32]

        func contains(where predicate: (Int32) -> Bool) -> Bool {
            if members.contains(where: predicate) { return true }
            var s = counted
            while s != unit {
                s = parent[Int(s)]
                if groupOf[Int(s)] != groupOf[Int(counted)] && predicate(s) { return true }
            }
            return false
        }
    }

    /// The retry rule of `conventions.md`: an earlier sibling of the call (same parent) that is a call
    /// of the same model and failed.
    static func followsFailedSibling(unit: Int32, model: StrID, analysis a: Analysis, store: SpanStore) -> Bool {
        let p = a.forest.parent[Int(unit)]
        guard p >= 0, model != 0 else { return false }
        let start = store.spans[Int(unit)].startNanos
        for sib in a.forest.children(of: p) where sib != unit {
            let s = store.spans[Int(sib)]
            guard s.startNanos < start || (s.startNanos == start && sib < unit) else { continue }
            guard a.facts[Int(sib)].role.isModelCall, a.facts[Int(sib)].model == model else { continue }
            if a.subtree[Int(sib)].errors > 0 { return true }
        }
        return false
    }
}

/// The signal keys of `Conventions`, looked up once in a string table.
struct Signals {
    let statusKeys: [StrID]
    let typeKeys: [StrID]
    let exceptionEvent: StrID?
    let exceptionType: StrID?
    let retryCountKeys: [StrID]
    let attemptKeys: [StrID]
    let retryFlagKeys: [StrID]
    let cacheHitKeys: [StrID]
    let scoreKeys: [StrID]
    let labelKeys: [StrID]
    let evaluationEvent: StrID?
    let evaluationScore: StrID?
    let evaluationLabel: StrID?
    let evaluationName: StrID?
    /// OpenInference annotation keys present in the table: id → (annotation index, suffix).
    let annotationKeys: [StrID: (index: String, suffix: String)]
    /// The characters of a span's answer.
    let answerLength: AnswerLength

    init(strings: StringTable) {
        func ids(_ keys: [String]) -> [StrID] { keys.compactMap { strings.lookup($0) } }
        statusKeys = ids(Conventions.rateLimitStatusKeys)
        typeKeys = ids(Conventions.rateLimitTypeKeys)
        exceptionEvent = strings.lookup("exception")
        exceptionType = strings.lookup(Conventions.exceptionTypeKey)
        retryCountKeys = ids(Conventions.retryCountKeys)
        attemptKeys = ids(Conventions.attemptKeys)
        retryFlagKeys = ids(Conventions.retryFlagKeys)
        cacheHitKeys = ids(Conventions.cacheHitKeys)
        scoreKeys = ids(Conventions.feedbackScoreKeys)
        labelKeys = ids(Conventions.feedbackLabelKeys)
        evaluationEvent = strings.lookup(Conventions.evaluationEvent)
        evaluationScore = strings.lookup(Conventions.evaluationScoreKey)
        evaluationLabel = strings.lookup(Conventions.evaluationLabelKey)
        evaluationName = strings.lookup(Conventions.evaluationNameKey)
        // One pass over the interned strings, so spans are checked with integer lookups only.
        var annotationKeys: [StrID: (index: String, suffix: String)] = [:]
        let suffixes = [
            Conventions.annotationScoreSuffix, Conventions.annotationLabelSuffix, Conventions.annotationNameSuffix,
        ]
        let prefix = Array(Conventions.annotationPrefix.utf8)
        for id in 0..<strings.count where strings.byteCount(StrID(id)) > prefix.count {
            guard strings.withBytes(StrID(id), { $0.starts(with: prefix) }) else { continue }
            let key = strings[StrID(id)]
            guard key.hasPrefix(Conventions.annotationPrefix) else { continue }
            let rest = key.dropFirst(Conventions.annotationPrefix.count)
            guard let dot = rest.firstIndex(of: "."), suffixes.contains(String(rest[dot...])) else { continue }
            annotationKeys[StrID(id)] = (String(rest[..<dot]), String(rest[dot...]))
        }
        self.annotationKeys = annotationKeys
        answerLength = AnswerLength(strings: strings)
    }

    static func namesRateLimit(_ text: String) -> Bool {
        let squeezed = String(text.lowercased().filter { !"_-. ".contains($0) })
        return Conventions.rateLimitTypeFragments.contains { squeezed.contains($0) }
    }

    func isRateLimited(_ span: Span, in store: SpanStore) -> Bool {
        for key in statusKeys {
            if let v = store.value(forKey: key, in: span.attributes),
                store.intValue(v) == Conventions.rateLimitStatusCode
            {
                return true
            }
        }
        for key in typeKeys {
            if let v = store.value(forKey: key, in: span.attributes), Self.namesRateLimit(store.text(v)) { return true }
        }
        if let exception = exceptionEvent, let typeKey = exceptionType {
            for e in store.events[span.events.range] where e.name == exception {
                if let v = store.value(forKey: typeKey, in: e.attributes), Self.namesRateLimit(store.text(v)) {
                    return true
                }
            }
        }
        return false
    }

    func isMarkedRetry(_ span: Span, in store: SpanStore) -> Bool {
        for key in retryCountKeys {
            if let v = store.value(forKey: key, in: span.attributes), let c = store.intValue(v), c > 0 { return true }
        }
        for key in attemptKeys {
            if let v = store.value(forKey: key, in: span.attributes), let c = store.intValue(v), c > 1 { return true }
        }
        for key in retryFlagKeys {
            if let v = store.value(forKey: key, in: span.attributes),
                v == .bool(true) || store.text(v).lowercased() == "true"
            {
                return true
            }
        }
        return false
    }

    /// An HTTP client span beneath the call resent the request.
    func subtreeResent(_ span: Int32, forest: TraceForest, store: SpanStore) -> Bool {
        var stack = Array(forest.children(of: span))
        while let s = stack.popLast() {
            if isMarkedRetry(store.spans[Int(s)], in: store) { return true }
            stack.append(contentsOf: forest.children(of: s))
        }
        return false
    }

    func hasCacheHitFlag(_ span: Span, in store: SpanStore) -> Bool {
        for key in cacheHitKeys {
            if let v = store.value(forKey: key, in: span.attributes),
                v == .bool(true) || store.text(v).lowercased() == "true"
            {
                return true
            }
        }
        return false
    }

    struct Found {
        var score: Double?
        var label: String?
        var name: String?
        var time: Int64?
    }

    func feedback(of span: Span, in store: SpanStore) -> [Found] {
        var out: [Found] = []
        var plain = Found()
        for key in scoreKeys {
            if let v = store.value(forKey: key, in: span.attributes), let d = store.doubleValue(v), d.isFinite {
                plain.score = d
                break
            }
        }
        for key in labelKeys {
            if let v = store.value(forKey: key, in: span.attributes) {
                plain.label = store.text(v)
                break
            }
        }
        if plain.score != nil || plain.label != nil { out.append(plain) }
        if let event = evaluationEvent {
            for e in store.events[span.events.range] where e.name == event {
                var f = Found(time: e.timeNanos)
                if let k = evaluationScore, let v = store.value(forKey: k, in: e.attributes),
                    let d = store.doubleValue(v), d.isFinite
                {
                    f.score = d
                }
                if let k = evaluationLabel, let v = store.value(forKey: k, in: e.attributes) { f.label = store.text(v) }
                if let k = evaluationName, let v = store.value(forKey: k, in: e.attributes) { f.name = store.text(v) }
                if f.score != nil || f.label != nil { out.append(f) }
            }
        }
        // OpenInference annotations.<i>.annotation.score|label|name, grouped by <i>.
        var annotations: [String: Found] = [:]
        for attr in store.attributes(of: span) where !annotationKeys.isEmpty {
            guard let (index, suffix) = annotationKeys[attr.key] else { continue }
            var f = annotations[index] ?? Found()
            switch suffix {
            case Conventions.annotationScoreSuffix:
                f.score = store.doubleValue(attr.value).flatMap { $0.isFinite ? $0 : nil }
            case Conventions.annotationLabelSuffix: f.label = store.text(attr.value)
            case Conventions.annotationNameSuffix: f.name = store.text(attr.value)
            default: continue
            }
            annotations[index] = f
        }
        for index in annotations.keys.sorted(by: { (Int($0) ?? 0, $0) < (Int($1) ?? 0, $1) }) {
            let f = annotations[index]!
            if f.score != nil || f.label != nil { out.append(f) }
        }
        return out
    }
}
