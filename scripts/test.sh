#!/usr/bin/env bash
# Builds everything (the binary too: end-to-end tests run it in tmux) and runs every test. First makes
# sure .venv-tests holds the OpenTelemetry Python SDK the live-attach tests send spans with (quick when
# it already does).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-test-venv.sh
swift build --build-tests
swift test --skip-build
