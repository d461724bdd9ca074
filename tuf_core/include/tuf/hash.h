// Hash algorithms for TUF metadata and target hashes.
//
// sha256 and sha512 come from OpenSSL's digest functions (SHA-NI / AVX2 accelerated); blake2b-256
// (the name PEP 458 / Warehouse use, 32-byte BLAKE2b) comes from libsodium. An algorithm name
// the core does not know never verifies.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tuf/bytes.h"
#include "tuf/error.h"

namespace tuf {

enum class HashAlg { sha256, sha512, blake2b_256 };

// "sha256", "sha512", "blake2b-256" (also accepted: "blake2b256"). Anything else: nullopt.
std::optional<HashAlg> hash_alg_from_name(std::string_view name);
std::string_view hash_alg_name(HashAlg alg);
std::size_t hash_size(HashAlg alg);  // digest size in bytes

// Incremental hasher, for streaming large target files.
class Hasher {
 public:
  explicit Hasher(HashAlg alg);
  ~Hasher();
  Hasher(Hasher&&) noexcept;
  Hasher& operator=(Hasher&&) noexcept;
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  void update(Bytes data);
  // Finishes and returns the lowercase hex digest. The hasher may not be used afterwards.
  std::string final_hex();
  HashAlg alg() const { return alg_; }

 private:
  struct Impl;
  HashAlg alg_;
  std::unique_ptr<Impl> impl_;
};

// One-shot digest, lowercase hex.
std::string digest_hex(HashAlg alg, Bytes data);

// Hashes as listed in metadata, in document order: (algorithm name, lowercase or uppercase hex).
using HashList = std::vector<std::pair<std::string, std::string>>;

// Verifies `data` against every listed hash. Fails with length_or_hash_mismatch naming `role`
// (the metadata or target the bytes are for) if any hash differs, if any algorithm is unknown,
// or if the list is empty and `require_nonempty` is set.
Result<void> verify_hashes(std::string_view role, const HashList& expected, Bytes data,
                           bool require_nonempty = false);

// Streaming form: several hashers fed together, checked at the end.
class MultiHasher {
 public:
  // Fails (invalid_metadata) if an algorithm is unknown.
  static Result<MultiHasher> create(const HashList& expected);
  void update(Bytes data);
  // Compares against the expected hex values (case-insensitive). Finishes the hashers: call
  // once; a second call fails.
  Result<void> verify(std::string_view role);

 private:
  std::vector<std::pair<Hasher, std::string>> hashers_;
};

}  // namespace tuf
