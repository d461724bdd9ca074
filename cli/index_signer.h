// Signing keys of the local index: generation, key files, signatures.
//
// DEVELOPMENT KEYS ONLY. Private keys are stored unencrypted in DIR/keys/<role>.json (mode
// 0600). A real repository keeps its root keys offline and its online keys in a KMS/HSM.
//
// Key types, as TUF metadata names them (and tuf::PublicKey verifies them):
//   ed25519: keytype "ed25519", scheme "ed25519", public = 64 hex chars (libsodium)
//   ecdsa:   keytype "ecdsa", scheme "ecdsa-sha2-nistp256", public = PEM SPKI, signature = hex
//            of DER ECDSA-Sig-Value over SHA-256 (OpenSSL EVP)
//   rsa:     keytype "rsa", scheme "rsassa-pss-sha256", 3072-bit, public = PEM SPKI, PSS with
//            MGF1-SHA256 and salt length = digest length (OpenSSL EVP)
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "tuf/bytes.h"
#include "tuf/metadata.h"

namespace tufget::index {

enum class KeyType { ed25519, ecdsa, rsa };

// "ed25519", "ecdsa" (also "ecdsa-sha2-nistp256"), "rsa" (also "rsassa-pss-sha256").
std::optional<KeyType> parse_key_type(std::string_view name);
std::string_view key_type_name(KeyType type);

class Signer {
 public:
  // A fresh key pair. Throws IndexError if the crypto library fails.
  static Signer generate(KeyType type);
  // Reads a key file written by to_key_file(). Throws IndexError when it is malformed or the
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

}  // namespace tufget::index
