#include "regaudit/normal_forms.hpp"

#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/uniset.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "regaudit/digits.hpp"

namespace regaudit::nf {
namespace {

bool is_ascii(std::string_view s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// White_Space (u_isUWhiteSpace) restricted to ASCII: TAB, LF, VT, FF, CR, SPACE.
bool is_ascii_white_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

// ASCII text is its own NFKC, so the trimmed form is a view into it.
std::string_view trim_ascii(std::string_view s) {
  while (!s.empty() && is_ascii_white_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ascii_white_space(s.back())) s.remove_suffix(1);
  return s;
}

const icu::Normalizer2& nfkc_normalizer() {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* normalizer = icu::Normalizer2::getNFKCInstance(status);
  if (U_FAILURE(status) || normalizer == nullptr) {
    throw std::runtime_error("ICU: the NFKC normaliser is unavailable");
  }
  return *normalizer;
}

icu::UnicodeString nfkc_unicode(std::string_view raw) {
  const icu::UnicodeString source =
      icu::UnicodeString::fromUTF8(icu::StringPiece(raw.data(), static_cast<int32_t>(raw.size())));
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString result = nfkc_normalizer().normalize(source, status);
  if (U_FAILURE(status)) throw std::runtime_error("ICU: NFKC normalisation failed");
  return result;
}

std::string to_utf8(const icu::UnicodeString& s) {
  std::string out;
  s.toUTF8String(out);
  return out;
}

// One Transliterator per thread: ICU transliterators are not thread-safe.
icu::Transliterator& traditional_to_simplified() {
  thread_local std::unique_ptr<icu::Transliterator> transliterator = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Transliterator> t(icu::Transliterator::createInstance(
        icu::UnicodeString("Traditional-Simplified"), UTRANS_FORWARD, status));
    if (U_FAILURE(status) || !t) {
      throw std::runtime_error("ICU: the Traditional-Simplified transform is unavailable");
    }
    return t;
  }();
  return *transliterator;
}

bool is_white_space(UChar32 c) {
  return u_isUWhiteSpace(c) != 0;
}

// Hyphen-minus (full-width and small forms become it under NFKC), and the two
// Unicode hyphens. Dashes (en, em, minus sign) are not hyphens.
bool is_hyphen(UChar32 c) {
  return c == u'-' || c == 0x2010 || c == 0x2011;
}

bool is_middle_dot(UChar32 c) {
  return c == 0x00B7 || c == 0x2022 || c == 0x30FB || c == 0xFF65;
}

template <class Keep, class Map>
icu::UnicodeString filter_map(const icu::UnicodeString& s, Keep keep, Map map) {
  icu::UnicodeString out;
  for (int32_t i = 0; i < s.length();) {
    const UChar32 c = s.char32At(i);
    i += U16_LENGTH(c);
    if (keep(c)) out.append(map(c));
  }
  return out;
}

icu::UnicodeString drop_white_space(const icu::UnicodeString& s) {
  return filter_map(
      s, [](UChar32 c) { return !is_white_space(c); }, [](UChar32 c) { return c; });
}

// The characters the transform's rules may change (ICU's source set). A
// text with none of them comes out of the transform as it went in (the
// Name and Place tests check every code point of the CJK blocks against the
// transform itself), and most names and places are such texts: they skip the
// transform, which cost several microseconds a call.
const icu::UnicodeSet& traditional_characters() {
  static const std::unique_ptr<const icu::UnicodeSet> set = [] {
    auto s = std::make_unique<icu::UnicodeSet>();
    traditional_to_simplified().getSourceSet(*s);
    s->freeze();  // read-only, so safe to share between threads
    return std::unique_ptr<const icu::UnicodeSet>(std::move(s));
  }();
  return *set;
}

icu::UnicodeString simplified(const icu::UnicodeString& s) {
  if (traditional_characters().containsNone(s)) return s;
  icu::UnicodeString out = s;
  traditional_to_simplified().transliterate(out);
  return out;
}

// A thread's normal forms of one kind computed last, by raw text. Names and
// places repeat (a city of a million persons has some 130,000 distinct
// names) and each costs ICU's NFKC and several copies of the text: 0.8 us a
// name at city scale. A direct-mapped table: a text's hash picks its one
// place, where the text last computed there is kept; looked up, it costs a
// cache miss or two instead of the chain of nodes of a std::unordered_map,
// and a replaced entry reuses its strings' room.
class Remembered {
 public:
  template <class Compute>
  std::string get(std::string_view raw, const Compute& compute) {
    if (entries_.empty()) entries_.resize(kEntries);
    const std::size_t hash = std::hash<std::string_view>()(raw);
    Entry& e = entries_[hash & (kEntries - 1)];
    if (e.used && e.hash == hash && e.raw == raw) return e.value;
    e.value = compute(raw);
    e.raw.assign(raw);
    e.hash = hash;
    e.used = true;
    return e.value;
  }

 private:
  struct Entry {
    std::size_t hash = 0;
    bool used = false;
    std::string raw;
    std::string value;
  };
  static constexpr std::size_t kEntries = std::size_t{1} << 16;
  std::vector<Entry> entries_;
};

std::string trim_utf8(std::string_view s) {
  // Leading white space.
  int32_t begin = 0;
  const auto* bytes = reinterpret_cast<const uint8_t*>(s.data());
  const auto length = static_cast<int32_t>(s.size());
  while (begin < length) {
    int32_t next = begin;
    UChar32 c;
    U8_NEXT(bytes, next, length, c);
    if (c < 0 || !is_white_space(c)) break;
    begin = next;
  }
  int32_t end = length;
  while (end > begin) {
    int32_t prev = end;
    UChar32 c;
    U8_PREV(bytes, begin, prev, c);
    if (c < 0 || !is_white_space(c)) break;
    end = prev;
  }
  return std::string(
      s.substr(static_cast<std::size_t>(begin), static_cast<std::size_t>(end - begin)));
}

std::string ascii_lower(std::string_view in) {
  std::string s(in);
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// NFKC, then drop white space and hyphens, then upper-case; into `out`,
// whose storage is reused.
void compact_upper_into(std::string_view raw, std::string& out) {
  out.clear();
  if (is_ascii(raw)) {  // the same steps without ICU: ASCII is its own NFKC
    for (const char c : raw) {
      if (is_ascii_white_space(c) || c == '-') continue;
      out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
    }
    return;
  }
  const icu::UnicodeString n = nfkc_unicode(raw);
  out = to_utf8(filter_map(
      n, [](UChar32 c) { return !is_white_space(c) && !is_hyphen(c); },
      [](UChar32 c) { return u_toupper(c); }));
}

std::string compact_upper(std::string_view raw) {
  std::string out;
  compact_upper_into(raw, out);
  return out;
}

bool all_digits(std::string_view s) {
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int digits_value(std::string_view s) {
  int v = 0;
  for (const char c : s) v = v * 10 + (c - '0');
  return v;
}

bool valid_birth_date(std::string_view yyyymmdd, int latest_birth_yyyymmdd) {
  const int year = digits_value(yyyymmdd.substr(0, 4));
  const int month = digits_value(yyyymmdd.substr(4, 2));
  const int day = digits_value(yyyymmdd.substr(6, 2));
  if (!is_calendar_date(year, month, day)) return false;
  const int value = year * 10000 + month * 100 + day;
  return value >= 19000101 && value <= latest_birth_yyyymmdd;
}

// A small cursor over the ASCII-or-UTF-8 text of a time value.
class TimeCursor {
 public:
  explicit TimeCursor(std::string_view s) : s_(s) {}
  bool at_end() const { return pos_ == s_.size(); }
  // Exactly `n` ASCII digits.
  std::optional<int> digits(std::size_t n) {
    if (s_.size() - pos_ < n || !all_digits(s_.substr(pos_, n))) return std::nullopt;
    const int v = digits_value(s_.substr(pos_, n));
    pos_ += n;
    return v;
  }
  // One or two ASCII digits.
  std::optional<int> one_or_two_digits() {
    if (pos_ + 1 < s_.size() && all_digits(s_.substr(pos_, 2))) return digits(2);
    return digits(1);
  }
  bool literal(std::string_view lit) {
    if (s_.substr(pos_, lit.size()) != lit) return false;
    pos_ += lit.size();
    return true;
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

struct ClockTime {
  int hour = 0;
  int minute = 0;
  int second = 0;
};

// HH:mm, then :SS when `seconds_allowed`. Nothing may follow.
std::optional<ClockTime> parse_clock(TimeCursor& cur, bool seconds_allowed) {
  ClockTime t;
  const auto h = cur.digits(2);
  if (!h || !cur.literal(":")) return std::nullopt;
  const auto m = cur.digits(2);
  if (!m) return std::nullopt;
  t.hour = *h;
  t.minute = *m;
  if (seconds_allowed && cur.literal(":")) {
    const auto s = cur.digits(2);
    if (!s) return std::nullopt;
    t.second = *s;
  }
  if (!cur.at_end()) return std::nullopt;
  return t;
}

// The days from 1970-01-01 to the first of each month of the years 1900 to
// 2099, and to the first of the year after: the dates of nearly every row.
constexpr int kFirstTabledYear = 1900;
constexpr int kTabledYears = 200;
struct MonthStarts {
  std::array<std::array<std::int32_t, 13>, kTabledYears> days{};
};
constexpr MonthStarts month_starts() {
  constexpr std::array<int, 12> kLength = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  MonthStarts t;
  std::int32_t day = -25567;  // 1900-01-01
  for (int y = 0; y < kTabledYears; ++y) {
    const int year = kFirstTabledYear + y;
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    for (int m = 0; m < 12; ++m) {
      t.days[y][m] = day;
      day += kLength[m] + (m == 1 && leap ? 1 : 0);
    }
    t.days[y][12] = day;
  }
  return t;
}
constexpr MonthStarts kMonthStarts = month_starts();

// The instant of a civil date and time; unreadable when there is no such
// date or time. The years of the table are dated from it, others by the
// calendar's arithmetic.
TimeValue make_time(int year, int month, int day, ClockTime clock) {
  if (clock.hour > 23 || clock.minute > 59 || clock.second > 59) return TimeValue::unreadable();
  std::int64_t days = 0;
  const int y = year - kFirstTabledYear;
  if (y >= 0 && y < kTabledYears && month >= 1 && month <= 12) {
    const std::int32_t first = kMonthStarts.days[y][month - 1];
    if (day < 1 || day > kMonthStarts.days[y][month] - first) return TimeValue::unreadable();
    days = first + day - 1;
  } else if (is_calendar_date(year, month, day)) {
    days = days_from_civil(year, month, day);
  } else {
    return TimeValue::unreadable();
  }
  return TimeValue::at(days * kSecondsPerDay + clock.hour * 3600 + clock.minute * 60 +
                       clock.second);
}

// YYYY-MM-DD or YYYY/MM/DD, then nothing, or a separator and HH:mm[:SS].
TimeValue parse_separated(std::string_view s, char sep) {
  TimeCursor cur(s);
  const char sep_text[2] = {sep, '\0'};
  const auto y = cur.digits(4);
  if (!y || !cur.literal(sep_text)) return TimeValue::unreadable();
  const auto mo = cur.digits(2);
  if (!mo || !cur.literal(sep_text)) return TimeValue::unreadable();
  const auto d = cur.digits(2);
  if (!d) return TimeValue::unreadable();
  if (cur.at_end()) return make_time(*y, *mo, *d, {});
  const bool separator = cur.literal(" ") || (sep == '-' && cur.literal("T"));
  if (!separator) return TimeValue::unreadable();
  const auto clock = parse_clock(cur, true);
  if (!clock) return TimeValue::unreadable();
  return make_time(*y, *mo, *d, *clock);
}

TimeValue parse_compact(std::string_view s) {
  if (s.size() != 14 || !all_digits(s)) return TimeValue::unreadable();
  return make_time(
      digits_value(s.substr(0, 4)), digits_value(s.substr(4, 2)), digits_value(s.substr(6, 2)),
      {digits_value(s.substr(8, 2)), digits_value(s.substr(10, 2)), digits_value(s.substr(12, 2))});
}

// YYYY年M月D日, optionally one space and HH:mm.
TimeValue parse_chinese(std::string_view s) {
  TimeCursor cur(s);
  const auto y = cur.digits(4);
  if (!y || !cur.literal("年")) return TimeValue::unreadable();
  const auto mo = cur.one_or_two_digits();
  if (!mo || !cur.literal("月")) return TimeValue::unreadable();
  const auto d = cur.one_or_two_digits();
  if (!d || !cur.literal("日")) return TimeValue::unreadable();
  if (cur.at_end()) return make_time(*y, *mo, *d, {});
  if (!cur.literal(" ")) return TimeValue::unreadable();
  const auto clock = parse_clock(cur, false);
  if (!clock) return TimeValue::unreadable();
  return make_time(*y, *mo, *d, *clock);
}

// The lanes of the 8 bytes at `p` (the first in the lowest lane) XOR '0':
// a digit's lane holds its value.
std::uint64_t digit_lanes(const char* p) {
  std::uint64_t w = 0;
  std::memcpy(&w, p, 8);
  return w ^ 0x3030303030303030ULL;
}

// Whether every lane of `x` (digit_lanes) that `mask` selects is 0 to 9. A
// lane of 0x80 or more may carry into the next: that only fails more lanes,
// and the lane itself fails.
bool digit_values(std::uint64_t x, std::uint64_t mask) {
  return ((x | (x + 0x7676767676767676ULL)) & 0x8080808080808080ULL & mask) == 0;
}

int lane(std::uint64_t x, int i) {
  return static_cast<int>((x >> (8 * i)) & 0xFF);
}

// The value of the two ASCII digits at `p`; -1 when they are not digits.
int two_digits(const char* p) {
  const unsigned tens = static_cast<unsigned char>(p[0]) - unsigned{'0'};
  const unsigned ones = static_cast<unsigned char>(p[1]) - unsigned{'0'};
  return tens <= 9 && ones <= 9 ? static_cast<int>(tens * 10 + ones) : -1;
}

// The layouts registries mostly hold, read in one pass: ASCII, nothing to
// trim, digits and separators at fixed places (YYYY-MM-DD, with / or -, then
// ' ' or 'T' and HH:mm or HH:mm:SS; or YYYYMMDDHHmmSS), the digits eight
// bytes at a time. nullopt for any other text, which the general reading
// then takes; for these it gives what that reading gives. Millions of rows
// carry a time: the general reading's cursor cost several times as much per
// value.
std::optional<TimeValue> common_layout_time(std::string_view s) {
  const char* p = s.data();
  const std::size_t n = s.size();
  if (n == 14) {
    const std::uint64_t a = digit_lanes(p);
    const std::uint64_t b = digit_lanes(p + 6);  // bytes 6 to 13
    if (!digit_values(a, ~0ULL) || !digit_values(b, ~0ULL)) return std::nullopt;
    return make_time(
        lane(a, 0) * 1000 + lane(a, 1) * 100 + lane(a, 2) * 10 + lane(a, 3),
        lane(a, 4) * 10 + lane(a, 5), lane(b, 0) * 10 + lane(b, 1),
        {lane(b, 2) * 10 + lane(b, 3), lane(b, 4) * 10 + lane(b, 5), lane(b, 6) * 10 + lane(b, 7)});
  }
  if (n != 10 && n != 16 && n != 19) return std::nullopt;
  const char sep = p[4];
  // Bytes 0 to 7: YYYY, the separator, MM, the separator again.
  constexpr std::uint64_t kDateDigits = 0x00FFFF00FFFFFFFFULL;
  const std::uint64_t a = digit_lanes(p);
  const int day = two_digits(p + 8);
  if ((sep != '-' && sep != '/') || p[7] != sep || !digit_values(a, kDateDigits) || day < 0) {
    return std::nullopt;
  }
  const int year = lane(a, 0) * 1000 + lane(a, 1) * 100 + lane(a, 2) * 10 + lane(a, 3);
  const int month = lane(a, 5) * 10 + lane(a, 6);
  if (n == 10) return make_time(year, month, day, {});
  // Bytes 8 to 15: DD, the separator, HH, ':', mm.
  constexpr std::uint64_t kClockDigits = 0xFFFF00FFFF000000ULL;
  const std::uint64_t b = digit_lanes(p + 8);
  if (!(p[10] == ' ' || (p[10] == 'T' && sep == '-')) || p[13] != ':' ||
      !digit_values(b, kClockDigits)) {
    return std::nullopt;
  }
  ClockTime clock{lane(b, 3) * 10 + lane(b, 4), lane(b, 6) * 10 + lane(b, 7), 0};
  if (n == 19) {
    clock.second = two_digits(p + 17);
    if (p[16] != ':' || clock.second < 0) return std::nullopt;
  }
  return make_time(year, month, day, clock);
}

}  // namespace

std::string nfkc(std::string_view raw) {
  if (is_ascii(raw)) return std::string(raw);
  return to_utf8(nfkc_unicode(raw));
}

std::string trimmed(std::string_view raw) {
  if (is_ascii(raw)) return std::string(trim_ascii(raw));
  return trim_utf8(nfkc(raw));
}

std::string enumeration(std::string_view raw) {
  if (is_ascii(raw)) return ascii_lower(trim_ascii(raw));
  return ascii_lower(trimmed(raw));
}

std::optional<std::uint64_t> id_as_integer(std::string_view id) {
  if (id.size() != 18) return std::nullopt;
  std::uint64_t v = 0;
  if constexpr (std::endian::native == std::endian::little) {
    // Called for every ID of millions of rows, often several times: the
    // first 16 digits are tested and read 8 at a time.
    std::uint64_t high = 0;
    std::uint64_t low = 0;
    std::memcpy(&high, id.data(), 8);
    std::memcpy(&low, id.data() + 8, 8);
    if (!eight_digits(high) || !eight_digits(low) || id[16] < '0' || id[16] > '9') {
      return std::nullopt;
    }
    v = (eight_digits_value(high) * 100'000'000 + eight_digits_value(low)) * 10 +
        static_cast<std::uint64_t>(id[16] - '0');
  } else {
    for (std::size_t i = 0; i < 17; ++i) {
      if (id[i] < '0' || id[i] > '9') return std::nullopt;
      v = v * 10 + static_cast<std::uint64_t>(id[i] - '0');
    }
  }
  const char last = id[17];
  if (last == 'X') return v * 11 + 10;
  if (last < '0' || last > '9') return std::nullopt;
  return v * 11 + static_cast<std::uint64_t>(last - '0');
}

std::uint64_t IdCodes::encode(std::string_view id) {
  if (id.empty()) return kNone;
  if (const auto k = nf::id_as_integer(id)) return *k;
  const auto [it, inserted] = index_.try_emplace(std::string(id), kText | texts_.size());
  if (inserted) texts_.emplace_back(id);
  return it->second;
}

std::uint64_t IdCodes::encode_id_number(std::string_view raw) {
  const IdCode c = id_code(raw);
  if (c.code) return *c.code;
  if (c.null) return kNone;
  return encode(id_number(raw, 0).text);  // the text does not depend on the period
}

bool IdCodes::is(std::uint64_t code, std::string_view id) const {
  if (id.empty()) return code == kNone;
  if (const auto k = nf::id_as_integer(id)) return code == *k;
  const auto it = index_.find(id);
  return it != index_.end() && it->second == code;
}

std::string IdCodes::text(std::uint64_t code) const {
  if (code == kNone) return {};
  if ((code & kText) != 0) return texts_[code & ~kText];
  std::string text(18, '0');
  text[17] = code % 11 == 10 ? 'X' : static_cast<char>('0' + code % 11);
  std::uint64_t digits = code / 11;
  for (int i = 16; i >= 0; --i, digits /= 10) text[i] = static_cast<char>('0' + digits % 10);
  return text;
}

char id_check_character(std::string_view digits17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kCheck[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) sum += (digits17[i] - '0') * kWeights[i];
  return kCheck[sum % 11];
}

IdNumber id_number(std::string_view raw, int latest_birth_yyyymmdd) {
  IdNumber id;
  id_number_into(raw, latest_birth_yyyymmdd, id);
  return id;
}

void id_number_into(std::string_view raw, int latest_birth_yyyymmdd, IdNumber& id) {
  id.valid = false;
  // Nearly every number is 17 digits and a digit or X, already its own
  // normal form but for the case of the X: checked and copied in one pass
  // (the general path scans for non-ASCII, then copies byte by byte). Its
  // validity is the 18-character check at the end, without reading the
  // digits again: falling through to it cost 8 ns of the 19 saved a number.
  if (raw.size() == 18 && all_digits(raw.substr(0, 17))) {
    const char last = raw[17];
    if ((last >= '0' && last <= '9') || last == 'X' || last == 'x') {
      id.text.assign(raw);
      id.text[17] = last == 'x' ? 'X' : last;
      id.valid = valid_birth_date(raw.substr(6, 8), latest_birth_yyyymmdd) &&
                 id.text[17] == id_check_character(raw);
      return;
    }
  }
  compact_upper_into(raw, id.text);
  if (id.text.size() == 15 && all_digits(id.text)) {
    id.text.insert(6, "19");
    id.text.push_back(id_check_character(id.text));
    id.valid = valid_birth_date(std::string_view(id.text).substr(6, 8), latest_birth_yyyymmdd);
    return;
  }
  if (id.text.size() != 18) return;
  const std::string_view body = std::string_view(id.text).substr(0, 17);
  id.valid = all_digits(body) && valid_birth_date(body.substr(6, 8), latest_birth_yyyymmdd) &&
             id.text[17] == id_check_character(body);
}

IdCode id_code(std::string_view raw) {
  // The common case in one pass: 17 ASCII digits and a digit or X are their
  // own normal form, whose code id_as_integer reads.
  if (const auto code = id_as_integer(raw)) return {code, false};
  if (!is_ascii(raw)) {
    const IdNumber id = id_number(raw, 0);  // validity is not asked for
    return {id_as_integer(id.text), id.is_null()};
  }
  // compact_upper into a buffer of 18 characters, room for a widened
  // 15-digit number.
  char buffer[18];
  std::size_t n = 0;
  for (const char c : raw) {
    if (is_ascii_white_space(c) || c == '-') continue;
    if (n == sizeof buffer) return {std::nullopt, false};  // longer: no code
    buffer[n++] = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
  }
  if (n == 15 && all_digits(std::string_view(buffer, n))) {
    std::copy_backward(buffer + 6, buffer + 15, buffer + 17);
    buffer[6] = '1';
    buffer[7] = '9';
    buffer[17] = id_check_character(std::string_view(buffer, 17));
    n = 18;
  }
  return {id_as_integer(std::string_view(buffer, n)), n == 0};
}

bool id_code_valid(std::uint64_t code, int latest_birth_yyyymmdd) {
  if (code / 11 >= 100'000'000'000'000'000ULL) return false;  // not a code of 17 digits
  char text[18];
  text[17] = code % 11 == 10 ? 'X' : static_cast<char>('0' + code % 11);
  std::uint64_t digits = code / 11;
  for (int i = 16; i >= 0; --i, digits /= 10) text[i] = static_cast<char>('0' + digits % 10);
  const std::string_view body(text, 17);
  return valid_birth_date(body.substr(6, 8), latest_birth_yyyymmdd) &&
         text[17] == id_check_character(body);
}

std::string phone(std::string_view raw) {
  // Digits and '+' only. ASCII digits only, the common case, are read as they
  // are.
  std::string_view rest = raw;
  std::string kept;
  if (!all_digits(raw)) {
    const std::string normal = is_ascii(raw) ? std::string() : nfkc(raw);
    for (const char c : is_ascii(raw) ? raw : std::string_view(normal)) {
      if ((c >= '0' && c <= '9') || c == '+') kept.push_back(c);
    }
    rest = kept;
  }
  bool had_country_code = false;
  if (rest.starts_with("+86")) {
    rest.remove_prefix(3);
    had_country_code = true;
  } else if (rest.starts_with("0086")) {
    rest.remove_prefix(4);
    had_country_code = true;
  }
  std::string out;
  if (had_country_code) {
    if (!rest.starts_with('1') && !rest.starts_with('0')) out.push_back('0');
    out.append(rest);
  } else if (rest.size() == 13 && all_digits(rest) && rest.starts_with("861")) {
    out.assign(rest.substr(2));
  } else {
    out.assign(rest);
  }
  std::erase(out, '+');
  return out;
}

std::string name(std::string_view raw) {
  thread_local Remembered remembered;
  return remembered.get(raw, [](std::string_view text) {
    const icu::UnicodeString n = simplified(drop_white_space(nfkc_unicode(text)));
    return to_utf8(filter_map(
        n, [](UChar32) { return true; },
        [](UChar32 c) { return is_middle_dot(c) ? UChar32{0x00B7} : c; }));
  });
}

std::string vehicle_no(std::string_view raw) {
  return compact_upper(raw);
}

std::string place(std::string_view raw) {
  thread_local Remembered remembered;
  return remembered.get(raw, [](std::string_view text) {
    icu::UnicodeString n = simplified(drop_white_space(nfkc_unicode(text)));
    if (n.length() > 0 && n.charAt(n.length() - 1) == u'市') n.truncate(n.length() - 1);
    return to_utf8(n);
  });
}

Count count(std::string_view raw) {
  const std::string t = trimmed(raw);
  Count c;
  if (t.empty()) return c;
  if (!all_digits(t)) {
    c.state = Count::State::unreadable;
    return c;
  }
  // Saturated: the digits are a count however many there are.
  std::int64_t value = 0;
  for (const char ch : t) {
    const int digit = ch - '0';
    if (value > (INT64_MAX - digit) / 10) {
      value = INT64_MAX;
      c.beyond_range = true;
      break;
    }
    value = value * 10 + digit;
  }
  c.state = Count::State::readable;
  c.value = value;
  return c;
}

TimeValue time(std::string_view raw) {
  if (const auto t = common_layout_time(raw)) return *t;
  std::string non_ascii;  // the trimmed NFKC text, when `raw` is not ASCII
  std::string_view t;
  if (is_ascii(raw)) {
    t = trim_ascii(raw);
  } else {
    non_ascii = trimmed(raw);
    t = non_ascii;
  }
  if (t.empty()) return TimeValue::null();
  if (t.size() >= 5 && all_digits(t.substr(0, 4))) {
    switch (t[4]) {
      case '-':
        return parse_separated(t, '-');
      case '/':
        return parse_separated(t, '/');
      default:
        break;
    }
    if (t.size() == 14) return parse_compact(t);
    return parse_chinese(t);
  }
  return TimeValue::unreadable();
}

}  // namespace regaudit::nf
