#!/usr/bin/env bash
# Makes .venv-tests (gitignored): the real OpenTelemetry Python SDK and its OTLP exporters over gRPC,
# HTTP protobuf and HTTP JSON, from PyPI. The live-attach tests and scripts/bench send spans with them
# (Tests/otlp-senders/send_workflow.py). Does nothing when the venv already has these exact versions.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-tests
want="opentelemetry-sdk==1.45.2 opentelemetry-exporter-otlp-proto-grpc==1.45.1 opentelemetry-exporter-otlp-proto-http==1.45.1 opentelemetry-exporter-otlp-json-http==0.66b1"
stamp="$venv/.tracetui-requirements"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
python3 -m venv "$venv"
# shellcheck disable=SC2086
"$venv/bin/pip" install -q --disable-pip-version-check $want
echo "$want" > "$stamp"
