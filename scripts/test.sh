#!/usr/bin/env bash
# Builds everything (the binary too: end-to-end tests run it in tmux) and runs every test. First makes
# sure .venv-tests holds the OpenTelemetry Python SDK the live-attach tests send spans with (quick when
# it already does). Then fuzzes each decoder of untrusted bytes for 25 s (scripts/fuzz.sh: libFuzzer and
# ASan, its own build in .build-fuzz, about three minutes in all), and checks what scripts/install.sh
# ships: the static release binary, run with the Swift toolchain hidden, its completions and man page
# (scripts/check-install.sh; its own release build in .build-install, several minutes the first time).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-test-venv.sh
swift build --build-tests
swift test --skip-build
./scripts/fuzz.sh all 25
./scripts/check-install.sh
