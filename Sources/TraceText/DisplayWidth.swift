/// Terminal column width of a scalar, from our own table so rendering does not depend on the
/// process locale (`wcwidth` answers -1 under LANG=C): 0 for combining marks and zero-width
/// characters, 2 for East Asian wide characters and emoji (Unicode's East_Asian_Width W and F), else 1.
public func displayWidth(_ u: Unicode.Scalar) -> Int {
    let v = u.value
    if v < 0x300 { return 1 }
    if contains(zeroWidthRanges, v) { return 0 }
    return contains(wideRanges, v) ? 2 : 1
}

/// Combining marks, zero-width spaces and joiners, variation selectors, the BOM.
private let zeroWidthRanges: [ClosedRange<UInt32>] = [
    0x300...0x36F, 0x200B...0x200F, 0x20D0...0x20FF, 0x2060...0x2064, 0xFE00...0xFE0F, 0xFE20...0xFE2F,
    0xFEFF...0xFEFF, 0xE0100...0xE01EF,
]

/// Wide ranges in ascending order (the common ones; narrow is the safe default for the rest).
private let wideRanges: [ClosedRange<UInt32>] = [
    0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F0, 0x23F3...0x23F3,
    0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F...0x267F, 0x2693...0x2693, 0x26A1...0x26A1,
    0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE...0x26CE, 0x26D4...0x26D4, 0x26EA...0x26EA,
    0x26F2...0x26F3, 0x26F5...0x26F5, 0x26FA...0x26FA, 0x26FD...0x26FD, 0x2705...0x2705, 0x270A...0x270B,
    0x2728...0x2728, 0x274C...0x274C, 0x274E...0x274E, 0x2753...0x2755, 0x2757...0x2757, 0x2795...0x2797,
    0x27B0...0x27B0, 0x27BF...0x27BF, 0x2B1B...0x2B1C, 0x2B50...0x2B50, 0x2B55...0x2B55, 0x2E80...0x303E,
    0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3,
    0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4,
    0x17000...0x18CFF, 0x1B000...0x1B2FF, 0x1F004...0x1F004, 0x1F0CF...0x1F0CF, 0x1F18E...0x1F18E,
    0x1F191...0x1F19A, 0x1F200...0x1F2FF, 0x1F300...0x1F64F, 0x1F680...0x1F6FF, 0x1F7E0...0x1F7EB,
    0x1F900...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x3FFFD,
]

/// Binary search in ascending, disjoint ranges.
private func contains(_ ranges: [ClosedRange<UInt32>], _ v: UInt32) -> Bool {
    var lo = 0
    var hi = ranges.count - 1
    while lo <= hi {
        let mid = (lo + hi) / 2
        if v < ranges[mid].lowerBound {
            hi = mid - 1
        } else if v > ranges[mid].upperBound {
            lo = mid + 1
        } else {
            return true
        }
    }
    return false
}

public func displayWidth(_ s: String) -> Int { s.unicodeScalars.reduce(0) { $0 + displayWidth($1) } }

/// Cuts text to `width` columns, ending with `…` (or `~` in ASCII) when it was cut.
public func truncate(_ s: String, to width: Int, ascii: Bool = false) -> String {
    guard width > 0 else { return "" }
    if displayWidth(s) <= width { return s }
    var out = String.UnicodeScalarView()
    var used = 0
    for u in s.unicodeScalars {
        let w = displayWidth(u)
        if used + w > width - 1 { break }
        out.append(u)
        used += w
    }
    return String(out) + (ascii ? "~" : "…")
}

/// Pads (or cuts) to exactly `width` columns; right-aligned when `right`.
public func fit(_ s: String, _ width: Int, right: Bool = false, ascii: Bool = false) -> String {
    let t = truncate(s, to: width, ascii: ascii)
    let pad = String(repeating: " ", count: max(0, width - displayWidth(t)))
    return right ? pad + t : t + pad
}

/// The longest start of `s` that fits in `width` columns, cut without a mark.
public func prefix(_ s: String, columns width: Int) -> String {
    var out = String.UnicodeScalarView()
    var used = 0
    for u in s.unicodeScalars {
        let w = displayWidth(u)
        if used + w > width { break }
        out.append(u)
        used += w
    }
    return String(out)
}

/// `s` in lines of at most `width` columns, cut anywhere; continuation lines start with `indent`.
public func softWrap(_ s: String, width: Int, indent: String = "  ") -> [String] {
    // Each line must hold the indent and one character of any width, or wrapping would not advance.
    guard width >= displayWidth(indent) + 2 else { return [prefix(s, columns: width)] }
    var lines: [String] = []
    var rest = s
    repeat {
        let piece = prefix(rest, columns: width)
        lines.append(piece)
        rest = String(rest.unicodeScalars.dropFirst(piece.unicodeScalars.count))
        if !rest.isEmpty { rest = indent + rest }
    } while !rest.isEmpty && rest != indent
    return lines
}

/// `columns` spaces.
public func blank(_ columns: Int) -> String { String(repeating: " ", count: max(0, columns)) }

/// C0 and C1 controls, DEL and the bidi controls: what must never reach the terminal from span data.
public func isTerminalControl(_ u: Unicode.Scalar) -> Bool {
    let v = u.value
    return v < 0x20 || (v >= 0x7F && v < 0xA0) || isBidiControl(u)
}

/// The marks, embeddings, overrides and isolates that reorder text around them ("Trojan Source").
public func isBidiControl(_ u: Unicode.Scalar) -> Bool {
    switch u.value {
    case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
    default: return false
    }
}
