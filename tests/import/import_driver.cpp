// `regaudit import` and `regaudit export-template` alone, for tests that need
// a process of their own.
#include <CLI/CLI.hpp>

#include "import_commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"regaudit import driver (tests)"};
  app.require_subcommand(1);
  int exit_code = 2;
  regaudit::import_cli::add_commands(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return exit_code;
}
