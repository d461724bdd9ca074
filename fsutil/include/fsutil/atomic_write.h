// Replacing a file whole: write a temporary file next to it, then rename it over the target.
//
// A reader (or a crash) sees the old content or the new, never a mix. The temporary file is
// "<dir>/.<name>.tmp-XXXXXX" (created with O_EXCL, so two writers never share one; hidden and
// never ending in the target's suffix, so nothing mistakes it for a finished file), tracked for
// interrupts (fsutil/interrupt.h) and removed on every failure. A symbolic link at the target is
// replaced, not followed.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <expected>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace fsutil {

struct AtomicWriteOptions {
  // The file's permission bits, exactly (no umask is applied: 0600 for a key stays 0600). The
  // temporary file is 0600 until it is complete.
  mode_t mode = 0644;
  // fsync the file before the rename and its directory after it, so that the new content
  // survives a power loss once the call returns. Off for caches that are re-checked on use.
  bool durable = true;
};

// What failed, on which file, and the errno value.
struct FileError {
  std::string action;          // "cannot create a file in", "cannot write", "cannot rename into place", ...
  std::filesystem::path path;  // the file or directory concerned
  int code = 0;                // errno
  // "<action> <path>: <strerror(code)>"
  std::string message() const;
};

// A file being written under a temporary name; commit() renames it over the target. Destroyed
// without commit(), it is removed. For content written in pieces (a copy of a large file);
// write_file_atomic() is the one-call form.
class AtomicFile {
 public:
  static std::expected<AtomicFile, FileError> create(const std::filesystem::path& target,
                                                     AtomicWriteOptions options = {});
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&& other) noexcept;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  std::expected<void, FileError> write(std::string_view bytes);
  std::expected<void, FileError> write(std::span<const std::uint8_t> bytes);
  // Sets the mode, syncs (when durable), closes and renames over the target, then syncs the
  // directory (when durable). On failure the temporary file is gone and the target untouched
  // (unless only the directory sync failed: the rename is done then, perhaps not durably).
  std::expected<void, FileError> commit();

  const std::filesystem::path& temp_path() const { return temp_; }

 private:
  AtomicFile() = default;
  void discard();
  std::filesystem::path target_;
  std::filesystem::path temp_;
  AtomicWriteOptions options_;
  int fd_ = -1;
};

// Creates or replaces `target` with `bytes` (see AtomicFile). The directory must exist.
std::expected<void, FileError> write_file_atomic(const std::filesystem::path& target, std::string_view bytes,
                                                 AtomicWriteOptions options = {});
std::expected<void, FileError> write_file_atomic(const std::filesystem::path& target,
                                                 std::span<const std::uint8_t> bytes,
                                                 AtomicWriteOptions options = {});

// fsync of a directory, making the renames and creations in it durable. 0 or the errno value;
// file systems that cannot sync a directory (EINVAL) count as success.
int fsync_directory(const std::filesystem::path& dir);

}  // namespace fsutil
