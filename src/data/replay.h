// Market data for replay and backtests: ticks and 1-minute bars read from CSV
// files (formats in docs/data.md) and merged into one stream in time order.
//
//   auto src = data::ReplaySource::open("data/sample", {.from = KstDate{2026, 1, 5}});
//   if (!src) return src.error();
//   data::MarketEvent ev;
//   while ((*src)->next(ev)) { ... }
//   if ((*src)->stopped()) return *(*src)->stopped();   // a bad row under policy Stop, or I/O
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/result.h"
#include "core/time.h"
#include "core/types.h"

namespace dalbit::data {

enum class EventKind : std::uint8_t { Tick, Bar };

// One row of market data: `tick` when kind is Tick, `bar` when kind is Bar.
struct MarketEvent {
  EventKind kind = EventKind::Tick;
  Tick tick;
  Bar bar;
  [[nodiscard]] Timestamp time() const { return kind == EventKind::Tick ? tick.time : bar.time; }
  [[nodiscard]] const StockCode& code() const {
    return kind == EventKind::Tick ? tick.code : bar.code;
  }
};

struct ReplayOptions {
  config::BadRowPolicy on_bad_row = config::BadRowPolicy::Skip;
  std::optional<KstDate> from{};  // first KST date replayed (inclusive)
  std::optional<KstDate> to{};    // last KST date replayed (inclusive)
};

class ReplaySource {
 public:
  // `path` is one CSV file, or a directory whose *.csv files (recursively,
  // sorted by path) are all replayed. Fails, naming the path or file, when the
  // path does not exist, a directory holds no *.csv, a file cannot be read or
  // has an unknown header, or `from` is after `to`. Bad rows are not open's
  // business: they surface while replaying.
  [[nodiscard]] static Result<std::unique_ptr<ReplaySource>> open(const std::string& path,
                                                                  const ReplayOptions& options);
  ~ReplaySource();
  ReplaySource(const ReplaySource&) = delete;
  ReplaySource& operator=(const ReplaySource&) = delete;

  // The next event in time order across all files; ties go to the file that
  // sorts first, then to the earlier row. False at the end, or once stopped().
  [[nodiscard]] bool next(MarketEvent& out);

  // Set when a bad row stopped the replay (policy Stop) or a read failed:
  // "<file>:<line>: <what>" or "<file>: <I/O error>".
  [[nodiscard]] const std::optional<Error>& stopped() const;

  // Progress: bytes of the files consumed so far, of the files' total size.
  [[nodiscard]] std::uint64_t bytes_done() const;
  [[nodiscard]] std::uint64_t bytes_total() const;
  // Data rows read (comments, blank lines and headers excluded; rows outside
  // from/to and bad rows included), and bad rows skipped under policy Skip.
  [[nodiscard]] std::uint64_t rows_read() const;
  [[nodiscard]] std::uint64_t rows_skipped() const;
  // The files being replayed, in the order that breaks ties.
  [[nodiscard]] std::vector<std::string> files() const;

 private:
  struct State;
  explicit ReplaySource(std::unique_ptr<State> state);
  std::unique_ptr<State> s_;
};

}  // namespace dalbit::data
