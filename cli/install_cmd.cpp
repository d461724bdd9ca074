// `tufget install`: the product's main job (see install_cmd.h and docs/install.md).
//
// Order of work: the target interpreter (queried once, cached) and its environment; the
// repository and its pinned root; TUF refresh; resolution (pages and metadata fetched in
// concurrent batches, each verified before it is parsed); every wheel downloaded concurrently
// into private staged files and checked against the verified page's sha256; then one install
// transaction (pkg_fs::install) that verifies every member of every wheel against its RECORD
// before the first byte is written into the environment.
#include "install_cmd.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "cache.h"
#include "index_common.h"
#include "install_provider.h"
#include "pkg/names.h"
#include "pkg/requirements_file.h"
#include "pkg/resolver.h"
#include "pkg_fs/installer.h"
#include "pkg_fs/interpreter.h"
#include "progress.h"
#include "repository.h"
#include "warehouse.h"

namespace tufget {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// ---- terminal output -----------------------------------------------------------------------------

struct Out {
  bool color = false;
  bool quiet = false;
  int verbose = 0;
  std::string paint(const char* code, const std::string& text) const {
    return color ? std::string("\x1b[") + code + "m" + text + "\x1b[0m" : text;
  }
  void error(const std::string& msg) const {
    std::fprintf(stderr, "%s %s\n", paint("1;31", "tufget: error:").c_str(), msg.c_str());
  }
  void warn(const std::string& msg) const {
    if (!quiet) std::fprintf(stderr, "%s %s\n", paint("33", "tufget: warning:").c_str(), msg.c_str());
  }
  void info(const std::string& msg) const {
    if (verbose > 0) std::fprintf(stderr, "tufget: %s\n", msg.c_str());
  }
};

bool want_color(const std::string& mode) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0') return false;
  return ::isatty(STDERR_FILENO) != 0;
}

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// ---- requirements -------------------------------------------------------------------------------

struct RootRequirement {
  pkg::Requirement req;
  std::string origin;  // "command line" or "reqs.txt:3"
  std::vector<std::string> sha256;  // hash pins (-r lines with --hash / peep comments)
};

pkg::Result<pkg::LoadedFile> load_requirements_file(std::string_view path, std::string_view from) {
  fs::path p(path);
  if (!from.empty() && p.is_relative()) p = fs::path(from).parent_path() / p;
  std::ifstream in(p, std::ios::binary);
  if (!in) return pkg::fail(pkg::Errc::io, p.string(), "cannot read the requirements file");
  std::ostringstream ss;
  ss << in.rdbuf();
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(p, ec);
  return pkg::LoadedFile{ec ? p.string() : canonical.string(), ss.str()};
}

struct Requested {
  std::vector<RootRequirement> roots;
  std::vector<pkg::Requirement> constraints;
  bool pre = false;
  std::optional<std::string> index_url;  // -i in a requirements file
  std::vector<std::string> no_binary;    // --no-binary in a requirements file
};

// Command-line requirements and -r/-c files. Usage problems return an error message.
std::optional<std::string> collect_requirements(const InstallOptions& o, Requested& out) {
  for (const std::string& text : o.requirements) {
    auto r = pkg::Requirement::parse(text);
    if (!r) return r.error().message();
    out.roots.push_back(RootRequirement{std::move(*r), "the command line", {}});
  }
  auto read_file = [&](const std::string& file, bool constraint) -> std::optional<std::string> {
    auto parsed = pkg::parse_requirements_file(file, load_requirements_file);
    if (!parsed) return parsed.error().message();
    out.pre = out.pre || parsed->pre;
    if (parsed->index_url) out.index_url = parsed->index_url;
    for (const auto& nb : parsed->no_binary) out.no_binary.push_back(nb);
    if (!parsed->extra_index_urls.empty() || !parsed->find_links.empty() || parsed->no_index) {
      return file + ": --extra-index-url, --find-links and --no-index are not supported: tufget "
                    "takes every project from the one TUF-enabled index (no silent mixing of "
                    "indexes)";
    }
    for (auto& line : parsed->requirements) {
      if (constraint || line.constraint) {
        out.constraints.push_back(std::move(line.requirement));
      } else {
        out.roots.push_back(RootRequirement{std::move(line.requirement),
                                            line.file + ":" + std::to_string(line.line),
                                            std::move(line.sha256)});
      }
    }
    return std::nullopt;
  };
  for (const std::string& f : o.requirement_files) {
    if (auto e = read_file(f, false)) return e;
  }
  for (const std::string& f : o.constraint_files) {
    if (auto e = read_file(f, true)) return e;
  }
  for (const auto& r : out.roots) {
    if (r.req.url) {
      return "'" + r.req.str() + "' (" + r.origin +
             "): direct URL requirements are not supported; tufget installs only what a "
             "TUF-enabled index vouches for";
    }
  }
  if (out.roots.empty()) return std::string("nothing to install: name a requirement or use -r FILE");
  return std::nullopt;
}

BinaryPolicy binary_policy(const InstallOptions& o, const std::vector<std::string>& from_files) {
  BinaryPolicy p;
  std::vector<std::string> values = from_files;
  values.insert(values.end(), o.no_binary.begin(), o.no_binary.end());
  for (const std::string& value : values) {
    std::stringstream ss(value);
    std::string item;
    while (std::getline(ss, item, ',')) {
      if (item == ":all:") {
        p.no_binary_all = true;
      } else if (item == ":none:") {
        p.no_binary_all = false;
        p.no_binary.clear();
      } else if (!item.empty()) {
        p.no_binary.insert(pkg::normalize_name(item));
      }
    }
  }
  // --only-binary only ever narrows to wheels, which is what tufget installs anyway.
  return p;
}

// ---- the report (pip's installation report, version "1", plus tufget's protections) -------------

using index::json_string;

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
  p.push_back("simple page of " + f.project + ": " + f.page_provenance);
  p.push_back("wheel sha256 " + f.sha256 + " from that page");
  p.push_back("dependencies from " + f.metadata_source);
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

bool write_text(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return std::fflush(stdout) == 0;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

}  // namespace

// ---- the command ---------------------------------------------------------------------------------

CLI::App* add_install_command(CLI::App& app, InstallOptions& o) {
  auto* cmd = app.add_subcommand(
      "install",
      "Resolve, download, verify and install wheels from a TUF-enabled package index into a "
      "Python environment. Every simple page is verified against the repository's signed TUF "
      "metadata, every wheel against the page's sha256 and every file in a wheel against the "
      "wheel's RECORD, all before anything is written; a failure leaves the environment as it was.");
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
  cmd->add_flag("-q,--quiet", o.quiet, "Print errors only");
  cmd->add_option("--color", o.color, "Colour on stderr: auto (default), always, never; NO_COLOR "
                  "is honoured")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_flag("--no-cache", o.no_cache, "Neither read nor fill the download cache");
  cmd->add_option("--max-wheel-bytes", o.max_wheel_bytes, "Size cap per wheel (default 1 GiB)");
  cmd->add_option("--max-metadata-bytes", o.max_metadata_bytes,
                  "Size cap per .metadata file (default 10 MiB)");
  return cmd;
}

int cmd_install(const GlobalOptions& g, const InstallOptions& o) {
  const auto t0 = Clock::now();
  Out out;
  out.color = want_color(o.color);
  out.quiet = o.quiet;
  out.verbose = o.quiet ? 0 : g.verbose;
  const bool report_to_stdout = o.report == "-";
  // Human lines go to stdout unless stdout carries the JSON report.
  std::FILE* human = report_to_stdout ? stderr : stdout;

  Requested requested;
  if (auto e = collect_requirements(o, requested)) {
    out.error(*e);
    return 2;
  }

  // The interpreter: what it supports and where it installs.
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
  pkg_fs::InstallOptions install_options;
  install_options.python = python->executable.string();
  install_options.compile = o.compile;
  if (!o.target.empty()) {
    std::error_code ec;
    fs::create_directories(o.target, ec);
    const fs::path target = fs::absolute(o.target);
    install_options.prefix = target;
    install_options.scheme = pkg_fs::Scheme{target, target, target / "bin", target / "include", target};
  } else {
    if (python->externally_managed && !o.break_system_packages) {
      out.error(python->executable.string() + " is externally managed (PEP 668): " +
                *python->externally_managed +
                "\nInstall into a virtual environment (python3 -m venv DIR; tufget install "
                "--python DIR ...), or pass --break-system-packages to override.");
      return 1;
    }
    install_options.prefix = python->prefix;
    install_options.scheme = python->scheme;
    // sysconfig's "include" of a venv is the base interpreter's; pip installs a venv's headers
    // under <venv>/include/site/pythonX.Y/<project>, inside the environment.
    if (python->in_venv()) {
      install_options.scheme.headers =
          python->prefix / "include" / "site" /
          ("python" + std::to_string(python->tag_info.major) + "." +
           std::to_string(python->tag_info.minor));
    }
  }
  auto installed = pkg_fs::list_installed(install_options.scheme);
  if (!installed) {
    out.error(installed.error().message());
    return 1;
  }

  // The repository, and the TUF refresh.
  RepositoryOptions ro;
  ro.index_url = !o.index_url.empty() ? o.index_url : requested.index_url.value_or("");
  ro.metadata_url = g.metadata_url;
  ro.metadata_dir = g.metadata_dir;
  ro.root_file = o.root_file;
  ro.trust_on_first_use = o.trust_on_first_use;
  ro.trust_dir = o.trust_dir;
  auto repo = resolve_repository(ro);
  if (!repo) {
    out.error(repo.error().message());
    return repo.error().code == tuf::Errc::usage ? 2 : 1;
  }
  tuf_io::HttpClient http;
  WarehouseClient client(std::move(*repo), http, out.verbose > 1 ? out.verbose : 0);
  if (client.repository().root_source == RootSource::first_use) {
    auto warning = client.bootstrap_first_use();
    if (!warning) {
      out.error(warning.error().message());
      return 1;
    }
    std::fputs(warning->c_str(), stderr);
  } else if (client.repository().root_source == RootSource::first_use_kept) {
    out.warn(client.repository().index_url + " has no pinned root; using the root trusted on "
             "first use (" + client.repository().root_origin + ")");
  }
  const auto t_refresh = Clock::now();
  if (auto ok = client.refresh(wall_clock_now()); !ok) {
    out.error("TUF refresh of " + client.repository().metadata_url + " failed: " + ok.error().message());
    return 1;
  }
  out.info("TUF refresh of " + client.repository().metadata_url + " in " +
           std::to_string(ms_since(t_refresh)) + " ms");

  // Resolution.
  FileCache cache(FileCache::default_root(), !o.no_cache);
  if (auto ok = cache.prepare(); !ok) {
    out.error(ok.error().message());
    return 1;
  }
  Progress progress(!o.quiet && Progress::stderr_is_terminal());
  ProviderOptions po;
  po.binary = binary_policy(o, requested.no_binary);
  po.upgrade_all = o.force_reinstall;
  if (o.upgrade) {
    for (const auto& r : requested.roots) po.upgrade.insert(r.req.project);
  }
  po.max_wheel_bytes = o.max_wheel_bytes;
  po.max_metadata_bytes = o.max_metadata_bytes;
  po.allow_file_urls = client.repository().index_url.rfind("file:", 0) == 0;
  po.verbose = out.verbose;
  IndexProvider provider(client, http, cache, progress, *python, *installed, po);

  std::vector<pkg::Requirement> roots;
  std::vector<std::string> root_projects;
  for (const auto& r : requested.roots) {
    roots.push_back(r.req);
    if (r.req.applies(python->markers)) root_projects.push_back(r.req.project);
  }
  provider.prefetch_projects(root_projects);
  pkg::ResolveOptions ropt;
  ropt.environment = python->markers;
  ropt.prereleases = (o.pre || requested.pre) ? pkg::Prereleases::allow : pkg::Prereleases::implied;
  ropt.no_deps = o.no_deps;
  const auto t_resolve = Clock::now();
  auto resolution = pkg::resolve(roots, requested.constraints, provider, ropt);
  if (!resolution) {
    const pkg::Error& e = resolution.error();
    if (e.code == pkg::Errc::no_solution) {
      out.error("no solution: " + e.detail);
    } else if (provider.last_error()) {
      out.error(provider.last_error()->message());
    } else {
      out.error(e.message());
    }
    return 1;
  }
  out.info("resolved " + std::to_string(resolution->dists.size()) + " distributions in " +
           std::to_string(resolution->rounds) + " rounds, " + std::to_string(ms_since(t_resolve)) +
           " ms (" + std::to_string(provider.stats().pages) + " pages, " +
           std::to_string(provider.stats().metadata_files) + " .metadata files, " +
           std::to_string(provider.stats().wheels_for_metadata) + " wheels read for metadata)");

  // Hash pins from requirements files must hold as well as TUF.
  std::map<std::string, const RootRequirement*> pins;
  for (const auto& r : requested.roots) {
    if (!r.sha256.empty()) pins[r.req.project] = &r;
  }

  std::vector<std::size_t> to_fetch;
  std::vector<std::string> satisfied;
  int failures = 0;
  for (const pkg::ResolvedDist& d : resolution->dists) {
    CandidateFile& f = provider.file(d.candidate.handle);
    if (f.installed) {
      if (d.requested) satisfied.push_back(f.installed->name + " " + f.installed->version_text);
      continue;
    }
    if (f.file.yanked) {
      out.warn(f.file.filename + " is yanked" +
               (f.file.yanked_reason ? " (" + *f.file.yanked_reason + ")" : std::string()) +
               "; using it because a requirement pins its version");
    }
    if (auto pin = pins.find(f.project); pin != pins.end()) {
      const auto& allowed = pin->second->sha256;
      if (std::find(allowed.begin(), allowed.end(), f.sha256) == allowed.end()) {
        out.error(f.file.filename + ": its sha256 " + f.sha256 + " is not among the hashes " +
                  pin->second->origin + " pins for " + f.project);
        ++failures;
      }
    }
    to_fetch.push_back(d.candidate.handle);
  }
  if (failures > 0) {
    out.error("nothing was installed");
    return 1;
  }
  for (const std::string& s : satisfied) {
    if (!o.quiet) std::fprintf(human, "Requirement already satisfied: %s\n", s.c_str());
  }

  if (o.dry_run) {
    std::vector<std::string> names;
    for (std::size_t h : to_fetch) {
      names.push_back(provider.file(h).project + "-" + provider.file(h).version.str());
    }
    std::sort(names.begin(), names.end());
    if (!o.report.empty() && !write_text(o.report, report_json(*resolution, provider, *python))) {
      out.error("cannot write the report to " + o.report);
      return 1;
    }
    if (!o.quiet) {
      std::string line = names.empty() ? "Nothing to install" : "Would install";
      for (const auto& n : names) line += " " + n;
      std::fprintf(human, "%s\n", line.c_str());
    }
    return 0;
  }

  // Every wheel, verified against the page's sha256, before anything is installed.
  const auto t_fetch = Clock::now();
  auto errors = provider.fetch_wheels(to_fetch);
  if (!errors.empty()) {
    for (const tuf::Error& e : errors) out.error(e.message());
    out.error("nothing was installed");
    return 1;
  }
  out.info("downloaded and verified " + std::to_string(to_fetch.size()) + " wheels in " +
           std::to_string(ms_since(t_fetch)) + " ms");

  std::vector<pkg_fs::WheelToInstall> wheels;
  for (const pkg::ResolvedDist& d : resolution->dists) {
    CandidateFile& f = provider.file(d.candidate.handle);
    if (f.installed) continue;
    wheels.push_back(pkg_fs::WheelToInstall{f.wheel_file->path(), f.file.filename, d.requested});
  }
  if (!o.report.empty() && !write_text(o.report, report_json(*resolution, provider, *python))) {
    out.error("cannot write the report to " + o.report);
    return 1;
  }
  if (wheels.empty()) {
    if (!o.quiet) std::fprintf(human, "Nothing to install: every requirement is already satisfied\n");
    return 0;
  }
  const auto t_install = Clock::now();
  auto done = pkg_fs::install(wheels, install_options);
  if (!done) {
    out.error(done.error().message());
    out.error("nothing was installed; the environment is unchanged");
    return 1;
  }
  out.info("installed " + std::to_string(done->size()) + " wheels in " +
           std::to_string(ms_since(t_install)) + " ms; total " + std::to_string(ms_since(t0)) + " ms");
  std::vector<std::string> names;
  for (const auto& w : *done) {
    names.push_back(w.project + "-" + w.version);
    if (w.replaced_version && !o.quiet) {
      std::fprintf(stderr, "tufget: replaced %s %s with %s\n", w.project.c_str(),
                   w.replaced_version->c_str(), w.version.c_str());
    }
  }
  std::sort(names.begin(), names.end());
  if (!o.quiet) {
    std::string line = "Installed";
    for (const auto& n : names) line += " " + n;
    std::fprintf(human, "%s\n", line.c_str());
  }
  return 0;
}

}  // namespace tufget
