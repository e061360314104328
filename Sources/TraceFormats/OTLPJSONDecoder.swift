import TraceModel

/// Decodes OTLP JSON into a `SpanStore`: a single request (pretty or compact), JSON Lines of requests
/// as the collector's file exporter writes them, arrays of requests, bare `ResourceSpans` objects,
/// and the Tempo (`batches`, `trace`) and Jaeger v3 (`result`) wrappers. Tolerates snake_case keys,
/// enum names, base64 ids, int64 as string or number and `instrumentationLibrarySpans`; skips metric
/// and log lines and unknown fields. Streams over the bytes once; builds no JSON tree. With
/// `readsForeignJSON` it reads Jaeger's and Zipkin's JSON as well (JaegerZipkinJSON.swift).
struct OTLPJSONDecoder {
    var cursor: JSONCursor
    var store = SpanStore()
    let source: UInt32
    var spansDecoded = 0
    var skippedNonTraceValues = 0
    /// What a store wrote beside its wrapper (Tempo v2: `{"trace":…,"status":"PARTIAL","message":…}`).
    var storeStatus: String?
    var storeMessage: String?
    /// What the current top-level value looked like, for naming a foreign format.
    var sniff = FormatSniff()
    /// How deep in `arrayValue`/`kvlistValue` the value being decoded is (see `ValueNesting`).
    private var nesting = 0
    /// Reads Jaeger's and Zipkin's JSON too (files do; the OTLP receivers take OTLP only).
    let readsForeignJSON: Bool
    /// Scratch lists, resources and scopes of the Jaeger and Zipkin input (JaegerZipkinJSON.swift).
    var foreign = ForeignJSONState()
    /// Told how far decoding has got every `LoadProgress.spanInterval` spans.
    var progress: ((LoadProgress) -> Void)?

    init(cursor: JSONCursor, source: UInt32, readsForeignJSON: Bool) {
        self.cursor = cursor
        self.source = source
        self.readsForeignJSON = readsForeignJSON
    }

    // MARK: top level

    /// Decodes one top-level JSON value (an object or an array of objects; for Jaeger and Zipkin
    /// also an array of span lists).
    mutating func decodeTopLevelValue() throws {
        sniff = FormatSniff()
        guard let c = cursor.peek() else { return }
        if readsForeignJSON { beginForeignValue() }
        if c == UInt8(ascii: "[") {
            _ = try cursor.beginArray()
            var first = true
            sniff.arrayElements = 0
            while try cursor.nextElement(&first) {
                sniff.arrayElements? += 1
                if readsForeignJSON && cursor.peek() == UInt8(ascii: "[") {
                    try decodeForeignList()
                    continue
                }
                if cursor.peek() != UInt8(ascii: "{") {
                    throw cursor.fail("expected an OTLP request object in the top-level array")
                }
                try decodeTopObject()
            }
        } else {
            try decodeTopObject()
        }
        if readsForeignJSON { finishForeignValue() }
    }

    /// Decodes a request object, or one wrapped in `wrappers` Tempo or Jaeger wrapper objects.
    private mutating func decodeTopObject(wrappers: Int = 0) throws {
        guard try cursor.beginObject() else { return }
        var first = true
        var bareResource: Int? = nil
        var foreignObject = beginForeignObject()
        while let key = try cursor.nextKey(&first) {
            sniff.topKeys += 1
            if key.is("resourceSpans") || key.is("batches") {
                sniff.sawTraces = true
                try decodeResourceSpansArray()
            } else if let signal = Self.otherSignals.first(where: { key.is($0) }) {
                if !sniff.otherSignals.contains(signal.description) { sniff.otherSignals.append(signal.description) }
                try cursor.skipValue()
            } else if wrappers == 0, key.is("status") || key.is("message"), cursor.peek() == UInt8(ascii: "\"") {
                sniff.note(key)
                let text = try cursor.string()
                if key.is("status") { storeStatus = text } else { storeMessage = text }
            } else if key.is("trace") || key.is("result") {
                // Tempo v2 `{"trace":{"resourceSpans":…}}`, Jaeger v3 `{"result":{"resourceSpans":…}}`.
                if cursor.peek() != UInt8(ascii: "{") {
                    try cursor.skipValue()
                } else if wrappers < maxWrapperNesting {
                    try decodeTopObject(wrappers: wrappers + 1)
                } else {
                    throw cursor.fail("wrapper objects nested deeper than \(maxWrapperNesting) levels")
                }
            } else if try decodeResourceSpansKey(key, resource: &bareResource) {
                sniff.sawTraces = true
            } else {
                sniff.note(key)
                if try !readsForeignJSON || !decodeForeignKey(key, &foreignObject) { try cursor.skipValue() }
            }
        }
        if readsForeignJSON { try finishForeignObject(&foreignObject) }
    }

    private static let otherSignals: [StaticString] = ["resourceLogs", "resourceMetrics", "resourceProfiles"]

    private mutating func decodeResourceSpansArray() throws {
        guard try cursor.beginArray() else { return }
        var first = true
        while try cursor.nextElement(&first) { try decodeResourceSpans() }
    }

    /// One element of a `resourceSpans` array.
    private mutating func decodeResourceSpans() throws {
        guard try cursor.beginObject() else { return }
        var firstKey = true
        var resource: Int? = nil
        while let key = try cursor.nextKey(&firstKey) {
            if try !decodeResourceSpansKey(key, resource: &resource) { try cursor.skipValue() }
        }
    }

    // MARK: a document in pieces

    /// Decodes one piece of a document `{"resourceSpans":[…]}` (or `batches`) cut between the elements
    /// of that array (`TraceLoader.documentCuts`). The first piece (`opens`) starts with the document;
    /// every other starts with an element. Every piece but the last ends right after the comma that
    /// follows an element (whitespace aside); the last (`closes`) ends with the array and the document.
    /// Anything else throws, so a cut that is not between two elements shows as an error. `keepGoing`
    /// is asked before each element: when another piece has failed, this one stops too.
    mutating func decodeDocumentPiece(opens: Bool, closes: Bool, keepGoing: () -> Bool) throws {
        if opens {
            try cursor.expect(UInt8(ascii: "{"), "'{'")
            var first = true
            guard let key = try cursor.nextKey(&first), key.is("resourceSpans") || key.is("batches") else {
                throw cursor.fail("the document does not start with its resourceSpans")
            }
            try cursor.expect(UInt8(ascii: "["), "'['")
        }
        while true {
            guard keepGoing() else { throw cursor.fail("another piece failed") }
            try decodeResourceSpans()
            if cursor.peek() == UInt8(ascii: ",") {
                cursor.pos += 1
                cursor.skipWhitespace()
                guard cursor.atEnd else { continue }
                if closes { throw cursor.fail("unexpected end of input inside resourceSpans") }
                return
            }
            try cursor.expect(UInt8(ascii: "]"), "',' or ']' after an element of resourceSpans")
            guard closes else { throw cursor.fail("resourceSpans ends before the piece does") }
            try cursor.expect(UInt8(ascii: "}"), "'}' after resourceSpans")
            cursor.skipWhitespace()
            guard cursor.atEnd else { throw cursor.fail("more after the document's resourceSpans") }
            return
        }
    }

    /// The resource slot of the `ResourceSpans` being decoded, made on first use: its `resource` key
    /// may come after its spans.
    private mutating func resourceSlot(_ slot: inout Int?) -> Int {
        if let s = slot { return s }
        store.resources.append(Resource())
        slot = store.resources.count - 1
        return slot!
    }

    /// Handles one key of a `ResourceSpans` object; false when the key is not one of its fields.
    private mutating func decodeResourceSpansKey(_ key: JSONKey, resource: inout Int?) throws -> Bool {
        if key.is("scopeSpans") || key.is("instrumentationLibrarySpans") {
            let r = resourceSlot(&resource)
            try decodeScopeSpansArray(resource: r)
        } else if key.is("resource") {
            let r = resourceSlot(&resource)
            try decodeResource(r)
        } else if key.is("schemaUrl") {
            try cursor.skipValue()
        } else {
            return false
        }
        return true
    }

    private mutating func decodeResource(_ r: Int) throws {
        guard try cursor.beginObject() else { return }
        var first = true
        while let key = try cursor.nextKey(&first) {
            if key.is("attributes") {
                let range = try decodeAttributeList()
                store.resources[r].attributes = range
                if let service = store.strings.lookup("service.name"),
                    case .string(let s)? = store.value(forKey: service, in: range)
                {
                    store.resources[r].serviceName = s
                }
            } else {
                try cursor.skipValue()
            }
        }
    }

    private mutating func decodeScopeSpansArray(resource: Int) throws {
        guard try cursor.beginArray() else { return }
        var first = true
        while try cursor.nextElement(&first) {
            guard try cursor.beginObject() else { continue }
            store.scopes.append(Scope())
            let scope = store.scopes.count - 1
            var firstKey = true
            while let key = try cursor.nextKey(&firstKey) {
                if key.is("spans") {
                    try decodeSpans(resource: resource, scope: scope)
                } else if key.is("scope") || key.is("instrumentationLibrary") {
                    try decodeScope(scope)
                } else {
                    try cursor.skipValue()
                }
            }
        }
    }

    private mutating func decodeScope(_ s: Int) throws {
        guard try cursor.beginObject() else { return }
        var first = true
        while let key = try cursor.nextKey(&first) {
            if key.is("name") {
                store.scopes[s].name = try internString()
            } else if key.is("version") {
                store.scopes[s].version = try internString()
            } else if key.is("attributes") {
                store.scopes[s].attributes = try decodeAttributeList()
            } else {
                try cursor.skipValue()
            }
        }
    }

    // MARK: spans

    private mutating func decodeSpans(resource: Int, scope: Int) throws {
        guard try cursor.beginArray() else { return }
        var first = true
        while try cursor.nextElement(&first) {
            guard try cursor.beginObject() else { continue }
            var span = Span()
            span.resource = UInt32(resource)
            span.scope = UInt32(scope)
            span.source = source
            var firstKey = true
            while let key = try cursor.nextKey(&firstKey) {
                if key.is("traceId") {
                    span.traceID = try traceID()
                } else if key.is("spanId") {
                    span.spanID = try spanID()
                } else if key.is("parentSpanId") {
                    span.parentSpanID = try spanID()
                } else if key.is("name") {
                    span.name = try internString()
                } else if key.is("startTimeUnixNano") {
                    span.startNanos = try cursor.timeNanos()
                } else if key.is("endTimeUnixNano") {
                    span.endNanos = try cursor.timeNanos()
                } else if key.is("kind") {
                    span.kind = try spanKind()
                } else if key.is("attributes") {
                    span.attributes = try decodeAttributeList()
                } else if key.is("status") {
                    try decodeStatus(&span)
                } else if key.is("events") {
                    span.events = try decodeEvents()
                } else if key.is("links") {
                    span.links = try decodeLinks()
                } else if key.is("traceState") {
                    span.traceState = try internString()
                } else if key.is("flags") {
                    span.flags = UInt32(truncatingIfNeeded: try cursor.int64())
                } else {
                    try cursor.skipValue()
                }
            }
            store.spans.append(span)
            countSpan()
        }
    }

    /// One more span decoded; every `LoadProgress.spanInterval` of them, `progress` is told.
    mutating func countSpan() {
        spansDecoded += 1
        if spansDecoded % LoadProgress.spanInterval == 0, let progress {
            progress(LoadProgress(bytes: cursor.pos, spans: spansDecoded, inflated: cursor.stream != nil))
        }
    }

    private mutating func decodeStatus(_ span: inout Span) throws {
        guard try cursor.beginObject() else { return }
        var first = true
        while let key = try cursor.nextKey(&first) {
            if key.is("code") {
                span.status = try statusCode()
            } else if key.is("message") {
                span.statusMessage = try internString()
            } else {
                try cursor.skipValue()
            }
        }
    }

    private mutating func decodeEvents() throws -> PoolRange {
        guard try cursor.beginArray() else { return .empty }
        var events: [SpanEvent] = []
        var first = true
        while try cursor.nextElement(&first) {
            guard try cursor.beginObject() else { continue }
            var event = SpanEvent()
            var firstKey = true
            while let key = try cursor.nextKey(&firstKey) {
                if key.is("timeUnixNano") {
                    event.timeNanos = try cursor.timeNanos()
                } else if key.is("name") {
                    event.name = try internString()
                } else if key.is("attributes") {
                    event.attributes = try decodeAttributeList()
                } else {
                    try cursor.skipValue()
                }
            }
            events.append(event)
        }
        let range = PoolRange(start: UInt32(store.events.count), count: UInt32(events.count))
        store.events.append(contentsOf: events)
        return range
    }

    private mutating func decodeLinks() throws -> PoolRange {
        guard try cursor.beginArray() else { return .empty }
        var links: [SpanLink] = []
        var first = true
        while try cursor.nextElement(&first) {
            guard try cursor.beginObject() else { continue }
            var link = SpanLink()
            var firstKey = true
            while let key = try cursor.nextKey(&firstKey) {
                if key.is("traceId") {
                    link.traceID = try traceID()
                } else if key.is("spanId") {
                    link.spanID = try spanID()
                } else if key.is("traceState") {
                    link.traceState = try internString()
                } else if key.is("attributes") {
                    link.attributes = try decodeAttributeList()
                } else {
                    try cursor.skipValue()
                }
            }
            links.append(link)
        }
        let range = PoolRange(start: UInt32(store.links.count), count: UInt32(links.count))
        store.links.append(contentsOf: links)
        return range
    }

    // MARK: attributes and values

    /// A `KeyValue` list appended contiguously to `store.attributes` (nested lists go to the nested pool).
    /// A span's, resource's, scope's, event's or link's attributes, appended to the pool as they are
    /// read: their values add only to the other pools, so the list stays contiguous without a list
    /// of its own per span. (A list cut short by an error leaves its first entries in the pool,
    /// referenced by nothing.)
    private mutating func decodeAttributeList() throws -> PoolRange {
        let start = store.attributes.count
        if try cursor.beginArray() {
            var first = true
            while try cursor.nextElement(&first) {
                if let attribute = try decodeKeyValue() { store.attributes.append(attribute) }
            }
        }
        return PoolRange(start: UInt32(start), count: UInt32(store.attributes.count - start))
    }

    /// A `kvlistValue`'s entries: kept in a list until its end, since their own values may add
    /// nested entries to the same pool.
    private mutating func decodeKeyValues() throws -> [Attribute] {
        guard try cursor.beginArray() else { return [] }
        var list: [Attribute] = []
        var first = true
        while try cursor.nextElement(&first) {
            if let attribute = try decodeKeyValue() { list.append(attribute) }
        }
        return list
    }

    /// One `{"key":…,"value":…}`; nil for `null`.
    private mutating func decodeKeyValue() throws -> Attribute? {
        guard try cursor.beginObject() else { return nil }
        var attribute = Attribute(key: 0, value: .empty)
        var firstKey = true
        while let key = try cursor.nextKey(&firstKey) {
            if key.is("key") {
                attribute.key = try internString()
            } else if key.is("value") {
                attribute.value = try decodeAnyValue()
            } else {
                try cursor.skipValue()
            }
        }
        return attribute
    }

    mutating func decodeAnyValue() throws -> AttrValue {
        switch cursor.peek() {
        case UInt8(ascii: "{"):
            break
        case UInt8(ascii: "\""):
            return .string(try internString())  // lenient: a bare string
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            return .bool(try cursor.bool())
        case UInt8(ascii: "n"), UInt8(ascii: "["):
            try cursor.skipValue()  // lenient: null, or a bare array where an AnyValue belongs
            return .empty
        default:
            let d = try cursor.double()
            return d == d.rounded() && abs(d) < 9e15 ? .int(Int64(d)) : .double(d)
        }
        _ = try cursor.beginObject()
        var value = AttrValue.empty
        var first = true
        while let key = try cursor.nextKey(&first) {
            if key.is("stringValue") {
                value = .string(try internString())
            } else if key.is("intValue") {
                value = .int(try cursor.int64())
            } else if key.is("doubleValue") {
                value = .double(try cursor.double())
            } else if key.is("boolValue") {
                value = .bool(try cursor.bool())
            } else if key.is("arrayValue") || key.is("kvlistValue") {
                value = try decodeNestedValue(array: key.is("arrayValue"))
            } else if key.is("bytesValue") {
                value = .bytes(try internString())
            } else {
                try cursor.skipValue()
            }
        }
        return value
    }

    /// An `arrayValue` or `kvlistValue`; past `ValueNesting.limit` levels, skipped and marked.
    private mutating func decodeNestedValue(array: Bool) throws -> AttrValue {
        guard nesting < ValueNesting.limit else {
            try cursor.skipValue()
            return .string(store.strings.intern(ValueNesting.marker))
        }
        nesting += 1
        defer { nesting -= 1 }
        return array ? try decodeArrayValue() : try decodeKvlistValue()
    }

    private mutating func decodeArrayValue() throws -> AttrValue {
        var values: [AttrValue] = []
        if try cursor.beginObject() {
            var first = true
            while let key = try cursor.nextKey(&first) {
                guard key.is("values"), try cursor.beginArray() else {
                    try cursor.skipValue()
                    continue
                }
                var firstElement = true
                while try cursor.nextElement(&firstElement) { values.append(try decodeAnyValue()) }
            }
        }
        let start = UInt32(store.arrayValues.count)
        store.arrayValues.append(contentsOf: values)
        return .array(start: start, count: UInt32(values.count))
    }

    private mutating func decodeKvlistValue() throws -> AttrValue {
        var entries: [Attribute] = []
        if try cursor.beginObject() {
            var first = true
            while let key = try cursor.nextKey(&first) {
                if key.is("values") { entries = try decodeKeyValues() } else { try cursor.skipValue() }
            }
        }
        let start = UInt32(store.nestedAttributes.count)
        store.nestedAttributes.append(contentsOf: entries)
        return .kvlist(start: start, count: UInt32(entries.count))
    }

    // MARK: scalars

    mutating func internString() throws -> StrID {
        if cursor.isNull() { return 0 }
        // isNull skipped the whitespace before the value.
        if cursor.pos < cursor.end && cursor.base[cursor.pos] != UInt8(ascii: "\"") { return try internNonString() }
        let (raw, escaped) = try cursor.rawString()
        if !escaped { return store.strings.intern(UnsafeRawBufferPointer(raw)) }
        var unescaped: [UInt8] = []
        swap(&unescaped, &cursor.scratch)  // reuse the cursor's buffer without copying it
        unescaped.removeAll(keepingCapacity: true)
        try cursor.unescape(raw, into: &unescaped)
        defer { cursor.scratch = unescaped }
        return unescaped.withUnsafeBytes { store.strings.intern($0) }
    }

    /// Lenient, like the readers users compare with: a number or `true`/`false` where a string belongs
    /// is kept as its text; an object or array there is skipped.
    private mutating func internNonString() throws -> StrID {
        let start = cursor.pos
        let first = cursor.base[start]
        try cursor.skipValue()
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") { return 0 }
        return store.strings.intern(UnsafeRawBufferPointer(start: cursor.base + start, count: cursor.pos - start))
    }

    private mutating func traceID() throws -> TraceID {
        if cursor.isNull() { return .zero }
        let (high, low) = try id(bytes: 16, "invalid trace id", "(expected 32 hex digits or base64)")
        return TraceID(high: high, low: low)
    }

    private mutating func spanID() throws -> SpanID {
        if cursor.isNull() { return 0 }
        return try id(bytes: 8, "invalid span id", "(expected 16 hex digits or base64)").low
    }

    /// An id of `bytes` bytes in hex or base64; escapes are decoded first (a JSON writer may write
    /// base64's `/` as `\/`).
    private mutating func id(bytes: Int, _ invalid: String, _ expected: String) throws -> (high: UInt64, low: UInt64) {
        let start = cursor.pos
        let (raw, escaped) = try cursor.rawString()
        var unescaped: [UInt8] = []
        if escaped { try cursor.unescape(raw, into: &unescaped) }
        let decoded =
            escaped
            ? unescaped.withUnsafeBufferPointer { decodeID($0, byteCount: bytes) } : decodeID(raw, byteCount: bytes)
        guard let decoded else {
            cursor.pos = start
            throw cursor.fail("\(invalid) \(excerpt(raw)) \(expected)")
        }
        return decoded
    }

    mutating func spanKind() throws -> SpanKind {
        if cursor.peek() == UInt8(ascii: "\"") {
            let name = try cursor.string().uppercased()
            for kind in SpanKind.allCases
            where name == "SPAN_KIND_" + kind.name.uppercased() || name == kind.name.uppercased() {
                return kind
            }
            return .unspecified
        }
        return SpanKind(rawValue: UInt8(clamping: try cursor.int64())) ?? .unspecified
    }

    private mutating func statusCode() throws -> StatusCode {
        if cursor.peek() == UInt8(ascii: "\"") {
            switch try cursor.string().uppercased() {
            case "STATUS_CODE_OK", "OK": return .ok
            case "STATUS_CODE_ERROR", "ERROR": return .error
            default: return .unset
            }
        }
        return StatusCode(rawValue: UInt8(clamping: try cursor.int64())) ?? .unset
    }
}

/// Timestamps are kept within 0…2^62 ns (1970 to 2116): a negative or huge time in the input then
/// cannot overflow any difference or sum of times later (durations, waterfalls, windows).
let maxUnixNanos: Int64 = 1 << 62

func unixNanos(_ value: Int64) -> Int64 { min(max(value, 0), maxUnixNanos) }

func unixNanos(_ value: UInt64) -> Int64 { Int64(min(value, UInt64(maxUnixNanos))) }

/// Attribute values nest (`arrayValue`, `kvlistValue`) at most this deep; a deeper value is kept as
/// `marker`, so neither decoding nor anything that walks values later can exhaust the stack.
enum ValueNesting {
    static let limit = 64
    static let marker = "[nested deeper than \(limit) levels]"
}

/// Tempo and Jaeger wrapper objects (`{"trace":…}`, `{"result":…}`) are followed at most this deep
/// (real answers have one or two); deeper is an error rather than a stack overflow.
let maxWrapperNesting = 100

/// Decodes an id written as hex (any case; shorter ids are left-padded) or as base64 (Tempo and some
/// old SDKs). Returns the id as (high, low) 64-bit halves; an empty string is the zero id.
func decodeID(_ raw: UnsafeBufferPointer<UInt8>, byteCount: Int) -> (UInt64, UInt64)? {
    if raw.isEmpty { return (0, 0) }
    if raw.count <= byteCount * 2 && (raw.count == byteCount * 2 || raw.count != base64Length(byteCount)) {
        // One pass over the digits; a non-hex character means the id is base64.
        var high: UInt64 = 0
        var low: UInt64 = 0
        var bad: UInt8 = 0
        for c in raw {
            let v = hexDigitValues[Int(c)]
            bad |= v
            high = (high << 4) | (low >> 60)
            low = (low << 4) | UInt64(v & 0x0F)
        }
        if bad & 0x80 == 0 { return (high, low) }
    }
    guard let bytes = decodeBase64(raw), bytes.count == byteCount else { return nil }
    var high: UInt64 = 0
    var low: UInt64 = 0
    for b in bytes {
        high = (high << 8) | (low >> 56)
        low = (low << 8) | UInt64(b)
    }
    return (high, low)
}

/// Hex digit values by byte; 0x80 marks a byte that is not a hex digit.
private let hexDigitValues: [UInt8] = (0..<256).map { c in hexValue(UInt8(c)) ?? 0x80 }

private func base64Length(_ bytes: Int) -> Int { (bytes + 2) / 3 * 4 }

func decodeBase64(_ raw: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
    var out: [UInt8] = []
    out.reserveCapacity(raw.count * 3 / 4)
    var acc: UInt32 = 0
    var bits = 0
    for c in raw {
        let v: UInt32
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - UInt8(ascii: "a")) + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c - UInt8(ascii: "0")) + 52
        case UInt8(ascii: "+"), UInt8(ascii: "-"): v = 62
        case UInt8(ascii: "/"), UInt8(ascii: "_"): v = 63
        case UInt8(ascii: "="): continue
        default: return nil
        }
        acc = (acc << 6) | v
        bits += 6
        if bits >= 8 {
            bits -= 8
            out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
        }
    }
    return out
}
