import Foundation
import TraceModel

/// Spans decoded by one receiver call (one request, or the new lines of a followed file), on their
/// way to the session's store.
public struct IngestBatch: Sendable {
    public var store: SpanStore
    public init(store: SpanStore) { self.store = store }
    public var spanCount: Int { store.spans.count }
}

/// Counters every source adds to, read for the status line. Span counters obey one identity (see
/// `SpanAccounting`): every span received is stored, evicted, rejected, refused, or still waiting.
public struct IngestCounters: Sendable, Equatable {
    /// Spans in every decodable request or followed line: accepted, rejected or refused.
    public var receivedSpans = 0
    /// Spans taken into the channel (answered 200 / OK); the rest of `receivedSpans` was rejected or
    /// refused.
    public var acceptedSpans = 0
    /// Export requests (or follow reads) that delivered spans.
    public var batches = 0
    /// Spans refused for invalid ids (answered with partialSuccess).
    public var rejectedSpans = 0
    /// Requests answered 400/413/415 (undecodable, too large, wrong type); their spans are unknown.
    public var badRequests = 0
    /// Requests answered 503 / UNAVAILABLE because the store could not keep up; the client retries.
    public var refusedRequests = 0
    public var refusedSpans = 0
    /// Requests answered 401 / UNAUTHENTICATED (no or a wrong `--auth-token`); their spans are unknown.
    public var unauthorizedRequests = 0
    /// Requests cut off for being too slow: an HTTP head or body past its deadline (408, connection
    /// closed), a gRPC request message not whole in time (DEADLINE_EXCEEDED).
    public var timedOutRequests = 0
    /// Requests whose client went away before the body ended; nothing of them is stored.
    public var abandonedRequests = 0
    /// Lines of followed files that could not be decoded.
    public var badLines = 0
    public init() {}

    /// Spans received and rejected for invalid ids, counted together so the identity holds throughout.
    public mutating func reject(spans: Int) {
        receivedSpans += spans
        rejectedSpans += spans
    }
}

/// The one channel from the receivers (NIO and gRPC threads, file followers) to the store owner.
/// Bounded by the number of spans waiting: offered and not stored yet, whether still in the channel
/// or drained and being stored (`markStored` ends their wait), so `capacity` bounds everything between
/// the receivers and the store. When full, `offer` refuses at once (receivers answer 503 / UNAVAILABLE
/// with a retry hint, so nothing is dropped silently) and `put` waits (a followed file is simply read
/// later).
/// `@unchecked`: blocking `put` and `drain` need a condition variable, which `Mutex` lacks; every
/// mutable field is read and written only while `condition` is locked.
public final class IngestChannel: @unchecked Sendable {
    private let condition = NSCondition()
    private var pending: [IngestBatch] = []
    private var waitingSpans = 0
    private var closed = false
    private var counters = IngestCounters()
    /// Spans that may wait in the channel; a batch larger than this is still taken when none wait.
    public let capacity: Int

    public init(capacity: Int = 250_000) { self.capacity = capacity }

    /// Hands a batch over without waiting. False when the channel is full (or closed): the caller
    /// asks its client to retry later.
    public func offer(_ batch: IngestBatch) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if closed || (waitingSpans > 0 && waitingSpans + batch.spanCount > capacity) {
            counters.receivedSpans += batch.spanCount
            counters.refusedRequests += 1
            counters.refusedSpans += batch.spanCount
            return false
        }
        enqueue(batch)
        return true
    }

    /// Hands a batch over, waiting while the channel is full. False when the channel closed first.
    @discardableResult
    public func put(_ batch: IngestBatch) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !closed && waitingSpans > 0 && waitingSpans + batch.spanCount > capacity { condition.wait() }
        if closed { return false }
        enqueue(batch)
        return true
    }

    private func enqueue(_ batch: IngestBatch) {
        pending.append(batch)
        waitingSpans += batch.spanCount
        counters.receivedSpans += batch.spanCount
        counters.acceptedSpans += batch.spanCount
        counters.batches += 1
        condition.broadcast()
    }

    /// Takes every batch in the channel; waits up to `timeout` seconds for one when none is there.
    /// Their spans go on counting as waiting until `markStored`.
    public func drain(timeout: TimeInterval) -> [IngestBatch] {
        condition.lock()
        defer { condition.unlock() }
        if pending.isEmpty && !closed { _ = condition.wait(until: Date().addingTimeInterval(timeout)) }
        let out = pending
        pending.removeAll(keepingCapacity: true)
        return out
    }

    /// Drained spans are in the store now: they stop counting against the capacity.
    public func markStored(spans: Int) {
        condition.lock()
        waitingSpans -= spans
        condition.broadcast()
        condition.unlock()
    }

    /// Refuses everything from now on and wakes every waiter.
    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    public var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }

    public func count(_ update: (inout IngestCounters) -> Void) {
        condition.lock()
        update(&counters)
        condition.unlock()
    }

    public var snapshot: IngestCounters {
        condition.lock()
        defer { condition.unlock() }
        return counters
    }

    /// The counters and the spans offered but not stored yet, read together.
    public var snapshotWithWaiting: (counters: IngestCounters, waitingSpans: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (counters, waitingSpans)
    }
}

/// Monotonic time in nanoseconds.
func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
