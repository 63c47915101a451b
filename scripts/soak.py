#!/usr/bin/env python3
"""Soak test of `wirewatch run` (scripts/soak.sh runs it; stdlib only, plus nginx).

What it sets up, all on 127.0.0.1:
  - nginx serving static feed files that a generator thread rewrites (atomic rename), so
    ETag/Last-Modified and 304s are nginx's own; feed classes: grow (an item every few
    seconds, oldest dropped), update (an existing item's text changes -> "update" records),
    fast (an item every 1.5 s, only 5 kept: most are gone before a poll sees them), static
    (never changes: 304 forever), touch (identical body rewritten: new ETag, same bytes);
    RSS 2.0 and Atom alternate.
  - a Python server (feed_server-style) for flaky feeds (random 404/503/429 with
    Retry-After), slow feeds (1-6 s before answering, sometimes a 15 s hang past the 8 s
    timeout) and gone feeds (always 404).
  - the daemon with intervals 1-10 s, outbox_retention and seen_retention 1h (the smallest the config accepts), a size-rotated
    directory sink, a socket sink followed by a raw client that reconnects with
    {"since": last seq}, and /metrics.
During the run: every 30 s a sample of VmRSS/VmHWM, open fds, threads, CPU seconds, the
state_dir files (db, wal, shm), outbox/seen row counts (read-only SQLite), sink bytes,
daemon log lines, /metrics and `wirewatch status --json` (samples.jsonl, raw files under
samples/). SIGHUP at 20% and 70% of the run, an invalid config + SIGHUP at 40% (must be
rejected), a graceful restart (SIGTERM, exit 0, "Stopped cleanly.") at 50%.
At the end the generator freezes, the daemon catches up and is stopped, and the check:
  - every (feed, guid, version) that a server actually sent in a complete 200 body (from the
    nginx/Python access logs, ETag -> document revision) is in the directory sink: first
    version seen as "new", later different versions as "update";
  - no (feed, id, event, content) record twice, no record that was never served, seq strictly
    increasing, the socket client got exactly the directory sink's seqs once each;
  - growth: RSS/fds/threads/db+wal/outbox/seen rows in the last third vs the middle third.
Prints a summary, writes report.json, exits 1 on any loss/duplicate/unexpected record.
"""
import argparse
import hashlib
import http.server
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from email.utils import formatdate

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from socket_client import ResumingClient  # noqa: E402  (shared with crash_test.py)

WORDS = ("climate envoys talks summit ministers emissions finance pledge delegates "
         "negotiators market harbour council budget election railway football weather "
         "science health court trade energy").split()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class Feed:
    def __init__(self, fid, kind, fmt, server, rng):
        self.id = fid
        self.kind = kind          # grow update fast static touch flaky slow gone
        self.fmt = fmt            # rss atom
        self.server = server      # nginx py
        self.path = "/f/%s.xml" % fid
        self.items = []           # [guid, version, created, title]
        self.counter = 0
        self.rev = 0
        self.body = b""
        self.etag = ""
        self.lock = threading.Lock()
        self.rng = rng
        period = {"grow": (2, 20), "update": (3, 20), "fast": (1.5, 1.5), "static": None,
                  "touch": (5, 20), "flaky": (4, 15), "slow": (4, 15), "gone": None}[kind]
        self.period = period
        self.keep = {"fast": 5, "update": 12}.get(kind, 20)
        self.next_change = time.time() + (rng.uniform(*period) if period else 1e18)
        self.last_write = 0.0
        self.counter_404 = kind == "flaky" and rng.random() < 1 / 3

    def add_item(self, now):
        self.counter += 1
        guid = "%s-i%05d" % (self.id, self.counter)
        words = [self.rng.choice(WORDS) for _ in range(5)]
        title = "%s %d: %s" % (self.id, self.counter, " ".join(words))
        self.items.insert(0, [guid, 1, now, title])
        del self.items[self.keep:]

    def mutate(self, now):
        """One change according to the kind; returns True when the document changes."""
        if self.kind in ("grow", "fast", "flaky", "slow"):
            self.add_item(now)
        elif self.kind == "update":
            self.counter_updates = getattr(self, "counter_updates", 0) + 1
            if self.counter_updates % 5 == 0 or not self.items:
                self.add_item(now)
            else:
                self.rng.choice(self.items)[1] += 1
        elif self.kind == "touch":
            return "touch"
        return True

    def render(self, base):
        entries = []
        for guid, version, created, title in self.items:
            link = "http://news.example.org/%s/%s" % (self.id, guid)
            filler = random.Random("%s/%d" % (guid, version))
            summary = ("Story %s revision %d. The %s reported on %s; " % (guid, version, self.id, title)
                       + " ".join(filler.choice(WORDS)
                              for _ in range(30)))
            if self.fmt == "rss":
                entries.append(
                    "<item><guid isPermaLink=\"false\">%s</guid><title>%s</title><link>%s</link>"
                    "<pubDate>%s</pubDate><description>%s</description></item>"
                    % (guid, title, link, formatdate(created, usegmt=True), summary))
            else:
                entries.append(
                    "<entry><id>urn:soak:%s</id><title>%s</title><link href=\"%s\"/>"
                    "<published>%s</published><updated>%s</updated><summary>%s</summary></entry>"
                    % (guid, title, link, iso(created), iso(created + version - 1), summary))
        if self.fmt == "rss":
            doc = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                   "<title>Soak %s</title><link>%s</link><description>soak feed</description>%s"
                   "</channel></rss>" % (self.id, base, "".join(entries)))
        else:
            doc = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                   "<title>Soak %s</title><id>urn:soak:%s</id><updated>%s</updated>"
                   "<link href=\"%s\"/>%s</feed>" % (self.id, self.id, iso(time.time()), base,
                                                     "".join(entries)))
        return doc.encode()


class Generator:
    def __init__(self, feeds, docroot, revlog_path):
        self.feeds = feeds
        self.docroot = docroot
        self.revlog = open(revlog_path, "a")
        self.running = False
        self.frozen = False
        self.thread = None

    def write(self, feed, now, same_body=False):
        with feed.lock:
            if not same_body or not feed.body:
                body = feed.render("http://news.example.org/%s/" % feed.id)
            else:
                body = feed.body
            feed.rev += 1
            feed.body = body
            if feed.server == "nginx":
                final = os.path.join(self.docroot, feed.id + ".xml")
                tmp = final + ".tmp"
                with open(tmp, "wb") as f:
                    f.write(body)
                os.replace(tmp, final)
                st = os.stat(final)
                feed.etag = '"%x-%x"' % (int(st.st_mtime), st.st_size)
            else:
                feed.etag = '"r%d"' % feed.rev
            feed.last_write = now
            record = {"t": now, "path": feed.path, "feed": feed.id, "rev": feed.rev,
                      "etag": feed.etag, "size": len(body),
                      "items": [[i[0], i[1]] for i in feed.items]}
        self.revlog.write(json.dumps(record) + "\n")

    def start(self):
        now = time.time()
        for feed in self.feeds:
            if feed.kind == "gone":
                continue
            for _ in range(3 if feed.kind != "fast" else 2):
                feed.add_item(now - 60)
            self.write(feed, now)
        self.revlog.flush()
        self.running = True
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while self.running:
            now = time.time()
            if not self.frozen:
                for feed in self.feeds:
                    # >= 1.2 s between writes keeps nginx's mtime-second ETags distinct
                    if feed.next_change <= now and now - feed.last_write >= 1.2:
                        kind = feed.mutate(now)
                        self.write(feed, now, same_body=(kind == "touch"))
                        feed.next_change = now + feed.rng.uniform(*feed.period)
                self.revlog.flush()
            time.sleep(0.25)

    def stop(self):
        self.running = False
        if self.thread:
            self.thread.join()
        self.revlog.close()


def py_server(feeds_by_path, log_path, timeout_s):
    logf = open(log_path, "a")
    log_lock = threading.Lock()

    def log(status, path, etag, nbytes):
        with log_lock:
            logf.write('%.3f %d %s "%s" %d\n' % (time.time(), status, path,
                                                  etag.replace('"', "\\x22"), nbytes))
            logf.flush()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def empty(self, status, headers=()):
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", "0")
            self.end_headers()
            log(status, self.path, "-", 0)

        def do_GET(self):
            path = self.path.split("?")[0]
            feed = feeds_by_path.get(path)
            if feed is None or feed.kind == "gone":
                return self.empty(404)
            r = random.random()
            if feed.kind == "flaky":
                # a 404 sends a feed to the "gone" class (a probe every 24h): only a third of
                # the flaky feeds ever answer 404, the rest only 503 and 429
                if r < 0.08:
                    return self.empty(503)
                if r < 0.16:
                    return self.empty(429, [("Retry-After", "5")])
                if r < 0.18 and feed.counter_404:
                    return self.empty(404)
            hang = False
            if feed.kind == "slow":
                if r < 0.05:
                    hang = True
                    time.sleep(timeout_s + 7)
                else:
                    time.sleep(random.uniform(1, 6))
            with feed.lock:
                etag, body = feed.etag, feed.body
            try:
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    log(304, path, etag, 0)
                    return
                self.send_response(200)
                self.send_header("ETag", etag)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()
                # a hang answers after the client's timeout: never counted as received
                log(599 if hang else 200, path, etag, len(body))
            except OSError:
                log(598, path, etag, 0)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class SocketClient(ResumingClient):
    """Follows the socket sink, reconnecting with since=<last seq received>; keeps every line."""

    def __init__(self, path, out_path):
        self.out = open(out_path, "ab")
        self.last_seq = 0
        self.count = 0
        super().__init__(path, retry_delay=0.2)

    def last(self):
        return self.last_seq

    def on_line(self, line):
        self.out.write(line + b"\n")
        try:
            seq = json.loads(line).get("seq")
        except ValueError:
            seq = None
        if isinstance(seq, int):
            self.last_seq = seq
            self.count += 1

    def on_chunk(self):
        self.out.flush()

    def stop(self):
        super().stop()
        self.out.close()


def dir_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return total


def proc_sample(pid):
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM", "Threads"):
                    out[key] = int(value.split()[0])
        out["fds"] = len(os.listdir("/proc/%d/fd" % pid))
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        out["cpu_s"] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        pass
    return out


def store_sample(db):
    try:
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=2)
        out = {}
        out["outbox_rows"], out["outbox_min"], out["outbox_max"] = con.execute(
            "select count(*), min(seq), max(seq) from outbox").fetchone()
        out["seen_rows"] = con.execute("select count(*) from seen").fetchone()[0]
        out["feeds_rows"] = con.execute("select count(*) from feeds").fetchone()[0]
        out["cursors"] = dict(con.execute("select name, seq from sink_cursors").fetchall())
        con.close()
        return out
    except sqlite3.Error as e:
        return {"store_error": str(e)}


def scrape(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            text = r.read().decode()
    except OSError as e:
        return None, {"metrics_error": str(e)}
    values = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, _, value = line.rpartition(" ")
        if "{" in name:
            continue  # per-feed / per-label series: kept in the raw file only
        try:
            values[name] = float(value)
        except ValueError:
            pass
    return text, values


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--minutes", type=float, default=40)
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--dir", default="/tmp/soak/run")
    ap.add_argument("--sample", type=float, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rules", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                    "..", "config", "rules"),
                    help="classifier rules directory (copied into DIR/rules at start)")
    ap.add_argument("--settle", type=float, default=95,
                    help="seconds between freezing the feeds and stopping the daemon")
    ap.add_argument("--check-only", action="store_true",
                    help="only rerun the final check over an existing DIR")
    args = ap.parse_args()
    if args.check_only:
        d = os.path.abspath(args.dir)
        with open(os.path.join(d, "samples.jsonl")) as f:
            samples = [json.loads(line) for line in f]
        report = check(d, None, samples, [])
        with open(os.path.join(d, "report-recheck.json"), "w") as f:
            json.dump(report, f, indent=1)
        return

    rng = random.Random(args.seed)
    d = os.path.abspath(args.dir)
    if os.path.exists(d) and os.listdir(d):
        sys.exit("soak: %s is not empty; remove it or pass --dir" % d)
    for sub in ("docroot/f", "state", "records", "samples", "nginx"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)

    # feed classes, by share of --feeds
    shares = [("grow", .30), ("update", .20), ("fast", .05), ("static", .15), ("touch", .10),
              ("flaky", .10), ("slow", .07), ("gone", .03)]
    kinds = []
    for kind, share in shares:
        kinds += [kind] * max(1, round(share * args.feeds))
    kinds = kinds[:args.feeds]
    feeds = []
    for i, kind in enumerate(kinds):
        server = "py" if kind in ("flaky", "slow", "gone") else "nginx"
        fmt = "atom" if i % 2 else "rss"
        feeds.append(Feed("%s-%03d-%s" % (kind, i, fmt), kind, fmt, server,
                          random.Random(rng.random())))
    by_path = {f.path: f for f in feeds}
    shutil.copytree(args.rules, os.path.join(d, "rules"))

    timeout_s = 8
    nport, mport = free_port(), free_port()
    gen = Generator(feeds, os.path.join(d, "docroot/f"), os.path.join(d, "revs.jsonl"))
    gen.start()
    pys = py_server(by_path, os.path.join(d, "py-access.log"), timeout_s)
    pport = pys.server_address[1]

    with open(os.path.join(d, "nginx/nginx.conf"), "w") as f:
        f.write("""worker_processes 1;
daemon off;
user root root;
pid {d}/nginx/nginx.pid;
error_log {d}/nginx/error.log warn;
events {{ worker_connections 1024; }}
http {{
  log_format soak '$msec $status $request_uri "$sent_http_etag" $body_bytes_sent';
  access_log {d}/nginx-access.log soak;
  client_body_temp_path {d}/nginx/body; proxy_temp_path {d}/nginx/proxy;
  fastcgi_temp_path {d}/nginx/fcgi; uwsgi_temp_path {d}/nginx/uwsgi; scgi_temp_path {d}/nginx/scgi;
  keepalive_requests 100000;
  server {{
    listen 127.0.0.1:{p};
    root {d}/docroot;
    location /f/ {{ default_type application/xml; }}
  }}
}}
""".format(d=d, p=nport))
    nginx = subprocess.Popen(["nginx", "-p", os.path.join(d, "nginx"), "-c",
                              os.path.join(d, "nginx/nginx.conf")],
                             stderr=open(os.path.join(d, "nginx/stderr.log"), "w"))

    sock_path = os.path.join(d, "records.sock")
    intervals = [1, 2, 3, 5, 5, 8, 10, 10]
    lines = ["state_dir: %s/state" % d,
             "defaults:",
             "  interval: 5s", "  min_interval: 1s", "  max_interval: 30s",
             "  timeout: %ds" % timeout_s, "  connect_timeout: 2s",
             "  max_concurrency: 32", "  per_host_concurrency: 16",
             "feeds:"]
    for feed in feeds:
        port = nport if feed.server == "nginx" else pport
        lines += ["  - id: %s" % feed.id,
                  "    url: http://127.0.0.1:%d%s" % (port, feed.path),
                  "    interval: %ds" % rng.choice(intervals)]
    lines += ["sinks:",
              "  - type: directory", "    path: %s/records" % d, "    name: archive",
              "    rotate: size", "    max_size: 16MiB",
              "  - type: socket", "    path: %s" % sock_path, "    name: live",
              "classifier:", "  rules: %s/rules" % d,
              "metrics:", "  enabled: true", '  listen: "127.0.0.1:%d"' % mport,
              "store:", "  outbox_retention: 2m", "  seen_retention: 1h", ""]  # 1h: the smallest accepted
    config_text = "\n".join(lines)
    config = os.path.join(d, "wirewatch.yaml")
    with open(config, "w") as f:
        f.write(config_text)
    if subprocess.run([args.binary, "check-config", config]).returncode != 0:
        gen.stop()
        nginx.terminate()
        nginx.wait()
        sys.exit(2)

    logf = open(os.path.join(d, "daemon.log"), "ab")
    events = []

    def event(what, **kw):
        kw.update(t=round(time.time() - t0, 1), what=what)
        events.append(kw)
        print("soak: %6.0fs %s %s" % (kw["t"], what, {k: v for k, v in kw.items()
                                                      if k not in ("t", "what")}), flush=True)

    def start_daemon():
        logf.write(b"=== soak: start %s\n" % iso(time.time()).encode())
        logf.flush()
        return subprocess.Popen([args.binary, "run", "--config", config],
                                stdout=subprocess.DEVNULL, stderr=logf)

    t0 = time.time()
    daemon = start_daemon()
    event("start", pid=daemon.pid)
    client = SocketClient(sock_path, os.path.join(d, "socket-client.jsonl"))
    samples_path = os.path.join(d, "samples.jsonl")
    samples = []
    db = os.path.join(d, "state/wirewatch.db")
    duration = args.minutes * 60
    plan = [(0.2, "hup"), (0.4, "hup-invalid"), (0.5, "restart"), (0.7, "hup")]
    next_sample = t0
    failed = None

    def log_lines():
        with open(os.path.join(d, "daemon.log"), "rb") as f:
            return f.read().count(b"\n")

    def take_sample():
        now = time.time()
        s = {"t": round(now - t0, 1), "pid": daemon.pid}
        s.update(proc_sample(daemon.pid))
        for name in ("wirewatch.db", "wirewatch.db-wal", "wirewatch.db-shm"):
            p = os.path.join(d, "state", name)
            s[name.replace("wirewatch.", "").replace("-", "_")] = (
                os.path.getsize(p) if os.path.exists(p) else 0)
        s.update(store_sample(db))
        s["sink_dir_bytes"] = dir_bytes(os.path.join(d, "records"))
        s["sink_files"] = len(os.listdir(os.path.join(d, "records")))
        s["socket_client_bytes"] = os.path.getsize(os.path.join(d, "socket-client.jsonl"))
        s["socket_client_records"] = client.count
        s["log_lines"] = log_lines()
        tag = "%05d" % int(now - t0)
        text, values = scrape("http://127.0.0.1:%d/metrics" % mport)
        if text is not None:
            with open(os.path.join(d, "samples", "metrics-%s.txt" % tag), "w") as f:
                f.write(text)
        s["metrics"] = values
        st = subprocess.run([args.binary, "status", "--config", config, "--json"],
                            capture_output=True, text=True, timeout=30)
        with open(os.path.join(d, "samples", "status-%s.json" % tag), "w") as f:
            f.write(st.stdout or st.stderr)
        s["status_rc"] = st.returncode
        samples.append(s)
        with open(samples_path, "a") as f:
            f.write(json.dumps(s) + "\n")
        print("soak: %6.0fs rss=%s hwm=%s fds=%s thr=%s cpu=%.1fs db=%s wal=%s outbox=%s seen=%s "
              "sink=%s client=%s log=%s" % (s["t"], s.get("VmRSS"), s.get("VmHWM"), s.get("fds"),
                                             s.get("Threads"), s.get("cpu_s", 0), s["db"], s["db_wal"],
                                             s.get("outbox_rows"), s.get("seen_rows"),
                                             s["sink_dir_bytes"], client.count, s["log_lines"]),
              flush=True)

    try:
        while time.time() - t0 < duration:
            now = time.time()
            if daemon.poll() is not None:
                failed = "daemon exited with %s at %.0fs" % (daemon.returncode, now - t0)
                event("daemon-died", rc=daemon.returncode)
                break
            if plan and now - t0 >= plan[0][0] * duration:
                _, what = plan.pop(0)
                if what == "hup":
                    daemon.send_signal(signal.SIGHUP)
                    event("sighup")
                elif what == "hup-invalid":
                    with open(config, "w") as f:
                        f.write(config_text.replace("interval: 5s", "interval: 5 seconds", 1))
                    daemon.send_signal(signal.SIGHUP)
                    time.sleep(2)
                    with open(config, "w") as f:
                        f.write(config_text)
                    event("sighup-invalid-config")
                elif what == "restart":
                    t = time.time()
                    daemon.send_signal(signal.SIGTERM)
                    try:
                        rc = daemon.wait(60)
                    except subprocess.TimeoutExpired:
                        daemon.kill()
                        rc = "timeout"
                    stopped = time.time() - t
                    daemon = start_daemon()
                    event("restart", rc=rc, stop_seconds=round(stopped, 1), pid=daemon.pid)
            if now >= next_sample:
                take_sample()
                next_sample += args.sample
            time.sleep(0.5)

        # freeze the feeds; let the daemon see the last documents and deliver everything
        gen.frozen = True
        event("freeze")
        time.sleep(args.settle if failed is None else 0)  # default: > 3 x max_interval
        if failed is None:
            deadline = time.time() + 60
            while time.time() < deadline:
                st = store_sample(db)
                if st.get("outbox_max") and st.get("cursors", {}).get("archive") == st["outbox_max"] \
                        and client.last_seq >= st["outbox_max"]:
                    break
                time.sleep(1)
            take_sample()
            daemon.send_signal(signal.SIGTERM)
            rc = daemon.wait(60)
            event("stop", rc=rc)
        time.sleep(1)
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
        client.stop()
        gen.stop()
        pys.shutdown()
        nginx.terminate()
        nginx.wait()
        logf.close()

    report = check(d, feeds, samples, events)
    report["failed"] = failed
    report["client_connections"] = client.connections
    with open(os.path.join(d, "report.json"), "w") as f:
        json.dump(report, f, indent=1)
    bad = failed or report["missing_never_delivered"] or report["duplicates"] \
        or report["unexpected"] or report["seq_not_increasing"] or report["socket_client"]["missing"] \
        or report["socket_client"]["duplicated"]
    sys.exit(1 if bad else 0)


def table(samples, minutes=(0.5, 5, 10, 20, 30, 40, 60, 120, 240, 480)):
    """Markdown rows of the samples nearest to those minutes (as in docs/operations.md)."""
    rows = ["| min | RSS MiB | HWM MiB | fds | threads | CPU % (last 5 min) | db+wal MiB | "
            "outbox rows | seen rows | sink MiB | log lines |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    if not samples:
        return rows
    last_t = samples[-1]["t"]
    for m in minutes:
        if m * 60 > last_t + 15:
            break
        s = min(samples, key=lambda x: abs(x["t"] - m * 60))
        # CPU over the 5 minutes before this sample, same process only
        before = [x for x in samples if x.get("pid") == s.get("pid") and x["t"] <= s["t"] - 240]
        cpu = "-"
        if before and "cpu_s" in s and "cpu_s" in before[-1]:
            b = before[-1]
            cpu = "%.1f" % (100 * (s["cpu_s"] - b["cpu_s"]) / (s["t"] - b["t"]))
        mib = lambda v: "%.1f" % (v / 1048576.0)
        rows.append("| %g | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            round(s["t"] / 60.0, 1), mib(s.get("VmRSS", 0) * 1024), mib(s.get("VmHWM", 0) * 1024),
            s.get("fds"), s.get("Threads"), cpu, mib(s["db"] + s["db_wal"]), s.get("outbox_rows"),
            s.get("seen_rows"), mib(s["sink_dir_bytes"]), s.get("log_lines")))
    return rows


ACCESS = re.compile(r'^(\S+) (\d+) (\S+) "([^"]*)" (\d+)$')


def check(d, feeds, samples, events):
    revs = {}
    with open(os.path.join(d, "revs.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            revs[(r["path"], r["etag"])] = r
    # what each feed actually sent: complete 200 bodies, in the order they were served
    served = []
    unknown_etag = 0
    statuses = {}
    for name in ("nginx-access.log", "py-access.log"):
        with open(os.path.join(d, name)) as f:
            for line in f:
                m = ACCESS.match(line.strip())
                if not m:
                    continue
                t, status, path, etag, nbytes = m.groups()
                statuses[status] = statuses.get(status, 0) + 1
                if status != "200":
                    continue
                etag = etag.replace("\\x22", '"')  # nginx escapes the ETag's quotes
                r = revs.get((path.split("?")[0], etag))
                if r is None or int(nbytes) != r["size"]:
                    unknown_etag += 1
                    continue
                served.append((float(t), r))
    served.sort(key=lambda x: x[0])
    expected = {}   # (feed, guid) -> [versions, in the order first served]
    for _, r in served:
        for guid, version in r["items"]:
            versions = expected.setdefault((r["feed"], guid), [])
            if not versions or versions[-1] != version:
                if version not in versions:
                    versions.append(version)

    # the directory sink
    records = []
    torn = 0
    for name in sorted(os.listdir(os.path.join(d, "records"))):
        if not name.endswith(".jsonl"):
            continue
        with open(os.path.join(d, "records", name), "rb") as f:
            for line in f:
                try:
                    records.append(json.loads(line))
                except ValueError:
                    torn += 1
    seqs = [r["seq"] for r in records]
    not_increasing = sum(1 for a, b in zip(seqs, seqs[1:]) if b <= a)
    keys = {}
    actual = {}
    version_re = re.compile(r"revision (\d+)\.")
    for r in records:
        content = hashlib.sha1(json.dumps([r.get("title"), r.get("summary"), r.get("content")])
                               .encode()).hexdigest()
        key = (r["feed"]["id"], r["id"], r["event"], content)
        keys[key] = keys.get(key, 0) + 1
        m = version_re.search(r.get("summary") or r.get("content") or "")
        actual.setdefault((r["feed"]["id"], r.get("guid", "").replace("urn:soak:", "")), []).append(
            (r["event"], int(m.group(1)) if m else None, r["seq"]))
    duplicates = [list(k) + [n] for k, n in keys.items() if n > 1]

    missing_never, missing_superseded, unexpected = [], [], []
    for key, versions in expected.items():
        got = actual.get(key, [])
        want = [("new", versions[0])] + [("update", v) for v in versions[1:]]
        have = [(e, v) for e, v, _ in got]
        if not got:
            missing_never.append([key[0], key[1], versions])
            continue
        for w in want:
            if w not in have:
                # a later version delivered instead: the poll that got this one was discarded
                (missing_superseded if any(v > w[1] for _, v in have) else missing_never).append(
                    [key[0], key[1], list(w), have])
        for h in have:
            if h not in want:
                unexpected.append([key[0], key[1], list(h), want])
    for key, got in actual.items():
        if key not in expected:
            unexpected.append([key[0], key[1], "never served", [(e, v) for e, v, _ in got]])

    # the socket client
    client_seqs = []
    with open(os.path.join(d, "socket-client.jsonl"), "rb") as f:
        for line in f:
            try:
                s = json.loads(line).get("seq")
            except ValueError:
                continue
            if isinstance(s, int):
                client_seqs.append(s)
    cs = set(client_seqs)
    socket_report = {"records": len(client_seqs),
                     "duplicated": len(client_seqs) - len(cs),
                     "missing": len(set(seqs) - cs), "extra": len(cs - set(seqs))}

    def growth(field):
        vals = [(s["t"], s.get(field)) for s in samples if isinstance(s.get(field), (int, float))]
        if len(vals) < 6:
            return None
        n = len(vals)
        mid = [v for _, v in vals[n // 3: 2 * n // 3]]
        last = [v for _, v in vals[2 * n // 3:]]
        return {"first": vals[0][1], "mid_max": max(mid), "last_max": max(last),
                "final": vals[-1][1]}

    with open(os.path.join(d, "daemon.log"), "rb") as f:
        log = f.read().decode(errors="replace").splitlines()
    messages = {}
    for line in log:
        text = re.sub(r"\d+", "N", line.split(" ", 1)[-1] if line[:1].isdigit() else line)[:100]
        messages[text] = messages.get(text, 0) + 1
    report = {
        "records": len(records), "torn_lines": torn, "seq_not_increasing": not_increasing,
        "served_200": len(served), "served_unknown_etag": unknown_etag, "statuses": statuses,
        "expected_items": len(expected),
        "expected_versions": sum(len(v) for v in expected.values()),
        "missing_never_delivered": len(missing_never),
        "missing_superseded": len(missing_superseded),
        "duplicates": len(duplicates), "unexpected": len(unexpected),
        "examples": {"missing_never": missing_never[:10], "missing_superseded": missing_superseded[:10],
                     "duplicates": duplicates[:10], "unexpected": unexpected[:10]},
        "socket_client": socket_report,
        "events": events,
        "growth": {f: growth(f) for f in ("VmRSS", "VmHWM", "fds", "Threads", "db", "db_wal",
                                          "outbox_rows", "seen_rows")},
        "log_lines": len(log), "log_messages": sorted(messages.items(), key=lambda x: -x[1])[:25],
    }
    report["table"] = table(samples)
    print(json.dumps({k: v for k, v in report.items()
                      if k not in ("examples", "log_messages", "table")}, indent=1))
    print("\n".join(report["table"]))
    print("log messages (top):")
    for text, n in report["log_messages"]:
        print("%7d  %s" % (n, text))
    for k, v in report["examples"].items():
        if v:
            print("examples of %s:" % k)
            for e in v[:5]:
                print("   ", json.dumps(e)[:300])
    return report


if __name__ == "__main__":
    main()
