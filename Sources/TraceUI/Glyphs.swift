/// Characters that differ between a UTF-8 terminal and an ASCII-only one (LANG=C, old consoles).
public struct Glyphs: Sendable, Equatable {
    public var branch: String, lastBranch: String, pipe: String, blank: String
    public var folded: String, unfolded: String, leaf: String
    public var bar: String, barEmpty: String, ellipsis: String, error: String, separator: String
    /// Marks a span on the critical path.
    public var onPath: String
    public var ascii: Bool

    public static let unicode = Glyphs(
        branch: "├─", lastBranch: "└─", pipe: "│ ", blank: "  ",
        folded: "▸", unfolded: "▾", leaf: "·", bar: "█", barEmpty: "·",
        ellipsis: "…", error: "✗", separator: "─", onPath: "◆", ascii: false)
    public static let asciiOnly = Glyphs(
        branch: "|-", lastBranch: "`-", pipe: "| ", blank: "  ",
        folded: "+", unfolded: "-", leaf: " ", bar: "#", barEmpty: ".",
        ellipsis: "~", error: "x", separator: "-", onPath: "*", ascii: true)
}

/// How the screen may look: glyph set and whether colour is used (`NO_COLOR` turns it off).
public struct Appearance: Sendable, Equatable {
    public var glyphs: Glyphs
    public var color: Bool
    public init(glyphs: Glyphs = .unicode, color: Bool = true) {
        self.glyphs = glyphs
        self.color = color
    }

    /// Decided once from the environment: UTF-8 glyphs when the locale says UTF-8, colour unless NO_COLOR.
    public static func from(environment env: [String: String]) -> Appearance {
        let locale =
            env["LC_ALL"].flatMap { $0.isEmpty ? nil : $0 } ?? env["LC_CTYPE"].flatMap { $0.isEmpty ? nil : $0 } ?? env[
                "LANG"] ?? ""
        let utf8 = locale.lowercased().contains("utf-8") || locale.lowercased().contains("utf8")
        let noColor = env["NO_COLOR"].map { !$0.isEmpty } ?? false
        return Appearance(glyphs: utf8 ? .unicode : .asciiOnly, color: !noColor)
    }
}
