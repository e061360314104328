import TraceAnalysis
import TraceText

/// `tracetui prices`: the table in use, where it came from and when it was checked.
public enum PriceReport {
    public static func render(_ table: PriceTable) -> String {
        var rows = [["MODEL", "INPUT", "CACHED IN", "CACHE WRITE", "OUTPUT", "ALSO MATCHES"]]
        func rate(_ v: Double?) -> String { v.map { "$" + Format.fixed($0, $0 < 0.1 ? 3 : 2) } ?? "-" }
        for p in table.entries {
            var aliases = p.aliases
            if let t = p.longContextThreshold {
                aliases.append("above \(Format.tokens(t)) input: \(rate(p.longInput)) in / \(rate(p.longOutput)) out")
            }
            rows.append([
                p.model, rate(p.input), rate(p.cachedInput), rate(p.cacheWrite), rate(p.output),
                aliases.joined(separator: ", "),
            ])
        }
        return "USD per 1M tokens; prices checked \(table.checked); from: \(table.origins.joined(separator: ", "))\n"
            + PlainReport.table(rows, rightAligned: [1, 2, 3, 4])
    }
}
