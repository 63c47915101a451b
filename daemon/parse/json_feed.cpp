// JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1). Documents are read by a small
// strict parser (JsonDocument below) that handles what JSON Feeds contain and declines the
// rest (floats, integers beyond int64, lone surrogate escapes, invalid UTF-8, any syntax error,
// deep nesting); a declined document goes through nlohmann-json, which also words the errors.
// Both are read by the same template code, through a small view over each.
#include <cstdint>
#include <deque>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "core/utf8.hpp"
#include "parse/dialects.hpp"
#include "parse/html_text.hpp"
#include "parse/urls.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace wirewatch::parse {
namespace {

using nlohmann::json;

// ---- the fast parser ----------------------------------------------------------------------

/// A parsed JSON document: nodes in one vector, children linked by index.
class JsonDocument {
 public:
  enum class Kind : std::uint8_t { null, boolean, integer, floating, string, array, object };

  struct Node {
    Kind kind = Kind::null;
    std::string_view key;   // for an object member
    std::string_view text;  // a string's decoded value
    std::int64_t integer = 0;
    std::uint32_t first = 0;  // first child (arrays, objects); 0 = none
    std::uint32_t next = 0;   // next sibling; 0 = none
  };

  /// The document, or nullopt when it is anything this parser does not handle exactly as
  /// nlohmann-json would.
  static std::optional<JsonDocument> parse(std::string_view text) {
    if (!core::is_valid_utf8(text)) return std::nullopt;
    JsonDocument document;
    document.text_ = text;
    document.nodes_.reserve(text.size() / 16 + 8);
    document.nodes_.emplace_back();  // index 0: "none"
    std::size_t at = 0;
    if (!document.value(at, 0)) return std::nullopt;
    document.skip_space(at);
    if (at != text.size()) return std::nullopt;
    return document;
  }

  const Node& node(std::uint32_t index) const { return nodes_[index]; }
  static constexpr std::uint32_t kRoot = 1;

 private:
  static constexpr int kMaxDepth = 64;

  void skip_space(std::size_t& at) const {
    while (at < text_.size() &&
           (text_[at] == ' ' || text_[at] == '\n' || text_[at] == '\r' || text_[at] == '\t')) {
      ++at;
    }
  }

  bool literal(std::size_t& at, std::string_view word) const {
    if (text_.substr(at, word.size()) != word) return false;
    at += word.size();
    return true;
  }

  /// Parses one value at text_[at] (after whitespace) into a new node; its index is the
  /// node count before the call.
  bool value(std::size_t& at, int depth) {
    skip_space(at);
    if (at >= text_.size() || depth > kMaxDepth) return false;
    const auto index = static_cast<std::uint32_t>(nodes_.size());
    nodes_.emplace_back();
    switch (text_[at]) {
      case '{':
        return object(at, index, depth);
      case '[':
        return array(at, index, depth);
      case '"': {
        std::string_view decoded;
        if (!string(at, decoded)) return false;
        nodes_[index].kind = Kind::string;
        nodes_[index].text = decoded;
        return true;
      }
      case 't':
        nodes_[index].kind = Kind::boolean;
        return literal(at, "true");
      case 'f':
        nodes_[index].kind = Kind::boolean;
        return literal(at, "false");
      case 'n':
        return literal(at, "null");
      default:
        return number(at, index);
    }
  }

  /// An integer: -?(0|[1-9][0-9]*) within int64. Fractions and exponents decline.
  bool number(std::size_t& at, std::uint32_t index) {
    const bool negative = text_[at] == '-';
    if (negative) ++at;
    if (at >= text_.size() || text_[at] < '0' || text_[at] > '9') return false;
    std::uint64_t magnitude = 0;
    const std::size_t digits = at;
    if (text_[at] == '0') {
      ++at;
    } else {
      while (at < text_.size() && text_[at] >= '0' && text_[at] <= '9') {
        if (at - digits >= 18) return false;  // past 18 digits: leave int64 limits to nlohmann
        magnitude = magnitude * 10 + static_cast<std::uint64_t>(text_[at] - '0');
        ++at;
      }
    }
    if (at < text_.size() && (text_[at] == '.' || text_[at] == 'e' || text_[at] == 'E' ||
                              (text_[at] >= '0' && text_[at] <= '9'))) {
      return false;  // a float, or a leading zero
    }
    nodes_[index].kind = Kind::integer;
    const auto value = static_cast<std::int64_t>(magnitude);
    nodes_[index].integer = negative ? -value : value;
    return true;
  }

  static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  /// Four hex digits at text_[at]; -1 when they are not.
  int hex4(std::size_t at) const {
    if (at + 4 > text_.size()) return -1;
    int value = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      const int digit = hex_digit(text_[at + i]);
      if (digit < 0) return -1;
      value = value * 16 + digit;
    }
    return value;
  }

  /// The first offset from at of a '"', a '\\' or a control character (< 0x20), or the
  /// text's size. Where SSE2 exists (every x86-64), 16 bytes per step.
  std::size_t string_stop(std::size_t at) const {
    const auto* bytes = reinterpret_cast<const unsigned char*>(text_.data());
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i last_control = _mm_set1_epi8(0x1F);
    while (at + 16 <= text_.size()) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + at));
      const __m128i stop =
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                       _mm_cmpeq_epi8(_mm_max_epu8(v, last_control), last_control));
      const auto mask = static_cast<unsigned>(_mm_movemask_epi8(stop));
      if (mask != 0) return at + static_cast<std::size_t>(__builtin_ctz(mask));
      at += 16;
    }
#endif
    while (at < text_.size() && bytes[at] != '"' && bytes[at] != '\\' && bytes[at] >= 0x20) ++at;
    return at;
  }

  /// One escape at text_[at] == '\\', appended to out.
  bool escape(std::size_t& at, std::string& out) const {
    if (++at >= text_.size()) return false;
    switch (text_[at++]) {
      case '"':
        out += '"';
        return true;
      case '\\':
        out += '\\';
        return true;
      case '/':
        out += '/';
        return true;
      case 'b':
        out += '\b';
        return true;
      case 'f':
        out += '\f';
        return true;
      case 'n':
        out += '\n';
        return true;
      case 'r':
        out += '\r';
        return true;
      case 't':
        out += '\t';
        return true;
      case 'u': {
        const int code = hex4(at);
        if (code < 0) return false;
        at += 4;
        if (code >= 0xDC00 && code <= 0xDFFF) return false;  // a lone low surrogate
        auto cp = static_cast<char32_t>(code);
        if (code >= 0xD800 && code <= 0xDBFF) {  // must be followed by a low surrogate
          if (text_.substr(at, 2) != "\\u") return false;
          const int low = hex4(at + 2);
          if (low < 0xDC00 || low > 0xDFFF) return false;
          at += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + static_cast<char32_t>(low - 0xDC00);
        }
        append_utf8(out, cp);
        return true;
      }
      default:
        return false;
    }
  }

  /// A string at text_[at] == '"': a view into the text when it has no escapes, else into a
  /// decoded copy the document keeps. Control characters decline, as nlohmann rejects them.
  bool string(std::size_t& at, std::string_view& out) {
    const std::size_t start = ++at;
    at = string_stop(at);
    if (at >= text_.size()) return false;
    if (text_[at] == '"') {
      out = text_.substr(start, at - start);
      ++at;
      return true;
    }
    if (text_[at] != '\\') return false;
    std::string& decoded = decoded_.emplace_back(text_.substr(start, at - start));
    for (;;) {  // at a backslash
      if (!escape(at, decoded)) return false;
      const std::size_t run = at;
      at = string_stop(at);
      if (at >= text_.size()) return false;
      decoded.append(text_.substr(run, at - run));
      if (text_[at] == '"') break;
      if (text_[at] != '\\') return false;
    }
    ++at;  // the closing quote
    out = decoded;
    return true;
  }

  static void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool array(std::size_t& at, std::uint32_t index, int depth) {
    nodes_[index].kind = Kind::array;
    ++at;
    skip_space(at);
    if (at < text_.size() && text_[at] == ']') {
      ++at;
      return true;
    }
    std::uint32_t last = 0;
    for (;;) {
      const auto child = static_cast<std::uint32_t>(nodes_.size());
      if (!value(at, depth + 1)) return false;
      (last == 0 ? nodes_[index].first : nodes_[last].next) = child;
      last = child;
      skip_space(at);
      if (at >= text_.size()) return false;
      if (text_[at] == ']') {
        ++at;
        return true;
      }
      if (text_[at++] != ',') return false;
    }
  }

  bool object(std::size_t& at, std::uint32_t index, int depth) {
    nodes_[index].kind = Kind::object;
    ++at;
    skip_space(at);
    if (at < text_.size() && text_[at] == '}') {
      ++at;
      return true;
    }
    std::uint32_t last = 0;
    for (;;) {
      skip_space(at);
      if (at >= text_.size() || text_[at] != '"') return false;
      std::string_view key;
      if (!string(at, key)) return false;
      skip_space(at);
      if (at >= text_.size() || text_[at++] != ':') return false;
      const auto child = static_cast<std::uint32_t>(nodes_.size());
      if (!value(at, depth + 1)) return false;
      nodes_[child].key = key;
      (last == 0 ? nodes_[index].first : nodes_[last].next) = child;
      last = child;
      skip_space(at);
      if (at >= text_.size()) return false;
      if (text_[at] == '}') {
        ++at;
        return true;
      }
      if (text_[at++] != ',') return false;
    }
  }

  std::string_view text_;
  std::vector<Node> nodes_;
  std::deque<std::string> decoded_;  // strings with escapes; a deque keeps them in place
};

// ---- one view over either parser's values ---------------------------------------------------

/// A value of a JsonDocument.
class FastValue {
 public:
  FastValue(const JsonDocument& document, std::uint32_t index)
      : document_(&document), index_(index) {}
  bool is_object() const { return node().kind == JsonDocument::Kind::object; }
  bool is_array() const { return node().kind == JsonDocument::Kind::array; }
  bool is_string() const { return node().kind == JsonDocument::Kind::string; }
  bool is_integer() const { return node().kind == JsonDocument::Kind::integer; }
  std::string_view string() const { return node().text; }
  std::int64_t integer() const { return node().integer; }
  /// The member named key (the last one when repeated, as nlohmann keeps it), if any.
  std::optional<FastValue> find(std::string_view key) const {
    std::uint32_t found = 0;
    for (std::uint32_t child = node().first; child != 0; child = document_->node(child).next) {
      if (document_->node(child).key == key) found = child;
    }
    if (found == 0) return std::nullopt;
    return FastValue(*document_, found);
  }
  template <typename F>
  void each(F f) const {
    for (std::uint32_t child = node().first; child != 0; child = document_->node(child).next) {
      f(FastValue(*document_, child));
    }
  }

 private:
  const JsonDocument::Node& node() const { return document_->node(index_); }
  const JsonDocument* document_;
  std::uint32_t index_;
};

/// A value of an nlohmann-json document.
class NlohmannValue {
 public:
  explicit NlohmannValue(const json& value) : value_(&value) {}
  bool is_object() const { return value_->is_object(); }
  bool is_array() const { return value_->is_array(); }
  bool is_string() const { return value_->is_string(); }
  bool is_integer() const { return value_->is_number_integer(); }
  std::string_view string() const { return value_->get_ref<const std::string&>(); }
  std::int64_t integer() const { return value_->get<std::int64_t>(); }
  std::optional<NlohmannValue> find(const char* key) const {
    auto it = value_->find(key);
    if (it == value_->end()) return std::nullopt;
    return NlohmannValue(*it);
  }
  template <typename F>
  void each(F f) const {
    for (const auto& element : *value_) f(NlohmannValue(element));
  }

 private:
  const json* value_;
};

// ---- the reader -----------------------------------------------------------------------------

template <typename Value>
std::string string_at(const Value& object, const char* key) {
  const auto found = object.find(key);
  if (!found) return {};
  if (found->is_string()) return std::string(found->string());
  if (found->is_integer()) return std::to_string(found->integer());
  return {};
}

template <typename Value>
void read_people(const Value& object, std::vector<std::string>& people, const Limits& limits) {
  auto add = [&](const Value& person) {
    if (person.is_object()) add_person(people, string_at(person, "name"), limits);
  };
  if (auto found = object.find("authors"); found && found->is_array()) found->each(add);
  if (auto found = object.find("author")) add(*found);
}

template <typename Value>
core::Entry read_item(const Value& item, const DialectContext& context,
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
  if (auto tags = item.find("tags"); tags && tags->is_array()) {
    tags->each([&](const Value& tag) {
      if (tag.is_string()) add_category(entry.categories, tag.string(), limits);
    });
  }
  entry.language = core::repair_utf8(trim(string_at(item, "language")));
  if (auto attachments = item.find("attachments"); attachments && attachments->is_array()) {
    attachments->each([&](const Value& attachment) {
      if (!attachment.is_object()) return;
      add_enclosure(entry.enclosures, context.document_url, string_at(attachment, "url"),
                    string_at(attachment, "mime_type"), string_at(attachment, "size_in_bytes"),
                    limits);
    });
  }
  complete_entry(entry, document.language, true);
  return entry;
}

template <typename Value>
std::string read_feed(const Value& root, const DialectContext& context,
                      core::FeedDocument& document) {
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
  if (!items || !items->is_array()) return "JSON Feed has no items array";
  items->each([&](const Value& item) {
    if (!item.is_object()) return;
    if (document.entries.size() >= context.limits.max_entries) return;
    document.entries.push_back(read_item(item, context, document, feed_authors));
  });
  return {};
}

}  // namespace

std::optional<std::string> read_json_feed_fast(std::string_view text, const DialectContext& context,
                                               core::FeedDocument& document) {
  const std::optional<JsonDocument> parsed = JsonDocument::parse(text);
  if (!parsed) return std::nullopt;
  return read_feed(FastValue(*parsed, JsonDocument::kRoot), context, document);
}

std::string read_json_feed_nlohmann(std::string_view text, const DialectContext& context,
                                    core::FeedDocument& document) {
  json root;
  try {
    root = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& error) {
    return std::string("invalid JSON at byte ") + std::to_string(error.byte);
  } catch (const json::exception&) {  // out_of_range: a number no double can hold (1e401)
    return "invalid JSON: a number out of range";
  }
  return read_feed(NlohmannValue(root), context, document);
}

std::string read_json_feed(std::string_view text, const DialectContext& context,
                           core::FeedDocument& document) {
  if (auto error = read_json_feed_fast(text, context, document)) return std::move(*error);
  return read_json_feed_nlohmann(text, context, document);
}

}  // namespace wirewatch::parse
