// Charset detection and transcoding: RFC 7303 order (BOM, override, HTTP charset, XML
// declaration, UTF-8), WHATWG label mapping, and the repairs for labels that lie.
#include "parse/encoding.hpp"

#include <gtest/gtest.h>

#include <string>

namespace wirewatch::parse {
namespace {

std::string doc(std::string_view declared, std::string_view body) {
  std::string text = "<?xml version=\"1.0\"";
  if (!declared.empty()) text += " encoding=\"" + std::string(declared) + "\"";
  return text + "?><rss>" + std::string(body) + "</rss>";
}

std::string decoded(const Utf8Document& document) {
  return std::string(document.text);
}

TEST(Encoding, CharsetFromContentType) {
  EXPECT_EQ(charset_from_content_type("text/xml; charset=UTF-8"), "UTF-8");
  EXPECT_EQ(charset_from_content_type("application/rss+xml;charset=\"windows-1251\""),
            "windows-1251");
  EXPECT_EQ(charset_from_content_type("text/xml; Charset='koi8-r'; foo=bar"), "koi8-r");
  EXPECT_EQ(charset_from_content_type("text/xml"), "");
  EXPECT_EQ(charset_from_content_type(""), "");
}

TEST(Encoding, XmlDeclaration) {
  EXPECT_EQ(xml_declared_encoding("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss/>"),
            "ISO-8859-1");
  EXPECT_EQ(xml_declared_encoding("<?xml version='1.0' encoding = 'gb2312' ?>"), "gb2312");
  EXPECT_EQ(xml_declared_encoding("\n\n  <?xml version=\"1.0\" encoding=\"utf8\"?>"), "utf8");
  EXPECT_EQ(xml_declared_encoding("<?xml version=\"1.0\"?><rss encoding=\"x\"/>"), "");
  EXPECT_EQ(xml_declared_encoding("<rss/>"), "");
}

TEST(Encoding, CanonicalLabelsFollowWhatwgWhereFeedsLie) {
  EXPECT_EQ(canonical_encoding("UTF8"), "utf-8");
  EXPECT_EQ(canonical_encoding(" utf-8 "), "utf-8");
  EXPECT_EQ(canonical_encoding("ISO-8859-1"), "windows-1252");
  EXPECT_EQ(canonical_encoding("latin1"), "windows-1252");
  EXPECT_EQ(canonical_encoding("US-ASCII"), "windows-1252");
  EXPECT_EQ(canonical_encoding("GB2312"), "gb18030");
  EXPECT_EQ(canonical_encoding("GBK"), "gb18030");
  EXPECT_EQ(canonical_encoding("EUC-KR"), "windows-949");
  EXPECT_EQ(canonical_encoding("x-sjis"), "shift_jis");
  EXPECT_EQ(canonical_encoding("KOI8-R"), "koi8-r");
}

TEST(Encoding, ByteOrderMarkBeatsEveryLabel) {
  const std::string body = "\xEF\xBB\xBF" + doc("windows-1252", "\xC3\xA9");
  const Utf8Document document = decode_to_utf8(body, "iso-8859-1", "koi8-r");
  EXPECT_EQ(document.encoding, "utf-8");
  EXPECT_EQ(decoded(document), doc("windows-1252", "\xC3\xA9"));  // BOM gone, é kept
}

TEST(Encoding, Utf16WithAndWithoutByteOrderMark) {
  const std::u16string text = u"<?xml version=\"1.0\"?><rss>\u041A</rss>";
  std::string little, big;
  for (char16_t c : text) {
    little += static_cast<char>(c & 0xFF);
    little += static_cast<char>(c >> 8);
    big += static_cast<char>(c >> 8);
    big += static_cast<char>(c & 0xFF);
  }
  EXPECT_EQ(decoded(decode_to_utf8("\xFF\xFE" + little, "", "")),
            "<?xml version=\"1.0\"?><rss>\xD0\x9A</rss>");
  EXPECT_EQ(decoded(decode_to_utf8("\xFE\xFF" + big, "", "")),
            "<?xml version=\"1.0\"?><rss>\xD0\x9A</rss>");
  EXPECT_EQ(decode_to_utf8(little, "", "").encoding, "utf-16le");  // sniffed from "<?"
}

TEST(Encoding, OverrideThenHttpCharsetThenDeclaration) {
  const std::string cp1251 = doc("iso-8859-1", "\xCA\xE8\xBF\xE2");  // "Київ" in windows-1251
  EXPECT_EQ(decode_to_utf8(cp1251, "windows-1251", "").encoding, "windows-1251");
  EXPECT_EQ(decoded(decode_to_utf8(cp1251, "windows-1251", "")),
            doc("iso-8859-1", "\xD0\x9A\xD0\xB8\xD1\x97\xD0\xB2"));
  EXPECT_EQ(decode_to_utf8(cp1251, "utf-8", "windows-1251").encoding, "windows-1251");
  EXPECT_EQ(decode_to_utf8(cp1251, "", "").encoding, "windows-1252");  // the declaration
}

TEST(Encoding, Windows1252BytesLabelledLatin1) {
  // 0x93/0x94 are C1 controls in ISO-8859-1, curly quotes in windows-1252.
  const Utf8Document document = decode_to_utf8(doc("ISO-8859-1", "\x93hi\x94"), "", "");
  EXPECT_EQ(decoded(document), doc("ISO-8859-1", "\xE2\x80\x9Chi\xE2\x80\x9D"));
}

TEST(Encoding, LegacyBytesCalledUtf8DecodeAsWindows1252WithAWarning) {
  const Utf8Document document = decode_to_utf8(doc("UTF-8", "caf\xE9 \x96 ok"), "", "");
  EXPECT_EQ(document.encoding, "windows-1252");
  EXPECT_EQ(decoded(document), doc("UTF-8", "caf\xC3\xA9 \xE2\x80\x93 ok"));
  EXPECT_FALSE(document.warning.empty());
  // Without any label the same holds.
  EXPECT_EQ(decode_to_utf8(doc("", "caf\xE9"), "", "").encoding, "windows-1252");
}

TEST(Encoding, DamagedUtf8StaysUtf8) {
  // One real UTF-8 character (ü) proves the encoding; the stray byte is repaired later.
  // The result views into its input when no transcoding was needed: keep the input alive.
  const std::string input = doc("UTF-8", "\xC3\xBC caf\xE9");
  const Utf8Document document = decode_to_utf8(input, "", "");
  EXPECT_EQ(document.encoding, "utf-8");
  EXPECT_TRUE(document.warning.empty());
  EXPECT_EQ(decoded(document), doc("UTF-8", "\xC3\xBC caf\xE9"));
  // Plain ASCII is UTF-8 without a word.
  EXPECT_TRUE(decode_to_utf8(doc("", "ascii"), "", "").warning.empty());
}

TEST(Encoding, LiesAndUnknownLabelsFallBackToUtf8WithAWarning) {
  const Utf8Document utf16_label = decode_to_utf8(doc("UTF-16", "\xC3\xBC"), "", "");
  EXPECT_EQ(utf16_label.encoding, "utf-8");
  EXPECT_NE(utf16_label.warning.find("utf-16"), std::string::npos);
  const Utf8Document unknown = decode_to_utf8(doc("x-nonsense", "\xC3\xBC"), "", "");
  EXPECT_EQ(unknown.encoding, "utf-8");
  EXPECT_NE(unknown.warning.find("x-nonsense"), std::string::npos);
}

TEST(Encoding, MultiByteLegacyCharsets) {
  // "气候" in GB2312 (decoded as GB18030), Big5 "氣候", Shift_JIS "気候", EUC-KR "기후".
  EXPECT_EQ(decoded(decode_to_utf8(doc("gb2312", "\xC6\xF8\xBA\xF2"), "", "")),
            doc("gb2312", "\xE6\xB0\x94\xE5\x80\x99"));
  EXPECT_EQ(decoded(decode_to_utf8(doc("big5", "\xAE\xF0\xAD\xD4"), "", "")),
            doc("big5", "\xE6\xB0\xA3\xE5\x80\x99"));
  EXPECT_EQ(decoded(decode_to_utf8(doc("Shift_JIS", "\x8B\x43\x8C\xF3"), "", "")),
            doc("Shift_JIS", "\xE6\xB0\x97\xE5\x80\x99"));
  EXPECT_EQ(decoded(decode_to_utf8(doc("EUC-KR", "\xB1\xE2\xC8\xC4"), "", "")),
            doc("EUC-KR", "\xEA\xB8\xB0\xED\x9B\x84"));
}

}  // namespace
}  // namespace wirewatch::parse
