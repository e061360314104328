import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Index of an interned string in a `StringTable`. 0 is always the empty string.
public typealias StrID = UInt32

/// Interns byte strings into one arena so that spans hold 4-byte ids instead of `String`s.
/// Lookup hashes the raw bytes (`hash`) in an open-addressing table: decoders intern straight from
/// the input buffer without building a `String` first.
public struct StringTable: Sendable {
    private var arena: [UInt8] = []
    private var offsets: [UInt32] = [0, 0]  // string i is arena[offsets[i]..<offsets[i+1]]
    /// 0 = empty, else the string's `tag` in the high half and its id + 1 in the low half: a probe
    /// compares tags before it reads the arena, and growing moves slots without hashing the strings
    /// again (the long ones were a rehash of every prompt on each doubling).
    private var slots: [UInt64]
    private var mask: Int

    public init() {
        slots = Array(repeating: 0, count: 1024)
        mask = 1023
        let tag = Self.tag(Self.hash(UnsafeRawBufferPointer(start: nil, count: 0)))
        slots[Int(tag) & mask] = Self.slot(tag: tag, id: 0)
    }

    public var count: Int { offsets.count - 1 }

    /// Eight bytes at a time, each word multiplied in and its high bits folded down: long values
    /// (prompts, answers) are most of the bytes interned, and a byte-at-a-time hash was a fifth of a
    /// load's time. From 32 bytes on, four words at a time in four independent chains, so that their
    /// multiplies overlap. Only slots depend on it; ids do not.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let k: UInt64 = 0x9E37_79B9_7F4A_7C15
        @inline(__always) func mix(_ h: UInt64, _ word: UInt64) -> UInt64 {
            let m = (h ^ word) &* k
            return m ^ (m >> 32)
        }
        var h = k ^ UInt64(bytes.count)
        var i = 0
        // An empty buffer may come with or without an address; both must hash alike.
        let base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        if bytes.count >= 32 {
            var lanes = (h, h &+ 1, h &+ 2, h &+ 3)
            while i + 32 <= bytes.count {
                lanes.0 = mix(lanes.0, base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                lanes.1 = mix(lanes.1, base.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
                lanes.2 = mix(lanes.2, base.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self))
                lanes.3 = mix(lanes.3, base.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self))
                i += 32
            }
            h = mix(mix(mix(lanes.0, lanes.1), lanes.2), lanes.3)
        }
        while i + 8 <= bytes.count {
            h = mix(h, base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
        }
        if i < bytes.count {
            var tail: UInt64 = 0
            for j in i..<bytes.count { tail = tail << 8 | UInt64(base.load(fromByteOffset: j, as: UInt8.self)) }
            h = mix(h, tail)
        }
        return h &* 0xBF58_476D_1CE4_E5B9
    }

    /// The 32 bits of a hash that pick its slot (`tag & mask`, for tables of up to 2³² slots).
    @inline(__always)
    static func tag(_ hash: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: hash ^ (hash >> 29)) }

    @inline(__always)
    static func slot(tag: UInt32, id: Int) -> UInt64 { UInt64(tag) << 32 | UInt64(id + 1) }

    /// The id of `bytes` if interned, else nil; `index` is then the empty slot to put it in.
    @inline(__always)
    private func find(_ bytes: UnsafeRawBufferPointer, tag: UInt32, index: inout Int) -> StrID? {
        index = Int(tag) & mask
        while true {
            let s = slots[index]
            if s == 0 { return nil }
            if UInt32(truncatingIfNeeded: s >> 32) == tag {
                let id = Int(UInt32(truncatingIfNeeded: s) - 1)
                if equals(id, bytes) { return StrID(id) }
            }
            index = (index + 1) & mask
        }
    }

    public mutating func intern(_ bytes: UnsafeRawBufferPointer) -> StrID {
        let tag = Self.tag(Self.hash(bytes))
        var i = 0
        if let id = find(bytes, tag: tag, index: &i) { return id }
        let id = offsets.count - 1
        arena.append(contentsOf: bytes)
        offsets.append(UInt32(arena.count))
        slots[i] = Self.slot(tag: tag, id: id)
        if (id + 1) * 2 > slots.count { grow() }
        return StrID(id)
    }

    public mutating func intern(_ string: String) -> StrID {
        var s = string
        return s.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    /// The ids here of every string of `other`, adding those missing (in `other`'s order): how the
    /// stores of a load's pieces are joined. Finding a string changes nothing, so the strings are
    /// looked up in two halves at once; the missing ones are then added one by one, with their hash
    /// kept from the lookup and without comparing them again (`other`'s strings are distinct).
    public mutating func intern(contentsOf other: StringTable) -> [StrID] {
        let missing = StrID.max
        var ids = [StrID](repeating: missing, count: other.count)
        var tags = [UInt32](repeating: 0, count: other.count)
        let table = self
        ids.withUnsafeMutableBufferPointer { ids in
            tags.withUnsafeMutableBufferPointer { tags in
                let out = LookupResults(ids: ids, tags: tags)
                let halves = other.count >= 50_000 ? 2 : 1
                DispatchQueue.concurrentPerform(iterations: halves) { h in
                    for id in (other.count * h / halves)..<(other.count * (h + 1) / halves) {
                        other.withBytes(StrID(id)) { bytes in
                            let tag = Self.tag(Self.hash(bytes))
                            var index = 0
                            out.tags[id] = tag
                            out.ids[id] = table.find(bytes, tag: tag, index: &index) ?? missing
                        }
                    }
                }
            }
        }
        var added = 0
        var addedBytes = 0
        for id in ids.indices where ids[id] == missing {
            added += 1
            addedBytes += other.byteCount(StrID(id))
        }
        arena.reserveCapacity(arena.count + addedBytes)
        offsets.reserveCapacity(offsets.count + added)
        while (count + added) * 2 > slots.count { grow() }
        for id in ids.indices where ids[id] == missing {
            let new = count
            other.withBytes(StrID(id)) { arena.append(contentsOf: $0) }
            offsets.append(UInt32(arena.count))
            var i = Int(tags[id]) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = Self.slot(tag: tags[id], id: new)
            ids[id] = StrID(new)
        }
        return ids
    }

    /// The id of a string already interned, without adding it.
    public func lookup(_ string: String) -> StrID? {
        var s = string
        return s.withUTF8 { buf -> StrID? in
            let bytes = UnsafeRawBufferPointer(buf)
            var i = 0
            return find(bytes, tag: Self.tag(Self.hash(bytes)), index: &i)
        }
    }

    public subscript(id: StrID) -> String {
        let a = Int(offsets[Int(id)])
        let b = Int(offsets[Int(id) + 1])
        if a == b { return "" }
        return arena.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[a..<b]), as: UTF8.self)
        }
    }

    public func byteCount(_ id: StrID) -> Int { Int(offsets[Int(id) + 1] - offsets[Int(id)]) }

    /// Calls `body` with the raw bytes of a string, without copying.
    public func withBytes<R>(_ id: StrID, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let a = Int(offsets[Int(id)])
        let b = Int(offsets[Int(id) + 1])
        return arena.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[a..<b])) }
    }

    /// Calls `body` with every string at once: the arena and the offsets, string `id` being
    /// `arena[offsets[id]..<offsets[id + 1]]`. For a pass over all strings without a call per string.
    public func withArena<R>(_ body: (UnsafeRawBufferPointer, UnsafeBufferPointer<UInt32>) -> R) -> R {
        arena.withUnsafeBytes { bytes in offsets.withUnsafeBufferPointer { body(bytes, $0) } }
    }

    private func equals(_ id: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let a = Int(offsets[id])
        let b = Int(offsets[id + 1])
        guard b - a == bytes.count else { return false }
        if bytes.count == 0 { return true }
        return arena.withUnsafeBytes { memcmpBytes($0.baseAddress! + a, bytes.baseAddress!, bytes.count) }
    }

    private mutating func grow() {
        let newCount = slots.count * 2
        var newSlots = [UInt64](repeating: 0, count: newCount)
        let newMask = newCount - 1
        for s in slots where s != 0 {
            var i = Int(truncatingIfNeeded: s >> 32) & newMask
            while newSlots[i] != 0 { i = (i + 1) & newMask }
            newSlots[i] = s
        }
        slots = newSlots
        mask = newMask
    }
}

/// Where the two halves of `intern(contentsOf:)` write: each its own entries.
private struct LookupResults: @unchecked Sendable {
    let ids: UnsafeMutableBufferPointer<StrID>
    let tags: UnsafeMutableBufferPointer<UInt32>
}

@inline(__always)
func memcmpBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool { memcmp(a, b, n) == 0 }
