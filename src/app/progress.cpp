#include "app/progress.h"

#include <unistd.h>

#include <cstdio>

namespace dalbit::app {

Progress::Progress(std::string label)
    : label_(std::move(label)), tty_(::isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()) {}

void Progress::update(std::uint64_t done, std::uint64_t total, std::uint64_t events, const std::string& where) {
  const double frac = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 0.0;
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = secs > 0 ? static_cast<double>(events) / secs : 0.0;
  if (tty_) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(frac * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::fprintf(stderr, "\r%s [%s] %3d%%  %s  %.2fM events/s ", label_.c_str(), bar.c_str(),
                 static_cast<int>(frac * 100), where.c_str(), rate / 1e6);
    std::fflush(stderr);
    drawn_ = true;
    return;
  }
  const int decile = static_cast<int>(frac * 10);
  if (decile == last_decile_) return;
  last_decile_ = decile;
  std::fprintf(stderr, "%s: %d%% (%llu events, at %s)\n", label_.c_str(), decile * 10,
               static_cast<unsigned long long>(events), where.c_str());
}

void Progress::finish() {
  if (drawn_) std::fputc('\n', stderr);
  drawn_ = false;
}

}  // namespace dalbit::app
