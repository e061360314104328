import CZlib

/// Inflates gzip (or zlib) data, including concatenated gzip members as `cat a.gz b.gz` makes.
/// Stops with `GzipError.exceedsLimit` as soon as the output would pass `limit` bytes, so a small
/// compressed body cannot inflate without bound.
func gunzip(_ input: [UInt8], limit: Int = .max) throws -> [UInt8] {
    var output: [UInt8] = []
    output.reserveCapacity(min(input.count * 4, limit))
    var chunk = [UInt8](repeating: 0, count: 1 << 18)
    var stream = z_stream()
    guard tt_inflate_init_gzip(&stream) == Z_OK else { throw GzipError(message: "cannot initialise zlib") }
    defer { inflateEnd(&stream) }
    try input.withUnsafeBufferPointer { inBuf in
        var consumed = 0
        while consumed < inBuf.count {
            stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress! + consumed)
            stream.avail_in = UInt32(inBuf.count - consumed)
            var status: Int32 = Z_OK
            repeat {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(out.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return out.count - Int(stream.avail_out)
                }
                if produced > limit - output.count {
                    throw GzipError(message: "inflates to more than \(limit) bytes", exceedsLimit: true)
                }
                output.append(contentsOf: chunk[0..<produced])
                if status == Z_BUF_ERROR && stream.avail_in == 0 {
                    throw GzipError(message: "truncated gzip data after \(stream.total_in) compressed bytes")
                }
                guard status == Z_OK || status == Z_STREAM_END else {
                    let reason = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                    throw GzipError(
                        message: "corrupt gzip data at compressed byte \(consumed + Int(stream.total_in)): \(reason)")
                }
            } while status != Z_STREAM_END
            consumed = inBuf.count - Int(stream.avail_in)
            // Another gzip member may follow; trailing zero padding is ignored.
            if consumed < inBuf.count {
                if inBuf[consumed] != 0x1f { break }
                inflateReset(&stream)
            }
        }
    }
    return output
}

public struct GzipError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The data inflates past the limit given (the rest was not inflated).
    public var exceedsLimit = false
    public var description: String { message }
}

public enum Gzip {
    /// Inflates a gzip (or zlib) body, at most `limit` bytes of output (see `GzipError.exceedsLimit`).
    public static func inflate(_ input: [UInt8], limit: Int) throws -> [UInt8] {
        try gunzip(input, limit: limit)
    }
}
