import TraceFormats
import TraceModel
import TraceText
import XCTest

@testable import TraceAnalysis

/// One model call described by several spans is counted once, with its facts merged (README,
/// "Counting each call once"). Prices are the embedded ones, USD per 1M tokens: gpt-4o 2.50 input,
/// 1.25 cached input, 10 output; claude-sonnet-4 3 input, 0.30 cache read, 3.75 cache write, 15 output.
final class CallGroupTests: XCTestCase {
    /// A store whose spans come from several instrumentation scopes (one scopeSpans each).
    private func scopedStore(_ scoped: [(scope: String, spans: [String])]) throws -> SpanStore {
        let scopes = scoped.map { #"{"scope":{"name":"\#($0.scope)"},"spans":[\#($0.spans.joined(separator: ","))]}"# }
        let json =
            #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"app"}}]},"scopeSpans":[\#(scopes.joined(separator: ","))]}]}"#
        var store = SpanStore()
        let result = try TraceLoader.decode(bytes: Array(json.utf8), name: "x.json", into: &store)
        XCTAssertEqual(result.issues, [])
        return store
    }

    private func analyse(_ s: SpanStore) -> Analysis { Analysis(store: s, prices: .embedded) }

    private let appWrapper: [(String, A)] = [
        ("llm.model", .s("gpt-4o")), ("llm.input_tokens", .i(1_200)), ("llm.cached_input_tokens", .i(1_024)),
        ("llm.output_tokens", .i(300)),
    ]
    private let genAIChild: [(String, A)] = [
        ("gen_ai.operation.name", .s("chat")), ("gen_ai.request.model", .s("gpt-4o")),
        ("gen_ai.response.model", .s("gpt-4o-2024-08-06")),
        ("gen_ai.usage.input_tokens", .i(1_200)), ("gen_ai.usage.output_tokens", .i(300)),
    ]

    func testWrapperThatKnowsTheCacheReadsPricesTheCallWithIt() throws {
        let s = try scopedStore([
            ("app", [span(id: 1, name: "llm.generate", start: 0, end: 100, attrs: appWrapper)]),
            (
                "opentelemetry.instrumentation.openai_v2",
                [span(id: 2, parent: 1, name: "chat gpt-4o", start: 10, end: 90, attrs: genAIChild)]
            ),
        ])
        let a = analyse(s)
        XCTAssertEqual(a.counted, [false, true])
        let call = try XCTUnwrap(a.calls.group(of: 1))
        XCTAssertEqual(Array(a.calls.members(of: Int(a.calls.groupOf[1]))), [1, 0])  // innermost first
        XCTAssertEqual(s.string(a.calls.facts(of: call).model), "gpt-4o-2024-08-06")  // the most specific name
        XCTAssertEqual(a.calls.facts(of: call).cacheReadTokens, 1_024)
        // 176 × 2.50 + 1,024 × 1.25 + 300 × 10 = 440 + 1,280 + 3,000 = 4,720 → $0.00472 (not $0.006 without the cache).
        XCTAssertEqual(call.cost, SpanCost(usd: 0.00472, source: .computed))
        XCTAssertEqual(a.traceTotals[0].costUSD, 0.00472, accuracy: 1e-15)
        XCTAssertEqual(a.traceTotals[0].cachedInputTokens, 1_024)
        XCTAssertEqual(a.traceTotals[0].llmCalls, 1)
        let p = a.provenance(ofGroup: Int(a.calls.groupOf[1]), in: s)
        XCTAssertEqual(
            p.sources.first { $0.fact == .cacheReadTokens },
            .init(fact: .cacheReadTokens, span: 0, key: "llm.cached_input_tokens"))
        XCTAssertEqual(
            p.sources.first { $0.fact == .inputTokens },
            .init(fact: .inputTokens, span: 1, key: "gen_ai.usage.input_tokens"))
        XCTAssertEqual(p.disagreements, [])
    }

    func testReportedCostOnAnyMemberWinsAndTheInnermostReportedOne() throws {
        let s = try scopedStore([
            (
                "app",
                [
                    span(id: 1, name: "outer", start: 0, end: 100, attrs: appWrapper + [("llm.cost_usd", .d(0.0047))]),
                    span(
                        id: 2, parent: 1, name: "middle", start: 5, end: 95,
                        attrs: appWrapper + [("llm.cost_usd", .d(0.0045))]),
                ]
            ),
            (
                "opentelemetry.instrumentation.openai_v2",
                [span(id: 3, parent: 2, name: "chat", start: 10, end: 90, attrs: genAIChild)]
            ),
        ])
        let a = analyse(s)
        let call = try XCTUnwrap(a.calls.group(of: 2))
        XCTAssertEqual(call.memberCount, 3)
        XCTAssertEqual(call.counted, 2)
        XCTAssertEqual(call.cost, SpanCost(usd: 0.0045, source: .reported))  // the innermost report
        XCTAssertEqual(a.costs[2], SpanCost(usd: 0.0045, source: .reported))
        XCTAssertEqual(a.ownCostLabel(of: 0), "~$0.0047")
        XCTAssertEqual(a.ownCostLabel(of: 2), "$0.0045")
        XCTAssertTrue(call.conflicts(on: .reportedCost))
        // $0.0045 against the list price $0.00472: 4.7 % lower, within 5 %: not flagged.
        XCTAssertFalse(call.costMismatch)
    }

    func testMismatchThresholdIsFivePercentAndOneMillionthOfADollar() {
        XCTAssertFalse(CallGroups.differs(reported: 1.0499, list: 1.0))
        XCTAssertTrue(CallGroups.differs(reported: 1.0501, list: 1.0))
        XCTAssertTrue(CallGroups.differs(reported: 0.9499, list: 1.0))
        // 20 % of a tiny call is below a millionth of a dollar: not flagged.
        XCTAssertFalse(CallGroups.differs(reported: 0.0000012, list: 0.000001))
        XCTAssertTrue(CallGroups.differs(reported: 0.0000021, list: 0.000001))
    }

    func testTwoInstrumentationsSideBySideAreOneCall() throws {
        // OpenLLMetry's span and the SDK's own, siblings under the app's span, overlapping.
        let usage: [(String, A)] = [
            ("gen_ai.operation.name", .s("chat")), ("gen_ai.response.model", .s("claude-sonnet-4")),
            ("gen_ai.usage.input_tokens", .i(3_200)), ("gen_ai.usage.output_tokens", .i(300)),
        ]
        let s = try scopedStore([
            ("app", [span(id: 1, name: "session", start: 0, end: 100)]),
            (
                "opentelemetry.instrumentation.anthropic",
                [
                    span(
                        id: 2, parent: 1, name: "anthropic.chat", start: 10, end: 60,
                        attrs: usage + [("gen_ai.usage.cache_creation.input_tokens", .i(3_000))])
                ]
            ),
            (
                "com.anthropic.sdk.python",
                [
                    span(
                        id: 3, parent: 1, name: "anthropic.messages.create", start: 11, end: 59,
                        attrs: usage + [("gen_ai.usage.cache_write.input_tokens", .i(3_000))])
                ]
            ),
        ])
        let a = analyse(s)
        XCTAssertEqual(a.traceTotals[0].llmCalls, 1)
        // 200 × 3 + 3,000 × 3.75 + 300 × 15 = 600 + 11,250 + 4,500 = 16,350 → $0.01635, once.
        XCTAssertEqual(a.traceTotals[0].costUSD, 0.01635, accuracy: 1e-15)
        XCTAssertEqual(a.traceTotals[0].inputTokens, 3_200)
        XCTAssertEqual(a.calls.groupOf[1], a.calls.groupOf[2])
        XCTAssertEqual(a.counted, [false, true, false])  // the earlier of two equally deep spans
    }

    func testParallelIdenticalCallsOfOneInstrumentationStayTwoCalls() throws {
        let usage: [(String, A)] = [
            ("gen_ai.operation.name", .s("embeddings")), ("gen_ai.request.model", .s("text-embedding-3-small")),
            ("gen_ai.usage.input_tokens", .i(512)),
        ]
        let s = try scopedStore([
            ("app", [span(id: 1, name: "index", start: 0, end: 100)]),
            (
                "opentelemetry.instrumentation.openai_v2",
                [
                    span(id: 2, parent: 1, name: "embeddings a", start: 10, end: 60, attrs: usage),
                    span(id: 3, parent: 1, name: "embeddings b", start: 11, end: 59, attrs: usage),
                ]
            ),
        ])
        let a = analyse(s)
        XCTAssertEqual(a.traceTotals[0].llmCalls, 2)
        XCTAssertEqual(a.traceTotals[0].inputTokens, 1_024)
    }

    func testSideBySideNeedsOverlapAgreementAndNoDifferentResponseIDs() throws {
        let usage: [(String, A)] = [
            ("gen_ai.operation.name", .s("chat")), ("gen_ai.request.model", .s("gpt-4o")),
            ("gen_ai.usage.input_tokens", .i(100)), ("gen_ai.usage.output_tokens", .i(10)),
        ]
        let s = try scopedStore([
            ("app", [span(id: 1, name: "root", start: 0, end: 1_000)]),
            (
                "lib.a",
                [
                    span(id: 2, parent: 1, name: "a1", start: 10, end: 50, attrs: usage),
                    span(
                        id: 4, parent: 1, name: "a2", start: 200, end: 250,
                        attrs: usage + [("gen_ai.response.id", .s("r-1"))]),
                    span(id: 6, parent: 1, name: "a3", start: 400, end: 450, attrs: usage),
                ]
            ),
            (
                "lib.b",
                [
                    span(id: 3, parent: 1, name: "b1", start: 60, end: 90, attrs: usage),  // after a1 ended
                    span(
                        id: 5, parent: 1, name: "b2", start: 200, end: 250,
                        attrs: usage + [("gen_ai.response.id", .s("r-2"))]),
                    span(
                        id: 7, parent: 1, name: "b3", start: 400, end: 450,
                        attrs: [
                            ("gen_ai.operation.name", .s("chat")), ("gen_ai.request.model", .s("gpt-4o")),
                            ("gen_ai.usage.input_tokens", .i(100)), ("gen_ai.usage.output_tokens", .i(11)),
                        ]),
                ]
            ),
        ])
        let a = analyse(s)
        XCTAssertEqual(a.traceTotals[0].llmCalls, 6)
    }

    func testOneResponseIDIsOneCallAndDisagreementsAreReported() throws {
        let s = try scopedStore([
            (
                "app",
                [
                    span(
                        id: 1, name: "llm.generate", start: 0, end: 100,
                        attrs: [
                            ("llm.model", .s("gpt-4o")), ("llm.input_tokens", .i(1_150)),
                            ("llm.output_tokens", .i(300)),
                            ("llm.response.id", .s("chatcmpl-1")),
                        ])
                ]
            ),
            (
                "opentelemetry.instrumentation.openai_v2",
                [
                    span(
                        id: 2, parent: 1, name: "chat", start: 10, end: 90,
                        attrs: genAIChild + [("gen_ai.response.id", .s("chatcmpl-1"))])
                ]
            ),
        ])
        let a = analyse(s)
        let g = Int(a.calls.groupOf[1])
        XCTAssertEqual(a.calls.groupOf[0], Int32(g))
        XCTAssertEqual(a.traceTotals[0].llmCalls, 1)
        XCTAssertEqual(a.traceTotals[0].inputTokens, 1_200)  // the innermost span's count
        let p = a.provenance(ofGroup: g, in: s)
        XCTAssertEqual(p.disagreements.map(\.fact), [.inputTokens])
        XCTAssertEqual(p.disagreements[0].spans, [1, 0])
        XCTAssertEqual(
            p.disagreements[0].spans.map { factText(.inputTokens, a.facts[Int($0)], s, inputWithCache: true) },
            ["1200", "1150"])
        XCTAssertEqual(
            a.warnings,
            ["1 call(s) are described by spans that disagree on input tokens; the innermost span's figure is used"])
    }

    func testAWrapperWithAnotherResponseIDIsNotTheCallBeneathIt() throws {
        let s = try scopedStore([
            (
                "app",
                [
                    span(
                        id: 1, name: "llm.generate", start: 0, end: 100,
                        attrs: appWrapper + [("llm.response.id", .s("chatcmpl-A"))])
                ]
            ),
            (
                "opentelemetry.instrumentation.openai_v2",
                [
                    span(
                        id: 2, parent: 1, name: "chat", start: 10, end: 90,
                        attrs: genAIChild + [("gen_ai.response.id", .s("chatcmpl-B"))])
                ]
            ),
        ])
        let a = analyse(s)
        XCTAssertEqual(a.calls.groupOf[0], -1)  // a rollup: its call is not the one beneath it
        XCTAssertEqual(a.counted, [false, true])
        XCTAssertEqual(a.traceTotals[0].costUSD, 0.006, accuracy: 1e-15)  // 1,200 × 2.50 + 300 × 10, no cache known
    }

    func testDisagreeingWrapperWithoutIDIsARollupNotASecondCall() throws {
        // A wrapper whose counts are the sum of two calls beneath it: a rollup, counted nowhere.
        let child: (UInt64, Int64, Int64) -> String = { id, start, tokens in
            span(
                id: id, parent: 1, name: "chat \(id)", start: start, end: start + 10,
                attrs: [
                    ("gen_ai.operation.name", .s("chat")), ("gen_ai.request.model", .s("gpt-4o")),
                    ("gen_ai.usage.input_tokens", .i(tokens)), ("gen_ai.usage.output_tokens", .i(10)),
                ])
        }
        let s = try scopedStore([
            (
                "app",
                [
                    span(
                        id: 1, name: "llm.generate", start: 0, end: 100,
                        attrs: [
                            ("llm.model", .s("gpt-4o")), ("llm.input_tokens", .i(300)), ("llm.output_tokens", .i(20)),
                            ("llm.cost_usd", .d(0.01)),
                        ])
                ]
            ),
            ("lib", [child(2, 10, 100), child(3, 40, 200)]),
        ])
        let a = analyse(s)
        XCTAssertEqual(a.calls.groupOf[0], -1)
        XCTAssertEqual(a.counted, [false, true, true])
        XCTAssertEqual(a.traceTotals[0].llmCalls, 2)
        // (100 + 200) × 2.50 + 20 × 10 = 950 → $0.00095; the wrapper's own $0.01 is shown, not added.
        XCTAssertEqual(a.traceTotals[0].costUSD, 0.00095, accuracy: 1e-15)
        XCTAssertEqual(a.ownCostLabel(of: 0), "~$0.0100")
    }

    func testTheSameResponseIDInALaterTraceIsShownButNotCountedAgain() throws {
        let usage: [(String, A)] = genAIChild + [("gen_ai.response.id", .s("chatcmpl-7"))]
        let s = try scopedStore([
            (
                "opentelemetry.instrumentation.openai_v2",
                [span(trace: trace1, id: 1, name: "first", start: 0, end: 100, attrs: usage)]
            ),
            (
                "com.example.sdk",
                [
                    span(trace: trace2, id: 2, name: "second", start: 5, end: 95, attrs: usage),
                    span(
                        trace: trace2, id: 3, name: "other", start: 200, end: 300,
                        attrs: [
                            ("gen_ai.operation.name", .s("chat")), ("gen_ai.request.model", .s("gpt-4o")),
                            ("gen_ai.usage.input_tokens", .i(10)), ("gen_ai.usage.output_tokens", .i(1)),
                            ("gen_ai.response.id", .s("chatcmpl-8")),
                        ]),
                ]
            ),
        ])
        let a = analyse(s)
        XCTAssertEqual(a.traceTotals.map(\.llmCalls), [1, 1])
        XCTAssertEqual(a.traceTotals.map(\.callsCountedElsewhere), [0, 1])
        // 1,200 × 2.50 + 300 × 10 = 6,000 → $0.006 in the first trace; the second holds only "other":
        // 10 × 2.50 + 1 × 10 = 35 → $0.000035.
        XCTAssertEqual(a.traceTotals[0].costUSD, 0.006, accuracy: 1e-15)
        XCTAssertEqual(a.traceTotals[1].costUSD, 0.000035, accuracy: 1e-15)
        let second = try XCTUnwrap(a.calls.group(of: 1))
        XCTAssertEqual(second.counted, -1)
        XCTAssertEqual(second.countedElsewhere, 0)
        XCTAssertEqual(a.traceCountingElsewhere(span: 1)?.hex, trace1)
        XCTAssertEqual(a.ownCostLabel(of: 1), "~$0.0060")
        XCTAssertEqual(
            a.warnings,
            ["1 call(s) appear again in a later trace (same response id); each is counted once, in the earliest trace"])
    }

    func testMismatchIsCountedPerTraceAndMarked() throws {
        // gpt-4o 1,000 in / 100 out at list price: 3,500 → $0.0035; reported 20 % above: $0.0042.
        let s = try scopedStore([
            (
                "app",
                [
                    span(
                        id: 1, name: "llm.generate", start: 0, end: 100,
                        attrs: [
                            ("llm.model", .s("gpt-4o")), ("llm.input_tokens", .i(1_000)),
                            ("llm.output_tokens", .i(100)), ("llm.cost_usd", .d(0.0042)),
                        ])
                ]
            )
        ])
        let a = analyse(s)
        let call = try XCTUnwrap(a.calls.group(of: 0))
        XCTAssertTrue(call.costMismatch)
        XCTAssertEqual(call.listCostUSD, 0.0035, accuracy: 1e-15)
        XCTAssertEqual(a.traceTotals[0].costMismatches, 1)
        XCTAssertEqual(a.traceTotals[0].costUSD, 0.0042, accuracy: 1e-15)
        XCTAssertEqual(a.ownCostLabel(of: 0), "$0.0042!")
    }

    /// A 100,000-deep chain of model-call spans from two scopes, all with the same model and tokens:
    /// nested, overlapping and equal-keyed at once, the worst case for every rule. It must form one
    /// call in time linear in the spans (a quadratic pass would not finish).
    func testHundredThousandDeepChainOfIdenticalCallsIsOneCall() {
        var s = SpanStore()
        s.sources = ["generated"]
        s.resources = [Resource()]
        var scopeA = Scope()
        var scopeB = Scope()
        scopeA.name = s.strings.intern("lib.a")
        scopeB.name = s.strings.intern("lib.b")
        s.scopes = [scopeA, scopeB]
        let name = s.strings.intern("chat")
        let keys = [
            "gen_ai.operation.name", "gen_ai.request.model", "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens",
        ]
        .map { s.strings.intern($0) }
        s.attributes = [
            Attribute(key: keys[0], value: .string(s.strings.intern("chat"))),
            Attribute(key: keys[1], value: .string(s.strings.intern("gpt-4o"))),
            Attribute(key: keys[2], value: .int(1_000)), Attribute(key: keys[3], value: .int(100)),
        ]
        let n = 100_000
        for i in 0..<n {
            var sp = Span()
            sp.traceID = TraceID(high: 1, low: 2)
            sp.spanID = UInt64(i + 1)
            sp.parentSpanID = UInt64(i)
            sp.name = name
            sp.scope = UInt32(i % 2)
            sp.attributes = PoolRange(start: 0, count: 4)
            sp.startNanos = Int64(i)
            sp.endNanos = Int64(2 * n - i)
            s.spans.append(sp)
        }
        let a = Analysis(store: s, prices: .embedded)
        XCTAssertEqual(a.calls.groups.count, 1)
        XCTAssertEqual(a.calls.groups[0].memberCount, Int32(n))
        XCTAssertEqual(a.calls.groups[0].counted, Int32(n - 1))  // the innermost
        XCTAssertEqual(a.traceTotals[0].llmCalls, 1)
        XCTAssertEqual(a.traceTotals[0].costUSD, 0.0035, accuracy: 1e-15)  // 1,000 × 2.50 + 100 × 10, once
    }
}
