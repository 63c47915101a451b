// Text folding for matching. Rule terms and story text go through the same fold, so a term
// matches every spelling of it a story can use: case, accents, full-width forms, punctuation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wirewatch::classify {

/// Text folded by fold_text, and where each of its words starts.
struct FoldedText {
  std::string text;                        // " climate envoys met 在 cop28 上 "
  std::vector<std::uint32_t> word_starts;  // byte offset of each word, ascending

  /// The index of the word that contains byte `offset` (or the last one starting before it).
  std::uint32_t word_at(std::size_t offset) const;
};

/// Folds text for matching:
/// - NFKC, Unicode case folding and diacritics stripped (utf8proc): "Cancún" → "cancun",
///   "ＣＯＰ２８" → "cop28", "hội nghị" → "hoi nghi"; a few letters without a decomposition
///   fold too ("đ" → "d", "ø" → "o", "ł" → "l", "æ" → "ae", "œ" → "oe");
/// - every run of spaces, punctuation and symbols becomes one ASCII space, except a dot between
///   a letter or digit and an ASCII letter or digit, which vanishes ("U.N." → "un", "6.4" → "64");
/// - a character of a script written without spaces (Han, kana, Thai, Lao, Khmer, Myanmar)
///   is a word of its own and is set off by a space from an adjacent spaced-script word
///   ("在COP28上" → "在 cop28 上").
/// The result starts and ends with a space (" cop28 talks "), so " talks " matches whole words.
/// Ill-formed UTF-8 counts as a separator. Reuses out's storage; allocation-free once warm.
void fold_text(std::string_view text, FoldedText& out);

/// The folded text alone (tests, tools).
std::string fold(std::string_view text);

/// The byte string a rule term is matched as: the term folded, keeping the space on each side
/// that must be a word boundary. There is none next to a character of an unspaced script
/// (CJK terms match as substrings) and none at the end of a prefix term (`prefix` true, written
/// "negotiat*"). Empty when the term has no letter or digit.
std::string term_pattern(std::string_view term, bool prefix);

}  // namespace wirewatch::classify
