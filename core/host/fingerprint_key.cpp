#include "fingerprint_key.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <pwd.h>
#include <sys/random.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "sha256.hpp"

namespace regaudit::host {
namespace {

constexpr std::size_t kLeastBytes = 16;
constexpr std::size_t kMostBytes = std::size_t{1} << 20;

std::filesystem::path home_directory() {
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') return home;
  if (const passwd* entry = getpwuid(getuid()); entry != nullptr && entry->pw_dir != nullptr) {
    return entry->pw_dir;
  }
  return {};
}

// 32 random bytes as 64 hex digits and a newline: a text file, easy to copy.
std::optional<std::string> random_key_text(std::string& error) {
  std::array<unsigned char, 32> bytes{};
  for (std::size_t got = 0; got < bytes.size();) {
    const ssize_t n = getrandom(bytes.data() + got, bytes.size() - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = fmt::format("no random bytes from the system: {}", std::strerror(errno));
      return std::nullopt;
    }
    got += static_cast<std::size_t>(n);
  }
  return to_hex(bytes.data(), bytes.size()) + '\n';
}

// Creates `file` with a new key unless it exists. Written to a temporary
// file first and linked into place, which fails when another run made the
// file meanwhile: then that run's key is the one.
bool create_key_file(const std::filesystem::path& file, std::string& error) {
  const std::filesystem::path dir = file.parent_path();
  std::error_code ec;
  if (std::filesystem::create_directories(dir, ec)) {
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  }
  if (ec) {
    error = fmt::format("cannot create the directory {}: {}", dir.string(), ec.message());
    return false;
  }
  const auto text = random_key_text(error);
  if (!text) return false;
  std::string temp = (dir / ".fingerprint-key.XXXXXX").string();
  const int fd = mkstemp(temp.data());  // mode 0600
  if (fd < 0) {
    error = fmt::format("cannot create a file in {}: {}", dir.string(), std::strerror(errno));
    return false;
  }
  const bool written =
      write(fd, text->data(), text->size()) == static_cast<ssize_t>(text->size()) && fsync(fd) == 0;
  const int write_errno = errno;
  close(fd);
  if (!written) {
    unlink(temp.c_str());
    error = fmt::format("cannot write {}: {}", temp, std::strerror(write_errno));
    return false;
  }
  bool linked = link(temp.c_str(), file.c_str()) == 0 || errno == EEXIST;
  int link_errno = errno;
  std::error_code ignored;
  if (!linked && !std::filesystem::exists(file, ignored)) {
    // A file system without hard links: renamed into place instead, which
    // a run creating the key at the same instant could overwrite.
    linked = std::rename(temp.c_str(), file.c_str()) == 0;
    link_errno = errno;
  }
  unlink(temp.c_str());
  if (!linked) {
    error = fmt::format("cannot create {}: {}", file.string(), std::strerror(link_errno));
    return false;
  }
  return true;
}

}  // namespace

std::filesystem::path default_fingerprint_key_file() {
  if (const char* config = std::getenv("XDG_CONFIG_HOME"); config != nullptr && *config != '\0') {
    return std::filesystem::path(config) / "regaudit" / "fingerprint-key";
  }
  const std::filesystem::path home = home_directory();
  if (home.empty()) return {};
  return home / ".config" / "regaudit" / "fingerprint-key";
}

std::string fingerprint_key_id(std::string_view key) {
  return sha256_hex(std::string("regaudit-fingerprint-key-id\x1f").append(key), 16);
}

std::optional<std::string> load_fingerprint_key(const std::filesystem::path& given,
                                                std::string& error, std::filesystem::path* made) {
  if (made != nullptr) made->clear();
  std::filesystem::path file = given;
  if (file.empty()) {
    file = default_fingerprint_key_file();
    if (file.empty()) {
      error =
          "no home directory or XDG_CONFIG_HOME to keep the fingerprint key in; give "
          "--fingerprint-key FILE";
      return std::nullopt;
    }
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
      if (!create_key_file(file, error)) {
        error = fmt::format("fingerprint key: {} (or give --fingerprint-key FILE)", error);
        return std::nullopt;
      }
      if (made != nullptr) *made = file;
    }
  }
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    error = fmt::format("fingerprint key {}: a directory, not a key file", file.string());
    return std::nullopt;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    error =
        fmt::format("fingerprint key {}: cannot be read: {}", file.string(), std::strerror(errno));
    return std::nullopt;
  }
  std::string bytes;
  bytes.resize(kMostBytes + 1);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  if (in.bad()) {
    error = fmt::format("fingerprint key {}: cannot be read", file.string());
    return std::nullopt;
  }
  if (bytes.size() < kLeastBytes || bytes.size() > kMostBytes) {
    error = fmt::format(
        "fingerprint key {}: {} bytes; a key file holds 16 bytes to 1 MiB (any secret the "
        "office keeps; without --fingerprint-key regaudit makes one of 32 random bytes)",
        file.string(), bytes.size());
    return std::nullopt;
  }
  Sha256 sha;
  sha.update(bytes.data(), bytes.size());
  return sha.hex_digest();
}

}  // namespace regaudit::host
