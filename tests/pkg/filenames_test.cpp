// pkg/filenames: wheel (PEP 427/491, PEP 425 compressed tag sets) and sdist (PEP 625) names.
#include <catch2/catch.hpp>

#include "pkg/filenames.h"

namespace {

std::vector<std::string> tag_strings(const pkg::WheelFilename& w) {
  std::vector<std::string> out;
  for (const auto& t : w.tags) out.push_back(t.str());
  return out;
}

}  // namespace

TEST_CASE("parse_wheel_filename reads name, version and a single tag", "[pkg][filenames]") {
  auto w = pkg::parse_wheel_filename("pip-23.0.1-py3-none-any.whl");
  REQUIRE(w);
  CHECK(w->name == "pip");
  CHECK(w->version == "23.0.1");
  CHECK(w->parsed_version.str() == "23.0.1");
  CHECK_FALSE(w->build);
  CHECK(tag_strings(*w) == std::vector<std::string>{"py3-none-any"});
}

TEST_CASE("parse_wheel_filename expands compressed tag sets in order", "[pkg][filenames]") {
  auto w = pkg::parse_wheel_filename("six-1.16.0-py2.py3-none-any.whl");
  REQUIRE(w);
  CHECK(tag_strings(*w) == std::vector<std::string>{"py2-none-any", "py3-none-any"});

  auto n = pkg::parse_wheel_filename(
      "numpy-1.26.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl");
  REQUIRE(n);
  CHECK(tag_strings(*n) == std::vector<std::string>{"cp312-cp312-manylinux_2_17_x86_64",
                                                    "cp312-cp312-manylinux2014_x86_64"});

  auto all = pkg::parse_wheel_filename("x-1.0-py2.py3-none.abi3-any.linux_x86_64.whl");
  REQUIRE(all);
  CHECK(all->tags.size() == 8);
  CHECK(all->tags.front().str() == "py2-none-any");
  CHECK(all->tags.back().str() == "py3-abi3-linux_x86_64");
}

TEST_CASE("parse_wheel_filename lowercases tags and drops duplicate tags", "[pkg][filenames]") {
  auto w = pkg::parse_wheel_filename("x-1.0-PY3.py3-NONE-Any.whl");
  REQUIRE(w);
  CHECK(tag_strings(*w) == std::vector<std::string>{"py3-none-any"});
}

TEST_CASE("parse_wheel_filename normalises the project name", "[pkg][filenames]") {
  auto w = pkg::parse_wheel_filename("Foo_Bar.baz-2.0rc1-py3-none-any.whl");
  REQUIRE(w);
  CHECK(w->name == "foo-bar-baz");
  CHECK(w->version == "2.0rc1");
  CHECK(w->parsed_version.is_prerelease());
}

TEST_CASE("parse_wheel_filename reads build tags as number then suffix", "[pkg][filenames]") {
  auto one = pkg::parse_wheel_filename("foo-1.0-1-py3-none-any.whl");
  REQUIRE(one);
  REQUIRE(one->build);
  CHECK(one->build->number == 1);
  CHECK(one->build->suffix == "");
  auto two = pkg::parse_wheel_filename("foo-1.0-2abc-py3-none-any.whl");
  REQUIRE(two);
  REQUIRE(two->build);
  CHECK(two->build->number == 2);
  CHECK(two->build->suffix == "abc");
  CHECK(*one->build < *two->build);
  CHECK(pkg::BuildTag{2, ""} < pkg::BuildTag{2, "a"});
  CHECK(pkg::BuildTag{10, ""} > pkg::BuildTag{9, "z"});
}

TEST_CASE("parse_wheel_filename rejects malformed names and says what is wrong", "[pkg][filenames]") {
  struct Case {
    const char* filename;
    const char* complaint;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"foo-1.0-py3-none-any.zip", ".whl"},
           {"foo-1.0-py3-none.whl", "parts"},
           {"foo-1.0-1-2-py3-none-any.whl", "parts"},
           {"foo-bar-1.0-py3-none-any.whl", "PEP 440"},  // six parts: "bar" is read as the version
           {"foo-1.0-abc-py3-none-any.whl", "build tag"},
           {"foo-notaversion-py3-none-any.whl", "PEP 440"},
           {"foo__bar-1.0-py3-none-any.whl", "project name"},
           {"_foo-1.0-py3-none-any.whl", "project name"},
           {"-1.0-py3-none-any.whl", "project name"},
           {"foo-1.0-py3..py2-none-any.whl", "python tag"},
           {"foo-1.0-py3--any.whl", "abi tag"},
           {"foo-1.0-py3-none-any!.whl", "platform tag"},
           {"../foo-1.0-py3-none-any.whl", "path separator"},
           {"foo-1.0-py3-none-any .whl", "whitespace"},
           {".whl", "parts"},
       }) {
    INFO(c.filename);
    auto w = pkg::parse_wheel_filename(c.filename);
    REQUIRE_FALSE(w);
    CHECK(w.error().code == pkg::Errc::invalid_filename);
    CHECK(w.error().message().find(c.filename) != std::string::npos);
    CHECK(w.error().detail.find(c.complaint) != std::string::npos);
  }
}

TEST_CASE("parse_sdist_filename splits at the last dash (.tar.gz and .zip)", "[pkg][filenames]") {
  auto s = pkg::parse_sdist_filename("sampleproject-3.0.0.tar.gz");
  REQUIRE(s);
  CHECK(s->name == "sampleproject");
  CHECK(s->version == "3.0.0");
  CHECK(s->extension == ".tar.gz");

  auto z = pkg::parse_sdist_filename("Foo_Bar-2.0rc1.zip");
  REQUIRE(z);
  CHECK(z->name == "foo-bar");
  CHECK(z->version == "2.0rc1");
  CHECK(z->parsed_version.str() == "2.0rc1");
  CHECK(z->extension == ".zip");

  auto legacy = pkg::parse_sdist_filename("foo-bar-1.0.post1.tar.gz");
  REQUIRE(legacy);
  CHECK(legacy->name == "foo-bar");
  CHECK(legacy->version == "1.0.post1");
}

TEST_CASE("parse_sdist_filename rejects other extensions, missing versions and bad names", "[pkg][filenames]") {
  for (const char* bad : {"foo.tar.gz", "foo-1.0.tar.bz2", "foo-1.0.tgz", "foo-abc.tar.gz",
                          "-1.0.tar.gz", "foo_-1.0.tar.gz", "foo-1.0.whl", "a/b-1.0.tar.gz",
                          "foo-.zip"}) {
    INFO(bad);
    auto s = pkg::parse_sdist_filename(bad);
    REQUIRE_FALSE(s);
    CHECK(s.error().code == pkg::Errc::invalid_filename);
    CHECK(s.error().message().find(bad) != std::string::npos);
  }
}
