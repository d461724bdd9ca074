// pkg_fs/installer: wheels built in the test installed into a fake scheme under a temporary
// prefix; every refusal leaves the tree byte-identical; upgrades, uninstalls, rollback; and a
// comparison with pip itself (Debian's pip wheel run by a fresh venv's interpreter).
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>

#include "pkg/wheel.h"
#include "pkg_fs/install_detail.h"
#include "pkg_fs/installer.h"
#include "pkg_fs/install_support.h"

namespace fs = std::filesystem;
using namespace install_support;

namespace {

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

WheelSpec sample(std::string version = "1.0") {
  WheelSpec s;
  s.version = version;
  const std::string data = "sample-" + version + ".data/";
  s.files = {
      {"sample/__init__.py", "VERSION = '" + version + "'\n"},
      {"sample/cli.py", "def main():\n    return 0\n\n\nclass Gui:\n    @staticmethod\n    def run():\n        return 0\n"},
      {"sample/tool.sh", "#!/bin/sh\necho tool\n", 0100755},
      {data + "scripts/runme", "#!python\nprint('run')\n", 0100644},
      {data + "scripts/plain.sh", "#!/bin/sh\necho plain\n", 0100755},
      {data + "scripts/sample-cli", "#!python\n# a setuptools wrapper for the entry point\n", 0100755},
      {data + "data/share/sample/data.txt", "data\n"},
      {data + "headers/sample.h", "#define SAMPLE 1\n"},
      {data + "platlib/sample_ext.so", std::string("\x7f" "ELF\0\1\2", 7), 0100755},
  };
  s.entry_points = "[console_scripts]\nsample-cli = sample.cli:main\n\n[gui_scripts]\nsample-gui = sample.cli:Gui.run\n";
  return s;
}

// Rebuilds RECORD of `entries` after `edit` changed its rows.
template <class Edit>
std::vector<ZipEntry> with_record(std::vector<ZipEntry> entries, Edit edit) {
  auto record = std::find_if(entries.begin(), entries.end(), [](const ZipEntry& e) { return e.name.ends_with("/RECORD"); });
  auto rows = pkg::parse_record(record->data);
  REQUIRE(rows);
  edit(*rows);
  record->data = pkg::write_record(*rows);
  return entries;
}

ZipEntry& entry(std::vector<ZipEntry>& entries, std::string_view name) {
  auto it = std::find_if(entries.begin(), entries.end(), [&](const ZipEntry& e) { return e.name == name; });
  REQUIRE(it != entries.end());
  return *it;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string run_capture(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  if (::pclose(p) != 0) return {};
  return out;
}

}  // namespace

TEST_CASE("install writes every file to its scheme with pip's modes, RECORD, INSTALLER, REQUESTED and launchers",
          "[pkg_fs][installer]") {
  Env env;
  write_file(env.scripts / "plain.sh", "an unrelated older file\n");  // replaced, as pip replaces it
  const WheelSpec spec = sample();
  auto done = env.install(spec);
  REQUIRE(done);
  REQUIRE(done->size() == 1);
  CHECK((*done)[0].project == "sample");
  CHECK((*done)[0].version == "1.0");
  CHECK_FALSE((*done)[0].replaced_version);
  CHECK((*done)[0].files == 16);

  const std::string python = env.options.python;
  const std::string runme = "#!" + python + "\nprint('run')\n";
  const pkg::EntryPoint cli{"sample-cli", "sample.cli", "main", {}};
  const pkg::EntryPoint gui{"sample-gui", "sample.cli", "Gui.run", {}};
  const std::string cli_text = pkg::console_script(python, cli), gui_text = pkg::console_script(python, gui);
  const fs::path info = env.purelib / "sample-1.0.dist-info";
  struct Expect {
    fs::path path;
    std::string bytes;
    unsigned mode;
  };
  const std::vector<Expect> expected = {
      {env.purelib / "sample/__init__.py", spec.files[0].data, 0644},
      {env.purelib / "sample/cli.py", spec.files[1].data, 0644},
      {env.purelib / "sample/tool.sh", spec.files[2].data, 0755},
      {env.scripts / "runme", runme, 0755},  // #!python rewritten, made executable
      {env.scripts / "plain.sh", spec.files[4].data, 0755},
      {env.scripts / "sample-cli", cli_text, 0755},  // the launcher, not the wheel's wrapper
      {env.scripts / "sample-gui", gui_text, 0755},
      {env.prefix / "share/sample/data.txt", "data\n", 0644},
      {env.headers / "sample/sample.h", "#define SAMPLE 1\n", 0644},  // <include>/<name>/, as pip
      {env.platlib / "sample_ext.so", spec.files[8].data, 0755},
      {info / "INSTALLER", "tufget\n", 0644},
      {info / "REQUESTED", "", 0644},
  };
  for (const Expect& e : expected) {
    INFO(e.path);
    CHECK(read_file(e.path) == e.bytes);
    CHECK(mode_of(e.path) == e.mode);
  }
  CHECK(cli_text.starts_with("#!/fake/bin/python\n"));
  CHECK_THAT(gui_text, Catch::Contains("from sample.cli import Gui\n") && Catch::Contains("sys.exit(Gui.run())"));
  CHECK_FALSE(fs::exists(env.purelib / "sample-1.0.data"));

  // RECORD: installed paths relative to purelib, rewritten and generated files hashed, sorted.
  auto row = [](std::string path, std::string_view bytes) {
    return pkg::RecordEntry{std::move(path), record_hash(bytes), bytes.size()};
  };
  std::vector<pkg::RecordEntry> rows = {
      row("../../../bin/plain.sh", spec.files[4].data),
      row("../../../bin/runme", runme),
      row("../../../bin/sample-cli", cli_text),
      row("../../../bin/sample-gui", gui_text),
      row("../../../include/site/python3.11/sample/sample.h", "#define SAMPLE 1\n"),
      row("../../../platlib/sample_ext.so", spec.files[8].data),
      row("../../../share/sample/data.txt", "data\n"),
      row("sample-1.0.dist-info/INSTALLER", "tufget\n"),
      row("sample-1.0.dist-info/METADATA", read_file(info / "METADATA")),
      {"sample-1.0.dist-info/RECORD", "", std::nullopt},
      row("sample-1.0.dist-info/REQUESTED", ""),
      row("sample-1.0.dist-info/WHEEL", read_file(info / "WHEEL")),
      row("sample-1.0.dist-info/entry_points.txt", spec.entry_points),
      row("sample/__init__.py", spec.files[0].data),
      row("sample/cli.py", spec.files[1].data),
      row("sample/tool.sh", spec.files[2].data),
  };
  CHECK(read_file(info / "RECORD") == pkg::write_record(rows));
  CHECK(mode_of(info / "RECORD") == 0644);

  auto listed = env.installed();
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].name == "sample");
  CHECK(listed[0].version_text == "1.0");
  CHECK(listed[0].installer == "tufget");
  CHECK(listed[0].requested);
  CHECK(listed[0].has_record);
  CHECK(listed[0].dist_info == info);
  // No staging directory is left behind.
  for (const auto& [path, node] : snapshot(env.prefix)) CHECK(path.find(".tufget-") == std::string::npos);
}

TEST_CASE("install without requested writes no REQUESTED, and a platlib wheel is recorded against platlib",
          "[pkg_fs][installer]") {
  Env env;
  WheelSpec spec;
  spec.name = "plat-pkg";
  spec.root_is_purelib = false;
  spec.files = {{"plat_pkg/__init__.py", "x = 1\n"}, {"plat_pkg-1.0.data/purelib/pure.py", "y = 2\n"}};
  REQUIRE(env.install(spec, /*requested=*/false));
  const fs::path info = env.platlib / "plat_pkg-1.0.dist-info";
  CHECK(fs::exists(info / "METADATA"));
  CHECK_FALSE(fs::exists(info / "REQUESTED"));
  CHECK(read_file(env.purelib / "pure.py") == "y = 2\n");
  auto rows = pkg::parse_record(read_file(info / "RECORD"));
  REQUIRE(rows);
  std::set<std::string> paths;
  for (const auto& r : *rows) paths.insert(r.path);
  CHECK(paths.contains("plat_pkg/__init__.py"));
  CHECK(paths.contains("../lib/python3.11/site-packages/pure.py"));
  auto listed = env.installed();
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].project == "plat-pkg");
  CHECK_FALSE(listed[0].requested);
}

TEST_CASE("install refuses a bad wheel before writing anything, naming the wheel and the member",
          "[pkg_fs][installer]") {
  Env env;
  REQUIRE(env.install(sample("0.9")));  // an installed version the refused upgrades must not touch
  const WheelSpec spec = sample("1.0");
  const std::string filename = filename_of(spec);
  const std::string info = dist_info_of(spec);
  struct Case {
    const char* what;
    std::function<std::vector<ZipEntry>()> build;
    pkg::Errc code;
    std::string member;  // must appear in the message
  };
  // Builders: the good wheel with one more payload file / other entry points; RECORD rows edited;
  // one dist-info file replaced (RECORD updated to match, so that only the content is wrong).
  auto plus_file = [&](ZipEntry extra) {
    return [&spec, extra] {
      WheelSpec s = spec;
      s.files.push_back(extra);
      return wheel_entries(s);
    };
  };
  auto rows_edited = [&](std::function<void(std::vector<pkg::RecordEntry>&)> edit) {
    return [&spec, edit] { return with_record(wheel_entries(spec), edit); };
  };
  auto replaced = [&](std::string name, std::string text) {
    return [&spec, name, text] {
      auto e = wheel_entries(spec);
      entry(e, name).data = text;
      return with_record(e, [&](auto& rows) {
        for (auto& r : rows)
          if (r.path == name) r = {r.path, record_hash(text), text.size()};
      });
    };
  };
  auto row_of = [](std::vector<pkg::RecordEntry>& rows, std::string_view path) -> pkg::RecordEntry& {
    auto it = std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return r.path == path; });
    REQUIRE(it != rows.end());
    return *it;
  };
  const std::vector<Case> cases = {
      {"a member's bytes changed, RECORD not",
       [&] {
         auto e = wheel_entries(spec);
         entry(e, "sample/cli.py").data[0] = 'D';
         return e;
       },
       pkg::Errc::record_mismatch, "sample/cli.py"},
      {"RECORD lies about a size", rows_edited([&](auto& rows) { *row_of(rows, "sample/__init__.py").size += 1; }),
       pkg::Errc::record_mismatch, "sample/__init__.py"},
      {"a member missing from RECORD",
       rows_edited([](auto& rows) { std::erase_if(rows, [](const auto& r) { return r.path == "sample/tool.sh"; }); }),
       pkg::Errc::record_mismatch, "sample/tool.sh"},
      {"a member without a hash", rows_edited([&](auto& rows) { row_of(rows, "sample/tool.sh").hash.clear(); }),
       pkg::Errc::record_mismatch, "sample/tool.sh"},
      {"a weak RECORD hash",
       rows_edited([&](auto& rows) { row_of(rows, "sample/tool.sh").hash = "md5=AAAAAAAAAAAAAAAAAAAAAA"; }),
       pkg::Errc::record_mismatch, "sample/tool.sh"},
      {"an extra RECORD entry", rows_edited([](auto& rows) { rows.push_back({"sample/ghost.py", record_hash("x"), 1}); }),
       pkg::Errc::record_mismatch, "sample/ghost.py"},
      {"a ../ member", plus_file({"../evil.py", "evil\n"}), pkg::Errc::unsafe_path, "../evil.py"},
      {"a ../ member inside .data", plus_file({"sample-1.0.data/scripts/../../../evil", "evil\n"}),
       pkg::Errc::unsafe_path, "sample-1.0.data/scripts/../../../evil"},
      {"an absolute member", plus_file({"/tmp/tufget-evil", "evil\n"}), pkg::Errc::unsafe_path, "/tmp/tufget-evil"},
      {"a symbolic link member", plus_file({"sample/link", "/etc/passwd", 0120777}), pkg::Errc::unsafe_path,
       "sample/link"},
      {"an unknown .data scheme", plus_file({"sample-1.0.data/bin/tool", "x\n"}), pkg::Errc::invalid_wheel,
       "sample-1.0.data/bin/tool"},
      {"a member twice",
       [&] {
         auto e = wheel_entries(spec);
         e.insert(e.begin(), ZipEntry{"sample/cli.py", "evil = 1\n"});
         return e;
       },
       pkg::Errc::invalid_wheel, "same name"},  // libzip refuses the archive when opening it
      {"a second .dist-info", plus_file({"other-1.0.dist-info/METADATA", "Name: other\nVersion: 1.0\n"}),
       pkg::Errc::invalid_wheel, "other-1.0.dist-info"},
      {"METADATA naming another project",
       replaced(info + "/METADATA", "Metadata-Version: 2.1\nName: other\nVersion: 1.0\n"), pkg::Errc::invalid_wheel,
       "other"},
      {"Wheel-Version 2.0", replaced(info + "/WHEEL", "Wheel-Version: 2.0\nRoot-Is-Purelib: true\n"),
       pkg::Errc::invalid_wheel, "Wheel-Version"},
      {"an entry point named with a slash",
       replaced(info + "/entry_points.txt", "[console_scripts]\n../../evil = sample.cli:main\n"),
       pkg::Errc::invalid_wheel, "../../evil"},
      {"no RECORD",
       [&] {
         auto e = wheel_entries(spec);
         std::erase_if(e, [](const ZipEntry& z) { return z.name.ends_with("/RECORD"); });
         return e;
       },
       pkg::Errc::invalid_wheel, "RECORD"},
  };
  const Snapshot before = snapshot(env.tmp.path());
  for (const Case& c : cases) {
    INFO(c.what);
    const fs::path wheel = env.wheels / filename;
    write_file(wheel, make_zip(c.build()));
    auto done = env.install_all({wheel});
    REQUIRE_FALSE(done);
    CHECK(done.error().code == c.code);
    CHECK(done.error().input == filename);
    CHECK_THAT(done.error().message(), Catch::Contains(c.member));
    CHECK_FALSE(pkg_fs::verify_wheel(wheel, filename));  // phase 1 alone refuses it too
    Snapshot after = snapshot(env.tmp.path());
    after.erase("wheels/" + filename);
    Snapshot expected = before;
    expected.erase("wheels/" + filename);
    CHECK(differences(expected, after).empty());
    CHECK_FALSE(fs::exists("/tmp/tufget-evil"));
  }
  CHECK(env.installed()[0].version_text == "0.9");
}

TEST_CASE("verify_wheel returns METADATA of a wheel that matches its RECORD", "[pkg_fs][installer]") {
  Env env;
  const WheelSpec spec = sample();
  const fs::path wheel = write_wheel(env.wheels, spec);
  auto metadata = pkg_fs::verify_wheel(wheel, filename_of(spec));
  REQUIRE(metadata);
  CHECK_THAT(*metadata, Catch::StartsWith("Metadata-Version: 2.1\nName: sample\nVersion: 1.0\n"));
  auto wrong_name = pkg_fs::verify_wheel(wheel, "other-1.0-py3-none-any.whl");
  REQUIRE_FALSE(wrong_name);
  CHECK(wrong_name.error().code == pkg::Errc::invalid_wheel);
  auto missing = pkg_fs::verify_wheel(env.wheels / "absent-1.0-py3-none-any.whl", "absent-1.0-py3-none-any.whl");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == pkg::Errc::io);
  write_file(env.wheels / "junk-1.0-py3-none-any.whl", "not a zip");
  auto junk = pkg_fs::verify_wheel(env.wheels / "junk-1.0-py3-none-any.whl", "junk-1.0-py3-none-any.whl");
  REQUIRE_FALSE(junk);
  CHECK(junk.error().code == pkg::Errc::invalid_wheel);
}

TEST_CASE("a member re-read after verification is verified again (wheel changed in place)", "[pkg_fs][installer]") {
  Env env;
  WheelSpec spec = sample();
  // Larger than stdio's buffer, so that a re-read really reads the file again.
  std::string big(600 * 1024, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 7919) >> 5);
  spec.files.push_back({"sample/big.bin", big});
  auto entries = wheel_entries(spec);
  const fs::path wheel = write_wheel(env.wheels, spec, entries);
  std::uint64_t budget = 0;  // keep nothing: phase 3 must stream from the archive again
  auto w = pkg_fs::detail::open_verified_wheel(wheel, filename_of(spec), budget);
  REQUIRE(w);
  auto find = [&](std::string_view name) {
    auto it = std::find_if(w->members.begin(), w->members.end(), [&](const auto& m) { return m.name == name; });
    REQUIRE(it != w->members.end());
    return it;
  };
  auto member = find("sample/cli.py");
  CHECK_FALSE(member->bytes);
  std::vector<char> buffer;

  // Change one byte of that member in the file libzip has open (same inode, same offsets).
  std::string zip = read_file(wheel);
  const std::size_t at = zip.find("def main()");
  REQUIRE(at != std::string::npos);
  zip[at] = 'D';
  {
    std::FILE* f = std::fopen(wheel.c_str(), "r+b");
    REQUIRE(f != nullptr);
    std::fwrite(zip.data(), 1, zip.size(), f);
    std::fclose(f);
  }
  auto changed = pkg_fs::detail::read_member(*w, *member, buffer);
  REQUIRE_FALSE(changed);
  CHECK_THAT(changed.error().message(), Catch::Contains("sample/cli.py"));
  // An unchanged member streams again, verified, into a file.
  auto unchanged = pkg_fs::detail::read_member(*w, *find("sample/big.bin"), buffer);
  REQUIRE(unchanged);
  CHECK(*unchanged == spec.files.back().data);
  const fs::path out = env.tmp.path() / "copy";
  auto fd = pkg_fs::detail::create_file(out, pkg_fs::detail::FileMode::regular);
  REQUIRE(fd);
  REQUIRE(pkg_fs::detail::copy_member(*w, *find("sample/big.bin"), *fd, buffer));
  REQUIRE(pkg_fs::detail::finish_file(*fd, out, pkg_fs::detail::FileMode::regular));
  CHECK(read_file(out) == spec.files.back().data);
}

TEST_CASE("two wheels installing the same path are refused, and nothing is written", "[pkg_fs][installer]") {
  Env env;
  WheelSpec a, b;
  a.name = "alpha";
  a.files = {{"alpha/__init__.py", "a\n"}, {"shared/data.py", "from alpha\n"}};
  b.name = "beta";
  b.files = {{"beta/__init__.py", "b\n"}, {"shared/data.py", "from beta\n"}};
  WheelSpec c = b;
  c.name = "gamma";
  c.files = {{"gamma/__init__.py", "c\n"}};
  c.entry_points = "[console_scripts]\nalpha-tool = gamma:main\n";
  WheelSpec d = a;
  d.name = "delta";
  d.files = {{"delta/__init__.py", "d\n"}, {"delta-1.0.data/scripts/alpha-tool", "#!/bin/sh\n"}};
  WheelSpec e;
  e.name = "epsilon";
  e.files = {{"alpha/__init__.py/x.py", "a file where alpha has a file\n"}};
  const Snapshot before = snapshot(env.prefix);
  for (const auto& [one, two] : std::vector<std::pair<WheelSpec, WheelSpec>>{{a, b}, {c, d}, {a, e}}) {
    auto done = env.install_all({write_wheel(env.wheels, one), write_wheel(env.wheels, two)});
    REQUIRE_FALSE(done);
    CHECK(done.error().code == pkg::Errc::invalid_wheel);
    CHECK_THAT(done.error().message(), Catch::Contains(filename_of(one)) && Catch::Contains(filename_of(two)));
    CHECK(differences(before, snapshot(env.prefix)).empty());
  }
  // The same project twice in one install.
  auto twice = env.install_all({write_wheel(env.wheels, sample("1.0")), write_wheel(env.wheels, sample("2.0"))});
  REQUIRE_FALSE(twice);
  CHECK(differences(before, snapshot(env.prefix)).empty());
}

TEST_CASE("several wheels install together, and one bad wheel means none is installed", "[pkg_fs][installer]") {
  Env env;
  std::vector<fs::path> paths;
  for (const char* name : {"one", "two", "three"}) {
    WheelSpec s;
    s.name = name;
    s.files = {{std::string(name) + "/__init__.py", std::string("name = '") + name + "'\n"}};
    paths.push_back(write_wheel(env.wheels, s));
  }
  WheelSpec bad;
  bad.name = "four";
  bad.files = {{"four/__init__.py", "x\n"}};
  auto entries = wheel_entries(bad);
  entry(entries, "four/__init__.py").data = "y\n";
  const fs::path bad_path = write_wheel(env.wheels, bad, entries);

  const Snapshot before = snapshot(env.prefix);
  std::vector<fs::path> with_bad = paths;
  with_bad.insert(with_bad.begin() + 1, bad_path);
  auto refused = env.install_all(with_bad);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().input == filename_of(bad));
  CHECK(differences(before, snapshot(env.prefix)).empty());

  auto done = env.install_all(paths);
  REQUIRE(done);
  CHECK(done->size() == 3);
  CHECK(env.installed().size() == 3);
  CHECK(read_file(env.purelib / "two/__init__.py") == "name = 'two'\n");
}

TEST_CASE("upgrade removes the old version's files, __pycache__ and emptied directories", "[pkg_fs][installer]") {
  Env env;
  WheelSpec v1;
  v1.version = "1.0";
  v1.files = {{"sample/__init__.py", "v1\n"}, {"sample/old/__init__.py", ""}, {"sample/old/mod.py", "x = 1\n"},
              {"sample/keep.py", "same\n"}};
  v1.entry_points = "[console_scripts]\nold-tool = sample:main\n";
  REQUIRE(env.install(v1));
  // What Python and the user add later.
  write_file(env.purelib / "sample/old/__pycache__/mod.cpython-311.pyc", "pyc");
  write_file(env.purelib / "sample/old/__pycache__/mod.cpython-311.opt-1.pyc", "pyc");
  write_file(env.purelib / "sample/__pycache__/__init__.cpython-311.pyc", "pyc");
  write_file(env.purelib / "sample/__pycache__/__init__.extra.cpython-311.pyc", "not ours");
  write_file(env.purelib / "sample/notes.txt", "the user's file\n");

  WheelSpec v2;
  v2.version = "2.0";
  v2.files = {{"sample/__init__.py", "v2\n"}, {"sample/new.py", "y = 2\n"}, {"sample/keep.py", "same\n"}};
  v2.entry_points = "[console_scripts]\nnew-tool = sample:main\n";
  auto done = env.install(v2);
  REQUIRE(done);
  CHECK((*done)[0].replaced_version == "1.0");
  CHECK(read_file(env.purelib / "sample/__init__.py") == "v2\n");
  CHECK(read_file(env.purelib / "sample/new.py") == "y = 2\n");
  CHECK(read_file(env.purelib / "sample/keep.py") == "same\n");
  CHECK_FALSE(fs::exists(env.purelib / "sample/old"));
  CHECK_FALSE(fs::exists(env.purelib / "sample/__pycache__/__init__.cpython-311.pyc"));
  CHECK(fs::exists(env.purelib / "sample/__pycache__/__init__.extra.cpython-311.pyc"));
  CHECK(fs::exists(env.purelib / "sample/notes.txt"));
  CHECK_FALSE(fs::exists(env.scripts / "old-tool"));
  CHECK(fs::exists(env.scripts / "new-tool"));
  CHECK_FALSE(fs::exists(env.purelib / "sample-1.0.dist-info"));
  auto listed = env.installed();
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].version_text == "2.0");
  // The scheme directories stay even when emptied.
  CHECK(fs::is_directory(env.scripts));

  // Reinstalling the same version replaces it in place.
  auto again = env.install(v2);
  REQUIRE(again);
  CHECK((*again)[0].replaced_version == "2.0");
  CHECK(env.installed().size() == 1);
  CHECK(read_file(env.purelib / "sample/new.py") == "y = 2\n");
}

TEST_CASE("a distribution without RECORD is not replaced, and nothing changes", "[pkg_fs][installer]") {
  Env env;
  REQUIRE(env.install(sample("1.0")));
  fs::remove(env.purelib / "sample-1.0.dist-info/RECORD");
  const Snapshot before = snapshot(env.prefix);
  auto done = env.install(sample("2.0"));
  REQUIRE_FALSE(done);
  CHECK(done.error().code == pkg::Errc::invalid_wheel);
  CHECK_THAT(done.error().detail, Catch::Contains("cannot uninstall sample 1.0") && Catch::Contains("RECORD"));
  CHECK(differences(before, snapshot(env.prefix)).empty());
  auto listed = env.installed();
  REQUIRE(listed.size() == 1);
  CHECK_FALSE(listed[0].has_record);
  auto un = pkg_fs::uninstall(listed[0], env.prefix);
  REQUIRE_FALSE(un);
  CHECK(differences(before, snapshot(env.prefix)).empty());
}

TEST_CASE("an .egg-info install is listed, never replaced, and nothing changes", "[pkg_fs][installer]") {
  Env env;
  fs::create_directories(env.purelib / "sample-1.0-py3.11.egg-info");
  write_file(env.purelib / "sample-1.0-py3.11.egg-info/PKG-INFO",
             "Metadata-Version: 1.2\nName: sample\nVersion: 1.0\n");
  write_file(env.purelib / "sample-1.0-py3.11.egg-info/installed-files.txt", "../sample/__init__.py\n");
  write_file(env.purelib / "Old_Tool-0.5.egg-info", "Metadata-Version: 1.0\nName: Old_Tool\nVersion: 0.5\n");
  auto listed = env.installed();
  REQUIRE(listed.size() == 2);
  CHECK(listed[0].project == "old-tool");
  CHECK(listed[0].metadata == env.purelib / "Old_Tool-0.5.egg-info");
  CHECK(listed[1].project == "sample");
  CHECK(listed[1].version_text == "1.0");
  CHECK(listed[1].metadata == env.purelib / "sample-1.0-py3.11.egg-info/PKG-INFO");
  for (const auto& d : listed) {
    CHECK(d.egg_info);
    CHECK_FALSE(d.has_record);
  }
  const Snapshot before = snapshot(env.prefix);
  auto done = env.install(sample("2.0"));
  REQUIRE_FALSE(done);
  CHECK_THAT(done.error().detail, Catch::Contains("cannot uninstall sample 1.0") &&
                                      Catch::Contains("installed as an .egg-info") &&
                                      Catch::Contains("pip uninstall sample"));
  CHECK(differences(before, snapshot(env.prefix)).empty());
  CHECK_FALSE(pkg_fs::uninstall(listed[1], env.prefix));
  CHECK(differences(before, snapshot(env.prefix)).empty());
}

TEST_CASE("uninstall removes exactly what install added, and refuses a RECORD path outside the prefix",
          "[pkg_fs][installer]") {
  Env env;
  const Snapshot empty = snapshot(env.prefix);
  REQUIRE(env.install(sample()));
  write_file(env.purelib / "sample/__pycache__/cli.cpython-311.pyc", "pyc");
  auto listed = env.installed();
  REQUIRE(listed.size() == 1);

  // A RECORD naming a file outside the prefix: refused, nothing removed.
  const fs::path outside = env.tmp.path() / "outside.txt";
  write_file(outside, "not yours\n");
  const fs::path record = env.purelib / "sample-1.0.dist-info/RECORD";
  const std::string good_record = read_file(record);
  for (const std::string& evil : {std::string("../../../../outside.txt"), outside.string(),
                                  std::string("../../../../env/../outside.txt")}) {
    INFO(evil);
    write_file(record, good_record + evil + ",,\r\n");
    const Snapshot before = snapshot(env.prefix);
    auto refused = pkg_fs::uninstall(listed[0], env.prefix);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == pkg::Errc::invalid_wheel);
    CHECK_THAT(refused.error().detail, Catch::Contains("outside"));
    CHECK(differences(before, snapshot(env.prefix)).empty());
    auto upgrade = env.install(sample("2.0"));  // phase 2 applies the same rule
    REQUIRE_FALSE(upgrade);
    CHECK(differences(before, snapshot(env.prefix)).empty());
    CHECK(read_file(outside) == "not yours\n");
  }
  // A symbolic link in the path does not get around it.
  fs::create_directory_symlink(env.tmp.path(), env.purelib / "escape");
  write_file(record, good_record + "escape/outside.txt,,\r\n");
  CHECK_FALSE(pkg_fs::uninstall(listed[0], env.prefix));
  CHECK(fs::exists(outside));
  fs::remove(env.purelib / "escape");

  write_file(record, good_record);
  REQUIRE(pkg_fs::uninstall(listed[0], env.prefix));
  CHECK(differences(empty, snapshot(env.prefix)).empty());
  CHECK(env.installed().empty());
}

TEST_CASE("a non-empty directory where a file must go is refused before anything changes", "[pkg_fs][installer]") {
  Env env;
  WheelSpec v1;
  v1.files = {{"sample/__init__.py", "v1\n"}, {"sample/a.py", "a1\n"}, {"sample/old.py", "old\n"}};
  REQUIRE(env.install(v1));
  write_file(env.purelib / "sample/m.py/blocker.txt", "in the way\n");
  const Snapshot before = snapshot(env.tmp.path());
  WheelSpec v2;
  v2.version = "2.0";
  v2.files = {{"sample/__init__.py", "v2\n"}, {"sample/m.py", "m\n"}};
  auto done = env.install(v2);
  REQUIRE_FALSE(done);
  CHECK(done.error().code == pkg::Errc::io);
  CHECK_THAT(done.error().message(), Catch::Contains("sample/m.py") && Catch::Contains("not empty"));
  Snapshot after = snapshot(env.tmp.path());
  after.erase("wheels/" + filename_of(v2));
  CHECK(differences(before, after).empty());
  CHECK(env.installed()[0].version_text == "1.0");
}

TEST_CASE("compile byte-compiles the installed .py files once and records the .pyc files", "[pkg_fs][installer]") {
  const fs::path python = "/usr/bin/python3";
  if (!fs::exists(python)) {
    WARN("no /usr/bin/python3: compile not tested");
    return;
  }
  Env env;
  env.options.python = python.string();
  env.options.compile = true;
  WheelSpec spec = sample();
  spec.files.push_back({"sample/broken.py", "def (:\n"});  // does not compile: no .pyc, no error
  REQUIRE(env.install(spec));
  std::vector<fs::path> pycs;
  for (const auto& e : fs::directory_iterator(env.purelib / "sample/__pycache__")) pycs.push_back(e.path());
  std::sort(pycs.begin(), pycs.end());
  REQUIRE(pycs.size() == 2);  // __init__ and cli
  CHECK_THAT(pycs[0].filename().string(), Catch::StartsWith("__init__.") && Catch::EndsWith(".pyc"));
  const std::string record = read_file(env.purelib / "sample-1.0.dist-info/RECORD");
  auto rows = pkg::parse_record(record);
  REQUIRE(rows);
  for (const fs::path& pyc : pycs) {
    const std::string rel = pyc.lexically_relative(env.purelib).string();
    auto row = std::find_if(rows->begin(), rows->end(), [&](const auto& r) { return r.path == rel; });
    REQUIRE(row != rows->end());
    CHECK(row->hash == record_hash(read_file(pyc)));
    CHECK(row->size == read_file(pyc).size());
  }
  CHECK(std::is_sorted(rows->begin(), rows->end(), [](const auto& a, const auto& b) { return a.path < b.path; }));
  CHECK(read_file(env.scripts / "sample-cli").starts_with("#!/usr/bin/python3\n"));
  auto listed = env.installed();
  REQUIRE(pkg_fs::uninstall(listed[0], env.prefix));
  CHECK_FALSE(fs::exists(env.purelib / "sample"));
}

TEST_CASE("install matches pip: same files, same bytes, same RECORD rows", "[pkg_fs][installer]") {
  const fs::path python = "/usr/bin/python3";
  std::vector<fs::path> pip_wheels, setuptools_wheels;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/share/python-wheels", ec)) {
    const std::string n = e.path().filename().string();
    if (n.starts_with("pip-") && n.ends_with(".whl")) pip_wheels.push_back(e.path());
    if (n.starts_with("setuptools-") && n.ends_with(".whl")) setuptools_wheels.push_back(e.path());
  }
  if (!fs::exists(python) || pip_wheels.empty()) {
    WARN("no /usr/bin/python3 or /usr/share/python-wheels/pip-*.whl: the comparison with pip is skipped");
    return;
  }
  UmaskGuard umask(022);
  TempDir tmp;
  const fs::path by_pip = tmp.path() / "by-pip", by_us = tmp.path() / "by-us";
  for (const fs::path& venv : {by_pip, by_us}) {
    const std::string cmd = shell_quote(python.string()) + " -m venv --without-pip " + shell_quote(venv.string()) + " 2>&1";
    if (std::system(cmd.c_str()) != 0) {
      WARN("python3 -m venv does not work here: the comparison with pip is skipped");
      return;
    }
  }
  const std::string paths = run_capture(
      shell_quote((by_us / "bin/python").string()) +
      " -c 'import sysconfig, sys; p = sysconfig.get_paths(); "
      "print(p[\"purelib\"], p[\"platlib\"], p[\"scripts\"], p[\"data\"], \"%d.%d\" % sys.version_info[:2], sep=\"\\n\")'");
  std::vector<std::string> lines;
  for (std::size_t start = 0, nl; (nl = paths.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(paths.substr(start, nl - start));
  REQUIRE(lines.size() == 5);

  // The test wheel: a package, a #!python script, a data file, a header, console and gui scripts.
  WheelSpec spec;
  spec.name = "pipcmp";
  spec.version = "1.0";
  spec.files = {
      {"pipcmp/__init__.py", "def main():\n    return 0\n"},
      {"pipcmp/sub/mod.py", "X = 1\n"},
      {"pipcmp/run.sh", "#!/bin/sh\n", 0100755},
      {"pipcmp-1.0.data/scripts/pipcmp-script", "#!python\nimport pipcmp\n", 0100755},
      {"pipcmp-1.0.data/scripts/shell-script", "#!/bin/sh\necho hi\n", 0100755},
      {"pipcmp-1.0.data/data/share/pipcmp/a b.txt", "data, with a comma in the name? no: a space\n"},
      {"pipcmp-1.0.data/headers/pipcmp.h", "#define PIPCMP 1\n"},
  };
  spec.entry_points = "[console_scripts]\npipcmp-cli = pipcmp:main\n[gui_scripts]\npipcmp-gui = pipcmp:main\n";
  std::vector<fs::path> wheels = {write_wheel(tmp.path(), spec)};
  wheels.push_back(pip_wheels.front());
  if (!setuptools_wheels.empty()) wheels.push_back(setuptools_wheels.front());

  const Snapshot pip_before = snapshot(by_pip), us_before = snapshot(by_us);
  std::string cmd = "env -i PATH=/usr/bin:/bin HOME=" + shell_quote(tmp.path().string()) +
                    " PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_NO_INPUT=1 " +
                    shell_quote((by_pip / "bin/python").string()) + " " + shell_quote((pip_wheels.front() / "pip").string()) +
                    " install --quiet --no-deps --no-index --no-compile";
  for (const fs::path& w : wheels) cmd += " " + shell_quote(w.string());
  if (std::system((cmd + " >/dev/null 2>&1").c_str()) != 0) {
    WARN("pip could not install the wheels: the comparison with pip is skipped");
    return;
  }

  pkg_fs::InstallOptions options;
  options.prefix = by_us;
  options.python = (by_us / "bin/python").string();
  options.scheme = pkg_fs::Scheme{lines[0], lines[1], lines[2], by_us / "include/site" / ("python" + lines[4]), lines[3]};
  std::vector<pkg_fs::WheelToInstall> in;
  for (const fs::path& w : wheels) in.push_back({w, w.filename().string(), true});
  auto done = pkg_fs::install(in, options);
  REQUIRE(done);

  // Files added by each, relative to the venv; pip's direct_url.json (PEP 610, for a wheel given
  // as a file) is not written by tufget, which installs from an index.
  auto added = [](const Snapshot& before, const Snapshot& after) {
    Snapshot out;
    for (const auto& [k, v] : after)
      if (!before.contains(k) && !k.ends_with("/direct_url.json")) out.emplace(k, v);
    return out;
  };
  Snapshot pip_added = added(pip_before, snapshot(by_pip)), us_added = added(us_before, snapshot(by_us));
  std::set<std::string> pip_keys, us_keys;
  for (const auto& [k, v] : pip_added) pip_keys.insert(k);
  for (const auto& [k, v] : us_added) us_keys.insert(k);
  CHECK(pip_keys == us_keys);
  CHECK(pip_keys.size() > 100);

  auto replace_all = [](std::string s, const std::string& from, const std::string& to) {
    for (std::size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size()) s.replace(at, from.size(), to);
    return s;
  };
  std::size_t compared = 0;
  for (const auto& [k, ours] : us_added) {
    auto theirs = pip_added.find(k);
    if (theirs == pip_added.end()) continue;
    INFO(k);
    CHECK(ours.kind == theirs->second.kind);
    CHECK(ours.mode == theirs->second.mode);
    if (ours.kind != 'f') continue;
    const std::string leaf = fs::path(k).filename().string();
    if (leaf == "INSTALLER") {
      CHECK(theirs->second.data == "pip\n");
      CHECK(ours.data == "tufget\n");
      continue;
    }
    if (leaf == "RECORD") {
      // Rows equal apart from INSTALLER, direct_url.json and the scripts' hash and size (their
      // shebangs name each venv's interpreter).
      auto pip_rows = pkg::parse_record(theirs->second.data), our_rows = pkg::parse_record(ours.data);
      REQUIRE(pip_rows);
      REQUIRE(our_rows);
      auto normalise = [](std::vector<pkg::RecordEntry> rows) {
        std::erase_if(rows, [](const auto& r) { return r.path.ends_with("/INSTALLER") || r.path.ends_with("/direct_url.json"); });
        for (auto& r : rows)
          if (r.path.starts_with("../../../bin/")) r.hash.clear(), r.size.reset();
        return rows;
      };
      CHECK(normalise(*pip_rows) == normalise(*our_rows));
      CHECK(theirs->second.data.find("\r\n") != std::string::npos);
      ++compared;
      continue;
    }
    // Byte-identical once the venv paths in shebangs are aligned (launchers included).
    CHECK(replace_all(theirs->second.data, by_pip.string(), by_us.string()) == ours.data);
    ++compared;
  }
  CHECK(compared > 100);

  // And what tufget installed runs: the console launcher, the rewritten #!python script, pip.
  const std::string env_i = "env -i PATH=/usr/bin:/bin HOME=" + shell_quote(tmp.path().string()) + " ";
  CHECK(std::system((env_i + shell_quote((by_us / "bin/pipcmp-cli").string())).c_str()) == 0);
  CHECK(std::system((env_i + shell_quote((by_us / "bin/pipcmp-script").string())).c_str()) == 0);
  CHECK_THAT(run_capture(env_i + shell_quote((by_us / "bin/pip").string()) + " --version"),
             Catch::Contains(by_us.string()));
}

TEST_CASE("installer timing for 20 small wheels", "[pkg_fs][installer][.perf]") {
  Env env;
  std::vector<fs::path> paths;
  for (int i = 0; i < 20; ++i) {
    WheelSpec s;
    s.name = "pkg" + std::to_string(i);
    for (int k = 0; k < 10; ++k) s.files.push_back({s.name + "/m" + std::to_string(k) + ".py", std::string(2000, 'x')});
    s.entry_points = "[console_scripts]\n" + s.name + " = " + s.name + ".m0:main\n";
    paths.push_back(write_wheel(env.wheels, s));
  }
  // Wall time depends on the disk and the machine's load; CPU time (user + system) less so.
  auto cpu_ms = [] {
    struct rusage ru {};
    ::getrusage(RUSAGE_SELF, &ru);
    auto ms = [](const timeval& t) { return t.tv_sec * 1000.0 + t.tv_usec / 1000.0; };
    return ms(ru.ru_utime) + ms(ru.ru_stime);
  };
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = cpu_ms();
  auto done = env.install_all(paths);
  const auto t1 = std::chrono::steady_clock::now();
  const double c1 = cpu_ms();
  REQUIRE(done);
  auto listed = env.installed();
  const auto t2 = std::chrono::steady_clock::now();
  const double c2 = cpu_ms();
  for (const auto& d : listed) REQUIRE(pkg_fs::uninstall(d, env.prefix));
  const auto t3 = std::chrono::steady_clock::now();
  const double c3 = cpu_ms();
  auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  WARN("install 20 wheels of 10 modules (340 files written): " << ms(t0, t1) << " ms (cpu " << c1 - c0 << " ms); list_installed: "
                                         << ms(t1, t2) << " ms (cpu " << c2 - c1 << " ms); uninstall all: "
                                         << ms(t2, t3) << " ms (cpu " << c3 - c2 << " ms)");
}
