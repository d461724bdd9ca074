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

namespace tuf_io {
namespace {

tuf::Error io_error(const std::filesystem::path& path, std::string_view doing, int err) {
  return tuf::Error{tuf::Errc::transport, "",
                    std::string(doing) + " " + path.string() + ": " + std::strerror(err), {}, {}};
}

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  void adopt(int fd) {
    reset();
    fd_ = fd;
  }
  // Closes and reports close()'s errno (0 on success).
  int reset() {
    int err = 0;
    if (fd_ >= 0 && ::close(fd_) != 0) err = errno;
    fd_ = -1;
    return err;
  }

 private:
  int fd_;
};

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
  // O_NONBLOCK: opening a FIFO must not block; it is refused below as not a regular file.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR)
      return tuf::fail(tuf::Errc::not_found, "", "cannot open " + path.string() + ": " + std::strerror(err));
    return std::unexpected(io_error(path, "cannot open", err));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return std::unexpected(io_error(path, "cannot stat", errno));
  if (!S_ISREG(st.st_mode))
    return tuf::fail(tuf::Errc::transport, "", "cannot read " + path.string() + ": " +
                                                   (S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file"));
  auto too_large = [&] {
    return tuf::fail(tuf::Errc::too_large, "",
                     path.string() + " is larger than " + std::to_string(max_bytes) + " bytes",
                     "at most " + std::to_string(max_bytes) + " bytes",
                     std::to_string(st.st_size) + " bytes");
  };
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) return too_large();

  std::string out;
  out.resize(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  // Read one byte past the limit to notice a file that grew since fstat.
  char probe[1];
  for (;;) {
    char* at = done < out.size() ? out.data() + done : probe;
    std::size_t want = done < out.size() ? out.size() - done : 1;
    ssize_t n = ::read(fd.get(), at, want);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(io_error(path, "cannot read", errno));
    }
    if (n == 0) break;
    if (at == probe) {
      if (done + 1 > max_bytes) return too_large();
      out.push_back(probe[0]);
      done += 1;
      continue;
    }
    done += static_cast<std::size_t>(n);
  }
  out.resize(done);  // the file may have shrunk
  return out;
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
