#!/usr/bin/python3
"""Differential check of `wirewatch parse` against Python's feedparser (Debian python3-feedparser 6).

    scripts/feedparser-diff.py [--binary PATH] [--show N] [--field F] PATH...

Each PATH is a feed file or a directory. A directory is read as either
  - a fixture folder (tests/fixtures/feeds): every *.xml/*.json/*.rdf/*.atom/*.txt/*.html
    file, with the extra arguments of <name>.args (one per line) applied to both parsers, or
  - a generated corpus (bench/gen_corpus.py): files listed in manifest.tsv, each fetched
    from the base URL given there.

For each file both parsers run with the same base URL and Content-Type; the script then
compares, entry by entry (in document order), the fields below and prints a table of
agreement per field. Text from feedparser goes through the same HTML-to-text step ours
applies (tags stripped, entities decoded, whitespace collapsed) before comparison, so the
table measures what the parsers extracted, not that feedparser leaves markup in titles.

  entries     same number of entries
  title       entry title (plain text)
  link        entry link (absolute)
  id          our guid vs feedparser's entry.id
  published   published, as a UTC second (feedparser's published_parsed)
  updated     updated, as a UTC second (feedparser's updated_parsed)
  authors     list of author names (feedparser's entry.authors[*].name)
  categories  list of category terms (feedparser's entry.tags[*].term)
  enclosures  set of enclosure URLs; feedparser's media_content and media_thumbnail count,
              since wirewatch maps Media RSS into enclosures

Fields are compared only for entries both sides have, matched by position. JSON Feed files
are skipped: feedparser 6.0 does not read JSON Feed. Disagreements are listed per field with
--show N (N examples each). Exit 0 always: this is a report, not a gate.
"""

import argparse
import calendar
import html
import html.parser
import io
import json
import os
import re
import subprocess
import sys
from collections import defaultdict

sys.path.insert(0, "/usr/lib/python3/dist-packages")
import feedparser  # noqa: E402  (Debian's python3-feedparser)

FIELDS = ["entries", "title", "link", "id", "published", "updated", "authors", "categories",
          "enclosures"]
FETCHED = "2024-01-01T00:00:00Z"
FEED_SUFFIXES = (".xml", ".json", ".rdf", ".atom", ".rss", ".txt", ".html")


# ---- HTML to text, the way wirewatch does it -----------------------------------------------

BLOCK_SKIP = {"script", "style", "template", "noscript", "iframe", "object", "embed", "head",
              "title", "svg", "math"}
INLINE = {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i",
          "kbd", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup",
          "time", "tt", "u", "var", "wbr", "ins", "del", "big", "nobr"}


class _TextCollector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK_SKIP:
            self.skip += 1
        elif tag not in INLINE:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in BLOCK_SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag not in INLINE:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_to_text(text):
    if not text:
        return ""
    if "<" in text or "&" in text:
        collector = _TextCollector()
        collector.feed(text)
        collector.close()
        text = "".join(collector.parts)
    return " ".join(text.replace("\u00a0", " ").split())


# ---- running both parsers ------------------------------------------------------------------

def read_args(path):
    args_file = os.path.splitext(path)[0] + ".args"
    if not os.path.exists(args_file):
        return []
    with open(args_file, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip() and not line.startswith("#")]


def option(args, name):
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg[len(name) + 1:]
    return ""


def run_wirewatch(binary, path, args):
    cmd = [binary, "parse", path, "--fetched", FETCHED] + args
    proc = subprocess.run(cmd, capture_output=True)
    records = []
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        if line.strip():
            records.append(json.loads(line))
    return records, proc.returncode, proc.stderr.decode("utf-8", "replace").strip()


def run_feedparser(path, base_url, content_type, charset):
    with open(path, "rb") as f:
        data = f.read()
    headers = {}
    if base_url:
        headers["content-location"] = base_url
    if charset:
        content_type = (content_type.split(";")[0] if content_type else "application/xml") + \
            "; charset=" + charset
    if content_type:
        headers["content-type"] = content_type
    try:
        return feedparser.parse(io.BytesIO(data), response_headers=headers)
    except Exception as error:  # feedparser has crashes of its own (e.g. on &#x110000;)
        return feedparser.FeedParserDict(entries=[], bozo=True, crashed=repr(error))


def utc(struct):
    if not struct:
        return None
    t = calendar.timegm(struct)
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def fp_fields(entry):
    authors = []
    for a in entry.get("authors", []) or []:
        name = html_to_text(a.get("name", "")) or a.get("email", "")
        if name and name not in authors:
            authors.append(name)
    categories = []
    for t in entry.get("tags", []) or []:
        term = html_to_text(t.get("term") or t.get("label") or "")
        if term and term not in categories:
            categories.append(term)
    enclosures = set()
    for e in entry.get("enclosures", []) or []:
        if e.get("href"):
            enclosures.add(e["href"])
    for key in ("media_content", "media_thumbnail"):
        for m in entry.get(key, []) or []:
            if m.get("url"):
                enclosures.add(m["url"])
    return {
        "title": html_to_text(entry.get("title", "")),
        "link": entry.get("link", ""),
        "id": entry.get("id", ""),
        # dict.get: FeedParserDict maps a missing updated_parsed to published_parsed.
        "published": utc(dict.get(entry, "published_parsed")),
        "updated": utc(dict.get(entry, "updated_parsed")),
        "authors": authors,
        "categories": categories,
        "enclosures": sorted(enclosures),
    }


def ww_fields(record):
    return {
        "title": record["title"],
        "link": record["url"],
        "id": record["guid"],
        "published": record["published"],
        "updated": record["updated"],
        "authors": record["authors"],
        "categories": record["categories"],
        "enclosures": sorted(e["url"] for e in record["enclosures"]),
    }


# ---- collecting files ----------------------------------------------------------------------

def collect(paths):
    """Yields (file, extra wirewatch args)."""
    for path in paths:
        if os.path.isfile(path):
            yield path, read_args(path)
            continue
        manifest = os.path.join(path, "manifest.tsv")
        if os.path.exists(manifest):
            with open(manifest, encoding="utf-8") as f:
                for line in f:
                    name, _fmt, base = line.rstrip("\n").split("\t")
                    yield os.path.join(path, name), ["--base-url", base]
            continue
        for name in sorted(os.listdir(path)):
            full = os.path.join(path, name)
            if os.path.isfile(full) and name.endswith(FEED_SUFFIXES) and \
                    not name.endswith(".golden.jsonl"):
                args = read_args(full)
                if "--base-url" not in " ".join(args):
                    args += ["--base-url", "https://fixtures.wirewatch.test/feeds/" + name]
                yield full, args


def clip(text, limit=300):
    return text if len(text) <= limit else text[:limit] + "... (%d chars)" % len(text)


def is_json_feed(path):
    with open(path, "rb") as f:
        head = f.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--binary", default=os.environ.get("WIREWATCH_BINARY", "build/dev/wirewatch"))
    ap.add_argument("--show", type=int, default=0, help="print N disagreements per field")
    ap.add_argument("--field", action="append", help="only show disagreements of this field")
    ap.add_argument("--json", help="also write every disagreement to this JSON file")
    args = ap.parse_args(argv)

    agree = defaultdict(int)
    total = defaultdict(int)
    examples = defaultdict(list)
    files = skipped = 0
    crashes = []
    for path, extra in collect(args.paths):
        if is_json_feed(path):
            skipped += 1
            continue
        files += 1
        records, _code, _err = run_wirewatch(args.binary, path, extra)
        fp = run_feedparser(path, option(extra, "--base-url"), option(extra, "--content-type"),
                            option(extra, "--charset"))
        name = os.path.relpath(path)
        if fp.get("crashed"):
            crashes.append((name, fp["crashed"]))
        total["entries"] += 1
        if len(records) == len(fp.entries):
            agree["entries"] += 1
        else:
            examples["entries"].append((name, -1, len(records), len(fp.entries)))
        for index, (record, entry) in enumerate(zip(records, fp.entries)):
            ours, theirs = ww_fields(record), fp_fields(entry)
            for field in FIELDS[1:]:
                total[field] += 1
                if ours[field] == theirs[field]:
                    agree[field] += 1
                else:
                    examples[field].append((name, index, ours[field], theirs[field]))

    print("files compared: %d (skipped %d JSON Feed files: feedparser 6 cannot read them)"
          % (files, skipped))
    for name, error in crashes:
        print("feedparser raised on %s: %s" % (name, error))
    print("%-11s %8s  %s" % ("field", "agree", "(same/compared)"))
    for field in FIELDS:
        n = total[field]
        pct = 100.0 * agree[field] / n if n else 100.0
        print("%-11s %7.1f%%  (%d/%d)" % (field, pct, agree[field], n))
    if args.show:
        for field in FIELDS:
            if args.field and field not in args.field:
                continue
            if not examples[field]:
                continue
            print("\n== %s: %d disagreements" % (field, len(examples[field])))
            for name, index, ours, theirs in examples[field][:args.show]:
                print("  %s #%d\n    wirewatch:  %s\n    feedparser: %s"
                      % (name, index, clip(repr(ours)), clip(repr(theirs))))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({k: v for k, v in examples.items()}, f, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
