// Hash-checking mode of `tufget install` (install_common.h: install_hash_checked).
//
// It switches on when any requirement carries a hash (pip's --hash, peep's "# sha256:"
// comments) or with --require-hashes. Then the requirements file is the whole install:
//   - every requirement that applies must be pinned with == (or ===) and hashed;
//   - nothing is pulled in implicitly: every dependency of every pinned wheel must itself be
//     pinned in the file (the wheel's own METADATA, read after the wheel matched its pin);
//   - every file is downloaded and checked against its pins (and, from a TUF-enabled index,
//     against the TUF-verified page as well) before anything is installed.
// Every problem is collected and printed in one report, in the spirit of peep's: the package,
// the file, the expected hashes, the hash it got, and what to do, with ready-to-paste lines for
// requirements that lack a hash. Exit status 1; nothing is installed.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "install_common.h"
#include "pkg/core_metadata.h"
#include "pkg/names.h"
#include "pkg/resolver.h"
#include "pkg_fs/file_hash.h"
#include "pkg_fs/installer.h"

namespace tufget {
namespace {

// One project of the file: its requirement, the hashes allowed for it, the chosen file.
struct Entry {
  const RootRequirement* root = nullptr;
  std::vector<const RootRequirement*> constraints;
  std::vector<std::string> sha256;                              // allowed sha256 values
  std::map<std::string, std::vector<std::string>> other;        // sha384 / sha512 pins
  std::optional<std::size_t> handle;                            // chosen candidate file
  std::string got;                                              // sha256 of the bytes served
  bool verified = false;                                        // the file matched its pins
  bool trusted = false;  // its bytes are vouched for: pins matched, or the TUF-verified page's sha256
  std::set<std::string> extras;                                 // requested extras (normalised)
  pkg::DistMetadata metadata;
  bool has_metadata = false;
  std::vector<std::string> required_by;
};

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string paste_line(const std::string& name, const std::string& version, const std::string& sha256) {
  return name + "==" + version + " --hash=sha256:" + sha256;
}

// The report, collected while checking and printed once.
struct Report {
  std::vector<std::string> mismatches;   // one block per file
  std::vector<std::string> missing;      // paste-ready lines (with a comment line each)
  std::vector<std::string> unpinned;     // blocks
  std::vector<std::string> other;        // one line each
  bool missing_unverified = false;       // some suggested hashes come from an unverified page
  bool empty() const {
    return mismatches.empty() && missing.empty() && unpinned.empty() && other.empty();
  }
};

void print_report(const Report& r, const Out& out) {
  std::string text;
  if (!r.other.empty()) {
    for (const auto& line : r.other) text += "  " + line + "\n";
    text += "\n";
  }
  if (!r.mismatches.empty()) {
    text += out.paint("1", "These files do not match the hashes pinned for them:") + "\n";
    for (const auto& block : r.mismatches) text += block;
    text +=
        "  If you changed these requirements on purpose (a new version or a rebuilt file), check\n"
        "  the new files and replace their hashes with the 'got' values above. Otherwise the files\n"
        "  were altered on the server or on the way: do not install them.\n\n";
  }
  if (!r.unpinned.empty()) {
    text += out.paint("1", "In hash-checking mode every requirement must be pinned with ==. These are not:") + "\n";
    for (const auto& block : r.unpinned) text += block;
    text += "\n";
  }
  if (!r.missing.empty()) {
    text += out.paint("1", "In hash-checking mode every requirement needs a hash, and every dependency must be in\n"
                           "the requirements file. These lack one; here they are with the sha256 of the files\n"
                           "that would be installed. Check them, then paste them into the requirements file:") + "\n";
    for (const auto& line : r.missing) text += "    " + line + "\n";
    if (r.missing_unverified) {
      text += "  (hashes marked 'unverified' are what a source nothing vouches for serves: examine those\n"
              "  files before you pin them)\n";
    }
    text += "\n";
  }
  std::fputs(text.c_str(), stderr);
  out.error("hash-checking mode: nothing was installed");
}

}  // namespace

int install_hash_checked(InstallRun& run, const Requested& requested) {
  const InstallOptions& o = run.o;
  Out& out = run.out;
  IndexProvider& provider = *run.provider;
  const pkg_fs::Interpreter& python = run.target.python;
  const pkg::MarkerEnvironment& env = python.markers;
  const bool pre = o.pre || requested.pre;
  Report report;

  // 1. The pinned set: one entry per project whose requirement applies here.
  std::map<std::string, Entry> entries;
  for (const RootRequirement& r : requested.roots) {
    if (!r.req.applies(env)) continue;
    auto [it, fresh] = entries.try_emplace(r.req.project);
    Entry& e = it->second;
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
    if (it == entries.end()) continue;  // a constraint never adds a project
    Entry& e = it->second;
    e.constraints.push_back(&c);
    if (c.sha256.empty()) continue;
    if (!e.root->hashed()) {
      e.sha256 = c.sha256;
    } else {
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
  }
  if (entries.empty()) {
    if (!o.quiet) std::fprintf(run.human, "Nothing to install: no requirement applies to this interpreter\n");
    return 0;
  }

  // 2. Pages, and the file each pin names.
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
    const bool exact = pins_version(req);
    const auto mode = exact || pre ? pkg::Prereleases::allow : pkg::Prereleases::implied;
    for (const pkg::Candidate& c : list->candidates) {
      if (c.installed || !req.specifiers.contains(c.version, mode)) continue;
      const bool allowed = std::all_of(e.constraints.begin(), e.constraints.end(), [&](const RootRequirement* k) {
        return k->req.specifiers.contains(c.version, pkg::Prereleases::allow);
      });
      if (!allowed) continue;
      e.handle = c.handle;
      break;
    }
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
      out.warn(f.file.filename + " is yanked" +
               (f.file.yanked_reason ? " (" + *f.file.yanked_reason + ")" : std::string()) +
               "; using it because " + e.root->origin + " pins its version");
    }
    handles.push_back(*e.handle);
  }

  // 3. Every chosen file, downloaded and checked: against the page's sha256 (fetch_wheels),
  // then against the pins. A file is needed even when its requirement lacks a hash: the report
  // then gives the hash it really has.
  const auto t_fetch = Clock::now();
  auto errors = provider.fetch_wheels(handles);
  out.info("downloaded " + std::to_string(handles.size()) + " files in " +
           std::to_string(ms_since(t_fetch)) + " ms");
  for (auto& [project, e] : entries) {
    if (!e.handle) continue;
    CandidateFile& f = provider.file(*e.handle);
    const pkg::Requirement& req = e.root->req;
    std::optional<tuf::Error> error;
    for (const tuf::Error& err : errors) {
      if (err.role == f.file.filename) error = err;
    }
    bool index_differs = false;
    if (f.wheel_file) {
      e.got = f.wheel_file->sha256();
    } else if (error && error->code == tuf::Errc::length_or_hash_mismatch && !error->got.empty()) {
      e.got = error->got;  // the bytes are not the file the page lists
      index_differs = true;
    } else {
      report.other.push_back(req.name + " (" + e.root->origin + "): " +
                             (error ? error->message() : std::string("not downloaded")));
      continue;
    }
    const std::string version = f.version.str();
    // Bytes that match the TUF-verified page may speak for their dependencies even when the
    // line lacks a hash (the report can then also name what they need).
    e.trusted = f.wheel_file.has_value() && f.page_verified;
    if (!pins_version(req)) {
      report.unpinned.push_back("  " + req.str() + " (" + e.root->origin + "): the newest match is " +
                                version + "; to pin it:\n    " + paste_line(req.name, version, e.got) +
                                "\n");
      continue;
    }
    if (!e.root->hashed() && e.sha256.empty()) {
      report.missing.push_back(paste_line(req.name, version, e.got) + "    # " + e.root->origin +
                               (f.page_verified ? "" : " (unverified)"));
      report.missing_unverified = report.missing_unverified || !f.page_verified;
      continue;
    }
    bool match = !index_differs && contains(e.sha256, e.got);
    if (!match && !index_differs && f.wheel_file) {
      for (const auto& [alg, values] : e.other) {
        auto digest = pkg_fs::hash_file(f.wheel_file->path(), alg);
        if (digest && contains(values, digest->hex)) match = true;
      }
    }
    if (match) {
      e.verified = e.trusted = true;
      continue;
    }
    e.trusted = false;
    std::string block = "  " + req.name + " " + version + " (" + e.root->origin + ")\n";
    block += "    file:     " + f.file.filename + "\n";
    block += "    from:     " + f.file.url + "\n";
    bool first = true;
    for (const auto& h : e.sha256) {
      block += std::string(first ? "    expected: " : "              ") + "sha256:" + h + "\n";
      first = false;
    }
    for (const auto& [alg, values] : e.other) {
      for (const auto& h : values) {
        block += std::string(first ? "    expected: " : "              ") + alg + ":" + h + "\n";
        first = false;
      }
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
    report.mismatches.push_back(std::move(block));
  }

  // 4. Nothing implicit: every dependency of every pinned wheel must be in the file. The
  // dependencies come from each wheel's own METADATA, read after it matched its pin (and its
  // RECORD); extras asked for by a dependent widen the set (a worklist until nothing changes).
  std::vector<std::pair<pkg::Requirement, std::string>> absent;  // requirement, required by
  bool all_verified = true;
  for (auto& [project, e] : entries) {
    if (!e.verified) all_verified = false;
    if (!e.trusted) continue;
    CandidateFile& f = provider.file(*e.handle);
    auto meta = pkg_fs::verify_wheel(f.wheel_file->path(), f.file.filename);
    if (!meta) {
      report.other.push_back(f.file.filename + ": " + meta.error().message());
      e.verified = false;
      all_verified = false;
      continue;
    }
    auto md = pkg::parse_core_metadata(*meta);
    if (!md || md->project != project || md->version != f.version) {
      report.other.push_back(f.file.filename + ": its METADATA " +
                             (md ? "names " + md->name + " " + md->version_text : md.error().message()));
      e.verified = false;
      all_verified = false;
      continue;
    }
    f.metadata_text = std::move(*meta);
    f.metadata_source = e.verified ? "the wheel's METADATA (the wheel matched its hash pin)"
                                   : "the wheel's METADATA (the wheel matched the TUF-verified page)";
    e.metadata = std::move(*md);
    e.has_metadata = true;
    for (const std::string& extra : e.metadata.missing_extras(e.root->req.extras)) {
      out.warn(e.metadata.name + " " + e.metadata.version_text + " does not provide the extra '" +
               extra + "'");
    }
  }
  std::set<std::pair<std::string, std::string>> checked;  // (project, extras key) done
  bool changed = !o.no_deps;  // --no-deps: the file's own lines only, as pip does
  std::set<std::string> conflicts;
  while (changed) {
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
        Entry& d = it->second;
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
  if (!absent.empty()) {
    // What the missing dependencies would resolve to, for paste-ready lines. From a TUF-enabled
    // index the resolver can follow them all the way down (every page and file verified);
    // otherwise only the first level is named (nothing vouches for their metadata).
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
    bool listed = false;
    if (provider.source().verified()) {
      pkg::ResolveOptions ropt;
      ropt.environment = env;
      ropt.prereleases = pre ? pkg::Prereleases::allow : pkg::Prereleases::implied;
      if (auto res = pkg::resolve(roots, pinned, provider, ropt)) {
        listed = true;
        for (const pkg::ResolvedDist& d : res->dists) {
          if (entries.count(d.candidate.project) > 0) continue;
          const CandidateFile& f = provider.file(d.candidate.handle);
          std::string by;
          for (const auto& w : who[d.candidate.project]) by += (by.empty() ? "" : ", ") + w;
          for (const auto& w : d.required_by) {  // "name version (requirement)" or "the user (...)"
            if (w.rfind("the user", 0) == 0) continue;
            const std::string dependent = w.substr(0, w.find(" ("));
            if (by.find(dependent) == std::string::npos) by += (by.empty() ? "" : ", ") + dependent;
          }
          report.missing.push_back(paste_line(d.metadata.name, f.version.str(), f.sha256) +
                                   "    # required by " + by);
        }
      }
    }
    if (!listed) {
      std::set<std::string> done;
      for (const auto& [req, dependent] : absent) {
        if (!done.insert(req.project).second) continue;
        std::string line = req.str();
        bool unverified = false;
        if (auto list = provider.candidates(req.project)) {
          for (const pkg::Candidate& c : list->candidates) {
            if (c.installed || !req.specifiers.contains(c.version, pre ? pkg::Prereleases::allow
                                                                         : pkg::Prereleases::implied)) {
              continue;
            }
            const CandidateFile& f = provider.file(c.handle);
            line = paste_line(req.name, f.version.str(), f.sha256);
            unverified = !f.page_verified;
            break;
          }
        }
        std::string by;
        for (const auto& w : who[req.project]) by += (by.empty() ? "" : ", ") + w;
        report.missing.push_back(line + "    # required by " + by + (unverified ? " (unverified)" : ""));
        report.missing_unverified = report.missing_unverified || unverified;
      }
    }
  }
  if (!report.empty() || !all_verified) {
    print_report(report, out);
    return 1;
  }

  // 5. Distributions already installed from the very file pinned are kept (their installed
  // RECORD equals the wheel's), unless --force-reinstall.
  std::vector<std::string> satisfied;
  std::map<std::string, const pkg_fs::InstalledDist*> installed;
  for (const auto& d : run.target.installed) installed[d.project] = &d;
  pkg::Resolution resolution;
  for (auto& [project, e] : entries) {
    CandidateFile& f = provider.file(*e.handle);
    auto inst = installed.find(project);
    if (!o.force_reinstall && inst != installed.end() && inst->second->version == f.version &&
        installed_intact(*inst->second, out)) {
      auto same = pkg_fs::installed_matches_wheel(*inst->second, f.wheel_file->path(),
                                                  run.target.options.scheme, f.file.filename);
      if (same && *same) {
        f.installed = inst->second;
        satisfied.push_back(inst->second->name + " " + inst->second->version_text +
                            " (installed from the pinned file)");
      } else if (!o.quiet) {
        out.warn(inst->second->name + " " + inst->second->version_text +
                 " is installed, but not from the pinned file: reinstalling it");
      }
    }
    pkg::ResolvedDist d;
    d.candidate.project = project;
    d.candidate.version = f.version;
    d.candidate.handle = *e.handle;
    d.candidate.installed = f.installed != nullptr;
    d.extras.assign(e.extras.begin(), e.extras.end());
    d.requested = true;  // every line of the file is the user's request
    d.required_by = e.required_by;
    d.metadata = e.metadata;
    resolution.dists.push_back(std::move(d));
  }
  return install_resolved(run, resolution, satisfied);
}

}  // namespace tufget
