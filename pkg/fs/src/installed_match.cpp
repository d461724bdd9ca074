// installed_matches_wheel (pkg_fs/installer.h): does an installed distribution's RECORD describe
// exactly the files a given wheel would install?
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <unordered_map>

#include "pkg/wheel.h"
#include "pkg_fs/install_detail.h"
#include "pkg_fs/installer.h"

namespace pkg_fs {
namespace {

using detail::clean;

// RECORD's bytes; nullopt when there is none (ENOENT / ENOTDIR).
pkg::Result<std::optional<std::string>> read_record(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::optional<std::string>();
    return pkg::fail(pkg::Errc::io, path.string(), detail::errno_text(errno));
  }
  std::string text;
  char buffer[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return pkg::fail(pkg::Errc::io, path.string(), detail::errno_text(err));
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return std::optional<std::string>(std::move(text));
}

// An installed RECORD row equals a verified wheel member: same algorithm, same digest, same size.
bool same_file(const pkg::RecordEntry& row, const detail::WheelMember& m,
               const std::optional<std::uint64_t>& wheel_size) {
  const auto h = pkg::parse_record_hash(row.hash);
  if (!h || h->algorithm != m.algorithm || h->digest != m.digest) return false;
  if (row.size) return *row.size == m.size;
  return !wheel_size;  // both RECORDs leave the size out
}

}  // namespace

pkg::Result<bool> installed_matches_wheel(const InstalledDist& dist, const fs::path& wheel,
                                          const Scheme& scheme, std::string_view filename) {
  auto record_text = read_record(dist.dist_info / "RECORD");
  if (!record_text) return std::unexpected(record_text.error());
  if (!*record_text) return false;
  auto rows = pkg::parse_record(**record_text);
  if (!rows) return false;
  std::unordered_map<std::string, const pkg::RecordEntry*> installed;
  for (const pkg::RecordEntry& r : *rows)
    installed.emplace(fs::path(r.path).lexically_normal().generic_string(), &r);

  std::uint64_t memory_budget = 0;  // members are hashed while streaming; nothing kept
  const std::string name = filename.empty() ? wheel.filename().string() : std::string(filename);
  auto w = detail::open_verified_wheel(wheel, name, memory_budget);
  if (!w) return std::unexpected(w.error());

  // The same .dist-info directory, where install() puts it.
  const fs::path lib_dir = clean(w->info.root_is_purelib ? scheme.purelib : scheme.platlib);
  if (detail::real_path(clean(dist.dist_info)) != detail::real_path(lib_dir / w->dist_info)) return false;

  // Quick rejection first: METADATA, the file that says which name and version this is.
  const std::string own_dir = w->dist_info + "/";
  const auto metadata_row = installed.find(own_dir + "METADATA");
  if (metadata_row == installed.end()) return false;
  const auto metadata_hash = pkg::parse_record_hash(metadata_row->second->hash);
  if (!metadata_hash) return false;
  detail::Hasher hasher;
  if (!hasher.start(metadata_hash->algorithm)) return false;
  hasher.update(w->metadata.data(), w->metadata.size());
  if (hasher.finish() != metadata_hash->digest) return false;

  std::unordered_map<std::string_view, const pkg::RecordEntry*> wheel_rows;
  for (const pkg::RecordEntry& r : w->record) wheel_rows.emplace(r.path, &r);
  const fs::path headers = clean(scheme.headers / w->name);
  for (const detail::WheelMember& m : w->members) {
    if (m.exempt) continue;  // RECORD and its signatures: nothing to compare
    if (m.name == own_dir + "INSTALLER" || m.name == own_dir + "REQUESTED" ||
        m.name == own_dir + "direct_url.json")
      continue;
    auto target = pkg::map_member(m.name, w->data_dir, w->info.root_is_purelib);
    if (!target) return std::unexpected(target.error());  // open_verified_wheel checked this
    if (target->scheme == pkg::SchemeKey::scripts) continue;  // rewritten or dropped by installers
    const fs::path root = target->scheme == pkg::SchemeKey::purelib   ? clean(scheme.purelib)
                          : target->scheme == pkg::SchemeKey::platlib ? clean(scheme.platlib)
                          : target->scheme == pkg::SchemeKey::headers ? headers
                                                                      : clean(scheme.data);
    const std::string path = clean(root / target->relative).lexically_relative(lib_dir).generic_string();
    const auto row = installed.find(path);
    if (row == installed.end()) return false;
    const auto wheel_row = wheel_rows.find(m.name);
    const std::optional<std::uint64_t> wheel_size =
        wheel_row == wheel_rows.end() ? std::nullopt : wheel_row->second->size;
    if (!same_file(*row->second, m, wheel_size)) return false;
  }
  return true;
}

}  // namespace pkg_fs
