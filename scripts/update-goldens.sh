#!/usr/bin/env bash
# Regenerates the expected output of the feed fixtures (tests/fixtures/feeds/):
#   <stem>.golden.jsonl  standard output of `wirewatch parse`
#   <stem>.status        "exit N" and "stderr LINE", only when the exit status is not 0 or
#                        something was printed on standard error
# with exactly the invocation tests/integration/parse_fixtures_test.cpp uses.
#
#   scripts/update-goldens.sh [FIXTURE...]     (default: all; WIREWATCH_BINARY overrides the binary)
#
# A regenerated golden is a claim that the parser is right. Read the diff (git diff
# tests/fixtures/feeds) before committing it: a golden that records a bug is worse than none.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
binary=${WIREWATCH_BINARY:-$root/build/dev/wirewatch}
[[ -x $binary ]] || { echo "update-goldens: no binary at $binary (build first)" >&2; exit 1; }
cd tests/fixtures/feeds

fetched=2024-01-01T00:00:00Z
default_base=https://fixtures.wirewatch.test/feeds/

if [[ $# -gt 0 ]]; then
  fixtures=("$@")
else
  fixtures=()
  for file in *; do
    [[ -f $file ]] || continue
    case $file in
      *.golden.jsonl | *.status | *.args | *.py | *.md) continue ;;
    esac
    fixtures+=("$file")
  done
fi

for file in "${fixtures[@]}"; do
  file=$(basename "$file")
  stem=${file%.*}
  args=()
  if [[ -f $stem.args ]]; then
    while IFS= read -r line || [[ -n $line ]]; do
      line=${line%$'\r'}
      [[ -z $line || $line == \#* ]] && continue
      args+=("$line")
    done <"$stem.args"
  fi
  has_base=0
  for arg in "${args[@]+"${args[@]}"}"; do [[ $arg == --base-url ]] && has_base=1; done
  base=()
  [[ $has_base == 0 ]] && base=(--base-url "$default_base$file")
  set +e
  "$binary" parse "$file" --fetched "$fetched" "${base[@]+"${base[@]}"}" "${args[@]+"${args[@]}"}" \
    >"$stem.golden.jsonl" 2>"$stem.stderr.tmp" </dev/null
  code=$?
  set -e
  if [[ $code -ne 0 || -s $stem.stderr.tmp ]]; then
    {
      echo "exit $code"
      while IFS= read -r line; do echo "stderr $line"; done <"$stem.stderr.tmp"
    } >"$stem.status"
  else
    rm -f "$stem.status"
  fi
  rm -f "$stem.stderr.tmp"
  printf '%-40s exit %d, %d records\n' "$file" "$code" "$(wc -l <"$stem.golden.jsonl")"
done
