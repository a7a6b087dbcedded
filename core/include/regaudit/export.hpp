// Symbol visibility for the regaudit SDK and for plugins.
//
// Everything is hidden by default (-fvisibility=hidden); REGAUDIT_EXPORT marks
// the few symbols that must cross a shared-library boundary.
#pragma once

#define REGAUDIT_EXPORT __attribute__((visibility("default")))
