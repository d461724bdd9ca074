// Public keys: ed25519, ECDSA and RSA (OpenSSL libcrypto).
//
// create() does all parsing once: hex for ed25519, PEM SubjectPublicKeyInfo into an EVP_PKEY
// for the others, checking that the key really is of the declared type (and curve). verify()
// decodes the signature into a stack buffer; OpenSSL contexts are made per call so a const
// PublicKey can be shared.
//
// ed25519: libsodium's crypto_sign_verify_detached for messages below 64 KiB. Larger ones (a
// PEP 458 snapshot is 508 KB) follow the same steps, as libsodium 1.0.18 (default, non-"compat"
// build) takes them, with h = SHA-512(R || A || M) computed by OpenSSL's low-level SHA512, ~1.6x
// faster here: the encoding checks (S < L, R and A not of small order, A canonical), then the
// cofactorless equation [S]B = R + [h]A compared by encoding, through libsodium's point API.
// The same signatures verify either way. (OpenSSL's own Ed25519 would need its provider
// machinery: +2.2 MB RSS, and its point arithmetic is slower.)
#include "tuf/keys.h"

// SHA512_Init/Update/Final (deprecated in OpenSSL 3): the digest itself, without OpenSSL 3's
// provider machinery, which EVP would initialise (~2 MB RSS in a process that otherwise never
// needs it). Must precede every OpenSSL header.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <sodium.h>

#include <array>
#include <cstring>
#include <limits>

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

// ---- libsodium's ed25519 encoding checks (ed25519_ref10.c, 1.0.18) ---------------------------

// Encodings of the points of order 1, 2, 4 and 8 (and the non-canonical p, p+1), as libsodium
// lists them; compared ignoring the sign bit (bit 255).
constexpr std::uint8_t kSmallOrder[7][32] = {
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
    {0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
    {0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
     0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05},
    {0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
     0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a},
    {0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
    {0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
    {0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
};

// ge25519_has_small_order. (Public data only: no need for constant time.)
bool has_small_order(const std::uint8_t* p) {
  for (const auto& bad : kSmallOrder) {
    if (std::memcmp(p, bad, 31) == 0 && (p[31] & 0x7f) == bad[31]) return true;
  }
  return false;
}

// ge25519_is_canonical: the y coordinate (bits 0..254) is below p = 2^255 - 19.
bool is_canonical_point(const std::uint8_t* p) {
  if ((p[31] & 0x7f) != 0x7f) return true;
  for (int i = 30; i > 0; --i)
    if (p[i] != 0xff) return true;
  return p[0] < 0xed;
}

// sc25519_is_canonical: S < L = 2^252 + 27742317777372353535851937790883648493 (little endian).
bool is_canonical_scalar(const std::uint8_t* s) {
  static constexpr std::uint8_t kL[32] = {
      0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};
  for (int i = 31; i >= 0; --i) {
    if (s[i] != kL[i]) return s[i] < kL[i];
  }
  return false;  // S == L
}

// From this message size on, ed25519 hashes with OpenSSL's SHA-512 (~755 MB/s here, libsodium's
// portable one ~475 MB/s); the point arithmetic then takes two constant-time scalar
// multiplications (~60 us more than libsodium's one double-scalar multiplication), which pays
// off above ~40 KB.
constexpr std::size_t kLargeEd25519Message = 64 * 1024;

// The largest signature any supported key makes: RSA at OpenSSL's 16384-bit modulus limit.
constexpr std::size_t kMaxSignatureBytes = 2048;

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
  bool verify_ed25519(Bytes message, const std::array<std::uint8_t, crypto_sign_BYTES>& sig) const;
};

bool PublicKey::Impl::verify_ed25519(Bytes message,
                                     const std::array<std::uint8_t, crypto_sign_BYTES>& sig) const {
  const std::uint8_t* pk = ed25519.data();
  if (message.size() < kLargeEd25519Message) {
    return crypto_sign_verify_detached(sig.data(), message.data(), message.size(), pk) == 0;
  }
  // crypto_sign_verify_detached's steps, with h hashed by OpenSSL. First libsodium's checks, in
  // its order: S canonical, R not of small order; A canonical and not of small order.
  const std::uint8_t* r = sig.data();
  const std::uint8_t* s = sig.data() + 32;
  if (!is_canonical_scalar(s) || has_small_order(r)) return false;
  if (!is_canonical_point(pk) || has_small_order(pk)) return false;
  // h = SHA-512(R || A || M) mod L.
  std::array<std::uint8_t, 64> digest;
  SHA512_CTX sha;
  SHA512_Init(&sha);
  SHA512_Update(&sha, r, 32);
  SHA512_Update(&sha, pk, 32);
  SHA512_Update(&sha, message.data(), message.size());
  SHA512_Final(digest.data(), &sha);
  std::array<std::uint8_t, 32> h;
  crypto_core_ed25519_scalar_reduce(h.data(), digest.data());
  // R' = [S]B - [h]A must encode to R (libsodium: [h](-A) + [S]B, the same point). The scalar
  // multiplications refuse a zero scalar (identity result), so [0]P is written as the identity;
  // for canonical S != 0 and h != 0 (A has no small order) neither result is the identity.
  // crypto_scalarmult_ed25519_noclamp also refuses an A that is not on the curve or not in the
  // prime-order subgroup (which verification itself allows): whenever a step fails, libsodium's
  // own verify (hashing again) gives the answer, so the result is always libsodium's.
  static constexpr std::array<std::uint8_t, 32> kIdentity = {1};
  std::array<std::uint8_t, 32> sb = kIdentity, ha = kIdentity, rcheck;
  const bool computed =
      (sodium_is_zero(s, 32) || crypto_scalarmult_ed25519_base_noclamp(sb.data(), s) == 0) &&
      (sodium_is_zero(h.data(), h.size()) ||
       crypto_scalarmult_ed25519_noclamp(ha.data(), h.data(), pk) == 0) &&
      crypto_core_ed25519_sub(rcheck.data(), sb.data(), ha.data()) == 0;
  if (computed) return std::memcmp(rcheck.data(), r, 32) == 0;
  return crypto_sign_verify_detached(sig.data(), message.data(), message.size(), pk) == 0;
}

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
  }

  PublicKey key;
  key.keytype_ = std::string(keytype);
  key.scheme_ = std::string(scheme);
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
    return from_hex_exact(signature_hex, sig) && impl_->verify_ed25519(message, sig);
  }
  std::array<std::uint8_t, kMaxSignatureBytes> buf;
  const std::size_t n = signature_hex.size() / 2;
  if (signature_hex.size() % 2 != 0 || n == 0 || n > buf.size()) return false;
  std::span<std::uint8_t> sig(buf.data(), n);
  return from_hex_exact(signature_hex, sig) && impl_->verify_openssl(message, sig);
}

}  // namespace tuf
