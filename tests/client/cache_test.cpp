// FileCache: a verified file is kept under its sha256, handed back re-hashed, and an entry whose
// bytes no longer match its name is dropped.
#include <catch2/catch.hpp>

#include "client/cache.h"
#include "client_fixture.h"

using namespace client_test;

namespace {

// A staged file in the cache's staging folder holding `data`.
tufget::StagedFile staged(const tufget::FileCache& cache, std::string_view data) {
  auto f = tufget::StagedFile::create(cache.staging_dir());
  REQUIRE(f);
  REQUIRE(f->write(tuf::as_bytes(data)));
  return std::move(*f);
}

// A prepared cache in a folder of its own, and one verified file stored in it.
struct Stored {
  TempDir tmp;
  tufget::FileCache cache;
  std::string data;
  std::string sha;
  Stored(std::string bytes, bool enabled)
      : cache(tmp.path / "files", enabled),
        data(std::move(bytes)),
        sha(warehouse_test::sha256_hex(data)) {
    REQUIRE(cache.prepare());
    tufget::StagedFile file = staged(cache, data);
    REQUIRE(file.sha256() == sha);
    REQUIRE(cache.store(file, sha));
  }
};

}  // namespace

TEST_CASE("FileCache keeps a verified file and hands back a re-hashed copy", "[client][cache]") {
  Stored s("wheel bytes\n", /*enabled=*/true);
  CHECK(fs::exists(s.cache.path_for(s.sha)));

  std::string note;
  auto hit = s.cache.take(s.sha, 1024, &note);
  REQUIRE(hit);
  CHECK(hit->sha256() == s.sha);
  CHECK(hit->size() == s.data.size());
  CHECK(note.empty());
  // Larger than the caller's cap: a miss, the entry stays.
  CHECK_FALSE(s.cache.take(s.sha, s.data.size() - 1));
  CHECK(fs::exists(s.cache.path_for(s.sha)));
  // Not a sha256: no path, no hit.
  CHECK(s.cache.path_for("not-hex").empty());
  CHECK_FALSE(s.cache.take("not-hex", 1024));
}

TEST_CASE("FileCache drops an entry whose bytes no longer match its sha256", "[client][cache]") {
  Stored s("wheel bytes, soon corrupted\n", true);
  warehouse_test::flip_a_byte(s.cache.path_for(s.sha));
  std::string note;
  CHECK_FALSE(s.cache.take(s.sha, 1024, &note));
  CHECK_FALSE(note.empty());
  CHECK_FALSE(fs::exists(s.cache.path_for(s.sha)));
}

TEST_CASE("a disabled FileCache neither stores nor serves", "[client][cache]") {
  Stored s("not kept\n", /*enabled=*/false);
  CHECK_FALSE(s.cache.enabled());
  CHECK_FALSE(s.cache.take(s.sha, 1024));
  CHECK_FALSE(fs::exists(s.tmp.path / "files"));
}
