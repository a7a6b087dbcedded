// A plugin whose rule throws while running: the host must report it as a
// failed rule and still finish every other rule.
#include <stdexcept>

#include "regaudit/plugin.hpp"

namespace {

class ThrowingRule {
 public:
  static regaudit::RuleInfo info() {
    regaudit::RuleInfo info;
    info.id = "test-throws";
    info.version = "0.1";
    info.title = "Always throws";
    info.codes = {{"never", regaudit::Severity::low, "never emitted"}};
    return info;
  }
  regaudit::Status configure(const regaudit::RuleOptions&) { return regaudit::Status::ok(); }
  void run(regaudit::RunContext&) { throw std::runtime_error("deliberate failure in test-throws"); }
};

void register_rules(regaudit::RuleRegistrar& registrar) {
  registrar.add<ThrowingRule>();
}

}  // namespace

REGAUDIT_PLUGIN("test-throws", "0.1", register_rules)
