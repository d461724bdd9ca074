// `tufget trust ...` (see trust_cmd.h, trust_roots/README.md, docs/ci-refresh.md).
//
// update walks root rotations exactly as the client workflow does (spec 5.3): starting from the
// pinned root N it fetches <metadata_url>N+1.root.json until the repository answers not_found
// (any other failure aborts: it is never read as "no newer root"), at most
// UpdaterConfig::max_root_rotations times, and verifies each (5.3.4: a threshold of the trusted
// root's root keys AND of the new root's own root keys; 5.3.5: version N+1). The walk is the
// core's own (Updater::start_root_update), the one the client's refresh runs. Expired intermediate roots are fine (5.3.6); the final root must not be expired (5.3.10).
// Only a fully verified chain whose final root is valid is written, and the pinned root.json and
// manifest.json are replaced together (write_repository_folder).
#include "trust_cmd.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "client/clock.h"
#include "client/repository.h"
#include "tuf/error.h"
#include "tuf/hash.h"
#include "tuf/json_text.h"
#include "tuf/metadata.h"
#include "tuf/trusted_set.h"
#include "tuf/updater.h"
#include "tuf_io/driver.h"
#include "tuf_io/http.h"
#include "tuf_io/store.h"

namespace tufget {
namespace {

namespace fs = std::filesystem;

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitNewerRoot = 3;
constexpr std::uint64_t kManifestMaxBytes = 64 * 1024;


// ---- output helpers ----------------------------------------------------------------------------

using tuf::json_string;

// A tiny writer for pretty JSON: members and elements are added in order.
class JsonOut {
 public:
  JsonOut& open(char bracket, std::string_view key = {}) {
    item(key);
    out_.push_back(bracket);
    first_.push_back(true);
    return *this;
  }
  JsonOut& close(char bracket) {
    const bool empty = first_.back();
    first_.pop_back();
    if (!empty) newline();
    out_.push_back(bracket);
    return *this;
  }
  JsonOut& raw(std::string_view key, std::string_view json) {
    item(key);
    out_ += json;
    return *this;
  }
  JsonOut& str(std::string_view key, std::string_view s) { return raw(key, json_string(s)); }
  JsonOut& num(std::string_view key, std::uint64_t v) { return raw(key, std::to_string(v)); }
  JsonOut& boolean(std::string_view key, bool v) { return raw(key, v ? "true" : "false"); }
  JsonOut& null(std::string_view key) { return raw(key, "null"); }
  std::string text() const { return out_ + "\n"; }

 private:
  void newline() {
    out_.push_back('\n');
    out_.append(2 * first_.size(), ' ');
  }
  void item(std::string_view key) {
    if (!first_.empty()) {
      if (!first_.back()) out_.push_back(',');
      first_.back() = false;
      newline();
    }
    if (!key.empty()) out_ += json_string(key) + ": ";
  }
  std::string out_;
  std::vector<bool> first_;
};

void print_out(const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fflush(stdout);
}

[[noreturn]] void fail_with(const std::string& message) {
  std::fflush(stdout);
  std::fprintf(stderr, "tufget trust: error: %s\n", message.c_str());
  throw CLI::RuntimeError(kExitError);
}

void exit_with(int status) {
  std::fflush(stdout);
  if (status != kExitOk) throw CLI::RuntimeError(status);
}

// ---- stores and repositories -------------------------------------------------------------------

struct Store {
  fs::path dir;
  std::string kind;  // "--trust-dir", "user" or "shipped"
};

fs::path canonical_or_same(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(p, ec);
  return ec ? p : c;
}

// The stores in search order (repository.h). With `only_trust_dir`, just --trust-dir.
std::vector<Store> stores_for(const std::string& trust_dir, bool only_trust_dir) {
  if (!trust_dir.empty() && !fs::is_directory(trust_dir)) {
    fail_with("--trust-dir " + trust_dir + " is not a directory");
  }
  const fs::path option = trust_dir.empty() ? fs::path() : canonical_or_same(trust_dir);
  const fs::path user = canonical_or_same(xdg_config_home() / "tufget" / "trust_roots");
  std::vector<Store> out;
  for (const fs::path& d : trust_store_dirs(trust_dir)) {
    std::string kind = !option.empty() && d == option ? "--trust-dir"
                       : d == user                    ? "user"
                                                      : "shipped";
    if (only_trust_dir && kind != "--trust-dir") continue;
    out.push_back({d, std::move(kind)});
  }
  return out;
}

struct Entry {
  Store store;
  fs::path dir;
  std::string folder;
  tuf::Result<RepositoryManifest> manifest;
};

// Every folder with a manifest.json in `stores`, in search order, folders sorted by name.
std::vector<Entry> entries_in(const std::vector<Store>& stores) {
  std::vector<Entry> out;
  for (const Store& s : stores) {
    std::vector<fs::path> dirs;
    std::error_code ec;
    for (fs::directory_iterator it(s.dir, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code e2;
      if (it->is_directory(e2) && fs::exists(it->path() / "manifest.json", e2)) {
        dirs.push_back(it->path());
      }
    }
    std::sort(dirs.begin(), dirs.end());
    for (const fs::path& d : dirs) {
      out.push_back({s, d, d.filename().string(), load_manifest(d)});
    }
  }
  return out;
}

// The first folder named `name` in search order.
const Entry* find_entry(const std::vector<Entry>& entries, const std::string& name) {
  for (const Entry& e : entries) {
    if (e.folder == name) return &e;
  }
  return nullptr;
}

std::string searched(const std::vector<Store>& stores) {
  std::string s;
  for (const Store& st : stores) s += (s.empty() ? "" : ", ") + st.dir.string() + " (" + st.kind + ")";
  return s.empty() ? "(no trust store exists)" : s;
}

struct PinnedRoot {
  std::string bytes;
  std::string sha256;
  tuf::Metadata<tuf::Root> md;
};

tuf::Result<PinnedRoot> read_pinned(const RepositoryManifest& m) {
  auto bytes = load_pinned_root(m);  // sha256, self-signature, version
  if (!bytes) return std::unexpected(bytes.error());
  auto md = tuf::parse_root(tuf::as_bytes(*bytes));
  if (!md) return std::unexpected(md.error());
  PinnedRoot p;
  p.sha256 = tuf::digest_hex(tuf::HashAlg::sha256, tuf::as_bytes(*bytes));
  p.bytes = std::move(*bytes);
  p.md = std::move(*md);
  return p;
}

// Top-level roles in the specification's order, then any others by name.
std::vector<std::string> role_order(const tuf::Root& a, const tuf::Root* b = nullptr) {
  static const std::vector<std::string> kTop = {"root", "targets", "snapshot", "timestamp"};
  std::vector<std::string> out;
  std::set<std::string> all;
  for (const auto& [r, _] : a.roles) all.insert(r);
  if (b) for (const auto& [r, _] : b->roles) all.insert(r);
  for (const std::string& r : kTop) {
    if (all.erase(r)) out.push_back(r);
  }
  out.insert(out.end(), all.begin(), all.end());
  return out;
}

struct KeyRef {
  std::string keyid;
  std::string keytype;
  std::string scheme;
};

KeyRef key_ref(const tuf::Root& root, const std::string& keyid) {
  KeyRef k{keyid, "?", "?"};
  if (auto it = root.keys.find(keyid); it != root.keys.end()) {
    k.keytype = it->second.keytype;
    k.scheme = it->second.scheme;
  }
  return k;
}

void key_json(JsonOut& j, const KeyRef& k) {
  j.open('{').str("keyid", k.keyid).str("keytype", k.keytype).str("scheme", k.scheme).close('}');
}

// ---- list ----------------------------------------------------------------------------------------

struct Options {
  std::string trust_dir;
  std::string format = "text";
  std::string name;
  // add
  std::string root_file;
  std::string metadata_url;
  std::string index_url;
  std::string target_url_rule;
  std::string description;
  // update
  bool check = false;
};

void cmd_list(const Options& o) {
  const auto stores = stores_for(o.trust_dir, false);
  const auto entries = entries_in(stores);
  const tuf::Timestamp now = wall_clock_now();
  struct Row {
    std::string name, index_url, metadata_url, version, expires, from, problem;
    std::optional<std::uint64_t> root_version;
    std::optional<tuf::Timestamp> expiry;
    const Entry* entry;
  };
  std::vector<Row> rows;
  for (const Entry& e : entries) {
    Row r;
    r.entry = &e;
    r.name = e.folder;
    r.from = e.dir.string() + " (" + e.store.kind + ")";
    if (!e.manifest) {
      r.problem = e.manifest.error().detail;
      r.version = "invalid";
    } else {
      r.index_url = e.manifest->index_url;
      r.metadata_url = e.manifest->metadata_url;
      if (!e.manifest->has_pinned_root()) {
        r.version = "none";
      } else if (auto p = read_pinned(*e.manifest); !p) {
        r.problem = p.error().message();
        r.version = "invalid";
      } else {
        r.root_version = p->md.signed_part.version;
        r.expiry = p->md.signed_part.expires;
        r.version = std::to_string(*r.root_version);
        r.expires = tuf::format_datetime(*r.expiry);
        if (p->md.signed_part.is_expired(now)) r.expires += " (EXPIRED)";
      }
    }
    rows.push_back(std::move(r));
  }

  if (o.format == "json") {
    JsonOut j;
    j.open('{').open('[', "repositories");
    for (const Row& r : rows) {
      j.open('{').str("name", r.name);
      if (r.entry->manifest) {
        j.str("index_url", r.index_url).str("metadata_url", r.metadata_url);
      } else {
        j.null("index_url").null("metadata_url");
      }
      j.boolean("pinned", r.root_version.has_value());
      if (r.root_version) {
        j.num("root_version", *r.root_version)
            .str("expires", tuf::format_datetime(*r.expiry))
            .boolean("expired", *r.expiry <= now);
      } else {
        j.null("root_version").null("expires").null("expired");
      }
      j.str("folder", r.entry->dir.string())
          .str("store", r.entry->store.dir.string())
          .str("store_kind", r.entry->store.kind);
      if (r.problem.empty()) j.null("problem");
      else j.str("problem", r.problem);
      j.close('}');
    }
    j.close(']').close('}');
    print_out(j.text());
    return;
  }

  if (rows.empty()) {
    print_out("no repositories in the trust stores searched: " + searched(stores) + "\n");
    return;
  }
  const std::vector<std::string> head = {"NAME", "INDEX URL", "METADATA URL", "ROOT", "EXPIRES",
                                         "FROM"};
  std::vector<std::vector<std::string>> table = {head};
  for (const Row& r : rows) {
    table.push_back({r.name, r.index_url.empty() ? "-" : r.index_url,
                     r.metadata_url.empty() ? "-" : r.metadata_url, r.version,
                     r.expires.empty() ? "-" : r.expires, r.from});
  }
  std::vector<std::size_t> width(head.size(), 0);
  for (const auto& line : table) {
    for (std::size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
  }
  std::string out;
  for (const auto& line : table) {
    std::string l;
    for (std::size_t i = 0; i < line.size(); ++i) {
      l += line[i];
      if (i + 1 < line.size()) l.append(width[i] - line[i].size() + 2, ' ');
    }
    out += l + "\n";
  }
  print_out(out);
  for (const Row& r : rows) {
    if (!r.problem.empty()) {
      std::fprintf(stderr, "tufget trust: warning: %s: %s\n", r.name.c_str(), r.problem.c_str());
    }
  }
}

// ---- show ----------------------------------------------------------------------------------------

void cmd_show(const Options& o) {
  const auto stores = stores_for(o.trust_dir, false);
  const auto entries = entries_in(stores);
  const Entry* e = find_entry(entries, o.name);
  if (!e) fail_with("no repository named " + o.name + " in " + searched(stores));
  if (!e->manifest) fail_with(e->manifest.error().detail);
  const RepositoryManifest& m = *e->manifest;
  std::optional<PinnedRoot> pinned;
  if (m.has_pinned_root()) {
    auto p = read_pinned(m);
    if (!p) fail_with(o.name + ": " + p.error().message());
    pinned = std::move(*p);
  }
  const tuf::Timestamp now = wall_clock_now();

  if (o.format == "json") {
    JsonOut j;
    j.open('{')
        .str("name", m.name)
        .str("folder", e->dir.string())
        .str("store", e->store.dir.string())
        .str("store_kind", e->store.kind)
        .str("index_url", m.index_url)
        .str("metadata_url", m.metadata_url)
        .str("target_url_rule", m.target_url_rule.text())
        .str("description", m.description);
    if (!pinned) {
      j.null("root");
    } else {
      const tuf::Root& r = pinned->md.signed_part;
      j.open('{', "root")
          .num("version", r.version)
          .str("sha256", pinned->sha256)
          .str("spec_version", r.spec_version)
          .str("expires", tuf::format_datetime(r.expires))
          .boolean("expired", r.is_expired(now))
          .boolean("consistent_snapshot", r.consistent_snapshot)
          .open('{', "roles");
      for (const std::string& role : role_order(r)) {
        const tuf::RoleKeys& rk = r.roles.at(role);
        j.open('{', role).num("threshold", rk.threshold).open('[', "keys");
        for (const std::string& id : rk.keyids) key_json(j, key_ref(r, id));
        j.close(']').close('}');
      }
      j.close('}').close('}');
    }
    j.close('}');
    print_out(j.text());
    return;
  }

  std::string out;
  out += "name:                " + m.name + "\n";
  out += "folder:              " + e->dir.string() + " (" + e->store.kind + " store)\n";
  out += "index_url:           " + m.index_url + "\n";
  out += "metadata_url:        " + m.metadata_url + "\n";
  out += "target_url_rule:     " + m.target_url_rule.text() + "\n";
  if (!m.description.empty()) out += "description:         " + m.description + "\n";
  if (!pinned) {
    out += "root:                none pinned (tufget refuses this repository without --root or "
           "--trust-on-first-use; pin one with `tufget trust add`)\n";
    print_out(out);
    return;
  }
  const tuf::Root& r = pinned->md.signed_part;
  out += "root version:        " + std::to_string(r.version) + "\n";
  out += "root sha256:         " + pinned->sha256 + "\n";
  out += "spec_version:        " + r.spec_version + "\n";
  out += "expires:             " + tuf::format_datetime(r.expires) +
         (r.is_expired(now) ? "  EXPIRED: run `tufget trust update " + m.name + "`" : "") + "\n";
  out += std::string("consistent_snapshot: ") + (r.consistent_snapshot ? "true" : "false") + "\n";
  out += "roles:\n";
  for (const std::string& role : role_order(r)) {
    const tuf::RoleKeys& rk = r.roles.at(role);
    out += "  " + role + ": threshold " + std::to_string(rk.threshold) + " of " +
           std::to_string(rk.keyids.size()) + " key(s)\n";
    for (const std::string& id : rk.keyids) {
      const KeyRef k = key_ref(r, id);
      out += "    " + k.keyid + "  " + k.keytype + " (" + k.scheme + ")\n";
    }
  }
  print_out(out);
}

// ---- add -----------------------------------------------------------------------------------------

// manifest.json in the order trust_roots/README.md shows; `fields` are (key, JSON value).
std::string render_manifest(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out = "{\n";
  for (std::size_t i = 0; i < fields.size(); ++i) {
    out += "  " + json_string(fields[i].first) + ": " + fields[i].second +
           (i + 1 < fields.size() ? ",\n" : "\n");
  }
  return out + "}\n";
}

void cmd_add(const Options& o) {
  if (!is_safe_repository_name(o.name)) {
    fail_with("repository name " + o.name +
              " must match [a-z0-9][a-z0-9._-]* (at most 64 characters): it names a folder");
  }
  auto index_url = normalize_base_url(o.index_url);
  if (!index_url) fail_with("--index-url: " + index_url.error().detail);
  auto metadata_url = normalize_base_url(o.metadata_url);
  if (!metadata_url) fail_with("--metadata-url: " + metadata_url.error().detail);
  if (!o.target_url_rule.empty()) {
    if (auto r = TargetUrlRule::parse(o.target_url_rule); !r) fail_with(r.error().message());
  }
  const tuf::UpdaterConfig config;
  auto bytes = tuf_io::read_file_limited(o.root_file, config.root_max_length);
  if (!bytes) fail_with("--root " + o.root_file + ": " + bytes.error().message());
  // 5.2: the initial root must be signed by a threshold of its own root keys.
  auto set = tuf::TrustedSet::create(tuf::as_bytes(*bytes), wall_clock_now());
  if (!set) {
    fail_with("--root " + o.root_file + " is not root metadata signed by its own root keys: " +
              set.error().message());
  }
  const tuf::Root& root = set->root().signed_part;
  const std::string sha = tuf::digest_hex(tuf::HashAlg::sha256, tuf::as_bytes(*bytes));

  const fs::path store =
      o.trust_dir.empty() ? xdg_config_home() / "tufget" / "trust_roots" : fs::path(o.trust_dir);
  std::error_code ec;
  if (fs::exists(store / o.name, ec)) {
    fail_with((store / o.name).string() +
              " already exists: `tufget trust update " + o.name +
              "` refreshes its root; remove the folder to pin a different one");
  }
  std::vector<std::pair<std::string, std::string>> fields = {
      {"name", json_string(o.name)},
      {"index_url", json_string(*index_url)},
      {"metadata_url", json_string(*metadata_url)},
      {"root_version", std::to_string(root.version)},
      {"root_sha256", json_string(sha)},
  };
  if (!o.target_url_rule.empty()) fields.emplace_back("target_url_rule", json_string(o.target_url_rule));
  if (!o.description.empty()) fields.emplace_back("description", json_string(o.description));
  auto written = write_repository_folder(store, o.name, render_manifest(fields), *bytes, false);
  if (!written) fail_with(written.error().message());

  std::string out = "added " + o.name + " in " + (store / o.name).string() + "\n";
  out += "  index_url:    " + *index_url + "\n";
  out += "  metadata_url: " + *metadata_url + "\n";
  out += "  root:         version " + std::to_string(root.version) + ", sha256 " + sha +
         ", expires " + tuf::format_datetime(root.expires) + "\n";
  print_out(out);
  const tuf::Timestamp now = wall_clock_now();
  if (root.is_expired(now)) {
    std::fprintf(stderr,
                 "tufget trust: warning: this root expired at %s; clients refuse it until "
                 "`tufget trust update %s` reaches a root that is still valid\n",
                 tuf::format_datetime(root.expires).c_str(), o.name.c_str());
  }
  // Another repository in the stores searched with the same index URL would win or lose
  // against this one by search order: say so.
  const fs::path added = canonical_or_same(store / o.name);
  for (const Entry& e : entries_in(stores_for(o.trust_dir, false))) {
    if (e.manifest && e.manifest->index_url == *index_url && canonical_or_same(e.dir) != added) {
      std::fprintf(stderr,
                   "tufget trust: warning: %s also names %s; the first one in search order "
                   "(--trust-dir, user, shipped) is used\n",
                   e.dir.string().c_str(), index_url->c_str());
    }
  }
}

// ---- update --------------------------------------------------------------------------------------

struct RoleChange {
  std::string role;
  std::optional<std::uint32_t> threshold_from, threshold_to;  // nullopt: role absent
  std::vector<KeyRef> added, removed;
};

std::vector<RoleChange> diff_roots(const tuf::Root& a, const tuf::Root& b) {
  std::vector<RoleChange> out;
  for (const std::string& role : role_order(a, &b)) {
    RoleChange c;
    c.role = role;
    const auto ia = a.roles.find(role);
    const auto ib = b.roles.find(role);
    std::vector<std::string> ka, kb;
    if (ia != a.roles.end()) {
      c.threshold_from = ia->second.threshold;
      ka = ia->second.keyids;
    }
    if (ib != b.roles.end()) {
      c.threshold_to = ib->second.threshold;
      kb = ib->second.keyids;
    }
    for (const std::string& id : kb) {
      if (std::find(ka.begin(), ka.end(), id) == ka.end()) c.added.push_back(key_ref(b, id));
    }
    for (const std::string& id : ka) {
      if (std::find(kb.begin(), kb.end(), id) == kb.end()) c.removed.push_back(key_ref(a, id));
    }
    if (c.threshold_from != c.threshold_to || !c.added.empty() || !c.removed.empty()) {
      out.push_back(std::move(c));
    }
  }
  return out;
}

enum class Status { up_to_date, update_available, updated, error };

std::string_view status_name(Status s) {
  switch (s) {
    case Status::up_to_date: return "up_to_date";
    case Status::update_available: return "update_available";
    case Status::updated: return "updated";
    case Status::error: return "error";
  }
  return "error";
}

struct Failure {
  std::string rule;  // the rule that failed, with its spec section where there is one
  tuf::Error error;
  std::optional<std::uint64_t> version;  // the root version being fetched or verified
  std::string url;
};

struct Outcome {
  const Entry* entry = nullptr;
  std::string name;
  Status status = Status::error;
  bool walked = false;  // from/to below are meaningful
  std::uint64_t from_version = 0, to_version = 0;
  tuf::Timestamp expires_from = 0, expires_to = 0;
  bool cs_from = false, cs_to = false;
  std::string sha_from, sha_to;
  bool final_expired = false;
  bool cap_reached = false;
  std::vector<RoleChange> roles;
  std::optional<Failure> failure;
};

// Names the rule behind a rejected rotation, so the message says which check failed.
std::string rotation_rule(const tuf::Error& e, const tuf::Root& trusted) {
  switch (e.code) {
    case tuf::Errc::unsigned_metadata: {
      // TrustedSet::update_root names the key set whose threshold was not met.
      const bool old_ok = e.detail.find("(trusted root version") == std::string::npos;
      if (!old_ok) {
        return "spec 5.3.4: the new root must be signed by a threshold of the trusted root's "
               "(version " + std::to_string(trusted.version) + ") root keys";
      }
      return "spec 5.3.4: the new root must be signed by a threshold of its own root keys";
    }
    case tuf::Errc::bad_version_number:
      return "spec 5.3.5: the new root's version must be the trusted version + 1";
    case tuf::Errc::invalid_metadata:
      return "spec 5.3.4: the new root must be well-formed root metadata";
    case tuf::Errc::too_large:
      return "spec 5.3.3: a root file is at most root_max_length bytes";
    default:
      return "spec 5.3.3: fetch N+1.root.json (only not_found ends the walk)";
  }
}

std::string manifest_with_root(const fs::path& dir, std::uint64_t version, const std::string& sha,
                               std::string* error) {
  // Keeps the manifest's fields, their order and values; only root_version/root_sha256 change,
  // so the diff a CI job proposes is those two lines plus root.json.
  auto text = tuf_io::read_file_limited(dir / "manifest.json", kManifestMaxBytes);
  if (!text) {
    *error = text.error().message();
    return {};
  }
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(*text).get(obj) != simdjson::SUCCESS) {
    *error = (dir / "manifest.json").string() + ": not a JSON object";
    return {};
  }
  std::vector<std::pair<std::string, std::string>> fields;
  bool have_version = false, have_sha = false;
  for (auto [key, value] : obj) {
    std::string v;
    std::string_view s;
    if (key == "root_version") {
      v = std::to_string(version);
      have_version = true;
    } else if (key == "root_sha256") {
      v = json_string(sha);
      have_sha = true;
    } else if (value.get_string().get(s) == simdjson::SUCCESS) {
      v = json_string(s);
    } else {
      v = simdjson::to_string(value);
    }
    fields.emplace_back(std::string(key), std::move(v));
  }
  if (!have_version) fields.emplace_back("root_version", std::to_string(version));
  if (!have_sha) fields.emplace_back("root_sha256", json_string(sha));
  return render_manifest(fields);
}

Outcome update_one(const Entry& e, tuf_io::HttpClient& http, bool check, tuf::Timestamp now) {
  Outcome o;
  o.entry = &e;
  o.name = e.folder;
  auto failed = [&](std::string rule, tuf::Error err, std::optional<std::uint64_t> version = {},
                    std::string url = {}) {
    o.status = Status::error;
    o.failure = Failure{std::move(rule), std::move(err), version, std::move(url)};
    return o;
  };
  if (!e.manifest) return failed("manifest.json (trust_roots/README.md)", e.manifest.error());
  const RepositoryManifest& m = *e.manifest;
  if (!m.has_pinned_root()) {
    return failed("a pinned root to rotate from",
                  tuf::Error{tuf::Errc::usage, "root",
                             "repository " + m.name + " has no pinned root; pin one with "
                             "`tufget trust add`", "", ""});
  }
  auto pinned = read_pinned(m);
  if (!pinned) {
    return failed("the pinned root.json must match its manifest (sha256, version) and be signed "
                  "by its own root keys",
                  pinned.error(), m.root_version);
  }
  const tuf::Root from = pinned->md.signed_part;
  o.walked = true;
  o.from_version = o.to_version = from.version;
  o.expires_from = o.expires_to = from.expires;
  o.cs_from = o.cs_to = from.consistent_snapshot;
  o.sha_from = o.sha_to = pinned->sha256;

  // 5.3: the core's root update walks N+1.root.json until not_found (each verified root is
  // kept here, nothing is written), then checks that the final root has not expired (5.3.10).
  const tuf::UpdaterConfig config;
  auto updater = tuf::Updater::create(tuf::as_bytes(pinned->bytes), m.metadata_url, config);
  if (!updater) return failed("spec 5.2: trusted root", updater.error(), m.root_version);
  std::string final_bytes = pinned->bytes;
  tuf_io::DriverHooks hooks;
  hooks.on_persist = [&](const tuf::Persist& p) -> tuf::Result<void> {
    final_bytes = p.bytes;
    return {};
  };
  if (auto ok = updater->start_root_update(now); !ok) return failed("spec 5.3", ok.error());
  auto walked = tuf_io::drive(*updater, http, hooks);
  const tuf::Root& to = updater->trusted().root().signed_part;
  o.to_version = to.version;
  o.cap_reached = to.version - from.version == config.max_root_rotations;
  if (!walked && walked.error().code != tuf::Errc::expired_metadata) {
    // Report how far the chain verified; nothing is written.
    const std::uint64_t next = to.version + 1;
    return failed(rotation_rule(walked.error(), to), walked.error(), next,
                  m.metadata_url + std::to_string(next) + ".root.json");
  }
  o.expires_to = to.expires;
  o.cs_to = to.consistent_snapshot;
  o.sha_to = tuf::digest_hex(tuf::HashAlg::sha256, tuf::as_bytes(final_bytes));
  o.roles = diff_roots(from, to);
  // 5.3.10: a client refuses an expired final root (freeze attack), so pinning one helps no
  // one: report it and write nothing.
  if (!walked) {
    o.final_expired = true;
    return failed("spec 5.3.10: the final root must not be expired", walked.error(), to.version,
                  m.metadata_url + std::to_string(to.version) + ".root.json");
  }
  if (to.version == from.version) {
    o.status = Status::up_to_date;
    return o;
  }
  if (check) {
    o.status = Status::update_available;
    return o;
  }
  std::string error;
  const std::string manifest = manifest_with_root(e.dir, to.version, o.sha_to, &error);
  if (!error.empty()) return failed("write the manifest", tuf::Error{tuf::Errc::usage, "", error, "", ""});
  auto written = write_repository_folder(e.store.dir, e.folder, manifest, final_bytes, true);
  if (!written) return failed("write root.json and manifest.json together", written.error());
  o.status = Status::updated;
  return o;
}

std::string threshold_text(const std::optional<std::uint32_t>& t) {
  return t ? std::to_string(*t) : std::string("(no role)");
}

std::string outcome_text(const Outcome& o) {
  std::string out;
  const std::string v = "version " + std::to_string(o.from_version) + " -> " +
                        std::to_string(o.to_version);
  switch (o.status) {
    case Status::up_to_date:
      out += o.name + ": up to date (root version " + std::to_string(o.to_version) +
             ", expires " + tuf::format_datetime(o.expires_to) + ")\n";
      return out;
    case Status::update_available:
      out += o.name + ": newer root available: " + v + " (--check: nothing written)\n";
      break;
    case Status::updated:
      out += o.name + ": updated " + v + "; wrote " + (o.entry->dir / "root.json").string() +
             " and manifest.json\n";
      break;
    case Status::error:
      break;
  }
  if (o.status == Status::error) {
    const Failure& f = *o.failure;
    out += o.name + ": error: ";
    if (o.final_expired) {
      out += "the final root (version " + std::to_string(o.to_version) +
             ") is expired; nothing was written\n";
    } else if (f.version && !f.url.empty()) {
      out += "root version " + std::to_string(*f.version) + " (" + f.url +
             ") was not accepted; nothing was changed\n";
    } else {
      out += "nothing was changed\n";
    }
    out += "  rule:     " + f.rule + "\n";
    if (!f.error.role.empty()) out += "  role:     " + f.error.role + "\n";
    if (!f.error.expected.empty()) out += "  expected: " + f.error.expected + "\n";
    if (!f.error.got.empty()) out += "  got:      " + f.error.got + "\n";
    out += "  reason:   " + f.error.message() + "\n";
    if (!o.walked || o.to_version == o.from_version) return out;
    out += "  verified: " + v + " before stopping\n";
  }
  if (o.expires_from != o.expires_to) {
    out += "  expires: " + tuf::format_datetime(o.expires_from) + " -> " +
           tuf::format_datetime(o.expires_to) + "\n";
  }
  if (o.cs_from != o.cs_to) {
    out += std::string("  consistent_snapshot: ") + (o.cs_from ? "true" : "false") + " -> " +
           (o.cs_to ? "true" : "false") + "\n";
  }
  for (const RoleChange& c : o.roles) {
    if (c.threshold_from != c.threshold_to) {
      out += "  " + c.role + ": threshold " + threshold_text(c.threshold_from) + " -> " +
             threshold_text(c.threshold_to) + "\n";
    }
    for (const KeyRef& k : c.added) {
      out += "  " + c.role + ": key added   " + k.keyid + " (" + k.keytype + ")\n";
    }
    for (const KeyRef& k : c.removed) {
      out += "  " + c.role + ": key removed " + k.keyid + " (" + k.keytype + ")\n";
    }
  }
  if (o.sha_from != o.sha_to) out += "  root.json sha256: " + o.sha_from + " -> " + o.sha_to + "\n";
  if (o.cap_reached) {
    out += "  note: stopped after " + std::to_string(tuf::UpdaterConfig{}.max_root_rotations) +
           " rotations (max_root_rotations); run again for more\n";
  }
  return out;
}

void outcome_json(JsonOut& j, const Outcome& o) {
  j.open('{')
      .str("name", o.name)
      .str("folder", o.entry->dir.string())
      .str("store", o.entry->store.dir.string())
      .str("store_kind", o.entry->store.kind);
  if (o.entry->manifest) j.str("metadata_url", o.entry->manifest->metadata_url);
  else j.null("metadata_url");
  j.str("status", status_name(o.status));
  if (o.walked) {
    j.open('{', "version").num("from", o.from_version).num("to", o.to_version).close('}');
    j.num("rotations", o.to_version - o.from_version);
    j.open('{', "expires")
        .str("from", tuf::format_datetime(o.expires_from))
        .str("to", tuf::format_datetime(o.expires_to))
        .close('}');
    j.boolean("final_root_expired", o.final_expired);
    j.open('{', "consistent_snapshot").boolean("from", o.cs_from).boolean("to", o.cs_to).close('}');
    j.open('{', "root_sha256").str("from", o.sha_from).str("to", o.sha_to).close('}');
    j.open('[', "roles");
    for (const RoleChange& c : o.roles) {
      j.open('{').str("role", c.role).open('{', "threshold");
      if (c.threshold_from) j.num("from", *c.threshold_from);
      else j.null("from");
      if (c.threshold_to) j.num("to", *c.threshold_to);
      else j.null("to");
      j.close('}').open('[', "keys_added");
      for (const KeyRef& k : c.added) key_json(j, k);
      j.close(']').open('[', "keys_removed");
      for (const KeyRef& k : c.removed) key_json(j, k);
      j.close(']').close('}');
    }
    j.close(']');
    j.boolean("rotation_cap_reached", o.cap_reached);
  } else {
    j.null("version").null("rotations").null("expires").null("final_root_expired");
    j.null("consistent_snapshot").null("root_sha256").raw("roles", "[]");
    j.boolean("rotation_cap_reached", false);
  }
  j.boolean("written", o.status == Status::updated);
  if (!o.failure) {
    j.null("error");
  } else {
    const Failure& f = *o.failure;
    j.open('{', "error")
        .str("code", tuf::to_string(f.error.code))
        .str("rule", f.rule)
        .str("role", f.error.role);
    if (f.version) j.num("version", *f.version);
    else j.null("version");
    j.str("url", f.url)
        .str("detail", f.error.detail)
        .str("expected", f.error.expected)
        .str("got", f.error.got)
        .str("message", f.error.message())
        .close('}');
  }
  j.close('}');
}

void cmd_update(const Options& o) {
  // With --trust-dir, only that store: a CI job refreshes the store it committed and never
  // touches the runner's own or the shipped one.
  const auto stores = stores_for(o.trust_dir, !o.trust_dir.empty());
  const auto entries = entries_in(stores);
  std::vector<const Entry*> chosen;
  if (!o.name.empty()) {
    const Entry* e = find_entry(entries, o.name);
    if (!e) fail_with("no repository named " + o.name + " in " + searched(stores));
    chosen.push_back(e);
  } else {
    std::set<std::string> seen;
    for (const Entry& e : entries) {
      if (!seen.insert(e.folder).second) continue;  // shadowed by an earlier store
      if (e.manifest && !e.manifest->has_pinned_root()) continue;  // nothing to rotate from
      chosen.push_back(&e);
    }
  }

  tuf_io::HttpClient http;
  const tuf::Timestamp now = wall_clock_now();
  std::vector<Outcome> outcomes;
  for (const Entry* e : chosen) outcomes.push_back(update_one(*e, http, o.check, now));

  int status = kExitOk;
  for (const Outcome& out : outcomes) {
    if (out.status == Status::error) status = kExitError;
  }
  if (status == kExitOk && o.check) {
    for (const Outcome& out : outcomes) {
      if (out.status == Status::update_available) status = kExitNewerRoot;
    }
  }

  if (o.format == "json") {
    JsonOut j;
    j.open('{')
        .boolean("check", o.check)
        .num("exit_status", static_cast<std::uint64_t>(status))
        .str("checked_at", tuf::format_datetime(now))
        .open('[', "repositories");
    for (const Outcome& out : outcomes) outcome_json(j, out);
    j.close(']').close('}');
    print_out(j.text());
  } else {
    if (outcomes.empty()) {
      print_out("no repository with a pinned root in " + searched(stores) + "\n");
    }
    for (const Outcome& out : outcomes) {
      const std::string text = outcome_text(out);
      if (out.status == Status::error) {
        std::fflush(stdout);
        std::fprintf(stderr, "tufget trust: %s", text.c_str());
      } else {
        print_out(text);
      }
    }
  }
  exit_with(status);
}

// Runs a command; filesystem exceptions become an error message and exit status 1.
template <class F>
void run(F&& f) {
  try {
    f();
  } catch (const fs::filesystem_error& e) {
    fail_with(e.what());
  }
}

}  // namespace

void add_trust_commands(CLI::App& app) {
  auto o = std::make_shared<Options>();
  CLI::App* trust = app.add_subcommand(
      "trust",
      "The pinned root metadata of each repository (trust stores: --trust-dir, "
      "$XDG_CONFIG_HOME/tufget/trust_roots, the shipped trust_roots/; see trust_roots/README.md)");
  trust->require_subcommand(1);
  auto format_option = [&](CLI::App* cmd) {
    cmd->add_option("--format", o->format, "Output format: text (default) or json")
        ->check(CLI::IsMember({"text", "json"}));
  };
  auto trust_dir_option = [&](CLI::App* cmd, const char* help) {
    cmd->add_option("--trust-dir", o->trust_dir, help);
  };

  CLI::App* list = trust->add_subcommand(
      "list", "Every repository in the trust stores: name, index URL, metadata URL, pinned root "
              "version and expiry, and the folder it comes from");
  trust_dir_option(list, "Extra trust store searched first");
  format_option(list);
  list->callback([o] { run([&] { cmd_list(*o); }); });

  CLI::App* show = trust->add_subcommand(
      "show", "A repository's configuration and pinned root: version, expiry, "
              "consistent_snapshot, and the keys and threshold of each role");
  show->add_option("name", o->name, "Repository name (its folder in the trust store)")->required();
  trust_dir_option(show, "Extra trust store searched first");
  format_option(show);
  show->callback([o] { run([&] { cmd_show(*o); }); });

  CLI::App* add = trust->add_subcommand(
      "add", "Pin a repository: check that FILE is root metadata signed by its own root keys, "
             "then write <store>/NAME/root.json and manifest.json (root_version, root_sha256) "
             "together. Obtain FILE out of band, never from the server it will protect");
  add->add_option("name", o->name, "Repository name: [a-z0-9][a-z0-9._-]*, the folder's name")
      ->required();
  add->add_option("--root", o->root_file, "The root.json to pin")->required();
  add->add_option("--metadata-url", o->metadata_url,
                  "Base URL of the repository's TUF metadata (N.root.json, timestamp.json, ...)")
      ->required();
  add->add_option("--index-url", o->index_url,
                  "Simple index base URL that selects this repository (as given to download)")
      ->required();
  add->add_option("--target-url-rule", o->target_url_rule,
                  "TUF target to URL rule (default: the Warehouse profile's)");
  add->add_option("--description", o->description, "Free text for the manifest");
  trust_dir_option(add, "Store to write into (default: $XDG_CONFIG_HOME/tufget/trust_roots)");
  add->callback([o] { run([&] { cmd_add(*o); }); });

  CLI::App* update = trust->add_subcommand(
      "update",
      "Walk each pinned repository's root rotations from the pinned version (N+1.root.json until "
      "404), verify each new root with the old and the new root keys (spec 5.3.4, 5.3.5), and "
      "replace root.json and manifest.json together. Prints what changed. Exit status: 0 up to "
      "date or updated, 1 error (nothing written), 3 with --check when a newer root exists");
  update->add_option("name", o->name, "Only this repository (default: every pinned one)");
  trust_dir_option(update,
                   "Only this store (default: every store, each name from the first that has it)");
  update->add_flag("--check", o->check,
                   "Verify, report, write nothing; exit 3 when a newer root exists");
  format_option(update);
  update->callback([o] { run([&] { cmd_update(*o); }); });
}

}  // namespace tufget
