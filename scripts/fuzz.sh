#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz preset: clang, ASan + UBSan) and runs parse_fuzz.
#   scripts/fuzz.sh [SECONDS] [extra libFuzzer flags...]      (default: 600 seconds)
# Environment: FUZZ_BUILD_DIR (default build/fuzz), FUZZ_TARGET (default parse_fuzz).
# The working corpus grows in $FUZZ_BUILD_DIR/corpus/<target> across runs; crashes, leaks and
# timeouts land in $FUZZ_BUILD_DIR/artifacts/. Exit status is libFuzzer's (0 = clean run).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-600}
shift || true
build=${FUZZ_BUILD_DIR:-$root/build/fuzz}
target=${FUZZ_TARGET:-parse_fuzz}

cmake --preset fuzz -S "$root" -B "$build" >/dev/null
cmake --build "$build" --target "$target"

corpus=$build/corpus/$target
artifacts=$build/artifacts
mkdir -p "$corpus" "$artifacts"
"$root/fuzz/make_corpus.sh" "$build/seeds"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
# -timeout: one input taking longer than 10 s is a hang; -rss_limit_mb: bounded memory.
exec "$build/fuzz/$target" "$corpus" "$build/seeds" \
  -dict="$root/fuzz/feed.dict" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" "$@"
