#include "classify/scanner.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "classify/fold.hpp"

namespace wirewatch::classify {
namespace {

std::uint64_t load8(const char* bytes) {
  std::uint64_t value = 0;
  std::memcpy(&value, bytes, 8);
  return value;
}

/// kHeadMask[n]: the low n bytes of a word (n <= 8).
constexpr std::array<std::uint64_t, 9> kHeadMask{0,
                                                 0xFF,
                                                 0xFFFF,
                                                 0xFFFFFF,
                                                 0xFFFFFFFF,
                                                 0xFFFFFFFFFF,
                                                 0xFFFFFFFFFFFF,
                                                 0xFFFFFFFFFFFFFF,
                                                 ~std::uint64_t{0}};

/// The first min(size, 8) bytes of a little-endian load, the rest zero.
std::uint64_t head_of(std::uint64_t loaded, std::size_t size) {
  return loaded & kHeadMask[size < 8 ? size : 8];
}

/// One multiplication: its top bits (the slot index, and the filter bit) depend on every
/// byte of the head.
std::uint64_t word_hash(std::uint64_t head, std::size_t size) {
  return (head + size) * 0xD6E8FEB86659FD93ull;
}

/// A word's bit in the vocabulary filter: the hash's top 16 bits (kFilterBits).
std::uint64_t filter_bit(std::uint64_t hash) {
  return hash >> 48;
}

/// The bit of long_prefix_filter_ for a word's (or prefix's) first four bytes.
std::uint32_t long_prefix_bit(const char* word) {
  std::uint32_t head = 0;
  std::memcpy(&head, word, 4);
  return (head * 0x9E3779B1u) >> 20;  // 12 bits: kLongPrefixFilterBits
}

std::uint64_t move_hash(std::uint64_t key) {
  return key * 0x9E3779B97F4A7C15ull;
}

/// 1-36 for an ASCII digit or lowercase letter, else 0.
constexpr std::array<std::uint8_t, 256> make_alnum_classes() {
  std::array<std::uint8_t, 256> classes{};
  for (int c = '0'; c <= '9'; ++c)
    classes[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c - '0' + 1);
  for (int c = 'a'; c <= 'z'; ++c)
    classes[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c - 'a' + 11);
  return classes;
}
constexpr std::array<std::uint8_t, 256> kAlnumClass = make_alnum_classes();
constexpr unsigned kClasses = 37;

unsigned alnum_class(char c) {
  return kAlnumClass[static_cast<unsigned char>(c)];
}

/// The bucket of a word by its first two bytes (a one-byte word: its byte and class 0).
unsigned pair_key(const char* word, std::size_t size) {
  return alnum_class(word[0]) * kClasses + (size >= 2 ? alnum_class(word[1]) : 0u);
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

/// Lowercases the ASCII letters of text into scratch.lowered (64 zero bytes after it), sets one
/// bit per byte in scratch.alnum (an ASCII letter or digit) and scratch.bad (a byte >= 0x80, or
/// a dot with a letter or digit on both sides), both ending with a zero word, and lists the runs
/// of letters and digits. Sixteen bytes at a time where SSE2 is there.
void index_text(std::string_view text, Scanner::Scratch& scratch) {
  const std::size_t blocks = text.size() / 64 + 1;  // 64 bytes each, the last one padded
  std::string& lowered = scratch.lowered;
  const std::size_t padded = blocks * 64 + 64;
  if (lowered.size() < padded) lowered.resize(padded);
  if (!text.empty()) std::memcpy(lowered.data(), text.data(), text.size());  // data() may be null
  std::memset(lowered.data() + text.size(), 0, padded - text.size());
  scratch.alnum.resize(blocks + 1);
  scratch.bad.resize(blocks + 1);
  scratch.alnum[blocks] = scratch.bad[blocks] = 0;
  const std::size_t most = text.size() / 2 + 2;  // runs: at most every other byte starts one
  if (scratch.run_starts.size() < most) {
    scratch.run_starts.resize(most);
    scratch.run_stops.resize(most);
  }
  std::uint32_t* starts = scratch.run_starts.data();
  std::uint32_t* stops = scratch.run_stops.data();
  std::size_t runs = 0;
  std::size_t ends = 0;
  // Block b is finished once block b + 1's letters are known (a dot at its end joins or not).
  std::uint64_t prev_alnum = 0;  // block b - 1's
  std::uint64_t prev_high = 0;
  std::uint64_t prev_dot = 0;
  std::uint64_t carry = 0;  // the last bit of block b - 2's letters
  const auto finish = [&](std::size_t b, std::uint64_t next_alnum) {
    const std::uint64_t before = prev_alnum << 1 | carry;  // a letter or digit just before
    const std::uint64_t after = prev_alnum >> 1 | next_alnum << 63;
    carry = prev_alnum >> 63;
    scratch.alnum[b] = prev_alnum;
    scratch.bad[b] = prev_high | (prev_dot & before & after);
    const auto base = static_cast<std::uint32_t>(b * 64);
    for (std::uint64_t m = prev_alnum & ~before; m != 0; m &= m - 1) {
      starts[runs++] = base + static_cast<std::uint32_t>(__builtin_ctzll(m));
    }
    for (std::uint64_t m = ~prev_alnum & before; m != 0; m &= m - 1) {
      stops[ends++] = base + static_cast<std::uint32_t>(__builtin_ctzll(m));
    }
  };
  char* bytes = lowered.data();
  for (std::size_t b = 0; b < blocks; ++b) {
    std::uint64_t alnum = 0;
    std::uint64_t high = 0;
    std::uint64_t dot = 0;
#if defined(__SSE2__)
    for (unsigned part = 0; part < 4; ++part) {
      char* at = bytes + b * 64 + part * 16;
      const __m128i in = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
      // Unsigned "x - lo <= span" as min(x - lo, span) == x - lo.
      const auto in_range = [](__m128i x, char lo, char span) {
        const __m128i shifted = _mm_sub_epi8(x, _mm_set1_epi8(lo));
        return _mm_cmpeq_epi8(_mm_min_epu8(shifted, _mm_set1_epi8(span)), shifted);
      };
      const __m128i upper = in_range(in, 'A', 25);
      const __m128i lower = _mm_or_si128(in, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(at), lower);
      const __m128i word = _mm_or_si128(in_range(lower, 'a', 25), in_range(in, '0', 9));
      const __m128i is_dot = _mm_cmpeq_epi8(in, _mm_set1_epi8('.'));
      const unsigned shift = part * 16;
      alnum |= std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(word))} << shift;
      high |= std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(in))} << shift;
      dot |= std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(is_dot))} << shift;
    }
#else
    for (unsigned k = 0; k < 64; ++k) {
      char& c = bytes[b * 64 + k];
      const auto byte = static_cast<unsigned char>(c);
      if (byte >= 0x80) high |= std::uint64_t{1} << k;
      if (c == '.') dot |= std::uint64_t{1} << k;
      if (detail::is_ascii_alnum(c)) {
        alnum |= std::uint64_t{1} << k;
        c = detail::fold_ascii(c);
      }
    }
#endif
    if (b > 0) finish(b - 1, alnum);
    prev_alnum = alnum;
    prev_high = high;
    prev_dot = dot;
  }
  finish(blocks - 1, 0);  // the padding ends the last run
  scratch.runs = runs;
}

/// The first set bit at or after pos, or limit when there is none before it.
inline std::size_t next_set(const std::uint64_t* bits, std::size_t pos, std::size_t limit) {
  std::size_t w = pos / 64;
  std::uint64_t m = bits[w] & (~std::uint64_t{0} << (pos % 64));
  const std::size_t words = limit / 64 + 1;
  while (m == 0) {
    if (++w >= words) return limit;
    m = bits[w];
  }
  return std::min(limit, w * 64 + static_cast<std::size_t>(__builtin_ctzll(m)));
}

}  // namespace

/// Whether a and b agree on their first size bytes (both readable 8 bytes past size).
static inline bool same_bytes(const char* a, const char* b, std::size_t size) {
  for (; size >= 8; size -= 8, a += 8, b += 8) {
    if (load8(a) != load8(b)) return false;
  }
  return size == 0 || head_of(load8(a) ^ load8(b), size) == 0;
}

__attribute__((always_inline)) inline std::uint32_t Scanner::find_word(const char* bytes,
                                                                       std::size_t size,
                                                                       std::uint64_t head,
                                                                       std::uint64_t hash) const {
  const std::uint64_t bit = filter_bit(hash);
  if ((filter_[bit / 64] >> (bit % 64) & 1) == 0) return kNoWord;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash >> slot_shift_;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.head == head && slot.size == size &&
        (size <= 8 || same_bytes(pool_.data() + words_[slot.id].offset + 8, bytes + 8, size - 8))) {
      return slot.id;
    }
    if (slot.id == kNoWord) return kNoWord;
  }
}

__attribute__((always_inline)) inline std::uint32_t Scanner::next_state(std::uint32_t state,
                                                                        std::uint32_t word) const {
  if (state != 0 && in_moves_[word]) {
    const std::uint64_t key = std::uint64_t{state} << 32 | word;
    const std::size_t mask = moves_.size() - 1;
    for (std::size_t i = move_hash(key) >> move_shift_;; i = (i + 1) & mask) {
      if (moves_[i].key == key) return moves_[i].to;
      if (moves_[i].key == 0) break;
    }
  }
  return root_[word];
}

__attribute__((always_inline)) inline bool Scanner::starts_with(const char* word, std::size_t size,
                                                                WordRef prefix) const {
  return prefix.size <= size && same_bytes(pool_.data() + prefix.offset, word, prefix.size);
}

__attribute__((always_inline)) inline void Scanner::on_word(
    const char* word, std::size_t size, unsigned key, unsigned flags, std::uint32_t start,
    std::uint32_t index, std::uint32_t& state, std::vector<PatternMatch>& out) const {
  if (state != 0) {
    for (std::uint32_t k = prefix_begin_[state]; k < prefix_begin_[state + 1]; ++k) {
      const PrefixOut& p = prefix_[k];
      if (starts_with(word, size, p.word)) out.push_back({p.pattern, start + p.word.size, index});
    }
  }
  if (flags & kRootPrefix) {
    // (A one-byte word's bucket is empty: a prefix's second byte is a letter or digit.)
    const std::uint32_t mid = root_prefix_long_[key];
    for (std::uint32_t k = root_prefix_begin_[key]; k < mid; ++k) {
      const PrefixOut& p = root_prefix_[k];
      if (starts_with(word, size, p.word)) out.push_back({p.pattern, start + p.word.size, index});
    }
    const std::uint32_t end = root_prefix_begin_[key + 1];
    if (mid < end && size >= kLongPrefix) {
      const std::uint32_t bit = long_prefix_bit(word);
      if (long_prefix_filter_[bit / 64] >> (bit % 64) & 1) {
        for (std::uint32_t k = mid; k < end; ++k) {
          const PrefixOut& p = root_prefix_[k];
          if (starts_with(word, size, p.word)) {
            out.push_back({p.pattern, start + p.word.size, index});
          }
        }
      }
    }
    for (const PrefixOut& p : short_prefix_) {
      if (starts_with(word, size, p.word)) out.push_back({p.pattern, start + p.word.size, index});
    }
  }
  const std::uint64_t head = head_of(load8(word), size);
  const std::uint32_t id = find_word(word, size, head, word_hash(head, size));
  if (id == kNoWord) {
    state = 0;
    return;
  }
  state = next_state(state, id);
  const auto end = static_cast<std::uint32_t>(start + size + 1);
  for (std::uint32_t k = whole_begin_[state]; k < whole_begin_[state + 1]; ++k) {
    out.push_back({whole_[k], end, index});
  }
}

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
  std::size_t next_run = 0;  // the fast path's next run of letters and digits

  void reserve(std::size_t more) {
    if (size + more + 16 > word.size()) word.resize(std::max(word.size() * 2, size + more + 16));
  }

  /// A space (fold_into puts nothing else one byte at a time): ends the word.
  void put(char c) {
    if (size != 0) {
      // Most words start with two bytes no pattern word starts with: nothing to look up.
      const unsigned key = pair_key(word.data(), size);
      const unsigned flags = scanner.relevant_[key];
      if (flags & Scanner::kRelevant) {
        scanner.on_word(word.data(), size, key, flags, word_offset,
                        static_cast<std::uint32_t>(word_starts.size() - 1), phrase, matches);
      } else {
        phrase = 0;
      }
      size = 0;
    }
    ++offset;
    // From the root a space leads to bytes_space_, where no pattern ends.
    state = state == 0 ? scanner.bytes_space_ : feeder.step(state, c, offset);
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

  /// A run of ASCII letters and digits from text[i]: folded into the word, and fed to the byte
  /// automaton until it is back at its root.
  std::size_t put_word(std::string_view text, std::size_t i) {
    reserve(text.size() - i);
    char* out = word.data();
    std::size_t n = size;
    std::size_t s = state;
    const std::size_t start = i;
    const std::size_t end = text.size();
    char c;
    if (s == scanner.bytes_space_ && scanner.bytes_skip_root_ &&
        !scanner.bytes_space_continues_[static_cast<unsigned char>(detail::fold_ascii(text[i]))]) {
      s = 0;  // the usual case: no byte pattern goes on with this word
    }
    if (s != 0 || !scanner.bytes_skip_root_) {
      std::size_t off = offset + n - size;
      while (i < end && (c = detail::fold_ascii(text[i])) > '.') {
        out[n++] = c;
        ++i;
        s = feeder.step(s, c, ++off);
        if (s == 0 && scanner.bytes_skip_root_) break;
      }
    }
#if defined(__SSE2__)
    // Sixteen bytes at a time: letters and digits fold by setting bit 5.
    const __m128i bit5 = _mm_set1_epi8(0x20);
    const __m128i a = _mm_set1_epi8('a');
    const __m128i zero = _mm_set1_epi8('0');
    const __m128i letters = _mm_set1_epi8(25);
    const __m128i digits = _mm_set1_epi8(9);
    bool ended = false;
    while (i + 16 <= end) {
      const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
      const __m128i lower = _mm_or_si128(bytes, bit5);
      const __m128i letter = _mm_sub_epi8(lower, a);
      const __m128i digit = _mm_sub_epi8(bytes, zero);
      const __m128i is_letter = _mm_cmpeq_epi8(_mm_min_epu8(letter, letters), letter);
      const __m128i is_digit = _mm_cmpeq_epi8(_mm_min_epu8(digit, digits), digit);
      const unsigned mask =
          static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(is_letter, is_digit)));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + n), lower);
      if (mask == 0xFFFFu) {
        i += 16;
        n += 16;
        continue;
      }
      const auto run = static_cast<std::size_t>(__builtin_ctz(~mask));
      i += run;
      n += run;
      ended = true;
      break;
    }
    if (!ended)
#endif
      for (; i < end && (c = detail::fold_ascii(text[i])) > '.'; ++i) out[n++] = c;
    offset += i - start;
    size = n;
    state = s;
    return i;
  }

  /// The ASCII fast path, from text[pos] on while the fold is between words (after a
  /// separator) and the byte automaton at its root or just past a space from it: takes each
  /// run of separators and the word after it straight from the index (scratch.lowered, its
  /// bitmaps and runs), as the general path would have folded them, and returns where the
  /// general path must take over: a byte >= 0x80, a word the byte automaton reads on, a word
  /// followed by a byte >= 0x80 or by a dot that joins it to the next ("U.S"), or the end.
  std::size_t fast(std::string_view text, std::size_t pos, const Scanner::Scratch& index) {
    const std::size_t end = text.size();
    const char* lowered = index.lowered.data();
    const std::uint32_t* starts = index.run_starts.data();
    const std::uint32_t* stops = index.run_stops.data();
    const std::size_t runs = index.runs;
    const std::size_t space = scanner.bytes_space_;
    // Bad bytes are never letters or digits, so the first one at or after pos lies in a gap
    // between words or at a word's end; limit end + 1: none.
    const std::size_t bad = next_set(index.bad.data(), pos, end + 1);
    std::size_t s = state;
    std::uint32_t p = phrase;
    auto off = static_cast<std::uint32_t>(offset);
    std::size_t k = next_run;
    while (k < runs && starts[k] < pos) ++k;  // the general path took those
    auto word_index = static_cast<std::uint32_t>(word_starts.size());  // the next word's
    for (;; ++k) {
      if (k == runs) {  // separators to the end, or up to a bad byte
        pos = std::min(bad, end);
        break;
      }
      const std::size_t start = starts[k];
      const std::size_t stop = stops[k];
      if (bad <= stop) {  // before the word (a byte >= 0x80), or just after it
        pos = bad < start ? bad : start;
        break;
      }
      const char* w = lowered + start;
      const std::size_t length = stop - start;
      const unsigned key = pair_key(w, length);
      const unsigned flags = scanner.relevant_[key];
      if (s != 0 && (flags & Scanner::kContinues)) {
        pos = start;
        break;
      }
      // The word, then the space its separator folds to (from the root: bytes_space_).
      word_starts.push_back(off);
      if (flags & Scanner::kRelevant) {
        scanner.on_word(w, length, key, flags, off, word_index, p, matches);
      } else {
        p = 0;
      }
      off += static_cast<std::uint32_t>(length + 1);
      ++word_index;
      s = space;
      if (stop >= end) {
        pos = end;
        ++k;
        break;
      }
      pos = stop + 1;
    }
    next_run = k;
    state = s;
    phrase = p;
    offset = off;
    word_offset = off;
    return pos;
  }
};

void Scanner::build(const Matcher& all) {
  *this = Scanner();
  const std::size_t patterns = all.pattern_count();
  lengths_.resize(patterns);

  // Vocabulary and the trie over word ids.
  std::vector<std::string> vocabulary;
  std::map<std::string, std::uint32_t, std::less<>> ids;
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
      if (detail::is_ascii_alnum(text[0])) bytes_skip_root_ = false;
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
        prefix[state].push_back(PrefixOut{pool_word(w), p});
        break;
      }
      auto [it, inserted] =
          ids.try_emplace(std::string(w), static_cast<std::uint32_t>(vocabulary.size()));
      if (inserted) {
        vocabulary.emplace_back(w);
        refs.push_back(pool_word(w));
      }
      auto [child, created] =
          children[state].try_emplace(it->second, static_cast<std::uint32_t>(children.size()));
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
  pool_.append(16, '\0');  // slack for 8-byte loads

  bytes_.build();
  bytes_space_ = bytes_.transition(0, ' ');
  for (int c = 0; c < 256; ++c) {
    bytes_space_continues_[static_cast<std::size_t>(c)] =
        bytes_.transition(bytes_space_, static_cast<char>(c)) != 0;
  }

  // The vocabulary table: at most a quarter full.
  const auto table_size = [](std::size_t entries, std::uint32_t& shift) {
    std::size_t size = 16;
    while (size < entries * 4) size *= 2;
    shift = 64;
    for (std::size_t s = size; s > 1; s >>= 1) --shift;
    return size;
  };
  slots_.assign(table_size(vocabulary.size(), slot_shift_), Slot{});
  for (std::uint32_t id = 0; id < vocabulary.size(); ++id) {
    const WordRef ref = refs[id];
    const std::uint64_t head = head_of(load8(pool_.data() + ref.offset), ref.size);
    std::size_t i = word_hash(head, ref.size) >> slot_shift_;
    while (slots_[i].id != kNoWord) i = (i + 1) & (slots_.size() - 1);
    slots_[i] = Slot{head, ref.size, id};
  }
  words_ = refs;
  filter_.assign(kFilterBits / 64, 0);
  for (const WordRef& ref : refs) {
    const std::uint64_t hash =
        word_hash(head_of(load8(pool_.data() + ref.offset), ref.size), ref.size);
    filter_[filter_bit(hash) / 64] |= std::uint64_t{1} << (filter_bit(hash) % 64);
  }

  // Failure links, breadth first; outputs merged down them; each state's moves: its own edges,
  // else its failure state's moves. moves[s] (s > 0) holds only the moves that differ from the
  // root's (the root's row is children[0]): a full row per state would copy every root word
  // into every state, millions of map nodes for the shipped rules (~90 MB and most of the
  // start-up time of every command that loads rules).
  const std::size_t states = children.size();
  std::vector<std::uint32_t> fail(states, 0);
  std::vector<std::map<std::uint32_t, std::uint32_t>> moves(states);
  const auto go = [&](std::uint32_t state, std::uint32_t w) -> std::uint32_t {
    if (state != 0) {
      const auto it = moves[state].find(w);
      if (it != moves[state].end()) return it->second;
    }
    const auto root = children[0].find(w);
    return root != children[0].end() ? root->second : 0;
  };
  std::vector<std::uint32_t> order{0};
  for (std::size_t head = 0; head < order.size(); ++head) {
    const std::uint32_t state = order[head];
    if (state != 0) {
      if (fail[state] != 0) moves[state] = moves[fail[state]];
      for (const auto& [w, child] : children[state]) moves[state][w] = child;
    }
    for (const auto& [w, child] : children[state]) {
      fail[child] = state == 0 ? 0 : go(fail[state], w);
      const std::uint32_t f = fail[child];
      whole[child].insert(whole[child].end(), whole[f].begin(), whole[f].end());
      if (f != 0) prefix[child].insert(prefix[child].end(), prefix[f].begin(), prefix[f].end());
      order.push_back(child);
    }
  }

  root_.assign(vocabulary.size(), 0);
  for (const auto& [w, child] : children[0]) root_[w] = child;
  std::size_t move_count = 0;
  for (std::size_t s = 1; s < states; ++s) {
    for (const auto& [w, to] : moves[s]) move_count += to != root_[w];
  }
  moves_.assign(table_size(move_count, move_shift_), Move{});
  for (std::size_t s = 1; s < states; ++s) {
    for (const auto& [w, to] : moves[s]) {
      if (to == root_[w]) continue;
      const std::uint64_t key = std::uint64_t{s} << 32 | w;
      std::size_t i = move_hash(key) >> move_shift_;
      while (moves_[i].key != 0) i = (i + 1) & (moves_.size() - 1);
      moves_[i] = Move{key, to};
    }
  }
  in_moves_.assign(vocabulary.size(), 0);
  for (std::size_t s = 1; s < states; ++s) {
    for (const auto& [w, to] : moves[s]) {
      if (to != root_[w]) in_moves_[w] = 1;
    }
  }

  whole_begin_.assign(states + 1, 0);
  prefix_begin_.assign(states + 1, 0);
  for (std::size_t s = 0; s < states; ++s) {
    whole_begin_[s] = static_cast<std::uint32_t>(whole_.size());
    whole_.insert(whole_.end(), whole[s].begin(), whole[s].end());
    prefix_begin_[s] = static_cast<std::uint32_t>(prefix_.size());
    if (s != 0) prefix_.insert(prefix_.end(), prefix[s].begin(), prefix[s].end());
  }
  whole_begin_[states] = static_cast<std::uint32_t>(whole_.size());
  prefix_begin_[states] = static_cast<std::uint32_t>(prefix_.size());

  // Which first two bytes a word needs to be looked up at all.
  relevant_.assign(kClasses * kClasses, 0);
  for (const WordRef& ref : refs)
    relevant_[pair_key(pool_.data() + ref.offset, ref.size)] |= kRelevant;
  for (const auto& outs : prefix) {
    for (const PrefixOut& p : outs) {
      const char* bytes = pool_.data() + p.word.offset;
      if (p.word.size >= 2) {
        relevant_[pair_key(bytes, p.word.size)] |= kRelevant;
      } else {
        for (unsigned c = 0; c < kClasses; ++c)
          relevant_[alnum_class(bytes[0]) * kClasses + c] |= kRelevant;
      }
    }
  }

  // The root's prefix patterns, bucketed by their first two bytes (flagged in relevant_, with
  // every key when there are one-byte ones).
  std::vector<std::vector<PrefixOut>> buckets(kClasses * kClasses);
  for (const PrefixOut& p : prefix[0]) {
    if (p.word.size < 2) {
      short_prefix_.push_back(p);
    } else {
      buckets[pair_key(pool_.data() + p.word.offset, p.word.size)].push_back(p);
    }
  }
  root_prefix_begin_.assign(buckets.size() + 1, 0);
  root_prefix_long_.assign(buckets.size(), 0);
  long_prefix_filter_.assign(kLongPrefixFilterBits / 64, 0);
  for (std::size_t k = 0; k < buckets.size(); ++k) {
    // Shorter prefixes first, then the long ones (the order of matches from one word does not
    // matter: scan sorts them).
    std::stable_partition(buckets[k].begin(), buckets[k].end(),
                          [](const PrefixOut& p) { return p.word.size < kLongPrefix; });
    root_prefix_begin_[k] = static_cast<std::uint32_t>(root_prefix_.size());
    for (const PrefixOut& p : buckets[k]) {
      if (p.word.size < kLongPrefix) continue;
      const std::uint32_t bit = long_prefix_bit(pool_.data() + p.word.offset);
      long_prefix_filter_[bit / 64] |= std::uint64_t{1} << (bit % 64);
    }
    const auto shorter =
        std::count_if(buckets[k].begin(), buckets[k].end(),
                      [](const PrefixOut& p) { return p.word.size < kLongPrefix; });
    root_prefix_long_[k] = root_prefix_begin_[k] + static_cast<std::uint32_t>(shorter);
    root_prefix_.insert(root_prefix_.end(), buckets[k].begin(), buckets[k].end());
  }
  root_prefix_begin_[buckets.size()] = static_cast<std::uint32_t>(root_prefix_.size());
  for (std::size_t k = 0; k < buckets.size(); ++k) {
    if (!buckets[k].empty() || !short_prefix_.empty()) relevant_[k] |= kRootPrefix;
  }
  // The words the byte automaton reads on from bytes_space_, by their first byte.
  for (unsigned first = 0; first < kClasses; ++first) {
    const char c = first == 0    ? ' '
                   : first <= 10 ? static_cast<char>('0' + first - 1)
                                 : static_cast<char>('a' + first - 11);
    if (first == 0 || !bytes_space_continues_[static_cast<unsigned char>(c)]) continue;
    for (unsigned second = 0; second < kClasses; ++second) {
      relevant_[first * kClasses + second] |= kContinues;
    }
  }
}

void Scanner::scan(std::string_view text, std::vector<PatternMatch>& matches,
                   std::vector<std::uint32_t>& word_starts, Scratch& scratch) const {
  const std::size_t first = matches.size();
  if (scratch.word.size() < 64) scratch.word.resize(64);
  auto on_match = [&](std::uint32_t id, std::size_t end) {
    matches.push_back(PatternMatch{bytes_ids_[id], static_cast<std::uint32_t>(end),
                                   static_cast<std::uint32_t>(word_starts.size() - 1)});
  };
  // The fast path needs no byte pattern to start inside an ASCII word (true unless a rule has
  // a term like "G20峰会" without a space before it).
  const bool fast = bytes_skip_root_;
  if (fast) index_text(text, scratch);
  bytes_.feed(on_match, [&](auto& feeder) {
    using Out = ScanOut<std::remove_reference_t<decltype(feeder)>>;
    Out out{*this, feeder, matches, word_starts, scratch.word};
    detail::Piece pieces[detail::kMaxPieces];
    detail::Folder<Out> folder(text, out, pieces);
    folder.begin();
    for (std::size_t i = 0; i < text.size();) {
      if (fast && folder.last() == detail::Kind::separator &&
          (out.state == 0 || out.state == bytes_space_)) {
        i = out.fast(text, i, scratch);
        if (i >= text.size()) break;
      }
      i = folder.step(i);
    }
    folder.end();
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
