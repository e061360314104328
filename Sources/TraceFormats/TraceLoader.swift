import TraceModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A problem in one input, located for the user: `file:line:column: message`.
public struct DecodeIssue: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var byteOffset: Int
    public var message: String
    public var description: String {
        line > 0 ? "\(file):\(line):\(column): \(message) (byte \(byteOffset))" : "\(file): \(message)"
    }
}

/// Why a whole input could not be read, or gave nothing to show.
public enum LoadError: Error, Sendable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case foreignFormat(file: String, format: ForeignFormat)
    case notOTLP(file: String, keys: String)
    /// JSON that is none of the trace formats files are read in (`InputFormats.files`).
    case unknownJSON(file: String, keys: String)
    /// Read without a problem, but there was no span in it.
    case noSpans(file: String, content: SpanlessContent)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): return "\(file): cannot read: \(reason)"
        case .foreignFormat(let file, let format):
            return "\(file): this is \(format.rawValue), not OTLP JSON; \(format.advice)"
        case .notOTLP(let file, let keys):
            return "\(file): not OTLP JSON: no resourceSpans found" + (keys.isEmpty ? "" : " (top-level keys: \(keys))")
        case .unknownJSON(let file, let keys):
            return "\(file): no spans found: neither OTLP, Jaeger nor Zipkin JSON"
                + (keys.isEmpty ? "" : " (top-level keys: \(keys))")
        case .noSpans(let file, let content): return "\(file): \(content.description): no spans"
        }
    }
}

/// What a well-formed input held instead of spans.
public enum SpanlessContent: Sendable, Equatable, CustomStringConvertible {
    case emptyFile
    case whitespace
    case emptyObject
    case emptyArray
    /// OTLP signals other than traces, by their keys (`resourceLogs`, `resourceMetrics`, …).
    case otherSignals([String])
    /// `resourceSpans` whose span lists are all empty.
    case tracesWithoutSpans
    /// Jaeger JSON with no span (`{"data":[]}`), with the answer's `errors` (`code: msg`) if any.
    case jaegerWithoutSpans(errors: [String])

    public var description: String {
        switch self {
        case .emptyFile: return "empty file"
        case .whitespace: return "only whitespace"
        case .emptyObject: return "an empty JSON object ({})"
        case .emptyArray: return "an empty JSON array ([])"
        case .otherSignals(let keys):
            let names = keys.map { Self.signalNames[$0] ?? $0 }
            return "OTLP \(names.joined(separator: " and ")) (\(keys.joined(separator: ", "))), not traces"
        case .tracesWithoutSpans: return "OTLP traces whose span lists are empty"
        case .jaegerWithoutSpans(let errors):
            return errors.isEmpty
                ? "a Jaeger answer without traces" : "a Jaeger API error (\(errors.joined(separator: "; ")))"
        }
    }

    static let signalNames = ["resourceLogs": "logs", "resourceMetrics": "metrics", "resourceProfiles": "profiles"]
}

/// What loading one input produced.
/// How far the decoding of one input has got: its bytes decoded (inflated bytes for gzip) and spans.
public struct LoadProgress: Sendable, Equatable {
    /// `progress` is told after this many spans (and not more often: the check is one division).
    public static let spanInterval = 1 << 16
    public var bytes: Int
    public var spans: Int
    /// The bytes are those of a gzip input inflated, not of the file.
    public var inflated: Bool
    public init(bytes: Int, spans: Int, inflated: Bool) {
        self.bytes = bytes
        self.spans = spans
        self.inflated = inflated
    }
}

public struct LoadResult: Sendable {
    public var file: String
    public var spans: Int
    /// Top-level values holding metrics or logs, skipped.
    public var skippedValues: Int
    /// Syntax errors; decoding resumed at the next line that starts a JSON object.
    public var issues: [DecodeIssue]
    /// When there is no span and no issue: what the input held instead.
    public var spanless: SpanlessContent?
    /// The most input bytes held at once to decode it: the whole input when it was read whole, the
    /// stream window's largest size when it was inflated as it was decoded.
    public var peakInputBytes = 0
    /// A trace store's word on the trace it answered with: Tempo v2's `status` (`COMPLETE`, `PARTIAL`)
    /// and `message`, written beside its `trace` wrapper.
    public var storeStatus: String?
    public var storeMessage: String?
}

/// Which formats an input may be in.
public enum InputFormats: Sendable {
    /// Every trace file format: OTLP JSON in all its forms, Jaeger JSON, Zipkin v2 JSON, OTLP protobuf.
    case files
    /// OTLP JSON only, as the OTLP/HTTP receiver takes it (the others are named and refused).
    case otlpJSON
}

public enum TraceLoader {
    /// At most this many syntax errors are listed per input; the rest are counted.
    public static let maxIssuesPerFile = 20

    /// Reads a file (or `-` for standard input) and decodes it, whatever its format (`InputFormats.files`,
    /// recognised by its bytes, not its name); gzip is inflated while it is decoded, a large file is
    /// read through windows, and decoded on every core when it is JSON Lines (`decodeLargeFile`). Throws
    /// `LoadError.noSpans` for a well-formed input without a span.
    /// `progress` is told how far decoding has got every `LoadProgress.spanInterval` spans.
    public static func load(
        path: String, into store: inout SpanStore, progress: ((LoadProgress) -> Void)? = nil
    ) throws -> LoadResult {
        let name = path == "-" ? "<stdin>" : path
        let input = try InputFile(path: path, name: name)
        let head = try input.next(atMost: 1 << 16)
        let result: LoadResult
        if head.count >= 2 && head[0] == 0x1f && head[1] == 0x8b {
            result = try decodeGzip(head: head, rest: input, name: name, into: &store, progress: progress)
        } else if head.count >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd {
            throw LoadError.foreignFormat(file: name, format: .zstd)
        } else if input.isRegular && input.size >= largeFileBytes {
            result = try decodeLargeFile(input, head: head, name: name, into: &store, progress: progress)
        } else {
            let bytes = try input.readAll(after: head)
            result = try bytes.withUnsafeBufferPointer {
                try decode(cursor: JSONCursor($0), name: name, into: &store, progress: progress)
            }
        }
        if result.spans == 0, result.issues.isEmpty, let content = result.spanless {
            throw LoadError.noSpans(file: name, content: content)
        }
        return result
    }

    /// Decodes bytes in one of `formats` (see `OTLPJSONDecoder`, `JaegerZipkinJSON.swift` and
    /// `OTLPProtobufFile` for the forms accepted).
    public static func decode(bytes: [UInt8], name: String, formats: InputFormats = .files, into store: inout SpanStore)
        throws -> LoadResult
    {
        try bytes.withUnsafeBufferPointer { try decode(buffer: $0, name: name, formats: formats, into: &store) }
    }

    /// The same over bytes held elsewhere (a network buffer), without copying them.
    public static func decode(
        buffer: UnsafeBufferPointer<UInt8>, name: String, formats: InputFormats = .files, into store: inout SpanStore
    ) throws -> LoadResult {
        try decode(cursor: JSONCursor(buffer), name: name, formats: formats, into: &store)
    }

    /// Inflates and decodes gzip piece by piece: memory holds the window of `StreamWindow`, not the
    /// inflated input.
    static func decodeGzip(
        head: [UInt8], rest: InputFile, name: String, into store: inout SpanStore,
        progress: ((LoadProgress) -> Void)? = nil
    ) throws -> LoadResult {
        let inflater: Inflater
        do {
            inflater = try Inflater(input: head) { piece in
                piece = try rest.next(atMost: 1 << 18)
                return !piece.isEmpty
            }
        } catch let e as GzipError { throw LoadError.unreadable(file: name, reason: e.message) }
        let window = StreamWindow { try inflater.inflate(into: $0, capacity: $1) }
        return try decode(window: window, name: name, into: &store, progress: progress)
    }

    /// Decodes an input read through a window. When the window's source failed (a corrupt gzip
    /// stream, a read error, a token too long), the spans before are kept and the failure is the
    /// last issue.
    static func decode(
        window: StreamWindow, name: String, into store: inout SpanStore, progress: ((LoadProgress) -> Void)?
    ) throws -> LoadResult {
        var result = try decode(cursor: JSONCursor(stream: window), name: name, into: &store, progress: progress)
        if let failure = window.failure {
            guard result.spans > 0 else { throw LoadError.unreadable(file: name, reason: failure) }
            // The record the stream stopped in is reported as the stream's failure, not as a JSON error.
            result.issues.removeAll { $0.byteOffset >= window.end }
            result.issues.append(
                DecodeIssue(
                    file: name, line: 0, column: 0, byteOffset: window.end,
                    message: failure + "; kept the \(result.spans) spans read before"))
        }
        return result
    }

    static func decode(
        cursor: JSONCursor, name: String, formats: InputFormats = .files, into store: inout SpanStore,
        progress: ((LoadProgress) -> Void)? = nil
    ) throws -> LoadResult {
        let source = UInt32(store.sources.count)
        store.sources.append(name)
        var decoder = OTLPJSONDecoder(cursor: cursor, source: source, readsForeignJSON: formats == .files)
        decoder.progress = progress
        if try sniffStart(&decoder.cursor, name: name, formats: formats) {
            return try OTLPProtobufFile.decode(&decoder.cursor, name: name, source: source, into: &store)
        }
        swap(&decoder.store, &store)
        defer { swap(&decoder.store, &store) }
        var issues = IssueList()
        var lines = LineCounter()
        var content = ContentSeen()
        while true {
            decoder.cursor.skipWhitespace()
            if decoder.cursor.atEnd { break }
            let valueStart = decoder.cursor.pos
            decoder.cursor.stream?.recordStart = valueStart
            let before = (spans: decoder.store.spans.count, decoded: decoder.spansDecoded)
            do {
                try decoder.decodeTopLevelValue()
                content.note(decoder.sniff)
                if !decoder.sniff.otherSignals.isEmpty { decoder.skippedNonTraceValues += 1 }
            } catch let e as JSONSyntaxError {
                issues.add(recover(from: e, valueStart: valueStart, before: before, &decoder, &lines, file: name))
            }
        }
        let sawTraces = content.sawTraces || content.sawJaegerAnswer
        if !sawTraces && decoder.spansDecoded == 0 && issues.isEmpty && decoder.skippedNonTraceValues == 0 {
            if let format = content.foreign, formats == .otlpJSON || !format.isReadFromFiles {
                throw LoadError.foreignFormat(file: name, format: format)
            }
            if formats == .files && content.spanless(inputLength: decoder.cursor.end) == nil {
                throw LoadError.unknownJSON(file: name, keys: content.foreignKeys)
            }
            if !content.foreignKeys.isEmpty { throw LoadError.notOTLP(file: name, keys: content.foreignKeys) }
        }
        return LoadResult(
            file: name, spans: decoder.spansDecoded, skippedValues: decoder.skippedNonTraceValues,
            issues: issues.list, spanless: content.spanless(inputLength: decoder.cursor.end),
            peakInputBytes: decoder.cursor.stream?.peakCapacity ?? decoder.cursor.end,
            storeStatus: decoder.storeStatus, storeMessage: decoder.storeMessage)
    }

    /// Skips a UTF-8 byte order mark; true when the input is binary, to be read as OTLP protobuf;
    /// names what is plainly not JSON (an HTML page; binary data where only JSON is taken).
    static func sniffStart(_ cursor: inout JSONCursor, name: String, formats: InputFormats) throws -> Bool {
        if cursor.ensure(3), cursor.base[cursor.pos] == 0xEF, cursor.base[cursor.pos + 1] == 0xBB,
            cursor.base[cursor.pos + 2] == 0xBF
        {
            cursor.pos += 3
        }
        if OTLPProtobufFile.looksBinary(&cursor) {
            if formats == .files { return true }
            throw LoadError.foreignFormat(file: name, format: .protobuf)
        }
        if cursor.peek() == UInt8(ascii: "<") { throw LoadError.foreignFormat(file: name, format: .html) }
        return false
    }

    /// After a syntax error in the top-level value at `valueStart`: the issue to report, with the
    /// cursor moved to where decoding resumes (the next line that starts with `{`). JSON Lines: when
    /// the value ran past the end of its line into the next record, its line is cut short; that line is
    /// decoded again, bounded by its end, keeping its whole spans and nothing read from the next line.
    /// A last line cut short by the end of the input (a recording killed mid-write) is dropped whole.
    static func recover(
        from error: JSONSyntaxError, valueStart: Int, before: (spans: Int, decoded: Int),
        _ decoder: inout OTLPJSONDecoder, _ lines: inout LineCounter, file: String
    ) -> DecodeIssue {
        let windowStart = decoder.cursor.stream?.windowOffset ?? 0
        let startsRecord = valueStart >= windowStart && decoder.cursor.base[valueStart] == UInt8(ascii: "{")
        if startsRecord, let cut = decoder.cursor.lineBreak(from: valueStart, to: error.offset) {
            var e = error
            decoder.store.spans.removeSubrange(before.spans...)
            decoder.spansDecoded = before.decoded
            let full = decoder.cursor
            decoder.cursor = full.bounded(to: cut, from: valueStart)
            do { try decoder.decodeTopLevelValue() } catch let lineError as JSONSyntaxError { e = lineError } catch {}
            decoder.cursor = full
            decoder.cursor.pos = cut + 1
            return lines.issue(e, in: decoder.cursor, file: file)
        }
        let record = lines.position(of: valueStart, in: decoder.cursor)
        let issue = lines.issue(error, in: decoder.cursor, file: file)
        decoder.cursor.pos = max(error.offset, windowStart)
        let wholeLine = record.column == 1 && record.line == issue.line
        // Cut short: the input ends inside this line, with no line break after the error (wherever in
        // the line the cut fell: in a string, a number, between values).
        let lastLineCut = decoder.cursor.reachesEndWithoutLineBreak()
        if startsRecord && lastLineCut && issue.line > 1 && wholeLine {
            decoder.store.spans.removeSubrange(before.spans...)
            decoder.spansDecoded = before.decoded
            return DecodeIssue(
                file: file, line: 0, column: 0, byteOffset: error.offset,
                message:
                    "line \(issue.line) is cut short (the recording was interrupted?); kept the \(issue.line - 1) "
                    + (issue.line == 2 ? "line" : "lines") + " before it"
            )
        }
        decoder.cursor.skipToNextRecord(after: error.offset)
        return issue
    }
}
