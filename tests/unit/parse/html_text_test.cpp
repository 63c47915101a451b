// HTML (and plain text) to one line of plain text: tags, entities, whitespace, caps.
#include "parse/html_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace wirewatch::parse {
namespace {

constexpr std::size_t kBig = 1 << 20;

std::string text(std::string_view html) {
  return html_to_text(html, kBig);
}

TEST(HtmlText, TagsStrippedBlocksSeparateInlineJoins) {
  EXPECT_EQ(text("<p>One</p><p>Two<br>Three</p><ul><li>a</li><li>b</li></ul>"),
            "One Two Three a b");
  EXPECT_EQ(text("Word<b>join</b>ed <a href=\"/x\">link</a>."), "Wordjoined link.");
  EXPECT_EQ(text("<table><tr><td>1</td><td>2</td></tr></table>"), "1 2");
}

TEST(HtmlText, ScriptStyleAndFriendsAreDropped) {
  EXPECT_EQ(text("<style>p{}</style><script>alert('<p>x</p>')</script>Visible"
                 "<noscript>ns</noscript><iframe src=x></iframe><svg><text>s</text></svg>"),
            "Visible");
  EXPECT_EQ(text("a<!-- comment -->b"), "ab");
}

TEST(HtmlText, EntitiesDecoded) {
  EXPECT_EQ(text("caf&eacute; &amp; cr&egrave;me &mdash; &#8217;&#x2019; &copy"),
            "caf\xC3\xA9 & cr\xC3\xA8me \xE2\x80\x94 \xE2\x80\x99\xE2\x80\x99 \xC2\xA9");
  EXPECT_EQ(text("&lt;b&gt; is text"), "<b> is text");
  EXPECT_EQ(text("5 < 6 and 7 > 3"), "5 < 6 and 7 > 3");
}

TEST(HtmlText, WhitespaceCollapsedAndTrimmed) {
  EXPECT_EQ(text("  a \t\n b&nbsp;&nbsp;c\xC2\xA0 "), "a b c");
  EXPECT_EQ(text("<p>  </p>"), "");
  // Ideographic space is not collapsed: it is part of CJK typography.
  EXPECT_EQ(text("\xE4\xBC\x9A\xE3\x80\x80\xE8\xAB\x87"), "\xE4\xBC\x9A\xE3\x80\x80\xE8\xAB\x87");
}

TEST(HtmlText, C1ControlsAreWindows1252Characters) {
  // U+0093 U+0094 (from &#147;&#148; or a Latin-1 decoder) → curly quotes; U+0081 dropped.
  EXPECT_EQ(text("\xC2\x93hi\xC2\x94 \xC2\x80 \xC2\x81"),
            "\xE2\x80\x9Chi\xE2\x80\x9D \xE2\x82\xAC");
  EXPECT_EQ(plain_text("\xC2\x96", kBig), "\xE2\x80\x93");
}

TEST(HtmlText, LiteralCdataMarkersAreUnwrapped) {
  EXPECT_EQ(text("<![CDATA[Title & <more>]]>"), "Title & <more>");
  EXPECT_EQ(text("a <![CDATA[b]]> c <![CDATA[unterminated"), "a b c unterminated");
}

TEST(HtmlText, InvalidUtf8IsRepaired) {
  EXPECT_EQ(text("caf\xE9 <b>x</b>"), "caf\xEF\xBF\xBD x");
  EXPECT_EQ(plain_text("caf\xE9", kBig), "caf\xEF\xBF\xBD");
}

TEST(HtmlText, CapCutsAtACharacterBoundaryWithoutATrailingSpace) {
  // "€uro " is 7 bytes; a cap of 8 falls inside the second €.
  EXPECT_EQ(html_to_text("\xE2\x82\xACuro \xE2\x82\xACuro", 8), "\xE2\x82\xACuro");
  EXPECT_EQ(plain_text("\xE2\x82\xACuro \xE2\x82\xACuro", 9), "\xE2\x82\xACuro");
  EXPECT_EQ(html_to_text("<p>\xE2\x82\xAC\xE2\x82\xAC</p>", 4), "\xE2\x82\xAC");
  EXPECT_EQ(plain_text("abcdef", 3), "abc");
}

TEST(HtmlText, DeepNestingDoesNotOverflowTheStack) {
  std::string html;
  for (int i = 0; i < 50000; ++i) html += "<div>";
  html += "deep";
  EXPECT_EQ(text(html), "deep");
}

TEST(HtmlText, PlainTextKeepsMarkupAndReferences) {
  EXPECT_EQ(plain_text("  <b>not bold</b> &amp;  literal ", kBig), "<b>not bold</b> &amp; literal");
}

TEST(HtmlText, ReferencesToTextDecodesButKeepsTags) {
  EXPECT_EQ(references_to_text("Use <b> &amp; &#8220;x&#8221;  now", kBig),
            "Use <b> & \xE2\x80\x9Cx\xE2\x80\x9D now");
  EXPECT_EQ(references_to_text("no refs <i>", kBig), "no refs <i>");
}

TEST(HtmlText, DecodeHtmlEntity) {
  EXPECT_EQ(decode_html_entity("eacute"), "\xC3\xA9");
  EXPECT_EQ(decode_html_entity("nbsp"), "\xC2\xA0");
  EXPECT_EQ(decode_html_entity("hellip"), "\xE2\x80\xA6");
  EXPECT_EQ(decode_html_entity("notanentity"), "");  // not "¬anentity;" (legacy &not)
  EXPECT_EQ(decode_html_entity("copyright"), "");
  EXPECT_EQ(decode_html_entity("semi"), ";");
  EXPECT_EQ(decode_html_entity(""), "");
}

}  // namespace
}  // namespace wirewatch::parse
