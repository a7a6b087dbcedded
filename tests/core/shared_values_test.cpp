// The host's cache of shared values (SharedValues), tested directly: a
// thread that asks for a value another thread is building does the helper's
// work first instead of idling, and still gets the one value built.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <thread>

#include "regaudit/pii.hpp"
#include "regaudit/rule.hpp"
#include "rule_execution.hpp"

namespace regaudit::host {
namespace {

// A rule's context that only supplies what building a value may read.
class QuietContext final : public RunContext {
 public:
  const AuditPeriod& period() const override { return period_; }
  RegistryView& registry() override { throw std::logic_error("no registry in this test"); }
  const PiiPolicy& pii() const override { return pii_; }
  void emit(Finding) override {}
  void count_unreadable(std::string_view, std::string_view, std::uint64_t) override {}

 private:
  AuditPeriod period_ = AuditPeriod::of_month(2022, 4);
  PiiPolicy pii_{false};
};

TEST(SharedValues, AThreadWaitingForAValueRunsTheHelperAndThenGetsTheOneValue) {
  using namespace std::chrono_literals;
  SharedValues values;
  std::atomic<int> builds{0};
  std::atomic<bool> released_by_helper{false};
  std::promise<void> building;
  std::promise<void> may_finish;
  std::shared_future<void> finish = may_finish.get_future().share();
  const SharedValues::Builder build = [&](RunContext&) -> std::shared_ptr<const void> {
    ++builds;
    building.set_value();
    // Without a helper the second thread would just wait here with it; give
    // up after a while so that the test fails instead of hanging.
    released_by_helper = finish.wait_for(10s) == std::future_status::ready;
    return std::make_shared<const int>(42);
  };
  int helped = 0;
  values.set_helper([&] {
    if (helped == 1) return false;  // nothing left to do: wait
    ++helped;
    may_finish.set_value();
    return true;
  });

  QuietContext first_context;
  std::shared_ptr<const void> first;
  std::thread first_thread(
      [&] { first = values.obtain(first_context, "k", typeid(int), build).value; });
  building.get_future().wait();
  QuietContext second_context;
  const auto second = values.obtain(second_context, "k", typeid(int), build).value;
  first_thread.join();

  EXPECT_EQ(helped, 1);
  EXPECT_TRUE(released_by_helper);
  EXPECT_EQ(builds.load(), 1);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second, first);
  EXPECT_EQ(*static_cast<const int*>(second.get()), 42);
}

// A build that asks for a value another thread is building waits without
// helping: whoever waits for the value being built would wait for the
// helper's work as well.
TEST(SharedValues, ABuildWaitingForTheValueItIsBuiltFromDoesNotRunTheHelper) {
  using namespace std::chrono_literals;
  SharedValues values;
  std::atomic<int> helped{0};
  values.set_helper([&] {
    ++helped;
    return false;
  });
  std::promise<void> building;
  std::promise<void> never;
  const SharedValues::Builder inner = [&](RunContext&) -> std::shared_ptr<const void> {
    building.set_value();
    never.get_future().wait_for(200ms);  // long enough for the outer build to ask
    return std::make_shared<const int>(1);
  };
  const SharedValues::Builder outer = [&](RunContext& context) -> std::shared_ptr<const void> {
    const auto inner_value = context.shared<int>(
        "inner", +[](RunContext&) { return 0; });
    return std::make_shared<const int>(*inner_value + 1);
  };
  QuietContext first_context;
  std::thread first_thread([&] { values.obtain(first_context, "inner", typeid(int), inner); });
  building.get_future().wait();
  QuietContext second_context;
  const auto value = values.obtain(second_context, "outer", typeid(int), outer).value;
  first_thread.join();
  EXPECT_EQ(helped.load(), 0);
  EXPECT_EQ(*static_cast<const int*>(value.get()), 2);
}

TEST(SharedValues, AThreadThatNeedNotWaitDoesNotRunTheHelper) {
  SharedValues values;
  int helped = 0;
  values.set_helper([&] {
    ++helped;
    return true;
  });
  QuietContext context;
  const SharedValues::Builder build = [](RunContext&) -> std::shared_ptr<const void> {
    return std::make_shared<const int>(7);
  };
  EXPECT_EQ(*static_cast<const int*>(values.obtain(context, "k", typeid(int), build).value.get()),
            7);
  EXPECT_EQ(*static_cast<const int*>(values.obtain(context, "k", typeid(int), build).value.get()),
            7);
  EXPECT_EQ(helped, 0);
}

}  // namespace
}  // namespace regaudit::host
