#include "regaudit/pii.hpp"

#include <unicode/utf8.h>

#include <array>
#include <vector>

namespace regaudit {
namespace {

// Code points of a UTF-8 string, each as its own byte sequence.
std::vector<std::string_view> code_points(std::string_view s) {
  std::vector<std::string_view> out;
  const auto* bytes = reinterpret_cast<const uint8_t*>(s.data());
  const auto length = static_cast<int32_t>(s.size());
  int32_t i = 0;
  while (i < length) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    out.push_back(s.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(i - start)));
  }
  return out;
}

// Keeps `head` leading and `tail` trailing code points, stars in between.
std::string keep_ends(std::string_view s, std::size_t head, std::size_t tail) {
  const auto cps = code_points(s);
  std::string out;
  for (std::size_t i = 0; i < cps.size(); ++i) {
    if (i < head || i + tail >= cps.size()) {
      out.append(cps[i]);
    } else {
      out.push_back('*');
    }
  }
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
  const std::size_t n = code_points(id).size();
  if (n >= 15) return keep_ends(id, 4, 4);
  if (n >= 5) return keep_ends(id, 0, 2);
  return std::string(n, '*');
}

std::string mask_phone(std::string_view phone) {
  const std::size_t n = code_points(phone).size();
  if (n >= 11) return keep_ends(phone, 3, 4);
  if (n >= 5) return keep_ends(phone, 0, 2);
  return std::string(n, '*');
}

std::string mask_name(std::string_view name) {
  const std::size_t n = code_points(name).size();
  if (n <= 1) return std::string(n, '*');
  for (const std::string_view surname : kCompoundSurnames) {
    if (n > 2 && name.starts_with(surname)) return keep_ends(name, 2, 0);
  }
  return keep_ends(name, 1, 0);
}

}  // namespace regaudit
