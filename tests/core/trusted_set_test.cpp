// TrustedSet: one test per verification rule of TUF specification section 5, each fed with
// metadata the repository simulator signed. Every refusal also checks that the trusted state
// is what it was before the refused update.
#include <catch2/catch.hpp>

#include <cctype>

#include "support/repo_sim.h"
#include "tuf/trusted_set.h"

using tuf::Errc;
using tuf_test::KeyType;
using tuf_test::RepoSim;
using tuf_test::Signer;

namespace {

tuf::Bytes b(const std::string& s) { return tuf::as_bytes(s); }

tuf::TrustedSet trust(const std::string& root_bytes, tuf::Timestamp now = RepoSim::kNow) {
  auto set = tuf::TrustedSet::create(b(root_bytes), now);
  if (!set) FAIL("TrustedSet::create: " << set.error().message());
  return std::move(*set);
}

tuf::TrustedSet trust_v1(const RepoSim& sim, tuf::Timestamp now = RepoSim::kNow) {
  return trust(sim.bytes("root", 1), now);
}

// The top-level roles the simulator published last.
void load_top_level(tuf::TrustedSet& set, const RepoSim& sim) {
  auto ts = set.update_timestamp(b(sim.latest("timestamp")));
  REQUIRE(ts.has_value());
  auto sn = set.update_snapshot(b(sim.latest("snapshot")));
  REQUIRE(sn.has_value());
  auto tg = set.update_targets(b(sim.latest("targets")));
  REQUIRE(tg.has_value());
}

// Asserts a refusal with this code and role.
void refused(const tuf::Result<void>& r, Errc code, std::string_view role) {
  REQUIRE_FALSE(r.has_value());
  INFO(r.error().message());
  CHECK(r.error().code == code);
  CHECK(r.error().role == role);
}

std::uint64_t version_of(const tuf::Metadata<tuf::TimestampMeta>* m) {
  return m ? m->signed_part.version : 0;
}
std::uint64_t version_of(const tuf::Metadata<tuf::Snapshot>* m) {
  return m ? m->signed_part.version : 0;
}
std::uint64_t version_of(const tuf::Metadata<tuf::Targets>* m) {
  return m ? m->signed_part.version : 0;
}

}  // namespace

// ---- 5.2 / 5.3: root ---------------------------------------------------------------------------

TEST_CASE("5.2 the trusted root must be signed by its own root keys", "[trusted_set][root]") {
  RepoSim sim;
  const std::string forged = sim.sign_with(sim.root, {Signer::generate()});
  auto set = tuf::TrustedSet::create(b(forged), RepoSim::kNow);
  REQUIRE_FALSE(set.has_value());
  CHECK(set.error().code == Errc::unsigned_metadata);
  CHECK(set.error().role == "root");

  auto unsigned_root = tuf::TrustedSet::create(b(sim.sign_with(sim.root, {})), RepoSim::kNow);
  REQUIRE_FALSE(unsigned_root.has_value());
  CHECK(unsigned_root.error().code == Errc::unsigned_metadata);
}

TEST_CASE("5.3.4 a new root signed by the trusted and the new root keys is accepted",
          "[trusted_set][root]") {
  RepoSim sim;
  sim.rotate_keys("root");
  sim.publish_root();  // v2: signed by the v1 key and the new key
  auto set = trust_v1(sim);
  REQUIRE(set.update_root(b(sim.bytes("root", 2))).has_value());
  CHECK(set.root().signed_part.version == 2);
}

TEST_CASE("5.3.4 a new root must be signed by a threshold of the trusted root's keys",
          "[trusted_set][root]") {
  RepoSim sim;
  const auto new_keys = sim.rotate_keys("root");
  ++sim.root.version;
  const std::string only_new = sim.sign_with(sim.root, new_keys);
  auto set = trust_v1(sim);
  const std::string before = set.root().canonical_signed;
  refused(set.update_root(b(only_new)), Errc::unsigned_metadata, "root");
  CHECK(set.root().signed_part.version == 1);
  CHECK(set.root().canonical_signed == before);
}

TEST_CASE("5.3.4 a new root must be signed by a threshold of its own keys",
          "[trusted_set][root]") {
  RepoSim sim;
  const auto old_keys = sim.signers.at("root");
  sim.rotate_keys("root");
  ++sim.root.version;
  const std::string only_old = sim.sign_with(sim.root, old_keys);
  auto set = trust_v1(sim);
  refused(set.update_root(b(only_old)), Errc::unsigned_metadata, "root");
  CHECK(set.root().signed_part.version == 1);
}

TEST_CASE("5.3.4 a root threshold of 2 is not met by one of the two trusted keys",
          "[trusted_set][root]") {
  RepoSim sim;
  const Signer second = sim.add_key("root");
  sim.set_threshold("root", 2);
  sim.publish_root();  // v2: two keys, threshold 2
  auto set = trust(sim.bytes("root", 2));

  ++sim.root.version;  // v3 signed by only one of the two keys
  const std::string one_of_two = sim.sign_with(sim.root, {second});
  refused(set.update_root(b(one_of_two)), Errc::unsigned_metadata, "root");
  CHECK(set.root().signed_part.version == 2);

  const std::string both = sim.sign_with(sim.root, sim.signers.at("root"));
  CHECK(set.update_root(b(both)).has_value());
}

TEST_CASE("5.3.5 the new root version must be exactly N+1", "[trusted_set][root]") {
  RepoSim sim;
  sim.publish_root();  // v2
  sim.publish_root();  // v3
  auto set = trust_v1(sim);
  refused(set.update_root(b(sim.bytes("root", 3))), Errc::bad_version_number, "root");
  refused(set.update_root(b(sim.bytes("root", 1))), Errc::bad_version_number, "root");
  CHECK(set.root().signed_part.version == 1);
  REQUIRE(set.update_root(b(sim.bytes("root", 2))).has_value());
  REQUIRE(set.update_root(b(sim.bytes("root", 3))).has_value());
  CHECK(set.root().signed_part.version == 3);
}

TEST_CASE("5.3.6 an expired intermediate root is accepted: 5.3.10 an expired final root is not",
          "[trusted_set][root]") {
  RepoSim sim;
  sim.set_expires("root", RepoSim::kNow - RepoSim::kDay);
  sim.publish_root();  // v2, expired
  auto set = trust_v1(sim);
  REQUIRE(set.update_root(b(sim.bytes("root", 2))).has_value());
  refused(set.check_root_not_expired(), Errc::expired_metadata, "root");
  // Nothing is trusted on top of an expired root.
  refused(set.update_timestamp(b(sim.latest("timestamp"))), Errc::expired_metadata, "root");
  CHECK(set.timestamp() == nullptr);

  sim.set_expires("root", RepoSim::kNow + RepoSim::kYear);
  sim.publish_root();  // v3, valid again
  REQUIRE(set.update_root(b(sim.bytes("root", 3))).has_value());
  CHECK(set.check_root_not_expired().has_value());
}

TEST_CASE("5.3.10 the final root expiry is judged at the fixed reference time",
          "[trusted_set][root]") {
  RepoSim sim;
  const tuf::Timestamp expires = sim.root.expires;
  CHECK(trust_v1(sim, expires - 1).check_root_not_expired().has_value());
  refused(trust_v1(sim, expires).check_root_not_expired(), Errc::expired_metadata, "root");
}

// ---- 5.4: timestamp ----------------------------------------------------------------------------

TEST_CASE("5.4.2 timestamp must be signed by a threshold of root's timestamp keys",
          "[trusted_set][timestamp]") {
  RepoSim sim;
  auto set = trust_v1(sim);
  // An attacker's key, then a key root lists for another role (targets), then no signature.
  refused(set.update_timestamp(b(sim.sign_with(sim.timestamp, {Signer::generate()}))),
          Errc::unsigned_metadata, "timestamp");
  refused(set.update_timestamp(b(sim.sign_with(sim.timestamp, sim.signers.at("targets")))),
          Errc::unsigned_metadata, "timestamp");
  sim.tamper_signatures = tuf_test::drop_signatures("timestamp");
  refused(set.update_timestamp(b(sim.publish_timestamp())), Errc::unsigned_metadata,
          "timestamp");
  CHECK(set.timestamp() == nullptr);
  sim.tamper_signatures = nullptr;
  CHECK(set.update_timestamp(b(sim.publish_timestamp())).has_value());
}

TEST_CASE("5.4.3.1 a timestamp version lower than the trusted one is a rollback",
          "[trusted_set][timestamp]") {
  RepoSim sim;
  sim.publish_timestamp();  // v2
  sim.publish_timestamp();  // v3
  auto set = trust_v1(sim);
  REQUIRE(set.update_timestamp(b(sim.bytes("timestamp", 3))).has_value());
  refused(set.update_timestamp(b(sim.bytes("timestamp", 2))), Errc::bad_version_number,
          "timestamp");
  CHECK(version_of(set.timestamp()) == 3);
}

TEST_CASE("5.4.3.1 an equal timestamp version is reported as equal_version_number",
          "[trusted_set][timestamp]") {
  RepoSim sim;
  auto set = trust_v1(sim);
  REQUIRE(set.update_timestamp(b(sim.latest("timestamp"))).has_value());
  const std::string before = set.timestamp()->canonical_signed;
  // Same version, different content (a re-signed copy): still "nothing changed".
  auto other = sim.timestamp;
  other.expires += 1;
  refused(set.update_timestamp(b(sim.sign_with(other, sim.signers.at("timestamp")))),
          Errc::equal_version_number, "timestamp");
  CHECK(set.timestamp()->canonical_signed == before);
}

TEST_CASE("5.4.3.2 the snapshot version a new timestamp lists must not go back",
          "[trusted_set][timestamp]") {
  RepoSim sim;
  sim.publish();  // snapshot v2, timestamp v2 lists it
  auto set = trust_v1(sim);
  REQUIRE(set.update_timestamp(b(sim.latest("timestamp"))).has_value());

  sim.timestamp.snapshot_meta.version = 1;  // timestamp v3 lists snapshot v1
  sim.publish_timestamp();
  auto r = set.update_timestamp(b(sim.latest("timestamp")));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::bad_version_number);
  CHECK((r.error().role == "timestamp" || r.error().role == "snapshot"));
  CHECK(version_of(set.timestamp()) == 2);
}

TEST_CASE("5.4.4 an expired timestamp is refused and nothing is built on it",
          "[trusted_set][timestamp]") {
  RepoSim sim;
  sim.set_expires("timestamp", RepoSim::kNow);
  sim.publish_timestamp();
  auto set = trust_v1(sim);
  refused(set.update_timestamp(b(sim.latest("timestamp"))), Errc::expired_metadata,
          "timestamp");
  refused(set.check_final_timestamp(), Errc::expired_metadata, "timestamp");
  CHECK_FALSE(set.update_snapshot(b(sim.latest("snapshot"))).has_value());
  CHECK(set.snapshot() == nullptr);
}

TEST_CASE("5.4.3.1 an expired trusted timestamp is still the rollback reference",
          "[trusted_set][timestamp]") {
  RepoSim sim;
  sim.set_expires("timestamp", RepoSim::kNow + 30 * RepoSim::kDay);
  sim.publish_timestamp();  // v2, valid for 30 days
  sim.set_expires("timestamp", RepoSim::kNow + 7 * RepoSim::kDay);
  sim.publish_timestamp();  // v3, valid for 7 days
  auto set = trust_v1(sim, RepoSim::kNow + 10 * RepoSim::kDay);
  refused(set.update_timestamp(b(sim.bytes("timestamp", 3))), Errc::expired_metadata,
          "timestamp");
  // v2 has not expired, but v3 was seen: v2 is a rollback.
  refused(set.update_timestamp(b(sim.bytes("timestamp", 2))), Errc::bad_version_number,
          "timestamp");
}

// ---- 5.5: snapshot -----------------------------------------------------------------------------

TEST_CASE("5.5.2 snapshot hashes must match the timestamp's listing", "[trusted_set][snapshot]") {
  RepoSim sim;
  sim.timestamp_meta_hashes = true;
  sim.publish();
  auto set = trust_v1(sim);
  REQUIRE(set.update_timestamp(b(sim.latest("timestamp"))).has_value());
  // Same version, validly signed, but not the file timestamp names.
  auto other = sim.snapshot;
  other.expires += 1;
  refused(set.update_snapshot(b(sim.sign_with(other, sim.signers.at("snapshot")))),
          Errc::length_or_hash_mismatch, "snapshot");
  CHECK(set.snapshot() == nullptr);
  CHECK(set.update_snapshot(b(sim.latest("snapshot"))).has_value());
}

TEST_CASE("5.5.2 snapshot length must match the timestamp's listing", "[trusted_set][snapshot]") {
  RepoSim sim;
  sim.timestamp_meta_lengths = true;
  sim.publish();
  auto set = trust_v1(sim);
  REQUIRE(set.update_timestamp(b(sim.latest("timestamp"))).has_value());
  auto longer = sim.snapshot;
  longer.meta["extra.json"] = tuf::MetaInfo{1, std::nullopt, {}};
  refused(set.update_snapshot(b(sim.sign_with(longer, sim.signers.at("snapshot")))),
          Errc::length_or_hash_mismatch, "snapshot");
  CHECK(set.snapshot() == nullptr);
}

TEST_CASE("5.5.3 snapshot must be signed by a threshold of root's snapshot keys",
          "[trusted_set][snapshot]") {
  RepoSim sim;
  auto set = trust_v1(sim);
  REQUIRE(set.update_timestamp(b(sim.latest("timestamp"))).has_value());
  refused(set.update_snapshot(b(sim.sign_with(sim.snapshot, {Signer::generate()}))),
          Errc::unsigned_metadata, "snapshot");
  refused(set.update_snapshot(b(sim.sign_with(sim.snapshot, sim.signers.at("timestamp")))),
          Errc::unsigned_metadata, "snapshot");
  CHECK(set.snapshot() == nullptr);
}

TEST_CASE("5.5.4 snapshot version must match the timestamp's listing", "[trusted_set][snapshot]") {
  RepoSim sim;
  sim.publish();  // timestamp v2 lists snapshot v2
  auto set = trust_v1(sim);
  REQUIRE(set.update_timestamp(b(sim.latest("timestamp"))).has_value());
  refused(set.update_snapshot(b(sim.bytes("snapshot", 1))), Errc::bad_version_number,
          "snapshot");
  // Whatever is kept as a rollback reference is not final: targets cannot rely on it.
  CHECK_FALSE(set.check_final_snapshot().has_value());
  CHECK_FALSE(set.update_targets(b(sim.latest("targets"))).has_value());
  CHECK(set.targets() == nullptr);
}

TEST_CASE("5.5.5 the targets version a new snapshot lists must not go back",
          "[trusted_set][snapshot]") {
  RepoSim sim;
  sim.publish({"targets"});  // targets v2, snapshot v2
  const std::string trusted_snapshot = sim.latest("snapshot");
  sim.targets_meta["targets"].version = 1;
  sim.publish();  // snapshot v3 lists targets v1, timestamp v3
  auto set = trust_v1(sim);
  REQUIRE(set.update_timestamp(b(sim.latest("timestamp"))).has_value());
  // The local snapshot v2 is loaded as the rollback reference (not final: timestamp lists v3).
  (void)set.update_snapshot(b(trusted_snapshot), /*trusted_local=*/true);
  REQUIRE(version_of(set.snapshot()) == 2);
  refused(set.update_snapshot(b(sim.latest("snapshot"))), Errc::bad_version_number, "snapshot");
  CHECK(version_of(set.snapshot()) == 2);
}

TEST_CASE("5.5.5 a delegated role's version in a new snapshot must not go back",
          "[trusted_set][snapshot]") {
  RepoSim sim;
  sim.add_delegation("targets", "role1", {"*"});
  sim.publish_all();  // role1 v1
  sim.publish({"role1"});  // role1 v2
  const std::string trusted_snapshot = sim.latest("snapshot");
  sim.targets_meta["role1"].version = 1;
  sim.publish();
  auto set = trust_v1(sim);
  REQUIRE(set.update_timestamp(b(sim.latest("timestamp"))).has_value());
  (void)set.update_snapshot(b(trusted_snapshot), true);
  refused(set.update_snapshot(b(sim.latest("snapshot"))), Errc::bad_version_number, "snapshot");
  CHECK(version_of(set.snapshot()) == sim.latest_version("snapshot") - 1);
}

TEST_CASE("5.5.5 a role the trusted snapshot lists must still be listed",
          "[trusted_set][snapshot]") {
  RepoSim sim;
  sim.add_delegation("targets", "role1", {"*"});
  sim.publish_all();
  const std::string trusted_snapshot = sim.latest("snapshot");
  sim.targets_meta.erase("role1");
  sim.publish();
  auto set = trust_v1(sim);
  REQUIRE(set.update_timestamp(b(sim.latest("timestamp"))).has_value());
  (void)set.update_snapshot(b(trusted_snapshot), true);
  refused(set.update_snapshot(b(sim.latest("snapshot"))), Errc::bad_version_number, "snapshot");
  CHECK(set.snapshot()->signed_part.meta.contains("role1.json"));
}

TEST_CASE("5.5.6 an expired snapshot is refused and nothing is built on it",
          "[trusted_set][snapshot]") {
  RepoSim sim;
  sim.set_expires("snapshot", RepoSim::kNow - 1);
  sim.publish();
  auto set = trust_v1(sim);
  REQUIRE(set.update_timestamp(b(sim.latest("timestamp"))).has_value());
  refused(set.update_snapshot(b(sim.latest("snapshot"))), Errc::expired_metadata, "snapshot");
  CHECK_FALSE(set.update_targets(b(sim.latest("targets"))).has_value());
  CHECK(set.targets() == nullptr);
}

// ---- 5.6: targets ------------------------------------------------------------------------------

TEST_CASE("5.6.2 targets hashes must match the snapshot's listing", "[trusted_set][targets]") {
  RepoSim sim;
  sim.snapshot_meta_hashes = true;
  sim.publish({"targets"});
  auto set = trust_v1(sim);
  REQUIRE(set.update_timestamp(b(sim.latest("timestamp"))).has_value());
  REQUIRE(set.update_snapshot(b(sim.latest("snapshot"))).has_value());
  auto other = sim.targets.at("targets");
  other.expires += 1;
  refused(set.update_targets(b(sim.sign_with(other, sim.signers.at("targets")))),
          Errc::length_or_hash_mismatch, "targets");
  CHECK(set.targets() == nullptr);
}

TEST_CASE("5.6.2 targets length must match the snapshot's listing", "[trusted_set][targets]") {
  RepoSim sim;
  sim.snapshot_meta_lengths = true;
  sim.publish({"targets"});
  auto set = trust_v1(sim);
  REQUIRE(set.update_timestamp(b(sim.latest("timestamp"))).has_value());
  REQUIRE(set.update_snapshot(b(sim.latest("snapshot"))).has_value());
  auto longer = sim.targets.at("targets");
  longer.targets["x"] = tuf::TargetFile{1, {{"sha256", std::string(64, 'a')}}};
  refused(set.update_targets(b(sim.sign_with(longer, sim.signers.at("targets")))),
          Errc::length_or_hash_mismatch, "targets");
  CHECK(set.targets() == nullptr);
}

TEST_CASE("5.6.3 targets must be signed by a threshold of root's targets keys",
          "[trusted_set][targets]") {
  RepoSim sim;
  auto set = trust_v1(sim);
  REQUIRE(set.update_timestamp(b(sim.latest("timestamp"))).has_value());
  REQUIRE(set.update_snapshot(b(sim.latest("snapshot"))).has_value());
  refused(set.update_targets(b(sim.sign_with(sim.targets.at("targets"), {Signer::generate()}))),
          Errc::unsigned_metadata, "targets");
  refused(set.update_targets(b(sim.sign_with(sim.targets.at("targets"), sim.signers.at("root")))),
          Errc::unsigned_metadata, "targets");
  CHECK(set.targets() == nullptr);
}

TEST_CASE("5.6.4 targets version must match the snapshot's listing", "[trusted_set][targets]") {
  RepoSim sim;
  sim.publish({"targets"});  // snapshot lists targets v2
  auto set = trust_v1(sim);
  REQUIRE(set.update_timestamp(b(sim.latest("timestamp"))).has_value());
  REQUIRE(set.update_snapshot(b(sim.latest("snapshot"))).has_value());
  refused(set.update_targets(b(sim.bytes("targets", 1))), Errc::bad_version_number, "targets");
  CHECK(set.targets() == nullptr);
  CHECK(set.update_targets(b(sim.bytes("targets", 2))).has_value());
}

TEST_CASE("5.6.5 expired targets are refused", "[trusted_set][targets]") {
  RepoSim sim;
  sim.set_expires("targets", RepoSim::kNow);
  sim.publish({"targets"});
  auto set = trust_v1(sim);
  REQUIRE(set.update_timestamp(b(sim.latest("timestamp"))).has_value());
  REQUIRE(set.update_snapshot(b(sim.latest("snapshot"))).has_value());
  refused(set.update_targets(b(sim.latest("targets"))), Errc::expired_metadata, "targets");
  CHECK(set.targets() == nullptr);
}

TEST_CASE("5.6.7 a delegated role is verified with its delegator's keys, not root's",
          "[trusted_set][delegation]") {
  RepoSim sim;
  sim.add_delegation("targets", "role1", {"*"});
  sim.publish_all();
  auto set = trust_v1(sim);
  load_top_level(set, sim);
  const auto& role1 = sim.targets.at("role1");
  // Signed by the top-level targets key (trusted by root, but not for role1).
  refused(set.update_delegated_targets(b(sim.sign_with(role1, sim.signers.at("targets"))),
                                       "role1", "targets"),
          Errc::unsigned_metadata, "role1");
  refused(set.update_delegated_targets(b(sim.sign_with(role1, {Signer::generate()})), "role1",
                                       "targets"),
          Errc::unsigned_metadata, "role1");
  CHECK(set.targets("role1") == nullptr);
  REQUIRE(set.update_delegated_targets(b(sim.latest("role1")), "role1", "targets").has_value());
  CHECK(version_of(set.targets("role1")) == 1);
}

TEST_CASE("5.6.7 a role is trusted only under the delegator that delegates to it",
          "[trusted_set][delegation]") {
  RepoSim sim;
  sim.add_delegation("targets", "role1", {"*"});
  sim.add_delegation("role1", "role2", {"*"});
  sim.publish_all();
  auto set = trust_v1(sim);
  load_top_level(set, sim);
  // targets does not delegate to role2; role1 is not trusted yet.
  auto r = set.update_delegated_targets(b(sim.latest("role2")), "role2", "targets");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().role == "role2");
  CHECK_FALSE(set.update_delegated_targets(b(sim.latest("role2")), "role2", "role1"));
  CHECK(set.targets("role2") == nullptr);
  REQUIRE(set.update_delegated_targets(b(sim.latest("role1")), "role1", "targets"));
  REQUIRE(set.update_delegated_targets(b(sim.latest("role2")), "role2", "role1"));
}

TEST_CASE("5.6.7 delegated role hashes, version and expiry follow the snapshot rules",
          "[trusted_set][delegation]") {
  RepoSim sim;
  sim.snapshot_meta_hashes = true;
  sim.add_delegation("targets", "role1", {"*"});
  sim.publish_all();
  sim.publish({"role1"});  // role1 v2
  auto set = trust_v1(sim);
  load_top_level(set, sim);
  refused(set.update_delegated_targets(b(sim.bytes("role1", 1)), "role1", "targets"),
          Errc::length_or_hash_mismatch, "role1");
  sim.snapshot_meta_hashes = false;
  sim.set_expires("role1", RepoSim::kNow - 1);
  sim.publish({"role1"});  // role1 v3, expired; no hashes listed
  auto set2 = trust_v1(sim);
  load_top_level(set2, sim);
  refused(set2.update_delegated_targets(b(sim.bytes("role1", 2)), "role1", "targets"),
          Errc::bad_version_number, "role1");
  refused(set2.update_delegated_targets(b(sim.bytes("role1", 3)), "role1", "targets"),
          Errc::expired_metadata, "role1");
  CHECK(set2.targets("role1") == nullptr);
}

// ---- thresholds --------------------------------------------------------------------------------

TEST_CASE("threshold: a signature duplicated by one key never reaches threshold 2",
          "[trusted_set][threshold]") {
  const Signer a = Signer::generate(), c = Signer::generate();
  std::unordered_map<std::string, tuf::Key> keys;
  for (const Signer* s : {&a, &c}) {
    auto k = s->key();
    auto v = tuf::PublicKey::create(k.keytype, k.scheme, k.public_value);
    REQUIRE(v.has_value());
    k.verifier = std::make_shared<tuf::PublicKey>(std::move(*v));
    keys[s->keyid()] = k;
  }
  const tuf::RoleKeys role{{a.keyid(), c.keyid()}, 2};
  const std::string msg = "{\"_type\":\"timestamp\"}";
  const tuf::Signature sa{a.keyid(), a.sign(msg)};
  const tuf::Signature sc{c.keyid(), c.sign(msg)};
  refused(tuf::verify_threshold("timestamp", keys, role, msg, {sa, sa}), Errc::unsigned_metadata,
          "timestamp");
  refused(tuf::verify_threshold("timestamp", keys, role, msg, {sa, sa, sa}),
          Errc::unsigned_metadata, "timestamp");
  // A valid signature under c's keyid made by a is not c's signature.
  refused(tuf::verify_threshold("timestamp", keys, role, msg, {sa, {c.keyid(), sa.sig}}),
          Errc::unsigned_metadata, "timestamp");
  CHECK(tuf::verify_threshold("timestamp", keys, role, msg, {sa, sc}).has_value());
  CHECK(tuf::verify_threshold("timestamp", keys, role, msg, {sc, sa, sa}).has_value());
}

TEST_CASE("threshold: one public key listed under two keyids counts once",
          "[trusted_set][threshold]") {
  // 5.3.4: "each KEY MUST only contribute one SIGNATURE". Two keyids that name the same public
  // key are one key: its signature, copied under both keyids, is one vote (as go-tuf counts).
  const Signer a = Signer::generate(), c = Signer::generate();
  auto key_of = [](const Signer& s, std::string public_value) {
    tuf::Key k = s.key();
    k.public_value = std::move(public_value);
    auto v = tuf::PublicKey::create(k.keytype, k.scheme, k.public_value);
    REQUIRE(v.has_value());
    k.verifier = std::make_shared<tuf::PublicKey>(std::move(*v));
    return k;
  };
  std::string upper = a.key().public_value;  // the same key spelt otherwise (its keyid differs)
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  const std::string alias(64, 'a'), respelt(64, 'b');
  std::unordered_map<std::string, tuf::Key> keys{{a.keyid(), key_of(a, a.key().public_value)},
                                                 {alias, key_of(a, a.key().public_value)},
                                                 {respelt, key_of(a, upper)},
                                                 {c.keyid(), key_of(c, c.key().public_value)}};
  const std::string msg = "{}";
  const std::string sig = a.sign(msg);
  const tuf::RoleKeys twice{{a.keyid(), alias}, 2};
  refused(tuf::verify_threshold("snapshot", keys, twice, msg, {{a.keyid(), sig}, {alias, sig}}),
          Errc::unsigned_metadata, "snapshot");
  const tuf::RoleKeys thrice{{a.keyid(), alias, respelt}, 2};
  refused(tuf::verify_threshold("snapshot", keys, thrice, msg,
                                {{a.keyid(), sig}, {alias, sig}, {respelt, sig}}),
          Errc::unsigned_metadata, "snapshot");
  // Threshold 1 is met by that key; threshold 2 needs a second, distinct key.
  CHECK(tuf::verify_threshold("snapshot", keys, {{alias, a.keyid()}, 1}, msg, {{alias, sig}})
            .has_value());
  const tuf::RoleKeys with_c{{a.keyid(), alias, c.keyid()}, 2};
  CHECK(tuf::verify_threshold("snapshot", keys, with_c, msg,
                              {{a.keyid(), sig}, {alias, sig}, {c.keyid(), c.sign(msg)}})
            .has_value());
}

namespace {

const std::string kAlias(64, 'a');

// Lists `role`'s first key a second time, under kAlias, and sets its threshold to 2.
void list_key_twice(std::unordered_map<std::string, tuf::Key>& keys, tuf::RoleKeys& role) {
  keys[kAlias] = keys.at(role.keyids.at(0));
  role.keyids.push_back(kAlias);
  role.threshold = 2;
}

// Copies the first signature of `role`'s documents under kAlias.
tuf_test::SignatureTamper copy_signature_to_alias(std::string role) {
  return [role](std::string_view r, std::vector<tuf::Signature>& sigs) {
    if (r == role && !sigs.empty()) sigs.push_back({kAlias, sigs.front().sig});
  };
}

}  // namespace

TEST_CASE("threshold: a root listing one key under two keyids does not meet threshold 2 with it",
          "[trusted_set][threshold][root]") {
  RepoSim sim;
  SECTION("as the initial root (5.2)") {
    list_key_twice(sim.root.keys, sim.root.roles.at("root"));
    sim.tamper_signatures = copy_signature_to_alias("root");
    const std::string bytes = sim.publish_root(/*bump=*/false);
    auto set = tuf::TrustedSet::create(b(bytes), RepoSim::kNow);
    REQUIRE_FALSE(set.has_value());
    CHECK(set.error().code == Errc::unsigned_metadata);
    CHECK(set.error().role == "root");
  }
  SECTION("as a new root (5.3.4): the trusted root stays") {
    auto set = trust_v1(sim);
    list_key_twice(sim.root.keys, sim.root.roles.at("root"));
    sim.tamper_signatures = copy_signature_to_alias("root");
    sim.publish_root();  // v2: threshold 2 of {key, alias}, signed by key (twice)
    refused(set.update_root(b(sim.bytes("root", 2))), Errc::unsigned_metadata, "root");
    CHECK(set.root().signed_part.version == 1);
  }
  SECTION("as the trusted root, for the roles it lists") {
    // A v2 that lists the snapshot key twice (threshold 2) is itself properly signed.
    list_key_twice(sim.root.keys, sim.root.roles.at("snapshot"));
    sim.publish_root();
    auto set = trust(sim.bytes("root", 2));
    REQUIRE(set.update_timestamp(b(sim.latest("timestamp"))).has_value());
    sim.tamper_signatures = copy_signature_to_alias("snapshot");
    refused(set.update_snapshot(b(sim.sign("snapshot"))), Errc::unsigned_metadata, "snapshot");
    CHECK(set.snapshot() == nullptr);
  }
}

TEST_CASE("threshold: a delegation listing one key under two keyids does not meet threshold 2",
          "[trusted_set][threshold][delegation]") {
  RepoSim sim;
  sim.add_delegation("targets", "role1", {"*"});
  list_key_twice(sim.targets.at("targets").delegations->keys, sim.role_keys("role1"));
  sim.tamper_signatures = copy_signature_to_alias("role1");
  sim.publish_all();
  auto set = trust_v1(sim);
  load_top_level(set, sim);
  refused(set.update_delegated_targets(b(sim.latest("role1")), "role1", "targets"),
          Errc::unsigned_metadata, "role1");
  CHECK(set.targets("role1") == nullptr);
  // A second, distinct key meets it.
  sim.add_key("role1");
  sim.tamper_signatures = nullptr;
  sim.publish_all();
  auto set2 = trust_v1(sim);
  load_top_level(set2, sim);
  CHECK(set2.update_delegated_targets(b(sim.latest("role1")), "role1", "targets").has_value());
}

TEST_CASE("threshold: one valid and one forged signature do not meet threshold 2",
          "[trusted_set][threshold]") {
  RepoSim sim;
  const Signer second = sim.add_key("timestamp");
  sim.set_threshold("timestamp", 2);
  sim.publish_root();
  auto set = trust(sim.bytes("root", 2));
  sim.tamper_signatures = tuf_test::forge_signature("timestamp", second.keyid());
  sim.publish_timestamp();
  refused(set.update_timestamp(b(sim.latest("timestamp"))), Errc::unsigned_metadata,
          "timestamp");
  CHECK(set.timestamp() == nullptr);
  sim.tamper_signatures = nullptr;
  sim.publish_timestamp();
  CHECK(set.update_timestamp(b(sim.latest("timestamp"))).has_value());
}

TEST_CASE("threshold: signatures by keys the role does not list do not count",
          "[trusted_set][threshold]") {
  RepoSim sim;
  sim.add_key("snapshot");
  sim.set_threshold("snapshot", 2);
  sim.publish_root();
  auto set = trust(sim.bytes("root", 2));
  REQUIRE(set.update_timestamp(b(sim.latest("timestamp"))).has_value());
  // One snapshot key plus the timestamp key (listed in root, but not for snapshot).
  std::vector<Signer> by{sim.signers.at("snapshot")[0], sim.signers.at("timestamp")[0]};
  refused(set.update_snapshot(b(sim.sign_with(sim.snapshot, by))), Errc::unsigned_metadata,
          "snapshot");
  CHECK(set.update_snapshot(b(sim.sign_with(sim.snapshot, sim.signers.at("snapshot")))));
}

// ---- key types and state -------------------------------------------------------------------------

TEST_CASE("top-level metadata signed with ecdsa-sha2-nistp256 and rsassa-pss-sha256 keys verifies",
          "[trusted_set][keys]") {
  const KeyType type = GENERATE(KeyType::ecdsa_p256, KeyType::rsa_pss_sha256);
  RepoSim sim(false, type);
  sim.rotate_keys("root", 1, 1, type);
  sim.publish_root();
  auto set = trust_v1(sim);
  REQUIRE(set.update_root(b(sim.bytes("root", 2))).has_value());
  load_top_level(set, sim);
  CHECK(set.targets() != nullptr);
  // And a foreign key of the same type is refused.
  auto set2 = trust_v1(sim);
  REQUIRE(set2.update_root(b(sim.bytes("root", 2))).has_value());
  refused(set2.update_timestamp(b(sim.sign_with(sim.timestamp, {Signer::generate(type)}))),
          Errc::unsigned_metadata, "timestamp");
}

TEST_CASE("a refused update leaves the trusted state exactly as it was", "[trusted_set]") {
  RepoSim sim;
  sim.publish({"targets"});
  auto set = trust_v1(sim);
  const std::string root_before = set.root().canonical_signed;
  const Signer attacker = Signer::generate();

  ++sim.root.version;
  CHECK_FALSE(set.update_root(b(sim.sign_with(sim.root, {attacker}))));
  --sim.root.version;
  CHECK(set.root().canonical_signed == root_before);

  REQUIRE(set.update_timestamp(b(sim.latest("timestamp"))));
  const std::string ts_before = set.timestamp()->canonical_signed;
  auto ts = sim.timestamp;
  ++ts.version;
  CHECK_FALSE(set.update_timestamp(b(sim.sign_with(ts, {attacker}))));
  CHECK(set.timestamp()->canonical_signed == ts_before);

  CHECK_FALSE(set.update_snapshot(b(sim.sign_with(sim.snapshot, {attacker}))));
  CHECK(set.snapshot() == nullptr);
  REQUIRE(set.update_snapshot(b(sim.latest("snapshot"))));
  CHECK_FALSE(set.update_targets(b(sim.bytes("targets", 1))));
  CHECK(set.targets() == nullptr);
  REQUIRE(set.update_targets(b(sim.latest("targets"))));
  CHECK(set.root().canonical_signed == root_before);
  CHECK(set.timestamp()->canonical_signed == ts_before);
  CHECK(version_of(set.snapshot()) == 2);
  CHECK(version_of(set.targets()) == 2);
}
