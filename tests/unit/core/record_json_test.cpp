#include "core/record_json.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace wirewatch::core
