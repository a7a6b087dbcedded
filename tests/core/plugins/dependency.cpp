// The library needs_missing_library.so depends on; built where the loader
// will not find it.
#include "regaudit/export.hpp"

extern "C" REGAUDIT_EXPORT int regaudit_test_dependency_value() {
  return 7;
}
