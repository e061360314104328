/// The trace stores tracetui can query. It stays their client: it never keeps spans of its own.
public enum StoreKind: String, Sendable, CaseIterable {
    case tempo, jaeger
    public var title: String { self == .tempo ? "Tempo" : "Jaeger" }
}

/// One search, as the command line or the TUI's search form states it. Each store reads the fields
/// it has: Tempo the TraceQL query, Jaeger service, operation and attributes; both the time range,
/// the durations and the limit.
public struct StoreQuery: Equatable, Sendable {
    /// TraceQL (Tempo); empty for every trace in the range.
    public var traceQL = ""
    public var service = ""
    public var operation = ""
    /// Attributes a span must have, compared as text (Jaeger).
    public var attributes: [(key: String, value: String)] = []
    /// Start and end of the window, in Unix seconds.
    public var startSeconds: Int64
    public var endSeconds: Int64
    public var minDurationNanos: Int64?
    public var maxDurationNanos: Int64?
    public var limit = 20
    /// Tempo's spans per span set (`spss`): how many matching spans a result may list.
    public var spansPerSpanSet: Int?

    public init(startSeconds: Int64, endSeconds: Int64) {
        self.startSeconds = startSeconds
        self.endSeconds = endSeconds
    }

    public static func == (a: StoreQuery, b: StoreQuery) -> Bool {
        a.traceQL == b.traceQL && a.service == b.service && a.operation == b.operation
            && a.attributes.elementsEqual(b.attributes, by: { $0.key == $1.key && $0.value == $1.value })
            && a.startSeconds == b.startSeconds && a.endSeconds == b.endSeconds
            && a.minDurationNanos == b.minDurationNanos && a.maxDurationNanos == b.maxDurationNanos
            && a.limit == b.limit && a.spansPerSpanSet == b.spansPerSpanSet
    }
}

/// One trace found by a search: what the result list shows before the trace itself is fetched.
public struct TraceSummary: Equatable, Sendable {
    public var traceID: TraceID
    public var rootService: String
    public var rootName: String
    public var startNanos: Int64
    public var durationNanos: Int64
    /// Spans that matched the query, when the store says (Tempo's span sets; Jaeger, counted here).
    public var matchedSpans: Int?

    public init(
        traceID: TraceID, rootService: String, rootName: String, startNanos: Int64, durationNanos: Int64,
        matchedSpans: Int?
    ) {
        self.traceID = traceID
        self.rootService = rootService
        self.rootName = rootName
        self.startNanos = startNanos
        self.durationNanos = durationNanos
        self.matchedSpans = matchedSpans
    }
}
