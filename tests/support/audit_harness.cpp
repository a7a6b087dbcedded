#include "support/audit_harness.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>

#include "plugin_catalog.hpp"
#include "profile.hpp"

namespace regaudit::test {

std::filesystem::path build_plugin_dir() {
  return host::install_plugin_dir();
}
std::filesystem::path regaudit_binary() {
  return std::filesystem::path(REGAUDIT_TEST_BINARY_DIR) / "bin" / "regaudit";
}
std::filesystem::path source_dir() {
  return REGAUDIT_TEST_SOURCE_DIR;
}

host::AuditResult audit(const std::string& db_path, const std::string& period,
                        const std::vector<RuleRequest>& rules, bool reveal_pii, unsigned jobs) {
  // Catalogues keep their libraries loaded for the process, so one suffices.
  static host::PluginCatalog* catalog = [] {
    auto* c = new host::PluginCatalog();
    (void)c->load_builtin();
    return c;
  }();
  host::Profile profile;
  profile.file = "test-profile.xml";
  profile.name = "test";
  for (const RuleRequest& r : rules) {
    host::ProfileRule pr;
    pr.id = r.id;
    pr.params = r.params;
    profile.rules.push_back(pr);
  }
  std::string error;
  const auto configured = host::resolve_profile(profile, *catalog, error);
  EXPECT_TRUE(configured.has_value()) << error;
  if (!configured) return {};
  const auto p = AuditPeriod::parse(period);
  EXPECT_TRUE(p.has_value()) << period;
  host::AuditOptions options;
  options.db_path = db_path;
  options.period = *p;
  options.jobs = jobs;
  options.reveal_pii = reveal_pii;
  host::AuditResult result = host::run_audit(options, profile, *configured);
  for (const host::RuleOutcome& o : result.rules) {
    EXPECT_EQ(o.status, host::RuleOutcome::Status::ok) << o.id << ": " << o.reason;
  }
  return result;
}

std::vector<std::string> finding_keys(const host::AuditResult& result, const std::string& rule) {
  std::vector<std::string> keys;
  for (const host::ReportedFinding& rf : result.findings) {
    const Finding& f = rf.finding;
    if (f.rule_id != rule) continue;
    keys.push_back(f.code + ":" + f.subject_table + ":" + std::to_string(f.subject_key));
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::vector<const Finding*> findings_of(const host::AuditResult& result, const std::string& rule,
                                        const std::string& code) {
  std::vector<const Finding*> out;
  for (const host::ReportedFinding& rf : result.findings) {
    if (rf.finding.rule_id == rule && rf.finding.code == code) out.push_back(&rf.finding);
  }
  return out;
}

int run_command(const std::string& command, std::string* output) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  std::array<char, 4096> buffer{};
  std::string text;
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) text += buffer.data();
  const int status = pclose(pipe);
  if (output != nullptr) *output = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string xsd_errors(const std::filesystem::path& xml_file) {
  const auto xsd = source_dir() / "reports" / "audit-report.xsd";
  std::string output;
  const int rc = run_command(
      "xmllint --noout --schema '" + xsd.string() + "' '" + xml_file.string() + "'", &output);
  return rc == 0 ? std::string() : output;
}

}  // namespace regaudit::test
