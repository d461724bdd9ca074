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
#include <string>

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

int cmd_download_warehouse(const GlobalOptions& g, const WarehouseDownloadOptions& o) {
  // What was asked for.
  std::vector<pkg::Requirement> requirements;
  for (const std::string& text : o.requirements) {
    auto r = pkg::Requirement::parse(text);
    if (!r) {
      std::fprintf(stderr, "tufget: error: %s\n", r.error().message().c_str());
      return 2;
    }
    if (r->url || r->marker || !r->extras.empty()) {
      std::fprintf(stderr,
                   "tufget: error: '%s': download takes NAME and version specifiers only (no "
                   "extras, markers or URLs; tufget install resolves those)\n",
                   text.c_str());
      return 2;
    }
    for (const pkg::Requirement& other : requirements) {
      if (other.project == r->project) {
        std::fprintf(stderr, "tufget: error: %s is named twice ('%s', '%s')\n", r->project.c_str(),
                     other.str().c_str(), r->str().c_str());
        return 2;
      }
    }
    requirements.push_back(std::move(*r));
  }

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

  // TUF: top-level metadata, then each project's bin.
  if (auto ok = client.refresh(wall_clock_now()); !ok) {
    return report(ok.error(), "TUF refresh of " + client.repository().metadata_url + " failed: ");
  }
  std::vector<tuf::TargetInfo> targets;
  for (const pkg::Requirement& r : requirements) {
    auto info = client.lookup(r.project);
    if (!info) return report(info.error());
    targets.push_back(std::move(*info));
  }

  // The simple pages, verified against their bins.
  auto pages = client.fetch_pages(targets);
  int failures = 0;
  for (auto& p : pages) {
    if (!p) failures += report(p.error());
  }
  if (failures > 0) return 1;

  // A wheel per project, and its PEP 658 metadata.
  const fs::path dest = o.dest.empty() ? fs::path(".") : fs::path(o.dest);
  std::vector<FileJob> jobs;
  std::vector<std::string> already;  // lines for files DEST already holds, verified
  for (std::size_t i = 0; i < requirements.size(); ++i) {
    const VerifiedPage& page = *pages[i];
    auto choice = choose_wheel(page, requirements[i], *python);
    if (!choice) {
      failures += report(choice.error());
      continue;
    }
    if (choice->file.yanked) {
      const std::string reason =
          choice->file.yanked_reason ? " (" + *choice->file.yanked_reason + ")" : "";
      std::fprintf(stderr, "tufget: warning: %s is yanked%s; using it because '%s' pins it\n",
                   choice->file.filename.c_str(), reason.c_str(), requirements[i].str().c_str());
    }
    if (!is_safe_filename(choice->file.filename)) {
      failures += report(tuf::Error{tuf::Errc::repository_error, page.project,
                                    "unusable file name on the page: " + choice->file.filename, {}, {}});
      continue;
    }
    FileJob wheel;
    wheel.filename = choice->file.filename;
    wheel.url = choice->file.url;
    wheel.sha256 = choice->sha256;
    wheel.max_bytes = o.max_wheel_bytes;
    wheel.provenance = "sha256 from " + page.provenance();
    jobs.push_back(std::move(wheel));
    const pkg::CoreMetadata& cm = choice->file.core_metadata;
    if (cm.available) {
      const auto sha = cm.hashes.find("sha256");
      if (sha == cm.hashes.end()) {
        std::fprintf(stderr,
                     "tufget: warning: %s.metadata not downloaded: the page gives no sha256 for "
                     "it, so it could not be verified\n",
                     choice->file.filename.c_str());
      } else {
        FileJob meta;
        meta.filename = choice->file.filename + ".metadata";
        meta.url = choice->file.url + ".metadata";
        meta.sha256 = sha->second;
        meta.max_bytes = o.max_metadata_bytes;
        meta.provenance = "sha256 (PEP 658 core-metadata) from " + page.provenance();
        jobs.push_back(std::move(meta));
      }
    }
  }
  if (failures > 0) return 1;

  std::error_code ec;
  fs::create_directories(dest, ec);
  if (ec || !fs::is_directory(dest)) {
    std::fprintf(stderr, "tufget: error: cannot create %s: %s\n", dest.c_str(), ec.message().c_str());
    return 1;
  }
  // Files DEST already holds with the right sha256 are left alone.
  std::vector<FileJob> to_fetch;
  for (FileJob& job : jobs) {
    if (auto have = file_sha256(dest / job.filename, job.max_bytes); have && *have == job.sha256) {
      already.push_back(source_of(job) + ", already in " + dest.string() + " (re-verified)");
    } else {
      to_fetch.push_back(std::move(job));
    }
  }
  jobs = std::move(to_fetch);

  FileCache cache(FileCache::default_root(), !o.no_cache);
  if (auto ok = cache.prepare(); !ok) return report(ok.error());
  Progress progress(Progress::stderr_is_terminal());
  fetch_files(http, cache, progress, jobs, client.repository().index_url.rfind("file:", 0) == 0);

  for (const FileJob& job : jobs) {
    if (!job.note.empty()) std::fprintf(stderr, "tufget: warning: %s\n", job.note.c_str());
    if (job.error) failures += report(job.error.value());
  }
  if (failures > 0) {
    std::fprintf(stderr, "tufget: nothing was written to %s\n", dest.c_str());
    return 1;
  }

  // Every file is verified: cache it, move it into DEST, say what verified it.
  for (const std::string& line : already) progress.line(stdout, line);
  for (FileJob& job : jobs) {
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

}  // namespace tufget
