// Faults in plugins: a rule that crashes, aborts, loops or allocates without
// bound is reported failed with the reason, in both reports, and every other
// rule's findings are still written (exit 3). Plugins that cannot load, and
// plugins nobody should trust, are refused with the reason.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "support/audit_harness.hpp"
#include "support/temp_registry.hpp"

namespace regaudit::test {
namespace {

std::string plugin_dir(const std::string& name) {
  return std::string(REGAUDIT_TEST_PLUGIN_ROOT) + "/" + name;
}

std::string regaudit(const std::string& args) {
  return "'" + regaudit_binary().string() + "' " + args;
}

void fill_small_city(const TempRegistry& db) {
  db.exec(R"(
    INSERT INTO persons (person_id, id_number, name, hukou_street) VALUES
      (1, '11010519491231002Y', '李四', '440104002');
    INSERT INTO inquiries (inquiry_id, phone, street, called_at, duration_s, outcome) VALUES
      (1, '13800138000', '440104001', '2022-04-03 09:30', 60, 'confirmed_local');
  )");
}

struct Outcome {
  int exit_code;
  std::string log;
  std::string xml;
  std::string html;
};

Outcome run_with_plugin(const TempRegistry& db, const std::string& plugin,
                        const std::string& extra = "") {
  const auto out = db.dir() / ("out-" + plugin);
  Outcome o;
  o.exit_code =
      run_command(regaudit("run --db '" + db.path() + "' --period 2022-04 --out '" + out.string() +
                           "' --plugin-dir '" + plugin_dir(plugin) + "' " + extra),
                  &o.log);
  if (std::filesystem::exists(out / "report.xml")) {
    o.xml = read_file(out / "report.xml");
    o.html = read_file(out / "report.html");
    EXPECT_EQ(xsd_errors(out / "report.xml"), "");
  }
  return o;
}

void expect_failed_with(const Outcome& o, const std::string& rule, std::string reason) {
#ifdef REGAUDIT_SANITIZED
  // Under ASan/UBSan the sanitizer catches a wild store or an allocation
  // failure first and ends the worker with its own exit code.
  if (reason.starts_with("signal 11") || reason == "memory") {
    if (o.log.find("the isolated worker exited with code") != std::string::npos) {
      reason = "the isolated worker exited with code";
    }
  }
#endif
  EXPECT_EQ(o.exit_code, 3) << o.log;
  EXPECT_NE(o.log.find("rule " + rule + " failed: "), std::string::npos) << o.log;
  EXPECT_NE(o.log.find(reason), std::string::npos) << o.log;
  EXPECT_NE(o.xml.find("id=\"" + rule + "\" version=\"0.1\" status=\"failed\""), std::string::npos);
  EXPECT_NE(o.xml.find(reason), std::string::npos);
  EXPECT_NE(o.html.find(reason), std::string::npos);
  // The built-in rules still ran and reported.
  EXPECT_NE(o.xml.find("id=\"hukou-mismatch\" version=\"1.0.0\" status=\"ok\""), std::string::npos);
  EXPECT_NE(o.xml.find("code=\"invalid_id_number\""), std::string::npos);
}

TEST(Isolation, SegfaultingRuleIsReportedWithItsSignal) {
  TempRegistry db;
  fill_small_city(db);
  expect_failed_with(run_with_plugin(db, "segfault"), "test-segfault", "signal 11");
}

TEST(Isolation, AbortingRuleIsReportedWithItsSignal) {
  TempRegistry db;
  fill_small_city(db);
  expect_failed_with(run_with_plugin(db, "abort"), "test-abort", "signal 6");
}

TEST(Isolation, EndlessLoopIsKilledAtTheRuleTimeout) {
  TempRegistry db;
  fill_small_city(db);
  const auto started = std::chrono::steady_clock::now();
  expect_failed_with(run_with_plugin(db, "endless_loop", "--rule-timeout 2"), "test-endless-loop",
                     "timeout: ran past --rule-timeout of 2 s");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
}

TEST(Isolation, RunawayAllocationIsStoppedByTheMemoryLimit) {
  TempRegistry db;
  fill_small_city(db);
  const Outcome o =
      run_with_plugin(db, "runaway_allocation", "--rule-memory 256 --rule-timeout 60");
  expect_failed_with(o, "test-runaway-allocation", "memory");
}

TEST(Isolation, ThrowingRuleFailsAlsoWhenIsolated) {
  TempRegistry db;
  fill_small_city(db);
  const Outcome o = run_with_plugin(db, "throwing_rule", "--isolate always");
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_NE(o.log.find("deliberate failure in test-throws"), std::string::npos) << o.log;
}

TEST(Isolation, IsolatedBuiltinsGiveTheSameFindingsAsInProcess) {
  TempRegistry db;
  fill_small_city(db);
  db.exec(R"(
    INSERT INTO person_phones VALUES (1, '11010519491231002X', '13800138000', 'hukou', '2021-07-01');
    INSERT INTO phone_subscriptions VALUES (1, '13800138000', '440104199001011234', NULL, NULL, '2021-06-03', NULL);
    INSERT INTO inquiries (inquiry_id, phone, street, called_at, duration_s, outcome) VALUES
      (2, '13800138000', '440104001', '2022-04-04 09:30', 60, 'no_answer');
  )");
  const auto run = [&](const std::string& mode) {
    const auto out = db.dir() / mode;
    EXPECT_EQ(run_command("SOURCE_DATE_EPOCH=1 " +
                          regaudit("run -q --db '" + db.path() + "' --period 2022-04 --out '" +
                                   out.string() + "' --isolate " + mode)),
              0);
    return read_file(out / "report.xml");
  };
  const std::string in_process = run("never");
  EXPECT_NE(in_process.find("after_conclusive_call"), std::string::npos);
  EXPECT_EQ(run("always"), in_process);
}

TEST(Plugins, LibraryWithAMissingDependencyIsRefusedWithTheLoaderMessage) {
  std::string out;
  EXPECT_EQ(run_command(
                regaudit("rules --plugin-dir '" + plugin_dir("needs_missing_library") + "'"), &out),
            2);
  EXPECT_NE(out.find("needs_missing_library.so refused: it cannot be loaded"), std::string::npos)
      << out;
}

class Trust : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = tmp.path() / "plugins";
    std::filesystem::create_directories(dir);
    std::filesystem::copy_file(plugin_dir("throwing_rule") + "/throwing_rule.so",
                               dir / "throwing_rule.so");
    ::chmod(dir.c_str(), 0755);
    ::chmod((dir / "throwing_rule.so").c_str(), 0755);
  }
  std::string rules(const std::string& extra = "") {
    std::string out;
    last_exit = run_command(regaudit("rules --plugin-dir '" + dir.string() + "' " + extra), &out);
    return out;
  }
  TempDir tmp;
  std::filesystem::path dir;
  int last_exit = 0;
};

TEST_F(Trust, OwnPluginInPrivateDirectoryLoads) {
  const std::string out = rules();
  EXPECT_EQ(last_exit, 0) << out;
  EXPECT_NE(out.find("test-throws"), std::string::npos);
}

TEST_F(Trust, WorldWritablePluginFileIsRefusedUnlessAllowed) {
  ::chmod((dir / "throwing_rule.so").c_str(), 0757);
  std::string out = rules();
  EXPECT_EQ(last_exit, 2);
  EXPECT_NE(out.find("is world-writable"), std::string::npos) << out;
  out = rules("--allow-untrusted-plugins");
  EXPECT_EQ(last_exit, 0) << out;
  EXPECT_NE(out.find("test-throws"), std::string::npos);
}

TEST_F(Trust, WorldWritableDirectoryIsRefused) {
  ::chmod(dir.c_str(), 0777);
  const std::string out = rules();
  EXPECT_EQ(last_exit, 2);
  EXPECT_NE(out.find("plugin directory refused"), std::string::npos) << out;
  EXPECT_NE(out.find("world-writable"), std::string::npos) << out;
}

TEST_F(Trust, PluginOwnedByAnotherUserIsRefused) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to give the file away";
  ASSERT_EQ(::chown((dir / "throwing_rule.so").c_str(), 65534, 65534), 0);
  const std::string out = rules();
  EXPECT_EQ(last_exit, 2);
  EXPECT_NE(out.find("is owned by user 65534"), std::string::npos) << out;
}

}  // namespace
}  // namespace regaudit::test
