// Public keys and signature verification.
//
// Supported key types and schemes (TUF specification section "Key objects" and the keys seen in
// Warehouse/RSTUF, sigstore and the conformance suite):
//   keytype "ed25519",                    scheme "ed25519":           public = 64 hex chars
//   keytype "ecdsa" or "ecdsa-sha2-nistp256", scheme "ecdsa-sha2-nistp256": public = PEM
//       (SubjectPublicKeyInfo); signature = hex of a DER ECDSA-Sig-Value over SHA-256
//   keytype "rsa",                        scheme "rsassa-pss-sha256": public = PEM SPKI;
//       signature = hex of RSASSA-PSS (MGF1-SHA256, salt length = digest length; verification
//       also accepts the maximum salt length as python-securesystemslib signs with it)
// Also accepted: keytype "ecdsa" or "ecdsa-sha2-nistp384" with scheme "ecdsa-sha2-nistp384"
// (P-384, DER over SHA-384), and keytype "rsa" with scheme "rsa-pkcs1v15-sha256". A PEM key
// must be of the declared type (and, for ECDSA, on the scheme's curve).
// ed25519 uses libsodium; ecdsa and rsa use OpenSSL libcrypto.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "tuf/bytes.h"
#include "tuf/error.h"

namespace tuf {

class PublicKey {
 public:
  // Parses and prepares a key once (hex/PEM decoding, OpenSSL key object), so that verifying
  // many signatures with the same key is cheap. Fails with invalid_metadata for an unknown
  // keytype/scheme pair or a malformed public value.
  static Result<PublicKey> create(std::string_view keytype, std::string_view scheme,
                                  std::string_view public_value);

  PublicKey(PublicKey&&) noexcept;
  PublicKey& operator=(PublicKey&&) noexcept;
  ~PublicKey();

  // True only if `signature_hex` is a valid signature of `message` by this key. Malformed
  // signatures are simply false.
  bool verify(Bytes message, std::string_view signature_hex) const;

  std::string_view keytype() const { return keytype_; }
  std::string_view scheme() const { return scheme_; }

  // The public key itself, independent of how metadata spells it: equal for two PublicKeys
  // exactly when they hold the same key (whatever their keyids, keytype aliases, schemes, PEM
  // layout or EC point compression). Opaque bytes: "ed25519" + the 32-byte key, "ec" + the
  // curve + the affine coordinates, "rsa" + modulus + exponent. Threshold counting uses it so
  // that one key listed under several keyids contributes one signature (spec 5.3.4: "each KEY
  // MUST only contribute one SIGNATURE").
  std::string_view identity() const { return identity_; }

 private:
  PublicKey() = default;
  struct Impl;
  std::string keytype_, scheme_, identity_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tuf
