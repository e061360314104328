import Foundation
import TraceModel

/// What the status line shows.
public struct LiveStatus: Sendable, Equatable {
    public var counters = IngestCounters()
    /// Spans and traces in the store now.
    public var spansHeld = 0
    public var tracesHeld = 0
    /// Spans received per second over the last couple of seconds.
    public var spansPerSecond = 0.0
    public var evictedTraces = 0
    public var evictedSpans = 0
    /// The last recording error, if recording stopped.
    public var recordError: String?
    public init() {}

    /// One line: received, held, rate, and everything not kept as sent.
    public var line: String {
        var parts = ["\(counters.receivedSpans) spans received", "\(tracesHeld) traces held",
                     "\(Int(spansPerSecond.rounded())) spans/s"]
        var lost: [String] = []
        if evictedTraces > 0 { lost.append("\(evictedTraces) traces evicted (\(evictedSpans) spans)") }
        if counters.rejectedSpans > 0 { lost.append("\(counters.rejectedSpans) spans rejected") }
        if counters.refusedRequests > 0 { lost.append("\(counters.refusedRequests) requests refused (busy, retried by the client)") }
        if counters.badRequests > 0 { lost.append("\(counters.badRequests) bad requests") }
        if counters.badLines > 0 { lost.append("\(counters.badLines) bad lines") }
        if lost.isEmpty { lost.append("0 dropped") }
        parts += lost
        if let e = recordError { parts.append("recording stopped: \(e)") }
        return parts.joined(separator: " · ")
    }
}

/// The live store and its one owner: a thread that takes batches from the `IngestChannel`, records
/// them (`--record`), appends them to the store and evicts the least recently active whole traces
/// past `maxSpans`. Readers take snapshots (`snapshot(after:)`), which share the store's storage
/// until the next change.
public final class LiveSession: @unchecked Sendable {
    public let channel: IngestChannel
    public let maxSpans: Int
    private let recorder: Recorder?

    private let lock = NSLock()
    private var store = SpanStore()
    private var generation: UInt64 = 0
    private var status = LiveStatus()
    private var rateSamples: [(time: UInt64, received: Int)] = []

    // Owned by the pump thread.
    private var traces: [TraceID: (spans: Int, lastActive: UInt64)] = [:]
    private var sequence: UInt64 = 0

    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)
    private var stopping = false

    public init(maxSpans: Int, record: String? = nil, channel: IngestChannel = IngestChannel()) throws {
        self.maxSpans = max(1, maxSpans)
        self.channel = channel
        recorder = try record.map { try Recorder(path: $0) }
    }

    public func start() {
        let t = Thread { [self] in pump() }
        t.name = "tracetui-store"
        thread = t
        t.start()
    }

    /// Closes the channel, stores and records what was still waiting, and stops the owner thread.
    public func stop() {
        guard thread != nil else { return }
        lock.lock(); stopping = true; lock.unlock()
        channel.close()
        done.wait()
        thread = nil
    }

    /// The store, when it changed since `generation` (pass 0 the first time).
    public func snapshot(after generation: UInt64) -> (store: SpanStore, generation: UInt64)? {
        lock.lock(); defer { lock.unlock() }
        return self.generation > generation ? (store, self.generation) : nil
    }

    public var currentStatus: LiveStatus {
        lock.lock(); defer { lock.unlock() }
        var s = status
        s.counters = channel.snapshot
        return s
    }

    private func pump() {
        while true {
            let batches = channel.drain(timeout: 0.1)
            if !batches.isEmpty { absorb(batches) }
            sampleRate()
            lock.lock(); let stop = stopping; lock.unlock()
            if stop && batches.isEmpty && channel.isClosed {
                let rest = channel.drain(timeout: 0)
                if !rest.isEmpty { absorb(rest) }
                break
            }
        }
        done.signal()
    }

    private func absorb(_ batches: [IngestBatch]) {
        var recordError: String? = nil
        if let recorder {
            lock.lock(); let failed = status.recordError != nil; lock.unlock()
            if !failed {
                for b in batches {
                    do { try recorder.record(b.store) } catch { recordError = String(describing: error); break }
                }
            }
        }
        lock.lock()
        for b in batches {
            sequence += 1
            for s in b.store.spans {
                traces[s.traceID, default: (0, 0)].spans += 1
                traces[s.traceID]!.lastActive = sequence
            }
            store.append(contentsOf: b.store)
        }
        if let recordError { status.recordError = recordError }
        lock.unlock()
        if store.spans.count > maxSpans { evict() }
        lock.lock()
        status.spansHeld = store.spans.count
        status.tracesHeld = traces.count
        generation += 1
        lock.unlock()
    }

    /// Drops the least recently active whole traces until the store is at 90% of `maxSpans`, so
    /// eviction (a compaction of the store) happens once per 10% of new spans, not on every batch.
    private func evict() {
        let target = maxSpans - maxSpans / 10
        var excess = store.spans.count - target
        var victims = Set<TraceID>()
        var evictedSpans = 0
        for (id, info) in traces.sorted(by: { $0.value.lastActive < $1.value.lastActive }) {
            if excess <= 0 { break }
            victims.insert(id)
            excess -= info.spans
            evictedSpans += info.spans
        }
        let compacted = store.compacted { !victims.contains(store.spans[$0].traceID) }
        lock.lock()
        store = compacted
        for id in victims { traces[id] = nil }
        status.evictedTraces += victims.count
        status.evictedSpans += evictedSpans
        lock.unlock()
    }

    private func sampleRate() {
        let now = monotonicNanos()
        let received = channel.snapshot.receivedSpans
        lock.lock(); defer { lock.unlock() }
        rateSamples.append((now, received))
        while let first = rateSamples.first, now - first.time > 2_000_000_000 { rateSamples.removeFirst() }
        if let first = rateSamples.first, now > first.time, rateSamples.count > 1 {
            status.spansPerSecond = Double(received - first.received) / (Double(now - first.time) / 1e9)
        } else {
            status.spansPerSecond = 0
        }
    }
}
