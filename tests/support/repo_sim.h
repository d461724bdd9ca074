// RepoSim: an in-memory TUF repository that signs real metadata, for the core's tests.
//
// The repository is a set of model objects (tuf::Root, TimestampMeta, Snapshot, Targets per
// role) plus signers per role. Tests edit the models, then *publish*: publishing signs the
// model with the role's signers (tuf_repo: serialize_signed, sign_all, make_envelope), keeps
// the bytes of every version, stores them under the names a client fetches, and updates the
// listings that depend on it (snapshot meta for targets roles, timestamp meta for snapshot).
//
//   RepoSim sim;                                   // root, targets, snapshot, timestamp: v1
//   sim.add_target("a/b.txt", "hello");             // listed by "targets"
//   sim.publish({"targets"});                      // targets v2, then snapshot v2, timestamp v2
//
// Files are served from memory under https://sim.invalid/metadata/ and
// https://sim.invalid/targets/ (never contacted). fetch() records every URL asked for, in
// order, as a short name ("metadata/2.root.json", "targets/a/b.txt"), and answers nullopt
// (not found) for anything unknown. Tamper hooks replace or remove what a URL serves and
// rewrite signatures as they are made.
//
// Keys, signatures, key ids, serialisation and bin names come from tuf_repo, the project's one
// signer (so the tests also check that what the repository side writes, the core accepts).
// Digests are computed independently of the core (OpenSSL / libsodium directly).
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tuf_repo/serialize.h"
#include "tuf/metadata.h"
#include "tuf_repo/signer.h"

namespace tuf_test {

enum class KeyType { ed25519, ecdsa_p256, rsa_pss_sha256 };

// A private key that signs like a TUF signer (hex signatures over the canonical bytes).
// Copies share the key.
class Signer {
 public:
  static Signer generate(KeyType type = KeyType::ed25519);

  KeyType type() const { return type_; }
  const tuf::Key& key() const { return key_->key(); }  // keytype, scheme, public value
  const std::string& keyid() const { return key_->keyid(); }
  std::string sign(std::string_view message) const;  // lowercase hex
  const tuf_repo::Signer& repo_signer() const { return *key_; }

 private:
  Signer() = default;
  KeyType type_ = KeyType::ed25519;
  std::shared_ptr<const tuf_repo::Signer> key_;
};

// Digests computed without the core: "sha256", "sha512", "blake2b-256".
std::string sim_digest_hex(std::string_view alg, std::string_view data);

// Rewrites the signatures a role is about to be published with (RepoSim::tamper_signatures).
using SignatureTamper = std::function<void(std::string_view role, std::vector<tuf::Signature>&)>;
// Ready-made tampers, each for one role only.
SignatureTamper drop_signatures(std::string role);        // publish with no signatures
SignatureTamper duplicate_signatures(std::string role);   // list every signature twice
// Replaces the signature made under `keyid` by a well-formed but invalid one (a signature of
// other bytes, by another key), keeping the keyid.
SignatureTamper forge_signature(std::string role, std::string keyid);

class RepoSim {
 public:
  // A fixed "now" the models' default expiry dates are relative to, and a year.
  static constexpr tuf::Timestamp kNow = 1'700'000'000;  // 2023-11-14T22:13:20Z
  static constexpr tuf::Timestamp kDay = 86'400;
  static constexpr tuf::Timestamp kYear = 365 * kDay;
  static constexpr std::string_view kHost = "https://sim.invalid/";
  static constexpr std::string_view kMetadataUrl = "https://sim.invalid/metadata/";
  static constexpr std::string_view kTargetsUrl = "https://sim.invalid/targets/";

  // Creates and publishes version 1 of root, targets, snapshot and timestamp, each role with
  // one key of `key_type` and threshold 1.
  explicit RepoSim(bool consistent_snapshot = false, KeyType key_type = KeyType::ed25519);

  // ---- the models: edit, then publish -------------------------------------------------------
  tuf::Root root;
  tuf::TimestampMeta timestamp;
  tuf::Snapshot snapshot;
  std::map<std::string, tuf::Targets, std::less<>> targets;  // "targets" and delegated roles
  std::map<std::string, std::vector<Signer>, std::less<>> signers;  // who signs each role
  std::map<std::string, std::string, std::less<>> delegator;  // delegated role -> delegator
  // What the next snapshot lists, by role name (filled by publish_targets).
  std::map<std::string, tuf::MetaInfo, std::less<>> targets_meta;
  // Target contents by target path (what the repository serves, whatever metadata says).
  std::map<std::string, std::string, std::less<>> target_files;

  // Whether listings carry lengths and hashes (sha256). Off by default, like python-tuf.
  bool snapshot_meta_lengths = false;   // snapshot meta for targets roles
  bool snapshot_meta_hashes = false;
  bool timestamp_meta_lengths = false;  // timestamp meta for snapshot
  bool timestamp_meta_hashes = false;
  void set_meta_lengths_and_hashes(bool on);  // all four

  // Applied to the signatures of every document published from now on.
  SignatureTamper tamper_signatures;

  // ---- keys ---------------------------------------------------------------------------------
  // Adds a key to `role` (top-level: in root; delegated: in its delegator), and to its signers.
  Signer add_key(std::string_view role, KeyType type = KeyType::ed25519);
  // Replaces every key of `role` by `count` new keys, with `threshold` (root keys no longer
  // used by any role are removed). For root the next publish_root() still signs with the
  // previous root's keys too.
  std::vector<Signer> rotate_keys(std::string_view role, std::size_t count = 1,
                                  std::uint32_t threshold = 1, KeyType type = KeyType::ed25519);
  void set_threshold(std::string_view role, std::uint32_t threshold);
  // The keys `role` is verified with: keyids and threshold (in root or in the delegator).
  tuf::RoleKeys& role_keys(std::string_view role);

  // ---- publishing ---------------------------------------------------------------------------
  // Each bumps the model's version first (unless bump = false), signs, keeps the bytes as that
  // version, stores them under the client's file name and returns them.
  // Root: N.root.json, signed by the previous root's signers and the current ones.
  const std::string& publish_root(bool bump = true);
  // Targets roles: <role>.json, or N.<role>.json with consistent snapshots; updates
  // targets_meta (the next snapshot's listing).
  const std::string& publish_targets(std::string_view role = "targets", bool bump = true);
  // snapshot.json or N.snapshot.json listing targets_meta; updates timestamp's snapshot meta.
  const std::string& publish_snapshot(bool bump = true);
  // timestamp.json.
  const std::string& publish_timestamp(bool bump = true);
  // The usual repository update: publish_targets for each role given, then snapshot and
  // timestamp.
  void publish(std::initializer_list<std::string_view> targets_roles = {});
  // publish_targets for every targets role (delegator first), then snapshot and timestamp.
  void publish_all();

  // Signs a model with the given signers (no tamper hook, nothing stored).
  std::string sign_with(const tuf::Root& m, const std::vector<Signer>& by) const;
  std::string sign_with(const tuf::TimestampMeta& m, const std::vector<Signer>& by) const;
  std::string sign_with(const tuf::Snapshot& m, const std::vector<Signer>& by) const;
  std::string sign_with(const tuf::Targets& m, const std::vector<Signer>& by) const;
  // The same with the role's current signers and the tamper hook.
  std::string sign(std::string_view role) const;

  // Every published version of a role ("root", "timestamp", "snapshot", a targets role).
  const std::string& bytes(std::string_view role, std::uint64_t version) const;
  // The version published last (not necessarily the highest: tests publish lower versions).
  const std::string& latest(std::string_view role) const;
  std::uint64_t latest_version(std::string_view role) const;
  bool has_version(std::string_view role, std::uint64_t version) const;

  // ---- targets and delegations ----------------------------------------------------------------
  // Lists `path` (length and the digests named in `algs`) in `role` and serves `content`.
  // Nothing is published.
  tuf::TargetFile add_target(std::string path, std::string content,
                             std::string_view role = "targets",
                             std::vector<std::string> algs = {"sha256"});
  // Appends a delegation from `delegator` to a new role `name` (created at version 0, so the
  // first publish makes it 1) with its own fresh key(s) unless `keys` are given.
  tuf::DelegatedRole& add_delegation(std::string_view delegator, std::string name,
                                     std::vector<std::string> paths, bool terminating = false,
                                     std::vector<Signer> keys = {});
  tuf::DelegatedRole& add_hash_prefix_delegation(std::string_view delegator, std::string name,
                                                 std::vector<std::string> prefixes,
                                                 bool terminating = false,
                                                 std::vector<Signer> keys = {});
  // TAP 15: `delegator` delegates to 2^bit_length bins "<prefix>-<hex>" sharing one new key.
  // Returns the bin names in order.
  std::vector<std::string> add_succinct_roles(std::string_view delegator,
                                              std::uint32_t bit_length,
                                              std::string name_prefix = "bin");
  // The bin covering `target_path` under `delegator`'s succinct roles (computed here, not by
  // the core).
  std::string bin_for(std::string_view delegator, std::string_view target_path) const;
  // Every targets role in delegation order (a delegator before its delegates).
  std::vector<std::string> targets_roles() const;

  // ---- expiry -------------------------------------------------------------------------------
  void set_expires(std::string_view role, tuf::Timestamp expires);
  tuf::SignedCommon& common(std::string_view role);

  // ---- serving ------------------------------------------------------------------------------
  // Full URL of a metadata file name ("timestamp.json") or a target path.
  static std::string metadata_url(std::string_view file_name);
  static std::string target_url(std::string_view file_name);
  // The file name a client fetches for the role's latest (or given) version under the current
  // consistent_snapshot setting: "3.root.json", "timestamp.json", "2.snapshot.json", ...
  std::string file_name(std::string_view role, std::optional<std::uint64_t> version = {}) const;

  // Answers a request: the served bytes, or nullopt (not found). Records the short name.
  std::optional<std::string> fetch(std::string_view url);
  std::vector<std::string> fetch_log;  // short names, in order
  void clear_log() { fetch_log.clear(); }
  std::size_t fetch_count(std::string_view short_name) const;

  // Tamper hooks. `url` may be a full URL or a short name ("metadata/timestamp.json").
  void serve(std::string_view url, std::string bytes);  // replace what the URL serves
  void unserve(std::string_view url);                   // make it not found
  // Serve a stored older (or any) version of `role` where the client fetches the current one.
  void serve_version(std::string_view role, std::uint64_t version);
  // Serve the current bytes followed by `extra` padding bytes (whitespace).
  void serve_oversized(std::string_view url, std::size_t extra);
  void clear_tampering() { overrides_.clear(); }
  // What the URL currently serves (after tampering), without recording a fetch.
  std::optional<std::string> peek(std::string_view url) const;

 private:
  std::string sign_canonical(std::string_view role, const std::string& canonical,
                             const std::vector<Signer>& by, bool tamper) const;
  void store_metadata(std::string_view role, std::uint64_t version, std::string bytes);
  std::string short_name(std::string_view url) const;
  std::optional<std::string> resolve(const std::string& short_name) const;
  tuf::Delegations& delegations_of(std::string_view delegator);
  tuf::MetaInfo meta_info_for(const std::string& bytes, std::uint64_t version, bool lengths,
                              bool hashes) const;

  std::map<std::string, std::map<std::uint64_t, std::string>, std::less<>> history_;
  std::map<std::string, std::uint64_t, std::less<>> current_;  // version published last
  std::map<std::string, std::string, std::less<>> files_;  // short name -> bytes
  std::map<std::string, std::optional<std::string>, std::less<>> overrides_;
  std::vector<Signer> previous_root_signers_;
};

// Percent-encodes a role name as it appears in metadata file names (independent of the core).
std::string sim_quote(std::string_view role);

}  // namespace tuf_test
