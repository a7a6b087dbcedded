#include "regaudit/schema.hpp"

namespace regaudit {
namespace {

TableSpec table(std::string name, std::vector<ColumnSpec> columns, bool has_primary_key = true) {
  return TableSpec{std::move(name), std::move(columns), has_primary_key};
}

}  // namespace

const std::vector<TableSpec>& registry_schema() {
  static const std::vector<TableSpec> schema = {
      table("streets", {{"street_code", "TEXT"}, {"name", "TEXT"}, {"district_code", "TEXT"}}),
      table("communities", {{"community_code", "TEXT"}, {"street_code", "TEXT"}, {"name", "TEXT"}}),
      table("persons", {{"person_id", "INTEGER"},
                        {"id_number", "TEXT"},
                        {"name", "TEXT"},
                        {"sex", "TEXT"},
                        {"birth_date", "TEXT"},
                        {"hukou_street", "TEXT"},
                        {"hukou_community", "TEXT"},
                        {"hukou_address", "TEXT"},
                        {"updated_at", "TEXT"}}),
      table("residences", {{"residence_id", "INTEGER"},
                           {"id_number", "TEXT"},
                           {"street", "TEXT"},
                           {"community", "TEXT"},
                           {"address", "TEXT"},
                           {"source", "TEXT"},
                           {"valid_from", "TEXT"},
                           {"valid_to", "TEXT"}}),
      table("person_phones", {{"link_id", "INTEGER"},
                              {"id_number", "TEXT"},
                              {"phone", "TEXT"},
                              {"source", "TEXT"},
                              {"recorded_at", "TEXT"}}),
      table("phone_subscriptions", {{"subscription_id", "INTEGER"},
                                    {"phone", "TEXT"},
                                    {"owner_id_number", "TEXT"},
                                    {"owner_name", "TEXT"},
                                    {"carrier", "TEXT"},
                                    {"activated_at", "TEXT"},
                                    {"deactivated_at", "TEXT"}}),
      table("assignments", {{"assignment_id", "INTEGER"},
                            {"list_id", "TEXT"},
                            {"category", "TEXT"},
                            {"issued_at", "TEXT"},
                            {"phone", "TEXT"},
                            {"id_number", "TEXT"},
                            {"name", "TEXT"},
                            {"assigned_street", "TEXT"},
                            {"source_agency", "TEXT"}}),
      table("inquiries", {{"inquiry_id", "INTEGER"},
                          {"assignment_id", "INTEGER"},
                          {"phone", "TEXT"},
                          {"id_number", "TEXT"},
                          {"agency", "TEXT"},
                          {"street", "TEXT"},
                          {"caller", "TEXT"},
                          {"called_at", "TEXT"},
                          {"duration_s", "INTEGER"},
                          {"outcome", "TEXT"}}),
      table("self_reports", {{"report_id", "INTEGER"},
                             {"id_number", "TEXT"},
                             {"phone", "TEXT"},
                             {"name", "TEXT"},
                             {"street", "TEXT"},
                             {"community", "TEXT"},
                             {"reported_at", "TEXT"},
                             {"arrived_at", "TEXT"},
                             {"origin", "TEXT"},
                             {"vehicle_no", "TEXT"}}),
      table("travel_records", {{"travel_id", "INTEGER"},
                               {"id_number", "TEXT"},
                               {"mode", "TEXT"},
                               {"vehicle_no", "TEXT"},
                               {"origin", "TEXT"},
                               {"departed_at", "TEXT"},
                               {"arrived_at", "TEXT"},
                               {"recorded_at", "TEXT"}}),
      table("vaccinations", {{"vaccination_id", "INTEGER"},
                             {"id_number", "TEXT"},
                             {"dose", "INTEGER"},
                             {"vaccinated_at", "TEXT"}}),
      table("checkins", {{"checkin_id", "INTEGER"},
                         {"id_number", "TEXT"},
                         {"phone", "TEXT"},
                         {"street", "TEXT"},
                         {"community", "TEXT"},
                         {"kind", "TEXT"},
                         {"team", "TEXT"},
                         {"team_size", "INTEGER"},
                         {"agency", "TEXT"},
                         {"checked_in_at", "TEXT"},
                         {"duration_min", "INTEGER"},
                         {"photo", "INTEGER"}}),
      table("checkin_fields", {{"checkin_id", "INTEGER"}, {"field", "TEXT"}, {"value", "TEXT"}},
            false),
  };
  return schema;
}

const TableSpec* find_table_spec(std::string_view name) {
  for (const TableSpec& t : registry_schema()) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::string create_table_sql(const TableSpec& t) {
  std::string sql = "CREATE TABLE IF NOT EXISTS " + t.name + " (";
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += t.columns[i].name + " " + t.columns[i].affinity;
    if (i == 0 && t.has_primary_key) sql += " PRIMARY KEY";
  }
  sql += ")";
  return sql;
}

}  // namespace regaudit
