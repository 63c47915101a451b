#include "classify/text.hpp"

#include <gtest/gtest.h>

namespace wirewatch::classify {
namespace {

TEST(Fold, LowercasesAndStripsDiacritics) {
  EXPECT_EQ(fold("Cancún SUMMIT"), " cancun summit ");
  EXPECT_EQ(fold("Réunion ministérielle"), " reunion ministerielle ");
  EXPECT_EQ(fold("Hội nghị thượng đỉnh"), " hoi nghi thuong dinh ");
  EXPECT_EQ(fold("Straße Øresund Łódź"), " strasse oresund lodz ");
}

TEST(Fold, AppliesCompatibilityForms) {
  EXPECT_EQ(fold("ＣＯＰ２８"), " cop28 ");
  EXPECT_EQ(fold("ﬁnance"), " finance ");
  EXPECT_EQ(fold("e\u0301missions"), " emissions ");  // decomposed accent
}

TEST(Fold, CollapsesPunctuationAndSpaces) {
  EXPECT_EQ(fold("  loss-and-damage\u2014fund!! "), " loss and damage fund ");
  EXPECT_EQ(fold("leaders\u2019 summit"), " leaders summit ");
  EXPECT_EQ(fold(""), " ");
  EXPECT_EQ(fold("?!"), " ");
}

TEST(Fold, JoinsAbbreviationsAndNumbers) {
  EXPECT_EQ(fold("U.N. talks"), " un talks ");
  EXPECT_EQ(fold("the U.S.-China deal"), " the us china deal ");
  EXPECT_EQ(fold("1.5C and Article 6.4."), " 15c and article 64 ");
  EXPECT_EQ(fold("end. Next"), " end next ");
}

TEST(Fold, SetsUnspacedScriptsApartFromLatinWords) {
  EXPECT_EQ(fold("在COP28上"), " 在 cop28 上 ");
  EXPECT_EQ(fold("中欧领导人会晤"), " 中欧领导人会晤 ");
  EXPECT_EQ(fold("APEC峰会。"), " apec 峰会 ");
}

TEST(Fold, TreatsIllFormedUtf8AsASeparator) {
  EXPECT_EQ(fold("cop\xFF"
                 "28"),
            " cop 28 ");
  EXPECT_EQ(fold("\xC3"), " ");
}

TEST(FoldedText, CountsWordsAndCjkCharacters) {
  FoldedText folded;
  fold_text("Leaders met 在峰会", folded);
  ASSERT_EQ(folded.word_starts.size(), 5u);  // leaders, met, 在, 峰, 会
  EXPECT_EQ(folded.word_at(folded.word_starts[1]), 1u);
  EXPECT_EQ(folded.word_at(folded.word_starts[1] + 2), 1u);
  EXPECT_EQ(folded.word_at(folded.word_starts[4]), 4u);
}

TEST(TermPattern, KeepsBoundarySpacesForSpacedScripts) {
  EXPECT_EQ(term_pattern("COP28", false), " cop28 ");
  EXPECT_EQ(term_pattern("Loss and Damage Fund", false), " loss and damage fund ");
}

TEST(TermPattern, PrefixTermsHaveNoTrailingBoundary) {
  EXPECT_EQ(term_pattern("negotiat", true), " negotiat");
}

TEST(TermPattern, CjkTermsMatchAsSubstrings) {
  EXPECT_EQ(term_pattern("峰会", false), "峰会");
  EXPECT_EQ(term_pattern("COP28大会", false), " cop28 大会");
  EXPECT_EQ(term_pattern("第28届COP", false), "第 28 届 cop ");
}

TEST(TermPattern, EmptyWithoutLettersOrDigits) {
  EXPECT_EQ(term_pattern("--", false), "");
  EXPECT_EQ(term_pattern("", false), "");
}

}  // namespace
}  // namespace wirewatch::classify
