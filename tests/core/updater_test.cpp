// Updater: the poll-loop API and the client workflow's request sequence, driven against the
// in-memory repository simulator. Attacks (refusals) are in attacks_test.cpp.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <type_traits>

#include "support/repo_sim.h"
#include "support/sim_driver.h"
#include "tuf/updater.h"

using tuf::Errc;
using tuf_test::RepoSim;
using tuf_test::Run;
using tuf_test::SimDriver;
using Names = std::vector<std::string>;

namespace {

void require_ok(const Run& r) {
  INFO(r.describe());
  REQUIRE(r.ok());
}

// Short names of the metadata fetches, in order.
Names metadata_fetches(const SimDriver& d) {
  Names out;
  for (const auto& u : d.fetched_urls()) {
    if (u.starts_with("metadata/")) out.push_back(u);
  }
  return out;
}

// Metadata fetches of delegated roles only (not root/timestamp/snapshot/targets).
Names delegated_fetches(const SimDriver& d) {
  Names out;
  for (const auto& f : d.fetches) {
    if (!f.role.empty() && f.role != "root" && f.role != "timestamp" && f.role != "snapshot" &&
        f.role != "targets") {
      out.push_back(f.role);
    }
  }
  return out;
}

std::size_t index_of(const Names& trace, std::string_view entry) {
  auto it = std::find(trace.begin(), trace.end(), entry);
  return it == trace.end() ? trace.size() : static_cast<std::size_t>(it - trace.begin());
}

}  // namespace

// ---- the poll-loop API ---------------------------------------------------------------------------

TEST_CASE("request ids are never reused", "[updater][api]") {
  RepoSim sim;
  sim.add_target("a.txt", "aaa");
  sim.add_target("b.txt", "bbbb");
  sim.publish({"targets"});
  SimDriver d(sim);
  require_ok(d.refresh());
  Run a = d.lookup("a.txt");
  require_ok(a);
  Run b = d.lookup("b.txt");
  require_ok(b);
  auto id_a = d.updater().start_download(*a.found, RepoSim::kTargetsUrl);
  auto id_b = d.updater().start_download(*b.found, RepoSim::kTargetsUrl);
  REQUIRE(id_a);
  REQUIRE(id_b);
  Run dl = d.pump();
  require_ok(dl);
  REQUIRE(dl.ready.size() == 2);

  // Every Fetch and LoadCached has its own request id; TargetReady carries the download id
  // start_download returned.
  // Ids of all three kinds come from one counter, so none is ever reused across kinds either.
  std::set<std::uint64_t> distinct;
  for (tuf::RequestId id : d.request_ids) distinct.insert(tuf::value_of(id));
  CHECK(distinct.size() == d.request_ids.size());
  CHECK_FALSE(distinct.contains(tuf::value_of(*id_a)));
  CHECK_FALSE(distinct.contains(tuf::value_of(*id_b)));
  CHECK(*id_a != *id_b);
  std::set<tuf::DownloadId> ready_ids;
  for (const auto& t : dl.ready) ready_ids.insert(t.id);
  CHECK(ready_ids == std::set<tuf::DownloadId>{*id_a, *id_b});
}

TEST_CASE("an unknown or already answered request id is a usage error that changes nothing",
          "[updater][api]") {
  RepoSim sim;
  SimDriver d(sim);
  REQUIRE(d.updater().start_refresh(RepoSim::kNow));
  tuf::Action first = d.updater().next();
  const auto* fetch = std::get_if<tuf::Fetch>(&first);
  REQUIRE(fetch != nullptr);
  CHECK(tuf_test::short_url(fetch->url) == "metadata/2.root.json");

  const tuf::RequestId unknown{tuf::value_of(fetch->id) + 1000};
  auto bad = d.updater().deliver(unknown, std::string("junk"));
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == Errc::usage);
  auto bad_fail = d.updater().fail(unknown, tuf::Error{Errc::not_found, "", "", "", ""});
  REQUIRE_FALSE(bad_fail);
  CHECK(bad_fail.error().code == Errc::usage);
  // Still waiting for the real answer, and nothing else was asked.
  CHECK(std::holds_alternative<tuf::Waiting>(d.updater().next()));

  d.answer(first);
  REQUIRE(d.refused_answers.empty());
  // Answering the same id again is a usage error too.
  auto twice = d.updater().fail(fetch->id, tuf::Error{Errc::not_found, "", "", "", ""});
  REQUIRE_FALSE(twice);
  CHECK(twice.error().code == Errc::usage);

  Run r = d.pump();
  require_ok(r);
  CHECK(d.updater().refreshed());
  CHECK(d.updater().trusted().targets() != nullptr);
}

TEST_CASE("a failed refresh leaves the updater unrefreshed until a refresh succeeds",
          "[updater][api]") {
  RepoSim sim;
  sim.add_target("a.txt", "aaa");
  sim.publish({"targets"});
  sim.serve("metadata/timestamp.json", "not json");
  SimDriver d(sim);
  Run r = d.refresh();
  REQUIRE_FALSE(r.ok());
  CHECK(r.code() == Errc::invalid_metadata);

  // Reported once; nothing is outstanding afterwards.
  CHECK(std::holds_alternative<tuf::Done>(d.updater().next()));
  CHECK_FALSE(d.updater().refreshed());
  auto lookup = d.updater().start_lookup("a.txt");
  REQUIRE_FALSE(lookup);
  CHECK(lookup.error().code == Errc::usage);
  CHECK_FALSE(d.updater().deliver(tuf::RequestId{1}, std::string("x")));

  // The same updater refreshes again once the repository serves good metadata.
  sim.clear_tampering();
  require_ok(d.refresh());
  CHECK(d.lookup("a.txt").found.has_value());
}

TEST_CASE("lookup and download before a completed refresh are usage errors", "[updater][api]") {
  RepoSim sim;
  const auto file = sim.add_target("a.txt", "aaa");
  sim.publish({"targets"});
  SimDriver d(sim);
  auto lookup = d.updater().start_lookup("a.txt");
  REQUIRE_FALSE(lookup);
  CHECK(lookup.error().code == Errc::usage);
  // A download can only start from a lookup's FoundTarget (no caller-made TargetInfo).
  static_assert(!std::is_constructible_v<tuf::FoundTarget, tuf::TargetInfo, std::string>);
  CHECK(d.fetches.empty());
  require_ok(d.refresh());
  Run found = d.lookup("a.txt");
  REQUIRE(found.found);
  CHECK(found.found->info().length == file.length);
}

TEST_CASE("cached metadata is asked for (LoadCached) before the role is fetched",
          "[updater][api]") {
  RepoSim sim;
  SimDriver d(sim);
  require_ok(d.refresh());
  sim.publish({"targets"});  // so the warm refresh needs a new snapshot and targets
  d.restart();
  d.clear_records();
  require_ok(d.refresh());
  for (const char* role : {"timestamp", "snapshot", "targets"}) {
    INFO(role);
    const std::size_t load = index_of(d.trace, std::string("load ") + role);
    const std::size_t fetch = index_of(d.trace, std::string("fetch metadata/") + role + ".json");
    CHECK(load < d.trace.size());
    CHECK(fetch < d.trace.size());
    CHECK(load < fetch);
  }
}

TEST_CASE("Persist comes only after verification, with the bytes as served", "[updater][api]") {
  RepoSim sim;
  sim.rotate_keys("root");
  sim.publish_root();
  sim.publish({"targets"});
  SimDriver d(sim);
  require_ok(d.refresh());
  REQUIRE(d.store.persists.size() == 4);
  const Names order{"root", "timestamp", "snapshot", "targets"};
  for (std::size_t i = 0; i < order.size(); ++i) {
    INFO(order[i]);
    CHECK(d.store.persists[i].first == order[i]);
    CHECK(d.store.persists[i].second == sim.latest(order[i]));
    // Persisted after its fetch was answered, and before the next role was fetched.
    const std::size_t persist = index_of(d.trace, "persist " + order[i]);
    const std::string fetched =
        "fetch metadata/" + (order[i] == "root" ? std::string("2.root") : order[i]) + ".json";
    CHECK(index_of(d.trace, fetched) < persist);
    if (i + 1 < order.size()) {
      CHECK(persist < index_of(d.trace, "fetch metadata/" + order[i + 1] + ".json"));
    }
  }
}

// ---- request sequences ---------------------------------------------------------------------------

TEST_CASE("cold refresh: N+1.root.json until not found, then timestamp, snapshot, targets",
          "[updater][sequence]") {
  RepoSim sim;
  sim.publish();  // snapshot v2, targets v1
  SimDriver d(sim);
  require_ok(d.refresh());
  CHECK(metadata_fetches(d) == Names{"metadata/2.root.json", "metadata/timestamp.json",
                                     "metadata/snapshot.json", "metadata/targets.json"});
  CHECK(d.store.loads == Names{"timestamp", "snapshot", "targets"});
  CHECK(d.updater().refreshed());
  CHECK(d.updater().trusted().snapshot()->signed_part.version == 2);
}

TEST_CASE("cold refresh with consistent snapshots fetches versioned snapshot and targets",
          "[updater][sequence]") {
  RepoSim sim(/*consistent_snapshot=*/true);
  sim.publish({"targets"});  // targets v2, snapshot v2
  sim.publish();             // snapshot v3
  SimDriver d(sim);
  require_ok(d.refresh());
  CHECK(metadata_fetches(d) == Names{"metadata/2.root.json", "metadata/timestamp.json",
                                     "metadata/3.snapshot.json", "metadata/2.targets.json"});
}

TEST_CASE("warm refresh with nothing new fetches only N+1.root.json and timestamp.json",
          "[updater][sequence]") {
  const bool consistent = GENERATE(false, true);
  RepoSim sim(consistent);
  SimDriver d(sim);
  require_ok(d.refresh());
  d.restart();
  d.clear_records();
  require_ok(d.refresh());
  CHECK(metadata_fetches(d) == Names{"metadata/2.root.json", "metadata/timestamp.json"});
  CHECK(d.store.persists.empty());
  CHECK(d.updater().trusted().targets() != nullptr);
}

TEST_CASE("warm refresh after a targets change fetches the new snapshot and targets",
          "[updater][sequence]") {
  RepoSim sim(true);
  SimDriver d(sim);
  require_ok(d.refresh());
  sim.add_target("new.txt", "new");
  sim.publish({"targets"});
  d.restart();
  d.clear_records();
  require_ok(d.refresh());
  CHECK(metadata_fetches(d) == Names{"metadata/2.root.json", "metadata/timestamp.json",
                                     "metadata/2.snapshot.json", "metadata/2.targets.json"});
  Names persisted;
  for (const auto& p : d.store.persists) persisted.push_back(p.first);
  CHECK(persisted == Names{"timestamp", "snapshot", "targets"});
  CHECK(d.lookup("new.txt").found.has_value());
}

TEST_CASE("the same updater refreshes again from its latest trusted root", "[updater][sequence]") {
  RepoSim sim;
  SimDriver d(sim);
  require_ok(d.refresh());
  sim.publish_root();  // v2
  sim.publish();
  d.clear_records();
  require_ok(d.refresh());
  CHECK(metadata_fetches(d).front() == "metadata/2.root.json");
  d.clear_records();
  require_ok(d.refresh());
  CHECK(metadata_fetches(d).front() == "metadata/3.root.json");
  CHECK(d.updater().trusted().root().signed_part.version == 2);
}

// ---- root rotation -------------------------------------------------------------------------------

TEST_CASE("5.3 root rotation walks every version, each signed by the old and new keys",
          "[updater][root]") {
  RepoSim sim;
  for (int v = 2; v <= 5; ++v) {
    sim.rotate_keys("root");
    if (v == 4) sim.rotate_keys("timestamp");
    sim.publish_root();
  }
  sim.publish();  // timestamp signed by the rotated timestamp key
  SimDriver d(sim);
  require_ok(d.refresh());
  CHECK(metadata_fetches(d) ==
        Names{"metadata/2.root.json", "metadata/3.root.json", "metadata/4.root.json",
              "metadata/5.root.json", "metadata/6.root.json", "metadata/timestamp.json",
              "metadata/snapshot.json", "metadata/targets.json"});
  CHECK(d.updater().trusted().root().signed_part.version == 5);
  Names roots;
  for (const auto& [role, bytes] : d.store.persists) {
    if (role == "root") roots.push_back(bytes);
  }
  CHECK(roots == Names{sim.bytes("root", 2), sim.bytes("root", 3), sim.bytes("root", 4),
                       sim.bytes("root", 5)});
  CHECK(d.store.get("root") == sim.bytes("root", 5));

  // The next run starts from the persisted root v5.
  d.restart();
  d.clear_records();
  require_ok(d.refresh());
  CHECK(metadata_fetches(d).front() == "metadata/6.root.json");
}

TEST_CASE("5.3.3 max_root_rotations caps the root walk", "[updater][root]") {
  RepoSim sim;
  for (int v = 2; v <= 5; ++v) sim.publish_root();
  tuf::UpdaterConfig config;
  config.max_root_rotations = 2;
  SimDriver d(sim, config);
  require_ok(d.refresh());
  CHECK(metadata_fetches(d) == Names{"metadata/2.root.json", "metadata/3.root.json",
                                     "metadata/timestamp.json", "metadata/snapshot.json",
                                     "metadata/targets.json"});
  CHECK(d.updater().trusted().root().signed_part.version == 3);
  CHECK(sim.fetch_count("metadata/4.root.json") == 0);
}

TEST_CASE("5.3.3 only not_found ends the root walk: any other fetch error fails the refresh",
          "[updater][root]") {
  RepoSim sim;
  tuf::UpdaterConfig config;
  sim.serve("metadata/2.root.json", std::string(config.root_max_length + 1, ' '));
  SimDriver d(sim, config);
  Run r = d.refresh();
  REQUIRE_FALSE(r.ok());
  CHECK(r.code() == Errc::too_large);
  CHECK(sim.fetch_count("metadata/timestamp.json") == 0);
  CHECK(d.store.persists.empty());
}

// ---- byte limits -----------------------------------------------------------------------------------

TEST_CASE("every fetch is bounded: caps for root and timestamp, listed lengths elsewhere",
          "[updater][limits]") {
  const bool listed = GENERATE(false, true);
  RepoSim sim;
  sim.set_meta_lengths_and_hashes(listed);
  sim.add_delegation("targets", "role1", {"*"});
  sim.add_target("a.txt", "hello", "role1");
  sim.publish_all();
  tuf::UpdaterConfig config;
  config.root_max_length = 10001;
  config.timestamp_max_length = 10002;
  config.snapshot_max_length = 10003;
  config.targets_max_length = 10004;
  SimDriver d(sim, config);
  Run r = d.refresh_and_download("a.txt");
  require_ok(r);
  REQUIRE(r.ready.size() == 1);
  REQUIRE(d.fetches.size() == 6);
  for (const tuf::Fetch& f : d.fetches) {
    INFO(f.url);
    std::uint64_t expected = 0;
    if (f.role == "root") {
      expected = config.root_max_length;
    } else if (f.role == "timestamp") {
      expected = config.timestamp_max_length;
    } else if (f.role == "snapshot") {
      expected = listed ? sim.latest("snapshot").size() : config.snapshot_max_length;
    } else if (f.role.empty()) {
      expected = 5;  // the target's listed length
    } else {
      expected = listed ? sim.latest(f.role).size() : config.targets_max_length;
    }
    CHECK(f.max_bytes == expected);
  }
}

// ---- delegations -----------------------------------------------------------------------------------

TEST_CASE("5.6.7 delegations are searched pre-order, depth-first, in order of appearance",
          "[updater][delegation]") {
  RepoSim sim;
  sim.add_delegation("targets", "A", {"*"});
  sim.add_delegation("targets", "B", {"*"});
  sim.add_delegation("A", "A1", {"*"});
  sim.add_delegation("A", "A2", {"*"});
  sim.add_delegation("B", "B1", {"*"});
  sim.add_target("wanted.txt", "from B", "B");
  sim.publish_all();
  SimDriver d(sim);
  require_ok(d.refresh());
  Run r = d.lookup("wanted.txt");
  require_ok(r);
  REQUIRE(r.found);
  CHECK(r.found->info().length == 6);
  CHECK(delegated_fetches(d) == Names{"A", "A1", "A2", "B"});  // B1 is not needed
}

TEST_CASE("5.6.7 the first role listing the target wins", "[updater][delegation]") {
  RepoSim sim;
  sim.add_delegation("targets", "A", {"*"});
  sim.add_delegation("targets", "B", {"*"});
  sim.add_target("t.txt", "B's", "B");
  const auto a = sim.add_target("t.txt", "A's version", "A");
  sim.publish_all();
  SimDriver d(sim);
  require_ok(d.refresh());
  Run r = d.lookup("t.txt");
  require_ok(r);
  REQUIRE(r.found);
  CHECK(r.found->info().length == a.length);
  CHECK(r.found->info().hashes == a.hashes);
  CHECK(delegated_fetches(d) == Names{"A"});
}

// 5.6.7.2.1: terminating delegations, as a table: the delegations (delegator, role, paths,
// terminating) in order, the role that lists t.txt, whether the lookup finds it and which
// delegated roles it fetched.
TEST_CASE("5.6.7.2.1 terminating delegations", "[updater][delegation]") {
  struct Delegation {
    std::string delegator, role;
    std::vector<std::string> paths;
    bool terminating;
  };
  struct Case {
    const char* what;
    std::vector<Delegation> delegations;
    std::string listed_by;
    bool found;
    Names fetched;
  };
  const Case cases[] = {
      {"a matching terminating delegation ends the search",
       {{"targets", "A", {"*"}, true}, {"targets", "B", {"*"}, false}}, "B", false, {"A"}},
      {"a terminating delegation that does not match the path is skipped",
       {{"targets", "A", {"other/*"}, true}, {"targets", "B", {"*"}, false}}, "B", true, {"B"}},
      {"a terminating delegation deep in the graph stops backtracking",
       {{"targets", "A", {"*"}, false},
        {"targets", "B", {"*"}, false},
        {"A", "A1", {"*"}, true}},
       "B", false, {"A", "A1"}},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.what) {
      RepoSim sim;
      for (const Delegation& d : c.delegations) {
        sim.add_delegation(d.delegator, d.role, d.paths, d.terminating);
      }
      sim.add_target("t.txt", "listed by " + c.listed_by, c.listed_by);
      sim.publish_all();
      SimDriver d(sim);
      require_ok(d.refresh());
      Run r = d.lookup("t.txt");
      require_ok(r);
      CHECK(r.found.has_value() == c.found);
      CHECK(delegated_fetches(d) == c.fetched);
    }
  }
}

TEST_CASE("5.6.7.1 roles already visited are skipped (delegation cycles end)",
          "[updater][delegation]") {
  RepoSim sim;
  sim.add_delegation("targets", "A", {"*"});
  sim.add_delegation("targets", "C", {"*"});
  sim.add_delegation("A", "B", {"*"});
  sim.add_delegation("B", "A", {"*"}, false, sim.signers.at("A"));  // B -> A: a cycle
  sim.add_target("in-c.txt", "c", "C");
  sim.publish_all();
  SimDriver d(sim);
  require_ok(d.refresh());
  Run missing = d.lookup("missing.txt");
  require_ok(missing);
  CHECK_FALSE(missing.found);
  // Without the visited set the search would go round A -> B -> A until the budget ran out
  // and never reach C.
  Run r = d.lookup("in-c.txt");
  require_ok(r);
  CHECK(r.found);
  CHECK(delegated_fetches(d) == Names{"A", "B", "C"});
}

TEST_CASE("5.6.7.1 max_delegations caps the number of roles visited", "[updater][delegation]") {
  RepoSim sim;
  std::string parent = "targets";
  for (int i = 1; i <= 5; ++i) {
    const std::string name = "r" + std::to_string(i);
    sim.add_delegation(parent, name, {"*"});
    parent = name;
  }
  sim.add_target("deep.txt", "deep", "r5");
  sim.publish_all();

  tuf::UpdaterConfig config;
  config.max_delegations = 3;
  SimDriver capped(sim, config);
  require_ok(capped.refresh());
  Run r = capped.lookup("deep.txt");
  require_ok(r);
  CHECK_FALSE(r.found);
  const Names visited = delegated_fetches(capped);
  CHECK(visited.size() <= 3);
  CHECK(std::find(visited.begin(), visited.end(), "r5") == visited.end());

  SimDriver uncapped(sim);
  require_ok(uncapped.refresh());
  CHECK(uncapped.lookup("deep.txt").found.has_value());
  CHECK(delegated_fetches(uncapped) == Names{"r1", "r2", "r3", "r4", "r5"});
}

TEST_CASE("path_hash_prefixes select the role by the sha256 of the target path",
          "[updater][delegation]") {
  RepoSim sim;
  const std::string path = "pkg/file.tar.gz";
  const char first = tuf_test::sim_digest_hex("sha256", path)[0];
  const std::string all = "0123456789abcdef";
  std::vector<std::string> covering{std::string(1, first)}, others;
  for (char c : all) {
    if (c != first) others.emplace_back(1, c);
  }
  sim.add_hash_prefix_delegation("targets", "others", others);
  sim.add_hash_prefix_delegation("targets", "covering", covering);
  sim.add_target(path, "wrong role's copy", "others");
  const auto right = sim.add_target(path, "right", "covering");
  sim.publish_all();
  SimDriver d(sim);
  require_ok(d.refresh());
  Run r = d.lookup(path);
  require_ok(r);
  REQUIRE(r.found);
  CHECK(r.found->info().hashes == right.hashes);
  CHECK(delegated_fetches(d) == Names{"covering"});
}

TEST_CASE("TAP 15 succinct hash bins: a lookup fetches exactly the one covering bin",
          "[updater][delegation]") {
  RepoSim sim(true);
  const auto bins = sim.add_succinct_roles("targets", 4, "bin");
  REQUIRE(bins.size() == 16);
  CHECK(bins.front() == "bin-0");
  CHECK(bins.back() == "bin-f");
  const Names paths{"a/one.whl", "b/two.whl", "c/three.tar.gz"};
  for (const auto& p : paths) sim.add_target(p, "content of " + p, sim.bin_for("targets", p));
  sim.publish_all();
  SimDriver d(sim);
  require_ok(d.refresh());
  for (const auto& p : paths) {
    INFO(p);
    d.clear_records();
    Run r = d.refresh_and_download(p);
    require_ok(r);
    REQUIRE(r.ready.size() == 1);
    CHECK(r.ready[0].bytes == "content of " + p);
    const Names fetched = delegated_fetches(d);
    REQUIRE(fetched.size() <= 1);  // 0 when the bin was already trusted by this updater
    if (!fetched.empty()) CHECK(fetched[0] == sim.bin_for("targets", p));
  }
  // A fresh updater fetches exactly one bin for one lookup.
  SimDriver fresh(sim);
  require_ok(fresh.refresh());
  fresh.clear_records();
  require_ok(fresh.lookup(paths[1]));
  CHECK(delegated_fetches(fresh) == Names{sim.bin_for("targets", paths[1])});
  CHECK(metadata_fetches(fresh) ==
        Names{"metadata/1." + sim.bin_for("targets", paths[1]) + ".json"});
}

TEST_CASE("delegated role files use the quoted role name and, when consistent, the version",
          "[updater][delegation]") {
  RepoSim sim(true);
  sim.add_delegation("targets", "team/a b", {"*"});
  sim.add_target("x.txt", "x", "team/a b");
  sim.publish_all();
  sim.publish({"team/a b"});  // v2
  SimDriver d(sim);
  require_ok(d.refresh());
  require_ok(d.lookup("x.txt"));
  CHECK(metadata_fetches(d).back() == "metadata/2.team%2Fa%20b.json");
  CHECK(d.store.get("team/a b") == sim.latest("team/a b"));
}

// ---- targets ---------------------------------------------------------------------------------------

TEST_CASE("5.7.3 with consistent snapshots a target is fetched as <dir>/<hash>.<name>",
          "[updater][download]") {
  const bool consistent = GENERATE(false, true);
  RepoSim sim(consistent);
  const auto file = sim.add_target("dir/sub/file.txt", "payload");
  sim.publish({"targets"});
  SimDriver d(sim);
  Run r = d.refresh_and_download("dir/sub/file.txt");
  require_ok(r);
  REQUIRE(r.ready.size() == 1);
  CHECK(r.ready[0].bytes == "payload");
  CHECK(r.ready[0].info.path == "dir/sub/file.txt");
  const std::string expected =
      consistent ? "targets/dir/sub/" + file.hashes[0].second + ".file.txt"
                 : "targets/dir/sub/file.txt";
  CHECK(d.fetched_urls().back() == expected);
  CHECK(tuf_test::short_url(d.updater().target_url(r.found->info(), RepoSim::kTargetsUrl)) == expected);
}

TEST_CASE("prefix_targets_with_hash = false keeps plain target names", "[updater][download]") {
  RepoSim sim(true);
  const auto file = sim.add_target("f.txt", "x");
  sim.publish({"targets"});
  tuf::UpdaterConfig config;
  config.prefix_targets_with_hash = false;
  SimDriver d(sim, config);
  require_ok(d.refresh());
  CHECK(d.updater().target_url(tuf::TargetInfo{"f.txt", file.length, file.hashes},
                               RepoSim::kTargetsUrl) == RepoSim::target_url("f.txt"));
}

TEST_CASE("5.7 a download releases bytes only after length and every hash verified",
          "[updater][download]") {
  RepoSim sim;
  sim.add_target("t.bin", "the real bytes", "targets", {"sha256", "sha512"});
  sim.publish({"targets"});

  SECTION("good bytes are released") {
    SimDriver d(sim);
    Run r = d.refresh_and_download("t.bin");
    require_ok(r);
    REQUIRE(r.ready.size() == 1);
    CHECK(r.ready[0].bytes == "the real bytes");
    CHECK(r.ready[0].info.hashes.size() == 2);
  }
  SECTION("a shorter file fails the length check") {
    sim.serve(RepoSim::target_url("t.bin"), "short");
    SimDriver d(sim);
    Run r = d.refresh_and_download("t.bin");
    CHECK(r.code() == Errc::length_or_hash_mismatch);
    CHECK(r.role() == "t.bin");
    CHECK(r.ready.empty());
  }
  SECTION("same length, other bytes fail the hash check") {
    sim.serve(RepoSim::target_url("t.bin"), "the fake bytes");
    SimDriver d(sim);
    Run r = d.refresh_and_download("t.bin");
    CHECK(r.code() == Errc::length_or_hash_mismatch);
    CHECK(r.ready.empty());
  }
  SECTION("every listed hash must match, not just the first") {
    auto& listed = sim.targets.at("targets").targets.at("t.bin");
    listed.hashes[1].second = tuf_test::sim_digest_hex("sha512", "something else");
    sim.publish({"targets"});
    SimDriver d(sim);
    Run r = d.refresh_and_download("t.bin");
    CHECK(r.code() == Errc::length_or_hash_mismatch);
    CHECK(r.ready.empty());
  }
}

TEST_CASE("several downloads may be outstanding at once", "[updater][download]") {
  RepoSim sim(true);
  Names paths;
  for (int i = 0; i < 5; ++i) {
    paths.push_back("f" + std::to_string(i));
    sim.add_target(paths.back(), std::string(10 + i, 'a' + i));
  }
  sim.publish({"targets"});
  SimDriver d(sim);
  d.defer_answers = true;
  require_ok(d.refresh());
  std::vector<tuf::FoundTarget> infos;
  for (const auto& p : paths) {
    Run r = d.lookup(p);
    require_ok(r);
    REQUIRE(r.found);
    infos.push_back(*r.found);
  }
  for (const auto& info : infos) REQUIRE(d.updater().start_download(info, RepoSim::kTargetsUrl));
  Run r = d.pump();
  require_ok(r);
  REQUIRE(r.ready.size() == paths.size());
  for (const auto& t : r.ready) CHECK(t.bytes == sim.target_files.at(t.info.path));
}

TEST_CASE("a target that no trusted metadata lists is not found, without failing",
          "[updater][download]") {
  RepoSim sim;
  SimDriver d(sim);
  Run r = d.refresh_and_download("nowhere.txt");
  require_ok(r);
  CHECK_FALSE(r.found);
  CHECK(r.ready.empty());
  CHECK(d.updater().refreshed());
}

// ---- local metadata ----------------------------------------------------------------------------------

TEST_CASE("cached metadata is re-verified: a corrupt or forged local copy is not trusted",
          "[updater][cache]") {
  RepoSim sim;
  sim.add_target("good.txt", "good");
  sim.publish({"targets"});
  SimDriver d(sim);
  require_ok(d.refresh());

  // A local targets file forged by an attacker with write access to the cache.
  auto forged = sim.targets.at("targets");
  forged.targets["evil.txt"] = tuf::TargetFile{4, {{"sha256", tuf_test::sim_digest_hex("sha256", "evil")}}};
  d.store.files["targets"] = sim.sign_with(forged, {tuf_test::Signer::generate()});
  d.store.files["snapshot"] = "{ truncated";
  d.restart();
  d.clear_records();
  require_ok(d.refresh());
  CHECK(metadata_fetches(d) == Names{"metadata/2.root.json", "metadata/timestamp.json",
                                     "metadata/snapshot.json", "metadata/targets.json"});
  CHECK_FALSE(d.lookup("evil.txt").found);
  CHECK(d.lookup("good.txt").found);
  CHECK(d.store.get("targets") == sim.latest("targets"));
}

TEST_CASE("5.1 expiry is judged against the refresh's fixed start time", "[updater][time]") {
  RepoSim sim;
  const tuf::Timestamp ts_expires = sim.timestamp.expires;
  SimDriver d(sim);
  require_ok(d.refresh(ts_expires - 1));
  d.restart();
  Run r = d.refresh(ts_expires);
  CHECK(r.code() == Errc::expired_metadata);
  CHECK(r.role() == "timestamp");
}
