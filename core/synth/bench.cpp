// regaudit-synth-bench OUT PERSONS [SEED] [PERIOD] [MONTHS]
//
// Generates a synthetic city (see synth.hpp), then prints the row count of
// every table and the _truth count of every (period, rule, code). For
// measuring speed and memory: /usr/bin/time -v regaudit-synth-bench ...
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

#include "regaudit/schema.hpp"
#include "sqlite_util.hpp"
#include "synth/synth.hpp"

namespace {

int usage() {
  std::cerr << "usage: regaudit-synth-bench OUT PERSONS [SEED] [PERIOD=YYYY-MM] [MONTHS]\n";
  return 2;
}

void print_counts(const std::string& path) {
  using regaudit::synth::Database;
  using regaudit::synth::Statement;
  Database db(path, SQLITE_OPEN_READONLY);
  std::int64_t total = 0;
  for (const regaudit::TableSpec& t : regaudit::registry_schema()) {
    Statement count(db, "SELECT count(*) FROM " + t.name);
    count.next_row();
    total += count.column_int(0);
    std::cout << fmt::format("{:<20} {:>10}\n", t.name, count.column_int(0));
  }
  std::cout << fmt::format("{:<20} {:>10}\n\n", "(all 13 tables)", total);
  Statement truth(
      db, "SELECT period, rule, code, count(*) FROM _truth GROUP BY 1, 2, 3 ORDER BY 1, 2, 3");
  while (truth.next_row()) {
    std::cout << fmt::format("{} {:<20} {:<24} {:>8}\n", truth.column_text(0), truth.column_text(1),
                             truth.column_text(2), truth.column_int(3));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 6) return usage();
  regaudit::synth::Options options;
  options.out_path = argv[1];
  options.persons = std::atoll(argv[2]);
  if (argc > 3) options.seed = std::strtoull(argv[3], nullptr, 10);
  if (argc > 4) {
    const auto period = regaudit::AuditPeriod::parse(argv[4]);
    if (!period) return usage();
    options.period = *period;
  }
  if (argc > 5) options.months = std::atoi(argv[5]);
  const auto started = std::chrono::steady_clock::now();
  const regaudit::Status status = regaudit::synth::generate(options, std::cerr);
  if (!status) {
    std::cerr << status.message() << "\n";
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << fmt::format("generated {} persons in {:.1f} s\n", options.persons, seconds);
  try {
    print_counts(options.out_path);
  } catch (const regaudit::synth::SqliteError& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return 0;
}
