#!/usr/bin/env bash
# Regenerate every file in sample-traces/ (and the figures in its README).
# Venvs live outside the repo: $SAMPLES_VENV (default /tmp/samples-venv) and
# $SAMPLES_VENV_OPENLIT (default /tmp/samples-venv-openlit). Network: PyPI for the
# installs only; the generators talk to a fake provider on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")"
VENV="${SAMPLES_VENV:-/tmp/samples-venv}"
VENV_OL="${SAMPLES_VENV_OPENLIT:-/tmp/samples-venv-openlit}"

setup() {  # setup VENV REQUIREMENTS
  [ -x "$1/bin/python" ] || python3 -m venv "$1"
  "$1/bin/pip" install -q --disable-pip-version-check -r "$2"
}
setup "$VENV" requirements.txt
setup "$VENV_OL" requirements-openlit.txt

PY="$VENV/bin/python"
"$PY" make_agent_workflow.py
"$PY" make_agent_workflow.py --rerun
"$PY" make_multi_trace.py
"$PY" make_genai_openai_v2.py
"$PY" make_genai_openai_v2.py --latest
"$PY" make_openinference_openai.py
"$PY" make_openllmetry_openai.py
"$PY" make_anthropic_cache.py
"$PY" make_anthropic_cache.py --openinference
"$PY" make_anthropic_cache.py --native
"$VENV_OL/bin/python" make_openlit_openai.py
"$PY" make_vercel_ai_sdk.py
for mode in --wrapper-openai-v2 --wrapper-openinference --anthropic-both --anthropic-both-split; do
  "$PY" make_call_groups.py "$mode"
done
"$PY" make_chat_sessions.py
python3 describe.py --update-readme
