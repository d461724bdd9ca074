// Hash-pinned, reproducible installs end to end (cli/hash_mode.cpp, cli/lock_cmd.cpp,
// cli/page_source.cpp): the real binary against `tufget index serve` over loopback, into venvs
// made with `python3 -m venv --without-pip`. Hash-checking mode with pip's and peep's formats,
// the mismatch and missing-hash reports, pins composed with TUF and pins alone (an index with
// no pinned root, a local wheelhouse), `tufget lock`, installing a lock after the index moved
// on, `tufget bootstrap`, and keeping what was installed from the pinned file.
#include <catch2/catch.hpp>

#include "install_fixture.h"
#include "pkg/requirements_file.h"

using namespace install_test;
using warehouse_test::Warehouse;

namespace {

WheelSpec simple(const std::string& name, const std::string& version = "1.0") {
  WheelSpec w(name, version);
  w.file(name + "/__init__.py", "NAME = '" + name + "'\nVERSION = '" + version + "'\n");
  return w;
}

WheelSpec sampleproject() {
  WheelSpec w("sampleproject", "4.0.0");
  w.depends("peppercorn");
  w.file("sample/__init__.py", "def main():\n    print('Call your main application code here')\n")
      .script("sample", "sample:main");
  return w;
}
WheelSpec peppercorn(const std::string& body = "VERSION = '0.6'\n") {
  WheelSpec w("peppercorn", "0.6");
  w.file("peppercorn/__init__.py", body);
  return w;
}
// A stand-in for the `wheel` project (Debian ships no wheel of it): a package and its script.
WheelSpec wheel_project() {
  WheelSpec w("wheel", "0.38.4");
  w.file("wheel/__init__.py", "__version__ = '0.38.4'\n")
      .file("wheel/cli.py", "def main():\n    print('wheel 0.38.4')\n")
      .script("wheel", "wheel.cli:main");
  return w;
}

// The shared index: sampleproject -> peppercorn, a wheel the server alters after publishing,
// Debian's pip and setuptools wheels and the `wheel` stand-in.
struct Shelf {
  Warehouse w;
  std::map<std::string, fs::path> wheels;  // by file name
  std::map<std::string, std::string> sha;  // file name -> sha256 of the published file
  std::string evil_sha;                    // what the server sends for tampered-1.0
  bool debian_wheels = false;

  Shelf() {
    std::vector<fs::path> files;
    auto add = [&](const fs::path& p) {
      wheels[p.filename().string()] = p;
      sha[p.filename().string()] = sha256_hex(read(p));
      files.push_back(p);
    };
    add(sampleproject().write_to(w.wheels));
    add(peppercorn().write_to(w.wheels));
    add(simple("tampered").write_to(w.wheels));
    add(wheel_project().write_to(w.wheels));
    for (const char* project : {"pip", "setuptools"}) {
      if (auto wheel = debian_wheel(project)) add(*wheel);
    }
    debian_wheels = debian_wheel("pip") && debian_wheel("setuptools");
    w.add(files);
    w.publish();
    WheelSpec evil = simple("tampered");
    evil.members[0].data[0] ^= 1;  // one byte changed (the same size)
    const std::string evil_bytes = evil.bytes();
    write(w.package(wheels.at("tampered-1.0-py3-none-any.whl")), evil_bytes);
    evil_sha = sha256_hex(evil_bytes);
    w.serve();
  }
  std::string pin(const std::string& file) const { return "--hash=sha256:" + sha.at(file); }
};

Shelf& shelf() {
  static Shelf s;
  return s;
}

struct Client {
  Shelf& s = shelf();
  TempDir tmp;
  fs::path venv = tmp.path / "venv";

  std::map<std::string, std::string> env() const { return client_env(tmp.path); }
  Proc tufget(std::vector<std::string> args, bool with_root = true) const {
    args.insert(args.begin(), TUFGET_BINARY);
    if (with_root) args.insert(args.end(), {"--root", s.w.root_v1().string()});
    return run_process(args, env(), tmp.path);
  }
  // tufget install -r FILE --python VENV --index-url URL [--root 1.root.json] ARGS
  Proc install_file(const std::string& requirements, std::vector<std::string> args = {},
                    bool with_root = true) const {
    write(tmp.path / "req.txt", requirements);
    args.insert(args.begin(), {"install", "-r", (tmp.path / "req.txt").string(), "--python",
                               venv.string(), "--index-url", s.w.index_url()});
    return tufget(args, with_root);
  }
  Tree everything() const { return snapshot(tmp.path, {"cache", "config", "req.txt"}); }
  fs::path site() const { return site_packages(venv); }
};

std::string lines(std::initializer_list<std::string> items) {
  std::string out;
  for (const auto& i : items) out += i + "\n";
  return out;
}

// A tree without the byte-code caches Python writes when it runs (a reinstall drops them).
Tree without_pycache(Tree t) {
  std::erase_if(t, [](const auto& item) { return item.first.find("__pycache__") != std::string::npos; });
  return t;
}

const std::string kSample = "sampleproject-4.0.0-py3-none-any.whl";
const std::string kPepper = "peppercorn-0.6-py3-none-any.whl";
const std::string kTampered = "tampered-1.0-py3-none-any.whl";

}  // namespace

TEST_CASE("hash-checking mode installs pinned files from a TUF index and says which protections held",
          "[cli][hashpin]") {
  Client c;
  make_venv(c.venv);
  const Proc r = c.install_file(lines({"sampleproject==4.0.0 \\", "    " + c.s.pin(kSample),
                                       "peppercorn==0.6 " + c.s.pin(kPepper)}));
  INFO(r.all());
  REQUIRE(r.status == 0);
  CHECK(r.out.find("Installed peppercorn-0.6 sampleproject-4.0.0") != std::string::npos);
  CHECK(r.out.find("Verified by: TUF (") != std::string::npos);
  CHECK(r.out.find(" + hash pins") != std::string::npos);
  CHECK(dist_infos(c.site()) ==
        std::vector<std::string>{"peppercorn-0.6.dist-info", "sampleproject-4.0.0.dist-info"});
  // Both listed as requested: every line of a hash-checked file is the user's request.
  CHECK(fs::exists(c.site() / "peppercorn-0.6.dist-info" / "REQUESTED"));
}

TEST_CASE("a tampered wheel fails hash-checking mode with one report and changes nothing",
          "[cli][hashpin]") {
  Client c;
  make_venv(c.venv);
  const Tree before = c.everything();
  const std::string good = c.s.sha.at(kTampered);
  const std::string req = lines({"peppercorn==0.6 " + c.s.pin(kPepper), "tampered==1.0 " + c.s.pin(kTampered)});

  SECTION("from the TUF-enabled index: the pin and TUF both expected the signed file") {
    const Proc r = c.install_file(req);
    INFO(r.all());
    CHECK(r.status == 1);
    CHECK(r.err.find("These files do not match the hashes pinned for them") != std::string::npos);
    CHECK(r.err.find("tampered 1.0 (") != std::string::npos);
    CHECK(r.err.find("file:     " + kTampered) != std::string::npos);
    CHECK(r.err.find("expected: sha256:" + good) != std::string::npos);
    CHECK(r.err.find("got:      sha256:" + c.s.evil_sha) != std::string::npos);
    CHECK(r.err.find("the bytes served are not the file the index signed") != std::string::npos);
    CHECK(r.err.find("do not install them") != std::string::npos);
    CHECK(r.err.find("nothing was installed") != std::string::npos);
  }
  SECTION("from the same server used without TUF: the pins alone catch it") {
    const Proc r = c.install_file(req, {}, /*with_root=*/false);
    INFO(r.all());
    CHECK(r.status == 1);
    CHECK(r.err.find("hash pins alone protect") != std::string::npos);
    CHECK(r.err.find("expected: sha256:" + good) != std::string::npos);
    CHECK(r.err.find("got:      sha256:" + c.s.evil_sha) != std::string::npos);
  }
  SECTION("a pin that names other bytes than the index's file") {
    const Proc r = c.install_file(lines({"peppercorn==0.6 --hash=sha256:" + std::string(64, 'a')}));
    INFO(r.all());
    CHECK(r.status == 1);
    CHECK(r.err.find("expected: sha256:" + std::string(64, 'a')) != std::string::npos);
    CHECK(r.err.find("got:      sha256:" + c.s.sha.at(kPepper)) != std::string::npos);
    CHECK(r.err.find("the index now has another file than the one pinned") != std::string::npos);
  }
  CHECK(tree_diff(before, c.everything()) == "");
  CHECK(dist_infos(c.site()).empty());
}

TEST_CASE("missing hashes, missing dependencies and unpinned lines get paste-ready lines",
          "[cli][hashpin]") {
  Client c;
  make_venv(c.venv);
  const Tree before = c.everything();
  const std::string pepper_line = "peppercorn==0.6 " + c.s.pin(kPepper);
  const std::string sample_line = "sampleproject==4.0.0 " + c.s.pin(kSample);

  SECTION("a dependency that is not in the file is not pulled in") {
    const Proc r = c.install_file(lines({sample_line}));
    INFO(r.all());
    CHECK(r.status == 1);
    CHECK(r.err.find(pepper_line + "    # required by sampleproject 4.0.0") != std::string::npos);
    CHECK(tree_diff(before, c.everything()) == "");
    // The printed line, pasted into the file, completes it.
    const Proc again = c.install_file(lines({sample_line, pepper_line}));
    INFO(again.all());
    CHECK(again.status == 0);
  }
  SECTION("--no-deps: the file's own lines only, as pip does") {
    const Proc r = c.install_file(lines({sample_line}), {"--no-deps"});
    INFO(r.all());
    CHECK(r.status == 0);
    CHECK(dist_infos(c.site()) == std::vector<std::string>{"sampleproject-4.0.0.dist-info"});
  }
  SECTION("--require-hashes with a requirement that has no hash") {
    const Proc r = c.install_file(lines({"peppercorn==0.6"}), {"--require-hashes"});
    INFO(r.all());
    CHECK(r.status == 1);
    CHECK(r.err.find("every requirement needs a hash") != std::string::npos);
    CHECK(r.err.find(pepper_line) != std::string::npos);
    CHECK(tree_diff(before, c.everything()) == "");
  }
  SECTION("a line without a hash still has its dependencies named (from the TUF-verified wheel)") {
    const Proc r = c.install_file(lines({"sampleproject==4.0.0"}), {"--require-hashes"});
    INFO(r.all());
    CHECK(r.status == 1);
    CHECK(r.err.find(sample_line) != std::string::npos);
    CHECK(r.err.find(pepper_line + "    # required by sampleproject 4.0.0\n") != std::string::npos);
    CHECK(tree_diff(before, c.everything()) == "");
  }
  SECTION("--require-hashes in the file, and a line not pinned with ==") {
    const Proc r = c.install_file(lines({"--require-hashes", "peppercorn>=0.5"}));
    INFO(r.all());
    CHECK(r.status == 1);
    CHECK(r.err.find("must be pinned with ==") != std::string::npos);
    CHECK(r.err.find("peppercorn>=0.5") != std::string::npos);
    CHECK(r.err.find("peppercorn==0.6 " + c.s.pin(kPepper)) != std::string::npos);
    CHECK(tree_diff(before, c.everything()) == "");
  }
}

TEST_CASE("peep's comment format and a local wheelhouse work with pins alone", "[cli][hashpin]") {
  Client c;
  make_venv(c.venv);
  const fs::path house = c.tmp.path / "house";
  fs::create_directories(house);
  for (const auto& f : {kSample, kPepper}) fs::copy_file(c.s.wheels.at(f), house / f);
  auto peep = [&](const std::string& file) {
    // urlsafe base64 of the digest, no padding (record_hash writes the same alphabet)
    return "# sha256: " + record_hash(read(c.s.wheels.at(file))).substr(7);
  };
  const std::string req = lines({peep(kSample), "sampleproject==4.0.0", "", peep(kPepper), "peppercorn==0.6"});
  write(c.tmp.path / "peep.txt", req);

  SECTION("installed, and the output names the protection") {
    const Proc r = c.tufget({"install", "-r", (c.tmp.path / "peep.txt").string(), "--python",
                             c.venv.string(), "--find-links", house.string(), "--no-index"},
                            /*with_root=*/false);
    INFO(r.all());
    REQUIRE(r.status == 0);
    CHECK(r.out.find("Verified by: hash pins only (local wheelhouse") != std::string::npos);
    CHECK(dist_infos(c.site()).size() == 2);
  }
  SECTION("a wheelhouse without hash pins is refused") {
    const Proc r = c.tufget({"install", "sampleproject", "--python", c.venv.string(), "--find-links",
                             house.string(), "--no-index"},
                            false);
    INFO(r.all());
    CHECK(r.status == 2);
    CHECK(r.err.find("nothing would vouch for these files") != std::string::npos);
    CHECK(dist_infos(c.site()).empty());
  }
  SECTION("a wheelhouse file that differs from its pin is refused") {
    write(house / kPepper, peppercorn("VERSION = 'evil'\n").bytes());
    const Proc r = c.tufget({"install", "-r", (c.tmp.path / "peep.txt").string(), "--python",
                             c.venv.string(), "--find-links", house.string(), "--no-index"},
                            false);
    INFO(r.all());
    CHECK(r.status == 1);
    CHECK(r.err.find("peppercorn 0.6") != std::string::npos);
    CHECK(dist_infos(c.site()).empty());
  }
}

TEST_CASE("lock writes the same bytes twice, and installing it later gives the locked files",
          "[cli][hashpin][lock]") {
  // An index of its own: it publishes newer versions during the test.
  Warehouse w;
  TempDir tmp;
  const std::map<std::string, std::string> env = client_env(tmp.path);
  WheelSpec app = simple("lockapp");
  app.depends("lockdep>=1");
  WheelSpec linux_wheel = simple("platdep"), windows_wheel = simple("platdep");
  linux_wheel.tag = "cp311-cp311-manylinux_2_17_x86_64";
  windows_wheel.tag = "cp311-cp311-win_amd64";
  w.add({app.write_to(w.wheels), simple("lockdep").write_to(w.wheels),
         linux_wheel.write_to(w.wheels), windows_wheel.write_to(w.wheels)});
  w.publish();
  w.serve();
  write(tmp.path / "in.txt", "lockapp\n");
  auto tufget = [&](std::vector<std::string> args) {
    args.insert(args.begin(), TUFGET_BINARY);
    args.insert(args.end(), {"--index-url", w.index_url(), "--root", w.root_v1().string()});
    return run_process(args, env, tmp.path);
  };
  const Proc a = tufget({"lock", "-r", "in.txt", "-o", "a.lock", "--python-version", "3.11"});
  INFO(a.all());
  REQUIRE(a.status == 0);
  const Proc b = tufget({"lock", "-r", "in.txt", "-o", "a.lock", "--python-version", "3.11"});
  REQUIRE(b.status == 0);
  const std::string first = read(tmp.path / "a.lock");
  fs::rename(tmp.path / "a.lock", tmp.path / "b.lock");
  REQUIRE(tufget({"lock", "-r", "in.txt", "-o", "a.lock", "--python-version", "3.11"}).status == 0);
  CHECK(read(tmp.path / "a.lock") == read(tmp.path / "b.lock"));
  INFO(first);
  const std::string dep_sha = sha256_hex(simple("lockdep").bytes());
  CHECK(first.find("lockdep==1.0 \\\n    --hash=sha256:" + dep_sha + "\n    # via lockapp\n") !=
        std::string::npos);
  CHECK(first.find("lockapp==1.0 \\\n") != std::string::npos);
  CHECK(first.find("# via -r in.txt") != std::string::npos);
  CHECK(first.find("--index-url " + w.index_url()) != std::string::npos);

  // Every wheel of the locked version that suits the target is hashed, and only those.
  const std::string linux_sha = sha256_hex(linux_wheel.bytes()), windows_sha = sha256_hex(windows_wheel.bytes());
  auto lock_for = [&](std::vector<std::string> platforms) {
    std::vector<std::string> args = {"lock", "platdep", "--python-version", "3.11"};
    for (const auto& p : platforms) args.insert(args.end(), {"--platform", p});
    const Proc p = tufget(args);
    INFO(p.all());
    CHECK(p.status == 0);
    return p.out;
  };
  const std::string for_linux = lock_for({"manylinux_2_17_x86_64"});
  CHECK(for_linux.find(linux_sha) != std::string::npos);
  CHECK(for_linux.find(windows_sha) == std::string::npos);
  const std::string for_windows = lock_for({"win_amd64"});
  CHECK(for_windows.find(windows_sha) != std::string::npos);
  CHECK(for_windows.find(linux_sha) == std::string::npos);
  const std::string for_both = lock_for({"manylinux_2_17_x86_64", "win_amd64"});
  CHECK(for_both.find("platdep==1.0 \\\n    --hash=sha256:" + std::min(linux_sha, windows_sha) +
                      " \\\n    --hash=sha256:" + std::max(linux_sha, windows_sha) + "\n") !=
        std::string::npos);

  // The index moves on; the lock still installs what it locked, byte for byte.
  const fs::path venv = tmp.path / "venv";
  make_venv(venv);
  WheelSpec app2 = simple("lockapp", "2.0");
  app2.depends("lockdep>=1");
  w.add({app2.write_to(w.wheels), simple("lockdep", "1.1").write_to(w.wheels)});
  w.publish();
  const Proc plain = tufget({"install", "lockapp", "--python", venv.string(), "--dry-run"});
  CHECK(plain.out.find("Would install lockapp-2.0 lockdep-1.1") != std::string::npos);
  const Proc r = tufget({"install", "-r", "b.lock", "--python", venv.string()});
  INFO(r.all());
  REQUIRE(r.status == 0);
  CHECK(dist_infos(site_packages(venv)) ==
        std::vector<std::string>{"lockapp-1.0.dist-info", "lockdep-1.0.dist-info"});
  CHECK(read(site_packages(venv) / "lockdep" / "__init__.py") == "NAME = 'lockdep'\nVERSION = '1.0'\n");
}

TEST_CASE("bootstrap puts pinned pip, setuptools and wheel into a bare venv, the same on every run",
          "[cli][hashpin][bootstrap]") {
  Client c;
  if (!c.s.debian_wheels) {
    WARN("python3-pip-whl / python3-setuptools-whl are not installed: scripts/deps.sh installs them");
    return;
  }
  make_venv(c.venv);
  const Proc lock = c.tufget({"lock", "pip", "setuptools", "wheel", "-o", "boot.lock", "--python",
                              c.venv.string(), "--index-url", c.s.w.index_url()});
  INFO(lock.all());
  REQUIRE(lock.status == 0);
  auto bootstrap = [&](std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"bootstrap", "--python", c.venv.string(), "-r",
                                     (c.tmp.path / "boot.lock").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return c.tufget(args);
  };
  const Proc r = bootstrap();
  INFO(r.all());
  REQUIRE(r.status == 0);
  const Proc pip = run_process({(c.venv / "bin" / "python").string(), "-m", "pip", "--version"}, c.env());
  INFO(pip.all());
  CHECK(pip.status == 0);
  CHECK(pip.out.rfind("pip ", 0) == 0);
  CHECK(fs::exists(c.venv / "bin" / "wheel"));
  const Tree first = without_pycache(snapshot(c.venv));

  // Again: everything is already installed from the pinned files, nothing is rewritten.
  const Proc again = bootstrap();
  INFO(again.all());
  CHECK(again.status == 0);
  CHECK(again.out.find("(installed from the pinned file)") != std::string::npos);
  CHECK(again.out.find("Nothing to install") != std::string::npos);
  CHECK(tree_diff(first, without_pycache(snapshot(c.venv))) == "");
  // --force-reinstall installs them again: the same bytes.
  const Proc forced = bootstrap({"--force-reinstall"});
  INFO(forced.all());
  CHECK(forced.status == 0);
  CHECK(forced.out.find("Installed pip-") != std::string::npos);
  CHECK(tree_diff(first, without_pycache(snapshot(c.venv))) == "");
}

TEST_CASE("an installed distribution is kept only when it came from the pinned file", "[cli][hashpin]") {
  Client c;
  make_venv(c.venv);
  // peppercorn 0.6 from a wheelhouse whose wheel has other bytes than the index's.
  const fs::path house = c.tmp.path / "house";
  fs::create_directories(house);
  const fs::path other = peppercorn("VERSION = '0.6'  # rebuilt\n").write_to(house);
  write(c.tmp.path / "house.txt", "peppercorn==0.6 --hash=sha256:" + sha256_hex(read(other)) + "\n");
  const Proc installed = c.tufget({"install", "-r", (c.tmp.path / "house.txt").string(), "--python",
                                   c.venv.string(), "--find-links", house.string(), "--no-index"},
                                  false);
  INFO(installed.all());
  REQUIRE(installed.status == 0);
  CHECK(read(c.site() / "peppercorn" / "__init__.py") == "VERSION = '0.6'  # rebuilt\n");

  // The index's peppercorn 0.6 is another file: the same name and version are not enough.
  const Proc r = c.install_file(lines({"peppercorn==0.6 " + c.s.pin(kPepper)}));
  INFO(r.all());
  REQUIRE(r.status == 0);
  CHECK(r.err.find("is installed, but not from the pinned file: reinstalling it") != std::string::npos);
  CHECK(read(c.site() / "peppercorn" / "__init__.py") == "VERSION = '0.6'\n");
  // Now it is the pinned file: kept.
  const Proc kept = c.install_file(lines({"peppercorn==0.6 " + c.s.pin(kPepper)}));
  INFO(kept.all());
  CHECK(kept.status == 0);
  CHECK(kept.out.find("peppercorn 0.6 (installed from the pinned file)") != std::string::npos);
}

TEST_CASE("the shipped bootstrap lock pins pip, setuptools and wheel and bootstraps a bare venv",
          "[cli][hashpin][bootstrap]") {
  // The lock compiled into tufget: every line pinned with == and hashed.
  const std::string text = read(fs::path(TUFGET_SOURCE_DIR) / "bootstrap" / "bootstrap.lock");
  auto parsed = pkg::parse_requirements_text(text, "bootstrap.lock");
  REQUIRE(parsed);
  std::map<std::string, std::string> pinned;  // project -> sha256
  for (const auto& line : parsed->requirements) {
    INFO(line.text);
    CHECK(line.requirement.is_pinned());
    REQUIRE(line.sha256.size() == 1);
    pinned[line.requirement.project] = line.sha256[0];
  }
  CHECK(pinned.size() == 3);
  CHECK(pinned.count("pip") + pinned.count("setuptools") + pinned.count("wheel") == 3);

  // Debian's builds, which it pins (scripts/bootstrap_lock.sh --wheels-only makes the wheel one).
  TempDir tmp;
  const fs::path house = tmp.path / "house";
  const Proc built = run_process({"bash", (fs::path(TUFGET_SOURCE_DIR) / "scripts" / "bootstrap_lock.sh").string(),
                                  "--wheels-only", house.string()});
  if (built.status != 0) {
    WARN("cannot build the bootstrap wheelhouse (python3-wheel missing?): " << built.all());
    return;
  }
  for (const auto& name : warehouse_test::names_in(house)) {
    const std::string project = name.substr(0, name.find('-'));
    if (sha256_hex(read(house / name)) != pinned[project]) {
      WARN(name << " is not the build bootstrap/bootstrap.lock pins (a newer Debian package?): "
                   "regenerate the lock with scripts/bootstrap_lock.sh");
      return;
    }
  }
  const fs::path venv = tmp.path / "venv";
  make_venv(venv);
  const std::map<std::string, std::string> env = client_env(tmp.path);
  const Proc r = run_process({TUFGET_BINARY, "bootstrap", "--python", venv.string(), "--find-links",
                              house.string(), "--no-index"},
                             env);
  INFO(r.all());
  REQUIRE(r.status == 0);
  CHECK(r.out.find("Installed pip-23.0.1 setuptools-66.1.1 wheel-0.38.4") != std::string::npos);
  const Proc pip = run_process({(venv / "bin" / "python").string(), "-m", "pip", "--version"}, env);
  INFO(pip.all());
  CHECK(pip.out.rfind("pip 23.0.1 ", 0) == 0);
}

TEST_CASE("pins alone protect an index without TUF whose pages list no sha256", "[cli][hashpin]") {
  Warehouse w;
  const WheelSpec pepper = peppercorn();
  w.add({pepper.write_to(w.wheels)});
  w.publish();
  // PEP 503 makes hash fragments optional: drop them (and the PEP 658 attributes) from the page.
  const fs::path page = w.index / "simple" / "peppercorn" / "index.html";
  std::string html = read(page);
  for (std::size_t at; (at = html.find("#sha256=")) != std::string::npos;) {
    html.erase(at, html.find('"', at) - at);
  }
  for (const char* attr : {"data-dist-info-metadata", "data-core-metadata"}) {
    for (std::size_t at; (at = html.find(attr)) != std::string::npos;) {
      const std::size_t end = html.find('"', html.find('"', at) + 1);
      html.erase(at, end + 1 - at);
    }
  }
  REQUIRE(html.find("sha256") == std::string::npos);
  write(page, html);
  w.serve();
  TempDir tmp;
  const std::map<std::string, std::string> env = client_env(tmp.path);
  const fs::path venv = tmp.path / "venv";
  make_venv(venv);
  auto install = [&](const std::string& requirements) {
    write(tmp.path / "req.txt", requirements);
    return run_process({TUFGET_BINARY, "install", "-r", (tmp.path / "req.txt").string(), "--python",
                        venv.string(), "--index-url", w.index_url()},
                       env);
  };
  const std::string good = sha256_hex(pepper.bytes());
  const Proc wrong = install("peppercorn==0.6 --hash=sha256:" + std::string(64, 'b') + "\n");
  INFO(wrong.all());
  CHECK(wrong.status == 1);
  CHECK(wrong.err.find("got:      sha256:" + good) != std::string::npos);
  CHECK(dist_infos(site_packages(venv)).empty());
  const Proc unpinned = install("peppercorn==0.6\n");
  CHECK(unpinned.status == 2);  // outside hash-checking mode an index without a root is refused
  const Proc r = install("peppercorn==0.6 --hash=sha256:" + good + "\n");
  INFO(r.all());
  REQUIRE(r.status == 0);
  CHECK(r.out.find("Verified by: hash pins only (no TUF root is pinned for " + w.index_url() + ")") !=
        std::string::npos);
  CHECK(dist_infos(site_packages(venv)) == std::vector<std::string>{"peppercorn-0.6.dist-info"});
}
