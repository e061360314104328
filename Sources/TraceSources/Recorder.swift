import Synchronization
import TraceFormats
import TraceModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Appends received batches to an OTLP JSON Lines file (one `{"resourceSpans":…}` request per line,
/// as the collector's file exporter writes), which `tracetui view` reopens. The batches stored
/// together are written with one `write` as they arrive (whole lines only, so a killed process leaves
/// whole lines behind), synced to disk at most every `syncInterval` and at the end. A failed write
/// is cut back to the last whole line; a file that ends in a partial line (a writer killed mid-line)
/// gets its line break before new lines are appended, so they stay whole.
public final class Recorder: Sendable {
    public let path: String
    private let fd: Int32
    private let syncInterval: UInt64 = 1_000_000_000
    /// Written since the last sync; when the last sync was.
    private let syncState = Mutex<(dirty: Bool, lastSync: UInt64)>((false, 0))

    public init(path: String) throws {
        self.path = path
        fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw SourceError("cannot open \(path) for recording: \(String(cString: strerror(errno)))")
        }
        var last: UInt8 = 0x0A
        if lseek(fd, -1, SEEK_END) >= 0 { _ = read(fd, &last, 1) }
        if last != 0x0A { try append([0x0A]) }
    }

    deinit { close(fd) }

    /// Appends one line per non-empty batch, all with one write.
    public func record(_ batches: [SpanStore]) throws {
        var lines: [UInt8] = []
        for batch in batches where !batch.spans.isEmpty {
            lines += OTLPJSONEncoder.encodeLine(batch)
            lines.append(0x0A)
        }
        if !lines.isEmpty { try append(lines) }
    }

    /// Syncs what was written to disk when `syncInterval` has passed since the last sync.
    public func syncIfDue() {
        let due = syncState.withLock { s in s.dirty && monotonicNanos() - s.lastSync >= syncInterval }
        if due { sync() }
    }

    /// Syncs what was written to disk now.
    public func sync() {
        syncState.withLock { s in
            s.dirty = false
            s.lastSync = monotonicNanos()
        }
        _ = fsync(fd)
    }

    /// Appends `bytes` (whole lines) or, failing, cuts the file back to where it ended before.
    private func append(_ bytes: [UInt8]) throws {
        let start = lseek(fd, 0, SEEK_END)
        try bytes.withUnsafeBytes { buf in
            var done = 0
            while done < buf.count {
                let n = write(fd, buf.baseAddress! + done, buf.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    let message = String(cString: strerror(errno))
                    if start >= 0 { _ = ftruncate(fd, start) }
                    throw SourceError("cannot write to \(path): \(message)")
                }
                done += n
            }
        }
        syncState.withLock { $0.dirty = true }
    }
}

/// A source could not start or run; the message is for the user.
public struct SourceError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
