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

  /// Per-thread scratch space for scan; reused, so a warm scan does not allocate.
  struct Scratch {
    std::string word;  // the current folded word (the general path)
    // The ASCII fast path's index of the text: the text with its ASCII letters lowercased
    // (and 64 zero bytes of slack), and one bit per byte for an ASCII letter or digit and
    // for a byte the fast path leaves to the general one (>= 0x80, or a dot between two
    // letters or digits: "U.S").
    std::string lowered;
    std::vector<std::uint64_t> alnum;
    std::vector<std::uint64_t> bad;
    // Where each run of ASCII letters and digits starts and the byte after it, in order:
    // read from arrays, the words of a field do not wait on each other's bounds.
    std::vector<std::uint32_t> run_starts;
    std::vector<std::uint32_t> run_stops;
    std::size_t runs = 0;
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

  static constexpr std::uint32_t kNoWord = 0xFFFFFFFFu;

  /// A word of the patterns, in pool_.
  struct WordRef {
    std::uint32_t offset = 0;
    std::uint32_t size = 0;
  };
  /// A vocabulary slot: the word's first 8 bytes (zero padded), its size and id; four to a
  /// cache line. The rest of a longer word is in pool_ at words_[id].offset + 8.
  struct Slot {
    std::uint64_t head = 0;
    std::uint32_t size = 0;
    std::uint32_t id = kNoWord;  // kNoWord: empty slot
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

  std::uint32_t find_word(const char* bytes, std::size_t size, std::uint64_t head,
                          std::uint64_t hash) const;
  std::uint32_t next_state(std::uint32_t state, std::uint32_t word) const;
  bool starts_with(const char* word, std::size_t size, WordRef prefix) const;

  /// Reports the word patterns that end in the folded word at [start, start + size) (the
  /// buffer has 16 readable bytes past the end) and moves the word automaton.
  /// key: the word's two-byte key (pair_key); index: its index in word_starts.
  /// flags: relevant_[key].
  void on_word(const char* word, std::size_t size, unsigned key, unsigned flags,
               std::uint32_t start, std::uint32_t index, std::uint32_t& state,
               std::vector<PatternMatch>& out) const;

  std::vector<std::uint32_t> lengths_;  // per pattern id of all: its length in bytes

  // Word patterns.
  std::size_t word_patterns_ = 0;
  std::string pool_;               // every word's bytes, with slack for 8-byte loads
  std::vector<WordRef> words_;     // word id → its bytes in pool_
  std::vector<Slot> slots_;        // the vocabulary, open addressing, a power of two
  std::uint32_t slot_shift_ = 63;  // hash >> slot_shift_ → slot
  /// A filter in front of slots_: bit (hash % kFilterBits) is set for every vocabulary word,
  /// so most words outside the vocabulary are turned away without touching a slot.
  static constexpr std::size_t kFilterBits = std::size_t{1} << 16;
  std::vector<std::uint64_t> filter_;
  std::vector<std::uint32_t> root_;  // word id → the state after it from the root (0: none)
  /// Word id → 1 when some state other than the root has a move on it that differs from the
  /// root's (the others skip moves_).
  std::vector<std::uint8_t> in_moves_;
  std::vector<Move> moves_;  // the other states' moves, open addressing
  std::uint32_t move_shift_ = 63;
  std::vector<std::uint32_t> whole_begin_;  // per state, into whole_: patterns ending there
  std::vector<std::uint32_t> whole_;
  std::vector<std::uint32_t> prefix_begin_;  // per state but the root, into prefix_
  std::vector<PrefixOut> prefix_;
  // The root's prefix patterns ("negotiat"), by their first two bytes (digits and letters
  // 1-36, anything else 0): root_prefix_[root_prefix_begin_[key] .. root_prefix_begin_[key+1]).
  std::vector<std::uint32_t> root_prefix_begin_;
  std::vector<PrefixOut> root_prefix_;
  /// Per key: where the bucket's prefixes of kLongPrefix bytes or more start (each bucket has
  /// its shorter ones first). Those are looked at only when the word's first kLongPrefix bytes
  /// have their bit in long_prefix_filter_ (set for each such prefix's).
  static constexpr std::size_t kLongPrefix = 4;
  static constexpr std::size_t kLongPrefixFilterBits = std::size_t{1} << 12;
  std::vector<std::uint32_t> root_prefix_long_;
  std::vector<std::uint64_t> long_prefix_filter_;
  std::vector<PrefixOut> short_prefix_;  // one-byte ones
  /// By the same two-byte key, flags: kRelevant when some pattern word (or prefix) starts so
  /// (a word without it matches nothing and sends the word automaton to its root);
  /// kRootPrefix when some root prefix pattern may match (its bucket, or a one-byte one);
  /// kContinues when the byte automaton reads on from bytes_space_ with the first byte.
  static constexpr unsigned kRelevant = 1;
  static constexpr unsigned kRootPrefix = 2;
  static constexpr unsigned kContinues = 4;
  std::vector<std::uint8_t> relevant_;

  // Byte patterns.
  Matcher bytes_;
  std::vector<std::uint32_t> bytes_ids_;  // bytes_'s id → all's id
  bool bytes_skip_root_ = true;           // no byte pattern starts with an ASCII letter or digit
  std::uint32_t bytes_space_ = 0;         // bytes_'s state after a space from its root
  std::array<bool, 256> bytes_space_continues_{};  // bytes that leave bytes_space_ for a
                                                   // state other than the root
};

}  // namespace wirewatch::classify
