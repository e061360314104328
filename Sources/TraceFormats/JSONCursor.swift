import TraceModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a decode failed: a byte offset that `DecodeError` turns into line and column.
struct JSONSyntaxError: Error {
    var offset: Int
    var message: String
}

/// Input text quoted for an error message: at most 40 characters, control characters escaped, so
/// the message stays one short line whatever the input holds.
func excerpt(_ raw: UnsafeBufferPointer<UInt8>) -> String {
    let scalars = String(decoding: raw.prefix(160), as: UTF8.self).unicodeScalars
    var out = "\""
    for scalar in scalars.prefix(40) {
        out += scalar.value < 0x20 || scalar.value == 0x7F ? scalar.escaped(asASCII: true) : String(scalar)
    }
    return out + (scalars.count > 40 || raw.count > 160 ? "…\"" : "\"")
}

/// A key as raw bytes inside the input (keys are short and never need unescaping to be matched).
struct JSONKey {
    var base: UnsafePointer<UInt8>
    var count: Int

    /// Matches a lowerCamelCase literal, also accepting the snake_case spelling (`scope_spans` for
    /// `scopeSpans`), which protobuf-JSON readers accept too.
    @inline(__always)
    func `is`(_ literal: StaticString) -> Bool {
        let lit = literal.utf8Start
        let n = literal.utf8CodeUnitCount
        if count == n { return memcmp(base, lit, n) == 0 }
        guard count > n else { return false }
        var i = 0
        var j = 0
        while i < count && j < n {
            var c = base[i]
            if c == UInt8(ascii: "_") && i + 1 < count {
                i += 1
                c = base[i]
                if c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") { c -= 32 }
            }
            if c != lit[j] { return false }
            i += 1
            j += 1
        }
        return i == count && j == n
    }

    var string: String { String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self) }
}

/// A forward-only JSON reader over a byte buffer: the primitives the format decoders are built from.
/// It never builds a document tree; unknown values are skipped byte by byte.
///
/// Offsets (`pos`, `end`, error offsets) count from the start of the input. Over a file read whole,
/// `base` is the file's first byte. Over a stream (gzip), the bytes live in a window that `refill`
/// slides forward: `base` then points where offset 0 would be, and only offsets from
/// `stream.windowOffset` on are readable. A pointer into the input (a key, a raw string) is valid
/// until the next call that may read further.
struct JSONCursor {
    private(set) var base: UnsafePointer<UInt8>
    private(set) var end: Int
    var pos: Int
    /// Scratch space for strings that contain escapes.
    var scratch: [UInt8] = []
    /// Where more bytes come from; nil when the whole input is in `base[0..<end]`.
    let stream: StreamWindow?

    init(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int = 0) {
        base = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
        end = buffer.count
        pos = start
        stream = nil
    }

    init(stream: StreamWindow) {
        self.stream = stream
        base = stream.base
        end = stream.end
        pos = 0
    }

    /// The same input cut off at `limit` (an offset still in the window), read from `start`, with no
    /// refills: for decoding one JSON Lines record again, bounded by its line.
    func bounded(to limit: Int, from start: Int) -> JSONCursor {
        var copy = JSONCursor(UnsafeBufferPointer(start: base + start, count: max(limit - start, 0)))
        copy.base = base
        copy.end = limit
        copy.pos = start
        return copy
    }

    /// Reads more of a stream, keeping the bytes from `keep` (or from `pos`, if earlier) on; false at
    /// the end of the input. Called only where the window ran out, so reading a file read whole costs
    /// one comparison more per token at most.
    @inline(never)
    mutating func refill(keeping keep: Int) -> Bool {
        guard let stream, stream.refill(keeping: min(keep, pos)) else { return false }
        base = stream.base
        end = stream.end
        return true
    }

    /// Ensures `n` bytes from `pos` are readable, refilling as needed; false at the end of the input.
    @inline(__always)
    mutating func ensure(_ n: Int) -> Bool {
        while pos + n > end { if !refill(keeping: pos) { return false } }
        return true
    }

    var atEnd: Bool { pos >= end }

    /// The offset of the first line break in `start..<offset` followed by `{` (the start of the next
    /// JSON Lines record), looking only at the bytes in the window.
    func lineBreak(from start: Int, to offset: Int) -> Int? {
        var i = max(start, stream?.windowOffset ?? 0)
        while i < min(offset, end - 1) {
            if base[i] == 0x0A && base[i + 1] == UInt8(ascii: "{") { return i }
            i += 1
        }
        return nil
    }

    /// Moves forward to the next line break; true when the input ends first (the line at `pos` is
    /// the last and has no line break after it).
    mutating func reachesEndWithoutLineBreak() -> Bool {
        while true {
            while pos < end {
                if base[pos] == 0x0A { return false }
                pos += 1
            }
            if !refill(keeping: pos) { return true }
        }
    }

    /// Moves to the next line after `offset` that starts with `{` (the next JSON Lines record), or to
    /// the end; in a pretty-printed document, whose inner lines are indented, that is the end.
    mutating func skipToNextRecord(after offset: Int) {
        pos = max(offset, stream?.windowOffset ?? 0)
        while true {
            while pos < end && base[pos] != 0x0A { pos += 1 }
            guard pos < end else {
                if refill(keeping: pos) { continue }
                return
            }
            pos += 1
            if !ensure(1) || base[pos] == UInt8(ascii: "{") { return }
        }
    }

    @inline(__always)
    func fail(_ message: String) -> JSONSyntaxError { JSONSyntaxError(offset: min(pos, end), message: message) }

    @inline(__always)
    mutating func skipWhitespace() { skipWhitespace(keeping: .max) }

    /// Skips whitespace, keeping the bytes from `keep` (or from where the whitespace ends, if earlier)
    /// in the window when it slides.
    @inline(__always)
    mutating func skipWhitespace(keeping keep: Int) {
        repeat {
            while pos < end {
                let c = base[pos]
                if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos += 1 } else { return }
            }
        } while refill(keeping: keep)
    }

    @inline(__always)
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return pos < end ? base[pos] : nil
    }

    mutating func expect(_ c: UInt8, _ what: String) throws {
        skipWhitespace()
        guard pos < end else { throw fail("unexpected end of input, expected \(what)") }
        guard base[pos] == c else { throw fail("expected \(what), found \(describe(base[pos]))") }
        pos += 1
    }

    func describe(_ c: UInt8) -> String {
        if c >= 0x20 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        return "byte 0x" + String(c, radix: 16)
    }

    // MARK: objects and arrays

    /// Starts an object; `null` counts as an empty object.
    mutating func beginObject() throws -> Bool {
        skipWhitespace()
        if pos < end && base[pos] == UInt8(ascii: "n") {
            try literal("null")
            return false
        }
        try expect(UInt8(ascii: "{"), "'{'")
        return true
    }

    /// Advances to the next key of an object (after `beginObject`); nil at the closing brace.
    /// `first` tracks whether a comma is needed.
    mutating func nextKey(_ first: inout Bool) throws -> JSONKey? {
        skipWhitespace()
        guard pos < end else { throw fail("unexpected end of input inside an object") }
        if base[pos] == UInt8(ascii: "}") {
            pos += 1
            return nil
        }
        if !first {
            guard base[pos] == UInt8(ascii: ",") else {
                throw fail("expected ',' or '}' in an object, found \(describe(base[pos]))")
            }
            pos += 1
            skipWhitespace()
        }
        first = false
        guard pos < end, base[pos] == UInt8(ascii: "\"") else {
            throw pos < end
                ? fail("expected a key string, found \(describe(base[pos]))")
                : fail("unexpected end of input inside an object")
        }
        pos += 1
        let start = pos
        repeat {
            pos = quoteOrBackslash(from: pos)
            while pos < end && base[pos] == UInt8(ascii: "\\") { pos = quoteOrBackslash(from: pos + 2) }
        } while pos >= end && refill(keeping: start)
        guard pos < end else { throw fail("unterminated key") }
        let count = pos - start
        pos += 1
        skipWhitespace(keeping: start)
        guard pos < end else { throw fail("unexpected end of input, expected ':' after a key") }
        guard base[pos] == UInt8(ascii: ":") else {
            throw fail("expected ':' after a key, found \(describe(base[pos]))")
        }
        pos += 1
        return JSONKey(base: base + start, count: count)
    }

    /// Starts an array; `null` counts as an empty array.
    mutating func beginArray() throws -> Bool {
        skipWhitespace()
        if pos < end && base[pos] == UInt8(ascii: "n") {
            try literal("null")
            return false
        }
        try expect(UInt8(ascii: "["), "'['")
        return true
    }

    /// True when another element follows (after `beginArray`).
    mutating func nextElement(_ first: inout Bool) throws -> Bool {
        skipWhitespace()
        guard pos < end else { throw fail("unexpected end of input inside an array") }
        if base[pos] == UInt8(ascii: "]") {
            pos += 1
            return false
        }
        if !first {
            guard base[pos] == UInt8(ascii: ",") else {
                throw fail("expected ',' or ']' in an array, found \(describe(base[pos]))")
            }
            pos += 1
        }
        first = false
        return true
    }

    mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard ensure(n), memcmp(base + pos, word.utf8Start, n) == 0 else { throw fail("invalid literal") }
        pos += n
    }

    // MARK: scalars

    /// The offset of the first `"` or `\` from `offset` on, or `end` when the window holds none
    /// (`offset` itself when that is past `end`). Most bytes of an OTLP file are inside strings
    /// (prompts and answers in attributes), so this compares 32 bytes at a time; the window's last
    /// 31 bytes are read one by one, as a load must not reach past `end`. The vector types are
    /// spelled out: with `SIMD32(repeating:)` left to inference, `.==` compiles to a loop over the lanes.
    @inline(__always)
    func quoteOrBackslash(from offset: Int) -> Int {
        var i = offset
        while i + 32 <= end {
            let v = UnsafeRawPointer(base + i).loadUnaligned(as: SIMD32<UInt8>.self)
            let hits =
                (v .== SIMD32<UInt8>(repeating: UInt8(ascii: "\"")))
                .| (v .== SIMD32<UInt8>(repeating: UInt8(ascii: "\\")))
            // A hit is a 0xFF byte: the first is the lowest set bit of the first nonzero word.
            let words = unsafeBitCast(hits, to: SIMD4<UInt64>.self)
            for k in 0..<4 where words[k] != 0 {
                return i + 8 * k + UInt64(littleEndian: words[k]).trailingZeroBitCount / 8
            }
            i += 32
        }
        while i < end && base[i] != UInt8(ascii: "\"") && base[i] != UInt8(ascii: "\\") { i += 1 }
        return i
    }

    /// The raw bytes of a string value (escapes not decoded) and whether it had escapes.
    mutating func rawString() throws -> (UnsafeBufferPointer<UInt8>, Bool) {
        try expect(UInt8(ascii: "\""), "a string")
        let start = pos
        var escaped = false
        repeat {
            pos = quoteOrBackslash(from: pos)
            while pos < end {
                if base[pos] == UInt8(ascii: "\"") {
                    let r = UnsafeBufferPointer(start: base + start, count: pos - start)
                    pos += 1
                    return (r, escaped)
                }
                escaped = true
                pos = quoteOrBackslash(from: pos + 2)  // a backslash skips the byte after it
            }
        } while refill(keeping: start)
        pos = start
        throw fail("unterminated string")
    }

    /// A string value with escapes decoded, handed to `body` as bytes (valid only inside `body`).
    mutating func withString<R>(_ body: (UnsafeRawBufferPointer) -> R) throws -> R {
        let (raw, escaped) = try rawString()
        if !escaped { return body(UnsafeRawBufferPointer(raw)) }
        scratch.removeAll(keepingCapacity: true)
        try unescape(raw, into: &scratch)
        return scratch.withUnsafeBytes { body($0) }
    }

    mutating func string() throws -> String {
        try withString { String(decoding: $0, as: UTF8.self) }
    }

    func unescape(_ raw: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) throws {
        var i = 0
        let n = raw.count
        while i < n {
            // The run up to the next backslash, copied whole: prompts are long and escapes sparse.
            let run = memchr(raw.baseAddress! + i, Int32(UInt8(ascii: "\\")), n - i)
            let runEnd = run.map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - raw.baseAddress! } ?? n
            if runEnd > i {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: raw[i..<runEnd]))
                i = runEnd
                continue
            }
            guard i + 1 < n else { throw JSONSyntaxError(offset: offsetOf(raw, i), message: "bad escape") }
            let e = raw[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard let hi = hex4(raw, i) else {
                    throw JSONSyntaxError(offset: offsetOf(raw, i), message: "bad \\u escape")
                }
                i += 4
                var scalar = UInt32(hi)
                if (0xD800..<0xDC00).contains(hi), i + 6 <= n, raw[i] == UInt8(ascii: "\\"),
                    raw[i + 1] == UInt8(ascii: "u"),
                    let lo = hex4(raw, i + 2), (0xDC00..<0xE000).contains(lo)
                {
                    scalar = 0x10000 + ((UInt32(hi) - 0xD800) << 10) + (UInt32(lo) - 0xDC00)
                    i += 6
                }
                let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(u).utf8))
            default: out.append(e)  // \" \\ \/ and anything lenient
            }
        }
    }

    private func offsetOf(_ raw: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int { raw.baseAddress! - base + i }

    private func hex4(_ raw: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt16? {
        guard i + 4 <= raw.count else { return nil }
        var v: UInt16 = 0
        for k in 0..<4 {
            guard let d = hexValue(raw[i + k]) else { return nil }
            v = v << 4 | UInt16(d)
        }
        return v
    }

    /// The bytes of a number token (no quotes).
    private mutating func numberToken() throws -> UnsafeBufferPointer<UInt8> {
        skipWhitespace()
        let start = pos
        scan: repeat {
            while pos < end {
                let c = base[pos]
                if (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "-")
                    || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") || c == UInt8(ascii: "e")
                    || c == UInt8(ascii: "E")
                {
                    pos += 1
                } else {
                    break scan
                }
            }
        } while refill(keeping: start)
        guard pos > start else {
            throw fail(
                pos < end
                    ? "expected a number, found \(describe(base[pos]))" : "unexpected end of input, expected a number")
        }
        return UnsafeBufferPointer(start: base + start, count: pos - start)
    }

    /// A 64-bit integer written as a number or as a decimal string (OTLP JSON writes int64 as strings).
    mutating func int64() throws -> Int64 {
        skipWhitespace()
        let start = pos
        if pos < end && base[pos] == UInt8(ascii: "\"") {
            let (raw, _) = try rawString()
            guard let v = parseInteger(raw) ?? parseDouble(raw).flatMap(exactInt64) else {
                pos = start
                throw fail("expected an integer, found \(excerpt(raw))")
            }
            return v
        }
        let tok = try numberToken()
        guard let v = parseInteger(tok) ?? parseDouble(tok).flatMap(exactInt64) else {
            pos = start
            throw fail("expected an integer")
        }
        return v
    }

    /// A time in nanoseconds: OTLP's fixed64, a uint64 as a decimal string or number, clamped by
    /// `unixNanos`. Values past Int64.max (Jaeger's 2023 gRPC gateway wrote a zero Go time that way)
    /// are kept as the latest time, not refused.
    mutating func timeNanos() throws -> Int64 {
        skipWhitespace()
        let start = pos
        let quoted = pos < end && base[pos] == UInt8(ascii: "\"")
        let tok = quoted ? try rawString().0 : try numberToken()
        if let v = parseInteger(tok) ?? parseDouble(tok).flatMap(exactInt64) { return unixNanos(v) }
        if let v = UInt64(String(decoding: tok, as: UTF8.self)) { return unixNanos(v) }
        pos = start
        throw fail(quoted ? "expected an integer, found \(excerpt(tok))" : "expected an integer")
    }

    /// A double written as a number, a numeric string, or "NaN" / "Infinity" / "-Infinity".
    mutating func double() throws -> Double {
        skipWhitespace()
        let start = pos
        let tok: UnsafeBufferPointer<UInt8>
        if pos < end && base[pos] == UInt8(ascii: "\"") { tok = try rawString().0 } else { tok = try numberToken() }
        guard let v = parseDouble(tok) else {
            pos = start
            throw fail("expected a number")
        }
        return v
    }

    mutating func bool() throws -> Bool {
        skipWhitespace()
        guard pos < end else { throw fail("unexpected end of input, expected true or false") }
        if base[pos] == UInt8(ascii: "t") {
            try literal("true")
            return true
        }
        if base[pos] == UInt8(ascii: "f") {
            try literal("false")
            return false
        }
        if base[pos] == UInt8(ascii: "\"") {
            let s = try string()
            if s == "true" { return true }
            if s == "false" { return false }
        }
        throw fail("expected true or false")
    }

    mutating func isNull() -> Bool {
        skipWhitespace()
        if ensure(4) && memcmp(base + pos, "null", 4) == 0 {
            pos += 4
            return true
        }
        return false
    }

    private func exactInt64(_ d: Double) -> Int64? {
        guard d.isFinite, d == d.rounded(), abs(d) < 9.2e18 else { return nil }
        return Int64(d)
    }

    private func parseInteger(_ tok: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        var negative = false
        if i < tok.count && (tok[i] == UInt8(ascii: "-") || tok[i] == UInt8(ascii: "+")) {
            negative = tok[i] == UInt8(ascii: "-")
            i += 1
        }
        guard i < tok.count else { return nil }
        var v: Int64 = 0
        while i < tok.count {
            let d = tok[i] &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            // Negative numbers accumulate downwards, so Int64.min parses too.
            let (a, o2) = negative ? m.subtractingReportingOverflow(Int64(d)) : m.addingReportingOverflow(Int64(d))
            guard !o1 && !o2 else { return nil }
            v = a
            i += 1
        }
        return v
    }

    private func parseDouble(_ tok: UnsafeBufferPointer<UInt8>) -> Double? {
        guard !tok.isEmpty, tok.count < 64 else { return nil }
        let text = String(decoding: tok, as: UTF8.self)
        switch text {
        case "NaN": return .nan
        case "Infinity", "+Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return Double(text)
        }
    }

    // MARK: skipping

    /// Skips any JSON value without looking at it.
    mutating func skipValue() throws {
        skipWhitespace()
        guard pos < end else { throw fail("unexpected end of input, expected a value") }
        switch base[pos] {
        case UInt8(ascii: "\""): _ = try rawString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while pos < end || refill(keeping: pos) {
                let c = base[pos]
                if c == UInt8(ascii: "\"") {
                    _ = try rawString()
                    continue
                }
                if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                    depth += 1
                } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 {
                        pos += 1
                        return
                    }
                }
                pos += 1
            }
            throw fail("unexpected end of input inside a value")
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try numberToken()
        }
    }
}
