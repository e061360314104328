import TraceModel

/// OTLP protobuf files: one binary `ExportTraceServiceRequest` (a `.pb` file), or a stream of them,
/// each after its length as a varint (protobuf's delimited form, which the OpenTelemetry file
/// exporter specification asks for). Both are read a piece at a time through the same cursor as JSON
/// (so a gzip file is inflated as it is decoded): a single request is a run of `resource_spans`
/// fields, each decoded on its own; a stream, one request after another. A piece that does not
/// decode is reported with its byte offset and dropped whole, the others kept.
enum OTLPProtobufFile {
    /// Whether an input is OTLP protobuf rather than JSON text, from its first bytes: JSON starts
    /// with `{` or `[` after any white space; anything else that starts with a control character, a
    /// byte outside ASCII or a line feed (a request's first tag is 0x0A) is binary. A request whose
    /// first length reads as `{` or `[` is told from JSON by its framing (`isSingleRequest`,
    /// `isDelimitedStream`), which no JSON text keeps up for long.
    static func looksBinary(_ cursor: inout JSONCursor) -> Bool {
        // 64 KB in view for the framing checks, without growing a stream's window past half its limit.
        _ = cursor.ensure(min(1 << 16, (cursor.stream?.maxCapacity ?? .max) / 2))
        guard cursor.pos < cursor.end else { return false }
        let raw = cursor.base[cursor.pos]
        var i = cursor.pos
        while i < cursor.end && isSpace(cursor.base[i]) { i += 1 }
        guard i < cursor.end else { return false }
        let first = cursor.base[i]
        switch first {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            return raw == 0x0A ? isSingleRequest(cursor) : raw == first && isDelimitedStream(cursor)
        case UInt8(ascii: "<"): return false
        default: return first < 0x20 || first >= 0x80 || raw == 0x0A
        }
    }

    private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }

    /// Whether all of the input is in view (a stream's window may hold only its start).
    private static func isComplete(_ cursor: JSONCursor) -> Bool { cursor.stream?.isFinished ?? true }

    /// Whether the bytes in view read as one request: `resource_spans` fields (tag 0x0A), each as
    /// long as its length says, up to the end of the input (or past the end of the view).
    static func isSingleRequest(_ cursor: JSONCursor) -> Bool {
        var p = cursor.pos
        while p < cursor.end {
            guard cursor.base[p] == 0x0A else { return false }
            guard let (length, size) = varint(cursor.base, at: p + 1, end: cursor.end) else {
                return !isComplete(cursor)
            }
            p += 1 + size + Int(min(length, UInt64(cursor.end)))
        }
        return p == cursor.end || !isComplete(cursor)
    }

    /// Whether the bytes in view read as length-prefixed requests, each empty or starting with a
    /// `resource_spans` field, up to the end of the input (or past the end of the view).
    static func isDelimitedStream(_ cursor: JSONCursor) -> Bool {
        var p = cursor.pos
        while p < cursor.end {
            guard let (length, size) = varint(cursor.base, at: p, end: cursor.end) else { return !isComplete(cursor) }
            p += size
            if length > 0 && p < cursor.end && cursor.base[p] != 0x0A { return false }
            p += Int(min(length, UInt64(cursor.end)))
        }
        return p == cursor.end || !isComplete(cursor)
    }

    /// Decodes the input from the cursor's position into `store` as spans of source `source`.
    /// Throws `LoadError.unreadable` when no piece decoded: binary data that is not OTLP protobuf.
    static func decode(_ cursor: inout JSONCursor, name: String, source: UInt32, into store: inout SpanStore)
        throws -> LoadResult
    {
        var decoder = ProtobufSpanDecoder(source: source)
        swap(&decoder.store, &store)
        defer { swap(&decoder.store, &store) }
        // Where both readings fit (every request of a stream exactly 10 bytes long), one request
        // wins; where neither does, the first byte decides (a cut or corrupt request starts with 0x0A).
        let single =
            isSingleRequest(cursor)
            || !isDelimitedStream(cursor) && cursor.pos < cursor.end
                && cursor.base[cursor.pos] == 0x0A
        var pieces = PieceReader(single: single)
        var issues = IssueList()
        while let issue = pieces.next(&cursor, &decoder, name: name) { issues.add(issue) }
        if decoder.result.spans == 0 && decoder.result.rejected == 0, let problem = pieces.firstProblem {
            throw LoadError.unreadable(file: name, reason: "binary data, not OTLP protobuf: " + problem)
        }
        if decoder.result.rejected > 0, let message = decoder.result.rejectionMessage {
            issues.add(DecodeIssue(file: name, line: 0, column: 0, byteOffset: 0, message: "skipped " + message))
        }
        return LoadResult(
            file: name, spans: decoder.result.spans, skippedValues: 0, issues: issues.list,
            spanless: .tracesWithoutSpans, peakInputBytes: cursor.stream?.peakCapacity ?? cursor.end)
    }

    /// A varint at `at` and how many bytes it took; nil when it runs past `end` or 10 bytes.
    static func varint(_ base: UnsafePointer<UInt8>, at: Int, end: Int) -> (UInt64, Int)? {
        var value: UInt64 = 0
        var i = 0
        while at + i < end && i < 10 {
            let b = base[at + i]
            value |= UInt64(b & 0x7F) << UInt64(7 * i)
            i += 1
            if b < 0x80 { return (value, i) }
        }
        return nil
    }
}

/// Walks a protobuf file a piece at a time: a `resource_spans` field of a single request, or one
/// request of a length-prefixed stream.
private struct PieceReader {
    let single: Bool
    /// Pieces read so far.
    private var count = 0
    /// False once the framing broke: nothing after it can be found.
    private var going = true
    /// What was wrong with the first piece that could not be read.
    private(set) var firstProblem: String?

    init(single: Bool) { self.single = single }

    /// Decodes the next piece; returns an issue when it could not be decoded, nil at the end.
    mutating func next(_ cursor: inout JSONCursor, _ decoder: inout ProtobufSpanDecoder, name: String)
        -> DecodeIssue?
    {
        while going && cursor.ensure(1) {
            let start = cursor.pos
            _ = cursor.ensure(11)
            let tagSize = single ? 1 : 0
            guard let (length, size) = OTLPProtobufFile.varint(cursor.base, at: start + tagSize, end: cursor.end),
                let total = pieceSize(length, header: tagSize + size, cursor)
            else { return stop(at: start, "a length prefix is cut short or invalid", name, decoder) }
            guard cursor.ensure(total) else {
                return stop(at: start, "the input ends inside a \(total)-byte \(what)", name, decoder)
            }
            let payload = single ? start : start + size
            let bytes = UnsafeRawBufferPointer(start: cursor.base + payload, count: start + total - payload)
            cursor.pos = start + total
            count += 1
            if let issue = decode(bytes, at: payload, &decoder, name: name) { return issue }
        }
        return nil
    }

    private var what: String { single ? "resourceSpans field" : "request" }

    /// The piece's whole size, or nil when it is larger than a stream's window may grow.
    private func pieceSize(_ length: UInt64, header: Int, _ cursor: JSONCursor) -> Int? {
        let limit = cursor.stream.map { UInt64($0.maxCapacity) } ?? UInt64(Int.max / 2)
        return length < limit ? header + Int(length) : nil
    }

    /// Decodes one piece; on an error, drops what it had added to the store.
    private mutating func decode(
        _ bytes: UnsafeRawBufferPointer, at offset: Int, _ decoder: inout ProtobufSpanDecoder, name: String
    ) -> DecodeIssue? {
        let mark = StoreMark(decoder.store)
        let spans = decoder.result.spans
        var reader = WireReader(bytes, from: 0, to: bytes.count)
        do {
            try decoder.decodeRequest(&reader, firstIndex: single ? count - 1 : 0)
            return nil
        } catch {
            mark.rollBack(&decoder.store)
            decoder.result.spans = spans
            let e = error as? ProtobufDecodeError ?? ProtobufDecodeError(offset: 0, path: "", message: "\(error)")
            let place = single ? "" : "request \(count): "
            let located = ProtobufDecodeError(offset: offset + e.offset, path: e.path, message: e.message)
            firstProblem = firstProblem ?? place + located.description
            return DecodeIssue(
                file: name, line: 0, column: 0, byteOffset: located.offset,
                message: "not OTLP protobuf: \(place)\(located); skipped, the rest kept")
        }
    }

    private mutating func stop(at offset: Int, _ reason: String, _ name: String, _ decoder: ProtobufSpanDecoder)
        -> DecodeIssue
    {
        going = false
        firstProblem = firstProblem ?? "\(reason) (byte \(offset))"
        return DecodeIssue(
            file: name, line: 0, column: 0, byteOffset: offset,
            message:
                "not OTLP protobuf from byte \(offset): \(reason); kept the \(decoder.result.spans) spans before it")
    }
}

/// The sizes of a store's lists, to drop what a failed decode added (interned strings stay: they
/// are shared and harmless).
struct StoreMark {
    let spans, attributes, nestedAttributes, arrayValues, events, links, resources, scopes: Int

    init(_ store: SpanStore) {
        spans = store.spans.count
        attributes = store.attributes.count
        nestedAttributes = store.nestedAttributes.count
        arrayValues = store.arrayValues.count
        events = store.events.count
        links = store.links.count
        resources = store.resources.count
        scopes = store.scopes.count
    }

    func rollBack(_ store: inout SpanStore) {
        store.spans.removeSubrange(spans...)
        store.attributes.removeSubrange(attributes...)
        store.nestedAttributes.removeSubrange(nestedAttributes...)
        store.arrayValues.removeSubrange(arrayValues...)
        store.events.removeSubrange(events...)
        store.links.removeSubrange(links...)
        store.resources.removeSubrange(resources...)
        store.scopes.removeSubrange(scopes...)
    }
}
