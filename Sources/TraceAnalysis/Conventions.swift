import TraceModel

/// The facts tracetui reads off a span, whichever instrumentation wrote it.
public enum Fact: Int, CaseIterable, Sendable {
    case model, provider, operation, inputTokens, outputTokens, totalTokens, cacheReadTokens, cacheWriteTokens,
        reasoningTokens, reportedCost, reportedRollupCost, finishReason, toolName, agentName, responseLength,
        responseID

    public var label: String {
        switch self {
        case .model: return "model"
        case .provider: return "provider"
        case .operation: return "operation"
        case .inputTokens: return "input tokens"
        case .outputTokens: return "output tokens"
        case .totalTokens: return "total tokens"
        case .cacheReadTokens: return "cached input"
        case .cacheWriteTokens: return "cache write"
        case .reasoningTokens: return "reasoning"
        case .reportedCost: return "reported cost"
        case .reportedRollupCost: return "reported total"
        case .finishReason: return "finish reason"
        case .toolName: return "tool"
        case .agentName: return "agent"
        case .responseLength: return "resp. length"
        case .responseID: return "response id"
        }
    }

    /// The fact's name in `--json` output.
    public var jsonName: String {
        switch self {
        case .cacheReadTokens: return "cachedInputTokens"
        case .reportedCost: return "reportedCostUSD"
        case .reportedRollupCost: return "reportedTotalUSD"
        case .responseID: return "responseId"
        default: return String(describing: self)
        }
    }
}

/// What a span is in an agent run.
public enum SpanRole: UInt8, Sendable, CaseIterable {
    case other, llm, embedding, tool, agent, workflow, retrieval

    /// LLM calls and embeddings are billed by tokens.
    public var isModelCall: Bool { self == .llm || self == .embedding }

    public var name: String {
        switch self {
        case .other: return "other"
        case .llm: return "llm"
        case .embedding: return "embedding"
        case .tool: return "tool"
        case .agent: return "agent"
        case .workflow: return "workflow"
        case .retrieval: return "retrieval"
        }
    }
}

/// The one mapping table from attribute keys to facts (see `conventions.md`): for each fact its
/// synonyms in priority order, first present wins. Kept as data so a new instrumentation is one line.
public enum Conventions {
    public static let synonyms: [(Fact, [String])] = [
        (
            .model,
            [
                "gen_ai.response.model", "gen_ai.request.model", "llm.response.model_name", "llm.model_name",
                "llm.request.model_name", "ai.response.model", "ai.model.id", "llm.model",
            ]
        ),
        (.provider, ["gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system", "ai.model.provider"]),
        (
            .operation,
            [
                "gen_ai.operation.name", "openinference.span.kind", "traceloop.span.kind", "llm.request.type",
                "step.type",
            ]
        ),
        (
            .inputTokens,
            [
                "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt",
                "ai.usage.inputTokens", "ai.usage.promptTokens", "llm.input_tokens",
            ]
        ),
        (
            .outputTokens,
            [
                "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion",
                "ai.usage.outputTokens", "ai.usage.completionTokens", "llm.output_tokens",
            ]
        ),
        (
            .totalTokens,
            [
                "gen_ai.usage.total_tokens", "llm.usage.total_tokens", "llm.token_count.total",
                "ai.usage.totalTokens", "llm.total_tokens",
            ]
        ),
        (
            .cacheReadTokens,
            [
                "gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens",
                "llm.token_count.prompt_details.cache_read", "ai.usage.cachedInputTokens",
                "llm.cached_input_tokens",
            ]
        ),
        (
            .cacheWriteTokens,
            [
                "gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.cache_creation_input_tokens",
                "gen_ai.usage.cache_write.input_tokens",
                "llm.token_count.prompt_details.cache_write",
            ]
        ),
        (
            .reasoningTokens,
            [
                "gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.reasoning_tokens", "llm.usage.reasoning_tokens",
                "llm.token_count.completion_details.reasoning", "ai.usage.reasoningTokens",
            ]
        ),
        (.reportedCost, ["llm.cost_usd", "llm.cost.total", "gen_ai.usage.cost"]),
        (.reportedRollupCost, ["agent.total_cost"]),
        (
            .finishReason,
            [
                "gen_ai.response.finish_reasons", "llm.finish_reason", "quality.finish_reason",
                "gen_ai.completion.0.finish_reason", "ai.response.finishReason",
                "anthropic.message.stop_reason",
            ]
        ),
        (.toolName, ["gen_ai.tool.name", "tool.name", "ai.toolCall.name", "step.tool"]),
        (.agentName, ["gen_ai.agent.name", "agent.name"]),
        (.responseLength, ["quality.response_length"]),
        // The provider's id of one response: spans carrying the same id describe the same call.
        (.responseID, ["gen_ai.response.id", "llm.response.id", "ai.response.id"]),
    ]

    /// Keys that give a fact only when the operation/kind keys say the span has a given role
    /// (OpenLLMetry's `traceloop.entity.name` is the tool's name on a tool span, the agent's on an
    /// agent span); used when none of the fact's own synonyms is present.
    public static let roleScopedSynonyms: [(key: String, role: SpanRole, fact: Fact)] = [
        ("traceloop.entity.name", .tool, .toolName),
        ("traceloop.entity.name", .agent, .agentName),
    ]

    /// Keys whose presence marks a span as failed (besides status ERROR and an `exception` event).
    public static let errorKeys = ["error.type"]

    /// Values of the operation/kind keys, lower-cased, and the role they mean.
    public static let operationRoles: [String: SpanRole] = [
        // OTel GenAI gen_ai.operation.name
        "chat": .llm, "text_completion": .llm, "generate_content": .llm, "completion": .llm,
        "embeddings": .embedding, "embedding": .embedding, "execute_tool": .tool,
        "invoke_agent": .agent, "create_agent": .agent, "invoke_workflow": .workflow,
        // OpenInference openinference.span.kind
        "llm": .llm, "chain": .workflow, "tool": .tool, "agent": .agent, "retriever": .retrieval,
        "reranker": .retrieval, "guardrail": .other, "evaluator": .other, "prompt": .other,
        // OpenLLMetry traceloop.span.kind and llm.request.type
        "workflow": .workflow, "task": .workflow, "rerank": .retrieval,
        // the article's step.type
        "llm_call": .llm, "tool_call": .tool,
    ]

    // MARK: Dashboard signals (conventions.md, "Signals for the quality and performance rows")

    /// Where "cost by feature" looks for the feature, nearest span first (the call, then its
    /// ancestors); the trace's root span name when none carries one. `--feature-attr` replaces it.
    public static let featureKeys = ["app.feature", "feature", "feature.name"]

    /// Status-code keys whose value 429 marks a rate limit (current name first, then the older one).
    public static let rateLimitStatusKeys = ["http.response.status_code", "http.status_code"]
    public static let rateLimitStatusCode: Int64 = 429
    /// Keys whose value names the error type: on the span itself (`error.type`) and on an
    /// `exception` event (`exception.type`).
    public static let rateLimitTypeKeys = ["error.type"]
    public static let exceptionTypeKey = "exception.type"
    /// A type names a rate limit when, lower-cased with `_ - . ` and spaces removed, it contains one of
    /// these (`RateLimitError`, `rate_limit_exceeded`, `429`, `TooManyRequests`, gRPC `RESOURCE_EXHAUSTED`,
    /// Bedrock `ThrottlingException`).
    public static let rateLimitTypeFragments = ["ratelimit", "429", "toomanyrequests", "resourceexhausted", "throttl"]

    /// Counts of earlier attempts: a value above 0 marks a retry (`http.request.resend_count` sits on
    /// the HTTP client span beneath the model call).
    public static let retryCountKeys = [
        "http.request.resend_count", "retry.count", "retry.attempt", "retry_count", "llm.retry_count", "retries",
    ]
    /// Attempt numbers counted from 1: a value above 1 marks a retry.
    public static let attemptKeys = ["attempt", "llm.attempt", "gen_ai.request.attempt"]
    /// Booleans that mark a call as a retry.
    public static let retryFlagKeys = ["retry", "is_retry", "llm.is_retry"]

    /// Plain attributes carrying a user feedback score (the article's style), first present wins.
    public static let feedbackScoreKeys = [
        "user.feedback.score", "user_feedback.score", "feedback.score", "user.rating",
        "quality.user_feedback", "quality.feedback_score",
    ]
    public static let feedbackLabelKeys = ["user.feedback.label", "feedback.label"]
    /// The OTel GenAI evaluation event and its attributes.
    public static let evaluationEvent = "gen_ai.evaluation.result"
    public static let evaluationScoreKey = "gen_ai.evaluation.score.value"
    public static let evaluationLabelKey = "gen_ai.evaluation.score.label"
    public static let evaluationNameKey = "gen_ai.evaluation.name"
    /// OpenInference annotations: `annotations.<i>.annotation.score|label|name`.
    public static let annotationPrefix = "annotations."
    public static let annotationScoreSuffix = ".annotation.score"
    public static let annotationLabelSuffix = ".annotation.label"
    public static let annotationNameSuffix = ".annotation.name"

    /// Semantic-cache booleans: true counts the call as a cache hit even without cached tokens.
    public static let cacheHitKeys = ["cache.hit", "gen_ai.cache.hit", "llm.cache.hit", "semantic_cache.hit"]

    /// Provider spellings of finish reasons (lower-cased, `-` read as `_`) and the category they mean;
    /// anything else reported is `other`. OpenAI, Anthropic (`end_turn`, `max_tokens`, `tool_use`,
    /// `refusal`), Gemini (`STOP`, `MAX_TOKENS`, `SAFETY`, `RECITATION`…), Bedrock (`guardrail_intervened`),
    /// Vercel AI SDK (`tool-calls`, `content-filter`), OpenLLMetry (`tool_call`).
    public static let finishReasonCategories: [String: FinishCategory] = [
        "stop": .stop, "end_turn": .stop, "stop_sequence": .stop, "eos": .stop, "complete": .stop, "finished": .stop,
        "length": .length, "max_tokens": .length, "max_output_tokens": .length, "model_length": .length,
        "model_context_window_exceeded": .length,
        "tool_calls": .toolCalls, "tool_call": .toolCalls, "tool_use": .toolCalls, "function_call": .toolCalls,
        "content_filter": .contentFilter, "content_filtered": .contentFilter, "safety": .contentFilter,
        "recitation": .contentFilter, "blocklist": .contentFilter, "prohibited_content": .contentFilter,
        "spii": .contentFilter, "refusal": .contentFilter, "guardrail_intervened": .contentFilter,
    ]

    /// Span-name prefixes that give a role when no attribute does (the article's hand-made spans).
    public static let namePrefixRoles: [(String, SpanRole)] = [
        ("agent.workflow", .workflow), ("workflow", .workflow), ("agent.", .agent), ("tool.", .tool),
        ("ai.toolCall", .tool), ("retriev", .retrieval),
    ]
}

/// The finish-reason categories of the quality row.
public enum FinishCategory: String, CaseIterable, Sendable {
    case stop, length
    case toolCalls = "tool_calls"
    case contentFilter = "content_filter"
    case other

    /// The category of a reported finish reason, whatever the provider's spelling.
    public static func of(_ reason: String) -> FinishCategory {
        let key = String(reason.lowercased().map { $0 == "-" ? "_" : $0 })
        return Conventions.finishReasonCategories[key] ?? .other
    }
}
