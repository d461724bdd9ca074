// tuf_io::drive with the real Updater, HttpClient and MetadataStore, against a signed RepoSim
// repository served over loopback HTTP by the HostileServer.
#include "tuf_io/driver.h"

#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "support/hostile_server.h"
#include "support/repo_sim.h"

namespace {

namespace fs = std::filesystem;
using tuf_test::RepoSim;
using tufget_test::HostileServer;
using tufget_test::Response;

tuf_io::HttpOptions test_options() {
  tuf_io::HttpOptions o;
  o.use_proxy_env = false;
  o.read_timeout = std::chrono::seconds(2);
  o.request_timeout = std::chrono::seconds(5);
  return o;
}

// Serves a RepoSim at http://127.0.0.1:<port>/metadata/ and /targets/.
struct LoopbackRepo {
  RepoSim sim;
  HostileServer server;
  fs::path dir;

  LoopbackRepo() {
    server.set_handler([this](const tufget_test::Request& req) {
      // The server thread reads the simulator only while the test thread is inside drive().
      auto bytes = sim.fetch(std::string(RepoSim::kHost) + req.target.substr(1));
      return bytes ? Response::ok(*bytes) : Response::status_only(404);
    });
    std::random_device rd;
    dir = fs::temp_directory_path() /
          ("tufget-driver-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
  }
  ~LoopbackRepo() {
    server.stop();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string metadata_url() const { return server.url("/metadata/"); }
  std::string targets_url() const { return server.url("/targets/"); }

  tuf::Updater updater() {
    auto u = tuf::Updater::create(tuf::as_bytes(sim.bytes("root", 1)), metadata_url());
    REQUIRE(u.has_value());
    return std::move(*u);
  }
};

std::vector<std::string> requested_targets(const HostileServer& server) {
  std::vector<std::string> out;
  for (const auto& r : server.requests()) out.push_back(r.target);
  return out;
}

}  // namespace

// One lookup through the driver; the target must be found.
tuf::FoundTarget look_up(tuf::Updater& updater, tuf_io::HttpClient& http,
                         tuf_io::MetadataStore& store, const std::string& path) {
  auto results = tuf_io::lookup_all(updater, http, store, {path});
  REQUIRE(results.has_value());
  REQUIRE(results->size() == 1);
  auto& one = results->front();
  INFO((one ? "" : one.error().message()));
  REQUIRE(one.has_value());
  REQUIRE(one->has_value());
  return **one;
}

TEST_CASE("driver: a refresh over loopback HTTP persists every top-level role", "[io][driver]") {
  LoopbackRepo repo;
  repo.sim.publish_root();  // root v2: the walk fetches and persists it
  tuf_io::HttpClient http(test_options());
  tuf_io::MetadataStore store(repo.dir / "metadata");
  auto updater = repo.updater();
  REQUIRE(updater.start_refresh(RepoSim::kNow).has_value());
  std::size_t traced = 0;
  bool last_was_done = false;
  tuf_io::DriverHooks hooks;
  hooks.trace = [&](const tuf::Action& a) {
    ++traced;
    last_was_done = std::holds_alternative<tuf::Done>(a);
  };
  auto r = tuf_io::drive(updater, http, store, hooks);
  INFO((r ? "" : r.error().message()));
  REQUIRE(r.has_value());
  CHECK(updater.refreshed());
  for (const char* role : {"root", "timestamp", "snapshot", "targets"}) {
    INFO(role);
    auto local = store.load(role, 1 << 20);
    REQUIRE(local.has_value());
    CHECK(*local == repo.sim.latest(role));
  }
  CHECK(traced > 4);
  CHECK(last_was_done);
  auto targets = requested_targets(repo.server);
  CHECK(std::find(targets.begin(), targets.end(), "/metadata/timestamp.json") != targets.end());
  CHECK(std::find(targets.begin(), targets.end(), "/metadata/3.root.json") != targets.end());
  // One kept-alive connection for the whole walk, the 404 for 3.root.json included.
  CHECK(repo.server.connections_accepted() == 1);
  CHECK(http.pending() == 0);
}

TEST_CASE("driver: a second refresh loads the cache: a download reaches on_target verified",
          "[io][driver]") {
  LoopbackRepo repo;
  repo.sim.add_target("pkgs/demo.txt", "verified content");
  repo.sim.publish({"targets"});
  tuf_io::HttpClient http(test_options());
  tuf_io::MetadataStore store(repo.dir / "metadata");
  {
    auto first = repo.updater();
    REQUIRE(first.start_refresh(RepoSim::kNow).has_value());
    REQUIRE(tuf_io::drive(first, http, store).has_value());
  }
  auto updater = repo.updater();
  REQUIRE(updater.start_refresh(RepoSim::kNow).has_value());
  std::size_t loads = 0;
  tuf_io::DriverHooks hooks;
  hooks.trace = [&](const tuf::Action& a) { loads += std::holds_alternative<tuf::LoadCached>(a); };
  REQUIRE(tuf_io::drive(updater, http, store, hooks).has_value());
  CHECK(loads >= 1);

  auto id = updater.start_download(look_up(updater, http, store, "pkgs/demo.txt"),
                                   repo.targets_url());
  REQUIRE(id.has_value());
  std::vector<std::string> delivered;
  hooks = {};
  hooks.on_target = [&](const tuf::TargetReady& ready) -> tuf::Result<void> {
    CHECK(ready.id == *id);
    delivered.push_back(ready.bytes);
    return {};
  };
  auto r = tuf_io::drive(updater, http, store, hooks);
  INFO((r ? "" : r.error().message()));
  REQUIRE(r.has_value());
  CHECK(delivered == std::vector<std::string>{"verified content"});
}

TEST_CASE("driver: a target served longer than its trusted length is cut off and fails",
          "[io][driver]") {
  LoopbackRepo repo;
  repo.sim.add_target("big.bin", std::string(1000, 'b'));
  repo.sim.publish({"targets"});
  tuf_io::HttpClient http(test_options());
  tuf_io::MetadataStore store(repo.dir / "metadata");
  auto updater = repo.updater();
  REQUIRE(updater.start_refresh(RepoSim::kNow).has_value());
  REQUIRE(tuf_io::drive(updater, http, store).has_value());
  const tuf::FoundTarget big = look_up(updater, http, store, "big.bin");
  repo.server.route("/targets/big.bin", Response::with(tufget_test::Behaviour::endless));
  REQUIRE(updater.start_download(big, repo.targets_url()).has_value());
  bool released = false;
  tuf_io::DriverHooks hooks;
  hooks.on_target = [&](const tuf::TargetReady&) -> tuf::Result<void> {
    released = true;
    return {};
  };
  auto r = tuf_io::drive(updater, http, store, hooks);
  REQUIRE_FALSE(r.has_value());
  INFO(r.error().message());
  CHECK(r.error().code == tuf::Errc::too_large);  // passed straight through from the transport
  CHECK_FALSE(released);
}

TEST_CASE("driver: a store that cannot persist stops the run with its error", "[io][driver]") {
  LoopbackRepo repo;
  fs::create_directories(repo.dir);
  std::ofstream(repo.dir / "not-a-dir") << "x";
  tuf_io::HttpClient http(test_options());
  tuf_io::MetadataStore store(repo.dir / "not-a-dir");
  auto updater = repo.updater();
  REQUIRE(updater.start_refresh(RepoSim::kNow).has_value());
  auto r = tuf_io::drive(updater, http, store);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == tuf::Errc::transport);
  CHECK_THAT(r.error().detail, Catch::Matchers::Contains("not-a-dir"));
  CHECK(http.pending() == 0);
}

TEST_CASE("driver: an on_target error stops the run and is returned", "[io][driver]") {
  LoopbackRepo repo;
  repo.sim.add_target("a.txt", "a");
  repo.sim.publish({"targets"});
  tuf_io::HttpClient http(test_options());
  tuf_io::MetadataStore store(repo.dir / "metadata");
  auto updater = repo.updater();
  REQUIRE(updater.start_refresh(RepoSim::kNow).has_value());
  REQUIRE(tuf_io::drive(updater, http, store).has_value());
  REQUIRE(updater.start_download(look_up(updater, http, store, "a.txt"), repo.targets_url())
              .has_value());
  tuf_io::DriverHooks hooks;
  hooks.on_target = [](const tuf::TargetReady&) -> tuf::Result<void> {
    return tuf::fail(tuf::Errc::usage, "a.txt", "installer refused it");
  };
  auto r = tuf_io::drive(updater, http, store, hooks);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().detail == "installer refused it");
}
