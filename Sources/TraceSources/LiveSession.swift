import Foundation
import Synchronization
import TraceModel

/// Where every span received went: `received = stored + evicted + rejected + refused + waiting`.
/// The counters behind it change together (a receiver's counts under the channel's lock, storing and
/// evicting under the session's), so the identity holds at every reading, and `waiting` is 0 once the
/// session has stopped.
public struct SpanAccounting: Sendable, Equatable {
    /// Spans in decodable export requests and followed lines. Requests that could not be decoded
    /// (bad, too large, unauthorized, cut off) have no known spans; they are counted as requests.
    public var received = 0
    /// Spans in the store now.
    public var stored = 0
    /// Spans stored and later dropped with their whole trace, past `--max-spans`.
    public var evicted = 0
    /// Spans refused for invalid ids (answered with partialSuccess); never stored.
    public var rejected = 0
    /// Spans of requests answered 503 / UNAVAILABLE; the client sends them again, and they are
    /// received again then.
    public var refused = 0
    /// Spans accepted but not in the store yet (in the channel, or being stored).
    public var waiting = 0

    public var holds: Bool { received == stored + evicted + rejected + refused + waiting }

    /// `received 12 = stored 8 + evicted 4 + rejected 0 + refused 0` (and `+ waiting N` while some wait).
    public var equation: String {
        "received \(received) = " + terms.map { "\($0.name) \($0.value)" }.joined(separator: " + ")
    }

    /// `8 stored + 4 evicted + 0 rejected + 0 refused`, for the status line.
    public var sum: String { terms.map { "\($0.value) \($0.name)" }.joined(separator: " + ") }

    private var terms: [(name: String, value: Int)] {
        let always = [("stored", stored), ("evicted", evicted), ("rejected", rejected), ("refused", refused)]
        return always + (waiting > 0 ? [("waiting", waiting)] : [])
    }
}

/// What the status line shows.
public struct LiveStatus: Sendable, Equatable {
    public var counters = IngestCounters()
    /// Spans and traces in the store now.
    public var spansHeld = 0
    public var tracesHeld = 0
    /// Spans taken in per second over the last couple of seconds.
    public var spansPerSecond = 0.0
    public var evictedTraces = 0
    public var evictedSpans = 0
    /// Spans accepted and not stored yet.
    public var waitingSpans = 0
    /// The last recording error, if recording stopped.
    public var recordError: String?
    public init() {}

    public var accounting: SpanAccounting {
        SpanAccounting(
            received: counters.receivedSpans, stored: spansHeld, evicted: evictedSpans,
            rejected: counters.rejectedSpans, refused: counters.refusedSpans, waiting: waitingSpans)
    }

    /// One line: received, held, rate, where the spans received went, and every request not taken.
    public var line: String {
        var parts = [
            "\(counters.receivedSpans) spans received", "\(tracesHeld) traces held",
            "\(Int(spansPerSecond.rounded())) spans/s", accounting.sum,
        ]
        let notable: [(Int, String)] = [
            (evictedTraces, "traces evicted"),
            (counters.refusedRequests, "requests refused (busy, retried by the client)"),
            (counters.badRequests, "bad requests"),
            (counters.unauthorizedRequests, "unauthorized requests"),
            (counters.timedOutRequests, "slow requests timed out"),
            (counters.abandonedRequests, "requests cut off by the client"),
            (counters.badLines, "bad lines"),
        ]
        parts += notable.filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
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

    /// The status, its counters read together with the store's (the session's lock, then the
    /// channel's: the order `absorb` takes them in too), so its `accounting` holds.
    public var currentStatus: LiveStatus {
        published.withLock { p in
            var s = p.status
            (s.counters, s.waitingSpans) = channel.snapshotWithWaiting
            return s
        }
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
            let rate = owner.rate.sample(received: channel.snapshot.acceptedSpans)
            published.withLock { $0.status.spansPerSecond = rate }
            if !batches.isEmpty || statusChanged(&owner) { onChange() }
            recorder?.syncIfDue()
            if thread.isStopping && batches.isEmpty && channel.isClosed {
                let rest = channel.drain(timeout: 0)
                if !rest.isEmpty {
                    absorb(rest, &owner)
                    onChange()
                }
                recorder?.sync()
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
            do { try recorder.record(batches.map(\.store)) } catch {
                let message = String(describing: error)
                published.withLock { $0.status.recordError = message }
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
        // The spans stop waiting in the same step, so a status read sees them in one place only.
        let held = published.withLock { p in
            for b in batches { p.store.append(contentsOf: b.store) }
            p.status.spansHeld = p.store.spans.count
            channel.markStored(spans: batches.reduce(0) { $0 + $1.spanCount })
            return p.store.spans.count
        }
        if held > maxSpans {
            let store = published.withLock { $0.store }
            let (compacted, traces, spans) = evict(store, &owner)
            published.withLock { p in
                p.store = compacted
                p.status.spansHeld = compacted.spans.count
                p.status.evictedTraces += traces
                p.status.evictedSpans += spans
            }
        }
        let traceCount = owner.traces.count
        published.withLock { p in
            p.status.tracesHeld = traceCount
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
