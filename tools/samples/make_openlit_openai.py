"""sample-traces/openlit-openai.json

Runs OpenLIT (`openlit`, its bundled OpenAI instrumentation) against the local fake
provider: the same two calls as the other OpenAI samples. Runs fully offline:
  * pricing comes from tools/samples/openlit-pricing.json (the article's gpt-4o rates
    plus OpenAI's cached-input rate), so openlit does not download its pricing table;
  * metrics and events are disabled and no OTLP endpoint is given; openlit reuses
    the TracerProvider registered before init();
  * a socket guard refuses any connection that is not to loopback, and the script
    fails if one was attempted.
openlit pins openai<3, so it runs in its own venv (requirements-openlit.txt).
"""

import os
import socket

import otlp_json
from fake_provider import FakeProvider, openai_responder, run_openai_calls

BLOCKED = []
_orig_connect = socket.socket.connect


def _guarded_connect(self, address):
    host = address[0] if isinstance(address, tuple) else str(address)
    if not (str(host).startswith("127.") or host in ("::1", "localhost")):
        BLOCKED.append(address)
        raise OSError(f"sample generator: non-loopback connection refused: {address}")
    return _orig_connect(self, address)


socket.socket.connect = _guarded_connect

provider, exporter = otlp_json.setup_tracing("chat-app", seed=6006)

import openlit  # noqa: E402

openlit.init(
    application_name="chat-app",
    environment="samples",
    pricing_json=os.path.join(otlp_json.HERE, "openlit-pricing.json"),
    disable_metrics=True,
    disable_events=True,
    capture_message_content=True,
    disable_batch=True,
)

with FakeProvider(openai_responder) as fake:
    run_openai_calls(fake.base_url)

provider.force_flush()
if BLOCKED:
    raise SystemExit(f"openlit tried to reach the network: {BLOCKED}")
request = otlp_json.spans_to_request(exporter.get_finished_spans())
otlp_json.anchor(request, otlp_json.ANCHOR_END_NS - 6 * 3_600 * 10**9)
otlp_json.write_pretty("openlit-openai.json", request)
