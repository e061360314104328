"""sample-traces/agent-workflow.json: the article's agent workflow, run with the real SDK.

The code follows the shape of the seed article (TracedLLMClient.generate,
agent_workflow, calculate_cost with COST_PER_1K_TOKENS, the quality.* signals).
The LLM client and the tools are in-process fakes that sleep a few ms so the
durations look real. Deviations from the article, all deliberate:
  * llm.input_tokens is the provider's prompt_tokens (fixed round numbers) instead
    of a client-side estimate, so costs can be checked by hand;
  * the claude-sonnet-4 call does NOT get llm.cost_usd (the viewer must compute it),
    although the workflow still adds its cost to agent.total_cost;
  * step.tool is only set when the step has a tool (the SDK drops None values anyway);
  * the failing web_search is caught inside tool.execute with span.record_exception
    and an ERROR status, so the workflow goes on.

--rerun writes sample-traces/agent-workflow-rerun.json instead: the same workflow run
again (another seed, so another trace id; it ends 2026-11-28T11:30Z instead of 11:00Z)
with exactly two changes:
  (a) agent.step.0 runs on gpt-4o instead of claude-sonnet-4 (same 2000/500 tokens and
      text; still no llm.cost_usd on that call, still counted in agent.total_cost);
  (b) in agent.step.2 the provider rejects the first gpt-4o-mini call with a rate-limit
      error (the span gets error.type, http.response.status_code 429, an exception event
      and ERROR status); the agent waits 50 ms and retries once, and the retry succeeds
      with the original tokens: one more llm.generate span under agent.step.2.
Without --rerun the code paths are those that wrote agent-workflow.json.
"""

import asyncio
import re
import sys
import time
from types import SimpleNamespace

from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode

import otlp_json

RERUN = "--rerun" in sys.argv

provider, exporter = otlp_json.setup_tracing("ai-service", seed=1002 if RERUN else 1001)
tracer = trace.get_tracer("ai-service")

# Cost per model (as of 2026, update regularly)  -- the article's table, verbatim
COST_PER_1K_TOKENS = {
    "gpt-4o": {"input": 0.0025, "output": 0.01},
    "gpt-4o-mini": {"input": 0.00015, "output": 0.0006},
    "claude-opus-4": {"input": 0.015, "output": 0.075},
    "claude-sonnet-4": {"input": 0.003, "output": 0.015},
}


def calculate_cost(model, usage):
    rates = COST_PER_1K_TOKENS.get(model, {"input": 0, "output": 0})
    input_cost = (usage.prompt_tokens / 1000) * rates["input"]
    output_cost = (usage.completion_tokens / 1000) * rates["output"]
    return round(input_cost + output_cost, 6)


# ---------------------------------------------------------------------------
# Fake provider client: canned answers keyed by model + purpose, fixed token counts.

CANNED = {
    "plan": ("gpt-4o", 1200, 300, "stop", 0.045,
             "Plan: 1) explain OpenTelemetry span basics, 2) search the web for current GenAI "
             "semantic conventions, 3) summarise trade-offs."),
    "step0": ("claude-sonnet-4", 2000, 500, "stop", 0.070,
              "A span records one operation. Example:\n```python\nwith tracer.start_as_current_span"
              "(\"llm.generate\") as span:\n    span.set_attribute(\"llm.model\", model)\n```\n"
              "Nested spans form the trace tree."),
    "step2": ("gpt-4o-mini", 1000, 400, "length", 0.030,
              "Trade-offs of hand-written attributes versus the GenAI semantic conventions: "
              "hand-written keys are simple and stable, while the conventions are shared by "
              "many tools but still change between releases, so a viewer has to"),
    "synth": ("gpt-4o", 3000, 600, "stop", 0.055,
              "Sorry, the live web search failed, so this answer relies on earlier steps. "
              "Trace each LLM call as a span with model, tokens and cost, nest agent steps under "
              "one workflow span, and compare the rolled-up cost with the sum of the calls."),
}


STEP0_MODEL = "claude-sonnet-4"
FAIL_ONCE = set()  # purposes whose first call the provider rejects with a 429
if RERUN:
    STEP0_MODEL = "gpt-4o"
    CANNED["step0"] = (STEP0_MODEL,) + CANNED["step0"][1:]
    FAIL_ONCE = {"step2"}


class RateLimitError(Exception):
    status_code = 429


class FakeCompletions:
    def __init__(self):
        self.failed = set()

    async def create(self, model, messages):
        purpose = messages[-1]["purpose"]
        m, pin, pout, finish, delay, text = CANNED[purpose]
        assert m == model
        if purpose in FAIL_ONCE and purpose not in self.failed:
            self.failed.add(purpose)
            await asyncio.sleep(0.012)
            raise RateLimitError(
                f"Error code: 429 - Rate limit reached for {model} on tokens per min (TPM): "
                "Limit 200000, Used 199800, Requested 1400. Please try again in 420ms.")
        await asyncio.sleep(delay)
        return SimpleNamespace(
            model=model,
            choices=[SimpleNamespace(finish_reason=finish,
                                     message=SimpleNamespace(role="assistant", content=text))],
            usage=SimpleNamespace(prompt_tokens=pin, completion_tokens=pout,
                                  total_tokens=pin + pout),
        )


class FakeClient:
    def __init__(self):
        self.chat = SimpleNamespace(completions=FakeCompletions())


def provider_of(model):
    return "anthropic" if model.startswith("claude") else "openai"


# ---------------------------------------------------------------------------
# The article's TracedLLMClient

OMIT_COST_FOR = {"step0"}  # purposes whose call gets no llm.cost_usd (the step-0 call)


class TracedLLMClient:
    def __init__(self, client):
        self.client = client
        self.accumulated_cost = 0.0

    async def generate(self, messages, model="gpt-4o"):
        with tracer.start_as_current_span("llm.generate") as span:
            span.set_attribute("llm.model", model)
            span.set_attribute("llm.provider", provider_of(model))
            start = time.monotonic()
            try:
                response = await self.client.chat.completions.create(model=model,
                                                                     messages=messages)
            except RateLimitError as exc:  # the span records the exception on the way out
                span.set_attribute("error.type", type(exc).__name__)
                span.set_attribute("http.response.status_code", exc.status_code)
                raise
            latency = time.monotonic() - start
            # Record metrics
            span.set_attribute("llm.input_tokens", response.usage.prompt_tokens)
            span.set_attribute("llm.output_tokens", response.usage.completion_tokens)
            span.set_attribute("llm.total_tokens", response.usage.total_tokens)
            span.set_attribute("llm.latency_ms", int(latency * 1000))
            cost = calculate_cost(model, response.usage)
            self.accumulated_cost += cost
            if messages[-1]["purpose"] not in OMIT_COST_FOR:
                span.set_attribute("llm.cost_usd", cost)
            finish_reason = response.choices[0].finish_reason
            span.set_attribute("llm.finish_reason", finish_reason)
            # Track response quality indicators
            response_text = response.choices[0].message.content
            span.set_attribute("quality.has_code", bool(re.search(r'```', response_text)))
            span.set_attribute("quality.response_length", len(response_text))
            span.set_attribute("quality.contains_apology", 'sorry' in response_text.lower())
            span.set_attribute("quality.finish_reason", finish_reason)
            return response


# ---------------------------------------------------------------------------
# Planner, tools, agent

class Planner:
    def __init__(self, llm):
        self.llm = llm

    async def create_plan(self, query):
        await self.llm.generate([{"role": "user", "content": query, "purpose": "plan"}],
                                model="gpt-4o")
        return SimpleNamespace(steps=[
            SimpleNamespace(type="llm_call", tool_name=None, model=STEP0_MODEL,
                            messages=[{"role": "user", "content": query, "purpose": "step0"}]),
            SimpleNamespace(type="tool_call", tool_name="web_search",
                            params={"q": "OpenTelemetry GenAI semantic conventions 2026"}),
            SimpleNamespace(type="llm_call", tool_name=None, model="gpt-4o-mini",
                            messages=[{"role": "user", "content": query, "purpose": "step2"}]),
        ])


class Tools:
    async def execute(self, name, params):
        if name == "web_search":
            return await self._web_search(**params)
        raise KeyError(name)

    async def _web_search(self, q):
        await asyncio.sleep(0.120)
        raise TimeoutError(f"web_search: upstream did not answer within 120 ms (query={q!r})")


class Agent:
    def __init__(self):
        self.traced_llm = TracedLLMClient(FakeClient())
        self.planner = Planner(self.traced_llm)
        self.tools = Tools()

    @property
    def accumulated_cost(self):
        return round(self.traced_llm.accumulated_cost, 6)

    async def generate_with_retry(self, messages, model, attempts=2):
        for attempt in range(attempts):
            try:
                return await self.traced_llm.generate(messages, model=model)
            except RateLimitError:
                if attempt == attempts - 1:
                    raise
                await asyncio.sleep(0.050)  # back off, then try again

    async def synthesize(self, results):
        await asyncio.sleep(0.004)
        resp = await self.traced_llm.generate(
            [{"role": "user", "content": str(results), "purpose": "synth"}], model="gpt-4o")
        return resp.choices[0].message.content

    async def agent_workflow(self, user_query):
        with tracer.start_as_current_span("agent.workflow") as root:
            root.set_attribute("user.query", user_query[:200])
            # Step 1: Planning
            with tracer.start_as_current_span("agent.plan"):
                plan = await self.planner.create_plan(user_query)
            # Step 2: Execute steps
            results = []
            for i, step in enumerate(plan.steps):
                with tracer.start_as_current_span(f"agent.step.{i}") as step_span:
                    step_span.set_attribute("step.type", step.type)
                    if step.tool_name is not None:
                        step_span.set_attribute("step.tool", step.tool_name)
                    await asyncio.sleep(0.002)
                    if step.type == "llm_call":
                        result = await self.generate_with_retry(step.messages, model=step.model)
                    elif step.type == "tool_call":
                        with tracer.start_as_current_span("tool.execute") as tool_span:
                            try:
                                result = await self.tools.execute(step.tool_name, step.params)
                            except Exception as exc:  # the tool failed; record it and go on
                                tool_span.record_exception(exc)
                                tool_span.set_status(Status(StatusCode.ERROR, str(exc)))
                                result = None
                    results.append(result)
            # Step 3: Synthesize
            with tracer.start_as_current_span("agent.synthesize"):
                final = await self.synthesize(results)
            root.set_attribute("agent.total_steps", len(plan.steps))
            root.set_attribute("agent.total_cost", self.accumulated_cost)
            return final


def main():
    agent = Agent()
    asyncio.run(agent.agent_workflow(
        "How should I trace LLM calls and agent steps with OpenTelemetry, and what do the "
        "GenAI semantic conventions look like today?"))
    provider.force_flush()
    request = otlp_json.spans_to_request(exporter.get_finished_spans())
    if RERUN:
        otlp_json.anchor(request, otlp_json.ANCHOR_END_NS - 1_800 * 10**9)  # ends 11:30Z
        otlp_json.write_pretty("agent-workflow-rerun.json", request)
    else:
        otlp_json.anchor(request, otlp_json.ANCHOR_END_NS - 3_600 * 10**9)  # ends 2026-11-28T11:00Z
        otlp_json.write_pretty("agent-workflow.json", request)


if __name__ == "__main__":
    main()
