// stale-phone: person–phone links the registry still asserts although the
// number is dead, went to a new owner, or callers reported it wrong.
// SPEC section 4; doc page: doc.md.

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kStalePhoneDoc.inc"
#include "persons_table.hpp"
#include "phone_links.hpp"
#include "regaudit/normal_forms.hpp"
#include "regaudit/plugin.hpp"
#include "rule_support.hpp"

namespace regaudit::rules {
namespace {

constexpr const char* kRuleId = "stale-phone";

// An inquiry whose outcome says the number is wrong (empty_number,
// wrong_person), made before A.
struct Feedback {
  Instant called_at = 0;
  std::int64_t inquiry_id = 0;
  std::string outcome;
};

// One examined person_phones row.
struct Link {
  std::int64_t link_id = 0;
  std::string_view id;  // normal form; empty: NULL
  std::string_view number;
  std::string_view source;
  Instant recorded_at = 0;
  // Where the linked person's hukou street is looked up, for findings only:
  // most links make none.
  const StreetById* hukou_streets = nullptr;
};

class StalePhone {
 public:
  static RuleInfo info() {
    RuleInfo info;
    info.id = kRuleId;
    info.version = "1.0.0";
    info.title = "Stale phone links (号码失效、易主、反馈未回写)";
    info.description =
        "Person–phone links that the registry still asserts although the number has no "
        "subscription in force (空号), was re-issued to another person after the link was "
        "recorded, or was reported empty or wrong by verification callers.";
    info.documentation = kStalePhoneDoc;
    info.codes = {
        {"deactivated", Severity::high,
         "the number has counted subscriptions but none is in force at A (a dead number)"},
        {"reassigned", Severity::high,
         "the subscription in force at A belongs to another person and was activated after the "
         "link was recorded"},
        {"unfixed_after_feedback", Severity::high,
         "a call after the link was recorded found the number empty or held by a wrong person"},
    };
    info.shared_values = {kSubscriptionsKey, kHukouStreetsKey, PhoneLinks::kKey,
                          PersonsTable::kKey};
    info.tables = {"phone_subscriptions", "inquiries", "person_phones", "persons"};
    return info;
  }

  Status configure(const RuleOptions&) { return Status::ok(); }

  void run(RunContext& context) {
    // In a run of the four built-in rules the shared tables are built by the
    // time this rule starts (third, RuleInfo::tables). Started beside
    // hukou-mismatch, it asks for the subscriptions first and the hukou
    // streets last: hukou-mismatch builds the persons (the streets' source)
    // and the links meanwhile, so neither rule waits long for the other.
    const auto shared_subscriptions = shared_subscriptions_by_number(context);
    const SubscriptionsByNumber& subscriptions = *shared_subscriptions;
    const auto feedback = feedback_by_number(context);
    const auto links = PhoneLinks::shared(context);
    const auto shared_streets = shared_first_hukou_street_by_id(context);
    const StreetById& hukou_street_of = *shared_streets;
    const Instant as_of = context.period().as_of();
    const auto& rows = links->rows();
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (i + kPrefetchAhead < rows.size()) {
        const std::string_view ahead = links->phone(rows[i + kPrefetchAhead]);
        if (const auto k = SubscriptionsByNumber::as_integer(ahead)) {
          subscriptions.prefetch_integer(*k);
          feedback.prefetch_integer(*k);
        }
      }
      const PhoneLinks::Row& row = rows[i];
      if (row.recorded_at >= as_of) continue;
      Link link;
      link.number = links->phone(row);
      link.link_id = row.link_id;
      link.id = links->id(row);
      link.source = links->source(row);
      link.recorded_at = row.recorded_at;
      link.hukou_streets = &hukou_street_of;
      if (const NumberSubscriptions* subs = subscriptions.find(link.number)) {
        check_subscriptions(context, link, *subs, subscriptions.owners());
      }
      if (const std::vector<Feedback>* calls = feedback.find(link.number)) {
        check_feedback(context, link, *calls);
      }
    }
  }

 private:
  // Inquiries with outcome empty_number or wrong_person and a readable
  // called_at before A, per number, sorted by (called_at, inquiry_id).
  static ByNumber<std::vector<Feedback>> feedback_by_number(RunContext& context) {
    const Instant as_of = context.period().as_of();
    ByNumber<std::vector<Feedback>> out;
    Statement rows =
        context.registry().prepare("SELECT inquiry_id, phone, outcome, called_at FROM inquiries");
    while (rows.step()) {
      const TimeValue called = read_time(rows, 3, context, "inquiries", "called_at");
      if (!called.is_readable() || called.instant() >= as_of) continue;
      std::string outcome = nf::enumeration(rows.text(2));
      if (outcome != "empty_number" && outcome != "wrong_person") continue;
      std::string number = nf::phone(rows.text(1));
      if (number.empty()) continue;
      out[number].push_back({called.instant(), rows.int64(0), std::move(outcome)});
    }
    out.for_each_value([](std::vector<Feedback>& calls) {
      std::sort(calls.begin(), calls.end(), [](const Feedback& a, const Feedback& b) {
        return std::pair(a.called_at, a.inquiry_id) < std::pair(b.called_at, b.inquiry_id);
      });
    });
    return out;
  }

  static Finding finding_for(const Link& link, const char* code) {
    Finding f;
    f.code = code;
    f.subject_table = "person_phones";
    f.subject_key = link.link_id;
    if (!link.id.empty()) {
      if (const std::string* street = link.hukou_streets->find(link.id)) f.street = *street;
    }
    f.identity = fmt::format("{}\x1f{}\x1f{}", link.id, link.number, link.source);
    return f;
  }

  static std::string holder(const Link& link, const PiiPolicy& pii) {
    return link.id.empty() ? std::string("（身份证号为空）") : pii.id_number(link.id);
  }
  static std::string holder_en(const Link& link, const PiiPolicy& pii) {
    return link.id.empty() ? std::string("(no ID number)") : pii.id_number(link.id);
  }
  static std::string source_zh(const Link& link) {
    return link.source.empty() ? std::string("登记") : std::string(link.source) + " ";
  }
  static std::string source_en(const Link& link) {
    return link.source.empty() ? std::string("registry") : std::string(link.source);
  }

  static void check_subscriptions(RunContext& context, const Link& link,
                                  const NumberSubscriptions& subs, const IdCodes& owners) {
    if (subs.in_force() == nullptr) {
      emit_deactivated(context, link, subs.last_counted);
      return;
    }
    const SubscriptionInForce& sub = *subs.in_force();
    if (link.id.empty() || sub.owner == IdCodes::kNone || owners.is(sub.owner, link.id)) return;
    if (sub.activated_at <= link.recorded_at) return;  // hukou-mismatch's phone_holder_mismatch
    emit_reassigned(context, link, sub, owners.text(sub.owner));
  }

  static void emit_deactivated(RunContext& context, const Link& link,
                               const CountedSubscription& last) {
    const PiiPolicy& pii = context.pii();
    const std::string as_of = minute_text(context.period().as_of());
    Finding f = finding_for(link, "deactivated");
    f.evidence.push_back({"phone_subscriptions", last.subscription_id});
    const std::optional<Instant> ended = last.deactivated_at();
    const std::string ended_zh =
        ended ? fmt::format("，已于 {} 注销", format_date(*ended)) : std::string();
    const std::string ended_en =
        ended ? fmt::format(", deactivated on {}", format_date(*ended)) : std::string();
    if (context.wants_message_zh()) {
      f.message_zh = fmt::format(
          "号码 {} 截至 {} 已无在用的实名登记（最后一次登记于 {} 启用{}），是空号；但{}记录（{}）"
          "仍登记为 {} 的号码。",
          pii.phone(link.number), as_of, format_date(last.activated_at), ended_zh, source_zh(link),
          format_date(link.recorded_at), holder(link, pii));
    }
    if (context.wants_message_en()) {
      f.message_en = fmt::format(
          "Number {} has no real-name subscription in force on {} (the last one was activated on "
          "{}{}): it is a dead number, yet the {} link (recorded {}) still asserts it as the "
          "number of {}.",
          pii.phone(link.number), as_of, format_date(last.activated_at), ended_en, source_en(link),
          format_date(link.recorded_at), holder_en(link, pii));
    }
    context.emit(std::move(f));
  }

  static void emit_reassigned(RunContext& context, const Link& link, const SubscriptionInForce& sub,
                              const std::string& owner) {
    const PiiPolicy& pii = context.pii();
    Finding f = finding_for(link, "reassigned");
    f.evidence.push_back({"phone_subscriptions", sub.subscription_id});
    if (context.wants_message_zh()) {
      f.message_zh = fmt::format(
          "号码 {} 自 {} 起已由他人（{}）实名使用，但{}记录（{}）仍登记为 {} "
          "本人的号码：号码已易主，"
          "登记未更新。",
          pii.phone(link.number), format_date(sub.activated_at), pii.id_number(owner),
          source_zh(link), format_date(link.recorded_at), pii.id_number(link.id));
    }
    if (context.wants_message_en()) {
      f.message_en = fmt::format(
          "Number {} has been used under another person's real name ({}) since {}, after the {} "
          "link (recorded {}) made it the number of {}: the number was re-issued and the registry "
          "never learnt.",
          pii.phone(link.number), pii.id_number(owner), format_date(sub.activated_at),
          source_en(link), format_date(link.recorded_at), pii.id_number(link.id));
    }
    context.emit(std::move(f));
  }

  // Evidence: the first and the latest feedback call after the link was
  // recorded (one when they are the same call).
  static void check_feedback(RunContext& context, const Link& link,
                             const std::vector<Feedback>& calls) {
    const auto first =
        std::upper_bound(calls.begin(), calls.end(), link.recorded_at,
                         [](Instant t, const Feedback& call) { return t < call.called_at; });
    if (first == calls.end()) return;
    const Feedback& latest = calls.back();
    const auto n = calls.end() - first;
    const PiiPolicy& pii = context.pii();
    Finding f = finding_for(link, "unfixed_after_feedback");
    f.evidence.push_back({"inquiries", first->inquiry_id});
    if (latest.inquiry_id != first->inquiry_id)
      f.evidence.push_back({"inquiries", latest.inquiry_id});
    if (context.wants_message_zh()) {
      f.message_zh = fmt::format(
          "{}记录（{}）登记 {} 为 {} 的号码后，核查电话 {} 次反馈该号码有误（{} 首次反馈：{}），"
          "但登记至今未更正。",
          source_zh(link), format_date(link.recorded_at), pii.phone(link.number), holder(link, pii),
          n, minute_text(first->called_at), first->outcome);
    }
    if (context.wants_message_en()) {
      f.message_en = fmt::format(
          "After the {} link (recorded {}) made {} the number of {}, {} verification call(s) "
          "reported it wrong (first on {}: {}), and the registry still asserts it.",
          source_en(link), format_date(link.recorded_at), pii.phone(link.number),
          holder_en(link, pii), n, minute_text(first->called_at), first->outcome);
    }
    context.emit(std::move(f));
  }
};

void register_rules(RuleRegistrar& registrar) {
  registrar.add<StalePhone>();
}

}  // namespace
}  // namespace regaudit::rules

REGAUDIT_PLUGIN("stale-phone", "1.0.0", regaudit::rules::register_rules)
