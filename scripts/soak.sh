#!/usr/bin/env bash
# Soak test of `wirewatch run`: a few hundred loopback feeds that change over time (new items,
# edited items, 304s, identical rewrites, intermittent 404/503/429, slow and timed-out
# answers), short intervals (1-10 s) and short retention (outbox 2m, seen 1h: the smallest
# accepted), a directory
# sink and a socket sink with a reconnecting client, SIGHUPs (one with an invalid config) and
# one graceful restart. Every 30 s it samples RSS/HWM, fds, threads, CPU, db/wal/shm sizes,
# outbox/seen rows, sink bytes, log lines, /metrics and `wirewatch status --json`.
# At the end it checks the sink against what the servers actually sent: nothing lost,
# nothing duplicated, no record that was never served, seq increasing, socket client
# complete; and prints the growth of each sampled figure. Details: scripts/soak.py header.
# Seen-entry pruning needs a day of clock (see docs/operations.md, "Soak test"): afterwards run
# scripts/soak_retention.py --binary BIN --dir DIR (needs the Debian package faketime).
#
# usage: scripts/soak.sh [--minutes 40] [--feeds 200] [--dir /tmp/soak/run] [--sample 30]
# Needs nginx and python3; the binary from scripts/wirewatch-binary.sh or WIREWATCH_BINARY.
# Output: DIR/samples.jsonl (one line per sample), DIR/report.json, DIR/daemon.log.
# Exit 0 when the checks pass, 1 on loss/duplicates, 2 on a setup failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/wirewatch-binary.sh"
wirewatch_binary soak.sh
command -v nginx >/dev/null || { echo "soak.sh: nginx is required" >&2; exit 2; }
exec /usr/bin/python3 "$root/scripts/soak.py" --binary "$binary" "$@"
