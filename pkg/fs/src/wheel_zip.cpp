// Phase 1 of the installer: a wheel read with libzip and verified against its RECORD before
// anything is written. Every member is read once, hashed while it streams, and (within the memory
// budget) kept for phase 3.
//
// Sizes are not trusted (issue 11: a zip header declaring 10 bytes for a member that inflates to
// 3 GiB). Every member is inflated as a stream into a fixed buffer and refused, by name, the moment
// it produces more than its zip header declares or RECORD declares; its bytes are kept only when
// that declared size fits the memory budget, so what is kept never outgrows the budget. The sum of
// the zip headers' sizes is checked against the per-wheel cap (InstallOptions::max_unpacked)
// before anything is inflated; as no member may exceed its header, that bounds what is produced.
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
constexpr std::uint64_t kMaxReadMember = 64u << 20;    // read_member: scripts rewritten in memory
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

// The most bytes a member may inflate to, and what declared it (for the error).
struct Limit {
  std::uint64_t bytes;
  pkg::Errc code;
  const char* declared_by;  // completes "inflates to more than the N bytes ..."
};

// The tighter of the zip header's size and RECORD's.
Limit limit_of(std::uint64_t header_size, std::optional<std::uint64_t> record_size) {
  if (record_size && *record_size < header_size)
    return {*record_size, pkg::Errc::record_mismatch, "RECORD declares"};
  return {header_size, pkg::Errc::invalid_wheel, "its zip header declares"};
}

// A member verified in phase 1, read again: it may not grow.
Limit verified_limit(const WheelMember& m) {
  return {m.size, pkg::Errc::record_mismatch, "it had when verified (the wheel changed since)"};
}

// Reads a member through `sink(data, n)` with `buffer`; refuses it as soon as it produces more
// than `limit` (no byte beyond the limit reaches the sink). Returns the byte count.
template <class Sink>
pkg::Result<std::uint64_t> stream_member(zip* archive, const VerifiedWheel& w, const WheelMember& m,
                                        const Limit& limit, std::vector<char>& buffer, Sink&& sink) {
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
    if (static_cast<std::uint64_t>(n) > limit.bytes - total)
      return pkg::fail(limit.code, w.filename,
                       "member '" + m.name + "' inflates to more than the " + std::to_string(limit.bytes) +
                           " bytes " + limit.declared_by);
    total += static_cast<std::uint64_t>(n);
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

// A member verified in phase 1 streamed again through `sink`, hashed and checked again (a wheel
// file changed since is a record_mismatch).
template <class Sink>
pkg::Result<void> stream_again(VerifiedWheel& wheel, const WheelMember& member, std::vector<char>& buffer,
                               Sink&& sink) {
  Hasher hasher;
  if (!member.exempt) hasher.start(member.algorithm);
  auto n = stream_member(wheel.archive.get(), wheel, member, verified_limit(member), buffer,
                         [&](const char* d, std::size_t len) {
                           if (!member.exempt) hasher.update(d, len);
                           sink(d, len);
                         });
  if (!n) return std::unexpected(n.error());
  if (member.exempt) return {};
  return check_digest(wheel, member, *n, member.size, hasher.finish(), " (the wheel changed after it was verified)");
}

bool is_exempt(std::string_view name, std::string_view dist_info) {
  if (!name.starts_with(dist_info) || name.size() <= dist_info.size() || name[dist_info.size()] != '/')
    return false;
  const std::string_view leaf = name.substr(dist_info.size() + 1);
  return leaf == "RECORD" || leaf == "RECORD.jws" || leaf == "RECORD.p7s";
}

auto failure(const VerifiedWheel& w, pkg::Errc code, std::string detail) {
  return pkg::fail(code, w.filename, std::move(detail));
}

WheelMember* find_member(VerifiedWheel& w, std::string_view name) {
  auto it = std::find_if(w.members.begin(), w.members.end(), [&](const WheelMember& m) { return m.name == name; });
  return it == w.members.end() ? nullptr : &*it;
}

// Reads the wheel file into w.file_bytes when it fits the memory budget (one read(), the members
// then parsed from memory, no seek/read pair per member), and opens it with libzip.
pkg::Result<void> open_archive(VerifiedWheel& w, std::uint64_t& memory_budget) {
  const fs::path& path = w.path;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return failure(w, pkg::Errc::io, "cannot open " + path.string() + ": " + errno_text(errno));
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
      return failure(w, pkg::Errc::io, "cannot read " + path.string());
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
    return failure(w, io ? pkg::Errc::io : pkg::Errc::invalid_wheel,
                   "cannot open " + path.string() + " as a zip archive: " + why);
  }
  w.archive.reset(archive);
  return {};
}

// The sizes declared for each member of w.members (same order), checked as it inflates.
struct DeclaredSizes {
  std::vector<std::uint64_t> header;                 // the zip's (central directory) size
  std::vector<std::optional<std::uint64_t>> record;  // RECORD's, when it gives one
};

// Lists the archive into w.members (files only; every name, directories too, into `seen`):
// unsafe names, links and other non-regular files are refused, and so is a wheel whose zip
// headers add up to more than `max_unpacked` bytes.
pkg::Result<void> list_members(VerifiedWheel& w, std::uint64_t max_unpacked, std::unordered_set<std::string>& seen,
                               DeclaredSizes& sizes) {
  zip* archive = w.archive.get();
  const zip_int64_t count = zip_get_num_entries(archive, 0);
  if (count < 0) return failure(w, pkg::Errc::invalid_wheel, "cannot list the archive");
  std::uint64_t declared = 0;
  for (zip_uint64_t i = 0; i < static_cast<zip_uint64_t>(count); ++i) {
    const char* raw = zip_get_name(archive, i, 0);
    if (raw == nullptr) return failure(w, pkg::Errc::invalid_wheel, "member #" + std::to_string(i) + " has no name");
    std::string name(raw);
    auto bad = [&](pkg::Errc code, std::string_view what) {
      return failure(w, code, "member '" + name + "'" + std::string(what));
    };
    if (!seen.insert(name).second) return bad(pkg::Errc::invalid_wheel, " appears twice in the archive");
    zip_uint8_t opsys = 0;
    zip_uint32_t attr = 0;
    if (zip_file_get_external_attributes(archive, i, 0, &opsys, &attr) != 0) attr = 0;
    const mode_t mode = static_cast<mode_t>(attr >> 16);
    const bool is_dir_name = name.ends_with('/');
    const std::string_view checked = is_dir_name ? std::string_view(name).substr(0, name.size() - 1)
                                                 : std::string_view(name);
    if (auto ok = pkg::check_member_name(checked); !ok) return bad(pkg::Errc::unsafe_path, ": " + ok.error().detail);
    if (S_ISLNK(mode)) return bad(pkg::Errc::unsafe_path, " is a symbolic link (refused)");
    if ((mode & S_IFMT) != 0 && !S_ISREG(mode) && !S_ISDIR(mode))
      return bad(pkg::Errc::unsafe_path, " is not a regular file");
    if (is_dir_name) continue;
    if (S_ISDIR(mode)) return bad(pkg::Errc::invalid_wheel, " is a directory without a trailing '/'");
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(archive, i, 0, &st) != 0 || (st.valid & ZIP_STAT_SIZE) == 0)
      return bad(pkg::Errc::invalid_wheel, ": no size in the archive");
    if (st.size > max_unpacked - declared)
      return failure(w, pkg::Errc::invalid_wheel,
                     "its members unpack to more than " + std::to_string(max_unpacked) +
                         " bytes, the limit for one wheel (passed at member '" + name + "')");
    declared += st.size;
    WheelMember m;
    m.name = std::move(name);
    m.index = i;
    m.executable = mode != 0 && S_ISREG(mode) && (mode & 0111) != 0;
    w.members.push_back(std::move(m));
    sizes.header.push_back(st.size);
  }
  sizes.record.resize(w.members.size());
  return {};
}

// RECORD's text: its member streamed into memory (at most kMaxMetadataFile bytes).
pkg::Result<std::string> read_record(VerifiedWheel& w, const WheelMember& record, std::uint64_t header_size,
                                     std::vector<char>& buffer) {
  if (header_size > kMaxMetadataFile)
    return failure(w, pkg::Errc::invalid_wheel,
                   "member '" + record.name + "' declares " + std::to_string(header_size) +
                       " bytes, more than the 64 MiB allowed");
  std::string out;
  out.reserve(static_cast<std::size_t>(header_size));
  auto n = stream_member(w.archive.get(), w, record, limit_of(header_size, std::nullopt), buffer,
                         [&](const char* d, std::size_t k) { out.append(d, k); });
  if (!n) return std::unexpected(n.error());
  return out;
}

// Matches the members with w.record: every member (but RECORD and its signatures) is listed with a
// strong hash, taken into the member, and its size, if any, into `sizes`; every RECORD entry is a
// member.
pkg::Result<void> match_record(VerifiedWheel& w, const std::unordered_set<std::string>& seen, DeclaredSizes& sizes) {
  std::unordered_map<std::string_view, const pkg::RecordEntry*> by_path;
  for (const pkg::RecordEntry& e : w.record)
    if (!by_path.emplace(e.path, &e).second)
      return failure(w, pkg::Errc::invalid_wheel, "RECORD lists '" + e.path + "' twice");
  for (std::size_t k = 0; k < w.members.size(); ++k) {
    WheelMember& m = w.members[k];
    m.exempt = is_exempt(m.name, w.dist_info);
    if (m.exempt) continue;
    auto bad = [&](pkg::Errc code, std::string what) { return failure(w, code, "member '" + m.name + "'" + what); };
    auto it = by_path.find(m.name);
    if (it == by_path.end()) return bad(pkg::Errc::record_mismatch, " is not listed in RECORD");
    const pkg::RecordEntry& e = *it->second;
    if (e.hash.empty()) return bad(pkg::Errc::record_mismatch, " has no hash in RECORD");
    auto h = pkg::parse_record_hash(e.hash);
    if (!h) return bad(pkg::Errc::invalid_wheel, ": malformed RECORD hash '" + e.hash + "'");
    if (digest_size(h->algorithm) == 0)
      return bad(pkg::Errc::record_mismatch,
                 ": RECORD hash algorithm '" + h->algorithm + "' is not sha256, sha384 or sha512");
    if (h->digest.size() != digest_size(h->algorithm))
      return bad(pkg::Errc::invalid_wheel, ": RECORD digest has the wrong length");
    m.algorithm = std::move(h->algorithm);
    m.digest = std::move(h->digest);
    sizes.record[k] = e.size;
  }
  for (const pkg::RecordEntry& e : w.record) {
    if (seen.contains(e.path) || is_exempt(e.path, w.dist_info) || e.path.ends_with('/')) continue;
    // Files an installer generates (.pyc) may be listed without a hash by wheels built from an
    // installed tree; they are not installed from the wheel.
    if (e.hash.empty() && (e.path.ends_with(".pyc") || e.path.ends_with(".pyo"))) continue;
    return failure(w, pkg::Errc::record_mismatch, "RECORD lists '" + e.path + "', which is not in the wheel");
  }
  return {};
}

// Reads every member once (RECORD, read before, aside): hashed while it streams, refused past the
// size its zip header or RECORD declares, checked against RECORD. Its bytes are kept when that
// declared size fits `memory_budget` (METADATA, WHEEL and entry_points.txt always, at most
// kMaxMetadataFile each: they are parsed next).
pkg::Result<void> read_members(VerifiedWheel& w, const DeclaredSizes& sizes, const std::string& record_text,
                               std::uint64_t& memory_budget, std::vector<char>& buffer) {
  const std::string record_name = w.dist_info + "/RECORD";
  const std::string parsed[] = {w.dist_info + "/METADATA", w.dist_info + "/WHEEL", w.dist_info + "/entry_points.txt"};
  Hasher hasher;
  for (std::size_t k = 0; k < w.members.size(); ++k) {
    WheelMember& m = w.members[k];
    if (m.name == record_name) {
      m.size = record_text.size();
      if (memory_budget >= m.size) {
        memory_budget -= m.size;
        m.bytes = record_text;
      }
      continue;
    }
    const bool needed = std::find(std::begin(parsed), std::end(parsed), m.name) != std::end(parsed);
    const Limit limit = limit_of(sizes.header[k], sizes.record[k]);
    if (needed && limit.bytes > kMaxMetadataFile)
      return failure(w, pkg::Errc::invalid_wheel, "member '" + m.name + "' declares " + std::to_string(limit.bytes) +
                                                      " bytes, more than the 64 MiB allowed");
    const bool keep = needed || memory_budget >= limit.bytes;
    std::string kept;
    if (keep) {
      kept.reserve(static_cast<std::size_t>(limit.bytes));
      if (!needed) memory_budget -= limit.bytes;
    }
    if (!m.exempt) hasher.start(m.algorithm);
    auto n = stream_member(w.archive.get(), w, m, limit, buffer, [&](const char* d, std::size_t len) {
      if (!m.exempt) hasher.update(d, len);
      if (keep) kept.append(d, len);
    });
    if (!n) return std::unexpected(n.error());
    m.size = *n;
    if (!m.exempt) {
      if (auto ok = check_digest(w, m, *n, sizes.record[k], hasher.finish(), ""); !ok) return ok;
    }
    if (keep) m.bytes = std::move(kept);
  }
  return {};
}

// WHEEL, METADATA (Name and Version those of the file name) and entry points, all verified.
pkg::Result<void> parse_info(VerifiedWheel& w, const pkg::WheelFilename& fn) {
  auto bad = [&](std::string detail) { return failure(w, pkg::Errc::invalid_wheel, std::move(detail)); };
  const std::string wheel_name = w.dist_info + "/WHEEL";
  const std::string metadata_name = w.dist_info + "/METADATA";
  WheelMember* wheel_file = find_member(w, wheel_name);
  if (wheel_file == nullptr) return bad("no " + wheel_name);
  auto info = pkg::parse_wheel_info(*wheel_file->bytes);
  if (!info) return bad(info.error().message());
  w.info = std::move(*info);
  for (const WheelMember& m : w.members)
    if (auto t = pkg::map_member(m.name, w.data_dir, w.info.root_is_purelib); !t)
      return failure(w, t.error().code, "member '" + m.name + "': " + t.error().detail);
  WheelMember* metadata = find_member(w, metadata_name);
  if (metadata == nullptr) return bad("no " + metadata_name);
  w.metadata = *metadata->bytes;
  auto nv = parse_name_version(w.metadata);
  if (!nv) return bad(metadata_name + " has no Name or no Version");
  w.name = nv->first;
  w.version = nv->second;
  if (pkg::normalize_name(w.name) != w.project)
    return bad("METADATA Name '" + w.name + "' is not the file name's " + w.project);
  auto mv = pkg::Version::parse(w.version);
  if (!mv || *mv != fn.parsed_version)
    return bad("METADATA Version '" + w.version + "' is not the file name's " + fn.version);
  if (WheelMember* ep = find_member(w, w.dist_info + "/entry_points.txt"); ep != nullptr) {
    auto parsed = pkg::parse_entry_points(*ep->bytes);
    if (!parsed) return bad(parsed.error().message());
    w.entry_points = std::move(*parsed);
  }
  return {};
}

}  // namespace

pkg::Result<VerifiedWheel> open_verified_wheel(const fs::path& path, std::string_view filename,
                                              std::uint64_t& memory_budget, std::uint64_t max_unpacked) {
  auto fn = pkg::parse_wheel_filename(filename);
  if (!fn) return std::unexpected(fn.error());
  VerifiedWheel w;
  w.path = path;
  w.filename = std::string(filename);
  w.project = fn->name;
  if (auto ok = open_archive(w, memory_budget); !ok) return std::unexpected(ok.error());
  std::unordered_set<std::string> seen;
  DeclaredSizes sizes;
  if (auto ok = list_members(w, max_unpacked, seen, sizes); !ok) return std::unexpected(ok.error());
  std::vector<std::string> names;
  for (const WheelMember& m : w.members) names.push_back(m.name);
  auto dist_info = pkg::find_dist_info(names, fn->name, fn->version);
  if (!dist_info) return failure(w, pkg::Errc::invalid_wheel, dist_info.error().detail);
  w.dist_info = *dist_info;
  w.data_dir = w.dist_info.substr(0, w.dist_info.size() - std::string_view(".dist-info").size()) + ".data";

  std::vector<char> buffer;
  const WheelMember* record_member = find_member(w, w.dist_info + "/RECORD");
  if (record_member == nullptr) return failure(w, pkg::Errc::invalid_wheel, "no " + w.dist_info + "/RECORD");
  auto record_text = read_record(w, *record_member, sizes.header[record_member - w.members.data()], buffer);
  if (!record_text) return std::unexpected(record_text.error());
  auto record = pkg::parse_record(*record_text);
  if (!record) return failure(w, pkg::Errc::invalid_wheel, record.error().message());
  w.record = std::move(*record);
  if (auto ok = match_record(w, seen, sizes); !ok) return std::unexpected(ok.error());
  if (auto ok = read_members(w, sizes, *record_text, memory_budget, buffer); !ok) return std::unexpected(ok.error());
  if (auto ok = parse_info(w, *fn); !ok) return std::unexpected(ok.error());
  return w;
}

pkg::Result<void> copy_member(VerifiedWheel& wheel, const WheelMember& member, int fd,
                              std::vector<char>& buffer) {
  const fs::path where = wheel.filename + ":" + member.name;
  if (member.bytes) return write_all(fd, where, *member.bytes);
  pkg::Result<void> written;
  auto verified = stream_again(wheel, member, buffer, [&](const char* d, std::size_t len) {
    if (written) written = write_all(fd, where, std::string_view(d, len));
  });
  if (!verified) return verified;
  return written;
}

// Scripts are the members read whole (to rewrite their "#!python" line): one larger than
// kMaxReadMember is refused rather than held in memory.
pkg::Result<std::string> read_member(VerifiedWheel& wheel, const WheelMember& member,
                                     std::vector<char>& buffer) {
  if (member.size > kMaxReadMember)
    return pkg::fail(pkg::Errc::invalid_wheel, wheel.filename,
                     "member '" + member.name + "' is " + std::to_string(member.size) +
                         " bytes: a script is read into memory to rewrite its first line, and one larger than "
                         "64 MiB is refused");
  if (member.bytes) return *member.bytes;
  std::string out;
  out.reserve(static_cast<std::size_t>(member.size));
  auto verified = stream_again(wheel, member, buffer, [&](const char* d, std::size_t len) { out.append(d, len); });
  if (!verified) return std::unexpected(verified.error());
  return out;
}

}  // namespace pkg_fs::detail
