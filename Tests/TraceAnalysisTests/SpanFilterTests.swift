import Foundation
import TraceFormats
import TraceModel
import XCTest

@testable import TraceAnalysis

/// The filter language on the article's agent workflow (sample-traces/agent-workflow.json): which
/// spans each expression selects, worked out by hand from the sample's attributes, and the errors
/// with their columns.
final class SpanFilterTests: XCTestCase {
    var store = SpanStore()
    var analysis: Analysis!

    override func setUpWithError() throws {
        let path = SampleTracesTests.dir.appendingPathComponent("agent-workflow.json").path
        _ = try TraceLoader.load(path: path, into: &store)
        analysis = Analysis(store: store, prices: .embedded)
    }

    /// The names of the matching spans, in store order, with the model for LLM calls.
    func matching(_ text: String) throws -> [String] {
        let filter = try SpanFilter(text)
        return store.spans.indices.filter { filter.matches(Int32($0), store: store, analysis: analysis) }.map { i in
            let f = analysis.facts[i]
            let name = store.string(store.spans[i].name)
            return f.model == 0 ? name : name + ":" + store.string(f.model)
        }
    }

    func testComparisonsWithUnits() throws {
        // Costs: $0.0060 (gpt-4o), $0.0135 (claude-sonnet-4, priced), $0.00039, $0.0135 (gpt-4o).
        XCTAssertEqual(try matching("cost>0.01"), ["llm.generate:claude-sonnet-4", "llm.generate:gpt-4o"])
        // agent.step.0 and .2 are LLM steps of no cost of their own.
        XCTAssertEqual(
            try matching("cost<=$0.006 and kind=llm"),
            ["llm.generate:gpt-4o", "agent.step.0", "llm.generate:gpt-4o-mini", "agent.step.2"])
        // Tokens in: 1200, 2000, 1000, 3000.
        XCTAssertEqual(try matching("tokens.in>=2k"), ["llm.generate:claude-sonnet-4", "llm.generate:gpt-4o"])
        XCTAssertEqual(try matching("tokens>3.5k"), ["llm.generate:gpt-4o"])
        // Durations: only the workflow (335 ms) and agent.step.1 / tool.execute (124 / 121 ms) pass 100 ms.
        XCTAssertEqual(try matching("dur>100ms"), ["tool.execute", "agent.step.1", "agent.workflow"])
        XCTAssertEqual(try matching("dur>0.3s"), ["agent.workflow"])
    }

    func testTextFieldsGlobsAndLogic() throws {
        XCTAssertEqual(
            try matching("model=gpt-4o*"), ["llm.generate:gpt-4o", "llm.generate:gpt-4o-mini", "llm.generate:gpt-4o"])
        XCTAssertEqual(try matching("model=GPT-4O"), ["llm.generate:gpt-4o", "llm.generate:gpt-4o"])
        XCTAssertEqual(try matching("finish=length"), ["llm.generate:gpt-4o-mini"])
        XCTAssertEqual(try matching("status=error"), ["tool.execute"])
        XCTAssertEqual(try matching("kind=tool not status=error"), ["agent.step.1"])
        XCTAssertEqual(
            try matching("(provider=anthropic or finish=length) and tokens.out>=400"),
            ["llm.generate:claude-sonnet-4", "llm.generate:gpt-4o-mini"])
        XCTAssertEqual(try matching("service=ai-* name=agent.plan"), ["agent.plan"])
        XCTAssertEqual(try matching("trace=c2b9*").count, 11)
        XCTAssertEqual(try matching("model!=gpt-4o*").count, 8)
    }

    func testAttributesAndBareWords() throws {
        XCTAssertEqual(try matching("attr.step.tool=web_search"), ["agent.step.1"])
        XCTAssertEqual(try matching("attr.agent.total_steps>=3"), ["agent.workflow"])
        XCTAssertEqual(try matching("attr.llm.latency_ms<40"), ["llm.generate:gpt-4o-mini"])
        // A bare word: names, attribute values (the user's query is one) and events (the tool's
        // exception message names the tool and the query), case-insensitive.
        XCTAssertEqual(try matching("OpenTelemetry"), ["tool.execute", "agent.workflow"])
        XCTAssertEqual(try matching("web_search"), ["tool.execute", "agent.step.1"])
        XCTAssertEqual(try matching("timeouterror"), ["tool.execute"])
        XCTAssertEqual(try matching(#""semantic conventions" kind=workflow"#), ["agent.workflow"])
        XCTAssertEqual(try matching("synthesize"), ["agent.synthesize"])
        XCTAssertEqual(try matching("").count, 11)
    }

    func testErrorsPointAtTheColumn() {
        func error(_ text: String) -> String {
            do {
                _ = try SpanFilter(text)
                return "no error"
            } catch { return error.description }
        }
        XCTAssertEqual(error("cost>abc"), "column 6: 'abc' is not a cost (0.05 or $0.05)")
        XCTAssertEqual(error("dur>2 and x"), "column 5: '2' is not a duration (500ms, 2s, 1.5m)")
        XCTAssertEqual(error("tokens>=lots"), "column 9: 'lots' is not a token count (1200, 10k, 1.5M)")
        XCTAssertEqual(error("model>gpt"), "column 6: '>' compares numbers; use = or != here")
        XCTAssertTrue(error("colour=red").hasPrefix("column 1: unknown field 'colour' (fields: cost, dur, duration"))
        XCTAssertEqual(error("(kind=llm or kind=tool"), "column 1: '(' is not closed")
        XCTAssertEqual(error("kind=llm)"), "column 9: ')' without '('")
        XCTAssertEqual(error("kind="), "column 6: expected a value")
        XCTAssertEqual(error("kind=llm and"), "column 13: expected a comparison or a word")
        XCTAssertEqual(error(#"name="open"#), "column 6: the quote is not closed")
    }

    func testGlob() {
        XCTAssertTrue(globMatch("gpt-4o-mini", "gpt-4o*"))
        XCTAssertTrue(globMatch("gpt-4o-mini", "*mini"))
        XCTAssertTrue(globMatch("gpt-4o-mini", "g*4*i"))
        XCTAssertFalse(globMatch("gpt-4o", "*mini"))
        XCTAssertFalse(globMatch("gpt-4o", "gpt"))
    }

    /// Bare words compare ASCII letters case-insensitively on the interned bytes; a non-ASCII word
    /// falls back to lower-cased copies.
    func testWordSearchOverBytes() throws {
        func check(_ haystack: String, _ needle: String) -> Bool {
            Array(haystack.utf8).withUnsafeBytes { containsIgnoringASCIICase($0, Array(needle.utf8)) }
        }
        XCTAssertTrue(check("OpenTelemetry GenAI", "genai"))
        XCTAssertTrue(check("xxABCabc", "abcabc"))
        XCTAssertFalse(check("abcab", "abcabc"))
        XCTAssertFalse(check("", "a"))
        XCTAssertTrue(check("abc", ""))
        XCTAssertEqual(try matching("OPENTELEMETRY"), try matching("opentelemetry"))
        XCTAssertEqual(try matching("\"WEB_Search\""), ["tool.execute", "agent.step.1"])
        let st = try TraceAnalysisTests.store([span(id: 1, name: "Résumé Ärger", attrs: [("q", .s("ÉTÉ"))])])
        let a = Analysis(store: st, prices: .embedded)
        XCTAssertTrue(try SpanFilter("résumé").matches(0, store: st, analysis: a))
        XCTAssertTrue(try SpanFilter("été").matches(0, store: st, analysis: a))
        XCTAssertFalse(try SpanFilter("ete").matches(0, store: st, analysis: a))
    }
    /// A word is found in a value as in the value's whole text, lower-cased (`SpanStore.text`): the
    /// search that decides each interned string once, over the whole store or span by span, and makes
    /// a number's text only when the word could be in it, finds what searching every span's strings
    /// and texts one by one finds. Arrays and maps with non-ASCII items (which lower-casing can
    /// change), punctuation that runs across items, numbers, booleans, bytes, events, services and
    /// trace id prefixes included.
    func testWordSearchFindsWhatTheTextsOfEverySpanHold() throws {
        let kv =
            #"{"kvlistValue":{"values":[{"key":"Kind","value":{"stringValue":"Refund"}},"#
            + #"{"key":"n","value":{"intValue":"3"}},{"key":"Größe","value":{"doubleValue":1.5}},"#
            + #"{"key":"deep","value":{"arrayValue":{"values":[{"boolValue":false},{"stringValue":"x,y"}]}}}]}}"#
        let spans = [
            span(
                id: 1, name: "handle refund",
                attrs: [
                    ("note", .s("Order SHIPPED")), ("count", .i(42)), ("neg", .i(-7)), ("ratio", .d(0.25)),
                    ("tiny", .d(1e-05)), ("big", .d(1e20)), ("flag", .b(true)), ("finish", .arr(["stop", "length"])),
                    ("quote", .arr([#"say \"hi\", ok"#])),
                ], events: ["exception"]),
            span(
                trace: trace2, id: 2, name: "chat",
                attrs: [
                    ("words", .arr(["café", "\u{212A}elvin", "\u{0130}stanbul", "cafe\u{0301}"])),
                    ("decomposed", .s("cafe\u{0301}")), ("off", .b(false)),
                ]),
            span(trace: trace3, id: 3, name: "lookup", attrs: [("plain", .arr(["ok"]))]),
        ]
        var json = request(spans)
        // A map, bytes and an event attribute, which `span` does not write.
        json = json.replacingOccurrences(
            of: #""name":"lookup","#,
            with: #""name":"lookup","events":[{"name":"retry","timeUnixNano":"0","attributes":"#
                + #"[{"key":"why","value":{"stringValue":"Rate LIMIT"}}]}],"#)
        json = json.replacingOccurrences(
            of: #"{"key":"plain","#,
            with: #"{"key":"meta","value":\#(kv)},{"key":"blob","value":{"bytesValue":"SGVsbG8="}},{"key":"plain","#)
        var st = SpanStore()
        _ = try TraceLoader.decode(bytes: Array(json.utf8), name: "x.json", into: &st)
        XCTAssertEqual(st.spans.count, 3)
        let a = Analysis(store: st, prices: .embedded)

        /// Every string searched byte by byte (ASCII letters either case), every other value's text
        /// lower-cased, a hex word against the trace id's text.
        func searched(_ text: String, _ s: Int) -> Bool {
            let word = text.lowercased()
            let needle = word.utf8.allSatisfy { $0 < 0x80 } ? Array(word.utf8) : nil
            func has(_ id: StrID) -> Bool {
                guard let needle else { return st.string(id).lowercased().contains(word) }
                return st.strings.withBytes(id) { containsIgnoringASCIICase($0, needle) }
            }
            func has(_ v: AttrValue) -> Bool {
                if case .string(let id) = v { return has(id) }
                return st.text(v).lowercased().contains(word)
            }
            let span = st.spans[s]
            return has(span.name) || has(st.resources[Int(span.resource)].serviceName)
                || (word.allSatisfy(\.isHexDigit) && span.traceID.hex.hasPrefix(word))
                || st.attributes(of: span).contains { has($0.value) }
                || st.events[span.events.range].contains {
                    has($0.name) || st.attributes[$0.attributes.range].contains { has($0.value) }
                }
        }
        let words = [
            "refund", "REFUND", "shipped", "true", "rue", "fals", "42", "-7", "4", "0.25", ".2", "1e-05", "e-0",
            "1e+20", "e", "stop", "length", "\"stop\"", "stop\",\"length", "[\"ok\"]", "\"hi\", ok", "hi\"", ",", ":",
            "{", "kind\":\"refund", "refund\"", "größe", "1.5", "x,y", "false", "café", "CAFÉ", "cafe", "kelvin", "k",
            "istanbul", "i", "exception", "rate limit", "retry", "svc", "sgvsbg8=", "hello", "0102", trace1,
            String(trace1.dropLast()), "a0a0a0a0a0a0a0a0b", "c0c0c0c0c0c0c0c0d0d0d0d0d0d0d0d0", "c0c1", "nan",
            "inf", "ü", "x",
        ]
        for word in words {
            let text =
                "\"" + word.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                + "\""
            let filter = try SpanFilter(text)
            let expected = (0..<3).filter { searched(word, $0) }.map(Int32.init)
            XCTAssertEqual(
                (0..<3).map(Int32.init).filter { filter.matches($0, store: st, analysis: a) }, expected, word)
            let inTraces = a.forest.traces.indices.flatMap { filter.matches(inTrace: $0, store: st, analysis: a) }
            XCTAssertEqual(inTraces.sorted(), expected, word)
            let counts = filter.matchCounts(store: st, analysis: a)
            XCTAssertEqual(counts.values.reduce(0, +), expected.count, word)
            XCTAssertEqual(
                counts.keys.sorted(), Set(expected.map { Int(a.forest.traceOf[Int($0)]) }).sorted(), word)
        }
    }

    /// The one pass over the string arena finds, for every string, what comparing the word at each
    /// position of the string alone finds: at its start and end, in strings shorter than the word,
    /// never across two strings; and so does the search in one string, sixteen positions at a time.
    func testOnePassOverTheArenaAgreesWithEachString() {
        func byByte(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
            func lower(_ b: UInt8) -> UInt8 { (0x41...0x5A).contains(b) ? b + 0x20 : b }
            guard haystack.count >= needle.count else { return false }
            return (0...haystack.count - needle.count).contains { p in
                needle.indices.allSatisfy { lower(haystack[p + $0]) == needle[$0] }
            }
        }
        var table = StringTable()
        var strings: [[UInt8]] = [[]]
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(n))
        }
        let alphabet = Array("abAB_:é".utf8)
        for _ in 0..<3000 {
            let bytes = (0..<next(60)).map { _ in alphabet[next(alphabet.count)] }
            if bytes.withUnsafeBytes({ table.intern($0) }) == strings.count { strings.append(bytes) }
        }
        XCTAssertEqual(strings.count, table.count)
        for needle in ["a", "b_", "ab", "ba:", "abab", "a_b:a", "aaaaaaaaaaaaaaaaaa", "bab_abab_b", ":", ""] {
            let bytes = Array(needle.utf8)
            let found = stringsContaining(bytes, in: table)
            for (id, string) in strings.enumerated() {
                let expected = byByte(string, bytes)
                XCTAssertEqual(found[id], expected, "\(needle) in \(table[StrID(id)])")
                XCTAssertEqual(string.withUnsafeBytes { containsIgnoringASCIICase($0, bytes) }, expected, needle)
            }
        }
    }
}
