/// Durations as users type them (`--since 1h`, `--min-duration 1.5s`, the search form, filters).
/// `90s`, `15m`, `1h`, `2d`, `1.5s`, `250ms`, `100us`, `800ns` as nanoseconds; nil when not one.
public func parseDuration(_ text: String) -> Int64? {
    let units: [(String, Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9), ("d", 86400e9),
    ]
    for (unit, scale) in units.sorted(by: { $0.0.count > $1.0.count }) where text.hasSuffix(unit) {
        guard let number = Double(text.dropLast(unit.count)), number >= 0, number * scale < 9.2e18 else { return nil }
        return Int64((number * scale).rounded())
    }
    return nil
}
