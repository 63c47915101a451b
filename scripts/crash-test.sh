#!/usr/bin/env bash
# The long crash test of `wirewatch run`: a loopback feed server keeps adding entries, the
# daemon is killed with SIGKILL at random moments (50 times by default) and restarted; then the
# directory sink must hold every published entry exactly once in strictly increasing seq order,
# and two socket clients (a raw one resuming with {"since": N}, and `wirewatch tail --follow`)
# must have received every record exactly once. Prints
#   kills=… records=… lost=… duplicated=… out_of_order=… torn=…
# and exits non-zero on any loss, duplicate, reordering or torn line.
#   scripts/crash-test.sh [--kills N] [--feeds F] [--publish-every SECONDS]
#                         [--min-alive SECONDS] [--max-alive SECONDS] [--entry-bytes B]
#                         [--seed S] [--keep]
# Environment: WIREWATCH_BINARY (default build/daemon/wirewatch, else build/dev/wirewatch).
# The short version runs in CTest: tests/integration/daemon (SigkillAtRandomMoments...).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/wirewatch-binary.sh"
wirewatch_binary crash-test.sh
exec /usr/bin/python3 "$root/scripts/crash_test.py" --binary "$binary" "$@"
