// Entity repair before pugixml: HTML entities, unknown entities, bare ampersands, control
// characters, forbidden character references, and what a DOCTYPE declares.
#include "parse/xml_repair.hpp"

#include <gtest/gtest.h>

#include <string>

namespace wirewatch::parse {
namespace {

/// The text pugixml will see.
std::string repaired(std::string_view text) {
  XmlRepair repair = repair_xml(text);
  return repair.rewritten ? repair.repaired : std::string(text);
}

TEST(XmlRepair, WellFormedTextIsLeftAlone) {
  const std::string text =
      "<t a=\"x&amp;y\">&lt;b&gt; &#233; &#x1F600; &quot;&apos;</t><![CDATA[&nbsp; & <]]>"
      "<!-- & --><?pi & ?>";
  const XmlRepair repair = repair_xml(text);
  EXPECT_FALSE(repair.rewritten);
  EXPECT_EQ(repair.problem_count, 0u);
  EXPECT_TRUE(repair.repaired.empty());
}

TEST(XmlRepair, HtmlEntitiesBecomeNumericReferences) {
  const XmlRepair repair = repair_xml("<t>caf&eacute;&nbsp;&mdash;&hellip;</t>");
  EXPECT_TRUE(repair.rewritten);
  EXPECT_EQ(repair.repaired, "<t>caf&#233;&#160;&#8212;&#8230;</t>");
  EXPECT_EQ(repair.problem_count, 4u);
  EXPECT_EQ(repair.first_offset, 6u);
  EXPECT_EQ(repair.first_problem, "undeclared entity &eacute;");
}

TEST(XmlRepair, MultiCodePointEntities) {
  // &NotEqualTilde; is U+2242 U+0338.
  EXPECT_EQ(repaired("<t>&NotEqualTilde;</t>"), "<t>&#8770;&#824;</t>");
}

TEST(XmlRepair, UnknownEntitiesAndBareAmpersandsBecomeLiteral) {
  EXPECT_EQ(repaired("<t>AT&T &foo; &bar baz Q&A;</t>"),
            "<t>AT&amp;T &amp;foo; &amp;bar baz Q&amp;A;</t>");
  // A name that merely starts with a legacy entity (&not, &copy) is not that entity.
  EXPECT_EQ(repaired("<t>&notanentity; &copyright;</t>"),
            "<t>&amp;notanentity; &amp;copyright;</t>");
  EXPECT_EQ(repaired("<link>https://x.example/?a=1&b=2&amp;c=3</link>"),
            "<link>https://x.example/?a=1&amp;b=2&amp;c=3</link>");
  EXPECT_EQ(repair_xml("<t>a & b</t>").first_problem, "bare '&' not starting an entity");
}

TEST(XmlRepair, ControlCharactersAreDropped) {
  const XmlRepair repair = repair_xml(
      "<t>a\x01"
      "b\x0B"
      "c\td\ne\rf</t>");
  EXPECT_EQ(repair.repaired, "<t>abc\td\ne\rf</t>");
  EXPECT_EQ(repair.problem_count, 2u);
  EXPECT_EQ(repair.first_problem, "control character U+0001");
}

TEST(XmlRepair, ReferencesToForbiddenCharactersBecomeReplacementCharacters) {
  EXPECT_EQ(repaired("<t>&#0;&#xD800;&#x110000;&#99999999999;&#65;</t>"),
            "<t>&#xFFFD;&#xFFFD;&#xFFFD;&#xFFFD;&#65;</t>");
  EXPECT_EQ(repair_xml("<t>&#1;</t>").problem_count, 1u);
  EXPECT_EQ(repair_xml("<t>&#x9;&#10;&#13;&#x10FFFF;</t>").problem_count, 0u);
}

TEST(XmlRepair, InternalSubsetEntitiesAreExpandedWithoutComplaint) {
  const XmlRepair repair = repair_xml(
      "<!DOCTYPE rss [<!ENTITY site \"Example &amp; Co\"><!ENTITY % pe \"x\">"
      "<!ENTITY my-dash '&#8212;'>]><rss>&site;&my-dash;&other;</rss>");
  EXPECT_TRUE(repair.rewritten);
  EXPECT_NE(repair.repaired.find("<rss>Example &amp; Co&#8212;&amp;other;</rss>"),
            std::string::npos);
  EXPECT_EQ(repair.problem_count, 1u);  // only &other;
  EXPECT_EQ(repair.first_problem, "undeclared entity &other;");
}

TEST(XmlRepair, AnExternalDtdMayDeclareHtmlEntities) {
  const XmlRepair repair = repair_xml(
      "<!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS 0.91//EN\" "
      "\"http://my.netscape.com/publish/formats/rss-0.91.dtd\"><rss>caf&eacute; &unknown;</rss>");
  EXPECT_NE(repair.repaired.find("caf&#233; &amp;unknown;"), std::string::npos);
  EXPECT_EQ(repair.problem_count, 1u);  // &eacute; is fine, &unknown; is not
}

TEST(XmlRepair, ExpansionIsBounded) {
  // A billion-laughs shape: values are inserted once, never expanded again, and the total
  // is capped, so the output stays small.
  std::string text = "<!DOCTYPE r [<!ENTITY a \"" + std::string(4000, 'x') + "\">]><r>";
  for (int i = 0; i < 1000; ++i) text += "&a;";
  text += "</r>";
  const XmlRepair repair = repair_xml(text);
  EXPECT_LT(repair.repaired.size(), 2u << 20);
  EXPECT_GT(repair.problem_count, 0u);  // past the cap, references are left as text
}

TEST(XmlRepair, LineAndColumnCountCharactersNotBytes) {
  const std::string text =
      "ab\nc\xC3\xA9"
      "d&x";
  EXPECT_EQ(line_and_column(text, 0), (std::pair<std::size_t, std::size_t>{1, 1}));
  EXPECT_EQ(line_and_column(text, 3), (std::pair<std::size_t, std::size_t>{2, 1}));
  EXPECT_EQ(line_and_column(text, 7), (std::pair<std::size_t, std::size_t>{2, 4}));
}

}  // namespace
}  // namespace wirewatch::parse
