// SHA-256 (FIPS 180-4): the registry's input hash and findings' fingerprints.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace regaudit::host {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t size);
  void update(std::string_view s) { update(s.data(), s.size()); }
  // Lower-case hex of the digest. The object must not be updated afterwards.
  std::string hex_digest();

 private:
  void compress(const std::uint8_t* block);
  std::array<std::uint32_t, 8> state_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

std::string sha256_hex(std::string_view data);

struct FileDigest {
  std::string sha256;
  std::uint64_t bytes = 0;
};
// Hashes a whole file; nullopt when it cannot be read.
std::optional<FileDigest> sha256_file(const std::filesystem::path& path);

}  // namespace regaudit::host
