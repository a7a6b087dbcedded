// A live progress line on standard error, one per phase of a run (rules,
// merging, writing): rows done, rate and elapsed time, redrawn in place a few
// times a second. Only for a terminal: the command line enables it when
// standard error is a TTY and --quiet is not given; otherwise every call is a
// no-op.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace regaudit::host {

class ProgressLine {
 public:
  explicit ProgressLine(bool enabled);
  ~ProgressLine();  // ends the current phase
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // Ends the previous phase (its last line stays on screen) and starts one.
  // Rows are counted from the registry rows read in this process
  // (rows_read_in_process()) plus whatever add_rows() adds.
  void phase(std::string name);
  void add_rows(std::uint64_t n) { extra_rows_ += n; }
  // Ends the current phase; nothing more is drawn until the next phase().
  void finish();
  // Free text after the counters ("2/4 rules").
  void note(std::string text);

 private:
  void draw(bool final_line);
  void end_phase();

  const bool enabled_;
  std::mutex mutex_;
  std::string name_;
  std::string note_;
  std::uint64_t rows_at_start_ = 0;
  std::atomic<std::uint64_t> extra_rows_{0};
  std::chrono::steady_clock::time_point started_;
  std::jthread ticker_;
};

}  // namespace regaudit::host
