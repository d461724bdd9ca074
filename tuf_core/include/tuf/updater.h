// Updater: the TUF client workflow (specification section 5) as a sans-io state machine.
//
// The updater never performs I/O and never reads a clock. It is *polled*:
//
//   auto u = tuf::Updater::create(root_bytes, "https://repo/metadata/", config);
//   u->start_refresh(now);
//   for (;;) {
//     tuf::Action a = u->next();
//     // Fetch{id,url,max_bytes}    -> fetch at most max_bytes, then deliver(id, bytes)
//     //                               or fail(id, Error{not_found|too_large|transport})
//     // LoadCached{id,role,max}    -> read the locally stored copy (at most max bytes):
//     //                               deliver(id, bytes) or fail(id, Error{not_found})
//     // Persist{role,bytes}        -> store verified metadata atomically (no answer)
//     // LookupDone{id,found}       -> a lookup finished: the target, or nullopt (not listed)
//     // LookupFailed{id,error}     -> a lookup failed (that lookup only)
//     // TargetReady{id,info,bytes} -> verified target bytes, safe to release
//     // DownloadFailed{id,error}   -> a download failed (that download only)
//     // Waiting                    -> answers are outstanding: service them, then poll again
//     // Done                       -> every operation started has reported
//     // Failed{error}              -> the refresh (or root update) failed
//   }
//
// Operations. A refresh (start_refresh) or a root update (start_root_update) runs alone. After
// a refresh, any number of lookups (start_lookup) and downloads (start_download, from a
// lookup's result) may be outstanding at once; each reports its own result action, and a
// failure ends only the operation it belongs to (a bad bin does not affect lookups in other
// bins). Lookups that need the same metadata share one fetch. A failed refresh leaves the
// updater unrefreshed; it may be refreshed again.
//
// Ids: request ids (Fetch/LoadCached), lookup ids and download ids are distinct types and
// never reused. Answering an unknown request id is a usage error that changes nothing.
// deliver() takes ownership of the bytes. It returns the error at once when the bytes of a
// download are refused on the spot (length or hashes); next() then reports DownloadFailed.
//
// Time: `now` is passed to start_refresh and fixed for the whole refresh and for every lookup
// that follows it (the specification's "fixed update start time", 5.1). deliver() therefore
// takes no time: nothing delivered is judged against a later clock than the refresh's.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

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

// Identifiers of the three kinds of things an updater hands out. Distinct types, so a lookup
// id cannot be answered as a request or a request id passed where a download is meant.
enum class RequestId : std::uint64_t {};
enum class LookupId : std::uint64_t {};
enum class DownloadId : std::uint64_t {};
constexpr std::uint64_t value_of(RequestId id) { return static_cast<std::uint64_t>(id); }
constexpr std::uint64_t value_of(LookupId id) { return static_cast<std::uint64_t>(id); }
constexpr std::uint64_t value_of(DownloadId id) { return static_cast<std::uint64_t>(id); }

struct TargetInfo {
  std::string path;
  std::uint64_t length = 0;
  HashList hashes;
};

// A target found by a lookup: its trusted info and the role that listed it. Only an Updater
// makes one, so a download started from it is always checked against trusted metadata.
class FoundTarget {
 public:
  const TargetInfo& info() const { return info_; }
  const std::string& role() const { return role_; }  // the targets role that listed it

 private:
  friend class Updater;
  FoundTarget(TargetInfo info, std::string role) : info_(std::move(info)), role_(std::move(role)) {}
  TargetInfo info_;
  std::string role_;
};

// Verifies a whole target's bytes against its trusted info (length, then every hash).
Result<void> verify_target(const TargetInfo& info, Bytes bytes);

// Percent-encodes everything but ALPHA / DIGIT / "-" / "." / "_" / "~" (how role names appear in
// metadata URLs and local file names; Python's urllib.parse.quote(name, safe="")).
std::string quote_role_name(std::string_view role);

struct Fetch {
  RequestId id;
  std::string url;
  std::uint64_t max_bytes;
  std::string role;  // metadata role, or empty for a target file
  std::optional<DownloadId> download;  // a target file: the download it belongs to
};
struct LoadCached {
  RequestId id;
  std::string role;
  std::uint64_t max_bytes;  // a stored copy longer than this is not read (answer not_found)
};
struct Persist {
  std::string role;
  std::string bytes;
};
struct LookupDone {
  LookupId id;
  std::string target_path;
  std::optional<FoundTarget> found;  // nullopt: no trusted role lists the target
};
struct LookupFailed {
  LookupId id;
  std::string target_path;
  Error error;
};
struct TargetReady {
  DownloadId id;
  TargetInfo info;
  std::string bytes;
};
struct DownloadFailed {
  DownloadId id;
  TargetInfo info;
  Error error;
};
struct Waiting {};
struct Done {};
struct Failed {
  Error error;
};
using Action = std::variant<Fetch, LoadCached, Persist, LookupDone, LookupFailed, TargetReady,
                            DownloadFailed, Waiting, Done, Failed>;

class Updater {
 public:
  // The caller's trusted root (5.2). `metadata_base_url` is the URL metadata file names are
  // appended to (a '/' is added if missing).
  static Result<Updater> create(Bytes trusted_root, std::string metadata_base_url,
                                UpdaterConfig config = {});

  Updater(Updater&&) noexcept;
  Updater& operator=(Updater&&) noexcept;
  ~Updater();

  // 5.1-5.6: root rotation, timestamp, snapshot, top-level targets. Refused while any
  // operation is outstanding.
  Result<void> start_refresh(Timestamp now);
  // 5.3 only: walk the root chain to the newest root and check that it is not expired
  // (5.3.10). Each verified root is Persisted as "root"; nothing else is fetched. For a
  // trust-store update that writes its pin only at the end.
  Result<void> start_root_update(Timestamp now);
  // 5.6.7: find `target_path` in the delegation graph (a completed refresh is required). The
  // result arrives as LookupDone or LookupFailed with the returned id.
  Result<LookupId> start_lookup(std::string target_path);
  // 5.7: fetch a target a lookup found. TargetReady or DownloadFailed follows with the id.
  Result<DownloadId> start_download(const FoundTarget& target, std::string_view target_base_url);
  // URL a target would be fetched from (5.7.3 naming), for callers that stream it themselves
  // and verify with verify_target / MultiHasher.
  std::string target_url(const TargetInfo& info, std::string_view target_base_url) const;

  Action next();
  Result<void> deliver(RequestId id, std::string bytes);
  Result<void> fail(RequestId id, Error error);

  bool refreshed() const;
  const TrustedSet& trusted() const;
  const UpdaterConfig& config() const;
  // The newest trusted root as delivered (what to pass to create() next time).
  const std::string& root_bytes() const;

 private:
  struct State;  // coroutine frames, queues (updater.cpp)
  explicit Updater(std::unique_ptr<State> state);
  static FoundTarget make_found(TargetInfo info, std::string role);
  Result<void> start_main(Timestamp now, bool refresh);
  std::unique_ptr<State> state_;
};

}  // namespace tuf
