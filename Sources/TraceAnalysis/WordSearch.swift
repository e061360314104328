import TraceModel

/// A bare word (or quoted phrase) of a filter, searched in the spans of one store as `SpanFilter`
/// says: in the span's name, its service, its attribute values and its events, case-insensitively;
/// a word of hex digits also as the start of the trace id.
///
/// Each interned string is searched once per evaluation, however many spans point at it: all of them
/// in one pass over the string arena when the evaluation looks at the whole store (`wholeStore`),
/// else each the first time a span points at it. A number's or a boolean's text is made only when the
/// word could be in such text at all. A non-ASCII word is compared on lower-cased copies.
final class WordSearch {
    private let word: Word
    private let store: SpanStore
    /// The word's bytes when it is ASCII (`Word.ascii`), else empty.
    private let needle: [UInt8]
    private let isASCIIWord: Bool
    /// Whether all interned strings were searched at once, and then whether each holds the word.
    private let searchedAll: Bool
    private let everyString: [Bool]
    /// The strings searched so far, when they are searched one at a time.
    private var searched: [StrID: Bool] = [:]
    /// Which strings are ASCII: the items of an array or a map are searched one by one only then.
    private var asciiStrings: [StrID: Bool] = [:]
    /// Whether the word is in `true`, in `false`.
    private let inTrue: Bool
    private let inFalse: Bool
    /// Whether the word can be in a number's text: it has only digits, `.`, `-`, `+` and `e`, or is
    /// part of `nan` or `-infinity`.
    private let inNumbers: Bool
    /// Whether the word holds a character of the punctuation that an array's or a map's text puts
    /// between its items (`[]{}",:`): then it can run across items, and the text is searched whole.
    private let crossesItems: Bool
    private let traceIDPrefix: TraceIDPrefix?

    init(_ word: Word, store: SpanStore, wholeStore: Bool) {
        self.word = word
        self.store = store
        let needle = word.ascii ?? []
        self.needle = needle
        isASCIIWord = word.ascii != nil
        func inText(_ text: String) -> Bool {
            Array(text.utf8).withUnsafeBytes { containsIgnoringASCIICase($0, needle) }
        }
        searchedAll = wholeStore && isASCIIWord
        everyString = searchedAll ? stringsContaining(needle, in: store.strings) : []
        inTrue = inText("true")
        inFalse = inText("false")
        inNumbers =
            needle.allSatisfy { Array("0123456789.-+e".utf8).contains($0) } || inText("nan") || inText("-infinity")
        crossesItems = needle.contains { Array("[]{}\",:".utf8).contains($0) }
        traceIDPrefix = word.ascii.flatMap(TraceIDPrefix.init)
    }

    func matches(_ s: Int32) -> Bool {
        let span = store.spans[Int(s)]
        if has(span.name) { return true }
        if store.resources.indices.contains(Int(span.resource)),
            has(store.resources[Int(span.resource)].serviceName)
        {
            return true
        }
        if let traceIDPrefix, traceIDPrefix.starts(span.traceID) { return true }
        // Indices rather than slices of the pools: this runs for every span of the store.
        for a in span.attributes.range where has(store.attributes[a].value) { return true }
        for e in span.events.range {
            if has(store.events[e].name) { return true }
            for a in store.events[e].attributes.range where has(store.attributes[a].value) { return true }
        }
        return false
    }

    @inline(__always)
    private func has(_ id: StrID) -> Bool {
        if searchedAll { return everyString[Int(id)] }
        if let found = searched[id] { return found }
        let found =
            isASCIIWord
            ? store.strings.withBytes(id) { containsIgnoringASCIICase($0, needle) }
            : store.string(id).lowercased().contains(word.text)
        searched[id] = found
        return found
    }

    @inline(__always)
    private func has(_ value: AttrValue) -> Bool {
        if case .string(let id) = value { return has(id) }
        return hasInText(value)
    }

    /// A value other than a string.
    private func hasInText(_ value: AttrValue) -> Bool {
        switch value {
        case .string(let id): return has(id)
        case _ where !isASCIIWord: return textHas(value)
        // The empty word is in every name, found before any value is looked at.
        case .empty: return false
        case .bool(let b): return b ? inTrue : inFalse
        case .int(let i): return inNumbers && holds(String(i))
        case .double(let d): return inNumbers && holds(formatDouble(d))
        case .bytes(let id): return isASCII(id) ? has(id) : textHas(value)
        case .array, .kvlist: return (crossesItems ? nil : itemsHave(value)) ?? textHas(value)
        }
    }

    /// The word in the value's whole text (`SpanStore.text`), lower-cased.
    private func textHas(_ value: AttrValue) -> Bool { store.text(value).lowercased().contains(word.text) }

    /// Whether an item of an array or a map (a value, a map's key, an item of those) holds the word,
    /// when all their strings are ASCII; nil when one is not, for the whole text to decide. For a word
    /// that does not cross items, that is whether the value's text holds it.
    private func itemsHave(_ value: AttrValue) -> Bool? {
        switch value {
        case .string(let id), .bytes(let id): return isASCII(id) ? has(id) : nil
        case .array(let start, let count):
            for item in store.arrayValues[Int(start)..<Int(start + count)] {
                guard let found = itemsHave(item) else { return nil }
                if found { return true }
            }
            return false
        case .kvlist(let start, let count):
            for a in store.nestedAttributes[Int(start)..<Int(start + count)] {
                guard isASCII(a.key), let found = itemsHave(a.value) else { return nil }
                if found || has(a.key) { return true }
            }
            return false
        case .empty, .bool, .int, .double: return has(value)
        }
    }

    /// Whether an ASCII text holds the (ASCII) word.
    private func holds(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { containsIgnoringASCIICase(UnsafeRawBufferPointer($0), needle) }
    }

    private func isASCII(_ id: StrID) -> Bool {
        if let ascii = asciiStrings[id] { return ascii }
        let ascii = store.strings.withBytes(id) { $0.allSatisfy { $0 < 0x80 } }
        asciiStrings[id] = ascii
        return ascii
    }
}

/// A word of 1 to 32 hex digits (lower-case ASCII), as the start of a trace id's 32-digit hex text.
struct TraceIDPrefix {
    private let high: UInt64
    private let low: UInt64
    private let highMask: UInt64
    private let lowMask: UInt64

    init?(_ digits: [UInt8]) {
        guard (1...32).contains(digits.count) else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (i, c) in digits.enumerated() {
            guard let v = hexValue(c) else { return nil }
            if i < 16 { high |= UInt64(v) << (60 - 4 * i) } else { low |= UInt64(v) << (60 - 4 * (i - 16)) }
        }
        self.high = high
        self.low = low
        highMask = digits.count >= 16 ? ~0 : ~0 << (64 - 4 * digits.count)
        lowMask = digits.count <= 16 ? 0 : ~0 << (128 - 4 * digits.count)
    }

    func starts(_ id: TraceID) -> Bool { id.high & highMask == high && id.low & lowMask == low }
}

/// Whether `haystack` contains `needle` (lower-case ASCII), ASCII letters compared case-insensitively.
func containsIgnoringASCIICase(_ haystack: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
    needle.isEmpty || firstMatch(of: needle, in: haystack, from: 0) != nil
}

/// Which interned strings hold `needle` (lower-case ASCII), ASCII letters compared case-insensitively:
/// for each string what `containsIgnoringASCIICase` says of it, found in one pass over the arena. A
/// string found is skipped to its end; a match that runs from one string into the next does not count.
func stringsContaining(_ needle: [UInt8], in strings: StringTable) -> [Bool] {
    guard !needle.isEmpty else { return [Bool](repeating: true, count: strings.count) }
    var found = [Bool](repeating: false, count: strings.count)
    strings.withArena { arena, offsets in
        var p = 0
        while let q = firstMatch(of: needle, in: arena, from: p) {
            // The string the match starts in: the last whose start is at or before it.
            var lo = 1
            var hi = offsets.count - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if Int(offsets[mid]) > q { hi = mid } else { lo = mid + 1 }
            }
            let end = Int(offsets[lo])
            if q + needle.count <= end {
                found[lo - 1] = true
                p = end
            } else {
                p = q + 1
            }
        }
    }
    return found
}

/// Where `needle` (lower-case ASCII, not empty) first starts in `haystack` at or after `start`, ASCII
/// letters compared case-insensitively. Sixteen starting positions at a time are compared with the
/// needle's first and last bytes; one that agrees with both is compared whole.
func firstMatch(of needle: [UInt8], in haystack: UnsafeRawBufferPointer, from start: Int) -> Int? {
    let m = needle.count
    let starts = haystack.count - m + 1
    guard start < starts, let base = haystack.baseAddress else { return nil }
    @inline(__always) func lower(_ b: UInt8) -> UInt8 { b &- 0x41 < 26 ? b | 0x20 : b }
    func matches(at p: Int) -> Bool {
        var k = 0
        while k < m, lower(haystack[p + k]) == needle[k] { k += 1 }
        return k == m
    }
    // `b | 0x20` is a lower-case letter's byte exactly when `b` is that letter in either case.
    func caseBit(_ b: UInt8) -> SIMD16<UInt8> { SIMD16(repeating: b &- 0x61 < 26 ? 0x20 : 0) }
    let (firstByte, firstCase) = (SIMD16<UInt8>(repeating: needle[0]), caseBit(needle[0]))
    let (lastByte, lastCase) = (SIMD16<UInt8>(repeating: needle[m - 1]), caseBit(needle[m - 1]))
    var p = start
    while p + 16 <= starts {
        let a = base.loadUnaligned(fromByteOffset: p, as: SIMD16<UInt8>.self)
        let b = base.loadUnaligned(fromByteOffset: p + m - 1, as: SIMD16<UInt8>.self)
        let candidates = ((a | firstCase) .== firstByte) .& ((b | lastCase) .== lastByte)
        // The mask's lanes are bytes of 0 or all ones: read as two words, lane k is byte k % 8.
        let words = unsafeBitCast(candidates, to: SIMD2<UInt64>.self)
        if words[0] | words[1] != 0 {
            for half in 0..<2 {
                var bits = words[half]
                while bits != 0 {
                    let q = p + half * 8 + bits.trailingZeroBitCount / 8
                    if matches(at: q) { return q }
                    bits &= ~(0xFF << UInt64(bits.trailingZeroBitCount / 8 * 8))
                }
            }
        }
        p += 16
    }
    while p < starts {
        if matches(at: p) { return p }
        p += 1
    }
    return nil
}
