// Repository configuration: which trust store pins an index's root, in which order the stores
// are searched, and what happens without a pin. Nothing here touches the network.
#include <catch2/catch.hpp>

#include "client/repository.h"
#include "client_fixture.h"

using namespace client_test;

namespace {

// An index (for its 1.root.json and URLs) and a client environment of its own.
struct Stores {
  LocalIndex idx{{{"alpha", "1.0"}}};
  fs::path config = idx.tmp.path / "config";
  fs::path user_store = config / "tufget" / "trust_roots";
  fs::path dir_store = idx.tmp.path / "trust-dir";
  ScopedEnv xdg_config{"XDG_CONFIG_HOME", config.string()};
  ScopedEnv xdg_cache{"XDG_CACHE_HOME", (idx.tmp.path / "cache").string()};

  // <store>/<name>/{manifest.json, root.json} pinning the index's 1.root.json.
  fs::path pin(const fs::path& store, const std::string& name) const {
    const fs::path dir = store / name;
    fs::create_directories(dir);
    const std::string root = warehouse_test::read(idx.root_v1());
    warehouse_test::write(dir / "root.json", root);
    warehouse_test::write(dir / "manifest.json",
                          "{\"name\": \"" + name + "\", \"index_url\": \"" + idx.index_url() +
                              "\", \"metadata_url\": \"" + idx.metadata_url() +
                              "\", \"root_version\": 1, \"root_sha256\": \"" +
                              warehouse_test::sha256_hex(root) + "\"}\n");
    return dir;
  }
  tufget::RepositoryOptions options(bool with_trust_dir) const {
    tufget::RepositoryOptions o;
    o.index_url = idx.index_url();
    if (with_trust_dir) o.trust_dir = dir_store.string();
    return o;
  }
};

}  // namespace

TEST_CASE("a manifest in a trust store pins the index's root", "[client][repository]") {
  Stores s;
  s.pin(s.user_store, "localdev");
  auto repo = tufget::resolve_repository(s.options(false));
  REQUIRE(repo);
  CHECK(repo->name == "localdev");
  CHECK(repo->root_source == tufget::RootSource::pinned);
  CHECK(repo->root_bytes == warehouse_test::read(s.idx.root_v1()));
  CHECK(repo->metadata_url == s.idx.metadata_url());
  // Client metadata lives under $XDG_CACHE_HOME/tufget/<repository>/metadata.
  CHECK(repo->metadata_dir == s.idx.tmp.path / "cache" / "tufget" / "localdev" / "metadata");
}

TEST_CASE("the --trust-dir store is searched before the user's", "[client][repository]") {
  Stores s;
  warehouse_test::flip_a_byte(s.pin(s.user_store, "user-pin") / "root.json");
  s.pin(s.dir_store, "dir-pin");
  const auto dirs = tufget::trust_store_dirs(s.dir_store.string());
  REQUIRE(dirs.size() >= 2);
  CHECK(dirs[0] == fs::weakly_canonical(s.dir_store));
  CHECK(dirs[1] == fs::weakly_canonical(s.user_store));

  auto repo = tufget::resolve_repository(s.options(true));
  REQUIRE(repo);
  CHECK(repo->name == "dir-pin");
  // Without --trust-dir the user's (damaged) pin is the one found, and it is refused.
  auto refused = tufget::resolve_repository(s.options(false));
  REQUIRE_FALSE(refused);
}

TEST_CASE("an index with no pinned root is refused unless the caller allows it",
          "[client][repository]") {
  Stores s;
  auto refused = tufget::resolve_repository(s.options(false));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == tuf::Errc::usage);

  tufget::RepositoryOptions o = s.options(false);
  o.allow_unpinned = true;
  auto unpinned = tufget::resolve_repository(o);
  REQUIRE(unpinned);
  CHECK(unpinned->root_source == tufget::RootSource::none);

  o.allow_unpinned = false;
  o.root_file = s.idx.root_v1().string();
  auto with_root = tufget::resolve_repository(o);
  REQUIRE(with_root);
  CHECK(with_root->root_source == tufget::RootSource::root_option);
}
