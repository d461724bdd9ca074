// pkg/wheel: RECORD, record hashes, WHEEL, entry points, launchers, shebangs, member names.
// Expected CSV bytes were produced with Python's csv module (excel dialect), as pip uses it.
#include <catch2/catch.hpp>

#include "pkg/wheel.h"

using pkg::RecordEntry;

namespace {

// Every input is refused by `parse` with `code`.
template <class Parse>
void all_refused(Parse parse, std::initializer_list<std::string_view> inputs, pkg::Errc code = pkg::Errc::invalid_wheel) {
  for (std::string_view in : inputs) {
    INFO(in);
    auto r = parse(in);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == code);
  }
}

}  // namespace

TEST_CASE("parse_record reads RECORD as Python's csv reader does", "[pkg][wheel]") {
  struct Case {
    const char* text;
    std::vector<RecordEntry> rows;
  };
  const std::vector<Case> cases = {
      {"a.py,sha256=AAAA,3\r\nb.py,sha256=BBBB,10\r\n",
       {{"a.py", "sha256=AAAA", 3}, {"b.py", "sha256=BBBB", 10}}},
      {"a.py,sha256=AAAA,3\n\n\nx-1.0.dist-info/RECORD,,\n",  // empty lines are skipped
       {{"a.py", "sha256=AAAA", 3}, {"x-1.0.dist-info/RECORD", "", std::nullopt}}},
      {"\"a,b.py\",sha256=AAAA,3", {{"a,b.py", "sha256=AAAA", 3}}},           // no final line end
      {"\"a\"\"b\",,\r\n", {{"a\"b", "", std::nullopt}}},                      // doubled quote
      {"a\"b,,\n", {{"a\"b", "", std::nullopt}}},                                // quote inside a field
      {"\"ab\"cd,,\n", {{"abcd", "", std::nullopt}}},                            // text after the quote
      {"\"multi\nline\",,\n", {{"multi\nline", "", std::nullopt}}},             // quoted line end
      {"script (dev).tmpl,sha256=AAAA,218\r", {{"script (dev).tmpl", "sha256=AAAA", 218}}},
      {"only-path\n", {{"only-path", "", std::nullopt}}},                        // 1 field
      {"two,sha256=AAAA\n", {{"two", "sha256=AAAA", std::nullopt}}},             // 2 fields
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto rows = pkg::parse_record(c.text);
    REQUIRE(rows);
    CHECK(*rows == c.rows);
  }
}

TEST_CASE("parse_record refuses malformed rows, naming the line", "[pkg][wheel]") {
  struct Case {
    std::string text;
    const char* detail_part;
  };
  const std::vector<Case> cases = {
      {"a,b,c,d\n", "line 1 has 4 fields"},
      {"ok,,\n,sha256=AAAA,1\n", "line 2 has an empty path"},
      {"a,sha256=AAAA,12x\n", "size '12x'"},
      {"a,sha256=AAAA,-1\n", "size '-1'"},
      {"a,sha256=AAAA, 1\n", "size ' 1'"},
      {"a,AAAA,1\n", "not 'algorithm=digest'"},
      {"\"open,,\n", "unterminated"},
      {std::string("a\0b,,\n", 6), "NUL"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto rows = pkg::parse_record(c.text);
    REQUIRE_FALSE(rows);
    CHECK(rows.error().code == pkg::Errc::invalid_wheel);
    CHECK_THAT(rows.error().detail, Catch::Contains(c.detail_part));
  }
}

TEST_CASE("write_record writes what Python's csv.writer writes for pip (CRLF, minimal quoting)", "[pkg][wheel]") {
  const std::vector<RecordEntry> rows = {
      {"a,b", "sha256=x", 1}, {"q\"uote", "", std::nullopt}, {"sp ace", "", std::nullopt},
      {"nl\nx", "", std::nullopt}, {"cr\rx", "", std::nullopt}, {"t\tab", "", std::nullopt}};
  // python3: csv.writer(s).writerows([...]) with the same rows (sizes as "1" and "").
  CHECK(pkg::write_record(rows) ==
        "\"a,b\",sha256=x,1\r\n\"q\"\"uote\",,\r\nsp ace,,\r\n\"nl\nx\",,\r\n\"cr\rx\",,\r\nt\tab,,\r\n");
  auto back = pkg::parse_record(pkg::write_record(rows));
  REQUIRE(back);
  CHECK(*back == rows);
}

TEST_CASE("record hashes are urlsafe base64 without padding", "[pkg][wheel]") {
  // sha256 of the empty string, as pip records REQUESTED.
  const auto empty = pkg::record_hash_from_hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  REQUIRE(empty);
  CHECK(*empty == "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
  CHECK_FALSE(pkg::record_hash_from_hex("e3b0"));
  CHECK_FALSE(pkg::record_hash_from_hex(std::string(64, 'g')));

  auto parsed = pkg::parse_record_hash("sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
  REQUIRE(parsed);
  CHECK(parsed->algorithm == "sha256");
  CHECK(parsed->digest.size() == 32);
  CHECK(pkg::record_hash_from_digest(parsed->digest) == *empty);
  auto padded = pkg::parse_record_hash("sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=");
  REQUIRE(padded);
  CHECK(padded->digest == parsed->digest);
  CHECK(pkg::parse_record_hash("md5=AAAA")->digest == std::string(3, '\0'));
  for (const char* bad : {"sha256", "=AAAA", "sha256=", "sha256=47DE+pj8", "sha256=47DE/pj8", "sha256=A",
                          "sha256=AA===", "sha256=A=AA"})
    CHECK_FALSE(pkg::parse_record_hash(bad));
  // Every length of input round-trips (1, 2 and 3 byte tails).
  std::string raw;
  for (int n = 0; n < 40; ++n) {
    raw += static_cast<char>(n * 37 + 5);
    auto h = pkg::parse_record_hash(pkg::record_hash_from_digest(raw));
    REQUIRE(h);
    CHECK(h->digest == raw);
  }
}

TEST_CASE("parse_wheel_info reads WHEEL and refuses another major version", "[pkg][wheel]") {
  auto info = pkg::parse_wheel_info(
      "Wheel-Version: 1.0\r\nGenerator: bdist_wheel (0.38.4)\r\nRoot-Is-Purelib: True\r\nTag: py2-none-any\r\n"
      "tag: py3-none-any\r\n\r\nBody: ignored\r\n");
  REQUIRE(info);
  CHECK(info->version_major == 1);
  CHECK(info->version_minor == 0);
  CHECK(info->root_is_purelib);
  CHECK(info->tags == std::vector<std::string>{"py2-none-any", "py3-none-any"});
  CHECK(info->generator == "bdist_wheel (0.38.4)");

  auto newer = pkg::parse_wheel_info("Wheel-Version: 1.9\nRoot-Is-Purelib: false\n");
  REQUIRE(newer);  // a newer minor version is accepted (the caller may warn)
  CHECK(newer->version_minor == 9);
  CHECK_FALSE(newer->root_is_purelib);
  auto no_purelib = pkg::parse_wheel_info("Wheel-Version: 1.0\n");
  REQUIRE(no_purelib);
  CHECK_FALSE(no_purelib->root_is_purelib);  // pip: absent means platlib

  all_refused(pkg::parse_wheel_info,
              {"Generator: x\n", "Wheel-Version: 2.0\nRoot-Is-Purelib: true\n", "Wheel-Version: one\n",
               "Wheel-Version: 1.0.0.0\n", "Wheel-Version: 1.\n", "Wheel-Version: 1.0\nRoot-Is-Purelib: yes\n",
               "\nWheel-Version: 1.0\n"});
}

TEST_CASE("parse_entry_points returns console and gui scripts as importlib.metadata reads them", "[pkg][wheel]") {
  auto eps = pkg::parse_entry_points(
      "# comment\n"
      "[console_scripts]\n"
      "  tool = pkg.cli:main\n"
      "; another comment\n"
      "Tool2=pkg.cli : Cls.method [extra1, extra2]\n"
      "tool = pkg.other:run\n"  // a later duplicate replaces the first, in its place
      "\n"
      "[gui_scripts]\n"
      "gtool = pkg.gui:start\n"
      "[other.group]\n"
      "this is not an entry point = at all!\n");
  REQUIRE(eps);
  REQUIRE(eps->console_scripts.size() == 2);
  CHECK(eps->console_scripts[0].name == "tool");
  CHECK(eps->console_scripts[0].module == "pkg.other");
  CHECK(eps->console_scripts[0].attr == "run");
  CHECK(eps->console_scripts[1].name == "Tool2");
  CHECK(eps->console_scripts[1].module == "pkg.cli");
  CHECK(eps->console_scripts[1].attr == "Cls.method");
  CHECK(eps->console_scripts[1].extras == std::vector<std::string>{"extra1", "extra2"});
  REQUIRE(eps->gui_scripts.size() == 1);
  CHECK(eps->gui_scripts[0].name == "gtool");

  all_refused(pkg::parse_entry_points,
              {"[console_scripts]\nnoequals\n", "[console_scripts]\nx = pkg.cli\n", "[console_scripts]\nx = pkg.cli:\n",
               "[console_scripts]\n = pkg:main\n", "[console_scripts]\n../x = pkg:main\n",
               "[console_scripts]\n.hidden = pkg:main\n", "[console_scripts]\na/b = pkg:main\n",
               "[gui_scripts]\nx = pkg:main; rm -rf\n", "[gui_scripts]\nx = pkg:main [unclosed\n",
               "[console_scripts]\nx = pkg..a:main\n"});
}

TEST_CASE("console_script writes distlib's launcher, with the sh trampoline for long or spaced paths", "[pkg][wheel]") {
  const pkg::EntryPoint ep{"tool", "pkg.cli", "Cls.main", {}};
  CHECK(pkg::console_script("/v/bin/python", ep) ==
        "#!/v/bin/python\n"
        "# -*- coding: utf-8 -*-\n"
        "import re\n"
        "import sys\n"
        "from pkg.cli import Cls\n"
        "if __name__ == '__main__':\n"
        "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
        "    sys.exit(Cls.main())\n");
  CHECK(pkg::python_shebang("/my venv/bin/python") ==
        "#!/bin/sh\n'''exec' \"/my venv/bin/python\" \"$0\" \"$@\"\n' '''\n");
  const std::string at_limit = "/" + std::string(123, 'p');  // "#!" + 124 + "\n" = 127 bytes
  CHECK(pkg::python_shebang(at_limit) == "#!" + at_limit + "\n");
  const std::string too_long = at_limit + "p";
  CHECK(pkg::python_shebang(too_long) == "#!/bin/sh\n'''exec' " + too_long + " \"$0\" \"$@\"\n' '''\n");
}

TEST_CASE("rewrite_shebang follows pip: a first line starting with #!python is replaced", "[pkg][wheel]") {
  CHECK(pkg::rewrite_shebang("#!python\nprint(1)\n", "/v/bin/python") == "#!/v/bin/python\nprint(1)\n");
  CHECK(pkg::rewrite_shebang("#!pythonw\r\nx\r\n", "/v/bin/python") == "#!/v/bin/python\nx\r\n");
  CHECK(pkg::rewrite_shebang("#!python -u -O\nx\n", "/v/bin/python") == "#!/v/bin/python\nx\n");
  CHECK(pkg::rewrite_shebang("#!python3.11\nx\n", "/v/bin/python") == "#!/v/bin/python\nx\n");
  CHECK(pkg::rewrite_shebang("#!python", "/v/bin/python") == "#!/v/bin/python\n");
  CHECK(pkg::rewrite_shebang("#!python\n", "/my venv/python") ==
        "#!/bin/sh\n'''exec' \"/my venv/python\" \"$0\" \"$@\"\n' '''\n");
  CHECK_FALSE(pkg::rewrite_shebang("#!/usr/bin/python\nx\n", "/v/bin/python"));
  CHECK_FALSE(pkg::rewrite_shebang("#!/bin/sh\n", "/v/bin/python"));
  CHECK_FALSE(pkg::rewrite_shebang(" #!python\n", "/v/bin/python"));
  CHECK_FALSE(pkg::rewrite_shebang("", "/v/bin/python"));
}

TEST_CASE("check_member_name refuses names that could escape the target", "[pkg][wheel]") {
  for (const char* ok : {"a.py", "pkg/sub/mod.py", "x-1.0.data/scripts/run", "name with space", "..a/b..", "a/.b"})
    CHECK(pkg::check_member_name(ok));
  const std::string nul("a\0b", 3), long_name(4097, 'a');
  all_refused(pkg::check_member_name,
              {"", "/etc/passwd", "../evil", "a/../../evil", "a/./b", "a//b", "a/", "./a", "a\\b", "C:/x", "c:x", nul,
               long_name},
              pkg::Errc::unsafe_path);
  CHECK(pkg::check_member_name(std::string(4096, 'a')));
}

TEST_CASE("map_member sends .data members to their scheme and the rest to the root scheme", "[pkg][wheel]") {
  using pkg::SchemeKey;
  struct Case {
    const char* member;
    bool purelib;
    SchemeKey scheme;
    const char* relative;
  };
  const std::vector<Case> cases = {
      {"pkg/__init__.py", true, SchemeKey::purelib, "pkg/__init__.py"},
      {"pkg/_ext.so", false, SchemeKey::platlib, "pkg/_ext.so"},
      {"x-1.0.data/scripts/tool", true, SchemeKey::scripts, "tool"},
      {"x-1.0.data/data/share/x/a.txt", true, SchemeKey::data, "share/x/a.txt"},
      {"x-1.0.data/headers/x.h", true, SchemeKey::headers, "x.h"},
      {"x-1.0.data/purelib/p.py", false, SchemeKey::purelib, "p.py"},
      {"x-1.0.data/platlib/q.so", true, SchemeKey::platlib, "q.so"},
      {"x-1.0.dist-info/METADATA", true, SchemeKey::purelib, "x-1.0.dist-info/METADATA"},
  };
  for (const Case& c : cases) {
    INFO(c.member);
    auto t = pkg::map_member(c.member, "x-1.0.data", c.purelib);
    REQUIRE(t);
    CHECK(t->scheme == c.scheme);
    CHECK(t->relative == c.relative);
  }
  all_refused([](std::string_view m) { return pkg::map_member(m, "x-1.0.data", true); },
              {"x-1.0.data/bin/tool", "x-1.0.data/scripts", "x-1.0.data/scripts/", "x-1.0.data/x",
               "y-2.0.data/scripts/tool", "other.data/purelib/p.py", "x-1.0.data", "z.data"});
}

TEST_CASE("find_dist_info finds the one .dist-info matching the file name", "[pkg][wheel]") {
  auto found = pkg::find_dist_info({"foo_bar/__init__.py", "Foo_Bar-1.0.dist-info/METADATA",
                                    "Foo_Bar-1.0.dist-info/RECORD"},
                                   "foo-bar", "1.0.0");
  REQUIRE(found);
  CHECK(*found == "Foo_Bar-1.0.dist-info");
  auto legacy = pkg::find_dist_info({"foo-bar-1.0.dist-info/METADATA"}, "foo-bar", "1.0");
  REQUIRE(legacy);
  CHECK(*legacy == "foo-bar-1.0.dist-info");
  for (const auto& members : std::vector<std::vector<std::string>>{
           {"foo/__init__.py"},
           {"foo-2.0.dist-info/METADATA"},
           {"bar-1.0.dist-info/METADATA"},
           {"foo-1.0.dist-info/METADATA", "other-1.0.dist-info/METADATA"},
           {"sub/foo-1.0.dist-info/METADATA"}}) {
    auto r = pkg::find_dist_info(members, "foo", "1.0");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == pkg::Errc::invalid_wheel);
  }
}
