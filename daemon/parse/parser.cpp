#include "parse/parser.hpp"

#include <algorithm>
#include <cctype>
#include <pugixml.hpp>

#include "parse/dialects.hpp"
#include "parse/encoding.hpp"
#include "parse/xml_names.hpp"
#include "parse/xml_repair.hpp"

namespace wirewatch::parse {
namespace {

std::string_view skip_leading_space(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  return text;
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

/// An HTML document announces itself before its first element; XML comments and the
/// declaration may come first.
bool looks_like_html(std::string_view text) {
  for (int guard = 0; guard < 16; ++guard) {
    text = skip_leading_space(text);
    if (text.starts_with("<?") || text.starts_with("<!--")) {
      const std::string_view close = text.starts_with("<?") ? "?>" : "-->";
      const auto end = text.find(close);
      if (end == std::string_view::npos) return false;
      text.remove_prefix(end + close.size());
      continue;
    }
    return starts_with_ignoring_case(text, "<!doctype html") ||
           starts_with_ignoring_case(text, "<html");
  }
  return false;
}

Result failure(std::string message, std::string encoding = {}) {
  Result result;
  result.status = Status::failed;
  result.message = std::move(message);
  result.encoding = std::move(encoding);
  return result;
}

/// The dialect of an XML document from its root element, or unknown.
core::FeedFormat sniff_xml(pugi::xml_node root, const NamespaceResolver& names) {
  const Name name = names.name_of(root);
  if (name.local == "rss") {
    const std::string_view version = root.attribute("version").value();
    return version.starts_with("0.9") ? core::FeedFormat::rss091 : core::FeedFormat::rss20;
  }
  if (name.local == "RDF") {
    for (auto child : root.children()) {
      if (child.type() != pugi::node_element) continue;
      const Name child_name = names.name_of(child);
      if (child_name.ns == Ns::rss090) return core::FeedFormat::rss090;
      if (child_name.local == "channel" || child_name.local == "item") {
        return core::FeedFormat::rss10;
      }
    }
    return core::FeedFormat::rss10;
  }
  if (name.local == "feed") {
    if (name.ns == Ns::atom03 || std::string_view(root.attribute("version").value()) == "0.3") {
      return core::FeedFormat::atom03;
    }
    if (name.ns == Ns::atom10 || name.ns == Ns::none) return core::FeedFormat::atom10;
  }
  return core::FeedFormat::unknown;
}

std::string position_message(std::string_view text, std::size_t offset, std::string_view what) {
  const auto [line, column] = line_and_column(text, offset);
  return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " +
         std::string(what);
}

/// The element of the last entry (RSS/RDF item, Atom entry) in document order, and how many
/// entry elements there are.
std::pair<pugi::xml_node, std::size_t> last_entry_element(pugi::xml_node root,
                                                          const NamespaceResolver& names) {
  pugi::xml_node last;
  std::size_t count = 0;
  auto scan = [&](pugi::xml_node parent) {
    for (auto child : parent.children()) {
      if (child.type() != pugi::node_element) continue;
      const std::string_view local = names.name_of(child).local;
      if (local == "item" || local == "entry") {
        ++count;
        if (!last || child.offset_debug() > last.offset_debug()) last = child;
      }
    }
  };
  scan(root);
  for (auto child : root.children()) {
    if (child.type() == pugi::node_element && names.name_of(child).local == "channel") {
      scan(child);
    }
  }
  return {last, count};
}

/// True when source holds the end tag of element between the element's start and `before`.
bool end_tag_seen(std::string_view source, pugi::xml_node element, std::size_t before) {
  const auto start = static_cast<std::size_t>(std::max<std::ptrdiff_t>(element.offset_debug(), 0));
  const std::string end_tag = std::string("</") + element.name();
  for (auto at = source.find(end_tag, start); at != std::string_view::npos && at < before;
       at = source.find(end_tag, at + 1)) {
    std::size_t i = at + end_tag.size();
    while (i < source.size() && std::isspace(static_cast<unsigned char>(source[i]))) ++i;
    if (i < source.size() && source[i] == '>') return true;
  }
  return false;
}

Result parse_xml(std::string_view text, std::string_view encoding, const Input& input,
                 const Limits& limits) {
  Result result;
  result.encoding = std::string(encoding);
  XmlRepair repair = repair_xml(text);
  if (repair.problem_count > 0) {
    result.status = Status::recovered;
    result.message = position_message(text, repair.first_offset, repair.first_problem);
    if (repair.problem_count > 1) {
      result.message += " (and " + std::to_string(repair.problem_count - 1) + " more)";
    }
  }
  const std::string_view source = repair.rewritten ? std::string_view(repair.repaired) : text;
  pugi::xml_document tree;
  const unsigned options = pugi::parse_default & ~pugi::parse_wconv_attribute;
  // pugixml parses in place and rewrites its buffer; `source` stays intact for error positions.
  std::string buffer(source);
  const pugi::xml_parse_result parsed =
      tree.load_buffer_inplace(buffer.data(), buffer.size(), options, pugi::encoding_utf8);
  const pugi::xml_node root = tree.document_element();
  if (!root) {
    return failure(parsed ? "no root element"
                          : position_message(source, static_cast<std::size_t>(parsed.offset),
                                             std::string("not XML: ") + parsed.description()),
                   result.encoding);
  }
  const NamespaceResolver names(root, source);
  result.document.format = sniff_xml(root, names);
  if (result.document.format == core::FeedFormat::unknown) {
    return failure(std::string("not a feed: the root element is <") + root.name() + ">",
                   result.encoding);
  }
  const DialectContext context{limits, input.base_url, names.may_have_xml_base()};
  switch (result.document.format) {
    case core::FeedFormat::atom03:
    case core::FeedFormat::atom10:
      read_atom(root, names, context, result.document);
      break;
    default:
      read_rss(root, names, context, result.document);
      break;
  }
  if (!parsed) {
    const auto error_offset = static_cast<std::size_t>(parsed.offset);
    // The entry the damage is in was cut short: its text may be truncated and its link or
    // guid missing, which would give it a different id once the feed is repaired. Only the
    // entries before the break are kept.
    const auto [last, count] = last_entry_element(root, names);
    if (last && count == result.document.entries.size() &&
        !end_tag_seen(source, last, error_offset)) {
      result.document.entries.pop_back();
    }
    // pugixml names the symptom ("Start-end tags mismatch" at the end of the input); when the
    // root element is never closed, the cause is a cut-off download, so say that.
    const std::string description =
        end_tag_seen(source, root, source.size())
            ? std::string(parsed.description())
            : std::string("the document ends before </") + root.name() + "> (truncated?)";
    const std::string what =
        position_message(source, error_offset, "not well-formed: " + description);
    if (result.document.entries.empty() && result.document.title.empty()) {
      return failure(what + "; nothing could be read before it", result.encoding);
    }
    result.status = Status::recovered;
    result.message = result.message.empty() ? what : what + "; also " + result.message;
  }
  return result;
}

}  // namespace

Result parse_feed(const Input& input, const Limits& limits) {
  if (skip_leading_space(input.body).empty()) return failure("empty document");
  Utf8Document utf8 =
      decode_to_utf8(input.body, charset_from_content_type(input.content_type), input.charset);
  const std::string_view text = skip_leading_space(utf8.text);
  if (text.empty()) return failure("empty document", utf8.encoding);
  Result result;
  if (text.front() == '{') {
    result.encoding = utf8.encoding;
    const DialectContext context{limits, input.base_url};
    if (std::string error = read_json_feed(text, context, result.document); !error.empty()) {
      return failure(std::move(error), utf8.encoding);
    }
  } else if (looks_like_html(text)) {
    return failure("an HTML page, not a feed", utf8.encoding);
  } else if (text.front() != '<') {
    return failure("not a feed: the document is neither XML nor JSON", utf8.encoding);
  } else {
    result = parse_xml(text, utf8.encoding, input, limits);
  }
  if (!utf8.warning.empty() && result.status != Status::failed) {
    result.message = result.message.empty() ? utf8.warning : result.message + "; " + utf8.warning;
  }
  return result;
}

}  // namespace wirewatch::parse
