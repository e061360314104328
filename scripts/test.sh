#!/usr/bin/env bash
# Builds everything (the binary too: end-to-end tests run it in tmux) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build
