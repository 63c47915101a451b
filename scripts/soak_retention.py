#!/usr/bin/env python3
"""Seen-entry retention after a soak run (scripts/soak.sh), with the clock moved 2 days ahead.

store.seen_retention is at least 1h, and a seen row is pruned only when its last_seen is also
more than a day (the last_seen refresh resolution) older than the feed's last document, so a
40-minute soak never prunes one. This script takes a copy of a finished soak's state dir and,
under libfaketime (Debian package faketime) 2 days ahead:
  1. serves the soak's last feed files again (its nginx.conf), each with one new item added;
  2. runs the daemon until every nginx feed was polled (the entries still listed get their
     last_seen refreshed, the new item goes out), stops it;
  3. starts it again (a prune runs at start: the entries that left their feeds are forgotten),
     adds a second new item to every feed, polls, stops.
It checks: the prune removed rows (seen rows before/after), only the added items went out
(no entry still listed in its feed came back as "new" after the prune) and each exactly once.
usage: scripts/soak_retention.py --binary PATH --dir SOAK_DIR
"""
import argparse
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time


FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


def seen_rows(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    n = con.execute("select count(*) from seen").fetchone()[0]
    o = con.execute("select count(*) from outbox").fetchone()[0]
    con.close()
    return n, o


def inject(docroot, tag):
    """Adds one item (guid <feed>-<tag>) at the top of every feed file; returns their guids."""
    guids = []
    for name in sorted(os.listdir(docroot)):
        if not name.endswith(".xml"):
            continue
        path = os.path.join(docroot, name)
        feed = name[:-4]
        with open(path) as f:
            doc = f.read()
        guid = "%s-%s" % (feed, tag)
        link = "http://news.example.org/%s/%s" % (feed, guid)
        text = "Story %s revision 1. Added after the clock moved." % guid
        if "<rss" in doc:
            item = ('<item><guid isPermaLink="false">%s</guid><title>%s</title><link>%s</link>'
                    "<description>%s</description></item>" % (guid, guid, link, text))
            marker = "<description>soak feed</description>"
            doc = doc.replace(marker, marker + item, 1)
        else:
            item = ('<entry><id>urn:soak:%s</id><title>%s</title><link href="%s"/>'
                    "<updated>2030-01-01T00:00:00Z</updated><summary>%s</summary></entry>"
                    % (guid, guid, link, text))
            doc = doc.replace("</feed>", item + "</feed>", 1)
        with open(path + ".tmp", "w") as f:
            f.write(doc)
        os.replace(path + ".tmp", path)
        guids.append((feed, guid))
    return guids


def run_daemon(binary, config, log, seconds):
    # libfaketime preloaded directly: the faketime wrapper does not pass SIGTERM on
    env = dict(os.environ, LD_PRELOAD=FAKETIME_LIB, FAKETIME="+2d")
    p = subprocess.Popen([binary, "run", "--config", config], env=env,
                         stdout=subprocess.DEVNULL, stderr=log)
    time.sleep(seconds)
    p.send_signal(signal.SIGTERM)
    return p.wait(60)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--seconds", type=float, default=25)
    args = ap.parse_args()
    if not os.path.exists(FAKETIME_LIB):
        sys.exit("soak_retention: needs faketime (apt-get install faketime)")
    d = os.path.abspath(args.dir)
    r = os.path.join(d, "retention")
    if os.path.exists(r):
        shutil.rmtree(r)
    os.makedirs(os.path.join(r, "records"))
    shutil.copytree(os.path.join(d, "state"), os.path.join(r, "state"))
    with open(os.path.join(d, "wirewatch.yaml")) as f:
        config = f.read()
    config = (config.replace("%s/state" % d, "%s/state" % r)
              .replace("path: %s/records" % d, "path: %s/records" % r)
              .replace("%s/records.sock" % d, "%s/records.sock" % r))
    config = re.sub(r"metrics:\n  enabled: true", "metrics:\n  enabled: false", config)
    cpath = os.path.join(r, "wirewatch.yaml")
    with open(cpath, "w") as f:
        f.write(config)
    db = os.path.join(r, "state", "wirewatch.db")
    docroot = os.path.join(d, "docroot", "f")
    nginx = subprocess.Popen(["nginx", "-p", os.path.join(d, "nginx"), "-c",
                              os.path.join(d, "nginx", "nginx.conf")])
    log = open(os.path.join(r, "daemon.log"), "ab")
    try:
        time.sleep(1)
        before = seen_rows(db)
        added1 = inject(docroot, "after-2d-a")
        time.sleep(1.1)
        rc1 = run_daemon(args.binary, cpath, log, args.seconds)
        middle = seen_rows(db)
        added2 = inject(docroot, "after-2d-b")
        rc2 = run_daemon(args.binary, cpath, log, args.seconds)
        after = seen_rows(db)
    finally:
        nginx.terminate()
        nginx.wait()
        log.close()
    records = []
    for name in sorted(os.listdir(os.path.join(r, "records"))):
        with open(os.path.join(r, "records", name)) as f:
            records += [json.loads(line) for line in f]
    added = {g for _, g in added1 + added2}
    got = [rec.get("guid", "").replace("urn:soak:", "") for rec in records]
    old_back = [(rec["feed"]["id"], rec.get("guid"), rec["event"]) for rec in records
                if rec.get("guid", "").replace("urn:soak:", "") not in added]
    dup = len(got) - len(set(got))
    with open(os.path.join(r, "daemon.log"), "rb") as f:
        pruned = [line.decode().strip() for line in f if b"Pruned." in line]
    report = {"seen_rows_before": before[0], "seen_rows_after_first_run": middle[0],
              "seen_rows_after_prune_run": after[0], "outbox_rows": [before[1], middle[1], after[1]],
              "added_items": len(added), "records": len(records),
              "added_items_delivered": len(added & set(got)), "duplicates": dup,
              "old_entries_emitted_again": len(old_back), "examples": old_back[:5],
              "pruned_log": pruned, "rc": [rc1, rc2]}
    print(json.dumps(report, indent=1))
    with open(os.path.join(r, "report.json"), "w") as f:
        json.dump(report, f, indent=1)
    sys.exit(1 if old_back or dup or after[0] >= middle[0] else 0)


if __name__ == "__main__":
    main()
