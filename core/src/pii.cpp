#include "regaudit/pii.hpp"

#include <unicode/utf8.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace regaudit {
namespace {

// Calls each(i, bytes) for the i-th code point of `s`, in order (an
// ill-formed sequence counts as one, as U8_NEXT reads it); returns how many
// there were. Masking runs several times per finding, so nothing is
// allocated here.
template <class Each>
std::size_t for_each_code_point(std::string_view s, Each&& each) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(s.data());
  const auto length = static_cast<int32_t>(s.size());
  std::size_t n = 0;
  int32_t i = 0;
  while (i < length) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    each(n++, s.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(i - start)));
  }
  return n;
}

std::size_t code_point_count(std::string_view s) {
  return for_each_code_point(s, [](std::size_t, std::string_view) {});
}

// Keeps `head` leading and `tail` trailing code points of the `n` of `s`,
// stars in between.
std::string keep_ends(std::string_view s, std::size_t n, std::size_t head, std::size_t tail) {
  std::string out;
  out.reserve(s.size());
  for_each_code_point(s, [&](std::size_t i, std::string_view cp) {
    if (i < head || i + tail >= n) {
      out.append(cp);
    } else {
      out.push_back('*');
    }
  });
  return out;
}

constexpr std::array<std::string_view, 38> kCompoundSurnames = {
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
    "宇文", "司徒", "夏侯", "轩辕", "令狐", "端木", "澹台", "南宫", "西门", "呼延",
    "独孤", "申屠", "闻人", "万俟", "钟离", "赫连", "拓跋", "百里", "东郭", "太史",
    "公羊", "濮阳", "淳于", "单于", "司空", "太叔", "仲孙", "歐陽"};

}  // namespace

// Masked values hide at least half of a value's characters: a region prefix
// and a short tail are shown only where the middle that stays hidden is the
// larger part (a full 15- or 18-character ID number, an 11-digit or longer
// phone number); shorter values show at most their last two characters.
std::string mask_id_number(std::string_view id) {
  const std::size_t n = code_point_count(id);
  if (n >= 15) return keep_ends(id, n, 4, 4);
  if (n >= 5) return keep_ends(id, n, 0, 2);
  return std::string(n, '*');
}

std::string mask_phone(std::string_view phone) {
  const std::size_t n = code_point_count(phone);
  if (n >= 11) return keep_ends(phone, n, 3, 4);
  if (n >= 5) return keep_ends(phone, n, 0, 2);
  return std::string(n, '*');
}

std::string mask_name(std::string_view name) {
  const std::size_t n = code_point_count(name);
  if (n <= 1) return std::string(n, '*');
  for (const std::string_view surname : kCompoundSurnames) {
    if (n > 2 && name.starts_with(surname)) return keep_ends(name, n, 2, 0);
  }
  return keep_ends(name, n, 1, 0);
}

}  // namespace regaudit
