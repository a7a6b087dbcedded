// hukou-mismatch: person, phone and household registration disagree
// (人-机-户 three-way consistency). SPEC section 4; doc page: doc.md.

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "kHukouMismatchDoc.inc"
#include "persons_table.hpp"
#include "phone_links.hpp"
#include "regaudit/normal_forms.hpp"
#include "regaudit/plugin.hpp"
#include "rule_support.hpp"

namespace regaudit::rules {
namespace {

constexpr const char* kRuleId = "hukou-mismatch";

// Why an ID number is not valid, for the message (zh, en).
std::pair<std::string, std::string> invalid_reason(const nf::IdNumber& id, int last_day) {
  if (id.is_null()) return {"号码为空", "the number is empty"};
  if (id.text.size() != 18) {
    return {fmt::format("长度为 {} 位", id.text.size()),
            fmt::format("it has {} characters", id.text.size())};
  }
  for (std::size_t i = 0; i < 17; ++i) {
    if (id.text[i] < '0' || id.text[i] > '9') return {"含非数字字符", "it has non-digits"};
  }
  const int birth = std::stoi(id.text.substr(6, 8));
  const bool date_ok = is_calendar_date(birth / 10000, birth / 100 % 100, birth % 100) &&
                       birth >= 19000101 && birth <= last_day;
  if (!date_ok) return {"出生日期不合法", "the birth date is impossible"};
  return {"校验位错误", "the check character is wrong"};
}

// 24 bytes, street and source interned: at 10 M persons the table of them is
// hundreds of megabytes, looked up at random.
struct BestResidence {
  std::int64_t residence_id = 0;
  Instant valid_from = 0;
  std::uint32_t street = 0;  // Residences::streets
  std::uint32_t source = 0;  // Residences::sources
};

struct Residences {
  ById<BestResidence> best;
  Interned streets;
  Interned sources;
};

class HukouMismatch {
 public:
  static RuleInfo info() {
    RuleInfo info;
    info.id = kRuleId;
    info.version = "1.0.0";
    info.title = "Hukou mismatch (人-机-户不一致)";
    info.description =
        "Persons whose ID number is invalid, who live in another street than their hukou street, "
        "or whose registered phone is used under someone else's real name.";
    info.documentation = kHukouMismatchDoc;
    info.codes = {
        {"invalid_id_number", Severity::high, "the hukou record's ID number is NULL or not valid"},
        {"residence_elsewhere", Severity::low,
         "the latest residence in force at A lies in another street than the hukou street"},
        {"phone_holder_mismatch", Severity::medium,
         "the subscription in force at A belongs to another person and predates the link"},
    };
    info.shared_values = {kSubscriptionsKey, kHukouStreetsKey, PhoneLinks::kKey,
                          PersonsTable::kKey};
    info.tables = {"persons", "person_phones", "residences", "phone_subscriptions"};
    return info;
  }

  Status configure(const RuleOptions&) { return Status::ok(); }

  void run(RunContext& context) {
    const int last_day = context.period().last_day_yyyymmdd();
    // The persons, then this rule's own residences, then the links: a run
    // starts checkin-redundancy beside this rule (RuleInfo::tables), and it
    // builds the links meanwhile. Asked for before the residences, the links
    // kept this rule waiting for about 0.5 s of the 1 M city's run, and the
    // rules phase ended 0.1 to 0.3 s later than it does now.
    const auto persons = PersonsTable::shared(context);
    const auto residences = best_residences(context, persons->rows().size());
    const auto links = PhoneLinks::shared(context);
    // The links' findings first: the report lists person_phones before
    // persons, and findings emitted in its order need no sorting.
    check_phone_holders(context, *shared_first_hukou_street_by_id(context), *links);
    const auto& rows = persons->rows();
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (i + kPrefetchAhead < rows.size()) {
        residences.best.prefetch(persons->id(rows[i + kPrefetchAhead]));
      }
      const PersonsTable::Row& row = rows[i];
      const std::int64_t person_id = row.person_id;
      const std::string_view id_text = persons->id(row);
      const std::string& street = persons->street(row);
      // The ID as a value and the name's normal form (ICU, costly) are needed
      // only by findings.
      const auto id = [&] { return nf::IdNumber{std::string(id_text), row.id_valid}; };
      const auto name = [&] { return nf::name(persons->name(row)); };
      const auto identity = [&](const std::string& normal_name) {
        return fmt::format("{}\x1f{}\x1f{}", id_text, normal_name, street);
      };
      if (!row.id_valid) {
        const std::string n = name();
        emit_invalid_id(context, person_id, id(), n, street, identity(n), last_day);
      }
      if (id_text.empty() || street.empty()) continue;
      const BestResidence* best = residences.best.find(id_text);
      if (best == nullptr) continue;
      const std::string& best_street = residences.streets[best->street];
      if (best_street.empty()) continue;
      if (best_street != street) {
        emit_residence_elsewhere(context, person_id, id(), street, best_street,
                                 residences.sources[best->source], *best, identity(name()));
      }
    }
  }

 private:
  static Residences best_residences(RunContext& context, std::size_t persons) {
    const Instant as_of = context.period().as_of();
    const int last_day = context.period().last_day_yyyymmdd();
    Residences out;
    ById<BestResidence>& best = out.best;
    // Room for the residences' ID numbers, at most twice the persons. Grown
    // instead, the table was rehashed a dozen times: at 10 M persons (5.2 M
    // residences) filling it took 1.45 s instead of 0.31 s (random keys, this
    // machine).
    best.reserve(rows_to_reserve(context, "residences", 2 * persons));
    Statement rows = context.registry().prepare(
        "SELECT residence_id, id_number, street, source, valid_from, valid_to FROM residences");
    while (rows.step()) {
      // The ID first, and its entry asked for: the times are read while it
      // comes from memory.
      const nf::IdCode id = nf::id_code(rows.text(1));
      if (id.code) best.prefetch_code(*id.code);
      const TimeValue from = read_time(rows, 4, context, "residences", "valid_from");
      const TimeValue to = read_time(rows, 5, context, "residences", "valid_to");
      if (!from.is_readable() || to.is_unreadable()) continue;
      if (!(from.instant() < as_of && (to.is_null() || to.instant() >= as_of))) continue;
      if (id.null) continue;
      const std::int64_t residence_id = rows.int64(0);
      const auto [slot, inserted] =
          id.code ? best.try_emplace_code(*id.code)
                  : best.try_emplace(nf::id_number(rows.text(1), last_day).text);
      BestResidence& b = *slot;
      if (!inserted &&
          std::pair(b.valid_from, b.residence_id) > std::pair(from.instant(), residence_id)) {
        continue;
      }
      b = {residence_id, from.instant(), out.streets.index_of_raw(rows.text(2), nf::street_code),
           out.sources.index_of_raw(rows.text(3), nf::enumeration)};
    }
    return out;
  }

  static void emit_invalid_id(RunContext& context, std::int64_t person_id, const nf::IdNumber& id,
                              const std::string& name, const std::string& street,
                              const std::string& identity, int last_day) {
    const auto [zh, en] = invalid_reason(id, last_day);
    const std::string shown = id.is_null() ? "（空）" : context.pii().id_number(id.text);
    Finding f;
    f.code = "invalid_id_number";
    f.subject_table = "persons";
    f.subject_key = person_id;
    f.street = street;
    f.identity = identity;
    if (context.wants_message_zh()) {
      f.message_zh = fmt::format("户籍记录（{}）的身份证号码 {} 无效：{}。",
                                 context.pii().name(name), shown, zh);
    }
    if (context.wants_message_en()) {
      f.message_en = fmt::format(
          "The hukou record of {} carries the ID number {}, which is not "
          "valid: {}.",
          context.pii().name(name), id.is_null() ? "(empty)" : shown, en);
    }
    context.emit(std::move(f));
  }

  static void emit_residence_elsewhere(RunContext& context, std::int64_t person_id,
                                       const nf::IdNumber& id, const std::string& street,
                                       const std::string& residence_street,
                                       const std::string& residence_source,
                                       const BestResidence& residence,
                                       const std::string& identity) {
    const std::string shown = context.pii().id_number(id.text);
    const std::string since = format_date(residence.valid_from);
    Finding f;
    f.code = "residence_elsewhere";
    f.subject_table = "persons";
    f.subject_key = person_id;
    f.street = street;
    f.identity = identity;
    f.evidence.push_back({"residences", residence.residence_id});
    if (context.wants_message_zh()) {
      f.message_zh = fmt::format(
          "{} 户籍在街道 {}，但自 {} 起的居住记录（{}）显示其居住在街道 {}（人户分离）。", shown,
          street, since, residence_source, residence_street);
    }
    if (context.wants_message_en()) {
      f.message_en = fmt::format(
          "{} is registered in street {} but, according to the residence "
          "record ({}) valid since {}, lives in street {}.",
          shown, street, residence_source, since, residence_street);
    }
    context.emit(std::move(f));
  }

  static void check_phone_holders(RunContext& context, const StreetById& hukou_street_of,
                                  const PhoneLinks& links) {
    const Instant as_of = context.period().as_of();
    const auto shared_subscriptions = shared_subscriptions_by_number(context);
    const SubscriptionsByNumber& subscriptions = *shared_subscriptions;
    const auto& rows = links.rows();
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (i + kPrefetchAhead < rows.size()) {
        subscriptions.prefetch(links.phone(rows[i + kPrefetchAhead]));
      }
      const PhoneLinks::Row& link = rows[i];
      if (link.recorded_at >= as_of) continue;
      const std::string_view id = links.id(link);
      const std::string_view number = links.phone(link);
      if (id.empty()) continue;
      const NumberSubscriptions* subs = subscriptions.find(number);
      if (subs == nullptr || subs->in_force() == nullptr) continue;
      const SubscriptionInForce& sub = *subs->in_force();
      if (sub.owner == IdCodes::kNone || subscriptions.owners().is(sub.owner, id)) continue;
      if (sub.activated_at > link.recorded_at) continue;  // that is stale-phone's "reassigned"
      const Instant recorded_at = link.recorded_at;
      Finding f;
      f.code = "phone_holder_mismatch";
      f.subject_table = "person_phones";
      f.subject_key = link.link_id;
      if (const std::string* street = hukou_street_of.find(id)) f.street = *street;
      const std::string& source = links.source(link);
      f.identity = fmt::format("{}\x1f{}\x1f{}", id, number, source);
      f.evidence.push_back({"phone_subscriptions", sub.subscription_id});
      const PiiPolicy& pii = context.pii();
      if (context.wants_message_zh()) {
        f.message_zh = fmt::format(
            "号码 {} 自 {} 起实名登记在他人（{}）名下，但{}记录（{}）仍登记为 {} "
            "本人的号码：号码由他人使用。",
            pii.phone(number), format_date(sub.activated_at),
            pii.id_number(subscriptions.owners().text(sub.owner)),
            source.empty() ? "登记" : source + " ", format_date(recorded_at), pii.id_number(id));
      }
      if (context.wants_message_en()) {
        f.message_en = fmt::format(
            "Number {} has been subscribed under another person's name ({}) since {}, yet the "
            "{} link (recorded {}) asserts it as the number of {}: the phone is used under someone "
            "else's name.",
            pii.phone(number), pii.id_number(subscriptions.owners().text(sub.owner)),
            format_date(sub.activated_at), source.empty() ? "registry" : source,
            format_date(recorded_at), pii.id_number(id));
      }
      context.emit(std::move(f));
    }
  }
};

void register_rules(RuleRegistrar& registrar) {
  registrar.add<HukouMismatch>();
}

}  // namespace
}  // namespace regaudit::rules

REGAUDIT_PLUGIN("hukou-mismatch", "1.0.0", regaudit::rules::register_rules)
