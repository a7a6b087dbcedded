// SHA-256 (FIPS 180-4): the registry's input hash and findings' fingerprints.
//
// Computed by OpenSSL's libcrypto, which uses the CPU's SHA extensions where
// present: hashing the registry file is on every run's critical path.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace regaudit::host {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, std::size_t size);
  void update(std::string_view s) { update(s.data(), s.size()); }
  // Lower-case hex of the digest. The object must not be updated afterwards.
  std::string hex_digest();

 private:
  friend class PrefixedSha256;
  struct Context;
  std::unique_ptr<Context> context_;
};

// Lower-case hex of `size` bytes.
std::string to_hex(const void* bytes, std::size_t size);

// Lower-case hex of the digest of `data`, its first `digits` hex digits
// (at most 64).
std::string sha256_hex(std::string_view data, std::size_t digits = 64);
// The same into `out`: its first min(size, 64) characters, nothing allocated.
void sha256_hex(std::string_view data, char* out, std::size_t size);

// Hashes of texts that all start with one prefix (the fingerprints' secret
// key): the prefix's whole blocks are hashed once, here, and every hash
// starts from a copy of that state. hex() may be called from several threads
// at once.
class PrefixedSha256 {
 public:
  explicit PrefixedSha256(std::string_view prefix) { prefix_.update(prefix); }
  // sha256_hex(prefix + rest, out, size): the same digits.
  void hex(std::string_view rest, char* out, std::size_t size) const;

 private:
  Sha256 prefix_;
};

struct FileDigest {
  std::string sha256;
  std::uint64_t bytes = 0;
};

// A file hashed a piece at a time, so that a thread can do other work between
// the pieces.
class FileHasher {
 public:
  // Opens `path`; failed() when it cannot be opened. `on_piece`, when
  // given, sees every piece of the file as it is hashed, in order.
  explicit FileHasher(const std::filesystem::path& path,
                      std::function<void(std::string_view)> on_piece = {});
  // Hashes up to `bytes` more bytes (rounded up to whole reads); false once
  // nothing is left, or the file could not be opened or read (failed()).
  bool step(std::size_t bytes);
  bool failed() const { return failed_; }
  // The digest of the whole file, once step() has returned false without
  // failing.
  FileDigest digest();

 private:
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_{nullptr, &std::fclose};
  Sha256 sha_;
  std::vector<char> buffer_;
  std::function<void(std::string_view)> on_piece_;
  std::uint64_t bytes_ = 0;
  bool failed_ = false;
};

// Hashes a whole file; nullopt when it cannot be read.
std::optional<FileDigest> sha256_file(const std::filesystem::path& path);

}  // namespace regaudit::host
