// Local, on-disk state: atomic file writes, bounded reads, the metadata store and target cache.
//
// Local I/O failures are reported as tuf::Errc::transport (the I/O layer's "anything else"),
// with the path and the system's reason in the detail; a missing file is not_found.
#include "tuf_io/store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <system_error>

#include "fsutil/interrupt.h"

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

std::string random_suffix() {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::random_device rd;
  std::string out;
  for (int i = 0; i < 6; ++i) out += kChars[rd() % (sizeof kChars - 1)];
  return out;
}

int write_all(int fd, tuf::Bytes bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    done += static_cast<std::size_t>(n);
  }
  return 0;
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
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  const std::string name = path.filename().string();
  if (name.empty() || name == "." || name == "..")
    return tuf::fail(tuf::Errc::usage, "", "not a file path: " + path.string());

  std::filesystem::path temp;
  Fd fd;
  for (int attempt = 0; attempt < 16 && fd.get() < 0; ++attempt) {
    temp = dir / (name + ".tmp-" + random_suffix());
    fd.adopt(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (fd.get() < 0 && errno != EEXIST) return std::unexpected(io_error(temp, "cannot create", errno));
  }
  if (fd.get() < 0) return std::unexpected(io_error(temp, "cannot create", EEXIST));
  const fsutil::interrupt::TrackedPath removed_if_interrupted(temp);

  auto abandon = [&](std::string_view doing, int err) {
    fd.reset();
    ::unlink(temp.c_str());
    return std::unexpected(io_error(doing == "cannot rename" ? path : temp, doing, err));
  };
  if (int err = write_all(fd.get(), bytes)) return abandon("cannot write", err);
  if (::fsync(fd.get()) != 0) return abandon("cannot sync", errno);
  if (int err = fd.reset()) return abandon("cannot close", err);
  if (::rename(temp.c_str(), path.c_str()) != 0) return abandon("cannot rename", errno);

  // Make the rename itself durable.
  Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0) return std::unexpected(io_error(dir, "cannot open directory", errno));
  if (::fsync(dir_fd.get()) != 0 && errno != EINVAL)
    return std::unexpected(io_error(dir, "cannot sync directory", errno));
  return {};
}

tuf::Result<std::string> read_file_limited(const std::filesystem::path& path,
                                           std::uint64_t max_bytes) {
  // O_NONBLOCK: opening a FIFO must not block; it is refused below as not a regular file.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR)
      return tuf::fail(tuf::Errc::not_found, "", "no such file: " + path.string());
    return std::unexpected(io_error(path, "cannot open", err));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return std::unexpected(io_error(path, "cannot stat", errno));
  if (!S_ISREG(st.st_mode))
    return tuf::fail(tuf::Errc::transport, "", "not a regular file: " + path.string());
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
