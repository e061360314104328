import Foundation
import Synchronization
import TraceFormats
import TraceModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Tails a JSON Lines file that the collector's file exporter (or the Python JSON-file exporter)
/// writes, like `tail -F`: the lines already there first, then new lines as they are written. A
/// half-written last line is kept until its line break arrives (or until it has not grown for a
/// second and decodes as a whole value). When the file is replaced (rotation: another inode at the
/// path) the old file is read to its end and the new one opened from its start; when it shrinks
/// (truncation) it is read again from the start. A missing file is waited for.
public final class FileFollower: Sendable {
    public let path: String
    private let channel: IngestChannel
    private let poll: TimeInterval
    private let status = Mutex("waiting for the file")
    private let thread = OwnedThread()
    private let changes: DirectoryChanges

    public init(path: String, channel: IngestChannel, pollInterval: TimeInterval = 1) {
        self.path = path
        self.channel = channel
        self.poll = pollInterval
        changes = DirectoryChanges(of: path)
    }

    /// What the follower is doing, for the status line.
    public var state: String { status.withLock { $0 } }

    public func start() { thread.start(name: "tracetui-follow") { [self] in run() } }

    public func stop() { thread.stop { changes.wake() } }

    /// Reads what is new whenever the file's directory changes (inotify: a write, a rotation, a new
    /// file), and at least every `poll` seconds for file systems that report nothing (NFS, FUSE) and
    /// for a half-written last line's one-second rule.
    private func run() {
        var file = FollowedFile(path: path, channel: channel, shouldStop: { [thread] in thread.isStopping })
        while !thread.isStopping && !channel.isClosed {
            file.step()
            let state = file.state
            status.withLock { $0 = state }
            changes.wait(seconds: poll)
        }
        file.close()
    }
}

/// Changes in the directory of a path, from inotify, or a `wake` from another thread; without
/// inotify (or on a file system that reports nothing) `wait` waits its whole time unless woken.
final class DirectoryChanges: Sendable {
    private let inotify: Int32
    private let wakeUp: (read: Int32, write: Int32)

    init(of path: String) {
        inotify = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) == 0 {
            for end in ends { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }
        }
        wakeUp = (ends[0], ends[1])
        guard inotify >= 0 else { return }
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let events = IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB
        _ = inotify_add_watch(inotify, directory.isEmpty ? "/" : directory, UInt32(events))
    }

    deinit {
        for fd in [inotify, wakeUp.read, wakeUp.write] where fd >= 0 { close(fd) }
    }

    /// Returns when something in the directory changed, `wake` was called, or after `seconds`.
    func wait(seconds: Double) {
        var fds = [
            pollfd(fd: inotify, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeUp.read, events: Int16(POLLIN), revents: 0),
        ]
        guard poll(&fds, 2, Int32(seconds * 1000)) > 0 else { return }
        var sink = [UInt8](repeating: 0, count: 4096)
        for fd in [inotify, wakeUp.read] where fd >= 0 { while read(fd, &sink, sink.count) > 0 {} }
    }

    func wake() {
        var byte: UInt8 = 1
        _ = write(wakeUp.write, &byte, 1)
    }
}

/// One followed file: the open descriptor, how far it was read and the half-written last line.
/// A value owned by the follower's thread (tests step it directly).
struct FollowedFile {
    let path: String
    let channel: IngestChannel
    /// Asked between reads of a large file, so `stop` does not wait for the whole file.
    let shouldStop: () -> Bool
    private(set) var state = "waiting for the file"
    private var fd: Int32 = -1
    private var inode: ino_t = 0
    private var device: dev_t = 0
    private var offset: off_t = 0
    private var partial: [UInt8] = []
    private var partialSince: UInt64 = 0
    private var chunk = [UInt8](repeating: 0, count: 1 << 20)

    init(path: String, channel: IngestChannel, shouldStop: @escaping () -> Bool = { false }) {
        self.path = path
        self.channel = channel
        self.shouldStop = shouldStop
    }

    mutating func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    /// One poll: open if needed, read what is new, then notice rotation or truncation.
    mutating func step() {
        if fd < 0 && !openFile() { return }
        readAvailable()
        var atPath = stat()
        if stat(path, &atPath) != 0 {
            // Moved away and not yet replaced: keep the old file open (it may still grow).
            state = "following \(path) (moved away; waiting for a new file)"
            return
        }
        if atPath.st_ino != inode || atPath.st_dev != device {
            // Rotated: finish the old file, then start on the new one.
            readAvailable()
            flushPartial(force: true)
            close()
            state = "following \(path) (reopened after rotation)"
            _ = openFile()
            readAvailable()
            return
        }
        var info = stat()
        if fstat(fd, &info) == 0 && info.st_size < offset {
            // Truncated: read again from the start.
            lseek(fd, 0, SEEK_SET)
            offset = 0
            partial.removeAll()
            state = "following \(path) (reread after truncation)"
            readAvailable()
        }
        flushPartial(force: false)
    }

    private mutating func openFile() -> Bool {
        let f = open(path, O_RDONLY | O_CLOEXEC)
        guard f >= 0 else {
            state = "waiting for \(path): \(String(cString: strerror(errno)))"
            return false
        }
        var info = stat()
        fstat(f, &info)
        fd = f
        inode = info.st_ino
        device = info.st_dev
        offset = 0
        partial.removeAll()
        state = "following \(path)"
        return true
    }

    private mutating func readAvailable() {
        guard fd >= 0 else { return }
        while !shouldStop() {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += off_t(n)
            // Complete lines go out; the rest waits for its line break.
            var start = 0
            var lastBreak = -1
            for i in 0..<n where chunk[i] == 0x0A { lastBreak = i }
            if lastBreak >= 0 {
                var lines = partial
                lines.append(contentsOf: chunk[start...lastBreak])
                partial.removeAll(keepingCapacity: true)
                start = lastBreak + 1
                deliver(lines)
            }
            if start < n {
                partial.append(contentsOf: chunk[start..<n])
                partialSince = monotonicNanos()
            }
        }
    }

    /// A last line without its line break: decoded once it has been still for a second and reads as
    /// a whole value (a writer that ends its file without a line break), or when the file is left.
    private mutating func flushPartial(force: Bool) {
        guard !partial.isEmpty else { return }
        guard force || monotonicNanos() - partialSince > 1_000_000_000 else { return }
        var store = SpanStore()
        if let r = try? TraceLoader.decode(bytes: partial, name: path, formats: .otlpJSON, into: &store),
            r.issues.isEmpty
        {
            partial.removeAll()
            if !store.spans.isEmpty { channel.put(IngestBatch(store: store)) }
        } else if force {
            channel.count { $0.badLines += 1 }
            partial.removeAll()
        }
    }

    private func deliver(_ lines: [UInt8]) {
        var store = SpanStore()
        do {
            let r = try TraceLoader.decode(bytes: lines, name: path, formats: .otlpJSON, into: &store)
            if !r.issues.isEmpty { channel.count { $0.badLines += r.issues.count } }
        } catch {
            // A line of another format: counted, the rest of the file still followed.
            channel.count { $0.badLines += 1 }
        }
        let (rejected, _) = OTLPBatch.rejectInvalidIDs(in: &store)
        if rejected > 0 { channel.count { $0.reject(spans: rejected) } }
        if !store.spans.isEmpty { channel.put(IngestBatch(store: store)) }
    }
}
