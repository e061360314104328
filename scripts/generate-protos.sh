#!/usr/bin/env bash
# Regenerates Sources/OTLPProto (Swift messages and the gRPC TraceService stubs) from Protos/.
# Run by hand after changing a .proto file; the build never runs it (the generated code is committed,
# so CI needs neither protoc nor the plugins, whose first build is slow).
#
# Needs protoc (Debian: apt-get install protobuf-compiler). Builds the two protoc plugins from the same
# package versions Package.swift resolves: protoc-gen-swift (apple/swift-protobuf 1.39.0) and
# protoc-gen-grpc-swift-2 (grpc/grpc-swift-protobuf 2.4.1), in a scratch folder outside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=${TRACETUI_PROTOGEN_DIR:-/tmp/tracetui-protogen}
mkdir -p "$work"
if [ ! -d "$work/grpc-swift-protobuf" ]; then
  git clone -q --branch 2.4.1 https://github.com/grpc/grpc-swift-protobuf "$work/grpc-swift-protobuf"
fi
(
  cd "$work/grpc-swift-protobuf"
  swift build --product protoc-gen-grpc-swift-2
  swift build --product protoc-gen-swift
)
bin=$(cd "$work/grpc-swift-protobuf" && swift build --show-bin-path)
grep -q '1.39.0' "$work/grpc-swift-protobuf/.build/checkouts/swift-protobuf/Package.swift" 2>/dev/null \
  || (cd "$work/grpc-swift-protobuf" && swift package show-dependencies | grep -q 'swift-protobuf.*1.39.0') \
  || { echo "protoc-gen-swift is not from swift-protobuf 1.39.0" >&2; exit 1; }

out="$root/Sources/OTLPProto"
rm -rf "$out/Generated"
mkdir -p "$out/Generated"
cd "$root/Protos"
protos=(
  opentelemetry/proto/common/v1/common.proto
  opentelemetry/proto/resource/v1/resource.proto
  opentelemetry/proto/trace/v1/trace.proto
  opentelemetry/proto/collector/trace/v1/trace_service.proto
  google/rpc/status.proto
)
protoc -I . -I /usr/include \
  --plugin=protoc-gen-swift="$bin/protoc-gen-swift" \
  --swift_opt=Visibility=Public --swift_opt=FileNaming=PathToUnderscores \
  --swift_out="$out/Generated" \
  "${protos[@]}"
protoc -I . -I /usr/include \
  --plugin=protoc-gen-grpc-swift-2="$bin/protoc-gen-grpc-swift-2" \
  --grpc-swift-2_opt=Visibility=Public --grpc-swift-2_opt=FileNaming=PathToUnderscores \
  --grpc-swift-2_opt=Client=True --grpc-swift-2_opt=Server=True \
  --grpc-swift-2_out="$out/Generated" \
  opentelemetry/proto/collector/trace/v1/trace_service.proto
ls -1 "$out/Generated"
