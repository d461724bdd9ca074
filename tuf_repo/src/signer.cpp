// Signing keys: ed25519 (libsodium), ECDSA P-256 and RSA-PSS (OpenSSL EVP).
#include "tuf_repo/signer.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <simdjson.h>
#include <sodium.h>

#include <array>
#include <cstring>
#include <vector>

#include "tuf/json_text.h"
#include "tuf_repo/error.h"
#include "tuf_repo/serialize.h"

namespace tuf_repo {
namespace {

constexpr std::string_view kWarning =
    "DEVELOPMENT KEY of a local tufget index: unencrypted, for tests and demos only";

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

[[noreturn]] void crypto_failure(const char* what) {
  unsigned long code = ERR_get_error();
  char buf[256] = "unknown error";
  if (code != 0) ERR_error_string_n(code, buf, sizeof buf);
  ERR_clear_error();
  throw RepoError(std::string(what) + ": " + buf);
}

void ensure_sodium() {
  static const int rc = sodium_init();
  if (rc < 0) throw RepoError("libsodium initialisation failed");
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string pem_public(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) crypto_failure("writing public key");
  return bio_contents(bio.get());
}

std::string pem_private(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    crypto_failure("writing private key");
  return bio_contents(bio.get());
}

std::string_view keytype_of(KeyType t) {
  switch (t) {
    case KeyType::ed25519: return "ed25519";
    case KeyType::ecdsa: return "ecdsa";
    case KeyType::rsa: return "rsa";
  }
  return {};
}
std::string_view scheme_of(KeyType t) {
  switch (t) {
    case KeyType::ed25519: return "ed25519";
    case KeyType::ecdsa: return "ecdsa-sha2-nistp256";
    case KeyType::rsa: return "rsassa-pss-sha256";
  }
  return {};
}

}  // namespace

std::optional<KeyType> parse_key_type(std::string_view name) {
  if (name == "ed25519") return KeyType::ed25519;
  if (name == "ecdsa" || name == "ecdsa-sha2-nistp256") return KeyType::ecdsa;
  if (name == "rsa" || name == "rsassa-pss-sha256") return KeyType::rsa;
  return std::nullopt;
}

std::string_view key_type_name(KeyType type) { return keytype_of(type); }

struct Signer::Impl {
  KeyType type = KeyType::ed25519;
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> ed_secret{};  // ed25519 only
  PkeyPtr pkey;                                                        // ecdsa / rsa
  tuf::Key key;
  std::string keyid;

  ~Impl() { sodium_memzero(ed_secret.data(), ed_secret.size()); }

  void finish_public(std::string public_value) {
    key.keytype = std::string(keytype_of(type));
    key.scheme = std::string(scheme_of(type));
    key.public_value = std::move(public_value);
    auto verifier = tuf::PublicKey::create(key.keytype, key.scheme, key.public_value);
    if (!verifier) throw RepoError("generated key does not parse: " + verifier.error().message());
    key.verifier = std::make_shared<const tuf::PublicKey>(std::move(*verifier));
    keyid = tuf::compute_keyid(key);
  }
};

Signer::Signer() : impl_(std::make_unique<Impl>()) {}
Signer::Signer(Signer&&) noexcept = default;
Signer& Signer::operator=(Signer&&) noexcept = default;
Signer::~Signer() = default;

KeyType Signer::type() const { return impl_->type; }
const tuf::Key& Signer::key() const { return impl_->key; }
const std::string& Signer::keyid() const { return impl_->keyid; }

Signer Signer::ed25519_from_seed(std::span<const std::uint8_t, 32> seed) {
  static_assert(crypto_sign_SEEDBYTES == 32);
  ensure_sodium();
  Signer s;
  s.impl_->type = KeyType::ed25519;
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
  crypto_sign_seed_keypair(pk.data(), s.impl_->ed_secret.data(), seed.data());
  s.impl_->finish_public(tuf::to_hex(tuf::Bytes(pk.data(), pk.size())));
  return s;
}

Signer Signer::generate(KeyType type, unsigned rsa_bits) {
  Signer s;
  s.impl_->type = type;
  switch (type) {
    case KeyType::ed25519: {
      ensure_sodium();
      std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
      crypto_sign_keypair(pk.data(), s.impl_->ed_secret.data());
      s.impl_->finish_public(tuf::to_hex(tuf::Bytes(pk.data(), pk.size())));
      return s;
    }
    case KeyType::ecdsa:
      s.impl_->pkey.reset(EVP_EC_gen("P-256"));
      if (!s.impl_->pkey) crypto_failure("generating an ECDSA P-256 key");
      break;
    case KeyType::rsa:
      s.impl_->pkey.reset(EVP_RSA_gen(rsa_bits));
      if (!s.impl_->pkey) crypto_failure("generating an RSA key");
      break;
  }
  s.impl_->finish_public(pem_public(s.impl_->pkey.get()));
  return s;
}

Signer Signer::from_key_file(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const simdjson::padded_string padded(json.data(), json.size());
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS) throw RepoError("key file is not JSON");
  std::string_view keytype, scheme, pub, priv, keyid;
  if (doc["keytype"].get(keytype) || doc["scheme"].get(scheme) ||
      doc["keyval"]["public"].get(pub) || doc["keyval"]["private"].get(priv) ||
      doc["keyid"].get(keyid))
    throw RepoError("key file lacks keytype, scheme, keyid or keyval.public/private");
  const auto type = parse_key_type(keytype);
  if (!type || scheme != scheme_of(*type))
    throw RepoError("key file has an unsupported keytype/scheme: " + std::string(keytype) + "/" +
                     std::string(scheme));
  Signer s;
  if (*type == KeyType::ed25519) {
    std::array<std::uint8_t, crypto_sign_SEEDBYTES> seed{};
    if (!tuf::from_hex_exact(priv, seed)) throw RepoError("ed25519 private key is not 64 hex");
    s = ed25519_from_seed(seed);
    sodium_memzero(seed.data(), seed.size());
  } else {
    s.impl_->type = *type;
    BioPtr bio(BIO_new_mem_buf(priv.data(), static_cast<int>(priv.size())));
    if (!bio) crypto_failure("reading private key");
    s.impl_->pkey.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!s.impl_->pkey) crypto_failure("reading private key");
    const bool right_kind = (*type == KeyType::ecdsa)
                                ? EVP_PKEY_is_a(s.impl_->pkey.get(), "EC")
                                : EVP_PKEY_is_a(s.impl_->pkey.get(), "RSA");
    if (!right_kind) throw RepoError("private key is not of type " + std::string(keytype));
    s.impl_->finish_public(pem_public(s.impl_->pkey.get()));
  }
  if (s.impl_->key.public_value != pub || s.impl_->keyid != keyid)
    throw RepoError("key file's public key or keyid does not match its private key");
  return s;
}

std::string Signer::sign_hex(tuf::Bytes message) const {
  if (impl_->type == KeyType::ed25519) {
    std::array<unsigned char, crypto_sign_BYTES> sig{};
    crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(),
                         impl_->ed_secret.data());
    return tuf::to_hex(tuf::Bytes(sig.data(), sig.size()));
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, impl_->pkey.get()) != 1)
    crypto_failure("starting a signature");
  if (impl_->type == KeyType::rsa) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)
      crypto_failure("configuring RSA-PSS");
  }
  std::size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()) != 1)
    crypto_failure("signing");
  std::vector<unsigned char> sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1)
    crypto_failure("signing");
  return tuf::to_hex(tuf::Bytes(sig.data(), len));
}

tuf::Signature Signer::sign(std::string_view canonical_signed) const {
  return tuf::Signature{impl_->keyid, sign_hex(tuf::as_bytes(canonical_signed))};
}

std::string Signer::to_key_file(std::string_view role) const {
  std::string priv;
  if (impl_->type == KeyType::ed25519) {
    std::array<unsigned char, crypto_sign_SEEDBYTES> seed{};
    crypto_sign_ed25519_sk_to_seed(seed.data(), impl_->ed_secret.data());
    priv = tuf::to_hex(tuf::Bytes(seed.data(), seed.size()));
    sodium_memzero(seed.data(), seed.size());
  } else {
    priv = pem_private(impl_->pkey.get());
  }
  std::string out = "{\n";
  out += "  \"warning\": " + tuf::json_string(kWarning) + ",\n";
  out += "  \"role\": " + tuf::json_string(role) + ",\n";
  out += "  \"keyid\": " + tuf::json_string(impl_->keyid) + ",\n";
  out += "  \"keytype\": " + tuf::json_string(impl_->key.keytype) + ",\n";
  out += "  \"scheme\": " + tuf::json_string(impl_->key.scheme) + ",\n";
  out += "  \"keyval\": {\n    \"public\": " + tuf::json_string(impl_->key.public_value) +
         ",\n    \"private\": " + tuf::json_string(priv) + "\n  }\n}\n";
  sodium_memzero(priv.data(), priv.size());
  return out;
}

}  // namespace tuf_repo
