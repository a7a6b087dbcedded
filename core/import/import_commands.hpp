// The `import` and `export-template` subcommands of the regaudit command line.
#pragma once

namespace CLI {
class App;
}

namespace regaudit::import_cli {

// Adds the `import` and `export-template` subcommands to `app`. When one of them is
// parsed and run, *exit_code receives its exit code (0 ok, 2 bad usage/input).
// `exit_code` must outlive `app`.
void add_commands(CLI::App& app, int* exit_code);

}  // namespace regaudit::import_cli
