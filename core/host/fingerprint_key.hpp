// The secret that keys the findings' fingerprints.
//
// A fingerprint hashes rule, code and the subject's natural identity (its
// normal-form ID number, phone, time …) so that two months' reports compare
// finding by finding. Hashed alone, an identity of so few possibilities (an
// ID number's region, birth date and check digit; a phone whose message shows
// all but four digits) is found again from a masked report in seconds by
// trying them all. Hashed after a secret that only the auditors hold, it is
// not: the report keeps its masking.
//
// The secret is a file: the one given with --fingerprint-key, or else
// $XDG_CONFIG_HOME/regaudit/fingerprint-key (~/.config/... without
// XDG_CONFIG_HOME), made with 32 random bytes the first time. Reports made
// with the same file compare; an office that audits on several machines
// copies the file to each.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace regaudit::host {

// The default key file; empty when neither XDG_CONFIG_HOME nor a home
// directory is known.
std::filesystem::path default_fingerprint_key_file();

// What a report says of its key (<run fingerprint-key>): 16 hex digits of a
// hash of the key under a label of its own, which tells keys apart without
// helping to find the key or to hash identities with it.
std::string fingerprint_key_id(std::string_view key);

// The key of `file`: the SHA-256 of its bytes in 64 hex digits (one block of
// the hash, ahead of every fingerprint's basis). With an
// empty `file` the default file, created when absent (mode 0600, in a
// directory of mode 0700; a run that creates it at the same time as another
// reads the other's). nullopt with `error` naming the file and what is wrong:
// missing, unreadable, shorter than 16 bytes or longer than 1 MiB. `made`,
// when given, is the default file when this call created it, else empty.
std::optional<std::string> load_fingerprint_key(const std::filesystem::path& file,
                                                std::string& error,
                                                std::filesystem::path* made = nullptr);

}  // namespace regaudit::host
