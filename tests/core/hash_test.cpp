// Tests for tuf_core/src/hash.cpp and the hex helpers of tuf_core/src/bytes.cpp.
#include <catch2/catch.hpp>

#include <string>

#include "tuf/bytes.h"
#include "tuf/hash.h"

using tuf::HashAlg;

namespace {

struct Vector {
  HashAlg alg;
  std::string_view message;
  std::string_view hex;
};

// Known answers (FIPS 180-4 examples; BLAKE2b-256 as computed by the reference implementation).
constexpr Vector kVectors[] = {
    {HashAlg::sha256, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {HashAlg::sha256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {HashAlg::sha512, "",
     "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
     "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"},
    {HashAlg::sha512, "abc",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
     "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
    {HashAlg::blake2b_256, "",
     "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"},
    {HashAlg::blake2b_256, "abc",
     "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"},
};

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

TEST_CASE("to_hex and from_hex round-trip every byte value", "[bytes]") {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  const std::string hex = tuf::to_hex(tuf::as_bytes(all));
  CHECK(hex.substr(0, 8) == "00010203");
  CHECK(hex.substr(hex.size() - 6) == "fdfeff");
  std::string back;
  REQUIRE(tuf::from_hex(hex, back));
  CHECK(back == all);
  REQUIRE(tuf::from_hex(upper(hex), back));
  CHECK(back == all);
  CHECK(tuf::to_hex({}).empty());
}

TEST_CASE("from_hex rejects odd length and non-hex characters", "[bytes]") {
  std::string out = "stale";
  CHECK_FALSE(tuf::from_hex("abc", out));
  CHECK(out.empty());
  CHECK_FALSE(tuf::from_hex("0g", out));
  CHECK_FALSE(tuf::from_hex("0 ", out));
  CHECK_FALSE(tuf::from_hex(std::string_view("0\0", 2), out));
  CHECK(tuf::from_hex("", out));
  CHECK(out.empty());
}

TEST_CASE("from_hex_exact needs exactly twice the buffer size", "[bytes]") {
  std::uint8_t buf[2];
  CHECK(tuf::from_hex_exact("a0Ff", buf));
  CHECK(buf[0] == 0xa0);
  CHECK(buf[1] == 0xff);
  CHECK_FALSE(tuf::from_hex_exact("a0f", buf));
  CHECK_FALSE(tuf::from_hex_exact("a0ff00", buf));
  CHECK_FALSE(tuf::from_hex_exact("a0fx", buf));
}

TEST_CASE("hash algorithm names", "[hash]") {
  CHECK(tuf::hash_alg_from_name("sha256") == HashAlg::sha256);
  CHECK(tuf::hash_alg_from_name("sha512") == HashAlg::sha512);
  CHECK(tuf::hash_alg_from_name("blake2b-256") == HashAlg::blake2b_256);
  CHECK(tuf::hash_alg_from_name("blake2b256") == HashAlg::blake2b_256);
  CHECK_FALSE(tuf::hash_alg_from_name("SHA256"));
  CHECK_FALSE(tuf::hash_alg_from_name("md5"));
  CHECK_FALSE(tuf::hash_alg_from_name(""));
  CHECK(tuf::hash_alg_name(HashAlg::blake2b_256) == "blake2b-256");
  CHECK(tuf::hash_size(HashAlg::sha256) == 32);
  CHECK(tuf::hash_size(HashAlg::sha512) == 64);
  CHECK(tuf::hash_size(HashAlg::blake2b_256) == 32);
}

TEST_CASE("digests match known answers", "[hash]") {
  for (const auto& v : kVectors) {
    INFO(tuf::hash_alg_name(v.alg) << "(\"" << v.message << "\")");
    CHECK(tuf::digest_hex(v.alg, tuf::as_bytes(v.message)) == v.hex);
    tuf::Hasher h(v.alg);
    h.update(tuf::as_bytes(v.message));
    CHECK(h.final_hex() == v.hex);
  }
}

TEST_CASE("sha256 of one million 'a' fed in uneven pieces", "[hash]") {
  // FIPS 180-2 appendix B.3.
  const std::string a(1'000'000, 'a');
  tuf::Hasher h(HashAlg::sha256);
  std::size_t pos = 0, step = 1;
  while (pos < a.size()) {
    const std::size_t n = std::min(step, a.size() - pos);
    h.update(tuf::as_bytes(std::string_view(a).substr(pos, n)));
    pos += n;
    step = step * 3 + 7;
  }
  CHECK(h.final_hex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("streaming equals one-shot for every algorithm", "[hash]") {
  std::string data;
  for (int i = 0; i < 300'000; ++i) data.push_back(static_cast<char>((i * 131) ^ (i >> 7)));
  for (HashAlg alg : {HashAlg::sha256, HashAlg::sha512, HashAlg::blake2b_256}) {
    const std::string one_shot = tuf::digest_hex(alg, tuf::as_bytes(data));
    CHECK(one_shot.size() == 2 * tuf::hash_size(alg));
    tuf::Hasher h(alg);
    for (std::size_t pos = 0; pos < data.size(); pos += 4093)
      h.update(tuf::as_bytes(std::string_view(data).substr(pos, 4093)));
    h.update({});
    CHECK(h.final_hex() == one_shot);
  }
}

TEST_CASE("a finished or moved-from hasher yields no digest", "[hash]") {
  tuf::Hasher h(HashAlg::sha256);
  h.update(tuf::as_bytes("abc"));
  tuf::Hasher moved = std::move(h);
  CHECK(moved.final_hex() == kVectors[1].hex);
  CHECK(moved.final_hex().empty());
  CHECK(h.final_hex().empty());  // NOLINT(bugprone-use-after-move): tests exactly that
}

TEST_CASE("verify_hashes accepts matching hashes in either case", "[hash]") {
  const auto data = tuf::as_bytes("abc");
  tuf::HashList hashes = {{"sha256", std::string(kVectors[1].hex)},
                          {"sha512", upper(std::string(kVectors[3].hex))},
                          {"blake2b256", std::string(kVectors[5].hex)}};
  CHECK(tuf::verify_hashes("targets", hashes, data).has_value());
  CHECK(tuf::verify_hashes("targets", {}, data).has_value());
}

TEST_CASE("verify_hashes names the algorithm of a mismatch", "[hash]") {
  tuf::HashList hashes = {{"sha256", std::string(kVectors[1].hex)},
                          {"blake2b-256", std::string(kVectors[4].hex)}};  // hash of ""
  auto r = tuf::verify_hashes("snapshot", hashes, tuf::as_bytes("abc"));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == tuf::Errc::length_or_hash_mismatch);
  CHECK(r.error().role == "snapshot");
  CHECK(r.error().detail.find("blake2b-256") != std::string::npos);
  CHECK(r.error().expected == kVectors[4].hex);
  CHECK(r.error().got == kVectors[5].hex);

  // One differing character is enough; so is a truncated value.
  std::string wrong(kVectors[1].hex);
  wrong[10] = wrong[10] == '0' ? '1' : '0';
  CHECK_FALSE(tuf::verify_hashes("t", {{"sha256", wrong}}, tuf::as_bytes("abc")));
  CHECK_FALSE(tuf::verify_hashes("t", {{"sha256", wrong.substr(0, 62)}}, tuf::as_bytes("abc")));
  CHECK_FALSE(tuf::verify_hashes("t", {{"sha256", ""}}, tuf::as_bytes("abc")));
}

TEST_CASE("verify_hashes refuses an unknown algorithm even beside a good hash", "[hash]") {
  tuf::HashList hashes = {{"sha256", std::string(kVectors[1].hex)}, {"md5", "00"}};
  auto r = tuf::verify_hashes("targets", hashes, tuf::as_bytes("abc"));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == tuf::Errc::length_or_hash_mismatch);
  CHECK(r.error().detail == "unsupported hash algorithm md5");
}

TEST_CASE("verify_hashes with require_nonempty refuses an empty list", "[hash]") {
  auto r = tuf::verify_hashes("timestamp", {}, tuf::as_bytes("abc"), true);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == tuf::Errc::length_or_hash_mismatch);
  CHECK(r.error().role == "timestamp");
}

TEST_CASE("MultiHasher checks every listed hash over streamed data", "[hash]") {
  const std::string data = "streamed target contents, in two pieces";
  tuf::HashList hashes = {
      {"sha256", tuf::digest_hex(HashAlg::sha256, tuf::as_bytes(data))},
      {"sha512", upper(tuf::digest_hex(HashAlg::sha512, tuf::as_bytes(data)))},
      {"blake2b-256", tuf::digest_hex(HashAlg::blake2b_256, tuf::as_bytes(data))}};

  auto good = tuf::MultiHasher::create(hashes);
  REQUIRE(good);
  good->update(tuf::as_bytes(std::string_view(data).substr(0, 7)));
  good->update(tuf::as_bytes(std::string_view(data).substr(7)));
  CHECK(good->verify("pkg.whl").has_value());

  auto bad = tuf::MultiHasher::create(hashes);
  REQUIRE(bad);
  bad->update(tuf::as_bytes(data));
  bad->update(tuf::as_bytes("!"));
  auto r = bad->verify("pkg.whl");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == tuf::Errc::length_or_hash_mismatch);
  CHECK(r.error().role == "pkg.whl");
  CHECK(r.error().detail.find("sha256") != std::string::npos);
}

TEST_CASE("MultiHasher refuses an unknown algorithm at create", "[hash]") {
  auto r = tuf::MultiHasher::create({{"sha256", "00"}, {"sha3-256", "00"}});
  REQUIRE_FALSE(r);
  CHECK(r.error().code == tuf::Errc::invalid_metadata);
  CHECK(r.error().detail == "unsupported hash algorithm sha3-256");
}
