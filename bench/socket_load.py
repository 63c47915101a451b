#!/usr/bin/env python3
"""Socket sink load test for `wirewatch run` (bench/socket_load.sh runs it; stdlib only).

A loopback feed server (http.server on 127.0.0.1) publishes RATE new entries per second, spread
over FEEDS feeds (each serves its newest WINDOW entries); the daemon polls every feed every
second into a directory sink and a socket sink. In one run, side by side:
  phase 1: no socket client;
  phase 2: CLIENTS clients connected (all but one read everything; one connects, sends its
           hello and never reads).
Per phase: records/s into the directory sink (its line count over the phase), the publish
rate, the lag at the end of the phase, the daemon's CPU (utime+stime from /proc) and its RSS
(VmRSS sampled every 0.5 s: start, max, end). Checks: the stuck client is dropped (daemon log
"Socket client dropped"), no reading client is dropped, every reading client received the
records of phase 2, the ingest rate with clients is within 10% of the rate without, and RSS
with clients stays within RSS_BUDGET MiB of the no-client maximum. Exit 1 when a check fails.
"""
import argparse
import datetime
import json
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from feed_server import serve  # noqa: E402  (the loopback feed server, shared with crash_test.py)


class Publisher:
    def __init__(self, feeds, window):
        self.lock = threading.Lock()
        self.entries = {"/f%d.xml" % i: [] for i in range(feeds)}
        self.paths = list(self.entries)
        self.window = window
        self.total = 0
        self.running = False

    def run(self, rate):
        self.running = True
        tick = 0.05
        owed = 0.0
        next_path = 0
        next_time = time.monotonic()
        while self.running:
            owed += rate * tick
            with self.lock:
                while owed >= 1:
                    path = self.paths[next_path % len(self.paths)]
                    next_path += 1
                    self.total += 1
                    self.entries[path].append(self.total)
                    del self.entries[path][:-self.window]
                    owed -= 1
            next_time += tick
            time.sleep(max(0.0, next_time - time.monotonic()))

    def document(self, path):
        with self.lock:
            if path not in self.entries:
                return None
            numbers = list(self.entries[path])
        etag = '"%d"' % (numbers[-1] if numbers else 0)
        items = "".join(
            "<item><guid>e%d</guid><title>Entry %d of %s</title>"
            "<link>http://example.org/%s/%d</link><description>Summary of entry %d, with a "
            "few more words so the record has a realistic size for a news item.</description>"
            "</item>" % (n, n, path, path.strip("/"), n, n) for n in reversed(numbers))
        body = ('<?xml version="1.0"?><rss version="2.0"><channel><title>%s</title>'
                "<link>http://example.org/</link>%s</channel></rss>" % (path, items))
        return etag, body.encode()


class SinkCounter:
    """Counts complete lines appended to the directory sink's segments, incrementally."""

    def __init__(self, directory):
        self.directory = directory
        self.offsets = {}
        self.lines = 0

    def count(self):
        try:
            names = sorted(os.listdir(self.directory))
        except FileNotFoundError:
            return 0
        for name in names:
            if not (name.startswith("records-") and name.endswith(".jsonl")):
                continue
            path = os.path.join(self.directory, name)
            offset = self.offsets.get(name, 0)
            with open(path, "rb") as f:
                f.seek(offset)
                data = f.read()
            complete = data.rfind(b"\n") + 1
            self.lines += data.count(b"\n", 0, complete)
            self.offsets[name] = offset + complete
        return self.lines


class Clients:
    """n reading clients on one selector thread, plus one client that never reads."""

    def __init__(self, path, readers):
        self.selector = selectors.DefaultSelector()
        self.received = [0] * readers
        self.closed = [False] * readers
        self.sockets = []
        for i in range(readers):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(path)
            sock.sendall(b'{"follow": true}\n')
            sock.setblocking(False)
            self.selector.register(sock, selectors.EVENT_READ, i)
            self.sockets.append(sock)
        self.stuck = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.stuck.connect(path)
        self.stuck.sendall(b'{"follow": true}\n')
        self.running = True
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while self.running:
            for key, _ in self.selector.select(0.2):
                i = key.data
                try:
                    data = key.fileobj.recv(1 << 18)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if not data:
                    self.closed[i] = True
                    self.selector.unregister(key.fileobj)
                    continue
                self.received[i] += data.count(b"\n")

    def stop(self):
        self.running = False
        self.thread.join()
        for sock in self.sockets + [self.stuck]:
            sock.close()


def proc_stats(pid):
    """(rss MiB, cpu seconds) of a process."""
    with open("/proc/%d/status" % pid) as f:
        rss_kib = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return rss_kib / 1024.0, cpu


def measure(name, seconds, pid, counter, publisher, samples):
    start_lines = counter.count()
    start_published = publisher.total
    rss0, cpu0 = proc_stats(pid)
    rss_max = rss0
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        time.sleep(0.5)
        rss, _ = proc_stats(pid)
        rss_max = max(rss_max, rss)
        samples.append((name, round(time.monotonic() - t0, 1), rss))
    elapsed = time.monotonic() - t0
    rss1, cpu1 = proc_stats(pid)
    lines = counter.count() - start_lines
    published = publisher.total - start_published
    return {
        "phase": name, "seconds": elapsed, "records": lines, "rate": lines / elapsed,
        "published_rate": published / elapsed, "lag": publisher.total - counter.count(),
        "cpu": (cpu1 - cpu0) / elapsed * 100, "rss_start": rss0, "rss_max": max(rss_max, rss1),
        "rss_end": rss1,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--clients", type=int, default=100, help="including the stuck one")
    parser.add_argument("--feeds", type=int, default=40)
    parser.add_argument("--rate", type=float, default=400, help="new entries per second")
    parser.add_argument("--window", type=int, default=60, help="entries each feed lists")
    parser.add_argument("--seconds", type=float, default=30, help="length of each phase")
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument("--rss-budget", type=float, default=64,
                        help="MiB the daemon may grow with clients over its no-client maximum")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="ww-load-")
    records_dir = os.path.join(work, "records")
    socket_path = os.path.join(work, "s.sock")
    log_path = os.path.join(work, "daemon.log")
    publisher = Publisher(args.feeds, args.window)
    server = serve(publisher)
    port = server.server_address[1]
    config_path = os.path.join(work, "wirewatch.yaml")
    with open(config_path, "w") as f:
        f.write("state_dir: %s/state\n" % work)
        f.write("defaults:\n  interval: 1s\n  min_interval: 1s\n  max_interval: 2s\n"
                "  timeout: 10s\n  max_concurrency: 16\n  per_host_concurrency: 16\n")
        f.write("metrics:\n  enabled: false\nfeeds:\n")
        for path in publisher.paths:
            f.write("  - id: %s\n    url: http://127.0.0.1:%d%s\n" % (path[1:-4], port, path))
        f.write("sinks:\n  - type: directory\n    path: %s\n  - type: socket\n    path: %s\n"
                % (records_dir, socket_path))

    log = open(log_path, "wb")
    daemon = subprocess.Popen([args.binary, "run", "--config", config_path], stdout=log,
                              stderr=log)
    clients = None
    failures = []
    try:
        threading.Thread(target=publisher.run, args=(args.rate,), daemon=True).start()
        deadline = time.monotonic() + 30
        while not os.path.exists(socket_path) and time.monotonic() < deadline:
            time.sleep(0.1)
        counter = SinkCounter(records_dir)
        time.sleep(args.warmup)  # feeds start spread over their first interval; not measured
        samples = []
        without = measure("0 clients", args.seconds, daemon.pid, counter, publisher, samples)
        clients = Clients(socket_path, args.clients - 1)
        connected_wall = datetime.datetime.now()
        connected_at = counter.count()
        with_clients = measure("%d clients (1 stuck)" % args.clients, args.seconds, daemon.pid,
                               counter, publisher, samples)
        end_lines = counter.count()
        clients.running = False
        clients.thread.join()
        publisher.running = False
        daemon.send_signal(signal.SIGTERM)
        code = daemon.wait(60)
        log.close()
        text = open(log_path, errors="replace").read()
        drops = re.findall(r"^(\S+) \S+ Socket client dropped\. client=(\d+) reason=\"([^\"]*)\"",
                           text, re.M)
        drop_after = ["%.1fs" % (datetime.datetime.strptime(d[0], "%Y-%m-%dT%H:%M:%S.%f")
                                 - connected_wall).total_seconds() for d in drops]

        print("feeds=%d rate=%.0f/s window=%d phase=%.0fs clients=%d (1 never reads)" %
              (args.feeds, args.rate, args.window, args.seconds, args.clients))
        print()
        print("| phase | records/s into the directory sink | published/s | lag at end (records) | "
              "daemon CPU | RSS start | RSS max | RSS end |")
        print("|---|---|---|---|---|---|---|---|")
        for row in (without, with_clients):
            print("| %s | %.1f | %.1f | %d | %.1f%% | %.1f MiB | %.1f MiB | %.1f MiB |" % (
                row["phase"], row["rate"], row["published_rate"], row["lag"], row["cpu"],
                row["rss_start"], row["rss_max"], row["rss_end"]))
        print()
        readers = clients.received
        expected = end_lines - connected_at
        print("reading clients: %d, received min=%d max=%d of ~%d records delivered while "
              "connected; closed by the daemon: %d" % (len(readers), min(readers), max(readers),
                                                       expected, sum(clients.closed)))
        print("drops logged: %d %s, %s after the clients connected" %
              (len(drops), [d[1:] for d in drops[:3]], drop_after[:3]))
        print("daemon exit on SIGTERM: %s" % code)

        if len(drops) != 1 or "queue full" not in drops[0][2]:
            failures.append("expected exactly one 'Socket client dropped' (queue full), got %d"
                            % len(drops))
        if sum(clients.closed):
            failures.append("%d reading clients were disconnected" % sum(clients.closed))
        # Each reader got (nearly) everything delivered while it was connected; the margin
        # covers records in flight at the phase boundaries.
        margin = 2 * args.rate
        if min(readers) < expected - margin:
            failures.append("a reading client fell behind: %d < %d" % (min(readers), expected))
        if with_clients["rate"] < 0.9 * without["rate"]:
            failures.append("ingest rate dropped with clients: %.1f < 0.9 x %.1f"
                            % (with_clients["rate"], without["rate"]))
        if with_clients["rss_max"] > without["rss_max"] + args.rss_budget:
            failures.append("RSS grew beyond the budget: %.1f > %.1f + %.0f MiB"
                            % (with_clients["rss_max"], without["rss_max"], args.rss_budget))
        if code != 0:
            failures.append("the daemon exited %s on SIGTERM" % code)
        for failure in failures:
            print("FAILED: " + failure)
        return 1 if failures else 0
    finally:
        publisher.running = False
        if clients:
            clients.stop()
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
        server.shutdown()
        if args.keep or failures:
            print("work directory kept: %s" % work, file=sys.stderr)
        else:
            subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    sys.exit(main())
