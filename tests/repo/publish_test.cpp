// Publishing with tuf_repo, then refreshing and looking a project up with the client core.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tuf/trusted_set.h"
#include "tuf_repo/publish.h"

namespace fs = std::filesystem;

namespace {

constexpr tuf::Timestamp kNow = 1'700'000'000;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE(in);
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::move(ss).str();
}

struct TempDir {
  fs::path path = fs::temp_directory_path() /
                  ("tuf_repo_publish_" + std::to_string(::getpid()));
  TempDir() { fs::remove_all(path); }
  ~TempDir() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("a published project is found through the core's trusted metadata",
          "[repo][publish]") {
  TempDir tmp;
  const fs::path index = tmp.path / "index";
  std::ostringstream log;
  tuf_repo::InitOptions init;
  init.bins = 16;
  tuf_repo::init_index(index, init, kNow, log);
  fs::create_directories(tmp.path / "dist");
  const fs::path sdist = tmp.path / "dist" / "Demo_Pkg-1.0.tar.gz";
  std::ofstream(sdist) << "not really a tarball";
  tuf_repo::add_distributions(index, {sdist}, kNow, log);
  tuf_repo::publish_index(index, {}, kNow + 60, log);

  const fs::path md = index / "tuf-metadata";
  auto set = tuf::TrustedSet::create(tuf::as_bytes(slurp(md / "1.root.json")), kNow + 120);
  REQUIRE(set.has_value());
  REQUIRE(set->update_timestamp(tuf::as_bytes(slurp(md / "timestamp.json"))).has_value());
  const std::uint64_t snapshot_version = set->timestamp()->signed_part.snapshot_meta.version;
  REQUIRE(set->update_snapshot(tuf::as_bytes(
                                   slurp(md / (std::to_string(snapshot_version) + ".snapshot.json"))))
              .has_value());
  const auto& meta = set->snapshot()->signed_part.meta;
  REQUIRE(set->update_targets(tuf::as_bytes(slurp(
                                  md / (std::to_string(meta.at("targets.json").version) +
                                        ".targets.json"))))
              .has_value());

  // The lookup: the project's bin, as the core names it, lists its signed simple page.
  const auto& succinct = set->targets()->signed_part.delegations->succinct_roles;
  REQUIRE(succinct.has_value());
  const std::string bin = succinct->role_for_target("demo-pkg");
  const std::uint64_t bin_version = meta.at(bin + ".json").version;
  CHECK(bin_version == 2);
  REQUIRE(set->update_delegated_targets(
                 tuf::as_bytes(slurp(md / (std::to_string(bin_version) + "." + bin + ".json"))),
                 bin, "targets")
              .has_value());
  const auto& targets = set->targets(bin)->signed_part.targets;
  const auto page = targets.find("demo-pkg");
  REQUIRE(page != targets.end());
  const std::string html = slurp(index / "simple" / "demo-pkg" / "index.html");
  CHECK(page->second.length == html.size());
  CHECK(html.find("Demo_Pkg-1.0.tar.gz") != std::string::npos);
}
