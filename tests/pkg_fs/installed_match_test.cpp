// pkg_fs/installed_match.cpp: installed_matches_wheel, an installed distribution's RECORD
// compared with the wheel it may have come from.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <string>
#include <vector>

#include "pkg/wheel.h"
#include "pkg_fs/installer.h"
#include "pkg_fs/install_support.h"

namespace fs = std::filesystem;
using namespace install_support;

namespace {

// A prefix with separate purelib and platlib, scripts, headers and data directories.
struct Site {
  TempDir tmp;
  fs::path prefix = tmp.path() / "prefix";
  pkg_fs::Scheme scheme{prefix / "lib/site-packages", prefix / "lib64/site-packages", prefix / "bin",
                        prefix / "include", prefix};

  Site() {
    for (const fs::path& d : {scheme.purelib, scheme.platlib, scheme.scripts, scheme.headers}) fs::create_directories(d);
  }

  // Builds `spec` in <tmp>/<folder>/ and returns its path.
  fs::path build(const WheelSpec& spec, const std::string& folder = "wheels") {
    fs::create_directories(tmp.path() / folder);
    return write_wheel(tmp.path() / folder, spec);
  }

  pkg_fs::InstalledDist install(const fs::path& wheel) {
    pkg_fs::InstallOptions o;
    o.scheme = scheme;
    o.prefix = prefix;
    o.python = "/opt/python/bin/python3";
    auto done = pkg_fs::install({{wheel, wheel.filename().string(), true}}, o);
    INFO((done ? "" : done.error().message()));
    REQUIRE(done);
    auto listed = pkg_fs::list_installed(scheme);
    REQUIRE(listed);
    REQUIRE(listed->size() == 1);
    return listed->front();
  }

  bool matches(const pkg_fs::InstalledDist& d, const fs::path& wheel) {
    auto r = pkg_fs::installed_matches_wheel(d, wheel, scheme);
    INFO((r ? "" : r.error().message()));
    REQUIRE(r);
    return *r;
  }
};

// A wheel with something in every scheme: modules, a data file, a header, a #!python script
// (rewritten on install) and a console script (generated on install).
WheelSpec full_spec() {
  WheelSpec s;
  s.name = "demo-pkg";
  s.version = "2.1";
  s.files = {{"demo_pkg/__init__.py", "VERSION = '2.1'\n"},
             {"demo_pkg/core.py", "def main():\n    return 0\n"},
             {"demo_pkg-2.1.data/data/share/demo/readme.txt", "hello\n"},
             {"demo_pkg-2.1.data/headers/demo.h", "#define DEMO 1\n"},
             {"demo_pkg-2.1.data/scripts/demo-tool", "#!python\nprint('tool')\n", 0100755}};
  s.entry_points = "[console_scripts]\ndemo = demo_pkg.core:main\n";
  return s;
}

// Rewrites the installed RECORD with `edit` applied to its rows.
template <class Edit>
void edit_record(const pkg_fs::InstalledDist& d, Edit edit) {
  auto rows = pkg::parse_record(read_file(d.dist_info / "RECORD"));
  REQUIRE(rows);
  edit(*rows);
  write_file(d.dist_info / "RECORD", pkg::write_record(*rows));
}

}  // namespace

TEST_CASE("installed_matches_wheel is true for the wheel that was installed", "[pkg_fs][installed_match]") {
  Site site;
  const fs::path wheel = site.build(full_spec());
  const auto dist = site.install(wheel);
  CHECK(site.matches(dist, wheel));
}

TEST_CASE("installed_matches_wheel is true for a platlib wheel installed into platlib", "[pkg_fs][installed_match]") {
  Site site;
  WheelSpec s = full_spec();
  s.root_is_purelib = false;
  const fs::path wheel = site.build(s);
  const auto dist = site.install(wheel);
  CHECK(dist.dist_info.parent_path() == site.scheme.platlib);
  CHECK(site.matches(dist, wheel));
}

TEST_CASE("installed_matches_wheel is false when one module's bytes differ (same name and version)", "[pkg_fs][installed_match]") {
  Site site;
  const auto dist = site.install(site.build(full_spec()));
  WheelSpec other = full_spec();
  other.files[1].data = "def main():\n    return 1\n";  // same size, other bytes
  CHECK_FALSE(site.matches(dist, site.build(other, "rebuilt")));
  WheelSpec header = full_spec();
  header.files[3].data = "#define DEMO 2\n";  // a file outside the root scheme
  CHECK_FALSE(site.matches(dist, site.build(header, "header")));
}

TEST_CASE("installed_matches_wheel is false when METADATA differs", "[pkg_fs][installed_match]") {
  Site site;
  const auto dist = site.install(site.build(full_spec()));
  WheelSpec other = full_spec();
  other.extra_dist_info = {};
  auto entries = wheel_entries(other);
  for (auto& e : entries)
    if (e.name.ends_with("/METADATA")) e.data += "Another line.\n";
  // RECORD recomputed over the changed METADATA.
  entries.pop_back();
  entries.push_back({dist_info_of(other) + "/RECORD", record_of(entries, dist_info_of(other) + "/RECORD")});
  fs::create_directories(site.tmp.path() / "meta");
  CHECK_FALSE(site.matches(dist, write_wheel(site.tmp.path() / "meta", other, entries)));
}

TEST_CASE("installed_matches_wheel is false when a RECORD row is missing or has another size", "[pkg_fs][installed_match]") {
  Site site;
  const fs::path wheel = site.build(full_spec());
  const auto dist = site.install(wheel);
  const std::string original = read_file(dist.dist_info / "RECORD");
  SECTION("a module's row missing") {
    edit_record(dist, [](auto& rows) { std::erase_if(rows, [](auto& r) { return r.path == "demo_pkg/core.py"; }); });
    CHECK_FALSE(site.matches(dist, wheel));
  }
  SECTION("the data file's row missing") {
    edit_record(dist, [](auto& rows) {
      const auto n = std::erase_if(rows, [](auto& r) { return r.path.ends_with("share/demo/readme.txt"); });
      REQUIRE(n == 1);
    });
    CHECK_FALSE(site.matches(dist, wheel));
  }
  SECTION("a row with the right hash and another size") {
    edit_record(dist, [](auto& rows) {
      for (auto& r : rows)
        if (r.path == "demo_pkg/__init__.py") r.size = *r.size + 1;
    });
    CHECK_FALSE(site.matches(dist, wheel));
  }
  SECTION("rows for files an installer writes do not matter") {
    edit_record(dist, [](auto& rows) {
      std::erase_if(rows, [](auto& r) {
        return r.path.ends_with("/INSTALLER") || r.path.ends_with("/REQUESTED") || r.path.ends_with("bin/demo-tool") ||
               r.path.ends_with("bin/demo");
      });
    });
    CHECK(site.matches(dist, wheel));
  }
  SECTION("the unchanged RECORD matches") {
    CHECK(read_file(dist.dist_info / "RECORD") == original);
    CHECK(site.matches(dist, wheel));
  }
}

TEST_CASE("installed_matches_wheel is false without RECORD or with an unreadable one", "[pkg_fs][installed_match]") {
  Site site;
  const fs::path wheel = site.build(full_spec());
  const auto dist = site.install(wheel);
  SECTION("no RECORD") {
    fs::remove(dist.dist_info / "RECORD");
    CHECK_FALSE(site.matches(dist, wheel));
  }
  SECTION("RECORD that does not parse") {
    write_file(dist.dist_info / "RECORD", "\"unterminated,sha256=x,1\n");
    CHECK_FALSE(site.matches(dist, wheel));
  }
}

TEST_CASE("installed_matches_wheel is false for another distribution and an error for a bad wheel", "[pkg_fs][installed_match]") {
  Site site;
  const auto dist = site.install(site.build(full_spec()));
  WheelSpec newer = full_spec();
  newer.version = "2.2";
  for (auto& f : newer.files) {
    const auto at = f.name.find("2.1.data");
    if (at != std::string::npos) f.name.replace(at, 3, "2.2");
  }
  CHECK_FALSE(site.matches(dist, site.build(newer)));  // another .dist-info directory

  const fs::path broken = site.tmp.path() / "broken" / "demo_pkg-2.1-py3-none-any.whl";
  write_file(broken, "not a zip");
  auto r = pkg_fs::installed_matches_wheel(dist, broken, site.scheme);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == pkg::Errc::invalid_wheel);
}
