// Staged downloads and the content-addressed download cache (see cache.h).
#include "client/cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "fsutil/atomic_write.h"
#include "fsutil/fault.h"
#include "fsutil/interrupt.h"
#include "fsutil/lock.h"
#include "pkg_fs/file_hash.h"
#include "client/repository.h"

namespace tufget {
namespace {

namespace fs = std::filesystem;

tuf::Error io_error(std::string doing, const fs::path& path, int err) {
  return tuf::Error{tuf::Errc::transport, "", doing + " " + path.string() + ": " + std::strerror(err),
                    {}, {}};
}

tuf::Error file_error(const fsutil::FileError& e) {
  return tuf::Error{tuf::Errc::transport, "", e.message(), {}, {}};
}

bool is_sha256_hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

int write_all(int fd, const std::uint8_t* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return 0;
}

mode_t current_umask() {
  const mode_t m = ::umask(022);
  ::umask(m);
  return m;
}

// mkstemp in `dir` with a name that no reader mistakes for a finished file.
int make_temp(const fs::path& dir, std::string_view stem, fs::path& out) {
  std::string tmpl = (dir / ("." + std::string(stem) + ".tmp-XXXXXX")).string();
  const int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd >= 0) out = tmpl;
  return fd;
}

}  // namespace

// ---- StagedFile --------------------------------------------------------------------------------

StagedFile::StagedFile(int fd, fs::path path)
    : fd_(fd), path_(std::move(path)), hasher_(std::in_place, tuf::HashAlg::sha256) {}

StagedFile::StagedFile(StagedFile&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)),
      path_(std::move(o.path_)),
      hasher_(std::move(o.hasher_)),
      sha256_(std::move(o.sha256_)),
      size_(o.size_) {
  o.path_.clear();
  o.hasher_.reset();
}

StagedFile& StagedFile::operator=(StagedFile&& o) noexcept {
  if (this != &o) {
    discard();
    fd_ = std::exchange(o.fd_, -1);
    path_ = std::move(o.path_);
    o.path_.clear();
    hasher_ = std::move(o.hasher_);
    o.hasher_.reset();
    sha256_ = std::move(o.sha256_);
    size_ = o.size_;
  }
  return *this;
}

StagedFile::~StagedFile() { discard(); }

void StagedFile::discard() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!path_.empty()) ::unlink(path_.c_str());
  path_.clear();
}

tuf::Result<StagedFile> StagedFile::create(const fs::path& dir) {
  fs::path path;
  const int fd = make_temp(dir, "download", path);
  if (fd < 0) return std::unexpected(io_error("cannot create a file in", dir, errno));
  return StagedFile(fd, std::move(path));
}

tuf::Result<void> StagedFile::write(tuf::Bytes data) {
  if (fd_ < 0 || !hasher_) {
    return tuf::fail(tuf::Errc::usage, "", "write to a finished staged file");
  }
  if (int err = write_all(fd_, data.data(), data.size()); err != 0) {
    return std::unexpected(io_error("cannot write", path_, err));
  }
  hasher_->update(data);
  if (size_ == 0 && fsutil::fault_at("download") != 0) return std::unexpected(io_error("cannot write", path_, EIO));
  size_ += data.size();
  return {};
}

const std::string& StagedFile::sha256() {
  if (hasher_) {
    sha256_ = hasher_->final_hex();
    hasher_.reset();
  }
  return sha256_;
}

tuf::Result<void> StagedFile::copy_to(const fs::path& dest, mode_t mode, bool durable) const {
  auto out = fsutil::AtomicFile::create(dest, {.mode = mode, .durable = durable});
  if (!out) return std::unexpected(file_error(out.error()));
  const fsutil::interrupt::TrackedPath removed_if_interrupted(out->temp_path());
  std::vector<std::uint8_t> buf(1 << 20);
  off_t offset = 0;
  for (;;) {
    const ssize_t n = ::pread(fd_, buf.data(), buf.size(), offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(io_error("cannot read back the staged copy for", dest, errno));
    }
    if (n == 0) break;
    auto written = out->write(std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n)));
    if (!written) return std::unexpected(file_error(written.error()));
    offset += n;
  }
  if (static_cast<std::uint64_t>(offset) != size_) return std::unexpected(io_error("short copy to", dest, EIO));
  if (auto ok = out->commit(); !ok) return std::unexpected(file_error(ok.error()));
  return {};
}

tuf::Result<void> StagedFile::link_to(const fs::path& dest) const {
  if (fd_ < 0) return tuf::fail(tuf::Errc::usage, "", "link of a discarded staged file");
  if (::fchmod(fd_, 0644) != 0) return std::unexpected(io_error("cannot chmod", path_, errno));
  const fs::path tmp = dest.parent_path() / ("." + dest.filename().string() + ".link." +
                                             std::to_string(::getpid()));
  ::unlink(tmp.c_str());
  const fsutil::interrupt::TrackedPath removed_if_interrupted(tmp);
  if (::link(path_.c_str(), tmp.c_str()) != 0) {
    if (errno == EXDEV || errno == EPERM || errno == EMLINK) return copy_to(dest, 0644, false);
    return std::unexpected(io_error("cannot link", tmp, errno));
  }
  if (::rename(tmp.c_str(), dest.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return std::unexpected(io_error("cannot rename into place", dest, err));
  }
  return {};
}

tuf::Result<void> StagedFile::install(const fs::path& dest) {
  if (fd_ < 0) return tuf::fail(tuf::Errc::usage, "", "install of a discarded staged file");
  const mode_t mode = 0666 & ~current_umask();
  if (::fchmod(fd_, mode) != 0) return std::unexpected(io_error("cannot chmod", path_, errno));
  if (::fsync(fd_) != 0) return std::unexpected(io_error("cannot fsync", path_, errno));
  if (::rename(path_.c_str(), dest.c_str()) == 0) {
    (void)fsutil::fsync_directory(dest.parent_path());
    ::close(fd_);
    fd_ = -1;
    path_.clear();
    return {};
  }
  if (errno != EXDEV) return std::unexpected(io_error("cannot move into place", dest, errno));
  auto copied = copy_to(dest, mode);
  if (copied) discard();
  return copied;
}

// ---- FileCache ---------------------------------------------------------------------------------

FileCache::FileCache(fs::path root, bool enabled) : root_(std::move(root)), enabled_(enabled) {}

FileCache::~FileCache() = default;

fs::path FileCache::default_root() { return xdg_cache_home() / "tufget" / "files"; }

tuf::Result<void> FileCache::prepare() {
  std::error_code ec;
  // A folder of this run's own (removed when it ends, or by the next run if it crashes): never
  // one a concurrent run is using.
  fs::path parent = fs::temp_directory_path(ec);
  const char* prefix = "tufget-staging-";
  if (enabled_) {
    parent = root_ / "tmp";
    prefix = "run-";
    fs::create_directories(parent, ec);
    if (ec) return std::unexpected(io_error("cannot create", parent, ec.value()));
    fs::permissions(root_, fs::perms::owner_all, ec);
    fs::permissions(parent, fs::perms::owner_all, ec);
    // Loose files are what versions before per-run folders left: old ones are stale.
    const auto cutoff = fs::file_time_type::clock::now() - std::chrono::hours(24);
    for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code e2;
      if (it->is_regular_file(e2) && it->last_write_time(e2) < cutoff) fs::remove(it->path(), e2);
    }
  }
  fsutil::sweep_abandoned(parent, prefix);
  auto own = fsutil::OwnedTempDir::create(parent, prefix);
  if (!own) return tuf::fail(tuf::Errc::transport, "", own.error());
  ::chmod(own->path().c_str(), 0700);
  own_ = std::move(*own);
  staging_ = own_.path();
  return {};
}

fs::path FileCache::path_for(std::string_view sha256) const {
  if (!is_sha256_hex(sha256)) return {};
  return root_ / "sha256" / std::string(sha256.substr(0, 2)) / std::string(sha256);
}

std::optional<StagedFile> FileCache::take(std::string_view sha256, std::uint64_t max_bytes,
                                          std::string* note) const {
  if (!enabled_) return std::nullopt;
  const fs::path path = path_for(sha256);
  if (path.empty()) return std::nullopt;
  const int in = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (in < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(in, &st) != 0 || !S_ISREG(st.st_mode) ||
      static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    ::close(in);
    return std::nullopt;
  }
  auto staged = StagedFile::create(staging_);
  if (!staged) {
    ::close(in);
    return std::nullopt;
  }
  std::vector<std::uint8_t> buf(1 << 20);
  bool ok = true;
  for (;;) {
    const ssize_t n = ::read(in, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ok = false;
    if (n <= 0) break;
    if (staged->size() + static_cast<std::uint64_t>(n) > max_bytes ||
        !staged->write(tuf::Bytes(buf.data(), static_cast<std::size_t>(n)))) {
      ok = false;
      break;
    }
  }
  ::close(in);
  if (!ok) return std::nullopt;
  if (staged->sha256() != sha256) {
    // Re-hashed before reuse: a corrupt or tampered entry is dropped.
    std::error_code ec;
    fs::remove(path, ec);
    if (note) *note = "cached copy " + path.string() + " no longer matches its sha256; deleted it";
    return std::nullopt;
  }
  return std::move(*staged);
}

tuf::Result<void> FileCache::store(const StagedFile& verified, std::string_view sha256) const {
  if (!enabled_) return {};
  const fs::path path = path_for(sha256);
  if (path.empty()) return tuf::fail(tuf::Errc::usage, "", "not a sha256 digest");
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return std::unexpected(io_error("cannot create", path.parent_path(), ec.value()));
  // One writer at a time; the lock file goes with the lock.
  fsutil::LockWait wait;
  wait.timeout = fsutil::default_lock_timeout();
  auto held = fsutil::acquire_lock(root_ / ".lock", fsutil::command_line(), wait);
  if (!held) return tuf::fail(tuf::Errc::transport, "", held.error().message);
  // No fsync: every entry is re-hashed before reuse (take()), so one a crash truncated is
  // dropped, never used. A hard link costs no copy.
  return verified.link_to(path);
}

std::optional<std::string> file_sha256(const fs::path& path, std::uint64_t max_bytes) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  auto digest = pkg_fs::hash_file(path, "sha256", max_bytes);
  if (!digest) return std::nullopt;
  return std::move(digest->hex);
}

}  // namespace tufget
