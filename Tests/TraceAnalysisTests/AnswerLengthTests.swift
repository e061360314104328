import Foundation
import TraceModel
import XCTest

@testable import TraceAnalysis

/// `AnswerLength` counts an answer's characters from the string table's bytes, and leaves to
/// `answer(of:in:)` whatever bytes cannot tell exactly; either way the count is the answer's.
final class AnswerLengthTests: XCTestCase {
    /// A JSON string's content: `text` with its quotes, backslashes and control characters escaped.
    func escaped(_ text: String) -> String {
        let data = try! JSONEncoder().encode(text)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)  // bytes: a quote may join a mark
    }

    /// The span's count read from bytes (nil: through `answer(of:in:)`) and its count either way, which
    /// must be the answer's characters.
    func lengths(_ attrs: [(String, String)], events: [String] = []) throws -> (fromBytes: Int?, total: Int) {
        let s = try store([span(id: 1, name: "call", attrs: attrs.map { ($0.0, .s(escaped($0.1))) }, events: events)])
        let length = AnswerLength(strings: s.strings)
        let total = length(s.spans[0], in: s)
        XCTAssertEqual(total, answer(of: s.spans[0], in: s).map(\.text).joined().count)
        return (length.countFromBytes(s.spans[0], s), total)
    }

    func testGenAIMessagesAreCountedFromTheirJSON() throws {
        // "Hello" and "a\nb" are the message's texts, joined by a line break; the tool call adds none.
        let parts =
            #"[{"role":"assistant","parts":[{"type":"text","content":"Hello"},"#
            + #"{"type":"tool_call","name":"f","arguments":{"a":[1,2.5e3,true,null]}},"#
            + #"{"type":"text","content":"a\nb"}],"finish_reason":"stop"}]"#
        var r = try lengths([("gen_ai.input.messages", "[]"), ("gen_ai.output.messages", parts)])
        XCTAssertEqual(r.fromBytes, 5 + 1 + 3)
        XCTAssertEqual(r.total, 9)
        // A content string comes before the parts; messages are joined with nothing between them;
        // a part with neither content nor text is an empty text; non-ASCII inside a text is one character.
        let two =
            #"[{"role":"assistant","content":"Done.","parts":[{"type":"text"},{"type":"text","text":"naïve"}]},"#
            + #" {"role":"assistant","content":[{"type":"text","content":"ok"}]}]"#
        r = try lengths([("gen_ai.output.messages", two)])
        XCTAssertEqual(r.fromBytes, (5 + 1 + 0 + 1 + 5) + 2)
        XCTAssertEqual(r.total, 14)
        // The form wins even without an answer.
        r = try lengths([("gen_ai.input.messages", "[]"), ("output.value", "ignored")])
        XCTAssertEqual(r.fromBytes, 0)
    }

    func testFlattenedFormsSumTheirContents() throws {
        var r = try lengths([
            ("llm.output_messages.0.message.role", "assistant"), ("llm.output_messages.0.message.content", "abc"),
            ("llm.output_messages.1.message.content", "de"),
            // Not an index Swift writes: `flattened` never looks this key up.
            ("llm.output_messages.01.message.content", "zzz"),
            // A repeated key: the first value is the one read.
            ("llm.output_messages.1.message.content", "longer"),
        ])
        XCTAssertEqual(r.fromBytes, 3 + 2)
        XCTAssertEqual(r.total, 5)
        r = try lengths([("gen_ai.prompt.0.content", "q"), ("gen_ai.completion.0.content", "héllo wörld")])
        XCTAssertEqual(r.fromBytes, 11)
        r = try lengths([("ai.prompt", "p"), ("ai.response.text", "answer")])
        XCTAssertEqual(r.fromBytes, 6)
        r = try lengths([("output.value", "xyz")])
        XCTAssertEqual(r.fromBytes, 3)
        r = try lengths([("http.method", "GET")])
        XCTAssertEqual(r.fromBytes, 0)
    }

    /// What bytes alone cannot count exactly goes through `answer(of:in:)`, with the same result.
    func testUnusualAnswersAreLeftToTheConversationReader() throws {
        let cases: [(String, [(String, String)], [String], Int)] = [
            ("an escaped non-ASCII character", [("gen_ai.output.messages", #"[{"content":"caf\u00e9"}]"#)], [], 4),
            (
                "a tool result",
                [("gen_ai.output.messages", #"[{"parts":[{"type":"tool_call_response","result":7}]}]"#)], [], 14
            ),
            ("a carriage return", [("output.value", "a\r\nb")], [], 3),
            ("a text starting with a combining mark", [("gen_ai.completion.0.content", "\u{301}x")], [], 2),
            ("text that is not a message array", [("gen_ai.output.messages", "plain words")], [], 11),
            (
                "a part's content that is not text",
                [("gen_ai.output.messages", #"[{"parts":[{"content":{"b":1,"a":2}}]}]"#)], [], 13
            ),
            ("a repeated member", [("gen_ai.output.messages", #"[{"content":"a","content":"bcd"}]"#)], [], 3),
            ("an event form", [("output.value", "xyz")], ["gen_ai.choice"], 0),
        ]
        for (what, attrs, events, total) in cases {
            let r = try lengths(attrs, events: events)
            XCTAssertNil(r.fromBytes, what)
            XCTAssertEqual(r.total, total, what)
        }
    }
}
