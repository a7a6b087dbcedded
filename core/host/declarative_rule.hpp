// Declarative rules: an analyst's check written as one SQL SELECT in an XML
// file, run like any plugin rule (docs/writing-rules.md).
//
//   <rule id="misrouted-assignment" version="1.0.0" subject-table="assignments">
//     <title>…</title>
//     <description>…</description>
//     <code name="misrouted" severity="medium">one-line summary</code>
//     <param name="grace_days" type="integer" default="0">what it means</param>
//     <documentation>Markdown doc page</documentation>
//     <sql>SELECT … AS subject_key, … AS street, … AS message FROM …</sql>
//   </rule>
//
// The SQL runs on its own read-only connection with an authorizer that
// permits reading only: SELECT, reading tables and a whitelist of pure
// functions. Parameters are bound (:name), never pasted into the SQL text.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "regaudit/plugin.hpp"
#include "regaudit/rule.hpp"

namespace regaudit::host {

struct DeclarativeDefinition {
  RuleInfo info;
  std::string subject_table;
  std::string sql;
  std::filesystem::path file;
};

// True when `file` is XML whose root element is <rule>.
bool is_declarative_rule_file(const std::filesystem::path& file);

// Parses and checks the definition; errors name the file, the line and what is
// wrong.
std::optional<DeclarativeDefinition> read_declarative_rule(const std::filesystem::path& file,
                                                           std::string& error);

std::unique_ptr<RuleInstance> make_declarative_rule(
    std::shared_ptr<const DeclarativeDefinition> definition);

// Masks what looks like an ID number (15 or 18 characters), a mobile number
// (11 digits from 1) or a landline with area code (10-12 digits from 0) inside
// free text: the safety net under analysts' messages.
std::string mask_identities_in_text(std::string_view text);

}  // namespace regaudit::host
