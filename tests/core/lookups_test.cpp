// Many lookups outstanding at once: each reports its own result, fetches of the same metadata
// are shared, and a failure ends only the operation it belongs to.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "support/repo_sim.h"
#include "support/sim_driver.h"
#include "tuf/updater.h"

namespace {

using tuf::Errc;
using tuf_test::RepoSim;
using tuf_test::Run;
using tuf_test::SimDriver;

void require_ok(const Run& r) {
  INFO(r.describe());
  REQUIRE(r.ok());
}

// A repository whose top-level targets delegate to 16 succinct bins, with `n` targets spread
// over them.
struct BinnedRepo {
  RepoSim sim{true};
  std::vector<std::string> paths;

  explicit BinnedRepo(int n) {
    sim.add_succinct_roles("targets", 4, "bin");
    for (int i = 0; i < n; ++i) {
      paths.push_back("project-" + std::to_string(i));
      sim.add_target(paths.back(), "page of " + paths.back(), sim.bin_for("targets", paths.back()));
    }
    sim.publish_all();
  }
};

// Starts a lookup of every path; returns the ids in order.
std::vector<tuf::LookupId> start_all(SimDriver& d, const std::vector<std::string>& paths) {
  std::vector<tuf::LookupId> ids;
  for (const auto& p : paths) {
    auto id = d.updater().start_lookup(p);
    REQUIRE(id);
    ids.push_back(*id);
  }
  return ids;
}

// Per lookup id, the one result action it reported.
std::map<tuf::LookupId, tuf::Action> by_id(const Run& r) {
  std::map<tuf::LookupId, tuf::Action> out;
  for (const tuf::Action& a : r.finished) {
    tuf::LookupId id{};
    if (const auto* done = std::get_if<tuf::LookupDone>(&a)) id = done->id;
    else if (const auto* failed = std::get_if<tuf::LookupFailed>(&a)) id = failed->id;
    else continue;
    INFO("lookup " << tuf::value_of(id) << " reported twice");
    REQUIRE_FALSE(out.contains(id));
    out.emplace(id, a);
  }
  return out;
}

std::size_t count(const std::vector<std::string>& v, const std::string& x) {
  return static_cast<std::size_t>(std::count(v.begin(), v.end(), x));
}

}  // namespace

TEST_CASE("lookups: many outstanding at once each report their own result",
          "[updater][lookups]") {
  BinnedRepo repo(40);
  SimDriver d(repo.sim);
  d.defer_answers = GENERATE(false, true);  // answers held until Waiting: all in flight together
  require_ok(d.refresh());
  d.clear_records();
  std::vector<std::string> paths = repo.paths;
  paths.push_back("no-such-project");
  const auto ids = start_all(d, paths);
  Run r = d.pump();
  require_ok(r);
  const auto results = by_id(r);
  REQUIRE(results.size() == paths.size());
  for (std::size_t i = 0; i < paths.size(); ++i) {
    INFO(paths[i]);
    const auto& done = std::get<tuf::LookupDone>(results.at(ids[i]));
    CHECK(done.target_path == paths[i]);
    if (i + 1 == paths.size()) {
      CHECK_FALSE(done.found);  // not listed: a result, not a failure
    } else {
      REQUIRE(done.found);
      CHECK(done.found->info().path == paths[i]);
      CHECK(done.found->role() == repo.sim.bin_for("targets", paths[i]));
    }
  }
  CHECK(d.trace.back() == "done");
}

TEST_CASE("lookups: concurrent lookups in one bin share its fetch", "[updater][lookups]") {
  BinnedRepo repo(60);  // 60 targets in 16 bins: every bin is needed by several lookups
  SimDriver d(repo.sim);
  d.defer_answers = true;
  require_ok(d.refresh());
  d.clear_records();
  start_all(d, repo.paths);
  Run r = d.pump();
  require_ok(r);
  std::set<std::string> bins;
  for (const auto& p : repo.paths) bins.insert(repo.sim.bin_for("targets", p));
  for (const std::string& bin : bins) {
    INFO(bin);
    CHECK(count(d.store.loads, bin) == 1);  // one LoadCached
    CHECK(repo.sim.fetch_count("metadata/1." + bin + ".json") == 1);  // one Fetch
    CHECK(d.store.persist_count(bin) == 1);
  }
  // Every fetch in this run was a bin, each once: nothing per lookup.
  CHECK(d.fetches.size() == bins.size());
}

TEST_CASE("lookups: a bad bin fails only the lookups it covers", "[updater][lookups]") {
  BinnedRepo repo(40);
  const std::string bad_path = repo.paths[0];
  const std::string bad_bin = repo.sim.bin_for("targets", bad_path);
  repo.sim.serve("metadata/1." + bad_bin + ".json", "{\"not\": \"metadata\"}");
  SimDriver d(repo.sim);
  d.defer_answers = GENERATE(false, true);
  require_ok(d.refresh());
  const auto ids = start_all(d, repo.paths);
  Run r = d.pump();
  const auto results = by_id(r);
  REQUIRE(results.size() == repo.paths.size());
  std::size_t failed = 0;
  for (std::size_t i = 0; i < repo.paths.size(); ++i) {
    const std::string bin = repo.sim.bin_for("targets", repo.paths[i]);
    INFO(repo.paths[i] << " in " << bin);
    const tuf::Action& a = results.at(ids[i]);
    if (bin == bad_bin) {
      ++failed;
      const auto& f = std::get<tuf::LookupFailed>(a);
      CHECK(f.error.code == Errc::invalid_metadata);
      CHECK(f.error.role == bad_bin);
      CHECK(f.target_path == repo.paths[i]);
      CHECK(tuf::is_repository_fault(f.error.code));
    } else {
      REQUIRE(std::holds_alternative<tuf::LookupDone>(a));
      CHECK(std::get<tuf::LookupDone>(a).found);
    }
  }
  CHECK(failed >= 1);
  CHECK_FALSE(d.store.persisted(bad_bin));
  // The updater is still usable: a later lookup in a good bin works, and one in the bad bin
  // tries again (and fails again) rather than reusing anything of the refused document.
  CHECK(d.lookup(repo.paths.back()).found);
  if (repo.sim.bin_for("targets", repo.paths.back()) != bad_bin) {
    Run again = d.lookup(bad_path);
    REQUIRE_FALSE(again.ok());
    CHECK(again.code() == Errc::invalid_metadata);
  }
}

TEST_CASE("lookups: a transport failure of one bin fails only its lookups",
          "[updater][lookups]") {
  BinnedRepo repo(20);
  const std::string bad_bin = repo.sim.bin_for("targets", repo.paths[3]);
  repo.sim.unserve("metadata/1." + bad_bin + ".json");
  SimDriver d(repo.sim);
  require_ok(d.refresh());
  const auto ids = start_all(d, repo.paths);
  const auto results = by_id(d.pump());
  for (std::size_t i = 0; i < repo.paths.size(); ++i) {
    const bool in_bad = repo.sim.bin_for("targets", repo.paths[i]) == bad_bin;
    INFO(repo.paths[i]);
    CHECK(std::holds_alternative<tuf::LookupFailed>(results.at(ids[i])) == in_bad);
    if (in_bad) CHECK(std::get<tuf::LookupFailed>(results.at(ids[i])).error.code == Errc::not_found);
  }
}

TEST_CASE("lookups: downloads from several lookups run together and a bad one fails alone",
          "[updater][lookups][download]") {
  BinnedRepo repo(6);
  SimDriver d(repo.sim);
  d.defer_answers = true;
  require_ok(d.refresh());
  std::vector<tuf::FoundTarget> found;
  for (const auto& p : repo.paths) {
    Run r = d.lookup(p);
    REQUIRE(r.found);
    found.push_back(*r.found);
  }
  repo.sim.serve(d.updater().target_url(found[2].info(), RepoSim::kTargetsUrl), "tampered");
  std::vector<tuf::DownloadId> ids;
  for (const auto& f : found) ids.push_back(*d.updater().start_download(f, RepoSim::kTargetsUrl));
  Run r = d.pump();
  CHECK(r.ready.size() == found.size() - 1);
  for (const auto& t : r.ready) CHECK(t.id != ids[2]);
  REQUIRE(r.finished.size() == 1);
  const auto& failed = std::get<tuf::DownloadFailed>(r.finished[0]);
  CHECK(failed.id == ids[2]);
  CHECK(failed.error.code == Errc::length_or_hash_mismatch);
  CHECK(failed.info.path == found[2].info().path);
}

TEST_CASE("lookups: a refresh is refused while lookups are outstanding", "[updater][lookups]") {
  BinnedRepo repo(3);
  SimDriver d(repo.sim);
  require_ok(d.refresh());
  REQUIRE(d.updater().start_lookup(repo.paths[0]));
  auto refresh = d.updater().start_refresh(RepoSim::kNow);
  REQUIRE_FALSE(refresh);
  CHECK(refresh.error().code == Errc::usage);
  require_ok(d.pump());
  require_ok(d.refresh());
}

TEST_CASE("LoadCached carries the cap of the copy it asks for", "[updater][lookups]") {
  RepoSim sim(true);
  sim.set_meta_lengths_and_hashes(true);
  sim.add_target("a.txt", "a");
  sim.publish({"targets"});
  tuf::UpdaterConfig config;
  config.timestamp_max_length = 9999;
  SimDriver d(sim, config);
  require_ok(d.refresh());
  REQUIRE(d.updater().refreshed());
  const auto& ts = d.updater().trusted().timestamp()->signed_part.snapshot_meta;
  const auto& snap = d.updater().trusted().snapshot()->signed_part.meta;
  // Poll a second refresh by hand and record every LoadCached.
  d.restart(config);
  REQUIRE(d.updater().start_refresh(RepoSim::kNow));
  std::map<std::string, std::uint64_t> caps;
  for (int i = 0; i < 100; ++i) {
    tuf::Action a = d.updater().next();
    if (const auto* l = std::get_if<tuf::LoadCached>(&a)) caps[l->role] = l->max_bytes;
    if (std::holds_alternative<tuf::Done>(a) || std::holds_alternative<tuf::Failed>(a)) break;
    if (std::holds_alternative<tuf::Fetch>(a) || std::holds_alternative<tuf::LoadCached>(a))
      d.answer(a);
  }
  CHECK(caps.at("timestamp") == 9999);
  CHECK(caps.at("snapshot") == *ts.length);
  CHECK(caps.at("targets") == *snap.at("targets.json").length);
}

TEST_CASE("root update: walks the chain alone and persists each root", "[updater][root]") {
  RepoSim sim;
  sim.publish_root();  // v2
  sim.publish_root();  // v3
  SimDriver d(sim);
  REQUIRE(d.updater().start_root_update(RepoSim::kNow));
  Run r = d.pump();
  require_ok(r);
  CHECK(d.updater().trusted().root().signed_part.version == 3);
  CHECK(d.store.persist_count("root") == 2);
  CHECK_FALSE(d.updater().refreshed());  // nothing but roots was fetched
  for (const auto& u : d.fetched_urls()) CHECK(u.find("root.json") != std::string::npos);
  CHECK(d.updater().root_bytes() == sim.bytes("root", 3));
}

TEST_CASE("root update: an expired final root fails it", "[updater][root]") {
  RepoSim sim;
  sim.set_expires("root", RepoSim::kNow - 10);
  sim.publish_root();  // v2, expired
  SimDriver d(sim);
  REQUIRE(d.updater().start_root_update(RepoSim::kNow));
  Run r = d.pump();
  REQUIRE_FALSE(r.ok());
  CHECK(r.code() == Errc::expired_metadata);
  CHECK(d.updater().trusted().root().signed_part.version == 2);
}

TEST_CASE("errors: is_repository_fault tells the repository's errors from the network's",
          "[updater][errors]") {
  for (Errc c : {Errc::unsigned_metadata, Errc::bad_version_number, Errc::expired_metadata,
                 Errc::length_or_hash_mismatch, Errc::invalid_metadata, Errc::repository_error,
                 Errc::target_not_found}) {
    CHECK(tuf::is_repository_fault(c));
  }
  for (Errc c : {Errc::not_found, Errc::too_large, Errc::transport, Errc::usage, Errc::internal}) {
    CHECK_FALSE(tuf::is_repository_fault(c));
  }
  CHECK(tuf::to_string(Errc::internal) == "internal");
}
