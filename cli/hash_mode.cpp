// Hash-checking mode of `tufget install` (install_common.h: install_hash_checked): the checks
// are client/hash_check.h's; here the report is printed, in the spirit of peep's (the package,
// the file, the expected hashes, the hash it got, and what to do, with ready-to-paste lines for
// requirements that lack a hash), and what passed is installed. Exit status 1 and nothing
// installed when anything is wrong.
#include <cstdio>
#include <map>

#include "client/hash_check.h"
#include "install_common.h"
#include "pkg_fs/installer.h"

namespace tufget {
namespace {

void print_report(const HashReport& r, const Out& out) {
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

// The pinned set as a resolution for install_resolved. Distributions already installed from
// the very file pinned are kept (their installed RECORD equals the wheel's), unless
// --force-reinstall; `satisfied` gets a line for each.
pkg::Resolution pinned_resolution(InstallRun& run, PinnedSet& entries,
                                  std::vector<std::string>& satisfied) {
  const InstallOptions& o = run.o;
  Out& out = run.out;
  IndexProvider& provider = *run.provider;
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
  return resolution;
}

void print_warnings(HashReport& report, const Out& out) {
  for (const auto& w : report.warnings) out.warn(w);
  report.warnings.clear();
}

}  // namespace

int install_hash_checked(InstallRun& run, const Requested& requested) {
  const InstallOptions& o = run.o;
  IndexProvider& provider = *run.provider;
  const pkg::MarkerEnvironment& env = run.target.python.markers;
  const bool pre = o.pre || requested.pre;
  HashReport report;

  PinnedSet entries = pinned_set(requested, env, report);
  if (entries.empty()) {
    if (!o.quiet) std::fprintf(run.human, "Nothing to install: no requirement applies to this interpreter\n");
    return 0;
  }
  const std::vector<std::size_t> handles = choose_pinned_files(entries, provider, pre, report);
  print_warnings(report, run.out);
  const auto t_fetch = Clock::now();
  check_pinned_files(entries, provider, handles, report);
  run.out.info("downloaded " + std::to_string(handles.size()) + " files in " +
               std::to_string(ms_since(t_fetch)) + " ms");
  const bool all_verified =
      check_dependencies_pinned(entries, provider, env, pre, o.no_deps, report);
  print_warnings(report, run.out);
  if (!report.empty() || !all_verified) {
    print_report(report, run.out);
    return 1;
  }
  std::vector<std::string> satisfied;
  const pkg::Resolution resolution = pinned_resolution(run, entries, satisfied);
  return install_resolved(run, resolution, satisfied);
}

}  // namespace tufget
