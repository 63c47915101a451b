// The HTML fast path: whenever it decides, its text equals the gumbo path's byte for byte; it
// decides for the markup feeds typically carry; it declines what a linear scan cannot know.
#include "parse/html_fast_path.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "parse/html_text.hpp"

namespace wirewatch::parse {
namespace {

constexpr std::size_t kBig = 256 * 1024;

// Caps small enough to cut inside words, references and multi-byte characters.
constexpr std::array<std::size_t, 10> kCaps{kBig, 0, 1, 2, 3, 4, 5, 9, 17, 40};

/// Markup as feeds carry it: WordPress, Drupal, news CMSs, Atom type="html", JSON content_html.
const std::vector<std::string_view> kTypicalFeedHtml{
    "<p>The summit opened on Monday.</p><p>Leaders met for talks.</p>",
    "<p><strong>Breaking:</strong> Envoys meet ahead of COP28 &mdash; talks "
    "<a href=\"https://example.com/a?b=1&amp;c=2\">continue</a> &hellip;</p>",
    "<p>BEIJING (Reuters) \xE2\x80\x94 China&#8217;s climate envoy said on Tuesday&#8230;</p>\n"
    "<p>&ldquo;We are ready,&rdquo; he said.</p>",
    "<div class=\"field-item\"><p>Caf&eacute; owners in S&atilde;o Paulo</p></div>",
    "<p><img src=\"https://cdn.example.com/i.jpg\" alt=\"Leaders\" width=\"640\" height=\"360\" "
    "/></p><p>Photo: AP</p>",
    "<figure><img src=\"/img/x.jpg\" alt=\"Paris\"/><figcaption>Paris</figcaption></figure>",
    "Read&nbsp;more at <a href='https://example.org/' target=_blank rel=noopener>Example</a>",
    "<ul>\n<li>First point</li>\n<li>Second point</li>\n</ul>\n<p>After the list.</p>",
    "<ol><li>one<li>two<li>three</ol>",
    "<h2>Heading</h2><p>Text with <em>emphasis</em>, <i>italics</i> and <b>bold</b>.</p>",
    "<blockquote><p>Quoted words.</p></blockquote><p>&copy; 2023 Example News</p>",
    "Line one<br>Line two<br/>Line three<br />",
    "<p>Temperatures rose 1.5&#176;C &ndash; a record, scientists said.</p>",
    "<p>Price: &pound;10 / &euro;12 / $13</p>",
    "<span style=\"color:red\">Red</span><span>Joined</span> text",
    "<p>H<sub>2</sub>O and E=mc<sup>2</sup></p>",
    "<p>Tom &amp; Jerry &lt;3 &quot;quotes&quot; &apos;apostrophes&apos;</p>",
    "<div><div><p>Nested <a href=\"/x\"><strong>strong link</strong></a> text.</p></div></div>",
    "<p>Multiple     spaces\tand\ttabs\r\nand newlines</p>",
    "<p>Unclosed paragraph<p>Another one",
    "<pre>  code\n  block  </pre><p>after</p>",
    "<dl><dt>Term</dt><dd>Definition</dd></dl>",
    "<p>Non-breaking\xC2\xA0space and emoji \xF0\x9F\x8C\x8D in text</p>",
    "<hr><p>Under a rule</p><hr/>",
    "<p>A <time datetime=\"2023-11-09\">Thursday</time> meeting at <abbr title=\"Asia-Pacific "
    "Economic Cooperation\">APEC</abbr>.</p>",
    "<video controls><source src=\"v.mp4\" type=\"video/mp4\">Your browser</video>",
    "<P CLASS=\"lead\">Upper-case tags</P>",
    "<p>Caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E \xD0\xA0\xD1\x83\xD1\x81</p>",
};

/// Cases chosen to sit on the edges of what the fast path models; it may decide or decline
/// each, but must never differ from gumbo.
const std::vector<std::string_view> kTrickyHtml{
    "",
    " ",
    "&",
    "& ",
    "a & b",
    "&&",
    "&<p>",
    "a&",
    "<p>&</p>",
    "x&#65;y",
    "&#x41;&#X42;",
    "&#9;a&#10;b&#12;c&#32;d",
    "&#160;lead",
    "trail&#160;",
    "&nbsp;&nbsp;x&nbsp;",
    "&#xA0;",
    "&#8217;&#x2019;",
    "&#128512;",
    "&#x1F600;",
    "&#00065;",
    "&#0065",
    "&#x;",
    "&#;",
    "&#a;",
    "&amp",
    "&ampx;",
    "&notit;",
    "&copy",
    "&Eacute;&eacute;",
    "&AMP;",
    "&lt&gt",
    "&hellip;x",
    "<p>a</p>b",
    "a<p>b",
    "<p>a<div>b</div>c</p>",
    "<p>a</span>b</p>",
    "</p>",
    "a</p>b",
    "</div>x",
    "</b>x",
    "</li>x",
    "</br>",
    "</hr>x",
    "</img>x",
    "<b><b><b><b>x</b></b></b></b>y",
    "<b>a<i>b</b>c</i>",
    "<a href=x>a<a href=y>b</a>",
    "<nobr>a<nobr>b",
    "<p><b>x</p>y",
    "<li>a<li>b",
    "<ul><li>a<ul><li>b</ul></ul>",
    "<li><p>a<li>b",
    "<li><div>a<li>b",
    "<dt>a<dd>b<dt>c",
    "<dd>a<dt>b",
    "<h1>a<h2>b</h2>",
    "<h1>a</h2>b",
    "<h2>a</h2>b</h3>c",
    "<p>a<h1>b</h1>",
    "<p>x<hr>y",
    "<p>x<pre>\ny</pre>",
    "<pre>\n\nx</pre>",
    "<br/><br/>x",
    "x<wbr>y",
    "x<img>y",
    "<img src=\"a>b\">x",
    "<img alt='\"'>x",
    "<a title=\"&amp;&lt;\">x</a>",
    "<a href=\"x\"title=\"y\">z</a>",
    "<a href=x/>y",
    "<a href= x >y</a>",
    "<a b c d>x</a>",
    "<a =x>y",
    "<a\"b>x",
    "<a b=\"c>x",
    "<a b='c'/d>x",
    "<p/>x",
    "<span/>x</span>y",
    "<p\n>x</p\t>",
    "</p foo>x",
    "</ p>x",
    "< p>x",
    "<1>x",
    "<>x",
    "</>x",
    "<!-- c -->x",
    "<!DOCTYPE html>x",
    "<?xml?>x",
    "<![CDATA[x]]>",
    "<script>x</script>y",
    "<style>p{}</style>y",
    "<table><tr><td>x</td></tr></table>",
    "<textarea>x</textarea>",
    "<title>t</title>x",
    "<svg><text>x</text></svg>",
    "<select><option>x</select>",
    "<custom-el>x</custom-el>",
    "<foo>x</foo>",
    "<main>x</main>",
    "<form>x</form>",
    "<button>x</button>",
    "<body>x",
    "<html>x",
    "<head>x",
    "<plaintext>x",
    "<xmp><b></xmp>",
    "<noscript>x</noscript>",
    "<iframe>x</iframe>",
    "<object>x</object>",
    "<input value=x>y",
    "a\x01b",
    "a\x7F b",
    "a\x0B b",
    "a\0b",
    "a\x80\x80",
    "\xC2\x85x",
    "\xC0\xAF",
    "\xED\xA0\x80",
    "\xF4\x90\x80\x80",
    "\xEF\xBB\xBFx",
    "\xEF\xBF\xBEx",
    "\xEF\xB7\x90x",
    "\xE2\x80",
    "\xE2\x80\x94",
    "a\r\nb\rc",
    "<p>\xC2\xA0</p>",
    "x\xC2\xA0\xC2\xA0y",
    "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9",
    "<b>\xE6\x97\xA5</b>\xE6\x9C\xAC",
    "a <b> b </b> c",
    " <p> x </p> ",
    "<div></div>x<div></div>",
    "<span>a</span> <span>b</span>",
    "<em>a</em><em>b</em>",
    "a<br>",
    "<p>a",
    "<p",
    "<p ",
    "<a href=\"x",
    "<a href=x",
    "x</",
    "x<",
    "&#",
    "&#x",
    "&#1",
    "&#1114112;",
    "&#1114111;",
    "&#xD800;",
    "&#xDFFF;",
    "&#x80;",
    "&#x9F;",
    "&#150;",
    "&#0;",
    "&#13;",
    "&#x7F;",
    "&#xFDD0;",
    "&#xFFFE;",
    "&#x10FFFF;",
    "&#xFEFF;",
};

void expect_equal_or_declined(std::string_view html) {
  for (std::size_t cap : kCaps) {
    const auto fast = html_to_text_fast(html, cap);
    if (!fast) continue;
    EXPECT_EQ(*fast, html_to_text_gumbo(html, cap)) << "html: [" << html << "] max_bytes " << cap;
  }
}

TEST(HtmlFastPath, TypicalFeedHtmlIsDecidedAndEqualsGumbo) {
  for (std::string_view html : kTypicalFeedHtml) {
    const auto fast = html_to_text_fast(html, kBig);
    ASSERT_TRUE(fast.has_value()) << "declined typical HTML: [" << html << "]";
    EXPECT_EQ(*fast, html_to_text_gumbo(html, kBig)) << "html: [" << html << "]";
    expect_equal_or_declined(html);
  }
}

TEST(HtmlFastPath, TrickyInputsNeverDiffer) {
  for (std::string_view html : kTrickyHtml) expect_equal_or_declined(html);
}

TEST(HtmlFastPath, ConcatenationsOfCasesNeverDiffer) {
  // Pairs put each case after another's open elements and pending spaces.
  std::vector<std::string_view> all = kTypicalFeedHtml;
  all.insert(all.end(), kTrickyHtml.begin(), kTrickyHtml.end());
  for (std::size_t i = 0; i < all.size(); ++i) {
    for (std::size_t j = 0; j < all.size(); j += 7) {
      const std::string html = std::string(all[i]) + std::string(all[(i + j) % all.size()]);
      const auto fast = html_to_text_fast(html, kBig);
      if (fast) {
        EXPECT_EQ(*fast, html_to_text_gumbo(html, kBig)) << "html: [" << html << "]";
      }
    }
  }
}

TEST(HtmlFastPath, DecodesCommonReferencesThroughGumbo) {
  EXPECT_EQ(html_to_text_fast("a&hellip;b&mdash;c&rsquo;d&eacute;&amp;&lt;&gt;", kBig),
            "a\xE2\x80\xA6"
            "b\xE2\x80\x94"
            "c\xE2\x80\x99"
            "d\xC3\xA9&<>");
  EXPECT_EQ(html_to_text_fast("x&nbsp;&nbsp;y&#160;z", kBig), "x y z");
  EXPECT_EQ(html_to_text_fast("&#8220;Q&#x201D;", kBig), "\xE2\x80\x9CQ\xE2\x80\x9D");
}

TEST(HtmlFastPath, SeparatesBlocksAndJoinsInlineLikeTheTreeWalk) {
  EXPECT_EQ(html_to_text_fast("<p>One</p><p>Two<br>Three</p><ul><li>a</li><li>b</li></ul>", kBig),
            "One Two Three a b");
  EXPECT_EQ(html_to_text_fast("Word<b>join</b>ed <a href=\"/x\">link</a>.", kBig),
            "Wordjoined link.");
  EXPECT_EQ(html_to_text_fast("x<img src=a.jpg>y", kBig), "x y");
  EXPECT_EQ(html_to_text_fast("a</div>b", kBig), "ab");  // ignored by the tree builder
  EXPECT_EQ(html_to_text_fast("a</p>b", kBig), "a b");   // an empty <p> appears
}

TEST(HtmlFastPath, CapCutsAtACharacterBoundaryLikeTheGumboPath) {
  const std::string html = "\xC3\xA9\xC3\xA9&lt;\xC3\xA9";  // "éé<é", 10 bytes of input
  for (std::size_t cap = 3; cap < 10; ++cap) {
    const auto fast = html_to_text_fast(html, cap);
    ASSERT_TRUE(fast.has_value()) << cap;
    EXPECT_EQ(*fast, html_to_text_gumbo(html, cap)) << cap;
    EXPECT_LE(fast->size(), cap);
  }
  EXPECT_EQ(html_to_text_fast(html, 3), "\xC3\xA9");
  // Past the gumbo path's input bound (4 × the cap) the two could differ: declined.
  EXPECT_FALSE(html_to_text_fast(html, 2).has_value());
}

TEST(HtmlFastPath, DeclinesWhatALinearScanCannotKnow) {
  for (std::string_view html : {"a<!-- c -->b",
                                "<!DOCTYPE html>x",
                                "<?php x ?>",
                                "<![CDATA[x]]>",
                                "<script>x</script>",
                                "<style>x</style>",
                                "<template>x</template>",
                                "<noscript>x</noscript>",
                                "<iframe>x</iframe>",
                                "<object>x</object>",
                                "<embed src=x>",
                                "<svg>x</svg>",
                                "<math>x</math>",
                                "<head>x",
                                "<title>x</title>",
                                "<textarea>x</textarea>",
                                "<xmp>x</xmp>",
                                "<plaintext>x",
                                "<noembed>x</noembed>",
                                "<noframes>x</noframes>",
                                "<select>x</select>",
                                "<table><td>x</table>",
                                "5 < 6",
                                "a <= b",
                                "<3",
                                "&foo;",
                                "&amp",
                                "&#0;",
                                "&#xD800;",
                                "&#x110000;",
                                "&#150;",
                                "&#x80;",
                                "a\xFF",
                                "\xC2\x85",
                                "a\x01",
                                "<b>a<i>b</b>c</i>",
                                "<p><b>x</p>y",
                                "<a>x<a>y",
                                "<custom-element>x</custom-element>",
                                "</br>"}) {
    EXPECT_FALSE(html_to_text_fast(html, kBig).has_value()) << "html: [" << html << "]";
  }
}

TEST(HtmlFastPath, InlineListIsTheTreeWalks) {
  // html_text.cpp's tree walk and the fast path share is_inline_tag; spot-check its meaning.
  EXPECT_EQ(html_to_text_gumbo("a<span>b</span>c<div>d</div>e", kBig), "abc d e");
  EXPECT_EQ(html_to_text_fast("a<span>b</span>c<div>d</div>e", kBig), "abc d e");
}

}  // namespace
}  // namespace wirewatch::parse
