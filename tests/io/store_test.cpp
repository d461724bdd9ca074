// write_file_atomic, read_file_limited, MetadataStore and TargetCache on a scratch directory.
#include "tuf_io/store.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <openssl/evp.h>

namespace {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed afterwards.
class ScratchDir {
 public:
  ScratchDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() /
            ("tufget-store-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void spit(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string sha256_hex(std::string_view data) {
  unsigned char d[32];
  unsigned n = 0;
  EVP_Digest(data.data(), data.size(), d, &n, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    out += hex[d[i] >> 4];
    out += hex[d[i] & 15];
  }
  return out;
}

// Caps the size of files this process may write, for the duration of a scope (writes past it
// fail with EFBIG instead of raising SIGXFSZ).
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    old_handler_ = ::signal(SIGXFSZ, SIG_IGN);
    ::getrlimit(RLIMIT_FSIZE, &old_);
    rlimit lower = old_;
    lower.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &lower);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &old_);
    ::signal(SIGXFSZ, old_handler_);
  }

 private:
  rlimit old_{};
  sighandler_t old_handler_;
};

}  // namespace

TEST_CASE("store: write_file_atomic creates and replaces content, leaving no temp file",
          "[io][store]") {
  ScratchDir dir;
  const fs::path file = dir.path() / "root.json";
  REQUIRE(tuf_io::write_file_atomic(file, tuf::as_bytes("first")).has_value());
  CHECK(slurp(file) == "first");
  REQUIRE(tuf_io::write_file_atomic(file, tuf::as_bytes("second, longer")).has_value());
  CHECK(slurp(file) == "second, longer");
  REQUIRE(tuf_io::write_file_atomic(file, tuf::as_bytes("")).has_value());
  CHECK(slurp(file).empty());
  CHECK(names_in(dir.path()) == std::vector<std::string>{"root.json"});
}

TEST_CASE("store: a write that fails midway leaves the old file intact and removes the temp",
          "[io][store]") {
  ScratchDir dir;
  const fs::path file = dir.path() / "timestamp.json";
  spit(file, "old trusted timestamp");
  {
    FileSizeLimit limit(1000);
    auto r = tuf_io::write_file_atomic(file, tuf::as_bytes(std::string(5000, 'n')));
    REQUIRE_FALSE(r.has_value());
    CHECK_THAT(r.error().detail, Catch::Matchers::Contains("cannot write"));
  }
  CHECK(slurp(file) == "old trusted timestamp");
  CHECK(names_in(dir.path()) == std::vector<std::string>{"timestamp.json"});
}

TEST_CASE("store: write_file_atomic fails cleanly when the parent is a file or the target a dir",
          "[io][store]") {
  ScratchDir dir;
  spit(dir.path() / "plain", "x");
  auto under_file = tuf_io::write_file_atomic(dir.path() / "plain" / "root.json", tuf::as_bytes("r"));
  REQUIRE_FALSE(under_file.has_value());
  CHECK(under_file.error().code == tuf::Errc::transport);

  fs::create_directories(dir.path() / "snapshot.json" / "inside");
  auto over_dir = tuf_io::write_file_atomic(dir.path() / "snapshot.json", tuf::as_bytes("s"));
  REQUIRE_FALSE(over_dir.has_value());
  CHECK(fs::is_directory(dir.path() / "snapshot.json"));
  CHECK(names_in(dir.path()) == std::vector<std::string>{"plain", "snapshot.json"});
}

TEST_CASE("store: read_file_limited reads up to the limit, too_large above, not_found if absent",
          "[io][store]") {
  ScratchDir dir;
  spit(dir.path() / "f", "0123456789");
  spit(dir.path() / "empty", "");
  auto exact = tuf_io::read_file_limited(dir.path() / "f", 10);
  REQUIRE(exact.has_value());
  CHECK(*exact == "0123456789");
  auto over = tuf_io::read_file_limited(dir.path() / "f", 9);
  REQUIRE_FALSE(over.has_value());
  CHECK(over.error().code == tuf::Errc::too_large);
  auto empty = tuf_io::read_file_limited(dir.path() / "empty", 0);
  REQUIRE(empty.has_value());
  CHECK(empty->empty());
  auto missing = tuf_io::read_file_limited(dir.path() / "nope", 10);
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == tuf::Errc::not_found);
  auto directory = tuf_io::read_file_limited(dir.path(), 10);
  REQUIRE_FALSE(directory.has_value());
  CHECK(directory.error().code != tuf::Errc::not_found);
}

TEST_CASE("store: MetadataStore quotes role names and round-trips bytes", "[io][store]") {
  ScratchDir dir;
  tuf_io::MetadataStore store(dir.path() / "metadata");
  CHECK(store.path_for("a/b") == dir.path() / "metadata" / "a%2Fb.json");
  CHECK(store.path_for("root") == dir.path() / "metadata" / "root.json");
  CHECK(store.path_for("../x") == dir.path() / "metadata" / "..%2Fx.json");

  auto missing = store.load("root", 1000);
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == tuf::Errc::not_found);

  REQUIRE(store.persist("a/b", tuf::as_bytes("{\"bin\":1}")).has_value());  // creates the dir
  CHECK(names_in(dir.path() / "metadata") == std::vector<std::string>{"a%2Fb.json"});
  auto loaded = store.load("a/b", 1000);
  REQUIRE(loaded.has_value());
  CHECK(*loaded == "{\"bin\":1}");
  auto capped = store.load("a/b", 3);
  REQUIRE_FALSE(capped.has_value());
  CHECK(capped.error().code == tuf::Errc::too_large);
}

TEST_CASE("store: TargetCache is_current only when the length and every hash match",
          "[io][store]") {
  ScratchDir dir;
  tuf_io::TargetCache cache(dir.path() / "targets");
  const std::string bytes = "wheel bytes";
  tuf::TargetInfo info{"pkg/demo-1.0-py3-none-any.whl", bytes.size(), {{"sha256", sha256_hex(bytes)}}};
  CHECK(cache.path_for(info.path) == dir.path() / "targets" / "pkg%2Fdemo-1.0-py3-none-any.whl");
  CHECK_FALSE(cache.is_current(info));  // not there yet

  REQUIRE(cache.store(info, tuf::as_bytes(bytes)).has_value());
  CHECK(slurp(cache.path_for(info.path)) == bytes);
  CHECK(cache.is_current(info));

  auto wrong_length = info;
  wrong_length.length += 1;
  CHECK_FALSE(cache.is_current(wrong_length));
  auto wrong_hash = info;
  wrong_hash.hashes[0].second = sha256_hex("other bytes");
  CHECK_FALSE(cache.is_current(wrong_hash));

  spit(cache.path_for(info.path), "wheel bytez");  // same length, different content
  CHECK_FALSE(cache.is_current(info));

  auto mismatch = cache.store(info, tuf::as_bytes("short"));
  REQUIRE_FALSE(mismatch.has_value());
  CHECK(mismatch.error().code == tuf::Errc::length_or_hash_mismatch);
}

TEST_CASE("store: TargetCache never maps a target path outside its directory", "[io][store]") {
  ScratchDir dir;
  tuf_io::TargetCache cache(dir.path() / "targets");
  for (const char* path : {"..", ".", "", "../escape", "/etc/passwd", "a/../../b"}) {
    INFO(path);
    fs::path p = cache.path_for(path);
    CHECK(p.parent_path() == dir.path() / "targets");
    CHECK(p.filename() != "..");
    CHECK(p.filename() != ".");
    CHECK_FALSE(p.filename().empty());
  }
  CHECK(cache.path_for("..") != cache.path_for("."));
  CHECK(cache.path_for("..").filename() == "%2E%2E");
}
