import Foundation
import TraceAnalysis
import TraceFormats
import TraceModel
import TraceUI

/// A hand-made data set with fixed times: the article's agent workflow (trace 1) and a small
/// OTel GenAI chat with its conversation (trace 2).
enum Fixture {
    static let base: Int64 = 1_764_331_200_000_000_000  // 2025-11-28 12:00:00 UTC

    static func span(
        _ trace: String, _ id: String, _ parent: String, _ name: String, _ from: Double, _ to: Double,
        attrs: [(String, String)] = [], error: String? = nil, events: String = ""
    ) -> String {
        let a = attrs.map { k, v in
            v.hasPrefix("#")
                ? "{\"key\":\"\(k)\",\"value\":{\"intValue\":\"\(v.dropFirst())\"}}"
                : v.hasPrefix("$")
                    ? "{\"key\":\"\(k)\",\"value\":{\"doubleValue\":\(v.dropFirst())}}"
                    : "{\"key\":\"\(k)\",\"value\":{\"stringValue\":\(quoted(v))}}"
        }.joined(separator: ",")
        let status = error.map { "{\"code\":2,\"message\":\(quoted($0))}" } ?? "{}"
        return """
            {"traceId":"\(trace)","spanId":"\(id)","parentSpanId":"\(parent)","name":"\(name)","kind":1,\
            "startTimeUnixNano":"\(base + Int64(from * 1e9))","endTimeUnixNano":"\(base + Int64(to * 1e9))",\
            "attributes":[\(a)],"events":[\(events)],"status":\(status)}
            """
    }

    static func quoted(_ s: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: [s]), as: UTF8.self).dropFirst().dropLast()
            .description
    }

    static func llm(_ model: String, _ input: Int, _ output: Int, cost: String? = nil, finish: String = "stop") -> [(
        String, String
    )] {
        var a = [
            ("llm.model", model), ("llm.provider", model.hasPrefix("claude") ? "anthropic" : "openai"),
            ("llm.input_tokens", "#\(input)"), ("llm.output_tokens", "#\(output)"), ("llm.finish_reason", finish),
        ]
        if let cost { a.append(("llm.cost_usd", "$" + cost)) }
        return a
    }

    static let t1 = "0af7651916cd43dd8448eb211c80319c"
    static let t2 = "4bf92f3577b34da6a3ce929d0e0e4736"

    static var json: String {
        let exception = """
            {"timeUnixNano":"\(base + 2_300_000_000)","name":"exception","attributes":[\
            {"key":"exception.type","value":{"stringValue":"TimeoutError"}},\
            {"key":"exception.message","value":{"stringValue":"search backend timed out"}},\
            {"key":"exception.stacktrace","value":{"stringValue":"Traceback:\\n  File \\"tools.py\\", line 12\\nTimeoutError"}}]}
            """
        let spans1 = [
            span(
                t1, "0000000000000001", "", "agent.workflow", 0, 5,
                attrs: [("user.query", "compare flights"), ("agent.total_cost", "$0.02")]),
            span(t1, "0000000000000002", "0000000000000001", "agent.plan", 0, 0.8),
            span(
                t1, "0000000000000003", "0000000000000002", "llm.generate", 0.05, 0.75,
                attrs: llm("gpt-4o", 1200, 300, cost: "0.006")),
            span(
                t1, "0000000000000004", "0000000000000001", "agent.step.0", 0.8, 2.0, attrs: [("step.type", "llm_call")]
            ),
            span(
                t1, "0000000000000005", "0000000000000004", "llm.generate", 0.85, 1.95,
                attrs: llm("claude-sonnet-4", 2000, 500)),
            span(
                t1, "0000000000000006", "0000000000000001", "agent.step.1", 2.0, 2.6,
                attrs: [("step.type", "tool_call"), ("step.tool", "web_search")]),
            span(
                t1, "0000000000000007", "0000000000000006", "tool.execute", 2.05, 2.55,
                error: "search backend timed out", events: exception),
            span(
                t1, "0000000000000008", "0000000000000001", "agent.step.2", 2.6, 3.5, attrs: [("step.type", "llm_call")]
            ),
            span(
                t1, "0000000000000009", "0000000000000008", "llm.generate", 2.65, 3.45,
                attrs: llm("gpt-4o-mini", 800, 1000, finish: "length")),
            span(t1, "000000000000000a", "0000000000000001", "agent.synthesize", 3.5, 5.0),
            span(
                t1, "000000000000000b", "000000000000000a", "llm.generate", 3.55, 4.95,
                attrs: llm("mystery-model-x", 500, 200)),
        ]
        let messages = #"[{"role":"user","parts":[{"type":"text","content":"What is the weather in Paris?"}]}]"#
        let answer =
            #"[{"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"get_weather","arguments":{"city":"Paris"}}],"finish_reason":"tool_calls"}]"#
        let spans2 = [
            span(
                t2, "00000000000000a1", "", "chat gpt-4o-mini", 60, 61.5,
                attrs: [
                    ("gen_ai.operation.name", "chat"), ("gen_ai.provider.name", "openai"),
                    ("gen_ai.request.model", "gpt-4o-mini"),
                    ("gen_ai.usage.input_tokens", "#100"), ("gen_ai.usage.output_tokens", "#20"),
                    ("gen_ai.usage.cache_read.input_tokens", "#40"),
                    ("gen_ai.input.messages", messages), ("gen_ai.output.messages", answer),
                ])
        ]
        return """
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"ai-service"}}]},\
            "scopeSpans":[{"scope":{"name":"ai-service","version":"1.0"},"spans":[\(spans1.joined(separator: ","))]}]},\
            {"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"chat-api"}}]},\
            "scopeSpans":[{"scope":{"name":"opentelemetry.instrumentation.openai_v2"},"spans":[\(spans2.joined(separator: ","))]}]}]}
            """
    }

    static func data() throws -> ViewData {
        var store = SpanStore()
        _ = try TraceLoader.decode(bytes: Array(json.utf8), name: "fixture.json", into: &store)
        let analysis = Analysis(store: store, prices: .embedded)
        return ViewData(store: store, analysis: analysis, title: "fixture.json", warnings: analysis.warnings)
    }

    /// A file of the repository's sample-traces/, loaded and analysed; its warnings in the footer or not.
    static func sample(_ file: String, warnings: Bool = true) throws -> ViewData {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("sample-traces/" + file).path
        var store = SpanStore()
        _ = try TraceLoader.load(path: path, into: &store)
        let analysis = Analysis(store: store, prices: .embedded)
        return ViewData(store: store, analysis: analysis, title: file, warnings: warnings ? analysis.warnings : [])
    }
}
