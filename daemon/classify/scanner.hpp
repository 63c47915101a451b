// The classifier's one pass over a field: folds the text and finds every rule pattern in it,
// a word at a time for spaced scripts and a byte at a time for the rest. Internal to the
// classify stage; Matcher (matcher.hpp) is the reference it must agree with.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "classify/matcher.hpp"

namespace wirewatch::classify {

/// One occurrence of a pattern: its id in the Matcher the scanner was built from and the
/// offset just past its last byte in the folded text.
struct PatternMatch {
  std::uint32_t pattern = 0;
  std::uint32_t end = 0;
  /// The word (index into word_starts) that holds the match's last letter, digit or character.
  std::uint32_t word = 0;
};

/// Finds the patterns of a Matcher in text as Matcher::scan finds them in fold(text), without
/// writing the folded text out:
/// - patterns of whole ASCII words (" loss and damage ", and prefix ones, " negotiat") are
///   matched over words: each folded word is looked up in a hash table of the words the
///   patterns use, and an Aho-Corasick automaton over word ids follows phrases; a prefix
///   pattern's last word is compared with the start of the word;
/// - the other patterns (those with a character of an unspaced script, or non-ASCII letters)
///   go through a byte-level Matcher of their own, which skips the rest of a Latin word as soon
///   as no pattern is partly matched (most words: none of these patterns starts with an ASCII
///   letter or digit).
/// Matches come out in Matcher::scan's order: by end offset, the longer pattern first.
class Scanner {
 public:
  /// Builds the scanner for every pattern of all (ids are all's).
  void build(const Matcher& all);

  /// A run of ASCII letters and digits: where it starts and the byte after it.
  struct Run {
    std::uint32_t start = 0;
    std::uint32_t stop = 0;
  };

  /// Per-thread scratch space for scan; reused, so a warm scan does not allocate.
  struct Scratch {
    std::string word;  // the current folded word (the general path)
    // The ASCII fast path's index of the text: the text with its ASCII letters lowercased
    // (and 64 zero bytes of slack), and one bit per byte for a byte the fast path leaves to
    // the general one (>= 0x80, or a dot between two letters or digits: "U.S").
    std::string lowered;
    std::vector<std::uint64_t> bad;
    // One bit per byte that ends a run of letters and digits, and per 64 bytes, the runs that
    // end before them: the runs before a given byte, without a search.
    std::vector<std::uint64_t> stops;
    std::vector<std::uint32_t> stops_before;
    // Where each run of ASCII letters and digits starts and the byte after it, in order:
    // read from arrays, the words of a field do not wait on each other's bounds.
    std::vector<Run> runs;
    std::size_t run_count = 0;
    // The offsets of the words of the text and the matches, written through pointers and
    // copied out at the end of scan (grown, never shrunk: no push_back per word).
    std::vector<std::uint32_t> word_starts;
    std::vector<PatternMatch> matches;
  };

  /// Folds text and appends its matches to matches (in order) and the offset of each word's
  /// first byte in the folded text to word_starts (as fold_text does).
  void scan(std::string_view text, std::vector<PatternMatch>& matches,
            std::vector<std::uint32_t>& word_starts, Scratch& scratch) const;

  /// Patterns matched over words, and over bytes.
  std::size_t word_pattern_count() const { return word_patterns_; }
  std::size_t byte_pattern_count() const { return bytes_ids_.size(); }

 private:
  template <typename Feeder>
  friend struct ScanOut;

  /// A word of the patterns, in pool_.
  struct WordRef {
    std::uint32_t offset = 0;
    std::uint32_t size = 0;
  };
  /// A vocabulary slot: the word's key (word_key in scanner.cpp), the state the word
  /// automaton moves to from its root on it, and its id + 1 (0: an empty slot) with kInMoves.
  /// Every word sits in the slot its hash names or the next one, so a lookup reads two slots
  /// and selects, without a loop.
  struct Slot {
    std::uint64_t head = 0;
    std::uint64_t info = 0;  // (id + 1 | kInMoves) << 32 | root state code
  };
  /// A prefix pattern's last word and the pattern.
  struct PrefixOut {
    WordRef word;
    std::uint32_t pattern = 0;
  };
  /// A move of the word automaton from a state other than the root that does not lead where
  /// the root's move on the same word leads.
  struct Move {
    std::uint64_t key = 0;  // state << 32 | word id; 0: empty slot (state 0 has none)
    std::uint32_t to = 0;
  };

  /// The word automaton's move from state (not the root) on word, whose move from the root is
  /// root.
  std::uint32_t next_state(std::uint32_t state, std::uint32_t word, std::uint32_t root) const;
  bool starts_with(const char* word, std::size_t size, WordRef prefix) const;

  /// Reports the word patterns that end in the folded word at [start, start + size) (the
  /// buffer has 16 readable bytes past the end) and moves the word automaton.
  /// index: its index among the words of the text; state: the word automaton's state code;
  /// flags: first_two_'s for the word; out: room for max_outputs_ more matches.
  /// Overflow: overflow_ is not empty.
  template <bool Overflow>
  void on_word(const char* word, std::size_t size, std::uint32_t start, std::uint32_t index,
               std::uint32_t& state, unsigned flags, PatternMatch*& out) const;

  std::vector<std::uint32_t> lengths_;  // per pattern id of all: its length in bytes

  // Word patterns.
  std::size_t word_patterns_ = 0;
  std::string pool_;               // every word's bytes, with slack for 8-byte loads
  std::vector<WordRef> words_;     // word id → its bytes in pool_
  std::vector<Slot> slots_;        // the vocabulary: a power of two, and one more slot
  std::uint32_t slot_shift_ = 63;  // hash >> slot_shift_ → a word's first slot
  std::vector<Slot> overflow_;     // words no slot holds (see build), their key unset
  bool has_overflow_ = false;
  static constexpr std::uint32_t kInMoves = 1u << 31;  // the word has moves_ (with the id)
  std::vector<Move> moves_;                            // the other states' moves, open addressing
  std::uint32_t move_shift_ = 63;
  /// The word automaton's states are handled as codes: the state << kStateShift, with
  /// kHasPrefixes when prefix patterns end a phrase from it and kHasWholes when patterns end
  /// there (the root: 0).
  static constexpr std::uint32_t kHasPrefixes = 1;
  static constexpr std::uint32_t kHasWholes = 2;
  static constexpr std::uint32_t kStateShift = 2;
  /// The most matches one word can give (phrase prefixes, root prefixes, whole patterns).
  std::size_t max_outputs_ = 0;
  std::vector<std::uint32_t> whole_begin_;  // per state, into whole_: patterns ending there
  std::vector<std::uint32_t> whole_;
  std::vector<std::uint32_t> prefix_begin_;  // per state but the root, into prefix_
  std::vector<PrefixOut> prefix_;
  // The root's prefix patterns ("negotiat"), bucketed by a hash of their first
  // root_prefix_key_ bytes (the shortest one's size, at most 8):
  // root_prefix_[root_prefix_begin_[h] .. root_prefix_begin_[h + 1]).
  static constexpr std::uint32_t kRootPrefixShift = 64 - 12;  // 4096 buckets
  std::size_t root_prefix_key_ = 8;
  std::uint64_t root_prefix_mask_ = 0;             // the low root_prefix_key_ bytes
  std::vector<std::uint64_t> root_prefix_filter_;  // one bit per non-empty bucket
  /// By a word's first two bytes (little-endian): kContinues when the byte automaton reads on
  /// from bytes_space_ with the first byte, kRootPrefix when some root prefix pattern starts
  /// with them (with the first byte, a one-byte one).
  static constexpr unsigned kContinues = 1;
  static constexpr unsigned kRootPrefix = 2;
  std::vector<std::uint8_t> first_two_;
  std::vector<std::uint32_t> root_prefix_begin_;
  std::vector<PrefixOut> root_prefix_;

  // Byte patterns.
  Matcher bytes_;
  std::vector<std::uint32_t> bytes_ids_;  // bytes_'s id → all's id
  bool bytes_skip_root_ = true;           // no byte pattern starts with an ASCII letter or digit
  /// Bit x: U+2000 + x (UTF-8 E2 80, 0x80 + x) folds to separators only (“ ” — ’), which the
  /// fast path takes as it takes ASCII punctuation.
  std::uint64_t separators_e280_ = 0;
  std::uint32_t bytes_space_ = 0;                  // bytes_'s state after a space from its root
  std::array<bool, 256> bytes_space_continues_{};  // bytes that leave bytes_space_ for a
                                                   // state other than the root
};

}  // namespace wirewatch::classify
