// The normal forms of SPEC section 2: every example the SPEC gives, and the
// published check-digit examples.

#include "regaudit/normal_forms.hpp"
#include "regaudit/time.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <iterator>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace regaudit::nf {
namespace {

constexpr int kEndOf2022April = 20220430;

TEST(IdNumber, PublishedExampleIsValid) {
  const IdNumber id = id_number("11010519491231002X", kEndOf2022April);
  EXPECT_EQ(id.text, "11010519491231002X");
  EXPECT_TRUE(id.valid);
}

TEST(IdNumber, LegacyFifteenDigitsWidenToEighteen) {
  const IdNumber id = id_number("110105491231002", kEndOf2022April);
  EXPECT_EQ(id.text, "11010519491231002X");
  EXPECT_TRUE(id.valid);
}

TEST(IdNumber, CheckCharacterFollowsIso7064) {
  EXPECT_EQ(id_check_character("11010519491231002"), 'X');
  EXPECT_EQ(id_check_character("44010420220430001"), '2');
}

TEST(IdNumber, DirtFormsNormaliseToTheSameNumber) {
  for (const char* raw : {"11010519491231002x", " 110105 19491231 002X ", "110105-19491231-002X",
                          "１１０１０５１９４９１２３１００２Ｘ", "110105\t19491231002x"}) {
    const IdNumber id = id_number(raw, kEndOf2022April);
    EXPECT_EQ(id.text, "11010519491231002X") << raw;
    EXPECT_TRUE(id.valid) << raw;
  }
}

TEST(IdNumber, WrongCheckCharacterIsInvalidButKeepsItsForm) {
  const IdNumber id = id_number("110105194912310021", kEndOf2022April);
  EXPECT_EQ(id.text, "110105194912310021");
  EXPECT_FALSE(id.valid);
}

TEST(IdNumber, NullAndBlankAreNull) {
  EXPECT_TRUE(id_number("", kEndOf2022April).is_null());
  EXPECT_TRUE(id_number(" \u3000 ", kEndOf2022April).is_null());
  EXPECT_FALSE(id_number("", kEndOf2022April).valid);
}

TEST(IdNumber, BirthDateMustBeRealAndWithinRange) {
  // 1899-12-31 is before 1900-01-01.
  std::string before = "11010518991231000";
  before.push_back(id_check_character(before));
  EXPECT_FALSE(id_number(before, kEndOf2022April).valid);
  std::string first = "11010519000101000";
  first.push_back(id_check_character(first));
  EXPECT_TRUE(id_number(first, kEndOf2022April).valid);
  // 2021-02-29 is no date.
  std::string impossible = "11010520210229000";
  impossible.push_back(id_check_character(impossible));
  EXPECT_FALSE(id_number(impossible, kEndOf2022April).valid);
  // Born the day after the period ends.
  std::string future = "11010520220501000";
  future.push_back(id_check_character(future));
  EXPECT_FALSE(id_number(future, kEndOf2022April).valid);
  EXPECT_TRUE(id_number(future, 20220531).valid);
}

TEST(IdNumber, LegacyNumberIsValidWhenItsBirthDateIs) {
  EXPECT_FALSE(id_number("110105490230002", kEndOf2022April).valid);  // 1949-02-30
  EXPECT_TRUE(id_number("110105490228002", kEndOf2022April).valid);
}

TEST(IdNumber, NonDigitsMakeItInvalid) {
  EXPECT_FALSE(id_number("1101051949123100AX", kEndOf2022April).valid);
  EXPECT_FALSE(id_number("11010519491231002", kEndOf2022April).valid);  // 17 characters
}

// The common shape (17 digits and a digit or X) takes a shortcut; padded with
// white space, which the normal form drops, the same text takes the general
// path: both give the same normal form and validity, over valid numbers,
// wrong check characters, impossible and future birth dates, a lower-case x.
TEST(IdNumber, SeventeenDigitsAndACheckCharacterGiveWhatTheGeneralPathGives) {
  std::mt19937_64 rng(2022);
  const auto digits = [&](int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out.push_back(static_cast<char>('0' + rng() % 10));
    return out;
  };
  const auto two = [](std::uint64_t n) {
    return std::string(1, static_cast<char>('0' + n / 10)) + static_cast<char>('0' + n % 10);
  };
  const std::string checks = "0123456789Xx";
  for (int i = 0; i < 20000; ++i) {
    std::string text = digits(6);
    switch (i % 4) {
      case 0:  // a birth date in 1900..2029, any day 01..31 of any month 01..12
        text += std::to_string(1900 + rng() % 130) + two(1 + rng() % 12) + two(1 + rng() % 31);
        break;
      default:
        text += digits(8);
        break;
    }
    text += digits(3);
    text.push_back(i % 3 == 0 ? id_check_character(text) : checks[rng() % checks.size()]);
    if (i % 7 == 0 && text[17] == 'X') text[17] = 'x';
    const IdNumber shortcut = id_number(text, kEndOf2022April);
    const IdNumber general = id_number(" " + text + "\t", kEndOf2022April);
    ASSERT_EQ(shortcut.text, general.text) << text;
    ASSERT_EQ(shortcut.valid, general.valid) << text;
  }
  EXPECT_TRUE(id_number("11010519491231002x", kEndOf2022April).valid);
  EXPECT_EQ(id_number("11010519491231002x", kEndOf2022April).text, "11010519491231002X");
}

// One IdNumber reused row after row gives what a fresh one gives, whatever
// came before: a valid number, then an invalid one, a legacy one, a null, a
// full-width one (ICU's path), and so on.
TEST(IdNumber, ReusedOneGivesWhatAFreshOneGives) {
  const std::vector<std::string> texts = {
      "11010519491231002X",
      "11010519491231002Y",
      "110105491231002",
      "",
      "1101-0519 4912-3100 2x",
      "\xEF\xBC\x91\xEF\xBC\x91\xEF\xBC\x90\xEF\xBC\x91\xEF\xBC\x90\xEF\xBC\x95"
      "19491231002X",
      "  ",
      "440104199001011234",
      "12345",
      "11010520991231002X",
      "110105491231002"};
  nf::IdNumber reused;
  for (int pass = 0; pass < 2; ++pass) {
    for (const std::string& text : texts) {
      nf::id_number_into(text, 20220430, reused);
      const nf::IdNumber fresh = nf::id_number(text, 20220430);
      EXPECT_EQ(reused.text, fresh.text) << text;
      EXPECT_EQ(reused.valid, fresh.valid) << text;
    }
  }
  nf::id_number_into("110105491231002", 20220430, reused);
  EXPECT_EQ(reused.text, "11010519491231002X");
  EXPECT_TRUE(reused.valid);
  nf::id_number_into("", 20220430, reused);
  EXPECT_TRUE(reused.is_null());
  EXPECT_FALSE(reused.valid);
}

TEST(IdNumber, IntegerCodeIsExactAndOnlyForDigitsAndX) {
  const auto a = id_as_integer("11010519491231002X");
  const auto b = id_as_integer("110105194912310021");
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(id_as_integer("11010519491231002X"), a);
  EXPECT_FALSE(id_as_integer("1101051949123100AX"));
  EXPECT_FALSE(id_as_integer("110105491231002"));
  EXPECT_FALSE(id_as_integer("11010519491231002Y"));
}

// The code is the 17 digits' value times 11 plus the check character's (X:
// 10), and exists exactly when every one of the 17 is an ASCII digit: each
// position is tried with each of the 256 byte values, and random numbers are
// read against std::stoull.
TEST(IdNumber, IntegerCodeIsTheDigitsValueForEveryByteAtEveryPosition) {
  EXPECT_EQ(id_as_integer("110105194912310021"), 11010519491231002ULL * 11 + 1);
  EXPECT_EQ(id_as_integer("99999999999999999X"), 99999999999999999ULL * 11 + 10);
  EXPECT_EQ(id_as_integer("000000000000000000"), 0u);
  const std::string base = "123456789012345678";
  for (std::size_t at = 0; at < base.size(); ++at) {
    for (int byte = 0; byte < 256; ++byte) {
      std::string id = base;
      id[at] = static_cast<char>(byte);
      const bool digit = byte >= '0' && byte <= '9';
      const bool expected = digit || (at == 17 && byte == 'X');
      const auto code = id_as_integer(id);
      ASSERT_EQ(code.has_value(), expected) << at << " " << byte;
      if (digit) {
        EXPECT_EQ(*code, std::stoull(id.substr(0, 17)) * 11 + (id[17] - '0')) << id;
      }
    }
  }
  std::mt19937_64 random(17);
  for (int i = 0; i < 10000; ++i) {
    std::string id = std::to_string(random() % 100'000'000'000'000'000ULL);
    id = std::string(17 - id.size(), '0') + id + static_cast<char>('0' + random() % 10);
    EXPECT_EQ(id_as_integer(id), std::stoull(id.substr(0, 17)) * 11 + (id[17] - '0')) << id;
  }
}

TEST(Phone, SpecExamplesAllBecomeTheSameMobile) {
  for (const char* raw : {"+86 138 0013 8000", "0086-13800138000", "8613800138000", "138-0013-8000",
                          "１３８００１３８０００", "13800138000"}) {
    EXPECT_EQ(phone(raw), "13800138000") << raw;
  }
}

// Plain digits take a fast path; a leading space sends the same number down
// the general one. Both agree on digit strings with and without the country
// code's forms.
TEST(Phone, PlainDigitsReadAsTheGeneralPathReadsThem) {
  std::mt19937 random(86);
  const char* prefixes[] = {"", "", "", "0", "86", "861", "0086", "00861", "8613", "1"};
  for (int i = 0; i < 50000; ++i) {
    std::string raw = prefixes[random() % std::size(prefixes)];
    const int length = static_cast<int>(random() % 16);
    for (int k = 0; k < length; ++k) raw += static_cast<char>('0' + random() % 10);
    ASSERT_EQ(phone(raw), phone(" " + raw)) << raw;
  }
}

TEST(Phone, LandlinesKeepOrRegainTheirTrunkZero) {
  EXPECT_EQ(phone("020-8333 4444"), "02083334444");
  EXPECT_EQ(phone("+86 20 8333 4444"), "02083334444");
  EXPECT_EQ(phone("0086 20 83334444"), "02083334444");
}

TEST(Phone, ThirteenDigitsStartingEightSixOneOnlyLoseTheirEightySix) {
  EXPECT_EQ(phone("86138001380001"), "86138001380001");  // 14 digits: kept
  EXPECT_EQ(phone("8623800138000"), "8623800138000");    // not 861
}

TEST(Phone, StrayPlusSignsAreDroppedAndEmptyIsNull) {
  EXPECT_EQ(phone("138+0013+8000"), "13800138000");
  EXPECT_EQ(phone("n/a"), "");
  EXPECT_EQ(phone(""), "");
}

TEST(Name, TraditionalBecomesSimplifiedAndWhiteSpaceGoes) {
  EXPECT_EQ(name("張 偉"), "张伟");
  EXPECT_EQ(name("  陳\u3000國強 "), "陈国强");
  EXPECT_EQ(name("李四"), "李四");
}

TEST(Name, EveryMiddleDotBecomesU00B7) {
  const std::string expected = "阿依古丽\u00B7买买提";
  for (const char* raw : {"阿依古丽·买买提", "阿依古丽•买买提", "阿依古丽・买买提",
                          "阿依古丽･买买提", "阿依古麗 · 買買提"}) {
    EXPECT_EQ(name(raw), expected) << raw;
  }
}

// Names and places skip the Traditional-Simplified transform when they hold
// no character it may change. What they come to must be what the transform
// itself (the SPEC's reference) gives: checked on every code point of the CJK
// blocks, and on names and places made of them.
TEST(Name, SkippingTheTransformGivesWhatTheTransformGives) {
  UErrorCode status = U_ZERO_ERROR;
  const std::unique_ptr<icu::Transliterator> transform(icu::Transliterator::createInstance(
      icu::UnicodeString("Traditional-Simplified"), UTRANS_FORWARD, status));
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  ASSERT_TRUE(U_SUCCESS(status));
  const auto reference = [&](const icu::UnicodeString& raw) {
    icu::UnicodeString s = nfkc->normalize(raw, status);
    transform->transliterate(s);
    std::string out;
    return s.toUTF8String(out);
  };
  const auto utf8 = [](const icu::UnicodeString& s) {
    std::string out;
    return s.toUTF8String(out);
  };
  std::vector<UChar32> han;
  for (const auto& [from, to] : {std::pair{0x3400, 0x4DBF}, std::pair{0x4E00, 0x9FFF},
                                 std::pair{0xF900, 0xFAFF}, std::pair{0x20000, 0x2A6DF}}) {
    for (UChar32 c = from; c <= to; ++c) han.push_back(c);
  }
  for (const UChar32 c : han) {
    const icu::UnicodeString one(c);
    ASSERT_EQ(name(utf8(one)), reference(one)) << "U+" << std::hex << c;
  }
  std::mt19937 random(2022);
  const icu::UnicodeString road(u"路");
  for (int i = 0; i < 5000; ++i) {
    icu::UnicodeString text;
    for (int k = 2 + i % 3; k > 0; --k) text.append(han[random() % han.size()]);
    ASSERT_EQ(name(utf8(text)), reference(text)) << utf8(text);
    ASSERT_EQ(place(utf8(text + road)), reference(text + road)) << utf8(text);
  }
}

// Names and places are remembered per thread (in 65,536 places each). Asked
// again, after more distinct texts than there are places (most are then
// replaced), and in a fresh thread, each comes out as it did the first time;
// texts that differ only past a common prefix, or in white space, stay apart.
TEST(Name, RememberedNamesAndPlacesComeOutAsFirstComputed) {
  std::vector<std::string> raws;
  for (int i = 0; i < 66000; ++i) {
    // A tenth in traditional characters: the transform is the slow part.
    raws.push_back((i % 10 == 0 ? "張 " : "张 ") + std::to_string(i) +
                   (i % 2 == 0 ? "·国强" : " 国 强 "));
  }
  std::vector<std::string> names;
  std::vector<std::string> places;
  for (const std::string& raw : raws) {
    names.push_back(name(raw));
    places.push_back(place(raw + "市"));
  }
  EXPECT_EQ(names[0], "张0·国强");
  EXPECT_EQ(names[1], "张1国强");
  EXPECT_EQ(places[10], "张10\u00B7国强");
  for (std::size_t i = 0; i < raws.size(); i += 97) {
    ASSERT_EQ(name(raws[i]), names[i]) << raws[i];
    ASSERT_EQ(place(raws[i] + "市"), places[i]) << raws[i];
  }
  std::thread([&] {
    for (std::size_t i = 0; i < raws.size(); i += 11) {
      ASSERT_EQ(name(raws[i]), names[i]) << raws[i];
      ASSERT_EQ(place(raws[i] + "市"), places[i]) << raws[i];
    }
  }).join();
  for (std::size_t i = 0; i < raws.size(); i += 13) {
    ASSERT_EQ(name(raws[i]), names[i]) << raws[i];
    ASSERT_EQ(place(raws[i] + "市"), places[i]) << raws[i];
  }
}

TEST(VehicleNo, SpecExample) {
  EXPECT_EQ(vehicle_no("g 12-34"), "G1234");
  EXPECT_EQ(vehicle_no("Ｇ１２３４"), "G1234");
  EXPECT_EQ(vehicle_no("cz3101"), "CZ3101");
}

TEST(Place, SpecExampleAndOneTrailingCity) {
  EXPECT_EQ(place("廣州市"), "广州");
  EXPECT_EQ(place("广州"), "广州");
  EXPECT_EQ(place(" 上 海 市 "), "上海");
  EXPECT_EQ(place("市市"), "市");
}

TEST(Enumeration, TrimmedAndAsciiLowerCase) {
  EXPECT_EQ(enumeration("  Confirmed_Local "), "confirmed_local");
  EXPECT_EQ(enumeration("ＥＭＰＴＹ_NUMBER"), "empty_number");
  EXPECT_EQ(enumeration(""), "");
}

TEST(Trimmed, StreetCodesAndTeams) {
  EXPECT_EQ(street_code(" 440104001\u3000"), "440104001");
  EXPECT_EQ(street_code("４４０１０４００１"), "440104001");
  EXPECT_EQ(team(" 三人小组 A "), "三人小组 A");
}

TEST(CountValue, DigitsOnly) {
  EXPECT_EQ(count(" 02 ").value, 2);
  EXPECT_EQ(count("02").state, Count::State::readable);
  EXPECT_EQ(count("３").value, 3);
  EXPECT_EQ(count("two").state, Count::State::unreadable);
  EXPECT_EQ(count("-1").state, Count::State::unreadable);
  EXPECT_EQ(count("2.0").state, Count::State::unreadable);
  EXPECT_EQ(count(" ").state, Count::State::null);
}

// SPEC section 2: one or more ASCII digits are a count, however many. Past
// 2^63 - 1 the value is held at 2^63 - 1 (it equals no dose count).
TEST(CountValue, AnyNumberOfDigitsIsReadable) {
  constexpr std::int64_t kMost = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(count("9223372036854775806").value, kMost - 1);
  EXPECT_EQ(count("9223372036854775807").value, kMost);
  EXPECT_FALSE(count("9223372036854775807").beyond_range);
  EXPECT_FALSE(count("000000000000000000000000000000000000000002").beyond_range);
  for (const char* digits : {"9223372036854775808", "99999999999999999999",
                             "00000000000000000000000000000000000000001234567890123456789012"}) {
    const Count c = count(digits);
    EXPECT_EQ(c.state, Count::State::readable) << digits;
    EXPECT_EQ(c.value, kMost) << digits;
    EXPECT_TRUE(c.beyond_range) << digits;
  }
  // Leading zeros are no digits too many.
  EXPECT_EQ(count("000000000000000000000000000000000000000002").value, 2);
}

Instant at(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return days_from_civil(y, mo, d) * kSecondsPerDay + h * 3600 + mi * 60 + s;
}

TEST(Time, EveryFormOfTheSpec) {
  const struct {
    const char* raw;
    Instant expected;
  } cases[] = {
      {"2022-04-03 09:30", at(2022, 4, 3, 9, 30)},
      {"2022-04-03T09:30:15", at(2022, 4, 3, 9, 30, 15)},
      {"2022-04-03 09:30:15", at(2022, 4, 3, 9, 30, 15)},
      {"2022-04-03T09:30", at(2022, 4, 3, 9, 30)},
      {"2022/04/03 09:30", at(2022, 4, 3, 9, 30)},
      {"2022/04/03 09:30:15", at(2022, 4, 3, 9, 30, 15)},
      {"2022-04-03", at(2022, 4, 3)},
      {"2022/04/03", at(2022, 4, 3)},
      {"20220403093015", at(2022, 4, 3, 9, 30, 15)},
      {"2022年4月3日", at(2022, 4, 3)},
      {"2022年04月03日", at(2022, 4, 3)},
      {"2022年4月3日 09:30", at(2022, 4, 3, 9, 30)},
      {" ２０２２－０４－０３　０９：３０ ", at(2022, 4, 3, 9, 30)},
  };
  for (const auto& c : cases) {
    const TimeValue t = time(c.raw);
    ASSERT_TRUE(t.is_readable()) << c.raw;
    EXPECT_EQ(t.instant(), c.expected) << c.raw;
  }
}

TEST(Time, ImpossibleAndOtherFormsAreUnreadable) {
  for (const char* raw :
       {"2022-04-31", "2021-02-30", "2022-04-03 24:00", "2022-04-03 09:60", "2022-04-03 09:30:60",
        "2022-4-3", "2022/04/03T09:30", "2022-04-03  09:30", "2022-04-03 9:30", "03/04/2022",
        "2022年4月3日 09:30:15", "2022年4月3日09:30", "2022040309301", "yesterday", "2022-04-03Z",
        "2022-13-01", "2022-00-10", "0000-01-01"}) {
    EXPECT_TRUE(time(raw).is_unreadable()) << raw;
  }
}

TEST(Time, BlankIsNullNotUnreadable) {
  EXPECT_TRUE(time("").is_null());
  EXPECT_TRUE(time("  ").is_null());
  EXPECT_TRUE(time("\u3000").is_null());
}

TEST(Time, LeapDayAndCenturyRules) {
  EXPECT_TRUE(time("2020-02-29").is_readable());
  EXPECT_TRUE(time("2000-02-29").is_readable());
  EXPECT_TRUE(time("1900-02-29").is_unreadable());
  EXPECT_TRUE(time("2096-02-29 23:59:59").is_readable());
  EXPECT_TRUE(time("2100-02-29").is_unreadable());
  EXPECT_TRUE(time("2400-02-29").is_readable());
}

// Times of 1900 to 2099 are dated from a table of month starts, others by
// the calendar's arithmetic: around and across the table's years, every
// month's first day gives the arithmetic's instant, and its last days are
// readable exactly when they are calendar dates.
TEST(Time, TheTableOfMonthStartsAgreesWithTheCalendar) {
  for (int year = 1890; year <= 2110; ++year) {
    for (int month = 1; month <= 12; ++month) {
      const std::string ym = fmt::format("{:04}-{:02}-", year, month);
      const TimeValue first = time(ym + "01 00:00:01");
      ASSERT_TRUE(first.is_readable()) << ym;
      EXPECT_EQ(first.instant(), days_from_civil(year, month, 1) * kSecondsPerDay + 1) << ym;
      for (int day = 28; day <= 32; ++day) {
        EXPECT_EQ(time(ym + fmt::format("{:02}", day)).is_readable(),
                  is_calendar_date(year, month, day))
            << ym << day;
      }
    }
  }
}

// The common layouts are read by a one-pass fast path; a leading space turns
// it off (the general reading trims it). Both must agree on every text near
// those layouts: well-formed ones with field values in and out of range, and
// ones with a character changed.
TEST(Time, TheFastPathReadsWhatTheGeneralReadingReads) {
  std::mt19937 random(2022);
  const auto two = [&](int below) {
    const int v = static_cast<int>(random() % static_cast<unsigned>(below));
    return std::string{static_cast<char>('0' + v / 10), static_cast<char>('0' + v % 10)};
  };
  // Bytes that are digits with the high bit set, or lead a UTF-8 sequence,
  // too: the fast path tests eight bytes at once.
  const std::string noise = "0123456789-/ T:x\t\xB9\xE5";
  std::size_t readable = 0;
  for (int i = 0; i < 200000; ++i) {
    const char sep = random() % 2 != 0 ? '-' : '/';
    // Years 1890 to 2119: the fast path's table of years, 1900 to 2099, and
    // beyond it at both ends.
    std::string raw = std::to_string(1890 + random() % 230) + sep + two(14) + sep + two(33);
    switch (random() % 4) {
      case 0:
        break;
      case 1:
        raw += (random() % 2 != 0 ? " " : "T") + two(26) + ":" + two(62);
        break;
      case 2:
        raw += (random() % 2 != 0 ? " " : "T") + two(26) + ":" + two(62) + ":" + two(62);
        break;
      default:
        raw =
            std::to_string(1890 + random() % 230) + two(14) + two(33) + two(26) + two(62) + two(62);
    }
    if (random() % 3 == 0) raw[random() % raw.size()] = noise[random() % noise.size()];
    const TimeValue fast = time(raw);
    const TimeValue general = time(" " + raw);
    ASSERT_EQ(fast.state(), general.state()) << raw;
    if (fast.is_readable()) {
      ++readable;
      EXPECT_EQ(fast.instant(), general.instant()) << raw;
    }
  }
  EXPECT_GT(readable, 20000u);  // the comparison covered readable times too
}

// format_instant and format_date write common years digit by digit: read
// back, every instant of years 1000..9999 gives itself; other years still
// print in full.
TEST(Time, FormattedInstantsReadBackAsThemselves) {
  std::mt19937_64 random(4);
  const Instant from = at(1000, 1, 1);
  const Instant to = at(9999, 12, 31, 23, 59, 59);
  for (int i = 0; i < 100000; ++i) {
    const Instant t = from + static_cast<Instant>(random() % static_cast<std::uint64_t>(to - from));
    const std::string text = format_instant(t);
    const TimeValue back = time(text);
    ASSERT_TRUE(back.is_readable()) << text;
    ASSERT_EQ(back.instant(), t) << text;
    ASSERT_EQ(format_date(t), text.substr(0, 10)) << text;
  }
  EXPECT_EQ(format_instant(at(2022, 4, 3, 9, 5, 7)), "2022-04-03T09:05:07");
  EXPECT_EQ(format_instant(at(10000, 1, 1)), "10000-01-01T00:00:00");
  EXPECT_EQ(format_date(at(10000, 1, 1)), "10000-01-01");
  EXPECT_EQ(format_date(at(999, 12, 31)), "0999-12-31");
}

TEST(AuditPeriodTest, MonthBoundsAndAsOf) {
  const auto p = AuditPeriod::parse("2022-04");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->start(), at(2022, 4, 1));
  EXPECT_EQ(p->end(), at(2022, 5, 1));
  EXPECT_EQ(p->as_of(), p->end());
  EXPECT_EQ(p->last_day_yyyymmdd(), 20220430);
  EXPECT_TRUE(p->contains(at(2022, 4, 30, 23, 59, 59)));
  EXPECT_FALSE(p->contains(at(2022, 5, 1)));
  EXPECT_EQ(format_instant(p->as_of()), "2022-05-01T00:00:00");
  EXPECT_EQ(AuditPeriod::parse("2022-12")->end(), at(2023, 1, 1));
  EXPECT_EQ(AuditPeriod::parse("2024-02")->last_day_yyyymmdd(), 20240229);
  EXPECT_FALSE(AuditPeriod::parse("2022-13"));
  EXPECT_FALSE(AuditPeriod::parse("2022-4"));
  EXPECT_FALSE(AuditPeriod::parse("22-04"));
}

// id_code must agree with id_number exactly: hand-picked forms, then random
// strings over the characters that matter (digits, x and X, spaces, hyphens,
// full-width digits, other letters) of every length around 15 and 18.
TEST(IdCode, AgreesWithIdNumberOnEveryInput) {
  const auto agrees = [](const std::string& raw) {
    const nf::IdNumber id = nf::id_number(raw, 20220430);
    const nf::IdCode code = nf::id_code(raw);
    EXPECT_EQ(code.code, nf::id_as_integer(id.text)) << raw;
    EXPECT_EQ(code.null, id.is_null()) << raw;
    if (code.code) {
      EXPECT_EQ(nf::id_code_valid(*code.code, 20220430), id.valid) << raw;
    }
    nf::IdCodes codes;
    EXPECT_EQ(codes.encode_id_number(raw), codes.encode(id.text)) << raw;
  };
  for (const std::string raw :
       {"", " ", "-", "11010519491231002X", "11010519491231002x", " 110105-19491231-002x ",
        "110105491231002", "110105 491231 002", "110105221231002", "1101054912310021",
        "110105194912310021", "1101051949123100211", "11010519491231002XX", "A10105194912310021",
        "１１０１０５１９４９１２３１００２Ｘ", "110105194913310028", "000000000000000000"}) {
    agrees(raw);
  }
  const std::vector<std::string> pieces = {"0", "1", "2", "3", "4", "5",  "6", "7",  "8",
                                           "9", "x", "X", " ", "-", "\t", "A", "１", "　"};
  std::mt19937 random(15);
  for (int i = 0; i < 20000; ++i) {
    const int length = 12 + static_cast<int>(random() % 10);
    std::string raw = "110105";  // most valid numbers start with a region
    for (int k = 0; k < length; ++k) {
      // Mostly digits, so that valid numbers and legacy ones occur.
      raw += random() % 4 != 0 ? pieces[random() % 10] : pieces[random() % pieces.size()];
    }
    agrees(raw);
  }
  // Valid numbers, whose check character is right.
  for (int i = 0; i < 2000; ++i) {
    std::string body = "1101051990";
    for (int k = 0; k < 7; ++k) body += static_cast<char>('0' + random() % 10);
    body[10] = '0';
    body[11] = static_cast<char>('1' + random() % 9);  // month 01..09
    body[12] = '1';                                    // day 10..19
    agrees(body + nf::id_check_character(body));
    agrees(body.substr(0, 6) + body.substr(8, 9));  // the legacy form
  }
}

TEST(IdCodes, EqualCodesExactlyForEqualTextsAndTheTextComesBack) {
  IdCodes codes;
  const std::string ids[] = {"000000000000000000", "11010519491231002X",
                             "110105194912310021", "ABC",
                             "11010519491231002Y", "abc"};
  std::vector<std::uint64_t> encoded;
  for (const std::string& id : ids) encoded.push_back(codes.encode(id));
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    EXPECT_EQ(codes.text(encoded[i]), ids[i]);
    EXPECT_EQ(codes.encode(ids[i]), encoded[i]);
    for (std::size_t j = 0; j < encoded.size(); ++j) {
      EXPECT_EQ(codes.is(encoded[i], ids[j]), i == j) << ids[i] << " " << ids[j];
    }
  }
  EXPECT_EQ(codes.encode(""), IdCodes::kNone);
  EXPECT_TRUE(codes.is(IdCodes::kNone, ""));
  EXPECT_FALSE(codes.is(IdCodes::kNone, "ABC"));
  EXPECT_FALSE(codes.is(encoded[3], "never-encoded"));
  EXPECT_EQ(codes.text(IdCodes::kNone), "");
}

}  // namespace
}  // namespace regaudit::nf
