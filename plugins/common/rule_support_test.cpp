// The built-in rules' shared helpers, tested directly: the keys they encode
// must give back exactly the texts they were given.
#include <gtest/gtest.h>

#include "phone_resolver.hpp"
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

}  // namespace
}  // namespace regaudit::rules
