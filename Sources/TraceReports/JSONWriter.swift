import TraceModel

/// A small streaming JSON writer with stable key order and two-space indentation.
struct JSONWriter {
    private(set) var text = ""
    private var indent = 0
    private var needsComma = [false]

    mutating func beginObject(_ key: String? = nil) { open(key, "{") }
    mutating func endObject() { close("}") }
    mutating func beginArray(_ key: String? = nil) { open(key, "[") }
    mutating func endArray() { close("]") }

    mutating func field(_ key: String, _ value: String?) {
        prefix(key)
        text += value.map(Self.quote) ?? "null"
    }
    mutating func field(_ key: String, _ value: Int64?) {
        prefix(key)
        text += value.map { String($0) } ?? "null"
    }
    mutating func field(_ key: String, _ value: Int) {
        prefix(key)
        text += String(value)
    }
    mutating func field(_ key: String, _ value: Bool) {
        prefix(key)
        text += value ? "true" : "false"
    }
    mutating func field(_ key: String, _ value: Double?) {
        prefix(key)
        text += value.map(Self.number) ?? "null"
    }
    mutating func element(_ value: String) {
        prefix(nil)
        text += Self.quote(value)
    }
    /// An array of integers on one line (`[0, 2, 1]`), for per-minute and per-bucket counts.
    mutating func field(_ key: String, _ values: [Int]) {
        prefix(key)
        text += "[" + values.map(String.init).joined(separator: ", ") + "]"
    }

    private mutating func open(_ key: String?, _ bracket: String) {
        prefix(key)
        text += bracket
        indent += 1
        needsComma.append(false)
    }

    private mutating func close(_ bracket: String) {
        let hadItems = needsComma.removeLast()
        indent -= 1
        if hadItems { newline() }
        text += bracket
    }

    private mutating func prefix(_ key: String?) {
        if needsComma[needsComma.count - 1] { text += "," }
        needsComma[needsComma.count - 1] = true
        if indent > 0 { newline() }
        if let key { text += Self.quote(key) + ": " }
    }

    /// Indentation stops growing at this depth, so a very deep span chain gives output linear in its
    /// size rather than quadratic (a 100,000-deep chain would otherwise need hundreds of gigabytes).
    static let maxIndent = 32

    private mutating func newline() {
        text += "\n" + String(repeating: "  ", count: min(indent, Self.maxIndent))
    }

    /// Numbers as JSON allows: finite, shortest round-trip form, at most 10 decimals for money.
    static func number(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded() && abs(d) < 1e15 { return String(Int64(d)) }
        let rounded = (d * 1e10).rounded() / 1e10
        return String(rounded)
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F || (0x80..<0xA0).contains(u.value) {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
