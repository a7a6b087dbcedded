// The rule interface: what a rule author implements, and what it is given.
//
// A rule is a class with
//   static RuleInfo info();                         // metadata, no side effects
//   Status configure(const RuleOptions& options);   // read options into members
//   void run(RunContext& context);                  // emit findings
// registered by name in its plugin's registration function (plugin.hpp). run()
// may throw; the SDK catches at the plugin boundary and the host reports the
// rule as failed while the other rules finish.
//
// Lifetime: the host constructs one instance per run, calls configure() once,
// then run() once, on a single thread. Instances never share state unless the
// author makes them; different rules run concurrently on different threads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#include "regaudit/export.hpp"
#include "regaudit/finding.hpp"
#include "regaudit/pii.hpp"
#include "regaudit/registry.hpp"
#include "regaudit/status.hpp"
#include "regaudit/time.hpp"

namespace regaudit {

enum class ParamType { integer, real, boolean, text };
REGAUDIT_EXPORT std::string_view to_string(ParamType type);

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::text;
  std::string default_value;  // as written in a profile: "7", "2.0", "true"
  std::string description;
};

struct CodeSpec {
  std::string code;
  Severity default_severity = Severity::medium;
  std::string summary;  // one line, English
};

struct RuleInfo {
  std::string id;  // "hukou-mismatch": lower case, digits and hyphens
  std::string version;
  std::string title;
  std::string description;    // one paragraph
  std::string documentation;  // the rule's doc page (Markdown)
  std::vector<CodeSpec> codes;
  std::vector<ParamSpec> params;
  // Keys of the shared values (RunContext::shared) run() asks for, when they
  // are known in advance: the host releases a value as soon as every rule
  // that declares it has ended, instead of when the run's rules end. Asking
  // for a key not declared works the same; it is only kept longer.
  std::vector<std::string> shared_values;
  // The registry tables (SPEC section 1 names) whose rows run() reads, itself
  // or through shared values, when they are known in advance. The host
  // starts the rules with the most rows to read first, so that a long rule
  // does not start while the others are ending; rules that declare none
  // start before them, in the profile's order. A rule may read other tables
  // as well: this only orders the start.
  std::vector<std::string> tables;
};

// The effective parameters of one rule, already checked by the host against
// the rule's ParamSpecs: every declared parameter is present and of its type,
// so the getters below only fail for a name the rule did not declare.
class REGAUDIT_EXPORT RuleOptions {
 public:
  RuleOptions() = default;
  explicit RuleOptions(std::map<std::string, std::string> values) : values_(std::move(values)) {}

  // Throw std::invalid_argument naming the parameter when it is absent or
  // does not parse as the type asked for.
  std::int64_t get_integer(std::string_view name) const;
  double get_real(std::string_view name) const;
  bool get_boolean(std::string_view name) const;
  const std::string& get_text(std::string_view name) const;

  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

// Parses a parameter value as `type`; error names the value and the type.
REGAUDIT_EXPORT Status check_param_value(ParamType type, std::string_view value);

// What the host gives a running rule.
class RunContext {
 public:
  virtual ~RunContext() = default;

  virtual const AuditPeriod& period() const = 0;
  // This rule's own read-only connection.
  virtual RegistryView& registry() = 0;
  // Masking for every identity placed in a message.
  virtual const PiiPolicy& pii() const = 0;
  // Hands a finding to the host. Not thread-safe: call from run()'s thread.
  virtual void emit(Finding finding) = 0;
  // Whether the report shows the message in Chinese / in English. The host
  // drops the other one, so a rule may skip formatting it; at city scale
  // that is hundreds of thousands of messages. Both by default.
  virtual bool wants_message_zh() const { return true; }
  virtual bool wants_message_en() const { return true; }
  // Counts values met that SPEC section 2 calls unreadable, per table and
  // column; they are reported, never dropped silently.
  virtual void count_unreadable(std::string_view table, std::string_view column,
                                std::uint64_t n = 1) = 0;

  // A value derived from the registry once per run and shared, read-only, by
  // every rule of the run that asks for it under the same key: the first
  // caller builds it with `build(context)` on its own thread and connection,
  // later callers wait for it and get the same object. The unreadable values
  // counted while building are counted again for every rule that receives the
  // value, as if it had read them itself (once per rule, also when a value
  // reaches it through another shared value built from it), so a rule's
  // counts do not depend on which rule built it. A builder may ask for other
  // shared values. A key names what is built and how
  // ("builtin/phone-resolver"); asking for a key under another type throws
  // std::logic_error, and `build` may not emit findings. Rules that run
  // isolated (in their own process) share nothing; neither does a context
  // that does not override shared_value(): it builds for every call.
  template <class T>
  std::shared_ptr<const T> shared(std::string_view key, T (*build)(RunContext&)) {
    return std::static_pointer_cast<const T>(
        shared_value(key, typeid(T), [build](RunContext& c) -> std::shared_ptr<const void> {
          return std::make_shared<const T>(build(c));
        }));
  }

 protected:
  using SharedBuilder = std::function<std::shared_ptr<const void>(RunContext&)>;
  virtual std::shared_ptr<const void> shared_value(std::string_view /*key*/,
                                                   const std::type_info& /*type*/,
                                                   const SharedBuilder& build) {
    return build(*this);
  }
};

}  // namespace regaudit
