// regaudit: the command line.

#include <CLI/CLI.hpp>
#include <cstdio>
#include <thread>

#include "commands.hpp"
#include "regaudit/version.hpp"

namespace {

void add_plugin_options(CLI::App* app, regaudit::host::PluginOptions& options) {
  app->add_option("--plugin-dir", options.plugin_dirs,
                  "Also load every plugin (*.so) in this directory; repeatable")
      ->check(CLI::ExistingDirectory);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace regaudit::host;
  CLI::App app{
      "regaudit — data-quality audits of merged city registries.\n"
      "Finds hukou mismatches, stale phone links, duplicate inquiries and formalist\n"
      "check-ins, with their cost in staff time, and writes XML and HTML reports."};
  app.set_version_flag("--version", std::string("regaudit ") + regaudit::kVersion);
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 done; 1 findings at or above --fail-on; 2 bad usage or bad input\n"
      "(nothing written); 3 report written but at least one rule failed.\n"
      "Run 'regaudit COMMAND --help' for a command's options.");

  RunCommand run;
  CLI::App* run_app = app.add_subcommand("run", "Audit one month of a registry and write reports");
  run_app->add_option("--db", run.db, "The merged registry (SQLite), opened read-only")
      ->required()
      ->check(CLI::ExistingFile);
  run_app->add_option("--period", run.period,
                      "The month to audit, YYYY-MM (default: the month of the latest call or "
                      "check-in)");
  run_app
      ->add_option("--out", run.out_dir,
                   "Directory for report.xml and report.html (created if missing)")
      ->required();
  run_app
      ->add_option("--profile", run.profile,
                   "Audit profile (default: the installed rules/monthly.xml)")
      ->check(CLI::ExistingFile);
  add_plugin_options(run_app, run.plugins);
  run_app->add_option("--jobs,-j", run.jobs, "Rules run in parallel (default: one per core)")
      ->check(CLI::Range(1u, 256u));
  run_app->add_option("--fail-on", run.fail_on, "Exit 1 when a finding has this severity or higher")
      ->check(CLI::IsMember({"info", "low", "medium", "high", "critical"}));
  run_app->add_flag("--reveal-pii", run.reveal_pii,
                    "Show ID numbers, phones and names unmasked (the report is marked "
                    "confidential)");
  run_app->add_option("--lang", run.lang, "Report language: zh-CN (default) or en")
      ->check(CLI::IsMember({"zh-CN", "en"}));
  run_app
      ->add_option("--baseline", run.baseline,
                   "Last month's report.xml: mark findings new or unchanged, list resolved ones")
      ->check(CLI::ExistingFile);
  run_app
      ->add_option("--history", run.history,
                   "Earlier reports (report.xml) for the HTML trend chart; repeatable")
      ->check(CLI::ExistingFile);
  run_app
      ->add_option("--html-max-findings", run.html_max_findings,
                   "Findings listed per rule in report.html (default 500; report.xml has all)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
  run_app->add_flag("--quiet,-q", run.quiet, "Print nothing but errors");

  PluginOptions list_plugins;
  std::filesystem::path list_profile;
  CLI::App* rules_app =
      app.add_subcommand("rules", "List every loaded rule and where it came from");
  add_plugin_options(rules_app, list_plugins);
  rules_app
      ->add_option("--profile", list_profile, "Also print this profile's effective configuration")
      ->check(CLI::ExistingFile);

  PluginOptions explain_plugins;
  std::string explain_rule;
  CLI::App* explain_app =
      app.add_subcommand("explain", "Print a rule's documentation, codes and parameters");
  explain_app->add_option("RULE", explain_rule, "The rule id, e.g. hukou-mismatch")->required();
  add_plugin_options(explain_app, explain_plugins);

  std::filesystem::path check_db;
  CLI::App* check_app =
      app.add_subcommand("check-db", "Check a registry against the schema (SPEC section 1)");
  check_app->add_option("--db", check_db, "The registry (SQLite)")
      ->required()
      ->check(CLI::ExistingFile);

  std::string new_rule_id;
  std::filesystem::path new_rule_dir;
  CLI::App* new_rule_app = app.add_subcommand(
      "new-rule", "Write a compilable out-of-tree plugin project for a new rule");
  new_rule_app->add_option("ID", new_rule_id, "The rule id, e.g. persons-without-name")->required();
  new_rule_app->add_option("--dir", new_rule_dir, "Where to write it (default: ./ID)");

  std::filesystem::path verify_report;
  std::filesystem::path verify_db;
  CLI::App* verify_app = app.add_subcommand(
      "verify", "Check that a report was made from a registry (input hash and row counts)");
  verify_app->add_option("REPORT", verify_report, "The report.xml to check")
      ->required()
      ->check(CLI::ExistingFile);
  verify_app->add_option("--db", verify_db, "The registry (SQLite)")
      ->required()
      ->check(CLI::ExistingFile);
  verify_app->footer("Exit 0: made from this registry; 1: not; 2: unreadable input.");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitBadInput;
  }

  if (*run_app) {
    if (run.jobs == 0) run.jobs = std::max(1u, std::thread::hardware_concurrency());
    return run_command(run);
  }
  if (*rules_app) return rules_command(list_plugins, list_profile);
  if (*explain_app) return explain_command(explain_plugins, explain_rule);
  if (*check_app) return check_db_command(check_db);
  if (*verify_app) return verify_command(verify_report, verify_db);
  if (*new_rule_app) {
    return new_rule_command(
        new_rule_id, new_rule_dir.empty() ? std::filesystem::path(new_rule_id) : new_rule_dir);
  }
  return kExitBadInput;
}
