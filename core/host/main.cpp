// regaudit: the command line.

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <thread>

#include "commands.hpp"
#include "import_commands.hpp"
#include "regaudit/version.hpp"
#include "rule_execution.hpp"
#include "synth/synth.hpp"

namespace {

void add_plugin_options(CLI::App* app, regaudit::host::PluginOptions& options) {
  app->add_option("--plugin-dir", options.plugin_dirs,
                  "Also load every plugin (*.so) and declarative rule (*.xml) in this "
                  "directory; repeatable")
      ->check(CLI::ExistingDirectory);
  app->add_flag("--allow-untrusted-plugins", options.allow_untrusted,
                "Load plugins even from world-writable files or directories, or ones owned by "
                "another user");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace regaudit::host;
  // A file-size limit makes write() fail with EFBIG instead of killing us, so
  // the report writer can clean up and say what happened.
  std::signal(SIGXFSZ, SIG_IGN);
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
  std::string run_period;
  CLI::App* run_app = app.add_subcommand("run", "Audit one month of a registry and write reports");
  run_app->add_option("--db", run.db, "The merged registry (SQLite), opened read-only")
      ->required()
      ->check(CLI::ExistingFile);
  run_app->add_option("--period", run_period,
                      "The month to audit, YYYY-MM, 1900-01 to 9999-12 (default: the month of the "
                      "latest call or check-in not dated after today)");
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
      ->add_option("--fingerprint-key", run.fingerprint_key,
                   "The secret the findings' fingerprints are hashed with, so that a masked "
                   "report does not give identities away (default: "
                   "~/.config/regaudit/fingerprint-key, made on first use; months compare "
                   "only under the same key)")
      ->check(CLI::ExistingFile);
  run_app
      ->add_option("--html-max-findings", run.html_max_findings,
                   "Findings listed per rule in report.html (default 500; report.xml has all)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
  run_app
      ->add_option("--isolate", run.isolate,
                   "Run rules in child processes: auto (default: plugins and rules from "
                   "--plugin-dir), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  run_app->add_option("--rule-timeout", run.rule_timeout_s,
                      "Seconds an isolated rule may run before it is killed (default 3600; 0: "
                      "no limit)");
  run_app->add_option("--rule-memory", run.rule_memory_mb,
                      "MiB of heap an isolated rule may use (default 0: no limit)");
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

  regaudit::synth::Options synth;
  std::string synth_period = "2022-04";
  CLI::App* synth_app = app.add_subcommand(
      "synth", "Generate a synthetic city registry with known answers (table _truth)");
  synth_app->add_option("--out", synth.out_path, "The registry file to write (must not exist)")
      ->required();
  synth_app->add_option("--persons", synth.persons, "Persons with a hukou in the city")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100'000'000}))
      ->capture_default_str();
  synth_app->add_option("--seed", synth.seed, "Random seed; the same arguments give the same file")
      ->capture_default_str();
  synth_app->add_option("--period", synth_period, "The last month with events, YYYY-MM")
      ->capture_default_str();
  synth_app
      ->add_option("--months", synth.months,
                   "Months of events ending with --period (each gets its _truth)")
      ->check(CLI::Range(1, 24))
      ->capture_default_str();

  int module_exit = -1;
  regaudit::import_cli::add_commands(app, &module_exit);

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

  // The isolated worker (rule_execution.hpp): started by `run`, not by people.
  std::filesystem::path worker_db;
  std::string worker_period;
  std::string worker_rule;
  std::vector<std::filesystem::path> worker_plugin_dirs;
  std::vector<std::string> worker_params;
  bool worker_reveal = false;
  bool worker_untrusted = false;
  std::uint64_t worker_memory_mb = 0;
  CLI::App* worker_app = app.add_subcommand("__rule-worker", "");
  worker_app->group("");
  worker_app->add_option("--db", worker_db)->required();
  worker_app->add_option("--period", worker_period)->required();
  worker_app->add_option("--rule", worker_rule)->required();
  worker_app->add_option("--plugin-dir", worker_plugin_dirs);
  worker_app->add_option("--param", worker_params);
  worker_app->add_flag("--reveal-pii", worker_reveal);
  worker_app->add_flag("--allow-untrusted-plugins", worker_untrusted);
  worker_app->add_option("--memory-mb", worker_memory_mb);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitBadInput;
  }

  if (module_exit >= 0) return module_exit;
  if (*synth_app) return synth_command(synth, synth_period);
  if (*run_app) {
    if (run.jobs == 0) run.jobs = std::max(1u, std::thread::hardware_concurrency());
    run.leave_result_to_exit = true;
    if (run_app->count("--period") > 0) run.period = run_period;
    return run_command(run);
  }
  if (*rules_app) return rules_command(list_plugins, list_profile);
  if (*explain_app) return explain_command(explain_plugins, explain_rule);
  if (*check_app) return check_db_command(check_db);
  if (*verify_app) return verify_command(verify_report, verify_db);
  if (*worker_app) {
    return rule_worker_main(worker_db, worker_period, worker_rule, worker_plugin_dirs,
                            worker_untrusted, worker_params, worker_reveal, worker_memory_mb);
  }
  if (*new_rule_app) {
    return new_rule_command(
        new_rule_id, new_rule_dir.empty() ? std::filesystem::path(new_rule_id) : new_rule_dir);
  }
  return kExitBadInput;
}
