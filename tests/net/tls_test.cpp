#include "net/tls.h"

#include <filesystem>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

namespace dalbit::net {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

X509* parse(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return x;
}

TEST(SelfSigned, NamesLoopbackInSubjectAltName) {
  auto pem = make_self_signed({"localhost"}, {"127.0.0.1"}, 30);
  ASSERT_TRUE(pem.ok()) << pem.error().message;
  X509* x = parse(pem->certificate);
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_host(x, "localhost", 0, 0, nullptr), 1);
  EXPECT_NE(X509_check_host(x, "example.com", 0, 0, nullptr), 1);
  X509_free(x);
  EXPECT_NE(pem->private_key.find("BEGIN PRIVATE KEY"), std::string::npos);
}

// A real handshake on loopback: the client trusts the certificate by its PEM
// file and checks the host name; a client trusting another certificate fails.
bool handshake(const CertificatePem& server_pem, const std::string& ca_file) {
  asio::io_context io;
  ssl::context server_ctx(ssl::context::tls_server);
  EXPECT_TRUE(configure_server(server_ctx, server_pem).ok());
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  const auto port = acceptor.local_endpoint().port();
  std::thread server([&] {
    ssl::stream<tcp::socket> s(io.get_executor(), server_ctx);
    boost::system::error_code ec;
    acceptor.accept(s.next_layer(), ec);
    if (!ec) s.handshake(ssl::stream_base::server, ec);
  });
  asio::io_context client_io;
  ssl::context client_ctx(ssl::context::tls_client);
  EXPECT_TRUE(configure_client(client_ctx, ca_file).ok());
  ssl::stream<tcp::socket> c(client_io, client_ctx);
  c.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
  boost::system::error_code ec;
  c.next_layer().connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (!ec) c.handshake(ssl::stream_base::client, ec);
  c.next_layer().close();
  server.join();
  return !ec;
}

TEST(SelfSigned, LoopbackHandshakeVerifiesOnlyTheTrustedCertificate) {
  const auto dir = std::filesystem::temp_directory_path() / ("dalbit-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto pem = make_self_signed({"localhost"}, {"127.0.0.1"}, 1);
  auto other = make_self_signed({"localhost"}, {"127.0.0.1"}, 1);
  ASSERT_TRUE(pem.ok() && other.ok());
  ASSERT_TRUE(write_file((dir / "sim.pem").string(), pem->certificate, 0644).ok());
  ASSERT_TRUE(write_file((dir / "other.pem").string(), other->certificate, 0644).ok());
  EXPECT_TRUE(handshake(*pem, (dir / "sim.pem").string()));
  EXPECT_FALSE(handshake(*pem, (dir / "other.pem").string()));
  std::filesystem::remove_all(dir);
}

TEST(WriteFile, SetsThePermissionBits) {
  const auto path = std::filesystem::temp_directory_path() / ("dalbit-key-" + std::to_string(::getpid()));
  ASSERT_TRUE(write_file(path.string(), "secret", 0600).ok());
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace dalbit::net
