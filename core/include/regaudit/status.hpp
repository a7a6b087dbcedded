// Status: the outcome of an operation whose failure is expected (bad input,
// a refused plugin, a rule that cannot run). Errors are values; exceptions are
// kept for the truly exceptional and never cross the plugin boundary.
#pragma once

#include <string>
#include <utility>

namespace regaudit {

class Status {
 public:
  static Status ok() { return Status(); }
  // `message` says what went wrong, where, and if possible what to do.
  static Status error(std::string message) { return Status(std::move(message)); }

  bool is_ok() const { return !failed_; }
  explicit operator bool() const { return is_ok(); }
  // Empty when is_ok().
  const std::string& message() const { return message_; }

 private:
  Status() = default;
  explicit Status(std::string message) : failed_(true), message_(std::move(message)) {}

  bool failed_ = false;
  std::string message_;
};

}  // namespace regaudit
