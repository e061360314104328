#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The bytes of an input read as a stream (a gzip file inflated while it is decoded, a large file
/// read piece by piece), as a window
/// that `JSONCursor` slides forward: `refill(keeping:)` drops the bytes before the offset given, moves
/// the rest to the front and fills the window up from the source. The window grows only while the
/// bytes to keep fill it (one long string, or a JSON Lines record kept for error recovery), so memory
/// follows the largest single token rather than the size of the input.
final class StreamWindow {

    private var storage: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    /// The input offset of `storage[0]`.
    private(set) var windowOffset = 0
    private var filled = 0
    private let source: (UnsafeMutablePointer<UInt8>, Int) throws -> Int
    private var finished = false
    /// The window never grows past this; a longer token stops the input with `failure`.
    let maxCapacity: Int

    /// Why the input stopped before its end (a corrupt or truncated gzip stream, a token too long).
    private(set) var failure: String?
    /// The largest the window has been: what streaming costs in memory, whatever the input's size.
    private(set) var peakCapacity: Int
    /// Line breaks among the bytes already dropped, and the offset after the last of them.
    private(set) var droppedLineBreaks = 0
    private(set) var droppedLineStart = 0
    /// The start of the top-level value being decoded: kept in the window while it fits without
    /// growing it, so that a JSON Lines record cut short can be decoded again up to its line's end (a
    /// longer record is let go; its errors are reported where they are found).
    var recordStart: Int?

    /// `source` writes up to `count` bytes at the pointer and returns how many; 0 at the end.
    init(
        capacity: Int = 4 << 20, maxCapacity: Int = 256 << 20,
        source: @escaping (UnsafeMutablePointer<UInt8>, Int) throws -> Int
    ) {
        self.capacity = capacity
        self.maxCapacity = maxCapacity
        peakCapacity = capacity
        storage = .allocate(capacity: capacity)
        self.source = source
    }

    deinit { storage.deallocate() }

    /// The source has no more bytes: the window holds the rest of the input.
    var isFinished: Bool { finished }

    /// Where input offset 0 would be: `base[windowOffset..<end]` is readable.
    var base: UnsafePointer<UInt8> { UnsafePointer(storage) - windowOffset }
    var end: Int { windowOffset + filled }

    /// Drops the bytes before `keep` (and before `recordStart`, while that record fits), then reads
    /// more; false when nothing more can be read.
    func refill(keeping keep: Int) -> Bool {
        guard !finished, failure == nil else { return false }
        var from = min(max(keep, windowOffset), end)
        if let record = recordStart, record >= windowOffset, record < from {
            if end - record < capacity { from = record } else { recordStart = nil }
        }
        drop(from - windowOffset)
        if filled == capacity && !grow() { return false }
        do {
            let n = try source(storage + filled, capacity - filled)
            if n == 0 { finished = true }
            filled += n
            return n > 0
        } catch {
            failure = String(describing: error)
            return false
        }
    }

    private func drop(_ count: Int) {
        guard count > 0 else { return }
        var at = 0
        while at < count, let found = memchr(storage + at, 0x0A, count - at) {
            at = found.assumingMemoryBound(to: UInt8.self) - storage + 1
            droppedLineBreaks += 1
            droppedLineStart = windowOffset + at
        }
        memmove(storage, storage + count, filled - count)
        windowOffset += count
        filled -= count
    }

    private func grow() -> Bool {
        guard capacity < maxCapacity else {
            let limit = maxCapacity >= 1 << 20 ? "\(maxCapacity >> 20) MB" : "\(maxCapacity) bytes"
            failure = "a single JSON token from byte \(windowOffset) is longer than \(limit); not read further"
            return false
        }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: min(capacity * 2, maxCapacity))
        bigger.update(from: storage, count: filled)
        storage.deallocate()
        storage = bigger
        capacity = min(capacity * 2, maxCapacity)
        peakCapacity = max(peakCapacity, capacity)
        return true
    }
}
