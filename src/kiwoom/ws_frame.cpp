// The WebSocket frame reader: JsonScanner events straight into Frame, with
// no DOM in between (a 0B frame is the hot path of the market feed).
#include <array>
#include <charconv>
#include <cstdint>

#include "kiwoom/json_scan.h"
#include "kiwoom/protocol.h"
#include "kiwoom/ws_internal.h"

namespace dalbit::kiwoom {

void FidValues::add(int fid, std::string_view text) {
  slots_.push_back(Slot{fid, static_cast<std::uint32_t>(text_.size()), static_cast<std::uint32_t>(text.size())});
  text_.append(text);
}

std::optional<std::string_view> FidValues::find(int fid) const {
  for (const Slot& s : slots_) {
    if (s.fid == fid) return std::string_view(text_).substr(s.offset, s.length);
  }
  return std::nullopt;
}

void FidValues::reserve(std::size_t fields, std::size_t bytes) {
  slots_.reserve(fields);
  text_.reserve(bytes);
}

bool operator==(const FidValues& a, const FidValues& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a.fid_at(i) != b.fid_at(i) || a.text_at(i) != b.text_at(i)) return false;
  }
  return true;
}

namespace detail {
namespace {

template <class Pairs>
const auto* find_pair(const Pairs& pairs, std::string_view key) {
  for (const auto& p : pairs) {
    if (p.first == key) return &p.second;
  }
  return static_cast<decltype(&pairs.front().second)>(nullptr);
}

// "10" -> 10; -1 for keys that are not FIDs.
int fid_of(std::string_view key) {
  if (key.empty() || key.size() > 6) return -1;
  int v = 0;
  const auto [ptr, ec] = std::from_chars(key.data(), key.data() + key.size(), v);
  return (ec == std::errc{} && ptr == key.data() + key.size()) ? v : -1;
}

// Roughly one 0B entry: reserving once avoids regrowth on the hot path.
constexpr std::size_t kValuesSlots = 64;
constexpr std::size_t kValuesBytes = 512;

class FrameSax {
 public:
  explicit FrameSax(Frame& frame) : frame_(frame) {}

  [[nodiscard]] bool root_not_object() const { return root_not_object_; }

  bool string(std::string_view v) { return scalar(v); }
  bool number(std::string_view raw) { return scalar(raw); }
  bool literal(std::string_view word) { return scalar(word == "null" ? std::string_view() : word); }

  bool key(std::string_view k) {
    if (skip_ == 0) key_.assign(k);
    return true;
  }

  bool start_object() {
    if (skip_ > 0) return ++skip_, true;
    if (at_root()) return push(Ctx::Top);
    switch (top()) {
      case Ctx::Data: {
        FrameElement& e = frame_.data.emplace_back();
        e.fields.reserve(4);
        return push(Ctx::Element);
      }
      case Ctx::Element:
        if (key_ == ws_key::kValues) return open_values(Ctx::Values);
        break;
      case Ctx::ValuesArray: return push(Ctx::ValuesObject);
      default: break;
    }
    return begin_skip();
  }

  bool start_array() {
    if (skip_ > 0) return ++skip_, true;
    if (at_root()) {
      root_not_object_ = true;
      return false;
    }
    switch (top()) {
      case Ctx::Top:
        if (key_ == ws_key::kData) {
          frame_.has_data = true;
          return push(Ctx::Data);
        }
        break;
      case Ctx::Data:
        frame_.data.emplace_back().is_array = true;
        return push(Ctx::Row);
      case Ctx::Element:
        if (key_ == ws_key::kValues) return open_values(Ctx::ValuesArray);
        frame_.data.back().lists.emplace_back(key_, std::vector<std::string>{});
        return push(Ctx::List);
      default: break;
    }
    return begin_skip();
  }

  bool end_object() { return close(); }
  bool end_array() { return close(); }

 private:
  // Top: the frame object. Data: the "data" array. Element: an object in it;
  // Row: an array in it. Values: data[].values as an object; ValuesArray /
  // ValuesObject: the defensive one-element-array form. List: "item": [...].
  enum class Ctx : std::uint8_t { Top, Data, Element, Row, Values, ValuesArray, ValuesObject, List };

  bool push(Ctx c) {
    stack_[depth_++] = c;
    return true;
  }
  [[nodiscard]] bool at_root() const { return depth_ == 0; }
  [[nodiscard]] Ctx top() const { return stack_[depth_ - 1]; }
  bool begin_skip() {
    skip_ = 1;
    return true;
  }
  bool close() {
    if (skip_ > 0) {
      --skip_;
    } else if (depth_ > 0) {
      --depth_;
    }
    return true;
  }
  bool open_values(Ctx c) {
    FrameElement& e = frame_.data.back();
    if (!e.has_values) e.values.reserve(kValuesSlots, kValuesBytes);
    e.has_values = true;
    return push(c);
  }

  bool scalar(std::string_view text) {
    if (skip_ > 0) return true;
    if (at_root()) {
      root_not_object_ = true;
      return false;
    }
    switch (top()) {
      case Ctx::Top: frame_.top.emplace_back(key_, text); break;
      case Ctx::Element: {
        FrameElement& e = frame_.data.back();
        if (const int fid = fid_of(key_); fid >= 0) {
          e.values.add(fid, text);
        } else {
          e.fields.emplace_back(key_, text);
        }
        break;
      }
      case Ctx::Row: frame_.data.back().fields.emplace_back(std::string(), text); break;
      case Ctx::Values:
      case Ctx::ValuesObject:
        if (const int fid = fid_of(key_); fid >= 0) frame_.data.back().values.add(fid, text);
        break;
      case Ctx::List: frame_.data.back().lists.back().second.emplace_back(text); break;
      case Ctx::Data:
      case Ctx::ValuesArray: break;  // stray scalars carry nothing we read
    }
    return true;
  }

  Frame& frame_;
  // Contexts nest at most Top > Data > Element > ValuesArray > ValuesObject;
  // anything deeper is skipped, so the stack never overflows.
  std::array<Ctx, 5> stack_{};
  std::size_t depth_ = 0;
  std::string key_;
  int skip_ = 0;
  bool root_not_object_ = false;
};

}  // namespace

const std::string* FrameElement::field(std::string_view key) const { return find_pair(fields, key); }
const std::vector<std::string>* FrameElement::list(std::string_view key) const { return find_pair(lists, key); }
const std::string* Frame::field(std::string_view key) const { return find_pair(top, key); }

Result<Frame> read_frame(std::string_view text) {
  Frame frame;
  FrameSax sax(frame);
  JsonScanner scanner(text);
  const bool ok = scanner.scan(sax);
  if (sax.root_not_object()) return Error{"frame is not a JSON object"};
  if (!ok) return Error{"not valid JSON (error at byte " + std::to_string(scanner.position()) + ")"};
  return frame;
}

}  // namespace detail
}  // namespace dalbit::kiwoom
