// sha256/sha512 through OpenSSL EVP, blake2b-256 through libsodium.
//
// The EVP_MD objects are fetched once (function-local statics), so neither a Hasher nor a
// one-shot digest pays for a provider lookup. Data is handed to the library in one call,
// whatever its size: no copies, no chunking on our side.
#include "tuf/hash.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <cctype>

namespace tuf {
namespace {

constexpr std::size_t kBlake2bSize = 32;

// libsodium picks its fastest implementations in sodium_init(); run it once, lazily.
void ensure_sodium() {
  [[maybe_unused]] static const int once = sodium_init();
}

struct MdFree {
  void operator()(EVP_MD* md) const { EVP_MD_free(md); }
};
using FetchedMd = std::unique_ptr<EVP_MD, MdFree>;

const EVP_MD* evp_md(HashAlg alg) {
  // Explicit fetches (OpenSSL 3) avoid the implicit per-init lookup of EVP_sha256().
  static const FetchedMd sha256{EVP_MD_fetch(nullptr, "SHA2-256", nullptr)};
  static const FetchedMd sha512{EVP_MD_fetch(nullptr, "SHA2-512", nullptr)};
  if (alg == HashAlg::sha256) return sha256 ? sha256.get() : EVP_sha256();
  return sha512 ? sha512.get() : EVP_sha512();
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
  EVP_MD_CTX* ctx = nullptr;         // sha256 / sha512
  crypto_generichash_state blake2b;  // blake2b-256 (64-byte aligned; new honours that)
  bool ok = true;                    // false after final_hex() or if setup failed

  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Hasher::Hasher(HashAlg alg) : alg_(alg), impl_(std::make_unique<Impl>()) {
  if (alg == HashAlg::blake2b_256) {
    ensure_sodium();
    impl_->ok = crypto_generichash_init(&impl_->blake2b, nullptr, 0, kBlake2bSize) == 0;
  } else {
    impl_->ctx = EVP_MD_CTX_new();
    impl_->ok = impl_->ctx && EVP_DigestInit_ex2(impl_->ctx, evp_md(alg), nullptr) == 1;
  }
}

Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

void Hasher::update(Bytes data) {
  if (!impl_ || !impl_->ok || data.empty()) return;
  if (alg_ == HashAlg::blake2b_256)
    impl_->ok = crypto_generichash_update(&impl_->blake2b, data.data(), data.size()) == 0;
  else
    impl_->ok = EVP_DigestUpdate(impl_->ctx, data.data(), data.size()) == 1;
}

// A hasher that failed or already finished yields "", which never matches a digest.
std::string Hasher::final_hex() {
  if (!impl_ || !impl_->ok) return {};
  impl_->ok = false;
  std::uint8_t out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (alg_ == HashAlg::blake2b_256) {
    if (crypto_generichash_final(&impl_->blake2b, out, kBlake2bSize) != 0) return {};
    len = kBlake2bSize;
  } else if (EVP_DigestFinal_ex(impl_->ctx, out, &len) != 1) {
    return {};
  }
  return to_hex({out, len});
}

std::string digest_hex(HashAlg alg, Bytes data) {
  std::uint8_t out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (alg == HashAlg::blake2b_256) {
    ensure_sodium();
    if (crypto_generichash(out, kBlake2bSize, data.data(), data.size(), nullptr, 0) != 0)
      return {};
    len = kBlake2bSize;
  } else if (EVP_Digest(data.data(), data.size(), out, &len, evp_md(alg), nullptr) != 1) {
    return {};
  }
  return to_hex({out, len});
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
