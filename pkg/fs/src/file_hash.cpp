#include "pkg_fs/file_hash.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

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

  // Uninitialised on purpose: a 1 MiB buffer need not be zeroed before read() fills it.
  const std::unique_ptr<char[]> buffer(new char[kReadSize]);
  FileDigest digest;
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
