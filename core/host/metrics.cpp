#include "metrics.hpp"

#include <algorithm>
#include <exception>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "regaudit/normal_forms.hpp"

namespace regaudit::host {
namespace {

struct SubjectKey {
  std::string_view table;  // a finding's subject_table, which outlives the key
  std::int64_t key;
  auto operator<=>(const SubjectKey&) const = default;
};

struct Ratio {
  double numerator = 0;
  double denominator = 0;
};

// Per-street accumulation of one metric; "" is the whole city.
using ByStreet = std::map<std::string, Ratio>;

void add(ByStreet& by_street, const std::string& street, bool counted, double amount = 1) {
  for (const std::string* key : {&street, static_cast<const std::string*>(nullptr)}) {
    Ratio& r = by_street[key != nullptr ? *key : std::string("\x01all")];
    r.denominator += amount;
    if (counted) r.numerator += amount;
  }
}

bool rule_ok(const AuditResult& result, std::string_view id) {
  return std::any_of(result.rules.begin(), result.rules.end(), [&](const RuleOutcome& r) {
    return r.id == id && r.status == RuleOutcome::Status::ok;
  });
}

// Keys of the `table` rows with a finding of `rule` (with one of `codes`;
// any code when empty).
std::unordered_set<std::int64_t> subjects_with(const AuditResult& result, std::string_view rule,
                                               std::string_view table,
                                               std::initializer_list<std::string_view> codes) {
  std::unordered_set<std::int64_t> out;
  for (const ReportedFinding& rf : result.findings) {
    const Finding& f = rf.finding;
    if (f.rule_id != rule || f.subject_table != table) continue;
    if (codes.size() > 0 &&
        std::find(codes.begin(), codes.end(), std::string_view(f.code)) == codes.end()) {
      continue;
    }
    out.insert(f.subject_key);
  }
  return out;
}

// A set of normal-form ID numbers, filled first and then queried: those of 17
// digits and a digit or X (every valid one) as integers in a sorted vector,
// any other text as text. A million strings in a hash set cost several times
// the memory and the time.
class IdSet {
 public:
  void insert(const std::string& id) {
    if (const auto k = nf::id_as_integer(id)) {
      integers_.push_back(*k);
    } else {
      texts_.insert(id);
    }
  }
  // Call once, after the last insert and before the first contains.
  void freeze() {
    std::sort(integers_.begin(), integers_.end());
    integers_.erase(std::unique(integers_.begin(), integers_.end()), integers_.end());
    integers_.shrink_to_fit();
  }
  bool contains(const std::string& id) const {
    if (const auto k = nf::id_as_integer(id)) {
      return std::binary_search(integers_.begin(), integers_.end(), *k);
    }
    return texts_.contains(id);
  }

 private:
  std::vector<std::uint64_t> integers_;
  std::unordered_set<std::string> texts_;
};

ByStreet triple_match(RegistryView& registry, const AuditResult& result) {
  const auto residence_elsewhere =
      subjects_with(result, "hukou-mismatch", "persons", {"residence_elsewhere"});
  const auto bad_links =
      subjects_with(result, "hukou-mismatch", "person_phones", {"phone_holder_mismatch"});
  const auto stale_links =
      subjects_with(result, "stale-phone", "person_phones", {"reassigned", "deactivated"});
  IdSet linked;      // normal-form ids with any link
  IdSet bad_people;  // with a bad link
  Statement links = registry.prepare("SELECT link_id, id_number FROM person_phones");
  const int last_day = result.period.last_day_yyyymmdd();
  while (links.step()) {
    const nf::IdNumber id = nf::id_number(links.text(1), last_day);
    if (id.is_null()) continue;
    linked.insert(id.text);
    const std::int64_t key = links.int64(0);
    if (bad_links.contains(key) || stale_links.contains(key)) bad_people.insert(id.text);
  }
  linked.freeze();
  bad_people.freeze();
  ByStreet out;
  Statement persons = registry.prepare("SELECT person_id, id_number, hukou_street FROM persons");
  while (persons.step()) {
    const nf::IdNumber id = nf::id_number(persons.text(1), last_day);
    if (!id.valid || !linked.contains(id.text)) continue;
    const bool matched =
        !bad_people.contains(id.text) && !residence_elsewhere.contains(persons.int64(0));
    add(out, nf::street_code(persons.text(2)), matched);
  }
  return out;
}

ByStreet event_share(RegistryView& registry, const AuditResult& result, const char* sql,
                     const char* table, std::string_view rule) {
  const auto flagged = subjects_with(result, rule, table, {});
  ByStreet out;
  Statement events = registry.prepare(sql);
  while (events.step()) {
    const TimeValue t = nf::time(events.text(1));
    if (!t.is_readable() || !result.period.contains(t.instant())) continue;
    add(out, nf::street_code(events.text(2)), flagged.contains(events.int64(0)));
  }
  return out;
}

ByStreet wasted_hours(const AuditResult& result) {
  // Per subject row (table, key), the first largest cost and its street; the
  // subjects in (table, key) order. Indexes sorted instead of a map of every
  // subject: at city scale that map was as large as the findings' text.
  const auto& findings = result.findings;
  std::vector<std::uint32_t> order(findings.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
  const auto subject = [&findings](std::uint32_t i) {
    const Finding& f = findings[i].finding;
    return SubjectKey{f.subject_table, f.subject_key};
  };
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const auto x = subject(a);
    const auto y = subject(b);
    return x < y || (x == y && a < b);
  });
  ByStreet out;
  for (std::size_t n = 0; n < order.size();) {
    const SubjectKey current = subject(order[n]);
    double cost = 0;
    const std::string* street = nullptr;
    for (; n < order.size() && subject(order[n]) == current; ++n) {
      const Finding& f = findings[order[n]].finding;
      if (f.cost_minutes > cost) {
        cost = f.cost_minutes;
        street = &f.street;
      }
    }
    if (cost > 0) add(out, *street, true, cost / 60.0);
  }
  return out;
}

}  // namespace

void compute_metrics(const std::filesystem::path& db, AuditResult& result, unsigned jobs,
                     const std::function<void()>& alongside) {
  struct Computed {
    const char* name;
    bool is_share;
    bool available;
    ByStreet values;
  };
  const AuditResult& read_only = result;
  ByStreet triple;
  std::exception_ptr triple_error;
  const auto compute_triple = [&] {
    try {
      RegistryView registry(db.string());
      triple = triple_match(registry, read_only);
    } catch (...) {
      triple_error = std::current_exception();
    }
  };
  std::vector<Computed> computed;
  {
    std::jthread triple_thread;
    if (jobs > 1) triple_thread = std::jthread(compute_triple);
    if (alongside) alongside();
    RegistryView registry(db.string());
    computed.push_back(
        {kRedundantCallShare, true, rule_ok(result, "duplicate-inquiry"),
         event_share(registry, read_only, "SELECT inquiry_id, called_at, street FROM inquiries",
                     "inquiries", "duplicate-inquiry")});
    computed.push_back(
        {kRedundantCheckinShare, true, rule_ok(result, "checkin-redundancy"),
         event_share(registry, read_only, "SELECT checkin_id, checked_in_at, street FROM checkins",
                     "checkins", "checkin-redundancy")});
    computed.push_back({kWastedStaffHours, false, true, wasted_hours(read_only)});
    if (jobs <= 1) compute_triple();
  }
  if (triple_error) std::rethrow_exception(triple_error);
  const bool persons_ok = rule_ok(result, "hukou-mismatch") && rule_ok(result, "stale-phone");
  computed.insert(computed.begin(), {kTripleMatchRate, true, persons_ok, std::move(triple)});

  const std::string all = "\x01all";
  std::set<std::string> streets;
  for (const Computed& c : computed) {
    for (const auto& [street, ratio] : c.values) {
      if (street != all) streets.insert(street);
    }
  }
  const auto metric_for = [](const Computed& c, const std::string& key) {
    Metric m{c.name, 0, 0, c.is_share, c.available};
    if (const auto it = c.values.find(key); it != c.values.end()) {
      m.numerator = it->second.numerator;
      m.denominator = c.is_share ? it->second.denominator : 0;
    }
    return m;
  };
  result.metrics.clear();
  for (const Computed& c : computed) result.metrics.push_back(metric_for(c, all));
  result.street_metrics.clear();
  for (const std::string& street : streets) {
    StreetMetrics sm{street, {}};
    for (const Computed& c : computed) sm.metrics.push_back(metric_for(c, street));
    result.street_metrics.push_back(std::move(sm));
  }
}

}  // namespace regaudit::host
