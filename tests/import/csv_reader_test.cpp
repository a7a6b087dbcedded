#include "csv_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace regaudit::import {
namespace {

struct Row {
  std::size_t line;
  std::vector<std::string> fields;
  std::vector<bool> quoted;
  std::size_t malformed_field;
  std::string raw;
};

std::vector<Row> read_all(std::string_view input, char delimiter = ',', bool gb = false,
                          CsvReader::Result* last = nullptr, std::size_t* blank = nullptr) {
  CsvReader reader(input, delimiter, gb);
  CsvRecord record;
  std::vector<Row> rows;
  CsvReader::Result r;
  while ((r = reader.next(record)) == CsvReader::Result::record) {
    Row row{record.line, {}, {}, record.malformed_field, std::string(record.raw)};
    for (const CsvField& f : record.fields) {
      row.fields.emplace_back(f.text);
      row.quoted.push_back(f.quoted);
    }
    rows.push_back(row);
  }
  if (last != nullptr) *last = r;
  if (blank != nullptr) *blank = reader.blank_lines();
  return rows;
}

using Fields = std::vector<std::string>;

TEST(ImportCsvReader, QuotedFieldsHoldDelimitersQuotesAndLineBreaks) {
  const auto rows = read_all("a,b,c\n\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\"\nlast,1,2\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].fields, (Fields{"x,y", "say \"hi\"", "two\nlines"}));
  EXPECT_EQ(rows[1].line, 2u);
  EXPECT_EQ(rows[2].line, 4u);  // the physical line, after the embedded break
  EXPECT_EQ(rows[2].fields, (Fields{"last", "1", "2"}));
}

TEST(ImportCsvReader, CrlfLfAndLoneCrAllEndRecords) {
  const auto rows = read_all("a,b\r\n1,2\n3,4\r5,6\r\n");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1].fields, (Fields{"1", "2"}));
  EXPECT_EQ(rows[2].fields, (Fields{"3", "4"}));
  EXPECT_EQ(rows[3].fields, (Fields{"5", "6"}));
  EXPECT_EQ(rows[3].line, 4u);
  EXPECT_EQ(rows[1].raw, "1,2");  // without the line break
}

TEST(ImportCsvReader, LastLineWithoutLineBreakIsARecord) {
  const auto rows = read_all("a,b\n1,\"2\"");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].fields, (Fields{"1", "2"}));
}

TEST(ImportCsvReader, EmptyQuotedAndUnquotedFieldsAreDistinguished) {
  const auto rows = read_all("a,b,c\n,\"\",\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].fields, (Fields{"", "", ""}));
  EXPECT_EQ(rows[1].quoted, (std::vector<bool>{false, true, false}));
}

TEST(ImportCsvReader, BlankLinesAreSkippedAndCounted) {
  std::size_t blank = 0;
  const auto rows = read_all("a,b\n\n1,2\r\n\r\n3,4\n\n", ',', false, nullptr, &blank);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].line, 3u);
  EXPECT_EQ(rows[2].line, 5u);
  EXPECT_EQ(blank, 3u);
}

TEST(ImportCsvReader, QuoteInsideUnquotedFieldIsData) {
  const auto rows = read_all("a,b\n5'10\",x\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].fields, (Fields{"5'10\"", "x"}));
  EXPECT_EQ(rows[1].malformed_field, 0u);
}

TEST(ImportCsvReader, TextAfterClosingQuoteMarksTheFieldAndReadingGoesOn) {
  const auto rows = read_all("a,b,c\n1,\"x\"y,3\n4,5,6\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].malformed_field, 2u);
  EXPECT_EQ(rows[1].fields.size(), 3u);
  EXPECT_EQ(rows[2].fields, (Fields{"4", "5", "6"}));
}

TEST(ImportCsvReader, UnterminatedQuoteIsReportedWithItsLine) {
  CsvReader reader("a,b\n1,2\n3,\"open\n4,5\n", ',', false);
  CsvRecord record;
  ASSERT_EQ(reader.next(record), CsvReader::Result::record);
  ASSERT_EQ(reader.next(record), CsvReader::Result::record);
  ASSERT_EQ(reader.next(record), CsvReader::Result::unterminated_quote);
  EXPECT_EQ(record.line, 3u);
  EXPECT_EQ(record.fields.size(), 2u);  // the open quote is in field 2
}

TEST(ImportCsvReader, FieldCountIsWhatTheRecordHas) {
  const auto rows = read_all("a,b,c\n1,2\n1,2,3,4\n1,2,3,\n");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1].fields.size(), 2u);
  EXPECT_EQ(rows[2].fields.size(), 4u);
  EXPECT_EQ(rows[3].fields.size(), 4u);
}

TEST(ImportCsvReader, TabDelimiter) {
  const auto rows = read_all("a\tb\n1,5\t\"x\ty\"\n", '\t');
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].fields, (Fields{"1,5", "x\ty"}));
}

TEST(ImportCsvReader, LongFieldsCrossingTheSixteenByteScanAreWhole) {
  const std::string long_field(100, 'x');
  const auto rows = read_all("a,b\n" + long_field + "," + long_field + "\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].fields, (Fields{long_field, long_field}));
}

TEST(ImportCsvReader, Gb18030TrailBytesEqualToThePipeDelimiterDoNotSplitFields) {
  // 0x81 0x7C is one GB18030 character whose trail byte is '|'.
  const std::string gb = "\x81\x7C";
  const auto rows = read_all("a|b\n" + gb + "|x\n", '|', true);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].fields, (Fields{gb, "x"}));
  // Without the GB18030 stepping the same bytes split the character.
  const auto naive = read_all("a|b\n" + gb + "|x\n", '|', false);
  EXPECT_EQ(naive[1].fields.size(), 3u);
}

}  // namespace
}  // namespace regaudit::import
