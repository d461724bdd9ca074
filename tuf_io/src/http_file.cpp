// file: URLs for HttpClient (http_internal.h): the same byte cap and sink as http(s), read
// without blocking on a FIFO. Errors name the local path and the system's reason; a missing
// file is not_found, a file over the cap too_large, anything else transport (tuf::Errc has no
// code of its own for local files).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "http_internal.h"

namespace tuf_io::http_detail {
namespace {

struct Closer {
  int fd;
  ~Closer() { ::close(fd); }
};

std::unexpected<tuf::Error> local_error(const Job& job, tuf::Errc code, std::string_view doing,
                                        const std::string& path, std::string why) {
  return std::unexpected(job_error(job, code, std::string(doing) + " " + path + ": " + std::move(why)));
}

}  // namespace

FetchResult read_file_url(Job& job) {
  const std::string path = job.target.url.path();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);  // never block on a FIFO
  if (fd < 0) {
    const int err = errno;
    const auto code = err == ENOENT || err == ENOTDIR ? tuf::Errc::not_found : tuf::Errc::transport;
    return local_error(job, code, "cannot open", path, std::strerror(err));
  }
  const Closer closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return local_error(job, tuf::Errc::transport, "cannot stat", path, std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    return local_error(job, tuf::Errc::transport, "cannot read", path,
                       S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
  const std::uint64_t max_bytes = job.request.max_bytes;
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes)
    return std::unexpected(job_error(job, tuf::Errc::too_large,
                                     "file is " + std::to_string(st.st_size) + " bytes, limit " +
                                         std::to_string(max_bytes)));
  std::string body;
  std::uint64_t total = 0;
  std::vector<char> chunk(kChunkSize);
  for (;;) {
    ssize_t n = ::read(fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return local_error(job, tuf::Errc::transport, "cannot read", path, std::strerror(errno));
    if (n == 0) break;
    total += static_cast<std::uint64_t>(n);
    if (total > max_bytes)  // the file grew while we read it
      return std::unexpected(job_error(job, tuf::Errc::too_large,
                                       "file exceeds the limit of " + std::to_string(max_bytes) + " bytes"));
    if (job.request.sink) {
      if (!job.request.sink(tuf::Bytes(reinterpret_cast<const std::uint8_t*>(chunk.data()), std::size_t(n))))
        return std::unexpected(job_error(job, tuf::Errc::transport, "aborted by the receiver"));
    } else {
      body.append(chunk.data(), std::size_t(n));
    }
  }
  return body;
}

}  // namespace tuf_io::http_detail
