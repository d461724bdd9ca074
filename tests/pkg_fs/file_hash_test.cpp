// pkg_fs/file_hash: whole-file digests with OpenSSL EVP.
#include <catch2/catch.hpp>

#include <string>

#include <openssl/evp.h>

#include "pkg_fs/install_support.h"
#include "pkg_fs/file_hash.h"

namespace {

using install_support::TempDir;
using install_support::write_file;

// FIPS 180-2 vectors: "abc" and the empty string.
const std::string kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const std::string kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

}  // namespace

TEST_CASE("hash_file: known vectors, algorithms, size cap and errors", "[pkg_fs][file_hash]") {
  TempDir t;
  write_file(t.path() / "abc", "abc");
  write_file(t.path() / "empty", "");
  auto abc = pkg_fs::hash_file(t.path() / "abc");
  REQUIRE(abc);
  CHECK(abc->hex == kAbc);
  CHECK(abc->size == 3u);
  CHECK(pkg_fs::hash_file(t.path() / "empty")->hex == kEmpty);
  CHECK(pkg_fs::hash_file(t.path() / "abc", "sha384")->hex ==
        "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
  CHECK(pkg_fs::hash_file(t.path() / "abc", "sha512")->hex ==
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
        "454d4423643ce80e2a9ac94fa54ca49f");
  CHECK(pkg_fs::hash_file(t.path() / "abc", "md5").error().code == pkg::Errc::unsupported);
  CHECK(pkg_fs::hash_file(t.path() / "abc", "sha256", 3));
  CHECK(pkg_fs::hash_file(t.path() / "abc", "sha256", 2).error().detail == "larger than 2 bytes");
  CHECK(pkg_fs::hash_file(t.path()).error().detail == "Is a directory");
  CHECK(pkg_fs::hash_file(t.path() / "nope").error().detail == "No such file or directory");
  // More than one read buffer (1 MiB) of data; and, from 16 MiB on, the pipelined reader.
  for (const std::size_t size : {(std::size_t{3} << 20) + 7, (std::size_t{21} << 20) + 5}) {
    INFO(size);
    std::string data(size, 'x');
    for (std::size_t i = 0; i < size; i += 4093) data[i] = static_cast<char>(i * 31);
    write_file(t.path() / "big", data);
    auto big = pkg_fs::hash_file(t.path() / "big");
    REQUIRE(big);
    CHECK(big->size == size);
    unsigned char md[32];
    EVP_Digest(data.data(), data.size(), md, nullptr, EVP_sha256(), nullptr);
    std::string hex;
    for (unsigned char c : md) {
      hex += "0123456789abcdef"[c >> 4];
      hex += "0123456789abcdef"[c & 15];
    }
    CHECK(big->hex == hex);
    CHECK(pkg_fs::hash_file(t.path() / "big", "sha256", size - 1).error().detail ==
          "larger than " + std::to_string(size - 1) + " bytes");
  }
}
