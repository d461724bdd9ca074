// Conformance-mirror harness: runs the real `tufget` binary the way the public TUF conformance
// suite (theupdateframework/tuf-conformance) does, against a RepoSim repository served over
// loopback HTTP the way the suite's simulator server serves its repositories.
//
//   SimulatorServer: one simulated repository per test, behind a HostileServer handler that
//     answers like the suite's Python http.server: one response per connection, then close
//     (HTTP/1.0 style, "Content-length" spelled as Python spells it), 404 with the error text as
//     the reason phrase for unknown versions / targets / hash prefixes, and a dropped
//     connection with no response at all for a role the repository never published (the
//     simulator's unhandled KeyError). Every metadata request is recorded as (role as it appears
//     in the URL, version or none) and every artifact request as (target path, hash prefix or
//     none), before the lookup, like metadata_statistics / artifact_statistics.
//   ClientRunner: a temp directory with metadata/ and targets/ and initial_root.json next to
//     them; init / refresh / download with the suite's exact argument order (global options
//     first, subcommand last), optionally under `faketime`; returns the exit status; reads back
//     trusted versions, the metadata directory and downloaded artifacts (ordered by mtime).
//
// The URLs carry the test's name quoted with Python's quote(name, safe=""), so "[", "/", " "
// and ".." appear percent-encoded in every request path, as in the suite.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/hostile_server.h"
#include "support/repo_sim.h"

namespace tufget_conformance {

// Python urllib.parse.quote(s, safe="") and unquote(s).
std::string py_quote(std::string_view s);
std::string py_unquote(std::string_view s);

// One entry of metadata_statistics: (role as in the URL, version if the URL had one).
struct MetaRequest {
  std::string role;
  std::optional<std::uint64_t> version;
  bool operator==(const MetaRequest&) const = default;
};
std::ostream& operator<<(std::ostream& os, const MetaRequest& r);

// One entry of artifact_statistics: (target path without the hash prefix, the prefix).
struct ArtifactRequest {
  std::string path;
  std::optional<std::string> prefix;
  bool operator==(const ArtifactRequest&) const = default;
};
std::ostream& operator<<(std::ostream& os, const ArtifactRequest& r);

// What the suite hands the client runner for a test (ClientInitData).
struct ClientInitData {
  std::string metadata_url;
  std::string targets_url;
  std::string trusted_root;
};

// A served artifact: its bytes and the hashes its metadata lists (by algorithm).
struct Artifact {
  std::string data;
  std::vector<std::pair<std::string, std::string>> hashes;
};

class SimulatorServer {
 public:
  // The repository starts like the suite's: v1 of all four top-level roles, consistent
  // snapshots, one ECDSA key per role, threshold 1, everything expiring now + 30 days (real
  // wall-clock now, as the client runs without faketime by default).
  explicit SimulatorServer(std::string test_name);
  ~SimulatorServer();
  SimulatorServer(const SimulatorServer&) = delete;
  SimulatorServer& operator=(const SimulatorServer&) = delete;

  tuf_test::RepoSim sim;
  const tuf::Timestamp now;          // wall clock at construction (seconds)
  const tuf::Timestamp safe_expiry;  // now + 30 days
  static constexpr tuf::Timestamp kDay = 86'400;

  // Root v1 as served when the test started, and the URLs for the test.
  ClientInitData init_data() const { return init_data_; }
  const std::string& test_name() const { return name_; }

  // Adds `path` to `role` (metadata lists its length and the given digests) and serves `data`
  // for it. Nothing is published.
  void add_artifact(std::string_view role, std::string data, std::string path,
                    std::vector<std::string> algs = {"sha256"});
  // The artifact store (what is served for a path, and which hash prefixes are accepted).
  Artifact& artifact(const std::string& path);

  // A delegation like the suite's add_delegation: a fresh ECDSA key for the role in the
  // delegator, and that key added to the role's signers (a role delegated twice is signed with
  // both keys).
  void add_delegation(std::string_view delegator, std::string name,
                      std::vector<std::string> paths, bool terminating = false);

  // The role's whole history is gone: requests for it drop the connection (KeyError).
  void forget_role(std::string role);

  std::vector<MetaRequest> metadata_statistics() const;
  std::vector<ArtifactRequest> artifact_statistics() const;
  void clear_statistics();
  // Request targets exactly as received (origin-form paths), in order.
  std::vector<std::string> request_paths() const;
  std::size_t connections() const { return server_.connections_accepted(); }

 private:
  tufget_test::Response handle(const tufget_test::Request& request);
  tufget_test::Response serve_metadata(std::string_view sub);
  tufget_test::Response serve_target(std::string_view sub);

  std::string name_;
  ClientInitData init_data_;
  mutable std::mutex mutex_;
  std::vector<MetaRequest> metadata_stats_;
  std::vector<ArtifactRequest> artifact_stats_;
  std::map<std::string, Artifact, std::less<>> artifacts_;
  std::set<std::string, std::less<>> forgotten_;
  tufget_test::HostileServer server_;  // last: stopped before the rest is destroyed
};

// The `faketime` prefix: either the suite's newest form, an absolute datetime string as Python
// prints a timezone-aware UTC datetime ("2026-12-10 03:08:11.123456+00:00"), or the older
// relative form "faketime -f +<N>d".
struct FakeTime {
  std::vector<std::string> args;  // after "faketime"
  static FakeTime at(tuf::Timestamp t);  // absolute, with the current sub-second part
  static FakeTime at(std::string datetime);
  static FakeTime days_in_future(int days);  // -f +<N>d
};

class ClientRunner {
 public:
  // `binary`: the tufget executable (the tests pass TUFGET_BINARY).
  ClientRunner(std::string test_name, std::string binary);
  ~ClientRunner();
  ClientRunner(const ClientRunner&) = delete;
  ClientRunner& operator=(const ClientRunner&) = delete;

  // tufget --metadata-dir MDIR init TMP/initial_root.json (writes trusted_root there first).
  int init_client(const ClientInitData& data);
  // [faketime ...] tufget --metadata-url U --metadata-dir MDIR refresh
  int refresh(const ClientInitData& data, std::optional<FakeTime> fake_time = {});
  // [faketime ...] tufget --metadata-url U --metadata-dir MDIR --target-name T1
  //   [--target-name T2 ...] --target-dir TDIR --target-base-url B download
  int download_target(const ClientInitData& data, const std::vector<std::string>& target_names,
                      std::optional<FakeTime> fake_time = {});
  int download_target(const ClientInitData& data, const std::string& target_name,
                      std::optional<FakeTime> fake_time = {}) {
    return download_target(data, std::vector<std::string>{target_name}, fake_time);
  }

  // signed.version of MDIR/<quote(role)>.json; nullopt when the file does not exist. Throws if
  // it exists but is not valid metadata (the suite crashes in that case).
  std::optional<std::uint64_t> version(std::string_view role) const;
  // (file stem, version) for every *.json directly in MDIR, sorted by file name; each must
  // parse as metadata.
  std::vector<std::pair<std::string, std::uint64_t>> trusted_roles() const;
  // Raw bytes of MDIR/<quote(role)>.json, or nullopt.
  std::optional<std::string> metadata_bytes(std::string_view role) const;
  // Every entry name directly in MDIR (files and anything else), sorted.
  std::vector<std::string> metadata_dir_entries() const;
  // Contents of every regular, non-hidden file under TDIR (recursively), ordered by mtime.
  std::vector<std::string> get_downloaded_target_bytes() const;
  // Every path under TDIR (recursively, hidden included), relative, sorted.
  std::vector<std::string> target_dir_entries() const;
  // Every entry name directly in the per-test temp dir (holds metadata/, targets/, ...).
  std::vector<std::string> temp_dir_entries() const;

  const std::filesystem::path& metadata_dir() const { return metadata_dir_; }
  const std::filesystem::path& target_dir() const { return target_dir_; }
  const std::filesystem::path& temp_dir() const { return temp_dir_; }
  // The last command line and its stdout+stderr, for failure messages.
  const std::string& last_command() const { return last_command_; }
  const std::string& last_output() const { return last_output_; }
  // Total tufget invocations made by this runner.
  std::size_t runs() const { return runs_; }

 private:
  int run(std::vector<std::string> argv, const std::optional<FakeTime>& fake_time);

  std::string name_;
  std::string binary_;
  std::filesystem::path base_dir_;  // removed on destruction
  std::filesystem::path temp_dir_;
  std::filesystem::path metadata_dir_;
  std::filesystem::path target_dir_;
  std::filesystem::path log_file_;  // outside temp_dir_, so listings stay clean
  std::string last_command_;
  std::string last_output_;
  std::size_t runs_ = 0;
};

}  // namespace tufget_conformance
