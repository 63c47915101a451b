#!/usr/bin/env python3
"""Writes a deterministic corpus of realistic news feeds for benchmarks and differential tests.

    python3 bench/gen_corpus.py --out DIR --feeds N --seed S [--items-per-feed K]

Writes N files named feed-00000.xml ... (or .json for JSON Feed) into DIR, mixing RSS 2.0
(about 70%), Atom 1.0 (15%), RSS 1.0/RDF (8%) and JSON Feed 1.1 (7%). Items carry HTML
descriptions with a few tags and entities, content:encoded, dc:creator, categories,
enclosures, RFC 822 and ISO 8601 dates, and both relative and absolute links.

Also writes DIR/manifest.tsv: one line per feed, "file<TAB>format<TAB>base_url", where
base_url is the URL the feed would have been fetched from (pass it as --base-url so relative
links resolve). Benchmarks that glob feed-* ignore it.

Output is byte-identical for the same arguments: all randomness comes from one seeded
random.Random, no clock is read, and every file is written as UTF-8 with "\\n" line ends.
Python 3.7+ and the standard library only.
"""

import argparse
import datetime as dt
import json
import os
import random
import sys
from xml.sax.saxutils import escape as xml_escape

# ---- vocabulary ---------------------------------------------------------------------------

OUTLETS = [
    ("globalwire", "Global Wire", "https://news.globalwire.example"),
    ("harbor-times", "The Harbor Times", "https://www.harbortimes.example"),
    ("nordic-daily", "Nordic Daily", "https://nordicdaily.example"),
    ("pacific-post", "Pacific Post", "https://pacificpost.example"),
    ("meridian", "Meridian News Service", "https://meridian.example"),
    ("capital-ledger", "Capital Ledger", "https://ledger.example"),
    ("andes-herald", "Andes Herald", "https://andesherald.example"),
    ("sahel-observer", "Sahel Observer", "https://sahelobserver.example"),
]

SECTIONS = ["world", "politics", "climate", "business", "science", "asia", "europe", "africa",
            "americas", "technology", "energy", "health"]

AUTHORS = ["Maria Gonz\u00e1lez", "James O'Connor", "Li Wei", "Aisha Bello", "Tom\u00e1\u0161 Nov\u00e1k",
           "Priya Raman", "Jonas M\u00fcller", "Fatima Zahra", "Kenji Watanabe", "Sarah Kim",
           "Olu Adeyemi", "Chlo\u00e9 Martin", "Diego Fern\u00e1ndez", "Anna Kowalska",
           "Reuben Hart", "Zo\u00eb Clarke"]

PLACES = ["Beijing", "Washington", "Dubai", "Brussels", "Nairobi", "San Francisco", "Bonn",
          "Jakarta", "S\u00e3o Paulo", "New Delhi", "Geneva", "Canberra", "Ottawa", "Tokyo"]

ACTORS = ["climate envoys", "finance ministers", "trade negotiators", "central bankers",
          "health officials", "foreign ministers", "energy regulators", "UN diplomats",
          "city mayors", "union leaders", "tech executives", "farmers' groups"]

TOPICS = ["methane emissions", "a loss-and-damage fund", "coal phase-out", "chip exports",
          "interest rates", "grain shipments", "vaccine supply", "ocean protection",
          "renewable targets", "a ceasefire plan", "debt relief", "critical minerals"]

VERBS = ["meet to discuss", "clash over", "agree on", "push for", "warn about",
         "reach deal on", "delay talks on", "unveil plan for"]

EVENTS = ["ahead of COP28", "at the APEC summit", "before the G20", "in Geneva talks",
          "after a week of talks", "as deadline nears", "amid protests", "in overnight session"]

SENTENCES = [
    "Officials said the talks would resume on Thursday.",
    "Negotiators have until the end of the month to close the gaps.",
    "\u201cWe are not there yet,\u201d one delegate said, asking not to be named.",
    "The proposal would cut emissions by 40% by 2030 & double funding for adaptation.",
    "Analysts expect markets to react cautiously.",
    "Critics say the plan is too little, too late.",
    "The ministry did not respond to a request for comment.",
    "Both sides called the meeting \u201cconstructive\u201d.",
    "Shares rose 2.3% in early trading.",
    "The report runs to more than 300 pages.",
    "Turnout was lower than in previous years.",
    "Observers noted the absence of several key delegations.",
    "The agreement still needs to be ratified by parliament.",
    "Prices have climbed for a third consecutive month.",
]

CATEGORIES = ["Climate", "Diplomacy", "Energy", "Markets", "Politics", "Science", "Asia",
              "Europe", "Trade", "Health", "Technology", "Environment", "COP28", "Economy"]

MEDIA = [("audio/mpeg", ".mp3"), ("image/jpeg", ".jpg"), ("video/mp4", ".mp4"),
         ("image/png", ".png")]

BASE_TIME = dt.datetime(2023, 11, 20, 12, 0, 0, tzinfo=dt.timezone.utc)

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

# RFC 822 zones with their offsets in minutes; named ones are what real feeds use.
RFC822_ZONES = [("+0000", 0), ("GMT", 0), ("-0500", -300), ("+0100", 60), ("EST", -300),
                ("+0800", 480), ("PDT", -420), ("+0530", 330)]
ISO_ZONES = [("Z", 0), ("+00:00", 0), ("+02:00", 120), ("-04:00", -240), ("+09:00", 540)]


# ---- helpers ------------------------------------------------------------------------------

def rfc822(when, rng):
    zone, minutes = rng.choice(RFC822_ZONES)
    local = when.astimezone(dt.timezone(dt.timedelta(minutes=minutes)))
    return "%s, %02d %s %04d %02d:%02d:%02d %s" % (
        WEEKDAYS[local.weekday()], local.day, MONTHS[local.month - 1], local.year,
        local.hour, local.minute, local.second, zone)


def iso8601(when, rng):
    zone, minutes = rng.choice(ISO_ZONES)
    local = when.astimezone(dt.timezone(dt.timedelta(minutes=minutes)))
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    if rng.random() < 0.2:
        text += ".%03d" % rng.randrange(1000)
    return text + zone


def slugify(text):
    out = []
    for ch in text.lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")[:60]


def make_item(rng, outlet, index, when):
    _, _, site = outlet
    place = rng.choice(PLACES)
    title = "%s %s %s %s" % (rng.choice(ACTORS).capitalize(), rng.choice(VERBS),
                             rng.choice(TOPICS), rng.choice(EVENTS))
    if rng.random() < 0.15:
        title = title.replace(" and ", " & ")
        title += " & more"
    if rng.random() < 0.1:
        title = "\u201c%s\u201d" % title
    section = rng.choice(SECTIONS)
    slug = "%s-%d" % (slugify(title), 1000 + index)
    path = "/%s/%04d/%02d/%02d/%s" % (section, when.year, when.month, when.day, slug)
    relative = rng.random() < 0.3
    link = path if relative else site + path
    sentences = rng.sample(SENTENCES, rng.randint(2, 4))
    lead = "%s (%s) \u2014 %s" % (place.upper(), outlet[1], sentences[0])
    description = "<p>%s</p><p>%s <a href=\"%s\">Read&nbsp;more</a> &hellip;</p>" % (
        html_escape(lead), " ".join(html_escape(s) for s in sentences[1:]),
        html_escape(link))
    if rng.random() < 0.3:
        description = "<p><strong>Breaking:</strong> " + description[3:]
    paragraphs = []
    for _ in range(rng.randint(3, 8)):
        body = " ".join(html_escape(s) for s in rng.sample(SENTENCES, rng.randint(2, 5)))
        if rng.random() < 0.3:
            body = "<em>%s</em> %s" % (html_escape(rng.choice(PLACES)), body)
        paragraphs.append("<p>%s</p>" % body)
    if rng.random() < 0.2:
        paragraphs.append("<figure><img src=\"/img/%s.jpg\" alt=\"%s\"/><figcaption>%s</figcaption>"
                          "</figure>" % (slug, html_escape(place), html_escape(place)))
    content = "\n".join(paragraphs)
    authors = rng.sample(AUTHORS, 1 if rng.random() < 0.85 else 2)
    categories = rng.sample(CATEGORIES, rng.randint(0, 3))
    enclosures = []
    if rng.random() < 0.35:
        mime, ext = rng.choice(MEDIA)
        enclosures.append({"url": "https://cdn.%s/media/%s%s" % (site.split("//", 1)[1], slug, ext),
                           "type": mime, "length": rng.randrange(20_000, 40_000_000)})
    return {
        "guid": "%s/a/%d" % (site, 500000 + index) if rng.random() < 0.6 else None,
        "guid_is_link": rng.random() < 0.2,
        "link": link,
        "title": title,
        "description": description,
        "content": content,
        "authors": authors,
        "categories": categories,
        "published": when,
        "updated": when + dt.timedelta(minutes=rng.randrange(0, 180)) if rng.random() < 0.5 else None,
        "enclosures": enclosures,
    }


def html_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
        "\"", "&quot;")


def cdata(text):
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


# ---- writers ------------------------------------------------------------------------------

def write_rss20(rng, outlet, feed_url, items):
    key, name, site = outlet
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
           ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
           ' xmlns:atom="http://www.w3.org/2005/Atom"'
           ' xmlns:media="http://search.yahoo.com/mrss/">',
           '<channel>',
           '  <title>%s</title>' % xml_escape(name),
           '  <link>%s/</link>' % site,
           '  <description>Latest news from %s</description>' % xml_escape(name),
           '  <language>en-us</language>',
           '  <atom:link href="%s" rel="self" type="application/rss+xml"/>' % xml_escape(feed_url),
           '  <lastBuildDate>%s</lastBuildDate>' % rfc822(items[0]["published"], rng),
           '  <ttl>%d</ttl>' % rng.choice([5, 15, 30, 60])]
    for it in items:
        out.append('  <item>')
        out.append('    <title>%s</title>' % xml_escape(it["title"]))
        out.append('    <link>%s</link>' % xml_escape(it["link"]))
        if it["guid"]:
            out.append('    <guid isPermaLink="false">%s</guid>' % xml_escape(it["guid"]))
        elif it["guid_is_link"] and not it["link"].startswith("/"):
            out.append('    <guid>%s</guid>' % xml_escape(it["link"]))
        if rng.random() < 0.5:
            out.append('    <description>%s</description>' % xml_escape(it["description"]))
        else:
            out.append('    <description>%s</description>' % cdata(it["description"]))
        out.append('    <content:encoded>%s</content:encoded>' % cdata(it["content"]))
        for a in it["authors"]:
            out.append('    <dc:creator>%s</dc:creator>' % xml_escape(a))
        for c in it["categories"]:
            out.append('    <category>%s</category>' % xml_escape(c))
        out.append('    <pubDate>%s</pubDate>' % rfc822(it["published"], rng))
        for e in it["enclosures"]:
            if e["type"].startswith("image/") and rng.random() < 0.5:
                out.append('    <media:content url="%s" type="%s" fileSize="%d"/>' % (
                    xml_escape(e["url"]), e["type"], e["length"]))
            else:
                out.append('    <enclosure url="%s" length="%d" type="%s"/>' % (
                    xml_escape(e["url"]), e["length"], e["type"]))
        out.append('  </item>')
    out.append('</channel>')
    out.append('</rss>')
    return "\n".join(out) + "\n"


def write_atom10(rng, outlet, feed_url, items):
    key, name, site = outlet
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">',
           '  <title>%s</title>' % xml_escape(name),
           '  <link href="%s/" rel="alternate" type="text/html"/>' % site,
           '  <link href="%s" rel="self"/>' % xml_escape(feed_url),
           '  <id>tag:%s,2023:feed</id>' % site.split("//", 1)[1],
           '  <updated>%s</updated>' % iso8601(items[0]["published"], rng)]
    for it in items:
        out.append('  <entry>')
        kind = rng.random()
        if kind < 0.7:
            out.append('    <title type="text">%s</title>' % xml_escape(it["title"]))
        else:
            out.append('    <title type="html">%s</title>' % xml_escape(html_escape(it["title"])))
        out.append('    <link rel="alternate" type="text/html" href="%s"/>' % xml_escape(it["link"]))
        out.append('    <id>%s</id>' % xml_escape(it["guid"] or "tag:%s,2023:%s" % (
            site.split("//", 1)[1], slugify(it["title"]))))
        out.append('    <published>%s</published>' % iso8601(it["published"], rng))
        out.append('    <updated>%s</updated>' % iso8601(it["updated"] or it["published"], rng))
        for a in it["authors"]:
            out.append('    <author><name>%s</name></author>' % xml_escape(a))
        for c in it["categories"]:
            out.append('    <category term="%s"/>' % xml_escape(c))
        out.append('    <summary type="html">%s</summary>' % xml_escape(it["description"]))
        out.append('    <content type="html">%s</content>' % xml_escape(it["content"]))
        for e in it["enclosures"]:
            out.append('    <link rel="enclosure" href="%s" type="%s" length="%d"/>' % (
                xml_escape(e["url"]), e["type"], e["length"]))
        out.append('  </entry>')
    out.append('</feed>')
    return "\n".join(out) + "\n"


def write_rss10(rng, outlet, feed_url, items):
    key, name, site = outlet
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
           ' xmlns="http://purl.org/rss/1.0/"'
           ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
           ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
           ' xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">',
           '  <channel rdf:about="%s">' % xml_escape(feed_url),
           '    <title>%s</title>' % xml_escape(name),
           '    <link>%s/</link>' % site,
           '    <description>Latest news from %s</description>' % xml_escape(name),
           '    <dc:language>en</dc:language>',
           '    <sy:updatePeriod>hourly</sy:updatePeriod>',
           '    <sy:updateFrequency>%d</sy:updateFrequency>' % rng.choice([1, 2, 4]),
           '    <items><rdf:Seq>']
    for it in items:
        out.append('      <rdf:li rdf:resource="%s"/>' % xml_escape(it["link"]))
    out.append('    </rdf:Seq></items>')
    out.append('  </channel>')
    for it in items:
        out.append('  <item rdf:about="%s">' % xml_escape(it["link"]))
        out.append('    <title>%s</title>' % xml_escape(it["title"]))
        out.append('    <link>%s</link>' % xml_escape(it["link"]))
        out.append('    <description>%s</description>' % xml_escape(it["description"]))
        out.append('    <content:encoded>%s</content:encoded>' % cdata(it["content"]))
        for a in it["authors"]:
            out.append('    <dc:creator>%s</dc:creator>' % xml_escape(a))
        for c in it["categories"]:
            out.append('    <dc:subject>%s</dc:subject>' % xml_escape(c))
        out.append('    <dc:date>%s</dc:date>' % iso8601(it["published"], rng))
        out.append('  </item>')
    out.append('</rdf:RDF>')
    return "\n".join(out) + "\n"


def write_json11(rng, outlet, feed_url, items):
    key, name, site = outlet
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": name,
        "home_page_url": site + "/",
        "feed_url": feed_url,
        "language": "en",
        "items": [],
    }
    for it in items:
        item = {
            "id": it["guid"] or it["link"],
            "url": it["link"],
            "title": it["title"],
            "content_html": it["content"],
            "summary": it["description"],
            "date_published": iso8601(it["published"], rng),
        }
        if it["updated"]:
            item["date_modified"] = iso8601(it["updated"], rng)
        item["authors"] = [{"name": a} for a in it["authors"]]
        if it["categories"]:
            item["tags"] = it["categories"]
        if it["enclosures"]:
            item["attachments"] = [{"url": e["url"], "mime_type": e["type"],
                                    "size_in_bytes": e["length"]} for e in it["enclosures"]]
        doc["items"].append(item)
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


WRITERS = [  # (cumulative share, format, extension, writer)
    (0.70, "rss20", ".xml", write_rss20),
    (0.85, "atom10", ".xml", write_atom10),
    (0.93, "rss10", ".xml", write_rss10),
    (1.00, "json11", ".json", write_json11),
]


def generate(out_dir, feeds, seed, items_per_feed):
    os.makedirs(out_dir, exist_ok=True)
    manifest = []
    for n in range(feeds):
        # One generator per feed, seeded from (seed, n): feed n is the same whatever N is.
        rng = random.Random("%d/%d" % (seed, n))
        outlet = rng.choice(OUTLETS)
        pick = rng.random()
        fmt, ext, writer = next((f, e, w) for share, f, e, w in WRITERS if pick < share)
        feed_url = "%s/feeds/%s/%s%s" % (outlet[2], rng.choice(SECTIONS), fmt, ext)
        newest = BASE_TIME - dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 30))
        items = []
        when = newest
        for i in range(items_per_feed):
            items.append(make_item(rng, outlet, n * 1000 + i, when))
            when -= dt.timedelta(minutes=rng.randrange(3, 240), seconds=rng.randrange(60))
        text = writer(rng, outlet, feed_url, items)
        name = "feed-%05d%s" % (n, ext)
        with open(os.path.join(out_dir, name), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        manifest.append("%s\t%s\t%s" % (name, fmt, feed_url))
    with open(os.path.join(out_dir, "manifest.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(manifest) + "\n")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="directory to write into (created if missing)")
    ap.add_argument("--feeds", type=int, required=True, help="number of feed files")
    ap.add_argument("--seed", type=int, required=True, help="seed; same seed, same bytes")
    ap.add_argument("--items-per-feed", type=int, default=20, help="items per feed (default 20)")
    args = ap.parse_args(argv)
    if args.feeds < 0 or args.items_per_feed < 1:
        ap.error("--feeds must be >= 0 and --items-per-feed >= 1")
    generate(args.out, args.feeds, args.seed, args.items_per_feed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
