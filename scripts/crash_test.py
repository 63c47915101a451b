#!/usr/bin/env python3
"""The long crash test of `wirewatch run` (scripts/crash-test.sh runs it; stdlib only).

A loopback feed server (http.server on 127.0.0.1) keeps adding entries to a few feeds. The
daemon polls them every second into a directory sink (size-rotated small segments, so kills
also land around segment switches) and a socket sink, and is killed with SIGKILL at random
moments and restarted, KILLS times. Two socket clients follow it the whole time:
  - a raw client that reconnects with {"since": <last seq received>} and keeps every line the
    server sends (no client-side dedup), so a record the server resends counts as duplicated;
  - `wirewatch tail --follow --since 0`, whose printed output is checked the same way.
Afterwards the publisher stops, one last daemon catches up and is stopped with SIGTERM, and
the script checks what a user sees:
  - the directory sink holds every published entry exactly once, seq strictly increasing,
    no torn line, and exactly the records of the store's outbox;
  - each client received every record of the sink exactly once.
It prints `kills=… records=… lost=… duplicated=… out_of_order=…` and exits 1 on any loss,
duplicate, reordering or torn line (2 when the run itself failed, e.g. a timeout).
"""
import argparse
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from feed_server import serve  # noqa: E402  (the loopback feed server, shared with socket_load.py)
from socket_client import ResumingClient  # noqa: E402  (shared with soak.py)


class Publisher:
    """Feeds that grow: path -> list of titles. Thread-safe."""

    def __init__(self, paths, entry_bytes):
        self.lock = threading.Lock()
        self.padding = " ".join(["news"] * max(0, entry_bytes // 5))
        self.feeds = {path: [] for path in paths}
        self.published = []
        self.running = False
        self.thread = None

    def publish(self, path):
        with self.lock:
            entries = self.feeds[path]
            title = "%s entry %d" % (path.strip("/").split(".")[0], len(entries) + 1)
            entries.append(title)
            self.published.append(title)

    def start(self, every):
        self.running = True

        def loop():
            paths = list(self.feeds)
            i = 0
            while self.running:
                self.publish(paths[i % len(paths)])
                i += 1
                time.sleep(every)

        self.thread = threading.Thread(target=loop, daemon=True)
        self.thread.start()

    def stop(self):
        self.running = False
        if self.thread:
            self.thread.join()

    def document(self, path):
        """(etag, body) of a feed, or None for an unknown path."""
        with self.lock:
            if path not in self.feeds:
                return None
            entries = list(self.feeds[path])
        etag = '"%d"' % len(entries)
        items = []
        for title in reversed(entries):
            guid = title.replace(" ", "-")
            items.append(
                "<item><guid>%s</guid><title>%s</title><link>http://example.org/%s</link>"
                "<description>Story %s. %s</description></item>" % (guid, title, guid, title,
                                                                  self.padding))
        body = ('<?xml version="1.0"?><rss version="2.0"><channel><title>%s</title>'
                "<link>http://example.org/</link>%s</channel></rss>" % (path, "".join(items)))
        return etag, body.encode()


class RawClient(ResumingClient):
    """Follows the socket sink, resuming with since=<last seq received>; keeps every seq."""

    def __init__(self, path):
        self.seqs = []
        self.lock = threading.Lock()
        super().__init__(path, retry_delay=0.05)

    def last(self):
        with self.lock:
            return self.seqs[-1] if self.seqs else 0

    def count(self):
        with self.lock:
            return len(self.seqs)

    def on_line(self, line):
        record = json.loads(line)
        if "seq" in record:
            with self.lock:
                self.seqs.append(record["seq"])


def read_sink(directory):
    """(records as dicts in file order, torn line count, the newest file's size)."""
    records, torn = [], 0
    try:
        names = sorted(n for n in os.listdir(directory)
                       if n.startswith("records-") and n.endswith(".jsonl"))
    except FileNotFoundError:
        return [], 0
    for name in names:
        with open(os.path.join(directory, name), "rb") as f:
            data = f.read()
        lines = data.split(b"\n")
        if lines and lines[-1] != b"":
            torn += 1  # an unterminated last line
        for line in lines[:-1]:
            try:
                record = json.loads(line)
                if not isinstance(record.get("seq"), int):
                    raise ValueError
                records.append(record)
            except ValueError:
                torn += 1
    return records, torn


def wait_for(predicate, timeout, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", required=True, help="the wirewatch binary")
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--feeds", type=int, default=4)
    parser.add_argument("--publish-every", type=float, default=0.1,
                        help="seconds between two new entries (round robin over the feeds)")
    parser.add_argument("--min-alive", type=float, default=0.1,
                        help="shortest time a daemon lives before SIGKILL (seconds)")
    parser.add_argument("--max-alive", type=float, default=2.5,
                        help="longest time a daemon lives before SIGKILL (seconds)")
    parser.add_argument("--entry-bytes", type=int, default=3000,
                        help="size of each entry's description, so batches span several pages "
                        "and a kill can land in the middle of a write")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 31)
    rng = random.Random(seed)

    work = tempfile.mkdtemp(prefix="ww-crash-")
    records_dir = os.path.join(work, "records")
    socket_path = os.path.join(work, "s.sock")
    state_dir = os.path.join(work, "state")
    config_path = os.path.join(work, "wirewatch.yaml")
    daemon_log = open(os.path.join(work, "daemon.log"), "ab")

    paths = ["/f%d.xml" % i for i in range(args.feeds)]
    publisher = Publisher(paths, args.entry_bytes)
    server = serve(publisher)
    port = server.server_address[1]

    with open(config_path, "w") as f:
        f.write("state_dir: %s\n" % state_dir)
        f.write("defaults:\n  interval: 1s\n  min_interval: 1s\n  max_interval: 2s\n"
                "  timeout: 10s\n  connect_timeout: 2s\n")
        f.write("metrics:\n  enabled: false\nfeeds:\n")
        for path in paths:
            f.write("  - id: %s\n    url: http://127.0.0.1:%d%s\n" % (path[1:-4], port, path))
        f.write("sinks:\n  - type: directory\n    path: %s\n    rotate: size\n"
                "    max_size: 256KiB\n  - type: socket\n    path: %s\n" % (records_dir, socket_path))

    daemon = None
    tail = None
    raw = None
    exit_code = 2
    try:
        def start_daemon():
            return subprocess.Popen([args.binary, "run", "--config", config_path, "--grace", "10s"],
                                    stdout=subprocess.DEVNULL, stderr=daemon_log)

        publisher.start(args.publish_every)
        daemon = start_daemon()
        if not wait_for(lambda: os.path.exists(socket_path), 30):
            print("the daemon did not open its socket; see %s/daemon.log" % work, file=sys.stderr)
            return 2
        # The socket file exists before the listen() call returns: let tail's first connect
        # (which must succeed) wait until a connect works.
        def connectable():
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                try:
                    probe.connect(socket_path)
                    return True
                except OSError:
                    return False
        wait_for(connectable, 30)
        tail_out = open(os.path.join(work, "tail.out"), "wb")
        tail = subprocess.Popen([args.binary, "tail", "--socket", socket_path, "--since", "0",
                                 "--follow"], stdout=tail_out, stderr=subprocess.DEVNULL)
        raw = RawClient(socket_path)

        kills = 0
        torn_at_kill = 0
        busy_kills = 0  # kills after which the sink had grown since the previous one
        previous_size = 0
        started = time.monotonic()
        for _ in range(args.kills):
            time.sleep(rng.uniform(args.min_alive, args.max_alive))
            if daemon.poll() is not None:
                print("the daemon exited by itself (code %s); see %s/daemon.log"
                      % (daemon.returncode, work), file=sys.stderr)
                return 2
            daemon.send_signal(signal.SIGKILL)
            daemon.wait()
            kills += 1
            records, torn = read_sink(records_dir)
            torn_at_kill += 1 if torn else 0
            busy_kills += 1 if len(records) > previous_size else 0
            previous_size = len(records)
            daemon = start_daemon()
        kill_phase = time.monotonic() - started
        publisher.stop()
        published = list(publisher.published)

        def caught_up():
            titles = {r.get("title") for r in read_sink(records_dir)[0]}
            return all(t in titles for t in published)
        if not wait_for(caught_up, 120, 0.2):
            print("the last daemon did not deliver everything within 120 s", file=sys.stderr)
        held = len(read_sink(records_dir)[0])
        wait_for(lambda: raw.count() >= held, 60, 0.2)
        wait_for(lambda: len(open(os.path.join(work, "tail.out"), "rb").read().splitlines()) >= held,
                 60, 0.2)
        daemon.send_signal(signal.SIGTERM)
        try:
            term_code = daemon.wait(60)
        except subprocess.TimeoutExpired:
            term_code = "timeout"
        raw.stop()

        records, torn = read_sink(records_dir)
        seqs = [r["seq"] for r in records]
        titles = {}
        for r in records:
            titles[r.get("title")] = titles.get(r.get("title"), 0) + 1
        lost = sum(1 for t in published if t not in titles)
        duplicated = sum(n - 1 for n in titles.values() if n > 1) + (len(seqs) - len(set(seqs)))
        out_of_order = sum(1 for a, b in zip(seqs, seqs[1:]) if b <= a)
        db = sqlite3.connect("file:%s?mode=ro" % os.path.join(state_dir, "wirewatch.db"), uri=True)
        outbox = [row[0] for row in db.execute("SELECT seq FROM outbox ORDER BY seq")]
        db.close()
        not_in_sink = len(set(outbox) - set(seqs))

        def client_figures(received):
            counts = {}
            for s in received:
                counts[s] = counts.get(s, 0) + 1
            return (sum(1 for s in set(seqs) if s not in counts),
                    sum(n - 1 for n in counts.values() if n > 1))
        raw_missed, raw_dup = client_figures(raw.seqs)
        tail.terminate()
        tail.wait(10)
        tail_seqs = []
        for line in open(os.path.join(work, "tail.out"), "rb").read().splitlines():
            tail_seqs.append(json.loads(line)["seq"])
        tail_missed, tail_dup = client_figures(tail_seqs)

        print("seed=%d feeds=%d published=%d kill_phase=%.1fs sigterm_exit=%s" %
              (seed, args.feeds, len(published), kill_phase, term_code))
        print("kills=%d busy_kills=%d torn_at_kill=%d raw_client_connections=%d" %
              (kills, busy_kills, torn_at_kill, raw.connections))
        print("socket raw client (since=<last>): received=%d missed=%d duplicated=%d" %
              (len(raw.seqs), raw_missed, raw_dup))
        print("wirewatch tail --follow: printed=%d missed=%d duplicated=%d" %
              (len(tail_seqs), tail_missed, tail_dup))
        print("outbox=%d outbox_not_in_sink=%d" % (len(outbox), not_in_sink))
        print("kills=%d records=%d lost=%d duplicated=%d out_of_order=%d torn=%d" %
              (kills, len(records), lost, duplicated, out_of_order, torn))
        bad = (lost or duplicated or out_of_order or torn or not_in_sink or raw_missed or raw_dup
               or tail_missed or tail_dup or term_code != 0)
        exit_code = 1 if bad else 0
        if bad:
            print("FAILED: see %s" % work, file=sys.stderr)
            args.keep = True
        return exit_code
    finally:
        publisher.stop()
        if raw:
            raw.running = False
        for process in (tail, daemon):
            if process and process.poll() is None:
                process.kill()
                process.wait()
        server.shutdown()
        daemon_log.close()
        if args.keep:
            print("work directory kept: %s" % work, file=sys.stderr)
        else:
            subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    sys.exit(main())
