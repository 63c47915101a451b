#!/usr/bin/env bash
# End-to-end polling cycle, side by side in one run: wirewatch (`wirewatch once`), newsboat
# (`newsboat -x reload`) and the floor (bench/fetch_floor.cpp: bare libcurl multi + a pugixml
# walk), all fetching the same N generated feeds from one nginx on 127.0.0.1. Each tool runs a
# first cycle from fresh state (every answer a 200 with a full body) and then a second cycle
# (every answer a 304). Wall time, user+sys CPU seconds and peak RSS come from
# /usr/bin/time -f '%e %U %S %M'; feeds/s is N over wall time.
#   bench/poll_compare.sh [--feeds N] [--newsboat-feeds M] [--parallel K] [--newsboat-threads T]
#                         [--rounds R] [--gzip] [--seed S] [--items-per-feed I]
#                         [--skip-newsboat] [--skip-wirewatch] [--timeout SECONDS] [--verify]
#                         [--keep]
#   --feeds N            feeds served and polled (default 10000)
#   --newsboat-feeds M   newsboat polls only the first M of them (default N); its feeds/s is
#                        over M, and the table says so
#   --parallel K         transfers in flight for the floor and wirewatch (default 16, which is
#                        wirewatch's default max_concurrency; per_host_concurrency is set to K
#                        too, because every feed here is on the one host 127.0.0.1)
#   --newsboat-threads T newsboat's reload-threads (default 4: 2 x cores)
#   --rounds R           repeat the whole comparison R times, interleaved (default 1)
#   --gzip               nginx serves pre-compressed .gz files (gzip_static) to clients that
#                        ask for gzip; the floor then asks for gzip too (curl inflates)
#   --timeout SECONDS    per tool and cycle (default 900); a cycle that runs out is reported
#   --verify             nginx logs each response's status (otherwise access_log is off), and
#                        the table counts 200s and 304s per tool and cycle from that log
#   --keep               keep the work directory (configs, logs, stores) and print its path
# Environment: BENCH_BUILD_DIR (default build/pollbench, a Release build; configured here if
# missing). The corpus is generated once into $BENCH_BUILD_DIR/poll-corpus-N-S-I and reused.
# nginx runs as the current user with a throwaway config on a free port of 127.0.0.1 and is
# stopped on exit, Ctrl-C included; the work directory is removed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BENCH_BUILD_DIR:-$root/build/pollbench}

feeds=10000 newsboat_feeds='' parallel=16 newsboat_threads=4 rounds=1 gzip=0 seed=42 items=20
skip_newsboat=0 skip_wirewatch=0 timeout_s=900 verify=0 keep=0
usage() { sed -n '/^#   bench/,/^# Environment/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 64; }
while (($#)); do
  case $1 in
    --feeds) feeds=$2; shift ;;
    --newsboat-feeds) newsboat_feeds=$2; shift ;;
    --parallel) parallel=$2; shift ;;
    --newsboat-threads) newsboat_threads=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    --gzip) gzip=1 ;;
    --seed) seed=$2; shift ;;
    --items-per-feed) items=$2; shift ;;
    --skip-newsboat) skip_newsboat=1 ;;
    --skip-wirewatch) skip_wirewatch=1 ;;
    --timeout) timeout_s=$2; shift ;;
    --verify) verify=1 ;;
    --keep) keep=1 ;;
    -h | --help) usage ;;
    *) echo "poll_compare: unknown argument $1" >&2; usage ;;
  esac
  shift
done
newsboat_feeds=${newsboat_feeds:-$feeds}
((newsboat_feeds <= feeds)) || newsboat_feeds=$feeds
log() { echo "poll_compare: $*" >&2; }

for tool in nginx /usr/bin/time python3 timeout; do
  command -v "$tool" >/dev/null || { log "$tool is missing (scripts/install-deps.sh)"; exit 69; }
done
if ((!skip_newsboat)) && ! command -v newsboat >/dev/null; then
  log "newsboat is missing (scripts/install-deps.sh)"; exit 69
fi

# ---- work directory, nginx, cleanup ------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/poll_compare.XXXXXX")
nginx_pid='' tool_pid=''
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n $tool_pid ]]; then  # a timed tool still running: timeout passes TERM to its group
    kill -TERM "$tool_pid" 2>/dev/null || true
    wait "$tool_pid" 2>/dev/null || true
  fi
  if [[ -n $nginx_pid ]] && kill -0 "$nginx_pid" 2>/dev/null; then
    kill -QUIT "$nginx_pid" 2>/dev/null || true  # graceful stop of master and workers
    for _ in $(seq 50); do kill -0 "$nginx_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$nginx_pid" 2>/dev/null || true
  fi
  if ((keep)); then log "kept $work"; else rm -rf "$work"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- build ---------------------------------------------------------------------------------------
if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DWIREWATCH_BUILD_TESTS=OFF \
    >/dev/null
fi
cmake --build "$build" --target fetch_floor >"$work/build.log" 2>&1 ||
  { cat "$work/build.log" >&2; log "fetch_floor does not build"; exit 70; }
floor=$build/bench/fetch_floor
wirewatch=$build/wirewatch
if ((!skip_wirewatch)); then
  if ! cmake --build "$build" --target wirewatch >"$work/build.log" 2>&1; then
    log "SKIPPING wirewatch: the wirewatch target does not build here (log: tail below)"
    tail -n 5 "$work/build.log" >&2
    skip_wirewatch=1
  elif ! "$wirewatch" --help 2>&1 | grep -qE '^ +once( |$)'; then
    log "SKIPPING wirewatch: '$wirewatch --help' lists no 'once' subcommand yet"
    skip_wirewatch=1
  fi
fi

# ---- corpus --------------------------------------------------------------------------------------
corpus=$build/poll-corpus-$feeds-$seed-$items
if [[ ! -f $corpus/manifest.tsv ]]; then
  log "generating $feeds feeds into $corpus"
  rm -rf "$corpus.tmp"
  python3 "$root/bench/gen_corpus.py" --out "$corpus.tmp" --feeds "$feeds" --seed "$seed" \
    --items-per-feed "$items"
  mv "$corpus.tmp" "$corpus"
fi
if ((gzip)) && [[ ! -f $corpus/gzipped ]]; then
  log "pre-compressing the corpus for gzip_static (gzip -6)"
  find "$corpus" -name 'feed-*' ! -name '*.gz' -print0 | xargs -0 -P 2 -n 200 gzip -6 -k -f
  touch "$corpus/gzipped"
fi
# Everything in the page cache before anything is timed, so no tool pays for the disk.
cut -f1 "$corpus/manifest.tsv" | head -n "$feeds" | sed "s|^|$corpus/|" | xargs cat >/dev/null
corpus_bytes=$(cut -f1 "$corpus/manifest.tsv" | head -n "$feeds" | sed "s|^|$corpus/|" |
  xargs stat -c %s | awk '{s += $1} END {print s}')

# ---- nginx ----------------------------------------------------------------------------------------
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/nginx"
user_line=''
(($(id -u) == 0)) && user_line="user $(id -un) $(id -gn);"  # workers stay this user, not nobody
if ((gzip)); then gzip_lines='gzip_static on; gzip_vary on;'; else gzip_lines='gzip off;'; fi
access_log=$work/nginx/access.log
if ((verify)); then log_lines="log_format status '\$status'; access_log $access_log status;"
else log_lines='access_log off;'; fi
cat >"$work/nginx/nginx.conf" <<EOF
$user_line
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  types { application/xml xml; application/feed+json json; }
  default_type application/octet-stream;
  $log_lines
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 120s;
  keepalive_requests 1000000;
  etag on;
  if_modified_since exact;
  open_file_cache max=50000 inactive=300s;
  $gzip_lines
  client_body_temp_path $work/nginx/client_body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$port;
    root $corpus;
    location / { }
  }
}
EOF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
nginx_pid=$!
first_url=http://127.0.0.1:$port/$(head -n 1 "$corpus/manifest.tsv" | cut -f1)
for _ in $(seq 100); do
  python3 -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=1)" \
    "$first_url" 2>/dev/null && break
  kill -0 "$nginx_pid" 2>/dev/null || { cat "$work/nginx/error.log" >&2; log "nginx died"; exit 70; }
  sleep 0.1
done
log "nginx $(nginx -v 2>&1 | sed 's|.*/||') on 127.0.0.1:$port (pid $nginx_pid), gzip=$gzip," \
  "$feeds feeds, $((corpus_bytes / 1000000)) MB"

head -n "$feeds" "$corpus/manifest.tsv" | cut -f1 | sed "s|^|http://127.0.0.1:$port/|" >"$work/urls"
head -n "$newsboat_feeds" "$work/urls" >"$work/newsboat-urls"

# ---- measuring -------------------------------------------------------------------------------------
# One row per tool and cycle: round tool phase feeds http200 http304 failed wall user sys rss note.
# phase: cold (first cycle, fresh state), again (newsboat's second cycle, see run_newsboat),
# warm (the cycle that gets 304s). http200/http304 come from nginx's log with --verify, else from
# what the tool reports ('-' when it reports nothing).
results=$work/results.tsv
: >"$results"
# timed NAME COMMAND...: runs COMMAND under /usr/bin/time and a timeout; sets wall, user, sys, rss
# (KiB), rc, and with --verify served200/served304 (responses nginx logged meanwhile). timeout
# runs in the background in a process group of its own, so a signal to this script is handled at
# once (cleanup stops that group) instead of after the cycle.
timed() {
  local out=$1 before=0; shift
  ((verify)) && before=$(wc -l <"$access_log")
  rc=0
  timeout -s KILL "$timeout_s" /usr/bin/time -f '%e %U %S %M' -o "$out.time" "$@" \
    >"$out.stdout" 2>"$out.stderr" &
  tool_pid=$!
  wait "$tool_pid" || rc=$?
  tool_pid=''
  if ((rc == 124 || rc == 137)) || [[ ! -s $out.time ]]; then
    log "$out: killed after the ${timeout_s}s timeout"
    wall=$timeout_s user=nan sys=nan rss=0
  else
    read -r wall user sys rss < <(tail -n 1 "$out.time")
  fi
  served200=- served304=-
  if ((verify)); then
    sleep 0.3  # nginx logs a request just after its last byte is sent
    read -r served200 served304 < <(tail -n +"$((before + 1))" "$access_log" |
      awk '$1 == 200 { a++ } $1 == 304 { b++ } END { print a + 0, b + 0 }')
  fi
}
record() {  # round tool phase feeds http200 http304 failed note
  local ok=$5 nm=$6
  ((verify)) && ok=$served200 nm=$served304
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$ok" "$nm" "$7" \
    "$wall" "$user" "$sys" "$rss" "$8" >>"$results"
}

run_floor() {  # round
  local dir=$work/floor-$1 cycle phase line validators_in=() gzip_flag=()
  mkdir -p "$dir"
  ((gzip)) && gzip_flag=(--gzip)
  for cycle in 1 2; do
    timed "$dir/cycle$cycle" "$floor" --urls "$work/urls" --parallel "$parallel" \
      "${gzip_flag[@]}" "${validators_in[@]}" --validators-out "$dir/validators$cycle.tsv"
    line=$(cat "$dir/cycle$cycle.stdout")
    field() { sed -nE "s/.*(^| )$1=([^ ]*).*/\2/p" <<<"$line"; }
    phase=cold; ((cycle == 1)) || phase=warm
    record "$1" floor $phase "$feeds" "$(field ok)" "$(field not_modified)" "$(field failed)" \
      "items=$(field items) json_not_walked=$(field not_xml) body_bytes=$(field bytes) exit=$rc"
    validators_in=(--validators-in "$dir/validators$cycle.tsv")
  done
}

run_wirewatch() {  # round
  local dir=$work/wirewatch-$1 cycle phase counts polled ok nm bad new updated
  mkdir -p "$dir"
  {
    echo "# written by bench/poll_compare.sh"
    echo "state_dir: $dir/state"
    echo "defaults:"
    echo "  max_concurrency: $parallel"
    echo "  per_host_concurrency: $parallel"
    [[ -d $root/config/rules ]] && echo "classifier: {rules: $root/config/rules}"
    echo "metrics: {enabled: false}"
    echo "sinks:"
    echo "  - {type: directory, path: $dir/records}"
    echo "feeds:"
    sed -E 's|^(.*/)(feed-[0-9]+)\.([a-z]+)$|  - {id: \2, url: "\1\2.\3"}|' "$work/urls"
  } >"$dir/config.yaml"
  for cycle in 1 2; do
    timed "$dir/cycle$cycle" "$wirewatch" once --config "$dir/config.yaml"
    # The summary on stderr: one line per feed, "id result http entries new upd flagged note".
    counts=$(awk '$1 ~ /^feed-[0-9]+$/ { n++; if ($3 == 200) ok++; else if ($3 == 304) nm++
                    if ($2 != "changed" && $2 != "unchanged") bad++; if ($5 ~ /^[0-9]+$/) new += $5
                    if ($6 ~ /^[0-9]+$/) updated += $6 }
                  END { print n + 0, ok + 0, nm + 0, bad + 0, new + 0, updated + 0 }' \
      "$dir/cycle$cycle.stderr")
    read -r polled ok nm bad new updated <<<"$counts"
    ((polled == feeds)) || bad=$((bad + feeds - polled))
    phase=cold; ((cycle == 1)) || phase=warm
    record "$1" wirewatch $phase "$feeds" "$ok" "$nm" "$bad" \
      "new_records=$new updated_records=$updated records_on_disk=$(cat "$dir"/records/* 2>/dev/null | wc -l) exit=$rc"
    if ((rc != 0)); then
      log "wirewatch once exited $rc (cycle $cycle); last lines of its stderr:"
      tail -n 3 "$dir/cycle$cycle.stderr" >&2
    fi
  done
}

# newsboat 2.21 keeps no validators from a feed's first download (it stores them before the
# feed has a row in its cache), so its second reload downloads every feed in full again and
# only the third gets 304s. It runs three cycles: cold, again, warm.
run_newsboat() {  # round
  local dir=$work/newsboat-$1 cycle phase counts with_items in_cache
  mkdir -p "$dir/home"
  printf 'reload-threads %s\n' "$newsboat_threads" >"$dir/config"
  for cycle in 1 2 3; do
    HOME=$dir/home XDG_CONFIG_HOME=$dir/home XDG_DATA_HOME=$dir/home \
      timed "$dir/cycle$cycle" newsboat -x reload -c "$dir/cache.db" -C "$dir/config" \
      -u "$work/newsboat-urls"
    # newsboat reports nothing per feed: count what its cache holds (feeds with items, items).
    counts=$(python3 - "$dir/cache.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(*db.execute("select count(distinct feedurl), count(*) from rss_item").fetchone())
PY
    ) || counts="0 0"
    read -r with_items in_cache <<<"$counts"
    case $cycle in 1) phase=cold ;; 2) phase=again ;; *) phase=warm ;; esac
    record "$1" newsboat "$phase" "$newsboat_feeds" - - - \
      "feeds_with_items=$with_items items_in_cache=$in_cache stderr_lines=$(wc -l <"$dir/cycle$cycle.stderr") exit=$rc"
  done
}

for round in $(seq "$rounds"); do
  log "round $round/$rounds: floor"
  run_floor "$round"
  if ((!skip_wirewatch)); then log "round $round/$rounds: wirewatch"; run_wirewatch "$round"; fi
  if ((!skip_newsboat)); then
    log "round $round/$rounds: newsboat ($newsboat_feeds feeds, reload-threads $newsboat_threads)"
    run_newsboat "$round"
  fi
done

# ---- report ----------------------------------------------------------------------------------------
python3 - "$results" "$feeds" "$parallel" "$newsboat_threads" "$gzip" "$corpus_bytes" \
  "$(nproc)" "$(cat /proc/loadavg)" <<'PY'
import statistics, sys
path, feeds, parallel, threads, gzip, corpus_bytes, cores, loadavg = sys.argv[1:]
rows = []
for line in open(path):
    r, tool, phase, n, ok, nm, failed, wall, user, sys_, rss, note = line.rstrip("\n").split("\t")
    rows.append(dict(round=int(r), tool=tool, phase=phase, n=int(n), ok=ok, nm=nm, failed=failed,
                     wall=float(wall), cpu=float(user) + float(sys_), rss=int(rss) / 1024,
                     note=note))
nb = [r for r in rows if r["tool"] == "newsboat"]
if nb and nb[0]["n"] != int(feeds):
    print(f"NOTE: newsboat polled only the first {nb[0]['n']} of the {feeds} feeds; its feeds/s "
          f"(and every 'x newsboat' ratio) is over those")
print(f"Polling cycle: {feeds} feeds ({int(corpus_bytes) / 1e6:.0f} MB), nginx on 127.0.0.1, "
      f"gzip {'on (gzip_static)' if gzip == '1' else 'off'}, {cores} cores, load average "
      f"{' '.join(loadavg.split()[:3])} at the end; floor and wirewatch {parallel} transfers "
      f"in flight, newsboat reload-threads {threads}")
labels = {"cold": "1st (200)", "again": "2nd (200)", "warm": "2nd (304)"}
def label(r):
    return "3rd (304)" if r["tool"] == "newsboat" and r["phase"] == "warm" else labels[r["phase"]]
def rate(r):
    return r["n"] / r["wall"] if r["wall"] > 0 else 0.0
tools = ("floor", "wirewatch", "newsboat")
rounds = sorted({r["round"] for r in rows})
for rnd in rounds:
    print(f"\nround {rnd}")
    print(f"{'tool':<10}{'cycle':<11}{'feeds':>6}{'200':>6}{'304':>6}{'fail':>5}{'wall s':>8}"
          f"{'CPU s':>8}{'CPU ms/feed':>12}{'RSS MiB':>9}{'feeds/s':>9}{'x floor':>8}"
          f"{'x newsboat':>11}")
    for phase in ("cold", "again", "warm"):
        by = {r["tool"]: r for r in rows if r["round"] == rnd and r["phase"] == phase}
        for tool in tools:
            if tool not in by:
                continue
            r = by[tool]
            x_floor = f"{rate(r) / rate(by['floor']):.2f}" if "floor" in by else "-"
            x_nb = f"{rate(r) / rate(by['newsboat']):.1f}" if "newsboat" in by else "-"
            print(f"{tool:<10}{label(r):<11}{r['n']:>6}{r['ok']:>6}{r['nm']:>6}{r['failed']:>5}"
                  f"{r['wall']:>8.2f}{r['cpu']:>8.2f}{1000 * r['cpu'] / r['n']:>12.2f}"
                  f"{r['rss']:>9.1f}{rate(r):>9.0f}{x_floor:>8}{x_nb:>11}")
    for r in rows:
        if r["round"] == rnd:
            print(f"  {r['tool']} {label(r)}: {r['note']}")
if len(rounds) > 1:
    print(f"\nspread over {len(rounds)} rounds: feeds/s min / median / max, "
          f"CPU ms per feed median, peak RSS MiB max")
    for phase in ("cold", "again", "warm"):
        for tool in tools:
            sel = [r for r in rows if r["tool"] == tool and r["phase"] == phase]
            if sel:
                rates = [rate(r) for r in sel]
                print(f"  {tool:<10}{label(sel[0]):<11}{min(rates):>8.0f}"
                      f"{statistics.median(rates):>8.0f}{max(rates):>8.0f}"
                      f"{statistics.median(1000 * r['cpu'] / r['n'] for r in sel):>10.2f}"
                      f"{max(r['rss'] for r in sel):>9.1f}")
PY
