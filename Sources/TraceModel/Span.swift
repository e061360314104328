/// OTLP span kinds, numbered as in the protocol.
public enum SpanKind: UInt8, Sendable, CaseIterable {
    case unspecified = 0
    case `internal`, server, client, producer, consumer
    public var name: String {
        switch self {
        case .unspecified: return "unspecified"
        case .internal: return "internal"
        case .server: return "server"
        case .client: return "client"
        case .producer: return "producer"
        case .consumer: return "consumer"
        }
    }
}

/// OTLP status codes, numbered as in the protocol.
public enum StatusCode: UInt8, Sendable {
    case unset = 0
    case ok, error
    public var name: String { self == .unset ? "unset" : self == .ok ? "ok" : "error" }
}

/// One span, flat and fixed-size: strings are interned ids, attributes/events/links are ranges
/// into the store's pools. A million of these is about 120 MB.
public struct Span: Sendable {
    public var traceID: TraceID = .zero
    public var spanID: SpanID = 0
    public var parentSpanID: SpanID = 0
    public var startNanos: Int64 = 0
    public var endNanos: Int64 = 0
    public var name: StrID = 0
    public var statusMessage: StrID = 0
    public var traceState: StrID = 0
    public var resource: UInt32 = 0
    public var scope: UInt32 = 0
    public var attributes = PoolRange.empty
    public var events = PoolRange.empty
    public var links = PoolRange.empty
    /// Which file (index into `SpanStore.sources`) the span came from.
    public var source: UInt32 = 0
    public var flags: UInt32 = 0
    public var kind: SpanKind = .unspecified
    public var status: StatusCode = .unset
    public init() {}

    public var durationNanos: Int64 { max(0, endNanos - startNanos) }
}

public struct SpanEvent: Sendable {
    public var timeNanos: Int64 = 0
    public var name: StrID = 0
    public var attributes = PoolRange.empty
    public init() {}
}

public struct SpanLink: Sendable {
    public var traceID: TraceID = .zero
    public var spanID: SpanID = 0
    public var traceState: StrID = 0
    public var attributes = PoolRange.empty
    public init() {}
}

public struct Resource: Sendable {
    public var attributes = PoolRange.empty
    public var serviceName: StrID = 0
    public init() {}
}

public struct Scope: Sendable {
    public var name: StrID = 0
    public var version: StrID = 0
    public var attributes = PoolRange.empty
    public init() {}
}
