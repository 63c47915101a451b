#!/usr/bin/env bash
# Socket sink under load, side by side in one run: the daemon ingesting a steady stream of new
# entries from a loopback feed server with no socket client, then with 100 clients of which 99
# read everything and one connects and never reads. Prints a table of records/s into the
# directory sink, daemon CPU and RSS per phase, and checks that the stuck client is dropped
# ("Socket client dropped" in the log), that no reader is, that the ingest rate holds and
# that RSS stays bounded. Exits 1 when a check fails.
#   bench/socket_load.sh [--clients N] [--feeds F] [--rate R] [--window W] [--seconds S]
#                        [--warmup S] [--rss-budget MIB] [--keep]
# Environment: WIREWATCH_BINARY (default build/daemon/wirewatch, else build/dev/wirewatch).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/wirewatch-binary.sh"
wirewatch_binary socket_load.sh
exec /usr/bin/python3 "$root/bench/socket_load.py" --binary "$binary" "$@"
