"""A tiny local fake of the OpenAI Chat Completions and Anthropic Messages APIs.

Listens on 127.0.0.1 only (a free port chosen by the OS) and answers with
canned JSON. A script gives it a `responder(path, request_json)` function that
returns (status, body_dict) or (status, body_dict, extra_headers).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    server_version = "fake-provider/1"

    def log_message(self, fmt, *args):  # keep the generator output quiet
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            req = json.loads(raw or b"{}")
        except ValueError:
            req = {}
        self.server.requests.append((self.path, req))
        result = self.server.responder(self.path, req)
        status, body = result[0], result[1]
        headers = result[2] if len(result) > 2 else {}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)


class FakeProvider:
    def __init__(self, responder):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.responder = responder
        self.httpd.requests = []
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def requests(self):
        return self.httpd.requests

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


# ---------------------------------------------------------------------------
# Canned bodies

CREATED = 1795860000  # fixed "created" timestamp for the canned responses


def openai_chat_completion(model, content, prompt_tokens, completion_tokens, cached_tokens=0,
                           finish_reason="stop", tool_calls=None, resp_id="chatcmpl-fake0001"):
    message = {"role": "assistant", "content": content, "refusal": None}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {
        "id": resp_id,
        "object": "chat.completion",
        "created": CREATED,
        "model": model,
        "system_fingerprint": "fp_fake0001",
        "service_tier": "default",
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": cached_tokens, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                          "accepted_prediction_tokens": 0,
                                          "rejected_prediction_tokens": 0},
        },
    }


def openai_error(status, message, err_type, code=None):
    return {"error": {"message": message, "type": err_type, "param": None, "code": code}}


def anthropic_message(model, text, input_tokens, output_tokens, cache_read=0, cache_creation=0,
                      stop_reason="end_turn", resp_id="msg_fake0001"):
    return {
        "id": resp_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": text}],
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "cache_read_input_tokens": cache_read,
            "cache_creation_input_tokens": cache_creation,
            "service_tier": "standard",
        },
    }


# The two OpenAI calls every instrumentation sample makes (same prompts, same answers).
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                       "required": ["city"]},
    },
}

PLAIN_MESSAGES = [
    {"role": "system", "content": "You are a concise assistant."},
    {"role": "user", "content": "What is OpenTelemetry, in one sentence?"},
]
PLAIN_ANSWER = ("OpenTelemetry is a vendor-neutral open standard and toolkit for collecting "
                "traces, metrics and logs from software.")

TOOL_MESSAGES = [
    {"role": "user", "content": "What's the weather in Paris right now?"},
]


def openai_responder(path, req):
    """Plain call -> 1200 in (1024 cached) / 300 out; call with tools -> a tool call."""
    if not path.endswith("/chat/completions"):
        return 404, openai_error(404, f"unknown path {path}", "invalid_request_error")
    model = req.get("model", "gpt-4o")
    if req.get("tools"):
        return 200, openai_chat_completion(
            model, None, 800, 40, cached_tokens=0, finish_reason="tool_calls",
            resp_id="chatcmpl-fake0002",
            tool_calls=[{"id": "call_fake0001", "type": "function",
                         "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}])
    return 200, openai_chat_completion(model, PLAIN_ANSWER, 1200, 300, cached_tokens=1024,
                                       resp_id="chatcmpl-fake0001")


def run_openai_calls(base_url, model="gpt-4o"):
    """The two calls shared by the OpenAI instrumentation samples."""
    import openai
    client = openai.OpenAI(base_url=base_url + "/v1", api_key="sk-fake-local", max_retries=0)
    r1 = client.chat.completions.create(model=model, messages=PLAIN_MESSAGES, max_tokens=400,
                                        temperature=0.2)
    r2 = client.chat.completions.create(model=model, messages=TOOL_MESSAGES, tools=[WEATHER_TOOL],
                                        temperature=0.2)
    return r1, r2


# Anthropic: a long system prompt marked for caching. First call writes the cache,
# second call reads it and writes a little more (both counts non-zero).
ANTHROPIC_MODEL = "claude-sonnet-4"
ANTHROPIC_SYSTEM = [{"type": "text",
                     "text": "You are a support assistant for tracetui. <long product manual elided>",
                     "cache_control": {"type": "ephemeral"}}]
ANTHROPIC_QUESTIONS = ["How do I open a trace file?", "And how do I filter spans by model?"]
ANTHROPIC_ANSWERS = ["Run `tracetui path/to/trace.json` or pipe OTLP JSON on stdin.",
                     "Press `/` and type `model:claude-sonnet-4` to keep only matching spans."]


def anthropic_responder(path, req):
    if not path.endswith("/v1/messages"):
        return 404, {"type": "error", "error": {"type": "not_found_error", "message": path}}
    n_user = sum(1 for m in req.get("messages", []) if m.get("role") == "user")
    if n_user <= 1:
        return 200, anthropic_message(req.get("model", ANTHROPIC_MODEL), ANTHROPIC_ANSWERS[0],
                                      input_tokens=200, output_tokens=300,
                                      cache_read=0, cache_creation=3000, resp_id="msg_fake0001")
    return 200, anthropic_message(req.get("model", ANTHROPIC_MODEL), ANTHROPIC_ANSWERS[1],
                                  input_tokens=100, output_tokens=250,
                                  cache_read=3000, cache_creation=500, resp_id="msg_fake0002")


def run_anthropic_calls(base_url, native_tracing=False):
    """native_tracing=False turns off the anthropic SDK's own OpenTelemetry spans
    (the SDK makes a CLIENT span per call whenever a tracer provider is registered)."""
    import anthropic
    client = anthropic.Anthropic(base_url=base_url, api_key="sk-ant-fake-local", max_retries=0,
                                 open_telemetry=None if native_tracing else False)
    messages = [{"role": "user", "content": ANTHROPIC_QUESTIONS[0]}]
    r1 = client.messages.create(model=ANTHROPIC_MODEL, max_tokens=512, system=ANTHROPIC_SYSTEM,
                                messages=messages)
    messages += [{"role": "assistant", "content": r1.content[0].text},
                 {"role": "user", "content": ANTHROPIC_QUESTIONS[1]}]
    r2 = client.messages.create(model=ANTHROPIC_MODEL, max_tokens=512, system=ANTHROPIC_SYSTEM,
                                messages=messages)
    return r1, r2
