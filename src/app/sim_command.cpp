// dalbit sim: the Kiwoom simulator as a process. Prints where it listens,
// which certificate to trust and a few curl commands, then serves until
// SIGINT or SIGTERM.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/commands.h"
#include "kiwoom/protocol.h"
#include "net/tls.h"
#include "sim/server.h"

namespace dalbit::app {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

std::optional<Timestamp> parse_start(const std::string& text) {
  if (text.empty()) {
    const auto now = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
    return from_kst(kst_date(now), TimeOfDay::hm(8, 55));
  }
  return parse_kst_timestamp(text.size() == 16 ? text + ":00" : text);
}

}  // namespace

int sim(const SimCommandOptions& o) {
  sim::SimOptions s;
  const auto start = parse_start(o.start);
  if (!start) {
    std::fprintf(stderr, "dalbit sim: --start: expected \"YYYY-MM-DD HH:MM\" (KST), got \"%s\"\n", o.start.c_str());
    return kExitBadInput;
  }
  if (o.codes < 1 || o.codes > 999) {
    std::fprintf(stderr, "dalbit sim: --codes: expected 1 to 999, got %d\n", o.codes);
    return kExitBadInput;
  }
  s.start = *start;
  s.market.seed = o.seed;
  s.market.codes = o.codes;
  s.cash = Krw(o.cash);
  const std::string default_secret = s.secret_key;
  s.app_key = o.app_key.empty() ? env_or("DALBIT_SIM_APP_KEY", s.app_key) : o.app_key;
  s.secret_key = o.secret_key.empty() ? env_or("DALBIT_SIM_SECRET_KEY", s.secret_key) : o.secret_key;
  // The examples show the secret only when it is the public default.
  const std::string app_key = s.app_key;
  const std::string secret = s.secret_key == default_secret ? default_secret : "<your secret key>";
  for (const auto& text : o.faults) {
    auto f = sim::parse_fault(text);
    if (!f) {
      std::fprintf(stderr, "dalbit sim: %s\n", f.error().message.c_str());
      return kExitBadInput;
    }
    s.faults.push_back(*f);
  }

  sim::ServerOptions server_options;
  server_options.port = o.port;
  server_options.speed = o.speed;
  if (o.cert.empty() != o.key.empty()) {
    std::fprintf(stderr, "dalbit sim: give --cert and --key together\n");
    return kExitBadInput;
  }
  if (!o.cert.empty()) {
    server_options.cert_pem = read_file(o.cert);
    server_options.key_pem = read_file(o.key);
  }

  // SIGINT/SIGTERM are blocked before the server thread starts (it inherits
  // the mask) and taken here by sigwait: no handler runs inside Asio.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto server = sim::Server::start(std::move(s), server_options);
  if (!server) {
    std::fprintf(stderr, "dalbit sim: %s\n", server.error().message.c_str());
    return kExitFailed;
  }
  std::error_code ec;
  const auto cert_dir = std::filesystem::path(o.cert_out).parent_path();
  if (!cert_dir.empty()) std::filesystem::create_directories(cert_dir, ec);
  if (auto st = net::write_file(o.cert_out, (*server)->certificate_pem(), 0644); !st) {
    std::fprintf(stderr, "dalbit sim: --cert-out: %s\n", st.message().c_str());
    return kExitFailed;
  }

  const std::string base = "https://127.0.0.1:" + std::to_string((*server)->port());
  std::printf(
      "dalbit sim: Kiwoom simulator (invented 9xxxxx codes; nothing here is a real listing)\n"
      "  REST      %s\n"
      "  WebSocket wss://127.0.0.1:%u%s\n"
      "  cert      %s (trust it: curl --cacert %s)\n"
      "  clock     %s KST at %gx\n"
      "  admin     POST %s/admin/fault {\"fault\":\"stall\",\"arg\":500}, POST %s/admin/advance {\"seconds\":60},\n"
      "            POST /admin/clock {} (the market clock and speed, which `dalbit run` follows)\n"
      "\n"
      "  # a token\n"
      "  curl --cacert %s -H 'content-type: application/json;charset=UTF-8' -H 'api-id: au10001' \\\n"
      "       -d '{\"grant_type\":\"client_credentials\",\"appkey\":\"%s\",\"secretkey\":\"%s\"}' %s%s\n"
      "  # a quote (TOKEN from the answer above)\n"
      "  curl --cacert %s -H 'content-type: application/json;charset=UTF-8' -H 'api-id: ka10001' \\\n"
      "       -H \"authorization: Bearer $TOKEN\" -d '{\"stk_cd\":\"900010\"}' %s%s\n"
      "\nCtrl-C stops it.\n",
      base.c_str(), (*server)->port(), std::string(kiwoom::path::kWebSocket).c_str(), o.cert_out.c_str(),
      o.cert_out.c_str(), format_kst(*start).c_str(), o.speed, base.c_str(), base.c_str(), o.cert_out.c_str(),
      app_key.c_str(), secret.c_str(), base.c_str(), std::string(kiwoom::path::kToken).c_str(), o.cert_out.c_str(),
      base.c_str(), std::string(kiwoom::path::kStockInfo).c_str());
  std::fflush(stdout);

  int received = 0;
  sigwait(&signals, &received);
  std::printf("dalbit sim: %s, stopping\n", received == SIGINT ? "SIGINT" : "SIGTERM");
  (*server)->stop();
  return kExitOk;
}

}  // namespace dalbit::app
