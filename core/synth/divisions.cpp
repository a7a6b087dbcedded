#include "divisions.hpp"

#include <stdexcept>
#include <string_view>

#include "embedded_data.hpp"

namespace regaudit::synth {
namespace {

constexpr std::string_view kCityCode = "4401";

// The fields of one CSV line. The embedded files quote names but never put a
// comma or a quote inside one.
std::vector<std::string> split_csv_line(std::string_view line) {
  std::vector<std::string> fields;
  std::string field;
  for (const char c : line) {
    if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c != '"' && c != '\r') {
      field.push_back(c);
    }
  }
  fields.push_back(std::move(field));
  return fields;
}

// Every data line (the header skipped) with exactly `columns` fields.
std::vector<std::vector<std::string>> csv_rows(std::string_view text, std::size_t columns) {
  std::vector<std::vector<std::string>> rows;
  bool header = true;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (header || line.empty()) {
      header = false;
      continue;
    }
    std::vector<std::string> fields = split_csv_line(line);
    if (fields.size() != columns) throw std::logic_error("embedded division data are malformed");
    rows.push_back(std::move(fields));
  }
  return rows;
}

Divisions load() {
  Divisions d;
  // streets.csv: code,name,areaCode,provinceCode,cityCode
  for (auto& row : csv_rows(embedded::streets_csv(), 5)) {
    if (row[4] == kCityCode) d.streets.push_back({row[0], row[1], row[2]});
  }
  // areas.csv: code,name,cityCode,provinceCode
  for (auto& row : csv_rows(embedded::areas_csv(), 4)) {
    const bool local = row[2] == kCityCode;
    (local ? d.local_counties : d.other_counties).push_back({row[0], row[1], local});
  }
  // cities.csv: code,name,provinceCode
  for (auto& row : csv_rows(embedded::cities_csv(), 3)) {
    if (row[0] != kCityCode) d.origin_cities.push_back(row[1]);
  }
  if (d.streets.empty() || d.local_counties.empty() || d.other_counties.empty() ||
      d.origin_cities.empty()) {
    throw std::logic_error("embedded division data are incomplete");
  }
  return d;
}

}  // namespace

const Divisions& guangzhou() {
  static const Divisions divisions = load();
  return divisions;
}

}  // namespace regaudit::synth
