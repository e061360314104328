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
    /// never all in memory beside the spans stored from them. It is cut into one piece per core, the
    /// pieces decoded at once, each into a store of its own, and the stores appended in input order,
    /// so the spans are stored as one pass would store them:
    /// - JSON Lines (a line break followed by `{` in the first bytes) at such line breaks (`recordCuts`);
    /// - a single document `{"resourceSpans":[…]}` between the elements of that array (`documentCuts`);
    ///   if it cannot be (a JSON Lines file whose first line is long, say), at line breaks.
    ///
    /// The file is decoded in one pass instead when any piece had an error, no span, or was no OTLP:
    /// a cut inside a record or an element shows as an error in the piece before it, and one pass
    /// reports errors with the input's own lines and offsets.
    static func decodeLargeFile(
        _ input: InputFile, head: [UInt8], name: String, into store: inout SpanStore,
        progress: ((LoadProgress) -> Void)?, cores: Int = loadCores
    ) throws -> LoadResult {
        if cores > 1 {
            if !hasRecordBreak(head), opensDocument(head),
                let result = try decodePieces(
                    input, cuts: documentCuts(input, pieces: cores), shape: .documentElements, name: name,
                    into: &store, progress: progress)
            {
                return result
            }
            if head.first == UInt8(ascii: "{"),
                let result = try decodePieces(
                    input, cuts: recordCuts(input, pieces: cores), shape: .records, name: name, into: &store,
                    progress: progress)
            {
                return result
            }
        }
        return try decodeWindowed(input, from: 0, to: Int.max, name: name, into: &store, progress: progress)
    }

    /// A window over the bytes `start..<end` of `input` (to its end at most), read with `pread`.
    static func window(over input: InputFile, from start: Int, to end: Int) -> StreamWindow {
        var offset = start
        return StreamWindow(maxCapacity: max(256 << 20, input.size)) { buffer, count in
            let n = try input.readBytes(at: offset, into: buffer, count: min(count, end - offset))
            offset += n
            return n
        }
    }

    /// The bytes `start..<end` of `input` (to its end at most), decoded through a window; offsets in
    /// the result and the progress count from `start`.
    static func decodeWindowed(
        _ input: InputFile, from start: Int, to end: Int, name: String, into store: inout SpanStore,
        progress: ((LoadProgress) -> Void)?
    ) throws -> LoadResult {
        let window = window(over: input, from: start, to: end)
        return try decode(window: window, name: name, into: &store) { p in
            progress?(LoadProgress(bytes: p.bytes, spans: p.spans, inflated: false))
        }
    }

    /// A piece `start..<end` of a document cut by `documentCuts`, decoded through a window (see
    /// `OTLPJSONDecoder.decodeDocumentPiece`); offsets in the result and the progress count from `start`.
    static func decodeDocumentPiece(
        _ input: InputFile, from start: Int, to end: Int, opens: Bool, closes: Bool, name: String,
        into store: inout SpanStore, keepGoing: () -> Bool, progress: ((LoadProgress) -> Void)?
    ) throws -> LoadResult {
        let window = window(over: input, from: start, to: end)
        let source = UInt32(store.sources.count)
        store.sources.append(name)
        var decoder = OTLPJSONDecoder(cursor: JSONCursor(stream: window), source: source, readsForeignJSON: false)
        decoder.progress = { p in progress?(LoadProgress(bytes: p.bytes, spans: p.spans, inflated: false)) }
        swap(&decoder.store, &store)
        defer { swap(&decoder.store, &store) }
        try decoder.decodeDocumentPiece(opens: opens, closes: closes, keepGoing: keepGoing)
        if let failure = window.failure { throw LoadError.unreadable(file: name, reason: failure) }
        return LoadResult(
            file: name, spans: decoder.spansDecoded, skippedValues: 0, issues: [], spanless: nil,
            peakInputBytes: window.peakCapacity)
    }

    /// How a file is cut into pieces.
    enum PieceShape {
        /// At line breaks followed by `{`: each piece is JSON Lines.
        case records
        /// Between the elements of a document's `resourceSpans` array.
        case documentElements
    }

    /// Decodes each piece `cuts[i]..<cuts[i + 1]` on a core of its own and appends their stores to
    /// `store` in order; nil (and `store` untouched) when a piece cannot be kept as it is.
    static func decodePieces(
        _ input: InputFile, cuts: [Int], shape: PieceShape, name: String, into store: inout SpanStore,
        progress: ((LoadProgress) -> Void)?
    ) throws -> LoadResult? {
        guard cuts.count > 2 else { return nil }
        let shared = SharedInput(file: input)
        let pieces = Mutex([PieceResult?](repeating: nil, count: cuts.count - 1))
        let failed = Atomic(false)
        let reporter = PieceProgress(pieces: cuts.count - 1, report: progress)
        // The first piece's store becomes the input's when nothing was loaded before: room for all.
        let firstHoldsAll = store.spans.isEmpty && store.sources.isEmpty
        let size = input.size
        DispatchQueue.concurrentPerform(iterations: cuts.count - 1) { i in
            var pieceStore = SpanStore()
            let end = i == 0 && firstHoldsAll ? size : min(cuts[i + 1], size)
            pieceStore.reserveCapacity(forJSONBytes: end - cuts[i])
            let result: LoadResult?
            switch shape {
            case .records:
                result = try? decodeWindowed(
                    shared.file, from: cuts[i], to: cuts[i + 1], name: name, into: &pieceStore,
                    progress: { reporter.update(piece: i, $0) })
            case .documentElements:
                result = try? decodeDocumentPiece(
                    shared.file, from: cuts[i], to: cuts[i + 1], opens: i == 0, closes: i == cuts.count - 2,
                    name: name, into: &pieceStore, keepGoing: { !failed.load(ordering: .relaxed) },
                    progress: { reporter.update(piece: i, $0) })
            }
            guard let result, result.issues.isEmpty, result.spans > 0, result.storeStatus == nil else {
                failed.store(true, ordering: .relaxed)
                return
            }
            pieces.withLock { $0[i] = PieceResult(store: pieceStore, result: result) }
        }
        // Taken out of the lock's array, so that each piece's pools have one owner: the first piece's
        // become the store's without a copy, and each piece is freed once appended.
        var decoded = pieces.withLock { all in
            defer { all.removeAll() }
            return all.compactMap { $0 }
        }
        guard decoded.count == cuts.count - 1 else { return nil }
        var first = 0
        if firstHoldsAll {
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

    /// Whether `bytes` hold a line break followed by `{`: the end of a JSON Lines record.
    static func hasRecordBreak(_ bytes: [UInt8]) -> Bool {
        bytes.indices.dropLast().contains { bytes[$0] == 0x0A && bytes[$0 + 1] == UInt8(ascii: "{") }
    }

    /// Whether `head` opens a document with its `resourceSpans` (or Tempo's `batches`) array:
    /// `{"resourceSpans":[`, whitespace allowed.
    static func opensDocument(_ head: [UInt8]) -> Bool {
        var i = 0
        func skipWhitespace() {
            while i < head.count, [0x20, 0x0A, 0x0D, 0x09].contains(head[i]) { i += 1 }
        }
        func take(_ text: String) -> Bool {
            skipWhitespace()
            guard head[i...].starts(with: text.utf8) else { return false }
            i += text.utf8.count
            return true
        }
        return take("{") && (take(#""resourceSpans""#) || take(#""batches""#)) && take(":") && take("[")
    }

    /// Where to cut a document `{"resourceSpans":[…]}` into about `pieces` pieces: each cut is the first
    /// `{` within its share that is followed by `"resource"` and `:` (whitespace allowed). Such a `{`
    /// is never inside a string (the unescaped `"` after it would end the string, and a string is
    /// not followed by a letter), so it opens an object whose first key is `resource`: in OTLP JSON,
    /// an element of `resourceSpans`. Whether it is one is for the pieces' decoding to check
    /// (`OTLPJSONDecoder.decodeDocumentPiece`). The list starts with 0 and ends with `Int.max`.
    static func documentCuts(_ input: InputFile, pieces: Int) throws -> [Int] {
        let key = Array(#""resource""#.utf8)
        let margin = 64  // bytes around each place looked at, for the whitespace around the key
        func isWhitespace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }
        var cuts = [0]
        var block = [UInt8](repeating: 0, count: 1 << 16)
        for i in 1..<pieces {
            // Blocks overlap by twice the margin; each looks at the places at least `margin` bytes
            // from both its edges, so every place is looked at once, with its surroundings read.
            var at = max(input.size / pieces * i - margin, cuts.last! + 1, 0)
            let shareEnd = input.size / pieces * (i + 1)
            search: while at + margin < shareEnd {
                let n = try block.withUnsafeMutableBufferPointer {
                    try input.readBytes(at: at, into: $0.baseAddress!, count: $0.count)
                }
                guard n > 2 * margin else { break }
                for j in margin..<(n - margin) where block[j] == key[0] {
                    guard block[j..<(j + key.count)].elementsEqual(key) else { continue }
                    var after = j + key.count
                    while after < n - 1 && isWhitespace(block[after]) { after += 1 }
                    var before = j - 1
                    while before > 0 && isWhitespace(block[before]) { before -= 1 }
                    if block[after] == UInt8(ascii: ":") && block[before] == UInt8(ascii: "{")
                        && at + before > cuts.last!
                    {
                        cuts.append(at + before)
                        break search
                    }
                }
                at += n - 2 * margin
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
