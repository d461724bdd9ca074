// Temporary files and folders that never outlive the next run.
#pragma once

#include <cstddef>
#include <expected>
#include <filesystem>
#include <string>
#include <string_view>

namespace fsutil {

// Removes a file or a directory tree, never following symbolic links; errors are ignored. A
// directory that is not empty after its entries were removed (another thread still writing into
// it) is emptied again, a few times.
void remove_tree(const std::filesystem::path& path);

// A private folder "<parent>/<prefix>XXXXXX" of this process. It holds ".owner", a file the
// process keeps locked while the folder lives, so that sweep_abandoned() can tell the folder of
// a crashed run from a live one. Tracked for interrupts (fsutil/interrupt.h); removed on
// destruction.
class OwnedTempDir {
 public:
  static std::expected<OwnedTempDir, std::string> create(const std::filesystem::path& parent,
                                                         std::string_view prefix);
  OwnedTempDir() = default;
  OwnedTempDir(OwnedTempDir&& other) noexcept;
  OwnedTempDir& operator=(OwnedTempDir&& other) noexcept;
  OwnedTempDir(const OwnedTempDir&) = delete;
  OwnedTempDir& operator=(const OwnedTempDir&) = delete;
  ~OwnedTempDir();
  const std::filesystem::path& path() const { return path_; }
  bool empty() const { return path_.empty(); }

 private:
  void reset();
  std::filesystem::path path_;
  int owner_fd_ = -1;
};

// Removes the "<prefix>*" folders in `parent` whose owner is gone: their ".owner" lock is free
// (or they have none), and ".init-<prefix>*" folders older than a minute (a run killed between
// creating its folder and locking it: create() renames a folder to its real name only once it is
// locked). Returns how many were removed.
std::size_t sweep_abandoned(const std::filesystem::path& parent, std::string_view prefix);

}  // namespace fsutil
