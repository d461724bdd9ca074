// Write-temp-then-rename (fsutil/atomic_write.h).
#include "fsutil/atomic_write.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "fsutil/interrupt.h"

namespace fsutil {

namespace {

std::filesystem::path directory_of(const std::filesystem::path& target) {
  return target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
}

std::unexpected<FileError> failure(std::string action, const std::filesystem::path& path, int code) {
  return std::unexpected(FileError{std::move(action), path, code});
}

}  // namespace

std::string FileError::message() const { return action + " " + path.string() + ": " + std::strerror(code); }

int fsync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno;
  const int rc = ::fsync(fd) == 0 || errno == EINVAL ? 0 : errno;
  ::close(fd);
  return rc;
}

std::expected<AtomicFile, FileError> AtomicFile::create(const std::filesystem::path& target,
                                                        AtomicWriteOptions options) {
  const std::string name = target.filename().string();
  if (name.empty() || name == "." || name == "..") return failure("not a file path:", target, EINVAL);
  const std::filesystem::path dir = directory_of(target);
  // mkostemp: O_CREAT|O_EXCL, mode 0600, a fresh random name on every call.
  std::string templ = (dir / ("." + name + ".tmp-XXXXXX")).string();
  const int fd = ::mkostemp(templ.data(), O_CLOEXEC);
  if (fd < 0) return failure("cannot create a file in", dir, errno);
  AtomicFile file;
  file.target_ = target;
  file.temp_ = std::move(templ);
  file.options_ = options;
  file.fd_ = fd;
  interrupt::track(file.temp_);
  return file;
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : target_(std::move(other.target_)),
      temp_(std::exchange(other.temp_, {})),
      options_(other.options_),
      fd_(std::exchange(other.fd_, -1)) {}

AtomicFile& AtomicFile::operator=(AtomicFile&& other) noexcept {
  if (this != &other) {
    discard();
    target_ = std::move(other.target_);
    temp_ = std::exchange(other.temp_, {});
    options_ = other.options_;
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

AtomicFile::~AtomicFile() { discard(); }

void AtomicFile::discard() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temp_.empty()) {
    ::unlink(temp_.c_str());
    interrupt::untrack(temp_);
    temp_.clear();
  }
}

std::expected<void, FileError> AtomicFile::write(std::string_view bytes) {
  if (fd_ < 0) return failure("cannot write", target_, EBADF);
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      const std::filesystem::path temp = temp_;
      discard();
      return failure("cannot write", temp, err);
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

std::expected<void, FileError> AtomicFile::write(std::span<const std::uint8_t> bytes) {
  return write(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::expected<void, FileError> AtomicFile::commit() {
  if (fd_ < 0) return failure("cannot write", target_, EBADF);
  const std::filesystem::path temp = temp_;
  auto abandon = [&](std::string action, const std::filesystem::path& path, int err) {
    discard();
    return failure(std::move(action), path, err);
  };
  if (::fchmod(fd_, options_.mode) != 0) return abandon("cannot set the mode of", temp, errno);
  if (options_.durable && ::fsync(fd_) != 0) return abandon("cannot sync", temp, errno);
  const int closed = ::close(fd_);
  fd_ = -1;
  if (closed != 0) return abandon("cannot write", temp, errno);
  if (::rename(temp.c_str(), target_.c_str()) != 0) return abandon("cannot rename into place", target_, errno);
  interrupt::untrack(temp_);
  temp_.clear();
  if (options_.durable) {
    const std::filesystem::path dir = directory_of(target_);
    if (const int err = fsync_directory(dir); err != 0) return failure("cannot sync directory", dir, err);
  }
  return {};
}

std::expected<void, FileError> write_file_atomic(const std::filesystem::path& target, std::string_view bytes,
                                                 AtomicWriteOptions options) {
  auto file = AtomicFile::create(target, options);
  if (!file) return std::unexpected(std::move(file.error()));
  if (auto w = file->write(bytes); !w) return w;
  return file->commit();
}

std::expected<void, FileError> write_file_atomic(const std::filesystem::path& target,
                                                 std::span<const std::uint8_t> bytes, AtomicWriteOptions options) {
  return write_file_atomic(target, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                           options);
}

}  // namespace fsutil
