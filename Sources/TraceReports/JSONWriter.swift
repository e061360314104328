import TraceModel

/// A small streaming JSON writer with stable key order and two-space indentation. It appends UTF-8
/// bytes, not `String` pieces, and with an `output` hands them over a megabyte at a time: a `--json`
/// of a 100,000-span chain is hundreds of megabytes, which neither a string nor memory should hold.
struct JSONWriter {
    private var bytes: [UInt8] = []
    private var indent = 0
    private var needsComma = [false]
    private let output: ((UnsafeBufferPointer<UInt8>) -> Void)?

    /// Collects the text (`text`), or hands it to `output` as it grows (then `flush` at the end).
    init(output: ((UnsafeBufferPointer<UInt8>) -> Void)? = nil) {
        self.output = output
        bytes.reserveCapacity(output == nil ? 1 << 12 : 1 << 20 + 1 << 12)
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Hands what was written so far to `output`.
    mutating func flush() {
        guard let output, !bytes.isEmpty else { return }
        bytes.withUnsafeBufferPointer { output($0) }
        bytes.removeAll(keepingCapacity: true)
    }

    /// The line break that ends the document.
    mutating func endLine() { bytes.append(0x0A) }

    /// The `warnings` array every `--json` document ends with, then the document's end.
    mutating func endDocument(warnings: [String]) {
        beginArray("warnings")
        for warning in warnings { element(warning) }
        endArray()
        endObject()
        endLine()
    }

    mutating func beginObject(_ key: String? = nil) { open(key, UInt8(ascii: "{")) }
    mutating func endObject() { close(UInt8(ascii: "}")) }
    mutating func beginArray(_ key: String? = nil) { open(key, UInt8(ascii: "[")) }
    mutating func endArray() { close(UInt8(ascii: "]")) }

    mutating func field(_ key: String, _ value: String?) {
        prefix(key)
        if let value { quote(value) } else { raw("null") }
    }
    mutating func field(_ key: String, _ value: Int64?) {
        prefix(key)
        if let value { integer(value) } else { raw("null") }
    }
    mutating func field(_ key: String, _ value: Int) {
        prefix(key)
        integer(Int64(value))
    }
    /// A span id as 16 lowercase hex digits in quotes, like `spanIDHex`, or `null`.
    mutating func field(_ key: String, spanID: SpanID?) {
        prefix(key)
        if let spanID { quotedHex(spanID) } else { raw("null") }
    }
    mutating func field(_ key: String, _ value: Bool) {
        prefix(key)
        raw(value ? "true" : "false")
    }
    mutating func field(_ key: String, _ value: Double?) {
        prefix(key)
        if let value { number(value) } else { raw("null") }
    }
    mutating func element(_ value: String) {
        prefix(nil)
        quote(value)
    }
    mutating func element(spanID: SpanID) {
        prefix(nil)
        quotedHex(spanID)
    }
    /// An array of integers on one line (`[0, 2, 1]`), for per-minute and per-bucket counts.
    mutating func field(_ key: String, _ values: [Int]) {
        prefix(key)
        raw("[" + values.map(String.init).joined(separator: ", ") + "]")
    }

    private mutating func raw(_ s: String) { bytes.append(contentsOf: s.utf8) }

    private mutating func open(_ key: String?, _ bracket: UInt8) {
        prefix(key)
        bytes.append(bracket)
        indent += 1
        needsComma.append(false)
    }

    private mutating func close(_ bracket: UInt8) {
        let hadItems = needsComma.removeLast()
        indent -= 1
        if hadItems { newline() }
        bytes.append(bracket)
    }

    private mutating func prefix(_ key: String?) {
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
        if indent > 0 { newline() }
        if let key {
            quote(key)
            raw(": ")
        }
    }

    /// Indentation stops growing at this depth, so a very deep span chain gives output linear in its
    /// size rather than quadratic (a 100,000-deep chain would otherwise need hundreds of gigabytes).
    static let maxIndent = 32

    /// A line break and the deepest indentation, of which `newline` copies a prefix in one go.
    private static let lineStart: [UInt8] = [0x0A] + [UInt8](repeating: 0x20, count: 2 * maxIndent)

    private mutating func newline() {
        if output != nil && bytes.count >= 1 << 20 { flush() }
        let count = 1 + 2 * min(indent, Self.maxIndent)
        Self.lineStart.withUnsafeBufferPointer { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: $0[..<count])) }
    }

    /// Numbers as JSON allows: finite, shortest round-trip form, at most 10 decimals for money.
    /// Rounding scales by 1e10, exact only while the scaled value is below 2⁵³ (9e5 × 1e10 is): beyond
    /// that it would add digits (1e15 came out as 1000000000000000.1) or overflow to `inf`.
    private mutating func number(_ d: Double) {
        guard d.isFinite else { return raw("null") }
        if d == d.rounded() && abs(d) < 1e15 { return integer(Int64(d)) }
        raw(String(abs(d) < 9e5 ? (d * 1e10).rounded() / 1e10 : d))
    }

    /// An integer's decimal digits, written in place: `String(value)` would build a string for
    /// each of the dozen numbers every span has.
    private mutating func integer(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var rest = value.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10))
            rest /= 10
        } while rest > 0
        bytes[start...].reverse()
    }

    /// `"` + 16 lowercase hex digits + `"`, the text of `spanIDHex`, without building a string.
    private mutating func quotedHex(_ id: UInt64) {
        bytes.append(UInt8(ascii: "\""))
        for shift in stride(from: 60, through: 0, by: -4) {
            let nibble = UInt8(truncatingIfNeeded: id >> UInt64(shift)) & 0xF
            bytes.append(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A JSON string: quotes, backslashes and control characters (C0, DEL and the C1 range) escaped.
    /// Runs of bytes that need no escape are copied in one go (keys and most values are such a run).
    private mutating func quote(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { utf8 in
            var run = 0
            var i = 0
            while i < utf8.count {
                let b = utf8[i]
                let c1 = b == 0xC2 && i + 1 < utf8.count && utf8[i + 1] < 0xA0
                guard c1 || b < 0x20 || b == 0x7F || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else {
                    i += 1
                    continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<i]))
                if c1 {
                    escapeScalar(UInt32(utf8[i + 1]))  // U+0080…U+009F
                    i += 2
                } else {
                    switch b {
                    case UInt8(ascii: "\""): raw("\\\"")
                    case UInt8(ascii: "\\"): raw("\\\\")
                    case 0x0A: raw("\\n")
                    case 0x0D: raw("\\r")
                    case 0x09: raw("\\t")
                    default: escapeScalar(UInt32(b))
                    }
                    i += 1
                }
                run = i
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<utf8.count]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func escapeScalar(_ value: UInt32) {
        let h = String(value, radix: 16)
        raw("\\u" + String(repeating: "0", count: 4 - h.count) + h)
    }
}
