// Local, on-disk state: atomic file writes, bounded reads, the metadata store and target cache.
//
// Local I/O failures are reported as tuf::Errc::transport (tuf::Errc has no code for local
// files yet), with what was being done, the path and the system's reason in the detail
// ("cannot rename into place /x/root.json: Permission denied"); a missing file is not_found, one
// over its cap too_large.
#include "tuf_io/store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "fsutil/atomic_write.h"
#include "fsutil/read.h"

namespace tuf_io {
namespace {

tuf::Error io_error(const std::filesystem::path& path, std::string_view doing, int err) {
  return tuf::Error{tuf::Errc::transport, "",
                    std::string(doing) + " " + path.string() + ": " + std::strerror(err), {}, {}};
}

// quote_role_name leaves "." and ".." (and "") unchanged; as file names they would mean the
// directory itself or its parent. Encode their dots too ("%" is always encoded by
// quote_role_name, so this cannot collide with another name's encoding).
std::string safe_file_name(std::string_view name) {
  std::string quoted = tuf::quote_role_name(name);
  if (quoted.empty()) return "%";  // "%" alone is never produced by quoting
  if (quoted == "." || quoted == "..") {
    std::string out;
    for (std::size_t i = 0; i < quoted.size(); ++i) out += "%2E";
    return out;
  }
  return quoted;
}

tuf::Result<void> ensure_directory(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return std::unexpected(io_error(dir, "cannot create directory", ec.value()));
  return {};
}

}  // namespace

tuf::Result<void> write_file_atomic(const std::filesystem::path& path, tuf::Bytes bytes) {
  auto written = fsutil::write_file_atomic(path, bytes);
  if (!written) return std::unexpected(io_error(written.error().path, written.error().action, written.error().code));
  return {};
}

tuf::Result<std::string> read_file_limited(const std::filesystem::path& path,
                                           std::uint64_t max_bytes) {
  // Follows a final link: a user's root file may be one, and the store's own files are only
  // ever written by rename (fsutil::read_regular_file does the rest: no blocking on a FIFO,
  // regular files only, the cap enforced while reading).
  auto bytes = fsutil::read_regular_file(path, max_bytes, fsutil::Links::follow);
  if (bytes) return std::move(*bytes);
  const int err = bytes.error();
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return tuf::fail(tuf::Errc::not_found, "", "cannot open " + path.string() + ": " + std::strerror(err));
    case EISDIR:
      return tuf::fail(tuf::Errc::transport, "", "cannot read " + path.string() + ": is a directory");
    case EINVAL:
      return tuf::fail(tuf::Errc::transport, "", "cannot read " + path.string() + ": not a regular file");
    case EFBIG:
      return tuf::fail(tuf::Errc::too_large, "",
                       path.string() + " is larger than " + std::to_string(max_bytes) + " bytes",
                       "at most " + std::to_string(max_bytes) + " bytes", "");
    default:
      return std::unexpected(io_error(path, "cannot read", err));
  }
}

MetadataStore::MetadataStore(std::filesystem::path dir) : dir_(std::move(dir)) {
  wait.timeout = fsutil::default_lock_timeout();
}

tuf::Result<fsutil::FileLock> MetadataStore::lock() const {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);  // persist() would make it anyway
  auto held = fsutil::acquire_directory_lock(dir_, wait);
  if (!held) return tuf::fail(tuf::Errc::transport, "", held.error().message);
  if (!swept_) {
    swept_ = true;
    for (std::filesystem::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code e2;
      if (it->path().filename().string().find(".tmp-") != std::string::npos && it->is_regular_file(e2))
        std::filesystem::remove(it->path(), e2);
    }
  }
  return std::move(*held);
}

std::filesystem::path MetadataStore::path_for(std::string_view role) const {
  return dir_ / (tuf::quote_role_name(role) + ".json");
}

tuf::Result<std::string> MetadataStore::load(std::string_view role, std::uint64_t max_bytes) const {
  auto bytes = read_file_limited(path_for(role), max_bytes);
  if (!bytes) bytes.error().role = std::string(role);
  return bytes;
}

tuf::Result<void> MetadataStore::persist(std::string_view role, tuf::Bytes bytes) {
  if (auto made = ensure_directory(dir_); !made) return made;
  auto written = write_file_atomic(path_for(role), bytes);
  if (!written) written.error().role = std::string(role);
  return written;
}

TargetCache::TargetCache(std::filesystem::path dir) : dir_(std::move(dir)) {}

std::filesystem::path TargetCache::path_for(std::string_view target_path) const {
  return dir_ / safe_file_name(target_path);
}

bool TargetCache::is_current(const tuf::TargetInfo& info) const {
  const auto path = path_for(info.path);
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec || size != info.length) return false;
  auto bytes = read_file_limited(path, info.length);
  if (!bytes || bytes->size() != info.length) return false;
  return tuf::verify_target(info, tuf::as_bytes(*bytes)).has_value();
}

tuf::Result<void> TargetCache::store(const tuf::TargetInfo& info, tuf::Bytes verified_bytes) {
  if (verified_bytes.size() != info.length)
    return tuf::fail(tuf::Errc::length_or_hash_mismatch, info.path,
                     "refusing to cache bytes whose length differs from the target's",
                     std::to_string(info.length), std::to_string(verified_bytes.size()));
  if (auto made = ensure_directory(dir_); !made) return made;
  return write_file_atomic(path_for(info.path), verified_bytes);
}

}  // namespace tuf_io
