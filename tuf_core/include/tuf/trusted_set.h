// TrustedSet: the verified top-level and delegated metadata, and nothing else.
//
// It only verifies: bytes in, verified model kept. Each update_<role> checks every rule of the
// TUF specification section 5 for that role against the fixed reference time given at
// construction, and commits with one move at the end: a rejected update leaves the set exactly
// as it was. It performs no I/O and reads no clock. The Updater drives the workflow around it.
//
// One deliberate exception, shared with python-tuf and go-tuf: a timestamp or snapshot that
// passes its signature and rollback checks is committed *before* its expiry (5.4.4, 5.5.6) and,
// for snapshot, its version match with timestamp (5.5.4) are checked. If those fail the error is
// returned, but the document stays in memory as the rollback reference for the next candidate
// (an expired local timestamp v5 must still stop a remote v3). The updater never persists such
// a document, and everything that relies on it re-checks check_final_timestamp() /
// check_final_snapshot() first.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "tuf/bytes.h"
#include "tuf/error.h"
#include "tuf/json_parser.h"
#include "tuf/metadata.h"

namespace tuf {

// Counts the distinct public keys (PublicKey::identity) among `role_keys.keyids` that have a
// valid signature over `canonical_signed`, and fails with unsigned_metadata naming `role` if
// fewer than the threshold verify. Each keyid counts at most once, whatever the signatures list
// repeats, and so does each key, whatever keyids the metadata lists it under. `keys` maps
// keyid -> key (the root's keys or the delegator's).
Result<void> verify_threshold(std::string_view role,
                              const std::unordered_map<std::string, Key>& keys,
                              const RoleKeys& role_keys, std::string_view canonical_signed,
                              const std::vector<Signature>& signatures);

class TrustedSet {
 public:
  // 5.2: trust `root_bytes` (verified against its own keys and threshold, not for expiry).
  static Result<TrustedSet> create(Bytes root_bytes, Timestamp reference_time);

  // 5.3: a new root version N+1, signed by the trusted and by the new root.
  Result<void> update_root(Bytes bytes);
  // 5.4. Fails with equal_version_number when the new timestamp is the trusted one's version.
  Result<void> update_timestamp(Bytes bytes);
  // 5.5. `trusted_local` is set when the bytes come from the local store: then the version
  // match with timestamp is not required (python-tuf semantics: an older local snapshot is
  // still loaded to serve as the rollback reference).
  Result<void> update_snapshot(Bytes bytes, bool trusted_local = false);
  // 5.6 for the top-level targets role.
  Result<void> update_targets(Bytes bytes);
  // 5.6.7 for a delegated role: `delegator` must already be trusted.
  Result<void> update_delegated_targets(Bytes bytes, std::string_view role,
                                        std::string_view delegator);

  // 5.3.10: the trusted root must not be expired at the reference time.
  Result<void> check_root_not_expired() const;
  // 5.4.4: the trusted timestamp exists and is not expired.
  Result<void> check_final_timestamp() const;
  // 5.5.4 / 5.5.6: the trusted snapshot exists, is not expired, and is the version the
  // trusted timestamp lists (and the timestamp is final).
  Result<void> check_final_snapshot() const;

  Timestamp reference_time() const { return reference_time_; }
  const Metadata<Root>& root() const { return root_; }
  const Metadata<TimestampMeta>* timestamp() const { return timestamp_ ? &*timestamp_ : nullptr; }
  const Metadata<Snapshot>* snapshot() const { return snapshot_ ? &*snapshot_ : nullptr; }
  // "targets" or a delegated role name; nullptr if not trusted.
  const Metadata<Targets>* targets(std::string_view role = "targets") const;
  // A trusted role reached again through another delegator: its signatures must also meet
  // that delegator's keys and threshold for it. Ok when `delegator` is the one it was
  // verified through.
  Result<void> verify_delegated_by(std::string_view role, std::string_view delegator) const;

 private:
  TrustedSet() = default;
  // Every document this set verifies is parsed with it; its buffers die with the set.
  JsonParser parser_;
  Timestamp reference_time_ = 0;
  Metadata<Root> root_;
  std::optional<Metadata<TimestampMeta>> timestamp_;
  std::optional<Metadata<Snapshot>> snapshot_;
  struct Verified {
    std::string delegator;  // the role whose delegation it was verified against
    Metadata<Targets> metadata;
  };
  struct Delegation {
    const std::unordered_map<std::string, Key>* keys;
    const RoleKeys* role_keys;
  };
  Result<Delegation> delegation_for(std::string_view role, std::string_view delegator) const;
  std::map<std::string, Verified, std::less<>> targets_;  // top-level and delegated
};

}  // namespace tuf
