// The normal forms of SPEC section 2: how dirty registry values are compared.
//
// Every function takes the raw text of a value (UTF-8; invalid bytes are
// replaced, never trusted) and returns its normal form. An empty normal form
// means NULL: a comparison with NULL on either side is never "the same" and
// never "different". Callers pass "" for an SQL NULL.
//
// All functions are thread-safe and allocation is the only side effect.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "regaudit/export.hpp"
#include "regaudit/time.hpp"

namespace regaudit::nf {

// NFKC of `raw`, as UTF-8. The first step of every normal form.
REGAUDIT_EXPORT std::string nfkc(std::string_view raw);

// NFKC, then leading and trailing white space removed: enumerations' base,
// street codes and team names.
REGAUDIT_EXPORT std::string trimmed(std::string_view raw);

// Street codes and team names: trimmed.
inline std::string street_code(std::string_view raw) {
  return trimmed(raw);
}
inline std::string team(std::string_view raw) {
  return trimmed(raw);
}

// Enumerations (source, category, outcome, kind, field): trimmed, ASCII
// lower-case.
REGAUDIT_EXPORT std::string enumeration(std::string_view raw);

// A resident ID number in normal form. `text` is empty for NULL. `valid` is
// SPEC section 2's validity: 18 characters, 17 ASCII digits, a real birth date
// from 1900-01-01 up to the last day of the audit period, and the right
// ISO 7064 MOD 11-2 check character. An invalid number keeps its normal form
// for matching.
struct IdNumber {
  std::string text;
  bool valid = false;
  bool is_null() const { return text.empty(); }
};

// NFKC, white space and hyphens dropped, upper-cased; a 15-digit legacy number
// is widened to 18 ("19" after the sixth digit, check character appended).
// `latest_birth_yyyymmdd` is the last day of the audit period, e.g. 20220430.
REGAUDIT_EXPORT IdNumber id_number(std::string_view raw, int latest_birth_yyyymmdd);
// The same, written into `out`: its text's storage is reused, so a loop over
// millions of rows allocates nothing per row.
REGAUDIT_EXPORT void id_number_into(std::string_view raw, int latest_birth_yyyymmdd, IdNumber& out);

// An exact 64-bit code of an 18-character normal-form ID number whose first 17
// characters are digits and whose last is a digit or X (valid or not); two
// such numbers are equal exactly when their codes are. nullopt for any other
// text. Lets indexes of ID numbers use integer keys.
REGAUDIT_EXPORT std::optional<std::uint64_t> id_as_integer(std::string_view normal_form);

// What an index keyed by ID code needs of a raw ID number, without building
// its normal-form text in the common case (ASCII input): `code` is
// id_as_integer(id_number(raw, …).text) and `null` is id_number's is_null().
// When `code` is nullopt and `null` is false, the normal form is some other
// text: call id_number for it. (The period does not matter: it decides only
// validity, which id_code_valid tells from the code.)
struct IdCode {
  std::optional<std::uint64_t> code;
  bool null = true;
};
REGAUDIT_EXPORT IdCode id_code(std::string_view raw);
// Whether the ID number with integer code `code` is valid: the same as
// id_number(raw, latest_birth_yyyymmdd).valid for every raw text of that code.
REGAUDIT_EXPORT bool id_code_valid(std::uint64_t code, int latest_birth_yyyymmdd);

// Normal-form ID numbers as 64-bit codes, for indexes of millions of rows:
// id_as_integer's code where it applies (every valid number; below 2^63),
// else a flag bit and the index of the text in this IdCodes. Two texts
// encoded by one IdCodes have equal codes exactly when they are equal; the
// empty text (NULL) is kNone. Not thread-safe while encoding.
class REGAUDIT_EXPORT IdCodes {
 public:
  static constexpr std::uint64_t kNone = ~std::uint64_t{0};
  std::uint64_t encode(std::string_view id);
  // The code of id_number(raw, …).text, without building that text when it
  // has an integer code.
  std::uint64_t encode_id_number(std::string_view raw);
  // Whether `code` is the code of `id` (without encoding it).
  bool is(std::uint64_t code, std::string_view id) const;
  // The text back; empty for kNone.
  std::string text(std::uint64_t code) const;

 private:
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  static constexpr std::uint64_t kText = std::uint64_t{1} << 63;
  std::vector<std::string> texts_;
  std::unordered_map<std::string, std::uint64_t, TextHash, std::equal_to<>> index_;
};

// The ISO 7064 MOD 11-2 check character ('0'..'9' or 'X') of the first 17
// characters of `digits17`, which must be ASCII digits.
REGAUDIT_EXPORT char id_check_character(std::string_view digits17);

// A phone number: ASCII digits only, national form (13800138000,
// 02083334444). Empty for NULL.
REGAUDIT_EXPORT std::string phone(std::string_view raw);

// A person's name: NFKC, white space dropped, Traditional -> Simplified, every
// middle dot as U+00B7.
REGAUDIT_EXPORT std::string name(std::string_view raw);

// A train, flight or coach number: NFKC, white space and hyphens dropped,
// upper-cased (g 12-34 -> G1234).
REGAUDIT_EXPORT std::string vehicle_no(std::string_view raw);

// A place (origin): NFKC, white space dropped, Traditional -> Simplified, one
// trailing 市 dropped (廣州市 -> 广州).
REGAUDIT_EXPORT std::string place(std::string_view raw);

// A count (vaccine_doses): trimmed, then one or more ASCII digits read as a
// decimal integer (02 -> 2). NULL when the trimmed text is empty. Any number
// of digits is readable (SPEC section 2); a number above 2^63 - 1 is held as
// 2^63 - 1 and marked beyond_range: it equals no dose count, and a rule that
// computes with a count (a cost) treats it as unreadable instead.
struct Count {
  enum class State { null, unreadable, readable };
  State state = State::null;
  std::int64_t value = 0;
  bool beyond_range = false;
};
REGAUDIT_EXPORT Count count(std::string_view raw);

// A time in one of SPEC section 2's forms, as local civil time.
REGAUDIT_EXPORT TimeValue time(std::string_view raw);

}  // namespace regaudit::nf
