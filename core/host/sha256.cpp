#include "sha256.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <stdexcept>
#include <utility>
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

// The first `digits` hex digits of the `size` bytes at `digest`, into `out`.
void hex_into(const unsigned char* digest, std::size_t size, char* out, std::size_t digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  digits = std::min(digits, 2 * size);
  for (std::size_t i = 0; i < digits; ++i) {
    const unsigned char byte = digest[i / 2];
    out[i] = kHex[i % 2 == 0 ? byte >> 4 : byte & 0xF];
  }
}

// One reusable context per thread: fingerprints hash many short strings.
EVP_MD_CTX* thread_context() {
  thread_local const std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> context(EVP_MD_CTX_new(),
                                                                                &EVP_MD_CTX_free);
  if (context == nullptr) throw std::runtime_error("libcrypto: cannot start a SHA-256 digest");
  return context.get();
}

// Hashes `data` into `context` (started) and writes the digest's first
// `size` hex digits to `out`.
void finish_hex(EVP_MD_CTX* context, std::string_view data, char* out, std::size_t size) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int bytes = 0;
  if (EVP_DigestUpdate(context, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(context, digest.data(), &bytes) != 1) {
    throw std::runtime_error("libcrypto: cannot compute a SHA-256 digest");
  }
  hex_into(digest.data(), bytes, out, size);
}

}  // namespace

std::string to_hex(const void* bytes, std::size_t size) {
  std::string out(2 * size, '0');
  hex_into(static_cast<const unsigned char*>(bytes), size, out.data(), out.size());
  return out;
}

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
  return to_hex(digest.data(), size);
}

std::string sha256_hex(std::string_view data, std::size_t digits) {
  std::string out(std::min<std::size_t>(digits, 64), '0');
  sha256_hex(data, out.data(), out.size());
  return out;
}

void sha256_hex(std::string_view data, char* out, std::size_t size) {
  EVP_MD_CTX* context = thread_context();
  if (EVP_DigestInit_ex(context, sha256_md(), nullptr) != 1) {
    throw std::runtime_error("libcrypto: cannot start a SHA-256 digest");
  }
  finish_hex(context, data, out, size);
}

void PrefixedSha256::hex(std::string_view rest, char* out, std::size_t size) const {
  EVP_MD_CTX* context = thread_context();
  if (EVP_MD_CTX_copy_ex(context, prefix_.context_->ctx) != 1) {
    throw std::runtime_error("libcrypto: cannot start a SHA-256 digest");
  }
  finish_hex(context, rest, out, size);
}

FileHasher::FileHasher(const std::filesystem::path& path,
                       std::function<void(std::string_view)> on_piece)
    : file_(std::fopen(path.c_str(), "rb"), &std::fclose),
      on_piece_(std::move(on_piece)),
      failed_(file_ == nullptr) {}

bool FileHasher::step(std::size_t bytes) {
  if (!file_ || failed_) return false;
  buffer_.resize(std::size_t{1} << 20);
  for (std::size_t hashed = 0; hashed < bytes;) {
    const std::size_t n = std::fread(buffer_.data(), 1, buffer_.size(), file_.get());
    if (n > 0) {
      sha_.update(buffer_.data(), n);
      if (on_piece_) on_piece_({buffer_.data(), n});
      bytes_ += n;
      hashed += n;
    }
    if (n < buffer_.size()) {
      failed_ = std::ferror(file_.get()) != 0;
      file_.reset();
      return false;
    }
  }
  return true;
}

FileDigest FileHasher::digest() {
  return {sha_.hex_digest(), bytes_};
}

std::optional<FileDigest> sha256_file(const std::filesystem::path& path) {
  FileHasher hasher(path);
  while (hasher.step(std::size_t{64} << 20)) {
  }
  if (hasher.failed()) return std::nullopt;
  return hasher.digest();
}

}  // namespace regaudit::host
