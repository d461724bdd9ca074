// SimDriver: pumps a tuf::Updater against a RepoSim and an in-memory metadata store.
//
// It plays the I/O layer's part of the poll loop exactly as the updater's contract describes:
//   Fetch       -> the simulator's bytes; more than max_bytes -> fail(id, too_large) (the real
//                  transport stops reading at the limit); unknown URL -> fail(id, not_found)
//   LoadCached  -> the store's bytes, or fail(id, not_found)
//   Persist     -> stored (and recorded, in order)
//   TargetReady -> collected (DownloadFailed: the run's error)
//   LookupDone  -> the run's `found` (LookupFailed: the run's error)
//   Waiting     -> answers that were held back are given now (see defer_answers)
//   Done/Failed -> the run ends
// Transport errors are given with an empty role, as a transport knows no roles: naming the
// role is the updater's job.
//
// Everything is recorded: every Fetch action (url, max_bytes, role), a readable trace of every
// action ("fetch metadata/timestamp.json", "load snapshot", "persist root", "ready a.txt",
// "done", "failed <code> <role>"), and every answer the updater refused.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/repo_sim.h"
#include "tuf/updater.h"

namespace tuf_test {

// Trusted metadata by role, as the filesystem store would keep it.
struct MemoryStore {
  std::map<std::string, std::string, std::less<>> files;
  std::vector<std::pair<std::string, std::string>> persists;  // (role, bytes), in order
  std::vector<std::string> loads;                             // LoadCached roles, in order

  bool persisted(std::string_view role) const;
  std::size_t persist_count(std::string_view role) const;
  std::optional<std::string> get(std::string_view role) const;
  void forget_history() { persists.clear(); loads.clear(); }
};

// What one operation (a run of the poll loop) produced.
struct Run {
  std::optional<tuf::Error> error;          // the Failed/LookupFailed/DownloadFailed error
  std::vector<tuf::TargetReady> ready;      // verified targets released
  std::optional<tuf::FoundTarget> found;    // the LookupDone result of a lookup
  std::vector<tuf::Action> finished;        // every LookupDone/LookupFailed/DownloadFailed
  bool ok() const { return !error.has_value(); }
  tuf::Errc code() const { return error ? error->code : tuf::Errc::usage; }
  std::string role() const { return error ? error->role : std::string("<no error>"); }
  std::string describe() const;  // for test messages
};

class SimDriver {
 public:
  // The updater trusts `trusted_root` (default: the simulator's root v1), which is also put in
  // the store as "root" (not recorded as a Persist).
  explicit SimDriver(RepoSim& sim, tuf::UpdaterConfig config = {},
                     std::optional<std::string> trusted_root = std::nullopt);

  // A new updater (a new process) trusting the store's root, with the same store.
  void restart();
  void restart(tuf::UpdaterConfig config);

  tuf::Updater& updater() { return *updater_; }
  RepoSim& sim() { return sim_; }
  MemoryStore store;

  // Hold Fetch/LoadCached answers until the updater says Waiting, then answer them all in
  // order (exercises several outstanding requests). Off: answer each at once.
  bool defer_answers = false;
  // Play a transport that stops at max_bytes (default). Off: deliver whatever the simulator
  // serves, to check the updater's own limit check (defence in depth).
  bool enforce_max_bytes = true;

  // Operations. Each starts the operation, pumps to Done/Failed and reports.
  Run refresh(tuf::Timestamp now = RepoSim::kNow);
  Run lookup(std::string target_path);
  Run download(const tuf::FoundTarget& target);
  // refresh, lookup, and download if found; stops at the first failure.
  Run refresh_and_download(std::string target_path, tuf::Timestamp now = RepoSim::kNow);
  // Just the poll loop.
  Run pump();
  // Answers one Fetch or LoadCached action as the pump would (for tests that poll by hand).
  void answer(const tuf::Action& action);

  // Records.
  std::vector<tuf::Fetch> fetches;            // every Fetch action, in order
  std::vector<tuf::RequestId> request_ids;    // ids of every Fetch and LoadCached, in order
  std::vector<std::string> trace;             // every action, readable
  std::vector<tuf::Error> refused_answers;    // errors deliver()/fail() returned
  std::vector<std::string> fetched_urls() const;  // short names of fetches[i].url
  void clear_records();

 private:
  RepoSim& sim_;
  tuf::UpdaterConfig config_;
  std::optional<tuf::Updater> updater_;
  std::vector<tuf::Action> held_;
};

// "metadata/timestamp.json" from "https://sim.invalid/metadata/timestamp.json".
std::string short_url(std::string_view url);

}  // namespace tuf_test
