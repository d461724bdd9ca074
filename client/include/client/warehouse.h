// The verified path through a TUF-enabled Warehouse (../shared/warehouse-profile.md):
//   project name -> its hash bin (TUF, via the Updater's lookup) -> the simple page (a TUF
//   target: length and blake2b-256 from the bin) -> the best wheel on that page -> the wheel
//   and its PEP 658 .metadata file, each accepted only if its sha256 equals the verified page's.
//
// WarehouseClient owns the TUF side (an Updater over the repository's metadata); choosing a
// wheel is pure (choose_wheel); fetch_files() downloads into staged files and checks sha256.
// Nothing here writes outside the metadata directory and the staging folder: installing into
// the destination is the caller's step, after every check passed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/cache.h"
#include "client/reporter.h"
#include "client/repository.h"
#include "pkg/filenames.h"
#include "pkg/requirement.h"
#include "pkg/simple_page.h"
#include "pkg/version.h"
#include "pkg_fs/interpreter.h"
#include "tuf/updater.h"
#include "tuf_io/driver.h"
#include "tuf_io/http.h"
#include "tuf_io/store.h"

namespace tufget {

// ---- the interpreter wheels are chosen for -------------------------------------------------------

// From --python-version X.Y[.Z] and --platform (each may be empty): with a version, a synthetic
// CPython (pkg_fs::synthetic_interpreter) on the given platforms, or on this machine's when none
// are given; without one, `python3` from $PATH is queried (cached, pkg_fs::query_interpreter)
// and --platform, when given, replaces its platforms.
tuf::Result<pkg_fs::Interpreter> detect_target_python(const std::string& python_version,
                                                      const std::vector<std::string>& platforms);

// "CPython 3.11 on manylinux_2_36_x86_64" (the most specific platform).
std::string describe(const pkg_fs::Interpreter& python);

// "==V" (no wildcard) or "===V" anywhere in the set: PEP 592 lets such a pin select a yanked file.
bool pins_version(const pkg::Requirement& req);

// ---- the TUF side --------------------------------------------------------------------------------

struct VerifiedPage {
  std::string project;
  std::string bin_role;  // succinct hash bin that listed it ("" for another delegation shape)
  tuf::TargetInfo target;
  std::string url;
  std::string bytes;  // verified: length and every hash from the bin
  pkg::ProjectPage page;
  // "TUF-verified simple page (targets -> bins-3a, blake2b-256)"
  std::string provenance() const;
};

class WarehouseClient {
 public:
  WarehouseClient(Repository repo, tuf_io::HttpClient& http, int verbose);
  const Repository& repository() const { return repo_; }

  // For RootSource::first_use: fetches <metadata_url>1.root.json and adopts it. Returns the
  // warning to print.
  tuf::Result<std::string> bootstrap_first_use();
  // Creates the updater from the repository's initial root and runs the TUF refresh (root
  // rotations, timestamp, snapshot, targets; spec 5.3-5.6), persisting into the metadata dir.
  tuf::Result<void> refresh(tuf::Timestamp now);
  // Finds the project's page in its hash bin (spec 5.6.7). target_not_found when no trusted
  // metadata lists it.
  tuf::Result<tuf::TargetInfo> lookup(const std::string& project);
  // lookup() for every project at once: the bins are fetched concurrently (one fetch per bin
  // however many projects share it), and a bad bin fails only the projects it covers.
  std::vector<tuf::Result<tuf::TargetInfo>> lookup_many(const std::vector<std::string>& projects);
  // Every project's verified page in one round trip where possible: while the bins are looked
  // up, each project's PEP 503 page (<index_url><project>/) is fetched alongside (at most
  // kSpeculativePageBytes). A page whose bytes have the length and every hash its bin lists is
  // the TUF target itself and is taken; otherwise (changed since, too large, not served there)
  // the page is fetched again from its TUF target URL, capped at its trusted length. Nothing
  // is used before its bin has vouched for it.
  std::vector<tuf::Result<VerifiedPage>> pages(const std::vector<std::string>& projects);
  static constexpr std::uint64_t kSpeculativePageBytes = std::uint64_t{4} << 20;
  // The succinct bin role that covers `project`, or "".
  std::string bin_for(const std::string& project) const;
  // Fetches every page concurrently (each capped at its trusted length), verifies it with
  // tuf::verify_target, parses it (PEP 503 HTML) and checks that it is the page of its project.
  std::vector<tuf::Result<VerifiedPage>> fetch_pages(const std::vector<tuf::TargetInfo>& targets);

 private:
  // A fetched page's bytes checked against its bin and parsed (fetch_pages, pages).
  tuf::Result<VerifiedPage> accept_page(const tuf::TargetInfo& info, std::string page_url,
                                        std::string bytes) const;

  Repository repo_;
  tuf_io::HttpClient& http_;
  tuf_io::MetadataStore store_;
  tuf_io::DriverHooks hooks_;
  std::optional<tuf::Updater> updater_;
};

// Before the first refresh: with trust on first use and no root yet, fetches and adopts
// <metadata_url>1.root.json. Returns what to print on stderr ("" when nothing): the loud
// first-use warning, or a reminder that the root in use was trusted on first use earlier.
tuf::Result<std::string> prepare_root(WarehouseClient& client);

// A page is refused when it names another project (PEP 691 "name") or lists a wheel or sdist
// whose (normalised) project name is not `project`: the bin vouches for a page under this
// project's name, and a page of another project must not be taken for it.
tuf::Result<void> check_page_project(const pkg::ProjectPage& page, const std::string& project);

// ---- choosing a wheel ----------------------------------------------------------------------------

struct WheelChoice {
  pkg::DistFile file;
  pkg::WheelFilename wheel;
  std::string sha256;  // from the verified page
  std::string tag;     // the best supported tag it carries
};

// The highest version allowed by the requirement (PEP 440, pre-releases only when named or when
// nothing else matches) that has a wheel for `python` with a sha256 on the page, whose
// Requires-Python admits `python`, and that is not yanked unless the requirement pins it; among
// that version's wheels, the best tag, then the highest build tag. usage error with the reasons
// when nothing qualifies.
tuf::Result<WheelChoice> choose_wheel(const VerifiedPage& page, const pkg::Requirement& req,
                                      const pkg_fs::Interpreter& python);

// ---- fetching files against a trusted sha256 ------------------------------------------------------

struct FileJob {
  std::string filename;  // the name it gets in the destination
  std::string url;
  std::string sha256;  // expected, from the verified page
  // Hash-checking mode over a page that lists no sha256: `sha256` is empty, the file is
  // downloaded unchecked (never from or into the cache) and the caller must compare
  // staged->sha256() with its pins before using it. Nothing else may set this.
  bool pins_check_it = false;
  std::uint64_t max_bytes = 0;
  std::string provenance;
  // Results of fetch_files:
  std::optional<StagedFile> staged;  // verified contents
  bool from_cache = false;
  std::optional<tuf::Error> error;
  std::string note;  // e.g. a corrupt cache entry that was dropped
};

// Serves each job from the cache (re-hashed) or downloads it into a staged file, all
// downloads concurrently; a job ends with either `staged` holding bytes whose sha256 equals the
// expected one, or `error`. `allow_file_urls`: file: URLs are followed only for a file: index.
void fetch_files(tuf_io::HttpClient& http, const FileCache& cache, Reporter& progress,
                 std::vector<FileJob>& jobs, bool allow_file_urls);

}  // namespace tufget
