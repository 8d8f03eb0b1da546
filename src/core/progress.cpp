#include "core/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>

namespace fastbreak {
namespace {

std::string Compact(int64_t n) {
  if (n >= 10'000'000) return fmt::format("{:.1f}M", static_cast<double>(n) / 1e6);
  if (n >= 10'000) return fmt::format("{:.1f}k", static_cast<double>(n) / 1e3);
  return fmt::format("{}", n);
}

}  // namespace

ProgressBar::ProgressBar(std::string label, int64_t total, std::string unit, std::FILE* out)
    : label_(std::move(label)),
      total_(total),
      unit_(std::move(unit)),
      out_(out),
      tty_(out != nullptr && isatty(fileno(out)) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Update(int64_t done) {
  done_ = done;
  if (silent_ || out_ == nullptr) return;
  const auto now = std::chrono::steady_clock::now();
  if (tty_) {
    if (now - last_draw_ < std::chrono::milliseconds(100)) return;
  } else {
    const int decile = total_ > 0 ? static_cast<int>(10 * done_ / std::max<int64_t>(total_, 1)) : 0;
    if (decile == last_decile_) return;
    last_decile_ = decile;
  }
  last_draw_ = now;
  Draw(false);
}

void ProgressBar::Finish() {
  if (finished_) return;
  finished_ = true;
  if (!silent_ && out_ != nullptr) Draw(true);
}

void ProgressBar::Draw(bool final_line) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string bar;
  if (total_ > 0) {
    constexpr int kWidth = 30;
    const double fraction = std::clamp(static_cast<double>(done_) / total_, 0.0, 1.0);
    const int filled = static_cast<int>(fraction * kWidth);
    bar =
        fmt::format("[{}{}{}] {:3.0f}% ", std::string(filled, '='), filled < kWidth ? ">" : "",
                    std::string(kWidth - filled - (filled < kWidth ? 1 : 0), ' '), fraction * 100);
  }
  const std::string text =
      fmt::format("{} {}{} {} {:.1f}s", label_, bar, Compact(done_), unit_, seconds);
  if (tty_) {
    fmt::print(out_, "\r\033[K{}{}", text, final_line ? "\n" : "");
  } else {
    fmt::print(out_, "{}\n", text);
  }
  std::fflush(out_);
}

}  // namespace fastbreak
