#include "atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

namespace regaudit::reports {
namespace {

// Writes a new file's bytes in order, past the page cache (O_DIRECT) where
// the file system allows it, and through it otherwise.
//
// Through the page cache every page of the report is first a fresh page of
// memory, and on this virtual machine fresh memory is dear: 400 MB written
// and flushed took 1.1 s that way (dd, conv=fsync) and 0.32 to 0.38 s
// direct; 4.2 GB took about 7 s, throttled by the kernel's dirty-page
// limits, and 2.0 s direct. A large report also no longer pushes the
// audited registry out of the page cache.
//
// Direct writes need aligned memory, offsets and lengths: the bytes are
// gathered in an aligned 8 MiB buffer and written in multiples of 4 KiB; the
// tail (under 4 KiB) goes through the page cache at the end, as does
// everything once a direct write is refused (EINVAL: a file system or device
// that wants another alignment) or cut short.
class FileWriter {
 public:
  FileWriter(int fd, FileIo io) : fd_(fd) {
#ifdef O_DIRECT
    if (io == FileIo::page_cache) return;
    void* buffer = nullptr;
    const int flags = fcntl(fd_, F_GETFL);
    if (flags >= 0 && posix_memalign(&buffer, kAlignment, kBufferBytes) == 0) {
      buffer_.reset(static_cast<char*>(buffer));
      direct_ = fcntl(fd_, F_SETFL, flags | O_DIRECT) == 0;
    }
#else
    (void)io;
#endif
  }

  void write(std::string_view content) {
    while (direct_ && !content.empty() && error_ == 0) {
      const std::size_t n = std::min(content.size(), kBufferBytes - held_);
      std::memcpy(buffer_.get() + held_, content.data(), n);
      held_ += n;
      content.remove_prefix(n);
      if (held_ == kBufferBytes) write_held(kBufferBytes);
    }
    if (!direct_) {  // never direct, or refused on the way: what is held comes first
      write_buffered(take_held());
      write_buffered(content);
    }
  }

  // Writes what is still held; call once, after the last write().
  void finish() {
    if (direct_) {
      write_held(held_ / kAlignment * kAlignment);
      stop_direct();
    }
    write_buffered(take_held());
  }

  // The first errno a write met, or 0.
  int error() const {
    return error_;
  }

 private:
  static constexpr std::size_t kAlignment = 4096;
  static constexpr std::size_t kBufferBytes = std::size_t{8} << 20;

  // Writes the first `n` held bytes (a multiple of kAlignment) directly and
  // keeps the rest at the start of the buffer.
  void write_held(std::size_t n) {
    std::size_t written = 0;
    while (direct_ && written < n && error_ == 0) {
      const ssize_t w = ::write(fd_, buffer_.get() + written, n - written);
      if (w < 0) {
        if (errno == EINTR) continue;
        if (errno == EINVAL) {
          stop_direct();  // the rest goes through the page cache
          break;
        }
        error_ = errno;
        return;
      }
      written += static_cast<std::size_t>(w);
      offset_ += w;
      if (written % kAlignment != 0) stop_direct();  // a short write: go on buffered
    }
    if (written < n) write_buffered({buffer_.get() + written, n - written});
    std::memmove(buffer_.get(), buffer_.get() + n, held_ - n);
    held_ -= n;
  }

  std::string_view take_held() {
    const std::string_view held(buffer_.get(), held_);
    held_ = 0;
    return held;
  }

  void stop_direct() {
    direct_ = false;
#ifdef O_DIRECT
    const int flags = fcntl(fd_, F_GETFL);
    if (flags >= 0) (void)fcntl(fd_, F_SETFL, flags & ~O_DIRECT);
#endif
  }

  void write_buffered(std::string_view content) {
    std::size_t written = 0;
    while (error_ == 0 && written < content.size()) {
      const ssize_t n = ::write(fd_, content.data() + written, content.size() - written);
      if (n < 0) {
        if (errno != EINTR) error_ = errno;
        continue;
      }
      written += static_cast<std::size_t>(n);
      offset_ += n;
    }
#ifdef SYNC_FILE_RANGE_WRITE
    // The disk writes what is produced while the rest is being produced:
    // every 32 MiB written are handed to writeback at once, so the final
    // fsync waits only for the tail instead of the whole file. A hint only:
    // its failure is ignored, and fsync still decides.
    if (offset_ - handed_over_ >= kWritebackStep) {
      (void)sync_file_range(fd_, handed_over_, offset_ - handed_over_, SYNC_FILE_RANGE_WRITE);
      handed_over_ = offset_;
    }
#endif
  }

  static constexpr off_t kWritebackStep = off_t{32} << 20;

  struct Free {
    void operator()(char* p) const { std::free(p); }
  };
  int fd_;
  bool direct_ = false;
  std::unique_ptr<char, Free> buffer_;
  std::size_t held_ = 0;
  int error_ = 0;
  off_t offset_ = 0;  // bytes written so far
  // Written up to here and handed to writeback (which does nothing for the
  // directly written bytes, which have no dirty pages).
  off_t handed_over_ = 0;
};

}  // namespace

Status write_file_atomically(const std::filesystem::path& target, std::string_view content) {
  return write_file_atomically(target, [content](const ChunkSink& sink) { sink(content); });
}

Status write_file_atomically(const std::filesystem::path& target,
                             const std::function<void(const ChunkSink&)>& produce, FileIo io) {
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
  // Whatever the producer throws (it may run threads, which the system can
  // refuse), the temporary file is closed and removed before it goes on.
  try {
    FileWriter writer(fd, io);
    produce([&](std::string_view content) { writer.write(content); });
    writer.finish();
    if (writer.error() != 0) {
      errno = writer.error();
      return fail("writing");
    }
  } catch (...) {
    close(fd);
    unlink(temp.c_str());
    throw;
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
