// A progress bar on stderr for long jobs (generate, import, load, bench).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace fastbreak {

// Draws "label [=====>    ]  42% 1.2M rows 3.4s" on one stderr line, redrawn at most ten
// times a second; on a non-terminal stderr it prints a plain line every 10%. Not thread-safe.
class ProgressBar {
 public:
  // `total` units of work (0 when unknown); `unit` names them ("games", "rows").
  ProgressBar(std::string label, int64_t total, std::string unit, std::FILE* out = stderr);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Sets the work done so far. Cheap when nothing needs redrawing.
  void Update(int64_t done);
  // Draws the final state and ends the line. Called by the destructor if not called before.
  void Finish();
  // Sets the total when it becomes known after construction.
  void SetTotal(int64_t total) { total_ = total; }
  // Disables all output (for --quiet and tests).
  void Silence() { silent_ = true; }

 private:
  void Draw(bool final_line);

  std::string label_;
  int64_t total_;
  std::string unit_;
  std::FILE* out_;
  bool tty_;
  bool silent_ = false;
  bool finished_ = false;
  int64_t done_ = 0;
  int last_decile_ = -1;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace fastbreak
