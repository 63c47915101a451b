#include "parse/html_text.hpp"

#include <gumbo.h>

#include <algorithm>
#include <array>
#include <memory>
#include <vector>

#include "core/utf8.hpp"
#include "parse/html_fast_path.hpp"

namespace wirewatch::parse {
namespace {

/// The UTF-8 of the windows-1252 character at byte `c` (0x80..0x9F), or empty if undefined.
std::string_view windows1252_c1(unsigned char c) {
  static constexpr std::array<std::string_view, 32> table{
      "\u20AC", "",       "\u201A", "\u0192", "\u201E", "\u2026", "\u2020", "\u2021",
      "\u02C6", "\u2030", "\u0160", "\u2039", "\u0152", "",       "\u017D", "",
      "",       "\u2018", "\u2019", "\u201C", "\u201D", "\u2022", "\u2013", "\u2014",
      "\u02DC", "\u2122", "\u0161", "\u203A", "\u0153", "",       "\u017E", "\u0178",
  };
  return table[static_cast<std::size_t>(c - 0x80) & 31];
}

/// Appends text to out with runs of whitespace (ASCII and U+00A0) folded into one space and no
/// space at the start. `pending_space` carries a space across calls.
class WhitespaceFolder {
 public:
  WhitespaceFolder(std::string& out, std::size_t max_bytes) : out_(out), max_bytes_(max_bytes) {}

  void append(std::string_view text) {
    for (std::size_t i = 0; i < text.size() && !full(); ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      const unsigned char next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1])
                                                     : static_cast<unsigned char>(0);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        pending_space_ = true;
      } else if (c == 0xC2 && next == 0xA0) {
        pending_space_ = true;
        ++i;
      } else if (c == 0xC2 && next >= 0x80 && next < 0xA0) {
        // A C1 control (U+0080..U+009F) in text is a windows-1252 character that went through
        // a Latin-1 decoder or a numeric reference (&#147;): read it as windows-1252, as HTML
        // does for references. The five code points 1252 leaves undefined are dropped.
        ++i;
        const std::string_view replacement = windows1252_c1(next);
        if (!replacement.empty()) append(replacement);
      } else {
        if (pending_space_ && !out_.empty()) out_ += ' ';
        pending_space_ = false;
        out_ += static_cast<char>(c);
      }
    }
  }
  void separate() { pending_space_ = true; }
  // Past the cap, not at it: stopping at exactly max_bytes could split a UTF-8 sequence that
  // truncate_utf8 (which only cuts text longer than the cap) would then leave broken.
  bool full() const { return out_.size() > max_bytes_; }

 private:
  std::string& out_;
  std::size_t max_bytes_;
  bool pending_space_ = false;
};

bool is_skipped(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_MATH:
      return true;
    default:
      return false;
  }
}

struct OutputDeleter {
  void operator()(GumboOutput* output) const {
    gumbo_destroy_output(&kGumboDefaultOptions, output);
  }
};
using OutputPtr = std::unique_ptr<GumboOutput, OutputDeleter>;

OutputPtr parse_fragment(std::string_view html) {
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;  // we never read gumbo's error list; don't let it grow
  options.fragment_context = GUMBO_TAG_DIV;
  options.fragment_namespace = GUMBO_NAMESPACE_HTML;
  return OutputPtr{gumbo_parse_with_options(&options, html.data(), html.size())};
}

/// Collects the text of node's subtree, depth-first, without recursion (hostile nesting).
void collect_text(const GumboNode* root, WhitespaceFolder& folder) {
  struct Frame {
    const GumboNode* node;
    unsigned next_child;
  };
  std::vector<Frame> stack{{root, 0}};
  while (!stack.empty() && !folder.full()) {
    Frame& frame = stack.back();
    const GumboNode* node = frame.node;
    if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_CDATA ||
        node->type == GUMBO_NODE_WHITESPACE) {
      folder.append(node->v.text.text);
      stack.pop_back();
      continue;
    }
    if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_DOCUMENT &&
        node->type != GUMBO_NODE_TEMPLATE) {
      stack.pop_back();
      continue;
    }
    const GumboVector& children =
        node->type == GUMBO_NODE_DOCUMENT ? node->v.document.children : node->v.element.children;
    if (node->type == GUMBO_NODE_ELEMENT) {
      if (is_skipped(node->v.element.tag)) {
        stack.pop_back();
        continue;
      }
      if (frame.next_child == 0 && !is_inline_tag(node->v.element.tag)) folder.separate();
    }
    if (frame.next_child < children.length) {
      const auto* child = static_cast<const GumboNode*>(children.data[frame.next_child++]);
      stack.push_back({child, 0});
      continue;
    }
    if (node->type == GUMBO_NODE_ELEMENT && !is_inline_tag(node->v.element.tag)) folder.separate();
    stack.pop_back();
  }
}

bool needs_html_parser(std::string_view text) {
  // Two memchr scans beat find_first_of, which tests every byte against the set.
  return text.find('<') != std::string_view::npos || text.find('&') != std::string_view::npos;
}

/// HTML has no CDATA sections (outside SVG/MathML a "<![CDATA[" is a bogus comment that
/// would swallow its text), yet feeds that wrap CDATA twice leave "<![CDATA[…]]>" inside a
/// text field. The inside of each such section is text: escape it so the HTML parser keeps it.
std::string unwrap_cdata(std::string_view html) {
  static constexpr std::string_view kOpen = "<![CDATA[";
  static constexpr std::string_view kClose = "]]>";
  std::string out;
  out.reserve(html.size());
  while (!html.empty()) {
    const auto open = html.find(kOpen);
    out.append(html.substr(0, open));
    if (open == std::string_view::npos) break;
    html.remove_prefix(open + kOpen.size());
    const auto close = html.find(kClose);
    for (char c : html.substr(0, close)) {
      if (c == '&') {
        out += "&amp;";
      } else if (c == '<') {
        out += "&lt;";
      } else {
        out += c;
      }
    }
    if (close == std::string_view::npos) break;
    html.remove_prefix(close + kClose.size());
  }
  return out;
}

}  // namespace

std::string plain_text(std::string_view text, std::size_t max_bytes) {
  if (auto folded = plain_text_fast(text, max_bytes)) return std::move(*folded);
  std::string folded;
  folded.reserve(std::min(text.size(), max_bytes));
  WhitespaceFolder folder(folded, max_bytes);
  folder.append(text);
  std::string out = core::is_valid_utf8(folded) ? std::move(folded) : core::repair_utf8(folded);
  out.resize(core::truncate_utf8(out, max_bytes).size());
  while (!out.empty() && out.back() == ' ') out.pop_back();  // a cut may end on a space
  return out;
}

std::string html_to_text(std::string_view html, std::size_t max_bytes) {
  if (!needs_html_parser(html)) return plain_text(html, max_bytes);
  // The markup feeds carry is mostly simple enough for one linear scan (html_fast_path.hpp),
  // which gives exactly what gumbo would or declines. It declines every "<!", so it never
  // decides on text with a "<![CDATA[" in it, and trying it first changes nothing.
  if (auto text = html_to_text_fast(html, max_bytes)) return std::move(*text);
  if (html.find("<![CDATA[") != std::string_view::npos) {
    return html_to_text(unwrap_cdata(html), max_bytes);
  }
  return html_to_text_gumbo(html, max_bytes);
}

std::string html_to_text_gumbo(std::string_view html, std::size_t max_bytes) {
  // Bound the parser's work: text past this point could never reach the output anyway
  // unless the markup is huge, and then losing its tail is the point of the cap.
  const std::string_view bounded = core::truncate_utf8(html, max_bytes * 4);
  // Valid input goes to gumbo as it is, without a copy.
  const bool valid = core::is_valid_utf8(bounded);
  const std::string repaired = valid ? std::string() : core::repair_utf8(bounded);
  OutputPtr output = parse_fragment(valid ? bounded : std::string_view(repaired));
  std::string text;
  if (output) {
    WhitespaceFolder folder(text, max_bytes);
    collect_text(output->root, folder);
  }
  text.resize(core::truncate_utf8(text, max_bytes).size());
  while (!text.empty() && text.back() == ' ') text.pop_back();  // a cut may end on a space
  return text;
}

std::string references_to_text(std::string_view text, std::size_t max_bytes) {
  if (text.find('&') == std::string_view::npos) return plain_text(text, max_bytes);
  if (text.find('<') == std::string_view::npos) return html_to_text(text, max_bytes);
  std::string escaped;  // each '<' as "&lt;"
  escaped.reserve(text.size() + 16);
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t open = std::min(text.find('<', at), text.size());
    escaped.append(text.substr(at, open - at));
    if (open == text.size()) break;
    escaped += "&lt;";
    at = open + 1;
  }
  return html_to_text(escaped, max_bytes);
}

std::string decode_html_entity(std::string_view name) {
  if (name.empty() || name.size() > 32) return {};
  const std::string reference = "&" + std::string(name) + ";";
  OutputPtr output = parse_fragment(reference);
  if (!output) return {};
  // The fragment parses to one text node under the root; whitespace entities (&nbsp;, &Tab;)
  // must come back as they are, so read the node directly rather than through the folder.
  const GumboNode* node = output->root;
  while (node != nullptr && node->type == GUMBO_NODE_ELEMENT) {
    const GumboVector& children = node->v.element.children;
    node = children.length == 1 ? static_cast<const GumboNode*>(children.data[0]) : nullptr;
  }
  if (node == nullptr || node->type == GUMBO_NODE_ELEMENT) return {};
  std::string text = node->v.text.text;
  // An unknown name comes back unchanged; only a real decoding counts. A name that starts
  // with a legacy entity that needs no semicolon ("&notit;", "&copyright;") decodes as that
  // prefix plus the rest ("¬it;"): not a decoding of the whole name either.
  if (text == reference || (text.ends_with(';') && name != "semi")) return {};
  return text;
}

}  // namespace wirewatch::parse
