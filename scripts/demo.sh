#!/usr/bin/env bash
# The demo on a fresh Debian 12 machine: installs what is missing, builds, and runs one poll
# of the bundled sample feeds (config/demo.yaml), printing the records flagged as climate
# diplomacy or summit stories, then a second poll that finds nothing new.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target wirewatch >/dev/null

state=build/demo-state
rm -rf "$state"
echo "== first poll: every sample entry is new; flagged ones are printed (stdout sink, labels: any)"
build/release/wirewatch once --config config/demo.yaml
echo
echo "== second poll right after: nothing new"
build/release/wirewatch once --config config/demo.yaml
echo
echo "All records are in $state/records/ (directory sink); the store is $state/wirewatch.db."
