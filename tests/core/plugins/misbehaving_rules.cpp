// Rules that misbehave in every way a crash-prone plugin can, one per
// directory (chosen at build time by MISBEHAVIOUR). Run isolated, each must be
// reported failed with its reason while the other rules' findings are written.
#include <csignal>
#include <cstdlib>
#include <new>
#include <vector>

#include "regaudit/plugin.hpp"

namespace {

#if MISBEHAVIOUR == 1
volatile int* null_pointer = nullptr;
#endif

class MisbehavingRule {
 public:
  static regaudit::RuleInfo info() {
    regaudit::RuleInfo info;
    info.id = "test-" MISBEHAVIOUR_NAME;
    info.version = "0.1";
    info.title = "Misbehaves: " MISBEHAVIOUR_NAME;
    info.codes = {{"never", regaudit::Severity::low, "never emitted"}};
    return info;
  }
  regaudit::Status configure(const regaudit::RuleOptions&) { return regaudit::Status::ok(); }
  void run(regaudit::RunContext&) {
#if MISBEHAVIOUR == 1  // segfault
    *null_pointer = 42;
#elif MISBEHAVIOUR == 2  // abort
    std::abort();
#elif MISBEHAVIOUR == 3  // endless loop
    volatile unsigned long spins = 0;
    for (;;) spins = spins + 1;
#elif MISBEHAVIOUR == 4  // runaway allocation
    std::vector<std::vector<char> > hoard;
    for (;;) hoard.emplace_back(64 * 1024 * 1024, 'x');
#endif
  }
};

void register_rules(regaudit::RuleRegistrar& registrar) {
  registrar.add<MisbehavingRule>();
}

}  // namespace

REGAUDIT_PLUGIN("test-" MISBEHAVIOUR_NAME, "0.1", register_rules)
