#include "csv_reader.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace regaudit::import {
namespace {

inline bool is_gb_lead(unsigned char c) {
  return c >= 0x81 && c <= 0xFE;
}
inline bool is_gb_trail2(unsigned char c) {
  return (c >= 0x40 && c <= 0x7E) || (c >= 0x80 && c <= 0xFE);
}
inline bool is_digit(unsigned char c) {
  return c >= 0x30 && c <= 0x39;
}

}  // namespace

CsvReader::CsvReader(std::string_view input, char delimiter, bool gb18030_aware)
    : input_(input), delimiter_(delimiter), gb18030_aware_(gb18030_aware) {
  special_[static_cast<unsigned char>(delimiter)] = true;
  special_[static_cast<unsigned char>('\n')] = true;
  special_[static_cast<unsigned char>('\r')] = true;
  // Only trail bytes that can equal the delimiter need stepping over.
  const auto d = static_cast<unsigned char>(delimiter);
  gb18030_aware_ = gb18030_aware && ((d >= 0x40 && d <= 0x7E) || is_digit(d));
  if (gb18030_aware_) {
    for (int c = 0x81; c <= 0xFE; ++c) special_[c] = true;
  }
}

void CsvReader::skip_gb18030_trail(std::size_t& i) const {
  // i is at a lead byte. A two-byte character is lead + trail; a four-byte one
  // is lead, digit, lead, digit. Anything else is left for the decoder to reject.
  const auto* p = reinterpret_cast<const unsigned char*>(input_.data());
  const std::size_t n = input_.size();
  if (i + 3 < n && is_digit(p[i + 1]) && is_gb_lead(p[i + 2]) && is_digit(p[i + 3])) {
    i += 4;
  } else if (i + 1 < n && is_gb_trail2(p[i + 1])) {
    i += 2;
  } else {
    i += 1;
  }
}

bool CsvReader::at_line_break() const {
  return pos_ < input_.size() && (input_[pos_] == '\n' || input_[pos_] == '\r');
}

bool CsvReader::consume_line_break() {
  if (pos_ >= input_.size()) return false;
  if (input_[pos_] == '\r') {
    ++pos_;
    if (pos_ < input_.size() && input_[pos_] == '\n') ++pos_;
  } else if (input_[pos_] == '\n') {
    ++pos_;
  } else {
    return false;
  }
  ++line_;
  return true;
}

void CsvReader::read_unquoted(FieldSpan& span) {
  const auto* p = reinterpret_cast<const unsigned char*>(input_.data());
  const std::size_t n = input_.size();
  std::size_t i = pos_;
#if defined(__SSE2__)
  if (!gb18030_aware_) {
    // Sixteen bytes at a time: the first delimiter or line break ends the field.
    const __m128i delimiter = _mm_set1_epi8(delimiter_);
    const __m128i lf = _mm_set1_epi8('\n');
    const __m128i cr = _mm_set1_epi8('\r');
    while (i + 16 <= n) {
      const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      const __m128i hits =
          _mm_or_si128(_mm_cmpeq_epi8(chunk, delimiter),
                       _mm_or_si128(_mm_cmpeq_epi8(chunk, lf), _mm_cmpeq_epi8(chunk, cr)));
      const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(hits));
      if (mask != 0) {
        i += static_cast<std::size_t>(__builtin_ctz(mask));
        span = FieldSpan{pos_, i - pos_, false, false};
        pos_ = i;
        return;
      }
      i += 16;
    }
  }
#endif
  for (;;) {
    while (i < n && !special_[p[i]]) ++i;
    if (i < n && gb18030_aware_ && is_gb_lead(p[i])) {
      skip_gb18030_trail(i);
      continue;
    }
    break;
  }
  span = FieldSpan{pos_, i - pos_, false, false};
  pos_ = i;
}

bool CsvReader::read_quoted(FieldSpan& span, std::size_t& malformed_field,
                            std::size_t field_number) {
  const auto* p = reinterpret_cast<const unsigned char*>(input_.data());
  const std::size_t n = input_.size();
  std::size_t i = pos_ + 1;  // after the opening quote
  const std::size_t begin = i;
  bool escaped = false;  // a "" seen: the field must be copied
  std::size_t scratch_begin = 0;
  for (;;) {
    if (i >= n) return false;
    const unsigned char c = p[i];
    if (c == '"') {
      if (i + 1 < n && p[i + 1] == '"') {
        if (!escaped) {
          escaped = true;
          scratch_begin = scratch_.size();
          scratch_.append(input_.data() + begin, i - begin + 1);
        } else {
          scratch_.push_back('"');
        }
        i += 2;
        continue;
      }
      break;
    }
    if (c == '\n' || (c == '\r' && !(i + 1 < n && p[i + 1] == '\n'))) ++line_;
    if (escaped) scratch_.push_back(static_cast<char>(c));
    ++i;
  }
  if (escaped) {
    span = FieldSpan{scratch_begin, scratch_.size() - scratch_begin, true, true};
  } else {
    span = FieldSpan{begin, i - begin, true, false};
  }
  pos_ = i + 1;  // after the closing quote
  if (pos_ < n && input_[pos_] != delimiter_ && !at_line_break()) {
    if (malformed_field == 0) malformed_field = field_number;
    FieldSpan rest;
    read_unquoted(rest);  // skip to the end of the field
  }
  return true;
}

CsvReader::Result CsvReader::next(CsvRecord& record) {
  while (at_line_break()) {
    consume_line_break();
    ++blank_lines_;
  }
  if (pos_ >= input_.size()) return Result::end;

  scratch_.clear();
  escaped_.clear();
  record.fields.clear();
  record.line = line_;
  record.byte_offset = pos_;
  record.malformed_field = 0;
  const std::size_t start = pos_;
  const std::size_t n = input_.size();
  for (;;) {
    FieldSpan span;
    if (pos_ < n && input_[pos_] == '"') {
      if (!read_quoted(span, record.malformed_field, record.fields.size() + 1)) {
        record.raw = input_.substr(start);
        record.fields.emplace_back();
        return Result::unterminated_quote;
      }
    } else {
      read_unquoted(span);
    }
    if (span.in_scratch) escaped_.push_back({record.fields.size(), span.begin, span.size});
    record.fields.push_back(
        CsvField{std::string_view(input_.data() + (span.in_scratch ? 0 : span.begin),
                                  span.in_scratch ? 0 : span.size),
                 span.quoted});
    if (pos_ < n && input_[pos_] == delimiter_) {
      ++pos_;
      continue;
    }
    break;
  }
  record.raw = std::string_view(input_.data() + start, pos_ - start);
  consume_line_break();
  // Unescaped fields live in scratch_, whose final address is known only now.
  for (const Escaped& e : escaped_) {
    record.fields[e.field].text = std::string_view(scratch_.data() + e.begin, e.size);
  }
  return Result::record;
}

}  // namespace regaudit::import
