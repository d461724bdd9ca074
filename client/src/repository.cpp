// The client's repository configuration (see repository.h).
#include "client/repository.h"

#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>  // renameat2 (glibc, _GNU_SOURCE)
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <simdjson.h>

#include "tuf/hash.h"
#include "tuf/metadata.h"
#include "tuf/trusted_set.h"
#include "tuf_io/store.h"

namespace tufget {
namespace {

namespace fs = std::filesystem;
namespace urls = boost::urls;

constexpr std::uint64_t kManifestMaxBytes = 64 * 1024;

bool is_lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string escape_segment(std::string_view s) { return tuf::quote_role_name(s); }

fs::path home_dir() {
  if (const char* h = std::getenv("HOME"); h && *h) return h;
  if (const passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_dir) return pw->pw_dir;
  return fs::current_path();
}

fs::path xdg_dir(const char* var, const char* fallback) {
  // XDG Base Directory: an unset, empty or relative value is ignored.
  if (const char* v = std::getenv(var); v && *v == '/') return v;
  return home_dir() / fallback;
}

// The directory of the running executable (Linux), or empty.
fs::path executable_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

tuf::Result<std::string> read_root_file(const fs::path& path) {
  tuf::UpdaterConfig config;
  auto bytes = tuf_io::read_file_limited(path, config.root_max_length);
  if (!bytes) {
    bytes.error().detail += " (" + path.string() + ")";
    return std::unexpected(bytes.error());
  }
  return std::move(*bytes);
}

// Root metadata signed by its own keys (what Updater::create requires); returns its version.
tuf::Result<std::uint64_t> check_self_signed_root(std::string_view bytes, const std::string& origin) {
  auto u = tuf::Updater::create(tuf::as_bytes(bytes), "/");
  if (!u) {
    u.error().detail += " (" + origin + ")";
    return std::unexpected(u.error());
  }
  return u->trusted().root().signed_part.version;
}

// "127.0.0.1-8080", "pypi.org": a repository name for a URL without a manifest.
std::string derived_name(const urls::url_view& u) {
  std::string raw = std::string(u.host());
  if (u.has_port() && !u.port().empty()) raw += "-" + std::string(u.port());
  if (u.scheme_id() == urls::scheme::file) raw = "file";
  std::string out;
  for (char c : raw) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    out.push_back(ok ? c : '-');
  }
  while (!out.empty() && (out.front() == '.' || out.front() == '-')) out.erase(out.begin());
  if (out.size() > 64) out.resize(64);
  return out.empty() ? std::string("repository") : out;
}

std::string sha256_hex(std::string_view bytes) {
  return tuf::digest_hex(tuf::HashAlg::sha256, tuf::as_bytes(bytes));
}

// ---- the record of a metadata directory's chain of trust (see repository.h) ----------------------

constexpr std::uint64_t kRootChainMaxBytes = 64 * 1024;

struct ChainMember {
  std::string sha256;
  std::uint64_t version = 0;
};
using RootChain = std::vector<ChainMember>;

bool lists(const std::optional<RootChain>& chain, std::string_view sha256) {
  return chain && std::any_of(chain->begin(), chain->end(),
                              [&](const ChainMember& m) { return m.sha256 == sha256; });
}

// nullopt when the directory has no record. A record that cannot be read or parsed lists
// nothing: its roots are then of unknown origin, which is never trusted more than no record.
std::optional<RootChain> read_root_chain(const fs::path& metadata_dir) {
  const fs::path path = metadata_dir / kRootChainFileName;
  auto text = tuf_io::read_file_limited(path, kRootChainMaxBytes);
  if (!text) {
    if (text.error().code == tuf::Errc::not_found) return std::nullopt;
    return RootChain{};
  }
  RootChain chain;
  std::string_view rest = *text;
  while (!rest.empty()) {
    const auto eol = rest.find('\n');
    const std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    if (line.empty() || line.front() == '#') continue;
    const std::string_view sha = line.substr(0, 64);
    const std::string_view number = line.size() > 65 ? line.substr(65) : std::string_view();
    ChainMember m{std::string(sha), 0};
    const bool digits = !number.empty() && number.size() <= 19 &&
                        std::all_of(number.begin(), number.end(),
                                    [](char c) { return c >= '0' && c <= '9'; });
    if (line.size() < 66 || line[64] != ' ' || !is_lower_hex(sha) || !digits) return RootChain{};
    for (char c : number) m.version = m.version * 10 + static_cast<std::uint64_t>(c - '0');
    chain.push_back(std::move(m));
  }
  return chain;
}

tuf::Result<void> write_root_chain(const fs::path& metadata_dir, const RootChain& chain) {
  std::error_code ec;
  fs::create_directories(metadata_dir, ec);
  if (ec) {
    return tuf::fail(tuf::Errc::usage, "", "cannot create " + metadata_dir.string() + ": " +
                                               ec.message());
  }
  std::string text =
      "# tufget: the roots this directory's chain of trust passes through (sha256 version);\n"
      "# the first is the root it started from. See docs/warehouse.md (--root).\n";
  for (const ChainMember& m : chain) text += m.sha256 + " " + std::to_string(m.version) + "\n";
  return tuf_io::write_file_atomic(metadata_dir / kRootChainFileName, tuf::as_bytes(text));
}

// Adds `members` missing from the record (creating it from `members` when there is none) and
// writes it if that changed anything.
tuf::Result<void> note_chain_members(const fs::path& metadata_dir, std::optional<RootChain> chain,
                                     const RootChain& members) {
  const bool existed = chain.has_value();
  RootChain updated = existed ? std::move(*chain) : RootChain{};
  bool changed = !existed;
  for (const ChainMember& m : members) {
    if (lists(updated, m.sha256)) continue;
    updated.push_back(m);
    changed = true;
  }
  return changed ? write_root_chain(metadata_dir, updated) : tuf::Result<void>{};
}

// The client's own root.json (the latest root it verified): nullopt when absent, an error when
// present but unreadable or not root metadata signed by its own keys.
struct StoredRoot {
  std::string bytes;
  std::uint64_t version = 0;
};
tuf::Result<std::optional<StoredRoot>> load_stored_root(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec) && !ec) return std::optional<StoredRoot>();
  auto bytes = read_root_file(path);
  if (!bytes) return std::unexpected(bytes.error());
  auto version = check_self_signed_root(*bytes, path.string());
  if (!version) return std::unexpected(version.error());
  return std::optional<StoredRoot>(StoredRoot{std::move(*bytes), *version});
}

}  // namespace

// A repository name is used as a folder name: [a-z0-9][a-z0-9._-]*, at most 64 bytes.
bool is_safe_repository_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= '0' && name[0] <= '9'))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

// ---- target URL rule ---------------------------------------------------------------------------

TargetUrlRule::TargetUrlRule() : text_(kDefault) {}

tuf::Result<TargetUrlRule> TargetUrlRule::parse(std::string_view rule) {
  static constexpr std::string_view kKnown[] = {"index_url", "name", "hash",
                                                "blake2b-256", "sha256", "sha512"};
  bool has_name = false;
  for (std::size_t i = 0; i < rule.size(); ++i) {
    if (rule[i] == '}') {
      return tuf::fail(tuf::Errc::usage, "", "target_url_rule: '}' without '{'", "", std::string(rule));
    }
    if (rule[i] != '{') continue;
    const auto end = rule.find('}', i);
    if (end == std::string_view::npos) {
      return tuf::fail(tuf::Errc::usage, "", "target_url_rule: unterminated placeholder", "",
                       std::string(rule));
    }
    const std::string_view key = rule.substr(i + 1, end - i - 1);
    if (std::find(std::begin(kKnown), std::end(kKnown), key) == std::end(kKnown)) {
      return tuf::fail(tuf::Errc::usage, "", "target_url_rule: unknown placeholder {" +
                                                 std::string(key) + "}",
                       "{index_url} {name} {hash} {blake2b-256} {sha256} {sha512}",
                       std::string(rule));
    }
    if (key == "name") has_name = true;
    i = end;
  }
  if (!has_name) {
    return tuf::fail(tuf::Errc::usage, "", "target_url_rule must contain {name}", "",
                     std::string(rule));
  }
  TargetUrlRule r;
  r.text_ = std::string(rule);
  return r;
}

tuf::Result<std::string> TargetUrlRule::url_for(const tuf::TargetInfo& target,
                                                std::string_view index_url) const {
  auto hash = [&](std::string_view alg) -> tuf::Result<std::string> {
    for (const auto& [name, value] : target.hashes) {
      if (tuf::hash_alg_from_name(name) != tuf::hash_alg_from_name(alg)) continue;
      std::string lower;
      for (char c : value) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
      if (lower.empty() || !is_lower_hex(lower)) {
        return tuf::fail(tuf::Errc::repository_error, target.path,
                         "target hash " + name + " is not hexadecimal");
      }
      return lower;
    }
    return tuf::fail(tuf::Errc::repository_error, target.path,
                     "the repository's target URL rule needs the target's " + std::string(alg) +
                         " hash, which its metadata does not list");
  };
  std::string out;
  for (std::size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] != '{') {
      out.push_back(text_[i]);
      continue;
    }
    const auto end = text_.find('}', i);
    const std::string_view key = std::string_view(text_).substr(i + 1, end - i - 1);
    i = end;
    if (key == "index_url") {
      out += index_url;
    } else if (key == "name") {
      out += escape_segment(target.path);
    } else {
      auto h = hash(key == "hash" ? "blake2b-256" : key);
      if (!h) return std::unexpected(h.error());
      out += *h;
    }
  }
  return out;
}

// ---- URLs and places ---------------------------------------------------------------------------

tuf::Result<std::string> normalize_base_url(std::string_view text) {
  auto parsed = urls::parse_absolute_uri(text);
  if (!parsed) {
    return tuf::fail(tuf::Errc::usage, "", "not an absolute URL: " + std::string(text));
  }
  urls::url u(*parsed);
  const auto scheme = u.scheme_id();
  if (scheme != urls::scheme::http && scheme != urls::scheme::https &&
      scheme != urls::scheme::file) {
    return tuf::fail(tuf::Errc::usage, "",
                     "only http, https and file URLs are supported: " + std::string(text));
  }
  if (scheme != urls::scheme::file && u.host().empty()) {
    return tuf::fail(tuf::Errc::usage, "", "URL without a host: " + std::string(text));
  }
  if (u.has_userinfo()) {
    return tuf::fail(tuf::Errc::usage, "", "credentials in URLs are not supported: " +
                                               std::string(text));
  }
  u.normalize();
  u.remove_fragment();
  if (u.has_query()) {
    return tuf::fail(tuf::Errc::usage, "", "a base URL cannot have a query: " + std::string(text));
  }
  std::string path = std::string(u.encoded_path());
  if (path.empty() || path.back() != '/') u.set_encoded_path(path + "/");
  return std::string(u.buffer());
}

fs::path xdg_config_home() { return xdg_dir("XDG_CONFIG_HOME", ".config"); }
fs::path xdg_cache_home() { return xdg_dir("XDG_CACHE_HOME", ".cache"); }

std::vector<fs::path> trust_store_dirs(const std::string& trust_dir_option) {
  std::vector<fs::path> candidates;
  if (!trust_dir_option.empty()) candidates.emplace_back(trust_dir_option);
  candidates.push_back(xdg_config_home() / "tufget" / "trust_roots");
  if (const fs::path exe = executable_dir(); !exe.empty()) {
    candidates.push_back(exe.parent_path() / "share" / "tufget" / "trust_roots");
    candidates.push_back(exe.parent_path() / "trust_roots");  // a build dir in the source tree
  }
  std::vector<fs::path> out;
  for (const fs::path& c : candidates) {
    std::error_code ec;
    if (!fs::is_directory(c, ec)) continue;
    const fs::path canonical = fs::weakly_canonical(c, ec);
    const fs::path& key = ec ? c : canonical;
    if (std::find(out.begin(), out.end(), key) == out.end()) out.push_back(key);
  }
  return out;
}

// ---- manifests ---------------------------------------------------------------------------------

tuf::Result<RepositoryManifest> load_manifest(const fs::path& dir) {
  const fs::path path = dir / "manifest.json";
  auto text = tuf_io::read_file_limited(path, kManifestMaxBytes);
  if (!text) {
    text.error().detail += " (" + path.string() + ")";
    return std::unexpected(text.error());
  }
  auto bad = [&](std::string what) {
    return tuf::fail(tuf::Errc::usage, "", path.string() + ": " + what);
  };
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(*text).get(obj) != simdjson::SUCCESS) return bad("not a JSON object");

  RepositoryManifest m;
  m.dir = dir;
  std::optional<std::string> index_url, metadata_url, rule;
  bool have_name = false;
  std::vector<std::string_view> seen;
  for (auto [key, value] : obj) {
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      return bad("duplicate field \"" + std::string(key) + "\"");
    }
    seen.push_back(key);
    std::string_view s;
    if (key == "root_version") {
      std::uint64_t v = 0;
      if (value.get_uint64().get(v) != simdjson::SUCCESS || v < 1) {
        return bad("\"root_version\" must be an integer >= 1");
      }
      m.root_version = v;
      continue;
    }
    if (value.get_string().get(s) != simdjson::SUCCESS) {
      return bad("\"" + std::string(key) + "\" must be a string");
    }
    if (key == "name") {
      m.name = std::string(s);
      have_name = true;
    } else if (key == "index_url") {
      index_url = std::string(s);
    } else if (key == "metadata_url") {
      metadata_url = std::string(s);
    } else if (key == "root_sha256") {
      if (s.size() != 64 || !is_lower_hex(s)) return bad("\"root_sha256\" must be 64 lowercase hex digits");
      m.root_sha256 = std::string(s);
    } else if (key == "target_url_rule") {
      rule = std::string(s);
    } else if (key == "description") {
      m.description = std::string(s);
    } else {
      // A misspelt field (say "target_url_rules") must not be silently ignored.
      return bad("unknown field \"" + std::string(key) + "\"");
    }
  }
  if (!have_name || !index_url || !metadata_url) {
    return bad("\"name\", \"index_url\" and \"metadata_url\" are required");
  }
  if (!is_safe_repository_name(m.name)) {
    return bad("\"name\" must match [a-z0-9][a-z0-9._-]* (at most 64 characters)");
  }
  if (m.name != dir.filename().string()) {
    return bad("\"name\" (" + m.name + ") differs from the folder name (" +
               dir.filename().string() + ")");
  }
  auto iu = normalize_base_url(*index_url);
  if (!iu) return bad("index_url: " + iu.error().detail);
  m.index_url = std::move(*iu);
  auto mu = normalize_base_url(*metadata_url);
  if (!mu) return bad("metadata_url: " + mu.error().detail);
  m.metadata_url = std::move(*mu);
  if (rule) {
    auto r = TargetUrlRule::parse(*rule);
    if (!r) return bad(r.error().message());
    m.target_url_rule = std::move(*r);
  }
  if (m.root_version.has_value() != m.root_sha256.has_value()) {
    return bad("\"root_version\" and \"root_sha256\" go together");
  }
  std::error_code ec;
  const bool root_exists = fs::exists(m.root_file(), ec);
  if (m.root_sha256 && !root_exists) return bad("root_sha256 is set but root.json is missing");
  if (!m.root_sha256 && root_exists) {
    return bad("root.json is present but the manifest pins no root_sha256/root_version");
  }
  return m;
}

tuf::Result<std::string> load_pinned_root(const RepositoryManifest& m) {
  if (!m.has_pinned_root()) {
    return tuf::fail(tuf::Errc::usage, "root", "repository " + m.name + " has no pinned root");
  }
  auto bytes = read_root_file(m.root_file());
  if (!bytes) return bytes;
  const std::string got = tuf::digest_hex(tuf::HashAlg::sha256, tuf::as_bytes(*bytes));
  if (got != *m.root_sha256) {
    return tuf::fail(tuf::Errc::length_or_hash_mismatch, "root",
                     "pinned root " + m.root_file().string() +
                         " does not match the sha256 in its manifest; refusing to use it",
                     *m.root_sha256, got);
  }
  auto version = check_self_signed_root(*bytes, m.root_file().string());
  if (!version) return std::unexpected(version.error());
  if (*version != *m.root_version) {
    return tuf::fail(tuf::Errc::bad_version_number, "root",
                     "pinned root " + m.root_file().string() +
                         " is not the version its manifest names",
                     std::to_string(*m.root_version), std::to_string(*version));
  }
  return bytes;
}

std::vector<RepositoryManifest> list_manifests(const std::vector<fs::path>& stores,
                                               std::vector<std::string>* problems) {
  std::vector<RepositoryManifest> out;
  for (const fs::path& store : stores) {
    std::error_code ec;
    std::vector<fs::path> dirs;
    for (fs::directory_iterator it(store, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_directory(ec) && fs::exists(it->path() / "manifest.json", ec)) {
        dirs.push_back(it->path());
      }
    }
    std::sort(dirs.begin(), dirs.end());
    for (const fs::path& d : dirs) {
      auto m = load_manifest(d);
      if (m) {
        out.push_back(std::move(*m));
      } else if (problems) {
        problems->push_back(m.error().detail);
      }
    }
  }
  return out;
}

// ---- choosing the repository and its root -------------------------------------------------------

namespace {

// --root FILE: the initial root of the chain of trust kept in repo.metadata_dir. The rule is
// documented in repository.h; each branch below names its case.
tuf::Result<void> choose_root_option(Repository& repo, const std::string& root_file) {
  auto file = read_root_file(root_file);
  if (!file) return std::unexpected(file.error());
  auto file_version = check_self_signed_root(*file, root_file);
  if (!file_version) return std::unexpected(file_version.error());
  const std::uint64_t version = *file_version;
  const std::string sha = sha256_hex(*file);
  const fs::path& dir = repo.metadata_dir;
  const fs::path stored_path = dir / "root.json";
  auto stored = load_stored_root(stored_path);
  if (!stored) {
    return tuf::fail(tuf::Errc::usage, "root",
                     stored_path.string() + " (the root this metadata directory trusts) cannot be "
                     "used: " + stored.error().message() + ". Remove " + dir.string() +
                     " to start again from --root " + root_file);
  }
  std::optional<RootChain> chain = read_root_chain(dir);
  const std::string given = "--root " + root_file + " (version " + std::to_string(version) +
                            ", sha256 " + sha + ")";
  const std::string start_over = "pass --metadata-dir with a new folder, or remove " +
                                 dir.string() + " to start again from " + root_file;
  const std::string if_trusted = "If " + root_file + " is the root to trust for " +
                                 repo.index_url + ", " + start_over;

  auto use_file = [&]() {
    repo.root_bytes = *file;
    repo.root_source = RootSource::root_option;
    repo.root_origin = root_file + " (--root)";
  };
  // Starts from the file, making it the directory's root.json and adding it to the record:
  // root.json first, so that a crash in between leaves a root.json equal to the file (case 2).
  auto start_from_file = [&](const RootChain& members, std::optional<RootChain> keep)
      -> tuf::Result<void> {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
      return tuf::fail(tuf::Errc::usage, "", "cannot create " + dir.string() + ": " + ec.message());
    }
    if (auto w = tuf_io::write_file_atomic(stored_path, tuf::as_bytes(*file)); !w) return w;
    if (auto w = note_chain_members(dir, std::move(keep), members); !w) return w;
    use_file();
    return {};
  };
  const ChainMember file_member{sha, version};

  // 1. No root stored yet: the chain starts here (a record of another chain, whose roots are
  //    gone, is replaced).
  if (!*stored) return start_from_file({file_member}, lists(chain, sha) ? chain : std::nullopt);

  const StoredRoot& local = **stored;
  const std::string local_sha = sha256_hex(local.bytes);
  // 2. The file is a root of this directory's chain: the stored root itself, or one the record
  //    lists (where the chain started, or a root verified along it).
  if (local.bytes == *file || lists(chain, sha)) {
    if (local.bytes == *file) {
      use_file();
      return note_chain_members(dir, std::move(chain), {file_member});
    }
    if (local.version > version) {
      // The newest root verified from the file: the file's keys may have been rotated out.
      repo.root_bytes = local.bytes;
      repo.root_source = RootSource::root_option_kept;
      repo.root_origin = stored_path.string() + " (version " + std::to_string(local.version) +
                         ", verified from --root " + root_file + " version " +
                         std::to_string(version) + ")";
      return note_chain_members(dir, std::move(chain), {{local_sha, local.version}});
    }
    if (local.version < version) return start_from_file({file_member}, std::move(chain));
    return tuf::fail(tuf::Errc::usage, "root",
                     given + " and " + stored_path.string() +
                         " are two different roots of the same version; refusing both. " +
                         if_trusted);
  }
  // 3. A newer root the record does not list: accepted only as the next step of the rotation
  //    walk from the stored root (spec 5.3.4-5.3.5: version N+1, signed by a threshold of the
  //    stored root's keys and of its own), which is all that can be checked without the
  //    network.
  if (local.version < version) {
    std::string why;
    if (version == local.version + 1) {
      auto set = tuf::TrustedSet::create(tuf::as_bytes(local.bytes), 0);
      auto step = set ? set->update_root(tuf::as_bytes(*file))
                      : tuf::Result<void>(std::unexpected(set.error()));
      if (step) return start_from_file({{local_sha, local.version}, file_member}, std::move(chain));
      why = ": " + step.error().message();
    } else {
      why = ": only version " + std::to_string(local.version + 1) +
            " can be checked against it without fetching the versions in between";
    }
    return tuf::fail(
        tuf::Errc::usage, "root",
        given + " is newer than the root " + dir.string() + " trusts (" + stored_path.string() +
            ", version " + std::to_string(local.version) +
            "), and tufget accepts a newer --root only as a verified rotation of it" + why +
            ". Pass the --root this directory started from (the refresh then walks the "
            "repository's rotations); or, to trust " + root_file + " instead, " + start_over);
  }
  // 4. The stored root is not from this file's chain (or its origin is unknown): refuse rather
  //    than mix two chains of trust or go back to a root older than one already verified.
  std::string origin;
  if (!chain) {
    origin = "a directory without a record of the root its chain started from (made by an "
             "older tufget, `tufget init`, or by hand)";
  } else if (chain->empty()) {
    origin = "a directory whose record of its chain (" + (dir / kRootChainFileName).string() +
             ") cannot be read";
  } else {
    origin = "a chain that started from another root (sha256 " + chain->front().sha256 +
             ", version " + std::to_string(chain->front().version) + ")";
  }
  return tuf::fail(tuf::Errc::usage, "root",
                   given + " is not a root of the chain of trust kept in " + dir.string() +
                       ": its root.json (version " + std::to_string(local.version) +
                       ") comes from " + origin +
                       ". tufget will not mix two chains, nor go back to an older root than one "
                       "it verified. " + if_trusted);
}

}  // namespace

namespace {

// The client's own root.json (the latest root it verified, persisted by the updater), when it
// is a well-formed root signed by its own keys; anything else counts as none here.
std::optional<StoredRoot> read_client_root(const fs::path& client_root) {
  auto stored = load_stored_root(client_root);
  if (!stored || !*stored) return std::nullopt;
  return std::move(**stored);
}

// A manifest with a pinned root: the client's own root when it continues the pin's chain,
// else the pin (replacing a root of another chain).
tuf::Result<void> choose_pinned_root(Repository& repo, const fs::path& client_root) {
  auto pinned = load_pinned_root(*repo.manifest);
  if (!pinned) return std::unexpected(pinned.error());
  const ChainMember pin{*repo.manifest->root_sha256, *repo.manifest->root_version};
  std::optional<RootChain> chain = read_root_chain(repo.metadata_dir);
  bool foreign = false;
  if (auto local = read_client_root(client_root); local && local->version >= pin.version) {
    // The client's root continues the pin's chain when the record lists the pin or the
    // client's root is the pin; a directory without a record (an older tufget's) is trusted
    // as before. Otherwise it came from another chain (--root, trust on first use) and the
    // pin starts a new one.
    const ChainMember member{sha256_hex(local->bytes), local->version};
    if (!chain || lists(chain, pin.sha256) || member.sha256 == pin.sha256) {
      if (auto ok = note_chain_members(repo.metadata_dir, std::move(chain), {pin, member}); !ok) {
        return std::unexpected(ok.error());
      }
      repo.root_bytes = std::move(local->bytes);
      repo.root_source = RootSource::client;
      repo.root_origin = client_root.string() + " (version " + std::to_string(local->version) +
                         ", verified from the pinned version " + std::to_string(pin.version) +
                         ")";
      return {};
    }
    foreign = true;
  }
  // The pin replaces a root of another chain, so that no later run continues that chain.
  if (foreign) {
    if (auto w = tuf_io::write_file_atomic(client_root, tuf::as_bytes(*pinned)); !w) {
      return std::unexpected(w.error());
    }
  }
  if (auto ok = note_chain_members(repo.metadata_dir,
                                   lists(chain, pin.sha256) ? std::move(chain) : std::nullopt,
                                   {pin});
      !ok) {
    return std::unexpected(ok.error());
  }
  repo.root_bytes = std::move(*pinned);
  repo.root_source = RootSource::pinned;
  repo.root_origin = repo.manifest->root_file().string() + " (pinned, version " +
                     std::to_string(pin.version) + ")";
  return {};
}

// Why no root could be chosen, and what to do.
std::string no_root_detail(const Repository& repo, const std::vector<fs::path>& stores,
                           const std::vector<std::string>& problems) {
  std::string detail =
      repo.manifest
          ? "repository " + repo.name + " (" + repo.index_url + ") has no pinned root"
          : "no trust root is pinned for " + repo.index_url;
  detail += ". Searched:";
  if (stores.empty()) detail += " (no trust store exists)";
  for (const fs::path& s : stores) detail += " " + s.string();
  for (const std::string& p : problems) detail += "; skipped " + p;
  detail +=
      ". Pass --root FILE with a root.json obtained out of band, add the repository to a trust "
      "store (see trust_roots/README.md), or pass --trust-on-first-use to trust whatever root "
      "the server presents first (an attacker on the network at that moment would own every "
      "later download)";
  return detail;
}

}  // namespace

tuf::Result<Repository> resolve_repository(const RepositoryOptions& o) {
  auto index_url = normalize_base_url(o.index_url.empty() ? kDefaultIndexUrl : o.index_url);
  if (!index_url) return std::unexpected(index_url.error());
  if (!o.trust_dir.empty() && !fs::is_directory(o.trust_dir)) {
    return tuf::fail(tuf::Errc::usage, "", "--trust-dir " + o.trust_dir + " is not a directory");
  }
  const std::vector<fs::path> stores = trust_store_dirs(o.trust_dir);
  std::vector<std::string> problems;
  std::vector<RepositoryManifest> manifests = list_manifests(stores, &problems);

  Repository repo;
  repo.index_url = *index_url;
  for (RepositoryManifest& m : manifests) {
    if (m.index_url == repo.index_url) {
      repo.manifest = std::move(m);
      break;
    }
  }
  if (repo.manifest) {
    repo.name = repo.manifest->name;
    repo.metadata_url = repo.manifest->metadata_url;
    repo.target_url_rule = repo.manifest->target_url_rule;
  } else {
    const urls::url u(*urls::parse_absolute_uri(repo.index_url));
    repo.name = derived_name(u);
    std::string origin = std::string(u.scheme()) + "://" + std::string(u.encoded_authority());
    repo.metadata_url = origin + "/tuf-metadata/";
  }
  if (!o.metadata_url.empty()) {
    auto mu = normalize_base_url(o.metadata_url);
    if (!mu) return std::unexpected(mu.error());
    repo.metadata_url = std::move(*mu);
  }
  repo.metadata_dir = o.metadata_dir.empty()
                          ? xdg_cache_home() / "tufget" / repo.name / "metadata"
                          : fs::path(o.metadata_dir);

  // One writer per metadata directory: the root is chosen and the record written under the
  // lock the updater's writes take too (tuf_io::drive), released before those.
  const tuf_io::MetadataStore store(repo.metadata_dir);
  auto held = store.lock();
  if (!held) return std::unexpected(held.error());

  // The client's own root.json: the latest root it verified (persisted by the updater).
  const fs::path client_root = repo.metadata_dir / "root.json";

  if (!o.root_file.empty()) {
    if (auto ok = choose_root_option(repo, o.root_file); !ok) return std::unexpected(ok.error());
    return repo;
  }
  if (repo.manifest && repo.manifest->has_pinned_root()) {
    if (auto ok = choose_pinned_root(repo, client_root); !ok) return std::unexpected(ok.error());
    return repo;
  }
  if (o.trust_on_first_use) {
    if (auto local = read_client_root(client_root)) {
      repo.root_bytes = std::move(local->bytes);
      repo.root_source = RootSource::first_use_kept;
      repo.root_origin = client_root.string() + " (version " + std::to_string(local->version) +
                         ", trusted on first use earlier)";
    } else {
      repo.root_source = RootSource::first_use;
      repo.root_origin = repo.metadata_url + "1.root.json (trust on first use)";
    }
    return repo;
  }

  std::string detail = no_root_detail(repo, stores, problems);
  if (o.allow_unpinned) {
    repo.root_source = RootSource::none;
    repo.root_origin = std::move(detail);
    return repo;
  }
  return tuf::fail(tuf::Errc::usage, "", std::move(detail));
}

tuf::Result<void> adopt_first_use_root(Repository& repo, std::string root_bytes) {
  auto v = check_self_signed_root(root_bytes, repo.root_origin);
  if (!v) return std::unexpected(v.error());
  // The directory's chain starts again here (the caller then stores the root as root.json).
  if (auto ok = write_root_chain(repo.metadata_dir, {{sha256_hex(root_bytes), *v}}); !ok) {
    return ok;
  }
  repo.root_bytes = std::move(root_bytes);
  return {};
}

tuf::Result<void> forget_root_chain(const fs::path& metadata_dir) {
  const fs::path path = metadata_dir / kRootChainFileName;
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) return tuf::fail(tuf::Errc::usage, "", "cannot remove " + path.string() + ": " + ec.message());
  return {};
}

std::string first_use_warning(const Repository& repo) {
  const std::string sha = tuf::digest_hex(tuf::HashAlg::sha256, tuf::as_bytes(repo.root_bytes));
  std::string out;
  out += "tufget: WARNING: ***************************************************************\n";
  out += "tufget: WARNING: TRUST ON FIRST USE: no pinned root for " + repo.index_url + "\n";
  out += "tufget: WARNING: trusting the root metadata the server sent just now:\n";
  out += "tufget: WARNING:   " + repo.metadata_url + "1.root.json\n";
  out += "tufget: WARNING:   sha256 " + sha + "\n";
  out += "tufget: WARNING: If anyone could tamper with this connection, every later download\n";
  out += "tufget: WARNING: from this repository is theirs. Compare the sha256 with one obtained\n";
  out += "tufget: WARNING: out of band, then pin it (trust_roots/README.md).\n";
  out += "tufget: WARNING: ***************************************************************\n";
  return out;
}


// ---- writing a repository folder ------------------------------------------------------------------

tuf::Result<RepositoryManifest> write_repository_folder(const fs::path& store,
                                                        const std::string& name,
                                                        std::string_view manifest_json,
                                                        std::string_view root_bytes, bool replace) {
  auto io_fail = [](const fs::path& p, std::string_view doing, int err) {
    return tuf::fail(tuf::Errc::usage, "", std::string(doing) + " " + p.string() + ": " +
                                               std::strerror(err));
  };
  if (!is_safe_repository_name(name)) {
    return tuf::fail(tuf::Errc::usage, "",
                     "repository name must match [a-z0-9][a-z0-9._-]* (at most 64 characters)",
                     "", name);
  }
  std::error_code ec;
  fs::create_directories(store, ec);
  if (ec) return io_fail(store, "cannot create", ec.value());
  const fs::path target = store / name;

  std::string tmpl = (store / ".tufget-staging-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) return io_fail(store, "cannot create a folder in", errno);
  const fs::path staging = tmpl;
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ignored;
      fs::remove_all(dir, ignored);
    }
  } cleanup{staging};

  const fs::path staged = staging / name;
  if (!fs::create_directory(staged, ec) || ec) return io_fail(staged, "cannot create", ec.value());
  const bool target_exists = fs::exists(target, ec);
  if (replace && target_exists) {
    // Carry over whatever else the folder holds (notes, a README) and its permissions.
    fs::permissions(staged, fs::status(target, ec).permissions(), ec);
    for (fs::directory_iterator it(target, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string file = it->path().filename().string();
      if (file == "manifest.json" || file == "root.json") continue;
      std::error_code copy_ec;
      fs::copy(it->path(), staged / file, fs::copy_options::recursive, copy_ec);
      if (copy_ec) return io_fail(it->path(), "cannot copy", copy_ec.value());
    }
    if (ec) return io_fail(target, "cannot read", ec.value());
  }
  if (auto w = tuf_io::write_file_atomic(staged / "root.json", tuf::as_bytes(root_bytes)); !w) {
    return std::unexpected(w.error());
  }
  if (auto w = tuf_io::write_file_atomic(staged / "manifest.json", tuf::as_bytes(manifest_json));
      !w) {
    return std::unexpected(w.error());
  }
  // Check the pair exactly as readers will check it, before anyone can read it.
  auto manifest = load_manifest(staged);
  if (!manifest) return std::unexpected(manifest.error());
  if (auto root = load_pinned_root(*manifest); !root) return std::unexpected(root.error());

  auto sync_store = [&]() -> tuf::Result<void> {
    const int fd = ::open(store.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return io_fail(store, "cannot open", errno);
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0 && err != EINVAL) return io_fail(store, "cannot sync", err);
    return {};
  };

  if (!replace || !target_exists) {
    if (target_exists) {
      return tuf::fail(tuf::Errc::usage, "", target.string() + " already exists");
    }
    if (::renameat2(AT_FDCWD, staged.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) != 0) {
      const int err = errno;
      if (err != EINVAL && err != ENOSYS) return io_fail(target, "cannot create", err);
      // No RENAME_NOREPLACE here: rename() onto an existing empty folder would succeed, so check
      // first (a race with another writer then fails on a non-empty folder).
      if (fs::exists(target, ec)) return tuf::fail(tuf::Errc::usage, "", target.string() + " already exists");
      if (::rename(staged.c_str(), target.c_str()) != 0) return io_fail(target, "cannot create", errno);
    }
  } else if (::renameat2(AT_FDCWD, staged.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) !=
             0) {
    const int err = errno;
    if (err != EINVAL && err != ENOSYS) return io_fail(target, "cannot replace", err);
    // Fallback: root.json first. Until manifest.json follows, the pair does not match and
    // load_pinned_root refuses it: a crash here fails closed.
    if (auto w = tuf_io::write_file_atomic(target / "root.json", tuf::as_bytes(root_bytes)); !w) {
      return std::unexpected(w.error());
    }
    if (auto w = tuf_io::write_file_atomic(target / "manifest.json", tuf::as_bytes(manifest_json));
        !w) {
      return std::unexpected(w.error());
    }
  }
  if (auto s = sync_store(); !s) return std::unexpected(s.error());
  // The staging folder now holds the old pair (or nothing); Cleanup removes it.
  return load_manifest(target);
}

}  // namespace tufget
