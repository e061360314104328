import TraceModel
import XCTest

@testable import TraceAnalysis

/// One test per convention of conventions.md: role, model, provider, tokens, reported cost, finish
/// reason, tool name, and the key each fact came from.
final class ConventionsTests: XCTestCase {
    private func sources(_ s: SpanStore, _ name: String) -> [String] {
        FactExtractor(strings: s.strings).sources(of: s.spans[Int(index(s, name))], in: s).map { "\($0.0)=\($0.1)" }
    }

    func testArticleKeys() throws {
        let s = try store([
            span(
                id: 1, name: "agent.run", start: 0, end: 100,
                attrs: [("agent.name", .s("planner")), ("agent.total_cost", .d(0.5))]),
            span(
                id: 2, parent: 1, name: "llm.call", start: 10, end: 50,
                attrs: [
                    ("step.type", .s("llm_call")), ("llm.model", .s("gpt-4o")), ("llm.provider", .s("openai")),
                    ("llm.input_tokens", .i(1200)), ("llm.output_tokens", .i(300)), ("llm.total_tokens", .i(1500)),
                    ("llm.cost_usd", .d(0.0123)), ("quality.finish_reason", .s("stop")),
                    ("quality.response_length", .i(812)),
                    ("llm.latency_ms", .i(40)),
                ]),
            span(
                id: 3, parent: 1, name: "tool.search", start: 50, end: 60,
                attrs: [("step.type", .s("tool_call")), ("step.tool", .s("web_search"))]),
        ])
        let f = facts(s, "llm.call")
        XCTAssertEqual(f.role, .llm)
        XCTAssertEqual(str(s, f.model), "gpt-4o")
        XCTAssertEqual(str(s, f.provider), "openai")
        XCTAssertEqual(f.inputTokens, 1200)
        XCTAssertEqual(f.outputTokens, 300)
        XCTAssertEqual(f.totalTokens, 1500)
        XCTAssertEqual(f.cacheReadTokens, -1)
        XCTAssertEqual(f.reasoningTokens, -1)
        XCTAssertEqual(f.reportedCost, 0.0123)
        XCTAssertEqual(str(s, f.finishReason), "stop")
        XCTAssertEqual(f.responseLength, 812)
        XCTAssertEqual(
            sources(s, "llm.call"),
            [
                "model=llm.model", "provider=llm.provider", "operation=step.type", "inputTokens=llm.input_tokens",
                "outputTokens=llm.output_tokens", "totalTokens=llm.total_tokens", "reportedCost=llm.cost_usd",
                "finishReason=quality.finish_reason", "responseLength=quality.response_length",
            ])

        let tool = facts(s, "tool.search")
        XCTAssertEqual(tool.role, .tool)
        XCTAssertEqual(str(s, tool.toolName), "web_search")
        XCTAssertEqual(sources(s, "tool.search"), ["operation=step.type", "toolName=step.tool"])

        let agent = facts(s, "agent.run")
        XCTAssertEqual(agent.role, .agent)
        XCTAssertEqual(str(s, agent.agentName), "planner")
        XCTAssertEqual(agent.reportedRollupCost, 0.5)
        XCTAssertTrue(agent.reportedCost.isNaN)
        XCTAssertFalse(agent.hasUsage)
        XCTAssertEqual(sources(s, "agent.run"), ["reportedRollupCost=agent.total_cost", "agentName=agent.name"])
    }

    func testOTelGenAICurrentNames() throws {
        let s = try store([
            span(
                id: 1, name: "chat gpt-4o",
                attrs: [
                    ("gen_ai.operation.name", .s("chat")), ("gen_ai.provider.name", .s("openai")),
                    ("gen_ai.request.model", .s("gpt-4o")), ("gen_ai.response.model", .s("gpt-4o-2024-08-06")),
                    ("gen_ai.usage.input_tokens", .i(1000)), ("gen_ai.usage.output_tokens", .i(200)),
                    ("gen_ai.usage.cache_read.input_tokens", .i(400)),
                    ("gen_ai.usage.cache_creation.input_tokens", .i(100)),
                    ("gen_ai.usage.reasoning.output_tokens", .i(50)),
                    ("gen_ai.response.finish_reasons", .arr(["length", "stop"])),
                ]),
            span(
                id: 2, name: "execute_tool get_weather",
                attrs: [("gen_ai.operation.name", .s("execute_tool")), ("gen_ai.tool.name", .s("get_weather"))]),
            span(
                id: 3, name: "invoke_agent",
                attrs: [("gen_ai.operation.name", .s("invoke_agent")), ("gen_ai.agent.name", .s("Helper"))]),
            span(
                id: 4, name: "embeddings",
                attrs: [
                    ("gen_ai.operation.name", .s("embeddings")), ("gen_ai.request.model", .s("text-embedding-3-small")),
                    ("gen_ai.usage.input_tokens", .i(64)),
                ]),
            span(id: 5, name: "workflow", attrs: [("gen_ai.operation.name", .s("invoke_workflow"))]),
        ])
        let f = facts(s, "chat gpt-4o")
        XCTAssertEqual(f.role, .llm)
        XCTAssertEqual(str(s, f.model), "gpt-4o-2024-08-06")  // the response model wins over the request model
        XCTAssertEqual(str(s, f.provider), "openai")
        XCTAssertEqual(f.inputTokens, 1000)
        XCTAssertEqual(f.outputTokens, 200)
        XCTAssertEqual(f.totalTokens, 1200)  // none given: 1000 + 200
        XCTAssertEqual(f.cacheReadTokens, 400)
        XCTAssertEqual(f.cacheWriteTokens, 100)
        XCTAssertEqual(f.reasoningTokens, 50)
        XCTAssertTrue(f.reportedCost.isNaN)
        XCTAssertEqual(str(s, f.finishReason), "length")  // first of the string array
        // OTel counts cached tokens inside the input: 400 + 100 <= 1000.
        XCTAssertTrue(f.cacheCountedInInput)
        XCTAssertEqual(f.uncachedInputTokens, 500)
        XCTAssertEqual(f.allInputTokens, 1000)
        XCTAssertEqual(
            sources(s, "chat gpt-4o"),
            [
                "model=gen_ai.response.model", "provider=gen_ai.provider.name", "operation=gen_ai.operation.name",
                "inputTokens=gen_ai.usage.input_tokens", "outputTokens=gen_ai.usage.output_tokens",
                "cacheReadTokens=gen_ai.usage.cache_read.input_tokens",
                "cacheWriteTokens=gen_ai.usage.cache_creation.input_tokens",
                "reasoningTokens=gen_ai.usage.reasoning.output_tokens", "finishReason=gen_ai.response.finish_reasons",
            ])
        let tool = facts(s, "execute_tool get_weather")
        XCTAssertEqual(tool.role, .tool)
        XCTAssertEqual(str(s, tool.toolName), "get_weather")
        let agent = facts(s, "invoke_agent")
        XCTAssertEqual(agent.role, .agent)
        XCTAssertEqual(str(s, agent.agentName), "Helper")
        XCTAssertEqual(facts(s, "embeddings").role, .embedding)
        XCTAssertEqual(facts(s, "workflow").role, .workflow)
    }

    func testOTelGenAIDeprecatedNames() throws {
        let s = try store([
            span(
                id: 1, name: "anthropic.chat",
                attrs: [
                    ("gen_ai.system", .s("anthropic")), ("gen_ai.request.model", .s("claude-sonnet-4-20250514")),
                    ("gen_ai.usage.prompt_tokens", .i(20)), ("gen_ai.usage.completion_tokens", .i(70)),
                    ("gen_ai.usage.cache_read_input_tokens", .i(3000)),
                    ("gen_ai.usage.cache_creation_input_tokens", .i(500)),
                    ("gen_ai.usage.reasoning_tokens", .i(12)),
                ])
        ])
        let f = facts(s, "anthropic.chat")
        XCTAssertEqual(f.role, .llm)  // no operation key: a model key makes it an LLM call
        XCTAssertEqual(str(s, f.model), "claude-sonnet-4-20250514")
        XCTAssertEqual(str(s, f.provider), "anthropic")
        XCTAssertEqual(f.inputTokens, 20)
        XCTAssertEqual(f.outputTokens, 70)
        XCTAssertEqual(f.cacheReadTokens, 3000)
        XCTAssertEqual(f.cacheWriteTokens, 500)
        XCTAssertEqual(f.reasoningTokens, 12)
        // Anthropic counts the cache beside the input: 3000 + 500 > 20.
        XCTAssertFalse(f.cacheCountedInInput)
        XCTAssertEqual(f.uncachedInputTokens, 20)
        XCTAssertEqual(f.allInputTokens, 3520)
        XCTAssertEqual(
            sources(s, "anthropic.chat"),
            [
                "model=gen_ai.request.model", "provider=gen_ai.system", "inputTokens=gen_ai.usage.prompt_tokens",
                "outputTokens=gen_ai.usage.completion_tokens", "cacheReadTokens=gen_ai.usage.cache_read_input_tokens",
                "cacheWriteTokens=gen_ai.usage.cache_creation_input_tokens",
                "reasoningTokens=gen_ai.usage.reasoning_tokens",
            ])
    }

    func testOpenInference() throws {
        let s = try store([
            span(
                id: 1, name: "ChatOpenAI",
                attrs: [
                    ("openinference.span.kind", .s("LLM")), ("llm.model_name", .s("gpt-4o-mini")),
                    ("llm.provider", .s("openai")),
                    ("llm.system", .s("openai-system")),
                    ("llm.token_count.prompt", .i(900)), ("llm.token_count.completion", .i(90)),
                    ("llm.token_count.total", .i(990)),
                    ("llm.token_count.prompt_details.cache_read", .i(300)),
                    ("llm.token_count.prompt_details.cache_write", .i(0)),
                    ("llm.token_count.completion_details.reasoning", .i(9)),
                ]),
            span(
                id: 2, name: "search_tool",
                attrs: [("openinference.span.kind", .s("TOOL")), ("tool.name", .s("search"))]),
            span(id: 3, name: "Retriever", attrs: [("openinference.span.kind", .s("RETRIEVER"))]),
            span(
                id: 4, name: "Embedder",
                attrs: [("openinference.span.kind", .s("EMBEDDING")), ("llm.model_name", .s("text-embedding-3-small"))]),
            span(id: 5, name: "RunnableSequence", attrs: [("openinference.span.kind", .s("CHAIN"))]),
            span(id: 6, name: "AgentExecutor", attrs: [("openinference.span.kind", .s("AGENT"))]),
            span(id: 7, name: "Guard", attrs: [("openinference.span.kind", .s("GUARDRAIL"))]),
        ])
        let f = facts(s, "ChatOpenAI")
        XCTAssertEqual(f.role, .llm)
        XCTAssertEqual(str(s, f.model), "gpt-4o-mini")
        XCTAssertEqual(str(s, f.provider), "openai")  // llm.provider before llm.system
        XCTAssertEqual(f.inputTokens, 900)
        XCTAssertEqual(f.outputTokens, 90)
        XCTAssertEqual(f.totalTokens, 990)
        XCTAssertEqual(f.cacheReadTokens, 300)
        XCTAssertEqual(f.cacheWriteTokens, 0)
        XCTAssertEqual(f.reasoningTokens, 9)
        XCTAssertEqual(f.uncachedInputTokens, 600)
        XCTAssertEqual(
            sources(s, "ChatOpenAI"),
            [
                "model=llm.model_name", "provider=llm.provider", "operation=openinference.span.kind",
                "inputTokens=llm.token_count.prompt", "outputTokens=llm.token_count.completion",
                "totalTokens=llm.token_count.total",
                "cacheReadTokens=llm.token_count.prompt_details.cache_read",
                "cacheWriteTokens=llm.token_count.prompt_details.cache_write",
                "reasoningTokens=llm.token_count.completion_details.reasoning",
            ])
        let tool = facts(s, "search_tool")
        XCTAssertEqual(tool.role, .tool)
        XCTAssertEqual(str(s, tool.toolName), "search")
        XCTAssertEqual(
            ["Retriever", "Embedder", "RunnableSequence", "AgentExecutor", "Guard"].map { facts(s, $0).role },
            [.retrieval, .embedding, .workflow, .agent, .other])
    }

    func testOpenLLMetry() throws {
        let s = try store([
            span(
                id: 1, name: "joke_workflow.workflow",
                attrs: [("traceloop.span.kind", .s("workflow")), ("traceloop.entity.name", .s("joke_workflow"))]),
            span(
                id: 2, parent: 1, name: "joke_agent.agent",
                attrs: [("traceloop.span.kind", .s("agent")), ("traceloop.entity.name", .s("joke_agent"))]),
            span(
                id: 3, parent: 2, name: "search.tool",
                attrs: [("traceloop.span.kind", .s("tool")), ("traceloop.entity.name", .s("search"))]),
            span(
                id: 4, parent: 2, name: "step.task",
                attrs: [("traceloop.span.kind", .s("task")), ("traceloop.entity.name", .s("step"))]),
            span(
                id: 5, parent: 2, name: "openai.chat",
                attrs: [
                    ("llm.request.type", .s("chat")), ("gen_ai.system", .s("OpenAI")),
                    ("gen_ai.request.model", .s("gpt-4o")),
                    ("gen_ai.response.model", .s("gpt-4o-2024-08-06")), ("gen_ai.usage.prompt_tokens", .i(15)),
                    ("gen_ai.usage.completion_tokens", .i(25)), ("llm.usage.total_tokens", .i(40)),
                    ("gen_ai.completion.0.finish_reason", .s("stop")),
                ]),
        ])
        let llm = facts(s, "openai.chat")
        XCTAssertEqual(llm.role, .llm)
        XCTAssertEqual(str(s, llm.model), "gpt-4o-2024-08-06")
        XCTAssertEqual(str(s, llm.provider), "OpenAI")
        XCTAssertEqual(llm.inputTokens, 15)
        XCTAssertEqual(llm.outputTokens, 25)
        XCTAssertEqual(llm.totalTokens, 40)
        XCTAssertEqual(str(s, llm.finishReason), "stop")
        XCTAssertEqual(
            sources(s, "openai.chat"),
            [
                "model=gen_ai.response.model", "provider=gen_ai.system", "operation=llm.request.type",
                "inputTokens=gen_ai.usage.prompt_tokens", "outputTokens=gen_ai.usage.completion_tokens",
                "totalTokens=llm.usage.total_tokens", "finishReason=gen_ai.completion.0.finish_reason",
            ])
        XCTAssertEqual(facts(s, "joke_workflow.workflow").role, .workflow)
        XCTAssertEqual(facts(s, "step.task").role, .workflow)
        // traceloop.entity.name is the tool name when the kind is tool, the agent name when it is agent.
        let tool = facts(s, "search.tool")
        XCTAssertEqual(tool.role, .tool)
        XCTAssertEqual(str(s, tool.toolName), "search")
        XCTAssertEqual(tool.agentName, 0)
        let agent = facts(s, "joke_agent.agent")
        XCTAssertEqual(agent.role, .agent)
        XCTAssertEqual(str(s, agent.agentName), "joke_agent")
        XCTAssertEqual(agent.toolName, 0)
        // ...and neither for other kinds.
        XCTAssertEqual(facts(s, "step.task").toolName, 0)
        XCTAssertEqual(facts(s, "step.task").agentName, 0)
        XCTAssertEqual(sources(s, "search.tool"), ["operation=traceloop.span.kind", "toolName=traceloop.entity.name"])
        XCTAssertEqual(
            sources(s, "joke_agent.agent"), ["operation=traceloop.span.kind", "agentName=traceloop.entity.name"])
    }

    func testOpenLITReportedCost() throws {
        let s = try store([
            span(
                id: 1, name: "chat gpt-4o-mini",
                attrs: [
                    ("gen_ai.operation.name", .s("chat")), ("gen_ai.system", .s("openai")),
                    ("gen_ai.request.model", .s("gpt-4o-mini")),
                    ("gen_ai.usage.input_tokens", .i(100)), ("gen_ai.usage.output_tokens", .i(10)),
                    ("gen_ai.usage.cost", .d(0.000021)),
                ])
        ])
        let f = facts(s, "chat gpt-4o-mini")
        XCTAssertEqual(f.role, .llm)
        XCTAssertEqual(f.reportedCost, 0.000021)
        XCTAssertEqual(sources(s, "chat gpt-4o-mini").last, "reportedCost=gen_ai.usage.cost")
        let a = Analysis(store: s, prices: .embedded)
        XCTAssertEqual(a.costs[0], SpanCost(usd: 0.000021, source: .reported))
        XCTAssertEqual(a.traceTotals[0].costUSD, 0.000021)
    }

    func testVercelAISDK() throws {
        let s = try store([
            span(
                id: 1, name: "ai.generateText", start: 0, end: 100,
                attrs: [
                    ("ai.model.id", .s("gpt-4o-mini")), ("ai.model.provider", .s("openai.chat")),
                    ("ai.usage.promptTokens", .i(120)), ("ai.usage.completionTokens", .i(30)),
                ]),
            span(
                id: 2, parent: 1, name: "ai.generateText.doGenerate", start: 5, end: 60,
                attrs: [
                    ("ai.model.id", .s("gpt-4o-mini")), ("ai.response.model", .s("gpt-4o-mini-2024-07-18")),
                    ("ai.model.provider", .s("openai.chat")), ("ai.usage.promptTokens", .i(120)),
                    ("ai.usage.completionTokens", .i(30)),
                    ("ai.usage.inputTokens", .i(121)), ("ai.usage.outputTokens", .i(31)),
                    ("ai.usage.totalTokens", .i(152)),
                    ("ai.usage.cachedInputTokens", .i(20)), ("ai.usage.reasoningTokens", .i(3)),
                    ("ai.response.finishReason", .s("tool-calls")),
                ]),
            span(
                id: 3, parent: 1, name: "ai.toolCall", start: 60, end: 90,
                attrs: [("ai.toolCall.name", .s("weather")), ("ai.toolCall.id", .s("call_1"))]),
        ])
        let f = facts(s, "ai.generateText.doGenerate")
        XCTAssertEqual(f.role, .llm)
        XCTAssertEqual(str(s, f.model), "gpt-4o-mini-2024-07-18")
        XCTAssertEqual(str(s, f.provider), "openai.chat")
        XCTAssertEqual(f.inputTokens, 121)  // ai.usage.inputTokens before ai.usage.promptTokens
        XCTAssertEqual(f.outputTokens, 31)
        XCTAssertEqual(f.totalTokens, 152)
        XCTAssertEqual(f.cacheReadTokens, 20)
        XCTAssertEqual(f.reasoningTokens, 3)
        XCTAssertEqual(str(s, f.finishReason), "tool-calls")
        XCTAssertEqual(
            sources(s, "ai.generateText.doGenerate"),
            [
                "model=ai.response.model", "provider=ai.model.provider", "inputTokens=ai.usage.inputTokens",
                "outputTokens=ai.usage.outputTokens", "totalTokens=ai.usage.totalTokens",
                "cacheReadTokens=ai.usage.cachedInputTokens", "reasoningTokens=ai.usage.reasoningTokens",
                "finishReason=ai.response.finishReason",
            ])
        let outer = facts(s, "ai.generateText")
        XCTAssertEqual(str(s, outer.model), "gpt-4o-mini")
        XCTAssertEqual(outer.inputTokens, 120)
        let tool = facts(s, "ai.toolCall")
        XCTAssertEqual(tool.role, .tool)
        XCTAssertEqual(str(s, tool.toolName), "weather")
        // The outer span wraps the doGenerate call: counted once, at the inner span.
        // gpt-4o-mini: (121-20)×0.15 + 20×0.075 + 31×0.60 = 15.15 + 1.5 + 18.6 = 35.25 → $0.00003525.
        let a = Analysis(store: s, prices: .embedded)
        XCTAssertEqual(a.counted, [false, true, false])
        XCTAssertEqual(a.traceTotals[0].llmCalls, 1)
        XCTAssertEqual(a.traceTotals[0].inputTokens, 121)
        XCTAssertEqual(a.traceTotals[0].outputTokens, 31)
        XCTAssertEqual(a.traceTotals[0].cachedInputTokens, 20)
        XCTAssertEqual(a.traceTotals[0].costUSD, 0.00003525, accuracy: 1e-15)
    }

    func testFirstPresentKeyWinsRegardlessOfAttributeOrder() throws {
        // Every synonym list written lowest priority first: the first key in the table must still win.
        var attrs: [(String, A)] = []
        var expected: [String] = []
        for (fact, keys) in Conventions.synonyms {
            for (rank, key) in keys.enumerated().reversed() {
                switch fact {
                case .model, .provider, .finishReason, .toolName, .agentName: attrs.append((key, .s("v\(rank)")))
                case .operation: attrs.append((key, .s(["chat", "llm", "task", "chat", "llm_call"][rank])))
                default: attrs.append((key, .i(Int64(100 + rank))))
                }
            }
            expected.append("\(fact)=\(keys[0])")
        }
        let s = try store([span(id: 1, name: "all", attrs: attrs)])
        XCTAssertEqual(sources(s, "all"), expected)
        let f = facts(s, "all")
        XCTAssertEqual(str(s, f.model), "v0")
        XCTAssertEqual(str(s, f.provider), "v0")
        XCTAssertEqual(str(s, f.finishReason), "v0")
        XCTAssertEqual(str(s, f.toolName), "v0")
        XCTAssertEqual(str(s, f.agentName), "v0")
        XCTAssertEqual(
            [
                f.inputTokens, f.outputTokens, f.totalTokens, f.cacheReadTokens, f.cacheWriteTokens, f.reasoningTokens,
                f.responseLength,
            ],
            [100, 100, 100, 100, 100, 100, 100])
        XCTAssertEqual(f.reportedCost, 100)
        XCTAssertEqual(f.reportedRollupCost, 100)
        XCTAssertEqual(f.role, .llm)  // gen_ai.operation.name = chat
    }

    func testNumbersWrittenAsStrings() throws {
        // Some instrumentations write counts and costs as strings.
        let s = try store([
            span(
                id: 1, name: "n",
                attrs: [
                    ("llm.model", .s("gpt-4o")), ("llm.input_tokens", .s("1500")),
                    ("llm.output_tokens", .s(" 250 ")), ("llm.cost_usd", .s("0.75")),
                ])
        ])
        let f = facts(s, "n")
        XCTAssertEqual(f.inputTokens, 1500)
        XCTAssertEqual(f.outputTokens, 250)
        XCTAssertEqual(f.reportedCost, 0.75)
    }

    func testSpanNamePrefixGivesRoleWithoutAttributes() throws {
        let s = try store([
            span(id: 1, name: "agent.workflow.run"), span(id: 2, name: "workflow.main"),
            span(id: 3, name: "agent.plan"),
            span(id: 4, name: "tool.calculator"), span(id: 5, name: "retrieve_docs"), span(id: 6, name: "http GET"),
        ])
        XCTAssertEqual(
            ["agent.workflow.run", "workflow.main", "agent.plan", "tool.calculator", "retrieve_docs", "http GET"].map {
                facts(s, $0).role
            },
            [.workflow, .workflow, .agent, .tool, .retrieval, .other])
    }

    func testErrorSignals() throws {
        // An error is status ERROR, an `error.type` attribute, or an `exception` event.
        let s = try store([
            span(id: 1, name: "root", start: 0, end: 100),
            span(id: 2, parent: 1, name: "statusError", start: 1, end: 2, status: 2),
            span(id: 3, parent: 1, name: "exceptionEvent", start: 2, end: 3, events: ["exception"]),
            span(id: 4, parent: 1, name: "errorType", start: 3, end: 4, attrs: [("error.type", .s("RateLimitError"))]),
            span(id: 5, parent: 1, name: "fine", start: 4, end: 5, status: 1, events: ["log"]),
        ])
        let a = Analysis(store: s, prices: .embedded)
        XCTAssertEqual(
            ["root", "statusError", "exceptionEvent", "errorType", "fine"].map { a.isError[Int(index(s, $0))] },
            [false, true, true, true, false])
        XCTAssertEqual(a.traceTotals[0].errors, 3)
    }
}
