import TraceAnalysis

/// Text forms of dashboard figures shared by the TUI and `tracetui summary`, like `Format` for
/// numbers: both print the same "no data", the same percentages and the same sparklines.
public enum DashboardFormat {
    public static let noData = "no data"

    /// `14.3%`, `0.5%`, `100%`; "no data" for nil.
    public static func percent(_ v: Double?) -> String {
        guard let v else { return noData }
        let p = v * 100
        if p == p.rounded() { return Format.fixed(p, 0) + "%" }
        return Format.fixed(p, p < 10 ? 2 : 1) + "%"
    }

    /// `0.117/min`, `12/min`.
    public static func rate(_ v: Double?) -> String {
        guard let v else { return noData }
        if v >= 10 { return Format.fixed(v, 0) + "/min" }
        if v >= 1 { return Format.fixed(v, 1) + "/min" }
        return Format.fixed(v, 3) + "/min"
    }

    /// A known cost with its unknown part: `$0.0190`, `$0.0190+?`, `?` (only unknown), no data.
    public static func cost(_ known: Double?, unknownCalls: Int) -> String {
        if let known { return Format.cost(known, unknownCalls: unknownCalls) }
        return unknownCalls > 0 ? "?" : noData
    }

    /// A score (`4`, `0.75`) or a bin of scores (`0.20..0.40`).
    public static func score(_ bin: ScoreBin) -> String {
        guard let high = bin.high else { return Format.fixed(bin.low, bin.low == bin.low.rounded() ? 0 : 2) }
        return Format.fixed(bin.low, 2) + ".." + Format.fixed(high, 2)
    }

    /// `1 call`, `7 calls`.
    public static func calls(_ n: Int) -> String { n == 1 ? "1 call" : "\(n) calls" }

    /// `1h`, `24h`, `7d`, `2d22h`, `all data`.
    public static func window(_ w: TimeWindow, all: Bool = false) -> String {
        if all { return "all data" }
        let n = w.nanos
        let days = n / TimeWindow.day
        let hours = n % TimeWindow.day / TimeWindow.hour
        let minutes = n % TimeWindow.hour / TimeWindow.minute
        if n % TimeWindow.hour != 0 || n < TimeWindow.hour { return Format.duration(n) }
        if n <= 2 * TimeWindow.day { return "\(n / TimeWindow.hour)h" }
        if hours == 0 && minutes == 0 { return "\(days)d" }
        return "\(days)d\(hours)h"
    }

    /// `▁▂▃▄▅▆▇█` scaled to the largest value; a blank for 0 and `·` for no data (ASCII: `_.-=+*#@`,
    /// blank, `.`).
    public static func sparkline(_ values: [Double?], ascii: Bool) -> String {
        let levels: [Character] =
            ascii ? ["_", ".", "-", "=", "+", "*", "#", "@"] : ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        let top = values.compactMap { $0 }.max() ?? 0
        return String(
            values.map { v -> Character in
                guard let v else { return ascii ? "." : "·" }
                if v <= 0 || top <= 0 { return " " }
                return levels[max(0, min(7, Int((v / top * 8).rounded(.up)) - 1))]
            })
    }

    /// A horizontal bar of `fraction` × `width` cells, in eighths with UTF-8 (`█▉▊▋▌▍▎▏`), `#` in ASCII.
    /// A non-zero fraction always shows at least a sliver.
    public static func bar(_ fraction: Double, width: Int, ascii: Bool) -> String {
        guard width > 0, fraction > 0 else { return "" }
        let f = min(1, fraction)
        if ascii { return String(repeating: "#", count: max(1, Int((f * Double(width)).rounded()))) }
        let eighths = max(1, Int((f * Double(width) * 8).rounded()))
        let partial: [String] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        return String(repeating: "█", count: eighths / 8) + partial[eighths % 8]
    }

    /// Heatmap shade for a count relative to the largest: `░▒▓█` (ASCII `.:*#`); blank for 0.
    public static func shade(_ count: Int, max top: Int, ascii: Bool) -> Character {
        guard count > 0, top > 0 else { return " " }
        let levels: [Character] = ascii ? [".", ":", "*", "#"] : ["░", "▒", "▓", "█"]
        return levels[max(0, min(3, Int((Double(count) / Double(top) * 4).rounded(.up)) - 1))]
    }

    /// A heatmap cell `width` wide: the shade fills it and the count sits right-aligned on it, so it
    /// stays legible; `·` (ASCII `.`) for an empty cell.
    public static func heatCell(_ count: Int, max top: Int, width: Int, ascii: Bool) -> String {
        guard width > 0 else { return "" }
        if count == 0 { return String(repeating: " ", count: width - 1) + (ascii ? "." : "·") }
        let digits = String(count)
        let shadeWidth = max(0, width - digits.count - 1)
        return String(repeating: " ", count: width - shadeWidth - digits.count)
            + String(repeating: shade(count, max: top, ascii: ascii), count: shadeWidth)
            + (digits.count > width ? String(repeating: "+", count: width) : digits)
    }

    /// Latency bucket labels: `<10ms`, `10ms`, …, `≥30s` (ASCII `>=30s`).
    public static func latencyBucket(_ i: Int, edges: [Int64], ascii: Bool) -> String {
        func ms(_ v: Int64) -> String { v >= 1000 ? "\(v / 1000)s" : "\(v)ms" }
        if i == 0 { return "<" + ms(edges[1]) }
        if i == edges.count - 1 { return (ascii ? ">=" : "≥") + ms(edges[i]) }
        return ms(edges[i])
    }

    /// Token bucket labels: `<100`, `100`, `1k`, …, `≥100k`.
    public static func tokenBucket(_ i: Int, edges: [Int64], ascii: Bool) -> String {
        if i == 0 { return "<" + Format.tokens(edges[1]) }
        if i == edges.count - 1 { return (ascii ? ">=" : "≥") + Format.tokens(edges[i]) }
        return Format.tokens(edges[i])
    }

    /// `MM-DD` for day buckets, `HH:00` for hour buckets (UTC), from the bucket's end.
    public static func bucketLabel(_ b: TrendBucket, unit: TrendUnit) -> String {
        let ts = Format.timestamp(b.window.end)  // 2026-11-28 11:59:59
        return unit == .day ? String(ts.dropFirst(5).prefix(5)) : String(ts.dropFirst(11).prefix(5))
    }
}
