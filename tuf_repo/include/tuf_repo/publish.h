// The local TUF-enabled index: repository state, distributions, simple pages and signing.
//
// It produces what a TUF-enabled Warehouse (RSTUF, PEP 458) serves: N.root.json,
// timestamp.json, N.snapshot.json, N.targets.json delegating through TAP 15 succinct hash bins
// to N.bins-XX.json, one target per project (its PEP 503 simple detail page). The on-disk layout
// and the URL layout are described in docs/index.md. All metadata, pages and the state file are
// written through a temporary file and a rename; an exclusive lock on DIR/.lock serialises
// commands on one index.
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "tuf/metadata.h"
#include "tuf_repo/signer.h"

namespace tuf_repo {

struct InitOptions {
  unsigned bins = 256;  // power of two, 2..16384
  KeyType key_type = KeyType::ed25519;
  bool consistent_snapshot = true;
  unsigned expires_days = 7;        // bins, snapshot, timestamp
  unsigned root_expires_days = 365;  // root, targets
};

struct PublishOptions {
  bool rotate_root = false;    // new root key; N+1.root.json signed by the old and new keys
  bool rotate_online = false;  // with rotate_root: new timestamp and snapshot keys as well
  std::optional<KeyType> key_type;  // type of the new keys (default: the index's key type)
  std::optional<unsigned> expires_days;       // changes the index's setting from now on
  std::optional<unsigned> root_expires_days;  // likewise
};

// Each throws RepoError with a message for the user; progress goes to `out`. `now` (the
// caller's wall clock) dates uploads and sets expiry dates.
void init_index(const std::filesystem::path& dir, const InitOptions& options, tuf::Timestamp now,
                std::ostream& out);
void add_distributions(const std::filesystem::path& dir,
                       const std::vector<std::filesystem::path>& files, tuf::Timestamp now,
                       std::ostream& out);
void publish_index(const std::filesystem::path& dir, const PublishOptions& options,
                   tuf::Timestamp now, std::ostream& out);

// Read by the server: whether the index uses consistent snapshots (an unreadable or missing
// state file means yes, the default).
bool index_consistent_snapshot(const std::filesystem::path& dir);

}  // namespace tuf_repo
