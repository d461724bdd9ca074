// Temporary folders owned by a live process, and the sweep of a dead one's (fsutil/temp_dir.h).
#include "fsutil/temp_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <utility>
#include <vector>

#include "fsutil/interrupt.h"

namespace fsutil {

namespace {

// One pass: removes the entries of the directory open as `fd` (depth first, by the entries'
// types, never following links). Returns whether any entry was seen.
bool remove_entries(int fd, const std::filesystem::path& dir) {
  DIR* d = ::fdopendir(fd);
  if (d == nullptr) {
    ::close(fd);
    return false;
  }
  std::vector<std::pair<std::string, bool>> entries;
  while (const dirent* e = ::readdir(d)) {
    const std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    bool is_dir = e->d_type == DT_DIR;
    if (e->d_type == DT_UNKNOWN) {
      struct stat st {};
      is_dir = ::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
    }
    entries.emplace_back(std::string(name), is_dir);
  }
  for (const auto& [name, is_dir] : entries) {
    if (is_dir) remove_tree(dir / name);
    else ::unlinkat(::dirfd(d), name.c_str(), 0);
  }
  ::closedir(d);
  return !entries.empty();
}

}  // namespace

void remove_tree(const std::filesystem::path& path) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      ::unlink(path.c_str());  // a file (or a symbolic link), or already gone
      return;
    }
    remove_entries(fd, path);
    if (::rmdir(path.c_str()) == 0 || errno != ENOTEMPTY) return;
  }
}

std::expected<OwnedTempDir, std::string> OwnedTempDir::create(const std::filesystem::path& parent,
                                                              std::string_view prefix) {
  // Made under a name the sweep ignores (".init-..."), locked, then renamed to its real name:
  // a sweeper never sees a live folder whose lock is not held yet.
  std::string templ = (parent / (".init-" + std::string(prefix) + "XXXXXX")).string();
  if (::mkdtemp(templ.data()) == nullptr)
    return std::unexpected("cannot create a folder in " + parent.string() + ": " + std::strerror(errno));
  OwnedTempDir dir;
  dir.path_ = templ;
  interrupt::track(dir.path_);
  const std::string owner = templ + "/.owner";
  dir.owner_fd_ = ::open(owner.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (dir.owner_fd_ < 0 || ::flock(dir.owner_fd_, LOCK_EX | LOCK_NB) != 0)
    return std::unexpected("cannot create " + owner + ": " + std::strerror(errno));
  const std::filesystem::path final_path =
      parent / (std::string(prefix) + templ.substr(templ.size() - 6));
  if (::renameat2(AT_FDCWD, templ.c_str(), AT_FDCWD, final_path.c_str(), RENAME_NOREPLACE) != 0)
    return std::unexpected("cannot rename " + templ + ": " + std::strerror(errno));
  interrupt::track(final_path);
  interrupt::untrack(dir.path_);
  dir.path_ = final_path;
  return dir;
}

OwnedTempDir::OwnedTempDir(OwnedTempDir&& other) noexcept
    : path_(std::exchange(other.path_, {})), owner_fd_(std::exchange(other.owner_fd_, -1)) {}

OwnedTempDir& OwnedTempDir::operator=(OwnedTempDir&& other) noexcept {
  if (this != &other) {
    reset();
    path_ = std::exchange(other.path_, {});
    owner_fd_ = std::exchange(other.owner_fd_, -1);
  }
  return *this;
}

OwnedTempDir::~OwnedTempDir() { reset(); }

void OwnedTempDir::reset() {
  if (!path_.empty()) {
    remove_tree(path_);
    interrupt::untrack(path_);
    path_.clear();
  }
  if (owner_fd_ >= 0) ::close(owner_fd_);
  owner_fd_ = -1;
}

std::size_t sweep_abandoned(const std::filesystem::path& parent, std::string_view prefix) {
  std::size_t removed = 0;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code type_ec;
    if (!it->is_directory(type_ec) || it->is_symlink(type_ec)) continue;
    if (name.starts_with(".init-" + std::string(prefix))) {  // killed before it was renamed
      struct stat st {};
      if (::lstat(it->path().c_str(), &st) == 0 && st.st_mtime + 60 < std::time(nullptr)) {
        remove_tree(it->path());
        ++removed;
      }
      continue;
    }
    if (!name.starts_with(prefix)) continue;
    const std::filesystem::path owner = it->path() / ".owner";
    const int fd = ::open(owner.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    bool abandoned = fd < 0;  // no .owner: not a folder of a live run
    if (fd >= 0) {
      abandoned = ::flock(fd, LOCK_EX | LOCK_NB) == 0;  // nobody holds it: its process is gone
      ::close(fd);
    }
    if (abandoned) {
      remove_tree(it->path());
      ++removed;
    }
  }
  return removed;
}

}  // namespace fsutil
