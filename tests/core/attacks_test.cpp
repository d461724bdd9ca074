// One test per attack the TUF specification's "Goals to protect against specific attacks"
// lists, run end to end through the Updater against the repository simulator. Each test checks
// the error code and role, that nothing was persisted for the attacked role, and that no
// target bytes were released. Every refusal here depends on one rule: remove the rule and the
// attacked update goes through, so the test fails.
#include <catch2/catch.hpp>

#include <algorithm>

#include "support/repo_sim.h"
#include "support/sim_driver.h"
#include "tuf_repo/serialize.h"
#include "tuf/updater.h"

using tuf::Errc;
using tuf_test::RepoSim;
using tuf_test::Run;
using tuf_test::Signer;
using tuf_test::SimDriver;

namespace {

void require_ok(const Run& r) {
  INFO(r.describe());
  REQUIRE(r.ok());
}

// The run failed with `code` naming `role`, released nothing, and persisted nothing for any of
// `roles` during this run (the driver's records are cleared before the attacked run).
void refused(const SimDriver& d, const Run& r, Errc code, std::string_view role,
             std::initializer_list<std::string_view> not_persisted) {
  INFO(r.describe());
  REQUIRE_FALSE(r.ok());
  CHECK(r.code() == code);
  CHECK(r.role() == role);
  CHECK(r.ready.empty());
  for (auto& t : d.trace) CHECK_FALSE(t.starts_with("ready "));
  for (std::string_view p : not_persisted) {
    INFO("persisted " << p);
    CHECK(d.store.persist_count(p) == 0);
  }
}

// A client that already trusts the repository's current state (a previous good refresh), with
// its records cleared so the attacked run is observed alone.
void warm_up(SimDriver& d) {
  require_ok(d.refresh());
  d.restart();
  d.clear_records();
}

// Bytes of `role`'s current model with an extra target, keeping the original signatures (what
// a mirror or man in the middle can produce without keys).
std::string tampered_targets_keeping_signatures(const RepoSim& sim, std::string_view role) {
  auto original = tuf::parse_targets(tuf::as_bytes(sim.latest(role)));
  REQUIRE(original.has_value());
  auto evil = sim.targets.find(role)->second;
  evil.targets["evil.sh"] =
      tuf::TargetFile{4, {{"sha256", tuf_test::sim_digest_hex("sha256", "evil")}}};
  return tuf::make_envelope(tuf::serialize_signed(evil), original->signatures);
}

}  // namespace

// ---- arbitrary installation ---------------------------------------------------------------------

TEST_CASE("arbitrary installation: replaced target bytes are refused", "[attack]") {
  RepoSim sim(GENERATE(false, true));
  const auto file = sim.add_target("app/tool.tar.gz", "genuine release");
  sim.publish({"targets"});
  SimDriver d(sim);
  require_ok(d.refresh());
  Run found = d.lookup("app/tool.tar.gz");
  REQUIRE(found.found);
  CHECK(found.found->info().length == file.length);
  sim.serve(d.updater().target_url(found.found->info(), RepoSim::kTargetsUrl),
            "malicious tool!");  // same length
  Run r = d.download(*found.found);
  refused(d, r, Errc::length_or_hash_mismatch, "app/tool.tar.gz", {});
}

TEST_CASE("arbitrary installation: targets metadata not signed by the targets keys is refused",
          "[attack]") {
  RepoSim sim;
  SimDriver d(sim);
  warm_up(d);
  const Signer attacker = Signer::generate();
  sim.signers["targets"] = {attacker};
  sim.add_target("evil.sh", "evil");
  sim.publish({"targets"});
  Run r = d.refresh_and_download("evil.sh");
  refused(d, r, Errc::unsigned_metadata, "targets", {"targets"});
  CHECK(d.store.persist_count("snapshot") == 1);  // the genuine snapshot was fine
}

// ---- endless data ----------------------------------------------------------------------------

TEST_CASE("endless data: a timestamp larger than timestamp_max_length is refused", "[attack]") {
  RepoSim sim;
  tuf::UpdaterConfig config;
  config.timestamp_max_length = 4096;
  sim.serve_oversized("metadata/timestamp.json", 1 << 20);
  SimDriver d(sim, config);
  Run r = d.refresh();
  refused(d, r, Errc::too_large, "timestamp", {"timestamp", "snapshot", "targets"});
  CHECK(sim.fetch_count("metadata/snapshot.json") == 0);
}

TEST_CASE("endless data: the updater refuses oversized answers even if the transport did not",
          "[attack]") {
  RepoSim sim;
  tuf::UpdaterConfig config;
  config.timestamp_max_length = 4096;
  sim.serve_oversized("metadata/timestamp.json", 1 << 20);
  SimDriver d(sim, config);
  d.enforce_max_bytes = false;  // a broken I/O layer delivers everything
  Run r = d.refresh();
  refused(d, r, Errc::too_large, "timestamp", {"timestamp", "snapshot", "targets"});
}

TEST_CASE("endless data: a snapshot longer than the length timestamp lists is refused",
          "[attack]") {
  RepoSim sim;
  sim.set_meta_lengths_and_hashes(true);
  sim.publish();
  sim.serve_oversized("metadata/snapshot.json", 1 << 16);
  SimDriver d(sim);
  Run r = d.refresh();
  refused(d, r, Errc::too_large, "snapshot", {"snapshot", "targets"});
  REQUIRE(!d.fetches.empty());
  CHECK(d.fetches.back().max_bytes == sim.latest("snapshot").size());
}

TEST_CASE("endless data: a target longer than its listed length is refused", "[attack]") {
  RepoSim sim;
  sim.add_target("big.iso", "0123456789");
  sim.publish({"targets"});
  sim.serve_oversized(RepoSim::target_url("big.iso"), 1 << 20);
  SimDriver d(sim);
  Run r = d.refresh_and_download("big.iso");
  refused(d, r, Errc::too_large, "big.iso", {});
  CHECK(d.fetches.back().max_bytes == 10);
}

// ---- extraneous dependencies --------------------------------------------------------------------

TEST_CASE("extraneous dependencies: a delegated role signed by an untrusted key is refused",
          "[attack]") {
  RepoSim sim;
  sim.add_delegation("targets", "deps", {"deps/*"});
  sim.add_target("deps/libgood.so", "good", "deps");
  sim.publish_all();
  SimDriver d(sim);
  warm_up(d);
  // The attacker re-signs the delegated role with their own key to add a dependency.
  sim.signers["deps"] = {Signer::generate()};
  sim.add_target("deps/libevil.so", "evil", "deps");
  sim.publish({"deps"});
  Run r = d.refresh_and_download("deps/libevil.so");
  refused(d, r, Errc::unsigned_metadata, "deps", {"deps"});
  CHECK_FALSE(r.found);
}

// ---- fast-forward -----------------------------------------------------------------------------

TEST_CASE("fast-forward: an attacker-signed timestamp with an inflated version is refused",
          "[attack]") {
  RepoSim sim;
  SimDriver d(sim);
  warm_up(d);
  const auto genuine = sim.signers.at("timestamp");
  sim.signers["timestamp"] = {Signer::generate()};
  sim.timestamp.version = 1'000'000;
  sim.publish_timestamp(/*bump=*/false);
  Run r = d.refresh();
  refused(d, r, Errc::unsigned_metadata, "timestamp", {"timestamp", "snapshot"});

  // The client is not stuck: the repository's next genuine timestamp is accepted.
  sim.signers["timestamp"] = genuine;
  sim.timestamp.version = 1;
  sim.publish_timestamp();  // v2
  d.restart();
  require_ok(d.refresh());
  CHECK(d.updater().trusted().timestamp()->signed_part.version == 2);
}

TEST_CASE("fast-forward: an attacker-signed snapshot with inflated versions is refused",
          "[attack]") {
  RepoSim sim;
  SimDriver d(sim);
  warm_up(d);
  sim.publish();  // timestamp v2 lists snapshot v2
  // The attacker serves a snapshot v2 of their own listing targets v1000000.
  auto inflated = sim.snapshot;
  inflated.meta["targets.json"].version = 1'000'000;
  sim.serve("metadata/snapshot.json", sim.sign_with(inflated, {Signer::generate()}));
  Run r = d.refresh();
  refused(d, r, Errc::unsigned_metadata, "snapshot", {"snapshot", "targets"});
}

TEST_CASE("fast-forward recovery (5.3.11): after timestamp key rotation a lower timestamp "
          "version is accepted",
          "[attack]") {
  RepoSim sim;
  SimDriver d(sim);
  warm_up(d);
  // The timestamp key was compromised: the attacker fast-forwards timestamp (and the snapshot
  // version it lists), and the client accepts and persists it (it is validly signed).
  sim.timestamp.version = 1'000'000;
  sim.timestamp.snapshot_meta.version = 1'000'000;
  sim.publish_timestamp(false);
  const Run attacked = d.refresh();
  REQUIRE_FALSE(attacked.ok());  // the snapshot it names does not exist
  REQUIRE(d.store.get("timestamp") == sim.latest("timestamp"));

  // Without a key rotation, the repository's genuine v2 looks like a rollback.
  sim.timestamp.version = 1;
  sim.publish_snapshot(false);  // restores timestamp's snapshot meta to the real snapshot v1
  sim.publish_timestamp();      // v2
  d.restart();
  d.clear_records();
  refused(d, d.refresh(), Errc::bad_version_number, "timestamp", {"timestamp"});

  // The repository rotates the timestamp key: the stored v1000 no longer verifies and is
  // ignored, so v3 is accepted.
  sim.rotate_keys("timestamp");
  sim.publish_root();
  sim.publish_timestamp();  // v3, new key
  d.restart();
  d.clear_records();
  require_ok(d.refresh());
  CHECK(d.updater().trusted().timestamp()->signed_part.version == 3);
  CHECK(d.store.get("timestamp") == sim.latest("timestamp"));
}

TEST_CASE("fast-forward recovery (5.3.11): after snapshot key rotation a lower snapshot "
          "version is accepted",
          "[attack]") {
  RepoSim sim;
  SimDriver d(sim);
  warm_up(d);
  // Timestamp and snapshot keys compromised: snapshot v1000 listing targets v1000.
  sim.snapshot.version = 999'999;
  sim.targets_meta["targets"].version = 1'000'000;
  sim.publish();  // snapshot v1000000, timestamp v2
  (void)d.refresh();  // targets v1000000 does not exist; timestamp and snapshot are persisted
  REQUIRE(d.store.get("snapshot") == sim.latest("snapshot"));

  // Recovery: new timestamp and snapshot keys, lower versions.
  sim.rotate_keys("timestamp");
  sim.rotate_keys("snapshot");
  sim.publish_root();
  sim.snapshot.version = 2;
  sim.targets_meta["targets"].version = 1;
  sim.timestamp.version = 2;
  sim.publish();  // snapshot v3, timestamp v3
  d.restart();
  d.clear_records();
  require_ok(d.refresh());
  CHECK(d.updater().trusted().snapshot()->signed_part.version == 3);
  CHECK(d.store.get("snapshot") == sim.latest("snapshot"));
}

// ---- indefinite freeze ------------------------------------------------------------------------

TEST_CASE("indefinite freeze: expired metadata is refused with expired_metadata", "[attack]") {
  const std::string role = GENERATE("timestamp", "snapshot", "targets", "delegated");
  RepoSim sim;
  sim.add_delegation("targets", "delegated", {"*"});
  sim.add_target("t.txt", "t", "delegated");
  // What the attacker keeps serving: metadata that expires in two days.
  sim.set_expires(role, RepoSim::kNow + 2 * RepoSim::kDay);
  sim.publish_all();
  SimDriver fresh(sim);
  const tuf::Timestamp later = RepoSim::kNow + 3 * RepoSim::kDay;
  Run r = fresh.refresh_and_download("t.txt", later);
  INFO(role);
  refused(fresh, r, Errc::expired_metadata, role, {std::string_view(role)});
  if (role == "timestamp") CHECK_FALSE(fresh.store.persisted("snapshot"));
}

TEST_CASE("indefinite freeze: an expired final root is refused", "[attack]") {
  RepoSim sim;
  sim.set_expires("root", RepoSim::kNow + RepoSim::kDay);
  sim.publish_root();  // v2
  SimDriver d(sim);
  Run r = d.refresh(RepoSim::kNow + 2 * RepoSim::kDay);
  refused(d, r, Errc::expired_metadata, "root", {"timestamp", "snapshot", "targets"});
  CHECK(sim.fetch_count("metadata/timestamp.json") == 0);
}

TEST_CASE("indefinite freeze: an expired trusted root with no newer version is refused",
          "[attack]") {
  RepoSim sim;
  SimDriver d(sim);
  Run r = d.refresh(sim.root.expires + 1);
  refused(d, r, Errc::expired_metadata, "root", {"root", "timestamp"});
}

// ---- malicious mirrors ------------------------------------------------------------------------

TEST_CASE("malicious mirrors: tampered metadata is refused and does not block good updates",
          "[attack]") {
  RepoSim sim;
  sim.add_target("tool", "genuine");
  sim.publish({"targets"});
  SimDriver d(sim);
  warm_up(d);
  sim.add_target("tool2", "new");
  sim.publish({"targets"});
  // The mirror adds a target to the new targets file but cannot re-sign it.
  sim.serve("metadata/targets.json", tampered_targets_keeping_signatures(sim, "targets"));
  Run r = d.refresh_and_download("evil.sh");
  refused(d, r, Errc::unsigned_metadata, "targets", {"targets"});

  // Updating from a good mirror afterwards works: nothing of the bad one was kept.
  sim.clear_tampering();
  d.restart();
  Run good = d.refresh_and_download("tool2");
  require_ok(good);
  REQUIRE(good.ready.size() == 1);
  CHECK(good.ready[0].bytes == "new");
}

// ---- mix-and-match ----------------------------------------------------------------------------

TEST_CASE("mix-and-match: a snapshot whose hashes do not match timestamp's listing is refused",
          "[attack]") {
  RepoSim sim;
  sim.set_meta_lengths_and_hashes(true);
  sim.add_delegation("targets", "role1", {"*"});
  sim.publish_all();
  sim.publish({"role1"});
  // A genuine snapshot, but not the one this timestamp names; same length so only the hash
  // check can catch it (5.5.2 before the version check of 5.5.4).
  auto other = sim.snapshot;
  other.expires += 1;
  sim.serve("metadata/snapshot.json", sim.sign_with(other, sim.signers.at("snapshot")));
  SimDriver d(sim);
  Run r = d.refresh();
  refused(d, r, Errc::length_or_hash_mismatch, "snapshot", {"snapshot", "targets"});
}

TEST_CASE("mix-and-match: a snapshot version other than timestamp's listing is refused",
          "[attack]") {
  RepoSim sim;
  sim.publish();  // snapshot v2 listed by timestamp v2
  sim.serve_version("snapshot", 1);
  SimDriver d(sim);
  Run r = d.refresh();
  refused(d, r, Errc::bad_version_number, "snapshot", {"snapshot", "targets"});
}

TEST_CASE("mix-and-match: a targets version other than snapshot's listing is refused",
          "[attack]") {
  RepoSim sim(GENERATE(false, true));
  sim.add_target("v1.txt", "1");
  sim.publish({"targets"});
  sim.add_target("v2.txt", "2");
  sim.publish({"targets"});  // targets v3
  sim.serve_version("targets", 2);
  SimDriver d(sim);
  Run r = d.refresh();
  refused(d, r, Errc::bad_version_number, "targets", {"targets"});
}

// ---- rollback -----------------------------------------------------------------------------------

TEST_CASE("rollback: an older timestamp is refused", "[attack]") {
  RepoSim sim;
  sim.publish();  // v2
  sim.publish();  // v3
  SimDriver d(sim);
  warm_up(d);
  sim.serve_version("timestamp", 2);
  Run r = d.refresh();
  refused(d, r, Errc::bad_version_number, "timestamp", {"timestamp", "snapshot"});
  CHECK(d.store.get("timestamp") == sim.bytes("timestamp", 3));
}

TEST_CASE("rollback: an expired local timestamp still stops an older remote one", "[attack]") {
  RepoSim sim;
  sim.set_expires("timestamp", RepoSim::kNow + 30 * RepoSim::kDay);
  sim.publish_timestamp();  // v2, valid 30 days
  sim.set_expires("timestamp", RepoSim::kNow + 7 * RepoSim::kDay);
  sim.publish_timestamp();  // v3, valid 7 days
  SimDriver d(sim);
  warm_up(d);
  sim.serve_version("timestamp", 2);
  Run r = d.refresh(RepoSim::kNow + 10 * RepoSim::kDay);
  refused(d, r, Errc::bad_version_number, "timestamp", {"timestamp"});
}

TEST_CASE("rollback: a timestamp listing an older snapshot is refused", "[attack]") {
  RepoSim sim;
  sim.publish();
  sim.publish();  // snapshot v3
  SimDriver d(sim);
  warm_up(d);
  sim.timestamp.snapshot_meta.version = 2;
  sim.publish_timestamp();  // v4 lists snapshot v2
  Run r = d.refresh();
  REQUIRE_FALSE(r.ok());
  CHECK(r.code() == Errc::bad_version_number);
  CHECK((r.role() == "timestamp" || r.role() == "snapshot"));
  CHECK(d.store.persists.empty());
}

TEST_CASE("rollback: a snapshot listing an older targets version is refused", "[attack]") {
  RepoSim sim;
  sim.publish({"targets"});
  sim.publish({"targets"});  // targets v3
  SimDriver d(sim);
  warm_up(d);
  sim.targets_meta["targets"].version = 2;
  sim.publish();  // snapshot v4 lists targets v2
  Run r = d.refresh();
  refused(d, r, Errc::bad_version_number, "snapshot", {"snapshot", "targets"});
}

TEST_CASE("rollback: an older targets file is refused", "[attack]") {
  RepoSim sim;
  sim.publish({"targets"});
  SimDriver d(sim);
  warm_up(d);
  sim.publish({"targets"});  // targets v3
  sim.serve_version("targets", 2);
  Run r = d.refresh();
  refused(d, r, Errc::bad_version_number, "targets", {"targets"});
}

// ---- slow retrieval ---------------------------------------------------------------------------

TEST_CASE("slow retrieval: every fetch carries a finite byte limit", "[attack]") {
  // The timing defence lives in the transport (tests/io); the core's part is that no request
  // is unbounded: caps for root and timestamp, listed lengths or caps for the rest.
  RepoSim sim(GENERATE(false, true));
  sim.add_delegation("targets", "role1", {"*"});
  sim.add_target("f.bin", std::string(1000, 'x'), "role1");
  sim.publish_all();
  tuf::UpdaterConfig config;
  SimDriver d(sim, config);
  require_ok(d.refresh_and_download("f.bin"));
  const std::uint64_t cap = std::max({config.root_max_length, config.timestamp_max_length,
                                      config.snapshot_max_length, config.targets_max_length});
  REQUIRE(d.fetches.size() == 6);
  for (const auto& f : d.fetches) {
    INFO(f.url);
    CHECK(f.max_bytes > 0);
    CHECK(f.max_bytes <= cap);
    if (f.role == "root") CHECK(f.max_bytes <= config.root_max_length);
    if (f.role == "timestamp") CHECK(f.max_bytes <= config.timestamp_max_length);
    if (f.role.empty()) CHECK(f.max_bytes == 1000);
  }
}

// ---- key compromise ---------------------------------------------------------------------------

TEST_CASE("key compromise below threshold: one valid and one forged signature are refused",
          "[attack]") {
  RepoSim sim;
  const Signer second = sim.add_key("timestamp");
  sim.set_threshold("timestamp", 2);
  sim.publish_root();
  sim.publish();
  SimDriver d(sim);
  warm_up(d);
  // One timestamp key is compromised; the attacker cannot make the second signature.
  sim.tamper_signatures = tuf_test::forge_signature("timestamp", second.keyid());
  sim.publish_timestamp();
  Run r = d.refresh();
  refused(d, r, Errc::unsigned_metadata, "timestamp", {"timestamp"});
  // Or leaves the second signature out.
  sim.tamper_signatures = [&](std::string_view role, std::vector<tuf::Signature>& sigs) {
    if (role == "timestamp") std::erase_if(sigs, [&](auto& s) { return s.keyid == second.keyid(); });
  };
  sim.publish_timestamp();
  d.restart();
  refused(d, d.refresh(), Errc::unsigned_metadata, "timestamp", {"timestamp"});
}

TEST_CASE("key compromise below threshold: a signature duplicated by one key is refused",
          "[attack]") {
  RepoSim sim;
  const Signer first = sim.signers.at("snapshot")[0];
  sim.add_key("snapshot");
  sim.set_threshold("snapshot", 2);
  sim.publish_root();
  sim.publish();
  SimDriver d(sim);
  warm_up(d);
  // The attacker holds only the first key and lists its signature twice.
  sim.signers["snapshot"] = {first};
  sim.tamper_signatures = tuf_test::duplicate_signatures("snapshot");
  sim.publish();
  Run r = d.refresh();
  INFO(r.describe());
  REQUIRE_FALSE(r.ok());
  // The parser refuses repeated keyids (invalid_metadata); the threshold count would refuse
  // them too (unsigned_metadata). Either way the snapshot is not trusted.
  CHECK((r.code() == Errc::invalid_metadata || r.code() == Errc::unsigned_metadata));
  CHECK(r.role() == "snapshot");
  CHECK(d.store.persist_count("snapshot") == 0);
  CHECK(d.store.persist_count("targets") == 0);
}

TEST_CASE("key compromise below threshold: a new root signed by one of two root keys is refused",
          "[attack]") {
  RepoSim sim;
  const Signer compromised = sim.signers.at("root")[0];
  sim.add_key("root");
  sim.set_threshold("root", 2);
  sim.publish_root();  // v2: two root keys, threshold 2
  SimDriver d(sim, {}, sim.bytes("root", 2));
  // The attacker makes v3 trust only their own key, signed with the one key they hold.
  const Signer attacker = Signer::generate();
  auto evil = sim.root;
  evil.version = 3;
  evil.keys[attacker.keyid()] = attacker.key();
  evil.roles["root"] = tuf::RoleKeys{{attacker.keyid()}, 1};
  sim.serve("metadata/3.root.json", sim.sign_with(evil, {compromised, attacker}));
  Run r = d.refresh();
  refused(d, r, Errc::unsigned_metadata, "root", {"root", "timestamp"});
  CHECK(d.updater().trusted().root().signed_part.version == 2);
}

// ---- wrong software ---------------------------------------------------------------------------

TEST_CASE("wrong software: another target's bytes are refused", "[attack]") {
  RepoSim sim;
  sim.add_target("wanted-1.0.tar.gz", "wanted");
  sim.add_target("other-1.0.tar.gz", "others");  // same length, a genuine file of this repo
  sim.publish({"targets"});
  sim.serve(RepoSim::target_url("wanted-1.0.tar.gz"), sim.target_files.at("other-1.0.tar.gz"));
  SimDriver d(sim);
  Run r = d.refresh_and_download("wanted-1.0.tar.gz");
  refused(d, r, Errc::length_or_hash_mismatch, "wanted-1.0.tar.gz", {});
}

TEST_CASE("wrong software: metadata and targets of another repository are refused", "[attack]") {
  RepoSim sim, other;
  sim.add_target("pkg.whl", "ours!");
  sim.publish({"targets"});
  other.add_target("pkg.whl", "their");
  other.publish({"targets"});

  SECTION("their timestamp") {
    sim.serve("metadata/timestamp.json", other.latest("timestamp"));
    SimDriver d(sim);
    refused(d, d.refresh(), Errc::unsigned_metadata, "timestamp", {"timestamp"});
  }
  SECTION("their targets metadata") {
    sim.serve("metadata/targets.json", other.latest("targets"));
    SimDriver d(sim);
    refused(d, d.refresh(), Errc::unsigned_metadata, "targets", {"targets"});
  }
  SECTION("their target file") {
    sim.serve(RepoSim::target_url("pkg.whl"), other.target_files.at("pkg.whl"));
    SimDriver d(sim);
    refused(d, d.refresh_and_download("pkg.whl"), Errc::length_or_hash_mismatch, "pkg.whl", {});
  }
}

TEST_CASE("wrong software: a target listed by a role not delegated for its path is not returned",
          "[attack]") {
  RepoSim sim;
  sim.add_delegation("targets", "any", {"*/*"});
  sim.add_delegation("any", "docs", {"docs/*"});
  sim.add_target("docs/manual.pdf", "manual", "docs");
  sim.add_target("bin/tool", "evil", "docs");  // docs may not speak for bin/
  sim.publish_all();
  SimDriver d(sim);
  require_ok(d.refresh());
  Run r = d.lookup("bin/tool");
  require_ok(r);
  CHECK_FALSE(r.found);
  CHECK(sim.fetch_count("metadata/docs.json") == 0);
  CHECK(d.lookup("docs/manual.pdf").found.has_value());
  CHECK(d.trace.end() == std::find_if(d.trace.begin(), d.trace.end(),
                                      [](auto& t) { return t.starts_with("ready "); }));
}
