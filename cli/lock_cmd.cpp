// `tufget lock` and `tufget bootstrap` (see lock_cmd.h).
#include "lock_cmd.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "bootstrap_lock.h"  // generated from bootstrap/bootstrap.lock (kBootstrapLock)
#include "client/cache.h"
#include "fsutil/interrupt.h"
#include "fsutil/atomic_write.h"
#include "install_common.h"
#include "client/install_provider.h"
#include "progress.h"
#include "pkg/lockfile.h"
#include "pkg/resolver.h"

namespace tufget {
namespace {

namespace fs = std::filesystem;

// "-r in.txt" for a requirement from a file named on the command line (as the user wrote it),
// "the command line" otherwise.
std::string via_of(const RootRequirement& r, const std::map<std::string, std::string>& given) {
  if (r.origin == "the command line") return "the command line";
  const std::string file = r.origin.substr(0, r.origin.rfind(':'));
  auto it = given.find(file);
  return "-r " + (it != given.end() ? it->second : fs::path(file).filename().string());
}

}  // namespace

// ---- lock ---------------------------------------------------------------------------------------

CLI::App* add_lock_command(CLI::App& app, LockOptions& o) {
  auto* cmd = app.add_subcommand(
      "lock",
      "Resolve requirements through a TUF-enabled index (every page, .metadata file and wheel "
      "verified) and write a fully pinned requirements file with the sha256 of every suitable "
      "wheel of each chosen version: sorted and byte-identical for the same index state, each "
      "entry noting what pulled it in. `tufget install -r LOCK` (or pip --require-hashes) "
      "installs exactly those files later.");
  cmd->add_option("requirements", o.requirements, "PEP 508 requirements");
  cmd->add_option("-r,--requirement", o.requirement_files, "Requirements file (repeatable)");
  cmd->add_option("-c,--constraint", o.constraint_files, "Constraints file (repeatable)");
  cmd->add_option("-o,--output", o.output, "Write the lock here (atomically); default stdout");
  cmd->add_option("--python", o.python,
                  "Lock for this interpreter or venv (default: $VIRTUAL_ENV, ./.venv, else "
                  "python3 on PATH)");
  cmd->add_option("--python-version", o.python_version,
                  "Lock for CPython X.Y instead of a real interpreter");
  cmd->add_option("--platform", o.platforms,
                  "Wheel platform tag to lock for (repeatable; default: the interpreter's)")
      ->allow_extra_args(false);
  cmd->add_option("--index-url", o.index_url, "Simple index URL of a TUF-enabled repository");
  cmd->add_option("--index", o.index_routes,
                  "PROJECT=URL: take PROJECT from the TUF-enabled index at URL (its root from the "
                  "trust stores) and from nowhere else; other projects never come from URL "
                  "(repeatable; the explicit exception to one index per install)");
  cmd->add_option("--root", o.root_file, "Trust this root.json as the initial root");
  cmd->add_flag("--trust-on-first-use", o.trust_on_first_use,
                "With no pinned root, trust the root the server presents (unsafe; warns)");
  cmd->add_option("--trust-dir", o.trust_dir, "Extra trust store searched first");
  cmd->add_flag("--pre", o.pre, "Allow pre-releases and development releases");
  cmd->add_option("--no-binary", o.no_binary, "Do not use wheels of these projects");
  add_output_and_limit_options(cmd, o);
  return cmd;
}

int cmd_lock(const GlobalOptions& g, const LockOptions& o) {
  const auto t0 = Clock::now();
  Out out;
  out.color = want_color(o.color);
  out.quiet = o.quiet;
  out.verbose = o.quiet ? 0 : g.verbose;

  Requested requested;
  if (auto e = collect_requirements(o.requirements, o.requirement_files, o.constraint_files,
                                    requested)) {
    out.error(*e);
    return 2;
  }
  if (!requested.find_links.empty() || requested.no_index) {
    out.error("lock resolves through a TUF-enabled index: --find-links and --no-index do not apply");
    return 2;
  }

  // The target: a real interpreter, or one described by --python-version / --platform.
  pkg_fs::Interpreter python;
  if (!o.python.empty() || (o.python_version.empty() && o.platforms.empty() &&
                            (std::getenv("VIRTUAL_ENV") != nullptr || fs::exists(".venv")))) {
    auto path = pkg_fs::find_python(o.python);
    auto q = path ? pkg_fs::query_interpreter(*path, xdg_cache_home() / "tufget" / "interpreters")
                  : pkg::Result<pkg_fs::Interpreter>(std::unexpected(path.error()));
    if (!q) {
      out.error(q.error().message());
      return 1;
    }
    python = std::move(*q);
    if (!o.platforms.empty()) {
      python.tag_info.platforms = o.platforms;
      python.tags = pkg::TagSet(pkg::supported_tags(python.tag_info));
    }
  } else {
    auto t = detect_target_python(o.python_version, o.platforms);
    if (!t) {
      out.error(t.error().message());
      return t.error().code == tuf::Errc::usage ? 2 : 1;
    }
    python = std::move(*t);
  }

  SourceOptions so = source_options(g, o.index_url, requested, o.root_file, o.trust_dir,
                                    o.trust_on_first_use);
  so.routes = o.index_routes;
  tuf_io::HttpClient http;
  auto opened_or = open_source(so, g, http, out);
  if (auto* code = std::get_if<int>(&opened_or)) return *code;
  OpenedSource& opened = std::get<OpenedSource>(opened_or);

  auto cache = open_cache(!o.no_cache, out);
  if (!cache) return 1;
  Progress progress(!o.quiet && Progress::stderr_is_terminal());
  ProviderOptions po;
  po.binary = binary_policy(o.no_binary, requested.no_binary);
  po.upgrade_all = true;  // a lock does not depend on what some environment has installed
  po.max_wheel_bytes = o.max_wheel_bytes;
  po.max_metadata_bytes = o.max_metadata_bytes;
  po.verbose = out.verbose;
  const std::vector<pkg_fs::InstalledDist> none;
  IndexProvider provider(*opened.source, http, *cache, progress, python, none, po);

  auto resolution = resolve_requested(requested, python, provider, o.pre, false, out);
  if (!resolution) return 1;

  // Entries: every wheel of the chosen version that suits the target, and why it is there.
  std::map<std::string, std::string> given;  // canonical path -> as typed
  for (const std::string& f : o.requirement_files) {
    std::error_code ec;
    const fs::path c = fs::weakly_canonical(f, ec);
    given[ec ? f : c.string()] = f;
  }
  std::vector<pkg::LockEntry> entries;
  for (const pkg::ResolvedDist& d : resolution->dists) {
    const CandidateFile& f = provider.file(d.candidate.handle);
    pkg::LockEntry e;
    e.name = d.metadata.name;
    e.version = f.version.str();
    e.sha256 = f.version_sha256.empty() ? std::vector<std::string>{f.sha256} : f.version_sha256;
    for (const auto& r : requested.roots) {
      if (r.req.project == d.candidate.project && r.req.applies(python.markers)) {
        e.via.push_back(via_of(r, given));
      }
    }
    for (const std::string& by : d.required_by) {
      if (by.rfind("the user", 0) == 0) continue;
      e.via.push_back(by.substr(0, by.find(' ')));
    }
    entries.push_back(std::move(e));
  }
  pkg::LockHeader header;
  header.command = o.command_line;
  header.target = describe(python);
  if (opened.client) header.index_url = opened.client->repository().index_url;
  const std::string text = pkg::format_lock(header, std::move(entries));

  if (o.output.empty() || o.output == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  } else {
    // temp file, fsync, rename: a reader sees the old lock or the new one
    if (auto ok = fsutil::write_file_atomic(o.output, text, {.mode = 0644, .durable = true}); !ok) {
      out.error(ok.error().message());
      return 1;
    }
  }
  if (!o.quiet) {
    std::fprintf(stderr, "tufget: locked %zu distributions for %s%s%s, verified by %s (%.0f ms)\n",
                 resolution->dists.size(), header.target.c_str(),
                 o.output.empty() || o.output == "-" ? "" : " into ",
                 o.output.empty() || o.output == "-" ? "" : o.output.c_str(),
                 opened.protection.c_str(), ms_since(t0));
  }
  return 0;
}

// ---- bootstrap ----------------------------------------------------------------------------------

const std::string& shipped_bootstrap_lock() {
  static const std::string text(kBootstrapLock);
  return text;
}

CLI::App* add_bootstrap_command(CLI::App& app, InstallOptions& o) {
  auto* cmd = app.add_subcommand(
      "bootstrap",
      "Install pinned, hashed pip, setuptools and wheel into an interpreter that has none (e.g. "
      "`python3 -m venv --without-pip DIR`), from the lock shipped with tufget or one given "
      "with -r. Hash-checking mode: the same files on every run, each checked against its pin "
      "(and against the index's TUF metadata when the index is TUF-enabled).");
  cmd->add_option("--python", o.python,
                  "Interpreter or virtual environment (default: $VIRTUAL_ENV, else ./.venv)");
  cmd->add_option("-r,--requirement", o.requirement_files,
                  "Use this lock instead of the shipped one (every line pinned and hashed)");
  cmd->add_option("--index-url", o.index_url, "Simple index URL (default: the lock's, else PyPI)");
  cmd->add_option("--find-links", o.find_links, "With --no-index: a local directory of wheels");
  cmd->add_flag("--no-index", o.no_index, "Use no package index (only --find-links)");
  cmd->add_option("--root", o.root_file, "Trust this root.json as the initial root");
  cmd->add_option("--trust-dir", o.trust_dir, "Extra trust store searched first");
  cmd->add_flag("--force-reinstall", o.force_reinstall,
                "Reinstall even what is already installed from the pinned files");
  cmd->add_flag("--break-system-packages", o.break_system_packages,
                "Install into an interpreter marked EXTERNALLY-MANAGED (PEP 668) anyway");
  cmd->add_flag("--dry-run", o.dry_run, "Download and verify, but install nothing");
  cmd->add_flag("-q,--quiet", o.quiet, "Print errors only");
  cmd->add_flag("--no-cache", o.no_cache, "Neither read nor fill the download cache");
  return cmd;
}

int cmd_bootstrap(const GlobalOptions& g, InstallOptions o) {
  fsutil::interrupt::set_outcome("nothing was installed");
  o.require_hashes = true;
  o.compile = false;  // .pyc files carry source mtimes: the installed bytes would differ per run
  if (!o.requirement_files.empty()) return cmd_install(g, o);
  // The shipped lock, served from memory through the requirements loader.
  Out out;
  out.quiet = o.quiet;
  out.color = want_color(o.color);
  Requested requested;
  const pkg::RequirementsLoader loader = [](std::string_view path, std::string_view from)
      -> pkg::Result<pkg::LoadedFile> {
    if (path == kShippedBootstrapLockName && from.empty()) {
      return pkg::LoadedFile{kShippedBootstrapLockName, shipped_bootstrap_lock()};
    }
    return load_requirements_file(path, from);
  };
  if (auto e = collect_requirements({}, {kShippedBootstrapLockName}, {}, requested, &loader)) {
    out.error(*e);
    return 1;
  }
  return install_requested(g, o, std::move(requested));
}

}  // namespace tufget
