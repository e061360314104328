#!/usr/bin/env bash
# Checks the Swift sources against .swift-format (the toolchain's `swift format`), strictly: any
# finding fails. The generated protobuf code is left as protoc wrote it. To fix what it finds:
#   swift format format -i -p $(git ls-files '*.swift' | grep -v /Generated/)
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.swift' | grep -v '/Generated/')
swift format lint --strict --parallel "${files[@]}"
echo "swift format lint: ${#files[@]} files clean"
