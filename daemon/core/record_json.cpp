#include "core/record_json.hpp"

#include <emmintrin.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>

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

// The line writer: what nlohmann's dump(-1, ' ', false, replace) prints for to_json(record),
// byte for byte (tests/unit/core/record_json_test.cpp compares the two), without building the
// DOM: records are written once per entry, so this is on every poll's path. It writes through a
// pointer into out, sized up front from the record (grown only when escapes overflow it), so a
// literal such as `,"title":` is a fixed-size copy instead of a string append.
class LineWriter {
 public:
  /// Appends to out when it goes. expected: about the size of what will be written.
  LineWriter(std::string& out, std::size_t expected) : out_(out) {
    buffer_ = scratch_.busy ? &own_ : &scratch_;  // a second writer on this thread gets its own
    buffer_->busy = true;
    if (buffer_->size < expected) buffer_->resize(expected, 0);
    pos_ = buffer_->data.get();
    end_ = pos_ + buffer_->size;
  }
  LineWriter(const LineWriter&) = delete;
  LineWriter& operator=(const LineWriter&) = delete;
  ~LineWriter() {
    out_.append(buffer_->data.get(), static_cast<std::size_t>(pos_ - buffer_->data.get()));
    if (buffer_->size > kKeptScratch) buffer_->resize(0, 0);  // an outsized record's buffer goes
    buffer_->busy = false;
  }

  template <std::size_t N>
  [[gnu::always_inline]] void raw(
      const char (&literal)[N]) {  // a literal without its terminating NUL
    room(N - 1);
    std::memcpy(pos_, literal, N - 1);
    pos_ += N - 1;
  }
  [[gnu::always_inline]] void raw(std::string_view text) {
    room(text.size());
    if (!text.empty()) std::memcpy(pos_, text.data(), text.size());
    pos_ += text.size();
  }
  void string(std::string_view text);
  void integer(std::int64_t value) {
    room(24);
    pos_ = std::to_chars(pos_, pos_ + 24, value).ptr;
  }
  void number(double value) {  // nlohmann's shortest round-trip form ("0.5", "1.0", "1e-05")
    // Scores are thousandths in [0, 1]: "0.0", "0.753", "1.0" written directly (a test holds
    // every one of them to nlohmann's dump); anything else goes through nlohmann.
    const bool in_range = value >= 0.0 && value <= 1.0 && !std::signbit(value);  // not -0.0
    const int k = in_range ? static_cast<int>(value * 1000.0 + 0.5) : -1;
    if (k >= 0 && k / 1000.0 == value) {
      if (k == 0 || k == 1000) {
        raw(k == 0 ? std::string_view("0.0") : std::string_view("1.0"));
        return;
      }
      std::array<char, 5> digits{'0', '.', static_cast<char>('0' + k / 100),
                                 static_cast<char>('0' + k / 10 % 10),
                                 static_cast<char>('0' + k % 10)};
      std::size_t size = digits.size();
      while (digits[size - 1] == '0') --size;
      raw(std::string_view(digits.data(), size));
      return;
    }
    raw(nlohmann::json(value).dump());
  }
  void optional_time(const std::optional<Timestamp>& time) {
    if (time) {
      string(format_rfc3339(*time));
    } else {
      raw("null");
    }
  }
  void strings(const std::vector<std::string>& items) {
    raw("[");
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i > 0) raw(",");
      string(items[i]);
    }
    raw("]");
  }

 private:
  /// Where lines are written before they are copied to their string once, at their size: a
  /// std::string would be zero-filled first. One per thread, reused for every record.
  struct Buffer {
    std::unique_ptr<char[]> data;
    std::size_t size = 0;
    bool busy = false;
    void resize(std::size_t to, std::size_t keep) {  // keeps the first `keep` bytes
      std::unique_ptr<char[]> bigger(to > 0 ? new char[to] : nullptr);
      if (keep > 0) std::memcpy(bigger.get(), data.get(), keep);
      data = std::move(bigger);
      size = to;
    }
  };
  static constexpr std::size_t kKeptScratch = std::size_t{1} << 20;
  static thread_local Buffer scratch_;

  /// Makes room for n more bytes.
  [[gnu::always_inline]] void room(std::size_t n) {
    if (static_cast<std::size_t>(end_ - pos_) < n) grow(n);
  }
  void grow(std::size_t n) {
    const auto used = static_cast<std::size_t>(pos_ - buffer_->data.get());
    buffer_->resize(std::max(buffer_->size * 2, used + n), used);
    pos_ = buffer_->data.get() + used;
    end_ = buffer_->data.get() + buffer_->size;
  }

  std::string& out_;
  Buffer own_;
  Buffer* buffer_ = nullptr;
  char* pos_ = nullptr;
  char* end_ = nullptr;
};

thread_local LineWriter::Buffer LineWriter::scratch_;

// 0: copied as is; 1: escaped; 2: first byte of a multi-byte sequence (validated).
constexpr std::array<std::uint8_t, 256> kByteClass = [] {
  std::array<std::uint8_t, 256> table{};
  for (std::size_t c = 0; c < 0x20; ++c) table[c] = 1;
  table['"'] = 1;
  table['\\'] = 1;
  for (std::size_t c = 0x80; c < 0x100; ++c) table[c] = 2;
  return table;
}();

void LineWriter::string(std::string_view text) {
  // Invariant: the room left holds the bytes of text not yet written (from run on) and the
  // closing quote, so plain bytes are copied without further checks.
  room(text.size() + 2);
  const auto mark = static_cast<std::size_t>(pos_ - buffer_->data.get());
  *pos_++ = '"';
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto length = static_cast<std::int32_t>(text.size());
  std::int32_t run = 0;  // start of the bytes not yet copied
  std::int32_t offset = 0;
  while (offset < length) {
    // Skip 16 plain bytes at a time: none below 0x20, '"', '\\' or non-ASCII (bytes ≥ 0x80
    // are negative as signed, so the "< 0x20" compare flags them too).
    while (length - offset >= 16) {
      const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + offset));
      const __m128i special =
          _mm_or_si128(_mm_cmplt_epi8(chunk, _mm_set1_epi8(0x20)),
                       _mm_or_si128(_mm_cmpeq_epi8(chunk, _mm_set1_epi8('"')),
                                    _mm_cmpeq_epi8(chunk, _mm_set1_epi8('\\'))));
      const int mask = _mm_movemask_epi8(special);
      if (mask != 0) {
        offset += __builtin_ctz(static_cast<unsigned>(mask));
        break;
      }
      offset += 16;
    }
    if (offset >= length) break;
    const std::uint8_t c = bytes[offset];
    const std::uint8_t kind = kByteClass[c];
    if (kind == 0) {
      ++offset;
      continue;
    }
    if (kind == 2) {
      UChar32 code_point;
      U8_NEXT(bytes, offset, length, code_point);
      if (code_point < 0) {  // ill-formed: let nlohmann replace it exactly as it always did
        pos_ = buffer_->data.get() + mark;
        raw(nlohmann::json(std::string(text))
                .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        return;
      }
      continue;
    }
    const auto plain = static_cast<std::size_t>(offset - run);
    if (plain > 0) std::memcpy(pos_, text.data() + run, plain);
    pos_ += plain;
    room(static_cast<std::size_t>(length - offset) + 6);  // the escape, the rest, the quote
    switch (c) {
      case '"':
        raw("\\\"");
        break;
      case '\\':
        raw("\\\\");
        break;
      case '\b':
        raw("\\b");
        break;
      case '\f':
        raw("\\f");
        break;
      case '\n':
        raw("\\n");
        break;
      case '\r':
        raw("\\r");
        break;
      case '\t':
        raw("\\t");
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        const char escape[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        raw(std::string_view(escape, sizeof escape));
      }
    }
    run = ++offset;
  }
  const auto plain = static_cast<std::size_t>(length - run);
  if (plain > 0) std::memcpy(pos_, text.data() + run, plain);
  pos_ += plain;
  *pos_++ = '"';
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

// What the line of record will take, about: its strings plus the keys and punctuation around
// them. Escapes may need more (the writer grows then); a close guess keeps the one allocation
// near the line's size, which the record holds until it is committed.
std::size_t expected_size(const Record& record) {
  std::size_t size = 400 + record.feed.id.size() + record.feed.url.size() +
                     record.feed.title.size() + record.feed.link.size() + record.guid.size() +
                     record.url.size() + record.title.size() + record.summary.size() +
                     record.content.size() + record.language.size() + record.published_raw.size() +
                     record.updated_raw.size();
  for (const auto& item : record.authors) size += item.size() + 3;
  for (const auto& item : record.categories) size += item.size() + 3;
  for (const auto& enclosure : record.enclosures) {
    size += enclosure.url.size() + enclosure.type.size() + 48;
  }
  for (const auto& label : record.labels) size += label.size() + 3;
  for (const auto& [label, score] : record.scores) size += label.size() + 12;
  for (const auto& [label, items] : record.evidence) {
    size += label.size() + 6;
    for (const auto& item : items) size += item.term.size() + item.field.size() + 24;
  }
  return size;
}

std::string to_json_fields(const Record& record) {
  std::string out;
  {  // the writer trims out when it goes
    LineWriter w(out, expected_size(record));
    w.raw("\"feed\":{\"id\":");
    w.string(record.feed.id);
    w.raw(",\"url\":");
    w.string(record.feed.url);
    w.raw(",\"title\":");
    w.string(record.feed.title);
    w.raw(",\"link\":");
    w.string(record.feed.link);
    w.raw("},\"guid\":");
    w.string(record.guid);
    w.raw(",\"url\":");
    w.string(record.url);
    w.raw(",\"title\":");
    w.string(record.title);
    w.raw(",\"summary\":");
    w.string(record.summary);
    w.raw(",\"content\":");
    w.string(record.content);
    w.raw(",\"authors\":");
    w.strings(record.authors);
    w.raw(",\"categories\":");
    w.strings(record.categories);
    w.raw(",\"language\":");
    w.string(record.language);
    w.raw(",\"published\":");
    w.optional_time(record.published);
    if (!record.published_raw.empty()) {
      w.raw(",\"published_raw\":");
      w.string(record.published_raw);
    }
    w.raw(",\"updated\":");
    w.optional_time(record.updated);
    if (!record.updated_raw.empty()) {
      w.raw(",\"updated_raw\":");
      w.string(record.updated_raw);
    }
    w.raw(",\"fetched\":");
    w.string(format_rfc3339(record.fetched));
    w.raw(",\"enclosures\":[");
    for (std::size_t i = 0; i < record.enclosures.size(); ++i) {
      const Enclosure& enclosure = record.enclosures[i];
      w.raw(i > 0 ? std::string_view(",{\"url\":") : std::string_view("{\"url\":"));
      w.string(enclosure.url);
      w.raw(",\"type\":");
      w.string(enclosure.type);
      w.raw(",\"length\":");
      if (enclosure.length) {
        w.integer(*enclosure.length);
      } else {
        w.raw("null");
      }
      w.raw("}");
    }
    w.raw("],\"labels\":");
    w.strings(record.labels);
    w.raw(",\"scores\":{");
    bool first = true;
    for (const auto& [label, score] : record.scores) {
      if (!first) w.raw(",");
      first = false;
      w.string(label);
      w.raw(":");
      w.number(score);
    }
    w.raw("},\"evidence\":{");
    first = true;
    for (const auto& [label, items] : record.evidence) {
      if (!first) w.raw(",");
      first = false;
      w.string(label);
      w.raw(":[");
      for (std::size_t i = 0; i < items.size(); ++i) {
        w.raw(i > 0 ? std::string_view(",{\"term\":") : std::string_view("{\"term\":"));
        w.string(items[i].term);
        w.raw(",\"field\":");
        w.string(items[i].field);
        w.raw("}");
      }
      w.raw("]");
    }
    w.raw("}}");
  }
  return out;
}

std::string assemble_json_line(std::optional<std::int64_t> seq, std::string_view id, Event event,
                               std::string_view fields) {
  std::string out;
  {
    LineWriter w(out, 64 + id.size() + fields.size());
    w.raw("{\"v\":1,\"seq\":");
    if (seq) {
      w.integer(*seq);
    } else {
      w.raw("null");
    }
    w.raw(",\"id\":");
    w.string(id);
    w.raw(",\"event\":");
    w.string(to_string(event));
    w.raw(",");
    w.raw(fields);
  }
  return out;
}

std::string to_json_line(const Record& record) {
  return assemble_json_line(record.seq, record.id, record.event, to_json_fields(record));
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
