import TraceFormats
import TraceModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Appends received batches to an OTLP JSON Lines file (one `{"resourceSpans":…}` request per line,
/// as the collector's file exporter writes), which `tracetui view` reopens. Each line is written
/// with one `write` as it arrives, so a killed process leaves whole lines behind.
public final class Recorder: Sendable {
    public let path: String
    private let fd: Int32

    public init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw SourceError("cannot open \(path) for recording: \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(fd) }

    public func record(_ batch: SpanStore) throws {
        guard !batch.spans.isEmpty else { return }
        var line = OTLPJSONEncoder.encodeLine(batch)
        line.append(0x0A)
        try line.withUnsafeBytes { buf in
            var done = 0
            while done < buf.count {
                let n = write(fd, buf.baseAddress! + done, buf.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw SourceError("cannot write to \(path): \(String(cString: strerror(errno)))")
                }
                done += n
            }
        }
    }
}

/// A source could not start or run; the message is for the user.
public struct SourceError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
