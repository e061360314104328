import Foundation
import TraceFormats
import TraceModel
import XCTest

@testable import TraceSources

/// One JSON Lines record (a collector file-exporter line) holding one span.
func jsonLine(trace: String, span: String, name: String, parent: String = "") -> String {
    #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"f"}}]},"scopeSpans":[{"scope":{},"spans":[{"traceId":"\#(trace)","spanId":"\#(span)","parentSpanId":"\#(parent)","name":"\#(name)","startTimeUnixNano":"1","endTimeUnixNano":"2","status":{}}]}]}]}"#
        + "\n"
}

final class FileFollowerTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "tracetui-follow-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func append(_ path: String, _ text: String) {
        let h = FileHandle(forWritingAtPath: path)!
        h.seekToEndOfFile()
        h.write(Data(text.utf8))
        h.closeFile()
    }

    func names(_ channel: IngestChannel) -> [String] {
        channel.drain(timeout: 0).flatMap { b in b.store.spans.map { b.store.string($0.name) } }
    }

    func testAppendHalfLinesRotationAndTruncation() throws {
        let path = dir + "/traces.jsonl"
        let channel = IngestChannel()
        var follower = FollowedFile(path: path, channel: channel)

        // Missing file: waited for.
        follower.step()
        XCTAssertTrue(follower.state.hasPrefix("waiting for"), follower.state)
        _ = FileManager.default.createFile(
            atPath: path, contents: Data(jsonLine(trace: traceA, span: "00000000000000a1", name: "first").utf8))
        follower.step()
        XCTAssertEqual(names(channel), ["first"])

        // A half-written line waits for its line break.
        let second = jsonLine(trace: traceA, span: "00000000000000a2", name: "second", parent: "00000000000000a1")
        let cut = second.index(second.startIndex, offsetBy: 60)
        append(path, String(second[..<cut]))
        follower.step()
        XCTAssertEqual(names(channel), [])
        append(path, String(second[cut...]) + "{\"resourceMetrics\":[]}\n")
        follower.step()
        XCTAssertEqual(names(channel), ["second"], "the metrics line is skipped")

        // Rotation: the old file's last lines are read, then the new file from its start.
        append(path, jsonLine(trace: traceA, span: "00000000000000a3", name: "before-rotation"))
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        _ = FileManager.default.createFile(
            atPath: path, contents: Data(jsonLine(trace: traceB, span: "00000000000000b1", name: "after-rotation").utf8)
        )
        follower.step()
        XCTAssertEqual(names(channel), ["before-rotation", "after-rotation"])

        // Truncation: read again from the start.
        append(path, jsonLine(trace: traceB, span: "00000000000000b2", name: "more"))
        follower.step()
        XCTAssertEqual(names(channel), ["more"])
        let h = FileHandle(forWritingAtPath: path)!
        h.truncateFile(atOffset: 0)
        h.closeFile()
        append(path, jsonLine(trace: traceB, span: "00000000000000b3", name: "after-truncation"))
        follower.step()
        XCTAssertEqual(names(channel), ["after-truncation"])

        // A broken line is counted; following goes on.
        append(
            path, "{\"resourceSpans\":[{oops}]}\n" + jsonLine(trace: traceB, span: "00000000000000b4", name: "still"))
        follower.step()
        XCTAssertEqual(names(channel), ["still"])
        XCTAssertEqual(channel.snapshot.badLines, 1)
    }

    func testALastLineWithoutLineBreakIsTakenOnceStill() throws {
        let path = dir + "/t.jsonl"
        let line = jsonLine(trace: traceA, span: "00000000000000a1", name: "unterminated")
        _ = FileManager.default.createFile(atPath: path, contents: Data(line.dropLast().utf8))
        let channel = IngestChannel()
        var follower = FollowedFile(path: path, channel: channel)
        follower.step()
        XCTAssertEqual(names(channel), [])
        Thread.sleep(forTimeInterval: 1.1)
        follower.step()
        XCTAssertEqual(names(channel), ["unterminated"])
    }

    func testRunsOnItsOwnThreadUntilStopped() throws {
        let path = dir + "/t.jsonl"
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        let channel = IngestChannel()
        let follower = FileFollower(path: path, channel: channel, pollInterval: 0.02)
        follower.start()
        append(path, jsonLine(trace: traceA, span: "00000000000000a1", name: "x"))
        var got: [String] = []
        let deadline = Date().addingTimeInterval(5)
        while got.isEmpty && Date() < deadline {
            got = channel.drain(timeout: 0.05).flatMap { b in b.store.spans.map { b.store.string($0.name) } }
        }
        follower.stop()
        XCTAssertEqual(got, ["x"])
    }

    /// With a fallback period of 30 s, a new line and a rotated file still arrive at once: the
    /// follower wakes on the directory's inotify events, not on a timer.
    func testWakesOnWritesAndRotationWithoutWaitingForItsPeriod() throws {
        let path = dir + "/t.jsonl"
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        let channel = IngestChannel()
        let follower = FileFollower(path: path, channel: channel, pollInterval: 30)
        follower.start()
        defer {
            channel.close()
            follower.stop()
        }
        Thread.sleep(forTimeInterval: 0.2)  // the first read of the empty file is done; now it waits
        func next() -> ([String], TimeInterval) {
            let started = Date()
            var got: [String] = []
            while got.isEmpty && Date().timeIntervalSince(started) < 5 {
                got = channel.drain(timeout: 0.05).flatMap { b in b.store.spans.map { b.store.string($0.name) } }
            }
            return (got, Date().timeIntervalSince(started))
        }
        append(path, jsonLine(trace: traceA, span: "00000000000000a1", name: "written"))
        let (written, writeDelay) = next()
        XCTAssertEqual(written, ["written"])
        XCTAssertLessThan(writeDelay, 2, "woken by the write, not by the 30 s period")
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        _ = FileManager.default.createFile(
            atPath: path, contents: Data(jsonLine(trace: traceB, span: "00000000000000b1", name: "rotated").utf8))
        let (rotated, rotateDelay) = next()
        XCTAssertEqual(rotated, ["rotated"])
        XCTAssertLessThan(rotateDelay, 2)
    }
}

final class LiveSessionTests: XCTestCase {
    func batch(trace: String, spans: Int, prefix: String) -> IngestBatch {
        var text = ""
        for i in 0..<spans {
            text += jsonLine(trace: trace, span: String(format: "%016x", i + 1), name: "\(prefix)\(i)")
        }
        var store = SpanStore()
        _ = try! TraceLoader.decode(bytes: Array(text.utf8), name: "t", into: &store)
        return IngestBatch(store: store)
    }

    /// The first published store holding `spans` spans (and, when given, spans of `containing`): an
    /// earlier generation with the same count must not be mistaken for the awaited one.
    func waitForGeneration(_ session: LiveSession, spans: Int, containing trace: String? = nil) -> SpanStore? {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if let (store, _) = session.snapshot(after: 0), store.spans.count == spans,
                session.currentStatus.spansHeld == spans,
                trace.map({ t in store.spans.contains { $0.traceID.hex == t } }) ?? true
            {
                return store
            }
            usleep(10_000)
        }
        return nil
    }

    func testEvictsLeastRecentlyActiveWholeTracesAndRecordsEverything() throws {
        let record = NSTemporaryDirectory() + "tracetui-record-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: record) }
        let session = try LiveSession(maxSpans: 10, record: record)
        session.start()
        let traces = (1...4).map { String(format: "%032x", $0) }
        XCTAssertTrue(session.channel.offer(batch(trace: traces[0], spans: 4, prefix: "a")))
        XCTAssertTrue(session.channel.offer(batch(trace: traces[1], spans: 4, prefix: "b")))
        _ = waitForGeneration(session, spans: 8)
        // Trace a is active again: b is now the least recently active.
        XCTAssertTrue(session.channel.offer(batch(trace: traces[0], spans: 1, prefix: "a-late")))
        XCTAssertTrue(session.channel.offer(batch(trace: traces[2], spans: 3, prefix: "c")))
        let store = try XCTUnwrap(waitForGeneration(session, spans: 8, containing: traces[2]))
        session.stop()
        XCTAssertEqual(Set(store.spans.map { $0.traceID.hex }), [traces[0], traces[2]])
        let status = session.currentStatus
        XCTAssertEqual(status.evictedTraces, 1)
        XCTAssertEqual(status.evictedSpans, 4)
        XCTAssertEqual(status.counters.receivedSpans, 12)
        XCTAssertEqual(status.tracesHeld, 2)
        XCTAssertTrue(status.line.contains("12 spans received · 2 traces held"), status.line)
        XCTAssertTrue(
            status.line.contains("8 stored + 4 evicted + 0 rejected + 0 refused · 1 traces evicted"), status.line)
        XCTAssertEqual(status.accounting, SpanAccounting(received: 12, stored: 8, evicted: 4))
        XCTAssertEqual(status.accounting.equation, "received 12 = stored 8 + evicted 4 + rejected 0 + refused 0")

        // The recording has every span received, evicted or not, once.
        var back = SpanStore()
        let r = try TraceLoader.load(path: record, into: &back)
        XCTAssertEqual(r.issues, [])
        XCTAssertEqual(back.spans.count, 12)
        XCTAssertEqual(Set(back.spans.map { back.string($0.name) }).count, 12)
    }

    func testAFullChannelRefusesAndAFollowerWaits() throws {
        let channel = IngestChannel(capacity: 2)
        let session = try LiveSession(maxSpans: 100, channel: channel)
        XCTAssertTrue(channel.offer(batch(trace: traceA, spans: 2, prefix: "x")))
        XCTAssertFalse(channel.offer(batch(trace: traceA, spans: 1, prefix: "y")))
        XCTAssertEqual(channel.snapshot.refusedRequests, 1)
        // put() waits until the owner drains.
        let done = DispatchSemaphore(value: 0)
        let late = batch(trace: traceB, spans: 1, prefix: "z")
        DispatchQueue.global().async {
            channel.put(late)
            done.signal()
        }
        XCTAssertEqual(done.wait(timeout: .now() + 0.2), .timedOut)
        session.start()
        XCTAssertEqual(done.wait(timeout: .now() + 5), .success)
        XCTAssertNotNil(waitForGeneration(session, spans: 3))
        session.stop()
        XCTAssertTrue(session.currentStatus.line.contains("1 requests refused"), session.currentStatus.line)
        XCTAssertEqual(session.currentStatus.accounting, SpanAccounting(received: 4, stored: 3, refused: 1))
    }

    func testWaitingSpansCountAgainstTheCapacityUntilStored() throws {
        let channel = IngestChannel(capacity: 4)
        XCTAssertTrue(channel.offer(batch(trace: traceA, spans: 3, prefix: "a")))
        XCTAssertEqual(channel.drain(timeout: 0).map(\.spanCount), [3])
        // Drained but not stored: still waiting, so the channel stays full.
        XCTAssertFalse(channel.offer(batch(trace: traceA, spans: 2, prefix: "b")))
        channel.markStored(spans: 3)
        XCTAssertTrue(channel.offer(batch(trace: traceA, spans: 2, prefix: "c")))
        let (counters, waiting) = channel.snapshotWithWaiting
        XCTAssertEqual(waiting, 2)
        XCTAssertEqual([counters.receivedSpans, counters.acceptedSpans, counters.refusedSpans], [7, 5, 2])
    }

    func testARecordingIsWholeLinesEvenAfterOneCutMidLine() throws {
        let path = NSTemporaryDirectory() + "tracetui-record-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        // A recorder killed mid-line left this behind.
        let cut =
            String(jsonLine(trace: traceA, span: "00000000000000a1", name: "whole").dropLast()) + "\n"
            + #"{"resourceSpans":[{"scopeSp"#
        try cut.write(toFile: path, atomically: false, encoding: .utf8)
        let recorder = try Recorder(path: path)
        try recorder.record([
            batch(trace: traceB, spans: 2, prefix: "x").store, SpanStore(),
            batch(trace: traceB, spans: 1, prefix: "y").store,
        ])
        recorder.sync()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 5, "whole, cut, two batches, and the empty rest after the last line break")
        XCTAssertEqual(lines[1], #"{"resourceSpans":[{"scopeSp"#, "the cut line ends where it was cut")
        XCTAssertEqual(lines[4], "")
        for n in [0, 2, 3] {
            XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(lines[n].utf8)), "line \(n + 1)")
        }
    }
}
