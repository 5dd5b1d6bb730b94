#include "log/log.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace dalbit::log {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string read_all(const std::filesystem::path& dir) {
  std::string all;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path());
    std::stringstream s;
    s << in.rdbuf();
    all += s.str();
  }
  return all;
}

TEST(Redact, RegisteredSecretsAndBearerTokens) {
  register_secret("S3CR3T-value-123");
  EXPECT_EQ(redact("key=S3CR3T-value-123;"), "key=<redacted>;");
  EXPECT_EQ(redact("Authorization: Bearer abc.def.ghi"), "Authorization: Bearer <redacted>");
  EXPECT_EQ(redact("nothing here"), "nothing here");
}

TEST(Redact, EveryCategoryLoggerScrubsFileAndConsole) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("dalbit-log-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  init({.dir = dir.string(), .level = "trace", .console_level = "off", .console = true});
  register_secret(Secret("APPKEY-fake-0001"));
  register_secret(Secret("tok-fake-9999"));
  orders().info("order with APPKEY-fake-0001 inside");
  trading().warn("{} then {}", "tok-fake-9999", "APPKEY-fake-0001");
  lua().error("prefixAPPKEY-fake-0001suffix");
  ws().info("header: Bearer tok-fake-9999");
  rest().debug("{\"token\":\"tok-fake-9999\"}");
  errors().critical("tok-fake-9999");
  shutdown();
  const auto text = read_all(dir);
  EXPECT_THAT(text, Not(HasSubstr("APPKEY-fake-0001")));
  EXPECT_THAT(text, Not(HasSubstr("tok-fake-9999")));
  EXPECT_THAT(text, HasSubstr("[orders] order with <redacted> inside"));
  EXPECT_THAT(text, HasSubstr("[errors] <redacted>"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dalbit::log
