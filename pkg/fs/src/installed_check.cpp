// Whether an installed distribution's files are still what its RECORD says (pkg_fs/installer.h).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "fsutil/read.h"
#include "pkg/wheel.h"
#include "pkg_fs/install_detail.h"
#include "pkg_fs/installer.h"

namespace pkg_fs {

using namespace detail;

namespace {

constexpr std::uint64_t kMaxRecord = std::uint64_t{64} << 20;
constexpr std::size_t kMaxProblems = 10;

pkg::Result<std::string> read_record(const InstalledDist& dist) {
  const fs::path path = dist.dist_info / "RECORD";
  auto text = fsutil::read_regular_file(path, kMaxRecord);
  if (!text)
    return pkg::fail(pkg::Errc::io, path.string(),
                     text.error() == EFBIG ? "larger than 64 MiB" : "cannot read: " + errno_text(text.error()));
  return std::move(*text);
}

// The file's digest with `algorithm`, streamed; nullopt when it cannot be read.
std::optional<std::string> digest_of(const fs::path& path, const std::string& algorithm) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  Hasher hasher;
  hasher.start(algorithm);
  std::vector<char> buf(256 << 10);
  ssize_t n = 0;
  while ((n = ::read(fd, buf.data(), buf.size())) > 0) hasher.update(buf.data(), static_cast<std::size_t>(n));
  ::close(fd);
  if (n < 0) return std::nullopt;
  return hasher.finish();
}

}  // namespace

pkg::Result<InstalledCheck> check_installed(const InstalledDist& dist, bool hashes) {
  InstalledCheck out;
  if (!dist.has_record) return out;
  auto text = read_record(dist);
  if (!text) return std::unexpected(text.error());
  auto rows = pkg::parse_record(*text);
  if (!rows) return std::unexpected(rows.error());
  const fs::path location = dist.dist_info.parent_path();
  auto problem = [&](std::string what) {
    ++out.damaged;
    if (out.problems.size() < kMaxProblems) out.problems.push_back(std::move(what));
  };
  for (const pkg::RecordEntry& row : *rows) {
    if (row.hash.empty()) continue;  // RECORD itself, .pyc files: an installer may leave them out
    ++out.files;
    const fs::path path = location / row.path;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      problem(row.path + " is missing");
      continue;
    }
    if (row.size && static_cast<std::uint64_t>(st.st_size) != *row.size) {
      problem(row.path + " is " + std::to_string(st.st_size) + " bytes, RECORD says " + std::to_string(*row.size));
      continue;
    }
    if (!hashes) continue;
    auto h = pkg::parse_record_hash(row.hash);
    if (!h) continue;
    auto digest = digest_of(path, h->algorithm);
    if (!digest || *digest != h->digest) problem(row.path + ": " + h->algorithm + " does not match RECORD");
  }
  return out;
}

}  // namespace pkg_fs
