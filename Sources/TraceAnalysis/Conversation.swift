import Foundation
import TraceModel

/// One message of an LLM call's prompt or answer, from whichever convention carried it.
public struct ChatMessage: Equatable, Sendable {
    public var role: String
    public var text: String
    /// Tool calls the message asks for: name and arguments text.
    public var toolCalls: [ToolCall]
    public init(role: String, text: String, toolCalls: [ToolCall] = []) {
        self.role = role
        self.text = text
        self.toolCalls = toolCalls
    }
}

public struct ToolCall: Equatable, Sendable {
    public var name: String
    public var arguments: String
    public init(name: String, arguments: String) {
        self.name = name
        self.arguments = arguments
    }
}

/// The prompt and the answer of a span, and the key (or event) they were read from.
public struct Conversation: Equatable, Sendable {
    public var input: [ChatMessage] = []
    public var output: [ChatMessage] = []
    public var source = ""
    public var isEmpty: Bool { input.isEmpty && output.isEmpty }
}

/// Reads prompts and answers in the forms of `conventions.md`, first form found wins:
/// OTel GenAI ≥1.37 JSON message attributes, OpenInference and OpenLLMetry flattened attributes,
/// the Vercel AI SDK's `ai.prompt.messages` / `ai.response.text`, OTel GenAI event forms, and
/// finally plain `input.value` / `output.value`.
public func conversation(of span: Span, in store: SpanStore) -> Conversation {
    conversation(of: span, in: store, prompt: true)
}

/// The answer alone: what `conversation(of:in:)` reads as output, without parsing the prompt (a
/// conversation's whole history, on every call of a long chat), for the dashboard's answer lengths.
public func answer(of span: Span, in store: SpanStore) -> [ChatMessage] {
    conversation(of: span, in: store, prompt: false).output
}

/// `prompt`: whether to read the input messages too; which form is read does not depend on it.
private func conversation(of span: Span, in store: SpanStore, prompt: Bool) -> Conversation {
    var attrs: [String: AttrValue] = [:]
    for a in store.attributes(of: span) where attrs[store.string(a.key)] == nil { attrs[store.string(a.key)] = a.value }
    if let c = attributeConversation(attrs, store, prompt: prompt) { return c }
    // OTel GenAI before 1.37: span events.
    var (c, found) = eventConversation(span, store, prompt: prompt)
    if found {
        c.source = "span events"
        return c
    }
    if prompt, let input = attrs["input.value"] { c.input = [ChatMessage(role: "input", text: store.text(input))] }
    if let output = attrs["output.value"] { c.output = [ChatMessage(role: "output", text: store.text(output))] }
    if !c.isEmpty { c.source = "input.value / output.value" }
    return c
}

/// The attribute forms, in order: OTel GenAI ≥ 1.37 JSON messages, OpenInference, OpenLLMetry and the
/// Vercel AI SDK; nil when the span uses none of them.
private func attributeConversation(_ attrs: [String: AttrValue], _ store: SpanStore, prompt: Bool) -> Conversation? {
    func text(_ key: String) -> String? { attrs[key].map { store.text($0) } }
    var c = Conversation()

    // OTel GenAI ≥ 1.37: JSON arrays of {role, parts:[{type, content | name, arguments | result}]}.
    if text("gen_ai.input.messages") != nil || text("gen_ai.output.messages") != nil {
        if prompt, let sys = text("gen_ai.system_instructions") { c.input += genAIMessages(sys, defaultRole: "system") }
        if prompt { c.input += genAIMessages(text("gen_ai.input.messages") ?? "", defaultRole: "user") }
        c.output = genAIMessages(text("gen_ai.output.messages") ?? "", defaultRole: "assistant")
        c.source = "gen_ai.input.messages / gen_ai.output.messages"
        return c
    }
    // OpenInference: llm.input_messages.<i>.message.role|content|tool_calls.<k>.tool_call.function.name|arguments
    if attrs.keys.contains(where: { $0.hasPrefix("llm.input_messages.") || $0.hasPrefix("llm.output_messages.") }) {
        if prompt {
            c.input = flattened(
                attrs, store, prefix: "llm.input_messages.", inner: "message.",
                toolPrefix: "tool_calls.", toolName: "tool_call.function.name",
                toolArgs: "tool_call.function.arguments")
        }
        c.output = flattened(
            attrs, store, prefix: "llm.output_messages.", inner: "message.",
            toolPrefix: "tool_calls.", toolName: "tool_call.function.name",
            toolArgs: "tool_call.function.arguments")
        c.source = "llm.input_messages.* / llm.output_messages.*"
        return c
    }
    // OpenLLMetry: gen_ai.prompt.<i>.role|content, gen_ai.completion.<i>.role|content|tool_calls.<k>.name|arguments
    if attrs.keys.contains(where: { $0.hasPrefix("gen_ai.prompt.") || $0.hasPrefix("gen_ai.completion.") }) {
        if prompt {
            c.input = flattened(
                attrs, store, prefix: "gen_ai.prompt.", inner: "", toolPrefix: "tool_calls.",
                toolName: "name", toolArgs: "arguments")
        }
        c.output = flattened(
            attrs, store, prefix: "gen_ai.completion.", inner: "", toolPrefix: "tool_calls.",
            toolName: "name", toolArgs: "arguments")
        c.source = "gen_ai.prompt.* / gen_ai.completion.*"
        return c
    }
    // Vercel AI SDK.
    if let messages = text("ai.prompt.messages") ?? text("ai.prompt") {
        if prompt {
            c.input = genAIMessages(messages, defaultRole: "user")
            if c.input.isEmpty { c.input = [ChatMessage(role: "user", text: messages)] }
        }
        var answer = ChatMessage(role: "assistant", text: text("ai.response.text") ?? "")
        if let calls = text("ai.response.toolCalls") { answer.toolCalls = jsonToolCalls(calls) }
        if !answer.text.isEmpty || !answer.toolCalls.isEmpty { c.output = [answer] }
        c.source = "ai.prompt.messages / ai.response.text"
        return c
    }
    return nil
}

/// OTel GenAI before 1.37: one span event per message; `found` when the span has any of them.
private func eventConversation(_ span: Span, _ store: SpanStore, prompt: Bool) -> (Conversation, found: Bool) {
    var c = Conversation()
    var found = false
    for e in store.events[span.events.range] {
        let name = store.string(e.name)
        func eventText(_ key: String) -> String? { store.value(forKey: key, in: e.attributes).map { store.text($0) } }
        switch name {
        case "gen_ai.system.message", "gen_ai.user.message", "gen_ai.assistant.message", "gen_ai.tool.message":
            found = true
            guard prompt else { continue }
            let role = String(name.dropFirst("gen_ai.".count).dropLast(".message".count))
            let content = eventText("content") ?? eventText("gen_ai.event.content") ?? ""
            c.input.append(ChatMessage(role: role, text: content))
        case "gen_ai.choice":
            found = true
            c.output.append(ChatMessage(role: "assistant", text: eventText("message") ?? eventText("content") ?? ""))
        case "gen_ai.content.prompt":
            found = true
            if prompt { c.input.append(ChatMessage(role: "prompt", text: eventText("gen_ai.prompt") ?? "")) }
        case "gen_ai.content.completion":
            found = true
            c.output.append(ChatMessage(role: "completion", text: eventText("gen_ai.completion") ?? ""))
        default: break
        }
    }
    return (c, found)
}

private func jsonArray(_ text: String) -> [[String: Any]]? {
    guard let data = text.data(using: .utf8), let v = try? JSONSerialization.jsonObject(with: data) else { return nil }
    return v as? [[String: Any]]
}

private func stringify(_ v: Any?) -> String {
    guard let v else { return "" }
    if let s = v as? String { return s }
    if JSONSerialization.isValidJSONObject(v),
        let d = try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys])
    {
        return String(decoding: d, as: UTF8.self)
    }
    return String(describing: v)
}

/// OTel GenAI (and Vercel) message arrays; `content` may be a string or a list of parts.
func genAIMessages(_ json: String, defaultRole: String) -> [ChatMessage] {
    guard let list = jsonArray(json) else {
        return json.isEmpty ? [] : [ChatMessage(role: defaultRole, text: json)]
    }
    return list.map { m in
        var msg = ChatMessage(role: m["role"] as? String ?? defaultRole, text: "")
        var texts: [String] = []
        let parts = (m["parts"] as? [[String: Any]]) ?? (m["content"] as? [[String: Any]]) ?? []
        if let content = m["content"] as? String { texts.append(content) }
        for p in parts {
            switch p["type"] as? String ?? "" {
            case "tool_call", "tool-call":
                msg.toolCalls.append(
                    ToolCall(
                        name: p["name"] as? String ?? p["toolName"] as? String ?? "?",
                        arguments: stringify(p["arguments"] ?? p["args"] ?? p["input"])))
            case "tool_call_response", "tool-result":
                texts.append("tool result: " + stringify(p["result"] ?? p["response"] ?? p["output"]))
            default:
                texts.append(stringify(p["content"] ?? p["text"]))
            }
        }
        msg.text = texts.joined(separator: "\n")
        return msg
    }
}

private func jsonToolCalls(_ json: String) -> [ToolCall] {
    (jsonArray(json) ?? []).map {
        ToolCall(
            name: $0["toolName"] as? String ?? $0["name"] as? String ?? "?",
            arguments: stringify($0["args"] ?? $0["input"] ?? $0["arguments"]))
    }
}

/// Messages from flattened attributes `<prefix><i>.<inner>role|content` with tool calls below them.
private func flattened(
    _ attrs: [String: AttrValue], _ store: SpanStore, prefix: String, inner: String,
    toolPrefix: String, toolName: String, toolArgs: String
) -> [ChatMessage] {
    var indices = Set<Int>()
    for key in attrs.keys where key.hasPrefix(prefix) {
        if let i = Int(key.dropFirst(prefix.count).prefix { $0 != "." }) { indices.insert(i) }
    }
    return indices.sorted().map { i in
        let base = "\(prefix)\(i).\(inner)"
        func get(_ k: String) -> String? { attrs[base + k].map { store.text($0) } }
        var msg = ChatMessage(role: get("role") ?? "?", text: get("content") ?? "")
        var k = 0
        while let name = get("\(toolPrefix)\(k).\(toolName)") {
            msg.toolCalls.append(ToolCall(name: name, arguments: get("\(toolPrefix)\(k).\(toolArgs)") ?? ""))
            k += 1
        }
        return msg
    }
}
