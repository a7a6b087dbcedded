#include "text_encoding.hpp"

#include <unicode/ucnv.h>
#include <unicode/ustring.h>

#include <fmt/format.h>
#include <cstdint>
#include <cstring>
#include <vector>

namespace regaudit::import {
namespace {

// True when the eight bytes at `p` are all ASCII.
inline bool ascii8(const unsigned char* p) {
  std::uint64_t word;
  std::memcpy(&word, p, sizeof word);
  return (word & 0x8080808080808080ULL) == 0;
}

// True when the 32 bytes at `p` are all ASCII.
inline bool ascii32(const unsigned char* p) {
  std::uint64_t w[4];
  std::memcpy(w, p, sizeof w);
  return ((w[0] | w[1] | w[2] | w[3]) & 0x8080808080808080ULL) == 0;
}

// Length of the valid UTF-8 sequence at p[0..n), 0 when invalid or truncated.
std::size_t utf8_sequence_length(const unsigned char* p, std::size_t n) {
  const unsigned char b0 = p[0];
  auto cont = [&](std::size_t i) { return i < n && (p[i] & 0xC0) == 0x80; };
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (b0 == 0xE0 && p[1] < 0xA0) return 0;   // overlong
    if (b0 == 0xED && p[1] >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (b0 == 0xF0 && p[1] < 0x90) return 0;   // overlong
    if (b0 == 0xF4 && p[1] >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

bool has_nul(std::string_view text, InvalidBytes* where) {
  const void* nul = std::memchr(text.data(), 0, text.size());
  if (nul == nullptr) return false;
  if (where != nullptr) {
    where->offset = static_cast<std::size_t>(static_cast<const char*>(nul) - text.data());
    where->byte = 0;
  }
  return true;
}

bool is_ascii(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t i = 0;
  const std::size_t n = text.size();
  for (; i + 8 <= n; i += 8) {
    if (!ascii8(p + i)) return false;
  }
  for (; i < n; ++i) {
    if (p[i] >= 0x80) return false;
  }
  return true;
}

}  // namespace

std::string_view encoding_name(Encoding encoding) {
  return encoding == Encoding::utf8 ? "utf-8" : "gb18030";
}

std::size_t utf8_bom_length(std::string_view bytes) {
  return bytes.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
}

std::size_t gb18030_bom_length(std::string_view bytes) {
  return bytes.substr(0, 4) == "\x84\x31\x95\x33" ? 4 : 0;
}

// The index of the first non-ASCII byte at or after `i` (n when none),
// stepping 32 and 8 bytes at a time where it can.
static std::size_t skip_ascii(const unsigned char* p, std::size_t n, std::size_t i) {
  while (i + 32 <= n && ascii32(p + i)) i += 32;
  while (i + 8 <= n && ascii8(p + i)) i += 8;
  while (i < n && p[i] < 0x80) ++i;
  return i;
}

bool is_valid_utf8(std::string_view text, InvalidBytes* where) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    i = skip_ascii(p, n, i);
    if (i == n) break;
    const std::size_t len = utf8_sequence_length(p + i, n - i);
    if (len == 0) {
      if (where != nullptr) *where = InvalidBytes{i, p[i]};
      return false;
    }
    i += len;
  }
  return !has_nul(text, where);
}

// The bytes that fit no GB18030 sequence (one byte up to 0x7F; a lead 0x81
// to 0xFE followed by 0x40 to 0xFE but 0x7F, or by a digit, a lead and a
// digit), counted the way the UTF-8 scan counts its invalid bytes.
static std::size_t gb18030_invalid_bytes(const unsigned char* p, std::size_t n) {
  std::size_t invalid = 0;
  for (std::size_t i = 0; i < n;) {
    i = skip_ascii(p, n, i);
    if (i == n) break;
    const unsigned char b = p[i];
    if (b >= 0x81 && b <= 0xFE && i + 1 < n) {
      const unsigned char b2 = p[i + 1];
      if (b2 >= 0x40 && b2 <= 0xFE && b2 != 0x7F) {
        i += 2;
        continue;
      }
      if (b2 >= 0x30 && b2 <= 0x39 && i + 3 < n && p[i + 2] >= 0x81 && p[i + 2] <= 0xFE &&
          p[i + 3] >= 0x30 && p[i + 3] <= 0x39) {
        i += 4;
        continue;
      }
    }
    ++invalid;
    ++i;
  }
  return invalid;
}

Detection detect_encoding(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  std::size_t valid = 0;
  std::size_t long_valid = 0;  // of three or four bytes: CJK, full-width forms
  std::size_t invalid = 0;
  std::size_t i = 0;
  while (i < n) {
    i = skip_ascii(p, n, i);
    if (i == n) break;
    const std::size_t len = utf8_sequence_length(p + i, n - i);
    if (len == 0) {
      ++invalid;
      ++i;
    } else {
      ++valid;
      if (len >= 3) ++long_valid;
      i += len;
    }
  }
  if (invalid == 0) {
    return {Encoding::utf8, valid == 0 ? "auto: plain ASCII, read as utf-8" : "auto: valid utf-8",
            std::memchr(bytes.data(), 0, n) == nullptr};
  }
  // Chinese text in GBK often holds valid two-byte UTF-8 by chance (女 is C5 AE,
  // U+016E): only characters of three bytes or more, as Chinese takes in
  // UTF-8, count as evidence for UTF-8 against a file that is whole GB18030.
  const std::size_t gb_invalid = gb18030_invalid_bytes(p, n);
  const bool utf8_evidence = gb_invalid == 0 ? long_valid > invalid : valid > invalid;
  if (utf8_evidence) {
    return {Encoding::utf8,
            fmt::format("auto: utf-8 ({} valid multi-byte characters, {} invalid byte(s) whose "
                        "rows are rejected)",
                        valid, invalid),
            false};
  }
  return {Encoding::gb18030,
          fmt::format("auto: gb18030 (not utf-8: {} invalid utf-8 bytes, {} invalid gb18030 bytes)",
                      invalid, gb_invalid),
          false};
}

struct Gb18030Decoder::Icu {
  UConverter* converter = nullptr;
  std::vector<UChar> utf16;
  ~Icu() { ucnv_close(converter); }
};

Gb18030Decoder::Gb18030Decoder() : icu_(std::make_unique<Icu>()) {
  UErrorCode error = U_ZERO_ERROR;
  icu_->converter = ucnv_open("GB18030", &error);
  if (U_FAILURE(error)) {
    status_ = Status::error(fmt::format("ICU has no GB18030 converter: {}", u_errorName(error)));
    return;
  }
  ucnv_setToUCallBack(icu_->converter, UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &error);
  if (U_FAILURE(error)) {
    status_ = Status::error(fmt::format("ICU GB18030 converter: {}", u_errorName(error)));
  }
}

Gb18030Decoder::~Gb18030Decoder() = default;

bool Gb18030Decoder::decode_append(std::string_view text, std::string& out, InvalidBytes* where) {
  if (has_nul(text, where)) return false;
  if (is_ascii(text)) {
    out.append(text);
    return true;
  }
  // One input byte gives at most one UTF-16 unit; a UTF-16 unit at most three
  // UTF-8 bytes.
  if (icu_->utf16.size() < text.size()) icu_->utf16.resize(text.size());
  UChar* target = icu_->utf16.data();
  const char* source = text.data();
  UErrorCode error = U_ZERO_ERROR;
  ucnv_resetToUnicode(icu_->converter);
  ucnv_toUnicode(icu_->converter, &target, icu_->utf16.data() + icu_->utf16.size(), &source,
                 text.data() + text.size(), nullptr, true, &error);
  if (U_FAILURE(error)) {
    char bad[8];
    int8_t bad_length = sizeof bad;
    UErrorCode ignored = U_ZERO_ERROR;
    ucnv_getInvalidChars(icu_->converter, bad, &bad_length, &ignored);
    if (U_FAILURE(ignored) || bad_length <= 0) bad_length = 1;
    std::size_t end = static_cast<std::size_t>(source - text.data());
    std::size_t offset = end >= static_cast<std::size_t>(bad_length)
                             ? end - static_cast<std::size_t>(bad_length)
                             : 0;
    if (where != nullptr) {
      *where = InvalidBytes{offset, static_cast<unsigned char>(text[offset])};
    }
    ucnv_resetToUnicode(icu_->converter);
    return false;
  }
  const auto units = static_cast<int32_t>(target - icu_->utf16.data());
  const std::size_t start = out.size();
  out.resize(start + static_cast<std::size_t>(units) * 3);
  int32_t written = 0;
  u_strToUTF8(out.data() + start, units * 3, &written, icu_->utf16.data(), units, &error);
  if (U_FAILURE(error)) {
    if (where != nullptr) *where = InvalidBytes{0, static_cast<unsigned char>(text[0])};
    return false;
  }
  out.resize(start + static_cast<std::size_t>(written));
  return true;
}

struct Gb18030Encoder::Icu {
  UConverter* converter = nullptr;
  std::vector<UChar> utf16;
  ~Icu() { ucnv_close(converter); }
};

Gb18030Encoder::Gb18030Encoder() : icu_(std::make_unique<Icu>()) {
  UErrorCode error = U_ZERO_ERROR;
  icu_->converter = ucnv_open("GB18030", &error);
  if (U_FAILURE(error)) {
    status_ = Status::error(fmt::format("ICU has no GB18030 converter: {}", u_errorName(error)));
  }
}

Gb18030Encoder::~Gb18030Encoder() = default;

bool Gb18030Encoder::encode_append(std::string_view utf8, std::string& out) {
  if (is_ascii(utf8)) {
    out.append(utf8);
    return true;
  }
  if (icu_->utf16.size() < utf8.size()) icu_->utf16.resize(utf8.size());
  int32_t units = 0;
  UErrorCode error = U_ZERO_ERROR;
  u_strFromUTF8(icu_->utf16.data(), static_cast<int32_t>(icu_->utf16.size()), &units, utf8.data(),
                static_cast<int32_t>(utf8.size()), &error);
  if (U_FAILURE(error)) return false;
  // GB18030 needs at most four bytes per UTF-16 unit.
  const std::size_t start = out.size();
  out.resize(start + static_cast<std::size_t>(units) * 4);
  const int32_t written = ucnv_fromUChars(icu_->converter, out.data() + start, units * 4,
                                          icu_->utf16.data(), units, &error);
  if (U_FAILURE(error)) return false;
  out.resize(start + static_cast<std::size_t>(written));
  return true;
}

}  // namespace regaudit::import
