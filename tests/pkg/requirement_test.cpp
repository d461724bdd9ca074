// PEP 508 dependency specifiers in tables: the PEP's examples and grammar corners (names,
// extras with whitespace, specifiers with and without parentheses, '@ URL' with a marker after
// whitespace, markers), invalid requirements, str(), is_pinned and applies.
//
// Rows were checked against `packaging` 24.1. tufget differs on purpose in three places: extras
// are PEP 685-normalised (packaging keeps them as written), a URL must be absolute (packaging
// takes any text), and str() writes "name @ URL" (packaging: "name@ URL").
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "pkg/names.h"
#include "pkg/requirement.h"

namespace {

pkg::Requirement R(std::string_view text) {
  auto r = pkg::Requirement::parse(text);
  INFO(text << (r ? "" : " " + r.error().message()));
  REQUIRE(r);
  return *r;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

TEST_CASE("Requirements table: parts and str()", "[pkg][requirement]") {
  struct Row {
    const char* text;
    const char* name;
    const char* extras;      // normalised, sorted, joined with ','
    const char* specifiers;  // SpecifierSet::str()
    const char* url;         // "" for none
    const char* marker;      // Marker::str(), "" for none
    const char* str;
  };
  const std::vector<Row> table = {
      {"requests",
       "requests", "", "", "", "", "requests"},
      {"requests[security,tests] >= 2.8.1, == 2.8.*",
       "requests", "security,tests", ">=2.8.1,==2.8.*", "", "", "requests[security,tests]>=2.8.1,==2.8.*"},
      {"name (>=1.0)",
       "name", "", ">=1.0", "", "", "name>=1.0"},
      {"pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686",
       "pip", "", "", "https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686", "", "pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686"},
      {"argparse; python_version < '2.7'",
       "argparse", "", "", "", "python_version < \"2.7\"", "argparse; python_version < \"2.7\""},
      {"foo[bar]>=1; extra == 'test' and os_name == 'posix'",
       "foo", "bar", ">=1", "", "extra == \"test\" and os_name == \"posix\"", "foo[bar]>=1; extra == \"test\" and os_name == \"posix\""},
      {"A",
       "A", "", "", "", "", "A"},
      {"A.B-C_D",
       "A.B-C_D", "", "", "", "", "A.B-C_D"},
      {"aa",
       "aa", "", "", "", "", "aa"},
      {"1name",
       "1name", "", "", "", "", "1name"},
      {"123",
       "123", "", "", "", "", "123"},
      {"name<=1",
       "name", "", "<=1", "", "", "name<=1"},
      {"name>=3",
       "name", "", ">=3", "", "", "name>=3"},
      {"name>=3,",
       "name", "", ">=3", "", "", "name>=3"},
      {"name>=3,<2",
       "name", "", ">=3,<2", "", "", "name>=3,<2"},
      {"name@http://foo.com",
       "name", "", "", "http://foo.com", "", "name @ http://foo.com"},
      {"name [fred,bar] @ http://foo.com ; python_version=='2.7'",
       "name", "bar,fred", "", "http://foo.com", "python_version == \"2.7\"", "name[bar,fred] @ http://foo.com ; python_version == \"2.7\""},
      {"name[quux, strange];python_version<'2.7' and platform_version=='2'",
       "name", "quux,strange", "", "", "python_version < \"2.7\" and platform_version == \"2\"", "name[quux,strange]; python_version < \"2.7\" and platform_version == \"2\""},
      {"name; os_name=='a' or os_name=='b'",
       "name", "", "", "", "os_name == \"a\" or os_name == \"b\"", "name; os_name == \"a\" or os_name == \"b\""},
      {"name; os_name=='a' and os_name=='b' or os_name=='c'",
       "name", "", "", "", "os_name == \"a\" and os_name == \"b\" or os_name == \"c\"", "name; os_name == \"a\" and os_name == \"b\" or os_name == \"c\""},
      {"name; os_name=='a' and (os_name=='b' or os_name=='c')",
       "name", "", "", "", "os_name == \"a\" and (os_name == \"b\" or os_name == \"c\")", "name; os_name == \"a\" and (os_name == \"b\" or os_name == \"c\")"},
      {"name; (os_name=='a' or os_name=='b') and os_name=='c'",
       "name", "", "", "", "(os_name == \"a\" or os_name == \"b\") and os_name == \"c\"", "name; (os_name == \"a\" or os_name == \"b\") and os_name == \"c\""},
      {"  name  ",
       "name", "", "", "", "", "name"},
      {"\tname\t>=1\t",
       "name", "", ">=1", "", "", "name>=1"},
      {"Name_With.Mixed-Case",
       "Name_With.Mixed-Case", "", "", "", "", "Name_With.Mixed-Case"},
      {"name[]",
       "name", "", "", "", "", "name"},
      {"name[ ]",
       "name", "", "", "", "", "name"},
      {"name [ Foo_Bar , baz ]",
       "name", "baz,foo-bar", "", "", "", "name[baz,foo-bar]"},
      {"name[b,a,B]",
       "name", "a,b", "", "", "", "name[a,b]"},
      {"name[a.b,a_b,A-B]",
       "name", "a-b", "", "", "", "name[a-b]"},
      {"name==1.0",
       "name", "", "==1.0", "", "", "name==1.0"},
      {"name===1.0-foo",
       "name", "", "===1.0-foo", "", "", "name===1.0-foo"},
      {"name==1.0.*",
       "name", "", "==1.0.*", "", "", "name==1.0.*"},
      {"name>=1.0,==1.0",
       "name", "", ">=1.0,==1.0", "", "", "name>=1.0,==1.0"},
      {"name (==1.0)",
       "name", "", "==1.0", "", "", "name==1.0"},
      {"name ( >= 1.0 , < 2 )",
       "name", "", ">=1.0,<2", "", "", "name>=1.0,<2"},
      {"name()",
       "name", "", "", "", "", "name"},
      {"name>=1.0 ; python_version>='3.8'",
       "name", "", ">=1.0", "", "python_version >= \"3.8\"", "name>=1.0; python_version >= \"3.8\""},
      {"name ; python_version>='3.8'",
       "name", "", "", "", "python_version >= \"3.8\"", "name; python_version >= \"3.8\""},
      {"name (>=1.0); python_version>='3.8'",
       "name", "", ">=1.0", "", "python_version >= \"3.8\"", "name>=1.0; python_version >= \"3.8\""},
      {"name@ file:///tmp/x.whl",
       "name", "", "", "file:///tmp/x.whl", "", "name @ file:///tmp/x.whl"},
      {"name @ git+https://github.com/a/b.git@v1.0#egg=name",
       "name", "", "", "git+https://github.com/a/b.git@v1.0#egg=name", "", "name @ git+https://github.com/a/b.git@v1.0#egg=name"},
      {"name @ https://x.org/a.whl ; extra == 'Test'",
       "name", "", "", "https://x.org/a.whl", "extra == \"test\"", "name @ https://x.org/a.whl ; extra == \"test\""},
      {"name @ https://x.org/a.whl;extra=='x'",
       "name", "", "", "https://x.org/a.whl;extra=='x'", "", "name @ https://x.org/a.whl;extra=='x'"},
      {"name @ https://x.org/a.whl ",
       "name", "", "", "https://x.org/a.whl", "", "name @ https://x.org/a.whl"},
      {"name[x]@https://x.org/y",
       "name", "x", "", "https://x.org/y", "", "name[x] @ https://x.org/y"},
      {"name>=1.0a1",
       "name", "", ">=1.0a1", "", "", "name>=1.0a1"},
      {"name~=1.4.5a4",
       "name", "", "~=1.4.5a4", "", "", "name~=1.4.5a4"},
      {"name!=1.5.*",
       "name", "", "!=1.5.*", "", "", "name!=1.5.*"},
      {"name<2,>=1",
       "name", "", "<2,>=1", "", "", "name<2,>=1"},
      {"name>= 1.0",
       "name", "", ">=1.0", "", "", "name>=1.0"},
      {"name>=1.0,<2;python_version<'4'",
       "name", "", ">=1.0,<2", "", "python_version < \"4\"", "name>=1.0,<2; python_version < \"4\""},
      {"name>v1.0",
       "name", "", ">v1.0", "", "", "name>v1.0"},
      {"name==1.0+local",
       "name", "", "==1.0+local", "", "", "name==1.0+local"},
      {"name>=1.0; extra == 'a' or extra == 'b'",
       "name", "", ">=1.0", "", "extra == \"a\" or extra == \"b\"", "name>=1.0; extra == \"a\" or extra == \"b\""},
      {"name;os.name=='posix'",
       "name", "", "", "", "os_name == \"posix\"", "name; os_name == \"posix\""},
  };
  for (const auto& row : table) {
    INFO(row.text);
    const auto r = R(row.text);
    CHECK(r.name == row.name);
    CHECK(r.project == pkg::normalize_name(row.name));
    CHECK(join(r.extras) == row.extras);
    CHECK(r.specifiers.str() == row.specifiers);
    CHECK(r.url.value_or("") == row.url);
    CHECK((r.marker ? r.marker->str() : "") == std::string(row.marker));
    CHECK(r.str() == row.str);
    // str() parses back to the same requirement.
    const auto again = R(r.str());
    CHECK(again.str() == row.str);
    CHECK(again.extras == r.extras);
    CHECK(again.url == r.url);
  }
}

TEST_CASE("Requirements table: invalid requirements", "[pkg][requirement]") {
  for (const char* bad : {
      "", "   ", "name[", "name[a", "name[a,", "name[a b]", "name[,a]", "name[a,]", "name>=",
      "name @", "name @ ", "=name", "name;", "name; ", "name;;", "-name", "name-", "name.",
      "_name", "name (>=1.0", "name >=1.0)", "name>=1.0 <2", "name 1.0", "name=1.0",
      "name==1.0.*.*", "name>=1.0.*", "name~=1", "name<=1.0+local", "name @ /local/path",
      "name @ www.example.com/x", "name @ https:/x", "name @ http://", "name @ https://x ; ",
      "name @ https://x junk", "name; os_name == ", "name; bogus == 'x'",
      "name; os_name == 'a' and", "name extra", "name[a]]", "name>=1.0;python_version<'3' junk",
      "name\xc3\xa9", "name>=1.0\n", "name==1.0 ; ", "name (>=1.0) (>=2)", "name[a] [b]",
      "name>=1.0,,<2", "name[a]>=1.0 @ https://x.org/", "name @ https://x.org/ >=1.0", "name,",
      "name>1.0 or <2", "name>=1.0;",
       }) {
    INFO(bad);
    const auto r = pkg::Requirement::parse(bad);
    REQUIRE_FALSE(r);
    const auto code = r.error().code;
    CHECK((code == pkg::Errc::invalid_requirement || code == pkg::Errc::invalid_specifier ||
           code == pkg::Errc::invalid_marker));
    CHECK(r.error().input == bad);
    CHECK_FALSE(r.error().detail.empty());
  }
}

TEST_CASE("Requirements: errors say which part is wrong and where", "[pkg][requirement]") {
  struct Row {
    const char* text;
    pkg::Errc code;
    const char* says;
  };
  const std::vector<Row> table = {
      {"=name", pkg::Errc::invalid_requirement, "expected a project name"},
      {"name[", pkg::Errc::invalid_requirement, "'[' without a matching ']' at position 4"},
      {"name[a b]", pkg::Errc::invalid_requirement, "expected ',' between extra names at position 7"},
      {"name[a,]", pkg::Errc::invalid_requirement, "expected an extra name after ',' at position 7"},
      {"name[a,", pkg::Errc::invalid_requirement, "expected an extra name after ',' at position 7"},
      {"name[,a]", pkg::Errc::invalid_requirement, "expected an extra name at position 5"},
      {"name>=", pkg::Errc::invalid_requirement, "expected a version after the operator at position 6"},
      {"name @", pkg::Errc::invalid_requirement, "expected a URL after '@' at position 6"},
      {"name @ /local/path", pkg::Errc::invalid_requirement, "is not an absolute URL"},
      {"name (>=1.0", pkg::Errc::invalid_requirement, "'(' without a matching ')' at position 5"},
      {"name 1.0", pkg::Errc::invalid_requirement, "after the name at position 5"},
      {"name>=1.0 <2", pkg::Errc::invalid_requirement,
       "expected ',', ';' or the end after the version specifiers at position 10"},
      {"name @ https://x junk", pkg::Errc::invalid_requirement, "after the URL at position 17"},
      {"name-", pkg::Errc::invalid_requirement, "at position 4"},
      {"name==1.0.*.*", pkg::Errc::invalid_specifier, "'==1.0.*.*'"},
      {"name~=1", pkg::Errc::invalid_specifier, "two release numbers"},
      {"name<=1.0+local", pkg::Errc::invalid_specifier, "local version label"},
      {"name;", pkg::Errc::invalid_marker, "in the marker after ';': expected a marker variable or "
                                           "a quoted string, found the end at position 5"},
      {"name; bogus == 'x'", pkg::Errc::invalid_marker, "unknown marker variable 'bogus' at position 6"},
      {"name>=1 ; os_name == posix", pkg::Errc::invalid_marker, "'posix' at position 21"},
  };
  for (const auto& row : table) {
    INFO(row.text);
    const auto r = pkg::Requirement::parse(row.text);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == row.code);
    CHECK_THAT(r.error().detail, Catch::Contains(row.says));
  }
}

TEST_CASE("Requirements: is_pinned", "[pkg][requirement]") {
  const std::vector<std::pair<const char*, bool>> table = {
      {"name==1.0", true},        {"name (== 1.0)", true},     {"name===1.0-foo", true},
      {"name==1.0+local", true},  {"name==1.0; os_name == 'posix'", true},
      {"name", false},            {"name==1.*", false},        {"name>=1.0", false},
      {"name~=1.0", false},       {"name!=1.0", false},        {"name==1.0,>=0.5", false},
      {"name @ https://x.org/name-1.0.whl", false}};
  for (const auto& [text, pinned] : table) {
    INFO(text);
    CHECK(R(text).is_pinned() == pinned);
  }
}

TEST_CASE("Requirements: applies evaluates the marker with the extras", "[pkg][requirement]") {
  const auto py311 = pkg::MarkerEnvironment::cpython_linux("3.11.7");
  const auto py38 = pkg::MarkerEnvironment::cpython_linux("3.8.18");
  CHECK(R("name").applies(py311));
  CHECK(R("name").applies(py311, {"x"}));
  CHECK(R("name; python_version >= '3.9'").applies(py311));
  CHECK_FALSE(R("name; python_version >= '3.9'").applies(py38));
  CHECK(R("name; python_version > '3.9'").applies(pkg::MarkerEnvironment::cpython_linux("3.10")));
  CHECK_FALSE(R("name; extra == 'test'").applies(py311));
  CHECK(R("name; extra == 'test'").applies(py311, {"Test"}));
  CHECK(R("name; extra == 'test'").applies(py311, {"doc", "test"}));
  CHECK_FALSE(R("name; extra == 'test' and python_version < '3.9'").applies(py311, {"test"}));
  CHECK(R("name @ https://x.org/a.whl ; sys_platform == 'linux'").applies(py311));
  CHECK_FALSE(R("name @ https://x.org/a.whl ; sys_platform == 'win32'").applies(py311));
}

TEST_CASE("Requirements: a copy keeps its parts", "[pkg][requirement]") {
  const auto r = R("Foo.Bar[Sec] (>=1.0,<2) ; python_version >= '3.8'");
  const pkg::Requirement copy = r;
  CHECK(copy.name == "Foo.Bar");
  CHECK(copy.project == "foo-bar");
  CHECK(copy.extras == std::vector<std::string>{"sec"});
  CHECK(copy.specifiers.contains(*pkg::Version::parse("1.5")));
  CHECK_FALSE(copy.specifiers.contains(*pkg::Version::parse("2.0")));
  CHECK(copy.str() == "Foo.Bar[sec]>=1.0,<2; python_version >= \"3.8\"");
}
