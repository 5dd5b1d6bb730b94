#include "net/tls.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>

#include <boost/asio/ssl/context.hpp>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

namespace dalbit::net {
namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

std::string openssl_error(const char* what) {
  const unsigned long code = ERR_get_error();
  char buf[256] = {};
  if (code != 0) ERR_error_string_n(code, buf, sizeof buf);
  return std::string(what) + (code != 0 ? std::string(": ") + buf : std::string());
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

}  // namespace

Result<CertificatePem> make_self_signed(const std::vector<std::string>& dns_names,
                                        const std::vector<std::string>& ip_addresses, int days) {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return Error{openssl_error("tls: cannot generate an EC key")};
  X509Ptr cert(X509_new());
  if (!cert) return Error{openssl_error("tls: cannot allocate a certificate")};
  X509_set_version(cert.get(), 2);  // v3, for subjectAltName
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return Error{openssl_error("tls: no random serial")};
  serial[0] &= 0x7f;  // a positive serial number
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  const std::string cn = dns_names.empty() ? std::string("dalbit") : dns_names.front();
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("dalbit simulator"),
                             -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);

  std::string san;
  for (const auto& d : dns_names) san += (san.empty() ? "" : ",") + ("DNS:" + d);
  for (const auto& ip : ip_addresses) san += (san.empty() ? "" : ",") + ("IP:" + ip);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
  const std::pair<int, std::string> extensions[] = {
      {NID_subject_alt_name, san},
      {NID_basic_constraints, "critical,CA:TRUE"},  // self-signed: it is its own trust anchor
      {NID_key_usage, "critical,digitalSignature,keyCertSign"},
      {NID_ext_key_usage, "serverAuth"},
  };
  for (const auto& [nid, value] : extensions) {
    if (value.empty()) continue;
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str());
    if (!ext) return Error{openssl_error("tls: bad certificate extension")};
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return Error{openssl_error("tls: cannot sign")};

  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  BioPtr key_bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1 ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return Error{openssl_error("tls: cannot write PEM")};
  }
  return CertificatePem{bio_text(cert_bio.get()), bio_text(key_bio.get())};
}

Status write_file(const std::string& path, const std::string& text, unsigned mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, static_cast<mode_t>(mode));
  if (fd < 0) return Error{path + ": cannot write"};
  ::fchmod(fd, static_cast<mode_t>(mode));  // also when the file existed with other bits
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      ::close(fd);
      return Error{path + ": write failed"};
    }
    done += static_cast<std::size_t>(n);
  }
  return ::close(fd) == 0 ? Status{} : Status{Error{path + ": close failed"}};
}

Status configure_server(boost::asio::ssl::context& ctx, const CertificatePem& pem) {
  boost::system::error_code ec;
  ctx.set_options(boost::asio::ssl::context::default_workarounds | boost::asio::ssl::context::no_sslv2 |
                      boost::asio::ssl::context::no_sslv3 | boost::asio::ssl::context::no_tlsv1 |
                      boost::asio::ssl::context::no_tlsv1_1,
                  ec);
  if (!ec) ctx.use_certificate_chain(boost::asio::buffer(pem.certificate), ec);
  if (!ec) ctx.use_private_key(boost::asio::buffer(pem.private_key), boost::asio::ssl::context::pem, ec);
  if (ec) return Error{"tls: server certificate: " + ec.message()};
  return {};
}

Status configure_client(boost::asio::ssl::context& ctx, const std::string& ca_file) {
  boost::system::error_code ec;
  ctx.set_options(boost::asio::ssl::context::default_workarounds | boost::asio::ssl::context::no_sslv2 |
                      boost::asio::ssl::context::no_sslv3 | boost::asio::ssl::context::no_tlsv1 |
                      boost::asio::ssl::context::no_tlsv1_1,
                  ec);
  if (ca_file.empty()) {
    ctx.set_default_verify_paths(ec);
  } else {
    ctx.load_verify_file(ca_file, ec);
  }
  if (ec) return Error{"tls: trusted certificates " + (ca_file.empty() ? "(system)" : ca_file) + ": " + ec.message()};
  ctx.set_verify_mode(boost::asio::ssl::verify_peer);
  return {};
}

}  // namespace dalbit::net
