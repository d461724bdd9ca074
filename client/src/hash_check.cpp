// Hash-checking mode's checks (see hash_check.h); printing and installing are the CLI's.
#include "client/hash_check.h"

#include <algorithm>
#include <utility>

#include "client/warehouse.h"
#include "pkg/resolver.h"
#include "pkg_fs/file_hash.h"
#include "pkg_fs/installer.h"

namespace tufget {
namespace {

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// A constraint's hashes narrow its project's: the pins of both lines must share one.
void apply_constraint(PinnedEntry& e, const RootRequirement& c, HashReport& report) {
  e.constraints.push_back(&c);
  if (c.sha256.empty()) return;
  if (!e.root->hashed()) {
    e.sha256 = c.sha256;
    return;
  }
  std::vector<std::string> both;
  for (const auto& h : e.sha256) {
    if (contains(c.sha256, h)) both.push_back(h);
  }
  if (both.empty()) {
    report.other.push_back(e.root->req.name + ": the hashes pinned at " + e.root->origin +
                           " and at " + c.origin + " have none in common");
  }
  e.sha256 = std::move(both);
}

// The newest candidate the entry's line and constraints allow (not an installed one).
std::optional<std::size_t> pick_candidate(const PinnedEntry& e, const pkg::CandidateList& list,
                                          bool pre) {
  const pkg::Requirement& req = e.root->req;
  const auto mode = pins_version(req) || pre ? pkg::Prereleases::allow : pkg::Prereleases::implied;
  for (const pkg::Candidate& c : list.candidates) {
    if (c.installed || !req.specifiers.contains(c.version, mode)) continue;
    const bool allowed = std::all_of(e.constraints.begin(), e.constraints.end(),
                                     [&](const RootRequirement* k) {
                                       return k->req.specifiers.contains(c.version,
                                                                         pkg::Prereleases::allow);
                                     });
    if (allowed) return c.handle;
  }
  return std::nullopt;
}

// The report block for a file whose bytes match none of its pins.
std::string mismatch_block(const PinnedEntry& e, const CandidateFile& f, bool index_differs) {
  std::string block = "  " + e.root->req.name + " " + f.version.str() + " (" + e.root->origin + ")\n";
  block += "    file:     " + f.file.filename + "\n";
  block += "    from:     " + f.file.url + "\n";
  bool first = true;
  auto expected = [&](const std::string& alg, const std::string& h) {
    block += std::string(first ? "    expected: " : "              ") + alg + ":" + h + "\n";
    first = false;
  };
  for (const auto& h : e.sha256) expected("sha256", h);
  for (const auto& [alg, values] : e.other) {
    for (const auto& h : values) expected(alg, h);
  }
  block += "    got:      sha256:" + e.got + "\n";
  if (f.page_verified) {
    block += index_differs
                 ? "    TUF:      the TUF-verified index lists sha256:" + f.sha256 +
                       " for this file: the bytes served are not the file the index signed\n"
                 : "    TUF:      the TUF-verified index serves this file (sha256:" + f.sha256 +
                       "): the index now has another file than the one pinned\n";
  } else if (index_differs) {
    block += "    note:     the page listed sha256:" + f.sha256 + " for it (" + f.page_provenance + ")\n";
  }
  return block;
}

// Whether the downloaded file matches a pin of its entry (sha256, or a sha384/sha512 pin).
bool matches_pins(const PinnedEntry& e, const CandidateFile& f) {
  if (contains(e.sha256, e.got)) return true;
  for (const auto& [alg, values] : e.other) {
    auto digest = pkg_fs::hash_file(f.wheel_file->path(), alg);
    if (digest && contains(values, digest->hex)) return true;
  }
  return false;
}

// Step 3 for one entry, once its file was fetched (or failed with `error`).
void check_one_file(PinnedEntry& e, CandidateFile& f, const std::optional<tuf::Error>& error,
                    HashReport& report) {
  const pkg::Requirement& req = e.root->req;
  bool index_differs = false;
  if (f.wheel_file) {
    e.got = f.wheel_file->sha256();
  } else if (error && error->code == tuf::Errc::length_or_hash_mismatch && !error->got.empty()) {
    e.got = error->got;  // the bytes are not the file the page lists
    index_differs = true;
  } else {
    report.other.push_back(req.name + " (" + e.root->origin + "): " +
                           (error ? error->message() : std::string("not downloaded")));
    return;
  }
  const std::string version = f.version.str();
  // Bytes that match the TUF-verified page may speak for their dependencies even when the
  // line lacks a hash (the report can then also name what they need).
  e.trusted = f.wheel_file.has_value() && f.page_verified;
  if (!pins_version(req)) {
    report.unpinned.push_back("  " + req.str() + " (" + e.root->origin + "): the newest match is " +
                              version + "; to pin it:\n    " + paste_line(req.name, version, e.got) +
                              "\n");
    return;
  }
  if (!e.root->hashed() && e.sha256.empty()) {
    report.missing.push_back(paste_line(req.name, version, e.got) + "    # " + e.root->origin +
                             (f.page_verified ? "" : " (unverified)"));
    report.missing_unverified = report.missing_unverified || !f.page_verified;
    return;
  }
  if (!index_differs && matches_pins(e, f)) {
    e.verified = e.trusted = true;
    return;
  }
  e.trusted = false;
  report.mismatches.push_back(mismatch_block(e, f, index_differs));
}

// The wheel's own METADATA, for a trusted entry; false (reported) when it cannot be used.
bool read_wheel_metadata(const std::string& project, PinnedEntry& e, CandidateFile& f,
                         HashReport& report) {
  auto meta = pkg_fs::verify_wheel(f.wheel_file->path(), f.file.filename);
  if (!meta) {
    report.other.push_back(f.file.filename + ": " + meta.error().message());
    return false;
  }
  auto md = pkg::parse_core_metadata(*meta);
  if (!md || md->project != project || md->version != f.version) {
    report.other.push_back(f.file.filename + ": its METADATA " +
                           (md ? "names " + md->name + " " + md->version_text : md.error().message()));
    return false;
  }
  f.metadata_text = std::move(*meta);
  f.metadata_source = e.verified ? "the wheel's METADATA (the wheel matched its hash pin)"
                                 : "the wheel's METADATA (the wheel matched the TUF-verified page)";
  e.metadata = std::move(*md);
  e.has_metadata = true;
  for (const std::string& extra : e.metadata.missing_extras(e.root->req.extras)) {
    report.warnings.push_back(e.metadata.name + " " + e.metadata.version_text +
                              " does not provide the extra '" + extra + "'");
  }
  return true;
}

// A dependency that no line pins, and who needs it.
using Absent = std::vector<std::pair<pkg::Requirement, std::string>>;

// The worklist over the entries' dependencies: conflicts go to the report, dependencies no line
// names are returned.
Absent find_unpinned_dependencies(PinnedSet& entries, IndexProvider& provider,
                                  const pkg::MarkerEnvironment& env, HashReport& report) {
  Absent absent;
  std::set<std::pair<std::string, std::string>> checked;  // (project, extras key) done
  std::set<std::string> conflicts;
  for (bool changed = true; changed;) {
    changed = false;
    for (auto& [project, e] : entries) {
      if (!e.has_metadata) continue;
      std::vector<std::string> extras(e.extras.begin(), e.extras.end());
      std::string key;
      for (const auto& x : extras) key += x + ",";
      if (!checked.insert({project, key}).second) continue;
      const std::string who = e.metadata.name + " " + e.metadata.version_text;
      for (const pkg::Requirement& dep : e.metadata.dependencies(env, extras)) {
        auto it = entries.find(dep.project);
        if (it == entries.end() || !it->second.handle) {
          if (it == entries.end()) absent.emplace_back(dep, who);
          continue;
        }
        PinnedEntry& d = it->second;
        const pkg::Version& v = provider.file(*d.handle).version;
        if (!dep.specifiers.contains(v, pkg::Prereleases::allow)) {
          const std::string msg = who + " requires " + dep.str() + ", but " + d.root->origin +
                                  " pins " + d.root->req.name + " " + v.str();
          if (conflicts.insert(msg).second) report.other.push_back(msg);
        }
        for (const auto& x : dep.extras) {
          if (d.extras.insert(x).second) changed = true;
        }
        if (!contains(d.required_by, who)) d.required_by.push_back(who);
      }
    }
  }
  return absent;
}

std::string joined(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// From a TUF-enabled index: the missing dependencies resolved all the way down (every page and
// file verified), as paste-ready lines. False when resolving fails.
bool suggest_by_resolving(const Absent& absent, const PinnedSet& entries, IndexProvider& provider,
                          const pkg::MarkerEnvironment& env, bool pre, HashReport& report) {
  std::vector<pkg::Requirement> roots;
  std::map<std::string, std::set<std::string>> who;
  for (const auto& [req, by] : absent) {
    roots.push_back(req);
    who[req.project].insert(by);
  }
  std::vector<pkg::Requirement> pinned;
  for (const auto& [project, e] : entries) {
    if (!e.handle) continue;
    if (auto r = pkg::Requirement::parse(project + "==" + provider.file(*e.handle).version.str())) {
      pinned.push_back(std::move(*r));
    }
  }
  pkg::ResolveOptions ropt;
  ropt.environment = env;
  ropt.prereleases = pre ? pkg::Prereleases::allow : pkg::Prereleases::implied;
  auto res = pkg::resolve(roots, pinned, provider, ropt);
  if (!res) return false;
  for (const pkg::ResolvedDist& d : res->dists) {
    if (entries.count(d.candidate.project) > 0) continue;
    const CandidateFile& f = provider.file(d.candidate.handle);
    std::string by = joined(who[d.candidate.project]);
    for (const auto& w : d.required_by) {  // "name version (requirement)" or "the user (...)"
      if (w.rfind("the user", 0) == 0) continue;
      const std::string dependent = w.substr(0, w.find(" ("));
      if (by.find(dependent) == std::string::npos) by += (by.empty() ? "" : ", ") + dependent;
    }
    report.missing.push_back(paste_line(d.metadata.name, f.version.str(), f.sha256) +
                             "    # required by " + by);
  }
  return true;
}

// Otherwise only the first level is named: nothing vouches for their metadata.
void suggest_first_level(const Absent& absent, IndexProvider& provider, bool pre,
                         HashReport& report) {
  std::map<std::string, std::set<std::string>> who;
  for (const auto& [req, by] : absent) who[req.project].insert(by);
  std::set<std::string> done;
  const auto mode = pre ? pkg::Prereleases::allow : pkg::Prereleases::implied;
  for (const auto& [req, dependent] : absent) {
    if (!done.insert(req.project).second) continue;
    std::string line = req.str();
    bool unverified = false;
    if (auto list = provider.candidates(req.project)) {
      for (const pkg::Candidate& c : list->candidates) {
        if (c.installed || !req.specifiers.contains(c.version, mode)) continue;
        const CandidateFile& f = provider.file(c.handle);
        line = paste_line(req.name, f.version.str(), f.sha256);
        unverified = !f.page_verified;
        break;
      }
    }
    report.missing.push_back(line + "    # required by " + joined(who[req.project]) +
                             (unverified ? " (unverified)" : ""));
    report.missing_unverified = report.missing_unverified || unverified;
  }
}

}  // namespace

std::string paste_line(const std::string& name, const std::string& version,
                       const std::string& sha256) {
  return name + "==" + version + " --hash=sha256:" + sha256;
}

PinnedSet pinned_set(const Requested& requested, const pkg::MarkerEnvironment& env,
                     HashReport& report) {
  PinnedSet entries;
  for (const RootRequirement& r : requested.roots) {
    if (!r.req.applies(env)) continue;
    auto [it, fresh] = entries.try_emplace(r.req.project);
    PinnedEntry& e = it->second;
    if (!fresh) {
      if (e.root->req.str() == r.req.str() && e.root->sha256 == r.sha256) continue;
      report.other.push_back(r.req.name + " is listed twice: '" + e.root->req.str() + "' (" +
                             e.root->origin + ") and '" + r.req.str() + "' (" + r.origin +
                             "); keep one line");
      continue;
    }
    e.root = &r;
    e.sha256 = r.sha256;
    e.other = r.other_hashes;
    e.extras.insert(r.req.extras.begin(), r.req.extras.end());
    e.required_by.push_back(r.origin);
  }
  for (const RootRequirement& c : requested.constraints) {
    if (!c.req.applies(env)) continue;
    auto it = entries.find(c.req.project);
    if (it != entries.end()) apply_constraint(it->second, c, report);
  }
  return entries;
}

std::vector<std::size_t> choose_pinned_files(PinnedSet& entries, IndexProvider& provider, bool pre,
                                             HashReport& report) {
  std::vector<std::string> projects;
  for (const auto& [p, e] : entries) projects.push_back(p);
  provider.prefetch_projects(projects);
  std::vector<std::size_t> handles;
  for (auto& [project, e] : entries) {
    const pkg::Requirement& req = e.root->req;
    auto list = provider.candidates(project);
    if (!list) {
      report.other.push_back(req.name + " (" + e.root->origin + "): " +
                             (provider.last_error() ? provider.last_error()->message()
                                                    : list.error().message()));
      continue;
    }
    e.handle = pick_candidate(e, *list, pre);
    if (!e.handle) {
      std::string why;
      for (const auto& r : list->rejected) why += "; " + r;
      report.other.push_back(req.str() + " (" + e.root->origin + "): no suitable wheel on " +
                             provider.source().name() + why);
      continue;
    }
    CandidateFile& f = provider.file(*e.handle);
    if (e.root->hashed()) f.pin_origin = e.root->origin;
    if (f.file.yanked) {
      report.warnings.push_back(f.file.filename + " is yanked" +
                                (f.file.yanked_reason ? " (" + *f.file.yanked_reason + ")" : std::string()) +
                                "; using it because " + e.root->origin + " pins its version");
    }
    handles.push_back(*e.handle);
  }
  return handles;
}

void check_pinned_files(PinnedSet& entries, IndexProvider& provider,
                        const std::vector<std::size_t>& handles, HashReport& report) {
  const std::vector<tuf::Error> errors = provider.fetch_wheels(handles);
  for (auto& [project, e] : entries) {
    if (!e.handle) continue;
    CandidateFile& f = provider.file(*e.handle);
    std::optional<tuf::Error> error;
    for (const tuf::Error& err : errors) {
      if (err.role == f.file.filename) error = err;
    }
    check_one_file(e, f, error, report);
  }
}

bool check_dependencies_pinned(PinnedSet& entries, IndexProvider& provider,
                               const pkg::MarkerEnvironment& env, bool pre, bool no_deps,
                               HashReport& report) {
  bool all_verified = true;
  for (auto& [project, e] : entries) {
    if (!e.verified) all_verified = false;
    if (!e.trusted) continue;
    if (!read_wheel_metadata(project, e, provider.file(*e.handle), report)) {
      e.verified = false;
      all_verified = false;
    }
  }
  if (no_deps) return all_verified;  // the lines themselves only, as pip does
  const Absent absent = find_unpinned_dependencies(entries, provider, env, report);
  if (absent.empty()) return all_verified;
  if (!provider.source().verified() ||
      !suggest_by_resolving(absent, entries, provider, env, pre, report)) {
    suggest_first_level(absent, provider, pre, report);
  }
  return all_verified;
}

}  // namespace tufget
