// au10001 (token issue) and au10002 (token revoke). Secrets go through
// SecretCodec, whose errors never quote the value.
#include "kiwoom/fields.h"

namespace dalbit::kiwoom {

using namespace fields;

template <class V, Is<TokenRequest> S>
void describe(V& v, S& r) {
  v.fixed(key::kGrantType, kGrantClientCredentials);
  v.req(key::kAppKey, r.app_key, kSecret);
  v.req(key::kSecretKey, r.secret_key, kSecret);
}

template <class V, Is<IssuedToken> S>
void describe(V& v, S& t) {
  v.req(key::kExpiresDt, t.expires, kDateTime);
  v.req(key::kTokenType, t.token_type, kText);
  v.req(key::kToken, t.token, kSecret);
}

template <class V, Is<RevokeRequest> S>
void describe(V& v, S& r) {
  v.req(key::kAppKey, r.app_key, kSecret);
  v.req(key::kSecretKey, r.secret_key, kSecret);
  v.req(key::kToken, r.token, kSecret);
}

template <class V, Is<Revoked> S>
void describe(V&, S&) {}

}  // namespace dalbit::kiwoom

DALBIT_KIWOOM_REST_API(dalbit::kiwoom::TokenRequest)
DALBIT_KIWOOM_REST_API(dalbit::kiwoom::RevokeRequest)
