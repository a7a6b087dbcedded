#include "regaudit/time.hpp"

#include <fmt/format.h>

namespace regaudit {
namespace {

bool is_leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

struct CivilDate {
  int year;
  int month;
  int day;
};

// Inverse of days_from_civil (Howard Hinnant's algorithm, written out here).
CivilDate civil_from_days(std::int64_t days) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t day_of_era = days - era * 146097;
  const std::int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const std::int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::int64_t mp = (5 * day_of_year + 2) / 153;
  const int day = static_cast<int>(day_of_year - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int year = static_cast<int>(year_of_era + era * 400 + (month <= 2 ? 1 : 0));
  return {year, month, day};
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

// Writes `v` (0..10^width - 1) as `width` digits at `out`.
void put_digits(char* out, std::int64_t v, int width) {
  for (int i = width - 1; i >= 0; --i, v /= 10) out[i] = static_cast<char>('0' + v % 10);
}

// Writes `d` (a year 0..9999) as YYYY-MM-DD over the first 10 characters of
// `out`, whose separators are in place.
void put_date(char* out, const CivilDate& d) {
  put_digits(out, d.year, 4);
  put_digits(out + 5, d.month, 2);
  put_digits(out + 8, d.day, 2);
}

}  // namespace

std::int64_t days_from_civil(int year, int month, int day) {
  const std::int64_t y = month <= 2 ? year - 1 : year;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t year_of_era = y - era * 400;
  const std::int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const std::int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

bool is_calendar_date(int year, int month, int day) {
  return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 &&
         day <= days_in_month(year, month);
}

// Both are written for every finding's message and identity: the common
// years (0..9999) digit by digit, others by fmt.
std::string format_instant(Instant t) {
  const std::int64_t days = floor_div(t, kSecondsPerDay);
  const std::int64_t secs = t - days * kSecondsPerDay;
  const CivilDate d = civil_from_days(days);
  if (d.year >= 0 && d.year <= 9999) {
    std::string out = "0000-00-00T00:00:00";
    put_date(out.data(), d);
    put_digits(out.data() + 11, secs / 3600, 2);
    put_digits(out.data() + 14, secs / 60 % 60, 2);
    put_digits(out.data() + 17, secs % 60, 2);
    return out;
  }
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}", d.year, d.month, d.day,
                     secs / 3600, secs / 60 % 60, secs % 60);
}

std::string format_date(Instant t) {
  const CivilDate d = civil_from_days(floor_div(t, kSecondsPerDay));
  if (d.year >= 0 && d.year <= 9999) {
    std::string out = "0000-00-00";
    put_date(out.data(), d);
    return out;
  }
  return fmt::format("{:04d}-{:02d}-{:02d}", d.year, d.month, d.day);
}

AuditPeriod::AuditPeriod(int year, int month)
    : year_(year),
      month_(month),
      start_(days_from_civil(year, month, 1) * kSecondsPerDay),
      end_(month == 12 ? days_from_civil(year + 1, 1, 1) * kSecondsPerDay
                       : days_from_civil(year, month + 1, 1) * kSecondsPerDay),
      last_day_(year * 10000 + month * 100 + days_in_month(year, month)) {}

AuditPeriod AuditPeriod::of_month(int year, int month) {
  return AuditPeriod(year, month);
}

AuditPeriod AuditPeriod::containing(Instant t) {
  const CivilDate d = civil_from_days(floor_div(t, kSecondsPerDay));
  return AuditPeriod(d.year, d.month);
}

std::optional<AuditPeriod> AuditPeriod::parse(std::string_view text) {
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  int year = 0;
  int month = 0;
  for (int i = 0; i < 7; ++i) {
    if (i == 4) continue;
    const char c = text[static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') return std::nullopt;
    if (i < 4) {
      year = year * 10 + (c - '0');
    } else {
      month = month * 10 + (c - '0');
    }
  }
  if (year < 1900 || year > 9999 || month < 1 || month > 12) return std::nullopt;
  return AuditPeriod(year, month);
}

std::string AuditPeriod::label() const {
  return fmt::format("{:04d}-{:02d}", year_, month_);
}

}  // namespace regaudit
