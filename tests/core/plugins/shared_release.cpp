// Two rules asking for one shared value; only the first declares it
// (RuleInfo::shared_values). Run one after the other, the host releases the
// value when the first ends, and the second gets a new build of it.
#include <fmt/format.h>

#include <atomic>
#include <string>

#include "regaudit/plugin.hpp"

namespace {

std::atomic<int> builds{0};

struct BuildNumber {
  int value = 0;
};

BuildNumber next_build(regaudit::RunContext& context) {
  context.count_unreadable("persons", "release_probe", 1);
  return {++builds};
}

template <int N>
class AskingRule {
 public:
  static regaudit::RuleInfo info() {
    regaudit::RuleInfo info;
    info.id = fmt::format("test-release-{}", N);
    info.version = "0.1";
    info.title = "Asks for a shared value";
    info.codes = {{"built", regaudit::Severity::info, "reports which build it received"}};
    if (N == 1) info.shared_values = {"test/release-count"};
    return info;
  }
  regaudit::Status configure(const regaudit::RuleOptions&) { return regaudit::Status::ok(); }
  void run(regaudit::RunContext& context) {
    const auto build = context.shared<BuildNumber>("test/release-count", &next_build);
    regaudit::Finding f;
    f.code = "built";
    f.subject_table = "persons";
    f.subject_key = N;
    f.identity = std::to_string(N);
    f.message_en = f.message_zh = fmt::format("rule={} build={}", N, build->value);
    context.emit(std::move(f));
  }
};

void register_rules(regaudit::RuleRegistrar& registrar) {
  registrar.add<AskingRule<1>>();
  registrar.add<AskingRule<2>>();
}

}  // namespace

REGAUDIT_PLUGIN("test-shared-release", "0.1", register_rules)
