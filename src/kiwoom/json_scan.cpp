#include "kiwoom/json_scan.h"

#include <algorithm>
#include <charconv>
#include <system_error>

namespace dalbit::kiwoom::detail {
namespace {

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// nlohmann refuses a number whose double value overflows to infinity ("number
// overflow"), and takes one that underflows as 0. from_chars reports both as
// out of range, so the decimal order of magnitude tells them apart.
bool fits_double(std::string_view num) {
  double v = 0;
  const auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
  if (ec != std::errc::result_out_of_range) return true;
  std::size_t i = num.front() == '-' ? 1 : 0;
  long order = 0;
  bool seen_nonzero = false;
  for (; i < num.size() && num[i] != 'e' && num[i] != 'E'; ++i) {
    if (num[i] == '.') continue;
    if (num[i] != '0') seen_nonzero = true;
    // Integer digits after the first nonzero one raise the order; fraction zeros before it lower it.
    const bool in_fraction = num.find('.') < i;
    if (seen_nonzero && !in_fraction) ++order;
    if (!seen_nonzero && in_fraction) --order;
  }
  long exponent = 0;
  if (i < num.size()) {
    ++i;
    const bool negative = num[i] == '-';
    if (num[i] == '+' || num[i] == '-') ++i;
    for (; i < num.size(); ++i) exponent = std::min(exponent * 10 + (num[i] - '0'), 1'000'000L);
    if (negative) exponent = -exponent;
  }
  return order + exponent <= 0;
}

}  // namespace

bool JsonScanner::read_string(std::string_view& out) {
  ++pos_;  // the opening quote
  const std::size_t start = pos_;
  // Fast path: no escapes, the string is a view into the input.
  while (pos_ < in_.size()) {
    const auto c = static_cast<unsigned char>(in_[pos_]);
    if (c == '"') {
      out = in_.substr(start, pos_ - start);
      ++pos_;
      return true;
    }
    if (c == '\\') break;
    if (c < 0x20) return false;
    if (c >= 0x80) {
      if (!read_utf8()) return false;
      continue;
    }
    ++pos_;
  }
  if (pos_ >= in_.size()) return false;
  scratch_.assign(in_.substr(start, pos_ - start));
  while (pos_ < in_.size()) {
    const auto c = static_cast<unsigned char>(in_[pos_]);
    if (c == '"') {
      ++pos_;
      out = scratch_;
      return true;
    }
    if (c == '\\') {
      ++pos_;
      if (!read_escape()) return false;
    } else if (c < 0x20) {
      return false;
    } else if (c >= 0x80) {
      const std::size_t from = pos_;
      if (!read_utf8()) return false;
      scratch_.append(in_.substr(from, pos_ - from));
    } else {
      scratch_ += static_cast<char>(c);
      ++pos_;
    }
  }
  return false;
}

bool JsonScanner::read_hex4(std::uint32_t& out) {
  if (pos_ + 4 > in_.size()) return false;
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const char c = in_[pos_ + i];
    std::uint32_t d = 0;
    if (c >= '0' && c <= '9') {
      d = static_cast<std::uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = static_cast<std::uint32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      d = static_cast<std::uint32_t>(c - 'A' + 10);
    } else {
      return false;
    }
    v = v * 16 + d;
  }
  pos_ += 4;
  out = v;
  return true;
}

bool JsonScanner::read_escape() {
  if (at_end()) return false;
  const char c = in_[pos_++];
  switch (c) {
    case '"': scratch_ += '"'; return true;
    case '\\': scratch_ += '\\'; return true;
    case '/': scratch_ += '/'; return true;
    case 'b': scratch_ += '\b'; return true;
    case 'f': scratch_ += '\f'; return true;
    case 'n': scratch_ += '\n'; return true;
    case 'r': scratch_ += '\r'; return true;
    case 't': scratch_ += '\t'; return true;
    case 'u': break;
    default: return false;
  }
  std::uint32_t cp = 0;
  if (!read_hex4(cp)) return false;
  if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate alone
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    std::uint32_t low = 0;
    if (in_.substr(pos_, 2) != "\\u") return false;
    pos_ += 2;
    if (!read_hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
  }
  append_utf8(scratch_, cp);
  return true;
}

// RFC 3629 well-formed sequences only (no overlongs, no surrogates).
bool JsonScanner::read_utf8() {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(in_[pos_ + i]); };
  const unsigned c0 = byte(0);
  std::size_t n = 0;
  unsigned lo = 0x80, hi = 0xBF;
  if (c0 >= 0xC2 && c0 <= 0xDF) {
    n = 2;
  } else if (c0 == 0xE0) {
    n = 3;
    lo = 0xA0;
  } else if ((c0 >= 0xE1 && c0 <= 0xEC) || c0 == 0xEE || c0 == 0xEF) {
    n = 3;
  } else if (c0 == 0xED) {
    n = 3;
    hi = 0x9F;
  } else if (c0 == 0xF0) {
    n = 4;
    lo = 0x90;
  } else if (c0 >= 0xF1 && c0 <= 0xF3) {
    n = 4;
  } else if (c0 == 0xF4) {
    n = 4;
    hi = 0x8F;
  } else {
    return false;
  }
  if (pos_ + n > in_.size()) return false;
  if (byte(1) < lo || byte(1) > hi) return false;
  for (std::size_t i = 2; i < n; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return false;
  }
  pos_ += n;
  return true;
}

bool JsonScanner::read_number(std::string_view& out) {
  const std::size_t start = pos_;
  if (peek() == '-') ++pos_;
  if (at_end()) return false;
  if (peek() == '0') {
    ++pos_;
  } else if (is_digit(peek())) {
    while (!at_end() && is_digit(peek())) ++pos_;
  } else {
    return false;
  }
  if (!at_end() && peek() == '.') {
    ++pos_;
    if (at_end() || !is_digit(peek())) return false;
    while (!at_end() && is_digit(peek())) ++pos_;
  }
  if (!at_end() && (peek() == 'e' || peek() == 'E')) {
    ++pos_;
    if (!at_end() && (peek() == '+' || peek() == '-')) ++pos_;
    if (at_end() || !is_digit(peek())) return false;
    while (!at_end() && is_digit(peek())) ++pos_;
  }
  out = in_.substr(start, pos_ - start);
  return fits_double(out);
}

bool JsonScanner::read_literal(std::string_view& out) {
  for (const std::string_view word : {std::string_view("true"), std::string_view("false"), std::string_view("null")}) {
    if (in_.substr(pos_, word.size()) == word) {
      pos_ += word.size();
      out = word;
      return true;
    }
  }
  return false;
}

}  // namespace dalbit::kiwoom::detail
