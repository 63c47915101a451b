#include "parse/html_fast_path.hpp"

#include <gumbo.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "parse/html_text.hpp"

// How the fast path stays equal to the gumbo path. The tree walk in html_text.cpp emits the
// text nodes of the gumbo tree in tree order, with a word break wherever a non-inline element
// starts or ends. So the output is fixed by (1) the text, in tree order, and (2) whether a
// non-inline element boundary lies between two pieces of text. A linear scan reproduces both
// as long as the tree builder only ever pushes and pops elements in source order; the scan
// keeps its own stack of open elements, applies the HTML5 "in body" rules for the cases it
// models (the implicit close of an open <p> or <li>, an unmatched end tag that is ignored, a
// stray </p>) and declines every token whose handling could move, clone, reopen or drop
// content: misnested end tags (the adoption agency), tables (foster parenting), raw-text and
// skipped elements, comments, foreign content, and anything the tokenizer would not read as
// a plain tag. Formatting elements are only ever closed by their own end tag while they are the
// current node, so the list of active formatting elements stays equal to the formatting
// elements on the stack and "reconstruct the active formatting elements" never does anything.

namespace wirewatch::parse {

bool is_inline_tag(int gumbo_tag) {
  switch (static_cast<GumboTag>(gumbo_tag)) {
    case GUMBO_TAG_A:
    case GUMBO_TAG_ABBR:
    case GUMBO_TAG_B:
    case GUMBO_TAG_BDI:
    case GUMBO_TAG_BDO:
    case GUMBO_TAG_CITE:
    case GUMBO_TAG_CODE:
    case GUMBO_TAG_DATA:
    case GUMBO_TAG_DFN:
    case GUMBO_TAG_EM:
    case GUMBO_TAG_FONT:
    case GUMBO_TAG_I:
    case GUMBO_TAG_KBD:
    case GUMBO_TAG_MARK:
    case GUMBO_TAG_Q:
    case GUMBO_TAG_S:
    case GUMBO_TAG_SAMP:
    case GUMBO_TAG_SMALL:
    case GUMBO_TAG_SPAN:
    case GUMBO_TAG_STRIKE:
    case GUMBO_TAG_STRONG:
    case GUMBO_TAG_SUB:
    case GUMBO_TAG_SUP:
    case GUMBO_TAG_TIME:
    case GUMBO_TAG_TT:
    case GUMBO_TAG_U:
    case GUMBO_TAG_VAR:
    case GUMBO_TAG_WBR:
    case GUMBO_TAG_INS:
    case GUMBO_TAG_DEL:
    case GUMBO_TAG_BIG:
    case GUMBO_TAG_NOBR:
      return true;
    default:
      return false;
  }
}

namespace {

static_assert(GUMBO_TAG_LAST < 256, "tags are kept in one byte on the scan's stack");

/// What the "in body" insertion mode does with an element, reduced to the cases the fast path
/// models; anything else is `unsupported` and the fast path declines.
enum class Rule : std::uint8_t {
  unsupported,   // not modelled: decline
  closes_p,      // div, p, ul, blockquote, pre…: close an open <p>, then open
  heading,       // h1–h6: the same, and a heading may not open inside a heading
  list_item,     // li: first closes an open <li> (the HTML5 walk down the stack)
  definition,    // dd, dt: first closes an open <dd> or <dt>
  formatting,    // b, em, strong…: formatting elements, reopened when misnested
  anchor,        // a: a formatting element that may not nest in itself
  nobr,          // nobr: the same for nobr
  ordinary,      // span, sub, sup, time…: pushed and popped, nothing else
  void_element,  // br, img, wbr, param, source, track: no content, no end tag
  hr,            // hr: void, and closes an open <p>
};

constexpr std::array<Rule, GUMBO_TAG_LAST + 1> make_rules() {
  std::array<Rule, GUMBO_TAG_LAST + 1> rules{};
  for (GumboTag tag :
       {GUMBO_TAG_ADDRESS, GUMBO_TAG_ARTICLE,  GUMBO_TAG_ASIDE,      GUMBO_TAG_BLOCKQUOTE,
        GUMBO_TAG_CENTER,  GUMBO_TAG_DETAILS,  GUMBO_TAG_DIR,        GUMBO_TAG_DIV,
        GUMBO_TAG_DL,      GUMBO_TAG_FIELDSET, GUMBO_TAG_FIGCAPTION, GUMBO_TAG_FIGURE,
        GUMBO_TAG_FOOTER,  GUMBO_TAG_HEADER,   GUMBO_TAG_HGROUP,     GUMBO_TAG_MENU,
        GUMBO_TAG_NAV,     GUMBO_TAG_OL,       GUMBO_TAG_P,          GUMBO_TAG_SECTION,
        GUMBO_TAG_SUMMARY, GUMBO_TAG_UL,       GUMBO_TAG_PRE}) {
    rules[static_cast<std::size_t>(tag)] = Rule::closes_p;
  }
  for (GumboTag tag :
       {GUMBO_TAG_H1, GUMBO_TAG_H2, GUMBO_TAG_H3, GUMBO_TAG_H4, GUMBO_TAG_H5, GUMBO_TAG_H6}) {
    rules[static_cast<std::size_t>(tag)] = Rule::heading;
  }
  rules[static_cast<std::size_t>(GUMBO_TAG_LI)] = Rule::list_item;
  rules[static_cast<std::size_t>(GUMBO_TAG_DD)] = Rule::definition;
  rules[static_cast<std::size_t>(GUMBO_TAG_DT)] = Rule::definition;
  for (GumboTag tag : {GUMBO_TAG_B, GUMBO_TAG_BIG, GUMBO_TAG_CODE, GUMBO_TAG_EM, GUMBO_TAG_FONT,
                       GUMBO_TAG_I, GUMBO_TAG_S, GUMBO_TAG_SMALL, GUMBO_TAG_STRIKE,
                       GUMBO_TAG_STRONG, GUMBO_TAG_TT, GUMBO_TAG_U}) {
    rules[static_cast<std::size_t>(tag)] = Rule::formatting;
  }
  rules[static_cast<std::size_t>(GUMBO_TAG_A)] = Rule::anchor;
  rules[static_cast<std::size_t>(GUMBO_TAG_NOBR)] = Rule::nobr;
  for (GumboTag tag : {GUMBO_TAG_SPAN, GUMBO_TAG_ABBR, GUMBO_TAG_CITE, GUMBO_TAG_DFN, GUMBO_TAG_KBD,
                       GUMBO_TAG_SAMP, GUMBO_TAG_VAR, GUMBO_TAG_SUB, GUMBO_TAG_SUP, GUMBO_TAG_TIME,
                       GUMBO_TAG_MARK, GUMBO_TAG_Q, GUMBO_TAG_BDI, GUMBO_TAG_BDO, GUMBO_TAG_DATA,
                       GUMBO_TAG_INS, GUMBO_TAG_DEL, GUMBO_TAG_VIDEO, GUMBO_TAG_AUDIO}) {
    rules[static_cast<std::size_t>(tag)] = Rule::ordinary;
  }
  for (GumboTag tag : {GUMBO_TAG_BR, GUMBO_TAG_IMG, GUMBO_TAG_WBR, GUMBO_TAG_PARAM,
                       GUMBO_TAG_SOURCE, GUMBO_TAG_TRACK}) {
    rules[static_cast<std::size_t>(tag)] = Rule::void_element;
  }
  rules[static_cast<std::size_t>(GUMBO_TAG_HR)] = Rule::hr;
  return rules;
}

constexpr std::array<Rule, GUMBO_TAG_LAST + 1> kRules = make_rules();

/// HTML's "special" category, for the elements the scan lets onto its stack.
bool is_special(Rule rule) {
  return rule == Rule::closes_p || rule == Rule::heading || rule == Rule::list_item ||
         rule == Rule::definition;
}

Rule rule_of(GumboTag tag) {
  return kRules[static_cast<std::size_t>(tag)];
}

bool is_heading(GumboTag tag) {
  return rule_of(tag) == Rule::heading;
}

/// The one-byte form of a tag on the scan's stack.
constexpr std::uint8_t code(GumboTag tag) {
  return static_cast<std::uint8_t>(tag);
}

/// The tag names the scan models, each mapped to its GumboTag by gumbo_tagn_enum itself, built
/// once from gumbo's own names; any other name is one the scan would decline anyway, so a miss
/// needs no call into gumbo. A small open-addressing table: ~70 names in 256 slots.
class TagTable {
 public:
  static constexpr std::size_t kMaxName = 10;  // "blockquote", "figcaption"

  static const TagTable& instance() {
    static const TagTable table;  // thread-safe, built on first use
    return table;
  }

  /// The tag for a lowercase name of `length` bytes, zero-padded to kMaxName, or
  /// GUMBO_TAG_UNKNOWN when the scan does not model it.
  GumboTag find(const std::array<char, kMaxName>& name, std::size_t length) const {
    for (std::size_t i = hash(name.data(), length);; i = (i + 1) % kSlots) {
      const Slot& slot = slots_[i];
      if (slot.length == 0) return GUMBO_TAG_UNKNOWN;
      // Both names are zero-padded: comparing all kMaxName bytes compares the names, and the
      // constant size lets the compiler do it inline.
      if (slot.length == length && std::memcmp(slot.name.data(), name.data(), kMaxName) == 0) {
        return slot.tag;
      }
    }
  }

 private:
  static constexpr std::size_t kSlots = 256;

  struct Slot {
    std::array<char, kMaxName> name{};
    std::size_t length = 0;
    GumboTag tag = GUMBO_TAG_UNKNOWN;
  };

  static std::size_t hash(const char* name, std::size_t length) {
    const auto first = static_cast<unsigned char>(name[0]);
    const auto last = static_cast<unsigned char>(name[length - 1]);
    return (length * 151 + first * 31 + last * 7) % kSlots;
  }

  TagTable() {
    for (int value = 0; value < GUMBO_TAG_UNKNOWN; ++value) {
      const auto tag = static_cast<GumboTag>(value);
      if (rule_of(tag) == Rule::unsupported) continue;
      const std::string_view name = gumbo_normalized_tagname(tag);
      if (name.empty() || name.size() > kMaxName ||
          gumbo_tagn_enum(name.data(), static_cast<unsigned>(name.size())) != tag) {
        continue;  // not reachable from a tag name: leave it to gumbo
      }
      std::size_t i = hash(name.data(), name.size());
      while (slots_[i].length != 0) i = (i + 1) % kSlots;
      std::copy(name.begin(), name.end(), slots_[i].name.begin());
      slots_[i].length = name.size();
      slots_[i].tag = tag;
    }
  }

  std::array<Slot, kSlots> slots_{};
};

/// ASCII byte classes for the scan.
enum Class : std::uint8_t {
  kControl,  // C0 controls but the whitespace ones, DEL: decline
  kPlain,    // printable ASCII that is text as it stands
  kSpace,    // ASCII whitespace as HTML (and the whitespace folder) counts it
  kOpen,     // '<'
  kAmp,      // '&'
  kHigh,     // a byte of a multi-byte UTF-8 sequence
};

constexpr std::array<Class, 256> make_classes() {
  std::array<Class, 256> classes{};
  for (std::size_t c = 0; c < 256; ++c) {
    if (c >= 0x80) {
      classes[c] = kHigh;
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      classes[c] = kSpace;
    } else if (c == '<') {
      classes[c] = kOpen;
    } else if (c == '&') {
      classes[c] = kAmp;
    } else if (c > 0x20 && c < 0x7F) {
      classes[c] = kPlain;
    } else {
      classes[c] = kControl;
    }
  }
  return classes;
}

constexpr std::array<Class, 256> kClasses = make_classes();

constexpr bool is_space(unsigned char c) {
  return kClasses[c] == kSpace;
}
constexpr bool is_alpha(unsigned char c) {
  return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}
constexpr bool is_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}
constexpr bool is_alnum(unsigned char c) {
  return is_alpha(c) || is_digit(c);
}

/// True for a byte that ends a text run: anything but printable ASCII other than '<' and '&'
/// (so whitespace, controls, DEL and every byte of a multi-byte sequence).
constexpr bool ends_run(unsigned char c) {
  return kClasses[c] != kPlain;
}

/// The end of the text run that starts at p (a plain byte): the first byte that ends a run,
/// except that a single space between two plain bytes belongs to the run (the whitespace folder
/// copies it as it is). Where SSE2 exists (every x86-64), 16 bytes per step.
const unsigned char* text_run_end(const unsigned char* p, const unsigned char* end) {
#if defined(__SSE2__)
  const __m128i below = _mm_set1_epi8(0x21);  // signed: also every byte >= 0x80
  const __m128i del = _mm_set1_epi8(0x7F);
  const __m128i open = _mm_set1_epi8('<');
  const __m128i amp = _mm_set1_epi8('&');
  const __m128i space = _mm_set1_epi8(' ');
  auto ends = [&](__m128i v) {
    return _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, below), _mm_cmpeq_epi8(v, del)),
                        _mm_or_si128(_mm_cmpeq_epi8(v, open), _mm_cmpeq_epi8(v, amp)));
  };
  while (end - p > 16) {  // the load at p + 1 reads p[16]
    const __m128i here = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i next = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 1));
    const __m128i is_space = _mm_cmpeq_epi8(here, space);
    // A byte ends the run if it is not plain, unless it is a space followed by a plain byte.
    const __m128i stop =
        _mm_or_si128(_mm_andnot_si128(is_space, ends(here)), _mm_and_si128(is_space, ends(next)));
    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(stop));
    if (mask != 0) return p + __builtin_ctz(mask);
    p += 16;
  }
#endif
  for (; p < end; ++p) {
    if (!ends_run(*p)) continue;
    if (*p == ' ' && p + 1 < end && !ends_run(p[1])) continue;
    return p;
  }
  return end;
}

/// The length (1–4) of the well-formed UTF-8 sequence at p, with its code point in cp, or 0
/// when the bytes are ill-formed (overlong, surrogate, past U+10FFFF, truncated): the same
/// rules as core::is_valid_utf8 (ICU's U8_NEXT), so the fast path never accepts what the gumbo
/// path would first repair.
std::size_t decode_utf8(const unsigned char* p, const unsigned char* end, char32_t& cp) {
  const unsigned char lead = p[0];
  const auto available = static_cast<std::size_t>(end - p);
  auto continuation = [](unsigned char c) { return (c & 0xC0) == 0x80; };
  if (lead >= 0xC2 && lead <= 0xDF) {
    if (available < 2 || !continuation(p[1])) return 0;
    cp = (char32_t{lead} & 0x1F) << 6 | (char32_t{p[1]} & 0x3F);
    return 2;
  }
  if (lead >= 0xE0 && lead <= 0xEF) {
    if (available < 3 || !continuation(p[1]) || !continuation(p[2])) return 0;
    if (lead == 0xE0 && p[1] < 0xA0) return 0;  // overlong
    if (lead == 0xED && p[1] > 0x9F) return 0;  // surrogate
    cp = (char32_t{lead} & 0x0F) << 12 | (char32_t{p[1]} & 0x3F) << 6 | (char32_t{p[2]} & 0x3F);
    return 3;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (available < 4 || !continuation(p[1]) || !continuation(p[2]) || !continuation(p[3])) {
      return 0;
    }
    if (lead == 0xF0 && p[1] < 0x90) return 0;  // overlong
    if (lead == 0xF4 && p[1] > 0x8F) return 0;  // past U+10FFFF
    cp = (char32_t{lead} & 0x07) << 18 | (char32_t{p[1]} & 0x3F) << 12 |
         (char32_t{p[2]} & 0x3F) << 6 | (char32_t{p[3]} & 0x3F);
    return 4;
  }
  return 0;
}

/// Code points the fast path leaves to gumbo even when well-formed: C1 controls (the folder
/// reads them as windows-1252), noncharacters and the BOM (parse errors whose handling is not
/// worth modelling).
bool is_declined_code_point(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE ||
         cp == 0xFEFF;
}

std::size_t encode_utf8(char32_t cp, char* out) {
  if (cp < 0x80) {
    out[0] = static_cast<char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = static_cast<char>(0xC0 | (cp >> 6));
    out[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (cp >> 12));
    out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (cp >> 18));
  out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (cp & 0x3F));
  return 4;
}

/// The most frequent named references in news feeds, decoded once through gumbo itself
/// (decode_html_entity), so the fast path has no entity table of its own to get wrong.
constexpr std::string_view kCommonReferenceNames[] = {
    "amp",    "lt",     "gt",     "quot",   "apos",   "nbsp",   "mdash",  "ndash",  "rsquo",
    "lsquo",  "rdquo",  "ldquo",  "hellip", "copy",   "reg",    "trade",  "eacute", "egrave",
    "ecirc",  "euml",   "aacute", "agrave", "acirc",  "auml",   "aring",  "atilde", "iacute",
    "iuml",   "icirc",  "oacute", "ocirc",  "ouml",   "ograve", "otilde", "uacute", "ugrave",
    "ucirc",  "uuml",   "ccedil", "ntilde", "szlig",  "oslash", "aelig",  "oelig",  "Eacute",
    "Auml",   "Ouml",   "Uuml",   "Ccedil", "deg",    "middot", "bull",   "laquo",  "raquo",
    "lsaquo", "rsaquo", "sbquo",  "bdquo",  "prime",  "euro",   "pound",  "yen",    "cent",
    "sect",   "para",   "times",  "divide", "plusmn", "minus",  "frac12", "frac14", "frac34",
    "sup2",   "ordm",   "iexcl",  "iquest", "dagger", "rarr",   "larr",   "thinsp", "ensp",
    "emsp",   "shy",    "zwj",    "zwnj",   "lrm",    "rlm"};

struct NamedReference {
  std::string_view name;
  std::array<char, 4> text{};
  std::uint8_t size = 0;
};

class ReferenceTable {
 public:
  static const ReferenceTable& instance() {
    static const ReferenceTable table;  // thread-safe, built on first use
    return table;
  }

  /// The reference named `name` (without & and ;), or null when the fast path does not know it.
  const NamedReference* find(std::string_view name) const {
    if (name.empty() || name.size() > sizeof(std::uint64_t)) return nullptr;  // none is longer
    const std::uint64_t key = pack(name);
    for (std::size_t i = slot_of(key);; i = (i + 1) % kSlots) {
      if (keys_[i] == 0) return nullptr;
      if (keys_[i] == key) return &entries_[slots_[i]];
    }
  }

 private:
  ReferenceTable() {
    for (std::string_view name : kCommonReferenceNames) {
      const std::string text = decode_html_entity(name);
      // Every decoding must be shorter than the reference it replaces ("&" name ";"): the
      // output buffer is sized by the input. A name gumbo does not know stays out.
      if (text.empty() || text.size() > 4 || text.size() > name.size() + 2) continue;
      if (name.size() > sizeof(std::uint64_t)) continue;  // none is: see pack()
      NamedReference entry{name, {}, static_cast<std::uint8_t>(text.size())};
      std::copy(text.begin(), text.end(), entry.text.begin());
      entries_.push_back(entry);
    }
    // An open-addressing table over the names packed into 64 bits (all are 2 to 6 bytes):
    // one multiply and, as a rule, one compare per lookup.
    for (std::size_t index = 0; index < entries_.size(); ++index) {
      const std::uint64_t key = pack(entries_[index].name);
      std::size_t i = slot_of(key);
      while (keys_[i] != 0) i = (i + 1) % kSlots;
      keys_[i] = key;
      slots_[i] = static_cast<std::uint8_t>(index);
    }
  }

  static constexpr std::size_t kSlots = 256;  // > 2 × the names, and entries_ fits a byte
  static_assert(std::size(kCommonReferenceNames) < kSlots / 2);

  /// The name's bytes (at most 8, none zero) as one number; distinct names, distinct numbers.
  static std::uint64_t pack(std::string_view name) {
    std::uint64_t key = 0;
    std::memcpy(&key, name.data(), name.size());
    return key;
  }
  static std::size_t slot_of(std::uint64_t key) {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> 56);  // 0–255
  }

  std::vector<NamedReference> entries_;
  std::array<std::uint64_t, kSlots> keys_{};  // 0: an empty slot
  std::array<std::uint8_t, kSlots> slots_{};  // index into entries_
};

/// One pass over the markup. Each member returns false for "cannot decide".
class Scanner {
 public:
  Scanner(std::string_view html, std::size_t max_bytes, bool markup)
      : markup_(markup),
        p_(reinterpret_cast<const unsigned char*>(html.data())),
        end_(p_ + html.size()),
        // Every output byte is paid for by at least one input byte (text 1:1, a space by a
        // whitespace run or a tag, a reference by its longer spelling), so the input size bounds
        // the output; past max_bytes + 1 bytes nothing can change the cut (see finish()).
        limit_(std::min(html.size(), max_bytes + 1)),
        max_bytes_(max_bytes) {
    out_.resize(limit_);
  }

  std::optional<std::string> run() {
    // Tests in order of frequency rather than a switch: the jump table's indirect branch is
    // the scan's most mispredicted one.
    while (p_ < end_) {
      const Class c = kClasses[*p_];
      if (c == kPlain || c == kHigh) {
        if (!text()) return std::nullopt;
      } else if (c == kOpen) {
        if (!markup_) {  // plain text: '<' and '&' are characters like any other
          emit(p_, p_ + 1);
          ++p_;
        } else if (!tag()) {
          return std::nullopt;
        }
      } else if (c == kSpace) {
        pending_space_ = true;
        ++p_;
      } else if (c == kAmp) {
        if (!markup_) {
          emit(p_, p_ + 1);
          ++p_;
        } else if (!reference()) {
          return std::nullopt;
        }
      } else {  // kControl
        return std::nullopt;
      }
    }
    return finish();
  }

 private:
  // ---- output: the whitespace folder of html_text.cpp, fed in runs -------------------------

  void emit(const unsigned char* begin, const unsigned char* end) {
    if (pending_space_) {
      pending_space_ = false;
      if (size_ > 0 && size_ < limit_) out_[size_++] = ' ';
    }
    const auto count = std::min(static_cast<std::size_t>(end - begin), limit_ - size_);
    std::memcpy(out_.data() + size_, begin, count);
    size_ += count;
  }

  void emit_code_point(char32_t cp) {
    if (cp == 0xA0 || (cp < 0x80 && is_space(static_cast<unsigned char>(cp)))) {
      pending_space_ = true;
      return;
    }
    std::array<unsigned char, 4> bytes{};
    const std::size_t size = encode_utf8(cp, reinterpret_cast<char*>(bytes.data()));
    emit(bytes.data(), bytes.data() + size);
  }

  void separate() { pending_space_ = true; }

  /// The folder stops once its output is past max_bytes, then html_to_text cuts at a UTF-8
  /// boundary at or below max_bytes and drops trailing spaces. Only the first max_bytes + 1
  /// bytes decide that cut, and those are what out_ holds.
  std::string finish() {
    std::size_t size = size_;
    if (size > max_bytes_) {
      size = max_bytes_;
      while (size > 0 && (static_cast<unsigned char>(out_[size]) & 0xC0) == 0x80) --size;
    }
    while (size > 0 && out_[size - 1] == ' ') --size;
    out_.resize(size);
    return std::move(out_);
  }

  // ---- text ---------------------------------------------------------------------------------

  /// The length of the UTF-8 sequence at p (a byte >= 0x80) when it is text the scan copies as
  /// it is: well-formed, not declined, not U+00A0 (which folds to a space). 0 otherwise.
  std::size_t copied_sequence(const unsigned char* p) const {
    char32_t cp = 0;
    const std::size_t size = decode_utf8(p, end_, cp);
    if (size == 0 || is_declined_code_point(cp) || cp == 0xA0) return 0;
    return size;
  }

  /// At a plain byte or a byte >= 0x80: text, copied in one piece up to the first byte that is
  /// neither plain, nor a copied multi-byte sequence, nor a single space between two of those
  /// (the folder copies such a space as it is, so copying it with the run changes nothing).
  bool text() {
    const unsigned char* start = p_;
    const unsigned char* p = p_;
    for (;;) {
      if (*p < 0x80) {
        p = text_run_end(p + 1, end_);  // *p is plain here
      } else if (const std::size_t size = copied_sequence(p); size != 0) {
        p += size;
      } else if (p != start) {
        break;  // the sequence is handled on its own below
      } else {
        char32_t cp = 0;
        const std::size_t length = decode_utf8(p, end_, cp);
        if (length == 0 || is_declined_code_point(cp)) return false;
        pending_space_ = true;  // U+00A0
        p_ = p + length;
        return true;
      }
      if (p == end_) break;
      if (kClasses[*p] == kPlain) continue;
      if (*p >= 0x80) {
        if (copied_sequence(p) != 0) continue;
        break;
      }
      if (*p == ' ' && p + 1 < end_ &&
          (kClasses[p[1]] == kPlain || (p[1] >= 0x80 && copied_sequence(p + 1) != 0))) {
        ++p;
        continue;
      }
      break;
    }
    emit(start, p);
    p_ = p;
    return true;
  }

  /// At '&': a numeric reference, a named one from the table (with ';'), or a bare '&' before
  /// whitespace, '<', '&' or the end, which is text.
  bool reference() {
    const unsigned char* q = p_ + 1;
    if (q == end_ || is_space(*q) || *q == '<' || *q == '&') {
      emit(p_, q);
      p_ = q;
      return true;
    }
    if (*q == '#') return numeric_reference(q + 1);
    if (!is_alpha(*q)) return false;
    const unsigned char* name = q;
    while (q < end_ && is_alnum(*q) && q - name <= 8) ++q;
    if (q == end_ || *q != ';') return false;
    const NamedReference* entry = ReferenceTable::instance().find(
        {reinterpret_cast<const char*>(name), static_cast<std::size_t>(q - name)});
    if (entry == nullptr) return false;
    if (entry->size == 2 && static_cast<unsigned char>(entry->text[0]) == 0xC2 &&
        static_cast<unsigned char>(entry->text[1]) == 0xA0) {
      pending_space_ = true;  // &nbsp;
    } else {
      const auto* text = reinterpret_cast<const unsigned char*>(entry->text.data());
      emit(text, text + entry->size);
    }
    p_ = q + 1;
    return true;
  }

  /// After "&#": digits (or x and hex digits) and ';'. Declines what HTML5 maps or replaces
  /// (0, C1 controls, surrogates, past U+10FFFF) and the controls and noncharacters gumbo
  /// reports as errors.
  bool numeric_reference(const unsigned char* q) {
    const bool hex = q < end_ && (*q == 'x' || *q == 'X');
    if (hex) ++q;
    const unsigned char* digits = q;
    std::uint32_t cp = 0;
    for (; q < end_; ++q) {
      unsigned digit = 0;
      if (is_digit(*q)) {
        digit = static_cast<unsigned>(*q - '0');
      } else if (hex && (*q | 0x20) >= 'a' && (*q | 0x20) <= 'f') {
        digit = static_cast<unsigned>((*q | 0x20) - 'a' + 10);
      } else {
        break;
      }
      cp = cp * (hex ? 16U : 10U) + digit;
      if (cp > 0x10FFFF) return false;
    }
    if (q == digits || q == end_ || *q != ';') return false;
    if (cp == 0 || (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\f') || cp == 0x7F ||
        (cp >= 0xD800 && cp <= 0xDFFF) || is_declined_code_point(cp)) {
      return false;
    }
    emit_code_point(cp);
    p_ = q + 1;
    return true;
  }

  // ---- tags ---------------------------------------------------------------------------------

  /// At '<': a start or end tag the tree builder handles as the scan models it.
  bool tag() {
    const unsigned char* q = p_ + 1;
    const bool end_tag = q < end_ && *q == '/';
    if (end_tag) ++q;
    if (q == end_ || !is_alpha(*q)) return false;  // "<!", "<?", "</>", "< 3"…
    std::array<char, TagTable::kMaxName> name{};
    std::size_t length = 0;
    for (; q < end_ && is_alnum(*q); ++q) {
      if (length == name.size()) return false;  // longer than any tag the scan knows
      name[length++] = static_cast<char>(*q | 0x20);
    }
    if (q == end_ || !(is_space(*q) || *q == '/' || *q == '>')) return false;
    if (end_tag) {
      while (q < end_ && is_space(*q)) ++q;
      if (q == end_ || *q != '>') return false;  // attributes or "/" in an end tag
    } else {
      q = attributes(q);
      if (q == nullptr) return false;
    }
    p_ = q + 1;
    const GumboTag tag = TagTable::instance().find(name, length);
    return end_tag ? close(tag) : open(tag);
  }

  /// Skips the attributes of a start tag from just after its name; returns the position of the
  /// closing '>', or null for anything but plain name, name=value, name="value", name='value'.
  const unsigned char* attributes(const unsigned char* q) const {
    for (;;) {
      while (q < end_ && is_space(*q)) ++q;
      if (q == end_) return nullptr;
      if (*q == '>') return q;
      if (*q == '/') return q + 1 < end_ && q[1] == '>' ? q + 1 : nullptr;
      const unsigned char* name = q;
      while (q < end_ && kClasses[*q] == kPlain && *q != '"' && *q != '\'' && *q != '<' &&
             *q != '=' && *q != '>' && *q != '/') {
        ++q;
      }
      if (q == name || q == end_) return nullptr;
      if (kClasses[*q] != kSpace && *q != '=' && *q != '>' && *q != '/') return nullptr;
      while (q < end_ && is_space(*q)) ++q;
      if (q == end_ || *q != '=') continue;  // a name without a value
      ++q;
      while (q < end_ && is_space(*q)) ++q;
      if (q == end_) return nullptr;
      if (*q == '"' || *q == '\'') {
        const unsigned char quote = *q++;
        const unsigned char* value = q;
        q = static_cast<const unsigned char*>(
            std::memchr(q, quote, static_cast<std::size_t>(end_ - q)));
        if (q == nullptr || !plain_value(value, q)) return nullptr;
        ++q;
        if (q == end_) return nullptr;
        if (*q == '/') return q + 1 < end_ && q[1] == '>' ? q + 1 : nullptr;
        if (*q != '>' && !is_space(*q)) return nullptr;  // no space before the next attribute
      } else {
        const unsigned char* value = q;
        while (q < end_ && !is_space(*q) && *q != '>') {
          if (*q == '"' || *q == '\'' || *q == '<' || *q == '=' || *q == '`') return nullptr;
          ++q;
        }
        if (q == value || q == end_ || !plain_value(value, q)) return nullptr;
      }
    }
  }

  /// An attribute value that is valid UTF-8 without control characters: gumbo would see it
  /// unchanged, and it never reaches the text.
  bool plain_value(const unsigned char* q, const unsigned char* end) const {
#if defined(__SSE2__)
    // Printable ASCII (URLs, class names) 16 bytes at a time; the rest byte by byte below.
    const __m128i below = _mm_set1_epi8(0x20);  // signed: also every byte >= 0x80
    const __m128i del = _mm_set1_epi8(0x7F);
    while (end - q >= 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
      const __m128i stop = _mm_or_si128(_mm_cmplt_epi8(v, below), _mm_cmpeq_epi8(v, del));
      if (_mm_movemask_epi8(stop) != 0) break;
      q += 16;
    }
#endif
    while (q < end) {
      const Class c = kClasses[*q];
      if (c == kControl) return false;
      if (c != kHigh) {
        ++q;
        continue;
      }
      char32_t cp = 0;
      const std::size_t size = decode_utf8(q, end, cp);
      if (size == 0 || is_declined_code_point(cp)) return false;
      q += size;
    }
    return true;
  }

  // ---- the stack of open elements -----------------------------------------------------------

  GumboTag top() const {
    return depth_ == 0 ? GUMBO_TAG_HTML : static_cast<GumboTag>(stack_[depth_ - 1]);
  }

  bool on_stack(GumboTag tag) const {
    return std::find(stack_.begin(), stack_.begin() + depth_, code(tag)) != stack_.begin() + depth_;
  }

  bool push(GumboTag tag) {
    if (depth_ == stack_.size()) return false;
    stack_[depth_++] = code(tag);
    return true;
  }

  /// "Close a p element" when a <p> is in button scope (the scan's stack holds no scope
  /// boundaries, so: when a <p> is open). Modelled only when it is the current node.
  bool close_p() {
    if (!on_stack(GUMBO_TAG_P)) return true;
    if (top() != GUMBO_TAG_P) return false;
    --depth_;
    separate();
    return true;
  }

  /// The <li> (or <dd>/<dt>) start tag's walk down the stack: an open list item is closed
  /// unless a special element other than address, div or p comes first. Modelled when only
  /// <p> elements (implied end tags) sit above the list item.
  bool close_list_item(bool definition) {
    for (std::size_t i = depth_; i-- > 0;) {
      const auto node = static_cast<GumboTag>(stack_[i]);
      const bool match =
          definition ? (node == GUMBO_TAG_DD || node == GUMBO_TAG_DT) : node == GUMBO_TAG_LI;
      if (match) {
        for (std::size_t j = i + 1; j < depth_; ++j) {
          if (stack_[j] != code(GUMBO_TAG_P)) return false;
        }
        depth_ = i;
        separate();
        return true;
      }
      if (is_special(rule_of(node)) && node != GUMBO_TAG_ADDRESS && node != GUMBO_TAG_DIV &&
          node != GUMBO_TAG_P) {
        return true;
      }
    }
    return true;
  }

  bool open(GumboTag tag) {
    const Rule rule = rule_of(tag);
    switch (rule) {
      case Rule::unsupported:
        return false;
      case Rule::list_item:
      case Rule::definition:
        if (!close_list_item(rule == Rule::definition)) return false;
        [[fallthrough]];
      case Rule::closes_p:
      case Rule::heading:
      case Rule::hr:
        if (!close_p()) return false;
        if (rule == Rule::heading && is_heading(top())) return false;
        separate();
        return rule == Rule::hr || push(tag);
      case Rule::anchor:
      case Rule::nobr:
        if (on_stack(tag)) return false;  // the adoption agency would run
        return push(tag);
      case Rule::formatting:
        // A fourth open copy would trip the Noah's Ark clause; keep it simple and decline.
        if (std::count(stack_.begin(), stack_.begin() + depth_, code(tag)) >= 3) return false;
        return push(tag);
      case Rule::ordinary:
        if (!is_inline_tag(tag)) separate();
        return push(tag);
      case Rule::void_element:
        if (!is_inline_tag(tag)) separate();
        return true;
    }
    return false;
  }

  /// The end tag of a special element (div, p, li, h2…) that is open: the tree builder first
  /// pops the elements with implied end tags (p, li, dd, dt) above it, then the element itself.
  /// Modelled when nothing else sits above it: popping a formatting element would reopen it.
  bool close_special(std::size_t index) {
    for (std::size_t j = index + 1; j < depth_; ++j) {
      const auto node = static_cast<GumboTag>(stack_[j]);
      if (node != GUMBO_TAG_P && node != GUMBO_TAG_LI && node != GUMBO_TAG_DD &&
          node != GUMBO_TAG_DT) {
        return false;
      }
    }
    depth_ = index;
    separate();
    return true;
  }

  /// The topmost open element for which match(tag) holds, or depth_ if none.
  template <typename Match>
  std::size_t find_open(Match match) const {
    for (std::size_t i = depth_; i-- > 0;) {
      if (match(static_cast<GumboTag>(stack_[i]))) return i;
    }
    return depth_;
  }

  bool close(GumboTag tag) {
    const Rule rule = rule_of(tag);
    if (rule == Rule::unsupported || tag == GUMBO_TAG_BR) return false;  // </br> is a <br>
    if (rule == Rule::void_element || rule == Rule::hr) return true;     // never open: ignored
    if (is_special(rule)) {
      // Headings close whichever heading is open; a </li> only an <li> in list item scope
      // (none across an <ol> or <ul>: close_special declines those).
      const std::size_t index = rule == Rule::heading
                                    ? find_open(is_heading)
                                    : find_open([tag](GumboTag open) { return open == tag; });
      if (index < depth_) return close_special(index);
      if (tag == GUMBO_TAG_P) separate();  // a stray </p> makes an empty <p>
      return true;                         // an unmatched end tag is ignored
    }
    // Formatting and ordinary elements: closed when current, ignored when not open.
    if (top() == tag) {
      --depth_;
      if (!is_inline_tag(tag)) separate();
      return true;
    }
    return !on_stack(tag);  // misnested: the adoption agency or implied pops would run
  }

  bool markup_;
  const unsigned char* p_;
  const unsigned char* end_;
  std::size_t limit_;
  std::size_t max_bytes_;
  std::string out_;
  std::size_t size_ = 0;
  bool pending_space_ = false;
  std::array<std::uint8_t, 64> stack_{};
  std::size_t depth_ = 0;
};

}  // namespace

std::optional<std::string> html_to_text_fast(std::string_view html, std::size_t max_bytes) {
  // The gumbo path parses only the first max_bytes * 4 bytes; past that the two could differ.
  if (max_bytes > html.max_size() / 4 || html.size() > max_bytes * 4) return std::nullopt;
  return Scanner(html, max_bytes, true).run();
}

std::optional<std::string> plain_text_fast(std::string_view text, std::size_t max_bytes) {
  // The usual title, name or category is one text run (printable ASCII, single spaces between
  // words, nothing to trim or cut): the scan would copy it as it is, so skip the scan's set-up.
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  if (!text.empty() && text.size() <= max_bytes && kClasses[p[0]] == kPlain &&
      text_run_end(p + 1, p + text.size()) == p + text.size()) {
    return std::string(text);
  }
  return Scanner(text, max_bytes, false).run();
}

}  // namespace wirewatch::parse
