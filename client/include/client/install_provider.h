// The resolver's view of a page source (pkg::Provider), for `tufget install` and `lock`.
//
// From a TUF-enabled index every fact it hands the resolver is verified first: a project's
// candidates come from its simple page, verified against the project's TUF hash bin; a
// candidate's dependencies come from its PEP 658 .metadata file (checked against the page's
// sha256 for it) or, when the page offers none, from the wheel itself (checked against the
// page's sha256, then every member against the wheel's RECORD). Installed distributions answer
// from their own METADATA.
//
// From a source that nothing vouches for (an index without TUF, a wheelhouse; hash-checking
// mode only) dependencies are read only from wheels whose sha256 is pinned (ProviderOptions::
// pins); any other candidate's metadata is refused.
//
// Fetches are batched: prefetch_projects() fetches the pages of every named project
// concurrently; prefetch_metadata() fetches .metadata files (or wheels) concurrently. Wheels
// downloaded for their metadata are kept (staged) for the install step.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client/cache.h"
#include "client/page_source.h"
#include "pkg/resolver.h"
#include "pkg/tags.h"
#include "pkg_fs/installer.h"
#include "pkg_fs/interpreter.h"
#include "client/reporter.h"
#include "client/warehouse.h"

namespace tufget {

// --only-binary / --no-binary: tufget installs wheels only; --no-binary names projects
// (or :all:) whose wheels must not be used, which makes them uninstallable.
struct BinaryPolicy {
  bool no_binary_all = false;
  std::set<std::string> no_binary;  // normalised names
  bool refuses(const std::string& project) const {
    return no_binary_all || no_binary.count(project) > 0;
  }
};

struct ProviderOptions {
  BinaryPolicy binary;
  std::set<std::string> upgrade;  // projects for which an installed version is not preferred
  bool upgrade_all = false;       // --force-reinstall: installed versions are never candidates
  std::uint64_t max_wheel_bytes = 0;
  std::uint64_t max_metadata_bytes = 0;
  int verbose = 0;
  // Fetch dependency levels ahead of the resolver (look_ahead.cpp); off with --no-deps.
  bool look_ahead = true;
  // Whether an installed distribution may count as installed (its files intact); unset: yes.
  // Asked only for a project whose installed version would be offered.
  std::function<bool(const pkg_fs::InstalledDist&)> intact;
  // Hash-checking mode: normalised project -> allowed sha256 values. Among a version's wheels,
  // those whose sha256 is pinned are preferred; when none is, the best wheel is kept so that
  // the mismatch can be reported.
  std::map<std::string, std::vector<std::string>> pins;
  bool pinned(const std::string& project, const std::string& sha256) const;
};

// One chosen file of a candidate (handle = index into files()).
struct CandidateFile {
  std::string project;
  pkg::Version version;
  pkg::DistFile file;  // from the verified page
  pkg::WheelFilename wheel;
  std::string sha256;  // from the verified page
  std::string tag;     // best supported tag
  std::string page_provenance;
  bool page_verified = false;  // the page (and so `sha256`) is vouched for by TUF
  std::string pin_origin;      // hash-checking mode: "reqs.txt:3", where its hash is pinned
  // sha256 of every wheel of this version that suits the interpreter (sorted; for lock files).
  std::vector<std::string> version_sha256;
  const pkg_fs::InstalledDist* installed = nullptr;  // set for an installed candidate
  // Filled while resolving / downloading:
  std::optional<std::string> metadata_text;  // verified METADATA / .metadata bytes
  std::string metadata_source;               // "PEP 658 .metadata" / "wheel" / "installed"
  std::optional<StagedFile> wheel_file;      // verified wheel (sha256)
  bool wheel_from_cache = false;
};

class IndexProvider final : public pkg::Provider {
 public:
  IndexProvider(PageSource& source, tuf_io::HttpClient& http, const FileCache& cache,
                Reporter& progress, const pkg_fs::Interpreter& python,
                const std::vector<pkg_fs::InstalledDist>& installed, ProviderOptions options);

  pkg::Result<pkg::CandidateList> candidates(const std::string& project) override;
  pkg::Result<pkg::DistMetadata> metadata(const pkg::Candidate& candidate) override;
  void prefetch_projects(std::span<const std::string> projects) override;
  // Pages fetched before the provider existed (source().fetch(projects)), one per project.
  void adopt_pages(const std::vector<std::string>& projects,
                   std::vector<tuf::Result<SourcedPage>> pages);
  void prefetch_metadata(std::span<const pkg::Candidate> candidates) override;

  CandidateFile& file(std::size_t handle) { return *files_[handle]; }
  const SourcedPage* page(const std::string& project) const;
  PageSource& source() { return source_; }

  // Downloads (concurrently) every wheel of `handles` not already staged, verified against the
  // page's sha256 (the installer then checks every member against the wheel's RECORD). One
  // error per file that failed; a hash mismatch is length_or_hash_mismatch with expected/got.
  std::vector<tuf::Error> fetch_wheels(const std::vector<std::size_t>& handles);

  // The tuf::Error behind the last failed provider call (for the CLI's message), if any.
  const std::optional<tuf::Error>& last_error() const { return last_error_; }

  struct Stats {
    std::size_t pages = 0, metadata_files = 0, wheels_for_metadata = 0, lookups = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  struct Project {
    std::optional<tuf::Result<SourcedPage>> page;
    std::optional<pkg::CandidateList> list;
  };
  pkg::Result<void> ensure_page(const std::string& project);
  // Pages of the projects not fetched yet, in one batch (the source fetches them together).
  void fetch_pages(std::span<const std::string> projects);
  // Walks the dependency tree below `projects` breadth first, ahead of the resolver
  // (look_ahead.cpp): per level one batch of pages, then one batch of the first candidates'
  // metadata, whose dependencies are the next level.
  void look_ahead(std::span<const std::string> projects);
  pkg::CandidateList build_candidates(const std::string& project, const SourcedPage& page);
  void fetch_metadata_batch(const std::vector<std::size_t>& handles);
  pkg::Result<void> fail_with(tuf::Error e);

  PageSource& source_;
  tuf_io::HttpClient& http_;
  const FileCache& cache_;
  Reporter& progress_;
  const pkg_fs::Interpreter& python_;
  std::map<std::string, const pkg_fs::InstalledDist*> installed_;
  ProviderOptions options_;
  std::map<std::string, Project> projects_;
  std::set<std::string> looked_ahead_;  // projects look_ahead has visited
  std::vector<std::unique_ptr<CandidateFile>> files_;
  std::optional<tuf::Error> last_error_;
  Stats stats_;
};

}  // namespace tufget
