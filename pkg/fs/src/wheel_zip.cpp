// Phase 1 of the installer: a wheel read with libzip and verified against its RECORD before
// anything is written. Every member is read once, hashed while it streams, and (within the memory
// budget) kept for phase 3.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <cerrno>
#include <unordered_map>
#include <unordered_set>

#include <openssl/evp.h>

#include "pkg/filenames.h"
#include "pkg/names.h"
#include "pkg/version.h"
#include "pkg_fs/install_detail.h"

namespace pkg_fs::detail {

// ---- hashing ------------------------------------------------------------------------------------

Hasher::Hasher() : ctx_(EVP_MD_CTX_new()) {}
Hasher::~Hasher() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

bool Hasher::start(std::string_view algorithm) {
  const EVP_MD* md = algorithm == "sha256"   ? EVP_sha256()
                     : algorithm == "sha384" ? EVP_sha384()
                     : algorithm == "sha512" ? EVP_sha512()
                                             : nullptr;
  return md != nullptr && EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), md, nullptr) == 1;
}

void Hasher::update(const void* data, std::size_t size) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data, size);
}

std::string Hasher::finish() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string sha256_raw(std::string_view bytes) {
  unsigned char out[32];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), out, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string record_hash_of(std::string_view bytes) { return pkg::record_hash_from_digest(sha256_raw(bytes)); }

void ZipCloser::operator()(zip* z) const {
  if (z != nullptr) zip_discard(z);
}

namespace {

constexpr std::uint64_t kMaxMetadataFile = 64u << 20;  // RECORD, METADATA, WHEEL, entry points
constexpr std::size_t kBufferSize = 256u << 10;

std::size_t digest_size(std::string_view algorithm) {
  return algorithm == "sha256" ? 32 : algorithm == "sha384" ? 48 : algorithm == "sha512" ? 64 : 0;
}

std::string zip_error_text(int code) {
  zip_error_t e;
  zip_error_init_with_code(&e, code);
  std::string text = zip_error_strerror(&e);
  zip_error_fini(&e);
  return text;
}

struct ZipFileCloser {
  void operator()(zip_file_t* f) const {
    if (f != nullptr) zip_fclose(f);
  }
};

// Reads a member through `sink(data, n)`, at most `limit` bytes (more is an error: the archive
// claims less than it holds). Returns the byte count.
template <class Sink>
pkg::Result<std::uint64_t> stream_member(zip* archive, const VerifiedWheel& w, const WheelMember& m,
                                        std::uint64_t limit, std::vector<char>& buffer, Sink&& sink) {
  std::unique_ptr<zip_file_t, ZipFileCloser> f(zip_fopen_index(archive, m.index, 0));
  if (!f)
    return pkg::fail(pkg::Errc::invalid_wheel, w.filename,
                     "member '" + m.name + "': cannot open: " + zip_strerror(archive));
  if (buffer.size() < kBufferSize) buffer.resize(kBufferSize);
  std::uint64_t total = 0;
  while (true) {
    const zip_int64_t n = zip_fread(f.get(), buffer.data(), buffer.size());
    if (n < 0)
      return pkg::fail(pkg::Errc::invalid_wheel, w.filename,
                       "member '" + m.name + "': cannot read: " + zip_file_strerror(f.get()));
    if (n == 0) break;
    total += static_cast<std::uint64_t>(n);
    if (total > limit)
      return pkg::fail(pkg::Errc::record_mismatch, w.filename,
                       "member '" + m.name + "' holds more bytes than RECORD or the archive says (" +
                           std::to_string(limit) + ")");
    sink(buffer.data(), static_cast<std::size_t>(n));
  }
  return total;
}

pkg::Result<void> check_digest(const VerifiedWheel& w, const WheelMember& m, std::uint64_t size,
                               std::optional<std::uint64_t> record_size, const std::string& digest,
                               std::string_view when) {
  if (record_size && size != *record_size)
    return pkg::fail(pkg::Errc::record_mismatch, w.filename,
                     "member '" + m.name + "' is " + std::to_string(size) + " bytes, RECORD says " +
                         std::to_string(*record_size) + std::string(when));
  if (digest != m.digest)
    return pkg::fail(pkg::Errc::record_mismatch, w.filename,
                     "member '" + m.name + "': " + m.algorithm + " does not match RECORD" +
                         std::string(when));
  return {};
}

bool is_exempt(std::string_view name, std::string_view dist_info) {
  if (!name.starts_with(dist_info) || name.size() <= dist_info.size() || name[dist_info.size()] != '/')
    return false;
  const std::string_view leaf = name.substr(dist_info.size() + 1);
  return leaf == "RECORD" || leaf == "RECORD.jws" || leaf == "RECORD.p7s";
}

}  // namespace

pkg::Result<VerifiedWheel> open_verified_wheel(const fs::path& path, std::string_view filename,
                                              std::uint64_t& memory_budget) {
  auto fn = pkg::parse_wheel_filename(filename);
  if (!fn) return std::unexpected(fn.error());
  VerifiedWheel w;
  w.path = path;
  w.filename = std::string(filename);
  w.project = fn->name;
  auto bad = [&](pkg::Errc code, std::string detail) {
    return pkg::fail(code, w.filename, std::move(detail));
  };

  // A wheel that fits the memory budget is read with one read() and parsed from memory (no
  // seek/read pair per member); a larger one is read from the file.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return bad(pkg::Errc::io, "cannot open " + path.string() + ": " + errno_text(errno));
  struct stat file_st {};
  if (::fstat(fd, &file_st) == 0 && S_ISREG(file_st.st_mode) &&
      static_cast<std::uint64_t>(file_st.st_size) <= memory_budget) {
    w.file_bytes.resize(static_cast<std::size_t>(file_st.st_size));
    std::size_t have = 0;
    while (have < w.file_bytes.size()) {
      const ssize_t n = ::read(fd, w.file_bytes.data() + have, w.file_bytes.size() - have);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      have += static_cast<std::size_t>(n);
    }
    if (have != w.file_bytes.size()) {
      ::close(fd);
      return bad(pkg::Errc::io, "cannot read " + path.string());
    }
    memory_budget -= have;
  }
  ::close(fd);
  int zerr = 0;
  zip* archive = nullptr;
  if (!w.file_bytes.empty()) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(w.file_bytes.data(), w.file_bytes.size(), 0, &error);
    if (source != nullptr) {
      archive = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
      if (archive == nullptr) zip_source_free(source);
    }
    zerr = zip_error_code_zip(&error);
    zip_error_fini(&error);
  } else {
    archive = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
  }
  if (archive == nullptr) {
    const bool io = zerr == ZIP_ER_OPEN || zerr == ZIP_ER_NOENT || zerr == ZIP_ER_READ;
    const std::string why = zerr == ZIP_ER_EXISTS ? "two members have the same name" : zip_error_text(zerr);
    return bad(io ? pkg::Errc::io : pkg::Errc::invalid_wheel,
               "cannot open " + path.string() + " as a zip archive: " + why);
  }
  w.archive.reset(archive);

  // Member names and kinds.
  const zip_int64_t count = zip_get_num_entries(archive, 0);
  if (count < 0) return bad(pkg::Errc::invalid_wheel, "cannot list the archive");
  std::vector<std::string> names;
  std::vector<zip_uint64_t> stat_sizes;
  std::unordered_set<std::string> seen;
  for (zip_uint64_t i = 0; i < static_cast<zip_uint64_t>(count); ++i) {
    const char* raw = zip_get_name(archive, i, 0);
    if (raw == nullptr) return bad(pkg::Errc::invalid_wheel, "member #" + std::to_string(i) + " has no name");
    std::string name(raw);
    if (!seen.insert(name).second)
      return bad(pkg::Errc::invalid_wheel, "member '" + name + "' appears twice in the archive");
    zip_uint8_t opsys = 0;
    zip_uint32_t attr = 0;
    if (zip_file_get_external_attributes(archive, i, 0, &opsys, &attr) != 0) attr = 0;
    const mode_t mode = static_cast<mode_t>(attr >> 16);
    const bool is_dir_name = name.ends_with('/');
    const std::string_view checked = is_dir_name ? std::string_view(name).substr(0, name.size() - 1)
                                                 : std::string_view(name);
    if (auto ok = pkg::check_member_name(checked); !ok)
      return bad(pkg::Errc::unsafe_path, "member '" + name + "': " + ok.error().detail);
    if (S_ISLNK(mode))
      return bad(pkg::Errc::unsafe_path, "member '" + name + "' is a symbolic link (refused)");
    if ((mode & S_IFMT) != 0 && !S_ISREG(mode) && !S_ISDIR(mode))
      return bad(pkg::Errc::unsafe_path, "member '" + name + "' is not a regular file");
    if (is_dir_name) continue;
    if (S_ISDIR(mode))
      return bad(pkg::Errc::invalid_wheel, "member '" + name + "' is a directory without a trailing '/'");
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(archive, i, 0, &st) != 0 || (st.valid & ZIP_STAT_SIZE) == 0)
      return bad(pkg::Errc::invalid_wheel, "member '" + name + "': no size in the archive");
    WheelMember m;
    m.name = name;
    m.index = i;
    m.executable = mode != 0 && S_ISREG(mode) && (mode & 0111) != 0;
    w.members.push_back(std::move(m));
    names.push_back(std::move(name));
    stat_sizes.push_back(st.size);
  }

  auto dist_info = pkg::find_dist_info(names, fn->name, fn->version);
  if (!dist_info) return bad(pkg::Errc::invalid_wheel, dist_info.error().detail);
  w.dist_info = *dist_info;
  w.data_dir = w.dist_info.substr(0, w.dist_info.size() - std::string_view(".dist-info").size()) + ".data";

  std::vector<char> buffer;
  auto find_member = [&](std::string_view name) -> WheelMember* {
    auto it = std::find_if(w.members.begin(), w.members.end(), [&](const WheelMember& m) { return m.name == name; });
    return it == w.members.end() ? nullptr : &*it;
  };
  auto slurp = [&](WheelMember& m) -> pkg::Result<std::string> {
    std::string out;
    out.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(stat_sizes[&m - w.members.data()], kMaxMetadataFile)));
    auto n = stream_member(archive, w, m, kMaxMetadataFile, buffer,
                           [&](const char* d, std::size_t k) { out.append(d, k); });
    if (!n) return std::unexpected(n.error());
    return out;
  };

  // RECORD.
  WheelMember* record_member = find_member(w.dist_info + "/RECORD");
  if (record_member == nullptr) return bad(pkg::Errc::invalid_wheel, "no " + w.dist_info + "/RECORD");
  auto record_text = slurp(*record_member);
  if (!record_text) return std::unexpected(record_text.error());
  auto record = pkg::parse_record(*record_text);
  if (!record) return bad(pkg::Errc::invalid_wheel, record.error().message());
  w.record = std::move(*record);
  std::unordered_map<std::string_view, const pkg::RecordEntry*> by_path;
  for (const pkg::RecordEntry& e : w.record)
    if (!by_path.emplace(e.path, &e).second)
      return bad(pkg::Errc::invalid_wheel, "RECORD lists '" + e.path + "' twice");

  // Every member is in RECORD with a strong hash; every RECORD entry is a member.
  std::vector<std::optional<std::uint64_t>> record_sizes(w.members.size());
  for (std::size_t k = 0; k < w.members.size(); ++k) {
    WheelMember& m = w.members[k];
    m.exempt = is_exempt(m.name, w.dist_info);
    if (m.exempt) continue;
    auto it = by_path.find(m.name);
    if (it == by_path.end()) return bad(pkg::Errc::record_mismatch, "member '" + m.name + "' is not listed in RECORD");
    const pkg::RecordEntry& e = *it->second;
    if (e.hash.empty()) return bad(pkg::Errc::record_mismatch, "member '" + m.name + "' has no hash in RECORD");
    auto h = pkg::parse_record_hash(e.hash);
    if (!h) return bad(pkg::Errc::invalid_wheel, "member '" + m.name + "': malformed RECORD hash '" + e.hash + "'");
    if (digest_size(h->algorithm) == 0)
      return bad(pkg::Errc::record_mismatch, "member '" + m.name + "': RECORD hash algorithm '" + h->algorithm +
                                                 "' is not sha256, sha384 or sha512");
    if (h->digest.size() != digest_size(h->algorithm))
      return bad(pkg::Errc::invalid_wheel, "member '" + m.name + "': RECORD digest has the wrong length");
    m.algorithm = std::move(h->algorithm);
    m.digest = std::move(h->digest);
    record_sizes[k] = e.size;
  }
  for (const pkg::RecordEntry& e : w.record) {
    if (seen.contains(e.path) || is_exempt(e.path, w.dist_info) || e.path.ends_with('/')) continue;
    // Files an installer generates (.pyc) may be listed without a hash by wheels built from an
    // installed tree; they are not installed from the wheel.
    if (e.hash.empty() && (e.path.ends_with(".pyc") || e.path.ends_with(".pyo"))) continue;
    return bad(pkg::Errc::record_mismatch, "RECORD lists '" + e.path + "', which is not in the wheel");
  }

  // Read every member once: hash while streaming, keep the bytes within the budget.
  const std::string metadata_name = w.dist_info + "/METADATA";
  const std::string wheel_name = w.dist_info + "/WHEEL";
  const std::string entry_points_name = w.dist_info + "/entry_points.txt";
  Hasher hasher;
  for (std::size_t k = 0; k < w.members.size(); ++k) {
    WheelMember& m = w.members[k];
    const bool needed = m.name == metadata_name || m.name == wheel_name || m.name == entry_points_name;
    const std::uint64_t claimed = stat_sizes[k];
    const std::uint64_t limit = record_sizes[k] ? *record_sizes[k] : claimed;
    if (needed && limit > kMaxMetadataFile)
      return bad(pkg::Errc::invalid_wheel, "member '" + m.name + "' is too large");
    if (m.exempt && &m == record_member) {
      m.size = record_text->size();
      if (memory_budget >= m.size) {
        memory_budget -= m.size;
        m.bytes = *record_text;
      }
      continue;
    }
    const bool keep = needed || memory_budget >= claimed;
    std::string kept;
    if (keep) {
      kept.reserve(static_cast<std::size_t>(std::min(claimed, limit)));
      if (!needed) memory_budget -= claimed;
    }
    if (!m.exempt) hasher.start(m.algorithm);
    auto n = stream_member(archive, w, m, limit, buffer, [&](const char* d, std::size_t len) {
      if (!m.exempt) hasher.update(d, len);
      if (keep) kept.append(d, len);
    });
    if (!n) return std::unexpected(n.error());
    m.size = *n;
    if (!m.exempt) {
      if (auto ok = check_digest(w, m, *n, record_sizes[k], hasher.finish(), ""); !ok)
        return std::unexpected(ok.error());
    }
    if (keep) m.bytes = std::move(kept);
  }

  // WHEEL, METADATA, entry points (all verified above).
  WheelMember* wheel_file = find_member(wheel_name);
  if (wheel_file == nullptr) return bad(pkg::Errc::invalid_wheel, "no " + wheel_name);
  auto info = pkg::parse_wheel_info(*wheel_file->bytes);
  if (!info) return bad(pkg::Errc::invalid_wheel, info.error().message());
  w.info = std::move(*info);
  for (const WheelMember& m : w.members)
    if (auto t = pkg::map_member(m.name, w.data_dir, w.info.root_is_purelib); !t)
      return bad(t.error().code, "member '" + m.name + "': " + t.error().detail);
  WheelMember* metadata = find_member(metadata_name);
  if (metadata == nullptr) return bad(pkg::Errc::invalid_wheel, "no " + metadata_name);
  w.metadata = *metadata->bytes;
  auto nv = parse_name_version(w.metadata);
  if (!nv) return bad(pkg::Errc::invalid_wheel, metadata_name + " has no Name or no Version");
  w.name = nv->first;
  w.version = nv->second;
  if (pkg::normalize_name(w.name) != w.project)
    return bad(pkg::Errc::invalid_wheel, "METADATA Name '" + w.name + "' is not the file name's " + w.project);
  auto mv = pkg::Version::parse(w.version);
  if (!mv || *mv != fn->parsed_version)
    return bad(pkg::Errc::invalid_wheel, "METADATA Version '" + w.version + "' is not the file name's " + fn->version);
  if (WheelMember* ep = find_member(entry_points_name); ep != nullptr) {
    auto parsed = pkg::parse_entry_points(*ep->bytes);
    if (!parsed) return bad(pkg::Errc::invalid_wheel, parsed.error().message());
    w.entry_points = std::move(*parsed);
  }
  return w;
}

pkg::Result<void> copy_member(VerifiedWheel& wheel, const WheelMember& member, int fd,
                              std::vector<char>& buffer) {
  const fs::path where = wheel.filename + ":" + member.name;
  if (member.bytes) return write_all(fd, where, *member.bytes);
  Hasher hasher;
  if (!member.exempt) hasher.start(member.algorithm);
  pkg::Result<void> written;
  auto n = stream_member(wheel.archive.get(), wheel, member, member.size, buffer, [&](const char* d, std::size_t len) {
    if (!member.exempt) hasher.update(d, len);
    if (written) written = write_all(fd, where, std::string_view(d, len));
  });
  if (!n) return std::unexpected(n.error());
  if (!written) return written;
  if (member.exempt) return {};
  return check_digest(wheel, member, *n, member.size, hasher.finish(), " (the wheel changed after it was verified)");
}

pkg::Result<std::string> read_member(VerifiedWheel& wheel, const WheelMember& member,
                                     std::vector<char>& buffer) {
  if (member.bytes) return *member.bytes;
  Hasher hasher;
  if (!member.exempt) hasher.start(member.algorithm);
  std::string out;
  out.reserve(static_cast<std::size_t>(member.size));
  auto n = stream_member(wheel.archive.get(), wheel, member, member.size, buffer, [&](const char* d, std::size_t len) {
    if (!member.exempt) hasher.update(d, len);
    out.append(d, len);
  });
  if (!n) return std::unexpected(n.error());
  if (!member.exempt) {
    if (auto ok = check_digest(wheel, member, *n, member.size, hasher.finish(),
                               " (the wheel changed after it was verified)");
        !ok)
      return std::unexpected(ok.error());
  }
  return out;
}

}  // namespace pkg_fs::detail
