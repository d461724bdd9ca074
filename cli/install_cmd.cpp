// `tufget install`: the product's main job (see install_cmd.h and docs/install.md).
//
// Order of work: the target interpreter (queried once, cached) and its environment; the page
// source (a TUF-enabled index and its refresh; in hash-checking mode also an index without TUF
// or a local wheelhouse); resolution (pages and metadata fetched in concurrent batches, each
// verified before it is parsed) or, in hash-checking mode, the pinned set (cli/hash_mode.cpp);
// every wheel downloaded concurrently into private staged files and checked against its
// trusted sha256; then one install transaction (pkg_fs::install) that verifies every member of
// every wheel against its RECORD before the first byte is written into the environment.
#include "install_cmd.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <future>
#include <map>
#include <set>

#include "client/cache.h"
#include "fsutil/interrupt.h"
#include "pkg_fs/environment.h"
#include "tuf/json_text.h"
#include "install_common.h"
#include "client/install_provider.h"
#include "pkg/resolver.h"
#include "pkg_fs/installer.h"
#include "pkg_fs/interpreter.h"
#include "progress.h"

namespace tufget {
namespace {

namespace fs = std::filesystem;
using tuf::json_string;

// ---- the report (pip's installation report, version "1", plus tufget's protections) -------------


std::string json_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + json_string(items[i]);
  return out + "]";
}

std::string environment_json(const pkg::MarkerEnvironment& env) {
  const char* names[] = {"implementation_name", "implementation_version", "os_name",
                         "platform_machine", "platform_release", "platform_system",
                         "platform_version", "python_full_version",
                         "platform_python_implementation", "python_version", "sys_platform"};
  std::string out = "{";
  bool first = true;
  for (const char* n : names) {
    auto v = env.get(n);
    out += std::string(first ? "" : ", ") + json_string(n) + ": " + json_string(v ? *v : "");
    first = false;
  }
  return out + "}";
}

std::vector<std::string> protections_of(const CandidateFile& f) {
  std::vector<std::string> p;
  if (f.page_verified) {
    p.push_back("simple page of " + f.project + ": " + f.page_provenance);
    p.push_back("wheel sha256 " + f.sha256 + " from that page");
  }
  if (!f.pin_origin.empty()) p.push_back("wheel sha256 " + f.sha256 + " pinned at " + f.pin_origin);
  if (!f.metadata_source.empty()) p.push_back("dependencies from " + f.metadata_source);
  p.push_back("every member of the wheel against the wheel's RECORD");
  return p;
}

std::string report_json(const pkg::Resolution& resolution, IndexProvider& provider,
                        const pkg_fs::Interpreter& python) {
  std::string out = "{\n  \"version\": \"1\",\n  \"tufget_version\": ";
  out += json_string(kVersion);
  out += ",\n  \"install\": [";
  bool first = true;
  for (const pkg::ResolvedDist& d : resolution.dists) {
    const CandidateFile& f = provider.file(d.candidate.handle);
    if (f.installed) continue;
    out += first ? "\n    {" : ",\n    {";
    first = false;
    std::vector<std::string> requires_dist;
    for (const auto& r : d.metadata.requires_dist) requires_dist.push_back(r.str());
    out += "\"download_info\": {\"url\": " + json_string(f.file.url) +
           ", \"archive_info\": {\"hash\": " + json_string("sha256=" + f.sha256) +
           ", \"hashes\": {\"sha256\": " + json_string(f.sha256) + "}}}";
    out += ", \"is_direct\": false, \"is_yanked\": ";
    out += f.file.yanked ? "true" : "false";
    out += ", \"requested\": ";
    out += d.requested ? "true" : "false";
    if (!d.extras.empty()) out += ", \"requested_extras\": " + json_list(d.extras);
    out += ", \"metadata\": {\"metadata_version\": " + json_string(d.metadata.metadata_version) +
           ", \"name\": " + json_string(d.metadata.name) +
           ", \"version\": " + json_string(d.metadata.version_text);
    if (!requires_dist.empty()) out += ", \"requires_dist\": " + json_list(requires_dist);
    if (d.metadata.requires_python) {
      out += ", \"requires_python\": " + json_string(d.metadata.requires_python->str());
    }
    if (!d.metadata.provides_extra.empty()) {
      out += ", \"provides_extra\": " + json_list(d.metadata.provides_extra);
    }
    out += "}, \"tufget\": {\"filename\": " + json_string(f.file.filename) +
           ", \"tag\": " + json_string(f.tag) + ", \"required_by\": " + json_list(d.required_by) +
           ", \"protections\": " + json_list(protections_of(f)) + "}}";
  }
  out += first ? "]" : "\n  ]";
  out += ",\n  \"environment\": " + environment_json(python.markers) + "\n}\n";
  return out;
}

}  // namespace

// ---- the environment ----------------------------------------------------------------------------

bool installed_intact(const pkg_fs::InstalledDist& d, const Out& out) {
  if (d.installer != "tufget") return true;
  auto check = pkg_fs::check_installed(d, false);
  if (check && check->ok()) return true;
  const std::string why =
      check ? std::to_string(check->damaged) + " of its " + std::to_string(check->files) +
                  (check->damaged == 1 ? " files is" : " files are") + " missing or changed (" +
                  check->problems.front() + ")"
            : check.error().detail;
  out.warn(d.name + " " + d.version_text + " is damaged: " + why +
           "; it is not counted as installed, and is reinstalled if required");
  return false;
}

namespace {

// The environment's lock, and the recovery of an interrupted run's transaction.
int lock_target(InstallTarget& t, const Out& out) {
  fsutil::LockWait wait;
  wait.timeout = fsutil::default_lock_timeout();
  const std::string where = t.options.prefix.string();
  wait.on_wait = [&](const std::string& holder) {
    std::fprintf(stderr, "tufget: waiting for %s to finish with %s (up to %lld s; TUFGET_LOCK_TIMEOUT)\n",
                 holder.c_str(), where.c_str(),
                 static_cast<long long>(std::chrono::duration_cast<std::chrono::seconds>(wait.timeout).count()));
  };
  auto locked = pkg_fs::lock_environment(t.options.prefix, t.options.scheme, fsutil::command_line(), wait);
  if (!locked) {
    out.error("cannot lock the environment " + where + ": " + locked.error().detail);
    return 1;
  }
  for (const std::string& note : locked->recovered) std::fprintf(stderr, "tufget: %s\n", note.c_str());
  t.lock = std::move(locked->lock);
  return 0;
}

}  // namespace


std::variant<InstallTarget, int> open_target(const InstallOptions& o, const Out& out,
                                             Clock::time_point t0) {
  auto python_path = pkg_fs::find_python(o.python);
  if (!python_path) {
    out.error(python_path.error().message());
    return 1;
  }
  auto python = pkg_fs::query_interpreter(*python_path, xdg_cache_home() / "tufget" / "interpreters");
  if (!python) {
    out.error(python.error().message());
    return 1;
  }
  out.info("interpreter " + python->executable.string() + " (Python " + python->version.str() +
           ", " + std::to_string(python->tags.tags().size()) + " wheel tags" +
           (python->from_cache ? ", cached" : "") + ") in " + std::to_string(ms_since(t0)) + " ms");
  InstallTarget t;
  t.options.python = python->executable.string();
  t.options.compile = o.compile;
  if (!o.target.empty()) {
    std::error_code ec;
    fs::create_directories(o.target, ec);
    const fs::path target = fs::absolute(o.target);
    t.options.prefix = target;
    t.options.scheme = pkg_fs::Scheme{target, target, target / "bin", target / "include", target};
  } else {
    if (python->externally_managed && !o.break_system_packages) {
      out.error(python->executable.string() + " is externally managed (PEP 668): " +
                *python->externally_managed +
                "\nInstall into a virtual environment (python3 -m venv DIR; tufget install "
                "--python DIR ...), or pass --break-system-packages to override.");
      return 1;
    }
    t.options.prefix = python->prefix;
    t.options.scheme = python->scheme;
    // sysconfig's "include" of a venv is the base interpreter's; pip installs a venv's headers
    // under <venv>/include/site/pythonX.Y/<project>, inside the environment.
    if (python->in_venv()) {
      t.options.scheme.headers =
          python->prefix / "include" / "site" /
          ("python" + std::to_string(python->tag_info.major) + "." +
           std::to_string(python->tag_info.minor));
    }
  }
  if (int code = lock_target(t, out); code != 0) return code;
  auto installed = pkg_fs::list_installed(t.options.scheme);
  if (!installed) {
    out.error(installed.error().message());
    return 1;
  }
  t.installed = std::move(*installed);
  t.python = std::move(*python);
  return t;
}

// ---- the last steps ------------------------------------------------------------------------------

int install_resolved(InstallRun& run, const pkg::Resolution& resolution,
                     const std::vector<std::string>& satisfied) {
  const InstallOptions& o = run.o;
  IndexProvider& provider = *run.provider;
  for (const std::string& s : satisfied) {
    if (!o.quiet) std::fprintf(run.human, "Requirement already satisfied: %s\n", s.c_str());
  }
  if (!o.report.empty() &&
      !write_text(o.report, report_json(resolution, provider, run.target.python))) {
    run.out.error("cannot write the report to " + o.report);
    return 1;
  }
  std::vector<pkg_fs::WheelToInstall> wheels;
  std::vector<std::string> names;
  for (const pkg::ResolvedDist& d : resolution.dists) {
    CandidateFile& f = provider.file(d.candidate.handle);
    if (f.installed) continue;
    names.push_back(f.project + "-" + f.version.str());
    if (!o.dry_run) {
      wheels.push_back(pkg_fs::WheelToInstall{f.wheel_file->path(), f.file.filename, d.requested});
    }
  }
  std::sort(names.begin(), names.end());
  if (o.dry_run) {
    if (!o.quiet) {
      std::string line = names.empty() ? "Nothing to install" : "Would install";
      for (const auto& n : names) line += " " + n;
      std::fprintf(run.human, "%s\n", line.c_str());
      if (!names.empty()) std::fprintf(run.human, "Verified by: %s\n", run.protection.c_str());
    }
    return 0;
  }
  if (wheels.empty()) {
    if (!o.quiet) std::fprintf(run.human, "Nothing to install: every requirement is already satisfied\n");
    return 0;
  }
  const auto t_install = Clock::now();
  auto done = pkg_fs::install(wheels, run.target.options);
  if (!done && done.error().code == pkg::Errc::interrupted) {
    fsutil::interrupt::set_outcome(done.error().detail.ends_with("every change was undone")
                                       ? "the install was rolled back; nothing was installed"
                                       : done.error().detail);
    return 1;
  }
  if (!done) {
    run.out.error(done.error().message());
    if (done.error().detail.find("UNDO INCOMPLETE") == std::string::npos)
      run.out.error("nothing was installed; the environment is unchanged");
    return 1;
  }
  fsutil::interrupt::set_outcome("the install had completed before it (see above)");
  run.out.info("installed " + std::to_string(done->size()) + " wheels in " +
               std::to_string(ms_since(t_install)) + " ms; total " + std::to_string(ms_since(run.t0)) +
               " ms");
  for (const auto& w : *done) {
    if (w.replaced_version && !o.quiet && *w.replaced_version == w.version) {
      std::fprintf(stderr, "tufget: reinstalled %s %s\n", w.project.c_str(), w.version.c_str());
    } else if (w.replaced_version && !o.quiet) {
      std::fprintf(stderr, "tufget: replaced %s %s with %s\n", w.project.c_str(),
                   w.replaced_version->c_str(), w.version.c_str());
    }
  }
  if (!o.quiet) {
    std::string line = "Installed";
    for (const auto& n : names) line += " " + n;
    std::fprintf(run.human, "%s\nVerified by: %s\n", line.c_str(), run.protection.c_str());
  }
  return 0;
}

// ---- the command ---------------------------------------------------------------------------------

CLI::App* add_install_command(CLI::App& app, InstallOptions& o) {
  auto* cmd = app.add_subcommand(
      "install",
      "Resolve, download, verify and install wheels from a TUF-enabled package index into a "
      "Python environment. Every simple page is verified against the repository's signed TUF "
      "metadata, every wheel against the page's sha256 and every file in a wheel against the "
      "wheel's RECORD, all before anything is written; a failure leaves the environment as it was. "
      "Requirements with --hash (pip) or '# sha256:' (peep) switch on hash-checking mode: every "
      "file must also match its pins, which alone protect an index without TUF or a wheelhouse.");
  cmd->add_option("requirements", o.requirements,
                  "PEP 508 requirements: NAME, NAME[extra]>=1.0, \"NAME; python_version<'3.12'\"");
  cmd->add_option("-r,--requirement", o.requirement_files, "Install from a requirements file "
                  "(pip's format; repeatable)");
  cmd->add_option("-c,--constraint", o.constraint_files,
                  "Constrain versions with a constraints file (repeatable)");
  cmd->add_option("--python", o.python,
                  "Interpreter or virtual environment to install into (default: $VIRTUAL_ENV, "
                  "else ./.venv)");
  cmd->add_option("--target", o.target,
                  "Install into this directory instead of the environment (like pip --target)");
  cmd->add_option("--index-url", o.index_url,
                  "Simple index URL of a TUF-enabled repository; picks the repository and its "
                  "pinned root from the trust store (default: https://pypi.org/simple/)");
  cmd->add_option("--find-links", o.find_links,
                  "With --no-index: install from this local directory of wheels (a wheelhouse); "
                  "hash-checking mode only, as the hash pins alone protect those files");
  cmd->add_flag("--no-index", o.no_index, "Use no package index (only --find-links)");
  cmd->add_flag("--require-hashes", o.require_hashes,
                "Hash-checking mode even when no requirement has a hash: every requirement must "
                "be pinned with == and carry --hash (on automatically when any requirement has "
                "a hash)");
  cmd->add_option("--index", o.index_routes,
                  "PROJECT=URL: take PROJECT from the TUF-enabled index at URL (its root from the "
                  "trust stores) and from nowhere else; other projects never come from URL "
                  "(repeatable; the explicit exception to one index per install)");
  cmd->add_option("--root", o.root_file,
                  "Trust this root.json as the initial root instead of a pinned one");
  cmd->add_flag("--trust-on-first-use", o.trust_on_first_use,
                "With no pinned root, trust the root the server presents (unsafe; warns)");
  cmd->add_option("--trust-dir", o.trust_dir,
                  "Extra trust store searched first (folders with manifest.json + root.json)");
  cmd->add_flag("--no-deps", o.no_deps, "Install only the named requirements, not their dependencies");
  cmd->add_flag("-U,--upgrade", o.upgrade,
                "Upgrade the named requirements to the newest allowed version (default: keep an "
                "installed version that satisfies them)");
  cmd->add_flag("--force-reinstall", o.force_reinstall,
                "Reinstall every resolved distribution even when already installed");
  cmd->add_flag("--pre", o.pre, "Allow pre-releases and development releases");
  cmd->add_option("--only-binary", o.only_binary,
                  "Accepted for pip compatibility: tufget installs wheels only");
  cmd->add_option("--no-binary", o.no_binary,
                  "Do not use wheels of these projects (:all:, :none: or names): tufget then "
                  "cannot install them, as it never builds source distributions");
  cmd->add_flag("--compile,!--no-compile", o.compile,
                "Byte-compile the installed .py files (default: no)");
  cmd->add_flag("--break-system-packages", o.break_system_packages,
                "Install into an interpreter marked EXTERNALLY-MANAGED (PEP 668) anyway");
  cmd->add_flag("--dry-run", o.dry_run, "Resolve and verify, but install nothing");
  cmd->add_option("--report", o.report,
                  "Write a JSON installation report (pip's format plus the protections that "
                  "verified each file) to FILE, or to stdout with -");
  add_output_and_limit_options(cmd, o);
  return cmd;
}

int cmd_install(const GlobalOptions& g, const InstallOptions& o) {
  fsutil::interrupt::set_outcome("nothing was installed");
  Out out;
  out.color = want_color(o.color);
  out.quiet = o.quiet;
  Requested requested;
  if (auto e = collect_requirements(o.requirements, o.requirement_files, o.constraint_files,
                                    requested)) {
    out.error(*e);
    return 2;
  }
  return install_requested(g, o, std::move(requested));
}

int install_requested(const GlobalOptions& g, const InstallOptions& o, Requested requested) {
  const auto t0 = Clock::now();
  Out out;
  out.color = want_color(o.color);
  out.quiet = o.quiet;
  out.verbose = o.quiet ? 0 : g.verbose;
  const bool hash_mode = o.require_hashes || requested.require_hashes || requested.any_hashes();

  // The interpreter query (a Python start, unless cached) runs while the TUF refresh and the
  // first pages are fetched: neither needs it.
  auto pending_target = std::async(std::launch::async, [&] { return open_target(o, out, t0); });

  SourceOptions so = source_options(g, o.index_url, requested, o.root_file, o.trust_dir,
                                    o.trust_on_first_use);
  so.routes = o.index_routes;
  so.find_links = o.find_links;
  so.find_links.insert(so.find_links.end(), requested.find_links.begin(), requested.find_links.end());
  so.no_index = o.no_index || requested.no_index;
  so.hash_mode = hash_mode;
  tuf_io::HttpClient http;
  auto opened_or = open_source(so, g, http, out);
  if (auto* code = std::get_if<int>(&opened_or)) {
    pending_target.wait();
    return *code;
  }
  OpenedSource& opened = std::get<OpenedSource>(opened_or);
  const std::vector<std::string> root_projects = requested.root_projects();
  auto root_pages = opened.source->fetch(root_projects);

  auto target = pending_target.get();
  if (auto* code = std::get_if<int>(&target)) return *code;
  auto cache = open_cache(!o.no_cache, out);
  if (!cache) return 1;
  Progress progress(!o.quiet && Progress::stderr_is_terminal());
  InstallRun run{o, out, o.report == "-" ? stderr : stdout,
                 std::move(std::get<InstallTarget>(target)), nullptr, opened.protection,
                 hash_mode, t0};
  const pkg_fs::Interpreter& python = run.target.python;

  ProviderOptions po;
  po.binary = binary_policy(o.no_binary, requested.no_binary);
  // In hash-checking mode an installed distribution is kept only when it came from the pinned
  // file (install_hash_checked compares RECORDs), so it is never a candidate of its own.
  po.upgrade_all = o.force_reinstall || hash_mode;
  if (o.upgrade) {
    for (const auto& r : requested.roots) po.upgrade.insert(r.req.project);
  }
  po.max_wheel_bytes = o.max_wheel_bytes;
  po.max_metadata_bytes = o.max_metadata_bytes;
  po.verbose = out.verbose;
  po.look_ahead = !o.no_deps;  // --no-deps: dependencies are not followed, so not fetched
  po.intact = [&out](const pkg_fs::InstalledDist& d) { return installed_intact(d, out); };
  if (hash_mode) {
    for (const auto& list : {&requested.roots, &requested.constraints}) {
      for (const auto& r : *list) {
        auto& pins = po.pins[r.req.project];
        pins.insert(pins.end(), r.sha256.begin(), r.sha256.end());
      }
    }
  }
  IndexProvider provider(*opened.source, http, *cache, progress, python, run.target.installed, po);
  provider.adopt_pages(root_projects, std::move(root_pages));
  run.provider = &provider;
  if (hash_mode) {
    if (opened.client) run.protection += " + hash pins";
    return install_hash_checked(run, requested);
  }

  auto resolution = resolve_requested(requested, python, provider, o.pre, o.no_deps, out);
  if (!resolution) return 1;

  std::vector<std::size_t> to_fetch;
  std::vector<std::string> satisfied;
  for (const pkg::ResolvedDist& d : resolution->dists) {
    CandidateFile& f = provider.file(d.candidate.handle);
    for (const std::string& extra : d.metadata.missing_extras(d.extras)) {
      out.warn(d.metadata.name + " " + d.metadata.version_text + " does not provide the extra '" +
               extra + "'");
    }
    if (f.installed) {
      if (d.requested) satisfied.push_back(f.installed->name + " " + f.installed->version_text);
      continue;
    }
    if (f.file.yanked) {
      out.warn(f.file.filename + " is yanked" +
               (f.file.yanked_reason ? " (" + *f.file.yanked_reason + ")" : std::string()) +
               "; using it because a requirement pins its version");
    }
    to_fetch.push_back(d.candidate.handle);
  }

  // Every wheel, verified against the page's sha256, before anything is installed.
  if (!o.dry_run) {
    const auto t_fetch = Clock::now();
    auto errors = provider.fetch_wheels(to_fetch);
    if (!errors.empty()) {
      for (const tuf::Error& e : errors) out.error(e.message());
      out.error("nothing was installed");
      return 1;
    }
    out.info("downloaded and verified " + std::to_string(to_fetch.size()) + " wheels in " +
             std::to_string(ms_since(t_fetch)) + " ms");
  }
  return install_resolved(run, *resolution, satisfied);
}

}  // namespace tufget
