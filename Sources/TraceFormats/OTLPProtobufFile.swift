import TraceModel

/// OTLP protobuf files: one binary `ExportTraceServiceRequest` (a `.pb` file), or a stream of them,
/// each after its length as a varint (protobuf's delimited form, which the OpenTelemetry file
/// exporter specification asks for). Both are read a piece at a time through the same cursor as JSON
/// (so a gzip file is inflated as it is decoded): a single request is a run of `resource_spans`
/// fields, each decoded on its own; a stream, one request after another. A piece that does not
/// decode is reported with its byte offset and dropped whole, the others kept.
enum OTLPProtobufFile {
    /// Whether an input is binary rather than JSON text: a control character other than white space
    /// in its first 64 bytes (a protobuf request has lengths and tags below 0x20 almost at once), or
    /// a first non-space byte outside ASCII.
    static func looksBinary(_ cursor: inout JSONCursor) -> Bool {
        _ = cursor.ensure(64)
        var firstVisible: UInt8?
        for i in cursor.pos..<min(cursor.pos + 64, cursor.end) {
            let c = cursor.base[i]
            let space = c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
            if c < 0x20 && !space { return true }
            if firstVisible == nil && !space { firstVisible = c }
        }
        return (firstVisible ?? 0) >= 0x80
    }

    /// Decodes the input from the cursor's position into `store` as spans of source `source`.
    static func decode(_ cursor: inout JSONCursor, name: String, source: UInt32, into store: inout SpanStore)
        -> LoadResult
    {
        var decoder = ProtobufSpanDecoder(source: source)
        swap(&decoder.store, &store)
        defer { swap(&decoder.store, &store) }
        var pieces = PieceReader(single: isSingleRequest(cursor))
        var issues = IssueList()
        while let issue = pieces.next(&cursor, &decoder, name: name) { issues.add(issue) }
        if decoder.result.rejected > 0, let message = decoder.result.rejectionMessage {
            issues.add(DecodeIssue(file: name, line: 0, column: 0, byteOffset: 0, message: "skipped " + message))
        }
        return LoadResult(
            file: name, spans: decoder.result.spans, skippedValues: 0, issues: issues.list,
            spanless: .tracesWithoutSpans,
            peakInputBytes: cursor.stream?.peakCapacity ?? cursor.end)
    }

    /// Whether the bytes in view read as one request (`resource_spans` fields, tag 0x0A, each as
    /// long as its length says) up to the end of the view. Otherwise they are taken for a stream of
    /// length-prefixed requests; where both readings fit (every request exactly 10 bytes long),
    /// the single request wins.
    static func isSingleRequest(_ cursor: JSONCursor) -> Bool {
        var p = cursor.pos
        let complete = cursor.stream == nil
        while p < cursor.end {
            guard cursor.base[p] == 0x0A else { return false }
            guard let (length, size) = varint(cursor.base, at: p + 1, end: cursor.end) else { return !complete }
            p += 1 + size + Int(clamping: length)
        }
        return p == cursor.end || !complete
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
    private func decode(
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
            return DecodeIssue(
                file: name, line: 0, column: 0, byteOffset: located.offset,
                message: "not OTLP protobuf: \(place)\(located); skipped, the rest kept")
        }
    }

    private mutating func stop(at offset: Int, _ reason: String, _ name: String, _ decoder: ProtobufSpanDecoder)
        -> DecodeIssue
    {
        going = false
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
