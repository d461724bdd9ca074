// `--index PROJECT=URL`: the user's explicit exception to "one index per install" (the
// dependency-confusion guard). Two real indexes over loopback: a public one that also carries an
// attacker's upload of the private project's name, and a private one.
#include <catch2/catch.hpp>

#include "install_fixture.h"

using namespace install_test;
using warehouse_test::Warehouse;

namespace {

WheelSpec module_wheel(const std::string& name, const std::string& version, const std::string& body) {
  WheelSpec w(name, version);
  std::string pkg = name;
  std::replace(pkg.begin(), pkg.end(), '-', '_');
  w.file(pkg + "/__init__.py", body);
  return w;
}

}  // namespace

TEST_CASE("a project routed with --index comes from its own index and from nowhere else",
          "[cli][install][routes]") {
  Warehouse pub;
  Warehouse corp;
  WheelSpec app = module_wheel("app", "1.0", "import corp_lib\n");
  app.depends("corp-lib");
  pub.add({app.write_to(pub.wheels),
           module_wheel("corp-lib", "9.0", "raise SystemExit('dependency confusion')\n").write_to(pub.wheels)});
  corp.add({module_wheel("corp-lib", "1.0", "SAFE = True\n").write_to(corp.wheels),
            module_wheel("corp-only", "1.0", "X = 1\n").write_to(corp.wheels)});
  pub.publish();
  corp.publish();
  pub.serve();
  corp.serve();

  TempDir tmp;
  const std::map<std::string, std::string> env = client_env(tmp.path);
  // The private index's root, pinned in the user's trust store.
  const Proc pinned = run_process({TUFGET_BINARY, "trust", "add", "corp", "--root", corp.root_v1().string(),
                                   "--metadata-url", corp.server->base() + "/tuf-metadata/",
                                   "--index-url", corp.index_url()},
                                  env);
  INFO(pinned.all());
  REQUIRE(pinned.status == 0);
  const fs::path venv = tmp.path / "venv";
  make_venv(venv);
  auto install = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {TUFGET_BINARY, "install", "--python", venv.string(), "--index-url",
                               pub.index_url(), "--root", pub.root_v1().string()});
    return run_process(args, env);
  };

  // Without a route the public index answers for the private name: the attack --index prevents.
  const Proc confused = install({"app", "--dry-run"});
  INFO(confused.all());
  CHECK(confused.out.find("Would install app-1.0 corp-lib-9.0") != std::string::npos);

  const Proc r = install({"app", "--index", "Corp_Lib=" + corp.index_url()});
  INFO(r.all());
  REQUIRE(r.status == 0);
  CHECK(r.out.find("Installed app-1.0 corp-lib-1.0") != std::string::npos);
  CHECK(r.out.find("from " + corp.index_url() + ": TUF (") != std::string::npos);
  CHECK(read(site_packages(venv) / "corp_lib" / "__init__.py") == "SAFE = True\n");

  // Projects that are not routed never come from the private index.
  const Proc other = install({"corp-only", "--index", "corp-lib=" + corp.index_url()});
  INFO(other.all());
  CHECK(other.status == 1);
  CHECK(other.err.find("no such project on " + pub.index_url()) != std::string::npos);
  // A route to an index with no pinned root is refused outside hash-checking mode.
  const Proc unpinned = install({"app", "--index", "corp-lib=http://127.0.0.1:1/simple/"});
  CHECK(unpinned.status == 2);
  CHECK(unpinned.err.find("no trust root is pinned for http://127.0.0.1:1/simple/") != std::string::npos);
}
