// TLS material for loopback servers and their clients: a self-signed
// certificate that names 127.0.0.1 and localhost in subjectAltName, so that
// any client (curl, Python, Node, dalbit) can trust it by its PEM file with
// verification left on.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace boost::asio::ssl {
class context;
}

namespace dalbit::net {

struct CertificatePem {
  std::string certificate;  // X.509, PEM
  std::string private_key;  // PKCS#8, PEM
};

// An EC P-256 key and a certificate valid for `days`, naming every entry of
// `dns_names` and `ip_addresses` in subjectAltName.
[[nodiscard]] Result<CertificatePem> make_self_signed(const std::vector<std::string>& dns_names,
                                                      const std::vector<std::string>& ip_addresses, int days);

// Writes `text` to `path` with the given permission bits (0600 for keys).
[[nodiscard]] Status write_file(const std::string& path, const std::string& text, unsigned mode);

// A server context over the given PEM texts (TLS 1.2 and later).
[[nodiscard]] Status configure_server(boost::asio::ssl::context& ctx, const CertificatePem& pem);

// A client context that verifies the peer: against `ca_file` when given (a
// PEM bundle, e.g. the simulator's certificate), else the system's CAs.
// There is deliberately no way to turn verification off.
[[nodiscard]] Status configure_client(boost::asio::ssl::context& ctx, const std::string& ca_file);

}  // namespace dalbit::net
