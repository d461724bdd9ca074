// What `tufget install`, `tufget lock` and `tufget bootstrap` share: terminal output, reading
// requirements (command line, -r, -c), the target environment, and opening the page source
// (a TUF-enabled index, an index without TUF for hash-checking mode, or a local wheelhouse).
#pragma once

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <variant>
#include <string>
#include <vector>

#include "install_cmd.h"
#include "client/install_provider.h"
#include "client/page_source.h"
#include "pkg/requirement.h"
#include "pkg/resolver.h"
#include "pkg/requirements_file.h"
#include "fsutil/lock.h"
#include "pkg_fs/installer.h"
#include "pkg_fs/interpreter.h"
#include "client/repository.h"
#include "client/requested.h"
#include "client/warehouse.h"

namespace tufget {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t);

// ---- terminal output -----------------------------------------------------------------------------

struct Out {
  bool color = false;
  bool quiet = false;
  int verbose = 0;
  std::string paint(const char* code, const std::string& text) const;
  void error(const std::string& msg) const;
  void warn(const std::string& msg) const;
  void info(const std::string& msg) const;  // only with -v
};

// --color auto|always|never; auto honours NO_COLOR and whether stderr is a terminal.
bool want_color(const std::string& mode);

// ---- requirements -------------------------------------------------------------------------------

// Command-line requirements and -r/-c files (relative includes resolve against the including
// file). Usage problems return a message. `loader`: reads the files instead of the filesystem
// loader (bootstrap serves its compiled-in lock this way).
std::optional<std::string> collect_requirements(const std::vector<std::string>& requirements,
                                                const std::vector<std::string>& requirement_files,
                                                const std::vector<std::string>& constraint_files,
                                                Requested& out,
                                                const pkg::RequirementsLoader* loader = nullptr);
// The filesystem loader: a path relative to the including file `from` resolves against it.
// Regular files only, at most pkg::kMaxRequirementsFileBytes each ("-", standard input, is
// refused; so are FIFOs, devices and directories, without blocking on them).
pkg::Result<pkg::LoadedFile> load_requirements_file(std::string_view path, std::string_view from);

// The options install and lock share for output and limits: -q, --color, --no-cache,
// --max-wheel-bytes, --max-metadata-bytes (Options: InstallOptions or LockOptions).
template <typename Options>
void add_output_and_limit_options(CLI::App* cmd, Options& o) {
  cmd->add_flag("-q,--quiet", o.quiet, "Print errors only");
  cmd->add_option("--color", o.color, "Colour on stderr: auto (default), always, never; NO_COLOR "
                  "is honoured")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_flag("--no-cache", o.no_cache, "Neither read nor fill the download cache");
  cmd->add_option("--max-wheel-bytes", o.max_wheel_bytes, "Size cap per wheel (default 1 GiB)");
  cmd->add_option("--max-metadata-bytes", o.max_metadata_bytes,
                  "Size cap per .metadata file (default 10 MiB)");
}

// --no-binary values (command line and files): :all:, :none:, comma-separated names.
BinaryPolicy binary_policy(const std::vector<std::string>& from_command_line,
                           const std::vector<std::string>& from_files);

// ---- where pages come from -----------------------------------------------------------------------

struct SourceOptions {
  RepositoryOptions repo;  // the main index (index_url "" = the default index)
  std::vector<std::string> find_links;  // directories
  bool no_index = false;
  // Hash-checking mode: an index with no pinned root may be used without TUF (pins protect),
  // and a wheelhouse may be used.
  bool hash_mode = false;
  // --index PROJECT=URL: PROJECT comes from the index at URL (its root from the trust stores),
  // and from nowhere else; other projects never come from URL.
  std::vector<std::string> routes;
  std::uint64_t max_page_bytes = std::uint64_t{64} << 20;
};

struct OpenedSource {
  std::vector<std::unique_ptr<WarehouseClient>> clients;  // one per TUF-enabled index
  std::vector<std::unique_ptr<PageSource>> owned;         // every source opened
  PageSource* source = nullptr;       // what the provider reads (a router when --index is used)
  WarehouseClient* client = nullptr;  // the main index's client, when it is TUF-enabled
  // For the output: "TUF (root pinned in ...)" or "hash pins only (...)".
  std::string protection;
};

// SourceOptions with `repo` from repository_options(): --index-url, else the requirements
// file's -i.
SourceOptions source_options(const GlobalOptions& g, const std::string& index_url,
                             const Requested& requested, const std::string& root_file,
                             const std::string& trust_dir, bool trust_on_first_use);

// The download cache (disabled with --no-cache), prepared; null (error printed) on failure.
std::unique_ptr<FileCache> open_cache(bool enabled, const Out& out);

// Chooses and opens the source; for a TUF-enabled index also runs the TUF refresh. Errors are
// printed through `out`; the return value is then the exit status (1, or 2 for usage).
std::variant<OpenedSource, int> open_source(const SourceOptions& o, const GlobalOptions& g,
                                            tuf_io::HttpClient& http, const Out& out);

// ---- resolution ---------------------------------------------------------------------------------

// The roots and constraints of `requested` resolved for `python` through `provider` (the roots'
// pages prefetched together first). On failure prints why (a no-solution explanation, or the
// provider's verification error) and returns nullopt.
std::optional<pkg::Resolution> resolve_requested(const Requested& requested,
                                                 const pkg_fs::Interpreter& python,
                                                 IndexProvider& provider, bool pre, bool no_deps,
                                                 const Out& out);

// ---- the environment installed into -------------------------------------------------------------

struct InstallTarget {
  pkg_fs::Interpreter python;
  pkg_fs::InstallOptions options;  // scheme, prefix, interpreter, compile
  std::vector<pkg_fs::InstalledDist> installed;
  fsutil::FileLock lock;           // the environment's, held until the install is done
};

// --python (find_python + query_interpreter, cached) and --target; refuses an EXTERNALLY-MANAGED
// interpreter unless --break-system-packages. Then takes the environment's lock (waiting, with a
// message naming the holder, up to $TUFGET_LOCK_TIMEOUT seconds, default 300) and finishes what
// an interrupted run left (pkg_fs/environment.h), saying so, before listing what is installed.
// Errors are printed; returns the exit status.
std::variant<InstallTarget, int> open_target(const InstallOptions& o, const Out& out,
                                             Clock::time_point t0);

// Whether an installed distribution counts as installed: one tufget installed must have every
// file of its RECORD, of its size (pkg_fs::check_installed, cheap form); else a warning says
// what is damaged and false (it is then reinstalled when required). Others: true.
bool installed_intact(const pkg_fs::InstalledDist& d, const Out& out);

// ---- the last steps of an install ----------------------------------------------------------------

struct InstallRun {
  const InstallOptions& o;
  Out out;
  std::FILE* human = stdout;  // stderr when the JSON report goes to stdout
  InstallTarget target;
  IndexProvider* provider = nullptr;
  std::string protection;  // OpenedSource::protection, plus " + hash pins" in hash-checking mode
  bool hash_mode = false;
  Clock::time_point t0;
};

// Every file of `resolution` that is not installed (CandidateFile::installed unset) and not in
// `keep` (handles of files that match an installed distribution) has been downloaded and
// verified (wheel_file set). Writes the report, prints "Would install" for --dry-run, else
// installs them in one transaction and prints what it did. `satisfied`: lines for
// "Requirement already satisfied". Returns the exit status.
int install_resolved(InstallRun& run, const pkg::Resolution& resolution,
                     const std::vector<std::string>& satisfied);

// `tufget install` after its requirements were read (install_cmd.cpp). Returns the exit status.
int install_requested(const GlobalOptions& g, const InstallOptions& o, Requested requested);

// Hash-checking mode (cli/hash_mode.cpp): every requirement pinned with == and hashed, nothing
// pulled in implicitly, every file checked against its pins before anything is installed; a
// report with paste-ready lines otherwise. Returns the exit status.
int install_hash_checked(InstallRun& run, const Requested& requested);

// ---- reports ------------------------------------------------------------------------------------

// Writes `text` to the file `path` (or stdout for "-"); false on failure.
bool write_text(const std::string& path, const std::string& text);

}  // namespace tufget
