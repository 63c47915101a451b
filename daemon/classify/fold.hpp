// The folding loop, shared by fold_text (which writes the folded text) and the classifier
// (which feeds each folded byte straight into the matcher). Internal to the classify stage.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace wirewatch::classify::detail {

/// What a folded code point is to the matcher.
enum class Kind : std::uint8_t {
  separator,  // space, punctuation, symbol, control: collapses into one space
  word,       // a letter or digit of a script written with spaces
  unspaced,   // a letter of a script written without spaces: a word of its own
  dot,        // '.', which vanishes inside abbreviations and numbers
};

/// One folded code point: its UTF-8 bytes (none for separators and dots) and its kind.
struct Piece {
  std::array<char, 4> bytes{};
  std::uint8_t size = 0;
  Kind kind = Kind::separator;
};

constexpr int kMaxPieces = 32;  // the longest NFKC expansion of one code point is 18

/// Folds one code point with utf8proc into pieces; returns how many (0: it vanishes).
int fold_code_point(char32_t cp, Piece* pieces);

/// Folded pieces of every code point of the Basic Multilingual Plane, built once.
class FoldTable {
 public:
  FoldTable();

  /// The pieces of cp; astral code points are folded on the spot into scratch.
  const Piece* lookup(char32_t cp, Piece* scratch, int& count) const {
    if (cp >= 0x10000) {
      count = fold_code_point(cp, scratch);
      return scratch;
    }
    const std::uint32_t packed = index_[cp];
    count = static_cast<int>(packed & 0x3F);
    return pieces_.data() + (packed >> 6);
  }

 private:
  static std::uint32_t pack(std::size_t offset, int count) {
    return static_cast<std::uint32_t>(offset << 6) | static_cast<std::uint32_t>(count);
  }
  std::vector<std::uint32_t> index_;  // offset << 6 | count
  std::vector<Piece> pieces_;
};

/// The table, built on first use (thread-safe).
const FoldTable& fold_table();

/// Decodes one code point at text[i]; returns its length, or 0 for an ill-formed sequence
/// (a stray continuation byte, a truncated sequence, an overlong form, a surrogate, or a
/// value past U+10FFFF).
inline int decode_utf8(std::string_view text, std::size_t i, char32_t& cp) {
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const std::size_t left = text.size() - i;
  const unsigned char lead = at(0);
  const auto continuation = [&](std::size_t k) { return k < left && (at(k) & 0xC0) == 0x80; };
  if (lead < 0x80) {
    cp = lead;
    return 1;
  }
  if (lead >= 0xC2 && lead <= 0xDF && continuation(1)) {
    cp = static_cast<char32_t>((lead & 0x1F) << 6 | (at(1) & 0x3F));
    return 2;
  }
  if (lead >= 0xE0 && lead <= 0xEF && continuation(1) && continuation(2)) {
    cp = static_cast<char32_t>((lead & 0x0F) << 12 | (at(1) & 0x3F) << 6 | (at(2) & 0x3F));
    return cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF) ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4 && continuation(1) && continuation(2) && continuation(3)) {
    cp = static_cast<char32_t>((lead & 0x07) << 18 | (at(1) & 0x3F) << 12 | (at(2) & 0x3F) << 6 |
                               (at(3) & 0x3F));
    return cp >= 0x10000 && cp <= 0x10FFFF ? 4 : 0;
  }
  return 0;
}

/// ASCII folding: the lowercase letter or digit, '.' for a dot, 0 for a separator.
constexpr std::array<char, 128> make_ascii_table() {
  std::array<char, 128> table{};
  for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = static_cast<char>(c);
  for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] = static_cast<char>(c);
  for (int c = 'A'; c <= 'Z'; ++c) {
    table[static_cast<std::size_t>(c)] = static_cast<char>(c - 'A' + 'a');
  }
  table['.'] = '.';
  return table;
}
inline constexpr std::array<char, 128> kAscii = make_ascii_table();

/// The folded ASCII letter or digit, or a value <= '.' for anything else.
inline char fold_ascii(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x80 ? kAscii[byte] : '\0';
}

inline bool is_ascii_alnum(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x80 && kAscii[byte] != 0 && kAscii[byte] != '.';
}

/// Folds text into out, which takes the folded bytes and hears where each word starts:
///   void put(char); void put(const char*, std::size_t); void word_start();
///   std::size_t put_word(std::string_view text, std::size_t i);
/// put_word takes a run of ASCII letters and digits (folded with kAscii) from text[i] on and
/// returns where it ends: the hot path, in one call so the output can keep its state in
/// registers. The output starts and ends with a space; see fold_text for the rules.
///
/// Resumable: begin(), then step() from 0 until the end of the text, then end(). A caller may
/// skip ahead of step() (the scanner's ASCII fast path does) while last() is a separator,
/// provided it puts what step() would have put for the bytes it skips.
template <typename Out>
class Folder {
 public:
  /// scratch: room for kMaxPieces pieces (kept outside, so that passing it to the folding of
  /// an astral code point does not let the folder's own state escape to memory).
  Folder(std::string_view text, Out& out, Piece* scratch)
      : text_(text), out_(out), table_(fold_table()), scratch_(scratch) {}

  void begin() { out_.put(' '); }
  void end() { separator(); }

  /// What the last folded piece was (a separator once nothing is pending).
  Kind last() const { return last_; }

  /// Folds the unit at text[i] (a run of ASCII letters and digits, one other ASCII byte, one
  /// code point or one ill-formed byte) and returns where the next one starts.
  std::size_t step(std::size_t i) {
    const std::size_t size = text_.size();
    const auto byte = static_cast<unsigned char>(text_[i]);
    if (byte < 0x80) {
      const char folded = kAscii[byte];
      if (folded > '.') {  // a letter or digit: the whole run
        if (last_ != Kind::word) start_word();
        return out_.put_word(text_, i);
      }
      if (folded == '.') {
        piece(Piece{{}, 0, Kind::dot}, i + 1 < size && is_ascii_alnum(text_[i + 1]));
      } else {
        separator();
      }
      return i + 1;
    }
    char32_t cp = 0;
    const int length = decode_utf8(text_, i, cp);
    if (length == 0) {
      separator();
      return i + 1;
    }
    i += static_cast<std::size_t>(length);
    int count = 0;
    const Piece* pieces = table_.lookup(cp, scratch_, count);
    const bool next_is_alnum = i < size && is_ascii_alnum(text_[i]);
    for (int p = 0; p < count; ++p) piece(pieces[p], next_is_alnum);
    return i;
  }

 private:
  void start_word() {
    if (last_ == Kind::unspaced) out_.put(' ');
    out_.word_start();
    last_ = Kind::word;
  }
  void separator() {
    if (last_ != Kind::separator) out_.put(' ');
    last_ = Kind::separator;
  }
  void piece(const Piece& p, bool next_is_alnum) {
    switch (p.kind) {
      case Kind::word:
        if (last_ != Kind::word) start_word();
        out_.put(p.bytes.data(), p.size);
        return;
      case Kind::unspaced:
        if (last_ == Kind::word) out_.put(' ');
        out_.word_start();
        out_.put(p.bytes.data(), p.size);
        last_ = Kind::unspaced;
        return;
      case Kind::dot:
        if (last_ == Kind::word && next_is_alnum) return;  // "U.N." → "un"
        separator();
        return;
      case Kind::separator:
        separator();
        return;
    }
  }

  std::string_view text_;
  Out& out_;
  const FoldTable& table_;
  Piece* scratch_;
  Kind last_ = Kind::separator;
};

/// Folds the whole of text into out (see Folder).
template <typename Out>
void fold_into(std::string_view text, Out& out) {
  Piece scratch[kMaxPieces];
  Folder<Out> folder(text, out, scratch);
  folder.begin();
  for (std::size_t i = 0; i < text.size();) i = folder.step(i);
  folder.end();
}

}  // namespace wirewatch::classify::detail
