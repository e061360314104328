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

/// Why a whole input could not be read.
public enum LoadError: Error, Sendable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case foreignFormat(file: String, format: ForeignFormat)
    case notOTLP(file: String, keys: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): return "\(file): cannot read: \(reason)"
        case .foreignFormat(let file, let format):
            return "\(file): this is \(format.rawValue), not OTLP JSON; \(format.advice)"
        case .notOTLP(let file, let keys):
            return "\(file): not OTLP JSON: no resourceSpans found" + (keys.isEmpty ? "" : " (top-level keys: \(keys))")
        }
    }
}

/// What loading one input produced.
public struct LoadResult: Sendable {
    public var file: String
    public var spans: Int
    /// Top-level values holding metrics or logs, skipped.
    public var skippedValues: Int
    /// Syntax errors; decoding resumed at the next line that starts a JSON object.
    public var issues: [DecodeIssue]
}

public enum TraceLoader {
    /// At most this many syntax errors are listed per input; the rest are counted.
    public static let maxIssuesPerFile = 20

    /// Reads a file (or `-` for standard input), gunzips it when its bytes are gzip, and decodes it.
    public static func load(path: String, into store: inout SpanStore) throws -> LoadResult {
        var bytes = try readAll(path: path)
        let name = path == "-" ? "<stdin>" : path
        if bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b {
            do { bytes = try gunzip(bytes) } catch let e as GzipError {
                throw LoadError.unreadable(file: name, reason: e.message)
            }
        } else if bytes.count >= 4 && bytes[0] == 0x28 && bytes[1] == 0xb5 && bytes[2] == 0x2f && bytes[3] == 0xfd {
            throw LoadError.foreignFormat(file: name, format: .zstd)
        }
        return try decode(bytes: bytes, name: name, into: &store)
    }

    /// Decodes OTLP JSON bytes (see `OTLPJSONDecoder` for the forms accepted).
    public static func decode(bytes: [UInt8], name: String, into store: inout SpanStore) throws -> LoadResult {
        let source = UInt32(store.sources.count)
        store.sources.append(name)
        if let first = bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }),
            first != UInt8(ascii: "{") && first != UInt8(ascii: "[")
        {
            if first < 0x20 || first >= 0x80 { throw LoadError.foreignFormat(file: name, format: .protobuf) }
        }
        return try bytes.withUnsafeBufferPointer { buffer in
            var decoder = OTLPJSONDecoder(cursor: JSONCursor(buffer), source: source)
            swap(&decoder.store, &store)
            defer { swap(&decoder.store, &store) }
            var issues: [DecodeIssue] = []
            var issueCount = 0
            var foreign: ForeignFormat? = nil
            var foreignKeys = ""
            var sawTraces = false
            while true {
                decoder.cursor.skipWhitespace()
                if decoder.cursor.atEnd { break }
                let valueStart = decoder.cursor.pos
                let spansBefore = decoder.store.spans.count
                let decodedBefore = decoder.spansDecoded
                do {
                    try decoder.decodeTopLevelValue()
                    sawTraces = sawTraces || decoder.sniff.sawTraces
                    if decoder.sniff.sawOtherSignal { decoder.skippedNonTraceValues += 1 }
                    if !decoder.sniff.sawTraces && !decoder.sniff.sawOtherSignal {
                        foreign = foreign ?? decoder.sniff.foreignFormat
                        if foreignKeys.isEmpty { foreignKeys = decoder.sniff.keyList }
                    }
                } catch let e as JSONSyntaxError {
                    let (error, resume) = recover(
                        from: e, valueStart: valueStart, spansBefore: spansBefore,
                        decodedBefore: decodedBefore, &decoder, buffer)
                    issueCount += 1
                    if issues.count < maxIssuesPerFile { issues.append(locate(error, in: buffer, file: name)) }
                    decoder.cursor.pos = resume
                }
            }
            if issueCount > issues.count, var last = issues.last {
                last.message = "…and \(issueCount - issues.count) more errors"
                issues.append(last)
            }
            if !sawTraces && decoder.spansDecoded == 0 && issues.isEmpty && decoder.skippedNonTraceValues == 0 {
                if let format = foreign { throw LoadError.foreignFormat(file: name, format: format) }
                if !foreignKeys.isEmpty { throw LoadError.notOTLP(file: name, keys: foreignKeys) }
            }
            return LoadResult(
                file: name, spans: decoder.spansDecoded, skippedValues: decoder.skippedNonTraceValues, issues: issues)
        }
    }

    /// After a syntax error in the value at `valueStart`: the error to report and where to resume.
    /// JSON Lines: when the value ran past the end of its line into the next record, its line is cut
    /// short. That line is decoded again, bounded by its end, keeping its whole spans and nothing read
    /// from the next line; decoding resumes at the next line.
    static func recover(
        from error: JSONSyntaxError, valueStart: Int, spansBefore: Int, decodedBefore: Int,
        _ decoder: inout OTLPJSONDecoder,
        _ buffer: UnsafeBufferPointer<UInt8>
    ) -> (error: JSONSyntaxError, resume: Int) {
        guard let cut = lineCut(from: valueStart, to: error.offset, in: buffer) else {
            return (error, resumePoint(after: error.offset, in: buffer))
        }
        var e = error
        decoder.store.spans.removeSubrange(spansBefore...)
        decoder.spansDecoded = decodedBefore
        let full = decoder.cursor
        decoder.cursor = JSONCursor(UnsafeBufferPointer(rebasing: buffer[..<cut]), from: valueStart)
        do { try decoder.decodeTopLevelValue() } catch let lineError as JSONSyntaxError { e = lineError } catch {}
        decoder.cursor = full
        return (e, cut + 1)
    }

    /// Decoding resumes at the next line that starts with `{` (the next JSON Lines record); in a
    /// pretty-printed document, whose inner lines are indented, that is the end of the input.
    static func resumePoint(after offset: Int, in buffer: UnsafeBufferPointer<UInt8>) -> Int {
        var i = max(offset, 0)
        while i < buffer.count {
            if buffer[i] == 0x0A, i + 1 < buffer.count, buffer[i + 1] == UInt8(ascii: "{") { return i + 1 }
            i += 1
        }
        return buffer.count
    }

    /// The offset of the first line break between `start` and `offset` that is followed by `{` (the
    /// start of the next JSON Lines record), when the value at `start` began an object.
    static func lineCut(from start: Int, to offset: Int, in buffer: UnsafeBufferPointer<UInt8>) -> Int? {
        guard start < buffer.count, buffer[start] == UInt8(ascii: "{") else { return nil }
        var i = start
        while i < min(offset, buffer.count - 1) {
            if buffer[i] == 0x0A && buffer[i + 1] == UInt8(ascii: "{") { return i }
            i += 1
        }
        return nil
    }

    static func locate(_ error: JSONSyntaxError, in buffer: UnsafeBufferPointer<UInt8>, file: String) -> DecodeIssue {
        var line = 1
        var lineStart = 0
        let end = min(error.offset, buffer.count)
        for i in 0..<end where buffer[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        return DecodeIssue(
            file: file, line: line, column: end - lineStart + 1, byteOffset: error.offset, message: error.message)
    }

    static func readAll(path: String) throws -> [UInt8] {
        let fd: Int32 = path == "-" ? 0 : open(path, O_RDONLY)
        let name = path == "-" ? "<stdin>" : path
        guard fd >= 0 else { throw LoadError.unreadable(file: name, reason: String(cString: strerror(errno))) }
        defer { if fd != 0 { close(fd) } }
        var info = stat()
        if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            throw LoadError.unreadable(file: name, reason: "is a directory")
        }
        // Read straight into the array's storage (no intermediate chunk copy); grow when the size was
        // unknown (stdin, pipes) or the file grew while being read.
        var bytes: [UInt8] = []
        var capacity = max(Int(info.st_size) + 1, 1 << 16)
        while true {
            if bytes.count == capacity { capacity *= 2 }
            let used = bytes.count
            var failure: Int32 = 0
            var ended = false
            bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buf, count in
                if used > 0 { _ = bytes.withUnsafeBufferPointer { memcpy(buf.baseAddress!, $0.baseAddress!, used) } }
                count = used
                while count < capacity {
                    let n = read(fd, buf.baseAddress! + count, capacity - count)
                    if n < 0 {
                        if errno == EINTR { continue }
                        failure = errno
                        return
                    }
                    if n == 0 {
                        ended = true
                        return
                    }
                    count += n
                }
            }
            if failure != 0 { throw LoadError.unreadable(file: name, reason: String(cString: strerror(failure))) }
            if ended { break }
        }
        return bytes
    }
}
