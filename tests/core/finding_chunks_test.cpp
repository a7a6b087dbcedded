// FindingChunks, the packed findings a rule emits, tested directly: the
// findings of each packed buffer can be unpacked on their own, on different
// threads, and together they are the emitted findings in emission order.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "rule_execution.hpp"

namespace regaudit::host {
namespace {

Finding numbered(std::int64_t i) {
  Finding f;
  f.code = i % 3 == 0 ? "phone_holder_mismatch" : "deactivated";
  f.subject_table = "person_phones";
  f.subject_key = i;
  f.street = "440104001";
  f.cost_minutes = static_cast<double>(i) / 4;
  // Long enough that a few thousand findings fill several buffers.
  f.message_zh =
      std::string(3000 + static_cast<std::size_t>(i % 7), 'a' + static_cast<char>(i % 26));
  f.identity = "identity-" + std::to_string(i);
  for (std::int64_t k = 0; k < i % 3; ++k) {
    f.evidence.push_back({"phone_subscriptions", i * 10 + k});
  }
  return f;
}

TEST(FindingChunks, BuffersUnpackedOnTheirOwnThreadsGiveTheFindingsInEmissionOrder) {
  constexpr std::int64_t kFindings = 5000;
  FindingChunks chunks;
  for (std::int64_t i = 0; i < kFindings; ++i) chunks.push_back(numbered(i));
  ASSERT_EQ(chunks.size(), static_cast<std::size_t>(kFindings));
  const std::size_t buffers = chunks.buffers().size();
  ASSERT_GE(buffers, 3U) << "the test needs findings in several buffers";

  std::vector<std::size_t> first(buffers);
  std::size_t counted = 0;
  for (std::size_t b = 0; b < buffers; ++b) {
    first[b] = counted;
    EXPECT_GT(chunks.count_in(b), 0U);
    counted += chunks.count_in(b);
  }
  EXPECT_EQ(counted, chunks.size());

  // Last buffer first, each on a thread of its own.
  std::vector<Finding> unpacked(chunks.size());
  {
    std::vector<std::jthread> threads;
    for (std::size_t b = buffers; b-- > 0;) {
      threads.emplace_back([&, b] {
        std::size_t at = first[b];
        chunks.drain_buffer(b, [&](Finding&& f) { unpacked[at++] = std::move(f); });
      });
    }
  }
  for (std::size_t b = 0; b < buffers; ++b) EXPECT_TRUE(chunks.buffers()[b].empty()) << b;
  chunks.clear();
  EXPECT_TRUE(chunks.empty());

  for (std::int64_t i = 0; i < kFindings; ++i) {
    const Finding expected = numbered(i);
    const Finding& got = unpacked[static_cast<std::size_t>(i)];
    ASSERT_EQ(got.subject_key, i);
    EXPECT_EQ(got.code, expected.code);
    EXPECT_EQ(got.subject_table, expected.subject_table);
    EXPECT_EQ(got.street, expected.street);
    EXPECT_EQ(got.cost_minutes, expected.cost_minutes);
    EXPECT_EQ(got.message_zh, expected.message_zh);
    EXPECT_EQ(got.identity, expected.identity);
    ASSERT_EQ(got.evidence.size(), expected.evidence.size());
    for (std::size_t k = 0; k < got.evidence.size(); ++k) {
      EXPECT_EQ(got.evidence[k].table, expected.evidence[k].table);
      EXPECT_EQ(got.evidence[k].key, expected.evidence[k].key);
    }
  }
}

TEST(FindingChunks, BuffersDrainedInOrderGiveEveryFindingOnceAndClearLeavesNothing) {
  FindingChunks all;
  for (std::int64_t i = 0; i < 3000; ++i) all.push_back(numbered(i));
  std::vector<std::int64_t> keys;
  for (std::size_t b = 0; b < all.buffers().size(); ++b) {
    all.drain_buffer(b, [&](Finding&& f) { keys.push_back(f.subject_key); });
  }
  all.clear();
  ASSERT_EQ(keys.size(), 3000U);
  for (std::size_t i = 0; i < keys.size(); ++i) ASSERT_EQ(keys[i], static_cast<std::int64_t>(i));
  EXPECT_TRUE(all.empty());
  EXPECT_TRUE(all.buffers().empty());
}

// A fingerprint holds its 32 digits in place: empty until set, the first 32
// characters of what it is given, compared and ordered as its digits.
TEST(Fingerprint, HoldsThirtyTwoDigitsInPlace) {
  static_assert(sizeof(Fingerprint) == 32);
  Fingerprint none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.view(), "");
  const std::string digits = "0123456789abcdef0123456789abcdef";
  const Fingerprint a(digits + "ffff");
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a.view(), digits);
  Fingerprint b(std::string(32, 'f'));
  EXPECT_TRUE(a < b);
  EXPECT_FALSE(b < a);
  EXPECT_FALSE(a == b);
  b = digits;
  EXPECT_TRUE(a == b);
  b = "abc";  // shorter: only what it was given
  EXPECT_EQ(b.view(), "abc");
  EXPECT_EQ(b < a, std::string_view("abc") < digits);
  const std::string copied(a);
  EXPECT_EQ(copied, digits);
}

}  // namespace
}  // namespace regaudit::host
