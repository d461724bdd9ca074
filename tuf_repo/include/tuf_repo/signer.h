// Signing keys: generation, key files, key ids, signatures.
//
// Key files hold UNENCRYPTED private keys (the local index keeps them in DIR/keys/<role>.json,
// mode 0600): development keys only. A real repository keeps its root keys offline and its
// online keys in a KMS/HSM.
//
// Key types, as TUF metadata names them (and tuf::PublicKey verifies them):
//   ed25519: keytype "ed25519", scheme "ed25519", public = 64 hex chars (libsodium)
//   ecdsa:   keytype "ecdsa", scheme "ecdsa-sha2-nistp256", public = PEM SPKI, signature = hex
//            of DER ECDSA-Sig-Value over SHA-256 (OpenSSL EVP)
//   rsa:     keytype "rsa", scheme "rsassa-pss-sha256", 3072-bit, public = PEM SPKI, PSS with
//            MGF1-SHA256 and salt length = digest length (OpenSSL EVP)
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "tuf/bytes.h"
#include "tuf/metadata.h"

namespace tuf_repo {

enum class KeyType { ed25519, ecdsa, rsa };

// "ed25519", "ecdsa" (also "ecdsa-sha2-nistp256"), "rsa" (also "rsassa-pss-sha256").
std::optional<KeyType> parse_key_type(std::string_view name);
std::string_view key_type_name(KeyType type);

class Signer {
 public:
  // A fresh key pair (RSA keys of `rsa_bits`). Throws RepoError if the crypto library fails.
  static Signer generate(KeyType type, unsigned rsa_bits = 3072);
  // The ed25519 key of a 32-byte seed: the same seed gives the same key (deterministic
  // repositories for benchmarks and fuzzing).
  static Signer ed25519_from_seed(std::span<const std::uint8_t, 32> seed);
  // Reads a key file written by to_key_file(). Throws RepoError when it is malformed or the
  // private and public halves do not belong together.
  static Signer from_key_file(std::string_view json);

  Signer(Signer&&) noexcept;
  Signer& operator=(Signer&&) noexcept;
  ~Signer();

  KeyType type() const;
  // The public key as it appears in metadata, and its TUF keyid.
  const tuf::Key& key() const;
  const std::string& keyid() const;
  // Signature over `message` (the canonical JSON of a `signed` part), lowercase hex.
  std::string sign_hex(tuf::Bytes message) const;
  tuf::Signature sign(std::string_view canonical_signed) const;

  // The key file: {"keyid", "keytype", "scheme", "keyval": {"public", "private"}, "role",
  // "warning"}; `role` is informative.
  std::string to_key_file(std::string_view role) const;

 private:
  Signer();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tuf_repo
