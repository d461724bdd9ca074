// Staged downloads and the content-addressed download cache.
//
// Bytes that are not verified yet live only in a StagedFile: a private temporary file (mode
// 0600, in a 0700 staging folder that is never the destination directory). Once the caller
// has checked its sha256 against a trusted value, install() moves it into place atomically,
// and FileCache::store() keeps a copy under its verified sha256:
//
//   $XDG_CACHE_HOME/tufget/files/sha256/<hex[0:2]>/<hex>      (default ~/.cache/tufget/files)
//   $XDG_CACHE_HOME/tufget/files/tmp/run-XXXXXX/               this run's staging, same file system
//
// The cache is not trusted storage: a hit is copied into a new StagedFile and re-hashed on the
// way; a file whose hash no longer matches its name is deleted and treated as a miss.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "fsutil/temp_dir.h"
#include "tuf/bytes.h"
#include "tuf/error.h"
#include "tuf/hash.h"

namespace tufget {

class StagedFile {
 public:
  // A new empty file in `dir` (which must exist). I/O errors are Errc::transport.
  static tuf::Result<StagedFile> create(const std::filesystem::path& dir);
  StagedFile(StagedFile&& other) noexcept;
  StagedFile& operator=(StagedFile&& other) noexcept;
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;
  ~StagedFile();  // closes and deletes the file unless install() moved it

  // Appends `data` and feeds it to the running sha256.
  tuf::Result<void> write(tuf::Bytes data);
  std::uint64_t size() const { return size_; }
  // Ends hashing and returns the lowercase hex sha256 of everything written (once).
  const std::string& sha256();
  const std::filesystem::path& path() const { return path_; }

  // For verified contents only: fsync, then rename to `dest` (replacing it) with permissions
  // 0666 & ~umask. When `dest` is on another file system, the bytes are copied into a
  // temporary file next to `dest`, fsynced and renamed over it. The staged file is gone after.
  tuf::Result<void> install(const std::filesystem::path& dest);
  // Copies the contents into a new file at `dest` through a temporary file and a rename
  // (`durable`: fsync the file before the rename and the directory after).
  tuf::Result<void> copy_to(const std::filesystem::path& dest, mode_t mode, bool durable = true) const;
  // A second name for the same file (a hard link) at `dest` made readable (0644), or, on
  // another file system, a copy (not fsynced); `dest` is replaced atomically.
  tuf::Result<void> link_to(const std::filesystem::path& dest) const;

 private:
  StagedFile(int fd, std::filesystem::path path);
  void discard();
  int fd_ = -1;
  std::filesystem::path path_;
  std::optional<tuf::Hasher> hasher_;
  std::string sha256_;
  std::uint64_t size_ = 0;
};

class FileCache {
 public:
  // root: e.g. $XDG_CACHE_HOME/tufget/files. `enabled` false: nothing is read or stored, and
  // staging happens in a private folder under the system temp directory.
  FileCache(std::filesystem::path root, bool enabled);
  ~FileCache();  // removes this run's staging folder
  FileCache(const FileCache&) = delete;
  FileCache& operator=(const FileCache&) = delete;

  static std::filesystem::path default_root();

  // Creates this run's staging folder (0700): <root>/tmp/run-XXXXXX, or with the cache disabled
  // $TMPDIR/tufget-staging-XXXXXX. The folders of runs that died are removed first
  // (fsutil::sweep_abandoned), and an interrupt removes this run's (fsutil/interrupt.h).
  tuf::Result<void> prepare();
  const std::filesystem::path& staging_dir() const { return staging_; }
  bool enabled() const { return enabled_; }

  // <root>/sha256/<ab>/<hex>; empty for anything but 64 lowercase hex digits.
  std::filesystem::path path_for(std::string_view sha256) const;

  // A staged copy of the cached file, if there is one of at most max_bytes whose sha256 (computed
  // while copying) is `sha256`. A corrupt entry is deleted and `note` says so.
  std::optional<StagedFile> take(std::string_view sha256, std::uint64_t max_bytes,
                                 std::string* note = nullptr) const;
  // Keeps a verified staged file under `sha256` (holding the cache's writer lock,
  // <root>/.lock): a hard link to it (a copy across file systems), not fsynced, since take() re-hashes every entry before use. Failing to cache is
  // not an error for the download: the caller may just report it.
  tuf::Result<void> store(const StagedFile& verified, std::string_view sha256) const;

 private:
  std::filesystem::path root_;
  std::filesystem::path staging_;
  bool enabled_;
  fsutil::OwnedTempDir own_;  // this run's staging folder
};

// The sha256 of a file (at most max_bytes; nullopt if missing, larger or unreadable).
std::optional<std::string> file_sha256(const std::filesystem::path& path, std::uint64_t max_bytes);

}  // namespace tufget
