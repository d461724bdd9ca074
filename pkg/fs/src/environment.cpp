// The environment's lock and the recovery of an interrupted transaction (pkg_fs/environment.h).
#include "pkg_fs/environment.h"

#include <sys/stat.h>

#include <set>

#include "fsutil/temp_dir.h"
#include "pkg_fs/install_detail.h"

namespace pkg_fs {

using namespace detail;

namespace {

// The nearest existing directory of `p` (where a staging folder for it would have been made).
fs::path nearest_existing(fs::path p) {
  struct stat st {};
  while (p.has_relative_path() && (::stat(p.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))) p = p.parent_path();
  return p;
}

// Removes the ".tufget-staging-*" folders left in the directories where installs stage files.
std::size_t sweep_staging(const fs::path& prefix, const Scheme& scheme) {
  std::set<fs::path> dirs{clean(prefix)};
  for (const fs::path& root : {scheme.purelib, scheme.platlib, scheme.scripts, scheme.headers, scheme.data})
    if (!root.empty()) dirs.insert(nearest_existing(clean(root)));
  std::size_t removed = 0;
  for (const fs::path& dir : dirs) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (!it->path().filename().string().starts_with(".tufget-staging-")) continue;
      fsutil::remove_tree(it->path());
      ++removed;
    }
  }
  return removed;
}

}  // namespace

fs::path state_dir(const fs::path& prefix) { return clean(prefix) / ".tufget"; }

pkg::Result<std::vector<std::string>> recover_environment(const fs::path& prefix, const Scheme& scheme) {
  std::vector<std::string> notes;
  auto journal = recover_journal(state_dir(prefix) / "journal");
  if (!journal) return std::unexpected(journal.error());
  if (*journal) notes.push_back(**journal);
  if (const std::size_t n = sweep_staging(prefix, scheme); n > 0)
    notes.push_back("removed " + std::to_string(n) + " staging folder" + (n == 1 ? "" : "s") +
                    " left in " + clean(prefix).string() + " by an interrupted run");
  return notes;
}

pkg::Result<LockedEnvironment> lock_environment(const fs::path& prefix, const Scheme& scheme,
                                                const std::string& holder, const fsutil::LockWait& wait) {
  auto lock = fsutil::acquire_lock(state_dir(prefix) / "lock", holder, wait);
  if (!lock) return pkg::fail(pkg::Errc::io, clean(prefix).string(), lock.error().message);
  auto notes = recover_environment(prefix, scheme);
  if (!notes) return std::unexpected(notes.error());
  return LockedEnvironment{std::move(*lock), std::move(*notes)};
}

}  // namespace pkg_fs
