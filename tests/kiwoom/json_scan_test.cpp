// The frame scanner against nlohmann/json: it must accept exactly the same
// texts and report the same content.
#include "kiwoom/json_scan.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace dalbit::kiwoom::detail {
namespace {

using nlohmann::json;

// Rebuilds a DOM from the scanner's events.
class Rebuild {
 public:
  json root;

  bool start_object() { return open(json::object()); }
  bool start_array() { return open(json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(std::string_view k) {
    key_ = std::string(k);
    return true;
  }
  bool string(std::string_view s) { return put(std::string(s)) != nullptr; }
  bool number(std::string_view raw) { return put(json::parse(raw)) != nullptr; }
  bool literal(std::string_view word) { return put(json::parse(word)) != nullptr; }

 private:
  json* put(json v) {
    if (stack_.empty()) {
      root = std::move(v);
      return &root;
    }
    json& parent = *stack_.back();
    if (parent.is_object()) {
      parent[key_] = std::move(v);
      return &parent[key_];
    }
    parent.push_back(std::move(v));
    return &parent.back();
  }
  bool open(json v) {
    stack_.push_back(put(std::move(v)));
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }
  std::vector<json*> stack_;
  std::string key_;
};

void expect_same_as_nlohmann(const std::string& text) {
  JsonScanner scanner(text);
  Rebuild r;
  const bool ok = scanner.scan(r);
  const bool reference = json::accept(text);
  ASSERT_EQ(ok, reference) << "input: " << json(text).dump(-1, ' ', true, json::error_handler_t::replace);
  if (ok) {
    ASSERT_EQ(r.root, json::parse(text)) << text;
  }
}

TEST(KiwoomJsonScan, AcceptsWhatNlohmannAccepts) {
  for (const char* text : {
           R"({})", R"([])", R"("x")", "0", "-0", "1.5e-3", "true", "null", " {\"a\" : [1, 2.0, -3e2, \"b\"]} ",
           R"({"trnm":"REAL","data":[{"values":{"10":"-20800"}}]})", R"({"a":"\u00e9\ud83d\ude00\n\"\\\/"})",
           "{\"k\":\"삼성전자\"}", "\xEF\xBB\xBF{\"bom\":1}", R"([[[[[]]]]])", R"({"dup":1,"dup":2})", "1e-400", "0.0000e99999",
       }) {
    expect_same_as_nlohmann(text);
  }
}

TEST(KiwoomJsonScan, RejectsWhatNlohmannRejects) {
  for (const std::string& text : std::vector<std::string>{
           "", " ", "{", "}", "[1,]", R"({"a":1,})", "{,}", "[}", "{]", "01", "-", "1.", "1e", "1e+", ".5", "+1",
           "tru", "nul", "True", R"({"a" 1})", R"({a:1})", "[1 2]", "{} {}", "\"abc", "\"\\x\"", "\"\\u12\"",
           "\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83d\\u0041\"", std::string("\"a\x01\""), "\"\xC0\x80\"",
           "\"\xED\xA0\x80\"", "\"\xF5\x80\x80\x80\"", "\"\xE4\xB8\"", "\xEF\xBB{}", "{\"a\":1}\xC3", "1e400", "-2.5e693", "[" + std::string(400, '7') + "]",
       }) {
    expect_same_as_nlohmann(text);
  }
}

TEST(KiwoomJsonScan, StringsWithoutEscapesAreViewsIntoTheInput) {
  const std::string text = R"({"item":"005930"})";
  struct Probe {
    const char* begin;
    const char* end;
    bool inside = false;
    bool start_object() { return true; }
    bool end_object() { return true; }
    bool start_array() { return true; }
    bool end_array() { return true; }
    bool key(std::string_view) { return true; }
    bool string(std::string_view s) {
      inside = s.data() >= begin && s.data() + s.size() <= end;
      return true;
    }
    bool number(std::string_view) { return true; }
    bool literal(std::string_view) { return true; }
  } probe{text.data(), text.data() + text.size()};
  JsonScanner scanner(text);
  ASSERT_TRUE(scanner.scan(probe));
  EXPECT_TRUE(probe.inside);
}

TEST(KiwoomJsonScan, RefusesNestingDeeperThanItsLimit) {
  const std::string deep = std::string(JsonScanner::kMaxDepth, '[') + std::string(JsonScanner::kMaxDepth, ']');
  Rebuild r;
  EXPECT_TRUE(JsonScanner(deep).scan(r));
  const std::string deeper = "[" + deep + "]";
  Rebuild r2;
  EXPECT_FALSE(JsonScanner(deeper).scan(r2));
}

TEST(KiwoomJsonScan, MutatedFramesAgreeWithNlohmann) {
  std::mt19937_64 rng(11);
  const std::vector<std::string> seeds = {
      R"({"trnm":"REAL","data":[{"type":"0B","name":"주식체결","item":"005930","values":{"20":"165208","10":"-20800","15":"+82"}}]})",
      R"({"trnm":"CNSRLST","return_code":0,"return_msg":"","data":[["0","급등주"],["1","눌림목"]]})",
      R"({"a":[1,-2.5e+3,true,false,null,{"b":"\u0041\ud83d\ude00\t"}],"c":{}})",
  };
  const std::string noise = "{}[]\":,0123456789-+.eE \\u/DdAafntrl\x01\x7f\xC3\xA9\xEA\xB0\x80\xED\xF0";
  int accepted = 0;
  for (int i = 0; i < 30000; ++i) {
    std::string s = seeds[rng() % seeds.size()];
    const int edits = static_cast<int>(rng() % 4);
    for (int k = 0; k < edits && !s.empty(); ++k) {
      const std::size_t at = rng() % s.size();
      switch (rng() % 3) {
        case 0: s[at] = noise[rng() % noise.size()]; break;
        case 1: s.erase(at, 1 + rng() % 4); break;
        default: s.insert(at, 1, noise[rng() % noise.size()]); break;
      }
    }
    expect_same_as_nlohmann(s);
    if (HasFatalFailure()) return;
    accepted += json::accept(s) ? 1 : 0;
  }
  EXPECT_GT(accepted, 3000);  // both outcomes are exercised
  EXPECT_LT(accepted, 27000);
}

}  // namespace
}  // namespace dalbit::kiwoom::detail
