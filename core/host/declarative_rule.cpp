#include "declarative_rule.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <pugixml.hpp>
#include <set>

#include "regaudit/normal_forms.hpp"
#include "regaudit/pii.hpp"

namespace regaudit::host {
namespace {

// Pure functions a declarative rule may call: SQLite's own scalar, aggregate,
// date and window functions that touch no file and no state, and regaudit's
// normal forms (ra_*).
const std::set<std::string, std::less<>>& permitted_functions() {
  static const std::set<std::string, std::less<>> names = {
      "abs",          "avg",          "char",       "coalesce",    "count",         "cume_dist",
      "date",         "datetime",     "dense_rank", "first_value", "format",        "glob",
      "group_concat", "hex",          "ifnull",     "iif",         "instr",         "julianday",
      "lag",          "last_value",   "lead",       "length",      "like",          "likely",
      "lower",        "ltrim",        "max",        "min",         "nth_value",     "ntile",
      "nullif",       "percent_rank", "printf",     "quote",       "rank",          "replace",
      "round",        "row_number",   "rtrim",      "sign",        "strftime",      "string_agg",
      "substr",       "substring",    "sum",        "time",        "total",         "trim",
      "typeof",       "unicode",      "unixepoch",  "unlikely",    "upper",         "ra_time",
      "ra_id",        "ra_id_valid",  "ra_phone",   "ra_name",     "ra_street",     "ra_enum",
      "ra_place",     "ra_vehicle",   "ra_count",   "ra_mask_id",  "ra_mask_phone", "ra_mask_name"};
  return names;
}

const std::set<std::string, std::less<>>& read_only_pragmas() {
  static const std::set<std::string, std::less<>> names = {
      "table_info", "table_xinfo", "table_list", "index_list", "index_info", "foreign_key_list"};
  return names;
}

struct AuthorizerState {
  std::string refusal;  // the first thing refused
};

const char* action_name(int action) {
  switch (action) {
    case SQLITE_ATTACH:
      return "ATTACH";
    case SQLITE_DETACH:
      return "DETACH";
    case SQLITE_INSERT:
      return "INSERT";
    case SQLITE_UPDATE:
      return "UPDATE";
    case SQLITE_DELETE:
      return "DELETE";
    case SQLITE_PRAGMA:
      return "PRAGMA";
    case SQLITE_TRANSACTION:
      return "a transaction";
    case SQLITE_SAVEPOINT:
      return "SAVEPOINT";
    case SQLITE_ALTER_TABLE:
      return "ALTER TABLE";
    case SQLITE_ANALYZE:
      return "ANALYZE";
    case SQLITE_REINDEX:
      return "REINDEX";
    case SQLITE_FUNCTION:
      return "a function";
    default:
      return "creating or dropping schema objects";
  }
}

int authorize(void* user, int action, const char* arg1, const char* arg2, const char*,
              const char*) {
  auto* state = static_cast<AuthorizerState*>(user);
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_RECURSIVE:
      return SQLITE_OK;
    case SQLITE_FUNCTION:
      if (arg2 != nullptr && permitted_functions().contains(std::string_view(arg2))) {
        return SQLITE_OK;
      }
      if (state->refusal.empty()) {
        state->refusal = fmt::format("the function {}() is not permitted in a declarative rule",
                                     arg2 != nullptr ? arg2 : "?");
      }
      return SQLITE_DENY;
    case SQLITE_PRAGMA:
      if (arg1 != nullptr && arg2 == nullptr &&
          read_only_pragmas().contains(std::string_view(arg1))) {
        return SQLITE_OK;
      }
      if (state->refusal.empty()) {
        state->refusal = fmt::format("PRAGMA {}{} is not permitted in a declarative rule",
                                     arg1 != nullptr ? arg1 : "?",
                                     arg2 != nullptr ? std::string(" = ") + arg2 : "");
      }
      return SQLITE_DENY;
    default:
      if (state->refusal.empty()) {
        state->refusal = fmt::format("{} is not permitted in a declarative rule: it may only read",
                                     action_name(action));
      }
      return SQLITE_DENY;
  }
}

std::string_view arg_text(sqlite3_value* v) {
  const auto* p = sqlite3_value_text(v);
  if (p == nullptr) return {};
  return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_value_bytes(v))};
}

void result_text_or_null(sqlite3_context* ctx, const std::string& s) {
  if (s.empty()) {
    sqlite3_result_null(ctx);
  } else {
    sqlite3_result_text(ctx, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
}

struct FunctionContext {
  const AuditPeriod* period;
  const PiiPolicy* pii;
};

template <std::string (*Normal)(std::string_view)>
void normal_form_function(sqlite3_context* ctx, int, sqlite3_value** argv) {
  try {
    result_text_or_null(ctx, Normal(arg_text(argv[0])));
  } catch (const std::exception& e) {
    sqlite3_result_error(ctx, e.what(), -1);
  }
}

std::string time_text(std::string_view raw) {
  const TimeValue t = nf::time(raw);
  if (!t.is_readable()) return "";
  std::string s = format_instant(t.instant());
  s[10] = ' ';
  return s;
}

// The count in decimal, exact however many digits it has (nf::Count holds
// a larger one as 2^63 - 1): the trimmed digits without leading zeros.
std::string count_text(std::string_view raw) {
  const nf::Count c = nf::count(raw);
  if (c.state != nf::Count::State::readable) return "";
  if (c.value < std::numeric_limits<std::int64_t>::max()) return std::to_string(c.value);
  const std::string digits = nf::trimmed(raw);
  return digits.substr(digits.find_first_not_of('0'));
}

void id_function(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const auto* fc = static_cast<const FunctionContext*>(sqlite3_user_data(ctx));
  result_text_or_null(ctx, nf::id_number(arg_text(argv[0]), fc->period->last_day_yyyymmdd()).text);
}

void id_valid_function(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const auto* fc = static_cast<const FunctionContext*>(sqlite3_user_data(ctx));
  sqlite3_result_int(
      ctx, nf::id_number(arg_text(argv[0]), fc->period->last_day_yyyymmdd()).valid ? 1 : 0);
}

template <int Kind>
void mask_function(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const auto* fc = static_cast<const FunctionContext*>(sqlite3_user_data(ctx));
  const std::string_view v = arg_text(argv[0]);
  const std::string out = Kind == 0   ? fc->pii->id_number(v)
                          : Kind == 1 ? fc->pii->phone(v)
                                      : fc->pii->name(v);
  result_text_or_null(ctx, out);
}

void register_functions(sqlite3* db, FunctionContext* fc) {
  const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
  struct Fn {
    const char* name;
    void (*fn)(sqlite3_context*, int, sqlite3_value**);
  };
  const std::array<Fn, 13> functions = {{
      {"ra_time", &normal_form_function<time_text>},
      {"ra_phone", &normal_form_function<nf::phone>},
      {"ra_name", &normal_form_function<nf::name>},
      {"ra_street", &normal_form_function<nf::street_code>},
      {"ra_enum", &normal_form_function<nf::enumeration>},
      {"ra_place", &normal_form_function<nf::place>},
      {"ra_vehicle", &normal_form_function<nf::vehicle_no>},
      {"ra_count", &normal_form_function<count_text>},
      {"ra_id", &id_function},
      {"ra_id_valid", &id_valid_function},
      {"ra_mask_id", &mask_function<0>},
      {"ra_mask_phone", &mask_function<1>},
      {"ra_mask_name", &mask_function<2>},
  }};
  for (const Fn& f : functions) {
    sqlite3_create_function_v2(db, f.name, 1, flags, fc, f.fn, nullptr, nullptr, nullptr);
  }
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// `t` as the registry writes times, "YYYY-MM-DD HH:mm:SS", which SQL
// compares as text. The end of 9999-12, in year 10000, would have five digits
// and sort before every other year: it is written as the 24:00 of its last
// day, which sorts after every time of that day and before nothing else.
std::string time_param(Instant t) {
  static const Instant kYear10000 = days_from_civil(10000, 1, 1) * kSecondsPerDay;
  if (t >= kYear10000) return "9999-12-31 24:00:00";
  std::string s = format_instant(t);
  s[10] = ' ';
  return s;
}

class DeclarativeRule final : public RuleInstance {
 public:
  explicit DeclarativeRule(std::shared_ptr<const DeclarativeDefinition> definition)
      : def_(std::move(definition)) {}

  Status configure(const RuleOptions& options) noexcept override {
    options_ = options;
    return Status::ok();
  }

  Status run(RunContext& context) noexcept override {
    try {
      return run_query(context);
    } catch (const std::exception& e) {
      return Status::error(e.what());
    }
  }

 private:
  Status run_query(RunContext& context) {
    sqlite3* db = nullptr;
    const std::string uri = "file:" + context.registry().path() + "?mode=ro";
    if (sqlite3_open_v2(uri.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr) !=
        SQLITE_OK) {
      const std::string message = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
      sqlite3_close(db);
      return Status::error("cannot open the registry: " + message);
    }
    const std::unique_ptr<sqlite3, int (*)(sqlite3*)> guard(db, &sqlite3_close);
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
    sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
    sqlite3_exec(db, "PRAGMA query_only = 1", nullptr, nullptr, nullptr);
    FunctionContext functions{&context.period(), &context.pii()};
    register_functions(db, &functions);
    AuthorizerState authorizer;
    sqlite3_set_authorizer(db, &authorize, &authorizer);

    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v2(db, def_->sql.c_str(), static_cast<int>(def_->sql.size()),
                                      &raw, nullptr);
    const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, &sqlite3_finalize);
    if (!authorizer.refusal.empty()) return Status::error("refused: " + authorizer.refusal);
    if (rc != SQLITE_OK)
      return Status::error(fmt::format("the SQL is wrong: {}", sqlite3_errmsg(db)));
    if (stmt == nullptr) return Status::error("the SQL is empty");
    if (sqlite3_stmt_readonly(stmt.get()) == 0) return Status::error("refused: the SQL writes");
    if (const Status s = bind_parameters(stmt.get(), context.period()); !s) return s;
    return emit_rows(stmt.get(), db, context);
  }

  Status bind_parameters(sqlite3_stmt* stmt, const AuditPeriod& period) const {
    const int n = sqlite3_bind_parameter_count(stmt);
    for (int i = 1; i <= n; ++i) {
      const char* raw_name = sqlite3_bind_parameter_name(stmt, i);
      if (raw_name == nullptr) {
        return Status::error("the SQL uses an unnamed parameter (?); name it, e.g. :window_days");
      }
      const std::string name = std::string(raw_name).substr(1);
      if (name == "period_start") {
        bind_text(stmt, i, time_param(period.start()));
      } else if (name == "period_end" || name == "as_of") {
        bind_text(stmt, i, time_param(period.end()));
      } else if (name == "period") {
        bind_text(stmt, i, period.label());
      } else {
        const auto spec = std::find_if(def_->info.params.begin(), def_->info.params.end(),
                                       [&](const ParamSpec& p) { return p.name == name; });
        if (spec == def_->info.params.end()) {
          return Status::error(fmt::format(
              "the SQL names :{}, which is neither a declared <param> nor one of :period, "
              ":period_start, :period_end, :as_of",
              name));
        }
        switch (spec->type) {
          case ParamType::integer:
            sqlite3_bind_int64(stmt, i, options_.get_integer(name));
            break;
          case ParamType::real:
            sqlite3_bind_double(stmt, i, options_.get_real(name));
            break;
          case ParamType::boolean:
            sqlite3_bind_int(stmt, i, options_.get_boolean(name) ? 1 : 0);
            break;
          case ParamType::text:
            bind_text(stmt, i, options_.get_text(name));
            break;
        }
      }
    }
    return Status::ok();
  }

  static void bind_text(sqlite3_stmt* stmt, int index, const std::string& text) {
    sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }

  Status emit_rows(sqlite3_stmt* stmt, sqlite3* db, RunContext& context) const {
    std::map<std::string, int> columns;
    for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
      columns[lower(sqlite3_column_name(stmt, c))] = c;
    }
    const auto column = [&](std::initializer_list<const char*> names) {
      for (const char* n : names) {
        if (const auto it = columns.find(n); it != columns.end()) return it->second;
      }
      return -1;
    };
    const int key = column({"subject_key", "key"});
    if (key < 0) return Status::error("the SQL must return a column named subject_key");
    const int code = column({"code"});
    if (code < 0 && def_->info.codes.size() != 1) {
      return Status::error("the rule declares several codes, so the SQL must return a code column");
    }
    const int street = column({"street"});
    const int cost = column({"cost_minutes"});
    const int message = column({"message"});
    const int message_zh = column({"message_zh"});
    const int message_en = column({"message_en"});
    const int evidence = column({"evidence"});
    const int identity = column({"identity"});
    const bool mask = !context.pii().reveal();
    const auto text = [&](int c) {
      if (c < 0) return std::string();
      const auto* p = sqlite3_column_text(stmt, c);
      return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p));
    };
    const auto safe = [&](std::string s) { return mask ? mask_identities_in_text(s) : s; };
    for (int rc = sqlite3_step(stmt); rc != SQLITE_DONE; rc = sqlite3_step(stmt)) {
      if (rc != SQLITE_ROW)
        return Status::error(fmt::format("the SQL failed: {}", sqlite3_errmsg(db)));
      Finding f;
      f.code = code >= 0 ? text(code) : def_->info.codes.front().code;
      f.subject_table = def_->subject_table;
      f.subject_key = sqlite3_column_int64(stmt, key);
      f.street = nf::street_code(text(street));
      f.cost_minutes = cost >= 0 ? sqlite3_column_double(stmt, cost) : 0.0;
      const std::string common = safe(text(message));
      f.message_zh = message_zh >= 0 ? safe(text(message_zh)) : common;
      f.message_en = message_en >= 0 ? safe(text(message_en)) : common;
      f.identity =
          identity >= 0 ? text(identity) : fmt::format("{}:{}", def_->subject_table, f.subject_key);
      for (const std::string& ref : split_evidence(text(evidence))) {
        const auto colon = ref.rfind(':');
        if (colon == std::string::npos) continue;
        try {
          f.evidence.push_back({ref.substr(0, colon), std::stoll(ref.substr(colon + 1))});
        } catch (const std::exception&) {
          return Status::error(fmt::format("evidence '{}' is not table:key", ref));
        }
      }
      context.emit(std::move(f));
    }
    return Status::ok();
  }

  static std::vector<std::string> split_evidence(const std::string& s) {
    std::vector<std::string> out;
    std::string current;
    for (const char c : s) {
      if (c == ';' || c == ',') {
        if (!current.empty()) out.push_back(current);
        current.clear();
      } else if (c != ' ') {
        current.push_back(c);
      }
    }
    if (!current.empty()) out.push_back(current);
    return out;
  }

  std::shared_ptr<const DeclarativeDefinition> def_;
  RuleOptions options_;
};

std::string element_text(const pugi::xml_node& node, const char* child) {
  return node.child(child).text().as_string();
}

}  // namespace

bool is_declarative_rule_file(const std::filesystem::path& file) {
  pugi::xml_document doc;
  return doc.load_file(file.c_str()) && std::string_view(doc.document_element().name()) == "rule";
}

std::optional<DeclarativeDefinition> read_declarative_rule(const std::filesystem::path& file,
                                                           std::string& error) {
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_file(file.c_str());
  const auto fail = [&](std::string message) {
    error = fmt::format("{}: {}", file.string(), message);
    return std::nullopt;
  };
  if (!parsed) return fail(fmt::format("{} at byte {}", parsed.description(), parsed.offset));
  const pugi::xml_node root = doc.document_element();
  if (std::string_view(root.name()) != "rule") return fail("the root element must be <rule>");
  DeclarativeDefinition def;
  def.file = file;
  def.info.id = root.attribute("id").as_string();
  def.info.version = root.attribute("version").as_string();
  def.subject_table = root.attribute("subject-table").as_string();
  def.info.title = element_text(root, "title");
  def.info.description = element_text(root, "description");
  def.info.documentation = element_text(root, "documentation");
  def.sql = element_text(root, "sql");
  if (def.info.id.empty()) return fail("<rule> needs an id attribute");
  if (def.info.version.empty()) return fail("<rule> needs a version attribute");
  if (def.subject_table.empty()) return fail("<rule> needs a subject-table attribute");
  if (def.sql.find_first_not_of(" \t\r\n") == std::string::npos) return fail("<sql> is empty");
  if (def.info.title.empty()) def.info.title = def.info.id;
  for (const pugi::xml_node c : root.children("code")) {
    CodeSpec code;
    code.code = c.attribute("name").as_string();
    const auto severity = parse_severity(c.attribute("severity").as_string("medium"));
    if (code.code.empty()) return fail("<code> needs a name");
    if (!severity) {
      return fail(fmt::format("code '{}': severity must be info, low, medium, high or critical",
                              code.code));
    }
    code.default_severity = *severity;
    code.summary = c.text().as_string();
    def.info.codes.push_back(code);
  }
  if (def.info.codes.empty()) return fail("the rule declares no <code>");
  for (const pugi::xml_node p : root.children("param")) {
    ParamSpec param;
    param.name = p.attribute("name").as_string();
    const std::string type = p.attribute("type").as_string("text");
    const std::array types = {ParamType::integer, ParamType::real, ParamType::boolean,
                              ParamType::text};
    const auto t = std::find_if(types.begin(), types.end(),
                                [&](ParamType pt) { return to_string(pt) == type; });
    if (param.name.empty()) return fail("<param> needs a name");
    if (t == types.end()) {
      return fail(
          fmt::format("param '{}': type must be integer, real, boolean or text", param.name));
    }
    param.type = *t;
    param.default_value = p.attribute("default").as_string();
    param.description = p.text().as_string();
    if (const Status s = check_param_value(param.type, param.default_value); !s) {
      return fail(fmt::format("param '{}': default {}", param.name, s.message()));
    }
    def.info.params.push_back(param);
  }
  return def;
}

std::unique_ptr<RuleInstance> make_declarative_rule(
    std::shared_ptr<const DeclarativeDefinition> definition) {
  return std::make_unique<DeclarativeRule>(std::move(definition));
}

std::string mask_identities_in_text(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
      out.push_back(text[i++]);
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && (std::isdigit(static_cast<unsigned char>(text[j])) ||
                               text[j] == 'X' || text[j] == 'x')) {
      ++j;
    }
    const std::string_view run = text.substr(i, j - i);
    if (run.size() == 15 || run.size() == 18) {
      out += mask_id_number(run);
    } else if ((run.size() == 11 && run.front() == '1') ||
               (run.size() >= 10 && run.size() <= 12 && run.front() == '0')) {
      out += mask_phone(run);  // a mobile, or a landline with its area code
    } else {
      out.append(run);
    }
    i = j;
  }
  return out;
}

}  // namespace regaudit::host
