import CZlib

/// Inflates gzip (or zlib) data piece by piece, including concatenated gzip members as
/// `cat a.gz b.gz` makes; trailing bytes that do not start another member (zero padding) are ignored.
/// The compressed bytes come from `input` and, when it runs dry, from `readMore` (which replaces
/// them with the next piece and returns false at the end), so neither side needs to be whole in memory.
final class Inflater {
    private var stream = z_stream()
    private var input: [UInt8]
    private var used = 0
    /// Compressed bytes consumed before the current `input`.
    private var consumedBefore = 0
    private let readMore: (inout [UInt8]) throws -> Bool
    private var memberEnded = false
    private var ended = false

    init(input: [UInt8], readMore: @escaping (inout [UInt8]) throws -> Bool = { _ in false }) throws {
        self.input = input
        self.readMore = readMore
        guard tt_inflate_init_gzip(&stream) == Z_OK else { throw GzipError(message: "cannot initialise zlib") }
    }

    deinit { inflateEnd(&stream) }

    /// Writes up to `capacity` inflated bytes at `out`; returns how many, 0 at the end of the data.
    func inflate(into out: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        var produced = 0
        while produced == 0 && !ended {
            if used == input.count {
                consumedBefore += input.count
                used = 0
                guard try readMore(&input), !input.isEmpty else {
                    if memberEnded {
                        ended = true
                        return 0
                    }
                    throw GzipError(message: "truncated gzip data after \(consumedBefore) compressed bytes")
                }
            }
            if memberEnded {
                // Another gzip member may follow.
                guard input[used] == 0x1f else {
                    ended = true
                    return 0
                }
                inflateReset(&stream)
                memberEnded = false
            }
            let status: Int32 = input.withUnsafeMutableBufferPointer { inBuf in
                stream.next_in = inBuf.baseAddress! + used
                stream.avail_in = UInt32(inBuf.count - used)
                stream.next_out = out + produced
                stream.avail_out = UInt32(capacity - produced)
                let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                used = inBuf.count - Int(stream.avail_in)
                produced = capacity - Int(stream.avail_out)
                return status
            }
            if status == Z_STREAM_END {
                memberEnded = true
            } else if status != Z_OK && !(status == Z_BUF_ERROR && used == input.count) {
                let reason = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                throw GzipError(message: "corrupt gzip data at compressed byte \(consumedBefore + used): \(reason)")
            }
        }
        return produced
    }
}

public struct GzipError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The data inflates past the limit given (the rest was not inflated).
    public var exceedsLimit = false
    public var description: String { message }
}

public enum Gzip {
    /// Inflates a gzip (or zlib) body whole. Stops with `GzipError.exceedsLimit` as soon as the output
    /// would pass `limit` bytes, so a small compressed body cannot inflate without bound.
    public static func inflate(_ input: [UInt8], limit: Int) throws -> [UInt8] {
        if input.isEmpty { return [] }
        let inflater = try Inflater(input: input)
        var output: [UInt8] = []
        output.reserveCapacity(min(input.count * 4, limit))
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        while true {
            let produced = try chunk.withUnsafeMutableBufferPointer {
                try inflater.inflate(into: $0.baseAddress!, capacity: $0.count)
            }
            if produced == 0 { return output }
            if produced > limit - output.count {
                throw GzipError(message: "inflates to more than \(limit) bytes", exceedsLimit: true)
            }
            output.append(contentsOf: chunk[0..<produced])
        }
    }
}
