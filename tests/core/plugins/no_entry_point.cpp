// A shared library that is not a regaudit plugin: it has no entry point.
#include "regaudit/export.hpp"

extern "C" REGAUDIT_EXPORT int not_a_plugin() {
  return 42;
}
