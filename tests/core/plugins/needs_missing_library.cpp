// A plugin linked against a library that is not where the loader looks: it
// cannot be loaded, and the host must say so rather than crash.
#include "regaudit/plugin.hpp"

extern "C" int regaudit_test_dependency_value();

namespace {

class NeedsDependency {
 public:
  static regaudit::RuleInfo info() {
    regaudit::RuleInfo info;
    info.id = "test-needs-dependency";
    info.version = "0.1";
    info.codes = {{"never", regaudit::Severity::low, "never emitted"}};
    return info;
  }
  regaudit::Status configure(const regaudit::RuleOptions&) {
    return regaudit_test_dependency_value() == 7 ? regaudit::Status::ok()
                                                 : regaudit::Status::error("unexpected");
  }
  void run(regaudit::RunContext&) {}
};

void register_rules(regaudit::RuleRegistrar& registrar) {
  registrar.add<NeedsDependency>();
}

}  // namespace

REGAUDIT_PLUGIN("test-needs-dependency", "0.1", register_rules)
