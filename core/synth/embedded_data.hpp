// The division CSV files of core/synth/data, compiled into the library so that
// the generator never reads the file system for them. Each function returns
// the whole file, header line included; the text lives for the whole program.
#pragma once

#include <string_view>

namespace regaudit::synth::embedded {

std::string_view streets_csv();
std::string_view areas_csv();
std::string_view cities_csv();

}  // namespace regaudit::synth::embedded
