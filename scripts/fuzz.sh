#!/usr/bin/env bash
# Fuzzes the code that reads untrusted bytes (docs/FUZZING.md): libFuzzer harnesses in fuzz/, built
# with swiftc -sanitize=fuzzer,address over the module sources, so a crash, an out-of-bounds access,
# a leak, a hang or a broken invariant on any input fails the run.
#   scripts/fuzz.sh [json|protobuf|sniff|keys|all] [SECONDS]     (default: all 30)
# Each target runs SECONDS on its corpus in .build-fuzz/corpus/TARGET (kept between runs, so it grows),
# seeded from fuzz/make-seeds.py (the sample traces, their protobuf encodings, hostile cases; also
# the traces in $TRACETUI_FUZZ_SAMPLES, default /work/shared/samples, when that directory exists).
# A failing input is saved in .build-fuzz/crashes/TARGET/ and its report printed; minimise it with
# `.build-fuzz/fuzz-TARGET -minimize_crash=1 -runs=10000 FILE`, fix the bug, and keep the input as a
# regression test in Tests/TraceFormatsTests/Fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-all}
seconds=${2:-30}
out=.build-fuzz
flags=("-sanitize=fuzzer,address" -parse-as-library -O -g -use-ld=lld -I "$out" -I Sources/CZlib)

case "$target" in
  all) targets=(json protobuf sniff keys) ;;
  json | protobuf | sniff | keys) targets=("$target") ;;
  *) echo "usage: $0 [json|protobuf|sniff|keys|all] [SECONDS]" >&2; exit 2 ;;
esac

# module NAME [DEPENDENCY...] -- SOURCE...: compiles the module into a static library and its
# .swiftmodule in $out, unless the library is newer than every source and every dependency's library.
module() {
  local name=$1 deps=()
  shift
  while [ "$1" != -- ]; do deps+=("$out/lib$1.a"); shift; done
  shift
  local lib="$out/lib$name.a"
  if [ -f "$lib" ] && [ -z "$(find "$@" "${deps[@]}" -newer "$lib")" ]; then return; fi
  echo "fuzz: building $name"
  swiftc "${flags[@]}" -module-name "$name" -emit-module -emit-module-path "$out/$name.swiftmodule" \
    -emit-library -static -o "$lib" "$@"
}

# Links fuzz-TARGET from its harness (and the shared store check) against the given libraries.
harness() {
  local name=$1 file=$2
  shift 2
  local bin="$out/fuzz-$name"
  local inputs=("fuzz/$file" fuzz/StoreCheck.swift)
  [ "$name" = keys ] && inputs=("fuzz/$file")
  local libs=()
  for lib in "$@"; do libs+=("$out/lib$lib.a"); done
  if [ -f "$bin" ] && [ -z "$(find "${inputs[@]}" "${libs[@]}" -newer "$bin")" ]; then return; fi
  echo "fuzz: linking fuzz-$name"
  swiftc "${flags[@]}" -module-name "Fuzz$name" -o "$bin" "${inputs[@]}" "${libs[@]}" -lz
}

mkdir -p "$out"
for t in "${targets[@]}"; do
  case "$t" in
    json | protobuf | sniff)
      module TraceModel -- Sources/TraceModel/*.swift
      module TraceFormats TraceModel -- Sources/TraceFormats/*.swift
      ;;
    keys) module TraceUI -- Sources/TraceUI/Keys.swift Sources/TraceUI/KeyDecoder.swift ;;
  esac
  case "$t" in
    json) harness json FuzzJSON.swift TraceFormats TraceModel ;;
    protobuf) harness protobuf FuzzProtobuf.swift TraceFormats TraceModel ;;
    sniff) harness sniff FuzzSniff.swift TraceFormats TraceModel ;;
    keys) harness keys FuzzKeys.swift TraceUI ;;
  esac
done

./scripts/setup-test-venv.sh
samples=(sample-traces)
extra=${TRACETUI_FUZZ_SAMPLES:-/work/shared/samples}
if [ -d "$extra" ]; then mapfile -t -O 1 samples < <(find "$extra" -type d); fi
rm -rf "$out/seeds"
.venv-tests/bin/python fuzz/make-seeds.py "$out/seeds" "${samples[@]}"

# A Swift trap is reported by libFuzzer's own handler (stack, input saved); Swift's backtracer would
# read memory ASan has poisoned and bury the report under a second one.
export SWIFT_BACKTRACE=enable=no
failed=0
for t in "${targets[@]}"; do
  mkdir -p "$out/corpus/$t" "$out/crashes/$t"
  options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1
    -artifact_prefix="$out/crashes/$t/")
  case "$t" in json | sniff) options+=(-dict=fuzz/json.dict) ;; esac
  log="$out/fuzz-$t.log"
  if "$out/fuzz-$t" "${options[@]}" "$out/corpus/$t" "$out/seeds/$t" > "$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    coverage=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*')
    echo "fuzz $t: $runs runs in ${seconds}s ($speed/s), $coverage, no failures"
  else
    failed=1
    echo "fuzz $t: FAILED; input in $out/crashes/$t/, log in $log:"
    grep -A 40 -E '^==[0-9]+==|^(SUMMARY|ERROR|INFO: Timeout|Fatal error)' "$log" | head -60
  fi
done
exit "$failed"
