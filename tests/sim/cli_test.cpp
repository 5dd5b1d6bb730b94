// `dalbit sim` as a process: it prints where it listens, writes the
// certificate it serves, answers curl, and stops cleanly on SIGTERM.
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace {

const std::string kDalbit = std::string(DALBIT_BINARY_DIR) + "/src/app/dalbit";

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(SimCli, ServesUntilSigtermAndWritesItsCertificate) {
  const auto dir = std::filesystem::temp_directory_path() / ("dalbit-sim-cli-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string d = dir.string();
  const std::string script =
      kDalbit + " sim --speed 0 --start '2026-01-05 09:30' --cert-out " + d + "/cert.pem > " + d + "/out 2>&1 & pid=$!\n" +
      "for i in $(seq 50); do grep -q REST " + d + "/out && break; sleep 0.1; done\n" +
      "port=$(sed -n 's|.*REST *https://127.0.0.1:\\([0-9]*\\).*|\\1|p' " + d + "/out)\n" +
      "if command -v curl >/dev/null; then curl -sS --cacert " + d + "/cert.pem -H 'api-id: au10001' " +
      "-d '{\"grant_type\":\"client_credentials\",\"appkey\":\"sim-app-key\",\"secretkey\":\"sim-secret-key\"}' " +
      "https://127.0.0.1:$port/oauth2/token > " + d + "/token; else echo skipped > " + d + "/token; fi\n" +
      "kill -TERM $pid; wait $pid; echo $? > " + d + "/rc\n";
  std::ofstream(dir / "run.sh") << script;
  ASSERT_EQ(std::system(("sh " + d + "/run.sh").c_str()), 0);
  const std::string out = slurp(dir / "out");
  EXPECT_NE(out.find("wss://127.0.0.1:"), std::string::npos) << out;
  EXPECT_NE(out.find("curl --cacert " + d + "/cert.pem"), std::string::npos) << out;
  EXPECT_NE(out.find("SIGTERM, stopping"), std::string::npos) << out;
  EXPECT_EQ(slurp(dir / "rc"), "0\n");
  EXPECT_NE(slurp(dir / "cert.pem").find("BEGIN CERTIFICATE"), std::string::npos);
  const std::string token = slurp(dir / "token");
  if (token != "skipped\n") {
    EXPECT_NE(token.find("\"token\":\""), std::string::npos) << token;
  }
  std::filesystem::remove_all(dir);
}

TEST(SimCli, BadOptionsExitWithTwo) {
  EXPECT_EQ(WEXITSTATUS(std::system((kDalbit + " sim --fault bogus >/dev/null 2>&1").c_str())), 2);
  EXPECT_EQ(WEXITSTATUS(std::system((kDalbit + " sim --start yesterday >/dev/null 2>&1").c_str())), 2);
  EXPECT_EQ(WEXITSTATUS(std::system((kDalbit + " sim --speed -1 >/dev/null 2>&1").c_str())), 2);
}

}  // namespace
