// Test helpers for the wheel installer: wheels built in memory (support/zip_writer.h: stored
// entries, so tests control names, modes and bytes exactly), temporary directories and
// snapshots of a directory tree.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <openssl/evp.h>

#include "pkg/wheel.h"
#include "pkg_fs/installer.h"
#include "support/zip_writer.h"

namespace install_support {

namespace fs = std::filesystem;

using test_zip::ZipEntry;

inline std::string make_zip(const std::vector<ZipEntry>& entries) { return test_zip::stored_zip(entries); }

inline std::string sha256(std::string_view bytes) {
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(md), len);
}

inline std::string record_hash(std::string_view bytes) { return pkg::record_hash_from_digest(sha256(bytes)); }

// A wheel: payload files plus the .dist-info files, RECORD computed from the final bytes.
struct WheelSpec {
  std::string name = "sample";     // project name as in METADATA
  std::string version = "1.0";
  bool root_is_purelib = true;
  std::vector<ZipEntry> files;     // payload, paths as in the wheel
  std::string entry_points;        // entry_points.txt, "" for none
  std::vector<ZipEntry> extra_dist_info;  // more files under .dist-info/
};

inline std::string dist_info_of(const WheelSpec& s) {
  std::string escaped = s.name;
  for (char& c : escaped)
    if (c == '-') c = '_';
  return escaped + "-" + s.version + ".dist-info";
}

inline std::string filename_of(const WheelSpec& s) {
  std::string escaped = s.name;
  for (char& c : escaped)
    if (c == '-') c = '_';
  return escaped + "-" + s.version + "-py3-none-any.whl";
}

inline std::string record_of(const std::vector<ZipEntry>& entries, const std::string& record_path) {
  std::vector<pkg::RecordEntry> rows;
  for (const ZipEntry& e : entries)
    if (!e.name.ends_with('/')) rows.push_back({e.name, record_hash(e.data), e.data.size()});
  rows.push_back({record_path, "", std::nullopt});
  return pkg::write_record(rows);
}

// Every entry of the wheel, RECORD last.
inline std::vector<ZipEntry> wheel_entries(const WheelSpec& s) {
  std::vector<ZipEntry> entries = s.files;
  const std::string info = dist_info_of(s);
  entries.push_back({info + "/METADATA", "Metadata-Version: 2.1\nName: " + s.name + "\nVersion: " + s.version +
                                             "\nSummary: a test wheel\n\nDescription.\n"});
  entries.push_back({info + "/WHEEL", std::string("Wheel-Version: 1.0\nGenerator: tufget-tests\nRoot-Is-Purelib: ") +
                                          (s.root_is_purelib ? "true" : "false") + "\nTag: py3-none-any\n"});
  if (!s.entry_points.empty()) entries.push_back({info + "/entry_points.txt", s.entry_points});
  for (const ZipEntry& e : s.extra_dist_info) entries.push_back({info + "/" + e.name, e.data, e.mode});
  entries.push_back({info + "/RECORD", record_of(entries, info + "/RECORD")});
  return entries;
}

inline void write_file(const fs::path& p, std::string_view bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Writes the wheel into `dir` under its file name; returns the path.
inline fs::path write_wheel(const fs::path& dir, const WheelSpec& s, const std::vector<ZipEntry>& entries) {
  const fs::path p = dir / filename_of(s);
  write_file(p, make_zip(entries));
  return p;
}
inline fs::path write_wheel(const fs::path& dir, const WheelSpec& s) { return write_wheel(dir, s, wheel_entries(s)); }

// A temporary directory removed at the end of the scope.
class TempDir {
 public:
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "tufget-install-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) std::abort();
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Every entry below `root` (not following symbolic links): kind, mode and contents.
struct Node {
  char kind = 'f';  // 'f' file, 'd' directory, 'l' symbolic link
  unsigned mode = 0;
  std::string data;  // file bytes or link target
  bool operator==(const Node&) const = default;
};
using Snapshot = std::map<std::string, Node>;

inline Snapshot snapshot(const fs::path& root) {
  Snapshot out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0) continue;
    Node n;
    n.mode = st.st_mode & 07777;
    if (S_ISDIR(st.st_mode)) n.kind = 'd';
    else if (S_ISLNK(st.st_mode)) {
      n.kind = 'l';
      n.data = fs::read_symlink(it->path()).string();
    } else n.data = read_file(it->path());
    out.emplace(it->path().lexically_relative(root).string(), std::move(n));
  }
  return out;
}

// The keys that differ between two snapshots (for readable failure messages).
inline std::vector<std::string> differences(const Snapshot& a, const Snapshot& b) {
  std::vector<std::string> out;
  for (const auto& [k, v] : a) {
    auto it = b.find(k);
    if (it == b.end()) out.push_back("-" + k);
    else if (!(it->second == v)) out.push_back("~" + k);
  }
  for (const auto& [k, v] : b)
    if (!a.contains(k)) out.push_back("+" + k);
  return out;
}

struct UmaskGuard {
  mode_t old;
  explicit UmaskGuard(mode_t m) : old(::umask(m)) {}
  ~UmaskGuard() { ::umask(old); }
};

// A fake environment: prefix with lib/python3.11/site-packages (purelib), platlib/ (a separate
// platlib), bin/, include/site/python3.11 (headers) and data = prefix, as in a venv.
struct Env {
  TempDir tmp;
  fs::path prefix = tmp.path() / "env";
  fs::path purelib = prefix / "lib/python3.11/site-packages";
  fs::path platlib = prefix / "platlib";
  fs::path scripts = prefix / "bin";
  fs::path headers = prefix / "include/site/python3.11";
  fs::path wheels = tmp.path() / "wheels";
  pkg_fs::InstallOptions options;
  UmaskGuard umask{022};

  Env() {
    for (const fs::path& d : {purelib, platlib, scripts, headers, prefix / "share", wheels}) fs::create_directories(d);
    options.scheme = pkg_fs::Scheme{purelib, platlib, scripts, headers, prefix};
    options.prefix = prefix;
    options.python = "/fake/bin/python";
  }

  pkg::Result<std::vector<pkg_fs::InstalledWheel>> install_all(const std::vector<fs::path>& paths, bool requested = true) {
    std::vector<pkg_fs::WheelToInstall> in;
    for (const fs::path& p : paths) in.push_back({p, p.filename().string(), requested});
    return pkg_fs::install(in, options);
  }
  pkg::Result<std::vector<pkg_fs::InstalledWheel>> install(const WheelSpec& spec, bool requested = true) {
    return install_all({write_wheel(wheels, spec)}, requested);
  }
  std::vector<pkg_fs::InstalledDist> installed() {
    auto l = pkg_fs::list_installed(options.scheme);
    REQUIRE(l);
    return *l;
  }
};

}  // namespace install_support
