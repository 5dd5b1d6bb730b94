#include "kiwoom/envelope.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace dalbit::kiwoom {
namespace {

using ::testing::HasSubstr;

TEST(KiwoomEnvelope, FindsTheBrokersCodeInEveryObservedForm) {
  EXPECT_EQ(find_error_code("인증에 실패했습니다[8005:Token이 유효하지 않습니다]"), "8005");
  EXPECT_EQ(find_error_code("허용된 요청 개수를 초과하였습니다[1700:허용된 요청 개수를 초과하였습니다. API ID=kt00001]"),
            "1700");
  EXPECT_EQ(find_error_code("허용된 요청 개수를 초과하였습니다[1634]"), "1634");
  EXPECT_EQ(find_error_code("토큰 인증에 실패했습니다. 접속을 종료합니다 [CODE=8005, MESSAGE=Token이 유효하지 않습니다]"),
            "8005");
  EXPECT_EQ(find_error_code("(RC4058: 모의투자 장종료)"), "RC4058");
  EXPECT_EQ(find_error_code("[2000](RC9000:모의투자에서는 해당업무가 제공되지 않습니다)"), "2000");
  EXPECT_EQ(find_error_code("정상적으로 처리되었습니다"), "");
  EXPECT_EQ(find_error_code("[12345]"), "");
  EXPECT_EQ(find_error_code("[800"), "");
}

TEST(KiwoomEnvelope, SuccessIsReturnCodeZeroOverHttp2xx) {
  EXPECT_FALSE(classify_reply("kt00001", 200, 0, "조회가 완료되었습니다.").has_value());
  const auto e = classify_reply("kt00001", 500, 0, "");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->kind, ErrorKind::Rejected);
  EXPECT_THAT(e->describe(), HasSubstr("HTTP 500"));
}

TEST(KiwoomEnvelope, TokenInvalidAsHttp401AndAsReturnCode3With8005) {
  EXPECT_EQ(classify_reply("ka10001", 401, std::nullopt, "")->kind, ErrorKind::TokenInvalid);
  const auto e = classify_reply("ka10001", 200, 3, "인증에 실패했습니다[8005:Token이 유효하지 않습니다]");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->kind, ErrorKind::TokenInvalid);
  EXPECT_EQ(e->code, "8005");
  EXPECT_EQ(classify_reply("ka10001", 200, 8005, "Token이 유효하지 않습니다")->kind, ErrorKind::TokenInvalid);
  EXPECT_EQ(classify_reply("ka10001", 200, 8031, "투자구분이 달라서")->kind, ErrorKind::TokenInvalid);
  EXPECT_EQ(classify_reply("ka10001", 200, 1, "[8103:토큰 인증 또는 단말기인증에 실패했습니다]")->kind,
            ErrorKind::TokenInvalid);
  // Bad credentials are not cured by issuing again.
  EXPECT_EQ(classify_reply("au10001", 200, 8001, "App Key와 Secret Key 검증에 실패했습니다")->kind,
            ErrorKind::Rejected);
}

TEST(KiwoomEnvelope, RateLimitAs429And1700ButNot1634) {
  EXPECT_EQ(classify_reply("kt00001", 429, std::nullopt, "")->kind, ErrorKind::RateLimited);
  EXPECT_EQ(classify_reply("kt00001", 200, 5,
                           "허용된 요청 개수를 초과하였습니다[1700:허용된 요청 개수를 초과하였습니다. API ID=kt00001]")
                ->kind,
            ErrorKind::RateLimited);
  EXPECT_EQ(classify_reply("kt00001", 200, 1700, "허용된 요청 개수를 초과하였습니다. API ID=kt00001")->kind,
            ErrorKind::RateLimited);
  EXPECT_EQ(classify_reply("kt00001", 200, 5, "허용된 요청 개수를 초과하였습니다")->kind, ErrorKind::RateLimited);
  const auto batch = classify_reply("ka10095", 200, 5, "허용된 요청 개수를 초과하였습니다[1634]");
  EXPECT_EQ(batch->kind, ErrorKind::Rejected);
  EXPECT_EQ(batch->code, "1634");
}

TEST(KiwoomEnvelope, OtherRefusalsCarryTheBrokersMessage) {
  const auto e = classify_reply("kt10000", 200, 20, "[2000](RC9000:모의투자에서는 해당업무가 제공되지 않습니다)");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->kind, ErrorKind::Rejected);
  EXPECT_EQ(e->return_code, 20);
  EXPECT_THAT(e->describe(), HasSubstr("kt10000"));
  EXPECT_THAT(e->describe(), HasSubstr("RC9000:모의투자에서는"));
  EXPECT_THAT(e->to_error().message, HasSubstr("return_code 20"));
}

TEST(KiwoomEnvelope, A200WithoutReturnCodeIsMalformed) {
  const auto e = classify_reply("kt00018", 200, std::nullopt, "");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->kind, ErrorKind::Malformed);
  EXPECT_THAT(e->describe(), HasSubstr("return_code"));
}

}  // namespace
}  // namespace dalbit::kiwoom
