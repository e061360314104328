import TraceText

/// Colours the UI asks for; the terminal backend maps them to what the terminal has (or to none).
public enum Color: UInt8, Sendable, CaseIterable {
    case normal, red, green, yellow, blue, magenta, cyan, gray
}

public struct Style: Equatable, Sendable {
    public var fg: Color = .normal
    public var bold = false
    public var reverse = false
    public var dim = false
    public init(fg: Color = .normal, bold: Bool = false, reverse: Bool = false, dim: Bool = false) {
        self.fg = fg
        self.bold = bold
        self.reverse = reverse
        self.dim = dim
    }
    public static let plain = Style()
}

/// One terminal cell. A wide character occupies its cell and the next, which holds `continuation`.
public struct Cell: Equatable, Sendable {
    public var scalar: Unicode.Scalar
    public var style: Style
    public var continuation: Bool
    public init(_ scalar: Unicode.Scalar = " ", style: Style = .plain, continuation: Bool = false) {
        self.scalar = scalar
        self.style = style
        self.continuation = continuation
    }
}

/// The pure render target: widgets draw into a grid; the backend copies changed cells to the terminal.
public struct CellGrid: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: Cell(), count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell { cells[y * width + x] }

    /// Writes text at (x, y), clipped to `maxWidth` columns and the grid; returns the columns used.
    /// Span text is sanitized by the caller (`Format.sanitize`); here a control character that slipped
    /// through is still never written, whatever its width says.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style = .plain, maxWidth: Int = .max) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let limit = maxWidth >= width ? width : min(width, x + max(0, maxWidth))
        var col = x
        for u in text.unicodeScalars {
            let w = displayWidth(u)
            if w == 0 { continue }
            if col + w > limit { break }
            if col >= 0 {
                splitWideCharacters(y: y, from: col, to: col + w)
                cells[y * width + col] = Cell(isTerminalControl(u) ? " " : u, style: style)
                if w == 2 { cells[y * width + col + 1] = Cell(" ", style: style, continuation: true) }
            }
            col += w
        }
        return col - x
    }

    /// Fills a row span with a style (for selection bars and backgrounds).
    public mutating func fill(x: Int, y: Int, width w: Int, style: Style) {
        guard y >= 0, y < height, max(0, x) < min(width, x + w) else { return }
        splitWideCharacters(y: y, from: max(0, x), to: min(width, x + w))
        for col in max(0, x)..<min(width, x + w) { cells[y * width + col] = Cell(" ", style: style) }
    }

    /// Before columns `from..<to` are overwritten: a wide character with only one half inside is
    /// blanked whole, as a terminal does, so `lines` stays column for column what the screen shows.
    private mutating func splitWideCharacters(y: Int, from: Int, to: Int) {
        let row = y * width
        if from > 0, cells[row + from].continuation {
            cells[row + from - 1] = Cell(" ", style: cells[row + from - 1].style)
        }
        if to < width, cells[row + to].continuation { cells[row + to] = Cell(" ", style: cells[row + to].style) }
    }

    /// Restyles existing cells of a row (keeps their characters).
    public mutating func restyle(x: Int, y: Int, width w: Int, _ change: (inout Style) -> Void) {
        guard y >= 0, y < height else { return }
        for col in max(0, x)..<min(width, x + w) { change(&cells[y * width + col].style) }
    }

    /// For terminals without UTF-8: known symbols become ASCII look-alikes, anything else `?`.
    public mutating func replaceNonASCII() {
        let map: [UInt32: Unicode.Scalar] = [
            0x2191: "^", 0x2193: "v", 0x2190: "<", 0x2192: ">", 0x2588: "#", 0x2026: "~",
            0x2500: "-", 0x2502: "|", 0x00B7: ".", 0x25B8: "+", 0x25BE: "-", 0x2717: "x", 0x00B5: "u",
            0x0394: "d",
        ]
        for i in cells.indices where cells[i].scalar.value >= 0x80 {
            cells[i].scalar = map[cells[i].scalar.value] ?? "?"
            if i + 1 < cells.count && cells[i + 1].continuation { cells[i + 1].continuation = false }
        }
    }

    /// The grid as text lines without trailing spaces: what tests compare against.
    public var lines: [String] {
        (0..<height).map { y in
            var s = String.UnicodeScalarView()
            for x in 0..<width where !cells[y * width + x].continuation { s.append(cells[y * width + x].scalar) }
            var line = String(s)
            while line.last == " " { line.removeLast() }
            return line
        }
    }
}
