// Fixture for the client/ library's own tests: a TUF-enabled index built in-process with
// tuf_repo (init, add, publish), served from its folder over loopback by the tests' HostileServer,
// and the client pieces (HttpClient, Repository) pointed at it. No tufget binary is run.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/warehouse_fixture.h"
#include "client/clock.h"
#include "client/repository.h"
#include "support/hostile_server.h"
#include "tuf_repo/publish.h"

namespace client_test {

namespace fs = std::filesystem;
using warehouse_test::TempDir;

// Sets an environment variable for the life of the object, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// Serves the files under `dir` by their path ("/a/b" -> dir/a/b); 404 for anything else.
inline tufget_test::Handler static_files(fs::path dir) {
  return [dir = std::move(dir)](const tufget_test::Request& r) {
    std::string path = r.target.substr(0, r.target.find('?'));
    const fs::path file = dir / fs::path(path).relative_path();
    std::error_code ec;
    if (path.find("..") != std::string::npos || !fs::is_regular_file(file, ec)) {
      return tufget_test::Response::status_only(404);
    }
    return tufget_test::Response::ok(warehouse_test::read(file));
  };
}

// An index in <tmp>/index with the given wheels (made in <tmp>/wheels), published and served.
struct LocalIndex {
  TempDir tmp;
  fs::path index = tmp.path / "index";
  fs::path wheels = tmp.path / "wheels";
  tufget_test::HostileServer server;

  explicit LocalIndex(const std::vector<std::pair<std::string, std::string>>& dists,
                      unsigned bins = 16) {
    fs::create_directories(wheels);
    std::vector<fs::path> files;
    for (const auto& [dist, version] : dists) {
      files.push_back(warehouse_test::make_wheel(wheels, dist, version));
    }
    publish(files, bins);
  }
  // An index of wheel files made by the caller.
  struct FromFiles {};
  LocalIndex(FromFiles, const std::vector<fs::path>& files, unsigned bins = 16) {
    publish(files, bins);
  }

  void publish(const std::vector<fs::path>& files, unsigned bins) {
    std::ostringstream log;
    tuf_repo::InitOptions init;
    init.bins = bins;
    tuf_repo::init_index(index, init, tufget::wall_clock_now(), log);
    tuf_repo::add_distributions(index, files, tufget::wall_clock_now(), log);
    tuf_repo::publish_index(index, {}, tufget::wall_clock_now(), log);
    server.set_handler(static_files(index));
  }

  std::string index_url() const { return server.url("/simple/"); }
  std::string metadata_url() const { return server.url("/tuf-metadata/"); }
  fs::path root_v1() const { return index / "tuf-metadata" / "1.root.json"; }
  // The signed page of `project` currently listed (simple/<name>/<hash>.<name>.html).
  fs::path signed_page(const std::string& project) const {
    const std::string current = warehouse_test::read(index / "simple" / project / "index.html");
    return index / "simple" / project /
           (warehouse_test::blake2b_hex(current) + "." + project + ".html");
  }

  // Repository options with --root 1.root.json and a metadata directory of the test's own.
  tufget::RepositoryOptions options() const {
    tufget::RepositoryOptions o;
    o.index_url = index_url();
    o.metadata_url = metadata_url();
    o.metadata_dir = (tmp.path / "client-metadata").string();
    o.root_file = root_v1().string();
    return o;
  }
};

}  // namespace client_test
