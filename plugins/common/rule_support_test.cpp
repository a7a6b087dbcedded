// The built-in rules' shared helpers, tested directly: the keys they encode
// must give back exactly the texts they were given.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "int_map.hpp"
#include "phone_resolver.hpp"
#include "pod_vector.hpp"
#include "rule_support.hpp"

namespace regaudit::rules {
namespace {

TEST(PhoneResolver, GivesBackEachIdExactlyWhateverItsForm) {
  PhoneResolver r;
  // An all-zero number has the integer code 0; X as the last character;
  // texts that are no 18-character number at all.
  const std::string ids[] = {"000000000000000000", "11010519491231002X",
                             "110105194912310021", "ABC",
                             "11010519491231002Y", "1101051949123100"};
  Instant t = 100;
  for (const std::string& id : ids) {
    const std::string phone = "138" + std::to_string(t);
    r.add(phone, id, t);
    EXPECT_EQ(r.resolve(phone, t), id);
    EXPECT_EQ(r.resolve(phone, t - 1), "");  // not yet recorded
    ++t;
  }
}

TEST(PhoneResolver, SecondPersonOnANumberEndsItsResolution) {
  PhoneResolver r;
  r.add("13800138000", "000000000000000000", 10);
  r.add("13800138000", "000000000000000000", 5);  // same person, earlier
  EXPECT_EQ(r.resolve("13800138000", 5), "000000000000000000");
  r.add("13800138000", "110105194912310021", 20);
  EXPECT_EQ(r.resolve("13800138000", 19), "000000000000000000");
  EXPECT_EQ(r.resolve("13800138000", 20), "");
  EXPECT_EQ(r.resolve("13800138000", 1000), "");
  // Numbers that are not all digits, and one with a leading zero, are apart.
  r.add("+x1", "ABC", 1);
  r.add("013800138000", "ABC", 1);
  EXPECT_EQ(r.resolve("+x1", 1), "ABC");
  EXPECT_EQ(r.resolve("013800138000", 1), "ABC");
  EXPECT_EQ(r.resolve("13800138000", 10), "000000000000000000");
  EXPECT_EQ(r.resolve("", 10), "");
}

TEST(SubscriptionsByNumber, LeadingZerosAndLengthsKeepNumbersApart) {
  EXPECT_NE(SubscriptionsByNumber::as_integer("0123"), SubscriptionsByNumber::as_integer("123"));
  EXPECT_NE(SubscriptionsByNumber::as_integer("00"), SubscriptionsByNumber::as_integer("0"));
  EXPECT_FALSE(SubscriptionsByNumber::as_integer("123456789012345678"));  // 18 digits
  EXPECT_FALSE(SubscriptionsByNumber::as_integer("+8613800138000"));
}

// The integer key is the digits' value times 32 plus their count, for 0 to
// 17 ASCII digits and nothing else: every length, with each of the 256 byte
// values at each position, against the value std::stoull reads.
TEST(SubscriptionsByNumber, IntegerKeyIsTheDigitsValueAndCountForEveryByte) {
  std::mt19937_64 random(11);
  for (std::size_t n = 0; n <= 18; ++n) {
    std::string number;
    for (std::size_t i = 0; i < n; ++i) number.push_back(static_cast<char>('0' + random() % 10));
    const auto expected = [&](const std::string& text) -> std::optional<std::uint64_t> {
      if (text.size() > 17) return std::nullopt;
      for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
      }
      return (text.empty() ? 0 : std::stoull(text)) * 32 + text.size();
    };
    ASSERT_EQ(SubscriptionsByNumber::as_integer(number), expected(number)) << number;
    for (std::size_t at = 0; at < n; ++at) {
      for (int byte = 0; byte < 256; ++byte) {
        std::string changed = number;
        changed[at] = static_cast<char>(byte);
        ASSERT_EQ(SubscriptionsByNumber::as_integer(changed), expected(changed))
            << n << " " << at << " " << byte;
      }
    }
  }
}

// Numbers kept as integers and numbers kept as texts (18 digits, a '+') are
// found under exactly the text they were stored under, leading zeros
// included, and each value is visited once.
TEST(ByNumber, IntegerAndTextNumbersKeptApartAndVisitedOnce) {
  ByNumber<std::vector<int>> by;
  const std::vector<std::string> numbers = {"13800138000",        "013800138000", "0",
                                            "123456789012345678", "+85212345678", ""};
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    by[numbers[i]].push_back(static_cast<int>(i));
    by[numbers[i]].push_back(static_cast<int>(i) * 10);
  }
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    const std::vector<int>* found = by.find(numbers[i]);
    ASSERT_NE(found, nullptr) << numbers[i];
    EXPECT_EQ(*found, (std::vector<int>{static_cast<int>(i), static_cast<int>(i) * 10}));
  }
  EXPECT_EQ(by.find("00"), nullptr);
  EXPECT_EQ(by.find("1234567890123456789"), nullptr);
  EXPECT_EQ(by.find("+852123456789"), nullptr);
  std::vector<int> firsts;
  by.for_each_value([&](std::vector<int>& v) { firsts.push_back(v.front()); });
  std::sort(firsts.begin(), firsts.end());
  EXPECT_EQ(firsts, (std::vector<int>{0, 1, 2, 3, 4, 5}));
}

// IntMap against std::map on keys that collide in the low bits, cluster, and
// include 0 and the all-ones key (which the table uses to mark free slots).
// Raw texts remembered by index_of_raw get the index of their normal form,
// numbered by the normal form's first coming, whether it first came raw or
// already normal; the normal form is computed once per distinct raw text.
TEST(Interned, RawTextsTakeTheIndexOfTheirNormalForm) {
  Interned streets;
  int computed = 0;
  const auto street = [&](std::string_view raw) {
    ++computed;
    return nf::street_code(raw);
  };
  EXPECT_EQ(streets.index("440104002"), 0u);
  EXPECT_EQ(streets.index_of_raw(" 440104001 ", street), 1u);
  EXPECT_EQ(streets.index_of_raw("440104001", street), 1u);
  EXPECT_EQ(streets.index_of_raw("\xEF\xBC\x94"
                                 "40104002",
                                 street),
            0u);  // full-width 4
  EXPECT_EQ(streets.index_of_raw(" 440104001 ", street), 1u);
  EXPECT_EQ(streets.index("440104001"), 1u);
  EXPECT_EQ(streets.index_of_raw("", street), 2u);
  EXPECT_EQ(streets[1], "440104001");
  EXPECT_EQ(streets[2], "");
  EXPECT_EQ(computed, 4);  // " 440104001 " once
}

TEST(IntMap, AgreesWithStdMapThroughGrowth) {
  IntMap<std::uint64_t> map;
  std::map<std::uint64_t, std::uint64_t> expected;
  std::mt19937_64 random(2022);
  std::vector<std::uint64_t> keys = {0, ~std::uint64_t{0}, ~std::uint64_t{0} - 1, 1};
  for (std::uint64_t i = 0; i < 20000; ++i) keys.push_back(i << 32);  // equal low bits
  for (std::uint64_t i = 0; i < 20000; ++i) keys.push_back(i * 11 + 7);
  for (int i = 0; i < 20000; ++i) keys.push_back(random());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto [value, inserted] = map.try_emplace(keys[i]);
    const bool expected_new = expected.find(keys[i]) == expected.end();
    EXPECT_EQ(inserted, expected_new) << keys[i];
    if (inserted) {
      EXPECT_EQ(*value, 0u);  // default-constructed
    }
    *value += i;
    expected[keys[i]] += i;
  }
  EXPECT_EQ(map.size(), expected.size());
  for (const auto& [key, value] : expected) {
    const std::uint64_t* found = map.find(key);
    ASSERT_NE(found, nullptr) << key;
    EXPECT_EQ(*found, value) << key;
  }
  for (int i = 0; i < 20000; ++i) {
    const std::uint64_t key = random();
    EXPECT_EQ(map.contains(key), expected.count(key) == 1) << key;
  }
  const IntMap<int> empty;
  EXPECT_EQ(empty.find(0), nullptr);
  EXPECT_EQ(empty.find(~std::uint64_t{0}), nullptr);
}

// Asking again for a key that is present moves nothing, even when the table
// is as full as it may get before growing.
TEST(IntMap, LookingUpAPresentKeyKeepsPointersValid) {
  IntMap<int> map;
  for (std::uint64_t k = 0; k < 12; ++k) map[k] = static_cast<int>(k);  // 12 of 16 slots
  const int* seven = map.find(7);
  ASSERT_NE(seven, nullptr);
  const auto [again, inserted] = map.try_emplace(7);
  EXPECT_FALSE(inserted);
  EXPECT_EQ(again, seven);
  EXPECT_EQ(map.find(7), seven);
  map[12] = 12;  // a new key may move everything
  EXPECT_EQ(*map.find(7), 7);
  EXPECT_EQ(map.size(), 13u);
}

// Reserving moves the keys already there into the larger table in one step.
TEST(IntMap, ReservingKeepsWhatIsThereAndThenDoesNotMoveIt) {
  IntMap<std::uint64_t> map;
  for (std::uint64_t k = 0; k < 100; ++k) map[k * 64] = k;
  map.reserve(100000);
  for (std::uint64_t k = 0; k < 100; ++k) ASSERT_EQ(*map.find(k * 64), k);
  const std::uint64_t* first = map.find(0);
  for (std::uint64_t k = 100; k < 100000; ++k) map[k * 64] = k;
  EXPECT_EQ(map.find(0), first);  // no growth within the reserved room
  EXPECT_EQ(map.size(), 100000u);
  map.reserve(10);  // never shrinks
  EXPECT_EQ(map.find(0), first);
}

// A prefetch reads nothing the caller sees: on an empty table, for the key
// that marks free slots, and between insertions, the map stays as it was.
TEST(IntMap, PrefetchingChangesNothing) {
  IntMap<int> map;
  map.prefetch(0);
  map.prefetch(~std::uint64_t{0});
  for (std::uint64_t k = 0; k < 1000; ++k) {
    map.prefetch(k * 7);
    map[k * 7] = static_cast<int>(k);
    map.prefetch(~std::uint64_t{0});
  }
  EXPECT_EQ(map.size(), 1000u);
  for (std::uint64_t k = 0; k < 1000; ++k) ASSERT_EQ(*map.find(k * 7), static_cast<int>(k));
  EXPECT_EQ(map.find(1), nullptr);
}

// The estimate is within 3 % (about four standard errors) at every scale,
// for keys that are sequential, spaced like phone codes, or random, and
// counts each key once however often it is added.
TEST(DistinctKeys, EstimatesTheDistinctCountWithinThreePercent) {
  std::mt19937_64 random(7);
  for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{10}, std::size_t{1000},
                              std::size_t{50000}, std::size_t{2000000}}) {
    DistinctKeys sequential;
    DistinctKeys phones;
    DistinctKeys randoms;
    for (std::size_t i = 0; i < n; ++i) {
      sequential.add(i);
      sequential.add(i);  // again
      phones.add((13800000000 + i * 7) * 32 + 11);
      randoms.add(random());
    }
    const auto near = [n](std::size_t e) {
      return static_cast<double>(e) >= 0.97 * static_cast<double>(n) &&
             static_cast<double>(e) <= 1.03 * static_cast<double>(n) + 0.5;
    };
    EXPECT_TRUE(near(sequential.estimate())) << n << ": " << sequential.estimate();
    EXPECT_TRUE(near(phones.estimate())) << n << ": " << phones.estimate();
    EXPECT_TRUE(near(randoms.estimate())) << n << ": " << randoms.estimate();
  }
}

// Growing by realloc keeps every value, through blocks large enough to be
// mapped and moved by mremap; shrinking and moving keep them too.
TEST(PodVector, KeepsEveryValueThroughGrowthShrinkingAndMoves) {
  struct Row {
    std::int64_t key;
    std::uint32_t size;
    bool flag;
  };
  PodVector<Row> rows;
  constexpr std::int64_t kRows = 300000;  // 4.8 MB
  for (std::int64_t i = 0; i < kRows; ++i) {
    rows.push_back({i * 3, static_cast<std::uint32_t>(i % 17), i % 2 == 0});
  }
  rows.shrink_to_fit();
  PodVector<Row> moved(std::move(rows));
  EXPECT_TRUE(rows.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
  ASSERT_EQ(moved.size(), static_cast<std::size_t>(kRows));
  std::int64_t i = 0;
  for (const Row& row : moved) {
    ASSERT_EQ(row.key, i * 3);
    ASSERT_EQ(row.size, static_cast<std::uint32_t>(i % 17));
    ASSERT_EQ(row.flag, i % 2 == 0);
    ++i;
  }

  PodVector<char> texts;
  std::string expected;
  for (int k = 0; k < 100000; ++k) {
    const std::string piece = std::to_string(k * 7919);
    texts.append(piece.data(), piece.size());
    expected += piece;
  }
  texts.append("", 0);
  texts.shrink_to_fit();
  EXPECT_EQ(std::string_view(texts.data(), texts.size()), expected);
  PodVector<char> assigned;
  assigned = std::move(texts);
  EXPECT_EQ(std::string_view(assigned.data(), assigned.size()), expected);
}

// A large block's pages are faulted in a few megabytes ahead of the
// filling, not a doubling's whole room at once: after 40 MiB of text, the
// block holds 64 MiB (mapped on its own, past glibc's largest threshold),
// and its last 16 MiB were never faulted in.
TEST(PodVector, FaultsInPagesOnlyAheadOfTheFilling) {
  PodVector<char> texts;
  const std::string piece(4096, 'x');
  constexpr std::size_t kFilled = std::size_t{40} << 20;
  for (std::size_t n = 0; n < kFilled; n += piece.size()) texts.append(piece.data(), piece.size());
  ASSERT_EQ(texts.capacity(), std::size_t{64} << 20);
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<std::uintptr_t>(texts.data());
  const std::uintptr_t from = (begin + (std::size_t{48} << 20) + page - 1) / page * page;
  const std::uintptr_t to = (begin + texts.capacity()) / page * page;
  std::vector<unsigned char> resident((to - from) / page);
  ASSERT_EQ(mincore(reinterpret_cast<void*>(from), to - from, resident.data()), 0);
  EXPECT_EQ(std::count_if(resident.begin(), resident.end(), [](unsigned char r) { return r & 1; }),
            0);
  EXPECT_EQ(texts.size(), kFilled);
  EXPECT_EQ(texts[kFilled - 1], 'x');
}

// Populating pages changes nothing they hold: written ones keep their bytes,
// fresh ones read as zero, whatever the alignment of the range.
TEST(PopulatePages, KeepsWhatThePagesHold) {
  constexpr std::size_t kBytes = (std::size_t{3} << 20) + 123;
  std::vector<unsigned char> written(kBytes);
  for (std::size_t i = 0; i < kBytes; ++i) written[i] = static_cast<unsigned char>(i * 31 + 7);
  const std::vector<unsigned char> copy = written;
  populate_pages(written.data() + 1, kBytes - 5);
  populate_pages(written.data(), kBytes);
  EXPECT_EQ(written, copy);

  void* fresh = std::calloc(kBytes, 1);
  ASSERT_NE(fresh, nullptr);
  populate_pages(static_cast<char*>(fresh) + 17, kBytes - 17);
  const auto* bytes = static_cast<const unsigned char*>(fresh);
  EXPECT_TRUE(std::all_of(bytes, bytes + kBytes, [](unsigned char b) { return b == 0; }));
  std::free(fresh);
  populate_pages(nullptr, 0);  // nothing to do
}

TEST(IntSet, InsertsOnceAndFinds) {
  IntSet set;
  EXPECT_TRUE(set.insert(~std::uint64_t{0}));
  EXPECT_FALSE(set.insert(~std::uint64_t{0}));
  for (std::uint64_t i = 0; i < 1000; ++i) EXPECT_TRUE(set.insert(i * 1024));
  EXPECT_FALSE(set.insert(1024));
  EXPECT_EQ(set.size(), 1001u);
  EXPECT_TRUE(set.contains(999 * 1024));
  EXPECT_FALSE(set.contains(1000 * 1024));
  EXPECT_FALSE(set.contains(1));
}

// IdSet answers exactly, its bitmap filter (refilled as it grows) notwithstanding:
// every number inserted is found, by text and by code, and nothing else.
TEST(IdSet, FindsExactlyWhatWasInsertedThroughGrowth) {
  std::mt19937_64 random(8);
  const auto id_text = [&] {
    std::string id;
    for (int k = 0; k < 17; ++k) id += static_cast<char>('0' + random() % 10);
    const auto last = random() % 11;
    id += last == 10 ? 'X' : static_cast<char>('0' + last);
    return id;
  };
  IdSet set;
  std::set<std::string> inserted;
  for (int round = 0; round < 14; ++round) {
    for (int i = 0; i < (1 << round); ++i) {
      std::string id = random() % 8 == 0 ? "T" + id_text() : id_text();  // a few texts
      set.insert(id);
      inserted.insert(std::move(id));
    }
    for (const std::string& id : inserted) {
      ASSERT_TRUE(set.contains(id)) << id;
      if (const auto code = nf::id_as_integer(id)) {
        ASSERT_TRUE(set.contains_code(*code)) << id;
      }
    }
    for (int i = 0; i < 2000; ++i) {
      const std::string other = id_text();
      if (inserted.contains(other)) continue;
      ASSERT_FALSE(set.contains(other)) << other;
      ASSERT_FALSE(set.contains_code(*nf::id_as_integer(other))) << other;
    }
  }
  EXPECT_FALSE(IdSet().contains("11010519491231002X"));
  EXPECT_FALSE(IdSet().contains("text"));
}

}  // namespace
}  // namespace regaudit::rules
