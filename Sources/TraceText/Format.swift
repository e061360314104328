import TraceAnalysis
import TraceModel

/// Number formats shared by the TUI and the plain-text report, so both show the same figures.
public enum Format {
    /// `850ns`, `12.3µs`, `456ms`, `1.23s`, `2m05s`, `1h02m`.
    public static func duration(_ nanos: Int64) -> String {
        let n = max(0, nanos)
        if n < 1_000 { return "\(n)ns" }
        if n < 1_000_000 { return fixed(Double(n) / 1e3, n < 10_000 ? 2 : n < 100_000 ? 1 : 0) + "µs" }
        if n < 1_000_000_000 { return fixed(Double(n) / 1e6, n < 10_000_000 ? 2 : n < 100_000_000 ? 1 : 0) + "ms" }
        let s = Double(n) / 1e9
        if s < 60 { return fixed(s, s < 10 ? 2 : 1) + "s" }
        let total = Int(s)
        if total < 3600 { return "\(total / 60)m" + pad2(total % 60) + "s" }
        return "\(total / 3600)h" + pad2(total / 60 % 60) + "m"
    }

    /// `950`, `1.2k`, `15k`, `1.5M`.
    public static func tokens(_ n: Int64) -> String {
        if n < 1_000 { return String(n) }
        if n < 10_000 { return fixed(Double(n) / 1e3, 1) + "k" }
        if n < 1_000_000 { return String(Int((Double(n) / 1e3).rounded())) + "k" }
        return fixed(Double(n) / 1e6, 1) + "M"
    }

    /// `$0.0123`, `$0.00072`, `$1.23`, `$1234`; `?` for unknown; `$1.23+?` when some calls' cost is unknown.
    public static func cost(_ usd: Double, unknownCalls: Int = 0, hasCost: Bool = true) -> String {
        guard hasCost else { return unknownCalls > 0 ? "?" : "-" }
        let known: String
        if usd == 0 {
            known = "$0"
        } else if usd < 0.000001 {
            known = "<$0.000001"
        } else if usd < 1 {
            // Two significant digits at least, four decimals at least: $0.0060, $0.00072, $0.000024.
            var digits = 4
            var scaled = usd * 10_000
            while scaled < 10 && digits < 6 {
                scaled *= 10
                digits += 1
            }
            known = "$" + fixed(usd, digits)
        } else if usd < 1000 {
            known = "$" + fixed(usd, 2)
        } else if usd < 1e15 {
            known = "$" + String(Int(usd.rounded()))
        } else {
            known = "$" + String(describing: usd)
        }  // absurd or infinite figures from a span, as they are
        return unknownCalls > 0 ? known + "+?" : known
    }

    /// The cost cell of totals: `-` when there are no model calls, `?` when none has a known cost,
    /// `!` after it when a call's reported cost differs from its list price by more than 5 %.
    public static func cost(_ t: Totals) -> String {
        if t.llmCalls == 0 && t.costUSD == 0 { return "-" }
        if t.unknownCostCalls == t.llmCalls && t.costUSD == 0 { return "?" }
        return cost(t.costUSD, unknownCalls: t.unknownCostCalls) + (t.costMismatches > 0 ? "!" : "")
    }

    /// `1200/300` input/output tokens, or `-` when there are none.
    /// The progress line of a long load: `reading x.jsonl: 312 MB of 833 MB (37%) · 380k spans ·
    /// 95 MB/s`; a gzip input says how much it has inflated, of no known total.
    public static func loadProgress(
        _ name: String, bytes: Int, inflated: Bool, size: Int?, spans: Int, seconds: Double
    ) -> String {
        let mb = Double(bytes) / 1_048_576
        var line = "reading \(sanitize(name)): \(Int(mb)) MB"
        if inflated {
            line += " inflated"
        } else if let size, size > 0 {
            line += " of \(size / 1_048_576) MB (\(wholePercent(Double(bytes) / Double(size))))"
        }
        line += " · \(tokens(Int64(spans))) spans"
        if seconds > 0 { line += " · \(Int(mb / seconds)) MB/s" }
        return line
    }

    /// A share of 0–1 as a whole percentage: `0.613` → `61%`.
    public static func wholePercent(_ share: Double) -> String { "\(Int((share * 100).rounded()))%" }

    public static func tokenPair(_ input: Int64, _ output: Int64) -> String {
        input == 0 && output == 0 ? "-" : tokens(input) + "/" + tokens(output)
    }

    /// `2026-11-28 11:58:03` UTC.
    public static func timestamp(_ nanos: Int64) -> String {
        let secs = nanos / 1_000_000_000
        let days = Int(secs / 86_400)
        let rem = Int(secs % 86_400)
        let (y, m, d) = civil(fromDays: days)
        return "\(y)-\(pad2(m))-\(pad2(d)) \(pad2(rem / 3600)):\(pad2(rem / 60 % 60)):\(pad2(rem % 60))"
    }

    public static func fixed(_ v: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        guard v.isFinite, abs(v) * scale < 9e18 else { return String(describing: v) }  // beyond Int64: as is
        let r = (v * scale).rounded() / scale
        var s = String(Int64(r))
        if digits > 0 {
            let frac = Int64((abs(r) * scale).rounded()) % Int64(scale)
            let f = String(frac)
            s += "." + String(repeating: "0", count: digits - f.count) + f
            if r < 0 && Int64(r) == 0 { s = "-" + s }
        }
        return s
    }

    /// Span data is untrusted: escape sequences (CSI, OSC and other ESC forms) are removed, bidi
    /// controls are dropped, and every other control character becomes a space, so text from a span
    /// can never drive the terminal or reorder what is shown around it.
    public static func sanitize(_ s: String) -> String {
        // The common case, plain text, is returned as it is.
        guard s.unicodeScalars.contains(where: isTerminalControl) else { return s }
        var out = String.UnicodeScalarView()
        var it = s.unicodeScalars.makeIterator()
        while let u = it.next() {
            let v = u.value
            if v == 0x1B || v == 0x9B || v == 0x9D {
                skipEscapeSequence(introducer: v, &it)
            } else if isBidiControl(u) {
                continue
            } else {
                out.append(isTerminalControl(u) ? " " : u)
            }
        }
        return String(out)
    }

    /// `sanitize` for text of several lines: what is printed for people (plain reports, warnings) may
    /// be read on a terminal too.
    public static func sanitizeLines(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 != "\n" && isTerminalControl($0) }) else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { sanitize(String($0)) }
            .joined(separator: "\n")
    }

    /// Skips the rest of a sequence: CSI up to its final byte, OSC/DCS/APC/PM up to BEL or ST, any
    /// other ESC form one character.
    private static func skipEscapeSequence(
        introducer v: UInt32, _ it: inout String.UnicodeScalarView.Iterator
    ) {
        let kind = v == 0x9B ? UInt32(0x5B) : v == 0x9D ? 0x5D : (it.next()?.value ?? 0)
        if kind == 0x5B {
            while let c = it.next(), !(0x40...0x7E).contains(c.value) {}
        } else if kind == 0x5D || kind == 0x50 || kind == 0x5F || kind == 0x5E {
            var prevEsc = false
            while let c = it.next() {
                if c.value == 0x07 || c.value == 0x9C || (prevEsc && c.value == 0x5C) { break }
                prevEsc = c.value == 0x1B
            }
        }
    }

    static func pad2(_ v: Int) -> String { v < 10 ? "0\(v)" : String(v) }

    /// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
