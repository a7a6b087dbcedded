// How the synthetic registries write values: mostly clean, sometimes in one of
// the dirty forms merged registries really hold (SPEC section 2). Every
// function draws from the caller's Rng, so the output is deterministic.
#pragma once

#include <string>
#include <string_view>

#include "regaudit/time.hpp"
#include "rng.hpp"

namespace regaudit::synth::dirt {

// ASCII digits as full-width digits (０..９); everything else unchanged.
std::string full_width_digits(std::string_view text);

// "2022-04-03 09:30:15": the clean form, for boundary cases that must keep
// their exact instant.
std::string exact_time(Instant t);
// `t` in one of SPEC section 2's forms (some drop the seconds or the clock),
// rarely with padding or full-width digits, and with probability
// `unreadable_rate` something no form reads (2022-04-31, 24:00, 2022.04.03).
std::string time(Rng& rng, Instant t, double unreadable_rate = 0.002);
// A date (midnight), mostly YYYY-MM-DD.
std::string date(Rng& rng, Instant t);

// An 18-character ID number as registries write it: lower-case x, spaces,
// hyphens, full-width digits, or the 15-digit legacy form for births 19xx.
std::string id_number(Rng& rng, const std::string& id18);
// `id18` with one digit mistyped (the check character then mostly fails).
std::string mistyped_id_number(Rng& rng, const std::string& id18);

// A phone number (11-digit mobile or 0-led landline) with +86 / 0086 / 86
// prefixes, dashes, spaces or full-width digits.
std::string phone(Rng& rng, const std::string& number);

// A name with Traditional characters, inner spaces or another middle dot.
std::string name(Rng& rng, const std::string& name);

// An enumeration value, sometimes upper-cased, capitalised or padded.
std::string enumeration(Rng& rng, std::string_view value);

// A street or community code, sometimes padded with spaces.
std::string code(Rng& rng, const std::string& code);

// A vehicle number (G1234), sometimes lower-cased, hyphenated or spaced.
std::string vehicle_no(Rng& rng, const std::string& vehicle);

// A place name (长沙市), sometimes Traditional or without 市.
std::string place(Rng& rng, const std::string& place);

}  // namespace regaudit::synth::dirt
