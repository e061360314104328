import Foundation
import TraceModel

extension Conventions {
    /// Plain-text attributes that say what a run was asked, first present wins: the article's
    /// `user.query`, OpenInference's `input.value`, OpenLLMetry's `traceloop.entity.input`, Langfuse's
    /// `langfuse.trace.input`.
    public static let runInputKeys = ["user.query", "input.value", "traceloop.entity.input", "langfuse.trace.input"]

    /// Attributes that name the conversation a run belongs to, first present wins: OTel GenAI,
    /// OpenInference and the semantic conventions' `session.id`, Langfuse, LangSmith's thread metadata.
    public static let sessionKeys = [
        "gen_ai.conversation.id", "session.id", "langfuse.session.id", "langsmith.metadata.thread_id",
        "langsmith.metadata.conversation_id", "langsmith.metadata.session_id", "thread_id", "conversation_id",
    ]
}

extension Analysis {
    /// What the run of trace `t` was about: a run-input attribute of the root, else the last user
    /// message of the trace's first model call (in any convention the detail pane reads: a turn of a
    /// conversation sends the history before its new message), else a
    /// run-input attribute of any span, in start order. Whitespace runs become one space; not
    /// sanitized (callers sanitize for their output).
    public func runInput(ofTrace t: Int, in store: SpanStore) -> String? {
        let trace = forest.traces[t]
        if let text = firstText(Conventions.runInputKeys, [trace.rootSpan], store) { return readableInput(text) }
        for s in trace.spans where facts[Int(s)].role.isModelCall {
            let messages = conversation(of: store.spans[Int(s)], in: store).input
            if let user = messages.last(where: { $0.role == "user" || $0.role == "input" }),
                let text = oneLine(user.text)
            {
                return text
            }
        }
        return firstText(Conventions.runInputKeys, trace.spans, store).map(readableInput)
    }

    /// The conversation (session) trace `t` belongs to: a session attribute of the root, else of any
    /// span in start order.
    public func session(ofTrace t: Int, in store: SpanStore) -> String? {
        let trace = forest.traces[t]
        return firstText(Conventions.sessionKeys, [trace.rootSpan], store)
            ?? firstText(Conventions.sessionKeys, trace.spans, store)
    }

    /// The feature trace `t` serves: a feature attribute of the root, else of any span in start order.
    public func feature(ofTrace t: Int, in store: SpanStore, keys: [String] = Conventions.featureKeys) -> String? {
        let trace = forest.traces[t]
        return firstText(keys, [trace.rootSpan], store) ?? firstText(keys, trace.spans, store)
    }

    private func firstText(_ keys: [String], _ spans: [Int32], _ store: SpanStore) -> String? {
        let ids = keys.compactMap { store.strings.lookup($0) }
        guard !ids.isEmpty else { return nil }
        for s in spans {
            let range = store.spans[Int(s)].attributes
            for id in ids {
                if let v = store.value(forKey: id, in: range), let text = oneLine(store.text(v)) { return text }
            }
        }
        return nil
    }
}

/// `text` on one line: runs of whitespace (line breaks included) become one space; nil when blank.
func oneLine(_ text: String) -> String? {
    // The start is all a column or a list shows; a prompt can be megabytes.
    let words = text.prefix(2_000).split(whereSeparator: \.isWhitespace)
    return words.isEmpty ? nil : words.joined(separator: " ")
}

/// A run input written as a JSON object (LangChain's `{"inputs": {"question": …}}` in `input.value`)
/// read as the text it holds: the first string under a key that names a question or a message, at any
/// depth; anything else as it is.
func readableInput(_ text: String) -> String {
    guard text.first == "{", let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)),
        let found = inputText(in: object, depth: 0).flatMap(oneLine)
    else { return text }
    return found
}

private let inputTextKeys = [
    "question", "query", "input", "user_input", "prompt", "content", "text", "message", "messages", "inputs",
]

private func inputText(in value: Any, depth: Int) -> String? {
    if let text = value as? String { return text }
    guard depth < 8 else { return nil }
    if let object = value as? [String: Any] {
        return inputTextKeys.lazy.compactMap { object[$0].flatMap { inputText(in: $0, depth: depth + 1) } }.first
    }
    if let array = value as? [Any] { return array.lazy.compactMap { inputText(in: $0, depth: depth + 1) }.first }
    return nil
}
