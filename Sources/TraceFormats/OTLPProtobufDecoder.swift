import TraceModel

/// Why an OTLP protobuf message could not be decoded: where (a field path and a byte offset) and what.
public struct ProtobufDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset of the problem in the message.
    public var offset: Int
    /// Where in the message, e.g. `resourceSpans[0].scopeSpans[1].spans[3].attributes[2]`.
    public var path: String
    public var message: String
    public init(offset: Int, path: String, message: String) {
        self.offset = offset
        self.path = path
        self.message = message
    }
    public var description: String {
        (path.isEmpty ? "" : path + ": ") + message + " (byte \(offset))"
    }
}

/// What decoding one OTLP request produced.
public struct BatchDecodeResult: Sendable, Equatable {
    /// Spans added to the store.
    public var spans: Int
    /// Spans refused (invalid ids), not added; `rejectionMessage` says why.
    public var rejected: Int
    public var rejectionMessage: String?
    public init(spans: Int = 0, rejected: Int = 0, rejectionMessage: String? = nil) {
        self.spans = spans
        self.rejected = rejected
        self.rejectionMessage = rejectionMessage
    }
}

/// Decodes OTLP protobuf (`ExportTraceServiceRequest`, or `TracesData`, which has the same layout)
/// straight into a `SpanStore`: strings are interned from the input bytes, no message objects are
/// built. Tolerates what the JSON decoder tolerates: unknown fields of every wire type are skipped,
/// unknown enum values read as unspecified/unset, fields may come in any order (a resource after its
/// spans), and the pre-2022 `instrumentation_library_spans` (field 1000) is read as `scope_spans`.
/// A span whose trace or span id is missing, all zeros or not 16/8 bytes long is rejected (counted,
/// not stored), as the OTLP specification makes such ids invalid.
///
/// On a thrown error the store may hold part of the request: decode into a fresh store (as the
/// receivers do, one store per request) and discard it on error.
public enum OTLPProtobuf {
    public static func decode(_ bytes: UnsafeRawBufferPointer, source: String, into store: inout SpanStore) throws
        -> BatchDecodeResult
    {
        let sourceIndex = UInt32(store.sources.count)
        store.sources.append(source)
        var decoder = ProtobufSpanDecoder(source: sourceIndex)
        swap(&decoder.store, &store)
        defer { swap(&decoder.store, &store) }
        var reader = WireReader(bytes, from: 0, to: bytes.count)
        try decoder.decodeRequest(&reader)
        return decoder.result
    }

    public static func decode(_ bytes: [UInt8], source: String, into store: inout SpanStore) throws -> BatchDecodeResult
    {
        try bytes.withUnsafeBytes { try decode($0, source: source, into: &store) }
    }
}

// MARK: wire format

enum WireType: UInt64 {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5
}

/// Reads protobuf wire format from `bytes[pos..<end]`. Nested messages are read by readers bounded
/// to their length.
struct WireReader {
    let bytes: UnsafeRawBufferPointer
    var pos: Int
    let end: Int

    init(_ bytes: UnsafeRawBufferPointer, from: Int, to: Int) {
        self.bytes = bytes
        pos = from
        end = to
    }

    var atEnd: Bool { pos >= end }

    func fail(_ message: String, at offset: Int? = nil) -> ProtobufDecodeError {
        ProtobufDecodeError(offset: offset ?? pos, path: "", message: message)
    }

    @inline(__always)
    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        let start = pos
        while pos < end {
            let b = bytes[pos]
            pos += 1
            if shift == 63 && b > 1 { throw fail("varint overflows 64 bits", at: start) }
            result |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return result }
            shift += 7
            if shift > 63 { throw fail("varint longer than 10 bytes", at: start) }
        }
        throw fail("message ends inside a varint", at: start)
    }

    /// The next field's number and wire type, or nil at the end of the message.
    @inline(__always)
    mutating func tag() throws -> (field: UInt64, wire: WireType)? {
        if pos >= end { return nil }
        let start = pos
        let key = try varint()
        guard let wire = WireType(rawValue: key & 7) else { throw fail("invalid wire type \(key & 7)", at: start) }
        let field = key >> 3
        if field == 0 { throw fail("field number 0", at: start) }
        return (field, wire)
    }

    mutating func fixed64() throws -> UInt64 {
        guard end - pos >= 8 else { throw fail("message ends inside a fixed64 field") }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[pos + i]) << (8 * UInt64(i)) }
        pos += 8
        return v
    }

    mutating func fixed32() throws -> UInt32 {
        guard end - pos >= 4 else { throw fail("message ends inside a fixed32 field") }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[pos + i]) << (8 * UInt32(i)) }
        pos += 4
        return v
    }

    /// A length-delimited field's bytes as a range of the buffer.
    mutating func lengthDelimited() throws -> Range<Int> {
        let start = pos
        let length = try varint()
        guard length <= UInt64(end - pos) else {
            throw fail("length \(length) runs past the end of the message (\(end - pos) bytes left)", at: start)
        }
        let r = pos..<(pos + Int(length))
        pos += Int(length)
        return r
    }

    mutating func message() throws -> WireReader {
        let r = try lengthDelimited()
        return WireReader(bytes, from: r.lowerBound, to: r.upperBound)
    }

    mutating func skip(_ wire: WireType, field: UInt64) throws {
        switch wire {
        case .varint: _ = try varint()
        case .fixed64: _ = try fixed64()
        case .fixed32: _ = try fixed32()
        case .lengthDelimited: _ = try lengthDelimited()
        case .startGroup:
            // Deprecated groups: skip fields up to the matching end-group tag. Nested groups are
            // tracked in a list, not by recursion, so deep nesting cannot overflow the stack.
            var open = [field]
            while let (f, w) = try tag() {
                switch w {
                case .startGroup: open.append(f)
                case .endGroup:
                    if f != open.last! { throw fail("end of group \(f) inside group \(open.last!)") }
                    open.removeLast()
                    if open.isEmpty { return }
                default: try skip(w, field: f)
                }
            }
            throw fail("group \(open.last!) is not closed")
        case .endGroup:
            throw fail("unexpected end of group \(field)")
        }
    }

    /// Checks a field has the wire type its schema gives it.
    @inline(__always)
    func expect(_ wire: WireType, _ expected: WireType, _ name: String) throws {
        if wire != expected {
            throw fail("field \(name) has wire type \(wire.rawValue), expected \(expected.rawValue)")
        }
    }

    func slice(_ r: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[r]) }
}

/// Prefixes the path of an error thrown in `body` with `label`.
@inline(__always)
private func within<T>(_ label: @autoclosure () -> String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch var e as ProtobufDecodeError {
        let l = label()
        e.path = e.path.isEmpty ? l : (e.path.hasPrefix("[") ? l + e.path : l + "." + e.path)
        throw e
    }
}

// MARK: OTLP messages

struct ProtobufSpanDecoder {
    var store = SpanStore()
    let source: UInt32
    var result = BatchDecodeResult()
    private var rejectReasons: [String: Int] = [:]
    private var base64Scratch: [UInt8] = []
    /// How deep in `arrayValue`/`kvlistValue` the value being decoded is (see `ValueNesting`).
    private var nesting = 0

    init(source: UInt32) { self.source = source }

    /// Decodes one request; `firstIndex` numbers its `resourceSpans` in error paths (a file read a
    /// field at a time counts on from the fields before).
    mutating func decodeRequest(_ r: inout WireReader, firstIndex: Int = 0) throws {
        var index = firstIndex
        while let (field, wire) = try r.tag() {
            if field == 1 {
                try r.expect(wire, .lengthDelimited, "resource_spans")
                var m = try r.message()
                try within("resourceSpans[\(index)]") { try decodeResourceSpans(&m) }
                index += 1
            } else {
                try r.skip(wire, field: field)
            }
        }
        if !rejectReasons.isEmpty {
            result.rejectionMessage = rejectReasons.sorted {
                $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key
            }
            .map { "\($0.value) span(s) \($0.key)" }.joined(separator: "; ")
        }
    }

    private mutating func resourceSlot(_ slot: inout Int?) -> Int {
        if let s = slot { return s }
        store.resources.append(Resource())
        slot = store.resources.count - 1
        return slot!
    }

    private mutating func decodeResourceSpans(_ r: inout WireReader) throws {
        var resource: Int? = nil
        var scopeIndex = 0
        while let (field, wire) = try r.tag() {
            switch field {
            case 1:
                try r.expect(wire, .lengthDelimited, "resource")
                var m = try r.message()
                let slot = resourceSlot(&resource)
                try within("resource") { try decodeResource(&m, slot) }
            case 2, 1000:
                try r.expect(wire, .lengthDelimited, field == 2 ? "scope_spans" : "instrumentation_library_spans")
                var m = try r.message()
                let slot = resourceSlot(&resource)
                try within("scopeSpans[\(scopeIndex)]") { try decodeScopeSpans(&m, resource: slot) }
                scopeIndex += 1
            default:
                try r.skip(wire, field: field)
            }
        }
    }

    private mutating func decodeResource(_ r: inout WireReader, _ slot: Int) throws {
        var attributes: [Attribute] = []
        while let (field, wire) = try r.tag() {
            if field == 1 {
                try r.expect(wire, .lengthDelimited, "attributes")
                var m = try r.message()
                try within("attributes[\(attributes.count)]") { attributes.append(try decodeKeyValue(&m)) }
            } else {
                try r.skip(wire, field: field)
            }
        }
        let range = appendAttributes(attributes)
        store.resources[slot].attributes = range
        if let service = store.strings.lookup("service.name"),
            case .string(let s)? = store.value(forKey: service, in: range)
        {
            store.resources[slot].serviceName = s
        }
    }

    private mutating func decodeScopeSpans(_ r: inout WireReader, resource: Int) throws {
        store.scopes.append(Scope())
        let scope = store.scopes.count - 1
        var spanIndex = 0
        while let (field, wire) = try r.tag() {
            switch field {
            case 1:
                try r.expect(wire, .lengthDelimited, "scope")
                var m = try r.message()
                try within("scope") { try decodeScope(&m, scope) }
            case 2:
                try r.expect(wire, .lengthDelimited, "spans")
                var m = try r.message()
                try within("spans[\(spanIndex)]") { try decodeSpan(&m, resource: resource, scope: scope) }
                spanIndex += 1
            default:
                try r.skip(wire, field: field)
            }
        }
    }

    private mutating func decodeScope(_ r: inout WireReader, _ s: Int) throws {
        var attributes: [Attribute] = []
        while let (field, wire) = try r.tag() {
            switch field {
            case 1:
                try r.expect(wire, .lengthDelimited, "name")
                store.scopes[s].name = try string(&r)
            case 2:
                try r.expect(wire, .lengthDelimited, "version")
                store.scopes[s].version = try string(&r)
            case 3:
                try r.expect(wire, .lengthDelimited, "attributes")
                var m = try r.message()
                try within("attributes[\(attributes.count)]") { attributes.append(try decodeKeyValue(&m)) }
            default: try r.skip(wire, field: field)
            }
        }
        if !attributes.isEmpty { store.scopes[s].attributes = appendAttributes(attributes) }
    }

    // Long on purpose: one case per field of the `Span` message, read in one pass on the hot path.
    private mutating func decodeSpan(_ r: inout WireReader, resource: Int, scope: Int) throws {
        var span = Span()
        span.resource = UInt32(resource)
        span.scope = UInt32(scope)
        span.source = source
        var attributes: [Attribute] = []
        var events: [SpanEvent] = []
        var links: [SpanLink] = []
        var traceIDLength = 0
        var spanIDLength = 0
        var parentLength = 0
        while let (field, wire) = try r.tag() {
            switch field {
            case 1:
                try r.expect(wire, .lengthDelimited, "trace_id")
                let b = try r.lengthDelimited()
                traceIDLength = b.count
                if b.count == 16 { span.traceID = traceIDFrom(r.slice(b)) }
            case 2:
                try r.expect(wire, .lengthDelimited, "span_id")
                let b = try r.lengthDelimited()
                spanIDLength = b.count
                if b.count == 8 { span.spanID = uint64BE(r.slice(b)) }
            case 3:
                try r.expect(wire, .lengthDelimited, "trace_state")
                span.traceState = try string(&r)
            case 4:
                try r.expect(wire, .lengthDelimited, "parent_span_id")
                let b = try r.lengthDelimited()
                parentLength = b.count
                if b.count == 8 { span.parentSpanID = uint64BE(r.slice(b)) }
            case 5:
                try r.expect(wire, .lengthDelimited, "name")
                span.name = try string(&r)
            case 6:
                try r.expect(wire, .varint, "kind")
                span.kind = SpanKind(rawValue: UInt8(clamping: try r.varint())) ?? .unspecified
            case 7:
                try r.expect(wire, .fixed64, "start_time_unix_nano")
                span.startNanos = unixNanos(try r.fixed64())
            case 8:
                try r.expect(wire, .fixed64, "end_time_unix_nano")
                span.endNanos = unixNanos(try r.fixed64())
            case 9:
                try r.expect(wire, .lengthDelimited, "attributes")
                var m = try r.message()
                try within("attributes[\(attributes.count)]") { attributes.append(try decodeKeyValue(&m)) }
            case 11:
                try r.expect(wire, .lengthDelimited, "events")
                var m = try r.message()
                try within("events[\(events.count)]") { events.append(try decodeEvent(&m)) }
            case 13:
                try r.expect(wire, .lengthDelimited, "links")
                var m = try r.message()
                try within("links[\(links.count)]") { links.append(try decodeLink(&m)) }
            case 15:
                try r.expect(wire, .lengthDelimited, "status")
                var m = try r.message()
                try within("status") { try decodeStatus(&m, &span) }
            case 16:
                try r.expect(wire, .fixed32, "flags")
                span.flags = try r.fixed32()
            default: try r.skip(wire, field: field)
            }
        }
        if let reason = invalidIDs(span, traceIDLength, spanIDLength, parentLength) {
            result.rejected += 1
            rejectReasons[reason, default: 0] += 1
            return
        }
        appendSpan(&span, attributes, events, links)
    }

    /// Stores a decoded span with its attributes, events and links in the pools.
    @inline(__always)
    private mutating func appendSpan(
        _ span: inout Span, _ attributes: [Attribute], _ events: [SpanEvent],
        _ links: [SpanLink]
    ) {
        span.attributes = appendAttributes(attributes)
        if !events.isEmpty {
            span.events = PoolRange(start: UInt32(store.events.count), count: UInt32(events.count))
            store.events.append(contentsOf: events)
        }
        if !links.isEmpty {
            span.links = PoolRange(start: UInt32(store.links.count), count: UInt32(links.count))
            store.links.append(contentsOf: links)
        }
        store.spans.append(span)
        result.spans += 1
    }

    private func invalidIDs(_ span: Span, _ traceLength: Int, _ spanLength: Int, _ parentLength: Int) -> String? {
        if traceLength == 0 { return "without a trace id" }
        if traceLength != 16 { return "with a trace id of \(traceLength) bytes (expected 16)" }
        if span.traceID.isZero { return "with an all-zero trace id" }
        if spanLength == 0 { return "without a span id" }
        if spanLength != 8 { return "with a span id of \(spanLength) bytes (expected 8)" }
        if span.spanID == 0 { return "with an all-zero span id" }
        if parentLength != 0 && parentLength != 8 {
            return "with a parent span id of \(parentLength) bytes (expected 8 or none)"
        }
        return nil
    }

    private mutating func decodeStatus(_ r: inout WireReader, _ span: inout Span) throws {
        while let (field, wire) = try r.tag() {
            switch field {
            case 2:
                try r.expect(wire, .lengthDelimited, "message")
                span.statusMessage = try string(&r)
            case 3:
                try r.expect(wire, .varint, "code")
                span.status = StatusCode(rawValue: UInt8(clamping: try r.varint())) ?? .unset
            default: try r.skip(wire, field: field)
            }
        }
    }

    private mutating func decodeEvent(_ r: inout WireReader) throws -> SpanEvent {
        var event = SpanEvent()
        var attributes: [Attribute] = []
        while let (field, wire) = try r.tag() {
            switch field {
            case 1:
                try r.expect(wire, .fixed64, "time_unix_nano")
                event.timeNanos = unixNanos(try r.fixed64())
            case 2:
                try r.expect(wire, .lengthDelimited, "name")
                event.name = try string(&r)
            case 3:
                try r.expect(wire, .lengthDelimited, "attributes")
                var m = try r.message()
                try within("attributes[\(attributes.count)]") { attributes.append(try decodeKeyValue(&m)) }
            default: try r.skip(wire, field: field)
            }
        }
        event.attributes = appendAttributes(attributes)
        return event
    }

    private mutating func decodeLink(_ r: inout WireReader) throws -> SpanLink {
        var link = SpanLink()
        var attributes: [Attribute] = []
        while let (field, wire) = try r.tag() {
            switch field {
            case 1:
                try r.expect(wire, .lengthDelimited, "trace_id")
                let b = try r.lengthDelimited()
                if b.count == 16 { link.traceID = traceIDFrom(r.slice(b)) }
            case 2:
                try r.expect(wire, .lengthDelimited, "span_id")
                let b = try r.lengthDelimited()
                if b.count == 8 { link.spanID = uint64BE(r.slice(b)) }
            case 3:
                try r.expect(wire, .lengthDelimited, "trace_state")
                link.traceState = try string(&r)
            case 4:
                try r.expect(wire, .lengthDelimited, "attributes")
                var m = try r.message()
                try within("attributes[\(attributes.count)]") { attributes.append(try decodeKeyValue(&m)) }
            default: try r.skip(wire, field: field)
            }
        }
        link.attributes = appendAttributes(attributes)
        return link
    }

    // MARK: attributes and values

    private mutating func appendAttributes(_ list: [Attribute]) -> PoolRange {
        if list.isEmpty { return .empty }
        let range = PoolRange(start: UInt32(store.attributes.count), count: UInt32(list.count))
        store.attributes.append(contentsOf: list)
        return range
    }

    private mutating func decodeKeyValue(_ r: inout WireReader) throws -> Attribute {
        var attribute = Attribute(key: 0, value: .empty)
        while let (field, wire) = try r.tag() {
            switch field {
            case 1:
                try r.expect(wire, .lengthDelimited, "key")
                attribute.key = try string(&r)
            case 2:
                try r.expect(wire, .lengthDelimited, "value")
                var m = try r.message()
                attribute.value = try within("value") { try decodeAnyValue(&m) }
            default: try r.skip(wire, field: field)
            }
        }
        return attribute
    }

    private mutating func decodeAnyValue(_ r: inout WireReader) throws -> AttrValue {
        var value = AttrValue.empty
        while let (field, wire) = try r.tag() {
            switch field {
            case 1:
                try r.expect(wire, .lengthDelimited, "string_value")
                value = .string(try string(&r))
            case 2:
                try r.expect(wire, .varint, "bool_value")
                value = .bool(try r.varint() != 0)
            case 3:
                try r.expect(wire, .varint, "int_value")
                value = .int(Int64(bitPattern: try r.varint()))
            case 4:
                try r.expect(wire, .fixed64, "double_value")
                value = .double(Double(bitPattern: try r.fixed64()))
            case 5, 6:
                try r.expect(wire, .lengthDelimited, field == 5 ? "array_value" : "kvlist_value")
                var m = try r.message()
                guard nesting < ValueNesting.limit else {
                    value = .string(store.strings.intern(ValueNesting.marker))
                    continue
                }
                nesting += 1
                defer { nesting -= 1 }
                value =
                    field == 5
                    ? try within("arrayValue") { try decodeArrayValue(&m) }
                    : try within("kvlistValue") { try decodeKvlistValue(&m) }
            case 7:
                try r.expect(wire, .lengthDelimited, "bytes_value")
                let b = try r.lengthDelimited()
                value = .bytes(internBase64(r.slice(b)))
            default: try r.skip(wire, field: field)
            }
        }
        return value
    }

    private mutating func decodeArrayValue(_ r: inout WireReader) throws -> AttrValue {
        var values: [AttrValue] = []
        while let (field, wire) = try r.tag() {
            if field == 1 {
                try r.expect(wire, .lengthDelimited, "values")
                var m = try r.message()
                try within("values[\(values.count)]") { values.append(try decodeAnyValue(&m)) }
            } else {
                try r.skip(wire, field: field)
            }
        }
        let start = UInt32(store.arrayValues.count)
        store.arrayValues.append(contentsOf: values)
        return .array(start: start, count: UInt32(values.count))
    }

    private mutating func decodeKvlistValue(_ r: inout WireReader) throws -> AttrValue {
        var entries: [Attribute] = []
        while let (field, wire) = try r.tag() {
            if field == 1 {
                try r.expect(wire, .lengthDelimited, "values")
                var m = try r.message()
                try within("values[\(entries.count)]") { entries.append(try decodeKeyValue(&m)) }
            } else {
                try r.skip(wire, field: field)
            }
        }
        let start = UInt32(store.nestedAttributes.count)
        store.nestedAttributes.append(contentsOf: entries)
        return .kvlist(start: start, count: UInt32(entries.count))
    }

    // MARK: scalars

    private mutating func string(_ r: inout WireReader) throws -> StrID {
        let b = try r.lengthDelimited()
        if b.isEmpty { return 0 }
        return store.strings.intern(r.slice(b))
    }

    private mutating func internBase64(_ bytes: UnsafeRawBufferPointer) -> StrID {
        base64Scratch.removeAll(keepingCapacity: true)
        appendBase64(bytes, to: &base64Scratch)
        return base64Scratch.withUnsafeBytes { store.strings.intern($0) }
    }
}

@inline(__always)
func uint64BE(_ b: UnsafeRawBufferPointer) -> UInt64 {
    var v: UInt64 = 0
    for x in b { v = (v << 8) | UInt64(x) }
    return v
}

@inline(__always)
func traceIDFrom(_ b: UnsafeRawBufferPointer) -> TraceID {
    TraceID(
        high: uint64BE(UnsafeRawBufferPointer(rebasing: b[0..<8])),
        low: uint64BE(UnsafeRawBufferPointer(rebasing: b[8..<16])))
}

private let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

/// Standard base64 with padding, as OTLP JSON writes `bytesValue`.
func appendBase64(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
    var i = 0
    let n = bytes.count
    while i + 3 <= n {
        let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
        out.append(base64Alphabet[Int(v >> 18 & 63)])
        out.append(base64Alphabet[Int(v >> 12 & 63)])
        out.append(base64Alphabet[Int(v >> 6 & 63)])
        out.append(base64Alphabet[Int(v & 63)])
        i += 3
    }
    if n - i == 1 {
        let v = UInt32(bytes[i]) << 16
        out.append(base64Alphabet[Int(v >> 18 & 63)])
        out.append(base64Alphabet[Int(v >> 12 & 63)])
        out.append(UInt8(ascii: "="))
        out.append(UInt8(ascii: "="))
    } else if n - i == 2 {
        let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
        out.append(base64Alphabet[Int(v >> 18 & 63)])
        out.append(base64Alphabet[Int(v >> 12 & 63)])
        out.append(base64Alphabet[Int(v >> 6 & 63)])
        out.append(UInt8(ascii: "="))
    }
}
