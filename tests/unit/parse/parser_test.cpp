// parse_feed as a library: what the CLI golden tests cannot see (dialect, polling hints,
// self URL, Limits, the encoding reported, status and message).
#include "parse/parser.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace wirewatch::parse {
namespace {

namespace fs = std::filesystem;

std::string fixture(const std::string& name) {
  std::ifstream in(fs::path(WIREWATCH_SOURCE_DIR) / "tests" / "fixtures" / "feeds" / name,
                   std::ios::binary);
  EXPECT_TRUE(in) << name;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Result parse(const std::string& body, std::string_view content_type = {},
             const Limits& limits = {}) {
  return parse_feed(Input{body, content_type, "https://feeds.example/feed.xml", {}}, limits);
}

TEST(ParseFeed, SniffsEveryDialect) {
  const std::pair<const char*, core::FeedFormat> cases[] = {
      {"rss090.rdf", core::FeedFormat::rss090},
      {"rss091-netscape.xml", core::FeedFormat::rss091},
      {"rss092.xml", core::FeedFormat::rss091},
      {"rss20-basic.xml", core::FeedFormat::rss20},
      {"rss20-no-version.xml", core::FeedFormat::rss20},
      {"rss10.rdf", core::FeedFormat::rss10},
      {"rss10-prefixed.rdf", core::FeedFormat::rss10},
      {"atom03.xml", core::FeedFormat::atom03},
      {"atom10.xml", core::FeedFormat::atom10},
      {"atom10-prefixed.xml", core::FeedFormat::atom10},
      {"jsonfeed10.json", core::FeedFormat::json10},
      {"jsonfeed11.json", core::FeedFormat::json11},
  };
  for (const auto& [name, format] : cases) {
    const Result result = parse(fixture(name));
    EXPECT_EQ(result.status, Status::ok) << name << ": " << result.message;
    EXPECT_EQ(result.document.format, format) << name;
    EXPECT_FALSE(result.document.entries.empty()) << name;
  }
}

TEST(ParseFeed, PollingHintsFromRssAndSyndication) {
  const Result full = parse(fixture("rss20-full.xml"));
  EXPECT_EQ(full.document.hints.ttl_minutes, 60);
  EXPECT_EQ(full.document.hints.skip_hours, (std::vector<int>{0, 1, 0}));  // 24 means 0
  EXPECT_EQ(full.document.hints.skip_days, (std::vector<int>{6, 0}));
  EXPECT_FALSE(full.document.hints.update_seconds);

  // sy:updatePeriod daily, sy:updateFrequency 4 → every 6 hours.
  EXPECT_EQ(parse(fixture("ns-sy-slash.xml")).document.hints.update_seconds, 6 * 3600);
  // RSS 1.0: hourly, twice → every 30 minutes.
  EXPECT_EQ(parse(fixture("rss10.rdf")).document.hints.update_seconds, 1800);
}

TEST(ParseFeed, FeedMetadata) {
  const Result atom = parse(fixture("atom10.xml"));
  EXPECT_EQ(atom.document.title, "Example Feed");
  EXPECT_EQ(atom.document.link, "http://example.org/");
  EXPECT_EQ(atom.document.self_url, "http://example.org/feed/");
  EXPECT_EQ(atom.document.language, "en");

  const Result rss = parse(fixture("ns-atom-in-rss.xml"));
  EXPECT_EQ(rss.document.self_url, "https://atominrss.example/feed.xml");  // not the hub
  const Result undeclared = parse(fixture("ns-undeclared-prefixes.xml"));
  EXPECT_EQ(undeclared.document.self_url, "https://undeclared.example/feed");

  const Result json = parse(fixture("jsonfeed11.json"));
  EXPECT_EQ(json.document.self_url, "https://json11.example/feed.json");
  EXPECT_EQ(json.document.language, "fr-FR");
}

TEST(ParseFeed, ReportsTheEncodingItDecoded) {
  EXPECT_EQ(parse(fixture("enc-koi8-r.xml")).encoding, "koi8-r");
  EXPECT_EQ(parse(fixture("enc-iso-8859-1.xml")).encoding, "windows-1252");
  EXPECT_EQ(parse(fixture("enc-gbk.xml")).encoding, "gb18030");
  EXPECT_EQ(parse(fixture("enc-utf16le-bom.xml")).encoding, "utf-16le");
  EXPECT_EQ(parse(fixture("enc-http-charset.xml"), "text/xml; charset=windows-1251").encoding,
            "windows-1251");
  const Result guessed = parse(fixture("enc-latin1-labeled-utf8.xml"));
  EXPECT_EQ(guessed.status, Status::ok);
  EXPECT_EQ(guessed.encoding, "windows-1252");
  EXPECT_FALSE(guessed.message.empty());  // a warning, not a failure
}

TEST(ParseFeed, LimitsCapEntriesFieldsAndLists) {
  Limits limits;
  limits.max_entries = 3;
  limits.max_field_bytes = 10;
  limits.max_list_items = 1;
  const Result result = parse(fixture("rss20-full.xml"), {}, limits);
  ASSERT_EQ(result.document.entries.size(), 3u);
  const core::Entry& first = result.document.entries.front();
  EXPECT_EQ(first.title, "An item wi");  // "An item with everything" cut at 10 bytes
  EXPECT_EQ(first.categories, (std::vector<std::string>{"World"}));
}

TEST(ParseFeed, TruncatedDocumentKeepsTheEntriesBeforeTheBreak) {
  const Result result = parse(fixture("bad-truncated-rss.xml"));
  EXPECT_EQ(result.status, Status::recovered);
  ASSERT_EQ(result.document.entries.size(), 2u);
  EXPECT_EQ(result.document.entries.back().title, "Second complete item");
  EXPECT_NE(result.message.find("truncated"), std::string::npos) << result.message;
}

TEST(ParseFeed, EntryCutByTheErrorIsDroppedEvenWhenTheRootCloses) {
  const Result result = parse(
      "<rss><channel><title>t</title><item><title>ok</title></item>"
      "<item><title>bad <b>x</i></title></item><item><title>lost</title></item>"
      "</channel></rss>");
  EXPECT_EQ(result.status, Status::recovered);
  ASSERT_EQ(result.document.entries.size(), 1u);
  EXPECT_EQ(result.document.entries[0].title, "ok");
}

TEST(ParseFeed, AnErrorAfterTheLastEntryKeepsItWhole) {
  const Result result =
      parse("<rss><channel><item><title>whole</title></item><junk a=\"1></channel></rss>");
  EXPECT_EQ(result.status, Status::recovered);
  ASSERT_EQ(result.document.entries.size(), 1u);
  EXPECT_EQ(result.document.entries[0].title, "whole");
}

TEST(ParseFeed, RepairedDocumentsAreRecoveredWithTheFirstProblem) {
  const Result result = parse(fixture("bad-bare-ampersand.xml"));
  EXPECT_EQ(result.status, Status::recovered);
  EXPECT_EQ(result.message.rfind("line 4, column 14: bare '&'", 0), 0u) << result.message;
  EXPECT_EQ(result.document.entries.size(), 1u);
}

TEST(ParseFeed, NotFeedsFailWithOneLine) {
  const std::pair<const char*, const char*> cases[] = {
      {"bad-empty.xml", "empty document"},
      {"bad-whitespace-only.xml", "empty document"},
      {"bad-html-page.html", "an HTML page, not a feed"},
      {"bad-xhtml-page.xml", "an HTML page, not a feed"},
      {"bad-random-text.txt", "not a feed: the document is neither XML nor JSON"},
      {"bad-xml-not-feed.xml", "not a feed: the root element is <sitemap>"},
      {"bad-json-not-feed.json", "JSON document is not a JSON Feed (no jsonfeed.org version)"},
  };
  for (const auto& [name, message] : cases) {
    const Result result = parse(fixture(name));
    EXPECT_EQ(result.status, Status::failed) << name;
    EXPECT_EQ(result.message, message) << name;
    EXPECT_EQ(result.message.find('\n'), std::string::npos) << name;
    EXPECT_TRUE(result.document.entries.empty()) << name;
  }
}

TEST(ParseFeed, ContentTypeNeverDecidesTheDialect) {
  EXPECT_EQ(parse(fixture("atom10.xml"), "application/json").document.format,
            core::FeedFormat::atom10);
  EXPECT_EQ(parse(fixture("jsonfeed11.json"), "text/xml").document.format,
            core::FeedFormat::json11);
}

}  // namespace
}  // namespace wirewatch::parse
