// pkg_fs/wheelhouse: a --find-links directory listed once, grouped by normalised project, pages
// with sha256 hashes computed from the files.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "pkg_fs/install_support.h"
#include "pkg_fs/wheelhouse.h"

namespace {

using install_support::TempDir;
using install_support::write_file;
namespace fs = std::filesystem;

// Known sha256 vectors (FIPS 180-2): "abc" and the empty string.
const std::string kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const std::string kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::vector<std::string> filenames(const pkg::ProjectPage& page) {
  std::vector<std::string> out;
  for (const auto& f : page.files) out.push_back(f.filename);
  return out;
}

}  // namespace

TEST_CASE("scan_wheelhouse groups wheels and sdists by normalised project", "[pkg_fs][wheelhouse]") {
  TempDir t;
  for (const char* name : {"Foo_Bar-1.0-py3-none-any.whl", "foo.bar-2.0.tar.gz", "foo_bar-1.5.zip",
                           "other-3.0-cp311-cp311-manylinux_2_17_x86_64.whl", "other-3.0.tar.gz"})
    write_file(t.path() / name, name);
  auto house = pkg_fs::scan_wheelhouse(t.path());
  REQUIRE(house);
  CHECK(house->dir == t.path());
  REQUIRE(house->files.size() == 2);
  CHECK(house->files.at("foo-bar") == std::vector<std::string>{"Foo_Bar-1.0-py3-none-any.whl",
                                                               "foo.bar-2.0.tar.gz", "foo_bar-1.5.zip"});
  CHECK(house->files.at("other") == std::vector<std::string>{
                                        "other-3.0-cp311-cp311-manylinux_2_17_x86_64.whl", "other-3.0.tar.gz"});
}

TEST_CASE("scan_wheelhouse ignores non-distribution files, subdirectories and does not recurse", "[pkg_fs][wheelhouse]") {
  TempDir t;
  write_file(t.path() / "good-1.0-py3-none-any.whl", "w");
  for (const char* name : {"README.txt", "good-1.0-py3-none-any.whl.metadata", "good.whl", "good-1.0.tar.bz2",
                           "good-notaversion.tar.gz", "no_version.tar.gz", ".hidden"})
    write_file(t.path() / name, "x");
  fs::create_directories(t.path() / "dir-1.0-py3-none-any.whl");  // a directory named like a wheel
  write_file(t.path() / "sub" / "nested-1.0-py3-none-any.whl", "n");  // not recursed into
  fs::create_symlink("missing-target", t.path() / "dangling-1.0-py3-none-any.whl");
  write_file(t.path() / "elsewhere.bin", "l");
  fs::create_symlink(t.path() / "elsewhere.bin", t.path() / "linked-1.0-py3-none-any.whl");
  auto house = pkg_fs::scan_wheelhouse(t.path());
  REQUIRE(house);
  std::vector<std::string> projects;
  for (const auto& [p, names] : house->files) projects.push_back(p);
  CHECK(projects == std::vector<std::string>{"good", "linked"});
  CHECK(house->files.at("good") == std::vector<std::string>{"good-1.0-py3-none-any.whl"});
}

TEST_CASE("Wheelhouse::page gives file URLs and the sha256 of each file's bytes", "[pkg_fs][wheelhouse]") {
  TempDir t;
  write_file(t.path() / "foo_bar-1.0-py3-none-any.whl", "abc");
  write_file(t.path() / "foo_bar-1.0.tar.gz", "");
  write_file(t.path() / "unrelated-1.0.tar.gz", "x");
  auto house = pkg_fs::scan_wheelhouse(t.path());
  REQUIRE(house);
  // Normalised lookup: any spelling of the name finds the project.
  for (const char* asked : {"foo-bar", "Foo_Bar", "FOO.bar"}) {
    auto page = house->page(asked);
    REQUIRE(page);
    CHECK(page->name == "foo-bar");
    REQUIRE(filenames(*page) == std::vector<std::string>{"foo_bar-1.0-py3-none-any.whl", "foo_bar-1.0.tar.gz"});
    const auto& whl = page->files[0];
    CHECK(whl.url == "file://" + (t.path() / "foo_bar-1.0-py3-none-any.whl").string());
    CHECK(whl.hashes == pkg::Hashes{{"sha256", kAbc}});
    CHECK(whl.sha256() == kAbc);
    CHECK(whl.size == 3u);
    CHECK(page->files[1].hashes == pkg::Hashes{{"sha256", kEmpty}});
    for (const auto& f : page->files) {
      CHECK_FALSE(f.yanked);
      CHECK_FALSE(f.requires_python);
      CHECK_FALSE(f.core_metadata.available);
    }
  }
}

TEST_CASE("Wheelhouse::page hashes the file as it is now, and only the asked project's files", "[pkg_fs][wheelhouse]") {
  TempDir t;
  write_file(t.path() / "a-1.0.tar.gz", "first");
  write_file(t.path() / "b-1.0.tar.gz", "b");
  auto house = pkg_fs::scan_wheelhouse(t.path());
  REQUIRE(house);
  write_file(t.path() / "a-1.0.tar.gz", "abc");  // changed after the scan
  fs::remove(t.path() / "b-1.0.tar.gz");  // b is not read when a is asked for
  auto page = house->page("a");
  REQUIRE(page);
  REQUIRE(page->files.size() == 1);
  CHECK(page->files[0].sha256() == kAbc);
  fs::remove(t.path() / "a-1.0.tar.gz");  // gone since the scan: an error naming it
  auto gone = house->page("a");
  REQUIRE_FALSE(gone);
  CHECK(gone.error().code == pkg::Errc::io);
  CHECK(gone.error().input == (t.path() / "a-1.0.tar.gz").string());
  CHECK(gone.error().detail == "No such file or directory");
}

TEST_CASE("Wheelhouse::page for an unknown project is an empty page", "[pkg_fs][wheelhouse]") {
  TempDir t;
  write_file(t.path() / "a-1.0.tar.gz", "a");
  auto house = pkg_fs::scan_wheelhouse(t.path());
  REQUIRE(house);
  auto page = house->page("nothing-here");
  REQUIRE(page);
  CHECK(page->files.empty());
  CHECK(page->name == "nothing-here");
}

TEST_CASE("scan_wheelhouse of a missing directory or a file is a clear io error", "[pkg_fs][wheelhouse]") {
  TempDir t;
  auto missing = pkg_fs::scan_wheelhouse(t.path() / "nope");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == pkg::Errc::io);
  CHECK(missing.error().input == (t.path() / "nope").string());
  CHECK(missing.error().detail == "No such file or directory");
  write_file(t.path() / "file", "x");
  auto file = pkg_fs::scan_wheelhouse(t.path() / "file");
  REQUIRE_FALSE(file);
  CHECK(file.error().detail == "Not a directory");
}

TEST_CASE("scan_wheelhouse makes a relative directory absolute", "[pkg_fs][wheelhouse]") {
  TempDir t;
  write_file(t.path() / "a-1.0.tar.gz", "abc");
  const fs::path old = fs::current_path();
  fs::current_path(t.path());
  auto house = pkg_fs::scan_wheelhouse("./");
  fs::current_path(old);
  REQUIRE(house);
  CHECK(house->dir == t.path());
  auto page = house->page("a");
  REQUIRE(page);
  CHECK(page->files.at(0).url == "file://" + (t.path() / "a-1.0.tar.gz").string());
}

TEST_CASE("file_url percent-encodes as pathname2url does", "[pkg_fs][wheelhouse]") {
  // Checked against Python 3.11: urllib.request.pathname2url(p) (quote with safe "/").
  struct Case {
    const char* path;
    const char* url;
  };
  for (const Case& c : std::vector<Case>{
           {"/tmp/wh/a-1.0.tar.gz", "file:///tmp/wh/a-1.0.tar.gz"},
           {"/tmp/my wheels/x-1.0+local-py3-none-any.whl", "file:///tmp/my%20wheels/x-1.0%2Blocal-py3-none-any.whl"},
           {"/t/%41#?;=&~", "file:///t/%2541%23%3F%3B%3D%26~"},
           {"/t/caf\xc3\xa9", "file:///t/caf%C3%A9"},
       }) {
    CHECK(pkg_fs::file_url(c.path) == c.url);
  }
}
