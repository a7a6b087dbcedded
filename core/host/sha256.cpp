#include "sha256.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <stdexcept>
#include <vector>

namespace regaudit::host {
namespace {

// The SHA-256 implementation, fetched once per process.
const EVP_MD* sha256_md() {
  static EVP_MD* md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) throw std::runtime_error("libcrypto: SHA-256 is unavailable");
    return fetched;
  }();
  return md;
}

// The first `digits` hex digits of the `size` bytes at `digest`.
std::string hex(const unsigned char* digest, unsigned int size, std::size_t digits = 64) {
  static constexpr char kHex[] = "0123456789abcdef";
  digits = std::min<std::size_t>(digits, 2 * std::size_t{size});
  std::string out(digits, '0');
  for (std::size_t i = 0; i < digits; ++i) {
    const unsigned char byte = digest[i / 2];
    out[i] = kHex[i % 2 == 0 ? byte >> 4 : byte & 0xF];
  }
  return out;
}

}  // namespace

struct Sha256::Context {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Context() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : context_(std::make_unique<Context>()) {
  if (context_->ctx == nullptr || EVP_DigestInit_ex(context_->ctx, sha256_md(), nullptr) != 1) {
    throw std::runtime_error("libcrypto: cannot start a SHA-256 digest");
  }
}

Sha256::~Sha256() = default;

void Sha256::update(const void* data, std::size_t size) {
  EVP_DigestUpdate(context_->ctx, data, size);
}

std::string Sha256::hex_digest() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_DigestFinal_ex(context_->ctx, digest.data(), &size);
  return hex(digest.data(), size);
}

std::string sha256_hex(std::string_view data, std::size_t digits) {
  // One reusable context per thread: fingerprints hash many short strings.
  thread_local const std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> context(EVP_MD_CTX_new(),
                                                                                &EVP_MD_CTX_free);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (context == nullptr || EVP_DigestInit_ex(context.get(), sha256_md(), nullptr) != 1) {
    throw std::runtime_error("libcrypto: cannot start a SHA-256 digest");
  }
  EVP_DigestUpdate(context.get(), data.data(), data.size());
  EVP_DigestFinal_ex(context.get(), digest.data(), &size);
  return hex(digest.data(), size, digits);
}

std::optional<FileDigest> sha256_file(const std::filesystem::path& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return std::nullopt;
  Sha256 h;
  FileDigest digest;
  std::vector<char> buffer(1 << 20);
  while (true) {
    const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), file.get());
    if (n > 0) {
      h.update(buffer.data(), n);
      digest.bytes += n;
    }
    if (n < buffer.size()) break;
  }
  if (std::ferror(file.get())) return std::nullopt;
  digest.sha256 = h.hex_digest();
  return digest;
}

}  // namespace regaudit::host
