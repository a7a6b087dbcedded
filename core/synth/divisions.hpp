// The real divisions the synthetic city is drawn from: Guangzhou's streets and
// the county codes that open its residents' ID numbers (embedded data, see
// data/README.md).
#pragma once

#include <string>
#include <vector>

namespace regaudit::synth {

struct Street {
  std::string code;           // 9 digits
  std::string name;           // e.g. 沙面街道
  std::string district_code;  // 6 digits
};

struct County {
  std::string code;  // 6 digits
  std::string name;
  bool local = false;  // inside Guangzhou (city code 4401)
};

struct Divisions {
  std::vector<Street> streets;             // Guangzhou's 178, in code order
  std::vector<County> local_counties;      // Guangzhou's districts
  std::vector<County> other_counties;      // counties of the prefectures migrants come from
  std::vector<std::string> origin_cities;  // names of those prefectures, e.g. 武汉市
};

// Parsed once from the embedded CSV text; never touches the file system.
const Divisions& guangzhou();

}  // namespace regaudit::synth
