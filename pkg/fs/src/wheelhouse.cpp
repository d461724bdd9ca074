#include "pkg_fs/wheelhouse.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>

#include "pkg/filenames.h"
#include "pkg/names.h"
#include "pkg_fs/file_hash.h"

namespace pkg_fs {
namespace fs = std::filesystem;

namespace {

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

std::optional<std::string> project_of(std::string_view filename) {
  if (auto w = pkg::parse_wheel_filename(filename)) return std::move(w->name);
  if (auto s = pkg::parse_sdist_filename(filename)) return std::move(s->name);
  return std::nullopt;
}

// stat() follows symbolic links: a link to a regular file is a file, a dangling one is not.
bool is_file_or_link_to_one(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

std::string file_url(const fs::path& absolute_path) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out = "file://";
  for (unsigned char c : absolute_path.string()) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '.' || c == '-' || c == '~' || c == '/';
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kDigits[c >> 4];
      out += kDigits[c & 0xf];
    }
  }
  return out;
}

pkg::Result<Wheelhouse> scan_wheelhouse(const fs::path& dir) {
  Wheelhouse house;
  std::error_code ec;
  house.dir = fs::absolute(dir, ec).lexically_normal();
  if (ec) return pkg::fail(pkg::Errc::io, dir.string(), ec.message());
  // "/a/b/" normalises to "/a/b/": drop the empty last part so paths join cleanly.
  if (house.dir.has_parent_path() && !house.dir.has_filename()) house.dir = house.dir.parent_path();

  const std::unique_ptr<DIR, DirCloser> listing(::opendir(house.dir.c_str()));
  if (!listing) return pkg::fail(pkg::Errc::io, dir.string(), std::strerror(errno));
  for (;;) {
    errno = 0;
    const dirent* entry = ::readdir(listing.get());
    if (entry == nullptr) {
      if (errno != 0) return pkg::fail(pkg::Errc::io, dir.string(), std::strerror(errno));
      break;
    }
    const std::string_view name = entry->d_name;
    auto project = project_of(name);
    if (!project) continue;  // ".", "..", and anything that is not a distribution's name
    if (entry->d_type != DT_REG && !is_file_or_link_to_one(house.dir / name)) continue;
    house.files[*project].emplace_back(name);
  }
  for (auto& [project, names] : house.files) std::sort(names.begin(), names.end());
  return house;
}

pkg::Result<pkg::ProjectPage> Wheelhouse::page(std::string_view project) const {
  pkg::ProjectPage page;
  page.name = pkg::normalize_name(project);
  const auto it = files.find(*page.name);
  if (it == files.end()) return page;
  for (const std::string& filename : it->second) {
    const fs::path path = dir / filename;
    auto digest = hash_file(path);
    if (!digest) return std::unexpected(std::move(digest.error()));
    pkg::DistFile file;
    file.filename = filename;
    file.url = file_url(path);
    file.hashes.emplace("sha256", std::move(digest->hex));
    file.size = digest->size;
    page.files.push_back(std::move(file));
  }
  return page;
}

}  // namespace pkg_fs
