#include "classify/scanner.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "classify/rules.hpp"
#include "classify/text.hpp"

namespace wirewatch::classify {
namespace {

using Matches = std::vector<std::pair<std::uint32_t, std::size_t>>;

/// The reference: fold_text, then the byte automaton over every folded byte.
Matches reference(const Matcher& matcher, std::string_view text, FoldedText& folded) {
  fold_text(text, folded);
  Matches out;
  matcher.scan(folded.text, [&](std::uint32_t id, std::size_t end) { out.emplace_back(id, end); });
  return out;
}

Matches scanned(const Scanner& scanner, std::string_view text,
                std::vector<std::uint32_t>& word_starts, std::vector<std::uint32_t>& words) {
  std::vector<PatternMatch> matches{{7, 7, 7}};  // appends: what is there stays
  Scanner::Scratch scratch;
  word_starts.assign({11, 22});  // appends too: a match's word indexes the whole vector
  scanner.scan(text, matches, word_starts, scratch);
  EXPECT_EQ(matches.front().pattern, 7u);
  EXPECT_EQ(word_starts[0], 11u);
  EXPECT_EQ(word_starts[1], 22u);
  word_starts.erase(word_starts.begin(), word_starts.begin() + 2);
  Matches out;
  for (std::size_t i = 1; i < matches.size(); ++i) {
    out.emplace_back(matches[i].pattern, matches[i].end);
    words.push_back(matches[i].word - 2);
  }
  return out;
}

void expect_same(const Matcher& matcher, const Scanner& scanner, const std::string& text) {
  FoldedText folded;
  const Matches expected = reference(matcher, text, folded);
  std::vector<std::uint32_t> word_starts;
  std::vector<std::uint32_t> words;
  const Matches got = scanned(scanner, text, word_starts, words);
  ASSERT_EQ(got, expected) << "text: \"" << text << "\" folded: \"" << folded.text << "\"";
  ASSERT_EQ(word_starts, folded.word_starts) << "text: \"" << text << "\"";
  // Each match's word: the one that holds its last byte before the boundary space.
  for (std::size_t i = 0; i < got.size(); ++i) {
    const std::size_t end = got[i].second;
    const std::size_t last = matcher.pattern(got[i].first).back() == ' ' ? end - 2 : end - 1;
    ASSERT_EQ(words[i], folded.word_at(last)) << "text: \"" << text << "\" match " << i;
  }
}

Matcher matcher_of(const std::vector<std::string>& terms) {
  Matcher matcher;
  for (const auto& term : terms) {
    const bool prefix = term.back() == '*';
    matcher.add(term_pattern(prefix ? term.substr(0, term.size() - 1) : term, prefix));
  }
  matcher.build();
  return matcher;
}

TEST(Scanner, SplitsPatternsBetweenWordsAndBytes) {
  const Matcher matcher =
      matcher_of({"summit", "G20 summit", "negotiat*", "峰会", "G20峰会", "Ωmega"});
  Scanner scanner;
  scanner.build(matcher);
  EXPECT_EQ(scanner.word_pattern_count(), 3u);
  EXPECT_EQ(scanner.byte_pattern_count(), 3u);
}

TEST(Scanner, FindsOverlappingPhrasesInMatcherOrder) {
  const Matcher matcher =
      matcher_of({"the UN", "UN", "UN climate talks", "climate", "climate talks", "talks",
                  "climate envoy*", "clim*", "c*", "the un climate*", "峰会", "G20峰会", "g20"});
  Scanner scanner;
  scanner.build(matcher);
  for (const char* text :
       {"", " ", "the U.N. climate talks", "The UN climate envoys' talks", "climate climate talks",
        "un un climate talks talks", "G20峰会 and the UN climate", "cop28在G20峰会上", "clim", "c",
        "Climate-talks: THE UN climatechange", "the un climate talks the un climate"}) {
    expect_same(matcher, scanner, text);
  }
}

// Random texts over pieces of the patterns: the scanner finds exactly what the byte automaton
// finds in the folded text, in the same order, and the same word starts.
TEST(Scanner, FindsWhatTheByteAutomatonFindsInRandomTexts) {
  const Matcher matcher = matcher_of({"summit",     "summits", "negotiat*",  "loss and damage",
                                      "COP25",      "COP28",   "G20 summit", "un",
                                      "the un",     "峰会",    "气候大会",   "U.N. talks",
                                      "hội nghị",   "sommet",  "climat*",    "cumbre",
                                      "a",          "ab*",     "abc d",      "a b c",
                                      "b c d*",     "b",       "x y",        "y x",
                                      "x y x y",    "G20峰会", "峰会 g20",   "damage*",
                                      "and damage", "ab c*",   "ab"});
  Scanner scanner;
  scanner.build(matcher);
  const std::vector<std::string> pieces{
      "summit", "sum",    "mit",      "s",           "negotiat", "re", "ion", "loss", " and ",
      "damage", "COP",    "2",        "8",           "G20",      " ",  "  ",  ".",    "'",
      "-",      "峰",     "会",       "气候",        "大会",     "U",  "N",   "hội",  " nghị",
      "SOMMET", "climat", "é",        "cumbre",      "a",        "b",  "c",   "d",    "ab",
      "x",      "\xFF",   "中",       " talks",      " the ",    "y",  "X",   " x ",  " y ",
      "Ω",      "ﬁ",      "１",       "ı",           "ǅ",        "“",  "”",   "—",    "’",
      "\u200B", "…",      "\xE2\x80", "\xE2\x80\xC3"};
  std::mt19937 random(7);
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    const int count = static_cast<int>(random() % 16);
    for (int k = 0; k < count; ++k) text += pieces[random() % pieces.size()];
    expect_same(matcher, scanner, text);
    if (HasFatalFailure()) return;
  }
}

// The ASCII fast path reads a text in 64-byte blocks: long random texts put words, dots,
// apostrophes, hyphens, quotation marks and dashes (three bytes each) and other non-ASCII bytes
// at every offset of a block, words longer than 8, 16 and 64 bytes, and texts that end mid-word
// or exactly at a block's end.
TEST(Scanner, AgreesAcrossBlockBoundariesInLongTexts) {
  const Matcher matcher =
      matcher_of({"summit",
                  "summits",
                  "negotiat*",
                  "loss and damage",
                  "COP28",
                  "G20 summit",
                  "un",
                  "the un",
                  "峰会",
                  "G20峰会",
                  "hội nghị",
                  "climat*",
                  "a",
                  "ab*",
                  "abc d",
                  "a b c",
                  "x y x y",
                  "internationalisation",
                  "internationalisation agreement*",
                  "abcdefghijklmnopq",
                  "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789ab*",
                  "g7",
                  "u.s. talks",
                  "Ωmega",
                  "6.4"});
  Scanner scanner;
  scanner.build(matcher);
  const std::vector<std::string> pieces{
      "summit",
      "SUMMITS",
      "negotiators",
      "loss",
      "and",
      "damage",
      "COP28",
      "G20",
      "g7",
      "un",
      "U.N.",
      "U.S.",
      "the",
      "a",
      "b",
      "c",
      "ab",
      "abc",
      "d",
      "x",
      "y",
      "6.4",
      "2.3%",
      "internationalisation",
      "INTERNATIONALISATION",
      "agreements",
      "abcdefghijklmnopq",
      "abcdefghijklmnopqr",
      "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abc",
      "峰会",
      "hội",
      "nghị",
      "Ωmega",
      "é",
      "ﬁ",
      "１",
      "\xFF",
      "climate",
      "Climat",
      "zzzz",
      "q"};
  // (“ ” — ’ fold to separators only, which the fast path takes itself; a zero-width space
  // vanishes and joins words, "\xE2\x80" is cut short, "\xE2\x80\xC3" ill-formed.)
  const std::vector<std::string> glue{
      " ",  " ",  " ",      " ",        "  ",           "",   "-", "'", "’",    ". ", ".",
      ", ", "&",  "(",      ")",        "\n",           "\t", "—", "…", "\xC3", "、", "“",
      "” ", " “", "\u200B", "\xE2\x80", "\xE2\x80\xC3", "‘’"};
  std::mt19937 random(23);
  for (int round = 0; round < 4000; ++round) {
    std::string text(random() % 70, ' ');  // shifts everything against the block boundaries
    for (std::size_t k = 0; k < text.size(); ++k) text[k] = " .-'"[random() % 4];
    const int count = static_cast<int>(random() % 60);
    for (int k = 0; k < count; ++k) {
      text += pieces[random() % pieces.size()];
      text += glue[random() % glue.size()];
    }
    switch (random() % 4) {
      case 0:  // ends mid-word
        text += pieces[random() % pieces.size()];
        break;
      case 1:  // ends at a block's end, mid-word
        text.resize((text.size() / 64 + 1) * 64, 'k');
        break;
      default:
        break;
    }
    expect_same(matcher, scanner, text);
    if (HasFatalFailure()) return;
  }
}

// The shipped rules over the fixture stories, and over random mixes of their terms.
TEST(Scanner, AgreesWithTheByteAutomatonOnTheShippedRules) {
  const std::filesystem::path source = WIREWATCH_SOURCE_DIR;
  const auto loaded = load_rules(source / "config/rules");
  ASSERT_NE(loaded.rules, nullptr);
  const Rules& rules = *loaded.rules;
  std::vector<std::string> words;
  std::ifstream stories(source / "tests/fixtures/classify/stories.jsonl");
  for (std::string line; std::getline(stories, line);) {
    expect_same(rules.matcher, rules.scanner, line);
    if (HasFatalFailure()) return;
    std::string word;
    for (char c : line) {
      if (c == ' ') {
        words.push_back(word);
        word.clear();
      } else {
        word += c;
      }
    }
  }
  for (const auto& term : rules.terms)
    words.push_back(term.back() == '*' ? term.substr(0, term.size() - 1) : term);
  const std::vector<std::string> glue{" ", " ", " ", "", "-", ". ", "、", "'", "\xE3\x80\x80"};
  std::mt19937 random(11);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    const int count = static_cast<int>(random() % 40);
    for (int k = 0; k < count; ++k) {
      text += words[random() % words.size()];
      text += glue[random() % glue.size()];
    }
    expect_same(rules.matcher, rules.scanner, text);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace wirewatch::classify
