// An RFC 4180 reader over bytes in memory: fields separated by one delimiter
// byte, records by CRLF, LF or a lone CR; quoted fields may hold delimiters,
// doubled quotes ("") and line breaks; the last record needs no line break.
//
// The reader works on the raw bytes of the file, before any decoding: the
// delimiter, quote and line breaks are ASCII, and neither UTF-8 nor GB18030
// uses ASCII bytes inside a multi-byte character — except GB18030 trail bytes
// 0x40-0x7E, which the reader steps over when told to (`gb18030_aware`), so a
// delimiter such as '|' is never found inside a Chinese character.
//
// Deliberate leniency: a quote inside an unquoted field (5'10") is data. Text
// after a closing quote (`"ab"c`) makes the record malformed (reported, the
// reader goes on with the next record). A quoted field still open at the end of
// the input is fatal: everything after it would be one field.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace regaudit::import {

struct CsvField {
  std::string_view text;  // without quotes, "" already undone
  bool quoted = false;    // an empty quoted field is "", an empty unquoted one is NULL
};

struct CsvRecord {
  std::size_t line = 0;          // physical line (1-based) where the record starts
  std::size_t byte_offset = 0;   // of the record's first byte in the input
  std::string_view raw;          // the record's bytes, without its line break
  std::vector<CsvField> fields;  // valid until the next call to next()
  std::size_t malformed_field =
      0;  // 0: well formed; else the 1-based field with text after its closing quote
};

class CsvReader {
 public:
  enum class Result { record, end, unterminated_quote };

  // `input` must outlive the reader.
  CsvReader(std::string_view input, char delimiter, bool gb18030_aware);

  // Reads the next record into `record`. Blank lines (no byte before the line
  // break) are skipped and counted. On unterminated_quote, `record.line` and
  // the field count tell where the open quote started.
  Result next(CsvRecord& record);

  std::size_t blank_lines() const { return blank_lines_; }
  // The physical line the reader is on (1-based).
  std::size_t line() const { return line_; }

 private:
  struct FieldSpan {
    std::size_t begin;  // into input_ or, when unescaped, into scratch_
    std::size_t size;
    bool quoted;
    bool in_scratch;
  };

  // Returns false on an unterminated quote.
  bool read_quoted(FieldSpan& span, std::size_t& malformed_field, std::size_t field_number);
  void read_unquoted(FieldSpan& span);
  // Consumes a line break at pos_ if there is one; returns whether it did.
  bool consume_line_break();
  bool at_line_break() const;
  void skip_gb18030_trail(std::size_t& i) const;

  std::string_view input_;
  char delimiter_;
  bool gb18030_aware_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t blank_lines_ = 0;
  struct Escaped {
    std::size_t field;
    std::size_t begin;  // in scratch_
    std::size_t size;
  };
  std::vector<Escaped> escaped_;  // the current record's fields held in scratch_
  std::string scratch_;
  bool special_[256] = {};
};

}  // namespace regaudit::import
