#!/usr/bin/env bash
# Benchmark (not a test): issue 10's "every key at 1M spans ≤ 16 ms" on the pure core. Builds
# tracetui-keybench in release (-j 1: the machine is shared) and runs it on FILE: the file is loaded as
# `tracetui view` loads it, then a fixed script of keys goes through update + render (no terminal)
# and each kind of key's p50/p99/max is printed as Markdown for BENCHMARKS.md.
# Usage: scripts/bench/key-replay.sh [FILE] [--size WIDTHxHEIGHT]
#   FILE defaults to bench-data/realistic-1000000.jsonl (scripts/bench/gen_realistic.py 1000000 …).
set -euo pipefail
cd "$(dirname "$0")/../.."
file=${1:-bench-data/realistic-1000000.jsonl}
shift || true
swift build -c release -j 1 --product tracetui-keybench >&2
bin=$(swift build -c release --show-bin-path)/tracetui-keybench
echo "# tracetui key replay: update + render on the pure core, no terminal"
echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Sources Benchmarks Package.swift || echo ' (with uncommitted changes)')"
echo "command: scripts/bench/key-replay.sh $file${*:+ $*}"
"$bin" "$file" "$@"
