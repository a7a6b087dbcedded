#include "column_mapping.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <pugixml.hpp>

namespace regaudit::import {
namespace {

// Built-in headers of common Chinese exports, by registry column. A column
// name means the same thing in every table that has it, so one list serves all.
const std::map<std::string_view, std::vector<std::string_view>>& alias_table() {
  static const std::map<std::string_view, std::vector<std::string_view>> aliases = {
      // keys and codes
      {"street_code", {"街道代码", "街道编码", "街道编号", "所属街道代码", "所属街道编码"}},
      {"community_code", {"社区代码", "社区编码", "社区编号", "村居代码"}},
      {"district_code", {"区县代码", "区县编码", "区代码", "所属区县代码"}},
      {"person_id", {"人员编号", "人员id", "户籍人员编号"}},
      {"residence_id", {"居住记录编号", "居住信息编号"}},
      {"link_id", {"关联编号", "关联记录编号"}},
      {"subscription_id", {"开户记录编号", "用户编号", "入网记录编号"}},
      {"assignment_id", {"名单条目编号", "下发编号", "任务编号"}},
      {"inquiry_id", {"核查编号", "通话编号", "来电编号", "外呼编号"}},
      {"report_id", {"报备编号"}},
      {"travel_id", {"行程编号", "出行编号"}},
      {"vaccination_id", {"接种编号", "接种记录编号"}},
      {"checkin_id", {"打卡编号", "签到编号", "走访编号"}},
      // people
      {"id_number", {"身份证号", "身份证号码", "身份证", "证件号码", "证件号", "公民身份号码"}},
      {"owner_id_number", {"机主身份证号", "机主身份证号码", "机主证件号码", "登记身份证号"}},
      {"name", {"姓名", "名称", "街道名称", "社区名称"}},
      {"owner_name", {"机主姓名", "登记姓名"}},
      {"sex", {"性别"}},
      {"birth_date", {"出生日期"}},
      {"phone", {"手机号", "手机号码", "联系电话", "电话号码", "电话", "联系方式"}},
      {"carrier", {"运营商"}},
      // places
      {"hukou_street", {"户籍街道", "户籍所在街道"}},
      {"hukou_community", {"户籍社区", "户籍所在社区"}},
      {"hukou_address", {"户籍地址", "户籍详细地址"}},
      {"street", {"街道", "所在街道", "居住街道", "所属街道"}},
      {"community", {"社区", "所在社区", "居住社区", "所属社区"}},
      {"address", {"地址", "居住地址", "详细地址", "现住址"}},
      {"assigned_street", {"下发街道", "责任街道", "属地街道"}},
      {"origin", {"出发地", "始发地", "来源地"}},
      // sources and agencies
      {"source", {"来源", "数据来源", "信息来源"}},
      {"source_agency", {"来源单位", "下发单位"}},
      {"agency", {"单位", "核查单位", "所属单位", "执行单位"}},
      {"caller", {"核查人", "拨打人", "话务员", "外呼人员"}},
      {"list_id", {"名单编号", "批次号", "名单批次"}},
      {"category", {"类别", "名单类别", "名单类型"}},
      {"outcome", {"核查结果", "通话结果", "结果"}},
      {"mode", {"交通方式", "出行方式"}},
      {"vehicle_no", {"车次", "航班号", "车次航班", "车次/航班", "车牌号", "交通工具编号"}},
      {"kind", {"类型", "打卡类型", "走访类型"}},
      {"team", {"队伍", "小组", "工作组", "工作队"}},
      {"team_size", {"人数", "队伍人数", "工作组人数"}},
      {"photo", {"照片", "是否拍照", "是否上传照片"}},
      {"dose", {"剂次", "接种剂次", "第几剂"}},
      {"field", {"字段", "采集项", "信息项"}},
      {"value", {"值", "采集值", "内容", "采集内容"}},
      // times
      {"updated_at", {"更新时间", "最后更新时间"}},
      {"valid_from", {"起始时间", "开始时间", "有效期起", "生效时间", "入住时间"}},
      {"valid_to", {"截止时间", "结束时间", "有效期止", "失效时间", "迁出时间"}},
      {"recorded_at", {"登记时间", "记录时间", "采集时间"}},
      {"activated_at", {"开户时间", "入网时间", "激活时间"}},
      {"deactivated_at", {"销户时间", "注销时间", "停机时间", "离网时间"}},
      {"issued_at", {"下发时间"}},
      {"called_at", {"来电时间", "通话时间", "拨打时间", "外呼时间", "核查时间"}},
      {"duration_s", {"通话时长", "通话时长(秒)", "时长(秒)"}},
      {"reported_at", {"报备时间", "上报时间"}},
      {"arrived_at", {"抵达时间", "到达时间", "来返时间"}},
      {"departed_at", {"出发时间"}},
      {"vaccinated_at", {"接种时间", "接种日期"}},
      {"checked_in_at", {"打卡时间", "签到时间", "走访时间"}},
      {"duration_min", {"时长(分钟)", "耗时(分钟)", "用时(分钟)"}},
  };
  return aliases;
}

const std::map<std::string_view, std::vector<std::string_view>>& required_table() {
  static const std::map<std::string_view, std::vector<std::string_view>> required = {
      {"streets", {"street_code"}},
      {"communities", {"community_code", "street_code"}},
      {"persons", {"person_id", "id_number"}},
      {"residences", {"residence_id", "id_number", "street", "valid_from", "valid_to"}},
      {"person_phones", {"link_id", "id_number", "phone", "recorded_at"}},
      {"phone_subscriptions",
       {"subscription_id", "phone", "owner_id_number", "activated_at", "deactivated_at"}},
      {"assignments", {"assignment_id"}},
      {"inquiries", {"inquiry_id", "phone", "id_number", "called_at", "outcome"}},
      {"self_reports", {"report_id", "id_number", "phone", "reported_at"}},
      {"travel_records", {"travel_id", "id_number", "recorded_at"}},
      {"vaccinations", {"vaccination_id", "id_number", "vaccinated_at"}},
      {"checkins", {"checkin_id", "id_number", "phone", "checked_in_at"}},
      {"checkin_fields", {"checkin_id", "field", "value"}},
  };
  return required;
}

bool is_space_prefix(std::string_view s, std::size_t* length) {
  if (!s.empty() && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '\n')) {
    *length = 1;
    return true;
  }
  if (s.starts_with("\xE3\x80\x80") || s.starts_with("\xEF\xBB\xBF")) {  // U+3000, U+FEFF
    *length = 3;
    return true;
  }
  return false;
}

bool is_space_suffix(std::string_view s, std::size_t* length) {
  if (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    *length = 1;
    return true;
  }
  if (s.ends_with("\xE3\x80\x80")) {
    *length = 3;
    return true;
  }
  return false;
}

std::optional<std::size_t> column_index(const TableSpec& table, std::string_view name) {
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    if (table.columns[i].name == name) return i;
  }
  return std::nullopt;
}

// An attribute of `node` that is not one of `known`, named with where it is:
// a typo such as tabel= or delimeter= would otherwise pass silently.
Status refuse_unknown_attributes(const std::filesystem::path& path, const pugi::xml_node& node,
                                 std::initializer_list<std::string_view> known) {
  for (const pugi::xml_attribute a : node.attributes()) {
    if (std::find(known.begin(), known.end(), std::string_view(a.name())) != known.end()) continue;
    std::string list;
    for (const std::string_view k : known)
      list += fmt::format("{}{}=", list.empty() ? "" : ", ", k);
    return Status::error(
        fmt::format("{}: <{}> at byte {} has an unknown attribute {}= (expected {})", path.string(),
                    node.name(), node.offset_debug(), a.name(), list));
  }
  return Status::ok();
}

std::string column_list(const TableSpec& table) {
  std::string list;
  for (const ColumnSpec& c : table.columns) {
    if (!list.empty()) list += ", ";
    list += c.name;
  }
  return list;
}

}  // namespace

std::string normalize_header(std::string_view header) {
  std::size_t n = 0;
  while (is_space_prefix(header, &n)) header.remove_prefix(n);
  while (is_space_suffix(header, &n)) header.remove_suffix(n);
  std::string out;
  out.reserve(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header.substr(i).starts_with("\xEF\xBC\x88")) {  // （
      out += '(';
      i += 2;
    } else if (header.substr(i).starts_with("\xEF\xBC\x89")) {  // ）
      out += ')';
      i += 2;
    } else {
      const char c = header[i];
      out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
  }
  return out;
}

const std::vector<std::string>& builtin_headers(std::string_view column) {
  static const std::map<std::string_view, std::vector<std::string>> normalised = [] {
    std::map<std::string_view, std::vector<std::string>> out;
    for (const auto& [col, names] : alias_table()) {
      for (std::string_view n : names) out[col].push_back(normalize_header(n));
    }
    return out;
  }();
  static const std::vector<std::string> none;
  const auto it = normalised.find(column);
  return it == normalised.end() ? none : it->second;
}

std::vector<std::string> required_columns(const TableSpec& table) {
  std::vector<std::string> out;
  const auto it = required_table().find(table.name);
  if (it != required_table().end()) {
    for (std::string_view c : it->second) out.emplace_back(c);
  } else if (table.has_primary_key && !table.columns.empty()) {
    out.push_back(table.columns.front().name);
  }
  return out;
}

const ExplicitMapping* conflicting_mapping(const std::vector<ExplicitMapping>& earlier,
                                           const ExplicitMapping& mapping) {
  const std::string source = normalize_header(mapping.source);
  for (const ExplicitMapping& e : earlier) {
    if (e.target != mapping.target && normalize_header(e.source) == source) return &e;
  }
  return nullptr;
}

Status parse_map_option(std::string_view option, const TableSpec& table, ExplicitMapping* out) {
  const std::size_t eq = option.rfind('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == option.size()) {
    return Status::error(
        fmt::format("--map '{}': expected SRC=DEST, e.g. --map 来电号码=phone", option));
  }
  const std::string target = normalize_header(option.substr(eq + 1));
  if (!column_index(table, target)) {
    return Status::error(fmt::format("--map '{}': table {} has no column '{}' (columns: {})",
                                     option, table.name, target, column_list(table)));
  }
  *out = ExplicitMapping{std::string(option.substr(0, eq)), target};
  return Status::ok();
}

Status load_mapping_file(const std::filesystem::path& path, const TableSpec& table,
                         MappingRules* rules) {
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_file(path.c_str());
  if (!parsed) {
    return Status::error(fmt::format("{}: not a readable mapping file: {} (at byte {})",
                                     path.string(), parsed.description(), parsed.offset));
  }
  const pugi::xml_node root = doc.child("import-mapping");
  if (!root) {
    return Status::error(
        fmt::format("{}: the root element must be <import-mapping>", path.string()));
  }
  if (Status s =
          refuse_unknown_attributes(path, root, {"version", "table", "encoding", "delimiter"});
      !s) {
    return s;
  }
  const std::string version = root.attribute("version").as_string("1");
  if (version != "1") {
    return Status::error(fmt::format("{}: mapping format version {} is not supported (only 1)",
                                     path.string(), version));
  }
  if (const pugi::xml_attribute t = root.attribute("table"); t && t.as_string() != table.name) {
    return Status::error(fmt::format("{}: this mapping is for table {}, not {}", path.string(),
                                     t.as_string(), table.name));
  }
  if (const pugi::xml_attribute e = root.attribute("encoding")) rules->encoding = e.as_string();
  if (const pugi::xml_attribute d = root.attribute("delimiter")) rules->delimiter = d.as_string();
  for (const pugi::xml_node node : root.children()) {
    if (node.type() != pugi::node_element) continue;
    const std::string_view element = node.name();
    if (element == "column") {
      if (Status s = refuse_unknown_attributes(path, node, {"source", "target"}); !s) return s;
      const std::string source = node.attribute("source").as_string();
      const std::string target = normalize_header(node.attribute("target").as_string());
      if (source.empty() || target.empty()) {
        return Status::error(fmt::format("{}: <column> at byte {} needs source= and target=",
                                         path.string(), node.offset_debug()));
      }
      if (!column_index(table, target)) {
        return Status::error(
            fmt::format("{}: <column source=\"{}\"> targets '{}', which is not a "
                        "column of {} (columns: {})",
                        path.string(), source, target, table.name, column_list(table)));
      }
      const ExplicitMapping mapping{source, target};
      if (const ExplicitMapping* earlier = conflicting_mapping(rules->columns, mapping)) {
        return Status::error(
            fmt::format("{}: <column> at byte {}: header '{}' is already mapped to {}, not {}",
                        path.string(), node.offset_debug(), source, earlier->target, target));
      }
      rules->columns.push_back(mapping);
    } else if (element == "allow-missing") {
      if (Status s = refuse_unknown_attributes(path, node, {"column"}); !s) return s;
      const std::string column = normalize_header(node.attribute("column").as_string());
      if (!column_index(table, column)) {
        return Status::error(fmt::format("{}: <allow-missing column=\"{}\">: no such column in {}",
                                         path.string(), column, table.name));
      }
      rules->allow_missing.push_back(column);
    } else {
      return Status::error(
          fmt::format("{}: unknown element <{}> (expected <column> or <allow-missing>)",
                      path.string(), element));
    }
  }
  return Status::ok();
}

Status resolve_columns(const std::string& file, const std::vector<std::string>& header,
                       const TableSpec& table, const MappingRules& rules, ResolvedColumns* out) {
  *out = ResolvedColumns{};
  std::vector<std::string> normalised;
  normalised.reserve(header.size());
  for (const std::string& h : header) normalised.push_back(normalize_header(h));

  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::vector<std::size_t> field_of_column(table.columns.size(), kNone);
  std::vector<std::size_t> column_of_field(header.size(), kNone);
  std::vector<std::string> via(table.columns.size());

  // One pass per source, strongest first. `match(field)` returns the column
  // that field's header names through that source, if any.
  auto pass = [&](std::string_view source_name, auto&& match) -> Status {
    std::vector<std::size_t> claimed_now(table.columns.size(), kNone);
    for (std::size_t f = 0; f < header.size(); ++f) {
      if (column_of_field[f] != kNone) continue;
      const std::optional<std::size_t> c = match(f);
      if (!c) continue;
      if (claimed_now[*c] != kNone) {
        return Status::error(fmt::format(
            "{}: line 1: headers '{}' (column {}) and '{}' (column {}) both map to {} by {}; "
            "use --map to say which one is meant",
            file, header[claimed_now[*c]], claimed_now[*c] + 1, header[f], f + 1,
            table.columns[*c].name, source_name));
      }
      claimed_now[*c] = f;
      if (field_of_column[*c] != kNone) {
        out->notes.push_back(fmt::format(
            "header '{}' (column {}) ignored: {} already comes from "
            "'{}' ({})",
            header[f], f + 1, table.columns[*c].name, header[field_of_column[*c]], via[*c]));
        column_of_field[f] = *c;  // handled, but not bound
        continue;
      }
      field_of_column[*c] = f;
      column_of_field[f] = *c;
      via[*c] = std::string(source_name);
    }
    return Status::ok();
  };

  std::vector<bool> explicit_used(rules.columns.size(), false);
  Status status = pass("explicit mapping", [&](std::size_t f) -> std::optional<std::size_t> {
    for (std::size_t m = 0; m < rules.columns.size(); ++m) {
      if (normalize_header(rules.columns[m].source) == normalised[f]) {
        explicit_used[m] = true;
        return column_index(table, rules.columns[m].target);
      }
    }
    return std::nullopt;
  });
  if (!status) return status;
  status = pass("column name", [&](std::size_t f) { return column_index(table, normalised[f]); });
  if (!status) return status;
  status = pass("built-in header", [&](std::size_t f) -> std::optional<std::size_t> {
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      const std::vector<std::string>& names = builtin_headers(table.columns[c].name);
      if (std::find(names.begin(), names.end(), normalised[f]) != names.end()) return c;
    }
    return std::nullopt;
  });
  if (!status) return status;

  for (std::size_t m = 0; m < rules.columns.size(); ++m) {
    if (!explicit_used[m]) out->unused_mappings.push_back(rules.columns[m].source);
  }
  for (std::size_t f = 0; f < header.size(); ++f) {
    if (column_of_field[f] == kNone) out->ignored_headers.push_back(header[f]);
  }

  std::vector<std::string> missing;
  for (const std::string& required : required_columns(table)) {
    const std::size_t c = *column_index(table, required);
    // The primary key can never be allowed missing: a row without its key
    // cannot be the subject of a finding.
    const bool is_key = c == 0 && table.has_primary_key;
    const bool allowed =
        !is_key && std::find(rules.allow_missing.begin(), rules.allow_missing.end(), required) !=
                       rules.allow_missing.end();
    if (field_of_column[c] == kNone && !allowed) missing.push_back(required);
  }
  if (!missing.empty()) {
    std::string names;
    for (const std::string& m : missing) {
      if (!names.empty()) names += ", ";
      names += m;
    }
    return Status::error(fmt::format(
        "{}: line 1: required column{} missing for table {}: {}. Name the header with --map "
        "SRC=DEST, or accept NULLs with --allow-missing COLUMN (see docs/import.md)",
        file, missing.size() > 1 ? "s" : "", table.name, names));
  }

  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    if (field_of_column[c] == kNone) continue;
    out->bindings.push_back({c, field_of_column[c]});
    if (c == 0 && table.has_primary_key) out->key_field = field_of_column[c];
  }
  return Status::ok();
}

}  // namespace regaudit::import
