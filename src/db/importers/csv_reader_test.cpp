#include "db/importers/csv_reader.hpp"

#include <gtest/gtest.h>

#include "testing/testing.hpp"

namespace fastbreak::db::detail {
namespace {

using Rows = std::vector<std::vector<std::string>>;

// Reads every record, with the line each starts on.
Result<std::pair<Rows, std::vector<int64_t>>> ReadAll(std::string text) {
  CsvReader reader(std::move(text));
  Rows rows;
  std::vector<int64_t> lines;
  std::vector<std::string> fields;
  while (true) {
    FB_ASSIGN_OR_RETURN(bool more, reader.Next(fields));
    if (!more) break;
    rows.push_back(fields);
    lines.push_back(reader.line());
  }
  return std::make_pair(rows, lines);
}

TEST(CsvReaderTest, ReadsPlainFieldsAndEmptyOnes) {
  auto result = ReadAll("a,b,c\n1,,3\n,,\n");
  ASSERT_OK(result);
  EXPECT_EQ(result->first, (Rows{{"a", "b", "c"}, {"1", "", "3"}, {"", "", ""}}));
  EXPECT_EQ(result->second, (std::vector<int64_t>{1, 2, 3}));
}

TEST(CsvReaderTest, HandlesQuotesEscapedQuotesAndEmbeddedNewlines) {
  auto result =
      ReadAll("name,note\r\n\"Smith, J\",\"said \"\"hi\"\"\"\r\n\"two\nlines\",x\r\nlast,\"\"");
  ASSERT_OK(result);
  EXPECT_EQ(
      result->first,
      (Rows{{"name", "note"}, {"Smith, J", "said \"hi\""}, {"two\nlines", "x"}, {"last", ""}}));
  // The record after the two-line field starts on line 5.
  EXPECT_EQ(result->second, (std::vector<int64_t>{1, 2, 3, 5}));
}

TEST(CsvReaderTest, SkipsByteOrderMarkAndEmptyLines) {
  auto result = ReadAll(
      "\xEF\xBB\xBF"
      "date,team\n\n2023-01-01,BOS\n\n");
  ASSERT_OK(result);
  EXPECT_EQ(result->first, (Rows{{"date", "team"}, {"2023-01-01", "BOS"}}));
  EXPECT_EQ(result->second, (std::vector<int64_t>{1, 3}));
}

TEST(CsvReaderTest, KeepsAStrayQuoteInsideAnUnquotedField) {
  auto result = ReadAll("O'Neal,6'1\"\n");
  ASSERT_OK(result);
  EXPECT_EQ(result->first, (Rows{{"O'Neal", "6'1\""}}));
}

TEST(CsvReaderTest, RejectsAnUnterminatedQuoteWithItsLine) {
  auto result = ReadAll("a,b\n1,\"open\n2,3\n");
  EXPECT_ERROR(result, ErrorCode::kParseError);
  EXPECT_NE(result.error().message.find("opened on line 2"), std::string::npos)
      << result.error().message;
}

TEST(CsvReaderTest, RejectsTextAfterAClosingQuote) {
  auto result = ReadAll("a,b\n\"x\"y,1\n");
  EXPECT_ERROR(result, ErrorCode::kParseError);
  EXPECT_NE(result.error().message.find("line 2"), std::string::npos) << result.error().message;
}

}  // namespace
}  // namespace fastbreak::db::detail
