#include "core/record_json.hpp"

#include <gtest/gtest.h>

#include <random>

#include "core/time.hpp"

namespace wirewatch::core {
namespace {

Record sample() {
  Record record;
  record.id = "abc";
  record.feed = {"f", "https://example.org/feed", "Feed", "https://example.org/"};
  record.title = "Title";
  record.published = make_utc(2023, 11, 9, 10, 0, 0);
  record.fetched = *make_utc(2023, 11, 9, 11, 0, 0);
  record.enclosures.push_back({"https://example.org/a.mp3", "audio/mpeg", 12});
  record.labels = {"summit"};
  record.scores["summit"] = 0.5;
  record.evidence["summit"].push_back({"APEC", "title"});
  return record;
}

TEST(RecordJson, WritesTheDocumentedFieldsInOrder) {
  const std::string line = to_json_line(sample());
  EXPECT_EQ(line.find("{\"v\":1,\"seq\":null,\"id\":\"abc\",\"event\":\"new\",\"feed\":"), 0u);
  EXPECT_NE(line.find("\"published\":\"2023-11-09T10:00:00Z\""), std::string::npos);
  EXPECT_NE(line.find("\"updated\":null"), std::string::npos);
  EXPECT_EQ(line.find("published_raw"), std::string::npos);
  EXPECT_NE(line.find("\"evidence\":{\"summit\":[{\"term\":\"APEC\",\"field\":\"title\"}]}"),
            std::string::npos);
}

TEST(RecordJson, NeverEmitsInvalidUtf8) {
  Record record = sample();
  record.title = "bad \xFF byte";
  const std::string line = to_json_line(record);
  EXPECT_NE(line.find("bad \xEF\xBF\xBD byte"), std::string::npos);
}

TEST(RecordJson, ReadsBackWhatItWrote) {
  const Record original = sample();
  const Record back = record_from_json(nlohmann::json::parse(to_json_line(original)));
  EXPECT_EQ(back.id, original.id);
  EXPECT_EQ(back.feed, original.feed);
  EXPECT_EQ(back.published, original.published);
  EXPECT_EQ(back.fetched, original.fetched);
  EXPECT_EQ(back.enclosures, original.enclosures);
}

// The line writer must print exactly what nlohmann's dump of the DOM prints, whatever the
// strings hold: escapes, control characters, DEL, multi-byte and ill-formed UTF-8.
std::string random_text(std::mt19937& random) {
  static const std::vector<std::string> pieces = {"a",
                                                  "Climate",
                                                  " ",
                                                  "\"",
                                                  "\\",
                                                  "/",
                                                  "\n",
                                                  "\r",
                                                  "\t",
                                                  "\b",
                                                  "\f",
                                                  std::string(1, '\0'),
                                                  "\x01",
                                                  "\x1f",
                                                  "\x7f",
                                                  "é",
                                                  "中文",
                                                  "€",
                                                  "😀",
                                                  "\xC3",
                                                  "\xFF",
                                                  "\xE2\x82",
                                                  "\xED\xA0\x80",
                                                  "\xF4\x90\x80\x80",
                                                  "\xC0\xAF",
                                                  "<p>",
                                                  "&amp;",
                                                  "\u2028",
                                                  "x"};
  std::string text;
  const int count = std::uniform_int_distribution<int>(0, 40)(random);  // past 16 bytes too
  for (int i = 0; i < count; ++i) {
    text += pieces[std::uniform_int_distribution<std::size_t>(0, pieces.size() - 1)(random)];
  }
  return text;
}

TEST(RecordJson, LineWriterPrintsWhatTheDomDumpPrints) {
  std::mt19937 random(20261129);
  const std::vector<double> scores = {0.0,  1.0,  0.5,    0.1,   1.0 / 3, 1e-5, 0.999999,
                                      0.25, 0.72, 0.0005, 0.001, -0.0,    1.5,  0.07};
  for (std::size_t round = 0; round < 3000; ++round) {
    Record record;
    if (round % 3 == 0) record.seq = static_cast<std::int64_t>(round) * 7919;
    record.id = random_text(random);
    record.event = round % 2 ? Event::update : Event::new_entry;
    record.feed = {random_text(random), random_text(random), random_text(random),
                   random_text(random)};
    record.guid = random_text(random);
    record.url = random_text(random);
    record.title = random_text(random);
    record.summary = random_text(random);
    record.content = random_text(random);
    for (auto i = static_cast<int>(round % 3); i > 0; --i)
      record.authors.push_back(random_text(random));
    for (auto i = static_cast<int>(round % 4); i > 0; --i)
      record.categories.push_back(random_text(random));
    record.language = random_text(random);
    if (round % 5 != 0)
      record.published = make_utc(2023, 11, 9, static_cast<int>(round % 24), 0, 0);
    if (round % 7 == 0) record.published_raw = random_text(random);
    if (round % 4 == 0) record.updated = make_utc(2024, 1, 1, 0, static_cast<int>(round % 60), 0);
    if (round % 11 == 0) record.updated_raw = random_text(random);
    record.fetched = *make_utc(2023, 11, 9, 11, 0, static_cast<int>(round % 60));
    for (auto i = static_cast<int>(round % 3); i > 0; --i) {
      record.enclosures.push_back(
          {random_text(random), random_text(random),
           i % 2 ? std::optional<std::int64_t>(static_cast<std::int64_t>(round) * 1000 + i)
                 : std::nullopt});
    }
    if (round % 2 == 0) record.labels = {"summit", random_text(random)};
    record.scores["climate_diplomacy"] = scores[round % scores.size()];
    if (round % 3 == 0) record.scores[random_text(random)] = scores[(round / 3) % scores.size()];
    if (round % 2 == 0) {
      record.evidence["summit"].push_back({random_text(random), "title"});
      record.evidence["summit"].push_back({random_text(random), random_text(random)});
    }
    const std::string expected =
        to_json(record).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    ASSERT_EQ(to_json_line(record), expected) << "round " << round;
    ASSERT_EQ(assemble_json_line(record.seq, record.id, record.event, to_json_fields(record)),
              expected);
  }
}

// Scores are written without nlohmann when they are thousandths in [0, 1] (what the classifier
// gives): every one of them must read as nlohmann prints it.
TEST(RecordJson, EveryThousandthScoreIsPrintedAsNlohmannPrintsIt) {
  for (int k = 0; k <= 1000; ++k) {
    Record record;
    record.fetched = *make_utc(2023, 11, 9, 11, 0, 0);
    record.scores["summit"] = k / 1000.0;
    const std::string expected =
        to_json(record).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    ASSERT_EQ(to_json_line(record), expected) << k;
  }
}

// The writer sizes its buffer from the record and grows it when escapes overflow it; a record
// far past the buffer kept between records (1 MiB) is written whole, and the next one is too.
TEST(RecordJson, HugeAndEscapeHeavyRecordsAreWrittenWhole) {
  Record huge = sample();
  huge.content.reserve(3 << 20);
  for (int i = 0; i < 300'000; ++i) huge.content += "\"\x01 é\n";  // 8 bytes in, 19 out
  huge.summary = std::string(70'000, '"');                         // twice its size out
  Record small = sample();
  for (const Record& record : {huge, small, huge}) {
    const std::string expected =
        to_json(record).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    ASSERT_EQ(to_json_line(record), expected);
  }
}

}  // namespace
}  // namespace wirewatch::core
