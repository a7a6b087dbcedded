// The plugin boundary.
//
// A plugin is a MODULE library that exports exactly one entry point,
//   extern "C" const regaudit::PluginDescriptor* regaudit_plugin_descriptor();
// written for you by REGAUDIT_PLUGIN(name, version, register_function). The
// host reads the descriptor's ABI version and build tag before anything else
// and refuses the plugin when either differs from its own. Only then does it
// call register_rules, which adds each rule by name to the host's registrar.
//
// No exception crosses the boundary: every call into plugin code goes through
// GuardedRule<T> (instantiated inside the plugin), which turns exceptions
// into Status values. Libraries stay loaded for the life of the process, so
// rule objects and their vtables remain valid until exit.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <utility>

#include "regaudit/export.hpp"
#include "regaudit/rule.hpp"
#include "regaudit/status.hpp"
#include "regaudit/version.hpp"

namespace regaudit {

// A configured rule as the host sees it. Every method is noexcept: the
// implementation (GuardedRule) lives in the plugin and catches everything.
class RuleInstance {
 public:
  virtual ~RuleInstance() = default;
  virtual Status configure(const RuleOptions& options) noexcept = 0;
  virtual Status run(RunContext& context) noexcept = 0;
};

using RuleMaker = std::unique_ptr<RuleInstance> (*)() noexcept;

struct RuleEntry {
  RuleInfo info;
  RuleMaker make = nullptr;  // nullptr only if the rule could not be described
};

namespace detail {

inline Status status_from_current_exception() noexcept {
  try {
    throw;
  } catch (const std::exception& e) {
    return Status::error(e.what());
  } catch (...) {
    return Status::error("unknown exception");
  }
}

template <class T>
class GuardedRule final : public RuleInstance {
 public:
  Status configure(const RuleOptions& options) noexcept override {
    try {
      return rule_.configure(options);
    } catch (...) {
      return status_from_current_exception();
    }
  }
  Status run(RunContext& context) noexcept override {
    try {
      rule_.run(context);
      return Status::ok();
    } catch (...) {
      return status_from_current_exception();
    }
  }

 private:
  T rule_;
};

template <class T>
std::unique_ptr<RuleInstance> make_guarded() noexcept {
  try {
    return std::make_unique<GuardedRule<T>>();
  } catch (...) {
    return nullptr;
  }
}

}  // namespace detail

// Host-owned; a plugin's register function adds its rules here.
class RuleRegistrar {
 public:
  virtual ~RuleRegistrar() = default;
  virtual void add(RuleEntry entry) = 0;

  template <class T>
  void add() {
    add(RuleEntry{T::info(), &detail::make_guarded<T>});
  }
};

// The plain descriptor behind the entry point. abi_version comes first and
// never moves, so a host can read it from a plugin of any version.
struct PluginDescriptor {
  std::uint32_t abi_version;
  const char* plugin_name;
  const char* plugin_version;
  const char* build_tag;
  Status (*register_rules)(RuleRegistrar& registrar) noexcept;
};

inline constexpr const char* kPluginEntryPoint = "regaudit_plugin_descriptor";

}  // namespace regaudit

// Defines the plugin's entry point. `register_function` is a
// void(regaudit::RuleRegistrar&) that calls registrar.add<Rule>() for each
// rule; it may throw, the generated wrapper catches.
#define REGAUDIT_PLUGIN(name, version, register_function)                                        \
  namespace {                                                                                    \
  ::regaudit::Status regaudit_register_guarded(::regaudit::RuleRegistrar& registrar) noexcept {  \
    try {                                                                                        \
      register_function(registrar);                                                              \
      return ::regaudit::Status::ok();                                                           \
    } catch (...) {                                                                              \
      return ::regaudit::detail::status_from_current_exception();                                \
    }                                                                                            \
  }                                                                                              \
  }                                                                                              \
  extern "C" REGAUDIT_EXPORT const ::regaudit::PluginDescriptor* regaudit_plugin_descriptor() {  \
    static const ::regaudit::PluginDescriptor descriptor{                                        \
        ::regaudit::kAbiVersion, name, version, REGAUDIT_BUILD_TAG, &regaudit_register_guarded}; \
    return &descriptor;                                                                          \
  }
