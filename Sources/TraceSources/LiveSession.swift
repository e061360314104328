import Foundation
import Synchronization
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
        var parts = [
            "\(counters.receivedSpans) spans received", "\(tracesHeld) traces held",
            "\(Int(spansPerSecond.rounded())) spans/s",
        ]
        var lost: [String] = []
        if evictedTraces > 0 { lost.append("\(evictedTraces) traces evicted (\(evictedSpans) spans)") }
        if counters.rejectedSpans > 0 { lost.append("\(counters.rejectedSpans) spans rejected") }
        if counters.refusedRequests > 0 {
            lost.append("\(counters.refusedRequests) requests refused (busy, retried by the client)")
        }
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
/// until the next change. `onChange` is called on the owner thread after every new generation and,
/// at most every `statusInterval`, when the status changed without new spans (the rate decays,
/// requests are refused): live readers wait for it instead of polling.
public final class LiveSession: Sendable {
    public let channel: IngestChannel
    public let maxSpans: Int
    private let recorder: Recorder?
    private let statusInterval: UInt64 = 250_000_000

    /// What readers see, changed only by the owner thread.
    private struct Published {
        var store = SpanStore()
        var generation: UInt64 = 0
        var status = LiveStatus()
    }
    private let published = Mutex(Published())
    private let thread = OwnedThread()

    public init(maxSpans: Int, record: String? = nil, channel: IngestChannel = IngestChannel()) throws {
        self.maxSpans = max(1, maxSpans)
        self.channel = channel
        recorder = try record.map { try Recorder(path: $0) }
    }

    /// Starts the owner thread; `onChange` is called on it when readers have something new.
    public func start(onChange: @escaping @Sendable () -> Void = {}) {
        thread.start(name: "tracetui-store") { [self] in pump(onChange: onChange) }
    }

    /// Closes the channel, stores and records what was still waiting, and stops the owner thread.
    public func stop() {
        thread.stop { channel.close() }
    }

    /// The store, when it changed since `generation` (pass 0 the first time).
    public func snapshot(after generation: UInt64) -> (store: SpanStore, generation: UInt64)? {
        published.withLock { p in p.generation > generation ? (p.store, p.generation) : nil }
    }

    public var currentStatus: LiveStatus {
        var s = published.withLock { $0.status }
        s.counters = channel.snapshot
        return s
    }

    /// State only the owner thread touches: how many spans each trace holds and when it was last active.
    private struct OwnerState {
        var traces: [TraceID: (spans: Int, lastActive: UInt64)] = [:]
        var sequence: UInt64 = 0
        var rate = RateMeter()
        var lastStatus = LiveStatus()
        var lastStatusTime: UInt64 = 0
    }

    private func pump(onChange: @Sendable () -> Void) {
        var owner = OwnerState()
        while true {
            let batches = channel.drain(timeout: 0.1)
            if !batches.isEmpty { absorb(batches, &owner) }
            let rate = owner.rate.sample(received: channel.snapshot.receivedSpans)
            published.withLock { $0.status.spansPerSecond = rate }
            if !batches.isEmpty || statusChanged(&owner) { onChange() }
            if thread.isStopping && batches.isEmpty && channel.isClosed {
                let rest = channel.drain(timeout: 0)
                if !rest.isEmpty {
                    absorb(rest, &owner)
                    onChange()
                }
                break
            }
        }
    }

    /// True at most every `statusInterval` when the status differs from the last one announced.
    private func statusChanged(_ owner: inout OwnerState) -> Bool {
        let now = monotonicNanos()
        guard now - owner.lastStatusTime >= statusInterval else { return false }
        let status = currentStatus
        guard status != owner.lastStatus else { return false }
        owner.lastStatus = status
        owner.lastStatusTime = now
        return true
    }

    private func absorb(_ batches: [IngestBatch], _ owner: inout OwnerState) {
        if let recorder, published.withLock({ $0.status.recordError == nil }) {
            for b in batches {
                do { try recorder.record(b.store) } catch {
                    let message = String(describing: error)
                    published.withLock { $0.status.recordError = message }
                    break
                }
            }
        }
        for b in batches {
            owner.sequence += 1
            for s in b.store.spans {
                owner.traces[s.traceID, default: (0, 0)].spans += 1
                owner.traces[s.traceID]!.lastActive = owner.sequence
            }
        }
        // Appended under the lock, in place: a copy happens only while a reader holds a snapshot.
        var held = published.withLock { p in
            for b in batches { p.store.append(contentsOf: b.store) }
            return p.store.spans.count
        }
        var evicted = (traces: 0, spans: 0)
        if held > maxSpans {
            let store = published.withLock { $0.store }
            let (compacted, traces, spans) = evict(store, &owner)
            published.withLock { $0.store = compacted }
            held = compacted.spans.count
            evicted = (traces, spans)
        }
        let traceCount = owner.traces.count
        published.withLock { [held] p in
            p.status.spansHeld = held
            p.status.tracesHeld = traceCount
            p.status.evictedTraces += evicted.traces
            p.status.evictedSpans += evicted.spans
            p.generation += 1
        }
    }

    /// Drops the least recently active whole traces until the store is at 90% of `maxSpans`, so
    /// eviction (a compaction of the store) happens once per 10% of new spans, not on every batch.
    private func evict(_ store: SpanStore, _ owner: inout OwnerState) -> (store: SpanStore, traces: Int, spans: Int) {
        let target = maxSpans - maxSpans / 10
        var excess = store.spans.count - target
        var victims = Set<TraceID>()
        var evictedSpans = 0
        for (id, info) in owner.traces.sorted(by: { $0.value.lastActive < $1.value.lastActive }) {
            if excess <= 0 { break }
            victims.insert(id)
            excess -= info.spans
            evictedSpans += info.spans
        }
        let compacted = store.compacted { !victims.contains(store.spans[$0].traceID) }
        for id in victims { owner.traces[id] = nil }
        return (compacted, victims.count, evictedSpans)
    }
}

/// Spans received per second over the last two seconds.
struct RateMeter {
    private var samples: [(time: UInt64, received: Int)] = []

    mutating func sample(received: Int) -> Double {
        let now = monotonicNanos()
        samples.append((now, received))
        while let first = samples.first, now - first.time > 2_000_000_000 { samples.removeFirst() }
        guard let first = samples.first, now > first.time, samples.count > 1 else { return 0 }
        return Double(received - first.received) / (Double(now - first.time) / 1e9)
    }
}
