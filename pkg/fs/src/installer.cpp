// The wheel installer: the five phases of pkg_fs/installer.h put together, list_installed and
// uninstall. Phase 1 is in wheel_zip.cpp, the filesystem helpers in install_fs.cpp.
#include "pkg_fs/installer.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <unordered_map>

#include "fsutil/interrupt.h"
#include "pkg/names.h"
#include "pkg/wheel.h"
#include "pkg_fs/environment.h"
#include "pkg_fs/install_detail.h"

namespace pkg_fs {

using namespace detail;

namespace {

constexpr std::uint64_t kMemoryBudget = 64u << 20;  // member bytes kept between phases 1 and 3

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

std::optional<InstalledDist> read_dist(const fs::path& dist_info) {
  const bool egg = dist_info.filename().string().ends_with(".egg-info");
  std::error_code dir_ec;
  const fs::path metadata = !egg ? dist_info / "METADATA"
                            : fs::is_directory(dist_info, dir_ec) ? dist_info / "PKG-INFO"
                                                                  : dist_info;
  auto nv = read_name_version(metadata);
  if (!nv) return std::nullopt;
  auto version = pkg::Version::parse(nv->second);
  if (!version) return std::nullopt;
  InstalledDist d;
  d.name = nv->first;
  d.project = pkg::normalize_name(d.name);
  d.version = *version;
  d.version_text = nv->second;
  d.dist_info = clean(dist_info);
  d.metadata = clean(metadata);
  d.egg_info = egg;
  std::error_code ec;
  d.has_record = !egg && fs::is_regular_file(dist_info / "RECORD", ec);
  d.requested = fs::exists(dist_info / "REQUESTED", ec);
  std::ifstream in(dist_info / "INSTALLER", std::ios::binary);
  if (in) d.installer = trimmed(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
  return d;
}

// Whether a "<name>-<version>.dist-info" directory name may belong to one of `projects`.
bool may_be_one_of(std::string_view dir_name, const std::set<std::string>& projects) {
  const std::string_view stem = dir_name.substr(0, dir_name.size() - std::string_view(".dist-info").size());
  for (std::size_t dash = stem.find('-'); dash != std::string_view::npos; dash = stem.find('-', dash + 1))
    if (projects.contains(pkg::normalize_name(stem.substr(0, dash)))) return true;
  return projects.contains(pkg::normalize_name(stem));  // "name.egg-info" (setuptools develop)
}

// The .dist-info directories in purelib and platlib (each scanned once); with `projects`, only
// those that may belong to one of them.
std::vector<InstalledDist> scan_installed(const Scheme& scheme, const std::set<std::string>* projects) {
  std::vector<InstalledDist> out;
  std::vector<fs::path> dirs{clean(scheme.purelib)};
  if (clean(scheme.platlib) != dirs[0]) dirs.push_back(clean(scheme.platlib));
  for (const fs::path& dir : dirs) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      const bool dist_info = name.ends_with(".dist-info") && it->is_directory(ec);
      if (!dist_info && !name.ends_with(".egg-info")) continue;  // .egg-info: directory or file
      if (projects != nullptr && !may_be_one_of(name, *projects)) continue;
      if (auto d = read_dist(it->path())) out.push_back(std::move(*d));
    }
  }
  std::sort(out.begin(), out.end(), [](const InstalledDist& a, const InstalledDist& b) {
    return a.project != b.project ? a.project < b.project : a.version < b.version;
  });
  return out;
}

// A file the install writes.
struct PlannedFile {
  fs::path dest;  // clean absolute destination
  fs::path root;  // the scheme directory it is under
  std::size_t wheel = 0;
  const WheelMember* member = nullptr;  // copied from the wheel, unless `content` is set
  std::optional<std::string> content;   // generated or rewritten bytes
  FileMode mode = FileMode::regular;
  fs::path staged;
};

struct WheelPlan {
  fs::path lib_dir;   // the root scheme directory
  fs::path info_dir;  // lib_dir / <name>.dist-info
  fs::path info_staged;  // the .dist-info assembled in a staging folder, renamed into place whole
  std::vector<pkg::RecordEntry> rows;  // the RECORD written (unsorted, without RECORD's own row)
  std::vector<fs::path> py_sources;    // installed .py files, for compiling
  std::vector<RemovalPlan> removals;   // installed distributions of the same project
  std::size_t files = 0;
  std::uint64_t bytes = 0;
};

std::string record_path_of(const fs::path& dest, const fs::path& lib_dir) {
  return dest.lexically_relative(lib_dir).generic_string();
}

void sort_rows(std::vector<pkg::RecordEntry>& rows) {
  // pip sorts (path, hash, str(size)) tuples.
  auto size_text = [](const pkg::RecordEntry& r) { return r.size ? std::to_string(*r.size) : std::string(); };
  std::sort(rows.begin(), rows.end(), [&](const pkg::RecordEntry& a, const pkg::RecordEntry& b) {
    if (a.path != b.path) return a.path < b.path;
    if (a.hash != b.hash) return a.hash < b.hash;
    return size_text(a) < size_text(b);
  });
}

std::string record_text(std::vector<pkg::RecordEntry> rows, const std::string& record_row_path) {
  rows.push_back(pkg::RecordEntry{record_row_path, "", std::nullopt});
  sort_rows(rows);
  return pkg::write_record(rows);
}

// pip's is_entrypoint_wrapper: "EP", "EP.exe", "EP-script.py" and "EP.pya" in .data/scripts are
// setuptools' wrappers for entry point EP and are not installed (the launcher replaces them).
bool is_entry_point_wrapper(std::string_view file_name, const pkg::EntryPoints& eps) {
  auto lower_ends = [&](std::string_view suffix) {
    if (file_name.size() < suffix.size()) return false;
    for (std::size_t i = 0; i < suffix.size(); ++i) {
      char c = file_name[file_name.size() - suffix.size() + i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != suffix[i]) return false;
    }
    return true;
  };
  std::string_view match = file_name;
  if (lower_ends(".exe")) match.remove_suffix(4);
  else if (lower_ends("-script.py")) match.remove_suffix(10);
  else if (lower_ends(".pya")) match.remove_suffix(4);
  auto named = [&](const std::vector<pkg::EntryPoint>& v) {
    return std::any_of(v.begin(), v.end(), [&](const pkg::EntryPoint& e) { return e.name == match; });
  };
  return named(eps.console_scripts) || named(eps.gui_scripts);
}

std::function<bool(const fs::path&)> keep_dirs(const fs::path& prefix, std::vector<fs::path> roots) {
  const fs::path real_prefix = real_path(prefix);
  for (fs::path& r : roots) r = real_path(r);
  // Kept: anything outside the prefix, the prefix, scheme directories and their ancestors, and
  // (when not inside a scheme directory) the prefix's own subdirectories such as bin/ or share/.
  return [real_prefix, roots](const fs::path& d) {
    if (!is_within(d, real_prefix) || d == real_prefix) return true;
    if (std::any_of(roots.begin(), roots.end(), [&](const fs::path& r) { return is_within(r, d); })) return true;
    return d.parent_path() == real_prefix &&
           std::none_of(roots.begin(), roots.end(), [&](const fs::path& r) { return is_within(d, r); });
  };
}

// Phase 2 for one wheel: where every file goes, the generated files, the new RECORD.
pkg::Result<void> plan_wheel(std::size_t index, VerifiedWheel& w, bool requested,
                             const InstallOptions& o, const fs::path& prefix, WheelPlan& plan,
                             std::vector<PlannedFile>& files, std::vector<char>& buffer) {
  auto bad = [&](pkg::Errc code, std::string detail) { return pkg::fail(code, w.filename, std::move(detail)); };
  if (!pkg::is_valid_project_name(w.name))
    return bad(pkg::Errc::invalid_wheel, "METADATA Name '" + w.name + "' is not a valid project name");
  const fs::path purelib = clean(o.scheme.purelib), platlib = clean(o.scheme.platlib);
  const fs::path scripts = clean(o.scheme.scripts), data = clean(o.scheme.data);
  const fs::path headers = clean(o.scheme.headers / w.name);
  plan.lib_dir = w.info.root_is_purelib ? purelib : platlib;
  plan.info_dir = plan.lib_dir / w.dist_info;

  std::unordered_map<std::string, std::string> installed;  // member -> RECORD path as installed
  std::set<std::string> changed;                           // members whose bytes were rewritten
  std::vector<pkg::RecordEntry> generated;
  const std::string own_dir = w.dist_info + "/";
  auto add = [&](PlannedFile f) -> pkg::Result<void> {
    if (!is_within(f.dest, f.root) || f.dest == f.root || !is_within(f.dest, prefix))
      return bad(pkg::Errc::unsafe_path, "'" + f.dest.string() + "' is outside " +
                                             (is_within(f.dest, prefix) ? f.root : prefix).string());
    f.wheel = index;
    files.push_back(std::move(f));
    return {};
  };

  for (const WheelMember& m : w.members) {
    if (m.name == own_dir + "RECORD" || m.name == own_dir + "INSTALLER" || m.name == own_dir + "REQUESTED")
      continue;  // written by the install
    auto target = pkg::map_member(m.name, w.data_dir, w.info.root_is_purelib);
    if (!target) return bad(target.error().code, "member '" + m.name + "': " + target.error().detail);
    const fs::path root = target->scheme == pkg::SchemeKey::purelib   ? purelib
                          : target->scheme == pkg::SchemeKey::platlib ? platlib
                          : target->scheme == pkg::SchemeKey::scripts ? scripts
                          : target->scheme == pkg::SchemeKey::headers ? headers
                                                                      : data;
    PlannedFile f;
    f.root = root;
    f.dest = clean(root / target->relative);
    f.member = &m;
    f.mode = m.executable ? FileMode::exec : FileMode::regular;
    if (target->scheme == pkg::SchemeKey::scripts) {
      if (is_entry_point_wrapper(f.dest.filename().string(), w.entry_points)) continue;
      f.mode = FileMode::exec;
      auto bytes = read_member(w, m, buffer);
      if (!bytes) return std::unexpected(bytes.error());
      if (auto fixed = pkg::rewrite_shebang(*bytes, o.python)) {
        f.content = std::move(*fixed);
        changed.insert(m.name);
      }
    }
    installed[m.name] = record_path_of(f.dest, plan.lib_dir);
    if (f.dest.extension() == ".py") plan.py_sources.push_back(f.dest);
    if (auto ok = add(std::move(f)); !ok) return ok;
  }
  auto generate = [&](const fs::path& root, const fs::path& dest, std::string content, FileMode mode) {
    generated.push_back(pkg::RecordEntry{record_path_of(clean(dest), plan.lib_dir), record_hash_of(content), content.size()});
    PlannedFile f;
    f.root = root;
    f.dest = clean(dest);
    f.content = std::move(content);
    f.mode = mode;
    return add(std::move(f));
  };
  for (const auto* group : {&w.entry_points.console_scripts, &w.entry_points.gui_scripts})
    for (const pkg::EntryPoint& ep : *group)
      if (auto ok = generate(scripts, scripts / ep.name, pkg::console_script(o.python, ep), FileMode::launcher); !ok)
        return ok;
  if (auto ok = generate(plan.lib_dir, plan.info_dir / "INSTALLER", o.installer + "\n", FileMode::regular); !ok) return ok;
  if (requested) {
    if (auto ok = generate(plan.lib_dir, plan.info_dir / "REQUESTED", "", FileMode::regular); !ok) return ok;
  }

  // RECORD as pip writes it: the wheel's rows with installed paths (rehashed when rewritten),
  // then generated files; members RECORD does not hash (signatures) with empty hash and size.
  std::set<std::string> listed;
  for (const pkg::RecordEntry& r : w.record) {
    listed.insert(r.path);
    auto it = installed.find(r.path);
    if (it == installed.end()) continue;  // RECORD itself, skipped wrappers, generated-only rows
    pkg::RecordEntry row{it->second, r.hash, r.size};
    if (changed.contains(r.path)) {
      const auto f = std::find_if(files.begin(), files.end(), [&](const PlannedFile& p) {
        return p.wheel == index && p.member != nullptr && p.member->name == r.path;
      });
      row.hash = record_hash_of(*f->content);
      row.size = f->content->size();
    }
    plan.rows.push_back(std::move(row));
  }
  for (const auto& [member, path] : installed)
    if (!listed.contains(member)) plan.rows.push_back(pkg::RecordEntry{path, "", std::nullopt});
  for (pkg::RecordEntry& g : generated) plan.rows.push_back(std::move(g));
  PlannedFile record;
  record.root = plan.lib_dir;
  record.dest = plan.info_dir / "RECORD";
  record.content = record_text(plan.rows, record_path_of(record.dest, plan.lib_dir));
  return add(std::move(record));
}

// Phase 2's cross-wheel check: no path written twice, no path both a file and a directory.
pkg::Result<void> check_conflicts(const std::vector<PlannedFile>& files,
                                  const std::vector<VerifiedWheel>& wheels, const fs::path& prefix) {
  auto who = [&](const PlannedFile& f) {
    return wheels[f.wheel].filename + (f.member != nullptr ? " (member '" + f.member->name + "')" : " (generated)");
  };
  std::map<fs::path, const PlannedFile*> owners;
  for (const PlannedFile& f : files) {
    auto [it, fresh] = owners.emplace(f.dest, &f);
    if (!fresh)
      return pkg::fail(pkg::Errc::invalid_wheel, wheels[f.wheel].filename,
                       "two files would be installed at " + f.dest.string() + ": " + who(*it->second) +
                           " and " + who(f));
  }
  std::map<fs::path, const PlannedFile*> parents;
  for (const PlannedFile& f : files)
    for (fs::path p = f.dest.parent_path(); is_within(p, prefix) && p != prefix; p = p.parent_path())
      if (!parents.emplace(p, &f).second) break;
  for (const PlannedFile& f : files)
    if (auto it = parents.find(f.dest); it != parents.end())
      return pkg::fail(pkg::Errc::invalid_wheel, wheels[f.wheel].filename,
                       f.dest.string() + " would be both a file, from " + who(f) + ", and a directory, for " +
                           who(*it->second));
  return {};
}

pkg::Result<void> stage_file(PlannedFile& f, std::vector<VerifiedWheel>& wheels, const WheelPlan& plan,
                             StagingSet& staging, const fs::path& prefix, std::vector<char>& buffer) {
  if (is_within(f.dest, plan.info_dir)) {  // into the .dist-info staged whole
    f.staged = plan.info_staged / f.dest.lexically_relative(plan.info_dir);
    std::error_code ec;
    fs::create_directories(f.staged.parent_path(), ec);
  } else {
    auto where = staging.for_root(is_within(f.root, prefix) ? f.root : prefix);
    if (!where) return std::unexpected(where.error());
    f.staged = (*where)->fresh_name('n');
  }
  auto fd = create_file(f.staged, f.mode);
  if (!fd) return std::unexpected(fd.error());
  auto written = f.content ? write_all(*fd, f.staged, *f.content)
                           : copy_member(wheels[f.wheel], *f.member, *fd, buffer);
  if (!written) {
    ::close(*fd);
    return written;
  }
  return finish_file(*fd, f.staged, f.mode);
}

// Phase 4's plan: every change of the commit, in order, as steps of the transaction. Nothing is
// changed here; what is in the way is found now, so a commit only fails on an I/O error.
class CommitPlanner {
 public:
  CommitPlanner(StagingSet& staging, Transaction& tx) : staging_(staging), tx_(tx) {}

  // The old distributions: every .dist-info directory first (one rename each: the distribution
  // disappears before any of its files), then their files.
  pkg::Result<void> remove(const std::vector<WheelPlan>& plans) {
    for (const WheelPlan& plan : plans)
      for (const RemovalPlan& r : plan.removals)
        if (auto ok = aside(r.info_dir, 'o'); !ok) return ok;
    for (const WheelPlan& plan : plans)
      for (const RemovalPlan& r : plan.removals)
        for (const fs::path& old : r.files)
          if (auto ok = aside(old, 'o'); !ok) return ok;
    return {};
  }

  // `staged` to `dest`: missing directories made, what is in the way moved aside (an empty
  // directory removed). A non-empty directory in the way is an error, unless `whole_dir` (a
  // .dist-info directory replacing a broken one of the same name).
  pkg::Result<void> place(const fs::path& staged, const fs::path& dest, bool whole_dir) {
    if (auto ok = make_dirs(dest.parent_path()); !ok) return ok;
    struct stat st {};
    if (::lstat(dest.c_str(), &st) == 0 && !aside_.contains(real(dest))) {
      if (S_ISDIR(st.st_mode) && !whole_dir) {
        std::error_code ec;
        if (!fs::is_empty(dest, ec))
          return pkg::fail(pkg::Errc::io, dest.string(), "a directory that is not empty is where a file must go");
        tx_.add(Step{Step::remove_dir, dest, {}, static_cast<mode_t>(st.st_mode & 07777)});
      } else if (auto ok = aside(dest, 'd'); !ok) {
        return ok;
      }
    }
    tx_.add(Step{Step::move, staged, dest, 0});
    return {};
  }

 private:
  pkg::Result<void> aside(const fs::path& path, char kind) {
    if (!aside_.insert(real(path)).second) return {};  // two .dist-info may list one file
    auto stash = staging_.for_existing(path);
    if (!stash) return std::unexpected(stash.error());
    tx_.add(Step{Step::move, path, (*stash)->fresh_name(kind), 0});
    return {};
  }

  pkg::Result<void> make_dirs(const fs::path& dir) {
    std::vector<fs::path> missing;
    for (fs::path d = dir; !known_dirs_.contains(d); d = d.parent_path()) {
      struct stat st {};
      const bool found = ::stat(d.c_str(), &st) == 0;
      if (found && S_ISDIR(st.st_mode)) break;
      if (found && !aside_.contains(real(d)))
        return pkg::fail(pkg::Errc::io, d.string(), "exists and is not a directory");
      if (!found && errno != ENOENT) return pkg::fail(pkg::Errc::io, d.string(), "cannot stat: " + errno_text(errno));
      missing.push_back(d);
      if (!d.has_relative_path()) break;
    }
    known_dirs_.insert(dir);
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
      tx_.add(Step{Step::make_dir, *it, {}, 0});
      known_dirs_.insert(*it);
    }
    return {};
  }

  fs::path real(const fs::path& p) {
    auto [it, fresh] = real_dirs_.try_emplace(p.parent_path());
    if (fresh) it->second = real_path(p.parent_path());
    return it->second / p.filename();
  }

  StagingSet& staging_;
  Transaction& tx_;
  std::set<fs::path> aside_;  // real paths moved aside
  std::set<fs::path> known_dirs_;
  std::map<fs::path, fs::path> real_dirs_;
};

pkg::Result<void> plan_commit(std::vector<PlannedFile>& files, const std::vector<WheelPlan>& plans,
                              StagingSet& staging, Transaction& tx) {
  CommitPlanner planner(staging, tx);
  if (auto ok = planner.remove(plans); !ok) return ok;
  std::vector<const PlannedFile*> order;
  for (const PlannedFile& f : files)
    if (!is_within(f.dest, plans[f.wheel].info_dir)) order.push_back(&f);
  std::sort(order.begin(), order.end(), [](const PlannedFile* a, const PlannedFile* b) { return a->dest < b->dest; });
  for (const PlannedFile* f : order)
    if (auto ok = planner.place(f->staged, f->dest, false); !ok) return ok;
  for (const WheelPlan& plan : plans)  // last: each distribution appears once all its files are in place
    if (auto ok = planner.place(plan.info_staged, plan.info_dir, true); !ok) return ok;
  return {};
}

// After commit: byte-compile the installed .py files and add the .pyc files to each RECORD.
// The install has happened; a failure here leaves .pyc files out of RECORD, nothing else.
void compile_and_record(const InstallOptions& o, std::vector<WheelPlan>& plans, StagingSet& staging) {
  std::vector<fs::path> sources;
  std::map<fs::path, std::size_t> owner;
  for (std::size_t i = 0; i < plans.size(); ++i)
    for (const fs::path& s : plans[i].py_sources) {
      sources.push_back(s);
      owner.emplace(s, i);
    }
  std::sort(sources.begin(), sources.end());
  std::vector<bool> touched(plans.size(), false);
  for (const auto& [source, pyc] : compile_sources(o.python, sources)) {
    auto it = owner.find(clean(source));
    if (it == owner.end()) continue;
    std::ifstream in(pyc, std::ios::binary);
    if (!in) continue;
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    WheelPlan& plan = plans[it->second];
    plan.rows.push_back(pkg::RecordEntry{record_path_of(clean(pyc), plan.lib_dir), record_hash_of(bytes), bytes.size()});
    touched[it->second] = true;
  }
  for (std::size_t i = 0; i < plans.size(); ++i) {
    if (!touched[i]) continue;
    const fs::path dest = plans[i].info_dir / "RECORD";
    auto where = staging.for_root(plans[i].lib_dir);
    if (!where) continue;
    const fs::path staged = (*where)->fresh_name('r');
    auto fd = create_file(staged, FileMode::regular);
    if (!fd) continue;
    const std::string text = record_text(plans[i].rows, record_path_of(dest, plans[i].lib_dir));
    const bool ok = write_all(*fd, staged, text) && ::fsync(*fd) == 0;
    if (finish_file(*fd, staged, FileMode::regular) && ok) ::rename(staged.c_str(), dest.c_str());
  }
}

// "install of foo 2.0 (replacing 1.0), bar 1.1": what the journal says the transaction does.
std::string describe(const std::vector<VerifiedWheel>& wheels, const std::vector<InstalledWheel>& result) {
  std::string text = "install of";
  for (std::size_t i = 0; i < wheels.size(); ++i) {
    text += std::string(i == 0 ? " " : ", ") + wheels[i].name + " " + wheels[i].version;
    if (result[i].replaced_version) text += " (replacing " + *result[i].replaced_version + ")";
  }
  return text;
}

// Phase 3: every file written into staging (a .dist-info into a folder of its own); install()
// syncs them with the commit's plan.
pkg::Result<void> stage_all(std::vector<PlannedFile>& files, std::vector<VerifiedWheel>& verified,
                            std::vector<WheelPlan>& plans, StagingSet& staging, const fs::path& prefix,
                            std::vector<char>& buffer) {
  for (WheelPlan& plan : plans) {
    auto where = staging.for_root(plan.lib_dir);
    if (!where) return std::unexpected(where.error());
    plan.info_staged = (*where)->fresh_name('i');
    if (::mkdir(plan.info_staged.c_str(), 0777) != 0)
      return pkg::fail(pkg::Errc::io, plan.info_staged.string(), "cannot create: " + errno_text(errno));
  }
  for (PlannedFile& f : files) {
    WheelPlan& plan = plans[f.wheel];
    if (auto ok = stage_file(f, verified, plan, staging, prefix, buffer); !ok) return ok;
    ++plan.files;
    plan.bytes += f.content ? f.content->size() : f.member->size;
  }
  return {};
}

// Runs the transaction's steps and marks it committed; on failure, everything was undone (or the
// error says what could not be, and the staging folders are kept).
pkg::Result<void> run_and_commit(Transaction& tx, StagingSet& staging) {
  auto ran = tx.run();
  if (ran) ran = tx.commit();
  if (ran) return {};
  if (tx.kept()) staging.keep();
  else tx.abandon();
  return ran;
}

}  // namespace

pkg::Result<std::vector<InstalledWheel>> install(const std::vector<WheelToInstall>& wheels,
                                                 const InstallOptions& o) {
  if (o.prefix.empty()) return pkg::fail(pkg::Errc::io, "", "no install prefix given");
  if (!fs::path(o.python).is_absolute())
    return pkg::fail(pkg::Errc::io, o.python, "the interpreter for scripts must be an absolute path");
  const fs::path prefix = clean(o.prefix);
  struct stat prefix_st {};
  if (::stat(prefix.c_str(), &prefix_st) != 0 || !S_ISDIR(prefix_st.st_mode))
    return pkg::fail(pkg::Errc::io, prefix.string(), "the install prefix is not a directory");
  // A journal left by a crash (the lock holder's recovery has normally handled it already).
  if (auto recovered = recover_journal(state_dir(prefix) / "journal"); !recovered) return std::unexpected(recovered.error());

  // 1. Verify.
  std::uint64_t budget = kMemoryBudget;
  std::vector<VerifiedWheel> verified;
  verified.reserve(wheels.size());
  std::set<std::string> projects;
  for (const WheelToInstall& in : wheels) {
    auto w = open_verified_wheel(in.path, in.filename, budget, o.max_unpacked);
    if (!w) return std::unexpected(w.error());
    if (!projects.insert(w->project).second)
      return pkg::fail(pkg::Errc::invalid_wheel, in.filename, "another wheel of " + w->project + " is in the same install");
    verified.push_back(std::move(*w));
  }

  // 2. Plan.
  std::vector<char> buffer;
  std::vector<WheelPlan> plans(verified.size());
  std::vector<PlannedFile> files;
  for (std::size_t i = 0; i < verified.size(); ++i)
    if (auto ok = plan_wheel(i, verified[i], wheels[i].requested, o, prefix, plans[i], files, buffer); !ok)
      return std::unexpected(ok.error());
  if (auto ok = check_conflicts(files, verified, prefix); !ok) return std::unexpected(ok.error());
  std::vector<InstalledWheel> result(verified.size());
  for (const InstalledDist& d : scan_installed(o.scheme, &projects)) {
    const auto at = std::find_if(verified.begin(), verified.end(), [&](const VerifiedWheel& w) { return w.project == d.project; });
    if (at == verified.end()) continue;
    auto removal = plan_removal(d, prefix);
    if (!removal) return std::unexpected(removal.error());
    const std::size_t i = static_cast<std::size_t>(at - verified.begin());
    plans[i].removals.push_back(std::move(*removal));
    result[i].replaced_version = d.version_text;
  }

  // 3. Stage, in a transaction whose journal records every staging folder.
  auto tx = Transaction::begin(prefix, describe(verified, result));
  if (!tx) return std::unexpected(tx.error());
  StagingSet staging;
  staging.on_create = [&tx](const fs::path& dir) { tx->add_staging(dir); };
  auto done = stage_all(files, verified, plans, staging, prefix, buffer);
  if (!done) {
    tx->abandon();
    return std::unexpected(done.error());
  }

  // 4. Commit: the plan, then its steps (undone on any failure or interrupt).
  std::vector<fs::path> emptied;
  const auto keep = keep_dirs(prefix, {o.scheme.purelib, o.scheme.platlib, o.scheme.scripts, o.scheme.headers, o.scheme.data});
  for (const WheelPlan& plan : plans)
    for (const RemovalPlan& r : plan.removals)
      for (const fs::path& d : r.dirs)
        if (!keep(d)) tx->add_emptied(d);
  // One syncfs makes the staged files and the plan durable (the journal is usually on the same
  // file system) before the first rename.
  pkg::Result<void> planned = plan_commit(files, plans, staging, *tx);
  if (planned) planned = tx->write_plan();
  if (planned) planned = staging.sync({tx->journal()});
  if (!planned) {
    tx->abandon();
    return std::unexpected(planned.error());
  }
  fsutil::interrupt::Critical critical;  // an interrupt now rolls back instead of exiting at once
  if (auto ok = run_and_commit(*tx, staging); !ok) return std::unexpected(ok.error());
  if (o.compile && !fsutil::interrupt::requested()) compile_and_record(o, plans, staging);

  // 5. Clean up.
  tx->finish();
  staging.clean_up();
  for (std::size_t i = 0; i < verified.size(); ++i) {
    result[i].project = verified[i].project;
    result[i].version = verified[i].version;
    result[i].files = plans[i].files;
    result[i].bytes = plans[i].bytes;
  }
  return result;
}

pkg::Result<std::vector<InstalledDist>> list_installed(const Scheme& scheme) {
  return scan_installed(scheme, nullptr);
}

pkg::Result<std::string> verify_wheel(const fs::path& wheel, std::string_view filename) {
  std::uint64_t budget = 0;  // keep nothing but the metadata files
  auto w = open_verified_wheel(wheel, filename, budget);
  if (!w) return std::unexpected(w.error());
  return std::move(w->metadata);
}

pkg::Result<void> uninstall(const InstalledDist& dist, const fs::path& prefix) {
  if (auto recovered = recover_journal(state_dir(prefix) / "journal"); !recovered) return std::unexpected(recovered.error());
  auto plan = plan_removal(dist, prefix);
  if (!plan) return std::unexpected(plan.error());
  auto tx = Transaction::begin(prefix, "uninstall of " + dist.name + " " + dist.version_text);
  if (!tx) return std::unexpected(tx.error());
  StagingSet staging;
  staging.on_create = [&tx](const fs::path& dir) { tx->add_staging(dir); };
  fsutil::interrupt::Critical critical;
  std::vector<WheelPlan> plans(1);
  plans[0].removals.push_back(*plan);
  CommitPlanner planner(staging, *tx);
  const auto keep = keep_dirs(prefix, {dist.dist_info.parent_path()});
  for (const fs::path& d : plan->dirs)
    if (!keep(d)) tx->add_emptied(d);
  pkg::Result<void> planned = planner.remove(plans);
  if (planned) planned = tx->write_plan();
  if (planned) planned = tx->sync_plan();
  if (!planned) {
    tx->abandon();
    return std::unexpected(planned.error());
  }
  if (auto ok = run_and_commit(*tx, staging); !ok)
    return pkg::fail(ok.error().code, dist.name + " " + dist.version_text, "uninstall failed: " + ok.error().message());
  tx->finish();
  staging.clean_up();
  return {};
}

}  // namespace pkg_fs
