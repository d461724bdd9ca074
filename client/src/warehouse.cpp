// The verified path through a TUF-enabled Warehouse (see warehouse.h).
#include "client/warehouse.h"


#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <memory>
#include <set>

#include <boost/url/parse.hpp>

#include "pkg/names.h"

namespace tufget {
namespace {

namespace fs = std::filesystem;

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : std::string(sep)) + p;
  return out;
}

void trace_action(const tuf::Action& a) {
  if (const auto* f = std::get_if<tuf::Fetch>(&a)) {
    std::fprintf(stderr, "tufget: fetch %s (at most %llu bytes)\n", f->url.c_str(),
                 static_cast<unsigned long long>(f->max_bytes));
  } else if (const auto* p = std::get_if<tuf::Persist>(&a)) {
    std::fprintf(stderr, "tufget: persist verified %s (%zu bytes)\n", p->role.c_str(),
                 p->bytes.size());
  } else if (const auto* l = std::get_if<tuf::LoadCached>(&a)) {
    std::fprintf(stderr, "tufget: load cached %s\n", l->role.c_str());
  }
}

std::string hash_names(const tuf::HashList& hashes) {
  std::vector<std::string> names;
  for (const auto& h : hashes) names.push_back(h.first);
  return join(names, ", ");
}

}  // namespace

// ---- target interpreter ----------------------------------------------------------------------------

tuf::Result<pkg_fs::Interpreter> detect_target_python(const std::string& python_version,
                                                      const std::vector<std::string>& platforms) {
  const fs::path cache = xdg_cache_home() / "tufget" / "interpreters";
  std::optional<pkg_fs::Interpreter> local;
  if (python_version.empty() || platforms.empty()) {
    if (auto path = pkg_fs::find_python("python3")) {
      if (auto q = pkg_fs::query_interpreter(*path, cache)) local = std::move(*q);
    }
  }
  if (!python_version.empty()) {
    std::vector<std::string> plats = platforms;
    if (plats.empty() && local) plats = local->tag_info.platforms;
    auto synthetic = pkg_fs::synthetic_interpreter(python_version, plats);
    if (!synthetic) return tuf::fail(tuf::Errc::usage, "", "--python-version: " + synthetic.error().message());
    return std::move(*synthetic);
  }
  if (!local) {
    return tuf::fail(tuf::Errc::usage, "",
                     "cannot run python3 to learn the target interpreter; pass --python-version X.Y");
  }
  if (!platforms.empty()) {
    local->tag_info.platforms = platforms;
    local->tags = pkg::TagSet(pkg::supported_tags(local->tag_info));
  }
  return std::move(*local);
}

std::string describe(const pkg_fs::Interpreter& python) {
  const auto& t = python.tag_info;
  return python.markers.platform_python_implementation + " " + std::to_string(t.major) + "." +
         std::to_string(t.minor) + " on " +
         (t.platforms.empty() ? std::string("any platform") : t.platforms.front());
}

bool pins_version(const pkg::Requirement& req) {
  const auto& specs = req.specifiers.specifiers();
  return std::any_of(specs.begin(), specs.end(), [](const pkg::Specifier& s) {
    return (s.op() == pkg::Specifier::Op::equal && !s.wildcard()) ||
           s.op() == pkg::Specifier::Op::arbitrary;
  });
}

// ---- TUF side ------------------------------------------------------------------------------------

std::string VerifiedPage::provenance() const {
  std::string chain = bin_role.empty() ? "targets delegations" : "targets -> " + bin_role;
  return "TUF-verified simple page (" + chain + ", " + hash_names(target.hashes) + ")";
}

WarehouseClient::WarehouseClient(Repository repo, tuf_io::HttpClient& http, int verbose)
    : repo_(std::move(repo)), http_(http), store_(repo_.metadata_dir) {
  if (verbose > 0) hooks_.trace = trace_action;
}

tuf::Result<std::string> WarehouseClient::bootstrap_first_use() {
  tuf::UpdaterConfig config;
  auto bytes = http_.fetch(repo_.metadata_url + "1.root.json", config.root_max_length);
  if (!bytes) {
    bytes.error().role = "root";
    bytes.error().detail += " (trust on first use: " + repo_.metadata_url + "1.root.json)";
    return std::unexpected(bytes.error());
  }
  if (auto ok = adopt_first_use_root(repo_, std::move(*bytes)); !ok) return std::unexpected(ok.error());
  std::error_code ec;
  fs::create_directories(repo_.metadata_dir, ec);
  if (auto ok = store_.persist("root", tuf::as_bytes(repo_.root_bytes)); !ok) {
    return std::unexpected(ok.error());
  }
  return first_use_warning(repo_);
}

tuf::Result<void> WarehouseClient::refresh(tuf::Timestamp now) {
  std::error_code ec;
  fs::create_directories(repo_.metadata_dir, ec);
  if (ec) {
    return tuf::fail(tuf::Errc::transport, "", "cannot create " + repo_.metadata_dir.string() +
                                                   ": " + ec.message());
  }
  auto u = tuf::Updater::create(tuf::as_bytes(repo_.root_bytes), repo_.metadata_url);
  if (!u) {
    u.error().detail += " (initial root: " + repo_.root_origin + ")";
    return std::unexpected(u.error());
  }
  updater_.emplace(std::move(*u));
  if (auto ok = updater_->start_refresh(now); !ok) return ok;
  return tuf_io::drive(*updater_, http_, store_, hooks_);
}

tuf::Result<tuf::TargetInfo> WarehouseClient::lookup(const std::string& project) {
  return std::move(lookup_many({project}).front());
}

std::vector<tuf::Result<tuf::TargetInfo>> WarehouseClient::lookup_many(
    const std::vector<std::string>& projects) {
  std::vector<tuf::Result<tuf::TargetInfo>> out;
  if (!updater_) {
    out.assign(projects.size(), tuf::fail(tuf::Errc::usage, "", "refresh first"));
    return out;
  }
  auto found = tuf_io::lookup_all(*updater_, http_, store_, projects, hooks_);
  if (!found) {
    out.assign(projects.size(), std::unexpected(found.error()));
    return out;
  }
  for (std::size_t i = 0; i < projects.size(); ++i) {
    auto& one = (*found)[i];
    if (!one) {
      out.emplace_back(std::unexpected(std::move(one.error())));
    } else if (!*one) {
      const std::string bin = bin_for(projects[i]);
      out.emplace_back(tuf::fail(
          tuf::Errc::target_not_found, projects[i],
          "the repository's TUF metadata does not list this project" +
              (bin.empty() ? std::string() : " (its bin " + bin + " has no such target)") +
              "; refusing any page the server may offer for it"));
    } else {
      out.emplace_back((*one)->info());
    }
  }
  return out;
}

std::string WarehouseClient::bin_for(const std::string& project) const {
  if (!updater_) return "";
  const auto* targets = updater_->trusted().targets();
  if (!targets || !targets->signed_part.delegations) return "";
  const auto& succinct = targets->signed_part.delegations->succinct_roles;
  return succinct ? succinct->role_for_target(project) : "";
}

tuf::Result<VerifiedPage> WarehouseClient::accept_page(const tuf::TargetInfo& info,
                                                       std::string page_url,
                                                       std::string bytes) const {
  // The page is a TUF target: its length and every hash the bin lists (blake2b-256).
  if (auto ok = tuf::verify_target(info, tuf::as_bytes(bytes)); !ok) {
    const std::string bin = bin_for(info.path);
    ok.error().detail += " (simple page " + page_url + " does not match the TUF-verified bin " +
                         (bin.empty() ? std::string("metadata") : bin) + ")";
    return std::unexpected(ok.error());
  }
  VerifiedPage page;
  page.project = info.path;
  page.bin_role = bin_for(info.path);
  page.target = info;
  page.url = std::move(page_url);
  page.bytes = std::move(bytes);
  auto parsed = pkg::parse_simple_html(page.bytes, page.url);
  if (!parsed) {
    return tuf::fail(tuf::Errc::repository_error, info.path,
                     "verified simple page cannot be used: " + parsed.error().message());
  }
  page.page = std::move(*parsed);
  if (auto ok = check_page_project(page.page, info.path); !ok) return std::unexpected(ok.error());
  return page;
}

std::vector<tuf::Result<VerifiedPage>> WarehouseClient::fetch_pages(
    const std::vector<tuf::TargetInfo>& targets) {
  std::vector<tuf::Result<VerifiedPage>> out(
      targets.size(), tuf::fail(tuf::Errc::usage, "", "not fetched"));
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const tuf::TargetInfo& info = targets[i];
    auto url = repo_.target_url_rule.url_for(info, repo_.index_url);
    if (!url) {
      out[i] = std::unexpected(url.error());
      continue;
    }
    tuf_io::FetchRequest req;
    req.url = *url;
    // 5.7.3: never more than the length the bin lists.
    req.max_bytes = info.length;
    http_.async_fetch(std::move(req), [this, &out, &info, i, page_url = *url](tuf_io::FetchResult r) {
      if (!r) {
        r.error().role = info.path;
        r.error().detail += " (simple page " + page_url + ")";
        out[i] = std::unexpected(r.error());
        return;
      }
      out[i] = accept_page(info, page_url, std::move(*r));
    });
  }
  http_.run();
  return out;
}

std::vector<tuf::Result<VerifiedPage>> WarehouseClient::pages(
    const std::vector<std::string>& projects) {
  // The unsigned copies, fetched while the bins are: nothing is read from them until a bin
  // has vouched for their exact bytes.
  std::string base = repo_.index_url;
  if (base.empty() || base.back() != '/') base.push_back('/');
  std::vector<std::optional<tuf_io::FetchResult>> early(projects.size());
  for (std::size_t i = 0; i < projects.size(); ++i) {
    tuf_io::FetchRequest req;
    req.url = base + projects[i] + "/";
    req.max_bytes = kSpeculativePageBytes;
    http_.async_fetch(std::move(req), [&early, i](tuf_io::FetchResult r) { early[i] = std::move(r); });
  }
  auto infos = lookup_many(projects);
  http_.run();  // the early pages still in flight

  std::vector<tuf::Result<VerifiedPage>> out(projects.size(),
                                             tuf::fail(tuf::Errc::usage, "", "not fetched"));
  std::vector<tuf::TargetInfo> again;
  std::vector<std::size_t> again_slot;
  for (std::size_t i = 0; i < projects.size(); ++i) {
    if (!infos[i]) {
      out[i] = std::unexpected(std::move(infos[i].error()));
      continue;
    }
    auto& e = early[i];
    if (e && *e && tuf::verify_target(*infos[i], tuf::as_bytes(**e))) {
      out[i] = accept_page(*infos[i], base + projects[i] + "/", std::move(**e));
      continue;
    }
    again.push_back(std::move(*infos[i]));
    again_slot.push_back(i);
  }
  if (again.empty()) return out;
  auto fetched = fetch_pages(again);
  for (std::size_t k = 0; k < again.size(); ++k) out[again_slot[k]] = std::move(fetched[k]);
  return out;
}

tuf::Result<std::string> prepare_root(WarehouseClient& client) {
  const Repository& repo = client.repository();
  if (repo.root_source == RootSource::first_use) return client.bootstrap_first_use();
  if (repo.root_source == RootSource::first_use_kept) {
    return "tufget: warning: " + repo.index_url + " has no pinned root; using the root trusted on "
           "first use (" + repo.root_origin + ")\n";
  }
  return std::string();
}

tuf::Result<void> check_page_project(const pkg::ProjectPage& page, const std::string& project) {
  if (page.name && pkg::normalize_name(*page.name) != project) {
    return tuf::fail(tuf::Errc::repository_error, project,
                     "the simple page is the page of another project", project, *page.name);
  }
  for (const pkg::DistFile& f : page.files) {
    std::optional<std::string> name;
    if (auto w = pkg::parse_wheel_filename(f.filename)) {
      name = w->name;
    } else if (auto s = pkg::parse_sdist_filename(f.filename)) {
      name = s->name;
    }
    if (name && *name != project) {
      return tuf::fail(tuf::Errc::repository_error, project,
                       "the simple page lists a file of another project (" + f.filename +
                           "); refusing the page",
                       project, *name);
    }
  }
  return {};
}

// ---- choosing a wheel ----------------------------------------------------------------------------

tuf::Result<WheelChoice> choose_wheel(const VerifiedPage& page, const pkg::Requirement& req,
                                      const pkg_fs::Interpreter& python) {
  struct Candidate {
    const pkg::DistFile* file;
    pkg::WheelFilename wheel;
    std::size_t rank;
  };
  std::vector<Candidate> candidates;
  std::set<std::string> all_versions, skipped_tags, skipped_python, skipped_yanked, no_hash;
  bool sdists = false;
  for (const pkg::DistFile& f : page.page.files) {
    auto w = pkg::parse_wheel_filename(f.filename);
    if (!w) {
      if (pkg::parse_sdist_filename(f.filename)) sdists = true;
      continue;
    }
    all_versions.insert(w->parsed_version.str());
    const auto best_tag = python.tags.best(w->tags);
    if (!best_tag) {
      skipped_tags.insert(f.filename);
      continue;
    }
    const std::size_t rank = *best_tag;
    if (f.requires_python) {
      auto rp = pkg::SpecifierSet::parse(*f.requires_python);
      if (!rp || !rp->contains(python.version, pkg::Prereleases::allow)) {
        skipped_python.insert(f.filename + " (Requires-Python " + *f.requires_python + ")");
        continue;
      }
    }
    if (f.yanked && !pins_version(req)) {
      skipped_yanked.insert(f.filename);
      continue;
    }
    if (!f.sha256()) {
      no_hash.insert(f.filename);
      continue;
    }
    candidates.push_back(Candidate{&f, std::move(*w), rank});
  }

  // The requirement's version filter over the distinct candidate versions.
  std::vector<pkg::Version> versions;
  for (const Candidate& c : candidates) {
    if (std::find(versions.begin(), versions.end(), c.wheel.parsed_version) == versions.end()) {
      versions.push_back(c.wheel.parsed_version);
    }
  }
  std::optional<pkg::Version> best_version;
  for (std::size_t idx : req.specifiers.filter(versions)) {
    if (!best_version || versions[idx] > *best_version) best_version = versions[idx];
  }
  if (!best_version) {
    std::string why = "no wheel of " + req.project + " on its verified page matches '" + req.str() +
                      "' for " + describe(python);
    std::vector<std::string> lines;
    if (!all_versions.empty()) {
      lines.push_back("wheel versions listed: " +
                      join(std::vector<std::string>(all_versions.begin(), all_versions.end()), ", "));
    }
    if (!skipped_tags.empty()) lines.push_back(std::to_string(skipped_tags.size()) + " wheel(s) for other platforms/interpreters");
    for (const auto& s : skipped_python) lines.push_back("skipped " + s);
    for (const auto& s : skipped_yanked) lines.push_back("skipped yanked " + s + " (pin it with == to use it)");
    for (const auto& s : no_hash) lines.push_back("skipped " + s + ": the page gives no sha256 to verify it");
    if (sdists) lines.push_back("source distributions are not built by download");
    if (!lines.empty()) why += " (" + join(lines, "; ") + ")";
    return tuf::fail(tuf::Errc::usage, req.project, why);
  }
  const Candidate* best = nullptr;
  for (const Candidate& c : candidates) {
    if (c.wheel.parsed_version != *best_version) continue;
    if (!best || c.rank < best->rank ||
        (c.rank == best->rank && c.wheel.build > best->wheel.build)) {
      best = &c;
    }
  }
  WheelChoice choice;
  choice.file = *best->file;
  choice.wheel = best->wheel;
  choice.sha256 = *best->file->sha256();
  choice.tag = python.tags.tags()[best->rank].str();
  return choice;
}

// ---- fetching files ------------------------------------------------------------------------------

void fetch_files(tuf_io::HttpClient& http, const FileCache& cache, Reporter& progress,
                 std::vector<FileJob>& jobs, bool allow_file_urls) {
  for (FileJob& job : jobs) {
    if (job.staged || job.error) continue;
    // A cache hit is re-hashed while it is copied into a staged file.
    if (job.sha256.empty() && !job.pins_check_it) {
      job.error = tuf::Error{tuf::Errc::usage, job.filename, "no sha256 to verify it against", {}, {}};
      continue;
    }
    if (auto hit = job.pins_check_it ? std::nullopt : cache.take(job.sha256, job.max_bytes, &job.note)) {
      job.staged = std::move(*hit);
      job.from_cache = true;
      continue;
    }
    auto parsed = boost::urls::parse_absolute_uri(job.url);
    const std::string scheme = parsed ? std::string(parsed->scheme()) : std::string();
    if (!(scheme == "http" || scheme == "https" || (scheme == "file" && allow_file_urls))) {
      job.error = tuf::Error{tuf::Errc::repository_error, job.filename,
                             "the page links it with an unsupported URL: " + job.url, {}, {}};
      continue;
    }
    auto staged = StagedFile::create(cache.staging_dir());
    if (!staged) {
      job.error = staged.error();
      continue;
    }
    job.staged = std::move(*staged);
    const std::size_t handle = progress.start(job.filename);
    auto write_error = std::make_shared<std::optional<tuf::Error>>();
    tuf_io::FetchRequest req;
    req.url = job.url;
    req.max_bytes = job.max_bytes;
    req.sink = [&job, &progress, handle, write_error](tuf::Bytes chunk) {
      if (auto ok = job.staged->write(chunk); !ok) {
        *write_error = ok.error();
        return false;
      }
      progress.advance(handle, chunk.size());
      return true;
    };
    http.async_fetch(std::move(req), [&job, &progress, handle, write_error](tuf_io::FetchResult r) {
      progress.finish(handle);
      if (!r) {
        tuf::Error e = write_error->value_or(r.error());
        e.role = job.filename;
        e.detail += " (" + job.url + ")";
        job.error = std::move(e);
        job.staged.reset();
        return;
      }
      // The only check that matters: the sha256 the TUF-verified page gives.
      if (!job.pins_check_it && job.staged->sha256() != job.sha256) {
        job.error = tuf::Error{tuf::Errc::length_or_hash_mismatch, job.filename,
                               job.provenance.find("TUF-verified") != std::string::npos
                                   ? "sha256 differs from the TUF-verified simple page (" + job.url + ")"
                                   : "sha256 differs from the expected one (" + job.provenance +
                                         "; " + job.url + ")",
                               job.sha256, job.staged->sha256()};
        job.staged.reset();
      }
    });
  }
  http.run();
}

}  // namespace tufget
