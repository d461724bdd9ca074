// fsutil::write_file_atomic and AtomicFile on a private scratch folder.
#include "fsutil/atomic_write.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fsutil/temp_dir.h"

namespace {

namespace fs = std::filesystem;

// A folder of its own inside an OwnedTempDir (which holds its ".owner" file).
struct Scratch {
  fsutil::OwnedTempDir owned = *fsutil::OwnedTempDir::create(fs::temp_directory_path(), "tufget-fsutil-");
  fs::path dir = [this] {
    fs::create_directory(owned.path() / "d");
    return owned.path() / "d";
  }();
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("atomic_write: content is replaced whole, durable or not", "[fsutil][atomic_write]") {
  Scratch s;
  const fs::path file = s.dir / "state.json";
  REQUIRE(fsutil::write_file_atomic(file, std::string_view("a much longer first content")).has_value());
  CHECK(slurp(file) == "a much longer first content");
  REQUIRE(fsutil::write_file_atomic(file, std::string_view("short"), {.durable = false}).has_value());
  CHECK(slurp(file) == "short");
  REQUIRE(fsutil::write_file_atomic(file, std::string_view("")).has_value());
  CHECK(slurp(file).empty());
  CHECK(names_in(s.dir) == std::vector<std::string>{"state.json"});
}

TEST_CASE("atomic_write: the mode is applied exactly, whatever the umask", "[fsutil][atomic_write]") {
  Scratch s;
  const mode_t old_umask = ::umask(077);
  auto key = fsutil::write_file_atomic(s.dir / "key", std::string_view("secret"), {.mode = 0600});
  auto page = fsutil::write_file_atomic(s.dir / "page", std::string_view("public"), {.mode = 0644});
  ::umask(old_umask);
  REQUIRE(key.has_value());
  REQUIRE(page.has_value());
  CHECK(mode_of(s.dir / "key") == 0600);
  CHECK(mode_of(s.dir / "page") == 0644);
  // Replacing a file gives it the new mode, not the old one.
  REQUIRE(fsutil::write_file_atomic(s.dir / "key", std::string_view("rotated"), {.mode = 0640}).has_value());
  CHECK(mode_of(s.dir / "key") == 0640);
}

TEST_CASE("atomic_write: a failure leaves the target as it was and no temporary file",
          "[fsutil][atomic_write]") {
  Scratch s;
  // The rename fails: the target is a directory that is not empty.
  fs::create_directories(s.dir / "target" / "inside");
  auto over_dir = fsutil::write_file_atomic(s.dir / "target", std::string_view("x"));
  REQUIRE_FALSE(over_dir.has_value());
  CHECK(over_dir.error().action == "cannot rename into place");
  CHECK(over_dir.error().path == s.dir / "target");
  CHECK_THAT(over_dir.error().message(), Catch::Matchers::Contains((s.dir / "target").string()));
  CHECK(fs::is_directory(s.dir / "target" / "inside"));
  CHECK(names_in(s.dir) == std::vector<std::string>{"target"});

  // The temporary file cannot be created: the parent is a file.
  std::ofstream(s.dir / "plain") << "keep";
  auto under_file = fsutil::write_file_atomic(s.dir / "plain" / "f", std::string_view("x"));
  REQUIRE_FALSE(under_file.has_value());
  CHECK(under_file.error().code == ENOTDIR);
  CHECK(under_file.error().action == "cannot create a file in");
  CHECK(slurp(s.dir / "plain") == "keep");

  // A directory that cannot be written (meaningless for root, who may write anywhere).
  if (::geteuid() != 0) {
    fs::create_directory(s.dir / "ro");
    fs::permissions(s.dir / "ro", fs::perms::owner_read | fs::perms::owner_exec);
    auto denied = fsutil::write_file_atomic(s.dir / "ro" / "f", std::string_view("x"));
    fs::permissions(s.dir / "ro", fs::perms::owner_all);
    REQUIRE_FALSE(denied.has_value());
    CHECK(denied.error().code == EACCES);
    CHECK(names_in(s.dir / "ro").empty());
  }
}

TEST_CASE("atomic_write: an AtomicFile dropped before commit leaves nothing behind", "[fsutil][atomic_write]") {
  Scratch s;
  std::ofstream(s.dir / "f") << "old";
  {
    auto file = fsutil::AtomicFile::create(s.dir / "f");
    REQUIRE(file.has_value());
    REQUIRE(file->write(std::string_view("partial")).has_value());
    CHECK(fs::exists(file->temp_path()));
    CHECK(file->temp_path().parent_path() == s.dir);
    CHECK(file->temp_path().filename().string().starts_with(".f.tmp-"));
  }
  CHECK(slurp(s.dir / "f") == "old");
  CHECK(names_in(s.dir) == std::vector<std::string>{"f"});
}

TEST_CASE("atomic_write: a symbolic link at the target is replaced, not followed", "[fsutil][atomic_write]") {
  Scratch s;
  std::ofstream(s.dir / "elsewhere") << "must not change";
  fs::create_symlink(s.dir / "elsewhere", s.dir / "link");
  REQUIRE(fsutil::write_file_atomic(s.dir / "link", std::string_view("new")).has_value());
  CHECK_FALSE(fs::is_symlink(s.dir / "link"));
  CHECK(slurp(s.dir / "link") == "new");
  CHECK(slurp(s.dir / "elsewhere") == "must not change");
}

TEST_CASE("atomic_write: fsync_directory syncs a directory and reports a missing one", "[fsutil][atomic_write]") {
  Scratch s;
  CHECK(fsutil::fsync_directory(s.dir) == 0);
  CHECK(fsutil::fsync_directory(s.dir / "missing") == ENOENT);
  CHECK(fsutil::write_file_atomic("", std::string_view("x")).error().code == EINVAL);
}
