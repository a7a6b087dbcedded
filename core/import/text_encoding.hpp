// Text encodings of imported extracts: UTF-8 (with or without a byte-order
// mark) and GB18030, which includes GBK and GB2312. Everything that leaves this
// file towards the registry is valid UTF-8; bytes that are not valid in the
// source encoding are reported, never replaced.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "regaudit/status.hpp"

namespace regaudit::import {

enum class Encoding { utf8, gb18030 };

std::string_view encoding_name(Encoding encoding);

// The outcome of `--encoding auto` on a whole file (without its BOM).
struct Detection {
  Encoding encoding = Encoding::utf8;
  std::string why;     // one line for the user, no file content
  bool clean = false;  // the whole input is valid UTF-8 without NUL bytes
};

// Valid UTF-8 -> UTF-8. Otherwise the file is counted: if most of its non-ASCII
// sequences are valid UTF-8 (a UTF-8 file with a few broken bytes), UTF-8, so
// that only the broken rows are rejected; else GB18030.
Detection detect_encoding(std::string_view bytes);

// Length of the UTF-8 byte-order mark at the start of `bytes` (0 or 3).
std::size_t utf8_bom_length(std::string_view bytes);
// Length of the GB18030 byte-order mark (84 31 95 33) at the start (0 or 4).
std::size_t gb18030_bom_length(std::string_view bytes);

// Where a byte sequence stops being valid.
struct InvalidBytes {
  std::size_t offset = 0;  // from the start of the checked text
  unsigned char byte = 0;  // the first offending byte
};

// Checks strict UTF-8 (no overlong forms, surrogates or code points above
// U+10FFFF) and the absence of NUL bytes. Returns true when valid; otherwise
// fills `where`.
bool is_valid_utf8(std::string_view text, InvalidBytes* where);

// Converts GB18030 text to UTF-8 through ICU. Not thread-safe: one per thread.
class Gb18030Decoder {
 public:
  Gb18030Decoder();
  ~Gb18030Decoder();
  Gb18030Decoder(const Gb18030Decoder&) = delete;
  Gb18030Decoder& operator=(const Gb18030Decoder&) = delete;

  // Ok when ICU has a GB18030 converter.
  const Status& status() const { return status_; }
  // Appends the UTF-8 form of `text` to `out`. On invalid or truncated bytes
  // returns false, fills `where` and leaves `out` with unspecified extra bytes
  // (the caller truncates it). NUL bytes are invalid too.
  bool decode_append(std::string_view text, std::string& out, InvalidBytes* where);

 private:
  struct Icu;
  std::unique_ptr<Icu> icu_;
  Status status_ = Status::ok();
};

// Converts UTF-8 text to GB18030 (for exports). Unmappable characters cannot
// occur: GB18030 covers all of Unicode.
class Gb18030Encoder {
 public:
  Gb18030Encoder();
  ~Gb18030Encoder();
  Gb18030Encoder(const Gb18030Encoder&) = delete;
  Gb18030Encoder& operator=(const Gb18030Encoder&) = delete;

  const Status& status() const { return status_; }
  // False when `utf8` is not valid UTF-8.
  bool encode_append(std::string_view utf8, std::string& out);

 private:
  struct Icu;
  std::unique_ptr<Icu> icu_;
  Status status_ = Status::ok();
};

}  // namespace regaudit::import
