// The resolver's view of a TUF-enabled index (see install_provider.h).
#include "client/install_provider.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <boost/url/parse.hpp>

#include "pkg/names.h"
#include "tuf/hash.h"

namespace tufget {
namespace {

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

std::string read_small_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool url_allowed(const std::string& url, bool allow_file) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return false;
  const auto scheme = parsed->scheme();
  return scheme == "http" || scheme == "https" || (scheme == "file" && allow_file);
}

}  // namespace

bool ProviderOptions::pinned(const std::string& project, const std::string& sha256) const {
  auto it = pins.find(project);
  return it != pins.end() && std::find(it->second.begin(), it->second.end(), sha256) != it->second.end();
}

IndexProvider::IndexProvider(PageSource& source, tuf_io::HttpClient& http,
                             const FileCache& cache, Reporter& progress,
                             const pkg_fs::Interpreter& python,
                             const std::vector<pkg_fs::InstalledDist>& installed,
                             ProviderOptions options)
    : source_(source),
      http_(http),
      cache_(cache),
      progress_(progress),
      python_(python),
      options_(std::move(options)) {
  for (const auto& d : installed) installed_[d.project] = &d;
}

pkg::Result<void> IndexProvider::fail_with(tuf::Error e) {
  std::string msg = e.message();
  last_error_ = std::move(e);
  return pkg::fail(pkg::Errc::io, "", msg);
}

const SourcedPage* IndexProvider::page(const std::string& project) const {
  auto it = projects_.find(project);
  if (it == projects_.end() || !it->second.page || !*it->second.page) return nullptr;
  return &**it->second.page;
}

void IndexProvider::prefetch_projects(std::span<const std::string> projects) {
  fetch_pages(projects);
  if (options_.look_ahead) look_ahead(projects);
}

void IndexProvider::fetch_pages(std::span<const std::string> projects) {
  std::vector<std::string> names;
  for (const std::string& p : projects) {
    if (projects_.count(p) > 0 || std::find(names.begin(), names.end(), p) != names.end()) continue;
    names.push_back(p);
  }
  if (names.empty()) return;
  stats_.lookups += names.size();
  auto pages = source_.fetch(names);  // concurrently; a TUF source verifies each against its bin
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (pages[i]) ++stats_.pages;
    projects_[names[i]].page = std::move(pages[i]);
  }
}

void IndexProvider::adopt_pages(const std::vector<std::string>& projects,
                                std::vector<tuf::Result<SourcedPage>> pages) {
  for (std::size_t i = 0; i < projects.size() && i < pages.size(); ++i) {
    if (projects_.count(projects[i]) > 0) continue;
    ++stats_.lookups;
    if (pages[i]) ++stats_.pages;
    projects_[projects[i]].page = std::move(pages[i]);
  }
}

pkg::Result<void> IndexProvider::ensure_page(const std::string& project) {
  if (projects_.count(project) == 0) {
    const std::string one[] = {project};
    fetch_pages(one);
  }
  auto& entry = projects_[project];
  if (!entry.page) return fail_with(tuf::Error{tuf::Errc::usage, project, "page not fetched", {}, {}});
  if (!*entry.page) return fail_with(entry.page->error());
  return {};
}

pkg::CandidateList IndexProvider::build_candidates(const std::string& project,
                                                   const SourcedPage& page) {
  struct Best {
    std::size_t file_index;
    pkg::WheelFilename wheel;
    std::size_t priority;
  };
  std::map<pkg::Version, Best, std::greater<>> best;
  std::map<pkg::Version, std::vector<std::string>> compatible;  // sha256 of suitable wheels
  std::map<pkg::Version, std::vector<std::string>, std::greater<>> reasons;
  std::set<pkg::Version, std::greater<>> sdist_versions, wheel_versions;
  const auto& files = page.page.files;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const pkg::DistFile& f = files[i];
    auto w = pkg::parse_wheel_filename(f.filename);
    if (!w) {
      if (auto s = pkg::parse_sdist_filename(f.filename)) sdist_versions.insert(s->parsed_version);
      continue;
    }
    const pkg::Version v = w->parsed_version;
    wheel_versions.insert(v);
    if (options_.binary.refuses(project)) {
      reasons[v].push_back(f.filename + ": --no-binary refuses it, and tufget installs wheels only");
      continue;
    }
    const auto priority = python_.tags.best(w->tags);
    if (!priority) {
      reasons[v].push_back(f.filename + ": no tag for this interpreter");
      continue;
    }
    if (f.requires_python) {
      auto rp = pkg::SpecifierSet::parse(*f.requires_python);
      if (!rp || !rp->contains(python_.version, pkg::Prereleases::allow)) {
        reasons[v].push_back(f.filename + ": requires Python " + *f.requires_python + " (this is " +
                             python_.version.str() + ")");
        continue;
      }
    }
    // A page nothing vouches for may list no sha256 (PEP 503 allows it): in hash-checking
    // mode such a file of a pinned project is still a candidate, checked against the pins
    // after download (as pip does). Otherwise there is nothing to verify it with.
    if (!f.sha256() && (page.verified || options_.pins.count(project) == 0)) {
      reasons[v].push_back(f.filename + ": the page gives no sha256 to verify it");
      continue;
    }
    const std::string listed = f.sha256().value_or("");
    if (!listed.empty()) compatible[v].push_back(listed);
    // Hash-checking mode: a pinned wheel beats any unpinned one of the same version.
    auto it = best.find(v);
    const bool pinned = options_.pinned(project, listed);
    const bool best_pinned =
        it != best.end() && options_.pinned(project, files[it->second.file_index].sha256().value_or(""));
    if (it == best.end() || (pinned && !best_pinned) ||
        (pinned == best_pinned &&
         (*priority < it->second.priority ||
          (*priority == it->second.priority && w->build > it->second.wheel.build)))) {
      best.insert_or_assign(v, Best{i, std::move(*w), *priority});
    }
  }

  pkg::CandidateList out;
  // An installed distribution comes first (kept when it satisfies), unless upgrading it.
  const auto inst = installed_.find(project);
  const bool prefer_installed = inst != installed_.end() && !options_.upgrade_all &&
                                options_.upgrade.count(project) == 0 &&
                                (!options_.intact || options_.intact(*inst->second));
  if (prefer_installed) {
    auto cf = std::make_unique<CandidateFile>();
    cf->project = project;
    cf->version = inst->second->version;
    cf->installed = inst->second;
    pkg::Candidate c;
    c.project = project;
    c.version = cf->version;
    c.installed = true;
    c.handle = files_.size();
    files_.push_back(std::move(cf));
    out.candidates.push_back(std::move(c));
  }
  for (auto& [version, b] : best) {
    const pkg::DistFile& f = files[b.file_index];
    auto cf = std::make_unique<CandidateFile>();
    cf->project = project;
    cf->version = version;
    cf->file = f;
    cf->wheel = b.wheel;
    cf->sha256 = f.sha256().value_or("");  // "" only from an unverified page (see above)
    cf->tag = python_.tags.tags()[b.priority].str();
    cf->page_provenance = page.provenance;
    cf->page_verified = page.verified;
    cf->version_sha256 = compatible[version];
    std::sort(cf->version_sha256.begin(), cf->version_sha256.end());
    cf->version_sha256.erase(std::unique(cf->version_sha256.begin(), cf->version_sha256.end()),
                             cf->version_sha256.end());
    pkg::Candidate c;
    c.project = project;
    c.version = version;
    c.yanked = f.yanked;
    c.handle = files_.size();
    files_.push_back(std::move(cf));
    out.candidates.push_back(std::move(c));
  }
  for (const pkg::Version& v : sdist_versions) {
    if (wheel_versions.count(v) == 0) {
      out.rejected.push_back(v.str() + ": source distribution only (tufget installs wheels only and "
                                       "never runs a package's build code)");
    }
  }
  for (auto& [v, why] : reasons) {
    if (best.count(v) == 0) out.rejected.push_back(v.str() + ": " + join(why, "; "));
  }
  if (out.candidates.empty() && wheel_versions.empty() && !sdist_versions.empty()) {
    out.rejected.insert(out.rejected.begin(),
                        project + " has only source distributions on the index; tufget installs "
                                  "wheels only (it never runs a package's build code to install "
                                  "or resolve it)");
  }
  return out;
}

pkg::Result<pkg::CandidateList> IndexProvider::candidates(const std::string& project) {
  auto& entry = projects_[project];
  if (entry.list) return *entry.list;
  if (auto ok = ensure_page(project); !ok) return std::unexpected(ok.error());
  entry.list = build_candidates(project, **projects_[project].page);
  return *entry.list;
}

void IndexProvider::prefetch_metadata(std::span<const pkg::Candidate> candidates) {
  std::vector<std::size_t> handles;
  for (const pkg::Candidate& c : candidates) {
    if (c.handle < files_.size() && !files_[c.handle]->installed &&
        !files_[c.handle]->metadata_text) {
      handles.push_back(c.handle);
    }
  }
  fetch_metadata_batch(handles);
}

// .metadata files (PEP 658) when the page gives their sha256, else the wheels themselves; all
// concurrently. Failures are left for metadata() to report (it refetches nothing: it sees no
// metadata_text and reports the stored error).
void IndexProvider::fetch_metadata_batch(const std::vector<std::size_t>& handles) {
  std::vector<std::size_t> wheels;
  for (std::size_t h : handles) {
    CandidateFile& f = *files_[h];
    if (!f.page_verified) {
      // Nothing vouches for the page: only a pinned wheel may speak for its dependencies.
      if (options_.pinned(f.project, f.sha256)) wheels.push_back(h);
      continue;
    }
    const auto& cm = f.file.core_metadata;
    const auto sha = cm.hashes.find("sha256");
    if (!cm.available || sha == cm.hashes.end()) {
      wheels.push_back(h);
      continue;
    }
    const std::string url = f.file.url + ".metadata";
    if (!url_allowed(url, source_.allows_file_urls())) {
      wheels.push_back(h);
      continue;
    }
    tuf_io::FetchRequest req;
    req.url = url;
    req.max_bytes = options_.max_metadata_bytes;
    ++stats_.metadata_files;
    http_.async_fetch(std::move(req), [&f, expected = sha->second, url](tuf_io::FetchResult r) {
      if (!r) return;  // metadata() falls back to the wheel
      const std::string got = tuf::digest_hex(tuf::HashAlg::sha256, tuf::as_bytes(*r));
      if (got != expected) {
        std::fprintf(stderr,
                     "tufget: warning: %s: sha256 differs from the TUF-verified page (expected %s, "
                     "got %s); using the wheel's own METADATA instead\n",
                     url.c_str(), expected.c_str(), got.c_str());
        return;
      }
      f.metadata_text = std::move(*r);
      f.metadata_source = "PEP 658 .metadata (sha256 from the verified page)";
    });
  }
  http_.run();
  for (std::size_t h : handles) {
    if (!files_[h]->metadata_text && files_[h]->page_verified &&
        std::find(wheels.begin(), wheels.end(), h) == wheels.end()) {
      wheels.push_back(h);
    }
  }
  if (wheels.empty()) return;
  stats_.wheels_for_metadata += wheels.size();
  fetch_wheels(wheels);
  for (std::size_t h : wheels) {
    CandidateFile& f = *files_[h];
    if (f.wheel_file && !f.metadata_text) {
      auto meta = pkg_fs::verify_wheel(f.wheel_file->path(), f.file.filename);
      if (meta) {
        f.metadata_text = std::move(*meta);
        f.metadata_source = f.page_verified
                                ? "the wheel's METADATA (wheel sha256 from the verified page)"
                                : "the wheel's METADATA (wheel sha256 pinned)";
      }
    }
  }
}

pkg::Result<pkg::DistMetadata> IndexProvider::metadata(const pkg::Candidate& candidate) {
  if (candidate.handle >= files_.size()) {
    return pkg::fail(pkg::Errc::io, candidate.project, "unknown candidate");
  }
  CandidateFile& f = *files_[candidate.handle];
  if (f.installed) {
    const std::string text = read_small_file(f.installed->metadata);
    auto m = pkg::parse_core_metadata(text);
    if (!m) {
      return pkg::fail(pkg::Errc::invalid_metadata, f.installed->dist_info.string(),
                       m.error().message());
    }
    return m;
  }
  if (!f.page_verified && !options_.pinned(f.project, f.sha256)) {
    return pkg::fail(pkg::Errc::io, f.file.filename,
                     "not read: nothing vouches for it (" + f.page_provenance +
                         ") and no hash pin names its sha256 " + f.sha256);
  }
  if (!f.metadata_text) fetch_metadata_batch({candidate.handle});
  if (!f.metadata_text) {
    // The wheel itself failed: say why.
    if (last_error_) return pkg::fail(pkg::Errc::io, "", last_error_->message());
    return pkg::fail(pkg::Errc::io, f.file.filename, "could not obtain verified metadata");
  }
  auto m = pkg::parse_core_metadata(*f.metadata_text);
  if (!m) {
    return pkg::fail(pkg::Errc::invalid_metadata, f.file.filename, m.error().message());
  }
  // The metadata must describe the file it came with.
  if (m->project != f.project || m->version != f.version) {
    return pkg::fail(pkg::Errc::invalid_metadata, f.file.filename,
                     "its metadata names " + m->name + " " + m->version_text + ", not " + f.project +
                         " " + f.version.str());
  }
  return m;
}

std::vector<tuf::Error> IndexProvider::fetch_wheels(const std::vector<std::size_t>& handles) {
  std::vector<FileJob> jobs;
  std::vector<std::size_t> job_handle;
  for (std::size_t h : handles) {
    CandidateFile& f = *files_[h];
    if (f.installed || f.wheel_file) continue;
    FileJob job;
    job.filename = f.file.filename;
    job.url = f.file.url;
    job.sha256 = f.sha256;
    job.pins_check_it = f.sha256.empty() && !f.page_verified && options_.pins.count(f.project) > 0;
    job.max_bytes = options_.max_wheel_bytes;
    job.provenance = (f.page_verified ? "sha256 from " : "sha256 listed by ") + f.page_provenance;
    jobs.push_back(std::move(job));
    job_handle.push_back(h);
  }
  std::vector<tuf::Error> errors;
  if (jobs.empty()) return errors;
  fetch_files(http_, cache_, progress_, jobs, source_.allows_file_urls());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    CandidateFile& f = *files_[job_handle[i]];
    if (!jobs[i].note.empty()) std::fprintf(stderr, "tufget: warning: %s\n", jobs[i].note.c_str());
    if (jobs[i].error) {
      errors.push_back(*jobs[i].error);
      last_error_ = *jobs[i].error;
      continue;
    }
    f.wheel_from_cache = jobs[i].from_cache;
    if (jobs[i].pins_check_it) {
      // Not verified yet: the caller (hash-checking mode) compares it with the pins. Its
      // sha256 is now known; it is not cached.
      f.sha256 = jobs[i].staged->sha256();
    } else if (!jobs[i].from_cache) {
      if (auto ok = cache_.store(*jobs[i].staged, f.sha256); !ok && options_.verbose > 0) {
        std::fprintf(stderr, "tufget: warning: not cached: %s\n", ok.error().message().c_str());
      }
    }
    f.wheel_file = std::move(jobs[i].staged);
  }
  return errors;
}

}  // namespace tufget
