// duplicate-inquiry: verification calls the system should not have needed,
// because the same person had just been settled by a conclusive call or had
// reported themselves. SPEC section 4; doc page: doc.md.

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "int_map.hpp"
#include "kDuplicateInquiryDoc.inc"
#include "phone_resolver.hpp"
#include "regaudit/normal_forms.hpp"
#include "regaudit/plugin.hpp"
#include "rule_support.hpp"

namespace regaudit::rules {
namespace {

constexpr const char* kRuleId = "duplicate-inquiry";

// An earlier event of an entity: a conclusive call or a self-report.
struct Event {
  Instant at = 0;
  std::int64_t key = 0;
  std::string outcome;  // conclusive calls only
  std::string agency;   // conclusive calls only (trimmed)
};

bool event_before(const Event& a, const Event& b) {
  return std::pair(a.at, a.key) < std::pair(b.at, b.key);
}

// Events of one entity; each list sorted by (at, key) before it is read.
struct History {
  std::vector<Event> conclusive_calls;
  std::vector<Event> self_reports;
  bool sorted = false;
};

// The histories by entity. An entity is kept as a 64-bit code: a valid ID
// number's integer, a phone entity's number key (SubscriptionsByNumber's)
// under bit 62, the index of its text in one IdCodes otherwise. The usual
// entities cost no heap string and no map node, where a std::unordered_map of
// texts cost both for each of millions of entities. (Phone entities are most
// of a registry's calls without a valid ID number: as texts, encoding them
// and freeing them took 0.06 s of the 1 M city's 0.42 s in this rule.)
class Histories {
 public:
  // The code of `entity`, for of and find.
  std::uint64_t code(const std::string& entity) {
    if (const std::string_view number = phone_entity_number(entity); !number.empty()) {
      if (const auto key = SubscriptionsByNumber::as_integer(number)) return kPhone | *key;
    }
    return codes_.encode(entity);
  }
  // The history of the entity with code `code`, created empty when absent.
  History& of(std::uint64_t code) { return by_code_[code]; }
  // Starts loading the history of the entity with code `code`.
  void prefetch(std::uint64_t code) const { by_code_.prefetch(code); }
  // The history of the entity with code `code`, its lists sorted (once);
  // nullptr when it has none.
  const History* find(std::uint64_t code) {
    History* h = by_code_.find(code);
    if (h == nullptr) return nullptr;
    if (!h->sorted) {
      std::sort(h->conclusive_calls.begin(), h->conclusive_calls.end(), event_before);
      std::sort(h->self_reports.begin(), h->self_reports.end(), event_before);
      h->sorted = true;
    }
    return h;
  }

 private:
  // Number keys are below 2^62 (17 digits and a length), ID numbers' codes
  // below 2^61, and IdCodes marks its texts with bit 63.
  static constexpr std::uint64_t kPhone = std::uint64_t{1} << 62;
  IdCodes codes_;
  IntMap<History> by_code_;
};

// An inquiry with called_at in P and an entity.
struct Subject {
  std::int64_t inquiry_id = 0;
  std::string entity;
  std::uint64_t entity_code = 0;  // in the run's Histories
  std::string phone;
  std::string street;
  Instant called_at = 0;
  double cost_minutes = 0;
};

bool is_conclusive(const std::string& outcome) {
  return outcome == "confirmed_local" || outcome == "not_local" || outcome == "already_reported";
}

// The latest event with at in [t - window, t), or nullptr.
const Event* latest_in_window(const std::vector<Event>& events, Instant t, Instant window) {
  const auto end = std::lower_bound(events.begin(), events.end(), t,
                                    [](const Event& e, Instant at) { return e.at < at; });
  if (end == events.begin()) return nullptr;
  const Event& latest = *std::prev(end);
  return latest.at >= t - window ? &latest : nullptr;
}

class DuplicateInquiry {
 public:
  static RuleInfo info() {
    RuleInfo info;
    info.id = kRuleId;
    info.version = "1.0.0";
    info.title = "Duplicate inquiries (重复核查电话)";
    info.description =
        "Verification calls made although the same person had been settled by a conclusive call, "
        "or had reported their own arrival, within the preceding window.";
    info.documentation = kDuplicateInquiryDoc;
    info.codes = {
        {"after_conclusive_call", Severity::medium,
         "another call to the same entity reached a conclusive outcome within the window before"},
        {"after_self_report", Severity::medium,
         "the same entity reported itself (报备) within the window before the call"},
    };
    info.params = {
        {"window_days", ParamType::integer, "7",
         "days before a call within which an earlier conclusive call or self-report makes it "
         "redundant (>= 0)"},
        {"minutes_per_call", ParamType::real, "2.0",
         "staff minutes per call on top of its talk time (dialling, logging) (>= 0)"},
    };
    info.shared_values = {PhoneResolver::kKey};
    info.tables = {"inquiries", "self_reports", "person_phones"};
    return info;
  }

  Status configure(const RuleOptions& options) {
    const std::int64_t days = options.get_integer("window_days");
    if (days < 0 || days > 36500) {
      return Status::error(
          fmt::format("{}: window_days must be between 0 and 36500 days, got {}", kRuleId, days));
    }
    const double minutes = options.get_real("minutes_per_call");
    if (minutes < 0) {
      return Status::error(
          fmt::format("{}: minutes_per_call must not be negative, got {}", kRuleId, minutes));
    }
    window_s_ = days * kSecondsPerDay;
    window_days_ = days;
    minutes_per_call_ = minutes;
    return Status::ok();
  }

  void run(RunContext& context) {
    const auto shared_resolver = PhoneResolver::shared(context);
    const PhoneResolver& resolver = *shared_resolver;
    Histories histories;
    const std::vector<Subject> subjects = load_inquiries(context, resolver, histories);
    load_self_reports(context, resolver, histories);
    for (std::size_t i = 0; i < subjects.size(); ++i) {
      if (i + kPrefetchAhead < subjects.size()) {
        histories.prefetch(subjects[i + kPrefetchAhead].entity_code);
      }
      const Subject& subject = subjects[i];
      const History* history = histories.find(subject.entity_code);
      if (history == nullptr) continue;
      if (const Event* call =
              latest_in_window(history->conclusive_calls, subject.called_at, window_s_)) {
        emit_after_conclusive_call(context, subject, *call);
      }
      if (const Event* report =
              latest_in_window(history->self_reports, subject.called_at, window_s_)) {
        emit_after_self_report(context, subject, *report);
      }
    }
  }

 private:
  // Reads every inquiry once: conclusive calls before A become history, calls
  // in P with an entity become subjects.
  std::vector<Subject> load_inquiries(RunContext& context, const PhoneResolver& resolver,
                                      Histories& histories) const {
    const AuditPeriod& period = context.period();
    const int last_day = period.last_day_yyyymmdd();
    std::vector<Subject> subjects;
    // Room for every call, at most 4 M. Only the room used is ever touched;
    // grown by doubling instead, the vector moved the 10 M city's subjects
    // (1.3 M of 128 bytes) into fresh memory at each doubling.
    subjects.reserve(rows_to_reserve(context, "inquiries", std::size_t{1} << 22));
    Statement rows = context.registry().prepare(
        "SELECT inquiry_id, phone, id_number, agency, street, called_at, duration_s, outcome "
        "FROM inquiries ORDER BY inquiry_id");
    while (rows.step()) {
      // The phone first, and the resolver asked for its number: the other
      // columns are read while it comes from memory.
      std::string phone = nf::phone(rows.text(1));
      resolver.prefetch(phone);
      const TimeValue called = read_time(rows, 5, context, "inquiries", "called_at");
      if (!called.is_readable() || called.instant() >= period.as_of()) continue;
      const Instant t = called.instant();
      const bool is_subject = period.contains(t);
      // Talk time is read (and counted when unreadable) for every call in P.
      const nf::Count duration =
          is_subject ? read_count(rows, 6, context, "inquiries", "duration_s") : nf::Count{};
      std::string entity = entity_of(nf::id_number(rows.text(2), last_day), phone, t, resolver);
      if (entity.empty()) continue;
      const std::int64_t inquiry_id = rows.int64(0);
      std::string outcome = nf::enumeration(rows.text(7));
      const bool conclusive = is_conclusive(outcome);
      if (!conclusive && !is_subject) continue;
      const std::uint64_t code = histories.code(entity);  // once, for both uses
      if (conclusive) {
        histories.of(code).conclusive_calls.push_back(
            {t, inquiry_id, std::move(outcome), nf::trimmed(rows.text(3))});
      }
      if (!is_subject) continue;
      const double talk_minutes = duration.state == nf::Count::State::readable
                                      ? static_cast<double>(duration.value) / 60.0
                                      : 0.0;
      subjects.push_back({inquiry_id, std::move(entity), code, std::move(phone),
                          nf::street_code(rows.text(4)), t, talk_minutes + minutes_per_call_});
    }
    return subjects;
  }

  static void load_self_reports(RunContext& context, const PhoneResolver& resolver,
                                Histories& histories) {
    const Instant as_of = context.period().as_of();
    const int last_day = context.period().last_day_yyyymmdd();
    Statement rows = context.registry().prepare(
        "SELECT report_id, id_number, phone, reported_at FROM self_reports");
    while (rows.step()) {
      const TimeValue reported = read_time(rows, 3, context, "self_reports", "reported_at");
      if (!reported.is_readable() || reported.instant() >= as_of) continue;
      const Instant t = reported.instant();
      const std::string entity =
          entity_of(nf::id_number(rows.text(1), last_day), nf::phone(rows.text(2)), t, resolver);
      if (entity.empty()) continue;
      histories.of(histories.code(entity)).self_reports.push_back({t, rows.int64(0), {}, {}});
    }
  }

  static Finding finding_for(const Subject& subject, const char* code) {
    Finding f;
    f.code = code;
    f.subject_table = "inquiries";
    f.subject_key = subject.inquiry_id;
    f.street = subject.street;
    f.cost_minutes = subject.cost_minutes;
    f.identity = fmt::format("{}\x1f{}\x1f{}", subject.entity, subject.phone,
                             format_instant(subject.called_at));
    return f;
  }

  void emit_after_conclusive_call(RunContext& context, const Subject& subject,
                                  const Event& call) const {
    const std::string who = shown_entity(subject.entity, context.pii());
    Finding f = finding_for(subject, "after_conclusive_call");
    f.evidence.push_back({"inquiries", call.key});
    const std::string by_zh = call.agency.empty() ? std::string() : call.agency + " ";
    const std::string by_en = call.agency.empty() ? std::string() : " by " + call.agency;
    if (context.wants_message_zh()) {
      f.message_zh = fmt::format(
          "{} 致电核查 {}，而 {}{} 的通话已得出明确结果（{}），相隔不超过 {} "
          "天：本次通话不必拨打。",
          minute_text(subject.called_at), who, by_zh, minute_text(call.at), call.outcome,
          window_days_);
    }
    if (context.wants_message_en()) {
      f.message_en = fmt::format(
          "{} was called on {} although a call{} on {} had already reached a conclusive outcome "
          "({}) at most {} days before: the call bought no information.",
          who, minute_text(subject.called_at), by_en, minute_text(call.at), call.outcome,
          window_days_);
    }
    context.emit(std::move(f));
  }

  void emit_after_self_report(RunContext& context, const Subject& subject,
                              const Event& report) const {
    const std::string who = shown_entity(subject.entity, context.pii());
    Finding f = finding_for(subject, "after_self_report");
    f.evidence.push_back({"self_reports", report.key});
    if (context.wants_message_zh()) {
      f.message_zh = fmt::format(
          "{} 已于 {} 向社区报备，{} 仍被致电核查（相隔不超过 {} 天）：报备信息未进入核查系统。",
          who, minute_text(report.at), minute_text(subject.called_at), window_days_);
    }
    if (context.wants_message_en()) {
      f.message_en = fmt::format(
          "{} reported to the community on {} and was still called on {}, at most {} days later: "
          "the self-report never reached the callers' system.",
          who, minute_text(report.at), minute_text(subject.called_at), window_days_);
    }
    context.emit(std::move(f));
  }

  Instant window_s_ = 7 * kSecondsPerDay;
  std::int64_t window_days_ = 7;
  double minutes_per_call_ = 2.0;
};

void register_rules(RuleRegistrar& registrar) {
  registrar.add<DuplicateInquiry>();
}

}  // namespace
}  // namespace regaudit::rules

REGAUDIT_PLUGIN("duplicate-inquiry", "1.0.0", regaudit::rules::register_rules)
