// Public keys: ed25519 (libsodium), ECDSA and RSA (OpenSSL libcrypto).
//
// create() does all parsing once: hex for ed25519, PEM SubjectPublicKeyInfo into an EVP_PKEY
// for the others, checking that the key really is of the declared type (and curve), and the
// key's identity (its numbers, for counting distinct keys toward a threshold). verify()
// decodes the signature into a stack buffer and never allocates for ed25519; OpenSSL contexts
// are made per call so a const PublicKey can be shared.
#include "tuf/keys.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>

namespace tuf {
namespace {

void ensure_sodium() {
  [[maybe_unused]] static const int once = sodium_init();
}

enum class Kind { ed25519, ecdsa, rsa_pss, rsa_pkcs1 };

// One supported (keytype, scheme) pair.
struct Scheme {
  std::string_view keytype;
  std::string_view scheme;
  Kind kind;
  const char* digest;  // OpenSSL digest name (unused for ed25519)
  const char* curve;   // required EC group name, ecdsa only
};

constexpr Scheme kSchemes[] = {
    {"ed25519", "ed25519", Kind::ed25519, nullptr, nullptr},
    {"ecdsa", "ecdsa-sha2-nistp256", Kind::ecdsa, "SHA256", "prime256v1"},
    {"ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256", Kind::ecdsa, "SHA256", "prime256v1"},
    {"ecdsa", "ecdsa-sha2-nistp384", Kind::ecdsa, "SHA384", "secp384r1"},
    {"ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384", Kind::ecdsa, "SHA384", "secp384r1"},
    {"rsa", "rsassa-pss-sha256", Kind::rsa_pss, "SHA256", nullptr},
    {"rsa", "rsa-pkcs1v15-sha256", Kind::rsa_pkcs1, "SHA256", nullptr},
};

const Scheme* find_scheme(std::string_view keytype, std::string_view scheme) {
  for (const auto& s : kSchemes)
    if (s.keytype == keytype && s.scheme == scheme) return &s;
  return nullptr;
}

// The largest signature any supported key makes: RSA at OpenSSL's 16384-bit modulus limit.
constexpr std::size_t kMaxSignatureBytes = 2048;

// Appends one length-prefixed field (4 bytes big-endian, then the bytes) to a key identity.
void append_field(std::string& out, std::string_view field) {
  const auto n = static_cast<std::uint32_t>(field.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((n >> shift) & 0xff));
  out += field;
}

// Big-endian bytes of a public-key parameter of `pkey`, left-padded with zeros to `width`
// bytes (0: minimal length). nullopt when OpenSSL cannot give it.
std::optional<std::string> bn_param(const EVP_PKEY* pkey, const char* name, int width) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1 || !bn) return std::nullopt;
  const int size = width > 0 ? width : BN_num_bytes(bn);
  std::string out(static_cast<std::size_t>(size), '\0');
  const int n = BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), size);
  BN_free(bn);
  if (n != size) return std::nullopt;
  return out;
}

// PublicKey::identity for an ECDSA or RSA key: the numbers that make the key, so two PEM
// spellings of one key (compressed or uncompressed point, any SPKI layout) are equal.
std::optional<std::string> openssl_identity(const EVP_PKEY* pkey, const Scheme& s) {
  std::string id;
  if (s.kind == Kind::ecdsa) {
    const int width = (EVP_PKEY_get_bits(pkey) + 7) / 8;
    auto x = bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, width);
    auto y = bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, width);
    if (width <= 0 || !x || !y) return std::nullopt;
    append_field(id, "ec");
    append_field(id, s.curve);
    append_field(id, *x);
    append_field(id, *y);
  } else {
    auto n = bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, 0);
    auto e = bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, 0);
    if (!n || !e) return std::nullopt;
    append_field(id, "rsa");
    append_field(id, *n);
    append_field(id, *e);
  }
  return id;
}

Error bad_key(std::string detail) {
  ERR_clear_error();  // leave no stale OpenSSL errors for whoever uses libcrypto/libssl next
  return Error{Errc::invalid_metadata, {}, std::move(detail), {}, {}};
}

}  // namespace

struct PublicKey::Impl {
  const Scheme* scheme = nullptr;
  std::array<std::uint8_t, crypto_sign_PUBLICKEYBYTES> ed25519{};
  EVP_PKEY* pkey = nullptr;
  const EVP_MD* md = nullptr;  // fetched once per key

  ~Impl() {
    EVP_MD_free(const_cast<EVP_MD*>(md));
    EVP_PKEY_free(pkey);
  }

  bool verify_openssl(Bytes message, std::span<const std::uint8_t> sig) const;
};

bool PublicKey::Impl::verify_openssl(Bytes message, std::span<const std::uint8_t> sig) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx) return false;
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  bool ok = EVP_DigestVerifyInit(ctx, &pctx, md, nullptr, pkey) == 1;
  if (ok && scheme->kind == Kind::rsa_pss) {
    // MGF1 with the message digest. AUTO recovers the salt length from the signature, so both
    // salt = digest length and the maximum salt length (python-securesystemslib) verify.
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) == 1;
  } else if (ok && scheme->kind == Kind::rsa_pkcs1) {
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
  }
  ok = ok && EVP_DigestVerify(ctx, sig.data(), sig.size(), message.data(), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) ERR_clear_error();
  return ok;
}

Result<PublicKey> PublicKey::create(std::string_view keytype, std::string_view scheme,
                                    std::string_view public_value) {
  const Scheme* s = find_scheme(keytype, scheme);
  std::string identity;
  if (!s) {
    return fail(Errc::invalid_metadata, {},
                "unsupported keytype/scheme " + std::string(keytype) + "/" + std::string(scheme));
  }
  auto impl = std::make_unique<Impl>();
  impl->scheme = s;

  if (s->kind == Kind::ed25519) {
    if (!from_hex_exact(public_value, impl->ed25519))
      return fail(Errc::invalid_metadata, {}, "ed25519 public key is not 64 hex characters");
    ensure_sodium();
    append_field(identity, "ed25519");
    append_field(identity, std::string_view(reinterpret_cast<const char*>(impl->ed25519.data()),
                                            impl->ed25519.size()));
  } else {
    // PEM SubjectPublicKeyInfo ("-----BEGIN PUBLIC KEY-----").
    if (public_value.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
      return std::unexpected(bad_key("public key PEM too large"));
    BIO* bio = BIO_new_mem_buf(public_value.data(), static_cast<int>(public_value.size()));
    impl->pkey = bio ? PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr) : nullptr;
    BIO_free(bio);
    if (!impl->pkey)
      return std::unexpected(bad_key("public key is not a PEM SubjectPublicKeyInfo"));

    if (s->kind == Kind::ecdsa) {
      char group[64] = {};
      if (!EVP_PKEY_is_a(impl->pkey, "EC") ||
          EVP_PKEY_get_group_name(impl->pkey, group, sizeof group, nullptr) != 1)
        return std::unexpected(bad_key("public key is not an EC key"));
      if (std::strcmp(group, s->curve) != 0)
        return std::unexpected(bad_key("EC key is on curve " + std::string(group) +
                                       ", scheme " + std::string(scheme) + " needs " +
                                       s->curve));
    } else if (!EVP_PKEY_is_a(impl->pkey, "RSA")) {
      return std::unexpected(bad_key("public key is not an RSA key"));
    }
    impl->md = EVP_MD_fetch(nullptr, s->digest, nullptr);
    if (!impl->md) return std::unexpected(bad_key("digest " + std::string(s->digest) +
                                                  " unavailable"));
    auto id = openssl_identity(impl->pkey, *s);
    if (!id) return std::unexpected(bad_key("cannot read the public key's parameters"));
    identity = std::move(*id);
  }

  PublicKey key;
  key.keytype_ = std::string(keytype);
  key.scheme_ = std::string(scheme);
  key.identity_ = std::move(identity);
  key.impl_ = std::move(impl);
  return key;
}

PublicKey::PublicKey(PublicKey&&) noexcept = default;
PublicKey& PublicKey::operator=(PublicKey&&) noexcept = default;
PublicKey::~PublicKey() = default;

bool PublicKey::verify(Bytes message, std::string_view signature_hex) const {
  if (!impl_) return false;
  if (impl_->scheme->kind == Kind::ed25519) {
    std::array<std::uint8_t, crypto_sign_BYTES> sig;
    return from_hex_exact(signature_hex, sig) &&
           crypto_sign_verify_detached(sig.data(), message.data(), message.size(),
                                       impl_->ed25519.data()) == 0;
  }
  std::array<std::uint8_t, kMaxSignatureBytes> buf;
  const std::size_t n = signature_hex.size() / 2;
  if (signature_hex.size() % 2 != 0 || n == 0 || n > buf.size()) return false;
  std::span<std::uint8_t> sig(buf.data(), n);
  return from_hex_exact(signature_hex, sig) && impl_->verify_openssl(message, sig);
}

}  // namespace tuf
