// checkin-redundancy: formalist check-ins (打卡) that recorded nothing the
// system did not already hold, proved only by a photo, or repeated another
// team's recent visit. SPEC section 4; doc page: doc.md.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstddef>
#include <limits>
#include <memory_resource>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "kCheckinRedundancyDoc.inc"
#include "persons_table.hpp"
#include "phone_links.hpp"
#include "phone_resolver.hpp"
#include "regaudit/normal_forms.hpp"
#include "regaudit/plugin.hpp"
#include "rule_support.hpp"

namespace regaudit::rules {
namespace {

constexpr const char* kRuleId = "checkin-redundancy";
constexpr const char* kTravelRecords = "travel_records";
constexpr const char* kSelfReports = "self_reports";

// One of a person's records (a travel record or a self-report) as evidence;
// ordered so that the earliest recorded one (ties: travel records first, then
// the lowest key) is the one shown.
struct RecordRef {
  Instant recorded_at = 0;
  bool is_self_report = false;
  std::int64_t key = 0;
  auto rank() const { return std::tuple(recorded_at, is_self_report, key); }
  EvidenceRef evidence() const { return {is_self_report ? kSelfReports : kTravelRecords, key}; }
};

// A map of KnownFacts: text keys, looked up by views (TextHash and
// std::equal_to<> are transparent), nodes and keys in the facts' arena.
template <class V>
using FactMap = std::pmr::unordered_map<std::pmr::string, V, TextHash, std::equal_to<>>;

// The entry of `key` in `map`, made from `args` when absent, and whether it
// was. The key is copied into the map's arena only when it is new.
template <class V, class... Args>
std::pair<V*, bool> fact_entry(FactMap<V>& map, std::string_view key, Args&&... args) {
  if (const auto it = map.find(key); it != map.end()) return {&it->second, false};
  const auto made =
      map.try_emplace(std::pmr::string(key, map.get_allocator()), std::forward<Args>(args)...);
  return {&made.first->second, true};
}

void keep_earliest(FactMap<RecordRef>& map, std::string_view key, const RecordRef& ref) {
  const auto [entry, inserted] = fact_entry(map, key, ref);
  if (!inserted && ref.rank() < entry->rank()) *entry = ref;
}

// "person\x1fvalue", in `buffer` (whose storage is reused).
std::string_view pair_key(std::string& buffer, std::string_view person, std::string_view value) {
  buffer.assign(person).push_back('\x1f');
  buffer.append(value);
  return buffer;
}

// A person's records by arrived_at, answering "the earliest recorded record
// whose arrived_at lies in [lo, hi]" in O(log n) with a segment tree over
// record order: a person with thousands of records and check-ins stays cheap.
class ArrivalIndex {
 public:
  void add(Instant arrived_at, const RecordRef& ref) { entries_.push_back({arrived_at, ref}); }

  void finish() {
    std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
      return std::pair(a.arrived_at, a.ref.rank()) < std::pair(b.arrived_at, b.ref.rank());
    });
    const std::size_t n = entries_.size();
    tree_.assign(2 * n, kNone);
    for (std::size_t i = 0; i < n; ++i) tree_[n + i] = i;
    for (std::size_t i = n; i-- > 1;) tree_[i] = better(tree_[2 * i], tree_[2 * i + 1]);
  }

  std::optional<RecordRef> earliest_recorded(Instant lo, Instant hi) const {
    const auto by_arrival = [](const Entry& e, Instant t) { return e.arrived_at < t; };
    const auto by_arrival_upper = [](Instant t, const Entry& e) { return t < e.arrived_at; };
    const std::size_t n = entries_.size();
    std::size_t l = static_cast<std::size_t>(
        std::lower_bound(entries_.begin(), entries_.end(), lo, by_arrival) - entries_.begin());
    std::size_t r = static_cast<std::size_t>(
        std::upper_bound(entries_.begin(), entries_.end(), hi, by_arrival_upper) -
        entries_.begin());
    std::size_t best = kNone;
    for (l += n, r += n; l < r; l >>= 1, r >>= 1) {
      if (l & 1) best = better(best, tree_[l++]);
      if (r & 1) best = better(best, tree_[--r]);
    }
    if (best == kNone) return std::nullopt;
    return entries_[best].ref;
  }

 private:
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  struct Entry {
    Instant arrived_at = 0;
    RecordRef ref;
  };
  std::size_t better(std::size_t a, std::size_t b) const {
    if (a == kNone) return b;
    if (b == kNone) return a;
    return entries_[b].ref.rank() < entries_[a].ref.rank() ? b : a;
  }
  std::vector<Entry> entries_;
  std::vector<std::size_t> tree_;
};

// One check-in of a resolved person, before A.
struct Visit {
  std::uint64_t person = 0;  // the person's code in the rule's IdCodes
  Instant at = 0;
  std::int64_t checkin_id = 0;
  std::uint32_t team = 0;  // interned team name; 0 is NULL
};

// Every person's check-ins in one array, sorted by (person, at, checkin_id),
// answering "the latest check-in of person P in [lo, t) by a team other than
// X" in O(log n): for each visit the index of the latest visit of the same
// person with a team (at or before it), and of the latest earlier one whose
// team differs from its own. One array of 32-byte visits and a range per
// person: at 10 M persons a map of per-person vectors keyed by ID texts cost
// a node, a heap string and three vectors per person.
class Visits {
 public:
  static constexpr std::uint32_t kNoTeam = 0;

  void add(const Visit& visit) { visits_.push_back(visit); }

  void finish() {
    std::sort(visits_.begin(), visits_.end(), [](const Visit& a, const Visit& b) {
      return std::tie(a.person, a.at, a.checkin_id) < std::tie(b.person, b.at, b.checkin_id);
    });
    last_with_team_.assign(visits_.size(), kNone);
    last_other_team_.assign(visits_.size(), kNone);
    for (std::size_t begin = 0; begin < visits_.size();) {
      std::size_t end = begin + 1;
      while (end < visits_.size() && visits_[end].person == visits_[begin].person) ++end;
      *ranges_.try_emplace(visits_[begin].person).first = {begin, end};
      link(begin, end);
      begin = end;
    }
  }

  // The latest visit of `person` with at in [lo, t) whose team is non-NULL
  // and differs from `team` (non-NULL); nullptr when none.
  const Visit* other_team_between(std::uint64_t person, Instant lo, Instant t,
                                  std::uint32_t team) const {
    const Range* range = ranges_.find(person);
    if (range == nullptr) return nullptr;
    const auto first = visits_.begin() + static_cast<std::ptrdiff_t>(range->begin);
    const auto end =
        std::lower_bound(first, visits_.begin() + static_cast<std::ptrdiff_t>(range->end), t,
                         [](const Visit& v, Instant x) { return v.at < x; });
    if (end == first) return nullptr;
    std::ptrdiff_t k = last_with_team_[at(end - visits_.begin() - 1)];
    if (k == kNone) return nullptr;
    if (visits_[at(k)].team == team) k = last_other_team_[at(k)];
    if (k == kNone || visits_[at(k)].at < lo) return nullptr;
    return &visits_[at(k)];
  }

 private:
  static constexpr std::ptrdiff_t kNone = -1;
  struct Range {
    std::size_t begin = 0;
    std::size_t end = 0;
  };
  static std::size_t at(std::ptrdiff_t i) { return static_cast<std::size_t>(i); }

  // The two links of the visits [begin, end) of one person.
  void link(std::size_t begin, std::size_t end) {
    std::ptrdiff_t previous = kNone;
    for (std::size_t i = begin; i < end; ++i) {
      if (visits_[i].team == kNoTeam) {
        last_with_team_[i] = previous;
        continue;
      }
      const auto self = static_cast<std::ptrdiff_t>(i);
      last_with_team_[i] = self;
      if (previous != kNone) {
        last_other_team_[i] = visits_[at(previous)].team != visits_[i].team
                                  ? previous
                                  : last_other_team_[at(previous)];
      }
      previous = self;
    }
  }

  std::vector<Visit> visits_;
  std::vector<std::ptrdiff_t> last_with_team_;
  std::vector<std::ptrdiff_t> last_other_team_;
  IntMap<Range> ranges_;
};

struct FieldRow {
  std::string field;  // enumeration normal form
  std::string value;  // raw
};

// A check-in with checked_in_at in P.
struct Subject {
  std::int64_t checkin_id = 0;
  std::string person;  // empty = unresolved
  std::uint64_t person_code = IdCodes::kNone;
  std::string identity;  // natural identity for the fingerprint
  std::string team;
  std::uint32_t team_index = Visits::kNoTeam;
  std::string street;
  std::string kind;
  Instant at = 0;
  double cost_minutes = 0;
  bool photo = false;
  std::vector<FieldRow> fields;
};

// What the system already held about the persons of the subjects with fields:
// a few entries per person, millions at 10 M persons, all dropped together
// when the rule ends. They come from one arena, so that building the maps is
// not a malloc per node and key, nor dropping them a free per node.
struct KnownFacts {
  KnownFacts() = default;
  KnownFacts(const KnownFacts&) = delete;
  KnownFacts& operator=(const KnownFacts&) = delete;

  std::pmr::monotonic_buffer_resource arena;   // declared first: outlives the maps
  FactMap<std::int64_t> valid_id_row{&arena};  // id -> first person_id
  FactMap<std::int64_t> name_row{&arena};      // id+name -> first person_id
  FactMap<std::pair<Instant, std::int64_t>> phone_link{&arena};  // id+phone
  FactMap<RecordRef> vehicle{&arena};                            // id+vehicle_no
  FactMap<RecordRef> origin{&arena};                             // id+place
  FactMap<ArrivalIndex> arrivals{&arena};                        // id
  FactMap<std::pmr::vector<std::pair<Instant, std::int64_t>>> vaccinations{&arena};  // id

  // Room for the facts of `persons` persons without rehashing (a rehash
  // leaves the old buckets in the arena until the end).
  void reserve(std::size_t persons) {
    valid_id_row.reserve(persons);
    name_row.reserve(persons);
    phone_link.reserve(2 * persons);
    vaccinations.reserve(persons);
  }
};

// A field's verdict: known, and the row that proves it (none for a dose count
// of 0 that matches no vaccination).
struct Verdict {
  bool known = false;
  std::optional<EvidenceRef> evidence;
};

Verdict known_by(std::optional<EvidenceRef> ref) {
  if (!ref) return {};
  return {true, std::move(ref)};
}

Verdict known_by_record(const FactMap<RecordRef>& map, std::string_view key, Instant before) {
  const auto it = map.find(key);
  if (it == map.end() || it->second.recorded_at >= before) return {};
  return {true, it->second.evidence()};
}

class CheckinRedundancy {
 public:
  static RuleInfo info() {
    RuleInfo info;
    info.id = kRuleId;
    info.version = "1.0.0";
    info.title = "Redundant check-ins (形式主义打卡)";
    info.description =
        "On-site visits and check-ins that only copied down what the system already held, that "
        "recorded nothing but a photo, or that repeated another team's visit to the same person "
        "within the window.";
    info.documentation = kCheckinRedundancyDoc;
    info.codes = {
        {"fully_redundant", Severity::medium,
         "every item of information collected was already known before the check-in"},
        {"photo_only", Severity::low, "nothing was collected; only a photo was uploaded"},
        {"repeat_visit", Severity::medium,
         "another team visited the same person within the window before"},
    };
    info.params = {
        {"window_days", ParamType::integer, "7",
         "days before a check-in within which another team's visit makes it a repeat (>= 0)"},
        {"arrival_tolerance_min", ParamType::integer, "60",
         "an arrival time collected at a check-in is already known when a record's arrival "
         "lies at most this many minutes away (inclusive, >= 0)"},
    };
    info.shared_values = {PhoneResolver::kKey, PhoneLinks::kKey, PersonsTable::kKey};
    info.tables = {"checkins",       "checkin_fields", "persons",     "person_phones",
                   "travel_records", "self_reports",   "vaccinations"};
    return info;
  }

  Status configure(const RuleOptions& options) {
    const std::int64_t days = options.get_integer("window_days");
    if (days < 0 || days > 36500) {
      return Status::error(
          fmt::format("{}: window_days must be between 0 and 36500 days, got {}", kRuleId, days));
    }
    const std::int64_t tolerance = options.get_integer("arrival_tolerance_min");
    if (tolerance < 0 || tolerance > 36500 * 24 * 60) {
      return Status::error(
          fmt::format("{}: arrival_tolerance_min must be between 0 and {} minutes, got {}", kRuleId,
                      36500 * 24 * 60, tolerance));
    }
    window_days_ = days;
    window_s_ = days * kSecondsPerDay;
    arrival_tolerance_s_ = tolerance * kSecondsPerMinute;
    return Status::ok();
  }

  void run(RunContext& context) {
    person_codes_ = IdCodes();
    teams_ = Interned();
    teams_.index("");  // Visits::kNoTeam
    Visits visits;
    std::vector<Unresolved> unresolved;
    std::vector<Subject> subjects = load_checkins(context, visits, unresolved);
    load_fields(context, subjects);
    // The phone resolver only now: another rule's thread is often still
    // building it, and the check-ins and their fields are read meanwhile
    // (1.3 s of waiting at 10 M persons when it was asked for first).
    const auto shared_resolver = PhoneResolver::shared(context);
    const PhoneResolver& resolver = *shared_resolver;
    resolve(unresolved, resolver, visits, subjects);
    visits.finish();
    IdSet needed;
    std::size_t asked = 0;  // subjects with fields: at least as many as their persons
    for (const Subject& s : subjects) {
      if (!s.person.empty() && !s.fields.empty()) {
        needed.insert(s.person);
        ++asked;
      }
    }
    KnownFacts facts;
    facts.reserve(asked);
    load_facts(context, resolver, needed, facts);
    for (const Subject& subject : subjects) {
      check_fields(context, subject, facts);
      if (subject.fields.empty() && subject.photo) emit_photo_only(context, subject);
      check_repeat_visit(context, subject, visits);
    }
  }

 private:
  // A check-in before A whose ID number is not valid: its person is the one
  // its phone resolves to at its time, once the resolver is there.
  struct Unresolved {
    nf::IdNumber id;
    std::string phone;
    Instant at = 0;
    std::int64_t checkin_id = 0;
    std::uint32_t team = 0;
    std::size_t subject = kNotASubject;  // its index in the subjects, if in P
  };
  static constexpr std::size_t kNotASubject = static_cast<std::size_t>(-1);

  // Reads every check-in once: those before A with a person become visits,
  // those in P become subjects. A person is kept as a code: the ID number's
  // when it is valid (no text built), else the code of the person its phone
  // resolves to, left to resolve() (in `unresolved`, in check-in order).
  std::vector<Subject> load_checkins(RunContext& context, Visits& visits,
                                     std::vector<Unresolved>& unresolved) {
    const AuditPeriod& period = context.period();
    const int last_day = period.last_day_yyyymmdd();
    std::vector<Subject> subjects;
    Statement rows = context.registry().prepare(
        "SELECT checkin_id, id_number, phone, street, kind, team, team_size, checked_in_at, "
        "duration_min, photo FROM checkins ORDER BY checkin_id");
    while (rows.step()) {
      const TimeValue checked_in = read_time(rows, 7, context, "checkins", "checked_in_at");
      if (!checked_in.is_readable() || checked_in.instant() >= period.as_of()) continue;
      const Instant t = checked_in.instant();
      const nf::IdCode id_code = nf::id_code(rows.text(1));
      const bool valid_code = id_code.code && nf::id_code_valid(*id_code.code, last_day);
      std::optional<nf::IdNumber> id;  // the text, when it is needed
      const auto id_text = [&]() -> const nf::IdNumber& {
        if (!id) id = nf::id_number(rows.text(1), last_day);
        return *id;
      };
      const std::uint32_t team = teams_.index_of_raw(rows.text(5), nf::team);
      const std::int64_t checkin_id = rows.int64(0);
      if (!valid_code) {
        // An ID number without an integer code is never valid.
        unresolved.push_back({id_text(), nf::phone(rows.text(2)), t, checkin_id, team,
                              period.contains(t) ? subjects.size() : kNotASubject});
      } else {
        visits.add({*id_code.code, t, checkin_id, team});
      }
      if (!period.contains(t)) continue;
      Subject s;
      s.checkin_id = checkin_id;
      s.at = t;
      s.street = nf::street_code(rows.text(3));
      s.kind = nf::enumeration(rows.text(4));
      s.cost_minutes = staff_minutes(rows, context);
      s.photo = nf::trimmed(rows.text(9)) == "1";
      s.team = teams_[team];
      s.team_index = team;
      // A valid ID number's person is its own text, which is the identity.
      if (valid_code) set_person(s, *id_code.code, nf::IdNumber{}, {});
      subjects.push_back(std::move(s));
    }
    return subjects;
  }

  // The persons of `unresolved`, in check-in order (so that the persons'
  // codes are given in the same order as when they were resolved row by row).
  void resolve(const std::vector<Unresolved>& unresolved, const PhoneResolver& resolver,
               Visits& visits, std::vector<Subject>& subjects) {
    for (const Unresolved& u : unresolved) {
      const std::uint64_t person = person_codes_.encode(person_of(u.id, u.phone, u.at, resolver));
      if (person != IdCodes::kNone) visits.add({person, u.at, u.checkin_id, u.team});
      if (u.subject != kNotASubject) set_person(subjects[u.subject], person, u.id, u.phone);
    }
  }

  // The subject's person (kNone: unresolved) and its natural identity.
  void set_person(Subject& s, std::uint64_t person, const nf::IdNumber& id,
                  const std::string& phone) const {
    s.person = person_codes_.text(person);
    s.person_code = person;
    const std::string who = !s.person.empty() ? s.person
                            : !id.is_null()   ? id.text
                                              : "phone:" + phone;
    s.identity = fmt::format("{}\x1f{}\x1f{}\x1f{}", who, s.team, s.kind, format_instant(s.at));
  }

  // duration_min x team_size; 0 when either is NULL or unreadable (counted).
  static double staff_minutes(const Statement& row, RunContext& context) {
    const nf::Count size = read_count(row, 6, context, "checkins", "team_size");
    const nf::Count duration = read_count(row, 8, context, "checkins", "duration_min");
    if (size.state != nf::Count::State::readable || duration.state != nf::Count::State::readable) {
      return 0.0;
    }
    return static_cast<double>(duration.value) * static_cast<double>(size.value);
  }

  static void load_fields(RunContext& context, std::vector<Subject>& subjects) {
    IntMap<std::size_t> index_of;
    index_of.reserve(subjects.size());
    for (std::size_t i = 0; i < subjects.size(); ++i) {
      *index_of.try_emplace(static_cast<std::uint64_t>(subjects[i].checkin_id)).first = i;
    }
    Statement rows =
        context.registry().prepare("SELECT checkin_id, field, value FROM checkin_fields");
    while (rows.step()) {
      if (rows.is_null(0)) continue;
      const std::size_t* at = index_of.find(static_cast<std::uint64_t>(rows.int64(0)));
      if (at == nullptr) continue;
      subjects[*at].fields.push_back({nf::enumeration(rows.text(1)), std::string(rows.text(2))});
    }
  }

  static void load_facts(RunContext& context, const PhoneResolver& resolver, const IdSet& needed,
                         KnownFacts& facts) {
    std::string key;  // a pair key's storage, reused
    const auto persons = PersonsTable::shared(context);
    for (const PersonsTable::Row& row : persons->rows()) {
      const std::string_view id = persons->id(row);
      if (id.empty() || !needed.contains(id)) continue;
      if (row.id_valid) fact_entry(facts.valid_id_row, id, row.person_id);
      const std::string name = nf::name(persons->name(row));
      if (!name.empty()) fact_entry(facts.name_row, pair_key(key, id, name), row.person_id);
    }
    // The links, as the resolver read them (their unreadable values reach
    // this rule once, with the resolver or with the links).
    const auto links = PhoneLinks::shared(context);
    for (const PhoneLinks::Row& row : links->rows()) {
      const std::string_view id = links->id(row);
      if (id.empty() || !needed.contains(id)) continue;
      const std::pair<Instant, std::int64_t> link{row.recorded_at, row.link_id};
      const auto [entry, inserted] =
          fact_entry(facts.phone_link, pair_key(key, id, links->phone(row)), link);
      if (!inserted && link < *entry) *entry = link;
    }
    load_travel_records(context, needed, facts);
    load_self_reports(context, resolver, needed, facts);
    load_vaccinations(context, needed, facts);
    for (auto& [person, index] : facts.arrivals) index.finish();
    for (auto& [person, doses] : facts.vaccinations) std::sort(doses.begin(), doses.end());
  }

  // Adds one record (vehicle_no, origin, arrived_at raw texts) of `person`.
  static void add_record(KnownFacts& facts, const std::string& person, const RecordRef& ref,
                         std::string_view vehicle_raw, std::string_view origin_raw,
                         const TimeValue& arrived) {
    std::string key;
    if (std::string vehicle = nf::vehicle_no(vehicle_raw); !vehicle.empty()) {
      keep_earliest(facts.vehicle, pair_key(key, person, vehicle), ref);
    }
    if (std::string origin = nf::place(origin_raw); !origin.empty()) {
      keep_earliest(facts.origin, pair_key(key, person, origin), ref);
    }
    if (arrived.is_readable()) {
      fact_entry(facts.arrivals, person).first->add(arrived.instant(), ref);
    }
  }

  static void load_travel_records(RunContext& context, const IdSet& needed, KnownFacts& facts) {
    const int last_day = context.period().last_day_yyyymmdd();
    Statement rows = context.registry().prepare(
        "SELECT travel_id, id_number, vehicle_no, origin, arrived_at, recorded_at "
        "FROM travel_records");
    while (rows.step()) {
      const TimeValue recorded = read_time(rows, 5, context, kTravelRecords, "recorded_at");
      const TimeValue arrived = read_time(rows, 4, context, kTravelRecords, "arrived_at");
      if (!recorded.is_readable()) continue;
      const nf::IdNumber id = nf::id_number(rows.text(1), last_day);
      if (id.is_null() || !needed.contains(id.text)) continue;
      add_record(facts, id.text, {recorded.instant(), false, rows.int64(0)}, rows.text(2),
                 rows.text(3), arrived);
    }
  }

  static void load_self_reports(RunContext& context, const PhoneResolver& resolver,
                                const IdSet& needed, KnownFacts& facts) {
    const int last_day = context.period().last_day_yyyymmdd();
    Statement rows = context.registry().prepare(
        "SELECT report_id, id_number, phone, reported_at, arrived_at, origin, vehicle_no "
        "FROM self_reports");
    while (rows.step()) {
      const TimeValue reported = read_time(rows, 3, context, kSelfReports, "reported_at");
      const TimeValue arrived = read_time(rows, 4, context, kSelfReports, "arrived_at");
      if (!reported.is_readable()) continue;
      const std::string entity = entity_of(nf::id_number(rows.text(1), last_day),
                                           nf::phone(rows.text(2)), reported.instant(), resolver);
      if (!needed.contains(entity)) continue;
      add_record(facts, entity, {reported.instant(), true, rows.int64(0)}, rows.text(6),
                 rows.text(5), arrived);
    }
  }

  static void load_vaccinations(RunContext& context, const IdSet& needed, KnownFacts& facts) {
    const int last_day = context.period().last_day_yyyymmdd();
    Statement rows = context.registry().prepare(
        "SELECT vaccination_id, id_number, vaccinated_at FROM vaccinations");
    while (rows.step()) {
      const TimeValue vaccinated = read_time(rows, 2, context, "vaccinations", "vaccinated_at");
      if (!vaccinated.is_readable()) continue;
      // Millions of doses, of which few concern a check-in: the ID's code is
      // enough to tell (its text is built only for those).
      const nf::IdCode code = nf::id_code(rows.text(1));
      if (code.null || (code.code && !needed.contains_code(*code.code))) continue;
      const nf::IdNumber id = nf::id_number(rows.text(1), last_day);
      if (!code.code && !needed.contains(id.text)) continue;
      fact_entry(facts.vaccinations, id.text)
          .first->emplace_back(vaccinated.instant(), rows.int64(0));
    }
  }

  // Whether one collected field was already known before the check-in.
  // Unreadable arrival times and dose counts are counted here.
  Verdict judge(RunContext& context, const Subject& s, const FieldRow& row,
                const KnownFacts& facts) const {
    const std::string& person = s.person;
    const int last_day = context.period().last_day_yyyymmdd();
    if (row.field == "arrived_at") {
      const TimeValue arrived = nf::time(row.value);
      if (arrived.is_unreadable()) context.count_unreadable("checkin_fields", "value");
      if (!arrived.is_readable() || person.empty()) return {};
      const auto index = facts.arrivals.find(std::string_view(person));
      if (index == facts.arrivals.end()) return {};
      const auto ref = index->second.earliest_recorded(arrived.instant() - arrival_tolerance_s_,
                                                       arrived.instant() + arrival_tolerance_s_);
      if (!ref || ref->recorded_at >= s.at) return {};
      return known_by(ref->evidence());
    }
    if (row.field == "vaccine_doses") {
      const nf::Count doses = nf::count(row.value);
      if (doses.state == nf::Count::State::unreadable) {
        context.count_unreadable("checkin_fields", "value");
      }
      if (doses.state != nf::Count::State::readable || person.empty()) return {};
      static const std::pmr::vector<std::pair<Instant, std::int64_t>> kNone;
      const auto it = facts.vaccinations.find(std::string_view(person));
      const auto& given = it == facts.vaccinations.end() ? kNone : it->second;
      const auto before = std::lower_bound(
          given.begin(), given.end(), std::pair(s.at, std::numeric_limits<std::int64_t>::min()));
      const auto n = before - given.begin();
      if (n != doses.value) return {};
      if (n == 0) return {true, std::nullopt};
      return known_by(EvidenceRef{"vaccinations", std::prev(before)->second});
    }
    if (person.empty()) return {};
    if (row.field == "id_number") {
      const nf::IdNumber id = nf::id_number(row.value, last_day);
      if (!id.valid || id.text != person) return {};
      const auto it = facts.valid_id_row.find(std::string_view(person));
      if (it == facts.valid_id_row.end()) return {};
      return known_by(EvidenceRef{"persons", it->second});
    }
    if (row.field == "name") {
      const std::string name = nf::name(row.value);
      if (name.empty()) return {};
      const auto it = facts.name_row.find(pair_key(key_, person, name));
      if (it == facts.name_row.end()) return {};
      return known_by(EvidenceRef{"persons", it->second});
    }
    if (row.field == "phone") {
      const std::string phone = nf::phone(row.value);
      if (phone.empty()) return {};
      const auto it = facts.phone_link.find(pair_key(key_, person, phone));
      if (it == facts.phone_link.end() || it->second.first >= s.at) return {};
      return known_by(EvidenceRef{"person_phones", it->second.second});
    }
    if (row.field == "vehicle_no") {
      const std::string vehicle = nf::vehicle_no(row.value);
      if (vehicle.empty()) return {};
      return known_by_record(facts.vehicle, pair_key(key_, person, vehicle), s.at);
    }
    if (row.field == "origin") {
      const std::string origin = nf::place(row.value);
      if (origin.empty()) return {};
      return known_by_record(facts.origin, pair_key(key_, person, origin), s.at);
    }
    return {};
  }

  // Judges every field (so every unreadable value is counted), then emits
  // fully_redundant when all are known.
  void check_fields(RunContext& context, const Subject& s, const KnownFacts& facts) const {
    if (s.fields.empty()) return;
    bool all_known = true;
    std::vector<EvidenceRef> evidence;
    std::vector<std::string> names;
    for (const FieldRow& row : s.fields) {
      Verdict v = judge(context, s, row, facts);
      all_known = all_known && v.known;
      if (v.evidence) evidence.push_back(std::move(*v.evidence));
      names.push_back(row.field.empty() ? std::string("?") : row.field);
    }
    if (!all_known) return;
    std::sort(evidence.begin(), evidence.end(), [](const EvidenceRef& a, const EvidenceRef& b) {
      return std::tie(a.table, a.key) < std::tie(b.table, b.key);
    });
    evidence.erase(std::unique(evidence.begin(), evidence.end(),
                               [](const EvidenceRef& a, const EvidenceRef& b) {
                                 return a.table == b.table && a.key == b.key;
                               }),
                   evidence.end());
    Finding f = finding_for(s, "fully_redundant");
    f.evidence = std::move(evidence);
    const std::string who = context.pii().id_number(s.person);
    const std::string fields = fmt::format("{}", fmt::join(names, ", "));
    if (context.wants_message_zh()) {
      f.message_zh = fmt::format(
          "{}，{}{}时为 {} 采集的 {} 项信息（{}）系统此前均已掌握：本次采集没有新信息。",
          minute_text(s.at), team_zh(s), kind_zh(s), who, s.fields.size(), fields);
    }
    if (context.wants_message_en()) {
      f.message_en = fmt::format(
          "The {} of {} on {}{} collected {} item(s) ({}), all of which the system already held: "
          "it "
          "recorded nothing new.",
          kind_en(s), who, minute_text(s.at), team_en(s), s.fields.size(), fields);
    }
    context.emit(std::move(f));
  }

  static void emit_photo_only(RunContext& context, const Subject& s) {
    Finding f = finding_for(s, "photo_only");
    if (context.wants_message_zh()) {
      f.message_zh = fmt::format("{}，{}{}未采集任何信息，仅上传照片作为打卡凭证。",
                                 minute_text(s.at), team_zh(s), kind_zh(s));
    }
    if (context.wants_message_en()) {
      f.message_en = fmt::format(
          "The {} on {}{} collected no information; only a photo was uploaded as proof of the "
          "visit.",
          kind_en(s), minute_text(s.at), team_en(s));
    }
    context.emit(std::move(f));
  }

  void check_repeat_visit(RunContext& context, const Subject& s, const Visits& visits) const {
    if (s.person.empty() || s.team_index == Visits::kNoTeam) return;
    const Visit* other =
        visits.other_team_between(s.person_code, s.at - window_s_, s.at, s.team_index);
    if (other == nullptr) return;
    const std::string& other_team = teams_[other->team];
    Finding f = finding_for(s, "repeat_visit");
    f.evidence.push_back({"checkins", other->checkin_id});
    const std::string who = context.pii().id_number(s.person);
    if (context.wants_message_zh()) {
      f.message_zh = fmt::format(
          "{}，{} 上门核查 {}，而 {} 已于 {} 上门（相隔不超过 {} 天）：同一人被不同队伍重复上门。",
          minute_text(s.at), s.team, who, other_team, minute_text(other->at), window_days_);
    }
    if (context.wants_message_en()) {
      f.message_en = fmt::format(
          "{} visited {} on {} although {} had visited on {}, at most {} days before: the same "
          "person was visited again by another team.",
          s.team, who, minute_text(s.at), other_team, minute_text(other->at), window_days_);
    }
    context.emit(std::move(f));
  }

  static Finding finding_for(const Subject& s, const char* code) {
    Finding f;
    f.code = code;
    f.subject_table = "checkins";
    f.subject_key = s.checkin_id;
    f.street = s.street;
    f.cost_minutes = s.cost_minutes;
    f.identity = s.identity;
    return f;
  }

  static std::string team_zh(const Subject& s) { return s.team.empty() ? "" : s.team + " "; }
  static std::string team_en(const Subject& s) { return s.team.empty() ? "" : " by " + s.team; }
  static std::string kind_zh(const Subject& s) {
    if (s.kind == "home_visit") return "上门走访";
    if (s.kind == "building_sweep") return "扫楼";
    if (s.kind == "vaccine_promotion") return "疫苗动员";
    if (s.kind == "site_duty") return "值守打卡";
    return "打卡";
  }
  static std::string kind_en(const Subject& s) {
    return s.kind.empty() ? std::string("check-in") : s.kind;
  }

  std::int64_t window_days_ = 7;
  // Of the run: persons' codes and interned team names (the empty name, NULL,
  // first: Visits::kNoTeam).
  IdCodes person_codes_;
  Interned teams_;
  // judge()'s pair keys' storage, reused from field to field.
  mutable std::string key_;
  Instant window_s_ = 7 * kSecondsPerDay;
  Instant arrival_tolerance_s_ = 60 * kSecondsPerMinute;
};

void register_rules(RuleRegistrar& registrar) {
  registrar.add<CheckinRedundancy>();
}

}  // namespace
}  // namespace regaudit::rules

REGAUDIT_PLUGIN("checkin-redundancy", "1.0.0", regaudit::rules::register_rules)
