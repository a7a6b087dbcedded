// The one catalogue of every label the HTML report shows, in Chinese
// (default) and English.
#pragma once

#include <string>
#include <string_view>

namespace regaudit::reports {

enum class Lang { zh_CN, en };

// "zh-CN" or "en"; anything else is zh_CN.
Lang parse_lang(std::string_view tag);
std::string_view lang_tag(Lang lang);

// The label for `key`; the key itself (visibly) if the catalogue lacks it, so
// a missing translation is caught by the tests rather than hidden.
std::string_view tr(Lang lang, std::string_view key);

}  // namespace regaudit::reports
