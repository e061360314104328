#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An input file (or standard input) open for reading: its first bytes are read to recognise its
/// format, then the rest whole (plain JSON) or piece by piece (gzip, inflated as it is decoded).
final class InputFile {
    private let fd: Int32
    let name: String
    /// The size `fstat` gave; 0 when unknown.
    let size: Int
    /// A regular file, which can be read at any offset (`readBytes(at:into:count:)`), from several threads.
    let isRegular: Bool

    init(path: String, name: String) throws {
        fd = path == "-" ? 0 : open(path, O_RDONLY)
        self.name = name
        guard fd >= 0 else { throw LoadError.unreadable(file: name, reason: String(cString: strerror(errno))) }
        var info = stat()
        let known = fstat(fd, &info) == 0
        if known && (info.st_mode & S_IFMT) == S_IFDIR {
            if fd != 0 { close(fd) }
            throw LoadError.unreadable(file: name, reason: "is a directory")
        }
        size = known ? Int(info.st_size) : 0
        isRegular = known && (info.st_mode & S_IFMT) == S_IFREG
    }

    deinit { if fd != 0 { close(fd) } }

    /// Up to `count` bytes (fewer only at the end of the input).
    func next(atMost count: Int) throws -> [UInt8] {
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buf, filled in
            filled = fill(buf.baseAddress!, from: 0, to: count, failure: &failure)
        }
        if failure != 0 { throw LoadError.unreadable(file: name, reason: String(cString: strerror(failure))) }
        return bytes
    }

    /// `head` followed by the rest of the input. Reads straight into the array's storage (no chunk
    /// copies); grows when the size was unknown (stdin, pipes) or the file grew while being read.
    func readAll(after head: [UInt8]) throws -> [UInt8] {
        var bytes = head
        var capacity = max(size + 1, head.count + 1, 1 << 16)
        while true {
            if bytes.count == capacity { capacity *= 2 }
            let used = bytes.count
            var failure: Int32 = 0
            var ended = false
            bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buf, count in
                if used > 0 { _ = bytes.withUnsafeBufferPointer { memcpy(buf.baseAddress!, $0.baseAddress!, used) } }
                count = fill(buf.baseAddress!, from: used, to: capacity, failure: &failure)
                ended = count < capacity
            }
            if failure != 0 { throw LoadError.unreadable(file: name, reason: String(cString: strerror(failure))) }
            if ended { return bytes }
        }
    }

    /// Up to `count` bytes from `offset` into `buffer`, without moving the file's position; fewer only at
    /// the end of the file.
    func readBytes(at offset: Int, into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        var done = 0
        while done < count {
            let n = pread(fd, buffer + done, count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw LoadError.unreadable(file: name, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Reads into `buffer[from..<to]` until it is full or the input ends; returns the new fill level.
    private func fill(_ buffer: UnsafeMutablePointer<UInt8>, from: Int, to: Int, failure: inout Int32) -> Int {
        var count = from
        while count < to {
            let n = read(fd, buffer + count, to - count)
            if n < 0 {
                if errno == EINTR { continue }
                failure = errno
                return count
            }
            if n == 0 { return count }
            count += n
        }
        return count
    }
}
