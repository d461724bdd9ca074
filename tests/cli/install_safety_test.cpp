// `tufget install` when the process is killed, interrupted, or runs twice, with real venvs and a
// wheel of thousands of files whose package directory sorts after its .dist-info. Faults come
// from TUFGET_TEST_FAULT (fsutil/fault.h): SIGKILL or a real signal at a chosen step. After each
// one: importlib.metadata never lists a distribution whose files are not all in place, a plain
// rerun ends as before or as after, and nothing tufget made is left in the environment, the
// cache or TMPDIR.
#include <catch2/catch.hpp>

#include <future>

#include "install_fixture.h"

using namespace install_test;
using warehouse_test::Warehouse;

namespace {

constexpr int kFiles = 2000;

WheelSpec big(const std::string& version) {
  WheelSpec w("bigpkg", version);
  w.file("bigpkg/__init__.py", "VERSION = '" + version + "'\ndef main():\n    return 0\n");
  for (int i = 0; i < kFiles; ++i) w.file("bigpkg_impl/m" + std::to_string(i) + ".py", "V = '" + version + "'\n");
  w.script("bigtool", "bigpkg:main");
  return w;
}

struct Index {
  Warehouse w;
  Index() {
    w.add({big("1.0").write_to(w.wheels), big("2.0").write_to(w.wheels)});
    w.publish();
    w.serve();
  }
};

Index& index() {
  static Index i;
  return i;
}

// (name, version, files that do not match RECORD) for every distribution importlib.metadata
// lists: an independent reader of the environment.
constexpr const char* kListing =
    "import importlib.metadata as m, hashlib, base64\n"
    "out = []\n"
    "for d in m.distributions():\n"
    "    bad = 0\n"
    "    for f in d.files or []:\n"
    "        if f.hash is None: continue\n"
    "        try: data = open(f.locate(), 'rb').read()\n"
    "        except OSError: bad += 1; continue\n"
    "        h = base64.urlsafe_b64encode(hashlib.new(f.hash.mode, data).digest()).rstrip(b'=').decode()\n"
    "        bad += h != f.hash.value\n"
    "    out.append('%s %s %d' % (d.metadata['Name'], d.version, bad))\n"
    "print(';'.join(sorted(out)))\n";

struct Client {
  TempDir tmp;
  fs::path venv = tmp.path / "venv";
  fs::path tmpdir = tmp.path / "tmp";

  Client() {
    make_venv(venv);
    fs::create_directories(tmpdir);
  }
  std::map<std::string, std::string> env(const std::string& fault) const {
    auto e = client_env(tmp.path);
    e["TMPDIR"] = tmpdir.string();
    e["TUFGET_LOCK_TIMEOUT"] = "120";
    if (!fault.empty()) e["TUFGET_TEST_FAULT"] = fault;
    return e;
  }
  Proc install(const std::string& version, const std::string& fault = "",
               std::vector<std::string> extra = {}) const {
    std::vector<std::string> argv = {TUFGET_BINARY, "install", "bigpkg==" + version, "--python", venv.string(),
                                     "--index-url", index().w.index_url(), "--root", index().w.root_v1().string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_process(argv, env(fault));
  }
  std::string listing() const {
    const Proc p = run_process({(venv / "bin" / "python").string(), "-c", kListing});
    INFO(p.all());
    REQUIRE(p.status == 0);
    return p.out.substr(0, p.out.find('\n'));
  }
  // What tufget made and must not leave: anything named .tufget* in the venv's top, bin and
  // site-packages, a staging folder in the cache, anything in TMPDIR.
  std::vector<std::string> debris() const {
    std::vector<std::string> out;
    for (const fs::path& dir : {venv, venv / "bin", site_packages(venv)})
      for (const auto& name : warehouse_test::names_in(dir))
        if (name.starts_with(".tufget")) out.push_back((dir / name).string());
    const fs::path staging = tmp.path / "cache" / "tufget" / "files" / "tmp";
    for (const fs::path& dir : {staging, tmpdir})
      for (const auto& name : warehouse_test::names_in(dir)) out.push_back((dir / name).string());
    return out;
  }
  // The steps of the transaction a killed run left (its journal's plan).
  int journal_steps() const {
    const std::string text = read(venv / ".tufget" / "journal");
    int steps = 0;
    for (std::size_t at = 0; (at = text.find('\n', at)) != std::string::npos; ++at)
      if (at + 2 < text.size() && (text[at + 1] == 'M' || text[at + 1] == 'K' || text[at + 1] == 'R') &&
          text[at + 2] == '\t')
        ++steps;
    return steps;
  }
};

std::string listed(const std::string& version) { return "bigpkg " + version + " 0"; }

// Kills an install of `to` at `point` and checks what is visible; then a plain rerun must end as
// after, saying what it recovered.
void kill_then_rerun(const Client& c, const std::string& from, const std::string& to, const std::string& point,
                     const std::string& recovered) {
  INFO("from " << (from.empty() ? "nothing" : from) << " to " << to << ", killed at " << point);
  const Proc killed = c.install(to, "kill:" + point);
  INFO(killed.all());
  CHECK(killed.status == -1);  // SIGKILL
  const std::string seen = c.listing();
  CHECK((seen.empty() || seen == listed(to) || (!from.empty() && seen == listed(from))));
  const Proc rerun = c.install(to);
  INFO(rerun.all());
  REQUIRE(rerun.status == 0);
  CHECK(rerun.err.find(recovered) != std::string::npos);
  CHECK(c.listing() == listed(to));
  CHECK(c.debris() == std::vector<std::string>{});
}

}  // namespace

TEST_CASE("kill -9 at any point of an install or an upgrade: a plain rerun ends as after, no debris",
          "[cli][install][safety]") {
  Client c;
  // The step count, from the plan of a run killed before its first step.
  const Proc first = c.install("1.0", "kill:1");
  INFO(first.all());
  REQUIRE(first.status == -1);
  const int install_steps = c.journal_steps();
  CHECK(install_steps > kFiles);
  REQUIRE(c.install("1.0").status == 0);
  REQUIRE(c.listing() == listed("1.0"));

  SECTION("install into an environment that does not have it") {
    for (int step : {1, install_steps / 2, install_steps - 1, install_steps, install_steps + 1}) {
      Client fresh;
      kill_then_rerun(fresh, "", "1.0", std::to_string(step), "rolled back an interrupted install of bigpkg 1.0");
    }
    Client fresh;
    kill_then_rerun(fresh, "", "1.0", "stage", "had staged (nothing in the environment had changed)");
  }
  SECTION("upgrades and downgrades, killed at every kind of step") {
    const Proc probe = c.install("2.0", "kill:1");
    REQUIRE(probe.status == -1);
    const int steps = c.journal_steps();
    CHECK(steps > 2 * kFiles);
    REQUIRE(c.install("2.0").status == 0);  // recovers, then upgrades
    std::string from = "2.0";
    // 2: the old .dist-info moved aside, its files not yet; steps - 1: every file in place but
    // the new .dist-info; steps + 1: all done, not committed.
    for (const std::string& point : {std::string("2"), std::to_string(steps / 2), std::to_string(steps - 1),
                                      std::to_string(steps), std::to_string(steps + 1)}) {
      const std::string to = from == "1.0" ? "2.0" : "1.0";
      kill_then_rerun(c, from, to, point, "rolled back an interrupted install of bigpkg " + to);
      from = to;
    }
    const std::string to = from == "1.0" ? "2.0" : "1.0";
    kill_then_rerun(c, from, to, "commit", "finished an interrupted install of bigpkg " + to);
  }
}

TEST_CASE("SIGINT, SIGTERM and SIGHUP stop an install promptly, leave the environment as it was and no debris",
          "[cli][install][safety]") {
  Client c;
  REQUIRE(c.install("1.0").status == 0);
  const Tree before = snapshot(c.venv);
  struct Case {
    std::string fault;
    std::vector<std::string> extra;
    int status;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"interrupt:download", {}, 130, "tufget: interrupted; nothing was installed\n"},
      {"interrupt:download", {"--no-cache"}, 130, "tufget: interrupted; nothing was installed\n"},
      {"term:stage", {"--no-cache"}, 143, "tufget: interrupted; nothing was installed\n"},
      {"interrupt:2000", {}, 130, "tufget: interrupted; the install was rolled back; nothing was installed\n"},
      {"hup:1", {}, 129, "tufget: interrupted; the install was rolled back; nothing was installed\n"},
  };
  for (const Case& k : cases) {
    INFO(k.fault << (k.extra.empty() ? "" : " " + k.extra[0]));
    const Proc r = c.install("2.0", k.fault, k.extra);
    INFO(r.all());
    CHECK(r.status == k.status);
    CHECK(r.err.ends_with(k.says));
    CHECK(c.debris() == std::vector<std::string>{});
    CHECK(snapshot(c.venv) == before);
    CHECK(c.listing() == listed("1.0"));
  }
}

TEST_CASE("two installs of different versions into one environment: the second waits, the result is one of them",
          "[cli][install][safety]") {
  Client c;
  for (int round = 0; round < 3; ++round) {
    INFO("round " << round);
    auto one = std::async(std::launch::async, [&] { return c.install("1.0"); });
    auto two = std::async(std::launch::async, [&] { return c.install("2.0"); });
    const Proc a = one.get(), b = two.get();
    INFO(a.all() << b.all());
    CHECK(a.status == 0);
    CHECK(b.status == 0);
    const std::string seen = c.listing();
    CHECK((seen == listed("1.0") || seen == listed("2.0")));
    // The one that waited ran last: its version is what the environment holds.
    const bool a_waited = a.err.find("tufget: waiting for pid ") != std::string::npos;
    const bool b_waited = b.err.find("tufget: waiting for pid ") != std::string::npos;
    CHECK_FALSE((a_waited && b_waited));
    if (a_waited) CHECK(seen == listed("1.0"));
    if (b_waited) CHECK(seen == listed("2.0"));
    CHECK(c.debris() == std::vector<std::string>{});
  }
}

TEST_CASE("an environment locked for longer than TUFGET_LOCK_TIMEOUT: the install fails clearly",
          "[cli][install][safety]") {
  Client c;
  // Another process holds the environment's lock (a Python flock on <venv>/.tufget/lock).
  fs::create_directories(c.venv / ".tufget");
  const std::string holder =
      "import fcntl, sys, time\n"
      "f = open(sys.argv[1], 'a+'); fcntl.flock(f, fcntl.LOCK_EX); f.write('pid 1: a test holder\\n'); f.flush()\n"
      "print('locked', flush=True); time.sleep(float(sys.argv[2]))\n";
  auto held = std::async(std::launch::async, [&] {
    return run_process({kBasePython, "-c", holder, (c.venv / ".tufget" / "lock").string(), "4"});
  });
  for (int i = 0; i < 100 && !fs::exists(c.venv / ".tufget" / "lock"); ++i) ::usleep(20000);
  ::usleep(300000);
  auto e = c.env("");
  e["TUFGET_LOCK_TIMEOUT"] = "0.5";
  const Proc r = run_process({TUFGET_BINARY, "install", "bigpkg==1.0", "--python", c.venv.string(), "--index-url",
                              index().w.index_url(), "--root", index().w.root_v1().string()},
                             e);
  INFO(r.all());
  CHECK(r.status == 1);
  CHECK(r.err.find("tufget: waiting for pid 1: a test holder to finish with " + c.venv.string()) != std::string::npos);
  CHECK(r.err.find("is still locked by pid 1: a test holder after waiting 0 s") != std::string::npos);
  CHECK(c.listing().empty());
  held.get();
}

TEST_CASE("a damaged distribution is not already satisfied, and tufget verify hashes every file",
          "[cli][install][safety]") {
  Client c;
  REQUIRE(c.install("1.0").status == 0);
  const fs::path impl = site_packages(c.venv) / "bigpkg_impl";
  auto verify = [&] {
    return run_process({TUFGET_BINARY, "verify", "--python", c.venv.string()}, c.env(""));
  };
  const Proc first = verify();
  REQUIRE(first.status == 0);
  const std::string files = first.out.substr(12, first.out.find(' ', 12) - 12);  // "bigpkg 1.0: N files"
  CHECK(first.out == "bigpkg 1.0: " + files + " files match RECORD\n");

  // A missing file: the cheap check (existence, size) sees it, and the install repairs it.
  fs::remove(impl / "m3.py");
  const Proc repaired = c.install("1.0");
  INFO(repaired.all());
  CHECK(repaired.status == 0);
  CHECK(repaired.has("tufget: warning: bigpkg 1.0 is damaged: 1 of its"));
  CHECK(repaired.has("files is missing or changed (bigpkg_impl/m3.py is missing)"));
  CHECK(repaired.has("tufget: reinstalled bigpkg 1.0"));
  CHECK(c.listing() == listed("1.0"));

  // The same size, other bytes: only the full check (verify) sees it.
  write(impl / "m4.py", "V = '9.9'\n");
  const Proc kept = c.install("1.0");
  CHECK(kept.has("Requirement already satisfied: bigpkg 1.0"));
  const Proc found = verify();
  INFO(found.all());
  CHECK(found.status == 1);
  CHECK(found.out == "bigpkg 1.0: 1 of " + files + " files do not match RECORD:\n  bigpkg_impl/m4.py: sha256 does not match RECORD\n");
  REQUIRE(c.install("1.0", "", {"--force-reinstall"}).status == 0);
  const Proc clean = verify();
  CHECK(clean.status == 0);
  CHECK(clean.out == first.out);
}
