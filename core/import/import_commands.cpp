#include "import_commands.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>

#include "importer.hpp"
#include "regaudit/schema.hpp"

namespace regaudit::import_cli {
namespace {

// fwrite never throws (fmt::print did, to a closed or full standard error).
void to_stderr(const std::string& text) {
  (void)std::fwrite(text.data(), 1, text.size(), stderr);
}

constexpr int kExitOk = 0;
constexpr int kExitBadInput = 2;

struct ImportOptions {
  std::string db;
  std::string table;
  std::string encoding = "auto";
  std::vector<std::string> maps;
  std::string mapping_file;
  std::string delimiter;
  std::vector<std::string> allow_missing;
  std::vector<std::string> files;
};

std::vector<std::string> table_names() {
  std::vector<std::string> names;
  for (const TableSpec& t : registry_schema()) names.push_back(t.name);
  return names;
}

std::string describe_rejects(const import::FileReport& report) {
  std::string out;
  for (std::size_t k = 0; k < import::kRejectKinds; ++k) {
    if (report.rejected_by_kind[k] == 0) continue;
    out += out.empty() ? " (" : ", ";
    out += fmt::format("{} {}", report.rejected_by_kind[k],
                       import::reject_kind_label(static_cast<import::RejectKind>(k)));
  }
  return out.empty() ? out : out + ")";
}

int run_import(const ImportOptions& options) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  import::ImportRequest request;
  request.db = options.db;
  request.table = options.table;
  request.encoding = options.encoding;
  request.delimiter = options.delimiter;
  for (const std::string& f : options.files) request.files.emplace_back(f);

  const TableSpec* table = find_table_spec(options.table);
  auto fail = [](const std::string& message) {
    to_stderr("regaudit import: " + message + "\n");
    return kExitBadInput;
  };
  if (table == nullptr) return fail(fmt::format("--table {}: not a registry table", options.table));
  if (!options.mapping_file.empty()) {
    if (Status s = import::load_mapping_file(options.mapping_file, *table, &request.rules); !s) {
      return fail(s.message());
    }
  }
  std::vector<import::ExplicitMapping> given;  // by --map
  for (const std::string& m : options.maps) {
    import::ExplicitMapping mapping;
    if (Status s = import::parse_map_option(m, *table, &mapping); !s) return fail(s.message());
    if (const import::ExplicitMapping* earlier = import::conflicting_mapping(given, mapping)) {
      return fail(fmt::format("--map '{}': header '{}' is already mapped to {} by an earlier --map",
                              m, mapping.source, earlier->target));
    }
    given.push_back(mapping);
    // The command line wins over the mapping file: it goes first.
    request.rules.columns.insert(request.rules.columns.begin(), mapping);
  }
  for (const std::string& c : options.allow_missing) {
    request.rules.allow_missing.push_back(import::normalize_header(c));
  }

  const import::ImportOutcome outcome =
      import::import_files(request, [](const std::string& note) { fmt::print("{}\n", note); });
  std::size_t read = 0;
  std::size_t loaded = 0;
  std::size_t rejected = 0;
  for (const import::FileReport& r : outcome.files) {
    if (!r.committed) continue;
    fmt::print("{}: read {}, loaded {}, rejected {}{}{}\n", r.file, r.read, r.loaded, r.rejected,
               describe_rejects(r),
               r.blank_lines > 0 ? fmt::format("; {} blank lines skipped", r.blank_lines) : "");
    read += r.read;
    loaded += r.loaded;
    rejected += r.rejected;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!outcome.status) {
    fail(outcome.status.message());
    if (!outcome.files.empty() && outcome.files.size() > 1) {
      to_stderr(fmt::format("regaudit import: the {} file(s) before it were committed and stay\n",
                            outcome.files.size() - 1));
    }
    return kExitBadInput;
  }
  fmt::print(
      "total: read {}, loaded {}, rejected {} into {} table {} in {:.2f} s ({:.0f} rows/s)"
      "{}\n",
      read, loaded, rejected, options.db, options.table, seconds,
      seconds > 0 ? static_cast<double>(read) / seconds : 0.0,
      rejected > 0 ? "; rejected rows are in table _rejects" : "");
  return kExitOk;
}

int run_export_template(const std::string& table, const std::string& out) {
  if (out.empty() || out == "-") {
    const TableSpec* spec = find_table_spec(table);
    if (spec == nullptr) {
      to_stderr("regaudit export-template: --table " + table + ": not a registry table\n");
      return kExitBadInput;
    }
    std::string line;
    for (const ColumnSpec& c : spec->columns) line += (line.empty() ? "" : ",") + c.name;
    line += '\n';
    // A full or closed standard output is an error, not a silent success.
    if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size() ||
        std::fflush(stdout) != 0) {
      to_stderr(std::string("regaudit export-template: cannot write to standard output: ") +
                std::strerror(errno) + "\n");
      return kExitBadInput;
    }
    return kExitOk;
  }
  if (Status s = import::export_template(table, out); !s) {
    to_stderr("regaudit export-template: " + s.message() + "\n");
    return kExitBadInput;
  }
  return kExitOk;
}

}  // namespace

void add_commands(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<ImportOptions>();
  CLI::App* import_app = app.add_subcommand(
      "import", "Load CSV/TSV extracts (UTF-8 or GB18030) into a registry table");
  import_app->footer(
      "Every row lands in the table or in _rejects(source_file, line, target_table, reason, raw);\n"
      "read = loaded + rejected. One transaction per file: a file that fails leaves the registry\n"
      "as it was before it. Headers are matched by name (trimmed, case-insensitive), by --map,\n"
      "by the mapping file, or as common Chinese headers (身份证号, 手机号, 来电时间, ...).\n"
      "An empty unquoted field is stored as NULL, \"\" as an empty text. See docs/import.md.\n"
      "Example: regaudit import --db city.db --table inquiries --encoding auto calls.csv");
  import_app->add_option("--db", options->db, "The registry (SQLite); created when absent")
      ->required();
  import_app->add_option("--table", options->table, "The registry table to append to")
      ->required()
      ->check(CLI::IsMember(table_names()));
  import_app
      ->add_option("--encoding", options->encoding,
                   "auto (default: valid UTF-8 is UTF-8, else GB18030), utf-8 or gb18030 (also "
                   "reads GBK)")
      ->check(CLI::IsMember({"auto", "utf-8", "utf8", "gb18030", "gbk"}));
  import_app->add_option("--map", options->maps,
                         "SRC=DEST: the header SRC holds column DEST; repeatable");
  import_app
      ->add_option("--mapping", options->mapping_file,
                   "A mapping file (XML) for a recurring export; --map wins over it")
      ->check(CLI::ExistingFile);
  import_app->add_option("--delimiter", options->delimiter,
                         "Field separator: one character, or \\t for tabs (default: tab for "
                         "*.tsv, else comma)");
  import_app->add_option("--allow-missing", options->allow_missing,
                         "Accept an extract without this required column (stored NULL); "
                         "repeatable; never the primary key");
  import_app->add_option("CSV", options->files, "The extracts, loaded in order")
      ->required()
      ->check(CLI::ExistingFile);
  import_app->callback([options, exit_code] { *exit_code = run_import(*options); });

  auto table = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  CLI::App* template_app = app.add_subcommand(
      "export-template", "Write an empty CSV (header line only, UTF-8) for a registry table");
  template_app->add_option("--table", *table, "The registry table")
      ->required()
      ->check(CLI::IsMember(table_names()));
  template_app->add_option("--out", *out, "The file to write (default: standard output)");
  template_app->callback(
      [table, out, exit_code] { *exit_code = run_export_template(*table, *out); });
}

}  // namespace regaudit::import_cli
