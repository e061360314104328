import Synchronization
import TraceUI

#if canImport(Glibc)
    import Glibc
#endif

/// Messages other threads post to the UI loop (live data, status). Posting queues the message and
/// writes a byte to a pipe the loop waits on together with the keyboard, so the loop sleeps until
/// there is something to do. Only the newest data and the newest status line matter: a queued one
/// is replaced rather than followed.
public final class Inbox: Sendable {
    private let queue = Mutex<[Msg]>([])
    private let pipe: WakePipe

    public init() throws { pipe = try WakePipe() }

    /// The descriptor that becomes readable when messages wait.
    var fd: Int32 { pipe.readEnd }

    public func post(_ msg: Msg) {
        let wasEmpty = queue.withLock { queue in
            let wasEmpty = queue.isEmpty
            queue.removeAll { Inbox.supersedes(msg, $0) }
            queue.append(msg)
            return wasEmpty
        }
        // One byte per wake-up is enough: the loop takes every waiting message when it wakes.
        if wasEmpty { pipe.wake() }
    }

    /// Every waiting message, oldest first.
    func take() -> [Msg] {
        pipe.drain()
        return queue.withLock { queue in
            defer { queue.removeAll(keepingCapacity: true) }
            return queue
        }
    }

    private static func supersedes(_ new: Msg, _ old: Msg) -> Bool {
        switch (new, old) {
        case (.liveData, .liveData), (.liveStatus, .liveStatus): return true
        default: return false
        }
    }
}

/// A non-blocking pipe whose read end a `poll` waits on: writing a byte wakes the waiter.
final class WakePipe: Sendable {
    let readEnd: Int32
    let writeEnd: Int32

    init() throws {
        var ends: [Int32] = [-1, -1]
        guard Glibc.pipe(&ends) == 0 else {
            throw TerminalError(description: "cannot create the UI's wake-up pipe: \(String(cString: strerror(errno)))")
        }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    /// A full pipe is fine: the waiter is woken already.
    func wake() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    func drain() {
        var sink = [UInt8](repeating: 0, count: 64)
        while read(readEnd, &sink, sink.count) > 0 {}
    }
}
