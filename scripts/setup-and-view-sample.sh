#!/usr/bin/env bash
# From a fresh Debian machine with Swift to the TUI on the bundled agent-workflow sample.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
swift build -c release
exec .build/release/tracetui view sample-traces/agent-workflow.json
