// Local civil time (no zone) as regaudit compares it, and the audit period.
//
// SPEC section 2 "time" and section 3. An Instant counts seconds from
// 1970-01-01 00:00:00 in the proleptic Gregorian calendar, with no time zone:
// the registries record local civil time and every comparison stays in it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "regaudit/export.hpp"

namespace regaudit {

using Instant = std::int64_t;  // seconds of local civil time since 1970-01-01 00:00:00

inline constexpr Instant kSecondsPerMinute = 60;
inline constexpr Instant kSecondsPerDay = 86400;

// Days since 1970-01-01 of a proleptic Gregorian date. No range check.
REGAUDIT_EXPORT std::int64_t days_from_civil(int year, int month, int day);
// True when year/month/day is a real calendar date with 1 <= year <= 9999.
REGAUDIT_EXPORT bool is_calendar_date(int year, int month, int day);
// "2022-05-01T00:00:00".
REGAUDIT_EXPORT std::string format_instant(Instant t);
// "2022-05-01".
REGAUDIT_EXPORT std::string format_date(Instant t);

// A parsed time value. NULL (SQL NULL, or empty after NFKC and trimming) and
// unreadable (anything else that is not one of SPEC section 2's forms) are
// different: an end time that is NULL means "still in force", one that is
// unreadable removes its row from every rule.
class TimeValue {
 public:
  enum class State { null, unreadable, readable };

  static TimeValue null() { return TimeValue(State::null, 0); }
  static TimeValue unreadable() { return TimeValue(State::unreadable, 0); }
  static TimeValue at(Instant t) { return TimeValue(State::readable, t); }

  State state() const { return state_; }
  bool is_null() const { return state_ == State::null; }
  bool is_unreadable() const { return state_ == State::unreadable; }
  bool is_readable() const { return state_ == State::readable; }
  // Only meaningful when is_readable().
  Instant instant() const { return instant_; }

 private:
  TimeValue(State state, Instant instant) : state_(state), instant_(instant) {}
  State state_;
  Instant instant_;
};

// One calendar month P = [start, end); the as-of instant A is `end`.
class REGAUDIT_EXPORT AuditPeriod {
 public:
  // "YYYY-MM" with a month 01..12 and a year 1900..9999; nullopt otherwise.
  static std::optional<AuditPeriod> parse(std::string_view text);
  static AuditPeriod of_month(int year, int month);
  // The month that contains `t`.
  static AuditPeriod containing(Instant t);

  int year() const { return year_; }
  int month() const { return month_; }
  Instant start() const { return start_; }
  Instant end() const { return end_; }
  Instant as_of() const { return end_; }
  bool contains(Instant t) const { return t >= start_ && t < end_; }
  // "2022-04".
  std::string label() const;
  // The last calendar day of the period as YYYYMMDD (20220430): the latest
  // birth date a valid ID number may carry (SPEC section 2).
  int last_day_yyyymmdd() const { return last_day_; }

 private:
  AuditPeriod(int year, int month);
  int year_;
  int month_;
  Instant start_;
  Instant end_;
  int last_day_;
};

}  // namespace regaudit
