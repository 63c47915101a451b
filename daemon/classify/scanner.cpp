#include "classify/scanner.hpp"

#include <algorithm>
#include <cstring>
#include <map>

#include "classify/fold.hpp"

namespace wirewatch::classify {
namespace {

std::uint64_t load8(const char* bytes) {
  std::uint64_t value = 0;
  std::memcpy(&value, bytes, 8);
  return value;
}

/// The first min(size, 8) bytes of a little-endian load, the rest zero.
std::uint64_t head_of(std::uint64_t loaded, std::size_t size) {
  return size >= 8 ? loaded : loaded & ((std::uint64_t{1} << (size * 8)) - 1);
}

std::uint64_t word_hash(const char* bytes, std::size_t size) {
  std::uint64_t h = head_of(load8(bytes), size) ^ (size * 0x9E3779B97F4A7C15ull);
  h *= 0xD6E8FEB86659FD93ull;
  if (size > 8) {
    h ^= head_of(load8(bytes + 8), size - 8);
    h *= 0xD6E8FEB86659FD93ull;
  }
  return h ^ (h >> 29);
}

/// A pattern of whole ASCII words: " w1 w2 " or, a prefix, " w1 w2".
bool is_word_pattern(std::string_view pattern) {
  if (pattern.size() < 2 || pattern[0] != ' ' || pattern[1] == ' ') return false;
  for (std::size_t i = 1; i < pattern.size(); ++i) {
    const char c = pattern[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && !(c == ' ' && pattern[i - 1] != ' ')) return false;
  }
  return true;
}

}  // namespace

/// fold_into's output for Scanner::scan: feeds each folded byte to the byte automaton (skipping
/// the rest of a Latin word once it is at its root) and hands each complete word to the word
/// automaton.
template <typename Feeder>
struct ScanOut {
  const Scanner& scanner;
  Feeder& feeder;
  std::vector<PatternMatch>& matches;
  std::vector<std::uint32_t>& word_starts;
  std::string& word;         // the current word's bytes, with slack for 8-byte loads
  std::size_t size = 0;      // bytes in the current word
  std::size_t state = 0;     // byte automaton
  std::size_t offset = 0;    // folded bytes so far
  std::uint32_t phrase = 0;  // word automaton
  std::uint32_t word_offset = 0;

  void reserve(std::size_t more) {
    if (size + more + 16 > word.size()) word.resize(std::max(word.size() * 2, size + more + 16));
  }

  /// A space (fold_into puts nothing else one byte at a time): ends the word.
  void put(char c) {
    if (size != 0) {
      scanner.on_word(word.data(), size, word_offset, phrase, matches);
      size = 0;
    }
    state = feeder.step(state, c, ++offset);
    word_offset = static_cast<std::uint32_t>(offset);
  }

  void put(const char* bytes, std::size_t count) {
    reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      word[size++] = bytes[i];
      state = feeder.step(state, bytes[i], ++offset);
    }
  }

  void word_start() { word_starts.push_back(static_cast<std::uint32_t>(offset)); }

  std::size_t put_word(std::string_view text, std::size_t i) {
    reserve(text.size() - i);
    char* out = word.data();
    std::size_t n = size;
    std::size_t s = state;
    std::size_t off = offset;
    const std::size_t end = text.size();
    char c;
    if (s != 0 || !scanner.bytes_skip_root_) {
      while (i < end && (c = detail::fold_ascii(text[i])) > '.') {
        out[n++] = c;
        ++i;
        s = feeder.step(s, c, ++off);
        if (s == 0 && scanner.bytes_skip_root_) break;
      }
    }
    const std::size_t from = i;
    for (; i < end && (c = detail::fold_ascii(text[i])) > '.'; ++i) out[n++] = c;
    off += i - from;
    size = n;
    state = s;
    offset = off;
    return i;
  }
};

std::uint32_t Scanner::find_word(const char* bytes, std::size_t size) const {
  if (slots_.empty()) return kNoWord;
  const std::uint64_t head = head_of(load8(bytes), size);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = word_hash(bytes, size) >> slot_shift_;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.id == kNoWord) return kNoWord;
    if (slot.head == head && slot.word.size == size &&
        (size <= 8 || std::memcmp(pool_.data() + slot.word.offset + 8, bytes + 8, size - 8) == 0)) {
      return slot.id;
    }
  }
}

std::uint32_t Scanner::next_state(std::uint32_t state, std::uint32_t word) const {
  while (state != 0) {
    for (std::uint32_t e = edge_begin_[state]; e < edge_begin_[state + 1]; ++e) {
      if (edges_[e].word == word) return edges_[e].to;
    }
    state = fail_[state];
  }
  return root_[word];
}

void Scanner::on_word(const char* word, std::size_t size, std::uint32_t start, std::uint32_t& state,
                      std::vector<PatternMatch>& out) const {
  const auto starts_with = [&](const WordRef& prefix) {
    return prefix.size <= size && std::memcmp(pool_.data() + prefix.offset, word, prefix.size) == 0;
  };
  if (state != 0) {
    for (std::uint32_t k = prefix_begin_[state]; k < prefix_begin_[state + 1]; ++k) {
      const PrefixOut& p = prefix_[k];
      if (starts_with(p.word)) out.push_back({p.pattern, start + p.word.size});
    }
  }
  if (size >= 2) {
    const unsigned key = static_cast<unsigned>(static_cast<unsigned char>(word[0])) << 8 |
                         static_cast<unsigned char>(word[1]);
    if ((prefix_pairs_[key >> 6] >> (key & 63)) & 1) {
      auto it = std::lower_bound(
          root_prefix_.begin(), root_prefix_.end(), key,
          [](const std::pair<std::uint16_t, PrefixOut>& e, unsigned k) { return e.first < k; });
      for (; it != root_prefix_.end() && it->first == key; ++it) {
        if (starts_with(it->second.word)) {
          out.push_back({it->second.pattern, start + it->second.word.size});
        }
      }
    }
  }
  for (const PrefixOut& p : short_prefix_) {
    if (starts_with(p.word)) out.push_back({p.pattern, start + p.word.size});
  }
  const std::uint32_t id = find_word(word, size);
  if (id == kNoWord) {
    state = 0;
    return;
  }
  state = next_state(state, id);
  const auto end = static_cast<std::uint32_t>(start + size + 1);
  for (std::uint32_t k = whole_begin_[state]; k < whole_begin_[state + 1]; ++k) {
    out.push_back({whole_[k], end});
  }
}

void Scanner::build(const Matcher& all) {
  *this = Scanner();
  const std::size_t patterns = all.pattern_count();
  lengths_.resize(patterns);

  // Vocabulary and the trie over word ids.
  std::vector<std::string> vocabulary;
  std::map<std::string, std::uint32_t> ids;
  std::vector<std::map<std::uint32_t, std::uint32_t>> children(1);
  std::vector<std::vector<std::uint32_t>> whole(1);
  std::vector<std::vector<PrefixOut>> prefix(1);
  const auto pool_word = [&](std::string_view word) {
    const WordRef ref{static_cast<std::uint32_t>(pool_.size()),
                      static_cast<std::uint32_t>(word.size())};
    pool_.append(word);
    return ref;
  };
  std::vector<WordRef> refs;  // word id → bytes
  for (std::uint32_t p = 0; p < patterns; ++p) {
    const std::string_view text = all.pattern(p);
    lengths_[p] = static_cast<std::uint32_t>(text.size());
    if (!is_word_pattern(text)) {
      bytes_ids_.push_back(p);
      bytes_.add(text);
      const auto lead = static_cast<unsigned char>(text[0]);
      if (lead < 0x80 && detail::is_ascii_alnum(static_cast<char>(lead))) bytes_skip_root_ = false;
      continue;
    }
    ++word_patterns_;
    const bool is_whole = text.back() == ' ';
    std::string_view body = text.substr(1, text.size() - (is_whole ? 2 : 1));
    std::uint32_t state = 0;
    for (;;) {
      const std::size_t space = body.find(' ');
      const std::string_view w = body.substr(0, space);
      if (space == std::string_view::npos && !is_whole) {
        prefix[state].push_back(PrefixOut{pool_word(w), p, lengths_[p]});
        break;
      }
      auto [it, inserted] = ids.try_emplace(std::string(w), vocabulary.size());
      if (inserted) {
        vocabulary.emplace_back(w);
        refs.push_back(pool_word(w));
      }
      auto [child, created] = children[state].try_emplace(it->second, children.size());
      if (created) {
        children.emplace_back();
        whole.emplace_back();
        prefix.emplace_back();
      }
      state = child->second;
      if (space == std::string_view::npos) {
        whole[state].push_back(p);
        break;
      }
      body.remove_prefix(space + 1);
    }
  }
  bytes_.build();
  pool_.append(16, '\0');  // slack for 8-byte loads

  // The vocabulary table: at most a quarter full.
  std::size_t size = 16;
  while (size < vocabulary.size() * 4) size *= 2;
  slots_.assign(size, Slot{});
  slot_shift_ = 64;
  for (std::size_t s = size; s > 1; s >>= 1) --slot_shift_;
  for (std::uint32_t id = 0; id < vocabulary.size(); ++id) {
    const std::string& w = vocabulary[id];
    std::string padded = w + std::string(16, '\0');
    std::size_t i = word_hash(padded.data(), w.size()) >> slot_shift_;
    while (slots_[i].id != kNoWord) i = (i + 1) & (size - 1);
    slots_[i] = Slot{head_of(load8(padded.data()), w.size()), refs[id], id};
  }

  // Failure links, breadth first; outputs merged down them.
  const std::size_t states = children.size();
  fail_.assign(states, 0);
  const auto go = [&](std::uint32_t state, std::uint32_t w) -> std::uint32_t {
    for (;;) {
      const auto it = children[state].find(w);
      if (it != children[state].end()) return it->second;
      if (state == 0) return 0;
      state = fail_[state];
    }
  };
  std::vector<std::uint32_t> order{0};
  for (std::size_t head = 0; head < order.size(); ++head) {
    const std::uint32_t state = order[head];
    for (const auto& [w, child] : children[state]) {
      fail_[child] = state == 0 ? 0 : go(fail_[state], w);
      const std::uint32_t f = fail_[child];
      whole[child].insert(whole[child].end(), whole[f].begin(), whole[f].end());
      if (f != 0) prefix[child].insert(prefix[child].end(), prefix[f].begin(), prefix[f].end());
      order.push_back(child);
    }
  }

  root_.assign(vocabulary.size(), 0);
  for (const auto& [w, child] : children[0]) root_[w] = child;
  edge_begin_.assign(states + 1, 0);
  whole_begin_.assign(states + 1, 0);
  prefix_begin_.assign(states + 1, 0);
  for (std::size_t s = 0; s < states; ++s) {
    edge_begin_[s] = static_cast<std::uint32_t>(edges_.size());
    if (s != 0) {
      for (const auto& [w, child] : children[s]) edges_.push_back(Edge{w, child});
    }
    whole_begin_[s] = static_cast<std::uint32_t>(whole_.size());
    whole_.insert(whole_.end(), whole[s].begin(), whole[s].end());
    prefix_begin_[s] = static_cast<std::uint32_t>(prefix_.size());
    if (s != 0) prefix_.insert(prefix_.end(), prefix[s].begin(), prefix[s].end());
  }
  edge_begin_[states] = static_cast<std::uint32_t>(edges_.size());
  whole_begin_[states] = static_cast<std::uint32_t>(whole_.size());
  prefix_begin_[states] = static_cast<std::uint32_t>(prefix_.size());

  prefix_pairs_.assign(1024, 0);
  for (const PrefixOut& p : prefix[0]) {
    if (p.word.size < 2) {
      short_prefix_.push_back(p);
      continue;
    }
    const unsigned key = static_cast<unsigned>(static_cast<unsigned char>(pool_[p.word.offset]))
                             << 8 |
                         static_cast<unsigned char>(pool_[p.word.offset + 1]);
    prefix_pairs_[key >> 6] |= std::uint64_t{1} << (key & 63);
    root_prefix_.emplace_back(static_cast<std::uint16_t>(key), p);
  }
  std::stable_sort(root_prefix_.begin(), root_prefix_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
}

void Scanner::scan(std::string_view text, std::vector<PatternMatch>& matches,
                   std::vector<std::uint32_t>& word_starts, Scratch& scratch) const {
  const std::size_t first = matches.size();
  if (scratch.word.size() < 64) scratch.word.resize(64);
  auto on_match = [&](std::uint32_t id, std::size_t end) {
    matches.push_back(PatternMatch{bytes_ids_[id], static_cast<std::uint32_t>(end)});
  };
  bytes_.feed(on_match, [&](auto& feeder) {
    ScanOut<std::remove_reference_t<decltype(feeder)>> out{*this, feeder, matches, word_starts,
                                                           scratch.word};
    detail::fold_into(text, out);
  });
  // Matcher::scan's order: by end, the longer first. Almost sorted already (a word's prefix
  // matches come before the byte automaton's), so an insertion sort.
  const auto before = [&](const PatternMatch& a, const PatternMatch& b) {
    return a.end != b.end ? a.end < b.end : lengths_[a.pattern] > lengths_[b.pattern];
  };
  for (std::size_t i = first + 1; i < matches.size(); ++i) {
    if (!before(matches[i], matches[i - 1])) continue;
    const PatternMatch moving = matches[i];
    std::size_t j = i;
    for (; j > first && before(moving, matches[j - 1]); --j) matches[j] = matches[j - 1];
    matches[j] = moving;
  }
}

}  // namespace wirewatch::classify
