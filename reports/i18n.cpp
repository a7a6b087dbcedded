#include "i18n.hpp"

#include <array>

namespace regaudit::reports {
namespace {

struct Entry {
  std::string_view key;
  std::string_view zh;
  std::string_view en;
};

constexpr std::array kCatalogue = {
    Entry{"report_title", "数据质量审计报告", "Data-quality audit report"},
    Entry{"period", "审计期间", "Audit period"},
    Entry{"as_of", "截至", "As of"},
    Entry{"registry", "登记库", "Registry"},
    Entry{"generated_at", "生成时间", "Generated at"},
    Entry{"confidential", "机密：本报告含未脱敏的个人信息（--reveal-pii），仅限授权人员阅读",
          "CONFIDENTIAL: this report shows unmasked personal data (--reveal-pii); authorised "
          "readers only"},
    Entry{"contents", "目录", "Contents"},
    Entry{"summary", "摘要", "Executive summary"},
    Entry{"summary_intro", "本月数据显示：", "This month's data show:"},
    Entry{"triple_match_rate", "人-机-户三方一致率", "Person–phone–hukou match rate"},
    Entry{"triple_match_rate_help", "有有效身份证号且有关联号码的户籍记录中，三方信息一致的比例",
          "Share of hukou records with a valid ID and a phone link whose person, phone and "
          "residence agree"},
    Entry{"redundant_call_share", "重复核查电话占比", "Redundant calls"},
    Entry{"redundant_call_share_help", "本月核查电话中，对方已报备或已有其他部门定论后仍拨打的比例",
          "Share of this month's verification calls placed after the person had reported or "
          "another desk had settled the case"},
    Entry{"redundant_checkin_share", "无新信息的上门打卡占比", "Check-ins that added nothing"},
    Entry{"redundant_checkin_share_help", "本月上门、扫楼、打卡中，只记录了系统已掌握信息的比例",
          "Share of this month's visits and check-ins that recorded only what the system "
          "already knew"},
    Entry{"wasted_staff_hours", "无效工时（小时）", "Staff-hours wasted"},
    Entry{"wasted_staff_hours_help", "重复电话与冗余打卡耗费的人工时间",
          "Staff time spent on redundant calls and check-ins"},
    Entry{"vs_last_month", "较上月", "vs last month"},
    Entry{"not_available", "不适用", "n/a"},
    Entry{"percentage_points", "个百分点", "pp"},
    Entry{"charts", "图表", "Charts"},
    Entry{"findings_by_rule", "各规则发现数", "Findings by rule"},
    Entry{"findings_by_street", "各街道发现数（前 20）", "Findings by street (top 20)"},
    Entry{"hours_by_rule", "各规则无效工时（小时）", "Staff-hours by rule"},
    Entry{"trend", "月度趋势", "Trend over months"},
    Entry{"rules", "规则与发现", "Rules and findings"},
    Entry{"rule_status", "运行状态", "Status"},
    Entry{"status_ok", "完成", "completed"},
    Entry{"status_failed", "失败", "failed"},
    Entry{"status_skipped", "跳过", "skipped"},
    Entry{"what_it_checks", "检查内容", "What it checks"},
    Entry{"code", "代码", "Code"},
    Entry{"severity", "严重程度", "Severity"},
    Entry{"count", "数量", "Count"},
    Entry{"new", "新增", "New"},
    Entry{"unchanged", "持续", "Unchanged"},
    Entry{"resolved", "已解决", "Resolved"},
    Entry{"baseline", "与上月比较", "Against last month"},
    Entry{"subject", "对象", "Subject"},
    Entry{"street", "街道", "Street"},
    Entry{"cost_minutes", "耗时（分钟）", "Cost (min)"},
    Entry{"message", "说明", "Explanation"},
    Entry{"evidence", "证据", "Evidence"},
    Entry{"filter", "筛选", "Filter"},
    Entry{"filter_placeholder", "输入文字筛选本表", "Type to filter this table"},
    Entry{"shown_of", "本表显示前 {shown} 条，共 {total} 条；全部发现见 report.xml",
          "Showing the first {shown} of {total}; report.xml holds them all"},
    Entry{"no_findings", "无发现", "No findings"},
    Entry{"not_checked", "本规则本次未运行完毕，未检查任何记录：没有发现不代表没有问题。",
          "This rule did not run to the end this time and checked nothing: no findings does not "
          "mean no problems."},
    Entry{"streets", "分街道指标", "Metrics by street"},
    Entry{"streets_intro", "街道办可在此找到本街道的指标。涉及不足 5 人的格子显示为“<5”。",
          "Each street office finds its own row here. Cells counting fewer than 5 persons show "
          "\"<5\"."},
    Entry{"street_name", "街道名称", "Street name"},
    Entry{"persons_checked", "核对户籍数", "Persons checked"},
    Entry{"calls", "本月电话", "Calls"},
    Entry{"checkins", "本月打卡", "Check-ins"},
    Entry{"provenance", "数据来源与版本", "Provenance"},
    Entry{"tool", "工具", "Tool"},
    Entry{"input_sha256", "登记库 SHA-256", "Registry SHA-256"},
    Entry{"input_bytes", "登记库大小（字节）", "Registry size (bytes)"},
    Entry{"table", "表", "Table"},
    Entry{"rows", "行数", "Rows"},
    Entry{"profile", "审计方案", "Profile"},
    Entry{"rule", "规则", "Rule"},
    Entry{"version", "版本", "Version"},
    Entry{"seconds", "用时（秒）", "Seconds"},
    Entry{"parameters", "参数", "Parameters"},
    Entry{"unreadable_values", "无法解读的值", "Unreadable values"},
    Entry{"column", "列", "Column"},
    Entry{"refused_plugins", "被拒绝的插件", "Refused plugins"},
    Entry{"reason", "原因", "Reason"},
    Entry{"masked_note", "身份证号、电话和姓名均已脱敏。",
          "ID numbers, phones and names are masked."},
    Entry{"severity_info", "提示", "info"},
    Entry{"severity_low", "低", "low"},
    Entry{"severity_medium", "中", "medium"},
    Entry{"severity_high", "高", "high"},
    Entry{"severity_critical", "严重", "critical"},
    Entry{"sort_hint", "点击表头排序", "Click a column heading to sort"},
    Entry{"none", "无", "none"},
};

}  // namespace

Lang parse_lang(std::string_view tag) {
  return tag == "en" ? Lang::en : Lang::zh_CN;
}

std::string_view lang_tag(Lang lang) {
  return lang == Lang::en ? "en" : "zh-CN";
}

std::string_view tr(Lang lang, std::string_view key) {
  for (const Entry& e : kCatalogue) {
    if (e.key == key) return lang == Lang::en ? e.en : e.zh;
  }
  return key;
}

}  // namespace regaudit::reports
