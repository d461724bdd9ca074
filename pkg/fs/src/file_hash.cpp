#include "pkg_fs/file_hash.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

#include "pkg_fs/install_detail.h"

namespace pkg_fs {
namespace {

constexpr std::size_t kReadSize = std::size_t{1} << 20;

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::string to_hex(std::string_view raw) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xf];
  }
  return out;
}

std::unexpected<pkg::Error> io_fail(const std::filesystem::path& path, int err) {
  return pkg::fail(pkg::Errc::io, path.string(), std::strerror(err));
}

// Large regular files: a reader thread copies the next buffers out of the page cache (about a
// fifth of the time of a single-threaded hash) while this thread hashes the previous ones.
constexpr std::uint64_t kPipelineFrom = std::uint64_t{16} << 20;
constexpr std::size_t kSlots = 4;

pkg::Result<void> hash_pipelined(int fd, const std::filesystem::path& path, detail::Hasher& hasher,
                                 FileDigest& digest, std::uint64_t max_bytes) {
  std::unique_ptr<char[]> buffers[kSlots];
  for (auto& b : buffers) b.reset(new char[kReadSize]);
  ssize_t lengths[kSlots] = {};
  int read_error = 0;
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t produced = 0, consumed = 0;
  bool stop = false;
  std::thread reader([&] {
    for (;;) {
      std::size_t slot;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return stop || produced - consumed < kSlots; });
        if (stop) return;
        slot = produced % kSlots;
      }
      ssize_t n;
      do n = ::read(fd, buffers[slot].get(), kReadSize);
      while (n < 0 && errno == EINTR);
      const int err = n < 0 ? errno : 0;
      {
        std::lock_guard lock(mutex);
        lengths[slot] = n;
        read_error = err;
        ++produced;
      }
      changed.notify_all();
      if (n <= 0) return;
    }
  });
  pkg::Result<void> result;
  for (;;) {
    std::size_t slot;
    ssize_t n;
    {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return produced > consumed; });
      slot = consumed % kSlots;
      n = lengths[slot];
    }
    if (n < 0) {
      result = io_fail(path, read_error);
      break;
    }
    if (n == 0) break;
    digest.size += static_cast<std::uint64_t>(n);
    if (digest.size > max_bytes) {
      result = pkg::fail(pkg::Errc::io, path.string(), "larger than " + std::to_string(max_bytes) + " bytes");
      break;
    }
    hasher.update(buffers[slot].get(), static_cast<std::size_t>(n));
    {
      std::lock_guard lock(mutex);
      ++consumed;
    }
    changed.notify_all();
  }
  {
    std::lock_guard lock(mutex);
    stop = true;
  }
  changed.notify_all();
  reader.join();
  return result;
}

}  // namespace

pkg::Result<FileDigest> hash_file(const std::filesystem::path& path, std::string_view algorithm,
                                  std::uint64_t max_bytes) {
  detail::Hasher hasher;
  if (!hasher.start(algorithm))
    return pkg::fail(pkg::Errc::unsupported, algorithm, "not sha256, sha384 or sha512");
  Fd in{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) return io_fail(path, errno);
  struct stat st {};
  if (::fstat(in.fd, &st) != 0) return io_fail(path, errno);
  if (S_ISDIR(st.st_mode)) return io_fail(path, EISDIR);
  if (S_ISREG(st.st_mode)) ::posix_fadvise(in.fd, 0, 0, POSIX_FADV_SEQUENTIAL);

  FileDigest digest;
  if (S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) >= kPipelineFrom) {
    if (auto ok = hash_pipelined(in.fd, path, hasher, digest, max_bytes); !ok) {
      return std::unexpected(ok.error());
    }
    digest.hex = to_hex(hasher.finish());
    return digest;
  }
  // Uninitialised on purpose: a 1 MiB buffer need not be zeroed before read() fills it.
  const std::unique_ptr<char[]> buffer(new char[kReadSize]);
  for (;;) {
    const ssize_t n = ::read(in.fd, buffer.get(), kReadSize);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_fail(path, errno);
    }
    if (n == 0) break;
    digest.size += static_cast<std::uint64_t>(n);
    if (digest.size > max_bytes)
      return pkg::fail(pkg::Errc::io, path.string(), "larger than " + std::to_string(max_bytes) + " bytes");
    hasher.update(buffer.get(), static_cast<std::size_t>(n));
  }
  digest.hex = to_hex(hasher.finish());
  return digest;
}

}  // namespace pkg_fs
