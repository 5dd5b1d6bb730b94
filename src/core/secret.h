// A secret (app key, secret key, token, bot token). It has no operator<< and
// formats as "<redacted>", so printing one by mistake prints nothing of it;
// the log layer additionally scrubs registered secrets from every line.
#pragma once

#include <string>
#include <utility>

namespace dalbit {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string v) : v_(std::move(v)) {}
  [[nodiscard]] const std::string& reveal() const { return v_; }  // only for the wire
  [[nodiscard]] bool empty() const { return v_.empty(); }
  [[nodiscard]] static constexpr const char* redacted() { return "<redacted>"; }

 private:
  std::string v_;
};

}  // namespace dalbit
