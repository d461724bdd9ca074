// pkg/core_metadata: the METADATA / PKG-INFO header block as Python's email parser reads it, and
// the dependency selection pip makes from it.
#include <catch2/catch.hpp>

#include <string>

#include "pkg/core_metadata.h"

namespace {

std::string names_of(const std::vector<pkg::Requirement>& reqs) {
  std::string out;
  for (const auto& r : reqs) out += (out.empty() ? "" : ",") + r.project;
  return out;
}

const pkg::MarkerEnvironment& py311() {
  static const auto env = pkg::MarkerEnvironment::cpython_linux("3.11.7");
  return env;
}

// What setuptools (bdist_wheel) writes: Metadata-Version 2.1, then the long description as the
// body after a blank line; the body has lines that look like headers.
constexpr std::string_view kSetuptools =
    "Metadata-Version: 2.1\n"
    "Name: requests\n"
    "Version: 2.31.0\n"
    "Summary: Python HTTP for Humans.\n"
    "Home-page: https://requests.readthedocs.io\n"
    "Author: Kenneth Reitz\n"
    "Author-email: me@kennethreitz.org\n"
    "License: Apache 2.0\n"
    "Project-URL: Documentation, https://requests.readthedocs.io\n"
    "Project-URL: Source, https://github.com/psf/requests\n"
    "Classifier: Development Status :: 5 - Production/Stable\n"
    "Classifier: Programming Language :: Python :: 3\n"
    "Requires-Python: >=3.7\n"
    "Description-Content-Type: text/markdown\n"
    "License-File: LICENSE\n"
    "Requires-Dist: charset-normalizer (<4,>=2)\n"
    "Requires-Dist: idna (<4,>=2.5)\n"
    "Requires-Dist: urllib3 (<3,>=1.21.1)\n"
    "Requires-Dist: certifi (>=2017.4.17)\n"
    "Provides-Extra: security\n"
    "Provides-Extra: socks\n"
    "Requires-Dist: PySocks (!=1.5.7,>=1.5.6) ; extra == 'socks'\n"
    "Provides-Extra: use_chardet_on_py3\n"
    "Requires-Dist: chardet (<6,>=3.0.2) ; extra == 'use_chardet_on_py3'\n"
    "\n"
    "# Requests\n"
    "\n"
    "Requires-Dist: evil-package\n"
    "Name: not-requests\n"
    "Version: 666\n"
    "**Requests** is a simple, yet elegant, HTTP library.\n";

// hatchling 1.18 writes Metadata-Version 2.3 (no body here: no readme).
constexpr std::string_view kHatchling =
    "Metadata-Version: 2.3\n"
    "Name: hatch-demo\n"
    "Version: 1.0.0rc1\n"
    "Project-URL: Homepage, https://example.org\n"
    "Author-email: Jane Doe <jane@example.org>\n"
    "License-Expression: MIT\n"
    "Classifier: Programming Language :: Python\n"
    "Requires-Python: >=3.8\n"
    "Requires-Dist: attrs>=22.2.0\n"
    "Requires-Dist: importlib-metadata>=6; python_version < \"3.10\"\n"
    "Requires-Dist: tomli>=1.1.0; python_version < '3.11'\n"
    "Provides-Extra: docs\n"
    "Requires-Dist: sphinx>=7; extra == 'docs'\n";

// flit 3.9 writes 2.1, with extras and markers combining extra and the environment.
constexpr std::string_view kFlit =
    "Metadata-Version: 2.1\n"
    "Name: flit_demo\n"
    "Version: 0.3\n"
    "Summary: A demo package built with flit\n"
    "Author-email: A. Person <a@example.org>\n"
    "Description-Content-Type: text/x-rst\n"
    "Classifier: License :: OSI Approved :: BSD License\n"
    "Requires-Dist: docutils\n"
    "Requires-Dist: tomli-w\n"
    "Requires-Dist: pytest >=2.7.3 ; extra == \"test\"\n"
    "Requires-Dist: pytest-cov ; extra == \"test\"\n"
    "Requires-Dist: colorama ; extra == \"test\" and sys_platform == \"win32\"\n"
    "Requires-Dist: sphinx ; extra == \"doc\"\n"
    "Requires-Dist: pywin32 ; sys_platform == \"win32\"\n"
    "Project-URL: Source, https://github.com/example/flit_demo\n"
    "Provides-Extra: doc\n"
    "Provides-Extra: test\n"
    "\n"
    "flit_demo\n"
    "=========\n";

pkg::DistMetadata parse_ok(std::string_view text) {
  auto md = pkg::parse_core_metadata(text);
  INFO((md ? std::string() : md.error().message()));
  REQUIRE(md);
  return *md;
}

pkg::Error parse_error(std::string_view text) {
  auto md = pkg::parse_core_metadata(text);
  REQUIRE_FALSE(md);
  return md.error();
}

}  // namespace

TEST_CASE("a setuptools METADATA: headers up to the first empty line, the body ignored", "[pkg][metadata]") {
  const auto md = parse_ok(kSetuptools);
  CHECK(md.metadata_version == "2.1");
  CHECK(md.name == "requests");
  CHECK(md.project == "requests");
  CHECK(md.version_text == "2.31.0");
  CHECK(md.version.str() == "2.31.0");
  CHECK(md.summary == "Python HTTP for Humans.");
  REQUIRE(md.requires_python);
  CHECK(md.requires_python->str() == ">=3.7");
  // The "Requires-Dist: evil-package" line of the description is not a header.
  CHECK(names_of(md.requires_dist) == "charset-normalizer,idna,urllib3,certifi,pysocks,chardet");
  CHECK(md.provides_extra == std::vector<std::string>{"security", "socks", "use-chardet-on-py3"});
}

TEST_CASE("a hatchling 2.3 METADATA with environment markers", "[pkg][metadata]") {
  const auto md = parse_ok(kHatchling);
  CHECK(md.metadata_version == "2.3");
  CHECK(md.project == "hatch-demo");
  CHECK(md.version.is_prerelease());
  CHECK(md.requires_dist.size() == 4);
  CHECK(names_of(md.dependencies(py311(), {})) == "attrs");
  CHECK(names_of(md.dependencies(pkg::MarkerEnvironment::cpython_linux("3.9.18"), {})) ==
        "attrs,importlib-metadata,tomli");
  CHECK(names_of(md.dependencies(py311(), {"docs"})) == "attrs,sphinx");
}

TEST_CASE("a flit METADATA: extras select their dependencies, in file order", "[pkg][metadata]") {
  const auto md = parse_ok(kFlit);
  CHECK(md.name == "flit_demo");
  CHECK(md.project == "flit-demo");
  CHECK(md.provides_extra == std::vector<std::string>{"doc", "test"});
  CHECK(names_of(md.dependencies(py311(), {})) == "docutils,tomli-w");
  CHECK(names_of(md.dependencies(py311(), {"test"})) == "docutils,tomli-w,pytest,pytest-cov");
  CHECK(names_of(md.dependencies(py311(), {"test", "doc"})) == "docutils,tomli-w,pytest,pytest-cov,sphinx");
  auto windows = py311();
  windows.sys_platform = "win32";
  CHECK(names_of(md.dependencies(windows, {"test"})) == "docutils,tomli-w,pytest,pytest-cov,colorama,pywin32");
  CHECK(names_of(md.dependencies(windows, {})) == "docutils,tomli-w,pywin32");
}

TEST_CASE("dependencies: requested extras are compared normalised", "[pkg][metadata]") {
  const auto md = parse_ok(kSetuptools);
  CHECK(names_of(md.dependencies(py311(), {"Use.Chardet-On_Py3"})) ==
        "charset-normalizer,idna,urllib3,certifi,chardet");
  CHECK(names_of(md.dependencies(py311(), {"SOCKS"})) == "charset-normalizer,idna,urllib3,certifi,pysocks");
}

TEST_CASE("dependencies: an extra not in Provides-Extra is ignored, as pip ignores it", "[pkg][metadata]") {
  // The marker names "hidden", but the metadata does not declare it: pip warns and drops the
  // extra, so the requirement does not apply.
  const auto md = parse_ok(
      "Metadata-Version: 2.1\nName: p\nVersion: 1\nProvides-Extra: a\n"
      "Requires-Dist: base\nRequires-Dist: x; extra == 'a'\nRequires-Dist: y; extra == 'hidden'\n"
      "Requires-Dist: z; extra != 'a'\n");
  CHECK(names_of(md.dependencies(py311(), {"hidden"})) == "base,z");
  CHECK(names_of(md.dependencies(py311(), {"a"})) == "base,x");
  CHECK(names_of(md.dependencies(py311(), {"a", "hidden"})) == "base,x");
  // With no extra left, markers are evaluated with extra == "".
  CHECK(names_of(md.dependencies(py311(), {})) == "base,z");
  CHECK(md.missing_extras({"A", "hidden", "b"}) == std::vector<std::string>{"hidden", "b"});
}

TEST_CASE("header names are case-insensitive", "[pkg][metadata]") {
  const auto md = parse_ok(
      "metadata-version: 2.1\nNAME: Foo\nversion: 1.0\nrequires-DIST: bar>=1\nREQUIRES-PYTHON: >=3.8\n"
      "provides-extra: X\nsUmMaRy: s\n");
  CHECK(md.project == "foo");
  CHECK(md.version.str() == "1.0");
  CHECK(names_of(md.requires_dist) == "bar");
  CHECK(md.requires_python);
  CHECK(md.provides_extra == std::vector<std::string>{"x"});
  CHECK(md.summary == "s");
}

TEST_CASE("folded headers: continuation lines join with one space", "[pkg][metadata]") {
  const auto md = parse_ok(
      "Metadata-Version: 2.1\nName: foo\nVersion: 1.0\n"
      "Summary: a summary that\n   goes on\n\tand on\n"
      "Requires-Dist: bar\n  >=1.0,\n  <2\n"
      "Requires-Python:\n >=3.8\n"
      "Keywords: one\n two\n");
  CHECK(md.summary == "a summary that goes on and on");
  REQUIRE(md.requires_dist.size() == 1);
  CHECK(md.requires_dist[0].specifiers.contains(*pkg::Version::parse("1.5")));
  CHECK_FALSE(md.requires_dist[0].specifiers.contains(*pkg::Version::parse("2.0")));
  REQUIRE(md.requires_python);
  CHECK(md.requires_python->str() == ">=3.8");
}

TEST_CASE("CRLF and CR line ends are line ends", "[pkg][metadata]") {
  const auto crlf = parse_ok(
      "Metadata-Version: 2.1\r\nName: foo\r\nVersion: 1.0\r\nSummary: x\r\n y\r\n"
      "Requires-Dist: bar\r\n\r\nRequires-Dist: body\r\n");
  CHECK(crlf.version_text == "1.0");
  CHECK(crlf.summary == "x y");
  CHECK(names_of(crlf.requires_dist) == "bar");
  const auto cr = parse_ok("Metadata-Version: 2.1\rName: foo\rVersion: 2.0\rRequires-Dist: bar\r\rRequires-Dist: body\r");
  CHECK(cr.version_text == "2.0");
  CHECK(names_of(cr.requires_dist) == "bar");
}

TEST_CASE("the last header may end without a newline", "[pkg][metadata]") {
  const auto md = parse_ok("Metadata-Version: 2.1\nName: foo\nVersion: 3.1");
  CHECK(md.version_text == "3.1");
}

TEST_CASE("values are trimmed of spaces and tabs", "[pkg][metadata]") {
  const auto md = parse_ok("Metadata-Version:2.1\nName:\tfoo  \nVersion:   1.0\t\n");
  CHECK(md.name == "foo");
  CHECK(md.version_text == "1.0");
  CHECK(md.metadata_version == "2.1");
}

TEST_CASE("missing Metadata-Version, Name or Version is an error", "[pkg][metadata]") {
  CHECK_THAT(parse_error("Name: foo\nVersion: 1\n").detail, Catch::Contains("Metadata-Version"));
  CHECK_THAT(parse_error("Metadata-Version: 2.1\nVersion: 1\n").detail, Catch::Contains("Name"));
  CHECK_THAT(parse_error("Metadata-Version: 2.1\nName: foo\n").detail, Catch::Contains("Version"));
  CHECK(parse_error("").code == pkg::Errc::invalid_metadata);
  // Name and Version only in the body do not count.
  CHECK_THAT(parse_error("Metadata-Version: 2.1\n\nName: foo\nVersion: 1\n").detail, Catch::Contains("Name"));
}

TEST_CASE("an invalid Name or Version is an error naming the header", "[pkg][metadata]") {
  auto e = parse_error("Metadata-Version: 2.1\nName: foo bar\nVersion: 1\n");
  CHECK(e.code == pkg::Errc::invalid_metadata);
  CHECK_THAT(e.detail, Catch::StartsWith("Name:"));
  CHECK(e.input == "foo bar");
  e = parse_error("Metadata-Version: 2.1\nName: foo\nVersion: 1.0-beta-x\n");
  CHECK_THAT(e.detail, Catch::StartsWith("Version:"));
  CHECK(e.input == "1.0-beta-x");
  CHECK_THAT(parse_error("Metadata-Version: 2.1\nName:\nVersion: 1\n").detail, Catch::StartsWith("Name:"));
}

TEST_CASE("a Requires-Dist that does not parse is an error naming it", "[pkg][metadata]") {
  for (const char* bad : {"foo (>=1", "foo >= 1 extra", "foo; python_version >>> '3'", "[x]", "foo;"}) {
    INFO(bad);
    auto e = parse_error(std::string("Metadata-Version: 2.1\nName: p\nVersion: 1\nRequires-Dist: ") + bad + "\n");
    CHECK(e.code == pkg::Errc::invalid_metadata);
    CHECK_THAT(e.detail, Catch::StartsWith("Requires-Dist:"));
    CHECK(e.input == bad);
  }
}

TEST_CASE("a Requires-Dist with a URL is kept for the caller to refuse", "[pkg][metadata]") {
  const auto md = parse_ok("Metadata-Version: 2.1\nName: p\nVersion: 1\nRequires-Dist: dep @ https://example.org/dep-1.0.tar.gz\n");
  REQUIRE(md.requires_dist.size() == 1);
  CHECK(md.requires_dist[0].url == "https://example.org/dep-1.0.tar.gz");
}

TEST_CASE("Requires-Python is parsed strictly", "[pkg][metadata]") {
  const auto md = parse_ok("Metadata-Version: 2.1\nName: p\nVersion: 1\nRequires-Python:  >= 3.8 , < 4 \n");
  REQUIRE(md.requires_python);
  CHECK(md.requires_python->contains(*pkg::Version::parse("3.11")));
  CHECK_FALSE(md.requires_python->contains(*pkg::Version::parse("3.7")));
  CHECK_FALSE(md.requires_python->contains(*pkg::Version::parse("4.0")));
  for (const char* bad : {">=3.8,", ",>=3.8", ">=3.8,,<4", "", "3.8", ">=3.8 or <2", "~=3"}) {
    INFO(bad);
    auto e = parse_error(std::string("Metadata-Version: 2.1\nName: p\nVersion: 1\nRequires-Python: ") + bad + "\n");
    CHECK(e.code == pkg::Errc::invalid_metadata);
    CHECK_THAT(e.detail, Catch::StartsWith("Requires-Python:"));
  }
  CHECK_FALSE(parse_ok("Metadata-Version: 2.1\nName: p\nVersion: 1\n").requires_python);
}

TEST_CASE("Metadata-Version 1.x and 2.x are read, 3.x is refused", "[pkg][metadata]") {
  for (const char* v : {"1.0", "1.1", "1.2", "2.0", "2.1", "2.2", "2.3", "2.4", "2.5"}) {
    INFO(v);
    CHECK(parse_ok(std::string("Metadata-Version: ") + v + "\nName: p\nVersion: 1\n").metadata_version == v);
  }
  auto e = parse_error("Metadata-Version: 3.0\nName: p\nVersion: 1\n");
  CHECK(e.code == pkg::Errc::unsupported);
  CHECK_THAT(e.detail, Catch::StartsWith("Metadata-Version:"));
  CHECK(parse_error("Metadata-Version: 10.1\nName: p\nVersion: 1\n").code == pkg::Errc::unsupported);
  for (const char* bad : {"2", "2.1.0", "two", "0.9", "2.x", "", ".1", "2."}) {
    INFO(bad);
    auto bad_e = parse_error(std::string("Metadata-Version: ") + bad + "\nName: p\nVersion: 1\n");
    CHECK(bad_e.code == pkg::Errc::invalid_metadata);
    CHECK_THAT(bad_e.detail, Catch::StartsWith("Metadata-Version:"));
  }
}

TEST_CASE("a second Name, Version, Metadata-Version or Requires-Python is refused", "[pkg][metadata]") {
  const std::string base = "Metadata-Version: 2.1\nName: p\nVersion: 1\nRequires-Python: >=3\n";
  for (const char* dup : {"Name: q\n", "version: 2\n", "Metadata-Version: 2.1\n", "Requires-Python: >=3\n"}) {
    INFO(dup);
    CHECK_THAT(parse_error(base + dup).detail, Catch::Contains("more than once"));
  }
  // Summary: the first one, as email.message.Message.get returns it.
  CHECK(parse_ok(base + "Summary: one\nSummary: two\n").summary == "one");
}

TEST_CASE("a line that is not a header starts the body", "[pkg][metadata]") {
  // "Version : 1" has a space before the colon: not a field name, so the headers end there and
  // the rest is body, as in Python's email parser.
  CHECK_THAT(parse_error("Metadata-Version: 2.1\nName: p\nVersion : 1\nRequires-Dist: x\n").detail,
             Catch::Contains("missing Version"));
  const auto md = parse_ok("Metadata-Version: 2.1\nName: p\nVersion: 1\nno colon here\nRequires-Dist: x\n");
  CHECK(md.requires_dist.empty());
  const auto utf8 = parse_ok("Metadata-Version: 2.1\nName: p\nVersion: 1\n\xc3\xa9t\xc3\xa9: x\nRequires-Dist: x\n");
  CHECK(utf8.requires_dist.empty());
}

TEST_CASE("lines the email parser skips: leading continuation, From envelope, empty name", "[pkg][metadata]") {
  const auto md = parse_ok(
      "  Requires-Dist: first-line-continuation\n"
      "Metadata-Version: 2.1\n"
      "From someone@example.org\n"
      "  Requires-Dist: after-envelope\n"
      "Name: p\n"
      ": no name\n"
      "  Requires-Dist: after-empty-name\n"
      "Version: 1\n"
      "Requires-Dist: real\n");
  CHECK(names_of(md.requires_dist) == "real");
  CHECK(md.project == "p");
}

TEST_CASE("a 1.0 PKG-INFO with a folded Description", "[pkg][metadata]") {
  const auto md = parse_ok(
      "Metadata-Version: 1.0\n"
      "Name: oldpkg\n"
      "Version: 0.1.dev3\n"
      "Summary: old\n"
      "Description: First line.\n"
      "        |\n"
      "        |Version: 9.9\n"
      "        |Name: other\n"
      "Platform: UNKNOWN\n");
  CHECK(md.version_text == "0.1.dev3");
  CHECK(md.project == "oldpkg");
  CHECK(md.requires_dist.empty());
}

TEST_CASE("Provides-Extra values are normalised and deduplicated", "[pkg][metadata]") {
  const auto md = parse_ok(
      "Metadata-Version: 2.1\nName: p\nVersion: 1\nProvides-Extra: Foo_Bar\nProvides-Extra: foo.bar\n"
      "Provides-Extra: baz\nProvides-Extra:\n");
  CHECK(md.provides_extra == std::vector<std::string>{"foo-bar", "baz"});
}

TEST_CASE("a header block over 1 MiB is refused, a large body is not", "[pkg][metadata]") {
  const std::string head = "Metadata-Version: 2.1\nName: p\nVersion: 1\n";
  std::string big_header = head + "Summary: " + std::string(std::size_t{1} << 20, 'x') + "\n";
  CHECK_THAT(parse_error(big_header).detail, Catch::Contains("1 MiB"));
  std::string folded = head + "Description: x\n";
  while (folded.size() <= (std::size_t{1} << 20)) folded += "        |" + std::string(70, 'y') + "\n";
  CHECK_THAT(parse_error(folded).detail, Catch::Contains("1 MiB"));
  std::string big_body = head + "\n" + std::string(std::size_t{3} << 20, 'z');
  CHECK(parse_ok(big_body).project == "p");
}
