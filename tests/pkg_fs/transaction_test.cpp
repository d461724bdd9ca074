// pkg_fs transactions: a commit that fails at any step is undone to the exact previous tree; a
// process killed (SIGKILL) at any step of an install, upgrade or uninstall leaves a journal from
// which the next run restores the tree before, or finishes the tree after, never one between;
// leftovers of a crash during staging are removed. Faults come from TUFGET_TEST_FAULT
// (pkg/fs/src/transaction.cpp).
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include "pkg_fs/environment.h"
#include "pkg_fs/install_support.h"
#include "pkg_fs/installer.h"

namespace fs = std::filesystem;
using namespace install_support;

namespace {

// Sets TUFGET_TEST_FAULT for the scope.
struct Fault {
  explicit Fault(const std::string& spec) { ::setenv("TUFGET_TEST_FAULT", spec.c_str(), 1); }
  ~Fault() { ::unsetenv("TUFGET_TEST_FAULT"); }
};

// A version whose upgrade moves old files aside, adds new directories, replaces a file no
// distribution owns and puts a package directory that sorts after the .dist-info ("sample_impl"
// > "sample-2.0.dist-info").
WheelSpec version(const std::string& v, int files) {
  WheelSpec s;
  s.version = v;
  s.entry_points = "[console_scripts]\ntool = sample:main\n";
  s.files.push_back({"sample/__init__.py", "VERSION = '" + v + "'\n"});
  for (int i = 0; i < files; ++i) s.files.push_back({"sample_impl/m" + std::to_string(i) + ".py", v + "\n"});
  if (v != "1.0") s.files.push_back({"newdir/sub/x.py", "x\n"});
  return s;
}

// The environment's tree, relative to its prefix (wheels and the temp folder left out).
Snapshot tree(const Env& env) { return snapshot(env.prefix); }

// Runs `work` in a child process with TUFGET_TEST_FAULT=spec; true if the fault killed it.
template <class Work>
bool killed_in_child(const std::string& spec, Work&& work) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::setenv("TUFGET_TEST_FAULT", spec.c_str(), 1);
    work();
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

// The reference trees: v1 installed, and v2 installed over it, in a separate environment.
struct Reference {
  Snapshot v1, v2;
  Reference(int files) {
    Env env;
    REQUIRE(env.install(version("1.0", files)));
    v1 = tree(env);
    REQUIRE(env.install(version("2.0", files)));
    v2 = tree(env);
  }
};

}  // namespace

TEST_CASE("a commit that fails at any step is undone to the exact previous tree", "[pkg_fs][transaction]") {
  Env env;
  REQUIRE(env.install(version("1.0", 5)));
  write_file(env.purelib / "newdir/unowned.txt", "no distribution owns this\n");
  const Snapshot before = tree(env);
  int failures = 0;
  for (int step = 1;; ++step) {
    INFO("step " << step);
    Fault fault("fail:" + std::to_string(step));
    auto done = env.install(version("2.0", 5));
    if (done) break;  // past the last step: the install went through
    ++failures;
    CHECK(done.error().code == pkg::Errc::io);
    CHECK_THAT(done.error().detail, Catch::Contains("every change was undone"));
    CHECK(differences(before, tree(env)).empty());
  }
  CHECK(failures > 10);
  CHECK(env.installed()[0].version_text == "2.0");
}

TEST_CASE("kill -9 at any step of an upgrade: the next run restores the tree before, or after",
          "[pkg_fs][transaction]") {
  const int files = 40;
  const Reference ref(files);
  int kills = 0;
  for (int step = 1;; ++step) {
    INFO("step " << step);
    Env env;
    REQUIRE(env.install(version("1.0", files)));
    const fs::path wheel = write_wheel(env.wheels, version("2.0", files));
    const bool killed = killed_in_child("kill:" + std::to_string(step), [&] { (void)env.install_all({wheel}); });
    if (!killed) break;
    ++kills;
    CHECK(fs::exists(pkg_fs::state_dir(env.prefix) / "journal"));
    auto notes = pkg_fs::recover_environment(env.prefix, env.options.scheme);
    REQUIRE(notes);
    REQUIRE_FALSE(notes->empty());
    CHECK_THAT(notes->front(), Catch::Contains("rolled back an interrupted install of sample 2.0 (replacing 1.0)"));
    CHECK(differences(ref.v1, tree(env)) == std::vector<std::string>{});
    REQUIRE(env.installed().size() == 1);
    CHECK(env.installed()[0].version_text == "1.0");
  }
  CHECK(kills > files);

  // Killed at a point outside the steps: what the next run's recovery says and leaves.
  auto killed_at = [&](const std::string& point, const std::string& says, const Snapshot& leaves) {
    INFO(point);
    Env env;
    REQUIRE(env.install(version("1.0", files)));
    const fs::path wheel = write_wheel(env.wheels, version("2.0", files));
    REQUIRE(killed_in_child("kill:" + point, [&] { (void)env.install_all({wheel}); }));
    auto notes = pkg_fs::recover_environment(env.prefix, env.options.scheme);
    REQUIRE(notes);
    REQUIRE_FALSE(notes->empty());
    CHECK_THAT(notes->front(), Catch::Contains(says));
    CHECK(differences(leaves, tree(env)) == std::vector<std::string>{});
  };
  killed_at("commit", "finished an interrupted install of sample 2.0", ref.v2);
  killed_at("stage", "had staged (nothing in the environment had changed)", ref.v1);
}

TEST_CASE("kill -9 at any step of an uninstall: the distribution is whole or gone", "[pkg_fs][transaction]") {
  const Reference ref(10);
  Env empty_env;
  const Snapshot empty = tree(empty_env);
  for (int step = 1;; ++step) {
    INFO("step " << step);
    Env env;
    REQUIRE(env.install(version("1.0", 10)));
    const auto listed = env.installed();
    REQUIRE(listed.size() == 1);
    if (!killed_in_child("kill:" + std::to_string(step), [&] { (void)pkg_fs::uninstall(listed[0], env.prefix); })) {
      CHECK(differences(empty, tree(env)).empty());  // it ran to the end
      break;
    }
    REQUIRE(pkg_fs::recover_environment(env.prefix, env.options.scheme));
    CHECK(differences(ref.v1, tree(env)) == std::vector<std::string>{});
  }
}

TEST_CASE("a .dist-info appears only once every file of its distribution is in place",
          "[pkg_fs][transaction]") {
  // Killed just before the last step (the .dist-info rename), every package file is in place
  // and the distribution is still not listed; one step later it is.
  for (int step = 1;; ++step) {
    Env env;
    const fs::path wheel = write_wheel(env.wheels, version("1.0", 30));
    if (!killed_in_child("kill:" + std::to_string(step), [&] { (void)env.install_all({wheel}); })) break;
    const bool listed = !env.installed().empty();
    const bool all_files = fs::exists(env.purelib / "sample_impl/m29.py") && fs::exists(env.purelib / "sample/__init__.py");
    INFO("step " << step);
    CHECK((!listed || all_files));
  }
}

TEST_CASE("staging folders a crashed run left in the environment are removed by the next one",
          "[pkg_fs][transaction]") {
  Env env;
  REQUIRE(env.install(version("1.0", 2)));
  const Snapshot before = tree(env);
  fs::create_directories(env.purelib / ".tufget-staging-abc123/n0");
  write_file(env.scripts / ".tufget-staging-xyz789/n1", "half a file");
  auto notes = pkg_fs::recover_environment(env.prefix, env.options.scheme);
  REQUIRE(notes);
  REQUIRE(notes->size() == 1);
  CHECK_THAT(notes->front(), Catch::Contains("removed 2 staging folders"));
  CHECK(differences(before, tree(env)).empty());
}
