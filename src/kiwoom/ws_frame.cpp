// The WebSocket frame reader: nlohmann's SAX interface straight into Frame,
// with no DOM in between (a 0B frame is the hot path of the market feed).
#include <charconv>
#include <cstdint>

#include <nlohmann/json.hpp>

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
  using json = nlohmann::json;

  explicit FrameSax(Frame& frame) : frame_(frame) { stack_.reserve(8); }

  [[nodiscard]] bool root_not_object() const { return root_not_object_; }
  [[nodiscard]] std::size_t error_position() const { return error_position_; }

  bool null() { return scalar({}); }
  bool boolean(bool v) { return scalar(v ? "true" : "false"); }
  bool number_integer(json::number_integer_t v) { return number(v); }
  bool number_unsigned(json::number_unsigned_t v) { return number(v); }
  bool number_float(json::number_float_t, const json::string_t& raw) { return scalar(raw); }
  bool string(json::string_t& v) { return scalar(v); }
  bool binary(json::binary_t&) { return scalar({}); }

  bool key(json::string_t& k) {
    if (skip_ == 0) key_.assign(k);
    return true;
  }

  bool start_object(std::size_t) {
    if (skip_ > 0) return ++skip_, true;
    if (stack_.empty()) return push(Ctx::Top);
    switch (stack_.back()) {
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

  bool start_array(std::size_t) {
    if (skip_ > 0) return ++skip_, true;
    if (stack_.empty()) {
      root_not_object_ = true;
      return false;
    }
    switch (stack_.back()) {
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

  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception&) {
    error_position_ = position;
    return false;
  }

 private:
  // Top: the frame object. Data: the "data" array. Element: an object in it;
  // Row: an array in it. Values: data[].values as an object; ValuesArray /
  // ValuesObject: the defensive one-element-array form. List: "item": [...].
  enum class Ctx : std::uint8_t { Top, Data, Element, Row, Values, ValuesArray, ValuesObject, List };

  bool push(Ctx c) {
    stack_.push_back(c);
    return true;
  }
  bool begin_skip() {
    skip_ = 1;
    return true;
  }
  bool close() {
    if (skip_ > 0) {
      --skip_;
    } else if (!stack_.empty()) {
      stack_.pop_back();
    }
    return true;
  }
  bool open_values(Ctx c) {
    FrameElement& e = frame_.data.back();
    if (!e.has_values) e.values.reserve(kValuesSlots, kValuesBytes);
    e.has_values = true;
    return push(c);
  }

  template <class N>
  bool number(N v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return scalar(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
  }

  bool scalar(std::string_view text) {
    if (skip_ > 0) return true;
    if (stack_.empty()) {
      root_not_object_ = true;
      return false;
    }
    switch (stack_.back()) {
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
  std::vector<Ctx> stack_;
  std::string key_;
  int skip_ = 0;
  bool root_not_object_ = false;
  std::size_t error_position_ = 0;
};

}  // namespace

const std::string* FrameElement::field(std::string_view key) const { return find_pair(fields, key); }
const std::vector<std::string>* FrameElement::list(std::string_view key) const { return find_pair(lists, key); }
const std::string* Frame::field(std::string_view key) const { return find_pair(top, key); }

Result<Frame> read_frame(std::string_view text) {
  Frame frame;
  FrameSax sax(frame);
  const bool ok = nlohmann::json::sax_parse(text.begin(), text.end(), &sax);
  if (sax.root_not_object()) return Error{"frame is not a JSON object"};
  if (!ok) return Error{"not valid JSON (error at byte " + std::to_string(sax.error_position()) + ")"};
  return frame;
}

}  // namespace detail
}  // namespace dalbit::kiwoom
