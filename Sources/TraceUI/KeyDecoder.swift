/// Turns the bytes a terminal sends into keys, whatever `TERM` says: the encodings of cursor and
/// paging keys that xterm, VT220/PuTTY, rxvt, tmux, screen and the Linux console send (normal and
/// application mode, with modifiers) are all understood, and any other escape sequence — a function
/// key, a mouse or focus report, an OSC answer, Alt with a letter — is swallowed whole, never read as
/// Esc followed by letters (which would close a screen or quit). Pure and total: any bytes in, keys
/// out, so it is tested and fuzzed without a terminal.
///
/// A sequence or UTF-8 character cut at the end of `feed`'s bytes is kept for the next call. When
/// nothing more arrives within the escape delay, the caller calls `flush`: a lone ESC is the Esc key,
/// anything else still pending is dropped.
public struct KeyDecoder: Sendable {
    private var pending: [UInt8] = []

    /// Longest escape sequence kept while waiting for its end; a longer one is dropped whole.
    static let maxSequence = 256

    public init() {}

    /// True when the last bytes fed start a key that is not complete yet: wait the escape delay for
    /// the rest, then `flush`.
    public var isWaiting: Bool { !pending.isEmpty }

    /// The keys in `pending` + `bytes`, in order.
    public mutating func feed(_ bytes: [UInt8]) -> [Key] {
        let input = pending + bytes
        pending = []
        var keys: [Key] = []
        var i = 0
        while i < input.count {
            switch Self.decode(input, at: i) {
            case .key(_, let length) where length > Self.maxSequence, .skip(let length) where length > Self.maxSequence:
                // Too long, as when its end came in a later read: drop its ESC, read the rest as text.
                i += 1
            case .key(let key, let length):
                keys.append(key)
                i += length
            case .skip(let length):
                i += length
            case .incomplete:
                // A sequence's end can take one byte more to see (the byte after an ESC ending it).
                if input.count - i > Self.maxSequence + 1 {
                    i += 1  // an endless "sequence": drop its ESC, read the rest as text
                } else {
                    pending = Array(input[i...])
                    return keys
                }
            }
        }
        return keys
    }

    /// No more bytes came within the escape delay: a lone ESC is the Esc key; any other unfinished
    /// sequence or character is dropped.
    public mutating func flush() -> [Key] {
        defer { pending = [] }
        return pending == [0x1B] ? [.escape] : []
    }

    enum Step: Equatable {
        case key(Key, length: Int)
        case skip(length: Int)
        case incomplete
    }

    /// What the bytes at `i` are.
    static func decode(_ b: [UInt8], at i: Int) -> Step {
        let byte = b[i]
        switch byte {
        case 0x1B: return escape(b, at: i)
        case 13, 10: return .key(.enter, length: 1)
        case 9: return .key(.tab, length: 1)
        case 127, 8: return .key(.backspace, length: 1)
        case 3: return .key(.char("q"), length: 1)  // Ctrl-C: raw mode delivers it as a byte
        case 0..<0x20: return .skip(length: 1)
        case 0x20..<0x80: return .key(.char(Character(Unicode.Scalar(byte))), length: 1)
        default: return utf8(b, at: i)
        }
    }

    /// ESC and what follows it: a CSI or SS3 key, a string sequence to swallow, Alt+key, or Esc itself
    /// when another ESC follows.
    private static func escape(_ b: [UInt8], at i: Int) -> Step {
        guard i + 1 < b.count else { return .incomplete }
        switch b[i + 1] {
        case UInt8(ascii: "["): return csi(b, at: i)
        case UInt8(ascii: "O"): return ss3(b, at: i)
        case UInt8(ascii: "]"), UInt8(ascii: "P"), UInt8(ascii: "_"), UInt8(ascii: "^"), UInt8(ascii: "X"):
            return stringSequence(b, at: i)
        case 0x1B: return .key(.escape, length: 1)
        default:
            // Alt with a key (nothing is bound to Alt): swallow both, including a whole UTF-8 character.
            if case .key(_, let length) = decode(b, at: i + 1) { return .skip(length: 1 + length) }
            if decode(b, at: i + 1) == .incomplete { return .incomplete }
            return .skip(length: 2)
        }
    }

    /// `ESC [ params intermediates final`: cursor and paging keys by their final byte, or by the first
    /// parameter before `~` (VT220 style); any other CSI sequence is swallowed.
    private static func csi(_ b: [UInt8], at i: Int) -> Step {
        // The Linux console's F1–F5: `ESC [ [ A`…`E`.
        if i + 2 < b.count, b[i + 2] == UInt8(ascii: "[") { return i + 3 < b.count ? .skip(length: 4) : .incomplete }
        var j = i + 2
        while j < b.count, (0x20...0x3F).contains(b[j]) { j += 1 }
        guard j < b.count else { return .incomplete }
        let final = b[j]
        // A byte that cannot end a CSI sequence (a control, or DEL and above): the sequence was cut;
        // drop what came so far and decode that byte afresh.
        guard (0x40...0x7E).contains(final) else { return .skip(length: j - i) }
        let length = j - i + 1
        let params = b[(i + 2)..<j]
        if final == UInt8(ascii: "~") {
            let first = params.prefix { $0 >= 0x30 && $0 <= 0x39 }
            switch String(decoding: first, as: UTF8.self) {
            case "1", "7": return .key(.home, length: length)
            case "4", "8": return .key(.end, length: length)
            case "5": return .key(.pageUp, length: length)
            case "6": return .key(.pageDown, length: length)
            default: return .skip(length: length)
            }
        }
        // Only parameters of plain digits and `;` (modifiers) name keys; `?`, `<`, `>` start reports.
        guard params.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ";") }) else {
            return .skip(length: length)
        }
        if final == UInt8(ascii: "M") && params.isEmpty {
            // An X10 mouse report: three more bytes.
            return b.count - i >= 6 ? .skip(length: 6) : .incomplete
        }
        if final == UInt8(ascii: "Z") { return .key(.backTab, length: length) }
        return cursorKey(final).map { .key($0, length: length) } ?? .skip(length: length)
    }

    /// `ESC O x`: cursor keys in application mode, keypad Enter; other keys (F1–F4) swallowed.
    private static func ss3(_ b: [UInt8], at i: Int) -> Step {
        var j = i + 2
        // Some terminals put a modifier digit between O and the key (`ESC O 5 A`).
        while j < b.count, (0x30...0x39).contains(b[j]) || b[j] == UInt8(ascii: ";") { j += 1 }
        guard j < b.count else { return .incomplete }
        let final = b[j]
        guard (0x40...0x7E).contains(final) else { return .skip(length: j - i) }
        if final == UInt8(ascii: "M") { return .key(.enter, length: j - i + 1) }
        return cursorKey(final).map { .key($0, length: j - i + 1) } ?? .skip(length: j - i + 1)
    }

    private static func cursorKey(_ final: UInt8) -> Key? {
        switch final {
        case UInt8(ascii: "A"): return .up
        case UInt8(ascii: "B"): return .down
        case UInt8(ascii: "C"): return .right
        case UInt8(ascii: "D"): return .left
        case UInt8(ascii: "H"): return .home
        case UInt8(ascii: "F"): return .end
        default: return nil
        }
    }

    /// OSC, DCS, APC, PM and SOS (answers to queries, never keys): swallowed up to BEL or ESC \.
    private static func stringSequence(_ b: [UInt8], at i: Int) -> Step {
        var j = i + 2
        while j < b.count {
            if b[j] == 0x07 { return .skip(length: j - i + 1) }
            if b[j] == 0x1B {
                guard j + 1 < b.count else { return .incomplete }
                return .skip(length: b[j + 1] == UInt8(ascii: "\\") ? j - i + 2 : j - i)
            }
            j += 1
        }
        return .incomplete
    }

    /// One UTF-8 encoded character; a malformed byte is skipped alone.
    private static func utf8(_ b: [UInt8], at i: Int) -> Step {
        let lead = b[i]
        let length: Int
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return .skip(length: 1)
        }
        var j = i + 1
        while j < i + length {
            guard j < b.count else { return .incomplete }
            guard b[j] & 0xC0 == 0x80 else { return .skip(length: 1) }
            j += 1
        }
        var decoder = UTF8()
        var iterator = b[i..<(i + length)].makeIterator()
        guard case .scalarValue(let scalar) = decoder.decode(&iterator), scalar.value >= 0xA0 else {
            return .skip(length: length)  // overlong, surrogate, out of range, or a C1 control
        }
        return .key(.char(Character(scalar)), length: length)
    }
}
