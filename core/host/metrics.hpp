// The headline metrics of SPEC section 5, overall and per street.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "audit.hpp"
#include "regaudit/registry.hpp"

namespace regaudit::host {

inline constexpr const char* kTripleMatchRate = "triple_match_rate";
inline constexpr const char* kRedundantCallShare = "redundant_call_share";
inline constexpr const char* kRedundantCheckinShare = "redundant_checkin_share";
inline constexpr const char* kWastedStaffHours = "wasted_staff_hours";

// What the metrics need from the registry, which does not depend on the
// findings: read while the rules run (it is one more job of the rules'
// pool), combined with the findings afterwards.
struct MetricInputs {
  // An ID (an nf::IdCodes code, of one IdCodes, spread by a bijection:
  // equal for equal IDs, ordered by nothing meaningful) and the position of its row
  // in `link_ids` or `person_ids`; for a person, also the hukou street's
  // index into `streets`.
  struct ById {
    std::uint64_t id;
    std::uint32_t at;
    std::uint32_t street;
  };
  // Inquiries and check-ins in the audit period.
  struct Event {
    std::int64_t key;
    std::uint32_t street;
  };
  // person_phones rows with a non-NULL id_number and persons rows with a
  // valid one, in reading order, and the same sorted by (spread id, position): the
  // sorts need nothing from the findings, so they are made while the rules
  // run instead of after them.
  std::vector<std::int64_t> link_ids;
  std::vector<ById> links_by_id;
  std::vector<std::int64_t> person_ids;
  std::vector<ById> persons_by_id;
  std::vector<Event> inquiries;
  std::vector<Event> checkins;
  std::vector<std::string> streets;
  // The rows of each table in metric_input_tables(): they are all read, so
  // the report's row counts need no count(*) pass over them.
  std::vector<std::pair<std::string, std::int64_t>> table_rows;
};

// The tables read_metric_inputs reads every row of.
const std::vector<std::string>& metric_input_tables();
// The shared values (RunContext::shared) read_metric_inputs uses: the run
// keeps them until it is done, as it does for a rule that declares them.
const std::vector<std::string>& metric_shared_values();

class SharedValues;

// With `shared`, the persons and phone links come from the run's shared
// values, built by the rules that use them (or here, by the first to ask).
// With `jobs` > 1 the links are ordered on a second thread.
MetricInputs read_metric_inputs(const std::filesystem::path& db, const AuditPeriod& period,
                                SharedValues* shared = nullptr, unsigned jobs = 1);

// Fills result.metrics and result.street_metrics from `inputs` and
// result.findings. A metric whose rules did not all run ok is unavailable.
// With `jobs` > 1 the triple match runs on a second thread.
void compute_metrics(const MetricInputs& inputs, AuditResult& result, unsigned jobs);

}  // namespace regaudit::host
