// Private to src/kiwoom: a strict JSON (RFC 8259) event scanner for WebSocket
// frames, the hot path of the market feed.
//
// nlohmann's SAX interface costs about 10 µs for a 650-byte 0B frame because
// its lexer copies every byte of every token; this scanner hands strings
// without escapes to the handler as views into the input and allocates only
// for unescaping and its container stack. It accepts exactly what nlohmann
// accepts (UTF-8 validated, a leading BOM skipped, nothing after the value,
// no number beyond a double's range),
// which tests/kiwoom/json_scan_test.cpp checks against nlohmann on fuzzed
// input, except that nesting deeper than kMaxDepth is refused.
//
// Handler: bool start_object(), end_object(), start_array(), end_array(),
// key(string_view), string(string_view), number(string_view raw),
// literal(string_view "true"/"false"/"null"); returning false stops the scan.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace dalbit::kiwoom::detail {

class JsonScanner {
 public:
  static constexpr std::size_t kMaxDepth = 64;

  explicit JsonScanner(std::string_view input) : in_(input) {}

  // True when the input is one valid JSON value and the handler never said stop.
  template <class Handler>
  bool scan(Handler& h);
  // Where scanning stopped (the offending byte on an error).
  [[nodiscard]] std::size_t position() const { return pos_; }

 private:
  [[nodiscard]] bool at_end() const { return pos_ >= in_.size(); }
  [[nodiscard]] char peek() const { return in_[pos_]; }
  void skip_ws() {
    while (pos_ < in_.size()) {
      const char c = in_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      ++pos_;
    }
  }
  template <class Handler>
  bool read_key(Handler& h);               // a key and its colon
  bool read_string(std::string_view& out);  // at the opening quote
  bool read_number(std::string_view& out);
  bool read_literal(std::string_view& out);
  bool read_escape();                        // after the backslash, appends to scratch_
  bool read_utf8();                          // at a byte >= 0x80
  bool read_hex4(std::uint32_t& out);

  std::string_view in_;
  std::size_t pos_ = 0;
  std::string scratch_;  // unescaped strings
  char stack_[kMaxDepth] = {};
  std::size_t depth_ = 0;
};

template <class Handler>
bool JsonScanner::scan(Handler& h) {
  if (in_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  bool need_value = true;  // false: a value just ended, a ',' or a closer is due
  while (true) {
    skip_ws();
    if (at_end()) return false;
    if (need_value) {
      const char c = peek();
      std::string_view token;
      if (c == '{' || c == '[') {
        if (depth_ == kMaxDepth) return false;
        ++pos_;
        stack_[depth_++] = c;
        if (!(c == '{' ? h.start_object() : h.start_array())) return false;
        skip_ws();
        if (!at_end() && peek() == (c == '{' ? '}' : ']')) {
          ++pos_;
          --depth_;
          if (!(c == '{' ? h.end_object() : h.end_array())) return false;
          need_value = false;
        } else if (c == '{' && !read_key(h)) {
          return false;
        }
      } else if (c == '"') {
        if (!read_string(token) || !h.string(token)) return false;
        need_value = false;
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        if (!read_number(token) || !h.number(token)) return false;
        need_value = false;
      } else {
        if (!read_literal(token) || !h.literal(token)) return false;
        need_value = false;
      }
    } else {
      const char c = peek();
      const char open = stack_[depth_ - 1];  // depth_ > 0: a finished top-level value returned below
      ++pos_;
      if (c == ',') {
        if (open == '{' && !read_key(h)) return false;
        need_value = true;
      } else if ((c == '}' && open == '{') || (c == ']' && open == '[')) {
        --depth_;
        if (!(c == '}' ? h.end_object() : h.end_array())) return false;
      } else {
        --pos_;
        return false;
      }
    }
    if (!need_value && depth_ == 0) {
      skip_ws();
      return at_end();
    }
  }
}

template <class Handler>
bool JsonScanner::read_key(Handler& h) {
  skip_ws();
  std::string_view k;
  if (at_end() || peek() != '"' || !read_string(k) || !h.key(k)) return false;
  skip_ws();
  if (at_end() || peek() != ':') return false;
  ++pos_;
  return true;
}

}  // namespace dalbit::kiwoom::detail
