// Multi-pattern matching: one Aho-Corasick automaton over every term of every label, so a
// story is read once whatever the number of rules.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace wirewatch::classify {

/// An Aho-Corasick automaton compiled to a dense DFA over byte classes (the bytes that occur
/// in some pattern each get a class; every other byte shares class 0 and leads to the root).
/// Rows are a power of two wide; entries are 16 bits when there are fewer than 32768 states
/// (the usual case: half the cache footprint), else 32 bits. The top bit of an entry flags a
/// state where some pattern ends.
class Matcher {
 public:
  /// Adds a pattern (non-empty bytes) and returns its id; the same bytes get the same id.
  std::uint32_t add(std::string_view pattern);

  /// Compiles the automaton. Call once, after the last add and before the first scan.
  void build();

  std::size_t pattern_count() const { return patterns_.size(); }
  std::string_view pattern(std::uint32_t id) const { return patterns_[id]; }
  std::size_t state_count() const { return output_begin_.empty() ? 0 : output_begin_.size() - 1; }
  std::size_t class_count() const { return class_count_; }
  /// The state the automaton moves to from state on byte c (after build), for callers that
  /// precompute shortcuts.
  std::uint32_t transition(std::uint32_t state, char c) const {
    const std::size_t slot =
        (std::size_t{state} << shift_) | byte_class_[static_cast<unsigned char>(c)];
    return next16_.empty() ? next32_[slot] & 0x7FFFFFFFu : next16_[slot] & 0x7FFFu;
  }
  /// Bytes of the transition table.
  std::size_t table_bytes() const { return next16_.size() * 2 + next32_.size() * 4; }

  /// Feeds an automaton one byte at a time, for callers that produce the text as they go
  /// (the classifier folds and matches in one pass). Calls on_match(pattern id, end offset)
  /// for every occurrence, overlapping ones included, in order of end offset.
  template <typename Entry, typename OnMatch>
  class Feeder {
   public:
    Feeder(const Matcher& matcher, const Entry* next, OnMatch& on_match)
        : matcher_(matcher),
          next_(next),
          classes_(matcher.byte_class_),
          shift_(matcher.shift_),
          on_match_(on_match) {}

    /// Feeds one byte.
    void put(char c) { state_ = step(state_, c, ++offset_); }

    /// The automaton's move from state on byte c, reporting the matches that end there as
    /// ending at offset end. For hot loops that keep the state in a local (state() and
    /// offset() to start, set() when done): a member updated every byte would make the
    /// compiler store and reload it every byte.
    std::size_t step(std::size_t state, char c, std::size_t end) const {
      constexpr Entry kFlag = static_cast<Entry>(Entry{1} << (sizeof(Entry) * 8 - 1));
      const Entry entry = next_[(state << shift_) | classes_[static_cast<unsigned char>(c)]];
      const std::size_t to = entry & static_cast<Entry>(kFlag - 1);
      if (entry & kFlag) [[unlikely]] {
        for (std::uint32_t o = matcher_.output_begin_[to]; o < matcher_.output_begin_[to + 1];
             ++o) {
          on_match_(matcher_.outputs_[o], end);
        }
      }
      return to;
    }

    /// The current state (0: the root, no pattern partly matched) and bytes fed so far.
    std::size_t state() const { return state_; }
    std::size_t offset() const { return offset_; }
    void set(std::size_t state, std::size_t offset) {
      state_ = state;
      offset_ = offset;
    }

   private:
    const Matcher& matcher_;
    const Entry* next_;
    const std::uint8_t* classes_;
    std::uint32_t shift_;
    OnMatch& on_match_;
    std::size_t state_ = 0;
    std::size_t offset_ = 0;
  };

  /// Calls body(feeder) with a fresh Feeder (of the table's entry width) reporting to on_match.
  template <typename OnMatch, typename Body>
  void feed(OnMatch& on_match, Body&& body) const {
    if (!next16_.empty()) {
      Feeder<std::uint16_t, OnMatch> feeder(*this, next16_.data(), on_match);
      body(feeder);
    } else if (!next32_.empty()) {
      Feeder<std::uint32_t, OnMatch> feeder(*this, next32_.data(), on_match);
      body(feeder);
    }
  }

  /// Calls on_match(pattern id, end offset) for every occurrence of every pattern in text,
  /// overlapping ones included, in order of end offset.
  template <typename OnMatch>
  void scan(std::string_view text, OnMatch&& on_match) const {
    feed(on_match, [&](auto& feeder) {
      std::size_t state = 0;
      std::size_t offset = 0;
      for (char c : text) state = feeder.step(state, c, ++offset);
      feeder.set(state, offset);
    });
  }

 private:
  std::vector<std::string> patterns_;
  std::unordered_map<std::string, std::uint32_t> ids_;
  std::uint8_t byte_class_[256] = {};
  std::uint32_t class_count_ = 0;
  std::uint32_t shift_ = 0;                  // row width = 1 << shift_ >= class_count_
  std::vector<std::uint16_t> next16_;        // [state << shift_ | class] → next state, flagged
  std::vector<std::uint32_t> next32_;        // the same, for large automata
  std::vector<std::uint32_t> output_begin_;  // per state, into outputs_; one extra at the end
  std::vector<std::uint32_t> outputs_;       // pattern ids ending at each state
};

}  // namespace wirewatch::classify
