// SDK and host utilities: masking, hashing, options, XML safety.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <array>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "regaudit/pii.hpp"
#include "regaudit/registry.hpp"
#include "regaudit/rule.hpp"
#include "sha256.hpp"
#include "support/temp_registry.hpp"
#include "xml_report.hpp"

namespace regaudit {
namespace {

TEST(Masking, IdNumberKeepsRegionAndLastFour) {
  EXPECT_EQ(mask_id_number("440104199001011234"), "4401**********1234");
  EXPECT_EQ(mask_id_number("12345"), "***45");
  EXPECT_EQ(mask_id_number("1234"), "****");
  EXPECT_EQ(mask_id_number("110105491231002"), "1101*******1002");  // 15-digit legacy
  // A short, invalid number never shows most of itself.
  EXPECT_EQ(mask_id_number("440104199"), "*******99");
  EXPECT_EQ(mask_id_number("44010419900101"), "************01");
}

TEST(Masking, PhoneKeepsPrefixAndLastFour) {
  EXPECT_EQ(mask_phone("13800138000"), "138****8000");
  EXPECT_EQ(mask_phone("02083334444"), "020****4444");
  EXPECT_EQ(mask_phone("1234"), "****");
  // A local number without its area code: only the last two digits.
  EXPECT_EQ(mask_phone("83334444"), "******44");
  EXPECT_EQ(mask_phone("1380013800"), "********00");
}

TEST(Masking, NamesKeepTheSurname) {
  EXPECT_EQ(mask_name("张三"), "张*");
  EXPECT_EQ(mask_name("张三丰"), "张**");
  EXPECT_EQ(mask_name("欧阳娜娜"), "欧阳**");
  EXPECT_EQ(mask_name("李"), "*");
  EXPECT_EQ(mask_name(""), "");
}

TEST(Masking, PolicyRevealsOnlyWhenAsked) {
  EXPECT_EQ(PiiPolicy(false).phone("13800138000"), "138****8000");
  EXPECT_EQ(PiiPolicy(true).phone("13800138000"), "13800138000");
}

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(host::sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(host::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(host::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(host::sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, LeadingDigitsOnly) {
  EXPECT_EQ(host::sha256_hex("abc", 32), "ba7816bf8f01cfea414140de5dae2223");
  EXPECT_EQ(host::sha256_hex("abc", 7), "ba7816b");
  EXPECT_EQ(host::sha256_hex("abc", 0), "");
  EXPECT_EQ(host::sha256_hex("abc", 100),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// Fingerprints hash from the state their key leaves: the same digits as
// hashing the key and the rest together, for keys shorter and longer than
// one block, reused for many texts and from several threads.
TEST(Sha256, PrefixedHashIsTheHashOfPrefixAndRest) {
  for (const std::size_t prefix_size : {0, 1, 63, 64, 65, 88, 200}) {
    std::string prefix(prefix_size, '\0');
    for (std::size_t i = 0; i < prefix_size; ++i) prefix[i] = static_cast<char>('a' + i % 26);
    const host::PrefixedSha256 keyed(prefix);
    for (const std::string rest : {"", "abc",
                                   "hukou-mismatch\x1fphone_holder_mismatch\x1f"
                                   "1"}) {
      std::array<char, 32> digits{};
      keyed.hex(rest, digits.data(), digits.size());
      EXPECT_EQ(std::string_view(digits.data(), digits.size()), host::sha256_hex(prefix + rest, 32))
          << prefix_size << " " << rest;
    }
  }
  const host::PrefixedSha256 keyed(std::string(64, 'k'));
  std::vector<std::string> seen(2);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < seen.size(); ++t) {
    threads.emplace_back([&keyed, &seen, t] {
      for (int i = 0; i < 2000; ++i) {
        std::array<char, 64> digits{};
        keyed.hex(std::to_string(i), digits.data(), digits.size());
        seen[t].append(digits.data(), digits.size());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(seen[0], seen[1]);
  EXPECT_EQ(seen[0].substr(0, 64), host::sha256_hex(std::string(64, 'k') + "0"));
}

// The registry's digest is read a piece at a time (the host runs the pieces
// between other work); in whatever pieces, it is the digest of the bytes.
TEST(Sha256, FilesHashedInPiecesOfAnySize) {
  const test::TempDir dir;
  constexpr std::size_t kMiB = std::size_t{1} << 20;
  for (const std::size_t size :
       {std::size_t{0}, std::size_t{3}, kMiB - 1, kMiB, kMiB + 1, 3 * kMiB + 5}) {
    std::string content(size, '\0');
    for (std::size_t i = 0; i < size; ++i) content[i] = static_cast<char>('a' + i * 7 % 26);
    const auto file = dir.path() / ("file-" + std::to_string(size));
    std::ofstream(file, std::ios::binary) << content;
    const std::string expected = host::sha256_hex(content);
    for (const std::size_t piece : {std::size_t{1}, kMiB, 2 * kMiB, 64 * kMiB}) {
      SCOPED_TRACE(testing::Message() << size << " bytes in pieces of " << piece);
      host::FileHasher hasher(file);
      ASSERT_FALSE(hasher.failed());
      std::size_t more = 0;
      while (hasher.step(piece)) ++more;
      EXPECT_FALSE(hasher.failed());
      // A piece is whole reads of 1 MiB; the first short read ends the file.
      EXPECT_EQ(more, size / std::max(piece, kMiB));
      const host::FileDigest digest = hasher.digest();
      EXPECT_EQ(digest.sha256, expected);
      EXPECT_EQ(digest.bytes, size);
    }
    const auto whole = host::sha256_file(file);
    ASSERT_TRUE(whole.has_value());
    EXPECT_EQ(whole->sha256, expected);
    EXPECT_EQ(whole->bytes, size);
  }
}

TEST(Sha256, UnreadableFilesHaveNoDigest) {
  const test::TempDir dir;
  host::FileHasher absent(dir.path() / "absent.db");
  EXPECT_TRUE(absent.failed());
  EXPECT_FALSE(absent.step(1));
  EXPECT_FALSE(host::sha256_file(dir.path() / "absent.db").has_value());
  // A directory opens, but cannot be read.
  host::FileHasher directory(dir.path());
  EXPECT_FALSE(directory.step(1));
  EXPECT_TRUE(directory.failed());
  EXPECT_FALSE(host::sha256_file(dir.path()).has_value());
}

// Every row stepped is counted for the progress line once the statement
// ends, and no more than a few thousand rows late while it runs; a moved
// statement's rows are counted once. (Nothing else reads in this process
// meanwhile.)
TEST(RowsRead, EveryRowSteppedIsCountedOnceByTheEnd) {
  test::TempRegistry db;
  db.exec(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000) "
      "INSERT INTO vaccinations (vaccination_id, id_number, dose, vaccinated_at) "
      "SELECT i, 'x', 1, '2022-04-01' FROM n");
  RegistryView registry(db.path());
  const std::uint64_t before = rows_read_in_process();
  {
    Statement rows = registry.prepare("SELECT vaccination_id FROM vaccinations");
    for (int i = 0; i < 6000; ++i) ASSERT_TRUE(rows.step());
    EXPECT_GE(rows_read_in_process() - before, 6000u - 4096u);
    EXPECT_LE(rows_read_in_process() - before, 6000u);
    Statement moved = std::move(rows);
    while (moved.step()) {
    }
    rows = std::move(moved);  // back into the emptied statement
  }
  EXPECT_EQ(rows_read_in_process() - before, 10000u);
}

// Statement::text gives NULL, text, integers and reals as SQLite's text of
// them, the exact bytes (a NUL inside included), in a UTF-8 and a UTF-16
// registry, and a blob's bytes as they are in a UTF-8 one.
TEST(StatementText, ValuesAsSQLiteGivesThemAsText) {
  // 'a', NUL, 'b' in each encoding.
  for (const auto& [encoding, nul_inside] :
       {std::pair{"UTF-8", "610062"}, std::pair{"UTF-16le", "610000006200"}}) {
    const test::TempDir dir;
    const std::string path = (dir.path() / "values.db").string();
    sqlite3* writer = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &writer), SQLITE_OK);
    const std::string sql = std::string("PRAGMA encoding = '") + encoding +
                            "'; CREATE TABLE t (v); INSERT INTO t VALUES (NULL), (''), ('abc'), "
                            "('张三 ·'), (42), (1.5), (CAST(x'" +
                            nul_inside + "' AS TEXT));";
    ASSERT_EQ(sqlite3_exec(writer, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(writer);
    RegistryView registry(path);
    Statement rows = registry.prepare("SELECT v FROM t ORDER BY rowid");
    std::vector<std::string> texts;
    std::vector<bool> nulls;
    while (rows.step()) {
      nulls.push_back(rows.text(0).data() == nullptr);
      texts.emplace_back(rows.text(0));
    }
    const std::vector<std::string> expected = {
        "", "", "abc", "张三 ·", "42", "1.5", std::string("a\0b", 3)};
    EXPECT_EQ(texts, expected) << encoding;
    EXPECT_EQ(nulls, (std::vector<bool>{true, false, false, false, false, false, false}))
        << encoding;
  }
  // A blob's bytes, as they are, in a UTF-8 registry.
  const test::TempDir dir;
  const std::string path = (dir.path() / "blob.db").string();
  sqlite3* writer = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &writer), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(writer, "CREATE TABLE t (v); INSERT INTO t VALUES (x'00ff41');", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(writer);
  RegistryView registry(path);
  Statement rows = registry.prepare("SELECT v FROM t");
  ASSERT_TRUE(rows.step());
  EXPECT_EQ(rows.text(0), std::string_view("\0\xff"
                                           "A",
                                           3));
}

TEST(RuleOptionsTest, TypedGettersAndClearErrors) {
  const RuleOptions options({{"window_days", "7"}, {"minutes", "2.5"}, {"strict", "true"}});
  EXPECT_EQ(options.get_integer("window_days"), 7);
  EXPECT_DOUBLE_EQ(options.get_real("minutes"), 2.5);
  EXPECT_TRUE(options.get_boolean("strict"));
  EXPECT_THROW((void)options.get_integer("minutes"), std::invalid_argument);
  EXPECT_THROW((void)options.get_integer("absent"), std::invalid_argument);
}

TEST(ParamValues, CheckedByType) {
  EXPECT_TRUE(check_param_value(ParamType::integer, "7"));
  EXPECT_FALSE(check_param_value(ParamType::integer, "seven"));
  EXPECT_FALSE(check_param_value(ParamType::integer, "7.5"));
  EXPECT_TRUE(check_param_value(ParamType::real, "2.0"));
  EXPECT_FALSE(check_param_value(ParamType::real, "nan"));
  EXPECT_TRUE(check_param_value(ParamType::boolean, "false"));
  EXPECT_FALSE(check_param_value(ParamType::boolean, "maybe"));
}

TEST(SeverityTest, RoundTrips) {
  for (const char* s : {"info", "low", "medium", "high", "critical"}) {
    EXPECT_EQ(to_string(*parse_severity(s)), s);
  }
  EXPECT_FALSE(parse_severity("urgent"));
}

TEST(XmlSafety, ForbiddenCharactersAndBadUtf8BecomeReplacementCharacters) {
  EXPECT_EQ(reports::xml_safe("a\x01"
                              "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(reports::xml_safe("ok\tline\n"), "ok\tline\n");
  EXPECT_EQ(reports::xml_safe("\xFF"), "\xEF\xBF\xBD");
  EXPECT_EQ(reports::xml_safe("张三"), "张三");
}

TEST(Decimals, NoExponentNoTrailingZeros) {
  EXPECT_EQ(reports::decimal(5.5), "5.5");
  EXPECT_EQ(reports::decimal(0), "0");
  EXPECT_EQ(reports::decimal(2.0), "2");
  EXPECT_EQ(reports::decimal(1e-9), "0");
  EXPECT_EQ(reports::decimal(123456789.25), "123456789.25");
}

}  // namespace
}  // namespace regaudit
