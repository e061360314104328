/// Terminal column width of a scalar, from our own table so rendering does not depend on the
/// process locale (`wcwidth` answers -1 under LANG=C): 0 for combining marks and zero-width
/// characters, 2 for East Asian wide and emoji ranges, else 1.
public func displayWidth(_ u: Unicode.Scalar) -> Int {
    let v = u.value
    if v < 0x300 { return 1 }
    if (0x300...0x36F).contains(v) || (0x200B...0x200F).contains(v) || (0xFE00...0xFE0F).contains(v)
        || (0x20D0...0x20FF).contains(v) || v == 0x2060 || v == 0xFEFF || (0xE0100...0xE01EF).contains(v) {
        return 0
    }
    if (0x1100...0x115F).contains(v) || (0x2E80...0x303E).contains(v) || (0x3041...0x33FF).contains(v)
        || (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v) || (0xA000...0xA4CF).contains(v)
        || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v)
        || (0xFF00...0xFF60).contains(v) || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v)
        || (0x1F900...0x1F9FF).contains(v) || (0x20000...0x3FFFD).contains(v) {
        return 2
    }
    return 1
}

public func displayWidth(_ s: String) -> Int { s.unicodeScalars.reduce(0) { $0 + displayWidth($1) } }

/// Cuts text to `width` columns, ending with `…` (or `~` in ASCII) when it was cut.
public func truncate(_ s: String, to width: Int, ascii: Bool = false) -> String {
    guard width > 0 else { return "" }
    if displayWidth(s) <= width { return s }
    var out = String.UnicodeScalarView(), used = 0
    for u in s.unicodeScalars {
        let w = displayWidth(u)
        if used + w > width - 1 { break }
        out.append(u); used += w
    }
    return String(out) + (ascii ? "~" : "…")
}

/// Pads (or cuts) to exactly `width` columns; right-aligned when `right`.
public func fit(_ s: String, _ width: Int, right: Bool = false, ascii: Bool = false) -> String {
    let t = truncate(s, to: width, ascii: ascii)
    let pad = String(repeating: " ", count: max(0, width - displayWidth(t)))
    return right ? pad + t : t + pad
}
