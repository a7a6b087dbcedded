#include "dirt.hpp"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace regaudit::synth::dirt {
namespace {

struct Civil {
  int year, month, day, hour, minute, second;
};

// The civil date and time of `t` (days_from_civil inverted, after Howard
// Hinnant's public-domain algorithm).
Civil civil(Instant t) {
  const std::int64_t days = t >= 0 ? t / kSecondsPerDay : (t - kSecondsPerDay + 1) / kSecondsPerDay;
  const auto seconds = static_cast<int>(t - days * kSecondsPerDay);
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const auto day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const auto month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const auto year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
  return {year, month, day, seconds / 3600, seconds / 60 % 60, seconds % 60};
}

// Simplified -> Traditional for characters the name and place lists use.
constexpr std::array<std::pair<std::string_view, std::string_view>, 24> kTraditional = {{
    {"张", "張"}, {"刘", "劉"}, {"陈", "陳"}, {"杨", "楊"}, {"黄", "黃"}, {"赵", "趙"},
    {"吴", "吳"}, {"郑", "鄭"}, {"罗", "羅"}, {"伟", "偉"}, {"华", "華"}, {"国", "國"},
    {"军", "軍"}, {"丽", "麗"}, {"红", "紅"}, {"东", "東"}, {"龙", "龍"}, {"凤", "鳳"},
    {"兰", "蘭"}, {"长", "長"}, {"广", "廣"}, {"汉", "漢"}, {"阳", "陽"}, {"宁", "寧"},
}};

std::string traditional(std::string text) {
  for (const auto& [simplified, trad] : kTraditional) {
    for (std::size_t pos = text.find(simplified); pos != std::string::npos;
         pos = text.find(simplified, pos + trad.size())) {
      text.replace(pos, simplified.size(), trad);
    }
  }
  return text;
}

std::string unreadable_time(Rng& rng, const Civil& c) {
  switch (rng.below(5)) {
    case 0:
      return fmt::format("{:04}-{:02}-31 {:02}:{:02}", c.year, c.month % 2 == 0 ? 4 : 6, c.hour,
                         c.minute);
    case 1:
      return fmt::format("{:04}-{:02}-{:02} 24:00", c.year, c.month, c.day);
    case 2:
      return fmt::format("{:04}.{:02}.{:02} {:02}:{:02}", c.year, c.month, c.day, c.hour, c.minute);
    case 3:
      return fmt::format("{}-{}-{} {}:{:02}", c.year, c.month, c.day, c.hour, c.minute);
    default:
      return "待补录";
  }
}

}  // namespace

std::string full_width_digits(std::string_view text) {
  std::string out;
  for (const char ch : text) {
    if (ch >= '0' && ch <= '9') {
      out += "\xEF\xBC";
      out.push_back(static_cast<char>(0x90 + (ch - '0')));
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

std::string exact_time(Instant t) {
  const Civil c = civil(t);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", c.year, c.month, c.day, c.hour,
                     c.minute, c.second);
}

std::string time(Rng& rng, Instant t, double unreadable_rate) {
  const Civil c = civil(t);
  if (rng.chance(unreadable_rate)) return unreadable_time(rng, c);
  const std::uint64_t r = rng.below(1000);
  if (r < 880) return exact_time(t);
  if (r < 905) {
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", c.year, c.month, c.day, c.hour,
                       c.minute, c.second);
  }
  if (r < 925) {
    return fmt::format("{:04}/{:02}/{:02} {:02}:{:02}:{:02}", c.year, c.month, c.day, c.hour,
                       c.minute, c.second);
  }
  if (r < 935) {
    return fmt::format("{:04}/{:02}/{:02} {:02}:{:02}", c.year, c.month, c.day, c.hour, c.minute);
  }
  if (r < 950) {
    return fmt::format("{:04}{:02}{:02}{:02}{:02}{:02}", c.year, c.month, c.day, c.hour, c.minute,
                       c.second);
  }
  if (r < 965) {
    return fmt::format("{}年{}月{}日 {:02}:{:02}", c.year, c.month, c.day, c.hour, c.minute);
  }
  if (r < 975) {
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", c.year, c.month, c.day, c.hour, c.minute);
  }
  if (r < 985) return " " + exact_time(t) + "  ";
  if (r < 993) return full_width_digits(exact_time(t));
  return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
}

std::string date(Rng& rng, Instant t) {
  const Civil c = civil(t);
  const std::uint64_t r = rng.below(100);
  if (r < 90) return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
  if (r < 95) return fmt::format("{:04}/{:02}/{:02}", c.year, c.month, c.day);
  if (r < 98) return fmt::format("{}年{}月{}日", c.year, c.month, c.day);
  return fmt::format("{:04}-{:02}-{:02} 00:00:00", c.year, c.month, c.day);
}

std::string id_number(Rng& rng, const std::string& id18) {
  const std::uint64_t r = rng.below(1000);
  if (id18.back() == 'X' && r < 300) return id18.substr(0, 17) + "x";
  if (r < 930) return id18;
  if (r < 945) return id18.substr(0, 6) + " " + id18.substr(6, 8) + " " + id18.substr(14);
  if (r < 955) return full_width_digits(id18);
  if (r < 962) return id18.substr(0, 6) + "-" + id18.substr(6, 8) + "-" + id18.substr(14);
  if (r < 985 && id18.compare(6, 2, "19") == 0) return id18.substr(0, 6) + id18.substr(8, 9);
  return " " + id18 + " ";
}

std::string mistyped_id_number(Rng& rng, const std::string& id18) {
  std::string typo = id18;
  const std::size_t pos = 14 + rng.index(3);  // a sequence digit: the birth date stays real
  typo[pos] = static_cast<char>('0' + (typo[pos] - '0' + 1 + rng.between(0, 8)) % 10);
  return typo;
}

std::string phone(Rng& rng, const std::string& number) {
  const bool mobile = number.size() == 11 && number[0] == '1';
  const std::uint64_t r = rng.below(100);
  if (r < 85) return number;
  if (!mobile) {
    // 02083334444 -> 020-83334444 or +86 20 83334444
    if (r < 95) return number.substr(0, 3) + "-" + number.substr(3);
    return "+86 " + number.substr(1, 2) + " " + number.substr(3);
  }
  switch (r) {
    case 85:
    case 86:
    case 87:
      return "+86 " + number.substr(0, 3) + " " + number.substr(3, 4) + " " + number.substr(7);
    case 88:
    case 89:
      return "0086-" + number;
    case 90:
    case 91:
      return "86" + number;
    case 92:
    case 93:
    case 94:
      return number.substr(0, 3) + "-" + number.substr(3, 4) + "-" + number.substr(7);
    case 95:
    case 96:
      return full_width_digits(number);
    case 97:
    case 98:
      return number.substr(0, 3) + " " + number.substr(3, 4) + " " + number.substr(7);
    default:
      return " " + number;
  }
}

std::string name(Rng& rng, const std::string& clean) {
  const std::uint64_t r = rng.below(1000);
  if (r < 30) return traditional(clean);
  if (r < 40 && clean.size() > 3) return clean.substr(0, 3) + " " + clean.substr(3);
  if (r < 60) {
    // Another middle dot, when the name has one (U+00B7 is C2 B7 in UTF-8).
    const std::size_t dot = clean.find("\xC2\xB7");
    if (dot != std::string::npos) {
      static const std::array<std::string_view, 3> kDots = {"\xE2\x80\xA2", "\xE3\x83\xBB",
                                                            "\xEF\xBD\xA5"};
      return clean.substr(0, dot) + std::string(kDots[rng.index(kDots.size())]) +
             clean.substr(dot + 2);
    }
  }
  return clean;
}

std::string enumeration(Rng& rng, std::string_view value) {
  const std::uint64_t r = rng.below(100);
  std::string out(value);
  if (r < 96) return out;
  if (r < 98) {
    for (char& ch : out) ch = static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
    return out;
  }
  if (r < 99) {
    out[0] = static_cast<char>(out[0] - 32);
    return out;
  }
  return " " + out + " ";
}

std::string code(Rng& rng, const std::string& clean) {
  const std::uint64_t r = rng.below(1000);
  if (r < 975) return clean;
  if (r < 990) return clean + " ";
  if (r < 997) return " " + clean + " ";
  return full_width_digits(clean);
}

std::string vehicle_no(Rng& rng, const std::string& vehicle) {
  const std::uint64_t r = rng.below(100);
  if (r < 88) return vehicle;
  std::string lower = vehicle;
  for (char& ch : lower) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
  if (r < 94) return lower;
  if (r < 97) return vehicle.substr(0, 1) + "-" + vehicle.substr(1);
  return lower.substr(0, 1) + " " + vehicle.substr(1);
}

std::string place(Rng& rng, const std::string& clean) {
  const std::uint64_t r = rng.below(100);
  if (r < 80) return clean;
  if (r < 90) return traditional(clean);
  const std::string_view shi = "市";
  if (clean.size() > shi.size() && clean.ends_with(shi)) {
    return clean.substr(0, clean.size() - shi.size());
  }
  return clean;
}

}  // namespace regaudit::synth::dirt
