// fsutil/read.h.
#include "fsutil/read.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace fsutil {

std::expected<std::string, int> read_regular_file(const std::filesystem::path& path,
                                                  std::uint64_t max_bytes, Links links) {
  const int nofollow = links == Links::refuse ? O_NOFOLLOW : 0;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | nofollow | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return std::unexpected(errno);
  struct stat st {};
  int err = 0;
  if (::fstat(fd, &st) != 0) err = errno;
  else if (S_ISDIR(st.st_mode)) err = EISDIR;
  else if (!S_ISREG(st.st_mode)) err = EINVAL;
  else if (static_cast<std::uint64_t>(st.st_size) > max_bytes) err = EFBIG;
  std::string out;
  if (err == 0) {
    out.resize(static_cast<std::size_t>(st.st_size) + 1);  // one more: a file that grew shows
    std::size_t have = 0;
    while (err == 0) {
      if (have == out.size()) {
        if (have > max_bytes) break;
        out.resize(std::min<std::uint64_t>(max_bytes + 1, out.size() * 2 + 4096));
      }
      const ssize_t n = ::read(fd, out.data() + have, out.size() - have);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) err = errno;
      if (n <= 0) break;
      have += static_cast<std::size_t>(n);
    }
    if (err == 0 && have > max_bytes) err = EFBIG;
    out.resize(have);
  }
  ::close(fd);
  if (err != 0) return std::unexpected(err);
  return out;
}

}  // namespace fsutil
