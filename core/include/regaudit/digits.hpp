// ASCII digits read eight at a time, for the integer keys of ID numbers and
// phone numbers that the built-in rules compute for every row of millions.
// Eight characters are loaded little-endian into one 64-bit word (the first
// character in the lowest byte), as std::memcpy does on x86-64 and ARM64.
#pragma once

#include <cstdint>

namespace regaudit::nf {

// Whether the 8 characters in `w` are all ASCII digits: each byte's high
// nibble is 3, and stays 3 when 6 is added to the byte (a low nibble of at
// most 9; with every high nibble 3, no byte carries into the next).
inline bool eight_digits(std::uint64_t w) {
  constexpr std::uint64_t kHigh = 0xF0F0F0F0F0F0F0F0ULL;
  constexpr std::uint64_t kThrees = 0x3030303030303030ULL;
  return (w & kHigh) == kThrees && ((w + 0x0606060606060606ULL) & kHigh) == kThrees;
}

// The value of the 8 ASCII digits in `w` (eight_digits(w)), the first the
// most significant: neighbouring lanes are joined, 1 digit into 2, 2 into 4,
// 4 into 8, each lane wide enough for its value.
inline std::uint64_t eight_digits_value(std::uint64_t w) {
  w -= 0x3030303030303030ULL;
  w = (w * 10 + (w >> 8)) & 0x00FF00FF00FF00FFULL;
  w = (w * 100 + (w >> 16)) & 0x0000FFFF0000FFFFULL;
  return (w * 10000 + (w >> 32)) & 0xFFFFFFFFULL;
}

}  // namespace regaudit::nf
