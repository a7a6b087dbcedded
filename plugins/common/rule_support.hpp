// Helpers shared by the built-in rules: reading times with unreadable
// counting, and the carrier subscriptions of SPEC section 4 ("Phones").
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "int_map.hpp"
#include "pod_vector.hpp"
#include "regaudit/normal_forms.hpp"
#include "regaudit/rule.hpp"

namespace regaudit::rules {

// Reads column `column` of the current row as a time, counting it as
// unreadable under (table, column_name) when it is.
TimeValue read_time(const Statement& row, int column, RunContext& context, std::string_view table,
                    std::string_view column_name);

// Hash maps keyed by text that can be searched with a string_view.
struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <class V>
using TextMap = std::unordered_map<std::string, V, TextHash, std::equal_to<>>;

using nf::IdCodes;

// Distinct texts numbered in the order they first come (street codes,
// sources): a table of millions of rows keeps a 32-bit number per row.
class Interned {
 public:
  std::uint32_t index(std::string_view text) {
    if (const auto it = index_.find(text); it != index_.end()) return it->second;
    const auto i = static_cast<std::uint32_t>(texts_.size());
    index_.emplace(std::string(text), i);
    texts_.emplace_back(text);
    return i;
  }
  // The index of normal_form(raw), remembered by the raw text: for a column
  // of few distinct values (streets, sources, teams) the normal form is
  // computed once per distinct raw text instead of once per row.
  template <class NormalForm>
  std::uint32_t index_of_raw(std::string_view raw, const NormalForm& normal_form) {
    if (const auto it = by_raw_.find(raw); it != by_raw_.end()) return it->second;
    const std::uint32_t i = index(normal_form(raw));
    by_raw_.emplace(std::string(raw), i);
    return i;
  }
  const std::string& operator[](std::uint32_t i) const { return texts_[i]; }

 private:
  std::vector<std::string> texts_;
  TextMap<std::uint32_t> index_;
  TextMap<std::uint32_t> by_raw_;
};

// Texts of many rows in one buffer (persons, phone links): a row keeps where
// its text starts and how long it is, in fields it packs as it likes.
class TextArena {
 public:
  // Appends `text`; returns where it starts.
  std::uint64_t append(std::string_view text) {
    const std::uint64_t at = texts_.size();
    texts_.append(text.data(), text.size());
    return at;
  }
  std::string_view view(std::uint64_t at, std::uint32_t size) const {
    return {texts_.data() + at, size};
  }
  void shrink_to_fit() { texts_.shrink_to_fit(); }

 private:
  PodVector<char> texts_;
};

// The subscription in force at A of one number.
struct SubscriptionInForce {
  std::int64_t subscription_id = 0;
  std::uint64_t owner = IdCodes::kNone;  // SubscriptionsByNumber::owners(); kNone: nobody known
  Instant activated_at = 0;
};

// A counted subscription, for evidence.
struct CountedSubscription {
  std::int64_t subscription_id = 0;
  Instant activated_at = 0;
  // nullopt: still active.
  std::optional<Instant> deactivated_at() const {
    if (deactivated_ == kStillActive) return std::nullopt;
    return deactivated_;
  }
  void set_deactivated_at(std::optional<Instant> t) { deactivated_ = t ? *t : kStillActive; }

 private:
  // No readable time is this far off (SPEC section 2 writes years in four
  // digits), so it marks "still active" without an optional's flag.
  static constexpr Instant kStillActive = std::numeric_limits<Instant>::max();
  Instant deactivated_ = kStillActive;
};

// What the rules need of one number that has at least one counted
// subscription (a number without any has no entry). Millions of numbers sit in
// one flat table: an absent value is marked by a time no readable value has,
// instead of by std::optional's flag, which made a slot 72 bytes, not 56.
struct NumberSubscriptions {
  // The subscription in force at A, or nullptr.
  const SubscriptionInForce* in_force() const {
    return in_force_.activated_at == kNoneInForce ? nullptr : &in_force_;
  }
  void set_in_force(const SubscriptionInForce& s) { in_force_ = s; }
  // The counted subscription activated last (ties: highest subscription_id),
  // whether in force at A or not.
  CountedSubscription last_counted;

 private:
  static constexpr Instant kNoneInForce = std::numeric_limits<Instant>::min();
  SubscriptionInForce in_force_{0, IdCodes::kNone, kNoneInForce};
};
static_assert(sizeof(NumberSubscriptions) == 48, "a slot of SubscriptionsByNumber is 56 bytes");

// NumberSubscriptions by normal-form phone number. Numbers of up to 17
// digits (all real ones) are keyed by an integer in a flat table (IntMap):
// hashing and comparing strings, then chasing a node per number, was a
// visible share of the rules' time.
class SubscriptionsByNumber {
 public:
  // The entry of `number`, default-constructed when absent, and whether it
  // was. The pointer is valid until the next insertion.
  std::pair<NumberSubscriptions*, bool> try_emplace(const std::string& number);
  // The entry of `number`, or nullptr.
  const NumberSubscriptions* find(std::string_view number) const;
  // Starts loading the entry of `number` (IntMap::prefetch).
  void prefetch(std::string_view number) const {
    if (const auto k = as_integer(number)) prefetch_integer(*k);
  }
  // The same for the number whose integer key (as_integer) is `key`.
  void prefetch_integer(std::uint64_t key) const { by_integer_.prefetch(key); }
  // The integer key of a number of up to 17 digits (the length keeps leading
  // zeros apart); nullopt for any other text.
  static std::optional<std::uint64_t> as_integer(std::string_view number);
  // The owners' ID numbers of the subscriptions in force.
  IdCodes& owners() { return owners_; }
  const IdCodes& owners() const { return owners_; }
  // Room for `n` numbers without growing.
  void reserve(std::size_t n) { by_integer_.reserve(n); }

 private:
  IdCodes owners_;
  IntMap<NumberSubscriptions> by_integer_;
  TextMap<NumberSubscriptions> by_text_;
};

// Values by normal-form phone number, keyed as in SubscriptionsByNumber: an
// integer in a flat table for the numbers of up to 17 digits, else the text.
// A std::unordered_map of the texts, looked up for each of millions of links,
// missed the cache twice a look-up (bucket, then node) once it outgrew it.
template <class V>
class ByNumber {
 public:
  // The value of `number`, default-constructed when absent.
  V& operator[](std::string_view number) {
    if (const auto k = SubscriptionsByNumber::as_integer(number)) return by_integer_[*k];
    if (const auto it = by_text_.find(number); it != by_text_.end()) return it->second;
    return by_text_.emplace(std::string(number), V{}).first->second;
  }
  // The value of `number`, or nullptr.
  const V* find(std::string_view number) const {
    if (const auto k = SubscriptionsByNumber::as_integer(number)) return by_integer_.find(*k);
    const auto it = by_text_.find(number);
    return it == by_text_.end() ? nullptr : &it->second;
  }
  // Starts loading the value of `number` (IntMap::prefetch).
  void prefetch(std::string_view number) const {
    if (const auto k = SubscriptionsByNumber::as_integer(number)) prefetch_integer(*k);
  }
  // The same for the number whose integer key is `key`.
  void prefetch_integer(std::uint64_t key) const { by_integer_.prefetch(key); }
  // Room for `n` numbers of integer keys without growing.
  void reserve(std::size_t n) { by_integer_.reserve(n); }
  // Calls `f(value)` for every value, in no particular order.
  template <class F>
  void for_each_value(F f) {
    by_integer_.for_each_value(f);
    for (auto& [number, value] : by_text_) f(value);
  }

 private:
  IntMap<V> by_integer_;
  TextMap<V> by_text_;
};

// How many rows of `table` to make room for without a pass over it: its
// largest rowid (a registry's rowids are dense), at most `most` should they
// not be; 0 for an empty table or one without rowids (RegistryView::largest_rowid).
std::size_t rows_to_reserve(RunContext& context, std::string_view table, std::size_t most);

// Every number's counted subscriptions, reduced to what the rules need.
// A counted subscription has a readable activated_at and a deactivated_at that
// is NULL or readable (one that is unreadable leaves the row out). Among those
// in force at A (activated < A, deactivated NULL or >= A) the one activated
// last wins, ties to the highest subscription_id.
SubscriptionsByNumber subscriptions_by_number(RunContext& context);
// The run's one SubscriptionsByNumber (RunContext::shared), under this key.
inline constexpr const char* kSubscriptionsKey = "builtin/subscriptions-by-number";
std::shared_ptr<const SubscriptionsByNumber> shared_subscriptions_by_number(RunContext& context);

// Values by normal-form ID number: keyed by nf::id_as_integer where it applies,
// else by the text, so that the common case hashes and compares integers.
template <class V>
class ById {
 public:
  // The value of `id`, default-constructed when absent, and whether it was.
  std::pair<V*, bool> try_emplace(const std::string& id) {
    if (const auto k = nf::id_as_integer(id)) return by_integer_.try_emplace(*k);
    const auto [it, inserted] = by_text_.try_emplace(id);
    return {&it->second, inserted};
  }
  // The same for an ID number whose normal form has the integer code `code`
  // (nf::id_code).
  std::pair<V*, bool> try_emplace_code(std::uint64_t code) { return by_integer_.try_emplace(code); }
  // Starts loading the entry of `id` (IntMap::prefetch).
  void prefetch(std::string_view id) const {
    if (const auto k = nf::id_as_integer(id)) by_integer_.prefetch(*k);
  }
  // The same for the ID number of code `code`.
  void prefetch_code(std::uint64_t code) const { by_integer_.prefetch(code); }
  // Room for `n` ID numbers of integer codes without growing.
  void reserve(std::size_t n) { by_integer_.reserve(n); }
  // The value of `id`, or nullptr.
  const V* find(std::string_view id) const {
    if (const auto k = nf::id_as_integer(id)) return by_integer_.find(*k);
    const auto it = by_text_.find(id);
    return it == by_text_.end() ? nullptr : &it->second;
  }

 private:
  IntMap<V> by_integer_;
  TextMap<V> by_text_;
};

// A set of normal-form ID numbers: integer codes (nf::id_as_integer) where
// they apply, else texts. Look-ups of millions of rows against it hash and
// compare integers.
//
// Most look-ups miss (the doses of a city against the persons of a month's
// check-ins), so a bitmap of 16 bits per code, one set by each code, answers
// most of them: at 10 M persons the set's table is megabytes, read at random
// from the shared cache or memory, where the bitmap stays in the core's own.
class IdSet {
 public:
  void insert(std::string_view id) {
    if (const auto k = nf::id_as_integer(id)) {
      if (integers_.insert(*k)) add_to_filter(*k);
    } else {
      texts_.emplace(id);
    }
  }
  bool contains(std::string_view id) const {
    if (const auto k = nf::id_as_integer(id)) return contains_code(*k);
    return texts_.find(id) != texts_.end();
  }
  // Whether the ID number whose normal form has the integer code `code`
  // (nf::id_code) is in the set.
  bool contains_code(std::uint64_t code) const {
    return may_contain(code) && integers_.contains(code);
  }

 private:
  // Whether `code` may be in the set: false only when it is not.
  bool may_contain(std::uint64_t code) const {
    if (filter_.empty()) return false;
    const std::uint64_t bit = filter_bit(code);
    return ((filter_[bit / 64] >> (bit % 64)) & 1) != 0;
  }
  // The bit of `code` in the (non-empty) filter.
  std::uint64_t filter_bit(std::uint64_t code) const { return mixed_key(code) >> filter_shift_; }
  // `code` is in the set already.
  void add_to_filter(std::uint64_t code) {
    if (integers_.size() * 16 > filter_.size() * 64) {
      // Twice the room, refilled from every code.
      const std::size_t words = std::max<std::size_t>(16, filter_.size() * 2);
      filter_.assign(words, 0);
      filter_shift_ = 64 - std::countr_zero(words * 64);
      integers_.for_each([this](std::uint64_t c) { set_bit(c); });
    } else {
      set_bit(code);
    }
  }
  void set_bit(std::uint64_t code) {
    const std::uint64_t bit = filter_bit(code);
    filter_[bit / 64] |= std::uint64_t{1} << (bit % 64);
  }

  IntSet integers_;
  std::vector<std::uint64_t> filter_;  // a power of two words long
  int filter_shift_ = 64;
  std::unordered_set<std::string, TextHash, std::equal_to<>> texts_;
};

// The first street recorded for each normal-form ID number (the hukou street
// of its lowest person_id, say). ID numbers of 17 digits and a digit or X are
// kept as integers and streets interned: a million persons cost tens of
// megabytes instead of over a hundred.
class StreetById {
 public:
  // Records `street` for `id` unless `id` has one already.
  void try_emplace(std::string_view id, const std::string& street);
  // The street of `id`, or nullptr.
  const std::string* find(std::string_view id) const;
  // Starts loading the entry of `id` (IntMap::prefetch).
  void prefetch(std::string_view id) const {
    if (const auto k = nf::id_as_integer(id)) by_integer_.prefetch(*k);
  }
  void reserve(std::size_t n) { by_integer_.reserve(n); }

 private:
  Interned streets_;
  IntMap<std::uint32_t> by_integer_;
  TextMap<std::uint32_t> by_text_;
};

// The hukou_street of the first persons row (lowest person_id) of each
// normal-form ID number, and the run's one copy of it (RunContext::shared).
StreetById first_hukou_street_by_id(RunContext& context);
inline constexpr const char* kHukouStreetsKey = "builtin/first-hukou-street-by-id";
std::shared_ptr<const StreetById> shared_first_hukou_street_by_id(RunContext& context);

// Reads column `column` of the current row as a count (SPEC section 2's
// count normal form: trimmed ASCII digits), counting it as unreadable under
// (table, column_name) when it is. Used for counts and non-negative
// quantities (durations, team sizes); a negative number is unreadable, and
// so is one beyond 2^63 - 1 (Count::beyond_range): a cost is computed from it.
nf::Count read_count(const Statement& row, int column, RunContext& context, std::string_view table,
                     std::string_view column_name);

// "2022-04-03 09:30" for messages.
std::string minute_text(Instant t);

}  // namespace regaudit::rules
