#!/usr/bin/env bash
# Builds the parse_fuzz seed corpus in DIR from tests/fixtures/feeds/ (when present) and
# fuzz/seeds/. The target reads its first byte as a selector (Content-Type, charset override,
# limits), so each seed is written once with selector 0 and once with a random other selector.
set -euo pipefail
out=${1:?usage: fuzz/make_corpus.sh OUT_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
count=0
while IFS= read -r -d '' file; do
  name=$(basename "$file")
  { printf '\x00'; cat "$file"; } >"$out/seed-$count-$name"
  selector=$(printf '\\x%02x' $(((count * 37 + 1) % 256)))
  { printf "$selector"; cat "$file"; } >"$out/seed-$count-sel-$name"
  count=$((count + 1))
done < <(find "$root/fuzz/seeds" "$root/tests/fixtures/feeds" -type f -size -1000k -print0 2>/dev/null | sort -z)
echo "make_corpus: $count seeds, $((count * 2)) corpus files in $out" >&2
