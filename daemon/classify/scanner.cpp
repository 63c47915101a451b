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

/// The first two bytes, as first_two_ is indexed.
unsigned load2(const char* bytes) {
  std::uint16_t value = 0;
  std::memcpy(&value, bytes, 2);
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

/// A word's key in the vocabulary: up to 8 bytes, its bytes zero padded (never the top bit set:
/// ASCII letters and digits, so such a key matches only the same word); a longer word's first
/// and last 8 bytes mixed, with the top bit set (a match is checked against the word's bytes).
/// loaded: the word's first 8 bytes (16 bytes readable from word).
std::uint64_t word_key(const char* word, std::uint64_t loaded, std::size_t size) {
  if (size <= 8) return head_of(loaded, size);
  return (loaded ^ (load8(word + size - 8) * 0x9E3779B97F4A7C15ull)) | std::uint64_t{1} << 63;
}

/// One multiplication: its top bits (the slot index) depend on every byte of the key.
std::uint64_t word_hash(std::uint64_t key, std::size_t size) {
  return (key + size) * 0xD6E8FEB86659FD93ull;
}

/// The bucket of root prefixes for a word's (or prefix's) first bytes (head: those bytes, the
/// rest zero).
std::uint64_t root_prefix_bucket(std::uint64_t head, std::uint32_t shift) {
  return (head * 0x9E3779B97F4A7C15ull) >> shift;
}

std::uint64_t move_hash(std::uint64_t key) {
  return key * 0x9E3779B97F4A7C15ull;
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
/// bit per byte in scratch.bad (a byte >= 0x80 but those of a separator in separators_e280, or
/// a dot with a letter or digit on both sides)
/// and in scratch.stops (the byte after a run of letters and digits), both ending with a zero
/// word, counts the runs ended before each 64-byte block, and lists the runs. Sixteen bytes at a
/// time where SSE2 is there.
void index_text(std::string_view text, Scanner::Scratch& scratch, std::uint64_t separators_e280) {
  const std::size_t blocks = text.size() / 64 + 1;  // 64 bytes each, the last one padded
  std::string& lowered = scratch.lowered;
  const std::size_t padded = blocks * 64 + 64;
  if (lowered.size() < padded) lowered.resize(padded);
  if (!text.empty()) std::memcpy(lowered.data(), text.data(), text.size());  // data() may be null
  std::memset(lowered.data() + text.size(), 0, padded - text.size());
  scratch.stops.resize(blocks + 1);
  scratch.stops_before.resize(blocks + 1);
  scratch.bad.resize(blocks + 1);
  scratch.stops[blocks] = scratch.bad[blocks] = 0;
  const std::size_t most = text.size() / 2 + 2;  // runs: at most every other byte starts one
  if (scratch.runs.size() < most) scratch.runs.resize(most);
  Scanner::Run* bounds = scratch.runs.data();
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
    scratch.bad[b] = prev_high | (prev_dot & before & after);
    const auto base = static_cast<std::uint32_t>(b * 64);
    for (std::uint64_t m = prev_alnum & ~before; m != 0; m &= m - 1) {
      bounds[runs++].start = base + static_cast<std::uint32_t>(__builtin_ctzll(m));
    }
    const std::uint64_t stops = ~prev_alnum & before;
    scratch.stops[b] = stops;
    scratch.stops_before[b] = static_cast<std::uint32_t>(ends);
    for (std::uint64_t m = stops; m != 0; m &= m - 1) {
      bounds[ends++].stop = base + static_cast<std::uint32_t>(__builtin_ctzll(m));
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
    // A code point U+2000-U+203F that folds to separators only (quotation marks, dashes) is
    // a separator to the fast path too, when its three bytes lie in the block (else it is
    // left to the general path).
    for (std::uint64_t m = high & (high >> 1) & (high >> 2); m != 0; m &= m - 1) {
      const unsigned k = static_cast<unsigned>(__builtin_ctzll(m));
      const auto* at = reinterpret_cast<const unsigned char*>(bytes + b * 64 + k);
      if (at[0] == 0xE2 && at[1] == 0x80 && (at[2] & 0xC0) == 0x80 &&
          (separators_e280 >> (at[2] & 0x3F) & 1)) {
        high &= ~(std::uint64_t{7} << k);
        m &= ~(std::uint64_t{6} << k);  // its other bytes (its own bit goes below)
      }
    }
    if (b > 0) finish(b - 1, alnum);
    prev_alnum = alnum;
    prev_high = high;
    prev_dot = dot;
  }
  finish(blocks - 1, 0);  // the padding ends the last run
  scratch.run_count = runs;
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

__attribute__((always_inline)) inline std::uint32_t Scanner::next_state(std::uint32_t state,
                                                                        std::uint32_t word,
                                                                        std::uint32_t root) const {
  const std::uint64_t key = std::uint64_t{state} << 32 | word;
  const std::size_t mask = moves_.size() - 1;
  for (std::size_t i = move_hash(key) >> move_shift_;; i = (i + 1) & mask) {
    if (moves_[i].key == key) return moves_[i].to;
    if (moves_[i].key == 0) break;
  }
  return root;
}

__attribute__((always_inline)) inline bool Scanner::starts_with(const char* word, std::size_t size,
                                                                WordRef prefix) const {
  return prefix.size <= size && same_bytes(pool_.data() + prefix.offset, word, prefix.size);
}

template <bool Overflow>
__attribute__((always_inline)) inline void Scanner::on_word(const char* word, std::size_t size,
                                                            std::uint32_t start,
                                                            std::uint32_t index,
                                                            std::uint32_t& state, unsigned flags,
                                                            PatternMatch*& out) const {
  // The prefixes that end a phrase from the current state (flagged in the state's code).
  if (state & kHasPrefixes) {
    const std::uint32_t s = state >> kStateShift;
    for (std::uint32_t k = prefix_begin_[s]; k < prefix_begin_[s + 1]; ++k) {
      const PrefixOut& p = prefix_[k];
      if (starts_with(word, size, p.word)) *out++ = {p.pattern, start + p.word.size, index};
    }
  }
  const std::uint64_t loaded = load8(word);
  // The root's prefixes whose first bytes hash as the word's (none when it is shorter).
  if (flags & kRootPrefix) {
    const std::uint64_t bucket = root_prefix_bucket(loaded & root_prefix_mask_, kRootPrefixShift);
    if ((root_prefix_filter_[bucket / 64] >> (bucket % 64) & 1) && size >= root_prefix_key_) {
      for (std::uint32_t k = root_prefix_begin_[bucket]; k < root_prefix_begin_[bucket + 1]; ++k) {
        const PrefixOut& p = root_prefix_[k];
        if (starts_with(word, size, p.word)) *out++ = {p.pattern, start + p.word.size, index};
      }
    }
  }
  // The vocabulary: two slots read, the one holding the word selected (0: neither).
  const std::uint64_t key = word_key(word, loaded, size);
  const Slot* slot = slots_.data() + (word_hash(key, size) >> slot_shift_);
  std::uint64_t found = slot[0].head == key ? slot[0].info : 0;
  found |= slot[1].head == key ? slot[1].info : 0;
  if (size > 8 && found != 0) {
    const WordRef ref = words_[(found >> 32 & ~kInMoves) - 1];
    if (ref.size != size || !same_bytes(pool_.data() + ref.offset, word, size)) found = 0;
  }
  if (Overflow && found == 0) {
    for (const Slot& other : overflow_) {
      const WordRef ref = words_[(other.info >> 32 & ~kInMoves) - 1];
      if (ref.size == size && same_bytes(pool_.data() + ref.offset, word, size)) {
        found = other.info;
      }
    }
  }
  std::uint32_t next = static_cast<std::uint32_t>(found);
  if ((found >> 32 & kInMoves) && state != 0) {
    next = next_state(state, static_cast<std::uint32_t>(found >> 32 & ~kInMoves) - 1, next);
  }
  state = next;
  if (next & kHasWholes) {
    const std::uint32_t s = next >> kStateShift;
    const auto end = static_cast<std::uint32_t>(start + size + 1);
    for (std::uint32_t k = whole_begin_[s]; k < whole_begin_[s + 1]; ++k) {
      *out++ = {whole_[k], end, index};
    }
  }
}

/// fold_into's output for Scanner::scan: feeds each folded byte to the byte automaton (skipping
/// the rest of a Latin word once it is at its root) and hands each complete word to the word
/// automaton.
template <typename Feeder>
struct ScanOut {
  const Scanner& scanner;
  Feeder& feeder;
  std::vector<PatternMatch>& found;          // the matches (scratch: grown, never shrunk)
  std::size_t& matched;                      // how many there are
  std::vector<std::uint32_t>& word_offsets;  // the words' offsets (scratch: grown, never shrunk)
  std::uint32_t& words;                      // how many there are
  std::string& word;         // the current word's bytes, with slack for 8-byte loads
  std::size_t size = 0;      // bytes in the current word
  std::size_t state = 0;     // byte automaton
  std::size_t offset = 0;    // folded bytes so far
  std::uint32_t phrase = 0;  // word automaton (its state code)
  std::uint32_t word_offset = 0;
  std::size_t next_run = 0;  // the fast path's next run of letters and digits

  /// Where the next match goes, with room for more after it.
  PatternMatch* room(std::size_t more) {
    if (found.size() < matched + more) found.resize(std::max(found.size() * 2, matched + more));
    return found.data() + matched;
  }

  void reserve(std::size_t more) {
    if (size + more + 16 > word.size()) word.resize(std::max(word.size() * 2, size + more + 16));
  }

  /// A space (fold_into puts nothing else one byte at a time): ends the word.
  void put(char c) {
    if (size != 0) {
      PatternMatch* out = room(scanner.max_outputs_);
      const unsigned flags = scanner.first_two_[load2(word.data())];
      if (scanner.has_overflow_) {
        scanner.on_word<true>(word.data(), size, word_offset, words - 1, phrase, flags, out);
      } else {
        scanner.on_word<false>(word.data(), size, word_offset, words - 1, phrase, flags, out);
      }
      matched = static_cast<std::size_t>(out - found.data());
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

  void word_start() {
    if (words == word_offsets.size()) word_offsets.resize(word_offsets.size() * 2 + 64);
    word_offsets[words++] = static_cast<std::uint32_t>(offset);
  }

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

  /// Why take stopped: the runs ran out, a bad byte comes before the run or just after it,
  /// or the byte automaton reads on with the run's word.
  enum class Stop { end, bad, continues };

  /// The words of runs [k, last) (with Continues, up to the first one the byte automaton
  /// would read on with): their offsets to word_offsets from n, their matches to found.
  /// Returns the run it stopped at. The loop holds no call.
  template <bool Overflow>
  std::size_t take(const Scanner::Scratch& index, std::size_t k, std::size_t last,
                   std::uint32_t& words_so_far, std::uint32_t& phrase_state, std::uint32_t& at,
                   Stop& why) {
    const char* const lowered = index.lowered.data();
    const Scanner::Run* const runs = index.runs.data();
    const std::uint8_t* const first_two = scanner.first_two_.data();
    std::uint32_t* const offsets = word_offsets.data();
    std::uint32_t n = words_so_far;
    std::uint32_t p = phrase_state;
    std::uint32_t off = at;
    // In chunks of at most kChunk words, each with room for all the matches they can give.
    constexpr std::size_t kChunk = 64;
    while (k < last && why == Stop::end) {
      const Scanner::Run* run = runs + k;
      const Scanner::Run* const chunk_end = runs + std::min(last, k + kChunk);
      PatternMatch* out = room(kChunk * scanner.max_outputs_);
      for (; run != chunk_end; ++run) {
        const char* w = lowered + run->start;
        const unsigned flags = first_two[load2(w)];
        // From bytes_space_, the byte automaton reads on with the word: the general path's
        // (from the root it does not, but the general path gives the same then).
        if (flags & Scanner::kContinues) {
          why = Stop::continues;
          break;
        }
        const std::size_t length = run->stop - run->start;
        // The word, then the space its separator folds to (from the root: bytes_space_).
        offsets[n] = off;
        scanner.on_word<Overflow>(w, length, off, n, p, flags, out);
        off += static_cast<std::uint32_t>(length + 1);
        ++n;
      }
      k = static_cast<std::size_t>(run - runs);
      matched = static_cast<std::size_t>(out - found.data());
    }
    words_so_far = n;
    phrase_state = p;
    at = off;
    return k;
  }

  /// The ASCII fast path, from text[pos] on while the fold is between words (after a
  /// separator) and the byte automaton at its root or just past a space from it: takes each
  /// run of separators and the word after it straight from the index (scratch.lowered, its
  /// bitmaps and runs), as the general path would have folded them, and returns where the
  /// general path must take over: a byte >= 0x80, a word the byte automaton reads on, a word
  /// followed by a byte >= 0x80 or by a dot that joins it to the next ("U.S"), or the end.
  std::size_t fast(std::string_view text, std::size_t pos, const Scanner::Scratch& index) {
    const std::size_t end = text.size();
    const Scanner::Run* runs = index.runs.data();
    const std::size_t run_count = index.run_count;
    const std::size_t space = scanner.bytes_space_;
    // Bad bytes are never letters or digits, so the first one at or after pos lies in a gap
    // between words or at a word's end; limit end + 1: none.
    const std::size_t bad = next_set(index.bad.data(), pos, end + 1);
    std::size_t s = state;
    std::uint32_t p = phrase;
    auto off = static_cast<std::uint32_t>(offset);
    std::size_t k = next_run;
    while (k < run_count && runs[k].start < pos) ++k;  // the general path took those
    // The runs before the first one a bad byte comes before or just after: the words taken
    // here (a bad byte lies in a gap or right after a word, so runs[k].stop >= bad there).
    // Their number: the runs that end before the bad byte (a bit in stops per run's end).
    std::size_t last = run_count;
    if (bad <= end) {
      const std::size_t b = bad / 64;
      const std::uint64_t below = index.stops[b] & ((std::uint64_t{1} << (bad % 64)) - 1);
      last = std::max<std::size_t>(
          k, index.stops_before[b] + static_cast<std::size_t>(__builtin_popcountll(below)));
    }
    if (word_offsets.size() < words + (last - k)) word_offsets.resize(words + (last - k) + 64);
    Stop why = Stop::end;
    std::uint32_t n = words;
    const std::uint32_t before = n;
    k = scanner.has_overflow_ ? take<true>(index, k, last, n, p, off, why)
                              : take<false>(index, k, last, n, p, off, why);
    if (why == Stop::end && k < run_count) why = Stop::bad;
    if (n != before) s = space;
    if (why == Stop::continues) {
      pos = runs[k].start;
    } else if (why == Stop::end) {  // separators to the end, or up to a bad byte
      pos = std::min(bad, end);
    } else {  // a bad byte before the word, or just after it
      const std::size_t start = runs[k].start;
      pos = bad < start ? bad : start;
    }
    words = n;
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
  // The code points U+2000-U+203F (UTF-8 E2 80 80-BF) that fold to separators only.
  separators_e280_ = 0;
  {
    detail::Piece scratch[detail::kMaxPieces];
    for (unsigned low = 0; low < 64; ++low) {
      int count = 0;
      const detail::Piece* pieces = detail::fold_table().lookup(0x2000 + low, scratch, count);
      bool separator = count > 0;
      for (int k = 0; k < count; ++k) separator &= pieces[k].kind == detail::Kind::separator;
      if (separator) separators_e280_ |= std::uint64_t{1} << low;
    }
  }
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
  words_ = refs;

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

  // State codes (see kStateShift).
  std::vector<std::uint32_t> code(states, 0);
  for (std::size_t s = 1; s < states; ++s) {
    code[s] = static_cast<std::uint32_t>(s << kStateShift) |
              (prefix[s].empty() ? 0u : kHasPrefixes) | (whole[s].empty() ? 0u : kHasWholes);
  }
  std::vector<std::uint32_t> root(vocabulary.size(), 0);
  for (const auto& [w, child] : children[0]) root[w] = code[child];
  std::size_t move_count = 0;
  for (std::size_t s = 1; s < states; ++s) {
    for (const auto& [w, to] : moves[s]) move_count += code[to] != root[w];
  }
  moves_.assign(table_size(move_count, move_shift_), Move{});
  std::vector<bool> in_moves(vocabulary.size(), false);
  for (std::size_t s = 1; s < states; ++s) {
    for (const auto& [w, to] : moves[s]) {
      if (code[to] == root[w]) continue;
      in_moves[w] = true;
      const std::uint64_t key = std::uint64_t{code[s]} << 32 | w;
      std::size_t i = move_hash(key) >> move_shift_;
      while (moves_[i].key != 0) i = (i + 1) & (moves_.size() - 1);
      moves_[i] = Move{key, code[to]};
    }
  }

  // The vocabulary table, at most a quarter full and larger until every word can sit in its
  // first slot or the next (first the words whose first slot is free, then the others).
  // After four doublings the words left over (only if many words share a key: rules written to
  // collide) are looked for in overflow_ when the slots do not hold a word.
  const auto info = [&](std::uint32_t id) {
    return std::uint64_t{(id + 1) | (in_moves[id] ? kInMoves : 0u)} << 32 | root[id];
  };
  const std::size_t smallest = table_size(vocabulary.size(), slot_shift_);
  for (std::size_t size = smallest;; size *= 2) {
    const bool last_try = size == smallest * 16;
    slots_.assign(size + 1, Slot{});
    overflow_.clear();
    slot_shift_ = 64;
    for (std::size_t s = size; s > 1; s >>= 1) --slot_shift_;
    std::vector<std::uint32_t> later;
    const auto place = [&](std::uint32_t id, std::size_t i) {
      const WordRef ref = refs[id];
      const char* bytes = pool_.data() + ref.offset;
      slots_[i] = Slot{word_key(bytes, load8(bytes), ref.size), info(id)};
    };
    const auto first_slot = [&](std::uint32_t id) {
      const WordRef ref = refs[id];
      const char* bytes = pool_.data() + ref.offset;
      return word_hash(word_key(bytes, load8(bytes), ref.size), ref.size) >> slot_shift_;
    };
    for (std::uint32_t id = 0; id < vocabulary.size(); ++id) {
      const std::size_t i = first_slot(id);
      if (slots_[i].info == 0) {
        place(id, i);
      } else {
        later.push_back(id);
      }
    }
    bool placed = true;
    for (const std::uint32_t id : later) {
      const std::size_t i = first_slot(id) + 1;
      if (slots_[i].info == 0) {
        place(id, i);
      } else if (last_try) {
        overflow_.push_back(Slot{0, info(id)});
      } else {
        placed = false;
        break;
      }
    }
    if (placed) break;
  }
  has_overflow_ = !overflow_.empty();

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

  // The root's prefix patterns, bucketed by a hash of their first root_prefix_key_ bytes.
  root_prefix_key_ = 8;
  for (const PrefixOut& p : prefix[0]) {
    root_prefix_key_ = std::min<std::size_t>(root_prefix_key_, p.word.size);
  }
  std::vector<std::vector<PrefixOut>> buckets(std::size_t{1} << (64 - kRootPrefixShift));
  for (const PrefixOut& p : prefix[0]) {
    const std::uint64_t head = head_of(load8(pool_.data() + p.word.offset), root_prefix_key_);
    buckets[root_prefix_bucket(head, kRootPrefixShift)].push_back(p);
  }
  root_prefix_begin_.assign(buckets.size() + 1, 0);
  for (std::size_t k = 0; k < buckets.size(); ++k) {
    root_prefix_begin_[k] = static_cast<std::uint32_t>(root_prefix_.size());
    root_prefix_.insert(root_prefix_.end(), buckets[k].begin(), buckets[k].end());
  }
  root_prefix_begin_[buckets.size()] = static_cast<std::uint32_t>(root_prefix_.size());
  root_prefix_mask_ = kHeadMask[root_prefix_key_];
  root_prefix_filter_.assign(buckets.size() / 64, 0);
  std::size_t widest = 0;
  for (std::size_t k = 0; k < buckets.size(); ++k) {
    if (!buckets[k].empty()) root_prefix_filter_[k / 64] |= std::uint64_t{1} << (k % 64);
    widest = std::max(widest, buckets[k].size());
  }
  // By a word's first two bytes (a one-byte word: its byte and the one after it).
  first_two_.assign(std::size_t{1} << 16, 0);
  for (unsigned first = 0; first < 256; ++first) {
    if (!bytes_space_continues_[first]) continue;
    for (unsigned second = 0; second < 256; ++second) first_two_[second << 8 | first] |= kContinues;
  }
  for (const PrefixOut& p : prefix[0]) {
    const auto first = static_cast<unsigned char>(pool_[p.word.offset]);
    if (p.word.size == 1) {
      for (unsigned second = 0; second < 256; ++second)
        first_two_[second << 8 | first] |= kRootPrefix;
    } else {
      const auto second = static_cast<unsigned char>(pool_[p.word.offset + 1]);
      first_two_[unsigned{second} << 8 | first] |= kRootPrefix;
    }
  }
  std::size_t most_prefixes = 0;
  std::size_t most_wholes = 0;
  for (std::size_t s = 1; s < states; ++s) {
    most_prefixes = std::max(most_prefixes, prefix[s].size());
    most_wholes = std::max(most_wholes, whole[s].size());
  }
  max_outputs_ = most_prefixes + widest + most_wholes;
}

void Scanner::scan(std::string_view text, std::vector<PatternMatch>& matches,
                   std::vector<std::uint32_t>& word_starts, Scratch& scratch) const {
  const std::size_t first = matches.size();
  if (scratch.word.size() < 64) scratch.word.resize(64);
  const auto base = static_cast<std::uint32_t>(word_starts.size());
  std::uint32_t words = 0;
  std::size_t matched = 0;
  std::vector<PatternMatch>& found = scratch.matches;
  auto on_match = [&](std::uint32_t id, std::size_t end) {
    if (matched == found.size()) found.resize(found.size() * 2 + 64);
    found[matched++] = PatternMatch{bytes_ids_[id], static_cast<std::uint32_t>(end), words - 1};
  };
  // The fast path needs no byte pattern to start inside an ASCII word (true unless a rule has
  // a term like "G20峰会" without a space before it).
  const bool fast = bytes_skip_root_;
  if (fast) index_text(text, scratch, separators_e280_);
  bytes_.feed(on_match, [&](auto& feeder) {
    using Out = ScanOut<std::remove_reference_t<decltype(feeder)>>;
    Out out{*this, feeder, found, matched, scratch.word_starts, words, scratch.word};
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
  word_starts.insert(word_starts.end(), scratch.word_starts.begin(),
                     scratch.word_starts.begin() + words);
  matches.insert(matches.end(), found.begin(),
                 found.begin() + static_cast<std::ptrdiff_t>(matched));
  if (base != 0) {  // the word indices count from the text's first word until here
    for (std::size_t i = first; i < matches.size(); ++i) matches[i].word += base;
  }
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
