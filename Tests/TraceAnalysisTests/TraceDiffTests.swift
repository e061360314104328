import TraceModel
import XCTest

@testable import TraceAnalysis

/// The alignment of two runs and the figures of each row, on runs made here with hand-picked figures.
final class TraceDiffTests: XCTestCase {
    static let ms: Int64 = 1_000_000

    /// The article's workflow as one run: plan (gpt-4o), step.0 (`step0Model`, 2000/500), step.2
    /// (gpt-4o-mini, 1000/400, finish length; with `retry` first a failed attempt, 429, no usage), then
    /// synthesize (gpt-4o). Durations in ms; the call of step.2 lasts 180 ms, or 150 ms after a retry.
    static func run(trace: String, step0Model: String, retry: Bool) -> [String] {
        func llm(_ model: String, _ input: Int64, _ output: Int64, finish: String = "stop") -> [(String, A)] {
            [
                ("llm.model", .s(model)), ("llm.input_tokens", .i(input)), ("llm.output_tokens", .i(output)),
                ("llm.finish_reason", .s(finish)),
            ]
        }
        var spans = [
            span(trace: trace, id: 1, name: "agent.workflow", start: 0, end: 1000 * ms),
            span(trace: trace, id: 2, parent: 1, name: "agent.plan", start: 0, end: 100 * ms),
            span(
                trace: trace, id: 3, parent: 2, name: "llm.generate", start: 10 * ms, end: 90 * ms,
                attrs: llm("gpt-4o", 1200, 300)),
            span(trace: trace, id: 4, parent: 1, name: "agent.step.0", start: 100 * ms, end: 300 * ms),
            span(
                trace: trace, id: 5, parent: 4, name: "llm.generate", start: 110 * ms, end: 290 * ms,
                attrs: llm(step0Model, 2000, 500)),
            span(trace: trace, id: 6, parent: 1, name: "agent.step.2", start: 300 * ms, end: 500 * ms),
            span(trace: trace, id: 8, parent: 1, name: "agent.synthesize", start: 500 * ms, end: 1000 * ms),
            span(
                trace: trace, id: 9, parent: 8, name: "llm.generate", start: 510 * ms, end: 990 * ms,
                attrs: llm("gpt-4o", 3000, 600)),
        ]
        if retry {
            spans.append(
                span(
                    trace: trace, id: 10, parent: 6, name: "llm.generate", start: 310 * ms, end: 330 * ms,
                    attrs: [("llm.model", .s("gpt-4o-mini")), ("http.response.status_code", .i(429))], status: 2))
            spans.append(
                span(
                    trace: trace, id: 7, parent: 6, name: "llm.generate", start: 340 * ms, end: 490 * ms,
                    attrs: llm("gpt-4o-mini", 1000, 400, finish: "length")))
        } else {
            spans.append(
                span(
                    trace: trace, id: 7, parent: 6, name: "llm.generate", start: 310 * ms, end: 490 * ms,
                    attrs: llm("gpt-4o-mini", 1000, 400, finish: "length")))
        }
        return spans
    }

    static func side(_ spans: [String], trace: Int = 0) throws -> TraceSide {
        let s = try store(spans)
        return TraceSide(store: s, analysis: Analysis(store: s, prices: .embedded), trace: trace)
    }

    /// Run A as in the article; run B from another store: step.0 on gpt-4o, step.2 retried once.
    static func rerunDiff() throws -> TraceDiff {
        let a = try side(run(trace: trace1, step0Model: "claude-sonnet-4", retry: false))
        let b = try side(run(trace: trace2, step0Model: "gpt-4o", retry: true))
        return TraceDiff(a, b)
    }

    func summary(_ diff: TraceDiff) -> [String] {
        diff.rows.map { String(repeating: "  ", count: $0.depth) + $0.shown.name + " " + $0.status.name }
    }

    func testAnInsertedRetryIsOneAddedRowAndTheSiblingsStayMatched() throws {
        let diff = try Self.rerunDiff()
        XCTAssertEqual(
            summary(diff),
            [
                "agent.workflow same",
                "  agent.plan same",
                "    llm.generate same",
                "  agent.step.0 same",
                "    llm.generate changed",
                "  agent.step.2 same",
                "    llm.generate added",
                "    llm.generate same",
                "  agent.synthesize same",
                "    llm.generate same",
            ])
        // The failed attempt is the added one; A's call is matched with the retry that answered.
        let added = diff.rows[6]
        XCTAssertNil(added.a)
        XCTAssertEqual(added.b?.status, "error")
        XCTAssertEqual(added.b?.durationNanos, 20 * Self.ms)
        let retried = diff.rows[7]
        XCTAssertEqual(retried.a?.finishReason, "length")
        XCTAssertEqual(retried.b?.finishReason, "length")
        // 180 ms → 150 ms: 17 % shorter, under the 20 % that makes a duration a change.
        XCTAssertEqual(retried.delta.durationNanos, -30 * Self.ms)
        XCTAssertEqual(retried.delta.inputTokens, 0)
        XCTAssertEqual(retried.delta.costUSD, 0)
        XCTAssertEqual(diff.rows.map(\.parent), [-1, 0, 1, 0, 3, 0, 5, 5, 0, 8])
        XCTAssertEqual(diff.rows.map(\.subtreeEnd), [10, 3, 3, 5, 5, 8, 7, 8, 10, 10])
    }

    /// claude-sonnet-4 ($3/$15 per 1M) → gpt-4o ($2.50/$10) at 2000/500 tokens:
    /// 2000 × 3 + 500 × 15 = $0.0135 → 2000 × 2.5 + 500 × 10 = $0.0100, Δ −$0.0035.
    func testAModelChangeOnOneStepIsChangedWithItsCostDelta() throws {
        let row = try Self.rerunDiff().rows[4]
        XCTAssertEqual(row.status, .changed)
        XCTAssertTrue(row.modelChanged)
        XCTAssertFalse(row.finishChanged)
        XCTAssertFalse(row.statusChanged)
        XCTAssertEqual(row.a?.model, "claude-sonnet-4")
        XCTAssertEqual(row.b?.model, "gpt-4o")
        XCTAssertEqual(try XCTUnwrap(row.a?.costUSD), 0.0135, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(row.b?.costUSD), 0.01, accuracy: 1e-12)
        XCTAssertEqual(row.delta.costUSD, -0.0035, accuracy: 1e-12)
        XCTAssertTrue(row.delta.costComplete)
        XCTAssertEqual(row.delta.inputTokens, 0)
        XCTAssertEqual(row.delta.outputTokens, 0)
        XCTAssertEqual(row.delta.durationNanos, 0)
    }

    /// A: 1200/300 gpt-4o ($0.006) + 2000/500 claude ($0.0135) + 1000/400 gpt-4o-mini ($0.00039) +
    /// 3000/600 gpt-4o ($0.0135) = $0.03339, 4 calls, 7200/1800 tokens. B: the same with gpt-4o for
    /// step.0 ($0.01), $0.02989, and the failed attempt: a model call without usage, so a fifth call
    /// of unknown cost, which the cost difference leaves out (and says so).
    func testTotalsOfBothSidesAndTheirDifference() throws {
        let diff = try Self.rerunDiff()
        XCTAssertEqual(diff.totalsA.llmCalls, 4)
        XCTAssertEqual(diff.totalsB.llmCalls, 5)
        XCTAssertEqual(diff.totalsB.unknownCostCalls, 1)
        XCTAssertEqual(diff.totalsA.spans, 9)
        XCTAssertEqual(diff.totalsB.spans, 10)
        XCTAssertEqual(diff.totalsA.inputTokens, 7200)
        XCTAssertEqual(diff.totalsA.outputTokens, 1800)
        XCTAssertEqual(diff.totalsA.costUSD, 0.03339, accuracy: 1e-12)
        XCTAssertEqual(diff.totalsB.costUSD, 0.02989, accuracy: 1e-12)
        XCTAssertEqual(diff.totalsA.errors, 0)
        XCTAssertEqual(diff.totalsB.errors, 1)
        let d = diff.totalsDelta
        XCTAssertEqual(d.costUSD, -0.0035, accuracy: 1e-12)
        XCTAssertEqual(d.unknownCostCalls, 1)
        XCTAssertEqual(d.inputTokens, 0)
        XCTAssertEqual(d.llmCalls, 1)
        XCTAssertEqual(d.errors, 1)
        XCTAssertEqual(d.durationNanos, 0)
        XCTAssertEqual(DiffStatus.allCases.map(diff.count), [8, 1, 1, 0])
        // The rows' deltas add up to the difference of the totals.
        XCTAssertEqual(diff.rows.reduce(0.0) { $0 + $1.delta.costUSD }, -0.0035, accuracy: 1e-12)
        XCTAssertEqual(diff.rows.reduce(0) { $0 + $1.delta.errors }, 1)
        XCTAssertEqual(diff.rows.reduce(0) { $0 + $1.delta.llmCalls }, 1)
        XCTAssertEqual(diff.rows[6].delta.unknownCostCalls, 1)
    }

    /// B without step.2 at all: it and its call are removed, the steps around them stay matched.
    func testAStepMissingFromBIsRemovedWithItsSubtree() throws {
        let a = try Self.side(Self.run(trace: trace1, step0Model: "gpt-4o", retry: false))
        let b = try Self.side(
            Self.run(trace: trace2, step0Model: "gpt-4o", retry: false).filter {
                !$0.contains(#""spanId":"0000000000000006""#) && !$0.contains(#""spanId":"0000000000000007""#)
            })
        let diff = TraceDiff(a, b)
        XCTAssertEqual(
            summary(diff),
            [
                "agent.workflow same",
                "  agent.plan same",
                "    llm.generate same",
                "  agent.step.0 same",
                "    llm.generate same",
                "  agent.step.2 removed",
                "    llm.generate removed",
                "  agent.synthesize same",
                "    llm.generate same",
            ])
        // 1000 × 0.15 + 400 × 0.6 per 1M = $0.00039 less, 1000/400 tokens less, 200 ms less on the step.
        let removed = diff.rows[6]
        XCTAssertNil(removed.b)
        XCTAssertEqual(removed.delta.inputTokens, -1000)
        XCTAssertEqual(removed.delta.outputTokens, -400)
        XCTAssertEqual(removed.delta.costUSD, -0.00039, accuracy: 1e-12)
        XCTAssertEqual(diff.rows[5].delta.durationNanos, -200 * Self.ms)
        XCTAssertEqual(DiffStatus.allCases.map(diff.count), [7, 0, 0, 2])
    }

    /// Two traces of one store (the same workflow, two trace ids): every row the same, every delta 0.
    func testIdenticalRunsAreTheSameRowForRowWithZeroDeltas() throws {
        let spans =
            Self.run(trace: trace1, step0Model: "claude-sonnet-4", retry: false)
            + Self.run(trace: trace2, step0Model: "claude-sonnet-4", retry: false)
        let s = try store(spans)
        let analysis = Analysis(store: s, prices: .embedded)
        let diff = TraceDiff(
            TraceSide(store: s, analysis: analysis, trace: 0), TraceSide(store: s, analysis: analysis, trace: 1))
        XCTAssertEqual(diff.traceA.hex, trace1)
        XCTAssertEqual(diff.traceB.hex, trace2)
        XCTAssertEqual(diff.rows.count, 9)
        XCTAssertTrue(diff.rows.allSatisfy { $0.status == .same && $0.delta == DiffDelta() })
        XCTAssertEqual(diff.totalsDelta, DiffDelta())
        XCTAssertEqual(DiffStatus.allCases.map(diff.count), [9, 0, 0, 0])
    }

    /// A duration is a change from 20 % of A's and 1 ms: 10 → 12 ms is, 10 → 11.9 ms is not, and
    /// 2 → 2.9 ms (+45 %, under 1 ms) is not.
    func testTheDurationRule() throws {
        func pair(_ a: Double, _ b: Double) throws -> DiffStatus {
            let one = try Self.side([span(trace: trace1, id: 1, name: "x", start: 0, end: Int64(a * 1e6))])
            let two = try Self.side([span(trace: trace2, id: 1, name: "x", start: 0, end: Int64(b * 1e6))])
            return TraceDiff(one, two).rows[0].status
        }
        XCTAssertEqual(try pair(10, 12), .changed)
        XCTAssertEqual(try pair(10, 8), .changed)
        XCTAssertEqual(try pair(10, 11.9), .same)
        XCTAssertEqual(try pair(2, 2.9), .same)
        XCTAssertEqual(try pair(0, 1), .changed)
    }

    /// Spans of different names are never matched, whatever their position.
    func testDifferentNamesAreRemovedAndAddedNotMatched() throws {
        let a = try Self.side([
            span(trace: trace1, id: 1, name: "root"), span(trace: trace1, id: 2, parent: 1, name: "search", start: 1),
        ])
        let b = try Self.side([
            span(trace: trace2, id: 1, name: "root"), span(trace: trace2, id: 2, parent: 1, name: "browse", start: 1),
        ])
        XCTAssertEqual(summary(TraceDiff(a, b)), ["root same", "  search removed", "  browse added"])
    }

    /// Sibling lists past the alignment's cell limit are matched greedily by name, still linear and in
    /// order: one extra span in B's 2,001 children is one added row.
    func testHugeSiblingListsAreAlignedGreedily() throws {
        func children(_ trace: String, _ names: [String]) -> [String] {
            [span(trace: trace, id: 1, name: "root")]
                + names.enumerated().map { i, name in
                    span(trace: trace, id: UInt64(i + 2), parent: 1, name: name, start: Int64(i + 1))
                }
        }
        let names = (0..<2000).map { "tool.\($0 % 7)" }
        var more = names
        more.insert("tool.extra", at: 1000)
        XCTAssertGreaterThan(names.count * more.count, TraceDiff.alignmentCellLimit)
        let diff = TraceDiff(try Self.side(children(trace1, names)), try Self.side(children(trace2, more)))
        XCTAssertEqual(diff.rows.count, 2002)
        XCTAssertEqual(diff.count(.added), 1)
        XCTAssertEqual(diff.rows.firstIndex { $0.status == .added }, 1001)
        XCTAssertEqual(diff.count(.same), 2001)
    }

    /// A 20,000-deep chain on both sides: the merge walks it without recursion.
    func testADeepChainDoesNotOverflowTheStack() throws {
        func chain(_ trace: String) -> [String] {
            (1...20_000).map { span(trace: trace, id: UInt64($0), parent: UInt64($0 - 1), name: "step") }
        }
        let diff = TraceDiff(try Self.side(chain(trace1)), try Self.side(chain(trace2)))
        XCTAssertEqual(diff.rows.count, 20_000)
        XCTAssertEqual(diff.rows.last?.depth, 19_999)
        XCTAssertEqual(diff.rows[0].subtreeEnd, 20_000)
        XCTAssertEqual(diff.count(.same), 20_000)
    }
}
