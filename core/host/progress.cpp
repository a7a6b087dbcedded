#include "progress.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "regaudit/registry.hpp"

namespace regaudit::host {

ProgressLine::ProgressLine(bool enabled) : enabled_(enabled) {
  if (!enabled_) return;
  ticker_ = std::jthread([this](std::stop_token stop) {
    while (!stop.stop_requested()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      const std::lock_guard lock(mutex_);
      if (!name_.empty()) draw(false);
    }
  });
}

ProgressLine::~ProgressLine() {
  if (!enabled_) return;
  ticker_.request_stop();
  ticker_.join();
  const std::lock_guard lock(mutex_);
  end_phase();
}

void ProgressLine::phase(std::string name) {
  if (!enabled_) return;
  const std::lock_guard lock(mutex_);
  end_phase();
  name_ = std::move(name);
  note_.clear();
  rows_at_start_ = rows_read_in_process();
  extra_rows_ = 0;
  started_ = std::chrono::steady_clock::now();
  draw(false);
}

void ProgressLine::finish() {
  if (!enabled_) return;
  const std::lock_guard lock(mutex_);
  end_phase();
}

void ProgressLine::note(std::string text) {
  if (!enabled_) return;
  const std::lock_guard lock(mutex_);
  note_ = std::move(text);
}

void ProgressLine::end_phase() {
  if (name_.empty()) return;
  draw(true);
  name_.clear();
}

void ProgressLine::draw(bool final_line) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  const std::uint64_t rows = rows_read_in_process() - rows_at_start_ + extra_rows_;
  const double rate = seconds > 0 ? static_cast<double>(rows) / seconds : 0.0;
  std::string line =
      fmt::format("{:<8} {:>12} rows  {:>10.0f} rows/s  {:6.1f} s", name_, rows, rate, seconds);
  if (!note_.empty()) line += "  " + note_;
  std::fprintf(stderr, "\r\x1b[K%s%s", line.c_str(), final_line ? "\n" : "");
  std::fflush(stderr);
}

}  // namespace regaudit::host
