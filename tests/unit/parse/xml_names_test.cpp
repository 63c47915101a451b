// Namespaces by URI, not by prefix; xml:base and xml:lang scoping.
#include "parse/xml_names.hpp"

#include <gtest/gtest.h>

#include <pugixml.hpp>

namespace wirewatch::parse {
namespace {

class XmlNames : public testing::Test {
 protected:
  pugi::xml_node load(const char* text) {
    const pugi::xml_parse_result result = document_.load_string(text);
    EXPECT_TRUE(result) << result.description();
    return document_.document_element();
  }
  pugi::xml_document document_;
};

TEST(NamespaceUri, KnownUrisToleratingSchemeAndTrailingSlash) {
  EXPECT_EQ(namespace_of_uri("http://purl.org/dc/elements/1.1/"), Ns::dc);
  EXPECT_EQ(namespace_of_uri("https://purl.org/dc/elements/1.1"), Ns::dc);
  EXPECT_EQ(namespace_of_uri("http://www.w3.org/2005/Atom"), Ns::atom10);
  EXPECT_EQ(namespace_of_uri("http://purl.org/atom/ns#"), Ns::atom03);
  EXPECT_EQ(namespace_of_uri("http://search.yahoo.com/mrss/"), Ns::media);
  EXPECT_EQ(namespace_of_uri("http://www.itunes.com/DTDs/Podcast-1.0.dtd"), Ns::itunes);
  EXPECT_EQ(namespace_of_uri("http://backend.userland.com/rss2"), Ns::none);
  EXPECT_EQ(namespace_of_uri("http://example.com/whatever"), Ns::other);
  EXPECT_EQ(namespace_of_uri(""), Ns::none);
}

TEST_F(XmlNames, PrefixesResolveByUriWhateverTheirName) {
  const pugi::xml_node root = load(
      "<rss xmlns:dublin='http://purl.org/dc/elements/1.1/' xmlns:foo='http://foo.example/'>"
      "<dublin:creator/><foo:title/><title/><dc:date/><media:content/><bogus:x/></rss>");
  const NamespaceResolver names(root);
  auto child = root.first_child();
  Name name = names.name_of(child);
  EXPECT_TRUE(name.is(Ns::dc, "creator"));
  EXPECT_TRUE(name.prefixed);
  name = names.name_of(child = child.next_sibling());
  EXPECT_TRUE(name.is(Ns::other, "title"));
  name = names.name_of(child = child.next_sibling());
  EXPECT_TRUE(name.is(Ns::none, "title"));
  EXPECT_FALSE(name.prefixed);
  // Undeclared, but conventional: a feed that forgot xmlns:dc still means Dublin Core.
  EXPECT_TRUE(names.name_of(child = child.next_sibling()).is(Ns::dc, "date"));
  EXPECT_TRUE(names.name_of(child = child.next_sibling()).is(Ns::media, "content"));
  EXPECT_TRUE(names.name_of(child = child.next_sibling()).is(Ns::other, "x"));
}

TEST_F(XmlNames, DefaultNamespacesAndDeclarationsBelowTheRoot) {
  const pugi::xml_node root = load(
      "<feed xmlns='http://www.w3.org/2005/Atom'><entry><title/>"
      "<author xmlns='http://purl.org/dc/elements/1.1/'><name/></author>"
      "<c:encoded xmlns:c='http://purl.org/rss/1.0/modules/content/'/></entry></feed>");
  const NamespaceResolver names(root);
  EXPECT_TRUE(names.name_of(root).is(Ns::atom10, "feed"));
  const pugi::xml_node entry = root.first_child();
  EXPECT_TRUE(names.name_of(entry.child("title")).is(Ns::atom10, "title"));
  EXPECT_TRUE(names.name_of(entry.child("author").child("name")).is(Ns::dc, "name"));
  EXPECT_TRUE(names.name_of(entry.child("c:encoded")).is(Ns::content, "encoded"));
}

TEST(ConventionalNamespace, KnownPrefixes) {
  EXPECT_EQ(conventional_namespace("dc"), Ns::dc);
  EXPECT_EQ(conventional_namespace("content"), Ns::content);
  EXPECT_EQ(conventional_namespace("atom"), Ns::atom10);
  EXPECT_EQ(conventional_namespace("wfw"), Ns::other);
}

TEST_F(XmlNames, XmlBaseChainsFromTheOutermost) {
  const pugi::xml_node root = load(
      "<feed xml:base='https://a.example/blog/'><entry xml:base='posts/'>"
      "<link xml:base='/root/'/><other/></entry><plain/></feed>");
  const pugi::xml_node entry = root.child("entry");
  EXPECT_EQ(effective_base(entry.child("link"), "https://doc.example/feed"),
            "https://a.example/root/");
  EXPECT_EQ(effective_base(entry.child("other"), ""), "https://a.example/blog/posts/");
  EXPECT_EQ(effective_base(root.child("plain"), "https://doc.example/feed"),
            "https://a.example/blog/");
}

TEST_F(XmlNames, XmlLangIsInherited) {
  const pugi::xml_node root =
      load("<feed xml:lang='en'><entry xml:lang='fr'><t/></entry><entry><t/></entry></feed>");
  EXPECT_EQ(effective_language(root.first_child().child("t")), "fr");
  EXPECT_EQ(effective_language(root.last_child().child("t")), "en");
}

TEST_F(XmlNames, TextHelpers) {
  const pugi::xml_node root = load("<t>a<![CDATA[<b>]]>c<i>x</i></t>");
  EXPECT_EQ(direct_text(root), "a<b>c");
  EXPECT_TRUE(has_element_children(root));
  EXPECT_EQ(inner_xml(root), "a<![CDATA[<b>]]>c<i>x</i>");
}

}  // namespace
}  // namespace wirewatch::parse
