// Local, on-disk state: trusted metadata and downloaded targets.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "fsutil/lock.h"
#include "tuf/bytes.h"
#include "tuf/error.h"
#include "tuf/updater.h"

namespace tuf_io {

// Writes `bytes` to `path` atomically and durably (fsutil::write_file_atomic, mode 0644: a temp
// file ".<name>.tmp-XXXXXX" in the same directory, never ending in ".json"), with the failure as
// a tuf::Error.
tuf::Result<void> write_file_atomic(const std::filesystem::path& path, tuf::Bytes bytes);
// Reads a whole file of at most max_bytes. not_found if it does not exist, too_large if bigger.
tuf::Result<std::string> read_file_limited(const std::filesystem::path& path,
                                           std::uint64_t max_bytes);

// Trusted metadata under non-versioned names: <dir>/<quote_role_name(role)>.json.
// Everything the store writes that is not trusted metadata uses another suffix.
class MetadataStore {
 public:
  explicit MetadataStore(std::filesystem::path dir);
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path path_for(std::string_view role) const;
  // not_found when absent. The bytes are *not* trusted: hand them to the updater
  // (LoadCached), which re-verifies them.
  tuf::Result<std::string> load(std::string_view role, std::uint64_t max_bytes) const;
  tuf::Result<void> persist(std::string_view role, tuf::Bytes bytes);

  // One writer per metadata directory: an exclusive lock on the directory itself, waiting as
  // `wait` says (drive() holds it while it runs). The first time, the temp files a crashed
  // writer left ("<name>.tmp-*") are removed. An error is Errc::transport (a local failure).
  tuf::Result<fsutil::FileLock> lock() const;
  fsutil::LockWait wait;  // default: fsutil::default_lock_timeout(), no message

 private:
  std::filesystem::path dir_;
  mutable bool swept_ = false;
};

// Downloaded targets: <dir>/<quote_role_name(target_path)> (one flat file per target path; the
// same target path always maps to the same file name). The names quoting leaves meaningful to
// the file system are encoded further: "" -> "%", "." -> "%2E", ".." -> "%2E%2E" (never the
// quoting of another path, as quoting always encodes "%"), so the file stays inside <dir>.
class TargetCache {
 public:
  explicit TargetCache(std::filesystem::path dir);
  std::filesystem::path path_for(std::string_view target_path) const;
  // True if the file exists and its length and every hash match `info`.
  bool is_current(const tuf::TargetInfo& info) const;
  // Atomically stores already-verified bytes.
  tuf::Result<void> store(const tuf::TargetInfo& info, tuf::Bytes verified_bytes);

 private:
  std::filesystem::path dir_;
};

}  // namespace tuf_io
