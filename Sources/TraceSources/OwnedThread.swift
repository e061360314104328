import Foundation
import Synchronization

/// A thread that runs one body until asked to stop, and a `stop` that waits for it to end: the shape
/// of the session's store thread and of each follower's thread.
final class OwnedThread: Sendable {
    private let state = Mutex<(started: Bool, stopping: Bool)>((false, false))
    private let done = DispatchSemaphore(value: 0)

    /// Runs `body` on a new thread named `name`; `body` returns once `isStopping` says so.
    func start(name: String, _ body: @escaping @Sendable () -> Void) {
        state.withLock { $0.started = true }
        let thread = Thread { [done] in
            body()
            done.signal()
        }
        thread.name = name
        thread.start()
    }

    var isStopping: Bool { state.withLock { $0.stopping } }

    /// Asks the body to end, calls `wake` so a waiting body notices, and waits for it (at once when it
    /// never started or was stopped already).
    func stop(wake: () -> Void) {
        let running = state.withLock { s in
            defer { s.stopping = true }
            return s.started && !s.stopping
        }
        wake()
        if running { done.wait() }
    }
}
