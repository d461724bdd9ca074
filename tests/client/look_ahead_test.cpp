// The provider's look-ahead: a dependency tree is fetched one level per batch, ahead of the
// depth-first resolver, so that resolving it asks the index for nothing more.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "cli/install_fixture.h"
#include "client/install_provider.h"
#include "client/page_source.h"
#include "client/reporter.h"
#include "client/warehouse.h"
#include "client_fixture.h"
#include "pkg/resolver.h"
#include "pkg_fs/interpreter.h"

using namespace client_test;

namespace {

// A page source that records each batch it is asked for.
class RecordingSource final : public tufget::PageSource {
 public:
  explicit RecordingSource(tufget::PageSource& inner) : inner_(inner) {}
  std::vector<tuf::Result<tufget::SourcedPage>> fetch(
      const std::vector<std::string>& projects) override {
    batches.push_back(projects);
    return inner_.fetch(projects);
  }
  bool verified() const override { return inner_.verified(); }
  std::string name() const override { return inner_.name(); }
  bool allows_file_urls() const override { return inner_.allows_file_urls(); }
  std::vector<std::vector<std::string>> batches;

 private:
  tufget::PageSource& inner_;
};

// app -> b1, b2; b1 -> c1; b2 -> c1, c2 (and c3 only on Windows).
LocalIndex tree_index(const fs::path& dir) {
  using install_test::WheelSpec;
  std::vector<fs::path> files;
  files.push_back(WheelSpec("app", "1.0").depends("b1").depends("b2").write_to(dir));
  files.push_back(WheelSpec("b1", "1.0").depends("c1>=1").write_to(dir));
  files.push_back(WheelSpec("b2", "1.0")
                      .depends("c1")
                      .depends("c2")
                      .depends("c3; sys_platform == 'win32'")
                      .write_to(dir));
  for (const char* leaf : {"c1", "c2", "c3"}) files.push_back(WheelSpec(leaf, "1.0").write_to(dir));
  return LocalIndex(LocalIndex::FromFiles{}, files);
}

// The tree's index, a refreshed client of it, and a provider over a recording source.
struct TreeRun {
  warehouse_test::TempDir wheels;
  LocalIndex idx{tree_index(wheels.path)};
  tuf_io::HttpClient http{[] {
    tuf_io::HttpOptions o;
    o.use_proxy_env = false;
    return o;
  }()};
  std::optional<tufget::WarehouseClient> client;
  std::optional<tufget::TufIndexSource> tuf_source;
  std::optional<RecordingSource> source;
  tufget::FileCache cache{wheels.path / "cache", false};
  tufget::SilentReporter quiet;
  pkg_fs::Interpreter python = *pkg_fs::synthetic_interpreter("3.11", {"manylinux_2_17_x86_64"});
  std::optional<tufget::IndexProvider> provider;

  explicit TreeRun(bool look_ahead) {
    auto repo = tufget::resolve_repository(idx.options());
    REQUIRE(repo);
    client.emplace(std::move(*repo), http, 0);
    REQUIRE(client->refresh(tufget::wall_clock_now()));
    tuf_source.emplace(*client);
    source.emplace(*tuf_source);
    REQUIRE(cache.prepare());
    tufget::ProviderOptions options;
    options.max_wheel_bytes = 1 << 20;
    options.max_metadata_bytes = 1 << 20;
    options.look_ahead = look_ahead;
    provider.emplace(*source, http, cache, quiet, python, std::vector<pkg_fs::InstalledDist>{},
                     options);
  }
  // Resolves `app`; all five distributions (c3's marker does not apply here).
  void resolve() {
    pkg::ResolveOptions ro;
    ro.environment = python.markers;
    auto resolution = pkg::resolve({*pkg::Requirement::parse("app")}, {}, *provider, ro);
    REQUIRE(resolution);
    CHECK(resolution->dists.size() == 5);
  }
};

}  // namespace

TEST_CASE("the provider fetches a dependency tree one level per batch, ahead of the resolver",
          "[client][lookahead]") {
  TreeRun run(true);
  const std::string root[] = {"app"};
  run.provider->prefetch_projects(root);
  // One batch per level; c3's marker does not apply here, so it is not fetched.
  using Batches = std::vector<std::vector<std::string>>;
  CHECK(run.source->batches == Batches{{"app"}, {"b1", "b2"}, {"c1", "c2"}});
  // The resolver then finds everything fetched.
  run.resolve();
  CHECK(run.source->batches.size() == 3);
}

TEST_CASE("without the look-ahead the resolver asks one project's dependencies at a time",
          "[client][lookahead]") {
  TreeRun run(false);
  run.resolve();
  CHECK(run.source->batches.size() > 3);  // what the look-ahead saves
}
