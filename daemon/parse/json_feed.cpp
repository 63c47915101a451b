// JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1) through nlohmann-json.
#include <nlohmann/json.hpp>

#include "core/utf8.hpp"
#include "parse/dialects.hpp"
#include "parse/html_text.hpp"
#include "parse/urls.hpp"

namespace wirewatch::parse {
namespace {

using nlohmann::json;

std::string string_at(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
  return {};
}

void read_people(const json& object, std::vector<std::string>& people, const Limits& limits) {
  auto add = [&](const json& person) {
    if (person.is_object()) add_person(people, string_at(person, "name"), limits);
  };
  if (auto it = object.find("authors"); it != object.end() && it->is_array()) {
    for (const auto& person : *it) add(person);
  }
  if (auto it = object.find("author"); it != object.end()) add(*it);
}

core::Entry read_item(const json& item, const DialectContext& context,
                      const core::FeedDocument& document,
                      const std::vector<std::string>& feed_authors) {
  const Limits& limits = context.limits;
  core::Entry entry;
  entry.guid = core::repair_utf8(trim(string_at(item, "id")));
  entry.link = core::repair_utf8_owned(resolve_url(context.document_url, string_at(item, "url")));
  if (entry.link.empty()) {
    entry.link =
        core::repair_utf8_owned(resolve_url(context.document_url, string_at(item, "external_url")));
  }
  // JSON Feed's title and summary are plain text: a "<b>" in them is literal.
  entry.title = references_to_text(string_at(item, "title"), limits.max_field_bytes);
  entry.summary = references_to_text(string_at(item, "summary"), limits.max_field_bytes);
  if (const std::string html = string_at(item, "content_html"); !html.empty()) {
    entry.content = html_to_text(html, limits.max_field_bytes);
  } else {
    entry.content = plain_text(string_at(item, "content_text"), limits.max_field_bytes);
  }
  set_date(entry.published, entry.published_raw, string_at(item, "date_published"), limits);
  set_date(entry.updated, entry.updated_raw, string_at(item, "date_modified"), limits);
  read_people(item, entry.authors, limits);
  if (entry.authors.empty()) entry.authors = feed_authors;
  if (auto tags = item.find("tags"); tags != item.end() && tags->is_array()) {
    for (const auto& tag : *tags) {
      if (tag.is_string()) add_category(entry.categories, tag.get<std::string>(), limits);
    }
  }
  entry.language = core::repair_utf8(trim(string_at(item, "language")));
  if (auto attachments = item.find("attachments");
      attachments != item.end() && attachments->is_array()) {
    for (const auto& attachment : *attachments) {
      if (!attachment.is_object()) continue;
      add_enclosure(entry.enclosures, context.document_url, string_at(attachment, "url"),
                    string_at(attachment, "mime_type"), string_at(attachment, "size_in_bytes"),
                    limits);
    }
  }
  complete_entry(entry, document.language, true);
  return entry;
}

}  // namespace

std::string read_json_feed(std::string_view text, const DialectContext& context,
                           core::FeedDocument& document) {
  json root;
  try {
    root = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& error) {
    return std::string("invalid JSON at byte ") + std::to_string(error.byte);
  } catch (const json::exception&) {  // out_of_range: a number no double can hold (1e401)
    return "invalid JSON: a number out of range";
  }
  if (!root.is_object()) return "JSON document is not an object";
  const std::string version = string_at(root, "version");
  if (version.find("jsonfeed.org/version/") == std::string::npos) {
    return "JSON document is not a JSON Feed (no jsonfeed.org version)";
  }
  document.format = version.ends_with("/1") ? core::FeedFormat::json10 : core::FeedFormat::json11;
  document.title = references_to_text(string_at(root, "title"), context.limits.max_field_bytes);
  document.link =
      core::repair_utf8_owned(resolve_url(context.document_url, string_at(root, "home_page_url")));
  document.self_url =
      core::repair_utf8_owned(resolve_url(context.document_url, string_at(root, "feed_url")));
  document.language = core::repair_utf8(trim(string_at(root, "language")));
  std::vector<std::string> feed_authors;
  read_people(root, feed_authors, context.limits);
  auto items = root.find("items");
  if (items == root.end() || !items->is_array()) return "JSON Feed has no items array";
  for (const auto& item : *items) {
    if (!item.is_object()) continue;
    if (document.entries.size() >= context.limits.max_entries) break;
    document.entries.push_back(read_item(item, context, document, feed_authors));
  }
  return {};
}

}  // namespace wirewatch::parse
