// Exclusive advisory locks with a holder line (fsutil/lock.h).
#include "fsutil/lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "fsutil/interrupt.h"

namespace fsutil {

namespace {

std::string& stored_command_line() {
  static std::string line = "tufget";
  return line;
}

// What the holder wrote (first line, at most 200 bytes).
std::string read_holder(int fd) {
  char buf[201];
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return "another process";
  std::string text(buf, static_cast<std::size_t>(n));
  if (const auto nl = text.find('\n'); nl != std::string::npos) text.resize(nl);
  return text.empty() ? "another process" : text;
}

void write_holder(int fd, const std::string& holder) {
  const std::string line = "pid " + std::to_string(::getpid()) + ": " + holder + "\n";
  if (::ftruncate(fd, 0) == 0) {
    [[maybe_unused]] const ssize_t n = ::pwrite(fd, line.data(), line.size(), 0);
  }
}

}  // namespace

FileLock::FileLock(FileLock&& other) noexcept
    : fd_(other.fd_), path_(std::move(other.path_)), holder_line_(other.holder_line_) {
  other.fd_ = -1;
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    holder_line_ = other.holder_line_;
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() { release(); }

void FileLock::release() {
  if (fd_ < 0) return;
  if (holder_line_) {  // a lock file of its own: removed, with its folder when that is empty
    ::unlink(path_.c_str());
    interrupt::untrack(path_);
    if (path_.has_parent_path()) {
      ::rmdir(path_.parent_path().c_str());
      interrupt::untrack_folder(path_.parent_path());
    }
  }
  ::close(fd_);                                          // closing drops the flock
  fd_ = -1;
}

namespace {

// Polls flock(LOCK_EX) on `fd` until it is held or `wait.timeout` passes. `holder()` says who
// holds it, for the messages.
std::expected<void, LockError> wait_for_lock(int fd, const std::filesystem::path& path, const LockWait& wait,
                                             const std::function<std::string()>& holder) {
  const auto deadline = std::chrono::steady_clock::now() + wait.timeout;
  bool told = false;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (err == EINTR) continue;
    if (err != EWOULDBLOCK)
      return std::unexpected(LockError{"cannot lock " + path.string() + ": " + std::strerror(err)});
    if (!told && wait.on_wait) wait.on_wait(holder());
    told = true;
    if (std::chrono::steady_clock::now() >= deadline) {
      const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(wait.timeout).count();
      return std::unexpected(LockError{path.string() + " is still locked by " + holder() + " after waiting " +
                                           std::to_string(seconds) + " s",
                                       true});
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return {};
}

}  // namespace

std::expected<FileLock, LockError> acquire_lock(const std::filesystem::path& path,
                                                const std::string& holder, const LockWait& wait) {
  // The holder removes the file (and its folder, when empty) on release, while still holding
  // the lock; a waiter that then gets the lock on the removed file sees that the path no longer
  // names its file and starts again.
  for (int attempt = 0; attempt < 1000; ++attempt) {
    std::error_code ec;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd < 0 && errno == ENOENT) continue;  // its folder was just removed by a releasing holder
    if (fd < 0) {
      const int err = errno;
      return std::unexpected(LockError{"cannot create the lock file " + path.string() + ": " + std::strerror(err)});
    }
    if (auto ok = wait_for_lock(fd, path, wait, [fd] { return read_holder(fd); }); !ok) {
      ::close(fd);
      return std::unexpected(ok.error());
    }
    struct stat held {}, named {};
    if (::fstat(fd, &held) != 0 || ::stat(path.c_str(), &named) != 0 || held.st_ino != named.st_ino ||
        held.st_dev != named.st_dev) {
      ::close(fd);
      continue;
    }
    write_holder(fd, holder);
    interrupt::track(path);  // an interrupt removes it as release() does
    if (path.has_parent_path()) interrupt::track_folder(path.parent_path());
    return FileLock(fd, path, true);
  }
  return std::unexpected(LockError{"cannot lock " + path.string() + ": it keeps being replaced"});
}

std::expected<FileLock, LockError> acquire_directory_lock(const std::filesystem::path& dir, const LockWait& wait) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    return std::unexpected(LockError{"cannot open " + dir.string() + ": " + std::strerror(err)});
  }
  if (auto ok = wait_for_lock(fd, dir, wait, [] { return std::string("another tufget process"); }); !ok) {
    ::close(fd);
    return std::unexpected(ok.error());
  }
  return FileLock(fd, dir, false);
}

std::chrono::milliseconds default_lock_timeout() {
  if (const char* v = std::getenv("TUFGET_LOCK_TIMEOUT"); v != nullptr && *v != '\0') {
    char* end = nullptr;
    const double seconds = std::strtod(v, &end);
    if (end != v && *end == '\0' && seconds >= 0 && seconds < 1e7)
      return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
  }
  return std::chrono::minutes(5);
}

void set_command_line(std::string line) { stored_command_line() = std::move(line); }
const std::string& command_line() { return stored_command_line(); }

}  // namespace fsutil
