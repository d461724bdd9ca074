// The deterministic fuzzing repository (see fuzz_repo.h).
#include "fuzz_repo.h"

#include <array>
#include <cstdio>
#include <cstdlib>

#include "tuf/bytes.h"
#include "tuf/hash.h"
#include "tuf_repo/bins.h"
#include "tuf_repo/serialize.h"
#include "tuf_repo/signer.h"

namespace tuf_fuzz {
namespace {

constexpr tuf::Timestamp kValid = 1893456000;    // 2030-01-01T00:00:00Z
constexpr tuf::Timestamp kExpired = 1672531200;  // 2023-01-01T00:00:00Z

using SigningKey = tuf_repo::Signer;

SigningKey make_key(unsigned char seed_byte) {
  std::array<std::uint8_t, 32> seed;
  seed.fill(seed_byte);
  return tuf_repo::Signer::ed25519_from_seed(seed);
}

std::string sign_with(const std::string& canonical_signed,
                      std::initializer_list<const SigningKey*> by) {
  return tuf_repo::sign_envelope(canonical_signed, std::span(by.begin(), by.size()));
}

tuf::RoleKeys role_keys(const SigningKey& k) { return {{k.keyid()}, 1}; }

template <class T>
void common(T& m, tuf::Timestamp expires, std::uint64_t version) {
  m.spec_version = "1.0.31";
  m.expires = expires;
  m.version = version;
}

tuf::HashList sha256_of(const std::string& bytes) {
  return {{"sha256", tuf::digest_hex(tuf::HashAlg::sha256, tuf::as_bytes(bytes))}};
}

tuf::Root make_root(std::uint64_t version, const SigningKey& root_key, const SigningKey& ts,
                    const SigningKey& snap, const SigningKey& targets) {
  tuf::Root r;
  common(r, kValid, version);
  r.consistent_snapshot = true;
  for (const SigningKey* k : {&root_key, &ts, &snap, &targets}) r.keys[k->keyid()] = k->key();
  r.roles["root"] = role_keys(root_key);
  r.roles["timestamp"] = role_keys(ts);
  r.roles["snapshot"] = role_keys(snap);
  r.roles["targets"] = role_keys(targets);
  return r;
}

// Builds the repository one part at a time; the parts share the keys, the snapshot being
// filled and the record of who signed what.
class Builder {
 public:
  Builder() {
    common(snapshot_, kValid, 1);
    repo_.target_content = {{"a.txt", "hello, tuf\n"},
                            {"d/y.txt", "delegated by paths\n"},
                            {"d/x.txt", "in a succinct hash bin\n"},
                            {"h/z.txt", "delegated by path hash prefix\n"}};
  }

  Repo build() && {
    roots();
    bins();
    deleg();
    hp();
    top_targets();
    snapshots();
    timestamps();
    // Roles the snapshot lists by version only: nothing binds a document to the role's name,
    // so (as the specification allows) anything the role's key signed with that version is
    // valid for it, e.g. an empty bin for another empty bin, or "deleg" as "hp" (same key).
    for (std::uint64_t i = 0; i < succinct_.bin_count(); ++i) {
      repo_.signed_parts[bins_.name(i)] = signed_by_[bins_key_.keyid()];
    }
    repo_.signed_parts["hp"] = signed_by_[deleg_key_.keyid()];
    repo_.lookup_paths = {"a.txt", "d/y.txt", "d/x.txt", "h/z.txt", "d/missing", "missing"};
    return std::move(repo_);
  }

 private:
  std::string add(std::string name, std::string role, std::string bytes) {
    repo_.documents.push_back({std::move(name), std::move(role), bytes});
    return bytes;
  }
  void allow_signed(const std::string& role, const std::string& canonical) {
    repo_.signed_parts[role].insert(canonical);
  }
  std::string sign(const std::string& canonical, std::initializer_list<const SigningKey*> by) {
    for (const SigningKey* k : by) signed_by_[k->keyid()].insert(canonical);
    return sign_with(canonical, by);
  }
  // A listed target; its consistent-snapshot URL is recorded (5.7.3: <dir>/<hash>.<basename>).
  tuf::TargetFile target_file(const std::string& path) {
    const std::string& content = repo_.target_content.at(path);
    tuf::TargetFile f;
    f.length = content.size();
    f.hashes = sha256_of(content);
    if (path == "a.txt") {  // two hashes on one target
      f.hashes.emplace_back("sha512",
                            tuf::digest_hex(tuf::HashAlg::sha512, tuf::as_bytes(content)));
    }
    const auto slash = path.rfind('/');
    const std::size_t base = slash == std::string::npos ? 0 : slash + 1;
    repo_.target_urls[std::string(kTargetsBase) + path.substr(0, base) + f.hashes.front().second +
                      "." + path.substr(base)] = path;
    return f;
  }
  // A role the snapshot lists with length and hashes: its bytes must be persisted exactly.
  void listed_exactly(const std::string& role, const std::string& bytes) {
    repo_.honest_files["1." + role + ".json"] = bytes;
    repo_.exact_bytes[role] = bytes;
    snapshot_.meta[role + ".json"] = tuf::MetaInfo{1, bytes.size(), sha256_of(bytes)};
  }

  // root: v1 trusted, v2 rotates the root and timestamp keys, v3 lacks v2's signature.
  void roots() {
    const tuf::Root r1 = make_root(1, root1_, ts1_, snap_, targets_key_);
    repo_.root_v1 = add("root.v1", "root", sign(tuf::serialize_signed(r1), {&root1_}));
    const tuf::Root r2 = make_root(2, root2_, ts2_, snap_, targets_key_);
    const std::string r2_signed = tuf::serialize_signed(r2);
    repo_.honest_files["2.root.json"] = add("root.v2", "root", sign(r2_signed, {&root1_, &root2_}));
    allow_signed("root", r2_signed);
    add("root.v2-only-new-key", "root", sign(r2_signed, {&root2_}));
    const tuf::Root r3 = make_root(3, root3_, ts2_, snap_, targets_key_);
    add("root.v3-unsigned-by-v2", "root", sign(tuf::serialize_signed(r3), {&root3_}));
  }

  // bins (TAP 15): "d/x.txt" lives in its bin, the other bins are empty.
  void bins() {
    const std::string x_bin = bins_.name(bins_.bin_of("d/x.txt"));
    for (std::uint64_t i = 0; i < succinct_.bin_count(); ++i) {
      const std::string bin = bins_.name(i);
      tuf::Targets t;
      common(t, kValid, 1);
      if (bin == x_bin) t.targets["d/x.txt"] = target_file("d/x.txt");
      const std::string s = tuf::serialize_signed(t);
      repo_.honest_files["1." + bin + ".json"] = add(bin, bin, sign(s, {&bins_key_}));
      snapshot_.meta[bin + ".json"] = tuf::MetaInfo{1, std::nullopt, {}};  // version only
    }
  }

  // "deleg": paths d/*, delegates to the bins.
  void deleg() {
    tuf::Targets t;
    common(t, kValid, 1);
    t.targets["d/y.txt"] = target_file("d/y.txt");
    tuf::Delegations d;
    d.keys[bins_key_.keyid()] = bins_key_.key();
    d.succinct_roles = succinct_;
    t.delegations = std::move(d);
    listed_exactly("deleg", add("deleg", "deleg", sign(tuf::serialize_signed(t), {&deleg_key_})));
    // The same role signed by the wrong key.
    add("deleg.wrong-key", "deleg", sign(tuf::serialize_signed(t), {&bins_key_}));
  }

  // "hp": path_hash_prefixes of h/z.txt.
  void hp() {
    tuf::Targets t;
    common(t, kValid, 1);
    t.targets["h/z.txt"] = target_file("h/z.txt");
    const std::string s = tuf::serialize_signed(t);
    repo_.honest_files["1.hp.json"] = add("hp", "hp", sign(s, {&deleg_key_}));
    snapshot_.meta["hp.json"] = tuf::MetaInfo{1, std::nullopt, {}};
  }

  // Top-level targets: a.txt, and the delegations to "deleg" (paths) and "hp" (hash prefix).
  void top_targets() {
    tuf::Targets t;
    common(t, kValid, 1);
    t.targets["a.txt"] = target_file("a.txt");
    tuf::Delegations d;
    d.keys[deleg_key_.keyid()] = deleg_key_.key();
    tuf::DelegatedRole by_path;
    by_path.name = "deleg";
    by_path.keys = role_keys(deleg_key_);
    by_path.paths = std::vector<std::string>{"d/*"};
    tuf::DelegatedRole by_hash;
    by_hash.name = "hp";
    by_hash.keys = role_keys(deleg_key_);
    by_hash.terminating = true;
    const std::string z_prefix =
        tuf::digest_hex(tuf::HashAlg::sha256, tuf::as_bytes(std::string_view("h/z.txt")))
            .substr(0, 2);
    by_hash.path_hash_prefixes = std::vector<std::string>{z_prefix};
    d.roles = {by_path, by_hash};
    t.delegations = std::move(d);
    listed_exactly("targets",
                   add("targets", "targets", sign(tuf::serialize_signed(t), {&targets_key_})));
  }

  // The snapshot, and one that the timestamp does not list (same version, other content).
  void snapshots() {
    snapshot_bytes_ = add("snapshot", "snapshot", sign(tuf::serialize_signed(snapshot_), {&snap_}));
    repo_.honest_files["1.snapshot.json"] = snapshot_bytes_;
    repo_.exact_bytes["snapshot"] = snapshot_bytes_;
    tuf::Snapshot other = snapshot_;
    other.meta["targets.json"] = tuf::MetaInfo{2, std::nullopt, {}};
    add("snapshot.unlisted", "snapshot", sign(tuf::serialize_signed(other), {&snap_}));
  }

  std::string timestamp(std::uint64_t version, tuf::Timestamp expires) const {
    tuf::TimestampMeta t;
    common(t, expires, version);
    t.snapshot_meta = tuf::MetaInfo{1, snapshot_bytes_.size(), sha256_of(snapshot_bytes_)};
    return tuf::serialize_signed(t);
  }
  void timestamps() {
    repo_.timestamp_v1_signed = timestamp(1, kValid);
    repo_.timestamp_v2_signed = timestamp(2, kValid);
    repo_.honest_timestamp_v1 =
        add("timestamp.v1", "timestamp", sign(repo_.timestamp_v1_signed, {&ts1_}));
    repo_.honest_timestamp_v2 =
        add("timestamp.v2", "timestamp", sign(repo_.timestamp_v2_signed, {&ts2_}));
    allow_signed("timestamp", repo_.timestamp_v1_signed);
    allow_signed("timestamp", repo_.timestamp_v2_signed);
    add("timestamp.v3-expired", "timestamp", sign(timestamp(3, kExpired), {&ts2_}));
  }

  const SigningKey root1_ = make_key(1), root2_ = make_key(2), root3_ = make_key(3);
  const SigningKey ts1_ = make_key(4), ts2_ = make_key(5), snap_ = make_key(6);
  const SigningKey targets_key_ = make_key(7), deleg_key_ = make_key(8), bins_key_ = make_key(9);
  const tuf_repo::BinLayout bins_{2, "bin"};
  const tuf::SuccinctRoles succinct_ = bins_.delegation(role_keys(bins_key_));
  Repo repo_;
  std::map<std::string, std::set<std::string>> signed_by_;  // keyid -> `signed` parts it signed
  tuf::Snapshot snapshot_;
  std::string snapshot_bytes_;
};

Repo build() { return Builder().build(); }

}  // namespace

const Repo& repo() {
  static const Repo r = build();
  return r;
}

}  // namespace tuf_fuzz
