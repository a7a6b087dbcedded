// A whole input file mapped read-only into memory (empty files included).
#pragma once

#include <filesystem>
#include <string_view>

#include "regaudit/status.hpp"

namespace regaudit::import {

class MappedFile {
 public:
  MappedFile() = default;
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  // Errors name the file and what to do.
  Status open(const std::filesystem::path& path);
  // Valid while this object lives.
  std::string_view bytes() const { return {data_, size_}; }

 private:
  void release();
  const char* data_ = nullptr;
  std::size_t size_ = 0;
  bool mapped_ = false;
};

}  // namespace regaudit::import
