#include "data/replay.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <system_error>

#include "data/csv.h"
#include "log/log.h"

namespace dalbit::data {
namespace {

namespace fs = std::filesystem;

// Read buffers share this budget, within the bounds below: one file reads in
// 1 MiB chunks, 50 files in 160 KiB chunks, 2,000 files take 16 KiB each.
constexpr std::size_t kBufferBudget = 8u << 20;
constexpr std::size_t kMinChunk = 16u << 10;
constexpr std::size_t kMaxChunk = 1u << 20;
// Files beyond this many are opened for each chunk read and closed again, so
// a directory of thousands of codes never runs into the descriptor limit.
constexpr std::size_t kMaxOpenFiles = 256;
// Skipped rows are all counted but only this many are logged per replay.
constexpr std::uint64_t kMaxLoggedBadRows = 100;

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

// One CSV file being read line by line through a fixed buffer.
class CsvFile {
 public:
  enum class Read : std::uint8_t { Line, TooLong, End, Failed };

  CsvFile(std::string path, std::uint64_t size, std::size_t chunk, bool keep_open)
      : path_(std::move(path)), size_(size), chunk_(chunk), keep_open_(keep_open) {}
  ~CsvFile() { close_fd(); }
  CsvFile(const CsvFile&) = delete;
  CsvFile& operator=(const CsvFile&) = delete;

  // The next line without its "\n" or "\r\n". TooLong: a line that does not
  // fit the buffer (it is skipped); Failed: error() says why.
  Read next_line(std::string_view& line) {
    for (;;) {
      const char* start = buf_.get() + begin_;
      const auto available = end_ - begin_;
      const auto* newline =
          available ? static_cast<const char*>(std::memchr(start, '\n', available)) : nullptr;
      if (discarding_) {
        // The tail of an over-long line: drop it up to its newline.
        const auto dropped = newline ? static_cast<std::size_t>(newline - start) + 1 : available;
        begin_ += dropped;
        consumed_ += dropped;
        if (newline) {
          discarding_ = false;
        } else if (eof_) {
          return Read::End;
        } else if (!fill() && !eof_) {
          return Read::Failed;
        }
        continue;
      }
      if (newline) {
        const auto length = static_cast<std::size_t>(newline - start);
        begin_ += length + 1;
        consumed_ += length + 1;
        ++line_no_;
        line = strip_cr({start, length});
        // With many files merged, this file's next row is read only after
        // rows of the others: fetch it now, it will be waited for otherwise.
        __builtin_prefetch(buf_.get() + begin_);
        __builtin_prefetch(buf_.get() + std::min(begin_ + 64, end_));
        return Read::Line;
      }
      if (eof_) {
        if (available == 0) return Read::End;
        begin_ = end_;
        consumed_ += available;
        ++line_no_;
        line = strip_cr({start, available});
        return Read::Line;
      }
      if (begin_ == 0 && end_ == chunk_) {
        ++line_no_;
        consumed_ += end_;
        begin_ = end_ = 0;
        discarding_ = true;
        return Read::TooLong;
      }
      if (!fill() && !eof_) return Read::Failed;
    }
  }

  // Done with the file: at its end, or giving up on the rest (past the last
  // date wanted). Later reads return End.
  void finish() {
    consumed_ = std::max(consumed_, size_);
    begin_ = end_ = 0;
    eof_ = true;
    close_fd();
    buf_.reset();
  }

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::uint64_t line_no() const { return line_no_; }
  [[nodiscard]] std::uint64_t consumed() const { return std::min(consumed_, size_); }
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] std::size_t chunk() const { return chunk_; }

 private:
  static std::string_view strip_cr(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  }

  // Moves the unread rest to the front and reads more behind it. False at the
  // end of the file (eof_ set) or on an error (error_ set).
  bool fill() {
    if (eof_) return false;
    if (!buf_) buf_ = std::make_unique<char[]>(chunk_);
    if (begin_ > 0) {
      std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (fd_ < 0) {
      fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd_ < 0) return failed("cannot open: " + errno_text(errno));
    }
    ssize_t n = 0;
    do {
      n = ::pread(fd_, buf_.get() + end_, chunk_ - end_, static_cast<off_t>(offset_));
    } while (n < 0 && errno == EINTR);
    if (n < 0) return failed("read failed: " + errno_text(errno));
    if (!keep_open_ || n == 0) close_fd();
    if (n == 0) {
      eof_ = true;
      return false;
    }
    offset_ += static_cast<std::uint64_t>(n);
    end_ += static_cast<std::size_t>(n);
    return true;
  }

  bool failed(std::string what) {
    error_ = path_ + ": " + what;
    close_fd();
    return false;
  }

  void close_fd() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  std::string path_;
  std::uint64_t size_;
  std::size_t chunk_;
  bool keep_open_;
  int fd_ = -1;
  std::unique_ptr<char[]> buf_;
  std::size_t begin_ = 0;       // first unread byte in buf_
  std::size_t end_ = 0;         // one past the last byte read into buf_
  std::uint64_t offset_ = 0;    // file offset of the next read
  std::uint64_t consumed_ = 0;  // bytes handed out as lines (or skipped)
  std::uint64_t line_no_ = 0;
  bool eof_ = false;
  bool discarding_ = false;
  std::string error_;
};

}  // namespace

struct ReplaySource::State {
  // A file's reader plus the one event it has ready for the merge.
  struct Cursor {
    Cursor(std::string path, std::uint64_t size, std::size_t chunk, bool keep_open)
        : file(std::move(path), size, chunk, keep_open) {}
    CsvFile file;
    CsvKind kind = CsvKind::Ticks;
    RowParser parser;
    MarketEvent head;
    Timestamp last_time = Timestamp::min();
  };

  ReplayOptions options;
  Timestamp from = Timestamp::min();
  Timestamp to_end = Timestamp::max();  // first instant after the `to` date
  std::vector<std::unique_ptr<Cursor>> cursors;
  // Cursors holding an event: a binary min-heap on (time, index). The time is
  // kept here, not looked up, so ordering the heap touches no cursor.
  struct Entry {
    Timestamp time;
    std::uint32_t index;
    [[nodiscard]] bool before(const Entry& o) const {
      return time < o.time || (time == o.time && index < o.index);
    }
  };
  std::vector<Entry> heap;
  std::optional<Error> stopped;
  std::uint64_t bytes_total = 0;
  std::uint64_t rows_read = 0;
  std::uint64_t rows_skipped = 0;

  Status read_header(Cursor& c);
  bool advance(Cursor& c);
  bool bad_row(const Cursor& c, const std::string& what);
  void stop(std::string message) {
    if (!stopped) stopped = Error{std::move(message)};
  }

  void sift_down(std::size_t i) {
    const auto n = heap.size();
    const Entry moving = heap[i];
    for (;;) {
      const auto left = 2 * i + 1;
      if (left >= n) break;
      auto least = left;
      if (left + 1 < n && heap[left + 1].before(heap[left])) least = left + 1;
      if (!heap[least].before(moving)) break;
      heap[i] = heap[least];
      i = least;
    }
    heap[i] = moving;
  }
};

Status ReplaySource::State::read_header(Cursor& c) {
  std::string_view line;
  for (;;) {
    switch (c.file.next_line(line)) {
      case CsvFile::Read::End:
        c.file.finish();  // an empty file: no header, no rows
        return {};
      case CsvFile::Read::Failed:
        return Error{c.file.error()};
      case CsvFile::Read::TooLong:
        return Error{c.file.path() + ":" + std::to_string(c.file.line_no()) +
                     ": unknown header (a line longer than " + std::to_string(c.file.chunk()) +
                     " bytes)"};
      case CsvFile::Read::Line:
        break;
    }
    if (line.empty() || line.front() == '#') continue;
    if (const auto kind = kind_of_header(line)) {
      c.kind = *kind;
      c.head.kind = *kind == CsvKind::Ticks ? EventKind::Tick : EventKind::Bar;
      return {};
    }
    std::string shown(line.substr(0, 80));
    return Error{c.file.path() + ":" + std::to_string(c.file.line_no()) + ": unknown header '" +
                 shown + "' (expected '" + std::string(kTickHeader) + "' for ticks or '" +
                 std::string(kBarHeader) + "' for 1-minute bars)"};
  }
}

bool ReplaySource::State::bad_row(const Cursor& c, const std::string& what) {
  auto message = c.file.path() + ":" + std::to_string(c.file.line_no()) + ": " + what;
  if (options.on_bad_row == config::BadRowPolicy::Stop) {
    stop(std::move(message));
    return false;
  }
  ++rows_skipped;
  if (rows_skipped <= kMaxLoggedBadRows) {
    log::errors().warn("market data: skipped bad row: {}", message);
    if (rows_skipped == kMaxLoggedBadRows) {
      log::errors().warn("market data: further bad rows are skipped and counted, not logged");
    }
  }
  return true;
}

// Reads rows until one is in range (true, c.head holds it) or the file is
// done, stopped or failed (false).
bool ReplaySource::State::advance(Cursor& c) {
  std::string_view line;
  for (;;) {
    switch (c.file.next_line(line)) {
      case CsvFile::Read::End:
        c.file.finish();  // frees the buffer and the descriptor now, not at the end of the replay
        return false;
      case CsvFile::Read::Failed:
        stop(c.file.error());
        return false;
      case CsvFile::Read::TooLong:
        ++rows_read;
        if (!bad_row(c, "line longer than " + std::to_string(c.file.chunk()) + " bytes")) {
          return false;
        }
        continue;
      case CsvFile::Read::Line:
        break;
    }
    if (line.empty() || line.front() == '#') continue;
    ++rows_read;
    const bool parsed = c.kind == CsvKind::Ticks ? c.parser.parse_tick(line, c.head.tick)
                                                 : c.parser.parse_bar(line, c.head.bar);
    if (!parsed) {
      if (!bad_row(c, c.parser.error())) return false;
      continue;
    }
    const Timestamp t = c.head.time();
    if (t < c.last_time) {
      if (!bad_row(c, "time " + format_kst(t) + " is before the previous row's " +
                          format_kst(c.last_time))) {
        return false;
      }
      continue;
    }
    c.last_time = t;
    if (t < from) continue;
    if (t >= to_end) {
      c.file.finish();  // rows are in time order: nothing later can be in range
      return false;
    }
    return true;
  }
}

ReplaySource::ReplaySource(std::unique_ptr<State> state) : s_(std::move(state)) {}
ReplaySource::~ReplaySource() = default;

Result<std::unique_ptr<ReplaySource>> ReplaySource::open(const std::string& path,
                                                         const ReplayOptions& options) {
  if (options.from && options.to && *options.from > *options.to) {
    return Error{"market data: from " + options.from->str() + " is after to " + options.to->str()};
  }
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (status.type() == fs::file_type::not_found) {
    return Error{"market data path '" + path + "' does not exist"};
  }
  if (ec) return Error{"market data path '" + path + "': " + ec.message()};
  std::vector<std::string> paths;
  if (fs::is_directory(status)) {
    for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".csv" && it->is_regular_file(ec)) {
        paths.push_back(it->path().string());
      }
    }
    if (ec) return Error{"market data path '" + path + "': " + ec.message()};
    if (paths.empty()) return Error{"market data path '" + path + "' holds no *.csv files"};
    if (paths.size() > std::numeric_limits<std::uint32_t>::max()) {
      return Error{"market data path '" + path + "' holds too many files"};
    }
    std::sort(paths.begin(), paths.end());
  } else if (fs::is_regular_file(status)) {
    paths.push_back(path);
  } else {
    return Error{"market data path '" + path + "' is neither a file nor a directory"};
  }

  auto state = std::make_unique<State>();
  state->options = options;
  if (options.from) state->from = from_kst(*options.from, TimeOfDay{0});
  if (options.to) state->to_end = from_kst(*options.to, TimeOfDay{0}) + std::chrono::hours{24};

  const auto chunk = std::clamp(kBufferBudget / paths.size(), kMinChunk, kMaxChunk);
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const auto size = fs::file_size(paths[i], ec);
    if (ec) return Error{paths[i] + ": " + ec.message()};
    state->bytes_total += size;
    auto& cursor = state->cursors.emplace_back(
        std::make_unique<State::Cursor>(paths[i], size, chunk, i < kMaxOpenFiles));
    if (auto header = state->read_header(*cursor); !header) return Error{header.message()};
  }
  // Every file contributes its first event; a bad first row under policy Stop
  // leaves the source stopped before the first next().
  for (std::uint32_t i = 0; i < state->cursors.size() && !state->stopped; ++i) {
    if (state->advance(*state->cursors[i])) {
      state->heap.push_back({state->cursors[i]->head.time(), i});
    }
  }
  for (auto i = state->heap.size() / 2; i-- > 0;) state->sift_down(i);
  return std::unique_ptr<ReplaySource>(new ReplaySource(std::move(state)));
}

bool ReplaySource::next(MarketEvent& out) {
  State& s = *s_;
  if (s.stopped || s.heap.empty()) return false;
  State::Entry& first = s.heap.front();
  State::Cursor& top = *s.cursors[first.index];
  // Only the meaningful half: a tick file's cursor never fills out.bar.
  out.kind = top.head.kind;
  if (top.head.kind == EventKind::Tick) {
    out.tick = top.head.tick;
  } else {
    out.bar = top.head.bar;
  }
  if (s.advance(top)) {
    first.time = top.head.time();
  } else {
    first = s.heap.back();
    s.heap.pop_back();
  }
  if (!s.heap.empty()) s.sift_down(0);
  return true;
}

const std::optional<Error>& ReplaySource::stopped() const { return s_->stopped; }

std::uint64_t ReplaySource::bytes_done() const {
  std::uint64_t done = 0;
  for (const auto& c : s_->cursors) done += c->file.consumed();
  return done;
}

std::uint64_t ReplaySource::bytes_total() const { return s_->bytes_total; }
std::uint64_t ReplaySource::rows_read() const { return s_->rows_read; }
std::uint64_t ReplaySource::rows_skipped() const { return s_->rows_skipped; }

std::vector<std::string> ReplaySource::files() const {
  std::vector<std::string> out;
  out.reserve(s_->cursors.size());
  for (const auto& c : s_->cursors) out.push_back(c->file.path());
  return out;
}

}  // namespace dalbit::data
