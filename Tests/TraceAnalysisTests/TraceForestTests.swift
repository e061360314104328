import TraceFormats
import TraceModel
import XCTest

@testable import TraceAnalysis

final class TraceForestTests: XCTestCase {
    func testChildrenInStartOrder() throws {
        // Written in the file out of order: c (300), a (100), b (200); d ties with a at 100 and comes later.
        let s = try store([
            span(id: 1, name: "root", start: 0, end: 1000),
            span(id: 4, parent: 1, name: "c", start: 300, end: 400),
            span(id: 2, parent: 1, name: "a", start: 100, end: 200),
            span(id: 3, parent: 1, name: "b", start: 200, end: 300),
            span(id: 5, parent: 1, name: "d", start: 100, end: 150),
            span(id: 6, parent: 3, name: "b1", start: 250, end: 260),
        ])
        let f = TraceForest(store: s)
        XCTAssertEqual(f.traces.count, 1)
        XCTAssertEqual(names(s, f.children(of: index(s, "root"))), ["a", "d", "b", "c"])
        XCTAssertEqual(names(s, f.children(of: index(s, "b"))), ["b1"])
        XCTAssertEqual(names(s, f.children(of: index(s, "a"))), [])
        XCTAssertEqual(names(s, f.traces[0].roots), ["root"])
        XCTAssertEqual(names(s, f.traces[0].spans), ["root", "a", "d", "b", "b1", "c"])
        XCTAssertEqual(f.parent[Int(index(s, "b1"))], index(s, "b"))
        XCTAssertEqual(f.depth[Int(index(s, "root"))], 0)
        XCTAssertEqual(f.depth[Int(index(s, "c"))], 1)
        XCTAssertEqual(f.depth[Int(index(s, "b1"))], 2)
        XCTAssertEqual(f.traces[0].start, 0)
        XCTAssertEqual(f.traces[0].end, 1000)
        XCTAssertEqual(f.traces[0].durationNanos, 1000)
        XCTAssertEqual(f.warnings, [])
        XCTAssertTrue(f.flags.allSatisfy { $0.isEmpty })
    }

    func testOrphansFlaggedAndListedAfterTrueRoots() throws {
        let s = try store([
            span(id: 1, name: "root", start: 100, end: 900),
            span(id: 2, parent: 0xdead, name: "orphanEarly", start: 50, end: 60),
            span(id: 3, parent: 0xbeef, name: "orphanLate", start: 500, end: 600),
            span(id: 4, parent: 2, name: "orphanChild", start: 55, end: 58),
        ])
        let f = TraceForest(store: s)
        XCTAssertEqual(f.traces.count, 1)
        // The true root first, although orphanEarly starts before it; then the orphans in start order.
        XCTAssertEqual(names(s, f.traces[0].roots), ["root", "orphanEarly", "orphanLate"])
        XCTAssertEqual(f.traces[0].rootSpan, index(s, "root"))
        XCTAssertEqual(f.flags[Int(index(s, "orphanEarly"))], .orphan)
        XCTAssertEqual(f.flags[Int(index(s, "orphanLate"))], .orphan)
        XCTAssertEqual(f.flags[Int(index(s, "orphanChild"))], [])
        XCTAssertEqual(f.flags[Int(index(s, "root"))], [])
        XCTAssertEqual(f.parent[Int(index(s, "orphanEarly"))], -1)
        XCTAssertEqual(f.parent[Int(index(s, "orphanChild"))], index(s, "orphanEarly"))
        XCTAssertEqual(f.depth[Int(index(s, "orphanChild"))], 1)
        XCTAssertEqual(f.traces[0].start, 50)
        XCTAssertEqual(f.warnings, ["2 span(s) name a parent that is not in the data; shown as roots marked orphan"])
    }

    func testDuplicateSpanIDsFlaggedChildrenAttachToFirst() throws {
        let s = try store([
            span(id: 1, name: "root", start: 0, end: 100),
            span(id: 7, parent: 1, name: "dupFirst", start: 10, end: 20),
            span(id: 7, parent: 1, name: "dupSecond", start: 30, end: 40),
            span(id: 8, parent: 7, name: "kid", start: 35, end: 36),
        ])
        let f = TraceForest(store: s)
        XCTAssertEqual(f.flags[Int(index(s, "dupFirst"))], .duplicateID)
        XCTAssertEqual(f.flags[Int(index(s, "dupSecond"))], .duplicateID)
        XCTAssertEqual(f.flags[Int(index(s, "kid"))], [])
        XCTAssertEqual(f.parent[Int(index(s, "kid"))], index(s, "dupFirst"))
        XCTAssertEqual(names(s, f.children(of: index(s, "root"))), ["dupFirst", "dupSecond"])
        XCTAssertEqual(names(s, f.traces[0].roots), ["root"])
        XCTAssertEqual(f.warnings, ["1 duplicate span id(s); children attach to the first span with the id"])
        // Analysis over it does not trap either, and counts every span once.
        let a = Analysis(store: s, prices: .embedded)
        XCTAssertEqual(a.traceTotals[0].spans, 4)
    }

    func testSelfParentCut() throws {
        let s = try store([
            span(id: 1, name: "root", start: 0, end: 100),
            span(id: 5, parent: 5, name: "selfish", start: 10, end: 20),
            span(id: 6, parent: 5, name: "underSelfish", start: 12, end: 13),
        ])
        let f = TraceForest(store: s)
        XCTAssertEqual(f.flags[Int(index(s, "selfish"))], .cycle)
        XCTAssertEqual(f.parent[Int(index(s, "selfish"))], -1)
        XCTAssertEqual(f.parent[Int(index(s, "underSelfish"))], index(s, "selfish"))
        XCTAssertEqual(names(s, f.traces[0].roots), ["root", "selfish"])
        XCTAssertEqual(f.warnings, ["1 span(s) name themselves as parent; shown as roots"])
    }

    func testThreeSpanCycleCutAtEarliestStart() throws {
        // a → c, b → a, c → b (each names the next as parent): a loop with no root.
        let s = try store([
            span(id: 0xa, parent: 0xc, name: "a", start: 300, end: 400),
            span(id: 0xb, parent: 0xa, name: "b", start: 100, end: 200),
            span(id: 0xc, parent: 0xb, name: "c", start: 200, end: 300),
            span(id: 0xd, parent: 0xa, name: "d", start: 350, end: 360),
        ])
        let f = TraceForest(store: s)
        XCTAssertEqual(f.traces.count, 1)
        // Cut at b (earliest start): b becomes the root, then c, a, d.
        XCTAssertEqual(f.flags[Int(index(s, "b"))], .cycle)
        XCTAssertEqual(f.flags[Int(index(s, "a"))], [])
        XCTAssertEqual(f.flags[Int(index(s, "c"))], [])
        XCTAssertEqual(names(s, f.traces[0].roots), ["b"])
        XCTAssertEqual(f.parent[Int(index(s, "b"))], -1)
        XCTAssertEqual(names(s, f.children(of: index(s, "b"))), ["c"])
        XCTAssertEqual(names(s, f.children(of: index(s, "c"))), ["a"])
        XCTAssertEqual(names(s, f.children(of: index(s, "a"))), ["d"])
        XCTAssertEqual(["b", "c", "a", "d"].map { f.depth[Int(index(s, $0))] }, [0, 1, 2, 3])
        XCTAssertEqual(f.warnings, ["1 parent cycle(s) cut; the cut span is shown as a root"])
    }

    func testSeveralTracesSortedByStart() throws {
        let s = try store([
            span(trace: trace1, id: 1, name: "late", start: 3000, end: 3500),
            span(trace: trace2, id: 2, name: "early", start: 1000, end: 1200),
            span(trace: trace3, id: 3, name: "middle", start: 2000, end: 2600),
            span(trace: trace2, id: 4, parent: 2, name: "earlyChild", start: 1100, end: 1300),
        ])
        let f = TraceForest(store: s)
        XCTAssertEqual(f.traces.count, 3)
        XCTAssertEqual(f.traces.map(\.traceID.hex), [trace2, trace3, trace1])
        XCTAssertEqual(f.traces.map { names(s, [$0.rootSpan])[0] }, ["early", "middle", "late"])
        XCTAssertEqual(f.traces.map(\.spans.count), [2, 1, 1])
        XCTAssertEqual(f.traces[0].end, 1300)  // the child outlives the root
        XCTAssertEqual(f.traces[0].durationNanos, 300)
        XCTAssertEqual(f.traceOf.map { Int($0) }, [2, 0, 1, 0])
    }

    func testOneTraceSplitAcrossLinesAndFilesJoins() throws {
        var s = SpanStore()
        let line1 = request([span(id: 1, name: "root", start: 0, end: 100)], service: "front")
        let line2 = request([span(id: 2, parent: 1, name: "child", start: 10, end: 50)], service: "back")
        _ = try TraceLoader.decode(bytes: Array((line1 + "\n" + line2 + "\n").utf8), name: "a.jsonl", into: &s)
        _ = try TraceLoader.decode(
            bytes: Array(request([span(id: 3, parent: 2, name: "grandchild", start: 20, end: 30)]).utf8),
            name: "b.json", into: &s)
        let a = Analysis(store: s, prices: .embedded)
        XCTAssertEqual(a.forest.traces.count, 1)
        XCTAssertEqual(names(s, a.forest.traces[0].spans), ["root", "child", "grandchild"])
        XCTAssertEqual(names(s, a.forest.traces[0].roots), ["root"])
        XCTAssertEqual(a.forest.depth, [0, 1, 2])
        XCTAssertEqual(a.forest.warnings, [])
        XCTAssertEqual(a.service(ofSpan: 2, in: s), "svc")
        XCTAssertEqual(a.service(of: 0, in: s), "front")
    }

    func testHundredThousandDeepChainDoesNotOverflow() {
        var s = SpanStore()
        s.sources = ["generated"]
        s.resources = [Resource()]
        s.scopes = [Scope()]
        let name = s.strings.intern("step")
        let trace = TraceID(high: 1, low: 2)
        let n = 100_000
        s.spans.reserveCapacity(n)
        for i in 0..<n {
            var sp = Span()
            sp.traceID = trace
            sp.spanID = UInt64(i + 1)
            sp.parentSpanID = UInt64(i)  // span 1 has parent 0: the root
            sp.name = name
            sp.startNanos = Int64(i)
            sp.endNanos = Int64(2 * n - i)
            s.spans.append(sp)
        }
        let f = TraceForest(store: s)
        XCTAssertEqual(f.traces.count, 1)
        XCTAssertEqual(f.traces[0].roots, [0])
        XCTAssertEqual(f.depth[n - 1], Int32(n - 1))
        XCTAssertEqual(f.depth.max(), 99_999)
        XCTAssertEqual(f.warnings, [])
        let a = Analysis(store: s, prices: .embedded)
        XCTAssertEqual(a.subtree[0].spans, n)
        XCTAssertEqual(a.subtree[n - 1].spans, 1)
        // Each span covers [i, 2n - i]; its only child covers [i+1, 2n-i-1]: self time is 2 ns.
        XCTAssertEqual(a.selfNanos[0], 2)
        XCTAssertEqual(a.selfNanos[n - 1], 2)  // the leaf: [n-1, n+1]
    }
}
