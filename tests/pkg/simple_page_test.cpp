// pkg/simple_page: PEP 503 HTML and PEP 691 JSON project pages, in the shapes real indexes
// serve: PyPI's own HTML, hand-written and mirror pages, the JSON API, and the pages that
// `tufget index` writes (both forms of one page must give the same candidates).
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include "pkg/filenames.h"
#include "pkg/simple_page.h"

namespace {

const std::string kA(64, 'a');
const std::string kB(64, 'b');
const std::string kC(64, 'c');
const std::string kD(64, 'd');

pkg::ProjectPage html(std::string_view page, std::string_view url) {
  auto r = pkg::parse_simple_html(page, url);
  if (!r) INFO(r.error().message());
  REQUIRE(r);
  return *r;
}

pkg::ProjectPage json(std::string_view page, std::string_view url) {
  auto r = pkg::parse_simple_json(page, url);
  if (!r) INFO(r.error().message());
  REQUIRE(r);
  return *r;
}

// The fields a resolver and downloader use; size and upload time are JSON-only.
void check_same_candidates(const pkg::ProjectPage& a, const pkg::ProjectPage& b) {
  REQUIRE(a.files.size() == b.files.size());
  for (std::size_t i = 0; i < a.files.size(); ++i) {
    const auto& x = a.files[i];
    const auto& y = b.files[i];
    INFO(x.filename);
    CHECK(x.filename == y.filename);
    CHECK(x.url == y.url);
    CHECK(x.hashes == y.hashes);
    CHECK(x.requires_python == y.requires_python);
    CHECK(x.yanked == y.yanked);
    CHECK(x.yanked_reason == y.yanked_reason);
    CHECK(x.core_metadata == y.core_metadata);
  }
}

}  // namespace

TEST_CASE("parse_simple_html reads PyPI's own page form", "[pkg][simple]") {
  const std::string page =
      "<!DOCTYPE html>\n<html>\n  <head>\n"
      "    <meta name=\"pypi:repository-version\" content=\"1.1\">\n"
      "    <title>Links for sampleproject</title>\n  </head>\n  <body>\n"
      "    <h1>Links for sampleproject</h1>\n"
      "    <a href=\"https://files.pythonhosted.org/packages/ab/cd/ef/sampleproject-1.2.0.tar.gz#sha256=" + kA +
      "\" >sampleproject-1.2.0.tar.gz</a><br />\n"
      "    <a href=\"https://files.pythonhosted.org/packages/12/34/56/sampleproject-3.0.0-py3-none-any.whl#sha256=" + kB +
      "\" data-requires-python=\"&gt;=3.7\" data-dist-info-metadata=\"sha256=" + kC +
      "\" data-core-metadata=\"sha256=" + kC + "\">sampleproject-3.0.0-py3-none-any.whl</a><br />\n"
      "    <a href=\"https://files.pythonhosted.org/packages/99/88/77/sampleproject-2.0.0.tar.gz#sha256=" + kD +
      "\" data-requires-python=\"&gt;=3.6, &lt;4\" data-yanked=\"\" >sampleproject-2.0.0.tar.gz</a><br />\n"
      "    </body>\n</html>\n<!--SERIAL 21631476-->";
  const auto p = html(page, "https://pypi.org/simple/sampleproject/");
  CHECK(p.api_version == "1.1");
  CHECK_FALSE(p.name);
  CHECK(p.skipped.empty());
  REQUIRE(p.files.size() == 3);

  const auto& sdist = p.files[0];
  CHECK(sdist.filename == "sampleproject-1.2.0.tar.gz");
  CHECK(sdist.url == "https://files.pythonhosted.org/packages/ab/cd/ef/sampleproject-1.2.0.tar.gz");
  CHECK(sdist.sha256() == kA);
  CHECK(sdist.hashes.size() == 1);
  CHECK_FALSE(sdist.requires_python);
  CHECK_FALSE(sdist.yanked);
  CHECK_FALSE(sdist.core_metadata.available);
  CHECK_FALSE(sdist.gpg_sig);

  const auto& wheel = p.files[1];
  CHECK(wheel.filename == "sampleproject-3.0.0-py3-none-any.whl");
  CHECK(wheel.sha256() == kB);
  CHECK(wheel.requires_python == ">=3.7");
  CHECK(wheel.core_metadata.available);
  CHECK(wheel.core_metadata.hashes == pkg::Hashes{{"sha256", kC}});
  CHECK(pkg::parse_wheel_filename(wheel.filename));

  const auto& yanked = p.files[2];
  CHECK(yanked.yanked);  // data-yanked="" still means yanked (PEP 592)
  CHECK_FALSE(yanked.yanked_reason);
  CHECK(yanked.requires_python == ">=3.6, <4");
}

TEST_CASE("parse_simple_html copes with messy real-world HTML", "[pkg][simple]") {
  const std::string page =
      "<HTML><HEAD><TITLE>Links for <a href='fake-0.1.tar.gz'>messy</TITLE>\n"
      "<META NAME='pypi:repository-version' CONTENT=1.0>\n"
      "<script>var s = \"<a href='script-1.0.tar.gz'>\";</script>\n"
      "<style>a[href] { color: red } </style>\n"
      "</HEAD><BODY>\n"
      "<!-- <a href=\"commented-1.0.tar.gz\">commented</a> -->\n"
      "<!---->\n"
      "<a name=top></a>\n"
      // unquoted value, uppercase tag and attribute, uppercase hash name and hex
      "<A HREF=../../packages/messy-1.0.tar.gz#SHA256=" + std::string(64, 'E') + ">messy-1.0</A><BR>\n"
      // single quotes, entities in the URL and attributes, newlines inside the tag
      "<a\n  href='../../packages/messy-1.1-py2.py3-none-any.whl?x=1&amp;y=2#sha256=" + kA + "&amp;egg=messy'\n"
      "  data-requires-python='&gt;=3.6,&lt;4&#44;!=3.7.*'\n  data-yanked='bad &quot;release&quot; &#x27;1.1&#39;'\n"
      "  data-dist-info-metadata=true data-gpg-sig=\"false\"\n>messy-1.1</a>\n"
      // valueless attributes, attribute without quotes followed by '/>'
      "<a href=\"/root/messy-1.2.zip\" data-yanked data-core-metadata=\"sha256=" + kB + "\"/>\n"
      // duplicate attributes: the first wins; data-core-metadata over data-dist-info-metadata
      "<a href=\"messy-1.3.tar.gz#md5=0123456789abcdef0123456789abcdef\" href=\"other.tar.gz\""
      " data-dist-info-metadata=\"sha256=" + kC + "\" data-core-metadata=\"true\">x</a>\n"
      // numeric references for the whole href, space in the path, non-ASCII
      "<a href=\"&#104;ttps://Mirror.EXAMPLE.org/p/messy 1.4.tar.gz\">x</a>\n"
      "<a href=\"https://mirror.example.org/p/m%C3%A9ssy-1.5.tar.gz\">x</a>\n"
      // not downloadable: skipped and reported
      "<a href=\"javascript:alert(1)\">js</a>\n"
      "<a href=\"mailto:someone@example.org\">mail</a>\n"
      "<a href=\"\">empty</a>\n"
      "<a href=\"#sha256=" + kA + "\">self</a>\n"
      "<a href=\"../../packages/\">dir</a>\n"
      "<a href=\"../../packages/%2e%2e\">dots</a>\n"
      "<a href=\"../../packages/a%2Fb.tar.gz\">slash</a>\n"
      "</BODY></HTML>\n"
      "<a href=\"trailing-1.0.tar.gz";  // cut off by the end of the page: dropped
  const auto p = html(page, "https://example.org/simple/messy/");
  CHECK(p.api_version == "1.0");
  std::vector<std::string> names;
  for (const auto& f : p.files) names.push_back(f.filename);
  CHECK(names == std::vector<std::string>{"messy-1.0.tar.gz", "messy-1.1-py2.py3-none-any.whl",
                                          "messy-1.2.zip", "messy-1.3.tar.gz", "messy 1.4.tar.gz",
                                          "m\xc3\xa9ssy-1.5.tar.gz"});
  CHECK(p.skipped.size() == 7);
  REQUIRE(p.files.size() == 6);

  CHECK(p.files[0].url == "https://example.org/packages/messy-1.0.tar.gz");
  CHECK(p.files[0].hashes == pkg::Hashes{{"sha256", std::string(64, 'e')}});

  const auto& w = p.files[1];
  CHECK(w.url == "https://example.org/packages/messy-1.1-py2.py3-none-any.whl?x=1&y=2");
  CHECK(w.hashes == pkg::Hashes{{"sha256", kA}});  // "egg=" is not a hash
  CHECK(w.requires_python == ">=3.6,<4,!=3.7.*");
  CHECK(w.yanked);
  CHECK(w.yanked_reason == "bad \"release\" '1.1'");
  CHECK(w.core_metadata.available);
  CHECK(w.core_metadata.hashes.empty());
  CHECK(w.gpg_sig == false);

  CHECK(p.files[2].url == "https://example.org/root/messy-1.2.zip");
  CHECK(p.files[2].yanked);
  CHECK_FALSE(p.files[2].yanked_reason);
  CHECK(p.files[2].core_metadata.hashes == pkg::Hashes{{"sha256", kB}});

  CHECK(p.files[3].url == "https://example.org/simple/messy/messy-1.3.tar.gz");
  CHECK(p.files[3].hashes == pkg::Hashes{{"md5", "0123456789abcdef0123456789abcdef"}});
  CHECK_FALSE(p.files[3].sha256());
  CHECK(p.files[3].core_metadata.available);
  CHECK(p.files[3].core_metadata.hashes.empty());

  CHECK(p.files[4].url == "https://mirror.example.org/p/messy%201.4.tar.gz");
  CHECK(p.files[5].url == "https://mirror.example.org/p/m%C3%A9ssy-1.5.tar.gz");
  for (const auto& f : p.files) CHECK(f.url.find('#') == std::string::npos);
}

TEST_CASE("parse_simple_html resolves links against the first <base href>", "[pkg][simple]") {
  const std::string page =
      "<a href=\"pkg-1.0.tar.gz\">pkg</a>"  // before <base>: still resolved against it
      "<base href=\"../../mirror/files/\"><base href=\"https://ignored.example/\">"
      "<a href=\"./sub/../pkg-1.1.tar.gz\">pkg</a>"
      "<a href=\"//cdn.example.net/x/pkg-1.2.tar.gz\">pkg</a>"
      "<a href=\"/abs/pkg-1.3.tar.gz\">pkg</a>";
  const auto p = html(page, "http://127.0.0.1:8080/simple/pkg/");
  REQUIRE(p.files.size() == 4);
  CHECK(p.files[0].url == "http://127.0.0.1:8080/mirror/files/pkg-1.0.tar.gz");
  CHECK(p.files[1].url == "http://127.0.0.1:8080/mirror/files/pkg-1.1.tar.gz");
  CHECK(p.files[2].url == "http://cdn.example.net/x/pkg-1.2.tar.gz");
  CHECK(p.files[3].url == "http://127.0.0.1:8080/abs/pkg-1.3.tar.gz");
}

TEST_CASE("parse_simple_html resolves ../../packages like the local index writes them", "[pkg][simple]") {
  const std::string page = "<a href=\"../../packages/ab/cd/ef/x-1.0-py3-none-any.whl#sha256=" + kA + "\">x</a>";
  for (const char* url : {"http://127.0.0.1:8080/simple/x/", "http://127.0.0.1:8080/simple/x/index.html",
                          "http://127.0.0.1:8080/simple/x/0123.x.html"}) {
    INFO(url);
    const auto p = html(page, url);
    REQUIRE(p.files.size() == 1);
    CHECK(p.files[0].url == "http://127.0.0.1:8080/packages/ab/cd/ef/x-1.0-py3-none-any.whl");
  }
  // Too many "..": dot segments stop at the root (RFC 3986 section 5.2.4).
  const auto p = html("<a href=\"../../../../x.tar.gz\">x</a>", "http://h/simple/x/");
  REQUIRE(p.files.size() == 1);
  CHECK(p.files[0].url == "http://h/x.tar.gz");
}

TEST_CASE("parse_simple_html refuses an unknown major repository version and a relative page URL", "[pkg][simple]") {
  auto v2 = pkg::parse_simple_html("<meta name=\"pypi:repository-version\" content=\"2.0\">", "https://h/simple/x/");
  REQUIRE_FALSE(v2);
  CHECK(v2.error().code == pkg::Errc::unsupported);
  auto junk = pkg::parse_simple_html("<meta name=\"pypi:repository-version\" content=\"x\">", "https://h/simple/x/");
  REQUIRE_FALSE(junk);
  CHECK(junk.error().code == pkg::Errc::invalid_page);
  auto minor = pkg::parse_simple_html("<meta name=\"pypi:repository-version\" content=\"1.7\">", "https://h/simple/x/");
  REQUIRE(minor);
  CHECK(minor->api_version == "1.7");
  for (const char* bad : {"/simple/x/", "simple/x/", "", "ftp://h/simple/x/", "javascript:x"}) {
    INFO(bad);
    auto r = pkg::parse_simple_html("<a href=\"x-1.0.tar.gz\">x</a>", bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == pkg::Errc::invalid_url);
  }
}

TEST_CASE("parse_simple_html skips links over the attribute limits", "[pkg][simple]") {
  std::string many = "<a href=\"x-1.0.tar.gz\"";
  for (std::size_t i = 0; i < pkg::kMaxHtmlAttributes + 1; ++i) many += " data-" + std::to_string(i) + "=1";
  many += ">x</a>";
  const std::string huge = "<a href=\"x-1.1.tar.gz\" data-requires-python=\"" +
                           std::string(pkg::kMaxHtmlAttributeBytes + 1, '1') + "\">x</a>";
  const auto p = html(many + huge + "<a href=\"x-1.2.tar.gz\">ok</a>", "https://h/simple/x/");
  REQUIRE(p.files.size() == 1);
  CHECK(p.files[0].filename == "x-1.2.tar.gz");
  CHECK(p.skipped.size() == 2);
}

TEST_CASE("parse_simple_html never reads past the page", "[pkg][simple]") {
  // Every prefix of a page full of edge cases parses without error or crash.
  const std::string page =
      "<!DOCTYPE html><!-- c --><a href='a-1.0.tar.gz#sha256=" + kA +
      "' data-yanked=\"&#x27;&#39;&amp;&#0;&#xD800;&#99999999;&#x110000;&amp\" data-x>a</a>"
      "<script>x</script><a href=b-1.0.tar.gz data-core-metadata=sha256=" + kB + ">";
  for (std::size_t n = 0; n <= page.size(); ++n) {
    auto r = pkg::parse_simple_html(std::string_view(page.data(), n), "https://h/simple/a/");
    REQUIRE(r);
  }
  const auto p = html(page, "https://h/simple/a/");
  REQUIRE(p.files.size() == 2);
  CHECK(p.files[0].yanked_reason == "''&\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd&");
  CHECK(p.files[1].core_metadata.hashes == pkg::Hashes{{"sha256", kB}});
}

TEST_CASE("parse_simple_json reads a PEP 691 page", "[pkg][simple]") {
  const std::string page = R"({
    "meta": {"api-version": "1.1", "_last-serial": 123},
    "name": "holygrail",
    "files": [
      {"filename": "holygrail-1.0.tar.gz", "url": "https://example.com/files/holygrail-1.0.tar.gz",
       "hashes": {"sha256": ")" + kA + R"(", "blake2b-256": ")" + kB + R"("}, "yanked": false},
      {"filename": "holygrail-1.0-py3-none-any.whl", "url": "../../files/holygrail-1.0-py3-none-any.whl#ignored",
       "hashes": {"SHA256": ")" + std::string(64, 'C') + R"("}, "requires-python": ">=3.7",
       "yanked": "Had a vulnerability", "core-metadata": {"sha256": ")" + kD + R"("},
       "dist-info-metadata": true, "gpg-sig": true, "size": 1234, "upload-time": "2023-01-01T00:00:00.000000Z"},
      {"filename": "holygrail-0.9.tar.gz", "url": "https://example.com/files/holygrail-0.9.tar.gz",
       "hashes": {}, "requires-python": null, "dist-info-metadata": {"sha256": ")" + kA + R"("}},
      {"filename": "../evil.tar.gz", "url": "https://example.com/evil.tar.gz", "hashes": {}},
      {"filename": "bad-url.tar.gz", "url": "javascript:void", "hashes": {}},
      {"filename": "no-hashes.tar.gz", "url": "x.tar.gz"},
      {"filename": "bad-yanked.tar.gz", "url": "x.tar.gz", "hashes": {}, "yanked": 1}
    ],
    "versions": ["0.9", "1.0"]
  })";
  const auto p = json(page, "https://example.com/simple/holygrail/");
  CHECK(p.api_version == "1.1");
  CHECK(p.name == "holygrail");
  CHECK(p.versions == std::vector<std::string>{"0.9", "1.0"});
  CHECK(p.skipped.size() == 4);
  REQUIRE(p.files.size() == 3);

  CHECK(p.files[0].hashes == pkg::Hashes{{"sha256", kA}, {"blake2b-256", kB}});
  CHECK_FALSE(p.files[0].yanked);
  CHECK_FALSE(p.files[0].core_metadata.available);

  const auto& w = p.files[1];
  CHECK(w.url == "https://example.com/files/holygrail-1.0-py3-none-any.whl");
  CHECK(w.sha256() == std::string(64, 'c'));
  CHECK(w.requires_python == ">=3.7");
  CHECK(w.yanked);
  CHECK(w.yanked_reason == "Had a vulnerability");
  CHECK(w.core_metadata == pkg::CoreMetadata{true, {{"sha256", kD}}});
  CHECK(w.gpg_sig == true);
  CHECK(w.size == 1234u);
  CHECK(w.upload_time == "2023-01-01T00:00:00.000000Z");

  CHECK_FALSE(p.files[2].requires_python);
  CHECK(p.files[2].core_metadata == pkg::CoreMetadata{true, {{"sha256", kA}}});
}

TEST_CASE("parse_simple_json refuses pages without the PEP 691 structure", "[pkg][simple]") {
  const char* url = "https://h/simple/x/";
  struct Case {
    const char* page;
    pkg::Errc code;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"", pkg::Errc::invalid_page},
           {"not json", pkg::Errc::invalid_page},
           {"[]", pkg::Errc::invalid_page},
           {R"({"name": "x", "files": []})", pkg::Errc::invalid_page},
           {R"({"meta": {"api-version": 1}, "name": "x", "files": []})", pkg::Errc::invalid_page},
           {R"({"meta": {"api-version": "2.0"}, "name": "x", "files": []})", pkg::Errc::unsupported},
           {R"({"meta": {"api-version": "1.0"}, "files": []})", pkg::Errc::invalid_page},
           {R"({"meta": {"api-version": "1.0"}, "name": "x"})", pkg::Errc::invalid_page},
           {R"({"meta": {"api-version": "1.0"}, "name": "x", "files": {}})", pkg::Errc::invalid_page},
           {R"({"meta": {"api-version": "1.0"}, "name": "x", "files": [], "versions": "1.0"})", pkg::Errc::invalid_page},
       }) {
    INFO(c.page);
    auto r = pkg::parse_simple_json(c.page, url);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == c.code);
  }
  auto rel = pkg::parse_simple_json(R"({"meta": {"api-version": "1.0"}, "name": "x", "files": []})", "x/");
  REQUIRE_FALSE(rel);
  CHECK(rel.error().code == pkg::Errc::invalid_url);
}

TEST_CASE("the HTML and JSON forms of one page give the same candidates", "[pkg][simple]") {
  const std::string html_page =
      "<!DOCTYPE html><html><head><meta name=\"pypi:repository-version\" content=\"1.1\"></head><body>"
      "<a href=\"../../packages/aa/x-1.0.tar.gz#sha256=" + kA + "\">x-1.0.tar.gz</a><br />"
      "<a href=\"../../packages/bb/x-1.0-py3-none-any.whl#sha256=" + kB + "\" data-requires-python=\"&gt;=3.8, &lt;4\""
      " data-dist-info-metadata=\"sha256=" + kC + "\" data-core-metadata=\"sha256=" + kC + "\">x-1.0-py3-none-any.whl</a><br />"
      "<a href=\"../../packages/cc/x-0.9-py3-none-any.whl#sha256=" + kD + "\" data-yanked=\"broken\">x-0.9-py3-none-any.whl</a>"
      "</body></html>";
  const std::string json_page =
      R"({"meta":{"api-version":"1.1"},"name":"x","files":[)"
      R"({"filename":"x-1.0.tar.gz","url":"../../packages/aa/x-1.0.tar.gz","hashes":{"sha256":")" + kA + R"("},"yanked":false},)"
      R"({"filename":"x-1.0-py3-none-any.whl","url":"../../packages/bb/x-1.0-py3-none-any.whl","hashes":{"sha256":")" + kB +
      R"("},"requires-python":">=3.8, <4","core-metadata":{"sha256":")" + kC + R"("},"dist-info-metadata":{"sha256":")" + kC + R"("}},)"
      R"({"filename":"x-0.9-py3-none-any.whl","url":"../../packages/cc/x-0.9-py3-none-any.whl","hashes":{"sha256":")" + kD +
      R"("},"yanked":"broken"}]})";
  const auto a = html(html_page, "http://127.0.0.1:9/simple/x/");
  const auto b = json(json_page, "http://127.0.0.1:9/simple/x/");
  CHECK(a.api_version == b.api_version);
  check_same_candidates(a, b);
  CHECK(a.files[0].url == "http://127.0.0.1:9/packages/aa/x-1.0.tar.gz");
}

// ---- against the pages `tufget index` writes ----------------------------------------------------

#if defined(TUFGET_BINARY)
namespace {

namespace fs = std::filesystem;

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE(in);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int run_tufget(const std::string& args) {
  const std::string cmd = std::string("'") + TUFGET_BINARY + "' " + args + " >/dev/null 2>&1";
  const int st = std::system(cmd.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

}  // namespace

TEST_CASE("the HTML and JSON pages tufget index writes give the same candidates", "[pkg][simple][cli]") {
  const fs::path wheels = "/usr/share/python-wheels";
  std::vector<fs::path> found;
  if (fs::is_directory(wheels))
    for (const auto& e : fs::directory_iterator(wheels))
      if (e.path().extension() == ".whl") found.push_back(e.path());
  if (found.empty()) {
    WARN("no wheels in /usr/share/python-wheels; skipped");
    return;
  }
  std::string tmpl = (fs::temp_directory_path() / "tufget-pkg-test-XXXXXX").string();
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  const fs::path dir = tmpl;
  const fs::path index = dir / "index";
  REQUIRE(run_tufget("index init '" + index.string() + "' --bins 16") == 0);
  std::string add = "index add '" + index.string() + "'";
  for (const auto& w : found) add += " '" + w.string() + "'";
  REQUIRE(run_tufget(add) == 0);
  REQUIRE(run_tufget("index publish '" + index.string() + "'") == 0);

  std::size_t checked = 0;
  for (const auto& w : found) {
    auto parsed = pkg::parse_wheel_filename(w.filename().string());
    REQUIRE(parsed);
    const fs::path project = index / "simple" / parsed->name;
    INFO(project);
    const std::string page_url = "http://127.0.0.1:8080/simple/" + parsed->name + "/";
    const auto a = html(read_all(project / "index.html"), page_url);
    const auto b = json(read_all(project / "index.json"), page_url);
    CHECK(a.skipped.empty());
    CHECK(b.skipped.empty());
    CHECK(b.name == parsed->name);
    check_same_candidates(a, b);
    REQUIRE(a.files.size() == 1);
    const auto& f = a.files[0];
    CHECK(f.filename == w.filename().string());
    CHECK(f.url.starts_with("http://127.0.0.1:8080/packages/"));
    CHECK(f.url.ends_with("/" + w.filename().string()));
    CHECK(f.sha256());
    CHECK(f.core_metadata.available);
    CHECK(f.core_metadata.hashes.count("sha256") == 1);
    ++checked;
  }
  CHECK(checked == found.size());
  std::error_code ec;
  fs::remove_all(dir, ec);
}
#endif

TEST_CASE("resolve_url follows RFC 3986 section 5.4's examples", "[pkg][simple]") {
  const char* base = "http://a/b/c/d;p?q";
  const std::vector<std::pair<const char*, const char*>> table = {
      // 5.4.1 normal examples (the "g:h" one has another scheme: refused below)
      {"g", "http://a/b/c/g"}, {"./g", "http://a/b/c/g"}, {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"}, {"//g", "http://g"}, {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"}, {"#s", "http://a/b/c/d;p?q"}, {"g#s", "http://a/b/c/g"},
      {"g?y#s", "http://a/b/c/g?y"}, {";x", "http://a/b/c/;x"}, {"g;x", "http://a/b/c/g;x"},
      {"g;x?y#s", "http://a/b/c/g;x?y"}, {"", "http://a/b/c/d;p?q"}, {".", "http://a/b/c/"},
      {"./", "http://a/b/c/"}, {"..", "http://a/b/"}, {"../", "http://a/b/"},
      {"../g", "http://a/b/g"}, {"../..", "http://a/"}, {"../../", "http://a/"},
      {"../../g", "http://a/g"},
      // 5.4.2 abnormal examples
      {"../../../g", "http://a/g"}, {"../../../../g", "http://a/g"}, {"/./g", "http://a/g"},
      {"/../g", "http://a/g"}, {"g.", "http://a/b/c/g."}, {".g", "http://a/b/c/.g"},
      {"g..", "http://a/b/c/g.."}, {"..g", "http://a/b/c/..g"}, {"./../g", "http://a/b/g"},
      {"./g/.", "http://a/b/c/g/"}, {"g/./h", "http://a/b/c/g/h"}, {"g/../h", "http://a/b/c/h"},
      {"g;x=1/./y", "http://a/b/c/g;x=1/y"}, {"g;x=1/../y", "http://a/b/c/y"},
      {"g?y/./x", "http://a/b/c/g?y/./x"}, {"g?y/../x", "http://a/b/c/g?y/../x"},
      // beyond the RFC: what real pages contain
      {"HTTPS://Files.Example/A/B", "https://files.example/A/B"},
      {"  g h\n", "http://a/b/c/g%20h"}, {"%2e%2e/g", "http://a/b/g"},
      {"a%2Fb", "http://a/b/c/a%2Fb"}, {"caf\xc3\xa9", "http://a/b/c/caf%C3%A9"},
      {"g|x", "http://a/b/c/g%7Cx"}, {"50%", "http://a/b/c/50%25"},
  };
  for (const auto& [ref, want] : table) {
    INFO("'" << ref << "'");
    auto r = pkg::resolve_url(base, ref);
    REQUIRE(r);
    CHECK(*r == want);
  }
  for (const char* bad : {"g:h", "http:g", "javascript:alert(1)", "mailto:a@b", "ftp://h/x",
                          "http://", "http://[zz]/"}) {
    INFO(bad);
    auto r = pkg::resolve_url(base, bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == pkg::Errc::invalid_url);
  }
  CHECK(pkg::resolve_url("file:///srv/index/simple/x/", "../../packages/x.whl") ==
        "file:///srv/index/packages/x.whl");
  CHECK_FALSE(pkg::resolve_url("/relative/base", "g"));
}

TEST_CASE("parse_simple_html ends comments at --> or --!> and stays linear", "[pkg][simple]") {
  const auto p = html("<!-- a -- b --!><a href=x-1.0.tar.gz>x</a><!-- <a href=y-1.0.tar.gz> ---><a href=z-1.0.tar.gz>z</a>"
                      "<!--><a href=w-1.0.tar.gz>w</a><!--->",
                      "https://h/simple/x/");
  REQUIRE(p.files.size() == 3);
  CHECK(p.files[0].filename == "x-1.0.tar.gz");
  CHECK(p.files[1].filename == "z-1.0.tar.gz");
  CHECK(p.files[2].filename == "w-1.0.tar.gz");
  // 200,000 comments and links: quadratic scanning would take minutes.
  std::string big;
  for (int i = 0; i < 200000; ++i) big += "<!-- c --><a href=\"f-" + std::to_string(i) + ".tar.gz\">f</a>\n";
  const auto many = html(big, "https://h/simple/f/");
  CHECK(many.files.size() == 200000);
}
