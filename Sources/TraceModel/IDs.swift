/// A 128-bit trace id, kept as two integers so spans stay compact and hash fast.
public struct TraceID: Hashable, Comparable, Sendable {
    public var high: UInt64
    public var low: UInt64
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }
    public static let zero = TraceID(high: 0, low: 0)
    public var isZero: Bool { high == 0 && low == 0 }
    public var hex: String { hex16(high) + hex16(low) }
    public static func < (a: TraceID, b: TraceID) -> Bool { (a.high, a.low) < (b.high, b.low) }

    /// Parses 1–32 hex digits (left-padded), as written by OTLP JSON and, unpadded, by Tempo search.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard !digits.isEmpty, digits.count <= 32 else { return nil }
        var hi: UInt64 = 0
        var lo: UInt64 = 0
        for d in digits {
            guard let v = hexValue(d) else { return nil }
            hi = (hi << 4) | (lo >> 60)
            lo = (lo << 4) | UInt64(v)
        }
        self.init(high: hi, low: lo)
    }
}

/// A 64-bit span id; 0 means "none" (OTLP roots have an empty or all-zero parent id).
public typealias SpanID = UInt64

public func spanIDHex(_ id: SpanID) -> String { hex16(id) }

public func hex16(_ v: UInt64) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
}

@inline(__always)
public func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return c &- UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return c &- UInt8(ascii: "a") &+ 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return c &- UInt8(ascii: "A") &+ 10
    default: return nil
    }
}
