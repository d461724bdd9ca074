// Tests for tuf_core/src/keys.cpp. Keys are generated here (libsodium, OpenSSL), signatures made
// here, and verified through tuf::PublicKey; plus the RFC 8032 ed25519 vector.
#include <catch2/catch.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include <cctype>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tuf/bytes.h"
#include "tuf/keys.h"

namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

Pkey make_ec(const char* curve) {
  Pkey k(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
  REQUIRE(k);
  return k;
}

// RSA-3072 keygen is slow; make each key once.
EVP_PKEY* rsa_key(int which) {
  static Pkey keys[2] = {Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{3072})),
                         Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{3072}))};
  REQUIRE(keys[which]);
  return keys[which].get();
}

EVP_PKEY* ec_key(int which) {
  static Pkey keys[2] = {make_ec("P-256"), make_ec("P-256")};
  return keys[which].get();
}

std::string public_pem(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  REQUIRE(PEM_write_bio_PUBKEY(bio.get(), key) == 1);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

// Signs with OpenSSL; pss_salt set means RSASSA-PSS with MGF1 over the same digest.
std::string sign_hex(EVP_PKEY* key, const char* digest, std::string_view msg,
                     std::optional<int> pss_salt = std::nullopt) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  REQUIRE(EVP_DigestSignInit_ex(ctx.get(), &pctx, digest, nullptr, nullptr, key, nullptr) == 1);
  if (pss_salt) {
    REQUIRE(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1);
    REQUIRE(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, *pss_salt) == 1);
  }
  const auto m = tuf::as_bytes(msg);
  std::size_t len = 0;
  REQUIRE(EVP_DigestSign(ctx.get(), nullptr, &len, m.data(), m.size()) == 1);
  std::vector<std::uint8_t> sig(len);
  REQUIRE(EVP_DigestSign(ctx.get(), sig.data(), &len, m.data(), m.size()) == 1);
  return tuf::to_hex({sig.data(), len});
}

tuf::PublicKey make_key(std::string_view keytype, std::string_view scheme,
                        std::string_view public_value) {
  auto k = tuf::PublicKey::create(keytype, scheme, public_value);
  INFO((k ? std::string() : k.error().message()));
  REQUIRE(k);
  return std::move(*k);
}

// Changes one byte of a hex signature (the hex stays well formed).
std::string flip_byte(std::string hex, std::size_t byte) {
  char& c = hex[2 * byte];
  c = c == '0' ? '1' : '0';
  return hex;
}

// The checks every key type must pass: `sig` is a valid signature of `msg` by `key`,
// `other_sig` is a signature of `msg` by another key of the same type.
void check_signature_rules(const tuf::PublicKey& key, std::string_view msg,
                           const std::string& sig, const std::string& other_sig) {
  const auto m = tuf::as_bytes(msg);
  CHECK(key.verify(m, sig));

  std::string changed(msg);
  changed[0] ^= 0x01;
  CHECK_FALSE(key.verify(tuf::as_bytes(changed), sig));
  CHECK_FALSE(key.verify(tuf::as_bytes(std::string(msg) + "x"), sig));

  CHECK_FALSE(key.verify(m, flip_byte(sig, 0)));
  CHECK_FALSE(key.verify(m, flip_byte(sig, sig.size() / 4)));
  CHECK_FALSE(key.verify(m, flip_byte(sig, sig.size() / 2 - 1)));
  CHECK_FALSE(key.verify(m, sig.substr(0, sig.size() - 2)));  // truncated
  CHECK_FALSE(key.verify(m, sig.substr(0, sig.size() - 1)));  // odd length
  CHECK_FALSE(key.verify(m, sig + "00"));                      // extended
  CHECK_FALSE(key.verify(m, "zz" + sig.substr(2)));            // not hex
  CHECK_FALSE(key.verify(m, ""));
  CHECK_FALSE(key.verify(m, std::string(4096, 'a')));          // longer than any signature
  CHECK_FALSE(key.verify(m, other_sig));

  // Failed verifications leave no errors behind in OpenSSL's per-thread queue.
  CHECK(ERR_peek_error() == 0);
}

constexpr std::string_view kMessage = R"({"_type":"root","version":1})";

}  // namespace

TEST_CASE("ed25519 RFC 8032 test 1 verifies", "[keys]") {
  const auto key = make_key(
      "ed25519", "ed25519", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  const std::string sig =
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555"
      "fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
  CHECK(key.verify({}, sig));
  CHECK_FALSE(key.verify(tuf::as_bytes("x"), sig));
  CHECK_FALSE(key.verify({}, flip_byte(sig, 40)));
  CHECK(key.keytype() == "ed25519");
  CHECK(key.scheme() == "ed25519");
}

TEST_CASE("ed25519 signatures by a generated key", "[keys]") {
  REQUIRE(sodium_init() >= 0);
  std::uint8_t pk[2][crypto_sign_PUBLICKEYBYTES], sk[2][crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk[0], sk[0]);
  crypto_sign_keypair(pk[1], sk[1]);
  auto sign = [&](int which) {
    std::uint8_t sig[crypto_sign_BYTES];
    const auto m = tuf::as_bytes(kMessage);
    crypto_sign_detached(sig, nullptr, m.data(), m.size(), sk[which]);
    return tuf::to_hex(sig);
  };
  const auto key = make_key("ed25519", "ed25519", tuf::to_hex(pk[0]));
  check_signature_rules(key, kMessage, sign(0), sign(1));

  // Hex case does not matter, for the key or the signature.
  std::string upper_pk = tuf::to_hex(pk[0]), upper_sig = sign(0);
  for (auto* s : {&upper_pk, &upper_sig})
    for (char& c : *s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(make_key("ed25519", "ed25519", upper_pk).verify(tuf::as_bytes(kMessage), upper_sig));
}

TEST_CASE("ecdsa-sha2-nistp256 signatures (DER over SHA-256)", "[keys]") {
  const std::string pem = public_pem(ec_key(0));
  const std::string sig = sign_hex(ec_key(0), "SHA256", kMessage);
  const std::string other = sign_hex(ec_key(1), "SHA256", kMessage);
  for (std::string_view keytype : {"ecdsa", "ecdsa-sha2-nistp256"}) {
    INFO(keytype);
    const auto key = make_key(keytype, "ecdsa-sha2-nistp256", pem);
    check_signature_rules(key, kMessage, sig, other);
    // A signature over a different digest of the same message does not verify.
    CHECK_FALSE(key.verify(tuf::as_bytes(kMessage), sign_hex(ec_key(0), "SHA384", kMessage)));
  }
}

TEST_CASE("ecdsa-sha2-nistp384 signatures (DER over SHA-384)", "[keys]") {
  const Pkey k = make_ec("P-384"), other = make_ec("P-384");
  const auto key = make_key("ecdsa", "ecdsa-sha2-nistp384", public_pem(k.get()));
  check_signature_rules(key, kMessage, sign_hex(k.get(), "SHA384", kMessage),
                        sign_hex(other.get(), "SHA384", kMessage));
}

TEST_CASE("rsassa-pss-sha256 accepts digest-length and maximum salt", "[keys]") {
  EVP_PKEY* rsa = rsa_key(0);
  const auto key = make_key("rsa", "rsassa-pss-sha256", public_pem(rsa));
  const std::string other = sign_hex(rsa_key(1), "SHA256", kMessage, RSA_PSS_SALTLEN_DIGEST);

  const std::string digest_salt = sign_hex(rsa, "SHA256", kMessage, RSA_PSS_SALTLEN_DIGEST);
  const std::string max_salt = sign_hex(rsa, "SHA256", kMessage, RSA_PSS_SALTLEN_MAX);
  CHECK(digest_salt.size() == 768);  // 3072 bits
  CHECK(digest_salt != max_salt);
  check_signature_rules(key, kMessage, digest_salt, other);
  check_signature_rules(key, kMessage, max_salt, other);

  // A PKCS#1 v1.5 signature is not a PSS signature.
  CHECK_FALSE(key.verify(tuf::as_bytes(kMessage), sign_hex(rsa, "SHA256", kMessage)));
}

TEST_CASE("rsa-pkcs1v15-sha256 signatures", "[keys]") {
  EVP_PKEY* rsa = rsa_key(0);
  const auto key = make_key("rsa", "rsa-pkcs1v15-sha256", public_pem(rsa));
  check_signature_rules(key, kMessage, sign_hex(rsa, "SHA256", kMessage),
                        sign_hex(rsa_key(1), "SHA256", kMessage));
  CHECK_FALSE(key.verify(tuf::as_bytes(kMessage),
                         sign_hex(rsa, "SHA256", kMessage, RSA_PSS_SALTLEN_DIGEST)));
}

TEST_CASE("create refuses unknown keytype/scheme pairs", "[keys]") {
  const std::string ed_hex(64, 'a');
  const std::string ec_pem = public_pem(ec_key(0));
  struct Case {
    std::string_view keytype, scheme, value;
  };
  for (const Case& c : {Case{"ed25519", "ed25519ph", ed_hex}, Case{"ed448", "ed448", ed_hex},
                        Case{"ed25519", "rsassa-pss-sha256", ed_hex},
                        Case{"rsa", "ecdsa-sha2-nistp256", ec_pem},
                        Case{"ecdsa-sha2-nistp384", "ecdsa-sha2-nistp256", ec_pem},
                        Case{"rsa", "rsassa-pss-sha1", ec_pem}, Case{"", "", ""}}) {
    INFO(c.keytype << " / " << c.scheme);
    auto k = tuf::PublicKey::create(c.keytype, c.scheme, c.value);
    REQUIRE_FALSE(k);
    CHECK(k.error().code == tuf::Errc::invalid_metadata);
    CHECK(k.error().detail.find("unsupported keytype/scheme") != std::string::npos);
  }
}

TEST_CASE("create refuses a malformed or mismatched public value", "[keys]") {
  const std::string rsa_pem = public_pem(rsa_key(0));
  const std::string ec_pem = public_pem(ec_key(0));
  const Pkey p384 = make_ec("P-384");
  const std::string p384_pem = public_pem(p384.get());
  const std::string ed_hex(64, 'a');
  struct Case {
    std::string_view keytype, scheme;
    std::string value;
  };
  const Case cases[] = {
      {"ed25519", "ed25519", ed_hex.substr(1)},        // 63 characters
      {"ed25519", "ed25519", ed_hex + "aa"},           // 33 bytes
      {"ed25519", "ed25519", ed_hex.substr(2) + "zz"},  // not hex
      {"ed25519", "ed25519", ec_pem},                  // PEM where hex is required
      {"ecdsa", "ecdsa-sha2-nistp256", rsa_pem},       // RSA key under an EC keytype
      {"ecdsa", "ecdsa-sha2-nistp256", p384_pem},      // wrong curve for the scheme
      {"ecdsa", "ecdsa-sha2-nistp384", ec_pem},
      {"rsa", "rsassa-pss-sha256", ec_pem},            // EC key under keytype rsa
      {"rsa", "rsassa-pss-sha256", ed_hex},            // not PEM at all
      {"rsa", "rsassa-pss-sha256", rsa_pem.substr(0, rsa_pem.size() / 2)},  // cut short
      {"ecdsa", "ecdsa-sha2-nistp256", ""},
  };
  for (const Case& c : cases) {
    INFO(c.keytype << " / " << c.scheme << " / " << c.value);
    auto k = tuf::PublicKey::create(c.keytype, c.scheme, c.value);
    REQUIRE_FALSE(k);
    CHECK(k.error().code == tuf::Errc::invalid_metadata);
  }
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("a moved-from key verifies nothing", "[keys]") {
  auto key = make_key("ed25519", "ed25519",
                      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  const std::string sig =
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555"
      "fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
  tuf::PublicKey moved = std::move(key);
  CHECK(moved.verify({}, sig));
  CHECK_FALSE(key.verify({}, sig));  // NOLINT(bugprone-use-after-move): tests exactly that
}

TEST_CASE("identity is the key itself: equal across keyid-relevant spellings, distinct keys differ",
          "[keys][threshold]") {
  // ed25519: upper- and lower-case hex of one key.
  const std::string hex = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const auto ed = make_key("ed25519", "ed25519", hex);
  CHECK(ed.identity() == make_key("ed25519", "ed25519", upper).identity());
  CHECK_FALSE(ed.identity().empty());

  // ECDSA: the keytype alias, and the point compressed or not.
  EVP_PKEY* ec = ec_key(0);
  const std::string uncompressed = public_pem(ec);
  Pkey copy(EVP_PKEY_dup(ec));
  REQUIRE(copy);
  REQUIRE(EVP_PKEY_set_utf8_string_param(copy.get(), "point-format", "compressed") == 1);
  const std::string compressed = public_pem(copy.get());
  REQUIRE(compressed != uncompressed);
  const auto a = make_key("ecdsa", "ecdsa-sha2-nistp256", uncompressed);
  CHECK(a.identity() == make_key("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256", compressed).identity());
  CHECK(a.identity() != make_key("ecdsa", "ecdsa-sha2-nistp256", public_pem(ec_key(1))).identity());
  CHECK(a.identity() != ed.identity());

  // RSA: one key under both schemes is one key; another key is not.
  const std::string rsa = public_pem(rsa_key(0));
  const auto pss = make_key("rsa", "rsassa-pss-sha256", rsa);
  CHECK(pss.identity() == make_key("rsa", "rsa-pkcs1v15-sha256", rsa).identity());
  CHECK(pss.identity() != make_key("rsa", "rsassa-pss-sha256", public_pem(rsa_key(1))).identity());
  CHECK(ERR_peek_error() == 0);
}
