// Runs built plugins' rules in-process over a test registry, through the same
// catalogue, profile resolution and runner as `regaudit run`.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "audit.hpp"

namespace regaudit::test {

// The build tree's plugin directory and binary.
std::filesystem::path build_plugin_dir();
std::filesystem::path regaudit_binary();
std::filesystem::path source_dir();

struct RuleRequest {
  std::string id;
  std::map<std::string, std::string> params;  // overrides of the defaults
};

// Loads the built-in plugins, runs `rules` for `period` ("2022-04") over
// `db_path` with `jobs` threads. Fails the test (and returns an empty result)
// on any setup error.
host::AuditResult audit(const std::string& db_path, const std::string& period,
                        const std::vector<RuleRequest>& rules, bool reveal_pii = false,
                        unsigned jobs = 1);

// "code:table:key" of every finding of `rule`, sorted — for exact comparisons.
std::vector<std::string> finding_keys(const host::AuditResult& result, const std::string& rule);

// The findings of `rule` with `code`.
std::vector<const Finding*> findings_of(const host::AuditResult& result, const std::string& rule,
                                        const std::string& code);

// Runs a shell command; returns its exit status and fills `output` with
// stdout and stderr.
int run_command(const std::string& command, std::string* output = nullptr);

// Validates `xml_file` against reports/audit-report.xsd with xmllint; returns
// xmllint's message on failure, empty on success.
std::string xsd_errors(const std::filesystem::path& xml_file);

}  // namespace regaudit::test
