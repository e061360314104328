/// Everything loaded, append-only: spans and the pools they point into. Decoders and receivers append;
/// analysis reads. Holds no derived data (trees, facts, totals live in TraceAnalysis).
public struct SpanStore: Sendable {
    public var strings = StringTable()
    public var spans: [Span] = []
    public var attributes: [Attribute] = []
    /// Entries of `kvlist` values.
    public var nestedAttributes: [Attribute] = []
    /// Elements of `array` values.
    public var arrayValues: [AttrValue] = []
    public var events: [SpanEvent] = []
    public var links: [SpanLink] = []
    public var resources: [Resource] = []
    public var scopes: [Scope] = []
    /// Names of the files (or other sources) spans came from; `Span.source` indexes it.
    public var sources: [String] = []

    public init() {}

    /// Room for about the spans and attributes `bytes` of OTLP JSON hold (400 and 100 bytes each:
    /// realistic spans take 430-830, attributes about 125), so that a large input's pools are not
    /// copied at every doubling. Room never written is address space only: its pages are not touched.
    public mutating func reserveCapacity(forJSONBytes bytes: Int) {
        spans.reserveCapacity(spans.count + bytes / 400)
        attributes.reserveCapacity(attributes.count + bytes / 100)
    }

    public func string(_ id: StrID) -> String { strings[id] }

    public func attributes(of span: Span) -> ArraySlice<Attribute> { attributes[span.attributes.range] }

    /// The first attribute of `range` in `pool` whose key is `key`.
    public func value(forKey key: StrID, in range: PoolRange, nested: Bool = false) -> AttrValue? {
        let pool = nested ? nestedAttributes : attributes
        for i in range.range where pool[i].key == key { return pool[i].value }
        return nil
    }

    public func value(forKey key: String, in range: PoolRange, nested: Bool = false) -> AttrValue? {
        guard let id = strings.lookup(key) else { return nil }
        return value(forKey: id, in: range, nested: nested)
    }

    /// Renders a value as text: strings as they are, arrays and maps as JSON-like text.
    public func text(_ value: AttrValue) -> String {
        switch value {
        case .empty: return ""
        case .string(let s): return strings[s]
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return formatDouble(d)
        case .bytes(let s): return strings[s]
        case .array(let start, let count):
            let items = arrayValues[Int(start)..<Int(start + count)].map { quotedText($0) }
            return "[" + items.joined(separator: ",") + "]"
        case .kvlist(let start, let count):
            let items = nestedAttributes[Int(start)..<Int(start + count)].map {
                "\"\(strings[$0.key])\":" + quotedText($0.value)
            }
            return "{" + items.joined(separator: ",") + "}"
        }
    }

    private func quotedText(_ value: AttrValue) -> String {
        if case .string(let s) = value { return "\"" + strings[s] + "\"" }
        return text(value)
    }

    public func doubleValue(_ value: AttrValue) -> Double? {
        switch value {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .string(let s): return Double(strings[s].trimmingSpaces)
        default: return nil
        }
    }

    public func intValue(_ value: AttrValue) -> Int64? {
        switch value {
        case .int(let i): return i
        case .double(let d): return d.isFinite ? Int64(d) : nil
        case .string(let s):
            let t = strings[s].trimmingSpaces
            return Int64(t) ?? Double(t).flatMap { $0.isFinite ? Int64($0) : nil }
        default: return nil
        }
    }

    /// The string of a value, or the first string of an array value (e.g. `finish_reasons`).
    public func firstString(_ value: AttrValue) -> StrID? {
        switch value {
        case .string(let s): return s
        case .array(let start, let count) where count > 0:
            if case .string(let s) = arrayValues[Int(start)] { return s }
            return nil
        default: return nil
        }
    }
}

public func formatDouble(_ d: Double) -> String {
    if d.isNaN { return "NaN" }
    if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
    if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
    return String(d)
}

extension String {
    var trimmingSpaces: Substring {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}
