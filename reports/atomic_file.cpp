#include "atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace regaudit::reports {

Status write_file_atomically(const std::filesystem::path& target, std::string_view content) {
  return write_file_atomically(target, [content](const ChunkSink& sink) { sink(content); });
}

Status write_file_atomically(const std::filesystem::path& target,
                             const std::function<void(const ChunkSink&)>& produce) {
  std::string temp =
      (target.parent_path() / ("." + target.filename().string() + ".XXXXXX")).string();
  const int fd = mkstemp(temp.data());
  if (fd < 0) {
    return Status::error(fmt::format("{}: cannot create a temporary file: {}", target.string(),
                                     std::strerror(errno)));
  }
  const auto fail = [&](const char* what) {
    const int err = errno;
    close(fd);
    unlink(temp.c_str());
    return Status::error(
        fmt::format("{}: {} failed: {}", target.string(), what, std::strerror(err)));
  };
  int write_error = 0;
  // The disk writes what is produced while the rest is being produced: every
  // 32 MiB written are handed to writeback at once, so the final fsync waits
  // only for the tail instead of the whole file (at 10 M persons the report
  // is 4 GB, several seconds of disk). A hint only: its failure is ignored,
  // and fsync below still decides.
  constexpr off_t kWritebackStep = off_t{32} << 20;
  off_t file_size = 0;
  off_t handed_over = 0;
  // Whatever the producer throws (it may run threads, which the system can
  // refuse), the temporary file is closed and removed before it goes on.
  try {
    produce([&](std::string_view content) {
      std::size_t written = 0;
      while (write_error == 0 && written < content.size()) {
        const ssize_t n = write(fd, content.data() + written, content.size() - written);
        if (n < 0) {
          if (errno != EINTR) write_error = errno;
          continue;
        }
        written += static_cast<std::size_t>(n);
        file_size += n;
      }
#ifdef SYNC_FILE_RANGE_WRITE
      if (file_size - handed_over >= kWritebackStep) {
        (void)sync_file_range(fd, handed_over, file_size - handed_over, SYNC_FILE_RANGE_WRITE);
        handed_over = file_size;
      }
#endif
    });
  } catch (...) {
    close(fd);
    unlink(temp.c_str());
    throw;
  }
  if (write_error != 0) {
    errno = write_error;
    return fail("writing");
  }
  if (fchmod(fd, 0644) != 0) return fail("setting permissions");
  if (fsync(fd) != 0) return fail("flushing to disk");
  if (close(fd) != 0) {
    unlink(temp.c_str());
    return Status::error(
        fmt::format("{}: closing failed: {}", target.string(), std::strerror(errno)));
  }
  if (std::rename(temp.c_str(), target.c_str()) != 0) {
    const int err = errno;
    unlink(temp.c_str());
    return Status::error(
        fmt::format("{}: renaming into place failed: {}", target.string(), std::strerror(err)));
  }
  return Status::ok();
}

}  // namespace regaudit::reports
