#include "core/record_json.hpp"

#include "core/time.hpp"

namespace wirewatch::core {
namespace {

nlohmann::ordered_json optional_time(const std::optional<Timestamp>& time) {
  if (!time) return nullptr;
  return format_rfc3339(*time);
}

std::optional<Timestamp> time_from_json(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return parse_rfc3339_utc(it->get<std::string>());
}

std::string string_field(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

std::vector<std::string> string_list(const nlohmann::json& object, const char* key) {
  std::vector<std::string> out;
  auto it = object.find(key);
  if (it == object.end() || !it->is_array()) return out;
  for (const auto& item : *it) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace

nlohmann::ordered_json to_json(const Record& record) {
  nlohmann::ordered_json out;
  out["v"] = 1;
  out["seq"] = record.seq ? nlohmann::ordered_json(*record.seq) : nlohmann::ordered_json(nullptr);
  out["id"] = record.id;
  out["event"] = to_string(record.event);
  out["feed"] = {{"id", record.feed.id},
                 {"url", record.feed.url},
                 {"title", record.feed.title},
                 {"link", record.feed.link}};
  out["guid"] = record.guid;
  out["url"] = record.url;
  out["title"] = record.title;
  out["summary"] = record.summary;
  out["content"] = record.content;
  out["authors"] = record.authors;
  out["categories"] = record.categories;
  out["language"] = record.language;
  out["published"] = optional_time(record.published);
  if (!record.published_raw.empty()) out["published_raw"] = record.published_raw;
  out["updated"] = optional_time(record.updated);
  if (!record.updated_raw.empty()) out["updated_raw"] = record.updated_raw;
  out["fetched"] = format_rfc3339(record.fetched);
  auto enclosures = nlohmann::ordered_json::array();
  for (const auto& enclosure : record.enclosures) {
    nlohmann::ordered_json item{{"url", enclosure.url}, {"type", enclosure.type}};
    item["length"] = enclosure.length ? nlohmann::ordered_json(*enclosure.length)
                                      : nlohmann::ordered_json(nullptr);
    enclosures.push_back(std::move(item));
  }
  out["enclosures"] = std::move(enclosures);
  out["labels"] = record.labels;
  auto scores = nlohmann::ordered_json::object();
  for (const auto& [label, score] : record.scores) scores[label] = score;
  out["scores"] = std::move(scores);
  auto evidence = nlohmann::ordered_json::object();
  for (const auto& [label, items] : record.evidence) {
    auto terms = nlohmann::ordered_json::array();
    for (const auto& item : items) terms.push_back({{"term", item.term}, {"field", item.field}});
    evidence[label] = std::move(terms);
  }
  out["evidence"] = std::move(evidence);
  return out;
}

std::string to_json_line(const Record& record) {
  return to_json(record).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Record record_from_json(const nlohmann::json& object) {
  Record record;
  if (auto it = object.find("seq"); it != object.end() && it->is_number_integer()) {
    record.seq = it->get<std::int64_t>();
  }
  record.id = string_field(object, "id");
  record.event = string_field(object, "event") == "update" ? Event::update : Event::new_entry;
  if (auto it = object.find("feed"); it != object.end() && it->is_object()) {
    record.feed = {string_field(*it, "id"), string_field(*it, "url"), string_field(*it, "title"),
                   string_field(*it, "link")};
  }
  record.guid = string_field(object, "guid");
  record.url = string_field(object, "url");
  record.title = string_field(object, "title");
  record.summary = string_field(object, "summary");
  record.content = string_field(object, "content");
  record.authors = string_list(object, "authors");
  record.categories = string_list(object, "categories");
  record.language = string_field(object, "language");
  if (record.language.empty()) record.language = string_field(object, "lang");
  record.published = time_from_json(object, "published");
  record.updated = time_from_json(object, "updated");
  record.published_raw = string_field(object, "published_raw");
  record.updated_raw = string_field(object, "updated_raw");
  if (auto fetched = time_from_json(object, "fetched")) record.fetched = *fetched;
  if (auto it = object.find("enclosures"); it != object.end() && it->is_array()) {
    for (const auto& item : *it) {
      if (!item.is_object()) continue;
      Enclosure enclosure{string_field(item, "url"), string_field(item, "type"), std::nullopt};
      if (auto length = item.find("length"); length != item.end() && length->is_number_integer()) {
        enclosure.length = length->get<std::int64_t>();
      }
      record.enclosures.push_back(std::move(enclosure));
    }
  }
  return record;
}

}  // namespace wirewatch::core
