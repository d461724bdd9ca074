// sha256/sha512 through OpenSSL's low-level digest functions, blake2b-256 through libsodium.
//
// SHA256_* / SHA512_* (deprecated in OpenSSL 3, still the code the EVP providers call: the same
// SHA-NI / AVX2 assembly) rather than EVP: the first EVP_MD_fetch initialises OpenSSL 3's
// provider machinery, ~5 M instructions and ~2 MB of RSS, which a refresh otherwise never needs
// (its only sha256 is of one target path, for the succinct hash-bin lookup). Data is handed to
// the library in one call, whatever its size: no copies, no chunking on our side.
#include "tuf/hash.h"

// Must precede every OpenSSL header.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <sodium.h>

#include <cctype>

namespace tuf {
namespace {

constexpr std::size_t kBlake2bSize = 32;
constexpr std::size_t kMaxDigestSize = SHA512_DIGEST_LENGTH;

// libsodium picks its fastest implementations in sodium_init(); run it once, lazily.
void ensure_sodium() {
  [[maybe_unused]] static const int once = sodium_init();
}

bool hex_equal_ci(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::string unsupported(std::string_view name) {
  return "unsupported hash algorithm " + std::string(name);
}

}  // namespace

std::optional<HashAlg> hash_alg_from_name(std::string_view name) {
  if (name == "sha256") return HashAlg::sha256;
  if (name == "sha512") return HashAlg::sha512;
  if (name == "blake2b-256" || name == "blake2b256") return HashAlg::blake2b_256;
  return std::nullopt;
}

std::string_view hash_alg_name(HashAlg alg) {
  switch (alg) {
    case HashAlg::sha256: return "sha256";
    case HashAlg::sha512: return "sha512";
    case HashAlg::blake2b_256: return "blake2b-256";
  }
  return "unknown";
}

std::size_t hash_size(HashAlg alg) {
  switch (alg) {
    case HashAlg::sha256: return 32;
    case HashAlg::sha512: return 64;
    case HashAlg::blake2b_256: return kBlake2bSize;
  }
  return 0;
}

// ---- Hasher ------------------------------------------------------------------------------------

struct Hasher::Impl {
  union {
    SHA256_CTX sha256;
    SHA512_CTX sha512;
  };
  crypto_generichash_state blake2b;  // blake2b-256 (64-byte aligned; new honours that)
  bool ok = true;                    // false after final_hex() or if setup failed
};

Hasher::Hasher(HashAlg alg) : alg_(alg), impl_(std::make_unique<Impl>()) {
  switch (alg) {
    case HashAlg::blake2b_256:
      ensure_sodium();
      impl_->ok = crypto_generichash_init(&impl_->blake2b, nullptr, 0, kBlake2bSize) == 0;
      break;
    case HashAlg::sha256:
      impl_->ok = SHA256_Init(&impl_->sha256) == 1;
      break;
    case HashAlg::sha512:
      impl_->ok = SHA512_Init(&impl_->sha512) == 1;
      break;
  }
}

Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

void Hasher::update(Bytes data) {
  if (!impl_ || !impl_->ok || data.empty()) return;
  switch (alg_) {
    case HashAlg::blake2b_256:
      impl_->ok = crypto_generichash_update(&impl_->blake2b, data.data(), data.size()) == 0;
      break;
    case HashAlg::sha256:
      impl_->ok = SHA256_Update(&impl_->sha256, data.data(), data.size()) == 1;
      break;
    case HashAlg::sha512:
      impl_->ok = SHA512_Update(&impl_->sha512, data.data(), data.size()) == 1;
      break;
  }
}

// A hasher that failed or already finished yields "", which never matches a digest.
std::string Hasher::final_hex() {
  if (!impl_ || !impl_->ok) return {};
  impl_->ok = false;
  std::uint8_t out[kMaxDigestSize];
  bool done = false;
  switch (alg_) {
    case HashAlg::blake2b_256:
      done = crypto_generichash_final(&impl_->blake2b, out, kBlake2bSize) == 0;
      break;
    case HashAlg::sha256:
      done = SHA256_Final(out, &impl_->sha256) == 1;
      break;
    case HashAlg::sha512:
      done = SHA512_Final(out, &impl_->sha512) == 1;
      break;
  }
  if (!done) return {};
  return to_hex({out, hash_size(alg_)});
}

std::string digest_hex(HashAlg alg, Bytes data) {
  std::uint8_t out[kMaxDigestSize];
  switch (alg) {
    case HashAlg::blake2b_256:
      ensure_sodium();
      if (crypto_generichash(out, kBlake2bSize, data.data(), data.size(), nullptr, 0) != 0)
        return {};
      break;
    // Not the one-shot SHA256()/SHA512(): in OpenSSL 3 those go through EVP_Q_digest.
    case HashAlg::sha256: {
      SHA256_CTX ctx;
      if (SHA256_Init(&ctx) != 1 || SHA256_Update(&ctx, data.data(), data.size()) != 1 ||
          SHA256_Final(out, &ctx) != 1)
        return {};
      break;
    }
    case HashAlg::sha512: {
      SHA512_CTX ctx;
      if (SHA512_Init(&ctx) != 1 || SHA512_Update(&ctx, data.data(), data.size()) != 1 ||
          SHA512_Final(out, &ctx) != 1)
        return {};
      break;
    }
  }
  return to_hex({out, hash_size(alg)});
}

// ---- verification ------------------------------------------------------------------------------

Result<void> verify_hashes(std::string_view role, const HashList& expected, Bytes data,
                           bool require_nonempty) {
  if (expected.empty() && require_nonempty)
    return fail(Errc::length_or_hash_mismatch, std::string(role), "no hashes listed");
  // Refuse an unknown algorithm before spending time hashing for the known ones.
  for (const auto& [name, hex] : expected) {
    if (!hash_alg_from_name(name))
      return fail(Errc::length_or_hash_mismatch, std::string(role), unsupported(name));
  }
  for (const auto& [name, want] : expected) {
    std::string got = digest_hex(*hash_alg_from_name(name), data);
    if (!hex_equal_ci(want, got))
      return fail(Errc::length_or_hash_mismatch, std::string(role), name + " hash mismatch",
                  want, std::move(got));
  }
  return {};
}

Result<MultiHasher> MultiHasher::create(const HashList& expected) {
  MultiHasher m;
  m.hashers_.reserve(expected.size());
  for (const auto& [name, want] : expected) {
    auto alg = hash_alg_from_name(name);
    if (!alg) return fail(Errc::invalid_metadata, {}, unsupported(name));
    m.hashers_.emplace_back(Hasher(*alg), want);
  }
  return m;
}

void MultiHasher::update(Bytes data) {
  for (auto& [hasher, want] : hashers_) hasher.update(data);
}

Result<void> MultiHasher::verify(std::string_view role) {
  for (auto& [hasher, want] : hashers_) {
    std::string got = hasher.final_hex();
    if (!hex_equal_ci(want, got))
      return fail(Errc::length_or_hash_mismatch, std::string(role),
                  std::string(hash_alg_name(hasher.alg())) + " hash mismatch", want,
                  std::move(got));
  }
  return {};
}

}  // namespace tuf
