#include "classify/text.hpp"

#include <unicode/uscript.h>
#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>

#include "classify/fold.hpp"

namespace wirewatch::classify {
namespace detail {
namespace {

constexpr utf8proc_option_t kFoldOptions = static_cast<utf8proc_option_t>(
    UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE |
    UTF8PROC_LUMP | UTF8PROC_STRIPMARK);

bool is_unspaced_script(char32_t cp) {
  UErrorCode status = U_ZERO_ERROR;
  const UScriptCode script = uscript_getScript(static_cast<UChar32>(cp), &status);
  if (U_FAILURE(status)) return false;
  switch (script) {
    case USCRIPT_HAN:
    case USCRIPT_HIRAGANA:
    case USCRIPT_KATAKANA:
    case USCRIPT_BOPOMOFO:
    case USCRIPT_THAI:
    case USCRIPT_LAO:
    case USCRIPT_KHMER:
    case USCRIPT_MYANMAR:
    case USCRIPT_YI:
      return true;
    case USCRIPT_COMMON:
    case USCRIPT_INHERITED:  // the kana length mark and iteration marks live here
      return (cp >= 0x2E80 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF);
    default:
      return false;
  }
}

Kind kind_of(char32_t cp) {
  if (cp == U'.') return Kind::dot;
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return is_unspaced_script(cp) ? Kind::unspaced : Kind::word;
    default:
      return Kind::separator;
  }
}

/// Letters that NFKC leaves alone but a reader folds without thinking.
std::u32string_view extra_fold(char32_t cp) {
  switch (cp) {
    case U'đ':
    case U'ð':
      return U"d";
    case U'ø':
      return U"o";
    case U'ł':
      return U"l";
    case U'ı':
      return U"i";
    case U'ħ':
      return U"h";
    case U'æ':
      return U"ae";
    case U'œ':
      return U"oe";
    default:
      return {};
  }
}

std::uint8_t encode_utf8(char32_t cp, char* out) {
  utf8proc_uint8_t buffer[4];
  const auto size = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), buffer);
  std::copy_n(buffer, size, out);
  return static_cast<std::uint8_t>(size);
}

void push_piece(char32_t cp, Piece* pieces, int& count) {
  if (count >= kMaxPieces) return;
  Piece piece;
  piece.kind = kind_of(cp);
  if (piece.kind == Kind::word || piece.kind == Kind::unspaced) {
    piece.size = encode_utf8(cp, piece.bytes.data());
  }
  pieces[count++] = piece;
}

}  // namespace

/// Folds one code point with utf8proc; returns how many pieces it wrote.
int fold_code_point(char32_t cp, Piece* pieces) {
  utf8proc_uint8_t input[4];
  const auto input_size = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), input);
  utf8proc_uint8_t* mapped = nullptr;
  const auto mapped_size = utf8proc_map(input, input_size, &mapped, kFoldOptions);
  int count = 0;
  if (mapped_size < 0) {
    pieces[count++] = Piece{};  // unmappable: a separator
    return count;
  }
  for (utf8proc_ssize_t i = 0; i < mapped_size;) {
    utf8proc_int32_t folded = 0;
    const auto step = utf8proc_iterate(mapped + i, mapped_size - i, &folded);
    if (step <= 0) break;
    i += step;
    const auto extra = extra_fold(static_cast<char32_t>(folded));
    if (extra.empty()) {
      push_piece(static_cast<char32_t>(folded), pieces, count);
    } else {
      for (char32_t c : extra) push_piece(c, pieces, count);
    }
  }
  std::free(mapped);
  return count;  // 0: an ignorable or a stripped mark, which vanishes
}

FoldTable::FoldTable() {
  index_.resize(0x10000);
  Piece scratch[kMaxPieces];
  for (char32_t cp = 0; cp < 0x10000; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) {  // surrogates: ill-formed in UTF-8, a separator
      index_[cp] = pack(pieces_.size(), 1);
      pieces_.push_back(Piece{});
      continue;
    }
    const int count = fold_code_point(cp, scratch);
    index_[cp] = pack(pieces_.size(), count);
    pieces_.insert(pieces_.end(), scratch, scratch + count);
  }
}

const FoldTable& fold_table() {
  static const FoldTable table;
  return table;
}

}  // namespace detail

namespace {

/// fold_into's output for fold_text: the folded bytes and word starts, in a FoldedText.
struct TextOut {
  FoldedText& folded;
  void put(char c) { folded.text.push_back(c); }
  void put(const char* bytes, std::size_t size) { folded.text.append(bytes, size); }
  void word_start() {
    folded.word_starts.push_back(static_cast<std::uint32_t>(folded.text.size()));
  }
  std::size_t put_word(std::string_view text, std::size_t i) {
    for (char c; i < text.size() && (c = detail::fold_ascii(text[i])) > '.'; ++i) {
      folded.text.push_back(c);
    }
    return i;
  }
};

}  // namespace

std::uint32_t FoldedText::word_at(std::size_t offset) const {
  const auto it = std::upper_bound(word_starts.begin(), word_starts.end(), offset);
  return it == word_starts.begin() ? 0u : static_cast<std::uint32_t>(it - word_starts.begin() - 1);
}

void fold_text(std::string_view text, FoldedText& out) {
  out.text.clear();
  out.word_starts.clear();
  out.text.reserve(text.size() + 2);
  TextOut sink{out};
  detail::fold_into(text, sink);
}

std::string fold(std::string_view text) {
  FoldedText folded;
  fold_text(text, folded);
  return std::move(folded.text);
}

std::string term_pattern(std::string_view term, bool prefix) {
  FoldedText folded;
  fold_text(term, folded);
  if (folded.word_starts.empty()) return {};
  std::string pattern = std::move(folded.text);
  const auto unspaced_at = [&](std::size_t offset) {
    char32_t cp = 0;
    return detail::decode_utf8(pattern, offset, cp) > 0 &&
           detail::kind_of(cp) == detail::Kind::unspaced;
  };
  std::size_t last = pattern.size() - 2;  // the last byte before the trailing space
  while (last > 0 && (static_cast<unsigned char>(pattern[last]) & 0xC0) == 0x80) --last;
  const bool drop_back = prefix || unspaced_at(last);
  const bool drop_front = unspaced_at(1);
  if (drop_back) pattern.pop_back();
  if (drop_front) pattern.erase(0, 1);
  return pattern;
}

}  // namespace wirewatch::classify
