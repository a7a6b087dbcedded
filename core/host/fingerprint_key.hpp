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

namespace regaudit::host {

// The default key file; empty when neither XDG_CONFIG_HOME nor a home
// directory is known.
std::filesystem::path default_fingerprint_key_file();

// The key of `file`: the SHA-256 of its bytes in 64 hex digits (one block of
// the hash, ahead of every fingerprint's basis). With an
// empty `file` the default file, created when absent (mode 0600, in a
// directory of mode 0700; a run that creates it at the same time as another
// reads the other's). nullopt with `error` naming the file and what is wrong:
// missing, unreadable, or shorter than 16 bytes.
std::optional<std::string> load_fingerprint_key(const std::filesystem::path& file,
                                                std::string& error);

}  // namespace regaudit::host
