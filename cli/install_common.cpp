// Shared by install, lock and bootstrap (see install_common.h).
#include "install_common.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "fsutil/interrupt.h"
#include "fsutil/read.h"
#include "pkg/names.h"
#include "pkg/requirements_file.h"

namespace tufget {

namespace fs = std::filesystem;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// ---- terminal output -----------------------------------------------------------------------------

std::string Out::paint(const char* code, const std::string& text) const {
  return color ? std::string("\x1b[") + code + "m" + text + "\x1b[0m" : text;
}
void Out::error(const std::string& msg) const {
  // After Ctrl-C, what fails on the way out (a child killed by the same SIGINT) is not news:
  // the interrupt's own message says what happened.
  if (fsutil::interrupt::requested()) return;
  std::fprintf(stderr, "%s %s\n", paint("1;31", "tufget: error:").c_str(), msg.c_str());
}
void Out::warn(const std::string& msg) const {
  if (!quiet) std::fprintf(stderr, "%s %s\n", paint("33", "tufget: warning:").c_str(), msg.c_str());
}
void Out::info(const std::string& msg) const {
  if (verbose > 0) std::fprintf(stderr, "tufget: %s\n", msg.c_str());
}

bool want_color(const std::string& mode) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0') return false;
  return ::isatty(STDERR_FILENO) != 0;
}

// ---- requirements -------------------------------------------------------------------------------

namespace {

std::string file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a named pipe (FIFO)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "something else";
}

// A requirements file's bytes, at most `cap` of them (fsutil::read_regular_file: a FIFO,
// device or directory is refused without blocking, the cap holds while reading). A symbolic
// link is followed: users link requirements files. Messages show at most 400 bytes of the path
// (an include line may name a path of megabytes).
pkg::Result<std::string> read_requirements_bytes(const fs::path& p, std::size_t cap) {
  const std::string shown = p.string().size() > 400 ? p.string().substr(0, 400) + "..." : p.string();
  const auto refuse = [&](const std::string& why, const char* hint = "") {
    return pkg::fail(pkg::Errc::io, shown, "cannot read requirements file " + shown + ": " + why + hint);
  };
  auto data = fsutil::read_regular_file(p, cap, fsutil::Links::follow);
  if (data) return std::move(*data);
  switch (data.error()) {
    case EISDIR:
    case EINVAL: {
      struct stat st {};
      const std::string kind = ::stat(p.c_str(), &st) == 0 ? file_kind(st.st_mode) : "not a file";
      return refuse(kind + ", not a regular file",
                    "\nhint: -r and -c read regular files (no standard input, pipes or devices): "
                    "save the requirements to a file first");
    }
    case EFBIG:
      return refuse("larger than " + std::to_string(cap >> 20) + " MiB: too big for a requirements file",
                    "\nhint: a requirements file holds one line per requirement; split a larger set "
                    "over several files (64 MiB in all)");
    default:
      return refuse(std::strerror(data.error()));
  }
}

// How a requirements file error is printed: its sentence (no internal code names) and, for a
// line that does not parse, a hint at the format. Reading errors carry their own hint (the
// loader's), refused features explain themselves.
std::string requirements_error(const pkg::Error& e) {
  if (e.code == pkg::Errc::io || e.code == pkg::Errc::unsupported) return e.detail;
  return e.detail +
         "\nhint: -r and -c take pip requirements files: one requirement per line (like "
         "'requests>=2.31'), its options after it (like '--hash=sha256:...'), other options "
         "(like '--require-hashes' or '-r other.txt') on lines of their own";
}

}  // namespace

pkg::Result<pkg::LoadedFile> load_requirements_file(std::string_view path, std::string_view from) {
  if (path == "-" && from.empty()) {
    return pkg::fail(pkg::Errc::io, "-", "requirements cannot be read from standard input: name a "
                                         "file (./- for a file named '-')\nhint: save the "
                                         "requirements to a file first");
  }
  fs::path p(path);
  if (!from.empty() && p.is_relative()) p = fs::path(from).parent_path() / p;
  auto contents = read_requirements_bytes(p, pkg::kMaxRequirementsFileBytes);
  if (!contents) return std::unexpected(std::move(contents.error()));
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(p, ec);
  return pkg::LoadedFile{ec ? p.string() : canonical.string(), std::move(*contents)};
}

std::optional<std::string> collect_requirements(const std::vector<std::string>& requirements,
                                                const std::vector<std::string>& requirement_files,
                                                const std::vector<std::string>& constraint_files,
                                                Requested& out,
                                                const pkg::RequirementsLoader* loader) {
  for (const std::string& text : requirements) {
    auto r = pkg::Requirement::parse(text);
    if (!r) return "'" + r.error().input + "' is not a valid requirement: " + r.error().detail;
    out.roots.push_back(RootRequirement{std::move(*r), "the command line", {}, {}});
  }
  pkg::RequirementsBudget budget;  // for every -r and -c file together
  auto read_file = [&](const std::string& file, bool constraint) -> std::optional<std::string> {
    auto parsed = loader != nullptr ? pkg::parse_requirements_file(file, *loader, &budget)
                                    : pkg::parse_requirements_file(file, load_requirements_file, &budget);
    if (!parsed) return requirements_error(parsed.error());
    out.pre = out.pre || parsed->pre;
    out.require_hashes = out.require_hashes || parsed->require_hashes;
    out.no_index = out.no_index || parsed->no_index;
    if (parsed->index_url) out.index_url = parsed->index_url;
    for (const auto& nb : parsed->no_binary) out.no_binary.push_back(nb);
    for (const auto& fl : parsed->find_links) {
      // Relative to the requirements file, as pip does for a local path.
      fs::path p(fl);
      if (p.is_relative() && fl.find("://") == std::string::npos) p = fs::path(file).parent_path() / p;
      out.find_links.push_back(p.string());
    }
    if (!parsed->extra_index_urls.empty()) {
      return file + ": --extra-index-url is not supported: tufget takes every project from one "
                    "source (no silent mixing of indexes, the dependency-confusion guard)";
    }
    for (auto& line : parsed->requirements) {
      RootRequirement r{std::move(line.requirement), line.file + ":" + std::to_string(line.line),
                        std::move(line.sha256), std::move(line.other_hashes)};
      (constraint || line.constraint ? out.constraints : out.roots).push_back(std::move(r));
    }
    return std::nullopt;
  };
  for (const std::string& f : requirement_files) {
    if (auto e = read_file(f, false)) return e;
  }
  for (const std::string& f : constraint_files) {
    if (auto e = read_file(f, true)) return e;
  }
  for (const auto& r : out.roots) {
    if (r.req.url) {
      return "'" + r.req.str() + "' (" + r.origin +
             "): direct URL requirements are not supported; tufget installs only what a "
             "TUF-enabled index or a hash pin vouches for";
    }
  }
  if (out.roots.empty()) return std::string("nothing to install: name a requirement or use -r FILE");
  return std::nullopt;
}

BinaryPolicy binary_policy(const std::vector<std::string>& from_command_line,
                           const std::vector<std::string>& from_files) {
  BinaryPolicy p;
  std::vector<std::string> values = from_files;
  values.insert(values.end(), from_command_line.begin(), from_command_line.end());
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

// ---- where pages come from -----------------------------------------------------------------------

SourceOptions source_options(const GlobalOptions& g, const std::string& index_url,
                             const Requested& requested, const std::string& root_file,
                             const std::string& trust_dir, bool trust_on_first_use) {
  SourceOptions so;
  so.repo = repository_options(g, !index_url.empty() ? index_url : requested.index_url.value_or(""),
                               root_file, trust_dir, trust_on_first_use);
  return so;
}

std::unique_ptr<FileCache> open_cache(bool enabled, const Out& out) {
  auto cache = std::make_unique<FileCache>(FileCache::default_root(), enabled);
  if (auto ok = cache->prepare(); !ok) {
    out.error(ok.error().message());
    return nullptr;
  }
  return cache;
}

namespace {

// Opens one index: TUF-enabled when the trust stores (or --root / --trust-on-first-use) give a
// root, refreshed; else, in hash-checking mode only, an index without TUF. Returns the source
// (owned by `opened`) and a description of what protects it, or an exit status.
std::variant<PageSource*, int> open_index(RepositoryOptions ro, const SourceOptions& o,
                                          tuf_io::HttpClient& http, const Out& out,
                                          OpenedSource& opened, std::string& protection,
                                          WarehouseClient** client_out) {
  ro.allow_unpinned = o.hash_mode;
  auto repo = resolve_repository(ro);
  if (!repo) {
    out.error(repo.error().message());
    return repo.error().code == tuf::Errc::usage ? 2 : 1;
  }
  if (repo->root_source == RootSource::none) {
    out.warn(repo->index_url + " is not a TUF-enabled index known to tufget (no root is pinned "
             "for it): the hash pins alone protect what comes from it");
    protection = "hash pins only (no TUF root is pinned for " + repo->index_url + ")";
    opened.owned.push_back(std::make_unique<PlainIndexSource>(http, repo->index_url, o.max_page_bytes));
    return opened.owned.back().get();
  }
  opened.clients.push_back(std::make_unique<WarehouseClient>(std::move(*repo), http,
                                                             out.verbose > 1 ? out.verbose : 0));
  WarehouseClient& client = *opened.clients.back();
  auto warning = prepare_root(client);
  if (!warning) {
    out.error(warning.error().message());
    return 1;
  }
  std::fputs(warning->c_str(), stderr);  // a security warning: printed even with -q
  const auto t_refresh = Clock::now();
  if (auto ok = client.refresh(wall_clock_now()); !ok) {
    out.error("TUF refresh of " + client.repository().metadata_url + " failed: " + ok.error().message());
    return 1;
  }
  out.info("TUF refresh of " + client.repository().metadata_url + " in " +
           std::to_string(ms_since(t_refresh)) + " ms");
  protection = "TUF (" + client.repository().index_url + ") from the initial root " +
               client.repository().root_origin;
  if (client_out != nullptr) *client_out = &client;
  opened.owned.push_back(std::make_unique<TufIndexSource>(client));
  return opened.owned.back().get();
}

}  // namespace

std::variant<OpenedSource, int> open_source(const SourceOptions& o, const GlobalOptions& g,
                                            tuf_io::HttpClient& http, const Out& out) {
  OpenedSource opened;
  if (!o.find_links.empty() || o.no_index) {
    if (!o.routes.empty()) {
      out.error("--index names an index for a project, which --no-index rules out");
      return 2;
    }
    if (!o.no_index) {
      out.error("--find-links together with an index would take projects from two sources; add "
                "--no-index (tufget takes one install from one source: the dependency-confusion "
                "guard)");
      return 2;
    }
    if (o.find_links.size() != 1) {
      out.error(o.find_links.empty() ? "--no-index needs --find-links DIR (a local wheelhouse)"
                                     : "give one --find-links directory");
      return 2;
    }
    const std::string& dir = o.find_links.front();
    if (dir.find("://") != std::string::npos) {
      out.error("--find-links " + dir + ": only a local directory of wheels is supported");
      return 2;
    }
    if (!o.hash_mode) {
      out.error("--find-links " + dir + " --no-index: nothing would vouch for these files. Use "
                "hash-checking mode (requirements with --hash, e.g. a lock file written by "
                "`tufget lock`, or --require-hashes): the hash pins then protect every file");
      return 2;
    }
    auto wheelhouse = pkg_fs::scan_wheelhouse(dir);
    if (!wheelhouse) {
      out.error(wheelhouse.error().message());
      return 1;
    }
    const fs::path abs = fs::absolute(dir);
    opened.owned.push_back(std::make_unique<WheelhouseSource>(std::move(*wheelhouse), abs));
    opened.source = opened.owned.back().get();
    opened.protection = "hash pins only (local wheelhouse " + abs.string() + ", no TUF)";
    return opened;
  }

  auto main = open_index(o.repo, o, http, out, opened, opened.protection, &opened.client);
  if (auto* code = std::get_if<int>(&main)) return *code;
  opened.source = std::get<PageSource*>(main);
  if (o.routes.empty()) return opened;

  // --index PROJECT=URL: the user's explicit choice of another index for a project.
  std::map<std::string, PageSource*> by_url;  // normalised index URL -> its source
  std::map<std::string, PageSource*> routes;
  for (const std::string& route : o.routes) {
    const auto eq = route.find('=');
    const std::string project = eq == std::string::npos ? "" : pkg::normalize_name(route.substr(0, eq));
    if (project.empty() || eq + 1 >= route.size()) {
      out.error("--index " + route + ": expected PROJECT=URL");
      return 2;
    }
    auto url = normalize_base_url(route.substr(eq + 1));
    if (!url) {
      out.error("--index " + route + ": " + url.error().detail);
      return 2;
    }
    if (routes.count(project) > 0) {
      out.error("--index names two indexes for " + project);
      return 2;
    }
    auto it = by_url.find(*url);
    if (it == by_url.end()) {
      RepositoryOptions extra;
      extra.index_url = *url;
      extra.trust_dir = o.repo.trust_dir;
      std::string protection;
      auto source = open_index(extra, o, http, out, opened, protection, nullptr);
      if (auto* code = std::get_if<int>(&source)) return *code;
      it = by_url.emplace(*url, std::get<PageSource*>(source)).first;
      opened.protection += "; from " + *url + ": " + protection;
    }
    routes[project] = it->second;
  }
  opened.owned.push_back(std::make_unique<RoutedSource>(*opened.source, std::move(routes)));
  opened.source = opened.owned.back().get();
  return opened;
}

// ---- resolution ---------------------------------------------------------------------------------

std::optional<pkg::Resolution> resolve_requested(const Requested& requested,
                                                 const pkg_fs::Interpreter& python,
                                                 IndexProvider& provider, bool pre, bool no_deps,
                                                 const Out& out) {
  std::vector<pkg::Requirement> roots, constraints;
  std::vector<std::string> root_projects;
  std::set<std::string> seen;
  for (const auto& r : requested.roots) {
    roots.push_back(r.req);
    if (r.req.applies(python.markers) && seen.insert(r.req.project).second) {
      root_projects.push_back(r.req.project);
    }
  }
  for (const auto& c : requested.constraints) constraints.push_back(c.req);
  provider.prefetch_projects(root_projects);
  pkg::ResolveOptions ropt;
  ropt.environment = python.markers;
  ropt.prereleases = pre || requested.pre ? pkg::Prereleases::allow : pkg::Prereleases::implied;
  ropt.no_deps = no_deps;
  const auto t_resolve = Clock::now();
  auto resolution = pkg::resolve(roots, constraints, provider, ropt);
  if (!resolution) {
    const pkg::Error& e = resolution.error();
    if (e.code == pkg::Errc::no_solution) {
      out.error("no solution: " + e.detail);
    } else if (provider.last_error()) {
      out.error(provider.last_error()->message());
    } else {
      out.error(e.message());
    }
    return std::nullopt;
  }
  out.info("resolved " + std::to_string(resolution->dists.size()) + " distributions in " +
           std::to_string(resolution->rounds) + " rounds, " + std::to_string(ms_since(t_resolve)) +
           " ms (" + std::to_string(provider.stats().pages) + " pages, " +
           std::to_string(provider.stats().metadata_files) + " .metadata files, " +
           std::to_string(provider.stats().wheels_for_metadata) + " wheels read for metadata)");
  return std::move(*resolution);
}

// ---- reports ------------------------------------------------------------------------------------

bool write_text(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return std::fflush(stdout) == 0;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

}  // namespace tufget
