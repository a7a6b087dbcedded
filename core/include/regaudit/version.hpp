// Versions and the build tag that the host and every plugin must share.
//
// A plugin and the host exchange C++ objects (std::string, std::vector,
// virtual calls), so both must be built by the same compiler against the same
// standard library and the same SDK headers. The plugin descriptor carries the
// ABI version and the build tag; the host refuses a plugin when either differs.
#pragma once

#include <cstdint>

#define REGAUDIT_VERSION_STRING "0.1.0"

#define REGAUDIT_STRINGIFY_DETAIL(x) #x
#define REGAUDIT_STRINGIFY(x) REGAUDIT_STRINGIFY_DETAIL(x)

#if defined(__clang__)
#define REGAUDIT_COMPILER_TAG "clang-" __clang_version__
#elif defined(__GNUC__)
#define REGAUDIT_COMPILER_TAG "gcc-" __VERSION__
#else
#define REGAUDIT_COMPILER_TAG "unknown-compiler"
#endif

#if defined(_GLIBCXX_RELEASE)
#define REGAUDIT_STDLIB_TAG "libstdc++-" REGAUDIT_STRINGIFY(_GLIBCXX_RELEASE)
#elif defined(_LIBCPP_VERSION)
#define REGAUDIT_STDLIB_TAG "libc++-" REGAUDIT_STRINGIFY(_LIBCPP_VERSION)
#else
#define REGAUDIT_STDLIB_TAG "unknown-stdlib"
#endif

// The build tag a plugin compiled against these headers carries. It is a
// string literal, so it is fixed in the plugin's binary at compile time.
#define REGAUDIT_BUILD_TAG \
  "regaudit-" REGAUDIT_VERSION_STRING ";" REGAUDIT_COMPILER_TAG ";" REGAUDIT_STDLIB_TAG

namespace regaudit {

// Raised whenever the layout or meaning of anything in regaudit/*.hpp changes.
inline constexpr std::uint32_t kAbiVersion = 4;

inline constexpr const char* kVersion = REGAUDIT_VERSION_STRING;

}  // namespace regaudit
