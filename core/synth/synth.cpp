#include "synth.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string_view>

#include "dirt.hpp"
#include "divisions.hpp"
#include "regaudit/normal_forms.hpp"
#include "regaudit/schema.hpp"
#include "rng.hpp"
#include "sqlite_util.hpp"
#include "truth.hpp"

namespace regaudit::synth {
namespace {

constexpr Instant kMinute = kSecondsPerMinute;
constexpr Instant kHour = 60 * kMinute;
constexpr Instant kDay = kSecondsPerDay;
constexpr Instant kWeek = 7 * kDay;  // the rules' default window_days
constexpr Instant kNever = INT64_MAX;
constexpr std::int64_t kMaxPersons = 100'000'000;
constexpr int kMaxMonths = 24;

// ---- fixed vocabularies ----

const std::vector<std::string> kSurnames = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马",   "朱",
    "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩",   "冯",
    "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "蔡", "叶", "程", "苏",   "魏",
    "吕", "丁", "卢", "钟", "谭", "陆", "汪", "范", "廖", "区", "麦", "冼", "欧阳", "司徒"};
const std::vector<std::string> kGiven = {
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "秀", "霞", "平", "刚", "华", "国", "红", "东", "龙", "凤", "兰", "宁", "阳",
    "嘉", "俊", "婷", "欣", "浩", "宇", "子", "梓", "思", "文", "健", "志", "永", "家", "雪"};
const std::vector<std::string> kMinorityNames = {
    "阿依古丽·买买提", "热依拉·艾则孜", "阿不都·热合曼", "古丽娜·吐尔逊",
    "艾力·库尔班",     "扎西·次仁",     "巴特尔·那顺"};
const std::vector<std::string> kCommunityStems = {
    "东风", "解放", "人民", "建设", "和平", "新华", "光明", "幸福", "朝阳", "红旗", "团结",
    "胜利", "文化", "兴华", "金沙", "南华", "龙津", "西湖", "云山", "石牌", "棠下", "沙河",
    "江南", "海幢", "滨江", "素社", "龙凤", "昌岗", "瑞宝", "新港", "华林", "芳村", "花地"};
const std::vector<std::string> kRoads = {"中山", "解放", "东风",     "环市", "天河", "黄埔",
                                         "江南", "人民", "广州大道", "工业", "同福", "流花"};
const std::vector<std::string> kMobilePrefixes = {
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150",
    "151", "152", "155", "156", "157", "158", "159", "176", "177", "178",
    "180", "181", "182", "183", "185", "186", "187", "188", "189", "199"};
const std::vector<std::string> kCarriers = {"中国移动", "中国联通", "中国电信"};
const std::vector<std::string> kDeskAgencies = {"街道办", "派出所", "居委会", "疾控中心", "卫健局"};
const std::vector<std::string> kListSources = {"省疫情防控指挥部", "市公安局", "通信管理局",
                                               "市卫健委"};
const std::vector<std::string> kVisitAgencies = {"街道办", "派出所", "社区卫生服务中心"};
const std::vector<std::string> kVolunteerAgencies = {"区直机关", "市直机关", "国企下沉干部"};

// A check-in field no rule can know.
struct OtherField {
  std::string_view field;
  std::string_view value;
};
constexpr std::array<OtherField, 4> kOtherFields = {{{"temperature", "36.5"},
                                                     {"nucleic_test", "阴性"},
                                                     {"health_code", "绿码"},
                                                     {"Health_Code", "黄码"}}};

// ---- the city ----

struct Community {
  std::string code;  // street code + 3 digits
  std::string name;
};

struct CityStreet {
  const Street* street;
  std::vector<Community> communities;
};

// Unique, valid 18-digit ID numbers: county + birth date + 3-digit sequence
// (odd last digit = male) + check character.
class IdAllocator {
 public:
  IdAllocator(std::size_t counties, std::uint64_t seed)
      : first_day_(days_from_civil(1930, 1, 1)),
        days_(days_from_civil(2021, 1, 1) - first_day_),
        used_(counties * static_cast<std::size_t>(days_), 0),
        offset_(static_cast<int>(seed % 50)) {}

  // `birth` must lie in 1930-01-01 .. 2020-12-31.
  std::string make(std::size_t county_index, const std::string& county, Instant birth, bool male) {
    const std::int64_t day = birth / kDay - first_day_;
    std::uint16_t& used =
        used_[county_index * static_cast<std::size_t>(days_) + static_cast<std::size_t>(day)];
    const int serial = (offset_ + used++) % 500;
    const std::string date = format_date(birth);
    std::string id = fmt::format("{}{}{}{}{:03}", county, date.substr(0, 4), date.substr(5, 2),
                                 date.substr(8, 2), serial * 2 + (male ? 1 : 0));
    id.push_back(nf::id_check_character(id));
    return id;
  }

 private:
  std::int64_t first_day_;
  std::int64_t days_;
  std::vector<std::uint16_t> used_;
  int offset_;
};

// Unique phone numbers: a bijection of a counter onto 8 digits behind a real
// mobile prefix, and 020 landlines.
class PhoneAllocator {
 public:
  explicit PhoneAllocator(std::uint64_t seed) : offset_(seed % 100'000'000) {}
  std::string mobile() {
    const std::uint64_t n = next_mobile_++;
    const std::uint64_t digits = ((n / kMobilePrefixes.size()) * 48271 + offset_) % 100'000'000;
    return fmt::format("{}{:08}", kMobilePrefixes[n % kMobilePrefixes.size()], digits);
  }
  std::string landline() {
    const std::uint64_t n = next_landline_++;
    return fmt::format("0208{:07}", (n * 7919 + offset_) % 10'000'000);
  }

 private:
  std::uint64_t offset_;
  std::uint64_t next_mobile_ = 0;
  std::uint64_t next_landline_ = 0;
};

// ---- people ----

// What becomes of a number after the registry recorded it.
enum class Fate {
  normal,
  relative_name,          // the subscription is in a relative's name
  null_owner,             // the carrier's row names nobody
  dead,                   // deactivated, never re-issued
  reissued,               // deactivated, re-issued to a stranger later
  reissued_at_recording,  // the stranger's subscription starts exactly at recorded_at
  no_subscription,        // the carrier's data do not hold it
  unreadable_end,         // its only subscription has an unreadable deactivated_at
  activates_late,         // its only subscription starts after the link and after A
};

struct Phone {
  std::string number;
  Fate fate = Fate::normal;
  std::size_t owner = 0;         // the member who holds it (index into Household::members)
  Instant dies_at = kNever;      // the first owner's subscription ends
  Instant reissued_at = kNever;  // a stranger's subscription starts
  bool stale() const { return dies_at != kNever; }
};

struct Person {
  std::string id;  // valid, 18 characters
  std::string name;
  Instant birth = 0;
  bool male = false;
  bool registered = true;           // has a hukou (persons row) in the city
  std::vector<std::size_t> phones;  // indices into Household::phones
  std::vector<Instant> doses;       // vaccination instants, ascending
};

struct Household {
  std::size_t street = 0;  // hukou street (index into the city)
  std::size_t community = 0;
  std::size_t live_street = 0;  // where they actually live
  std::size_t live_community = 0;
  std::string address;
  std::vector<Person> members;
  std::vector<Phone> phones;
};

struct Month {
  Instant start;
  Instant end;
};

struct Trip {
  std::string vehicle;
  std::string origin;
  Instant arrived_at = 0;  // whole minutes
  bool recorded = false;   // a travel_records row exists
  bool reported = false;   // a self_reports row exists
  Instant reported_at = 0;
};

int age_at(const Person& p, Instant t) {
  return static_cast<int>((t - p.birth) / (365 * kDay));
}

// ---- the generator ----

class Generator {
 public:
  Generator(const Options& options, Database& db, std::ostream& log)
      : options_(options),
        log_(log),
        rng_(options.seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull),
        divisions_(guangzhou()),
        ids_(divisions_.local_counties.size() + divisions_.other_counties.size(), options.seed),
        phones_(options.seed),
        streets_(db, insert_sql("streets")),
        communities_(db, insert_sql("communities")),
        persons_(db, insert_sql("persons")),
        residences_(db, insert_sql("residences")),
        links_(db, insert_sql("person_phones")),
        subscriptions_(db, insert_sql("phone_subscriptions")),
        assignments_(db, insert_sql("assignments")),
        inquiries_(db, insert_sql("inquiries")),
        self_reports_(db, insert_sql("self_reports")),
        travel_(db, insert_sql("travel_records")),
        vaccinations_(db, insert_sql("vaccinations")),
        checkins_(db, insert_sql("checkins")),
        fields_(db, insert_sql("checkin_fields")) {
    for (const AuditPeriod& p : covered_periods(options)) months_.push_back({p.start(), p.end()});
    first_ = months_.front().start;
    end_ = months_.back().end;
  }

  void run() {
    write_city();
    std::int64_t done = 0;
    std::int64_t next_report = options_.persons / 10;
    while (done < options_.persons) {
      Household h = make_household(options_.persons - done);
      for (const Person& p : h.members) done += p.registered ? 1 : 0;
      write_household(h);
      if (done >= next_report && done < options_.persons) {
        log_ << fmt::format("synth: {} of {} persons written\n", done, options_.persons);
        next_report += options_.persons / 10;
      }
    }
  }

 private:
  static std::string insert_sql(const std::string& table) {
    const TableSpec* spec = find_table_spec(table);
    std::string sql = "INSERT INTO " + table + " VALUES (";
    for (std::size_t i = 0; i < spec->columns.size(); ++i) sql += i == 0 ? "?" : ", ?";
    return sql + ")";
  }

  // ---- small helpers ----

  Instant between(Instant lo, Instant hi) { return rng_.between(lo, hi); }
  // A daytime instant (08:00-21:59) on the day of `t`, whole minutes.
  Instant daytime(Instant t) { return t / kDay * kDay + between(8 * 60, 22 * 60 - 1) * kMinute; }
  Instant in_month(const Month& m) { return between(m.start, m.end - 1); }
  const CityStreet& street(std::size_t i) const { return city_[i]; }
  const std::string& street_code(std::size_t i) const { return city_[i].street->code; }
  const std::string& community_code(std::size_t s, std::size_t c) const {
    return city_[s].communities[c].code;
  }
  // "" or "  " (blank) or NULL, for a value nobody filled in.
  std::optional<std::string> blank_or_null() {
    if (rng_.chance(0.5)) return std::nullopt;
    return rng_.chance(0.5) ? std::string() : std::string("  ");
  }
  std::optional<std::string> id_text(const Person& p) { return dirt::id_number(rng_, p.id); }

  std::string random_name(bool male) {
    if (rng_.chance(0.01)) return rng_.pick(kMinorityNames);
    std::string name = rng_.pick(kSurnames);
    name += rng_.pick(kGiven);
    if (rng_.chance(male ? 0.7 : 0.6)) name += rng_.pick(kGiven);
    return name;
  }

  Person make_person(bool local, int birth_year_lo, int birth_year_hi, bool male) {
    Person p;
    p.male = male;
    birth_year_lo = std::clamp(birth_year_lo, 1930, 2020);
    birth_year_hi = std::clamp(birth_year_hi, birth_year_lo, 2020);
    const Instant lo = days_from_civil(birth_year_lo, 1, 1) * kDay;
    const Instant hi = days_from_civil(birth_year_hi, 12, 31) * kDay;
    p.birth = between(lo / kDay, hi / kDay) * kDay;
    const auto& locals = divisions_.local_counties;
    const auto& others = divisions_.other_counties;
    if (local) {
      const std::size_t c = rng_.index(locals.size());
      p.id = ids_.make(c, locals[c].code, p.birth, male);
    } else {
      const std::size_t c = rng_.index(others.size());
      p.id = ids_.make(locals.size() + c, others[c].code, p.birth, male);
    }
    p.name = random_name(male);
    return p;
  }

  // ---- streets and communities ----

  void write_city() {
    for (const Street& s : divisions_.streets) {
      CityStreet cs{&s, {}};
      const bool town = s.name.ends_with("镇");
      const int count = rng_.between(5, 12);
      for (int i = 1; i <= count; ++i) {
        std::string name =
            kCommunityStems[(rng_.index(kCommunityStems.size()) + static_cast<std::size_t>(i)) %
                            kCommunityStems.size()];
        if (i > 1 && rng_.chance(0.5)) name += i % 2 == 0 ? "东" : "北";
        name += town && rng_.chance(0.5) ? "村" : "社区";
        cs.communities.push_back({fmt::format("{}{:03}", s.code, i), name});
      }
      streets_.insert(s.code, s.name, s.district_code);
      for (const Community& c : cs.communities) communities_.insert(c.code, s.code, c.name);
      city_.push_back(std::move(cs));
    }
  }

  // ---- households ----

  Household make_household(std::int64_t persons_left) {
    Household h;
    h.street = rng_.index(city_.size());
    h.community = rng_.index(street(h.street).communities.size());
    h.live_street = h.street;
    h.live_community = h.community;
    if (rng_.chance(0.22)) {  // 人户分离: the family lives in another street
      h.live_street = rng_.index(city_.size());
      h.live_community = rng_.index(street(h.live_street).communities.size());
    }
    h.address = fmt::format("{}路{}号{}房", rng_.pick(kRoads), rng_.between(1, 999),
                            rng_.between(101, 2505));
    static const std::array<int, 5> kSizeWeights = {25, 30, 25, 12, 8};
    int size = 1;
    for (std::uint64_t r = rng_.below(100); r >= static_cast<std::uint64_t>(kSizeWeights[size - 1]);
         ++size) {
      r -= static_cast<std::uint64_t>(kSizeWeights[size - 1]);
    }
    size = static_cast<int>(std::min<std::int64_t>(size, persons_left));
    const bool local = rng_.chance(0.85);
    const int head_year = rng_.between(1940, 1996);
    const bool head_male = rng_.chance(0.55);
    h.members.push_back(make_person(local, head_year, head_year, head_male));
    if (size >= 2) {
      h.members.push_back(
          make_person(local && rng_.chance(0.8), head_year - 4, head_year + 4, !head_male));
    }
    for (int i = 2; i < size; ++i) {
      if (i == 4) {
        h.members.push_back(make_person(local, head_year - 35, head_year - 22, rng_.chance(0.4)));
      } else {
        h.members.push_back(
            make_person(rng_.chance(0.9), head_year + 20, head_year + 40, rng_.chance(0.5)));
      }
    }
    if (rng_.chance(0.10)) {  // migrants renting here: no hukou in the city
      const int migrants = rng_.between(1, 2);
      const int year = rng_.between(1965, 2000);
      for (int i = 0; i < migrants; ++i) {
        Person m = make_person(false, year - 3, year + 3, rng_.chance(0.5));
        m.registered = false;
        h.members.push_back(std::move(m));
      }
    }
    give_phones(h);
    for (Person& p : h.members) p.doses = vaccination_schedule(p);
    return h;
  }

  void give_phones(Household& h) {
    std::vector<std::size_t> without;
    for (std::size_t i = 0; i < h.members.size(); ++i) {
      Person& p = h.members[i];
      const int age = age_at(p, first_);
      const bool own = age >= 12 && rng_.chance(age >= 75 ? 0.5 : 0.96);
      if (!own) {
        without.push_back(i);
        continue;
      }
      h.phones.push_back({phones_.mobile(), Fate::normal, i});
      p.phones.push_back(h.phones.size() - 1);
    }
    // Children and some elderly are linked to a relative's phone: a shared
    // family phone that resolves to nobody once two people are linked to it.
    for (const std::size_t i : without) {
      for (const Person& other : h.members) {
        if (&other != &h.members[i] && !other.phones.empty()) {
          h.members[i].phones.push_back(other.phones.front());
          break;
        }
      }
    }
    if (rng_.chance(0.03)) {  // a landline of the home, linked to the head
      h.phones.push_back({phones_.landline(), Fate::no_subscription, 0});
      h.members.front().phones.push_back(h.phones.size() - 1);
    }
  }

  std::vector<Instant> vaccination_schedule(const Person& p) {
    std::vector<Instant> doses;
    if (age_at(p, first_) < 3) return doses;
    static const std::array<int, 5> kWeights = {8, 4, 25, 55, 8};  // 0..4 doses, percent
    int n = 0;
    for (std::uint64_t r = rng_.below(100); r >= static_cast<std::uint64_t>(kWeights[n]); ++n) {
      r -= static_cast<std::uint64_t>(kWeights[n]);
    }
    Instant t = daytime(first_ - between(330, 420) * kDay);
    static const std::array<std::pair<int, int>, 3> kGaps = {{{21, 56}, {150, 240}, {120, 200}}};
    for (int i = 0; i < n; ++i) {
      if (i > 0) {
        t = daytime(t + between(kGaps[i - 1].first, kGaps[i - 1].second) * kDay);
      }
      if (t >= end_) break;
      doses.push_back(t);
    }
    return doses;
  }

  // ---- writing a household ----

  void write_household(Household& h) {
    for (const Person& p : h.members) {
      if (p.registered) write_person_rows(h, p);
      write_residences(h, p);
      write_vaccinations(p);
    }
    write_phones(h);
    for (const Month& m : months_) {
      for (std::size_t i = 0; i < h.members.size(); ++i) person_events(h, i, m);
      household_events(h, m);
    }
  }

  void write_person_rows(const Household& h, const Person& p) {
    std::optional<std::string> id = id_text(p);
    const std::uint64_t r = rng_.below(1000);
    if (r < 4) id = dirt::mistyped_id_number(rng_, p.id);
    if (r >= 4 && r < 6) id = blank_or_null();
    const std::string birth = format_date(p.birth);
    static const std::array<std::array<std::string_view, 2>, 3> kSexes = {
        {{"男", "女"}, {"M", "F"}, {"1", "2"}}};
    const std::uint64_t s = rng_.below(100);
    const std::string_view sex = kSexes[s < 95 ? 0 : (s < 98 ? 1 : 2)][p.male ? 0 : 1];
    std::optional<std::string> hukou_street = dirt::code(rng_, street_code(h.street));
    if (rng_.chance(0.004)) hukou_street = blank_or_null();
    persons_.insert(++person_id_, id, dirt::name(rng_, p.name), sex, dirt::date(rng_, p.birth),
                    hukou_street, community_code(h.street, h.community), h.address,
                    dirt::time(rng_, daytime(first_ - between(30, 3000) * kDay)));
    if (rng_.chance(0.003)) {  // a duplicate row, often still in the street the person left
      const std::size_t old = rng_.chance(0.6) ? rng_.index(city_.size()) : h.street;
      persons_.insert(++person_id_, id_text(p), p.name, sex, birth, street_code(old),
                      community_code(old, 0), h.address,
                      dirt::time(rng_, daytime(first_ - between(3000, 6000) * kDay)));
    }
  }

  void residence_row(const Person& p, std::size_t s, std::size_t c,
                     const std::optional<std::string>& street_text, std::string_view source,
                     const std::string& from, const std::optional<std::string>& to) {
    residences_.insert(++residence_id_, id_text(p), street_text, community_code(s, c),
                       fmt::format("{}路{}号", rng_.pick(kRoads), rng_.between(1, 999)),
                       dirt::enumeration(rng_, source), from, to);
  }

  void write_residences(const Household& h, const Person& p) {
    const bool away = h.live_street != h.street;
    if (!p.registered) {
      residence_row(p, h.live_street, h.live_community,
                    dirt::code(rng_, street_code(h.live_street)), "rental",
                    dirt::date(rng_, first_ - between(30, 2500) * kDay), std::nullopt);
      return;
    }
    if (!rng_.chance(away ? 0.85 : 0.25)) return;
    static const std::vector<std::string> kSources = {"rental", "grid_survey", "self_report",
                                                      "employer"};
    const std::string source = away ? "rental" : rng_.pick(kSources);
    const std::size_t s = h.live_street;
    const std::size_t c = h.live_community;
    const std::string code = street_code(s);
    const Instant from = (first_ - between(20, 2500) * kDay) / kDay * kDay;
    const Instant a1 = months_.front().end;
    const std::uint64_t r = rng_.below(1000);
    if (r < 150) {  // a history: an older residence elsewhere, closed when this one began
      const std::size_t old = rng_.index(city_.size());
      residence_row(p, old, 0, street_code(old), rng_.pick(kSources),
                    dirt::date(rng_, from - between(200, 2000) * kDay), dirt::date(rng_, from));
    }
    if (r >= 150 && r < 190) {  // moves during the audited months
      const std::size_t old = rng_.index(city_.size());
      const Instant moved = (first_ + between(1, (end_ - first_) / kDay - 1) * kDay) / kDay * kDay;
      residence_row(p, old, 0, street_code(old), "rental", dirt::date(rng_, from),
                    dirt::date(rng_, moved));
      residence_row(p, s, c, code, source, dirt::date(rng_, moved), std::nullopt);
      return;
    }
    if (r >= 190 && r < 210) {  // ends exactly at the first month's A: still in force then
      residence_row(p, s, c, code, source, dirt::date(rng_, from), dirt::exact_time(a1));
      return;
    }
    if (r >= 210 && r < 220) {  // starts exactly at the first month's A: not yet in force then
      residence_row(p, s, c, code, source, dirt::exact_time(a1), std::nullopt);
      return;
    }
    if (r >= 220 && r < 235) {  // two records with the same valid_from: the later row wins
      const std::size_t other = rng_.index(city_.size());
      residence_row(p, other, 0, street_code(other), "grid_survey", dirt::exact_time(from),
                    std::nullopt);
      residence_row(p, s, c, code, source, dirt::exact_time(from), std::nullopt);
      return;
    }
    if (r >= 235 && r < 245) {  // the latest record has no street
      residence_row(p, s, c, code, source, dirt::date(rng_, from - 400 * kDay), std::nullopt);
      residence_row(p, s, c, blank_or_null(), "grid_survey", dirt::date(rng_, from), std::nullopt);
      return;
    }
    if (r >= 245 && r < 250) {  // an unreadable end removes the row
      residence_row(p, s, c, code, source, dirt::date(rng_, from), std::string("2099-02-30"));
      return;
    }
    if (r >= 250 && r < 260) {  // ended before the audited months
      residence_row(p, s, c, code, source, dirt::date(rng_, from),
                    dirt::date(rng_, first_ - between(1, 15) * kDay));
      return;
    }
    residence_row(p, s, c, dirt::code(rng_, code), source, dirt::date(rng_, from), std::nullopt);
  }

  void write_vaccinations(const Person& p) {
    for (std::size_t i = 0; i < p.doses.size(); ++i) {
      const std::optional<std::string> id = id_text(p);
      if (rng_.chance(0.005)) {
        vaccinations_.insert(++vaccination_id_, id, std::nullopt, dirt::time(rng_, p.doses[i]));
      } else {
        vaccinations_.insert(++vaccination_id_, id, static_cast<std::int64_t>(i + 1),
                             dirt::time(rng_, p.doses[i]));
      }
    }
  }

  // ---- phones, links, subscriptions ----

  Fate draw_fate() {
    const std::uint64_t r = rng_.below(1000);
    if (r < 35) return Fate::dead;
    if (r < 70) return Fate::reissued;
    if (r < 76) return Fate::reissued_at_recording;
    if (r < 116) return Fate::relative_name;
    if (r < 126) return Fate::null_owner;
    if (r < 136) return Fate::no_subscription;
    if (r < 139) return Fate::unreadable_end;
    if (r < 142) return Fate::activates_late;
    return Fate::normal;
  }

  void subscription_row(const std::string& number, const std::optional<std::string>& owner,
                        const std::optional<std::string>& owner_name, const std::string& activated,
                        const std::optional<std::string>& deactivated) {
    subscriptions_.insert(++subscription_id_, dirt::phone(rng_, number), owner, owner_name,
                          rng_.pick(kCarriers), activated, deactivated);
  }

  void link_row(const Person& p, const std::string& number, std::string_view source,
                const std::string& recorded) {
    std::optional<std::string> id = id_text(p);
    if (rng_.chance(0.003)) id = blank_or_null();
    links_.insert(++link_id_, id, dirt::phone(rng_, number), dirt::enumeration(rng_, source),
                  recorded);
  }

  // A stranger who gets a re-issued number: an ID and a name, no other rows.
  Person stranger() { return make_person(rng_.chance(0.7), 1960, 2003, rng_.chance(0.5)); }

  void write_phones(Household& h) {
    for (std::size_t i = 0; i < h.phones.size(); ++i) {
      std::vector<const Person*> users;
      for (const Person& p : h.members) {
        if (std::find(p.phones.begin(), p.phones.end(), i) != p.phones.end()) users.push_back(&p);
      }
      write_phone(h, h.phones[i], h.members[h.phones[i].owner], users);
    }
  }

  void write_phone(const Household& h, Phone& phone, const Person& holder,
                   const std::vector<const Person*>& users) {
    if (phone.fate == Fate::normal) phone.fate = draw_fate();
    const Instant activated = daytime(first_ - between(400, 5000) * kDay);
    const Instant base =
        std::min(activated + between(1, 1100) * kDay + between(0, 3600), first_ - 10 * kDay);
    // Each user's links: one per registry that asserts it.
    struct Link {
      const Person* person;
      std::string_view source;
      Instant at;
      bool exact;
    };
    std::vector<Link> links;
    static const std::array<std::pair<std::string_view, double>, 4> kSources = {
        {{"hukou", 0.55}, {"health_code", 0.75}, {"self_report", 0.15}, {"employer", 0.05}}};
    for (const Person* user : users) {
      bool any = false;
      for (const auto& [source, rate] : kSources) {
        if (!rng_.chance(rate) && (any || source != "employer")) continue;
        Instant at = std::min(base + between(0, 600) * kDay + between(0, 36000), first_ - kDay);
        if (rng_.chance(0.03)) at = between(first_, end_ - 1);
        links.push_back({user, source, at, false});
        any = true;
      }
    }
    Instant latest_link = base;
    for (const Link& l : links) latest_link = std::max(latest_link, l.at);
    const Person* owner = &holder;
    if (phone.fate == Fate::relative_name) {
      for (const Person& p : h.members) {
        if (&p != &holder && p.registered) owner = &p;
      }
    }
    const Instant a1 = months_.front().end;
    switch (phone.fate) {
      case Fate::normal:
      case Fate::relative_name: {
        std::optional<std::string> owner_name = owner->name;
        if (owner == &holder && phone.fate == Fate::relative_name) {
          const Person s = stranger();
          subscription_row(phone.number, id_text(s), s.name, dirt::time(rng_, activated, 0),
                           std::nullopt);
        } else {
          subscription_row(phone.number, id_text(*owner), owner_name,
                           dirt::time(rng_, activated, 0), std::nullopt);
        }
        break;
      }
      case Fate::null_owner:
        subscription_row(phone.number, blank_or_null(), std::nullopt,
                         dirt::time(rng_, activated, 0), std::nullopt);
        break;
      case Fate::dead:
      case Fate::reissued: {
        Instant dies = latest_link + between(1, 400) * kDay;
        if (dies >= first_ || rng_.chance(0.35)) dies = between(first_, end_ - 1);
        const bool at_a1 = months_.size() > 1 && rng_.chance(0.08);
        if (at_a1) dies = a1;  // still in force at the first month's A
        phone.dies_at = dies;
        subscription_row(phone.number, id_text(holder), holder.name, dirt::time(rng_, activated, 0),
                         at_a1 ? dirt::exact_time(dies) : dirt::time(rng_, dies, 0));
        if (phone.fate == Fate::reissued) {
          Instant reissued = dies + between(30, 200) * kDay;
          if (reissued >= end_) reissued = between(std::max(dies + kDay, first_), end_ + 20 * kDay);
          phone.reissued_at = reissued;
          const Person s = stranger();
          subscription_row(phone.number, id_text(s), s.name, dirt::time(rng_, reissued, 0),
                           std::nullopt);
        }
        break;
      }
      case Fate::reissued_at_recording: {
        // The previous owner's subscription ended before the first link; the
        // new one starts exactly when that link was recorded.
        Link& first = links.front();
        first.exact = true;
        const Instant old_start = first.at - between(400, 3000) * kDay;
        subscription_row(phone.number, id_text(stranger()), std::nullopt,
                         dirt::time(rng_, old_start, 0),
                         dirt::time(rng_, first.at - between(30, 300) * kDay, 0));
        // Mostly a stranger; sometimes the holder bought the recycled number.
        const bool holder_bought_it = rng_.chance(0.25);
        const Person s = holder_bought_it ? holder : stranger();
        if (!holder_bought_it) phone.reissued_at = first.at;
        subscription_row(phone.number, id_text(s), s.name, dirt::exact_time(first.at),
                         std::nullopt);
        break;
      }
      case Fate::no_subscription:
        break;
      case Fate::unreadable_end:
        subscription_row(phone.number, id_text(holder), holder.name, dirt::time(rng_, activated, 0),
                         std::string("2021-02-30 10:00"));
        break;
      case Fate::activates_late: {
        // Recorded in the first month, activated only after its A.
        for (Link& l : links) l.at = between(first_, a1 - 1);
        const Instant starts =
            months_.size() > 1 ? between(a1, end_ - 1) : between(end_, end_ + 30 * kDay);
        subscription_row(phone.number, id_text(holder), holder.name, dirt::time(rng_, starts, 0),
                         std::nullopt);
        break;
      }
    }
    if (rng_.chance(0.002) && months_.size() > 1) {  // recorded exactly at the first month's A
      links.push_back({&holder, "health_code", a1, true});
    }
    for (const Link& l : links) {
      link_row(*l.person, phone.number, l.source,
               l.exact ? dirt::exact_time(l.at) : dirt::time(rng_, l.at));
    }
  }

  // ---- events ----

  // The phone a list or a desk has for `p`: a stale number more often than
  // not, since the registry keeps sending it down.
  const Phone* phone_for_calls(const Household& h, const Person& p) {
    if (p.phones.empty()) return nullptr;
    for (const std::size_t i : p.phones) {
      if (h.phones[i].stale() && rng_.chance(0.6)) return &h.phones[i];
    }
    return &h.phones[p.phones[rng_.index(p.phones.size())]];
  }

  std::string_view outcome(const Phone* phone, Instant t, bool reported, bool roaming) {
    if (phone != nullptr && t >= phone->reissued_at) return "wrong_person";
    if (phone != nullptr && t >= phone->dies_at) return "empty_number";
    const std::uint64_t r = rng_.below(100);
    if (r < 10) return "no_answer";
    if (r < 13) return "refused";
    if (roaming) return r < 55 ? "not_local" : "confirmed_local";
    if (reported && r < 60) return "already_reported";
    return r < 88 ? "confirmed_local" : "not_local";
  }

  std::int64_t call_duration(std::string_view outcome) {
    if (outcome == "no_answer") return rng_.between(0, 30);
    if (outcome == "empty_number") return rng_.between(3, 15);
    return rng_.between(40, 420);
  }

  // The delay between two calls (or two visits) of one case; `exact` when it
  // is a boundary of the 7-day window and must keep its seconds.
  Instant follow_up_delay(bool& exact) {
    const std::uint64_t r = rng_.below(100);
    exact = r < 10;
    if (r < 3) return 0;           // the same instant: not "before"
    if (r < 8) return kWeek;       // exactly W: flagged
    if (r < 10) return kWeek + 1;  // just outside
    if (r < 60) return between(10 * kMinute, 3 * kDay);
    if (r < 90) return between(3 * kDay, kWeek - 1);
    return between(kWeek + kMinute, 14 * kDay);
  }

  std::int64_t write_assignment(std::string_view category, Instant issued, const Phone* phone,
                                const Person* p, std::size_t street_index) {
    const std::string list_id =
        fmt::format("{}-{}-{:03}", category.substr(0, 2), format_date(issued), rng_.between(1, 40));
    std::optional<std::string> phone_text;
    if (phone != nullptr) phone_text = dirt::phone(rng_, phone->number);
    assignments_.insert(++assignment_id_, list_id, dirt::enumeration(rng_, category),
                        dirt::time(rng_, issued), phone_text,
                        p != nullptr ? id_text(*p) : std::nullopt,
                        p != nullptr ? std::optional<std::string>(p->name) : std::nullopt,
                        street_code(street_index), rng_.pick(kListSources));
    return assignment_id_;
  }

  // One to four calls of a case, each by another desk.
  void write_calls(std::int64_t assignment, const Phone* phone, const Person* with_id,
                   std::size_t desk_street, Instant first_call, bool reported, bool roaming) {
    int calls = 1;
    while (calls < 4 && rng_.chance(calls == 1 ? 0.55 : 0.35)) ++calls;
    Instant t = first_call;
    bool exact_prev = false;
    std::size_t agency = rng_.index(kDeskAgencies.size());
    for (int i = 0; i < calls; ++i) {
      bool exact_next = false;
      const Instant next = t + follow_up_delay(exact_next);
      const bool exact = exact_prev || (i + 1 < calls && exact_next);
      if (t >= end_) return;
      const std::string_view o = outcome(phone, t, reported, roaming);
      std::optional<std::string> id;
      if (with_id != nullptr && rng_.chance(0.9)) id = id_text(*with_id);
      std::optional<std::string> phone_text;
      if (phone != nullptr) phone_text = dirt::phone(rng_, phone->number);
      std::optional<std::string> desk = dirt::code(rng_, street_code(desk_street));
      inquiries_.insert(++inquiry_id_, assignment, phone_text, id, kDeskAgencies[agency], desk,
                        fmt::format("坐席{:02}", rng_.between(1, 30)),
                        exact ? dirt::exact_time(t) : dirt::time(rng_, t), call_duration(o),
                        dirt::enumeration(rng_, o));
      agency = (agency + 1 + rng_.index(kDeskAgencies.size() - 1)) % kDeskAgencies.size();
      t = next;
      exact_prev = exact_next;
    }
  }

  void write_self_report(const Household& h, const Person& p, const Phone* phone, Trip& trip,
                         Instant at, bool exact) {
    trip.reported = true;
    trip.reported_at = at;
    std::optional<std::string> id = id_text(p);
    if (rng_.chance(0.12)) id = blank_or_null();  // reported by phone only
    std::optional<std::string> phone_text;
    if (phone != nullptr) phone_text = dirt::phone(rng_, phone->number);
    Instant arrived = trip.arrived_at;
    if (rng_.chance(0.5)) arrived += between(-20, 20) * kMinute;
    self_reports_.insert(++report_id_, id, phone_text, dirt::name(rng_, p.name),
                         dirt::code(rng_, street_code(h.live_street)),
                         community_code(h.live_street, h.live_community),
                         exact ? dirt::exact_time(at) : dirt::time(rng_, at),
                         dirt::time(rng_, arrived, 0.004), dirt::place(rng_, trip.origin),
                         dirt::vehicle_no(rng_, trip.vehicle));
  }

  Trip make_trip(Instant arrived) {
    Trip trip;
    trip.arrived_at = arrived / kMinute * kMinute;
    trip.origin = rng_.pick(divisions_.origin_cities);
    const std::uint64_t mode = rng_.below(100);
    if (mode < 60) {
      static const std::vector<std::string> kTrain = {"G", "D", "K", "Z", "T"};
      trip.vehicle = fmt::format("{}{}", rng_.pick(kTrain), rng_.between(1, 9999));
    } else if (mode < 85) {
      static const std::vector<std::string> kAirline = {"CZ", "MU", "CA", "HU", "ZH"};
      trip.vehicle = fmt::format("{}{}", rng_.pick(kAirline), rng_.between(1000, 9999));
    } else {
      trip.vehicle = fmt::format("KY{}", rng_.between(100, 999));
    }
    return trip;
  }

  void write_travel(const Person& p, Trip& trip) {
    trip.recorded = true;
    const std::string_view mode =
        trip.vehicle.starts_with("KY")
            ? "coach"
            : (std::isdigit(static_cast<unsigned char>(trip.vehicle[1])) ? "train" : "flight");
    const Instant departed = trip.arrived_at - between(1 * 60, 9 * 60) * kMinute;
    travel_.insert(++travel_id_, id_text(p), dirt::enumeration(rng_, mode),
                   dirt::vehicle_no(rng_, trip.vehicle), dirt::place(rng_, trip.origin),
                   dirt::time(rng_, departed), dirt::time(rng_, trip.arrived_at, 0.004),
                   dirt::time(rng_, departed + between(0, 20) * kMinute));
  }

  void person_events(Household& h, std::size_t index, const Month& m) {
    const Person& p = h.members[index];
    const bool stale = std::any_of(p.phones.begin(), p.phones.end(),
                                   [&](std::size_t i) { return h.phones[i].stale(); });
    if (rng_.chance(p.registered ? 0.025 : 0.03)) transport_case(h, p, m);
    if (rng_.chance(0.02 + (stale ? 0.25 : 0.0))) phone_case(h, p, m, "roaming_spillover");
    if (rng_.chance(0.012)) phone_case(h, p, m, "venue_contact");
    if (age_at(p, m.start) >= 60 && p.doses.size() < 3 && rng_.chance(0.03)) {
      vaccine_promotion(h, p, in_month(m));
    }
  }

  void transport_case(Household& h, const Person& p, const Month& m) {
    Trip trip = make_trip(in_month(m));
    const Phone* phone = phone_for_calls(h, p);
    if (rng_.chance(0.9)) write_travel(p, trip);
    const Instant issued = trip.arrived_at + between(6 * 60, 36 * 60) * kMinute;
    const Instant first_call = issued + between(20, 8 * 60) * kMinute;
    bool report_exact = false;
    if (rng_.chance(0.45)) {
      Instant at = trip.arrived_at + between(30, 20 * 60) * kMinute;
      if (rng_.chance(0.02)) {  // reported at the very instant of the call: not "before"
        at = first_call;
        report_exact = true;
      }
      if (at < end_) write_self_report(h, p, phone, trip, at, report_exact);
    }
    if (issued >= end_) return;
    const std::int64_t assignment =
        write_assignment("transport_return", issued, phone, &p, h.street);
    write_calls(assignment, phone, &p, rng_.chance(0.8) ? h.street : h.live_street, first_call,
                trip.reported, false);
    if (report_exact) {
      // The exact-instant case needs the first call written exactly as well;
      // write_calls may have dirtied it, so add one exact call of its own.
      inquiries_.insert(++inquiry_id_, assignment, std::nullopt, id_text(p), "居委会",
                        street_code(h.live_street), "坐席00", dirt::exact_time(first_call),
                        std::int64_t{60}, "confirmed_local");
    }
    if (rng_.chance(0.65))
      home_visits(h, p, phone, trip, first_call + between(60, 48 * 60) * kMinute);
  }

  void phone_case(Household& h, const Person& p, const Month& m, std::string_view category) {
    const Phone* phone = phone_for_calls(h, p);
    if (phone == nullptr) return;
    const Instant issued = in_month(m);
    const std::size_t desk =
        category == "roaming_spillover" ? rng_.index(city_.size()) : h.live_street;
    const std::int64_t assignment =
        write_assignment(category, issued, phone, category == "venue_contact" ? &p : nullptr, desk);
    write_calls(assignment, phone, nullptr, desk, issued + between(20, 10 * 60) * kMinute, false,
                true);
  }

  // ---- check-ins ----

  std::string home_team(std::size_t s, int n) {
    return fmt::format("{}三人小组{}", street(s).street->name, n);
  }

  void checkin_row(const Household& h, const Person* p, const Phone* phone, std::string_view kind,
                   const std::optional<std::string>& team, int team_size, std::string_view agency,
                   Instant at, bool exact) {
    std::optional<std::string> id;
    std::optional<std::string> phone_text;
    if (p != nullptr) {
      const std::uint64_t r = rng_.below(100);
      id =
          r < 92 ? id_text(*p) : (r < 97 ? blank_or_null() : dirt::mistyped_id_number(rng_, p->id));
    }
    if (phone != nullptr) phone_text = dirt::phone(rng_, phone->number);
    const std::string street_text = dirt::code(rng_, street_code(h.live_street));
    const std::string kind_text = dirt::enumeration(rng_, kind);
    const std::string at_text = exact ? dirt::exact_time(at) : dirt::time(rng_, at);
    const int duration_min = rng_.between(5, 45);
    const auto insert = [&](const auto& photo) {
      checkins_.insert(++checkin_id_, id, phone_text, street_text,
                       community_code(h.live_street, h.live_community), kind_text, team, team_size,
                       agency, at_text, duration_min, photo);
    };
    // The photo: mostly the integer 1; sometimes 0, NULL or text (SQLite keeps
    // text that does not look like an integer as text).
    static const std::array<std::string_view, 4> kPhotoText = {" 1", "1 ", "１", "yes"};
    const std::uint64_t r = rng_.below(100);
    if (r < 88) {
      insert(std::int64_t{1});
    } else if (r < 91) {
      insert(std::int64_t{0});
    } else if (r < 94) {
      insert(std::nullopt);
    } else {
      insert(kPhotoText[r % kPhotoText.size()]);
    }
  }

  void field(std::string_view name, const std::optional<std::string>& value) {
    fields_.insert(checkin_id_, dirt::enumeration(rng_, name), value);
  }

  void other_field() {
    const OtherField& f = kOtherFields[rng_.index(kOtherFields.size())];
    fields_.insert(checkin_id_, f.field, f.value);
  }

  void home_visit(const Household& h, const Person& p, const Phone* phone, const Trip& trip,
                  const std::string& team, Instant at, bool exact) {
    checkin_row(h, &p, phone, "home_visit", team, 3, rng_.pick(kVisitAgencies), at, exact);
    if (rng_.chance(0.1)) return;  // nothing written down: the photo is the visit
    field("id_number", id_text(p));
    field("name", dirt::name(rng_, p.name));
    if (phone != nullptr || rng_.chance(0.5)) {
      field("phone", dirt::phone(rng_, phone != nullptr && rng_.chance(0.92) ? phone->number
                                                                             : phones_.mobile()));
    }
    if (rng_.chance(0.85)) field("vehicle_no", dirt::vehicle_no(rng_, trip.vehicle));
    if (rng_.chance(0.9)) {
      const std::uint64_t r = rng_.below(100);
      Instant arrived = trip.arrived_at;
      bool exact_arrival = true;
      if (r < 5) {
        arrived += 60 * kMinute;  // exactly the tolerance: known
      } else if (r < 9) {
        arrived -= 61 * kMinute;  // just beyond it
      } else {
        arrived += between(-30, 30) * kMinute;
        exact_arrival = false;
      }
      field("arrived_at", exact_arrival ? dirt::exact_time(arrived) : dirt::time(rng_, arrived));
    }
    if (rng_.chance(0.8)) field("origin", dirt::place(rng_, trip.origin));
    if (rng_.chance(0.08)) other_field();
  }

  void home_visits(const Household& h, const Person& p, const Phone* phone, const Trip& trip,
                   Instant first) {
    if (first >= end_) return;
    const int team_no = rng_.between(1, 6);
    const std::uint64_t r = rng_.below(100);
    bool exact = false;
    Instant second = kNever;
    int second_team = team_no % 6 + 1;
    if (r < 4) {
      second = first + kWeek;  // exactly W later, another team: flagged
      exact = true;
    } else if (r < 7) {
      second = first;  // the same instant, another team: not "before"
      exact = true;
    } else if (r < 12) {
      second = first + between(kHour, 5 * kDay);  // the same team again
      second_team = team_no;
    } else if (r < 40) {
      second = first + between(kHour, kWeek - kMinute);
    }
    home_visit(h, p, phone, trip, home_team(h.live_street, team_no), first, exact);
    if (second >= end_) return;
    std::string team = home_team(h.live_street, second_team);
    if (rng_.chance(0.05)) team = " " + team + " ";  // the same team once trimmed
    home_visit(h, p, phone, trip, team, second, exact);
  }

  std::string doses_text(const Person& p, Instant at) {
    const auto before = static_cast<std::int64_t>(
        std::count_if(p.doses.begin(), p.doses.end(), [&](Instant t) { return t < at; }));
    const std::uint64_t r = rng_.below(100);
    if (r < 85) return std::to_string(before);
    if (r < 90) return fmt::format("0{}", before);
    if (r < 94) return std::to_string(before + 1);
    if (r < 97) return fmt::format("{}针", before);
    return full_width(before);
  }

  static std::string full_width(std::int64_t n) {
    return dirt::full_width_digits(std::to_string(n));
  }

  void vaccine_promotion(const Household& h, const Person& p, Instant at) {
    const Phone* phone = p.phones.empty() ? nullptr : &h.phones[p.phones.front()];
    checkin_row(h, &p, phone, "vaccine_promotion",
                fmt::format("{}疫苗宣传组", street(h.live_street).street->name), rng_.between(2, 3),
                "社区卫生服务中心", at, false);
    field("name", dirt::name(rng_, p.name));
    if (phone != nullptr) field("phone", dirt::phone(rng_, phone->number));
    field("vaccine_doses", doses_text(p, at));
  }

  void household_events(const Household& h, const Month& m) {
    if (rng_.chance(0.012)) {  // volunteers sweep the building
      const Instant at = in_month(m);
      const std::string team =
          fmt::format("{}下沉志愿者{}队", street(h.live_street).street->name, rng_.between(1, 9));
      const int size = rng_.between(2, 4);
      const std::string agency = rng_.pick(kVolunteerAgencies);
      for (std::size_t i = 0; i < h.members.size(); ++i) {
        const Person& p = h.members[i];
        const Instant t = at + static_cast<Instant>(i) * 3 * kMinute;
        if (t >= end_) break;
        const Phone* phone = p.phones.empty() ? nullptr : &h.phones[p.phones.front()];
        checkin_row(h, &p, phone, "building_sweep", team, size, agency, t, false);
        field("id_number", id_text(p));
        field("name", dirt::name(rng_, p.name));
        field("vaccine_doses", doses_text(p, t));
        if (rng_.chance(0.3)) other_field();
      }
    }
    if (rng_.chance(0.005)) {  // duty at a checkpoint: a photo and nothing else
      std::optional<std::string> team =
          fmt::format("{}值守{}组", street(h.live_street).street->name, rng_.between(1, 4));
      if (rng_.chance(0.05)) team = blank_or_null();
      checkin_row(h, nullptr, nullptr, "site_duty", team, rng_.between(1, 2), "街道办", in_month(m),
                  false);
    }
  }

 public:
  std::int64_t rows() const {
    return static_cast<std::int64_t>(city_.size()) + person_id_ + residence_id_ + link_id_ +
           subscription_id_ + assignment_id_ + inquiry_id_ + report_id_ + travel_id_ +
           vaccination_id_ + checkin_id_;
  }

 private:
  const Options& options_;
  std::ostream& log_;
  Rng rng_;
  const Divisions& divisions_;
  IdAllocator ids_;
  PhoneAllocator phones_;
  std::vector<Month> months_;
  Instant first_ = 0;  // start of the first covered month
  Instant end_ = 0;    // A of the last covered month
  std::vector<CityStreet> city_;

  Statement streets_, communities_, persons_, residences_, links_, subscriptions_, assignments_,
      inquiries_, self_reports_, travel_, vaccinations_, checkins_, fields_;

  std::int64_t person_id_ = 0, residence_id_ = 0, link_id_ = 0, subscription_id_ = 0,
               assignment_id_ = 0, inquiry_id_ = 0, report_id_ = 0, travel_id_ = 0,
               vaccination_id_ = 0, checkin_id_ = 0;
};

Status validate(const Options& options) {
  if (options.out_path.empty()) return Status::error("synth: no output file given (--out)");
  if (options.persons < 1 || options.persons > kMaxPersons) {
    return Status::error(
        fmt::format("synth: --persons must be 1..{}, got {}", kMaxPersons, options.persons));
  }
  if (options.months < 1 || options.months > kMaxMonths) {
    return Status::error(
        fmt::format("synth: --months must be 1..{}, got {}", kMaxMonths, options.months));
  }
  if (options.period.year() * 12 + options.period.month() - options.months < 1900 * 12) {
    return Status::error("synth: the covered months would start before 1900");
  }
  std::error_code ec;
  if (std::filesystem::exists(options.out_path, ec) || ec) {
    return Status::error(fmt::format(
        "synth: {} already exists; refusing to overwrite it (remove it or choose another --out)",
        options.out_path));
  }
  return Status::ok();
}

void write_registry(const Options& options, const std::string& path, std::ostream& log) {
  Database db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
  db.exec("PRAGMA journal_mode=OFF");
  db.exec("PRAGMA synchronous=OFF");
  db.exec("PRAGMA cache_size=-65536");
  db.exec("BEGIN");
  for (const TableSpec& t : registry_schema()) db.exec(create_table_sql(t));
  std::int64_t rows = 0;
  {
    Generator generator(options, db, log);
    generator.run();
    rows = generator.rows();
  }
  db.exec("COMMIT");
  log << fmt::format("synth: {} registry rows written (check-in fields not counted)\n", rows);
}

}  // namespace

std::vector<AuditPeriod> covered_periods(const Options& options) {
  std::vector<AuditPeriod> periods;
  const int last = options.period.year() * 12 + options.period.month() - 1;
  for (int m = last - options.months + 1; m <= last; ++m) {
    periods.push_back(AuditPeriod::of_month(m / 12, m % 12 + 1));
  }
  return periods;
}

Status generate(const Options& options, std::ostream& log) {
  if (Status s = validate(options); !s) return s;
  const auto started = std::chrono::steady_clock::now();
  const std::vector<AuditPeriod> periods = covered_periods(options);
  const std::string temp = fmt::format("{}.partial-{}", options.out_path, ::getpid());
  std::error_code ignored;
  const auto fail = [&](const std::string& message) {
    std::filesystem::remove(temp, ignored);
    return Status::error(message);
  };
  log << fmt::format("synth: {} persons, seed {}, months {}..{}\n", options.persons, options.seed,
                     periods.front().label(), periods.back().label());
  try {
    write_registry(options, temp, log);
  } catch (const SqliteError& e) {
    return fail(fmt::format("synth: writing {} failed: {}", options.out_path, e.what()));
  }
  const auto written = std::chrono::steady_clock::now();
  log << "synth: computing _truth\n";
  if (Status s = compute_truth(temp, periods); !s) return fail(s.message());
  if (std::filesystem::exists(options.out_path, ignored)) {
    return fail(fmt::format("synth: {} appeared while generating; refusing to overwrite it",
                            options.out_path));
  }
  std::error_code ec;
  std::filesystem::rename(temp, options.out_path, ec);
  if (ec)
    return fail(fmt::format("synth: cannot rename to {}: {}", options.out_path, ec.message()));
  const auto seconds = [](auto from, auto to) {
    return std::chrono::duration<double>(to - from).count();
  };
  const auto done = std::chrono::steady_clock::now();
  log << fmt::format("synth: done in {:.1f} s (tables {:.1f} s, _truth {:.1f} s)\n",
                     seconds(started, done), seconds(started, written), seconds(written, done));
  return Status::ok();
}

}  // namespace regaudit::synth
