// read_json_feed reads documents with its own strict JSON parser and declines the rest to
// nlohmann-json. The property: whenever the fast parser reads a document, the feed (and the
// error, if any) equals what the nlohmann path gives, field by field. Checked on the JSON
// fixtures, on realistic feeds, and on many random edits of them (escapes, surrogates, numbers,
// duplicate keys, nesting, broken syntax, control characters, invalid UTF-8).
#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "parse/dialects.hpp"

namespace wirewatch::parse {
namespace {

std::string dump(const core::FeedDocument& document) {
  std::ostringstream out;
  auto date = [&](const std::optional<core::Timestamp>& t) {
    out << (t ? std::to_string(t->time_since_epoch().count()) : "-") << '|';
  };
  out << static_cast<int>(document.format) << '|' << document.title << '|' << document.link << '|'
      << document.self_url << '|' << document.language << '\n';
  for (const auto& entry : document.entries) {
    out << entry.guid << '|' << entry.link << '|' << entry.title << '|' << entry.summary << '|'
        << entry.content << '|' << entry.language << '|' << entry.published_raw << '|'
        << entry.updated_raw << '|';
    date(entry.published);
    date(entry.updated);
    for (const auto& author : entry.authors) out << "a:" << author << '|';
    for (const auto& category : entry.categories) out << "c:" << category << '|';
    for (const auto& enclosure : entry.enclosures) {
      out << "e:" << enclosure.url << ',' << enclosure.type << ','
          << (enclosure.length ? std::to_string(*enclosure.length) : "-") << '|';
    }
    out << '\n';
  }
  return out.str();
}

/// True when the fast parser read the document; then it must equal the nlohmann path.
bool check(const std::string& text) {
  const Limits limits;
  const DialectContext context{limits, "https://example.com/feeds/json/feed.json"};
  core::FeedDocument fast_document;
  const auto fast_error = read_json_feed_fast(text, context, fast_document);
  core::FeedDocument slow_document;
  const std::string slow_error = read_json_feed_nlohmann(text, context, slow_document);
  if (!fast_error) return false;
  EXPECT_EQ(*fast_error, slow_error) << text;
  EXPECT_EQ(dump(fast_document), dump(slow_document)) << text;
  return true;
}

const std::string kFeed = R"({
  "version": "https://jsonfeed.org/version/1.1",
  "title": "The Harbor Times \u2014 \"World\"",
  "home_page_url": "https://www.harbortimes.example/",
  "feed_url": "/feeds/africa/json11.json",
  "language": "en",
  "authors": [{"name": "Desk"}, {"url": "https://x.example/"}],
  "items": [
    {
      "id": "https://www.harbortimes.example/a/1",
      "url": "/science/2023/11/18/health-officials-1",
      "title": "Health officials warn &amp; <b>caution</b>",
      "summary": "Line one\nline two\ttab \ud83d\ude00",
      "content_html": "<p>Turnout was lower.</p>\n<p><em>New Delhi</em> Analysts expect \u201cmarkets\u201d.</p>",
      "date_published": "2023-11-18T09:30:00Z",
      "date_modified": "2023-11-18T10:00:00+01:00",
      "authors": [{"name": "Tom\u00e1\u0161 Nov\u00e1k"}],
      "tags": ["Asia", "Climate", 3, null],
      "language": "en-GB",
      "attachments": [{"url": "clip.mp3", "mime_type": "audio/mpeg", "size_in_bytes": 123456}]
    },
    {
      "id": 42,
      "external_url": "https://other.example/x?y=1#z",
      "content_text": "  plain   text  ",
      "author": {"name": "Single Author"},
      "date_published": "not a date",
      "attachments": [{"url": "https://cdn.example/v.mp4", "size_in_bytes": -5}, 7]
    },
    "not an object",
    {"id": "dup", "id": "dup2", "title": "", "tags": [], "items": {"nested": [1, [2, [3]]]}}
  ]
})";

TEST(JsonFastPath, RealisticFeedReadsAsNlohmannReadsIt) {
  EXPECT_TRUE(check(kFeed));
  EXPECT_TRUE(check(R"({"version": "https://jsonfeed.org/version/1", "items": []})"));
  EXPECT_TRUE(check(R"([1, 2])"));
  EXPECT_TRUE(check(R"({"version": 1})"));
  EXPECT_TRUE(check(R"({"version": "https://jsonfeed.org/version/1.1"})"));
  EXPECT_TRUE(check(R"({"version": "https://jsonfeed.org/version/1.1", "items": [-0, 0, 18]})"));
}

TEST(JsonFastPath, DeclinesWhatItDoesNotModel) {
  core::FeedDocument document;
  const Limits limits;
  const DialectContext context{limits, ""};
  for (std::string_view text :
       {R"({"a": 1.5})", R"({"a": 1e3})", R"({"a": 12345678901234567890})", R"({"a": "\ud800"})",
        R"({"a": "\udc00"})", R"({"a": 01})", "{\"a\": \"\xff\"}", "{\"a\": \"\x01\"}",
        R"({"a": tru})", R"({"a": 1,})", R"({"a" 1})", R"({} x)", "", R"({"a": "\x"})"}) {
    EXPECT_FALSE(read_json_feed_fast(text, context, document)) << text;
  }
}

TEST(JsonFastPath, FixturesReadAsNlohmannReadsThem) {
  std::size_t read = 0;
  for (const auto& file :
       std::filesystem::directory_iterator(WIREWATCH_SOURCE_DIR "/tests/fixtures/feeds")) {
    if (file.path().extension() != ".json") continue;
    std::ifstream in(file.path(), std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (check(text)) ++read;
  }
  EXPECT_GT(read, 0U);
}

TEST(JsonFastPath, RandomEditsNeverDifferFromNlohmann) {
  static constexpr std::array<std::string_view, 40> kPieces{"\\n",
                                                            "\\\"",
                                                            "\\\\",
                                                            "\\/",
                                                            "\\u00e9",
                                                            "\\u2014",
                                                            "\\ud83d\\ude00",
                                                            "\\ud800",
                                                            "\\udc00x",
                                                            "\\u0000",
                                                            "\\x",
                                                            "\\",
                                                            "\"",
                                                            ",",
                                                            ":",
                                                            "{",
                                                            "}",
                                                            "[",
                                                            "]",
                                                            " ",
                                                            "\t",
                                                            "\r\n",
                                                            "1",
                                                            "-0",
                                                            "1.5",
                                                            "1e9",
                                                            "007",
                                                            "99999999999999999999",
                                                            "true",
                                                            "null",
                                                            "\"id\": \"x\", ",
                                                            "\"url\": \"/p\", ",
                                                            "\xC3\xA9",
                                                            "\xFF",
                                                            "\x01",
                                                            "\x7F",
                                                            "&amp;",
                                                            "<p>",
                                                            "\"tags\": [\"a\", 1], ",
                                                            "\"items\": []"};
  static constexpr std::string_view kChars = "{}[]\":,\\ -0123456789aeflnrstux";
  // --gtest_random_seed=N checks another sample (the default seed is 0).
  std::mt19937 random(20261129u +
                      static_cast<unsigned>(testing::UnitTest::GetInstance()->random_seed()));
  std::size_t read = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text = kFeed;
    for (auto edits = random() % 4; edits > 0; --edits) {
      const std::size_t at = random() % (text.size() + 1);
      switch (random() % 3) {
        case 0:
          text.insert(at, 1, kChars[random() % kChars.size()]);
          break;
        case 1:
          if (at < text.size()) text.erase(at, 1 + random() % 3);
          break;
        default:
          text.insert(at, kPieces[random() % kPieces.size()]);
          break;
      }
    }
    if (check(text)) ++read;
    if (testing::Test::HasFailure()) return;
  }
  EXPECT_GT(read, 4000U);  // the fast parser read a good share: it was exercised
}

}  // namespace
}  // namespace wirewatch::parse
