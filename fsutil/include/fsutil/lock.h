// Exclusive advisory locks (flock) that make one process at a time the writer of an environment,
// a download cache or a metadata directory.
//
// The lock file holds a line naming its holder ("pid 1234: tufget install ..."), so a process
// that has to wait can say who it is waiting for. The holder removes the file (and its folder,
// when empty) as it releases the lock, so nothing is left behind; a waiter that was waiting on
// the removed file notices and starts over. The lock belongs to the open file description:
// it is released when the holder exits, however it exits (kill -9 included), and it is not
// inherited by child processes (O_CLOEXEC).
#pragma once

#include <chrono>
#include <expected>
#include <filesystem>
#include <functional>
#include <string>

namespace fsutil {

class FileLock {
 public:
  FileLock() = default;
  // Adopts `fd`, an open file on which this process holds flock(LOCK_EX); `holder_line`: the
  // file holds a holder line, emptied on release.
  FileLock(int fd, std::filesystem::path path, bool holder_line)
      : fd_(fd), path_(std::move(path)), holder_line_(holder_line) {}
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();
  bool held() const { return fd_ >= 0; }
  const std::filesystem::path& path() const { return path_; }
  void release();

 private:
  int fd_ = -1;
  std::filesystem::path path_;
  bool holder_line_ = false;
};

struct LockWait {
  // How long to wait for another holder before giving up.
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
  // Called once, when the lock is held by another process, with that process's holder line.
  std::function<void(const std::string& holder)> on_wait;
};

// Why a lock was not taken, in plain words ("... is locked by pid 1234: tufget install (waited
// 300 s)", "cannot create ...: Permission denied"). `busy` is true for a timeout.
struct LockError {
  std::string message;
  bool busy = false;
};

// Takes the exclusive lock on `path` (created with its parent directory if missing), waiting
// while another process holds it (polled every 50 ms) up to `wait.timeout`. `holder` is written
// into the file once the lock is held (after "pid N: ").
std::expected<FileLock, LockError> acquire_lock(const std::filesystem::path& path,
                                                const std::string& holder, const LockWait& wait);

// The same lock on a directory itself (no file is added to it, so no holder line either: the
// waiting message says "another tufget process").
std::expected<FileLock, LockError> acquire_directory_lock(const std::filesystem::path& dir, const LockWait& wait);

// The lock timeout from $TUFGET_LOCK_TIMEOUT (seconds), else 300 s.
std::chrono::milliseconds default_lock_timeout();

// "tufget " followed by the program's arguments, for holder lines (set once by main()).
void set_command_line(std::string command_line);
const std::string& command_line();

}  // namespace fsutil
