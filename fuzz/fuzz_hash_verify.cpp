// fuzz_hash_verify: verify_hashes, MultiHasher, Hasher and hex helpers with fuzzer-chosen
// algorithm names, expected digests and data.
//
// Input: a count byte, then for each listed hash a name selector and a digest selector (the
// true digest, upper-cased, one character changed, cut short, or raw bytes), then chunk sizes and
// the data. Invariants (any violation aborts):
//   - exactly "sha256", "sha512", "blake2b-256" and "blake2b256" are known algorithm names;
//   - verify_hashes succeeds iff every algorithm is known and every digest equals the true one
//     ignoring ASCII case (and, with require_nonempty, the list is not empty); its failures are
//     length_or_hash_mismatch;
//   - MultiHasher::create fails iff an algorithm is unknown; fed the same data in fuzzer-chosen
//     chunks, it agrees with verify_hashes;
//   - an incremental Hasher gives digest_hex, with hash_size(alg) bytes;
//   - from_hex(to_hex(x)) == x, and from_hex accepts exactly the even-length hex strings.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tuf/bytes.h"
#include "tuf/hash.h"

namespace {

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "fuzz_hash_verify: invariant violated: %s\n", what);
  std::abort();
}
#define CHECK(cond)               \
  do {                            \
    if (!(cond)) violated(#cond); \
  } while (0)

class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}
  std::uint8_t byte() { return p_ == end_ ? 0 : *p_++; }
  std::string bytes(std::size_t n) {
    n = std::min<std::size_t>(n, static_cast<std::size_t>(end_ - p_));
    std::string s(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return s;
  }
  std::string rest() { return bytes(static_cast<std::size_t>(end_ - p_)); }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

std::string ascii_lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

bool is_known_name(const std::string& n) {
  return n == "sha256" || n == "sha512" || n == "blake2b-256" || n == "blake2b256";
}

struct Planned {
  std::string name;
  std::uint8_t digest_mode;
  std::string raw;  // for the raw-bytes digest mode
  std::uint8_t edit;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const char* const kNames[] = {"sha256", "sha512",  "blake2b-256", "blake2b256",
                                       "SHA256", "sha-256", "md5",         ""};
  Input in(data, size);
  const std::uint8_t header = in.byte();
  const bool require_nonempty = header & 0x80;
  const std::size_t count = header % 5;

  std::vector<Planned> plan;
  for (std::size_t i = 0; i < count; ++i) {
    Planned p;
    const std::uint8_t sel = in.byte();
    p.name = sel < 0xF0 ? kNames[sel % 8] : in.bytes(sel - 0xF0);
    p.digest_mode = in.byte();
    if (p.digest_mode % 5 == 4) p.raw = in.bytes(in.byte() % 140);
    p.edit = in.byte();
    plan.push_back(std::move(p));
  }
  const std::size_t chunk = 1 + in.byte();
  const std::string payload = in.rest();
  const tuf::Bytes bytes = tuf::as_bytes(payload);

  // Build the list and the oracle.
  tuf::HashList list;
  bool all_known = true, all_match = true;
  for (const Planned& p : plan) {
    const auto alg = tuf::hash_alg_from_name(p.name);
    CHECK(alg.has_value() == is_known_name(p.name));
    std::string truth, hex;
    if (alg) {
      truth = tuf::digest_hex(*alg, bytes);
      CHECK(truth.size() == 2 * tuf::hash_size(*alg));
      CHECK(truth == ascii_lower(truth));
      // Incremental hashing gives the one-shot digest.
      tuf::Hasher h(*alg);
      for (std::size_t at = 0; at < payload.size(); at += chunk) {
        h.update(bytes.subspan(at, std::min(chunk, payload.size() - at)));
      }
      CHECK(h.final_hex() == truth);
    } else {
      truth = std::string(64, 'a');
    }
    switch (p.digest_mode % 5) {
      case 0:
        hex = truth;
        break;
      case 1: {
        hex = truth;
        for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        break;
      }
      case 2:
        hex = truth;
        hex[p.edit % hex.size()] = static_cast<char>(p.edit);
        break;
      case 3:
        hex = truth.substr(0, p.edit % (truth.size() + 1));
        break;
      default:
        hex = p.raw;
        break;
    }
    all_known = all_known && alg.has_value();
    all_match = all_match && alg.has_value() && ascii_lower(hex) == truth;
    list.emplace_back(p.name, hex);
  }

  const bool expect_ok = all_match && !(require_nonempty && list.empty());
  auto verified = tuf::verify_hashes("fuzz", list, bytes, require_nonempty);
  CHECK(verified.has_value() == expect_ok);
  if (!verified) CHECK(verified.error().code == tuf::Errc::length_or_hash_mismatch);

  auto multi = tuf::MultiHasher::create(list);
  CHECK(multi.has_value() == all_known);
  if (multi) {
    for (std::size_t at = 0; at < payload.size(); at += chunk) {
      multi->update(bytes.subspan(at, std::min(chunk, payload.size() - at)));
    }
    CHECK(multi->verify("fuzz").has_value() == all_match);
  }

  // Hex helpers.
  std::string decoded;
  CHECK(tuf::from_hex(tuf::to_hex(bytes), decoded));
  CHECK(decoded == payload);
  bool is_hex = payload.size() % 2 == 0;
  for (unsigned char c : payload) is_hex = is_hex && std::isxdigit(c);
  CHECK(tuf::from_hex(payload, decoded) == is_hex);
  return 0;
}
