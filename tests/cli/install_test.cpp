// `tufget install` end to end (cli/install_cmd.cpp, cli/install_provider.cpp, pkg_fs/installer):
// the real binary against `tufget index serve` over loopback, installing into virtual
// environments made with `python3 -m venv --without-pip`. One index, holding every project these
// tests use, is built and served once for the whole run; each test has its own client folders
// (XDG_CACHE_HOME, XDG_CONFIG_HOME) and its own venv.
#include <catch2/catch.hpp>

#include "install_fixture.h"

using namespace install_test;
using warehouse_test::Warehouse;

namespace {

const std::string kSampleOutput = "Call your main application code here\n";

// ---- the projects ----------------------------------------------------------------------------------

// Like PyPA's sampleproject: a package, package data, a data file, a console script, one
// dependency and extras whose dependencies the index does not have.
WheelSpec sampleproject() {
  WheelSpec w("sampleproject", "4.0.0");
  w.requires_python = ">=3.7";
  w.provides_extra = {"dev", "test"};
  w.depends("peppercorn").depends("check-manifest; extra == \"dev\"").depends("coverage; extra == \"test\"");
  w.file("sample/__init__.py",
         "def main():\n    \"\"\"Entry point for the application script\"\"\"\n"
         "    print(\"Call your main application code here\")\n")
      .file("sample/simple.py", "def add_one(number):\n    return number + 1\n")
      .file("sample/package_data.dat", "some data\n")
      .data_file("data", "my_data/data_file", "some data\n")
      .script("sample", "sample:main");
  return w;
}

WheelSpec peppercorn() {
  WheelSpec w("peppercorn", "0.6");
  w.file("peppercorn/__init__.py", "VERSION = '0.6'\n\ndef parse(fields):\n    return dict(fields)\n");
  return w;
}

// For the comparison with pip: everything the installer rewrites or maps.
WheelSpec cmpproj() {
  WheelSpec w("cmp-proj", "1.0");
  w.file("cmpproj/__init__.py", "def main():\n    print('cmpproj main')\n")
      .file("cmpproj/tool.sh", "#!/bin/sh\necho tool\n", 0755)
      .file("cmpproj/data.txt", "data\n")
      .file("cmpproj_top.py", "X = 1\n")
      .data_file("scripts", "cmpproj-run", "#!python\nimport cmpproj\ncmpproj.main()\n", 0755)
      .data_file("scripts", "plain.sh", "#!/bin/sh\necho plain\n", 0755)
      .data_file("purelib", "cmpproj_extra.py", "EXTRA = True\n")
      .data_file("data", "share/cmpproj/readme.txt", "readme\n")
      .script("cmpproj-cli", "cmpproj:main");
  return w;
}
WheelSpec cmpheaders() {
  WheelSpec w("cmpheaders", "1.0");
  w.file("cmpheaders/__init__.py", "")
      .data_file("headers", "cmpheaders.h", "#define CMPHEADERS 1\n")
      .data_file("data", "etc/cmpheaders.conf", "x = 1\n");
  return w;
}

WheelSpec lib(const std::string& version) {
  WheelSpec w("lib", version);
  w.file("lib/__init__.py", "VERSION = '" + version + "'\n").file("lib/a.py", "A = '" + version + "'\n");
  if (version == "1.0") w.file("lib/b.py", "B = 1\n");
  else w.file("lib/c.py", "C = 2\n");
  return w;
}

WheelSpec simple(const std::string& name, const std::string& version = "1.0") {
  WheelSpec w(name, version);
  w.file(name + "/__init__.py", "NAME = '" + name + "'\n");
  return w;
}

WheelSpec tampered(const std::string& init) {
  WheelSpec w("tampered", "1.0");
  w.file("tampered/__init__.py", init);
  return w;
}

// A wheel that installs `member` (listed in RECORD with its right hash).
WheelSpec escaping(const std::string& name, const std::string& member) {
  WheelSpec w = simple(name);
  w.file(member, "raise SystemExit('escaped')\n");
  return w;
}

// Every project of the shared index.
struct Shelf {
  Warehouse w;
  std::map<std::string, fs::path> wheels;  // by project
  fs::path abs_evil = w.tmp.path / "evil_abs.py";
  bool debian_wheels = false;

  Shelf() {
    std::vector<fs::path> files;
    auto add = [&](const WheelSpec& spec) {
      const fs::path p = spec.write_to(w.wheels);
      wheels[spec.name + "-" + spec.version] = p;
      files.push_back(p);
    };
    add(sampleproject());
    add(peppercorn());
    add(cmpproj());
    add(cmpheaders());
    add(lib("1.0"));
    add(lib("2.0"));
    add(simple("app").depends("lib<2"));
    WheelSpec proj = simple("proj");
    proj.provides_extra = {"fast"};
    proj.depends("winonly; sys_platform == \"win32\"")
        .depends("newpy; python_version >= \"3.0\"")
        .depends("oldpy; python_version < \"3\"")
        .depends("extradep; extra == \"fast\"");
    add(proj);
    for (const char* name : {"winonly", "newpy", "extradep"}) add(simple(name));
    add(tampered("GOOD = 1\n"));
    WheelSpec liar = simple("liar");
    liar.file("liar/core.py", "SAFE = True\n");
    liar.record_lies["liar/core.py"] = "SAFE = Nope\n";  // the same size: only the hash differs
    add(liar);
    WheelSpec liarmeta = simple("liarmeta");  // its METADATA (and so its .metadata) says 2.0
    liarmeta.metadata_version = "2.0";
    add(liarmeta);
    const fs::path sdist = w.wheels / "sdistonly-1.0.tar.gz";
    write(sdist, "an sdist tufget will not build");
    files.push_back(sdist);
    for (const char* project : {"pip", "setuptools"}) {
      if (auto wheel = debian_wheel(project)) {
        files.push_back(*wheel);
        wheels[project] = *wheel;
      }
    }
    debian_wheels = wheels.count("pip") && wheels.count("setuptools");
    w.add(files);
    // Members that leave their directory, each in a batch of its own (the index may refuse).
    for (const WheelSpec& spec : escapes()) {
      const fs::path p = spec.write_to(w.wheels);
      const auto r = warehouse_test::run({"index", "add", w.index.string(), p.string()});
      INFO(r.output);
      CHECK(r.status == 0);
    }
    w.publish();
    // The server's copy becomes another wheel, valid in itself (its RECORD matches), of the same
    // size: only the verified page's sha256 tells them apart.
    write(w.package(wheels.at("tampered-1.0")), tampered("EVIL = 1\n").bytes());
    w.serve();
  }

  std::vector<WheelSpec> escapes() const {
    return {escaping("escape-rel", "../../evil.py"),              // VENV/lib/evil.py
            escaping("escape-out", "../../../../evil_out.py"),    // the client's folder
            escaping("escape-abs", abs_evil.string()),            // an absolute path
            escaping("escape-data", "escape_data-1.0.data/scripts/../../evil_data")};
  }
};

Shelf& shelf() {
  static Shelf s;
  return s;
}

// A client of the shared index: its own XDG folders and a venv path, in one temporary folder.
struct Client {
  Shelf& s = shelf();
  TempDir tmp;
  fs::path venv = tmp.path / "venv";

  std::map<std::string, std::string> env() const { return client_env(tmp.path); }
  // tufget install ARGS --python PYTHON --index-url URL --root 1.root.json
  Proc install(const std::vector<std::string>& args, const fs::path& python = {}) const {
    std::vector<std::string> argv = {TUFGET_BINARY, "install"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--python", (python.empty() ? venv : python).string(), "--index-url",
                             s.w.index_url(), "--root", s.w.root_v1().string()});
    return run_process(argv, env());
  }
  // Everything the client has but its cache and configuration.
  Tree everything() const { return snapshot(tmp.path, {"cache", "config"}); }
  fs::path site() const { return site_packages(venv); }
  Proc python(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {(venv / "bin" / "python").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, env());
  }
};

std::vector<std::string> names(std::initializer_list<const char*> list) {
  return {list.begin(), list.end()};
}

// `tufget install ARGS` must fail with exit status 1 and say each of `messages` on stderr.
void expect_refused(const Client& c, const std::vector<std::string>& args,
                    const std::vector<std::string>& messages, const fs::path& python = {}) {
  const Proc r = c.install(args, python);
  INFO(r.all());
  CHECK(r.status == 1);
  for (const auto& m : messages) {
    INFO(m);
    CHECK(r.err.find(m) != std::string::npos);
  }
}

// Checks RECORD of `dist_info` (in `site`) row by row against the files; returns the recorded
// paths relative to `root`.
std::set<std::string> check_record(const fs::path& site, const std::string& dist_info, const fs::path& root) {
  std::set<std::string> recorded;
  const auto rows = parse_record(read(site / dist_info / "RECORD"));
  bool has_self = false;
  for (const auto& row : rows) {
    INFO(dist_info << ": " << row.path);
    const fs::path p = (site / row.path).lexically_normal();
    recorded.insert(p.lexically_relative(root).generic_string());
    if (row.path == dist_info + "/RECORD") {
      has_self = true;
      CHECK(row.hash.empty());
      CHECK(row.size.empty());
      continue;
    }
    REQUIRE(fs::is_regular_file(p));
    CHECK(row.hash == record_hash(read(p)));
    CHECK(row.size == std::to_string(fs::file_size(p)));
  }
  CHECK(has_self);
  return recorded;
}

}  // namespace

TEST_CASE("install puts a project and its dependency into a fresh venv, RECORD lists every file",
          "[cli][install]") {
  Client c;
  make_venv(c.venv);
  const Tree before = snapshot(c.venv);
  const Proc r = c.install({"sampleproject"});
  INFO(r.all());
  REQUIRE(r.status == 0);
  CHECK(r.out.find("Installed peppercorn-0.6 sampleproject-4.0.0\n") != std::string::npos);
  const Tree after = snapshot(c.venv);

  const fs::path site = c.site();
  REQUIRE(dist_infos(site) == names({"peppercorn-0.6.dist-info", "sampleproject-4.0.0.dist-info"}));
  for (const auto& di : dist_infos(site)) {
    INFO(di);
    CHECK(contents(site / di / "INSTALLER") == "tufget\n");
    CHECK(contents(site / di / "METADATA") ==
          (di.starts_with("sample") ? sampleproject() : peppercorn()).metadata());
  }
  CHECK(fs::exists(site / "sampleproject-4.0.0.dist-info" / "REQUESTED"));
  CHECK_FALSE(fs::exists(site / "peppercorn-0.6.dist-info" / "REQUESTED"));

  // Every new file in the venv is in one of the two RECORDs, and every row matches its file.
  std::set<std::string> recorded = check_record(site, "sampleproject-4.0.0.dist-info", c.venv);
  recorded.merge(check_record(site, "peppercorn-0.6.dist-info", c.venv));
  CHECK(recorded == new_files(before, after));
  const std::string site_rel = site.lexically_relative(c.venv).generic_string();
  for (const std::string& path : std::vector<std::string>{"bin/sample", "my_data/data_file", site_rel + "/sample/package_data.dat",
                                 site_rel + "/peppercorn/__init__.py"}) {
    INFO(path);
    CHECK(recorded.count(path) == 1);
  }
  CHECK(contents(c.venv / "my_data" / "data_file") == "some data\n");

  // The launcher runs the venv's interpreter, and the packages import.
  const std::string launcher = contents(c.venv / "bin" / "sample");
  CHECK(launcher.rfind("#!" + (c.venv / "bin" / "python").string() + "\n", 0) == 0);
  CHECK((after.count("bin/sample") && (after.at("bin/sample").mode & 0111) == 0111));
  const Proc imported = c.python({"-c", "import sample, sample.simple, peppercorn; "
                                        "print(sample.simple.add_one(41), peppercorn.VERSION)"});
  INFO(imported.all());
  CHECK(imported.status == 0);
  CHECK(imported.out == "42 0.6\n");
  const Proc script = run_process({(c.venv / "bin" / "sample").string()}, c.env());
  INFO(script.all());
  CHECK(script.status == 0);
  CHECK(script.out == kSampleOutput);
}

TEST_CASE("Debian's pip and setuptools wheels install into a venv made without pip", "[cli][install]") {
  if (!shelf().debian_wheels) {
    WARN("no pip/setuptools wheels in /usr/share/python-wheels: skipping");
    return;
  }
  Client c;
  make_venv(c.venv);
  const Proc r = c.install({"pip", "setuptools"});
  INFO(r.all());
  REQUIRE(r.status == 0);
  const std::map<std::string, std::string> quiet_pip = {{"PIP_DISABLE_PIP_VERSION_CHECK", "1"},
                                                        {"PIP_CONFIG_FILE", "/dev/null"}};
  const Proc version = run_process({(c.venv / "bin" / "python").string(), "-m", "pip", "--version"}, quiet_pip);
  INFO(version.all());
  CHECK(version.status == 0);
  CHECK(version.out.find("from " + (c.site() / "pip").string() + " ") != std::string::npos);
  // pip's own launcher (from its entry points) and setuptools' modules work as well.
  const Proc launcher = run_process({(c.venv / "bin" / "pip").string(), "--version"}, quiet_pip);
  INFO(launcher.all());
  CHECK(launcher.status == 0);
  CHECK(launcher.out.find(c.site().string()) != std::string::npos);
  const Proc setuptools = c.python({"-W", "ignore", "-c", "import setuptools, pkg_resources"});
  INFO(setuptools.all());
  CHECK(setuptools.status == 0);
}

TEST_CASE("tufget install writes what pip install writes from the same wheel", "[cli][install]") {
  const auto pip_wheel = debian_wheel("pip");
  if (!pip_wheel) {
    WARN("no pip wheel in /usr/share/python-wheels: skipping the comparison with pip");
    return;
  }
  Client c;
  // Both installs go to the same path, one after the other, so that shebangs agree.
  const fs::path venv = c.venv;
  auto compare = [&](const WheelSpec& spec) {
    const fs::path links = c.tmp.path / "links";
    fs::create_directories(links);
    spec.write_to(links);
    REQUIRE(read(links / spec.filename()) == read(c.s.wheels.at(spec.name + "-" + spec.version)));

    // A: pip, run from its wheel by the venv's interpreter (installs into the venv).
    make_venv(venv);
    const Tree a0 = snapshot(venv);
    const Proc pip = run_process({(venv / "bin" / "python").string(), (*pip_wheel / "pip").string(),
                                  "install", "--no-deps", "--no-index", "--no-compile", "--find-links",
                                  links.string(), spec.name},
                                 {{"PIP_DISABLE_PIP_VERSION_CHECK", "1"}, {"PIP_CONFIG_FILE", "/dev/null"},
                                  {"PIP_NO_CACHE_DIR", "1"}, {"HOME", c.tmp.path.string()}});
    INFO(pip.all());
    REQUIRE(pip.status == 0);
    const Tree a1 = snapshot(venv);
    // pip keeps the wheel's RECORD rows and hashes what it writes itself: this also checks the
    // fixture's wheels and its hash encoding.
    check_record(site_packages(venv), spec.dist_info(), venv);
    fs::remove_all(venv);

    // B: tufget.
    make_venv(venv);
    const Tree b0 = snapshot(venv);
    const Proc r = c.install({spec.name, "--no-deps"});
    INFO(r.all());
    REQUIRE(r.status == 0);
    const Tree b1 = snapshot(venv);

    auto installed = [](const Tree& before, const Tree& after) {
      Tree out;
      for (const auto& path : new_files(before, after)) {
        if (path.find("__pycache__") == std::string::npos) out[path] = after.at(path);
      }
      return out;
    };
    const Tree by_pip = installed(a0, a1);
    const Tree by_tufget = installed(b0, b1);
    std::vector<std::string> pip_paths, tufget_paths;
    for (const auto& [p, n] : by_pip) pip_paths.push_back(p);
    for (const auto& [p, n] : by_tufget) tufget_paths.push_back(p);
    REQUIRE(pip_paths == tufget_paths);

    const std::string site_rel = site_packages(venv).lexically_relative(venv).generic_string();
    const std::string info = site_rel + "/" + spec.dist_info() + "/";
    std::set<std::string> launchers;
    for (const auto& [name, ref] : spec.console_scripts) launchers.insert("bin/" + name);
    for (const auto& [path, node] : by_pip) {
      INFO(path);
      const Node& mine = by_tufget.at(path);
      CHECK(mine.type == node.type);
      CHECK((mine.mode & 0111) == (node.mode & 0111));  // the same files are executable
      if (launchers.count(path) || path == info + "INSTALLER" || path == info + "RECORD") continue;
      CHECK(mine.bytes == node.bytes);
    }
    CHECK(by_pip.at(info + "INSTALLER").bytes == "pip\n");
    CHECK(by_tufget.at(info + "INSTALLER").bytes == "tufget\n");

    // RECORD: the same rows in the same order; INSTALLER's and the launchers' hash and size
    // are the only ones allowed to differ.
    auto comparable = [&](std::vector<RecordRow> rows) {
      for (auto& row : rows) {
        if (row.path == spec.dist_info() + "/INSTALLER" ||
            launchers.count((site_packages(venv) / row.path).lexically_normal().lexically_relative(venv).generic_string())) {
          row.hash = row.size = "(differs)";
        }
      }
      return rows;
    };
    const auto pip_rows = parse_record(by_pip.at(info + "RECORD").bytes);
    const auto tufget_rows = parse_record(by_tufget.at(info + "RECORD").bytes);
    CHECK(pip_rows.size() > spec.members.size());
    CHECK(comparable(pip_rows) == comparable(tufget_rows));
  };

  SECTION("a package, a console script, .data scripts (#!python and other), purelib and data") {
    compare(cmpproj());
  }
  SECTION(".data headers and data") { compare(cmpheaders()); }
}

TEST_CASE("a tampered wheel, a lying RECORD and an escaping member are refused, nothing is written",
          "[cli][install]") {
  Client c;
  make_venv(c.venv);
  const Tree before = c.everything();

  SECTION("the served wheel is not the one the verified page describes") {
    expect_refused(c, {"sampleproject", "tampered"}, {"tampered-1.0-py3-none-any.whl", "sha256"});
  }
  SECTION("RECORD gives another hash for a member") {
    expect_refused(c, {"peppercorn", "liar"}, {"liar-1.0-py3-none-any.whl", "liar/core.py"});
  }
  SECTION("metadata that describes another version than the file") {
    expect_refused(c, {"liarmeta"}, {"liarmeta-1.0-py3-none-any.whl", "its metadata names liarmeta 2.0, not liarmeta 1.0"});
  }
  SECTION("a member leaves its directory") {
    for (const WheelSpec& spec : c.s.escapes()) {
      INFO(spec.name);
      expect_refused(c, {"peppercorn", spec.name}, {spec.members.back().path});
    }
    CHECK_FALSE(fs::exists(c.venv / "lib" / "evil.py"));
    CHECK_FALSE(fs::exists(c.tmp.path / "evil_out.py"));
    CHECK_FALSE(fs::exists(c.tmp.path / "evil_data"));
    CHECK_FALSE(fs::exists(c.s.abs_evil));
  }
  CHECK(tree_diff(before, c.everything()) == "");
  CHECK(dist_infos(c.site()).empty());
}

TEST_CASE("a resolution conflict is reported as no solution and installs nothing", "[cli][install]") {
  Client c;
  make_venv(c.venv);
  const Tree before = snapshot(c.venv);
  expect_refused(c, {"app", "lib==2.0"}, {"tufget: error: no solution:", "app", "lib<2", "lib==2.0"});
  CHECK(tree_diff(before, snapshot(c.venv)) == "");
  // Each alone is fine (the index is not the problem).
  CHECK(c.install({"app", "--dry-run"}).status == 0);
  CHECK(c.install({"lib==2.0", "--dry-run"}).status == 0);
}

TEST_CASE("environment markers and extras choose the dependencies", "[cli][install]") {
  Client c;
  make_venv(c.venv);
  SECTION("no extra: the marker for this Python holds, the ones for Windows and Python 2 do not") {
    const Proc r = c.install({"proj"});
    INFO(r.all());
    REQUIRE(r.status == 0);
    CHECK(r.out.find("Installed newpy-1.0 proj-1.0\n") != std::string::npos);
    CHECK(dist_infos(c.site()) == names({"newpy-1.0.dist-info", "proj-1.0.dist-info"}));
  }
  SECTION("with the extra") {
    const Proc r = c.install({"proj[fast]"});
    INFO(r.all());
    REQUIRE(r.status == 0);
    CHECK(r.out.find("Installed extradep-1.0 newpy-1.0 proj-1.0\n") != std::string::npos);
    CHECK(dist_infos(c.site()) ==
          names({"extradep-1.0.dist-info", "newpy-1.0.dist-info", "proj-1.0.dist-info"}));
  }
}

TEST_CASE("an installed version is kept when it satisfies, and replaced by an upgrade", "[cli][install]") {
  Client c;
  make_venv(c.venv);
  const Proc first = c.install({"lib==1.0"});
  INFO(first.all());
  REQUIRE(first.status == 0);
  const fs::path pkg = c.site() / "lib";
  REQUIRE(fs::exists(pkg / "a.py"));
  REQUIRE(fs::exists(pkg / "b.py"));

  SECTION("already satisfied: nothing changes") {
    const Tree before = snapshot(c.venv);
    const Proc r = c.install({"lib"});
    INFO(r.all());
    CHECK(r.status == 0);
    CHECK(r.out.find("Requirement already satisfied: lib") != std::string::npos);
    CHECK(r.out.find("Nothing to install") != std::string::npos);
    CHECK(tree_diff(before, snapshot(c.venv)) == "");
  }
  for (const auto& args : {std::vector<std::string>{"lib==2.0"}, std::vector<std::string>{"-U", "lib"}}) {
    DYNAMIC_SECTION("upgrade with " << args.front()) {
      const Proc r = c.install(args);
      INFO(r.all());
      REQUIRE(r.status == 0);
      CHECK(r.out.find("Installed lib-2.0") != std::string::npos);
      CHECK_FALSE(fs::exists(pkg / "b.py"));
      CHECK(contents(pkg / "c.py") == "C = 2\n");
      CHECK(contents(pkg / "a.py") == "A = '2.0'\n");
      CHECK(dist_infos(c.site()) == names({"lib-2.0.dist-info"}));
      const Proc v = c.python({"-c", "import lib, lib.a, lib.c; print(lib.VERSION, lib.a.A)"});
      INFO(v.all());
      CHECK(v.out == "2.0 2.0\n");
    }
  }
}

TEST_CASE("install refuses sdist-only projects and supports dry runs, reports, -r files and --target",
          "[cli][install]") {
  Client c;
  make_venv(c.venv);
  const Tree before = snapshot(c.venv);

  SECTION("a project with only a source distribution") {
    expect_refused(c, {"sdistonly"}, {"sdistonly", "source distribution", "wheels only"});
    CHECK(tree_diff(before, snapshot(c.venv)) == "");
  }
  SECTION("--dry-run") {
    const Proc r = c.install({"--dry-run", "sampleproject"});
    INFO(r.all());
    CHECK(r.status == 0);
    CHECK(r.out.find("Would install peppercorn-0.6 sampleproject-4.0.0\n") != std::string::npos);
    CHECK(tree_diff(before, snapshot(c.venv)) == "");
  }
  SECTION("--report - writes JSON, and only JSON, to stdout") {
    const Proc r = c.install({"--report", "-", "sampleproject"});
    INFO(r.all());
    REQUIRE(r.status == 0);
    simdjson::dom::parser parser;
    simdjson::dom::object report;
    REQUIRE(parser.parse(r.out).get(report) == simdjson::SUCCESS);
    CHECK(report["version"].get_string().value() == "1");
    simdjson::dom::array installs;
    REQUIRE(report["install"].get(installs) == simdjson::SUCCESS);
    std::map<std::string, bool> requested;
    for (simdjson::dom::element item : installs) {
      const std::string name(item.at_pointer("/metadata/name").get_string().value());
      const std::string version(item.at_pointer("/metadata/version").get_string().value());
      INFO(name);
      requested[name] = item["requested"].get_bool().value();
      const fs::path wheel = c.s.wheels.at(name + "-" + version);
      CHECK(item.at_pointer("/download_info/archive_info/hashes/sha256").get_string().value() ==
            sha256_hex(read(wheel)));
      std::string_view url;
      REQUIRE(item.at_pointer("/download_info/url").get(url) == simdjson::SUCCESS);
      CHECK(url.ends_with("/" + wheel.filename().string()));
      CHECK(item["is_direct"].get_bool().value() == false);
      simdjson::dom::array protections;
      REQUIRE(item.at_pointer("/tufget/protections").get(protections) == simdjson::SUCCESS);
      CHECK(protections.size() > 0);
    }
    CHECK(requested == std::map<std::string, bool>{{"peppercorn", false}, {"sampleproject", true}});
    CHECK(r.out.find("Installed") == std::string::npos);
    std::vector<std::string> requires_dist;
    for (simdjson::dom::element item : installs) {
      if (item.at_pointer("/metadata/name").get_string().value() != "sampleproject") continue;
      simdjson::dom::array list;
      REQUIRE(item.at_pointer("/metadata/requires_dist").get(list) == simdjson::SUCCESS);
      for (simdjson::dom::element req : list) requires_dist.emplace_back(req.get_string().value());
    }
    CHECK(requires_dist == sampleproject().requires_dist);
    CHECK(report.at_pointer("/environment/python_version").get_string().value().starts_with("3."));
    CHECK(dist_infos(c.site()) == names({"peppercorn-0.6.dist-info", "sampleproject-4.0.0.dist-info"}));
  }
  SECTION("-r with two requirements") {
    const fs::path reqs = c.tmp.path / "requirements.txt";
    write(reqs, "# two projects\nlib==1.0\nnewpy  # no version\n");
    const Proc r = c.install({"-r", reqs.string()});
    INFO(r.all());
    CHECK(r.status == 0);
    CHECK(r.out.find("Installed lib-1.0 newpy-1.0\n") != std::string::npos);
    CHECK(dist_infos(c.site()) == names({"lib-1.0.dist-info", "newpy-1.0.dist-info"}));
  }
  SECTION("--target DIR") {
    const fs::path target = c.tmp.path / "target";
    const Proc r = c.install({"sampleproject", "--target", target.string()});
    INFO(r.all());
    CHECK(r.status == 0);
    CHECK(tree_diff(before, snapshot(c.venv)) == "");
    CHECK(dist_infos(target) == names({"peppercorn-0.6.dist-info", "sampleproject-4.0.0.dist-info"}));
    CHECK(fs::exists(target / "sample" / "__init__.py"));
    CHECK(fs::exists(target / "peppercorn" / "__init__.py"));
    CHECK(fs::exists(target / "bin" / "sample"));
    check_record(target, "sampleproject-4.0.0.dist-info", target);
    const Proc script = run_process({(c.venv / "bin" / "python").string(), "-c", "import sample; sample.main()"},
                                    {{"PYTHONPATH", target.string()}});
    INFO(script.all());
    CHECK(script.out == kSampleOutput);
  }
}

TEST_CASE("an EXTERNALLY-MANAGED interpreter is refused without --break-system-packages",
          "[cli][install]") {
  Client c;
  const fs::path prefix = c.tmp.path / "system";
  const std::string message = "This Python belongs to the tufget test suite.";
  const auto python = externally_managed_python(prefix, message);
  if (!python) {
    WARN("cannot make a Python outside a venv with its own stdlib here: skipping");
    return;
  }
  // Its scheme must be inside `prefix`, or the install below would change the system.
  const Proc paths = run_process({python->string(), "-I", "-c",
                                  "import sysconfig; p = sysconfig.get_paths(); "
                                  "print(p['purelib']); print(p['scripts'])"});
  INFO(paths.all());
  REQUIRE(paths.status == 0);
  std::istringstream lines(paths.out);
  std::string purelib, scripts;
  std::getline(lines, purelib);
  std::getline(lines, scripts);
  REQUIRE(purelib.rfind(prefix.string() + "/", 0) == 0);
  REQUIRE(scripts.rfind(prefix.string() + "/", 0) == 0);

  const Tree before = snapshot(prefix);
  expect_refused(c, {"lib==1.0"}, {message, "--break-system-packages", "venv"}, *python);
  CHECK(tree_diff(before, snapshot(prefix)) == "");

  const Proc allowed = c.install({"lib==1.0", "--break-system-packages"}, *python);
  INFO(allowed.all());
  CHECK(allowed.status == 0);
  CHECK(fs::exists(fs::path(purelib) / "lib" / "b.py"));
  CHECK(dist_infos(purelib) == names({"lib-1.0.dist-info"}));
}
