// A plugin built for another plugin ABI version: the host must refuse it
// before calling anything in it.
#include "regaudit/plugin.hpp"

namespace {
regaudit::Status never_called(regaudit::RuleRegistrar&) noexcept {
  return regaudit::Status::error("the host called a plugin of the wrong ABI");
}
}  // namespace

extern "C" REGAUDIT_EXPORT const regaudit::PluginDescriptor* regaudit_plugin_descriptor() {
  static const regaudit::PluginDescriptor descriptor{999, "wrong-abi", "1.0", REGAUDIT_BUILD_TAG,
                                                     &never_called};
  return &descriptor;
}
