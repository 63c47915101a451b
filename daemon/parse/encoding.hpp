// Character encodings: find the document's charset (RFC 7303 order) and transcode to UTF-8
// with ICU, before pugixml (which only decodes UTF-8/16/32) or nlohmann-json see the bytes.
#pragma once

#include <string>
#include <string_view>

namespace wirewatch::parse {

/// A document as UTF-8. `text` points into `storage` after a transcode, or into the caller's
/// buffer (minus any BOM) when the bytes were UTF-8 already.
struct Utf8Document {
  std::string storage;
  std::string_view text;
  std::string encoding;  // the canonical name decoded from, e.g. "utf-8", "windows-1252"
  std::string warning;   // e.g. "unknown charset \"x-foo\"; decoded as UTF-8"
};

/// The charset parameter of a Content-Type header value ("text/xml; charset=UTF-8" → "UTF-8").
std::string_view charset_from_content_type(std::string_view content_type);

/// The encoding named in an XML declaration at the start of text, or empty.
std::string_view xml_declared_encoding(std::string_view text);

/// Maps a charset label to the decoder wirewatch uses for it, following the WHATWG Encoding
/// Standard where feeds lie (ISO-8859-1 and ASCII → windows-1252, GB2312/GBK → GB18030,
/// EUC-KR → windows-949); lowercase, "utf8" → "utf-8".
std::string canonical_encoding(std::string_view label);

/// Decodes body following RFC 7303: a BOM wins, then the override, then the HTTP charset,
/// then the XML declaration, then UTF-8.
Utf8Document decode_to_utf8(std::string_view body, std::string_view http_charset,
                            std::string_view override_charset);

}  // namespace wirewatch::parse
