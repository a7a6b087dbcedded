// Rules that ask for the same shared value (RunContext::shared): the host
// must build it once per run, count its unreadable values for every rule that
// receives it, and refuse the same key under another type.
#include <fmt/format.h>

#include <atomic>
#include <string>

#include "regaudit/plugin.hpp"

namespace {

std::atomic<int> builds{0};

// The number of persons rows, built once per run if sharing works.
struct PersonCount {
  std::int64_t rows = 0;
  int build_number = 0;
};

PersonCount count_persons(regaudit::RunContext& context) {
  PersonCount out;
  regaudit::Statement rows = context.registry().prepare("SELECT count(*) FROM persons");
  if (rows.step()) out.rows = rows.int64(0);
  out.build_number = ++builds;
  context.count_unreadable("persons", "shared_probe", 2);
  return out;
}

// A value built from the shared PersonCount: its unreadable counts are
// PersonCount's, and a rule that asks for both meets them once.
struct DoubledCount {
  std::int64_t rows = 0;
};

DoubledCount double_count(regaudit::RunContext& context) {
  return {2 * context.shared<PersonCount>("test/person-count", &count_persons)->rows};
}

std::string other_type(regaudit::RunContext&) {
  return "not a PersonCount";
}

template <int N>
class SharingRule {
 public:
  static regaudit::RuleInfo info() {
    regaudit::RuleInfo info;
    info.id = fmt::format("test-shared-{}", N);
    info.version = "0.1";
    info.title = "Reads a shared value";
    info.codes = {{"built", regaudit::Severity::info, "reports which build it received"}};
    return info;
  }
  regaudit::Status configure(const regaudit::RuleOptions&) { return regaudit::Status::ok(); }
  void run(regaudit::RunContext& context) {
    const auto count = context.shared<PersonCount>("test/person-count", &count_persons);
    regaudit::Finding f;
    f.code = "built";
    f.subject_table = "persons";
    f.subject_key = N;
    f.identity = std::to_string(N);
    f.message_en = f.message_zh = fmt::format("rows={} build={}", count->rows, count->build_number);
    context.emit(std::move(f));
  }
};

class DerivedRule {
 public:
  static regaudit::RuleInfo info() {
    regaudit::RuleInfo info;
    info.id = "test-shared-derived";
    info.version = "0.1";
    info.title = "Reads a value built from a shared value, and that value";
    info.codes = {{"built", regaudit::Severity::info, "reports what it received"}};
    return info;
  }
  regaudit::Status configure(const regaudit::RuleOptions&) { return regaudit::Status::ok(); }
  void run(regaudit::RunContext& context) {
    const auto doubled = context.shared<DoubledCount>("test/doubled-count", &double_count);
    const auto count = context.shared<PersonCount>("test/person-count", &count_persons);
    regaudit::Finding f;
    f.code = "built";
    f.subject_table = "persons";
    f.subject_key = 9;
    f.identity = "9";
    f.message_en = f.message_zh =
        fmt::format("doubled={} build={}", doubled->rows, count->build_number);
    context.emit(std::move(f));
  }
};

class WrongTypeRule {
 public:
  static regaudit::RuleInfo info() {
    regaudit::RuleInfo info;
    info.id = "test-shared-wrong-type";
    info.version = "0.1";
    info.title = "Asks for a shared key under another type";
    info.codes = {{"never", regaudit::Severity::info, "never emitted"}};
    return info;
  }
  regaudit::Status configure(const regaudit::RuleOptions&) { return regaudit::Status::ok(); }
  void run(regaudit::RunContext& context) {
    // Make sure the key exists under its first type before asking.
    context.shared<PersonCount>("test/person-count", &count_persons);
    context.shared<std::string>("test/person-count", &other_type);
  }
};

void register_rules(regaudit::RuleRegistrar& registrar) {
  registrar.add<SharingRule<1>>();
  registrar.add<SharingRule<2>>();
  registrar.add<SharingRule<3>>();
  registrar.add<DerivedRule>();
  registrar.add<WrongTypeRule>();
}

}  // namespace

REGAUDIT_PLUGIN("test-shared-values", "0.1", register_rules)
