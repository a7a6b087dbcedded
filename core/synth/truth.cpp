#include "truth.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <span>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "regaudit/normal_forms.hpp"
#include "sqlite_util.hpp"

namespace regaudit::synth {
namespace {

constexpr Instant kWindow = 7 * kSecondsPerDay;                // window_days = 7
constexpr Instant kArrivalTolerance = 60 * kSecondsPerMinute;  // arrival_tolerance_min = 60
constexpr int kNoUpperBirthBound = 99991231;

// An interned normal form (an id_number or a phone). 0 is NULL.
using Key = std::uint32_t;
constexpr Key kNull = 0;

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <class Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

class Interner {
 public:
  // The key of `text`; kNull for the empty string.
  Key key(std::string_view text) {
    if (text.empty()) return kNull;
    if (const auto it = keys_.find(text); it != keys_.end()) return it->second;
    const auto next = static_cast<Key>(keys_.size() + 1);
    keys_.emplace(std::string(text), next);
    return next;
  }

 private:
  StringMap<Key> keys_;

 public:
  void reserve(std::size_t n) { keys_.reserve(n); }
};

// An ID number in normal form. Validity depends on the period only through the
// upper bound of the birth date (SPEC section 2), so the number is normalised
// once without that bound and `birth` (YYYYMMDD, 0 when invalid even without
// the bound) is compared with each period's last day.
struct NormId {
  Key key = kNull;
  int birth = 0;
  bool valid_in(const AuditPeriod& period) const {
    return birth != 0 && birth <= period.last_day_yyyymmdd();
  }
};

class IdNormaliser {
 public:
  explicit IdNormaliser(Interner& ids) : ids_(ids) {}
  NormId operator()(std::string_view raw) {
    // Rows of one person often follow each other with the same text.
    if (raw == last_raw_) return last_;
    const auto cached = cache_.find(raw);
    if (cached != cache_.end()) {
      remember(raw, cached->second);
      return cached->second;
    }
    const nf::IdNumber id = nf::id_number(raw, kNoUpperBirthBound);
    NormId result;
    result.key = ids_.key(id.text);
    if (id.valid) result.birth = std::atoi(id.text.substr(6, 8).c_str());
    cache_.emplace(std::string(raw), result);
    remember(raw, result);
    return result;
  }
  void reserve(std::size_t n) { cache_.reserve(n); }

 private:
  void remember(std::string_view raw, NormId id) {
    last_raw_.assign(raw);
    last_ = id;
  }

  Interner& ids_;
  StringMap<NormId> cache_;  // raw text -> normal form
  std::string last_raw_;     // the last text normalised ("" is NULL, whose NormId is {})
  NormId last_;
};

enum class Outcome { conclusive, feedback, other };

Outcome outcome_of(std::string_view raw) {
  const std::string o = nf::enumeration(raw);
  if (o == "confirmed_local" || o == "not_local" || o == "already_reported") {
    return Outcome::conclusive;
  }
  if (o == "empty_number" || o == "wrong_person") return Outcome::feedback;
  return Outcome::other;
}

struct PersonRow {
  std::int64_t person_id = 0;
  NormId id;
  std::string hukou_street;  // trimmed
  std::string raw_name;
};

struct ResidenceRow {
  std::int64_t residence_id = 0;
  Instant valid_from = 0;
  TimeValue valid_to = TimeValue::null();  // null or readable
  std::string street;                      // trimmed
};

struct LinkRow {
  std::int64_t link_id = 0;
  Key id = kNull;
  Key phone = kNull;
  TimeValue recorded_at = TimeValue::null();
};

struct SubscriptionRow {
  std::int64_t subscription_id = 0;
  Key owner = kNull;
  Instant activated_at = 0;
  TimeValue deactivated_at = TimeValue::null();  // null or readable
};

// Who a phone resolves to over time (SPEC section 4, "Resolving a phone"):
// the distinct ids of its links recorded at or before T only grow with T, so
// the answer is nobody before `first_at`, `first_id` until `conflict_at`, and
// unresolved from then on.
struct PhoneHolders {
  Instant first_at = 0;
  Key first_id = kNull;
  Instant conflict_at = 0;
  bool has_conflict = false;
};

struct InquiryRow {
  std::int64_t inquiry_id = 0;
  NormId id;
  Key phone = kNull;
  TimeValue called_at = TimeValue::null();
  Outcome outcome = Outcome::other;
};

struct SelfReportRow {
  NormId id;
  Key phone = kNull;
  TimeValue reported_at = TimeValue::null();
  TimeValue arrived_at = TimeValue::null();
  std::string origin;      // place normal form
  std::string vehicle_no;  // vehicle_no normal form
};

struct TravelRow {
  TimeValue recorded_at = TimeValue::null();
  TimeValue arrived_at = TimeValue::null();
  std::string origin;
  std::string vehicle_no;
};

enum class FieldKind {
  id_number,
  name,
  phone,
  vehicle_no,
  arrived_at,
  origin,
  vaccine_doses,
  other
};

FieldKind field_kind_of(std::string_view raw) {
  const std::string f = nf::enumeration(raw);
  if (f == "id_number") return FieldKind::id_number;
  if (f == "name") return FieldKind::name;
  if (f == "phone") return FieldKind::phone;
  if (f == "vehicle_no") return FieldKind::vehicle_no;
  if (f == "arrived_at") return FieldKind::arrived_at;
  if (f == "origin") return FieldKind::origin;
  if (f == "vaccine_doses") return FieldKind::vaccine_doses;
  return FieldKind::other;
}

// A checkin_fields row with its value already in the normal form its field
// needs (only the member for `kind` is set).
struct FieldRow {
  FieldKind kind = FieldKind::other;
  NormId id;
  std::string text;  // name, vehicle_no or place normal form
  Key phone = kNull;
  TimeValue time = TimeValue::null();
  nf::Count count;
};

struct CheckinRow {
  std::int64_t checkin_id = 0;
  NormId id;
  Key phone = kNull;
  std::string team;  // trimmed
  TimeValue checked_in_at = TimeValue::null();
  bool photo_is_one = false;
};

// Every code of SPEC section 4 with its rule and subject table, in the order
// _truth is sorted (rule, then code).
enum class Code : std::uint8_t {
  fully_redundant,
  photo_only,
  repeat_visit,
  after_conclusive_call,
  after_self_report,
  invalid_id_number,
  phone_holder_mismatch,
  residence_elsewhere,
  deactivated,
  reassigned,
  unfixed_after_feedback,
};
struct CodeSpec {
  const char* rule;
  const char* code;
  const char* subject_table;
};
constexpr std::array<CodeSpec, 11> kCodes = {{
    {"checkin-redundancy", "fully_redundant", "checkins"},
    {"checkin-redundancy", "photo_only", "checkins"},
    {"checkin-redundancy", "repeat_visit", "checkins"},
    {"duplicate-inquiry", "after_conclusive_call", "inquiries"},
    {"duplicate-inquiry", "after_self_report", "inquiries"},
    {"hukou-mismatch", "invalid_id_number", "persons"},
    {"hukou-mismatch", "phone_holder_mismatch", "person_phones"},
    {"hukou-mismatch", "residence_elsewhere", "persons"},
    {"stale-phone", "deactivated", "person_phones"},
    {"stale-phone", "reassigned", "person_phones"},
    {"stale-phone", "unfixed_after_feedback", "person_phones"},
}};
const CodeSpec& spec_of(Code code) {
  return kCodes[static_cast<std::size_t>(code)];
}

// A finding while computing: the period's index (periods sorted by time), the
// code and the subject's key. Its order is _truth's order.
struct Found {
  std::uint32_t period = 0;
  Code code = Code::fully_redundant;
  std::int64_t key = 0;
  friend auto operator<=>(const Found&, const Found&) = default;
  friend bool operator==(const Found&, const Found&) = default;
};

// Collects one period's findings.
class Emit {
 public:
  Emit(std::uint32_t period, std::vector<Found>& out) : period_(period), out_(out) {}
  void operator()(Code code, std::int64_t key) const { out_.push_back({period_, code, key}); }

 private:
  std::uint32_t period_;
  std::vector<Found>& out_;
};

// Rows grouped by a key: all rows are added, then sorted once (stably, so
// rows keep their table order within a key); find() returns one key's rows.
template <class Row>
class GroupedBy {
 public:
  void add(Key key, Row row) { rows_.emplace_back(key, std::move(row)); }
  void sort() {
    std::stable_sort(rows_.begin(), rows_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  // The rows of `key` as (key, row) pairs; empty for an unknown key.
  std::span<const std::pair<Key, Row>> find(Key key) const {
    const auto [first, last] =
        std::equal_range(rows_.begin(), rows_.end(), std::pair<Key, Row>(key, Row{}),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
    return {first, last};
  }
  bool contains(Key key) const { return !find(key).empty(); }
  const std::vector<std::pair<Key, Row>>& all() const { return rows_; }

 private:
  std::vector<std::pair<Key, Row>> rows_;
};

std::uint64_t pair_key(Key a, Key b) {
  return (std::uint64_t{a} << 32) | b;
}

// An entity of duplicate-inquiry: a person (an id_number) or a bare phone.
using Entity = std::uint64_t;
constexpr Entity kNoEntity = 0;
Entity person_entity(Key id) {
  return (std::uint64_t{1} << 32) | id;
}
Entity phone_entity(Key phone) {
  return (std::uint64_t{2} << 32) | phone;
}
bool is_person(Entity e) {
  return (e >> 32) == 1;
}
Key entity_key(Entity e) {
  return static_cast<Key>(e & 0xffffffffu);
}

// True when some instant of the sorted `times` lies in [from, to).
bool any_in(const std::vector<Instant>& times, Instant from, Instant to) {
  const auto it = std::lower_bound(times.begin(), times.end(), from);
  return it != times.end() && *it < to;
}

void sort_all(std::unordered_map<Entity, std::vector<Instant>>& groups) {
  for (auto& [entity, times] : groups) std::sort(times.begin(), times.end());
}

// Every row of the registry that any rule needs, in normal form.
class Registry {
 public:
  explicit Registry(Database& db) : normalise_id_(ids_) {
    Statement count(db,
                    "SELECT (SELECT count(*) FROM persons) + (SELECT count(*) FROM residences)");
    count.next_row();
    const auto expected_ids = static_cast<std::size_t>(count.column_int(0));
    ids_.reserve(expected_ids);
    normalise_id_.reserve(expected_ids);
    load_persons(db);
    load_residences(db);
    load_links(db);
    load_subscriptions(db);
    load_inquiries(db);
    load_self_reports(db);
    load_travel(db);
    load_vaccinations(db);
    load_checkins(db);
    load_fields(db);
    persons_by_id_.sort();
    residences_by_id_.sort();
    subscriptions_by_phone_.sort();
    feedback_calls_by_phone_.sort();
    travel_by_id_.sort();
    vaccinations_by_id_.sort();
  }

  void audit(const AuditPeriod& period, std::uint32_t period_index, std::vector<Found>& out) const {
    const Emit emit(period_index, out);
    audit_persons(period, emit);
    audit_links(period, emit);
    audit_inquiries(period, emit);
    audit_checkins(period, emit);
  }

 private:
  // ---- loading ----

  void load_persons(Database& db) {
    Statement s(db, "SELECT person_id, id_number, name, hukou_street FROM persons");
    while (s.next_row()) {
      PersonRow row;
      row.person_id = s.column_int(0);
      row.id = normalise_id_(s.column_text(1));
      row.raw_name = std::string(s.column_text(2));
      row.hukou_street = nf::street_code(s.column_text(3));
      if (row.id.key != kNull) persons_by_id_.add(row.id.key, persons_.size());
      persons_.push_back(std::move(row));
    }
  }

  void load_residences(Database& db) {
    Statement s(db, "SELECT residence_id, id_number, street, valid_from, valid_to FROM residences");
    while (s.next_row()) {
      const NormId id = normalise_id_(s.column_text(1));
      const TimeValue from = nf::time(s.column_text(3));
      const TimeValue to = nf::time(s.column_text(4));
      // No person to match, no usable start, or an unreadable end: never used.
      if (id.key == kNull || !from.is_readable() || to.is_unreadable()) continue;
      residences_by_id_.add(id.key, ResidenceRow{s.column_int(0), from.instant(), to,
                                                 nf::street_code(s.column_text(2))});
    }
  }

  void load_links(Database& db) {
    Statement s(db, "SELECT link_id, id_number, phone, recorded_at FROM person_phones");
    while (s.next_row()) {
      LinkRow row;
      row.link_id = s.column_int(0);
      row.id = normalise_id_(s.column_text(1)).key;
      row.phone = phones_.key(nf::phone(s.column_text(2)));
      row.recorded_at = nf::time(s.column_text(3));
      links_.push_back(row);
    }
    // Phone resolution and the "phone already known" index use only links
    // with an id, a phone and a readable recorded_at.
    const auto usable = [](const LinkRow& link) {
      return link.id != kNull && link.phone != kNull && link.recorded_at.is_readable();
    };
    // Pass 1: each phone's earliest link (any one of them on a tie).
    for (const LinkRow& link : links_) {
      if (!usable(link)) continue;
      const Instant t = link.recorded_at.instant();
      if (holders_.size() <= link.phone) holders_.resize(link.phone + 1);
      PhoneHolders& h = holders_[link.phone];
      if (h.first_id == kNull || t < h.first_at) {
        h.first_at = t;
        h.first_id = link.id;
      }
      const auto [it, inserted] = first_link_at_.try_emplace(pair_key(link.id, link.phone), t);
      if (!inserted) it->second = std::min(it->second, t);
    }
    // Pass 2: the earliest link of another id makes the phone ambiguous.
    for (const LinkRow& link : links_) {
      if (!usable(link)) continue;
      PhoneHolders& h = holders_[link.phone];
      if (link.id == h.first_id) continue;
      const Instant t = link.recorded_at.instant();
      if (!h.has_conflict || t < h.conflict_at) h.conflict_at = t;
      h.has_conflict = true;
    }
  }

  void load_subscriptions(Database& db) {
    Statement s(db,
                "SELECT subscription_id, phone, owner_id_number, activated_at, deactivated_at "
                "FROM phone_subscriptions");
    while (s.next_row()) {
      const Key phone = phones_.key(nf::phone(s.column_text(1)));
      const TimeValue activated = nf::time(s.column_text(3));
      const TimeValue deactivated = nf::time(s.column_text(4));
      // Only counted subscriptions: readable activation, end NULL or readable.
      if (phone == kNull || !activated.is_readable() || deactivated.is_unreadable()) continue;
      subscriptions_by_phone_.add(
          phone, SubscriptionRow{s.column_int(0), normalise_id_(s.column_text(2)).key,
                                 activated.instant(), deactivated});
    }
  }

  void load_inquiries(Database& db) {
    Statement s(db, "SELECT inquiry_id, id_number, phone, called_at, outcome FROM inquiries");
    while (s.next_row()) {
      InquiryRow row;
      row.inquiry_id = s.column_int(0);
      row.id = normalise_id_(s.column_text(1));
      row.phone = phones_.key(nf::phone(s.column_text(2)));
      row.called_at = nf::time(s.column_text(3));
      row.outcome = outcome_of(s.column_text(4));
      if (row.outcome == Outcome::feedback && row.phone != kNull && row.called_at.is_readable()) {
        feedback_calls_by_phone_.add(row.phone, row.called_at.instant());
      }
      inquiries_.push_back(row);
    }
  }

  void load_self_reports(Database& db) {
    Statement s(db,
                "SELECT id_number, phone, reported_at, arrived_at, origin, vehicle_no "
                "FROM self_reports");
    while (s.next_row()) {
      SelfReportRow row;
      row.id = normalise_id_(s.column_text(0));
      row.phone = phones_.key(nf::phone(s.column_text(1)));
      row.reported_at = nf::time(s.column_text(2));
      row.arrived_at = nf::time(s.column_text(3));
      row.origin = nf::place(s.column_text(4));
      row.vehicle_no = nf::vehicle_no(s.column_text(5));
      self_reports_.push_back(std::move(row));
    }
  }

  void load_travel(Database& db) {
    Statement s(
        db, "SELECT id_number, vehicle_no, origin, arrived_at, recorded_at FROM travel_records");
    while (s.next_row()) {
      const Key id = normalise_id_(s.column_text(0)).key;
      if (id == kNull) continue;
      travel_by_id_.add(id,
                        TravelRow{nf::time(s.column_text(4)), nf::time(s.column_text(3)),
                                  nf::place(s.column_text(2)), nf::vehicle_no(s.column_text(1))});
    }
  }

  void load_vaccinations(Database& db) {
    Statement s(db, "SELECT id_number, vaccinated_at FROM vaccinations");
    while (s.next_row()) {
      const Key id = normalise_id_(s.column_text(0)).key;
      const TimeValue at = nf::time(s.column_text(1));
      if (id == kNull || !at.is_readable()) continue;
      vaccinations_by_id_.add(id, at.instant());
    }
  }

  void load_checkins(Database& db) {
    Statement s(db,
                "SELECT checkin_id, id_number, phone, team, checked_in_at, photo FROM checkins");
    while (s.next_row()) {
      CheckinRow row;
      row.checkin_id = s.column_int(0);
      row.id = normalise_id_(s.column_text(1));
      row.phone = phones_.key(nf::phone(s.column_text(2)));
      row.team = nf::team(s.column_text(3));
      row.checked_in_at = nf::time(s.column_text(4));
      switch (s.column_type(5)) {
        case SQLITE_INTEGER:
          row.photo_is_one = s.column_int(5) == 1;
          break;
        case SQLITE_TEXT:
          row.photo_is_one = nf::trimmed(s.column_text(5)) == "1";
          break;
        default:
          break;
      }
      checkins_.push_back(std::move(row));
    }
  }

  void load_fields(Database& db) {
    std::unordered_set<std::int64_t> known_checkins;
    for (const CheckinRow& c : checkins_) known_checkins.insert(c.checkin_id);
    Statement s(db, "SELECT checkin_id, field, value FROM checkin_fields");
    while (s.next_row()) {
      // A field row belongs to a check-in only through an integer checkin_id.
      if (s.column_type(0) != SQLITE_INTEGER) continue;
      const std::int64_t checkin_id = s.column_int(0);
      if (!known_checkins.contains(checkin_id)) continue;
      FieldRow row;
      row.kind = field_kind_of(s.column_text(1));
      const std::string_view value = s.column_text(2);
      switch (row.kind) {
        case FieldKind::id_number:
          row.id = normalise_id_(value);
          break;
        case FieldKind::name:
          row.text = nf::name(value);
          break;
        case FieldKind::phone:
          row.phone = phones_.key(nf::phone(value));
          break;
        case FieldKind::vehicle_no:
          row.text = nf::vehicle_no(value);
          break;
        case FieldKind::arrived_at:
          row.time = nf::time(value);
          break;
        case FieldKind::origin:
          row.text = nf::place(value);
          break;
        case FieldKind::vaccine_doses:
          row.count = nf::count(value);
          break;
        case FieldKind::other:
          break;
      }
      fields_by_checkin_[checkin_id].push_back(std::move(row));
    }
  }

  // ---- shared predicates ----

  // The person (id key) phone `phone` resolves to at `t`; kNull when none or several.
  Key resolve(Key phone, Instant t) const {
    if (phone == kNull) return kNull;
    if (phone >= holders_.size()) return kNull;
    const PhoneHolders& h = holders_[phone];
    if (h.first_id == kNull || t < h.first_at) return kNull;
    if (h.has_conflict && t >= h.conflict_at) return kNull;
    return h.first_id;
  }

  // duplicate-inquiry's entity of a row with these values, at its own time `t`.
  Entity entity(const NormId& id, Key phone, Instant t, const AuditPeriod& period) const {
    if (id.valid_in(period)) return person_entity(id.key);
    if (phone == kNull) return kNoEntity;
    const Key who = resolve(phone, t);
    return who != kNull ? person_entity(who) : phone_entity(phone);
  }

  // checkin-redundancy's person of a check-in at `t`; kNull when unresolved.
  Key checkin_person(const CheckinRow& c, Instant t, const AuditPeriod& period) const {
    if (c.id.valid_in(period)) return c.id.key;
    return resolve(c.phone, t);
  }

  const std::string& person_name(std::size_t row) const {
    auto it = name_cache_.find(row);
    if (it == name_cache_.end()) {
      it = name_cache_.emplace(row, nf::name(persons_[row].raw_name)).first;
    }
    return it->second;
  }

  // ---- hukou-mismatch (persons rows) ----

  void audit_persons(const AuditPeriod& period, const Emit& emit) const {
    const Instant asof = period.as_of();
    for (const PersonRow& person : persons_) {
      if (!person.id.valid_in(period)) {
        emit(Code::invalid_id_number, person.person_id);
      }
      if (person.id.key == kNull) continue;
      const ResidenceRow* latest = nullptr;
      for (const auto& [id, r] : residences_by_id_.find(person.id.key)) {
        const bool in_force =
            r.valid_from < asof && (r.valid_to.is_null() || r.valid_to.instant() >= asof);
        if (!in_force) continue;
        if (latest == nullptr || r.valid_from > latest->valid_from ||
            (r.valid_from == latest->valid_from && r.residence_id > latest->residence_id)) {
          latest = &r;
        }
      }
      if (latest == nullptr || latest->street.empty() || person.hukou_street.empty()) continue;
      if (latest->street != person.hukou_street) {
        emit(Code::residence_elsewhere, person.person_id);
      }
    }
  }

  // ---- phone_holder_mismatch and stale-phone (person_phones rows) ----

  void audit_links(const AuditPeriod& period, const Emit& emit) const {
    const Instant asof = period.as_of();
    for (const LinkRow& link : links_) {
      if (!link.recorded_at.is_readable() || link.recorded_at.instant() >= asof) continue;
      const Instant recorded = link.recorded_at.instant();
      const auto subs = subscriptions_by_phone_.find(link.phone);  // counted subscriptions
      const SubscriptionRow* in_force = nullptr;
      for (const auto& [phone, s] : subs) {
        const bool live = s.activated_at < asof &&
                          (s.deactivated_at.is_null() || s.deactivated_at.instant() >= asof);
        if (!live) continue;
        if (in_force == nullptr || s.activated_at > in_force->activated_at ||
            (s.activated_at == in_force->activated_at &&
             s.subscription_id > in_force->subscription_id)) {
          in_force = &s;
        }
      }
      if (!subs.empty() && in_force == nullptr) {
        emit(Code::deactivated, link.link_id);
      }
      if (in_force != nullptr && in_force->owner != kNull && link.id != kNull &&
          in_force->owner != link.id) {
        if (in_force->activated_at <= recorded) {
          emit(Code::phone_holder_mismatch, link.link_id);
        } else {
          emit(Code::reassigned, link.link_id);
        }
      }
      const auto calls = feedback_calls_by_phone_.find(link.phone);
      const bool unfixed = std::any_of(calls.begin(), calls.end(), [&](const auto& call) {
        return call.second > recorded && call.second < asof;
      });
      if (link.phone != kNull && unfixed) {
        emit(Code::unfixed_after_feedback, link.link_id);
      }
    }
  }

  // ---- duplicate-inquiry (inquiries rows) ----

  std::unordered_map<Entity, std::vector<Instant>> self_report_times(
      const AuditPeriod& period) const {
    std::unordered_map<Entity, std::vector<Instant>> times;
    for (const SelfReportRow& r : self_reports_) {
      if (!r.reported_at.is_readable()) continue;
      const Instant t = r.reported_at.instant();
      const Entity e = entity(r.id, r.phone, t, period);
      if (e != kNoEntity) times[e].push_back(t);
    }
    sort_all(times);
    return times;
  }

  void audit_inquiries(const AuditPeriod& period, const Emit& emit) const {
    std::vector<Entity> entities(inquiries_.size(), kNoEntity);
    std::unordered_map<Entity, std::vector<Instant>> conclusive;
    for (std::size_t i = 0; i < inquiries_.size(); ++i) {
      const InquiryRow& q = inquiries_[i];
      if (!q.called_at.is_readable()) continue;
      entities[i] = entity(q.id, q.phone, q.called_at.instant(), period);
      if (entities[i] != kNoEntity && q.outcome == Outcome::conclusive) {
        conclusive[entities[i]].push_back(q.called_at.instant());
      }
    }
    sort_all(conclusive);
    const auto reports = self_report_times(period);
    for (std::size_t i = 0; i < inquiries_.size(); ++i) {
      const InquiryRow& q = inquiries_[i];
      if (entities[i] == kNoEntity || !period.contains(q.called_at.instant())) continue;
      const Instant t = q.called_at.instant();
      // The subject itself lies at t, outside [t - W, t): "another" holds.
      const auto c = conclusive.find(entities[i]);
      if (c != conclusive.end() && any_in(c->second, t - kWindow, t)) {
        emit(Code::after_conclusive_call, q.inquiry_id);
      }
      const auto r = reports.find(entities[i]);
      if (r != reports.end() && any_in(r->second, t - kWindow, t)) {
        emit(Code::after_self_report, q.inquiry_id);
      }
    }
  }

  // ---- checkin-redundancy (checkins rows) ----

  // The person's records before `t`: travel rows and self-reports.
  struct Records {
    std::vector<const TravelRow*> travel;
    std::vector<const SelfReportRow*> reports;
  };

  Records records_before(
      Key person, Instant t,
      const std::unordered_map<Key, std::vector<std::size_t>>& reports_by_person) const {
    Records records;
    for (const auto& [id, r] : travel_by_id_.find(person)) {
      if (r.recorded_at.is_readable() && r.recorded_at.instant() < t) records.travel.push_back(&r);
    }
    if (const auto it = reports_by_person.find(person); it != reports_by_person.end()) {
      for (const std::size_t i : it->second) {
        const SelfReportRow& r = self_reports_[i];
        if (r.reported_at.instant() < t) records.reports.push_back(&r);
      }
    }
    return records;
  }

  bool field_known(const FieldRow& f, Key person, Instant t, const Records& records,
                   const AuditPeriod& period) const {
    const auto any_record = [&](const auto& predicate) {
      return std::any_of(records.travel.begin(), records.travel.end(),
                         [&](const TravelRow* r) {
                           return predicate(r->vehicle_no, r->origin, r->arrived_at);
                         }) ||
             std::any_of(records.reports.begin(), records.reports.end(),
                         [&](const SelfReportRow* r) {
                           return predicate(r->vehicle_no, r->origin, r->arrived_at);
                         });
    };
    switch (f.kind) {
      case FieldKind::id_number:
        return f.id.key != kNull && f.id.key == person && f.id.valid_in(period) &&
               persons_by_id_.contains(f.id.key);
      case FieldKind::name: {
        if (f.text.empty()) return false;
        const auto rows = persons_by_id_.find(person);
        return std::any_of(rows.begin(), rows.end(),
                           [&](const auto& row) { return person_name(row.second) == f.text; });
      }
      case FieldKind::phone: {
        if (f.phone == kNull) return false;
        const auto it = first_link_at_.find(pair_key(person, f.phone));
        return it != first_link_at_.end() && it->second < t;
      }
      case FieldKind::vehicle_no:
        if (f.text.empty()) return false;
        return any_record([&](const std::string& vehicle, const std::string&, const TimeValue&) {
          return vehicle == f.text;
        });
      case FieldKind::origin:
        if (f.text.empty()) return false;
        return any_record([&](const std::string&, const std::string& origin, const TimeValue&) {
          return origin == f.text;
        });
      case FieldKind::arrived_at:
        if (!f.time.is_readable()) return false;
        return any_record([&](const std::string&, const std::string&, const TimeValue& arrived) {
          return arrived.is_readable() &&
                 std::abs(arrived.instant() - f.time.instant()) <= kArrivalTolerance;
        });
      case FieldKind::vaccine_doses: {
        if (f.count.state != nf::Count::State::readable) return false;
        const auto doses = vaccinations_by_id_.find(person);
        return f.count.value == std::count_if(doses.begin(), doses.end(),
                                              [&](const auto& dose) { return dose.second < t; });
      }
      case FieldKind::other:
        return false;
    }
    return false;
  }

  void audit_checkins(const AuditPeriod& period, const Emit& emit) const {
    // Self-reports by the person their entity is, for the records.
    std::unordered_map<Key, std::vector<std::size_t>> reports_by_person;
    for (std::size_t i = 0; i < self_reports_.size(); ++i) {
      const SelfReportRow& r = self_reports_[i];
      if (!r.reported_at.is_readable()) continue;
      const Entity e = entity(r.id, r.phone, r.reported_at.instant(), period);
      if (is_person(e)) reports_by_person[entity_key(e)].push_back(i);
    }
    // Every check-in's person at its own time, and check-ins grouped by person.
    std::vector<Key> persons(checkins_.size(), kNull);
    std::unordered_map<Key, std::vector<std::size_t>> by_person;
    for (std::size_t i = 0; i < checkins_.size(); ++i) {
      const CheckinRow& c = checkins_[i];
      if (!c.checked_in_at.is_readable()) continue;
      persons[i] = checkin_person(c, c.checked_in_at.instant(), period);
      if (persons[i] != kNull) by_person[persons[i]].push_back(i);
    }
    static const std::vector<FieldRow> kNoFields;
    for (std::size_t i = 0; i < checkins_.size(); ++i) {
      const CheckinRow& c = checkins_[i];
      if (!c.checked_in_at.is_readable() || !period.contains(c.checked_in_at.instant())) continue;
      const Instant t = c.checked_in_at.instant();
      const Key person = persons[i];
      const auto fields_it = fields_by_checkin_.find(c.checkin_id);
      const auto& fields = fields_it != fields_by_checkin_.end() ? fields_it->second : kNoFields;
      if (!fields.empty() && person != kNull) {
        const Records records = records_before(person, t, reports_by_person);
        const bool all_known = std::all_of(fields.begin(), fields.end(), [&](const FieldRow& f) {
          return field_known(f, person, t, records, period);
        });
        if (all_known) emit(Code::fully_redundant, c.checkin_id);
      }
      if (fields.empty() && c.photo_is_one) {
        emit(Code::photo_only, c.checkin_id);
      }
      if (person == kNull || c.team.empty()) continue;
      const bool repeat =
          std::any_of(by_person.at(person).begin(), by_person.at(person).end(), [&](std::size_t j) {
            const CheckinRow& other = checkins_[j];
            const Instant u = other.checked_in_at.instant();
            return j != i && u >= t - kWindow && u < t && !other.team.empty() &&
                   other.team != c.team;
          });
      if (repeat) emit(Code::repeat_visit, c.checkin_id);
    }
  }

  Interner ids_;
  Interner phones_;
  IdNormaliser normalise_id_;

  std::vector<PersonRow> persons_;
  GroupedBy<std::size_t> persons_by_id_;  // index into persons_
  mutable std::unordered_map<std::size_t, std::string> name_cache_;
  GroupedBy<ResidenceRow> residences_by_id_;  // usable rows only
  std::vector<LinkRow> links_;
  std::vector<PhoneHolders> holders_;  // by phone key; first_id kNull: no usable link
  std::unordered_map<std::uint64_t, Instant> first_link_at_;  // (id, phone) -> earliest recorded_at
  GroupedBy<SubscriptionRow> subscriptions_by_phone_;         // counted subscriptions only
  std::vector<InquiryRow> inquiries_;
  GroupedBy<Instant> feedback_calls_by_phone_;  // empty_number / wrong_person calls
  std::vector<SelfReportRow> self_reports_;
  GroupedBy<TravelRow> travel_by_id_;
  GroupedBy<Instant> vaccinations_by_id_;  // readable vaccinated_at only
  std::vector<CheckinRow> checkins_;
  std::unordered_map<std::int64_t, std::vector<FieldRow>> fields_by_checkin_;
};

// Every finding of every period, sorted, without repeats.
struct Audit {
  std::vector<std::string> labels;  // "2022-04", by Found::period
  std::vector<Found> found;
};

Audit audit_all(Database& db, std::vector<AuditPeriod> periods) {
  const auto earlier = [](const AuditPeriod& a, const AuditPeriod& b) {
    return a.start() < b.start();
  };
  const auto same = [](const AuditPeriod& a, const AuditPeriod& b) {
    return a.start() == b.start();
  };
  std::sort(periods.begin(), periods.end(), earlier);
  periods.erase(std::unique(periods.begin(), periods.end(), same), periods.end());
  Audit audit;
  const Registry registry(db);
  for (std::size_t i = 0; i < periods.size(); ++i) {
    audit.labels.push_back(periods[i].label());
    registry.audit(periods[i], static_cast<std::uint32_t>(i), audit.found);
  }
  std::sort(audit.found.begin(), audit.found.end());
  audit.found.erase(std::unique(audit.found.begin(), audit.found.end()), audit.found.end());
  return audit;
}

}  // namespace

Status find_truth(const std::string& db_path, const std::vector<AuditPeriod>& periods,
                  std::vector<TruthFinding>& findings) {
  try {
    Database db(db_path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
    const Audit audit = audit_all(db, periods);
    findings.clear();
    for (const Found& f : audit.found) {
      const CodeSpec& spec = spec_of(f.code);
      findings.push_back({audit.labels[f.period], spec.rule, spec.code, spec.subject_table, f.key});
    }
    return Status::ok();
  } catch (const SqliteError& e) {
    return Status::error(std::string("truth: ") + e.what());
  }
}

Status compute_truth(const std::string& db_path, const std::vector<AuditPeriod>& periods) {
  try {
    Database db(db_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX);
    const Audit audit = audit_all(db, periods);
    db.exec("BEGIN");
    db.exec("DROP TABLE IF EXISTS _truth");
    db.exec(
        "CREATE TABLE _truth (period TEXT, rule TEXT, code TEXT, subject_table TEXT, "
        "subject_key INTEGER)");
    Statement insert(db, "INSERT INTO _truth VALUES (?, ?, ?, ?, ?)");
    for (const Found& f : audit.found) {
      const CodeSpec& spec = spec_of(f.code);
      insert.insert(audit.labels[f.period], spec.rule, spec.code, spec.subject_table, f.key);
    }
    db.exec("COMMIT");
    return Status::ok();
  } catch (const SqliteError& e) {
    return Status::error(std::string("truth: ") + e.what());
  }
}

}  // namespace regaudit::synth
