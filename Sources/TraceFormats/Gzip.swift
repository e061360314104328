import CZlib

/// Inflates gzip (or zlib) data, including concatenated gzip members as `cat a.gz b.gz` makes.
func gunzip(_ input: [UInt8]) throws -> [UInt8] {
    var output: [UInt8] = []
    output.reserveCapacity(input.count * 4)
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
                output.append(contentsOf: chunk[0..<produced])
                if status == Z_BUF_ERROR && stream.avail_in == 0 {
                    throw GzipError(message: "truncated gzip data after \(stream.total_in) compressed bytes")
                }
                guard status == Z_OK || status == Z_STREAM_END else {
                    let reason = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                    throw GzipError(message: "corrupt gzip data at compressed byte \(consumed + Int(stream.total_in)): \(reason)")
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

struct GzipError: Error { var message: String }
