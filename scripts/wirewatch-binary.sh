# Sourced by the proof scripts (scripts/crash-test.sh, bench/socket_load.sh): sets `binary` to
# $WIREWATCH_BINARY, else build/daemon/wirewatch, else build/dev/wirewatch; exits 2 when none
# is executable. Expects `root` (the repository) and takes the caller's name for the message.
wirewatch_binary() {
  binary=${WIREWATCH_BINARY:-}
  if [[ -z $binary ]]; then
    for candidate in "$root/build/daemon/wirewatch" "$root/build/dev/wirewatch"; do
      if [[ -x $candidate ]]; then binary=$candidate; break; fi
    done
  fi
  if [[ -z $binary || ! -x $binary ]]; then
    echo "$1: no wirewatch binary; build it or set WIREWATCH_BINARY" >&2
    exit 2
  fi
}
