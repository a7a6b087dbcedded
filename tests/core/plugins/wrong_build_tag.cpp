// A plugin whose build tag differs (another compiler or SDK build).
#include "regaudit/plugin.hpp"

namespace {
regaudit::Status never_called(regaudit::RuleRegistrar&) noexcept {
  return regaudit::Status::error("the host called a plugin with the wrong build tag");
}
}  // namespace

extern "C" REGAUDIT_EXPORT const regaudit::PluginDescriptor* regaudit_plugin_descriptor() {
  static const regaudit::PluginDescriptor descriptor{regaudit::kAbiVersion, "wrong-tag", "1.0",
                                                     "regaudit-0.0.1;gcc-1.0;libstdc++-1",
                                                     &never_called};
  return &descriptor;
}
