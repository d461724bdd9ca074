// `tufget download NAME...`: the verified Warehouse path, wired to the terminal.
//
// Order of work (docs/warehouse.md): choose the repository and its initial root; TUF refresh;
// one lookup per project (its hash bin); every simple page fetched concurrently and verified
// against its bin; a wheel chosen per project; every wheel and .metadata file fetched
// concurrently into private staged files and checked against the page's sha256; only when
// every file passed are they moved into DEST (all or nothing).
#include "download_cmd.h"

#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "client/cache.h"
#include "commands.h"
#include "progress.h"
#include "client/warehouse.h"

namespace tufget {
namespace {

namespace fs = std::filesystem;


int report(const tuf::Error& e, const std::string& context = "") {
  std::fprintf(stderr, "tufget: error: %s%s\n", context.c_str(), e.message().c_str());
  return 1;
}

// A plain file name that stays inside DEST (DESIGN.md invariant 5).
bool is_safe_filename(const std::string& name) {
  if (name.empty() || name.front() == '.' || name.size() > 255) return false;
  for (char c : name) {
    if (c == '/' || c == '\\' || c == '\0' || static_cast<unsigned char>(c) < 0x20) return false;
  }
  return true;
}

std::string source_of(const FileJob& job) {
  return job.filename + ": " + job.provenance;
}

}  // namespace

namespace {

// NAME[specifiers] arguments, each project once. nullopt (after printing why) on a bad one.
std::optional<std::vector<pkg::Requirement>> download_requirements(
    const std::vector<std::string>& texts) {
  std::vector<pkg::Requirement> requirements;
  for (const std::string& text : texts) {
    auto r = pkg::Requirement::parse(text);
    if (!r) {
      std::fprintf(stderr, "tufget: error: %s\n", r.error().message().c_str());
      return std::nullopt;
    }
    if (r->url || r->marker || !r->extras.empty()) {
      std::fprintf(stderr,
                   "tufget: error: '%s': download takes NAME and version specifiers only (no "
                   "extras, markers or URLs; tufget install resolves those)\n",
                   text.c_str());
      return std::nullopt;
    }
    for (const pkg::Requirement& other : requirements) {
      if (other.project == r->project) {
        std::fprintf(stderr, "tufget: error: %s is named twice ('%s', '%s')\n", r->project.c_str(),
                     other.str().c_str(), r->str().c_str());
        return std::nullopt;
      }
    }
    requirements.push_back(std::move(*r));
  }
  return requirements;
}

// The wheel chosen from a verified page, and its PEP 658 metadata when the page gives its
// sha256. Adds to `failures` (after printing) what cannot be chosen.
void add_jobs(const VerifiedPage& page, const pkg::Requirement& req,
              const pkg_fs::Interpreter& python, const WarehouseDownloadOptions& o,
              std::vector<FileJob>& jobs, int& failures) {
  auto choice = choose_wheel(page, req, python);
  if (!choice) {
    failures += report(choice.error());
    return;
  }
  if (choice->file.yanked) {
    const std::string reason =
        choice->file.yanked_reason ? " (" + *choice->file.yanked_reason + ")" : "";
    std::fprintf(stderr, "tufget: warning: %s is yanked%s; using it because '%s' pins it\n",
                 choice->file.filename.c_str(), reason.c_str(), req.str().c_str());
  }
  if (!is_safe_filename(choice->file.filename)) {
    failures += report(tuf::Error{tuf::Errc::repository_error, page.project,
                                  "unusable file name on the page: " + choice->file.filename, {}, {}});
    return;
  }
  FileJob wheel;
  wheel.filename = choice->file.filename;
  wheel.url = choice->file.url;
  wheel.sha256 = choice->sha256;
  wheel.max_bytes = o.max_wheel_bytes;
  wheel.provenance = "sha256 from " + page.provenance();
  jobs.push_back(std::move(wheel));
  const pkg::CoreMetadata& cm = choice->file.core_metadata;
  if (!cm.available) return;
  const auto sha = cm.hashes.find("sha256");
  if (sha == cm.hashes.end()) {
    std::fprintf(stderr,
                 "tufget: warning: %s.metadata not downloaded: the page gives no sha256 for "
                 "it, so it could not be verified\n",
                 choice->file.filename.c_str());
    return;
  }
  FileJob meta;
  meta.filename = choice->file.filename + ".metadata";
  meta.url = choice->file.url + ".metadata";
  meta.sha256 = sha->second;
  meta.max_bytes = o.max_metadata_bytes;
  meta.provenance = "sha256 (PEP 658 core-metadata) from " + page.provenance();
  jobs.push_back(std::move(meta));
}

// Downloads what DEST does not already hold (verified), then moves every file into DEST only
// when all verified, saying what verified each.
int fetch_into(const fs::path& dest, std::vector<FileJob> jobs, tuf_io::HttpClient& http,
               bool file_urls, bool no_cache) {
  std::error_code ec;
  fs::create_directories(dest, ec);
  if (ec || !fs::is_directory(dest)) {
    std::fprintf(stderr, "tufget: error: cannot create %s: %s\n", dest.c_str(), ec.message().c_str());
    return 1;
  }
  std::vector<std::string> already;  // lines for files DEST already holds, verified
  std::vector<FileJob> to_fetch;
  for (FileJob& job : jobs) {
    if (auto have = file_sha256(dest / job.filename, job.max_bytes); have && *have == job.sha256) {
      already.push_back(source_of(job) + ", already in " + dest.string() + " (re-verified)");
    } else {
      to_fetch.push_back(std::move(job));
    }
  }
  FileCache cache(FileCache::default_root(), !no_cache);
  if (auto ok = cache.prepare(); !ok) return report(ok.error());
  Progress progress(Progress::stderr_is_terminal());
  fetch_files(http, cache, progress, to_fetch, file_urls);
  int failures = 0;
  for (const FileJob& job : to_fetch) {
    if (!job.note.empty()) std::fprintf(stderr, "tufget: warning: %s\n", job.note.c_str());
    if (job.error) failures += report(job.error.value());
  }
  if (failures > 0) {
    std::fprintf(stderr, "tufget: nothing was written to %s\n", dest.c_str());
    return 1;
  }
  for (const std::string& line : already) progress.line(stdout, line);
  for (FileJob& job : to_fetch) {
    if (!job.from_cache) {
      if (auto ok = cache.store(*job.staged, job.sha256); !ok) {
        std::fprintf(stderr, "tufget: warning: not cached: %s\n", ok.error().message().c_str());
      }
    }
    const std::uint64_t size = job.staged->size();
    if (auto ok = job.staged->install(dest / job.filename); !ok) return report(ok.error());
    progress.line(stdout, source_of(job) + ", " + std::to_string(size) + " bytes" +
                              (job.from_cache ? ", from the download cache (re-verified)" : ""));
  }
  return 0;
}

}  // namespace

int cmd_download_warehouse(const GlobalOptions& g, const WarehouseDownloadOptions& o) {
  auto requirements = download_requirements(o.requirements);
  if (!requirements) return 2;

  // Which repository, and which root starts the chain of trust.
  auto repo = resolve_repository(
      repository_options(g, o.index_url, o.root_file, o.trust_dir, o.trust_on_first_use));
  if (!repo) return report(repo.error());

  auto python = detect_target_python(o.python_version, o.platforms);
  if (!python) return report(python.error());
  if (g.verbose > 0) {
    std::fprintf(stderr, "tufget: repository %s: index %s, metadata %s, initial root %s\n",
                 repo->name.c_str(), repo->index_url.c_str(), repo->metadata_url.c_str(),
                 repo->root_origin.c_str());
    std::fprintf(stderr, "tufget: choosing wheels for %s (%zu tags)\n",
                 describe(*python).c_str(), python->tags.tags().size());
  }

  tuf_io::HttpClient http;
  WarehouseClient client(std::move(*repo), http, g.verbose);
  auto warning = prepare_root(client);
  if (!warning) return report(warning.error());
  std::fputs(warning->c_str(), stderr);

  // TUF: top-level metadata, then every project's bin and page together.
  if (auto ok = client.refresh(wall_clock_now()); !ok) {
    return report(ok.error(), "TUF refresh of " + client.repository().metadata_url + " failed: ");
  }
  std::vector<std::string> projects;
  for (const pkg::Requirement& r : *requirements) projects.push_back(r.project);
  auto pages = client.pages(projects);
  int failures = 0;
  for (auto& p : pages) {
    if (!p) failures += report(p.error());
  }
  if (failures > 0) return 1;

  std::vector<FileJob> jobs;
  for (std::size_t i = 0; i < requirements->size(); ++i) {
    add_jobs(*pages[i], (*requirements)[i], *python, o, jobs, failures);
  }
  if (failures > 0) return 1;
  const fs::path dest = o.dest.empty() ? fs::path(".") : fs::path(o.dest);
  return fetch_into(dest, std::move(jobs), http,
                    client.repository().index_url.rfind("file:", 0) == 0, o.no_cache);
}

CLI::App* add_download_command(CLI::App& app, DownloadOptions& d, WarehouseDownloadOptions& w) {
  auto* download = app.add_subcommand(
      "download",
      "With NAME...: download the best wheel of each project (and its .metadata) from a "
      "TUF-enabled package index, verified from a pinned root down to the file's sha256, into "
      "-d DIR. With --target-name (the TUF conformance protocol): refresh, then find each "
      "target in the delegation graph, download it and verify its length and hashes before "
      "storing it in the target directory; a file already there with matching length and hashes "
      "is not downloaded again.");
  // The conformance protocol puts these before the subcommand name, so they belong to the
  // top-level app (fallthrough lets them follow `download` too).
  app.add_option("--target-name", d.target_names,
                 "download: TUF target path (repeatable; targets are fetched in order)");
  app.add_option("--target-base-url", d.target_base_url,
                 "download: base URL of the target files");
  app.add_option("--target-dir", d.target_dir, "download: where verified targets are stored");
  // The Warehouse form: `tufget download NAME[==VERSION|SPEC]...` (docs/warehouse.md).
  download->add_option("names", w.requirements,
                       "Projects to download from a TUF-enabled package index: NAME, NAME==VERSION "
                       "or NAME with PEP 440 specifiers (best wheel for the target interpreter, "
                       "plus its .metadata; no dependency resolution)");
  download->add_option("-d,--dest", w.dest, "Directory for the verified wheels (default: .)");
  download->add_option("--index-url", w.index_url,
                       "Simple index URL; picks the repository (and its pinned root) from the "
                       "trust store (default: https://pypi.org/simple/)");
  download->add_option("--root", w.root_file,
                       "Trust this root.json as the initial root instead of a pinned one");
  download->add_flag("--trust-on-first-use", w.trust_on_first_use,
                     "With no pinned root, trust the root the server presents (unsafe; warns)");
  download->add_option("--trust-dir", w.trust_dir,
                       "Extra trust store searched first (folders with manifest.json + root.json)");
  download->add_option("--platform", w.platforms,
                       "Wheel platform tag to accept (repeatable; default: this machine's)")
      ->allow_extra_args(false);
  download->add_option("--python-version", w.python_version,
                       "Target Python X.Y (default: the version of python3)");
  download->add_flag("--no-cache", w.no_cache, "Neither read nor fill the download cache");
  download->add_option("--max-wheel-bytes", w.max_wheel_bytes, "Size cap per wheel (default 1 GiB)");
  download->add_option("--max-metadata-bytes", w.max_metadata_bytes,
                       "Size cap per .metadata file (default 10 MiB)");
  return download;
}

}  // namespace tufget
