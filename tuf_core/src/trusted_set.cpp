// TrustedSet: verification rules of TUF specification section 5, one update_<role> per role.
//
// Every update validates into locals and commits with a single assignment. Two rules are
// deliberately checked *after* the commit, as python-tuf and go-tuf do: the expiry of a new
// timestamp/snapshot and the snapshot's version match with the timestamp. Metadata that failed
// only those checks is still the best rollback reference we have (5.4.3 / 5.5.5 compare against
// "the trusted ... metadata file, if any"), so it is kept in memory, the error is returned, and
// the updater never persists it nor uses it to find targets: update_snapshot and
// update_delegated_targets re-check the final timestamp and snapshot before relying on them.
#include "tuf/trusted_set.h"

#include <algorithm>
#include <string>
#include <utility>

namespace tuf {
namespace {

std::string str(std::uint64_t v) { return std::to_string(v); }

// python-tuf MetaFile.verify_length_and_hashes: the length, when listed, must match exactly,
// and every listed hash must match.
Result<void> verify_meta_info(std::string_view role, const MetaInfo& info, Bytes bytes) {
  if (info.length && *info.length != bytes.size()) {
    return fail(Errc::length_or_hash_mismatch, std::string(role),
                "length does not match the trusted listing", str(*info.length),
                str(bytes.size()));
  }
  if (!info.hashes.empty()) {
    return verify_hashes(role, info.hashes, bytes);
  }
  return {};
}

}  // namespace

Result<void> verify_threshold(std::string_view role,
                              const std::unordered_map<std::string, Key>& keys,
                              const RoleKeys& role_keys, std::string_view canonical_signed,
                              const std::vector<Signature>& signatures) {
  // 5.3.4 / 5.4.2 / 5.5.3 / 5.6.3: "each KEY MUST only contribute one SIGNATURE". A listed
  // KEYID counts at most once (the role's keyids are unique, the parser refuses duplicates; we
  // stop at the first valid signature of that keyid), and so does a public key: metadata that
  // lists one key under two keyids gets one vote from it, not two (go-tuf counts the same way).
  const Bytes message = as_bytes(canonical_signed);
  std::vector<std::string_view> counted;  // PublicKey::identity of each key that counted
  for (const std::string& keyid : role_keys.keyids) {
    auto key = keys.find(keyid);
    if (key == keys.end() || !key->second.verifier) continue;
    const std::string_view identity = key->second.verifier->identity();
    if (std::find(counted.begin(), counted.end(), identity) != counted.end()) continue;
    for (const Signature& sig : signatures) {
      if (sig.keyid == keyid && key->second.verifier->verify(message, sig.sig)) {
        counted.push_back(identity);
        break;
      }
    }
    if (counted.size() >= role_keys.threshold) return {};
  }
  return fail(Errc::unsigned_metadata, std::string(role),
              "not signed by a threshold of the role's keys",
              str(role_keys.threshold) + " valid signatures", str(counted.size()));
}

Result<TrustedSet> TrustedSet::create(Bytes root_bytes, Timestamp reference_time) {
  // 5.2: load the trusted root. Its expiry does not matter yet (checked in 5.3.10), but it
  // must be signed by its own root role.
  TrustedSet set;
  auto root = parse_root(set.parser_, root_bytes);
  if (!root) return std::unexpected(root.error());
  const Root& r = root->signed_part;
  if (auto ok = verify_threshold("root", r.keys, r.roles.at("root"), root->canonical_signed,
                                 root->signatures);
      !ok) {
    return std::unexpected(ok.error());
  }
  set.reference_time_ = reference_time;
  set.root_ = std::move(*root);
  return set;
}

Result<void> TrustedSet::update_root(Bytes bytes) {
  if (timestamp_) {
    return fail(Errc::usage, "root", "root cannot be updated after timestamp");
  }
  auto next = parse_root(parser_, bytes);
  if (!next) return std::unexpected(next.error());
  const Root& trusted = root_.signed_part;
  const Root& fresh = next->signed_part;

  // 5.3.4 (1): signed by a threshold of the trusted root's root keys.
  if (auto ok = verify_threshold("root", trusted.keys, trusted.roles.at("root"),
                                 next->canonical_signed, next->signatures);
      !ok) {
    ok.error().detail += " (trusted root version " + str(trusted.version) + ")";
    return ok;
  }
  // 5.3.5: version exactly N+1.
  if (fresh.version != trusted.version + 1) {
    return fail(Errc::bad_version_number, "root", "new root version must be trusted + 1",
                str(trusted.version + 1), str(fresh.version));
  }
  // 5.3.4 (2): signed by a threshold of the new root's own root keys.
  if (auto ok = verify_threshold("root", fresh.keys, fresh.roles.at("root"),
                                 next->canonical_signed, next->signatures);
      !ok) {
    ok.error().detail += " (new root version " + str(fresh.version) + ")";
    return ok;
  }
  // 5.3.6: expiry of intermediate roots does not matter. 5.3.7: commit.
  root_ = std::move(*next);
  return {};
}

Result<void> TrustedSet::check_root_not_expired() const {
  // 5.3.10: freeze attack on root.
  if (root_.signed_part.is_expired(reference_time_)) {
    return fail(Errc::expired_metadata, "root", "the final root is expired",
                "expires after " + format_datetime(reference_time_),
                format_datetime(root_.signed_part.expires));
  }
  return {};
}

Result<void> TrustedSet::update_timestamp(Bytes bytes) {
  if (snapshot_) {
    return fail(Errc::usage, "timestamp", "timestamp cannot be updated after snapshot");
  }
  // The final root must be valid before anything it delegates to is trusted (5.3.10).
  if (auto ok = check_root_not_expired(); !ok) return ok;

  auto next = parse_timestamp(parser_, bytes);
  if (!next) return std::unexpected(next.error());
  const Root& root = root_.signed_part;

  // 5.4.2: signed by a threshold of the timestamp keys listed in root.
  if (auto ok = verify_threshold("timestamp", root.keys, root.roles.at("timestamp"),
                                 next->canonical_signed, next->signatures);
      !ok) {
    return ok;
  }
  const TimestampMeta& fresh = next->signed_part;
  if (timestamp_) {
    const TimestampMeta& trusted = timestamp_->signed_part;
    // 5.4.3.1: rollback of the timestamp itself.
    if (fresh.version < trusted.version) {
      return fail(Errc::bad_version_number, "timestamp",
                  "timestamp version is lower than the trusted one (rollback)",
                  ">= " + str(trusted.version), str(fresh.version));
    }
    if (fresh.version == trusted.version) {
      return fail(Errc::equal_version_number, "timestamp",
                  "timestamp version equals the trusted one: nothing changed",
                  "> " + str(trusted.version), str(fresh.version));
    }
    // 5.4.3.2: rollback of the snapshot version it lists.
    if (fresh.snapshot_meta.version < trusted.snapshot_meta.version) {
      return fail(Errc::bad_version_number, "snapshot",
                  "timestamp lists a snapshot version lower than the trusted one (rollback)",
                  ">= " + str(trusted.snapshot_meta.version), str(fresh.snapshot_meta.version));
    }
  }
  // Commit, then 5.4.4 (see the file comment: an expired timestamp stays the rollback
  // reference in memory but is reported, never persisted, and never used for snapshot).
  timestamp_ = std::move(*next);
  return check_final_timestamp();
}

Result<void> TrustedSet::check_final_timestamp() const {
  if (!timestamp_) return fail(Errc::usage, "timestamp", "no trusted timestamp");
  const TimestampMeta& ts = timestamp_->signed_part;
  // 5.4.4: freeze attack on timestamp.
  if (ts.is_expired(reference_time_)) {
    return fail(Errc::expired_metadata, "timestamp", "timestamp is expired",
                "expires after " + format_datetime(reference_time_),
                format_datetime(ts.expires));
  }
  return {};
}

Result<void> TrustedSet::update_snapshot(Bytes bytes, bool trusted_local) {
  if (!timestamp_) {
    return fail(Errc::usage, "snapshot", "snapshot cannot be updated before timestamp");
  }
  if (targets_.contains("targets")) {
    return fail(Errc::usage, "snapshot", "snapshot cannot be updated after targets");
  }
  if (auto ok = check_final_timestamp(); !ok) return ok;
  const MetaInfo& listed = timestamp_->signed_part.snapshot_meta;

  // 5.5.2: length and hashes from timestamp (mix-and-match). A copy from the local store was
  // verified when it was first accepted and may be older than the listing, so it is exempt;
  // its version is checked below.
  if (!trusted_local) {
    if (auto ok = verify_meta_info("snapshot", listed, bytes); !ok) return ok;
  }
  auto next = parse_snapshot(parser_, bytes);
  if (!next) return std::unexpected(next.error());
  const Root& root = root_.signed_part;
  // 5.5.3: signed by a threshold of the snapshot keys listed in root.
  if (auto ok = verify_threshold("snapshot", root.keys, root.roles.at("snapshot"),
                                 next->canonical_signed, next->signatures);
      !ok) {
    return ok;
  }
  const Snapshot& fresh = next->signed_part;
  // 5.5.5: no targets role may go back in version or disappear.
  if (snapshot_) {
    for (const auto& [name, old_info] : snapshot_->signed_part.meta) {
      auto it = fresh.meta.find(name);
      if (it == fresh.meta.end()) {
        return fail(Errc::bad_version_number, "snapshot",
                    "new snapshot no longer lists " + name + " (rollback)", "listed",
                    "missing");
      }
      if (it->second.version < old_info.version) {
        return fail(Errc::bad_version_number, "snapshot",
                    "new snapshot lists an older version of " + name + " (rollback)",
                    ">= " + str(old_info.version), str(it->second.version));
      }
    }
  }
  snapshot_ = std::move(*next);
  return check_final_snapshot();
}

Result<void> TrustedSet::check_final_snapshot() const {
  if (!snapshot_) return fail(Errc::usage, "snapshot", "no trusted snapshot");
  if (auto ok = check_final_timestamp(); !ok) return ok;
  const Snapshot& snap = snapshot_->signed_part;
  // 5.5.6: freeze attack on snapshot.
  if (snap.is_expired(reference_time_)) {
    return fail(Errc::expired_metadata, "snapshot", "snapshot is expired",
                "expires after " + format_datetime(reference_time_),
                format_datetime(snap.expires));
  }
  // 5.5.4: the version timestamp lists (mix-and-match).
  const std::uint64_t listed = timestamp_->signed_part.snapshot_meta.version;
  if (snap.version != listed) {
    return fail(Errc::bad_version_number, "snapshot",
                "snapshot version does not match the version timestamp lists", str(listed),
                str(snap.version));
  }
  return {};
}

Result<void> TrustedSet::update_targets(Bytes bytes) {
  return update_delegated_targets(bytes, "targets", "root");
}

Result<void> TrustedSet::update_delegated_targets(Bytes bytes, std::string_view role,
                                                  std::string_view delegator) {
  const std::string role_name(role);
  if (!snapshot_) {
    return fail(Errc::usage, role_name, "targets cannot be updated before snapshot");
  }
  if (auto ok = check_final_snapshot(); !ok) return ok;

  auto delegation = delegation_for(role, delegator);
  if (!delegation) return std::unexpected(delegation.error());
  const auto& [keys, role_keys] = *delegation;

  // 5.6.2: length and hashes listed by snapshot (mix-and-match).
  const std::string meta_name = role_name + ".json";
  const auto& meta = snapshot_->signed_part.meta;
  auto listed = meta.find(meta_name);
  if (listed == meta.end()) {
    return fail(Errc::repository_error, role_name,
                "snapshot does not list " + meta_name);
  }
  if (auto ok = verify_meta_info(role_name, listed->second, bytes); !ok) return ok;

  auto next = parse_targets(parser_, bytes, role_name);
  if (!next) return std::unexpected(next.error());
  // 5.6.3: signed by a threshold of the delegator's keys for this role.
  if (auto ok = verify_threshold(role_name, *keys, *role_keys, next->canonical_signed,
                                 next->signatures);
      !ok) {
    return ok;
  }
  const Targets& fresh = next->signed_part;
  // 5.6.4: the version snapshot lists (mix-and-match, rollback).
  if (fresh.version != listed->second.version) {
    return fail(Errc::bad_version_number, role_name,
                "version does not match the version snapshot lists",
                str(listed->second.version), str(fresh.version));
  }
  // 5.6.5: freeze attack.
  if (fresh.is_expired(reference_time_)) {
    return fail(Errc::expired_metadata, role_name, "metadata is expired",
                "expires after " + format_datetime(reference_time_),
                format_datetime(fresh.expires));
  }
  targets_.insert_or_assign(role_name, Verified{std::string(delegator), std::move(*next)});
  return {};
}

Result<TrustedSet::Delegation> TrustedSet::delegation_for(std::string_view role,
                                                          std::string_view delegator) const {
  const std::string role_name(role);
  if (delegator == "root") {
    if (role != "targets") {
      return fail(Errc::usage, role_name, "only targets is delegated by root");
    }
    return Delegation{&root_.signed_part.keys, &root_.signed_part.roles.at("targets")};
  }
  const Metadata<Targets>* parent = targets(delegator);
  if (!parent) {
    return fail(Errc::usage, role_name,
                "delegating role " + std::string(delegator) + " is not trusted");
  }
  const auto& delegations = parent->signed_part.delegations;
  if (delegations) {
    for (const DelegatedRole& d : delegations->roles) {
      if (d.name == role) return Delegation{&delegations->keys, &d.keys};
    }
    if (delegations->succinct_roles && delegations->succinct_roles->is_role(role)) {
      return Delegation{&delegations->keys, &delegations->succinct_roles->keys};
    }
  }
  return fail(Errc::repository_error, role_name,
              std::string(delegator) + " does not delegate to " + role_name);
}

Result<void> TrustedSet::verify_delegated_by(std::string_view role,
                                             std::string_view delegator) const {
  auto it = targets_.find(role);
  if (it == targets_.end()) {
    return fail(Errc::usage, std::string(role), "role is not trusted");
  }
  if (it->second.delegator == delegator) return {};
  // 5.6.3 for a second path to the same role: the metadata must also satisfy this
  // delegator's keys and threshold (a role name reached through another parent is not
  // vouched for by that parent).
  auto delegation = delegation_for(role, delegator);
  if (!delegation) return std::unexpected(delegation.error());
  const auto& [keys, role_keys] = *delegation;
  const Metadata<Targets>& md = it->second.metadata;
  return verify_threshold(role, *keys, *role_keys, md.canonical_signed, md.signatures);
}

const Metadata<Targets>* TrustedSet::targets(std::string_view role) const {
  auto it = targets_.find(role);
  return it == targets_.end() ? nullptr : &it->second.metadata;
}

}  // namespace tuf
