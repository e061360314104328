/// An attribute value as OTLP's `AnyValue`, without per-value allocation: strings are interned,
/// arrays and key-value lists point into flat pools of the `SpanStore`.
public enum AttrValue: Sendable, Equatable {
    case empty
    case string(StrID)
    case bool(Bool)
    case int(Int64)
    case double(Double)
    /// Base64 text as it appeared in the JSON (or encoded from protobuf bytes).
    case bytes(StrID)
    /// `count` values starting at `start` in `SpanStore.arrayValues`.
    case array(start: UInt32, count: UInt32)
    /// `count` attributes starting at `start` in `SpanStore.nestedAttributes`.
    case kvlist(start: UInt32, count: UInt32)
}

public struct Attribute: Sendable, Equatable {
    public var key: StrID
    public var value: AttrValue
    public init(key: StrID, value: AttrValue) {
        self.key = key
        self.value = value
    }
}

/// A half-open range into one of the store's flat pools.
public struct PoolRange: Sendable, Equatable {
    public var start: UInt32
    public var count: UInt32
    public init(start: UInt32 = 0, count: UInt32 = 0) {
        self.start = start
        self.count = count
    }
    public var range: Range<Int> { Int(start)..<Int(start + count) }
    public static let empty = PoolRange()
}
