import Dispatch
import Synchronization
import TraceModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension TraceLoader {
    /// Regular files of at least this many bytes are read through windows instead of whole, and
    /// decoded on every core when they are JSON Lines; smaller ones are read whole, in one pass.
    static let largeFileBytes = 4 << 20

    /// The cores a load may use (at most 8: the pieces' stores are joined on one core).
    static let loadCores = min(8, max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// A large regular file, read through a window per piece (`StreamWindow`), so that its bytes are
    /// never all in memory beside the spans stored from them. JSON Lines (the file starts with `{`)
    /// are cut at line breaks followed by `{` into one piece per core (`recordCuts`); the pieces are
    /// decoded at once, each into a store of its own, and the stores appended in input order, so the
    /// spans are stored as one pass would store them. The file is decoded in one pass instead when
    /// it is not JSON Lines, or when any piece had an error, no span, or was no OTLP: a cut inside a
    /// record shows as an error in the piece before it, and one pass reports errors with the
    /// input's own lines and offsets.
    static func decodeLargeFile(
        _ input: InputFile, head: [UInt8], name: String, into store: inout SpanStore,
        progress: ((LoadProgress) -> Void)?, cores: Int = loadCores
    ) throws -> LoadResult {
        if cores > 1, head.first == UInt8(ascii: "{"),
            let result = try decodePieces(
                input, cuts: recordCuts(input, pieces: cores), name: name, into: &store, progress: progress)
        {
            return result
        }
        return try decodeWindowed(input, from: 0, to: Int.max, name: name, into: &store, progress: progress)
    }

    /// The bytes `start..<end` of `input` (to its end at most), decoded through a window; offsets in
    /// the result and the progress count from `start`.
    static func decodeWindowed(
        _ input: InputFile, from start: Int, to end: Int, name: String, into store: inout SpanStore,
        progress: ((LoadProgress) -> Void)?
    ) throws -> LoadResult {
        var offset = start
        let window = StreamWindow(maxCapacity: max(256 << 20, input.size)) { buffer, count in
            let n = try input.readBytes(at: offset, into: buffer, count: min(count, end - offset))
            offset += n
            return n
        }
        return try decode(window: window, name: name, into: &store) { p in
            progress?(LoadProgress(bytes: p.bytes, spans: p.spans, inflated: false))
        }
    }

    /// Decodes each piece `cuts[i]..<cuts[i + 1]` on a core of its own and appends their stores to
    /// `store` in order; nil (and `store` untouched) when a piece cannot be kept as it is.
    static func decodePieces(
        _ input: InputFile, cuts: [Int], name: String, into store: inout SpanStore,
        progress: ((LoadProgress) -> Void)?
    ) throws -> LoadResult? {
        guard cuts.count > 2 else { return nil }
        let shared = SharedInput(file: input)
        let pieces = Mutex([PieceResult?](repeating: nil, count: cuts.count - 1))
        let reporter = PieceProgress(pieces: cuts.count - 1, report: progress)
        DispatchQueue.concurrentPerform(iterations: cuts.count - 1) { i in
            var pieceStore = SpanStore()
            let result = try? decodeWindowed(
                shared.file, from: cuts[i], to: cuts[i + 1], name: name, into: &pieceStore,
                progress: { reporter.update(piece: i, $0) })
            pieces.withLock { $0[i] = result.map { PieceResult(store: pieceStore, result: $0) } }
        }
        // Taken out of the lock's array, so that each piece's pools have one owner: the first piece's
        // become the store's without a copy, and each piece is freed once appended.
        var decoded = pieces.withLock { all in
            defer { all.removeAll() }
            return all.compactMap { $0 }
        }
        guard decoded.count == cuts.count - 1,
            decoded.allSatisfy({ $0.result.issues.isEmpty && $0.result.spans > 0 && $0.result.storeStatus == nil })
        else { return nil }
        var first = 0
        if store.spans.isEmpty && store.sources.isEmpty {
            swap(&store, &decoded[0].store)
            first = 1
        }
        for i in decoded.indices.dropFirst(first) {
            store.append(contentsOf: decoded[i].store)
            decoded[i].store = SpanStore()
        }
        return LoadResult(
            file: name, spans: decoded.reduce(0) { $0 + $1.result.spans },
            skippedValues: decoded.reduce(0) { $0 + $1.result.skippedValues }, issues: [], spanless: nil,
            peakInputBytes: decoded.reduce(0) { $0 + $1.result.peakInputBytes })
    }

    /// Where to cut a file into about `pieces` equal pieces: each cut is the first byte of a line that
    /// starts with `{`, within its share (a document on one line has none: it is not read through
    /// to its end looking for one). The list starts with 0 and ends with `Int.max` (the last piece
    /// reads to the end, wherever that is by then).
    static func recordCuts(_ input: InputFile, pieces: Int) throws -> [Int] {
        var cuts = [0]
        var block = [UInt8](repeating: 0, count: 1 << 16)
        for i in 1..<pieces {
            var at = max(input.size / pieces * i, cuts.last! + 1)
            let shareEnd = input.size / pieces * (i + 1)
            search: while at < shareEnd {
                // One byte more than is searched: the byte after a line break at the block's end.
                let n = try block.withUnsafeMutableBufferPointer {
                    try input.readBytes(at: at, into: $0.baseAddress!, count: $0.count)
                }
                guard n > 1 else { break }
                for j in 0..<(n - 1) where block[j] == 0x0A && block[j + 1] == UInt8(ascii: "{") {
                    cuts.append(at + j + 1)
                    break search
                }
                at += n - 1
            }
            if cuts.count == i { break }
        }
        return cuts + [Int.max]
    }
}

/// One piece's store and what its decoding said.
private struct PieceResult: Sendable {
    var store: SpanStore
    var result: LoadResult
}

/// The file the pieces are read from: `InputFile.readBytes(at:into:count:)` reads at an offset
/// (`pread`), so threads may share it.
private struct SharedInput: @unchecked Sendable {
    let file: InputFile
}

/// Adds up the pieces' progress into the input's: bytes and spans decoded so far in every piece.
/// `report` is the caller's, made for one thread; it is called under the lock only, so never at once
/// from two.
final class PieceProgress: @unchecked Sendable {
    private let latest: Mutex<[LoadProgress]>
    private let report: ((LoadProgress) -> Void)?

    init(pieces: Int, report: ((LoadProgress) -> Void)?) {
        latest = Mutex(Array(repeating: LoadProgress(bytes: 0, spans: 0, inflated: false), count: pieces))
        self.report = report
    }

    func update(piece: Int, _ progress: LoadProgress) {
        guard let report else { return }
        latest.withLock { latest in
            latest[piece] = progress
            report(
                LoadProgress(
                    bytes: latest.reduce(0) { $0 + $1.bytes }, spans: latest.reduce(0) { $0 + $1.spans },
                    inflated: false))
        }
    }
}
