// The local TUF-enabled index: state file, distributions, simple pages, signed metadata.
#include "tuf_repo/publish.h"

#include <simdjson.h>
#include <unistd.h>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <utility>

#include "fsutil/atomic_write.h"
#include "fsutil/lock.h"
#include "fsutil/read.h"
#include "pkg/names.h"
#include "tuf/hash.h"
#include "tuf/json_text.h"
#include "tuf/metadata.h"
#include "tuf_repo/bins.h"
#include "tuf_repo/error.h"
#include "tuf_repo/serialize.h"
#include "tuf_repo/wheel.h"
#include "index_files.h"

namespace tuf_repo {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kStateFormat = "tufget-index/1";
constexpr std::int64_t kDay = 86400;
constexpr unsigned kSnapshotsKept = 3;  // the current snapshot and the two before it
// Read caps: the state file grows with the projects (~200 bytes a file), key files are small.
constexpr std::uint64_t kStateMaxBytes = std::uint64_t{1} << 30;
constexpr std::uint64_t kKeyFileMaxBytes = 1 << 20;

using detail::is_lower_hex;

std::string read_capped(const fs::path& p, std::uint64_t max_bytes) {
  auto text = fsutil::read_regular_file(p, max_bytes);
  if (!text) throw RepoError("cannot read " + p.string() + ": " + std::strerror(text.error()));
  return std::move(*text);
}

// Every file of the index is replaced whole (readers see the old or the new file); not fsync'ed:
// the index's many files are rewritten by the next publish if a crash loses them.
void write_file(const fs::path& p, std::string_view data, mode_t mode = 0644) {
  if (auto ok = fsutil::write_file_atomic(p, data, {mode, /*durable=*/false}); !ok)
    throw RepoError(ok.error().message());
}

std::string blake2b_256_hex(std::string_view data) {
  return tuf::digest_hex(tuf::HashAlg::blake2b_256, tuf::as_bytes(data));
}

// ---- state -----------------------------------------------------------------------------------

struct FileRecord {
  std::string filename;
  std::string version;
  std::string blake2b;  // blake2b-256 hex of the file: its place under packages/
  std::string sha256;
  std::uint64_t size = 0;
  tuf::Timestamp upload_time = 0;
  std::optional<std::string> requires_python;  // wheels: from METADATA
  std::optional<std::string> metadata_sha256;   // wheels: of <filename>.metadata (PEP 658)
};

struct PageInfo {
  std::uint64_t length = 0;
  std::string blake2b;
};

struct ProjectRecord {
  std::vector<FileRecord> files;
  bool dirty = false;            // files changed since the last publish
  std::optional<PageInfo> page;  // the signed simple page (after the first publish)
};

struct RoleState {
  std::uint64_t version = 1;
  tuf::Timestamp expires = 0;
};

struct State {
  unsigned bit_length = 8;
  bool consistent_snapshot = true;
  KeyType key_type = KeyType::ed25519;
  unsigned expires_days = 7;
  unsigned root_expires_days = 365;
  RoleState root, targets, snapshot, timestamp;
  std::vector<RoleState> bins;
  std::map<std::string, ProjectRecord> projects;  // by normalised name
};

fs::path state_path(const fs::path& dir) { return dir / "index-state.json"; }
fs::path metadata_dir(const fs::path& dir) { return dir / "tuf-metadata"; }
BinLayout layout(const State& st) { return BinLayout{st.bit_length, "bins"}; }

void append_role(std::string& out, const char* name, const RoleState& r, bool last = false) {
  out += "    " + tuf::json_string(name) + ": {\"version\": " + std::to_string(r.version) +
         ", \"expires\": " + std::to_string(r.expires) + "}" + (last ? "\n" : ",\n");
}

std::string serialize_state(const State& st) {
  std::string out = "{\n";
  out += "  \"format\": " + tuf::json_string(kStateFormat) + ",\n";
  out += "  \"bit_length\": " + std::to_string(st.bit_length) + ",\n";
  out += std::string("  \"consistent_snapshot\": ") +
         (st.consistent_snapshot ? "true" : "false") + ",\n";
  out += "  \"key_type\": " + tuf::json_string(key_type_name(st.key_type)) + ",\n";
  out += "  \"expires_days\": " + std::to_string(st.expires_days) + ",\n";
  out += "  \"root_expires_days\": " + std::to_string(st.root_expires_days) + ",\n";
  out += "  \"roles\": {\n";
  append_role(out, "root", st.root);
  append_role(out, "targets", st.targets);
  append_role(out, "snapshot", st.snapshot);
  append_role(out, "timestamp", st.timestamp, true);
  out += "  },\n  \"bins\": [";
  for (std::size_t i = 0; i < st.bins.size(); ++i) {
    out += (i % 8 == 0) ? "\n    " : " ";
    out += "[" + std::to_string(st.bins[i].version) + ", " + std::to_string(st.bins[i].expires) +
           "]";
    if (i + 1 < st.bins.size()) out += ",";
  }
  out += "\n  ],\n  \"projects\": {";
  bool first_project = true;
  for (const auto& [name, p] : st.projects) {
    out += first_project ? "\n" : ",\n";
    first_project = false;
    out += "    " + tuf::json_string(name) + ": {\n";
    out += std::string("      \"dirty\": ") + (p.dirty ? "true" : "false") + ",\n";
    if (p.page)
      out += "      \"page\": {\"length\": " + std::to_string(p.page->length) +
             ", \"blake2b-256\": " + tuf::json_string(p.page->blake2b) + "},\n";
    out += "      \"files\": [";
    for (std::size_t i = 0; i < p.files.size(); ++i) {
      const FileRecord& f = p.files[i];
      out += "\n        {\"filename\": " + tuf::json_string(f.filename) +
             ", \"version\": " + tuf::json_string(f.version) +
             ", \"blake2b-256\": " + tuf::json_string(f.blake2b) +
             ", \"sha256\": " + tuf::json_string(f.sha256) + ", \"size\": " + std::to_string(f.size) +
             ", \"upload_time\": " + std::to_string(f.upload_time);
      if (f.requires_python) out += ", \"requires_python\": " + tuf::json_string(*f.requires_python);
      if (f.metadata_sha256) out += ", \"metadata_sha256\": " + tuf::json_string(*f.metadata_sha256);
      out += (i + 1 < p.files.size()) ? "}," : "}";
    }
    out += "\n      ]\n    }";
  }
  out += "\n  }\n}\n";
  return out;
}

[[noreturn]] void damaged(const std::string& what) {
  throw RepoError("index-state.json is damaged: " + what);
}

template <class T>
T need(simdjson::simdjson_result<T> r, const char* what) {
  T v;
  if (std::move(r).get(v) != simdjson::SUCCESS) damaged(std::string("bad or missing ") + what);
  return v;
}

RoleState parse_role(simdjson::dom::element e, const char* what) {
  RoleState r;
  r.version = need(e["version"].get_uint64(), what);
  r.expires = need(e["expires"].get_int64(), what);
  return r;
}

State load_state(const fs::path& dir) {
  if (!fs::exists(state_path(dir)))
    throw RepoError(dir.string() + " is not a tufget index (no index-state.json); run `tufget index init` first");
  const std::string text = read_capped(state_path(dir), kStateMaxBytes);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(text).get(doc) != simdjson::SUCCESS) damaged("not JSON");
  State st;
  if (need(doc["format"].get_string(), "format") != kStateFormat) damaged("unknown format");
  st.bit_length = static_cast<unsigned>(need(doc["bit_length"].get_uint64(), "bit_length"));
  if (st.bit_length < 1 || st.bit_length > 14) damaged("bit_length out of range");
  st.consistent_snapshot = need(doc["consistent_snapshot"].get_bool(), "consistent_snapshot");
  const auto kt = parse_key_type(need(doc["key_type"].get_string(), "key_type"));
  if (!kt) damaged("unknown key_type");
  st.key_type = *kt;
  st.expires_days = static_cast<unsigned>(need(doc["expires_days"].get_uint64(), "expires_days"));
  st.root_expires_days =
      static_cast<unsigned>(need(doc["root_expires_days"].get_uint64(), "root_expires_days"));
  const auto roles = need(doc["roles"].get_object(), "roles");
  st.root = parse_role(roles["root"], "roles.root");
  st.targets = parse_role(roles["targets"], "roles.targets");
  st.snapshot = parse_role(roles["snapshot"], "roles.snapshot");
  st.timestamp = parse_role(roles["timestamp"], "roles.timestamp");
  for (auto b : need(doc["bins"].get_array(), "bins")) {
    auto pair = need(b.get_array(), "bins entry");
    RoleState r;
    r.version = need(pair.at(0).get_uint64(), "bin version");
    r.expires = need(pair.at(1).get_int64(), "bin expiry");
    st.bins.push_back(r);
  }
  if (st.bins.size() != (std::size_t{1} << st.bit_length)) damaged("wrong number of bins");
  for (auto [key, value] : need(doc["projects"].get_object(), "projects")) {
    const std::string name(key);
    if (!pkg::is_normalized_name(name)) damaged("bad project name " + name);
    ProjectRecord p;
    p.dirty = need(value["dirty"].get_bool(), "dirty");
    simdjson::dom::element page;
    if (value["page"].get(page) == simdjson::SUCCESS) {
      PageInfo pi;
      pi.length = need(page["length"].get_uint64(), "page.length");
      pi.blake2b = std::string(need(page["blake2b-256"].get_string(), "page.blake2b-256"));
      p.page = std::move(pi);
    }
    for (auto f : need(value["files"].get_array(), "files")) {
      FileRecord r;
      r.filename = std::string(need(f["filename"].get_string(), "filename"));
      r.version = std::string(need(f["version"].get_string(), "version"));
      r.blake2b = std::string(need(f["blake2b-256"].get_string(), "blake2b-256"));
      r.sha256 = std::string(need(f["sha256"].get_string(), "sha256"));
      r.size = need(f["size"].get_uint64(), "size");
      r.upload_time = need(f["upload_time"].get_int64(), "upload_time");
      std::string_view s;
      if (f["requires_python"].get(s) == simdjson::SUCCESS) r.requires_python = std::string(s);
      if (f["metadata_sha256"].get(s) == simdjson::SUCCESS) r.metadata_sha256 = std::string(s);
      if (!is_lower_hex(r.blake2b, 64) || !is_lower_hex(r.sha256, 64)) damaged("bad file hash");
      p.files.push_back(std::move(r));
    }
    st.projects.emplace(name, std::move(p));
  }
  return st;
}

void save_state(const fs::path& dir, const State& st) {
  write_file(state_path(dir), serialize_state(st));
}

// ---- locking -----------------------------------------------------------------------------------

// Serialises commands on one index; held until the command returns.
fsutil::FileLock lock_index(const fs::path& dir) {
  auto lock = fsutil::acquire_lock(dir / ".lock", "tufget index",
                                   fsutil::LockWait{fsutil::default_lock_timeout(), {}});
  if (!lock) throw RepoError("cannot lock the index: " + lock.error().message);
  return std::move(*lock);
}

// ---- keys --------------------------------------------------------------------------------------

fs::path key_path(const fs::path& dir, std::string_view role) {
  return dir / "keys" / (std::string(role) + ".json");
}

void write_key(const fs::path& dir, std::string_view role, const Signer& s) {
  write_file(key_path(dir, role), s.to_key_file(role), 0600);
}

Signer load_key(const fs::path& dir, std::string_view role) {
  try {
    return Signer::from_key_file(read_capped(key_path(dir, role), kKeyFileMaxBytes));
  } catch (const RepoError& e) {
    throw RepoError(key_path(dir, role).string() + ": " + e.what());
  }
}

struct KeySet {
  Signer root, timestamp, snapshot, targets, bins;
};

KeySet load_keys(const fs::path& dir) {
  return KeySet{load_key(dir, "root"), load_key(dir, "timestamp"), load_key(dir, "snapshot"),
                load_key(dir, "targets"), load_key(dir, "bins")};
}

// ---- metadata ----------------------------------------------------------------------------------

// RSTUF-style extra fields of a key object, inside the signed part.
using KeyFields = std::map<std::string, std::vector<std::pair<std::string, std::string>>>;

void add_key_fields(KeyFields& fields, const Signer& s, std::string_view role, bool online) {
  auto& f = fields[s.keyid()];
  if (!f.empty()) return;  // one key used for several roles keeps its first name
  f.emplace_back("x-rstuf-key-name", std::string(role) + "-" + s.keyid().substr(0, 8));
  if (online) f.emplace_back("x-rstuf-online-key-uri", "fn:keys/" + std::string(role) + ".json");
}

// Inserts the extra fields into the key objects of a canonical `signed` document (keyid
// object keys "<keyid>":{...}) and re-canonicalises the result with tuf_core, which sorts the
// new members into place and checks the document.
std::string with_key_fields(const std::string& canonical, const KeyFields& fields) {
  std::string doc = canonical;
  for (const auto& [keyid, extra] : fields) {
    const std::string needle = "\"" + keyid + "\":{";
    const auto at = doc.find(needle);
    if (at == std::string::npos) throw RepoError("internal: key " + keyid + " not in metadata");
    std::size_t i = at + needle.size();
    int depth = 1;
    bool in_string = false;
    for (; i < doc.size() && depth > 0; ++i) {
      const char c = doc[i];
      if (in_string) {
        if (c == '\\') ++i;
        else if (c == '"') in_string = false;
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{') {
        ++depth;
      } else if (c == '}') {
        --depth;
      }
    }
    std::string insert;
    for (const auto& [k, v] : extra) insert += "," + tuf::json_string(k) + ":" + tuf::json_string(v);
    doc.insert(i - 1, insert);  // before the key object's closing brace
  }
  std::string json;  // canonical JSON keeps control characters raw: escape them to parse
  tuf::append_json_text(json, doc);
  auto canon = tuf::canonicalize_json(tuf::as_bytes(json));
  if (!canon) throw RepoError("internal: " + canon.error().message());
  return std::move(*canon);
}

std::string versioned_name(const State& st, std::uint64_t version, std::string_view role) {
  if (st.consistent_snapshot || role == "root")
    return std::to_string(version) + "." + std::string(role) + ".json";
  return std::string(role) + ".json";
}

void write_metadata(const fs::path& dir, const std::string& filename, const std::string& bytes) {
  write_file(metadata_dir(dir) / filename, bytes);
}

tuf::Key public_key(const Signer& s) { return s.key(); }

void write_root(const fs::path& dir, const State& st, const KeySet& keys,
                const std::vector<const Signer*>& signers) {
  tuf::Root r;
  r.version = st.root.version;
  r.expires = st.root.expires;
  r.consistent_snapshot = st.consistent_snapshot;
  KeyFields fields;
  const std::pair<const char*, const Signer*> roles[] = {
      {"root", &keys.root}, {"timestamp", &keys.timestamp},
      {"snapshot", &keys.snapshot}, {"targets", &keys.targets}};
  for (const auto& [role, signer] : roles) {
    r.keys[signer->keyid()] = public_key(*signer);
    r.roles[role] = tuf::RoleKeys{{signer->keyid()}, 1};
    add_key_fields(fields, *signer, role, std::string_view(role) != "root");
  }
  const std::string canonical = with_key_fields(tuf::serialize_signed(r), fields);
  write_metadata(dir, versioned_name(st, r.version, "root"), sign_envelope(canonical, signers));
}

void write_targets(const fs::path& dir, const State& st, const KeySet& keys) {
  tuf::Targets t;
  t.version = st.targets.version;
  t.expires = st.targets.expires;
  tuf::Delegations d;
  d.keys[keys.bins.keyid()] = public_key(keys.bins);
  tuf::SuccinctRoles sr;
  sr.keys = tuf::RoleKeys{{keys.bins.keyid()}, 1};
  sr.bit_length = st.bit_length;
  sr.name_prefix = "bins";
  d.succinct_roles = std::move(sr);
  t.delegations = std::move(d);
  KeyFields fields;
  add_key_fields(fields, keys.bins, "bins", true);
  const std::string canonical = with_key_fields(tuf::serialize_signed(t), fields);
  write_metadata(dir, versioned_name(st, t.version, "targets"),
                 sign_envelope(canonical, std::array{&keys.targets}));
}

using BinContents = std::vector<std::vector<const std::pair<const std::string, ProjectRecord>*>>;

BinContents projects_by_bin(const State& st) {
  BinContents bins(st.bins.size());
  for (const auto& entry : st.projects)
    if (entry.second.page) bins[layout(st).bin_of(entry.first)].push_back(&entry);
  return bins;
}

void write_bin(const fs::path& dir, const State& st, std::uint32_t index, const BinContents& contents,
               const KeySet& keys) {
  tuf::Targets t;
  t.version = st.bins[index].version;
  t.expires = st.bins[index].expires;
  for (const auto* entry : contents[index]) {
    tuf::TargetFile f;
    f.length = entry->second.page->length;
    f.hashes = {{"blake2b-256", entry->second.page->blake2b}};
    t.targets.emplace(entry->first, std::move(f));
  }
  const std::string name = layout(st).name(index);
  write_metadata(dir, versioned_name(st, t.version, name),
                 sign_envelope(tuf::serialize_signed(t), std::array{&keys.bins}));
}

void write_snapshot(const fs::path& dir, const State& st, const KeySet& keys) {
  tuf::Snapshot s;
  s.version = st.snapshot.version;
  s.expires = st.snapshot.expires;
  s.meta.reserve(st.bins.size() + 1);
  s.meta["targets.json"] = tuf::MetaInfo{st.targets.version, std::nullopt, {}};
  for (std::uint32_t i = 0; i < st.bins.size(); ++i)
    s.meta[layout(st).name(i) + ".json"] = tuf::MetaInfo{st.bins[i].version, std::nullopt, {}};
  write_metadata(dir, versioned_name(st, s.version, "snapshot"),
                 sign_envelope(tuf::serialize_signed(s), std::array{&keys.snapshot}));
}

void write_timestamp(const fs::path& dir, const State& st, const KeySet& keys) {
  tuf::TimestampMeta t;
  t.version = st.timestamp.version;
  t.expires = st.timestamp.expires;
  t.snapshot_meta = tuf::MetaInfo{st.snapshot.version, std::nullopt, {}};
  write_metadata(dir, "timestamp.json", sign_envelope(tuf::serialize_signed(t), std::array{&keys.timestamp}));
}

void prune_snapshots(const fs::path& dir, const State& st) {
  if (!st.consistent_snapshot || st.snapshot.version <= kSnapshotsKept) return;
  for (std::uint64_t v = st.snapshot.version - kSnapshotsKept; v >= 1; --v) {
    std::error_code ec;
    if (!fs::remove(metadata_dir(dir) / versioned_name(st, v, "snapshot"), ec)) break;
  }
}

// ---- simple pages ------------------------------------------------------------------------------

// For HTML text and attribute values: & < > " ' escaped.
std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#x27;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string package_rel_path(const FileRecord& f) {
  return f.blake2b.substr(0, 2) + "/" + f.blake2b.substr(2, 2) + "/" + f.blake2b.substr(4) + "/" +
         f.filename;
}

std::string file_url(const FileRecord& f) {
  return "../../packages/" + f.blake2b.substr(0, 2) + "/" + f.blake2b.substr(2, 2) + "/" +
         f.blake2b.substr(4) + "/" + boost::urls::encode(f.filename, boost::urls::unreserved_chars);
}

// PEP 503 (with PEP 592/658/714 attributes) detail page. Deterministic: the same file list
// always gives the same bytes, so re-publishing an unchanged project changes nothing.
std::string detail_html(const std::string& name, const ProjectRecord& p) {
  std::string out =
      "<!DOCTYPE html>\n<html>\n  <head>\n"
      "    <meta name=\"pypi:repository-version\" content=\"1.1\">\n"
      "    <title>Links for " + html_escape(name) + "</title>\n  </head>\n  <body>\n"
      "    <h1>Links for " + html_escape(name) + "</h1>\n";
  for (const FileRecord& f : p.files) {
    out += "    <a href=\"" + html_escape(file_url(f)) + "#sha256=" + f.sha256 + "\"";
    if (f.requires_python && !f.requires_python->empty())
      out += " data-requires-python=\"" + html_escape(*f.requires_python) + "\"";
    if (f.metadata_sha256)
      out += " data-dist-info-metadata=\"sha256=" + *f.metadata_sha256 +
             "\" data-core-metadata=\"sha256=" + *f.metadata_sha256 + "\"";
    out += ">" + html_escape(f.filename) + "</a><br />\n";
  }
  out += "  </body>\n</html>\n";
  return out;
}

// PEP 691 JSON detail page, API version 1.1 (PEP 700: versions, size, upload-time).
std::string detail_json(const std::string& name, const ProjectRecord& p) {
  std::string out = "{\"meta\":{\"api-version\":\"1.1\"},\"name\":" + tuf::json_string(name) +
                    ",\"files\":[";
  std::vector<std::string> versions;
  for (std::size_t i = 0; i < p.files.size(); ++i) {
    const FileRecord& f = p.files[i];
    if (std::find(versions.begin(), versions.end(), f.version) == versions.end())
      versions.push_back(f.version);
    if (i) out += ",";
    out += "{\"filename\":" + tuf::json_string(f.filename) + ",\"url\":" + tuf::json_string(file_url(f)) +
           ",\"hashes\":{\"sha256\":" + tuf::json_string(f.sha256) + "}";
    if (f.requires_python && !f.requires_python->empty())
      out += ",\"requires-python\":" + tuf::json_string(*f.requires_python);
    if (f.metadata_sha256) {
      const std::string m = "{\"sha256\":" + tuf::json_string(*f.metadata_sha256) + "}";
      out += ",\"core-metadata\":" + m + ",\"dist-info-metadata\":" + m;
    } else {
      out += ",\"core-metadata\":false,\"dist-info-metadata\":false";
    }
    out += ",\"size\":" + std::to_string(f.size) +
           ",\"upload-time\":" + tuf::json_string(tuf::format_datetime(f.upload_time)) +
           ",\"yanked\":false}";
  }
  out += "],\"versions\":[";
  for (std::size_t i = 0; i < versions.size(); ++i) out += (i ? "," : "") + tuf::json_string(versions[i]);
  out += "]}\n";
  return out;
}

std::string root_html(const State& st) {
  std::string out =
      "<!DOCTYPE html>\n<html>\n  <head>\n"
      "    <meta name=\"pypi:repository-version\" content=\"1.1\">\n"
      "    <title>Simple index</title>\n  </head>\n  <body>\n";
  for (const auto& [name, p] : st.projects)
    if (p.page) out += "    <a href=\"" + name + "/\">" + name + "</a><br />\n";
  out += "  </body>\n</html>\n";
  return out;
}

std::string root_json(const State& st) {
  std::string out = "{\"meta\":{\"api-version\":\"1.1\"},\"projects\":[";
  bool first = true;
  for (const auto& [name, p] : st.projects) {
    if (!p.page) continue;
    out += (first ? "" : ",") + std::string("{\"name\":") + tuf::json_string(name) + "}";
    first = false;
  }
  out += "]}\n";
  return out;
}

void write_root_pages(const fs::path& dir, const State& st) {
  write_file(dir / "simple" / "index.html", root_html(st));
  write_file(dir / "simple" / "index.json", root_json(st));
}

// ---- misc --------------------------------------------------------------------------------------

void check_days(unsigned days, const char* what) {
  if (days < 1 || days > 36500) throw RepoError(std::string(what) + " must be between 1 and 36500");
}

bool renew_due(const RoleState& r, tuf::Timestamp now, unsigned days) {
  return r.expires - now < static_cast<std::int64_t>(days) * kDay / 2;
}

void print_key_warning(const fs::path& dir, std::ostream& out) {
  out << "\n"
         "  !!! DEVELOPMENT KEYS !!!\n"
         "  " << (dir / "keys").string() << " holds UNENCRYPTED private keys (mode 0600) for\n"
         "  root, timestamp, snapshot, targets and bins. They exist for local tests and demos\n"
         "  only: never use them, or this index, to protect real users.\n\n";
}

}  // namespace

// ---- commands ------------------------------------------------------------------------------------

void init_index(const fs::path& dir, const InitOptions& options, tuf::Timestamp now,
                std::ostream& out) {
  const unsigned bins = options.bins;
  if (bins < 2 || bins > 16384 || (bins & (bins - 1)) != 0)
    throw RepoError("--bins must be a power of two between 2 and 16384");
  check_days(options.expires_days, "--expires-days");
  check_days(options.root_expires_days, "--root-expires-days");
  std::error_code ec;
  if (fs::exists(dir, ec) && !(fs::is_directory(dir, ec) && fs::is_empty(dir, ec)))
    throw RepoError(dir.string() + " already exists and is not an empty directory");
  fs::create_directories(dir);
  fs::create_directories(dir / "keys");
  fs::permissions(dir / "keys", fs::perms::owner_all, fs::perm_options::replace);
  for (const char* sub : {"tuf-metadata", "packages", "simple"}) fs::create_directories(dir / sub);
  const fsutil::FileLock lock = lock_index(dir);

  State st;
  st.bit_length = 0;
  while ((1u << st.bit_length) < bins) ++st.bit_length;
  st.consistent_snapshot = options.consistent_snapshot;
  st.key_type = options.key_type;
  st.expires_days = options.expires_days;
  st.root_expires_days = options.root_expires_days;
  const tuf::Timestamp long_expiry = now + st.root_expires_days * kDay;
  const tuf::Timestamp short_expiry = now + st.expires_days * kDay;
  st.root = {1, long_expiry};
  st.targets = {1, long_expiry};
  st.snapshot = {1, short_expiry};
  st.timestamp = {1, short_expiry};
  st.bins.assign(bins, RoleState{1, short_expiry});

  KeySet keys{Signer::generate(options.key_type), Signer::generate(options.key_type),
              Signer::generate(options.key_type), Signer::generate(options.key_type),
              Signer::generate(options.key_type)};
  write_key(dir, "root", keys.root);
  write_key(dir, "timestamp", keys.timestamp);
  write_key(dir, "snapshot", keys.snapshot);
  write_key(dir, "targets", keys.targets);
  write_key(dir, "bins", keys.bins);

  write_root(dir, st, keys, {&keys.root});
  write_targets(dir, st, keys);
  const BinContents contents = projects_by_bin(st);
  for (std::uint32_t i = 0; i < bins; ++i) write_bin(dir, st, i, contents, keys);
  write_snapshot(dir, st, keys);
  write_timestamp(dir, st, keys);
  write_root_pages(dir, st);
  save_state(dir, st);

  out << "initialised TUF-enabled index " << dir.string() << ": " << bins << " hash bins ("
      << layout(st).name(0) << " .. " << layout(st).name(bins - 1)
      << "), " << key_type_name(options.key_type) << " keys, consistent snapshots "
      << (st.consistent_snapshot ? "on" : "off") << "\n"
      << "  trusted root: " << (metadata_dir(dir) / "1.root.json").string() << "\n"
      << "  root key " << keys.root.keyid() << "\n";
  print_key_warning(dir, out);
}

void add_distributions(const fs::path& dir, const std::vector<fs::path>& files,
                       tuf::Timestamp now, std::ostream& out) {
  if (!fs::exists(state_path(dir)))
    throw RepoError(dir.string() + " is not a tufget index (no index-state.json); run `tufget index init` first");
  const fsutil::FileLock lock = lock_index(dir);
  State st = load_state(dir);
    for (const fs::path& src : files) {
    std::error_code ec;
    if (!fs::is_regular_file(src, ec)) throw RepoError(src.string() + " is not a regular file");
    const std::string filename = src.filename().string();
    const DistributionName dist = parse_distribution_filename(filename);
    const std::string project = pkg::normalize_name(dist.project);

    FileRecord rec;
    rec.filename = filename;
    rec.version = dist.version;
    rec.upload_time = now;
    {
      std::ifstream in(src, std::ios::binary);
      if (!in) throw RepoError("cannot read " + src.string());
      tuf::Hasher b2(tuf::HashAlg::blake2b_256), s256(tuf::HashAlg::sha256);
      std::vector<char> buf(1 << 16);
      while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        const auto n = static_cast<std::size_t>(in.gcount());
        if (n == 0) break;
        const tuf::Bytes chunk(reinterpret_cast<const std::uint8_t*>(buf.data()), n);
        b2.update(chunk);
        s256.update(chunk);
        rec.size += n;
      }
      if (in.bad()) throw RepoError("error reading " + src.string());
      rec.blake2b = b2.final_hex();
      rec.sha256 = s256.final_hex();
    }

    ProjectRecord& p = st.projects[project];
    const auto same = std::find_if(p.files.begin(), p.files.end(),
                                   [&](const FileRecord& f) { return f.filename == filename; });
    if (same != p.files.end()) {
      if (same->blake2b == rec.blake2b) {
        out << filename << ": already in the index, unchanged\n";
        continue;
      }
      throw RepoError(filename + ": a different file with this name is already in the index "
                       "(file names are never reused; publish a new version instead)");
    }

    std::string metadata;
    if (dist.is_wheel) {
      metadata = read_wheel_metadata(src, dist);
      const auto name = metadata_header(metadata, "Name");
      if (!name || pkg::normalize_name(*name) != project)
        throw RepoError(filename + ": METADATA names project '" + name.value_or("") +
                         "', the file name '" + dist.project + "'");
      if (auto rp = metadata_header(metadata, "Requires-Python"); rp && !rp->empty())
        rec.requires_python = *rp;
      rec.metadata_sha256 = tuf::digest_hex(tuf::HashAlg::sha256, tuf::as_bytes(metadata));
    }

    const fs::path dest_dir = dir / "packages" / rec.blake2b.substr(0, 2) /
                              rec.blake2b.substr(2, 2) / rec.blake2b.substr(4);
    fs::create_directories(dest_dir);
    const fs::path dest = dest_dir / filename;
    if (!fs::exists(dest)) {
      const fs::path tmp = dest_dir / ("." + filename + ".tmp." + std::to_string(::getpid()));
      fs::copy_file(src, tmp, fs::copy_options::overwrite_existing);
      fs::permissions(tmp, fs::perms(0644), fs::perm_options::replace);
      fs::rename(tmp, dest);
    }
    if (dist.is_wheel) write_file(dest_dir / (filename + ".metadata"), metadata);

    const std::string rel = package_rel_path(rec);
    p.files.push_back(std::move(rec));
    std::sort(p.files.begin(), p.files.end(),
              [](const FileRecord& a, const FileRecord& b) { return a.filename < b.filename; });
    p.dirty = true;
    out << "added " << filename << " to project " << project << " (packages/" << rel << ")\n";
  }
  save_state(dir, st);
  out << "run `tufget index publish " << dir.string() << "` to sign the changes\n";
}

void publish_index(const fs::path& dir, const PublishOptions& options, tuf::Timestamp now,
                   std::ostream& out) {
  if (!fs::exists(state_path(dir)))
    throw RepoError(dir.string() + " is not a tufget index (no index-state.json); run `tufget index init` first");
  const fsutil::FileLock lock = lock_index(dir);
  State st = load_state(dir);
  if (options.expires_days) {
    check_days(*options.expires_days, "--expires-days");
    st.expires_days = *options.expires_days;
  }
  if (options.root_expires_days) {
    check_days(*options.root_expires_days, "--root-expires-days");
    st.root_expires_days = *options.root_expires_days;
  }
  if (options.rotate_online && !options.rotate_root)
    throw RepoError("--rotate-online needs --rotate-root (the new keys are listed in a new root)");
  KeySet keys = load_keys(dir);
  const tuf::Timestamp long_expiry = now + st.root_expires_days * kDay;
  const tuf::Timestamp short_expiry = now + st.expires_days * kDay;

  // Root: rotation, or renewal when half of its lifetime has passed.
  if (options.rotate_root || renew_due(st.root, now, st.root_expires_days)) {
    const KeyType type = options.key_type.value_or(st.key_type);
    std::optional<Signer> old_root;
    if (options.rotate_root) {
      fs::create_directories(dir / "keys" / "old");
      auto archive = [&](const char* role, Signer& current) {
        const fs::path old = dir / "keys" / "old" /
                             (std::string(role) + "-v" + std::to_string(st.root.version) + "-" +
                              current.keyid().substr(0, 16) + ".json");
        write_file(old, current.to_key_file(role), 0600);
        Signer fresh = Signer::generate(type);
        write_key(dir, role, fresh);
        std::swap(current, fresh);
        return fresh;  // the previous key
      };
      old_root = archive("root", keys.root);
      if (options.rotate_online) {
        archive("timestamp", keys.timestamp);
        archive("snapshot", keys.snapshot);
      }
    }
    st.root.version += 1;
    st.root.expires = long_expiry;
    // 5.3.4-5.3.5: N+1 must be signed by a threshold of the old root's keys and of its own.
    std::vector<const Signer*> signers{&keys.root};
    if (old_root) signers.insert(signers.begin(), &*old_root);
    write_root(dir, st, keys, signers);
    out << (options.rotate_root ? "rotated root: " : "renewed root: ") << st.root.version
        << ".root.json signed by " << signers.size() << " key(s)"
        << (options.rotate_online ? "; new timestamp and snapshot keys" : "") << "\n";
  }

  // Detail pages of the changed projects; the bins that list them.
  std::set<std::uint32_t> changed_bins;
  std::vector<std::string> changed_projects;
  for (auto& [name, p] : st.projects) {
    if (!p.dirty) continue;
    const std::string html = detail_html(name, p);
    const std::string json = detail_json(name, p);
    const PageInfo page{html.size(), blake2b_256_hex(html)};
    const fs::path pdir = dir / "simple" / name;
    fs::create_directories(pdir);
    write_file(pdir / (page.blake2b + "." + name + ".html"), html);
    write_file(pdir / (blake2b_256_hex(json) + "." + name + ".json"), json);
    if (!p.page || p.page->blake2b != page.blake2b) {
      p.page = page;
      changed_bins.insert(layout(st).bin_of(name));
      changed_projects.push_back(name);
    }
  }

  const BinContents contents = projects_by_bin(st);
  std::size_t renewed_bins = 0;
  for (std::uint32_t i = 0; i < st.bins.size(); ++i) {
    const bool changed = changed_bins.count(i) != 0;
    if (!changed && !renew_due(st.bins[i], now, st.expires_days)) continue;
    if (!changed) ++renewed_bins;
    st.bins[i].version += 1;
    st.bins[i].expires = short_expiry;
    write_bin(dir, st, i, contents, keys);
  }
  if (renew_due(st.targets, now, st.root_expires_days)) {
    st.targets.version += 1;
    st.targets.expires = long_expiry;
    write_targets(dir, st, keys);
    out << "renewed targets: " << st.targets.version << ".targets.json\n";
  }
  st.snapshot.version += 1;
  st.snapshot.expires = short_expiry;
  write_snapshot(dir, st, keys);
  st.timestamp.version += 1;
  st.timestamp.expires = short_expiry;
  write_timestamp(dir, st, keys);  // last: it makes everything above visible to clients
  prune_snapshots(dir, st);

  // Unsigned copies for plain (non-TUF) clients, byte-identical to the signed pages.
  for (auto& [name, p] : st.projects) {
    if (!p.dirty) continue;
    const std::string html = detail_html(name, p);
    write_file(dir / "simple" / name / "index.html", html);
    write_file(dir / "simple" / name / "index.json", detail_json(name, p));
    p.dirty = false;
  }
  write_root_pages(dir, st);
  save_state(dir, st);

  out << "published " << dir.string() << ": " << changed_projects.size() << " project page(s) ("
      << changed_bins.size() << " bin(s) changed, " << renewed_bins << " renewed), snapshot "
      << st.snapshot.version << ", timestamp " << st.timestamp.version << "\n";
  for (const auto& name : changed_projects)
    out << "  " << name << " -> " << layout(st).name(layout(st).bin_of(name))
        << " v" << st.bins[layout(st).bin_of(name)].version << ", simple/" << name
        << "/" << st.projects.at(name).page->blake2b << "." << name << ".html\n";
}

bool index_consistent_snapshot(const fs::path& dir) {
  try {
    return load_state(dir).consistent_snapshot;
  } catch (const std::exception&) {
    return true;
  }
}

}  // namespace tuf_repo
