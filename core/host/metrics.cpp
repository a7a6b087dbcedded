#include "metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "persons_table.hpp"
#include "phone_links.hpp"
#include "regaudit/normal_forms.hpp"
#include "regaudit/pii.hpp"
#include "rule_execution.hpp"

namespace regaudit::host {
namespace {

struct Ratio {
  double numerator = 0;
  double denominator = 0;
};

// Per-street accumulation of one metric; "" is the whole city.
using ByStreet = std::map<std::string, Ratio>;

bool rule_ok(const AuditResult& result, std::string_view id) {
  return std::any_of(result.rules.begin(), result.rules.end(), [&](const RuleOutcome& r) {
    return r.id == id && r.status == RuleOutcome::Status::ok;
  });
}

// Keys of subject rows, sorted and distinct. Sorted vectors, not hash sets:
// at 10 M persons they hold millions of keys, probed by tens of millions of
// rows.
class SubjectKeys {
 public:
  SubjectKeys() = default;
  explicit SubjectKeys(std::vector<std::int64_t> keys) : keys_(std::move(keys)) {
    std::sort(keys_.begin(), keys_.end());
    keys_.erase(std::unique(keys_.begin(), keys_.end()), keys_.end());
  }
  bool contains(std::int64_t key) const {
    return std::binary_search(keys_.begin(), keys_.end(), key);
  }
  const std::vector<std::int64_t>& keys() const { return keys_; }

 private:
  std::vector<std::int64_t> keys_;
};

// The subjects the metrics ask about, gathered in one pass over the findings
// (at 10 M persons each pass reads gigabytes; there were five).
struct MetricSubjects {
  SubjectKeys residence_elsewhere;  // hukou-mismatch, persons
  SubjectKeys holder_mismatch;      // hukou-mismatch, person_phones
  SubjectKeys stale_links;          // stale-phone reassigned or deactivated, person_phones
  SubjectKeys calls;                // duplicate-inquiry, inquiries, any code
  SubjectKeys checkins;             // checkin-redundancy, checkins, any code
};

MetricSubjects metric_subjects(const AuditResult& result) {
  // Compared as views, which compare sizes first: a std::string compared
  // with a literal compares bytes, a cache miss where the text is on the heap
  // (7 M findings at 10 M persons).
  using namespace std::string_view_literals;
  std::vector<std::int64_t> keys[5];
  for (const ReportedFinding& rf : result.findings) {
    const Finding& f = rf.finding;
    const std::int64_t key = f.subject_key;
    const std::string_view rule = f.rule_id;
    const std::string_view table = f.subject_table;
    const std::string_view code = f.code;
    if (rule == "hukou-mismatch"sv) {
      if (table == "persons"sv && code == "residence_elsewhere"sv) keys[0].push_back(key);
      if (table == "person_phones"sv && code == "phone_holder_mismatch"sv) keys[1].push_back(key);
    } else if (rule == "stale-phone"sv) {
      if (table == "person_phones"sv && (code == "reassigned"sv || code == "deactivated"sv)) {
        keys[2].push_back(key);
      }
    } else if (rule == "duplicate-inquiry"sv) {
      if (table == "inquiries"sv) keys[3].push_back(key);
    } else if (rule == "checkin-redundancy"sv) {
      if (table == "checkins"sv) keys[4].push_back(key);
    }
  }
  return {SubjectKeys(std::move(keys[0])), SubjectKeys(std::move(keys[1])),
          SubjectKeys(std::move(keys[2])), SubjectKeys(std::move(keys[3])),
          SubjectKeys(std::move(keys[4]))};
}

class StreetIndex {
 public:
  std::uint32_t index(std::string street) {
    const auto [it, inserted] =
        index_.try_emplace(std::move(street), static_cast<std::uint32_t>(names_.size()));
    if (inserted) names_.push_back(it->first);
    return it->second;
  }
  std::vector<std::string> names() { return std::move(names_); }

 private:
  std::unordered_map<std::string, std::uint32_t> index_;
  std::vector<std::string> names_;
};

// Per street index, then by name with the whole city under "\x01all".
class StreetRatios {
 public:
  explicit StreetRatios(std::size_t streets) : by_index_(streets) {}
  void add(std::uint32_t street, bool counted) {
    Ratio& r = by_index_[street];
    r.denominator += 1;
    if (counted) r.numerator += 1;
  }
  ByStreet by_name(const std::vector<std::string>& streets) const {
    ByStreet out;
    for (std::size_t i = 0; i < by_index_.size(); ++i) {
      const Ratio& r = by_index_[i];
      if (r.denominator == 0) continue;
      for (const std::string* key : {&streets[i], static_cast<const std::string*>(nullptr)}) {
        Ratio& total = out[key != nullptr ? *key : std::string("\x01all")];
        total.numerator += r.numerator;
        total.denominator += r.denominator;
      }
    }
    return out;
  }

 private:
  std::vector<Ratio> by_index_;
};

// Whether each key of `keys` (in reading order, which for SQLite's rowid
// tables is key order) is in `flagged`: one walk along both when the keys
// are sorted, a search per key otherwise.
std::vector<char> flags_of(const std::vector<std::int64_t>& keys,
                           const std::vector<std::int64_t>& flagged) {
  std::vector<char> out(keys.size());
  if (std::is_sorted(keys.begin(), keys.end())) {
    auto next = flagged.begin();
    for (std::size_t i = 0; i < keys.size(); ++i) {
      while (next != flagged.end() && *next < keys[i]) ++next;
      out[i] = next != flagged.end() && *next == keys[i];
    }
  } else {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      out[i] = std::binary_search(flagged.begin(), flagged.end(), keys[i]);
    }
  }
  return out;
}

ByStreet triple_match(const MetricInputs& inputs, const MetricSubjects& subjects) {
  // Which links are bad, and which persons reside elsewhere.
  std::vector<std::int64_t> bad;
  std::set_union(subjects.holder_mismatch.keys().begin(), subjects.holder_mismatch.keys().end(),
                 subjects.stale_links.keys().begin(), subjects.stale_links.keys().end(),
                 std::back_inserter(bad));
  const std::vector<char> bad_link = flags_of(inputs.link_ids, bad);
  const std::vector<char> elsewhere =
      flags_of(inputs.person_ids, subjects.residence_elsewhere.keys());
  // The persons by ID, walked along the links by ID: each person with a link
  // counts, matched when none of its ID's links is bad.
  const auto& links = inputs.links_by_id;
  StreetRatios out(inputs.streets.size());
  std::size_t next = 0;
  std::uint64_t group_id = 0;
  bool group_known = false;
  bool group_bad = false;
  for (const MetricInputs::ById& person : inputs.persons_by_id) {
    while (next < links.size() && links[next].id < person.id) ++next;
    if (next == links.size()) break;
    if (links[next].id != person.id) continue;
    if (!group_known || group_id != person.id) {
      group_id = person.id;
      group_known = true;
      group_bad = false;
      for (std::size_t k = next; k < links.size() && links[k].id == person.id; ++k) {
        group_bad = group_bad || bad_link[links[k].at] != 0;
      }
    }
    out.add(person.street, !group_bad && elsewhere[person.at] == 0);
  }
  return out.by_name(inputs.streets);
}

ByStreet event_share(const MetricInputs& inputs, const std::vector<MetricInputs::Event>& events,
                     const SubjectKeys& flagged) {
  StreetRatios out(inputs.streets.size());
  for (const MetricInputs::Event& e : events) out.add(e.street, flagged.contains(e.key));
  return out.by_name(inputs.streets);
}

ByStreet wasted_hours(const AuditResult& result) {
  // Per subject row (table, key), the first largest cost and its street; the
  // subjects in (table, key) order. Sorted as small records (table rank, key,
  // position) rather than indexes compared through the findings: at 10 M
  // persons the findings are gigabytes, and every comparison was a cache miss.
  const auto& findings = result.findings;
  // Findings come rule by rule, in runs of the same table: a name equal to
  // the previous one is not looked up again.
  std::map<std::string_view, std::uint32_t> table_rank;
  std::string_view previous_table;
  for (std::size_t i = 0; i < findings.size(); ++i) {
    const std::string& table = findings[i].finding.subject_table;
    if (i == 0 || table != previous_table) {
      table_rank.try_emplace(table, 0);
      previous_table = table;
    }
  }
  std::uint32_t next_rank = 0;
  for (auto& [table, rank] : table_rank) rank = next_rank++;
  struct Subject {
    std::uint32_t table;
    std::uint32_t index;
    std::int64_t key;
  };
  const auto before = [](const Subject& a, const Subject& b) {
    return std::tie(a.table, a.key, a.index) < std::tie(b.table, b.key, b.index);
  };
  std::vector<Subject> order;
  order.reserve(findings.size());
  std::uint32_t previous_rank = 0;
  for (std::size_t i = 0; i < findings.size(); ++i) {
    const Finding& f = findings[i].finding;
    if (i == 0 || f.subject_table != previous_table) {
      previous_table = f.subject_table;
      previous_rank = table_rank.at(previous_table);
    }
    order.push_back({previous_rank, static_cast<std::uint32_t>(i), f.subject_key});
  }
  // The findings are sorted rule by rule, and so by (table, key) within each
  // rule: a few sorted runs, merged, instead of a sort of all of them. (A
  // merge keeps the earlier run first among equal subjects, as the position
  // would.)
  std::vector<std::size_t> run_ends;
  for (std::size_t i = 1; i <= order.size(); ++i) {
    if (i == order.size() || before(order[i], order[i - 1])) run_ends.push_back(i);
    if (run_ends.size() > 64) break;
  }
  if (run_ends.size() > 64) {
    std::sort(order.begin(), order.end(), before);
  } else {
    for (std::size_t width = 1; width < run_ends.size(); width *= 2) {
      for (std::size_t r = 0; r + width < run_ends.size(); r += 2 * width) {
        const std::size_t from = r == 0 ? 0 : run_ends[r - 1];
        const std::size_t middle = run_ends[r + width - 1];
        const std::size_t to = run_ends[std::min(r + 2 * width, run_ends.size()) - 1];
        std::inplace_merge(order.begin() + static_cast<std::ptrdiff_t>(from),
                           order.begin() + static_cast<std::ptrdiff_t>(middle),
                           order.begin() + static_cast<std::ptrdiff_t>(to), before);
      }
    }
  }
  // The hours per street, added in subject order (so the sums, in floating
  // point, do not depend on how they are kept), then by name.
  std::unordered_map<std::string_view, Ratio> by_street;
  Ratio all;
  const std::string* previous_street = nullptr;
  Ratio* street_hours = nullptr;
  for (std::size_t n = 0; n < order.size();) {
    const Subject current = order[n];
    double cost = 0;
    const std::string* street = nullptr;
    for (; n < order.size() && order[n].table == current.table && order[n].key == current.key;
         ++n) {
      const Finding& f = findings[order[n].index].finding;
      if (f.cost_minutes > cost) {
        cost = f.cost_minutes;
        street = &f.street;
      }
    }
    if (cost <= 0) continue;
    if (previous_street == nullptr || *previous_street != *street) {
      street_hours = &by_street[*street];
      previous_street = street;
    }
    for (Ratio* r : {street_hours, &all}) {
      r->denominator += cost / 60.0;
      r->numerator += cost / 60.0;
    }
  }
  ByStreet out;
  for (const auto& [street, hours] : by_street) out.emplace(std::string(street), hours);
  if (!by_street.empty()) out.emplace("\x01all", all);
  return out;
}

// An ID's code spread over the 64 bits (splitmix64's finaliser, a
// bijection): equal codes stay equal and different ones different, so the
// triple match can join persons and links on it, while the spread codes are
// about evenly distributed, which sort_by_id needs. The codes themselves
// crowd: a city's IDs share a few regions and birth decades.
std::uint64_t spread(std::uint64_t code) {
  code ^= code >> 30;
  code *= 0xbf58476d1ce4e5b9ULL;
  code ^= code >> 27;
  code *= 0x94d049bb133111ebULL;
  return code ^ (code >> 31);
}

// Sorts `rows` by (id, position) when their ids are spread codes, in two
// passes: the records are scattered into 2048 buckets by the ids' top 11
// bits (2048 write streams, which the caches and the TLB follow), then each
// bucket, now in the cache, into 2048 by the next 11, and each of those few
// records sorted on its own. It replaced an LSD radix sort of six 11-bit
// digits, each a scattered write of every record: standalone, 1.7 M records
// took 77 to 80 ms against 125 to 134 ms, 16.8 M (the 10 M city's links)
// 800 to 941 ms against 1,117 to 1,393 ms; one pass into buckets of about
// two records was faster at 1.7 M but slower at 16.8 M (its 4 M buckets miss
// the TLB). `other` is room for the passes (its contents are overwritten).
void sort_by_id(std::vector<MetricInputs::ById>& rows, std::vector<MetricInputs::ById>& other) {
  constexpr int kBits = 11;
  constexpr std::size_t kBuckets = std::size_t{1} << kBits;
  constexpr int kTop = 64 - kBits;
  constexpr int kNext = 64 - 2 * kBits;
  if (rows.size() < 2) return;
  const auto before = [](const MetricInputs::ById& a, const MetricInputs::ById& b) {
    return a.id != b.id ? a.id < b.id : a.at < b.at;
  };
  // ends[b]: first the size of bucket b - 1, then where bucket b starts, and
  // after the scatter where it ends.
  std::vector<std::size_t> ends(kBuckets + 1);
  for (const MetricInputs::ById& r : rows) ++ends[(r.id >> kTop) + 1];
  for (std::size_t b = 1; b <= kBuckets; ++b) ends[b] += ends[b - 1];
  other.resize(rows.size());
  for (const MetricInputs::ById& r : rows) other[ends[r.id >> kTop]++] = r;
  // Each bucket back into `rows`, sorted.
  std::vector<std::size_t> sub(kBuckets + 1);
  std::size_t from = 0;
  for (std::size_t b = 0; b < kBuckets; ++b) {
    const std::size_t to = ends[b];
    if (to - from <= 64) {
      std::sort(other.begin() + from, other.begin() + to, before);
      std::copy(other.begin() + from, other.begin() + to, rows.begin() + from);
    } else {
      std::fill(sub.begin(), sub.end(), 0);
      for (std::size_t k = from; k < to; ++k) ++sub[((other[k].id >> kNext) & (kBuckets - 1)) + 1];
      for (std::size_t c = 1; c <= kBuckets; ++c) sub[c] += sub[c - 1];
      for (std::size_t k = from; k < to; ++k) {
        rows[from + sub[(other[k].id >> kNext) & (kBuckets - 1)]++] = other[k];
      }
      std::size_t first = from;
      for (std::size_t c = 0; c < kBuckets; ++c) {
        const std::size_t last = from + sub[c];
        if (last - first > 1) std::sort(rows.begin() + first, rows.begin() + last, before);
        first = last;
      }
    }
    from = to;
  }
}

}  // namespace

const std::vector<std::string>& metric_input_tables() {
  static const std::vector<std::string> tables = {"person_phones", "persons", "inquiries",
                                                  "checkins"};
  return tables;
}

const std::vector<std::string>& metric_shared_values() {
  static const std::vector<std::string> keys = {rules::PhoneLinks::kKey, rules::PersonsTable::kKey};
  return keys;
}

MetricInputs read_metric_inputs(const std::filesystem::path& db, const AuditPeriod& period,
                                SharedValues* shared, unsigned jobs) {
  RegistryView registry(db.string());
  MetricInputs in;
  StreetIndex streets;
  // The persons and phone links as the rules share them (built here when no
  // rule of the run has built them, as when the rules run isolated), both
  // asked for on this thread, which owns the context's connection.
  const PiiPolicy pii(false);
  const std::unique_ptr<RunContext> context = host_run_context(period, registry, pii, shared);
  const auto links = rules::PhoneLinks::shared(*context);
  const auto persons = rules::PersonsTable::shared(*context);
  // Every link with an id_number, in link_id order: the rules' rows and the
  // rows they leave out, each in reading (rowid) order, merged; then sorted
  // by ID. Needing nothing else, it runs beside the persons and the events
  // with a second job: at 10 M persons this job (3.6 s) ended the rules'
  // phase alone, after the other thread had run out of work.
  const auto order_links = [&] {
    nf::IdCodes ids;
    const auto& kept = links->rows();
    const auto& left_out = links->left_out();
    // Reserved: grown by doubling, these arrays (430 MB at 10 M persons)
    // were copied and their fresh memory faulted in again at each step.
    in.links_by_id.reserve(kept.size() + left_out.size());
    in.link_ids.reserve(kept.size() + left_out.size());
    std::size_t k = 0;
    std::size_t l = 0;
    while (k < kept.size() || l < left_out.size()) {
      const bool take_kept =
          l == left_out.size() || (k < kept.size() && kept[k].link_id < left_out[l].link_id);
      const std::int64_t link_id = take_kept ? kept[k].link_id : left_out[l].link_id;
      const std::uint64_t code =
          ids.encode(take_kept ? links->id(kept[k++]) : links->id(left_out[l++]));
      if (code == nf::IdCodes::kNone) continue;
      const std::uint64_t id = spread(code);
      in.links_by_id.push_back({id, static_cast<std::uint32_t>(in.link_ids.size()), 0});
      in.link_ids.push_back(link_id);
    }
    // Appended in position order: stable by ID is by (ID, position).
    std::vector<MetricInputs::ById> room;
    sort_by_id(in.links_by_id, room);
  };
  std::exception_ptr links_error;
  std::jthread beside;
  if (jobs > 1) {
    beside = std::jthread([&] {
      try {
        order_links();
      } catch (...) {
        links_error = std::current_exception();
      }
    });
  } else {
    order_links();
  }
  {
    // Persons with a valid id_number (which always has an integer code).
    in.persons_by_id.reserve(persons->rows().size());
    in.person_ids.reserve(persons->rows().size());
    std::vector<std::uint32_t> street_of;  // the table's street index -> ours
    constexpr std::uint32_t kUnseen = ~std::uint32_t{0};
    for (const rules::PersonsTable::Row& row : persons->rows()) {
      if (!row.id_valid) continue;
      if (row.street >= street_of.size()) street_of.resize(row.street + 1, kUnseen);
      if (street_of[row.street] == kUnseen) {
        street_of[row.street] = streets.index(persons->street(row));
      }
      in.persons_by_id.push_back({spread(*nf::id_as_integer(persons->id(row))),
                                  static_cast<std::uint32_t>(in.person_ids.size()),
                                  street_of[row.street]});
      in.person_ids.push_back(row.person_id);
    }
    in.table_rows.emplace_back("persons", persons->rows().size());
  }
  std::vector<MetricInputs::ById> room;
  sort_by_id(in.persons_by_id, room);
  std::int64_t rows = 0;
  const auto events = [&](const char* table, const char* key, const char* at,
                          std::vector<MetricInputs::Event>& out) {
    Statement read = registry.prepare(fmt::format("SELECT {}, {}, street FROM {}", key, at, table));
    for (; read.step(); ++rows) {
      const TimeValue t = nf::time(read.text(1));
      if (!t.is_readable() || !period.contains(t.instant())) continue;
      out.push_back({read.int64(0), streets.index(nf::street_code(read.text(2)))});
    }
    in.table_rows.emplace_back(table, std::exchange(rows, 0));
  };
  events("inquiries", "inquiry_id", "called_at", in.inquiries);
  events("checkins", "checkin_id", "checked_in_at", in.checkins);
  in.streets = streets.names();
  if (beside.joinable()) beside.join();
  if (links_error) std::rethrow_exception(links_error);
  in.table_rows.emplace_back("person_phones", links->rows().size() + links->left_out().size());
  return in;
}

void compute_metrics(const MetricInputs& inputs, AuditResult& result, unsigned jobs) {
  struct Computed {
    const char* name;
    bool is_share;
    bool available;
    ByStreet values;
  };
  const AuditResult& read_only = result;
  const MetricSubjects subjects = metric_subjects(read_only);
  std::vector<Computed> computed;
  // The triple match (the largest part) on a thread of its own when there is
  // a second job.
  ByStreet triple;
  std::exception_ptr triple_error;
  const auto compute_triple = [&] {
    try {
      triple = triple_match(inputs, subjects);
    } catch (...) {
      triple_error = std::current_exception();
    }
  };
  {
    std::jthread side;
    if (jobs > 1) side = std::jthread(compute_triple);
    computed.push_back({kRedundantCallShare, true, rule_ok(result, "duplicate-inquiry"),
                        event_share(inputs, inputs.inquiries, subjects.calls)});
    computed.push_back({kRedundantCheckinShare, true, rule_ok(result, "checkin-redundancy"),
                        event_share(inputs, inputs.checkins, subjects.checkins)});
    // The sum of the findings' costs is the staff time wasted only when no
    // rule failed. A rule the profile switches off (skipped) counts as one it
    // leaves out: the sum is of the rules the profile runs.
    computed.push_back(
        {kWastedStaffHours, false, !any_rule_failed(result), wasted_hours(read_only)});
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
