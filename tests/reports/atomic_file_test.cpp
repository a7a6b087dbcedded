// write_file_atomically, tested directly: whatever the pieces and the size
// (around the direct writes' 4 KiB alignment and 8 MiB buffer), the file
// holds exactly the bytes produced, written past the page cache or through
// it, and nothing else is left in its directory.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "atomic_file.hpp"
#include "support/temp_registry.hpp"

namespace regaudit::test {
namespace {

std::string pattern(std::size_t size) {
  std::string bytes(size, '\0');
  std::uint32_t x = 12345;
  for (char& c : bytes) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  return bytes;
}

// The checks of the first test in `dir`.
void check_contents(const std::filesystem::path& dir) {
  constexpr std::size_t kMiB = std::size_t{1} << 20;
  const std::vector<std::size_t> sizes = {
      0, 1, 4095, 4096, 4097, 8 * kMiB - 1, 8 * kMiB, 8 * kMiB + 1, 20 * kMiB + 123};
  const std::vector<std::size_t> pieces = {1, 7, 4096, kMiB + 3, std::size_t{1} << 40};
  for (const auto io : {reports::FileIo::direct_when_possible, reports::FileIo::page_cache}) {
    for (const std::size_t size : sizes) {
      const std::string content = pattern(size);
      for (const std::size_t piece : pieces) {
        // Millions of tiny writes through the page cache would only be slow
        // (each is a system call); gathered for direct writes they are not.
        if (piece < 4096 && size > 64 * 1024 && (io == reports::FileIo::page_cache || piece == 1)) {
          continue;
        }
        const auto target = dir / "report.xml";
        const Status s = reports::write_file_atomically(
            target,
            [&](const reports::ChunkSink& sink) {
              for (std::size_t at = 0; at < size; at += piece) {
                sink(std::string_view(content).substr(at, piece));
              }
            },
            io);
        ASSERT_TRUE(s) << s.message();
        const std::string what = std::to_string(size) + " bytes in pieces of " +
                                 std::to_string(piece) +
                                 (io == reports::FileIo::page_cache ? " (page cache)" : "");
        ASSERT_EQ(std::filesystem::file_size(target), size) << what;
        ASSERT_TRUE(read_file(target) == content) << what;
        struct stat st {};
        ASSERT_EQ(stat(target.c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 0777, 0644u) << what;
        std::size_t entries = 0;
        for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++entries;
        EXPECT_EQ(entries, 1u) << what << ": a temporary file was left behind";
      }
    }
  }
}

TEST(AtomicFile, HoldsExactlyTheBytesProducedWhateverThePiecesAndTheIo) {
  TempDir dir;
  check_contents(dir.path());
}

// tmpfs: O_DIRECT refused (before Linux 6.6) or accepted, the same bytes.
TEST(AtomicFile, HoldsExactlyTheBytesProducedInMemoryFileSystems) {
  if (!std::filesystem::is_directory("/dev/shm")) GTEST_SKIP() << "no /dev/shm";
  std::string pattern_dir = "/dev/shm/regaudit-test-XXXXXX";
  ASSERT_NE(mkdtemp(pattern_dir.data()), nullptr);
  check_contents(pattern_dir);
  std::filesystem::remove_all(pattern_dir);
}

TEST(AtomicFile, AFailingProducerLeavesThePreviousFileAndNoTemporaryFile) {
  TempDir dir;
  const auto target = dir.path() / "report.xml";
  ASSERT_TRUE(reports::write_file_atomically(target, "before"));
  const std::string large = pattern(9u << 20);
  EXPECT_THROW((void)reports::write_file_atomically(target,
                                                    [&](const reports::ChunkSink& sink) {
                                                      sink(large);
                                                      throw std::runtime_error("no more");
                                                    }),
               std::runtime_error);
  EXPECT_EQ(read_file(target), "before");
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) ++entries;
  EXPECT_EQ(entries, 1u);
}

}  // namespace
}  // namespace regaudit::test
