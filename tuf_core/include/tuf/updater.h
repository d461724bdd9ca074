// Updater: the TUF client workflow (specification section 5) as a sans-io state machine.
//
// The updater never performs I/O and never reads a clock. It is *polled*:
//
//   auto u = tuf::Updater::create(root_bytes, "https://repo/metadata/", config);
//   u->start_refresh(now);                       // operations: refresh, lookup, download
//   for (;;) {
//     tuf::Action a = u->next();
//     // Fetch{id,url,max_bytes}   -> fetch at most max_bytes, then deliver(id, bytes)
//     //                              or fail(id, Error{not_found|too_large|transport})
//     // LoadCached{id,role}       -> read the locally stored copy: deliver(id, bytes) or
//     //                              fail(id, Error{not_found})
//     // Persist{role,bytes}       -> store verified metadata atomically (no answer)
//     // TargetReady{id,info,bytes}-> verified target bytes, safe to release
//     // Waiting                   -> answers are outstanding: service them, then poll again
//     // Done                      -> the operation finished
//     // Failed{error}             -> the operation failed; failure is sticky
//   }
//
// Kinds of methods: create (factory), start_* (begin an operation; one of refresh/lookup at a
// time, while any number of downloads may be outstanding), next (poll), deliver/fail (answers),
// getters. Request ids are never reused; answering an unknown id is a usage error that changes
// nothing. After Failed, every call fails with the same error. deliver() returns the error at
// once when the delivered bytes are refused on the spot (a target whose length or hashes do
// not match); the following next() returns Failed with the same error.
//
// Time: `now` is passed to start_refresh and fixed for the whole refresh and for every lookup
// that follows it (the specification's "fixed update start time", 5.1). deliver() therefore
// takes no time: nothing delivered is judged against a later clock than the refresh's.
#pragma once

#include <coroutine>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "tuf/bytes.h"
#include "tuf/error.h"
#include "tuf/metadata.h"
#include "tuf/trusted_set.h"

namespace tuf {

struct UpdaterConfig {
  // Names follow python-tuf's UpdaterConfig so the rules can be compared line by line.
  std::uint32_t max_root_rotations = 256;  // 5.3.3 "Y"
  std::uint32_t max_delegations = 32;      // 5.6.7.1 roles visited per lookup
  std::uint64_t root_max_length = 512000;        // 5.3.3 "W"
  std::uint64_t timestamp_max_length = 16384;    // 5.4.1 "X"
  std::uint64_t snapshot_max_length = 2000000;   // 5.5.1 "Y" (when timestamp gives no length)
  std::uint64_t targets_max_length = 5000000;    // 5.6.1 "Z" (when snapshot gives no length)
  // 5.7.3: with consistent snapshots, fetch targets as <dir>/<hash>.<basename>.
  bool prefix_targets_with_hash = true;
};

struct TargetInfo {
  std::string path;
  std::uint64_t length = 0;
  HashList hashes;
};

// Verifies a whole target's bytes against its trusted info (length, then every hash).
Result<void> verify_target(const TargetInfo& info, Bytes bytes);

// Percent-encodes everything but ALPHA / DIGIT / "-" / "." / "_" / "~" (how role names appear in
// metadata URLs and local file names; Python's urllib.parse.quote(name, safe="")).
std::string quote_role_name(std::string_view role);

struct Fetch {
  std::uint64_t id;
  std::string url;
  std::uint64_t max_bytes;
  std::string role;  // metadata role, or empty for a target file
};
struct LoadCached {
  std::uint64_t id;
  std::string role;
};
struct Persist {
  std::string role;
  std::string bytes;
};
struct TargetReady {
  std::uint64_t id;  // the id start_download returned
  TargetInfo info;
  std::string bytes;
};
struct Waiting {};
struct Done {};
struct Failed {
  Error error;
};
using Action = std::variant<Fetch, LoadCached, Persist, TargetReady, Waiting, Done, Failed>;

class Updater {
 public:
  // The caller's trusted root (5.2). `metadata_base_url` is the URL metadata file names are
  // appended to (a '/' is added if missing).
  static Result<Updater> create(Bytes trusted_root, std::string metadata_base_url,
                                UpdaterConfig config = {});

  Updater(Updater&&) noexcept;
  Updater& operator=(Updater&&) noexcept;
  ~Updater();

  // 5.1-5.6.6: root rotation, timestamp, snapshot, top-level targets.
  Result<void> start_refresh(Timestamp now);
  // 5.6.7: find `target_path` in the delegation graph (refreshing first is required). When the
  // operation is Done, lookup_result() holds the TargetInfo or nullopt (not found is not a
  // failure of the updater).
  Result<void> start_lookup(std::string target_path);
  // 5.7: fetch a target found by a lookup. Returns the id that TargetReady will carry.
  Result<std::uint64_t> start_download(const TargetInfo& info, std::string_view target_base_url);
  // URL a target would be fetched from (5.7.3 naming), for callers that stream it themselves
  // and verify with verify_target / MultiHasher.
  std::string target_url(const TargetInfo& info, std::string_view target_base_url) const;

  Action next();
  Result<void> deliver(std::uint64_t id, Bytes bytes);
  Result<void> fail(std::uint64_t id, Error error);

  bool refreshed() const;
  const std::optional<TargetInfo>& lookup_result() const;
  const TrustedSet& trusted() const;
  const UpdaterConfig& config() const;

  struct State;  // implementation (coroutine frames, queues); public only for the .cpp

 private:
  explicit Updater(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace tuf
