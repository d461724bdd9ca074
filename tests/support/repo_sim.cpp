#include "support/repo_sim.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <set>
#include <stdexcept>

#include "tuf_repo/bins.h"
#include "tuf_repo/serialize.h"

namespace tuf_test {
namespace {

std::string hex(const unsigned char* p, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(kHex[p[i] >> 4]);
    out.push_back(kHex[p[i] & 15]);
  }
  return out;
}

[[noreturn]] void die(const std::string& what) { throw std::runtime_error("RepoSim: " + what); }

void init_sodium() {
  if (sodium_init() < 0) die("sodium_init failed");
}

tuf_repo::KeyType repo_key_type(KeyType type) {
  switch (type) {
    case KeyType::ed25519: return tuf_repo::KeyType::ed25519;
    case KeyType::ecdsa_p256: return tuf_repo::KeyType::ecdsa;
    case KeyType::rsa_pss_sha256: return tuf_repo::KeyType::rsa;
  }
  die("unknown key type");
}

std::string strip_host(std::string_view url) {
  if (url.starts_with(RepoSim::kHost)) url.remove_prefix(RepoSim::kHost.size());
  return std::string(url);
}

bool is_top_level(std::string_view role) {
  return role == "root" || role == "timestamp" || role == "snapshot" || role == "targets";
}

tuf::Timestamp default_expires() { return RepoSim::kNow + RepoSim::kYear; }

tuf::Targets fresh_targets() {
  tuf::Targets t;
  t.type = "targets";
  t.spec_version = "1.0.34";
  t.version = 0;
  t.expires = default_expires();
  return t;
}

}  // namespace

// ---- Signer ------------------------------------------------------------------------------------

Signer Signer::generate(KeyType type) {
  Signer s;
  s.type_ = type;
  // RSA at 2048 bits: the tests make many keys, and the key size is not what they test.
  s.key_ = std::make_shared<const tuf_repo::Signer>(
      tuf_repo::Signer::generate(repo_key_type(type), 2048));
  return s;
}

std::string Signer::sign(std::string_view message) const {
  return key_->sign_hex(tuf::as_bytes(message));
}

std::string sim_digest_hex(std::string_view alg, std::string_view data) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  if (alg == "blake2b-256") {
    init_sodium();
    unsigned char out[32];
    crypto_generichash(out, sizeof out, p, data.size(), nullptr, 0);
    return hex(out, sizeof out);
  }
  const EVP_MD* md = alg == "sha256" ? EVP_sha256() : alg == "sha512" ? EVP_sha512() : nullptr;
  if (!md) die("unknown digest " + std::string(alg));
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(p, data.size(), out, &n, md, nullptr) != 1) die("EVP_Digest failed");
  return hex(out, n);
}

SignatureTamper drop_signatures(std::string role) {
  return [role](std::string_view r, std::vector<tuf::Signature>& sigs) {
    if (r == role) sigs.clear();
  };
}

SignatureTamper duplicate_signatures(std::string role) {
  return [role](std::string_view r, std::vector<tuf::Signature>& sigs) {
    if (r != role) return;
    const auto copy = sigs;
    sigs.insert(sigs.end(), copy.begin(), copy.end());
  };
}

SignatureTamper forge_signature(std::string role, std::string keyid) {
  auto other = std::make_shared<Signer>(Signer::generate());
  return [role, keyid, other](std::string_view r, std::vector<tuf::Signature>& sigs) {
    if (r != role) return;
    for (auto& s : sigs) {
      if (s.keyid == keyid) s.sig = other->sign("not the signed bytes");
    }
  };
}

std::string sim_quote(std::string_view role) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : role) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// ---- RepoSim: construction and keys ------------------------------------------------------------

RepoSim::RepoSim(bool consistent_snapshot, KeyType key_type) {
  root.type = "root";
  root.spec_version = "1.0.34";
  root.version = 0;
  root.expires = default_expires();
  root.consistent_snapshot = consistent_snapshot;
  timestamp.type = "timestamp";
  timestamp.spec_version = "1.0.34";
  timestamp.version = 0;
  timestamp.expires = kNow + 7 * kDay;
  snapshot.type = "snapshot";
  snapshot.spec_version = "1.0.34";
  snapshot.version = 0;
  snapshot.expires = kNow + 30 * kDay;
  targets.emplace("targets", fresh_targets());
  for (const char* role : {"root", "timestamp", "snapshot", "targets"}) {
    root.roles[role] = tuf::RoleKeys{{}, 1};
    add_key(role, key_type);
  }
  publish_root();
  publish_targets("targets");
  publish_snapshot();
  publish_timestamp();
}

void RepoSim::set_meta_lengths_and_hashes(bool on) {
  snapshot_meta_lengths = snapshot_meta_hashes = timestamp_meta_lengths =
      timestamp_meta_hashes = on;
}

tuf::Delegations& RepoSim::delegations_of(std::string_view delegator_role) {
  auto it = targets.find(delegator_role);
  if (it == targets.end()) die("no targets role " + std::string(delegator_role));
  if (!it->second.delegations) it->second.delegations.emplace();
  return *it->second.delegations;
}

tuf::RoleKeys& RepoSim::role_keys(std::string_view role) {
  if (is_top_level(role)) return root.roles.at(std::string(role));
  auto d = delegator.find(role);
  if (d == delegator.end()) die("unknown role " + std::string(role));
  tuf::Delegations& dels = delegations_of(d->second);
  for (auto& r : dels.roles) {
    if (r.name == role) return r.keys;
  }
  if (dels.succinct_roles) return dels.succinct_roles->keys;
  die("unknown delegated role " + std::string(role));
}

Signer RepoSim::add_key(std::string_view role, KeyType type) {
  Signer s = Signer::generate(type);
  if (is_top_level(role)) {
    root.keys[s.keyid()] = s.key();
  } else {
    delegations_of(delegator.at(std::string(role))).keys[s.keyid()] = s.key();
  }
  role_keys(role).keyids.push_back(s.keyid());
  signers[std::string(role)].push_back(s);
  return s;
}

std::vector<Signer> RepoSim::rotate_keys(std::string_view role, std::size_t count,
                                         std::uint32_t threshold, KeyType type) {
  role_keys(role).keyids.clear();
  role_keys(role).threshold = threshold;
  signers[std::string(role)].clear();
  for (std::size_t i = 0; i < count; ++i) add_key(role, type);
  if (is_top_level(role)) {
    // Drop root keys no role uses any more.
    std::set<std::string> used;
    for (const auto& [name, rk] : root.roles) used.insert(rk.keyids.begin(), rk.keyids.end());
    std::erase_if(root.keys, [&](const auto& kv) { return !used.contains(kv.first); });
  }
  return signers[std::string(role)];
}

void RepoSim::set_threshold(std::string_view role, std::uint32_t threshold) {
  role_keys(role).threshold = threshold;
}

// ---- RepoSim: signing and publishing -----------------------------------------------------------

std::string RepoSim::sign_canonical(std::string_view role, const std::string& canonical,
                                    const std::vector<Signer>& by, bool tamper) const {
  std::vector<const tuf_repo::Signer*> keys;
  for (const Signer& s : by) keys.push_back(&s.repo_signer());
  std::vector<tuf::Signature> sigs = tuf_repo::sign_all(canonical, keys);
  if (tamper && tamper_signatures) tamper_signatures(role, sigs);
  return tuf::make_envelope(canonical, sigs);
}

std::string RepoSim::sign_with(const tuf::Root& m, const std::vector<Signer>& by) const {
  return sign_canonical("root", tuf::serialize_signed(m), by, false);
}
std::string RepoSim::sign_with(const tuf::TimestampMeta& m, const std::vector<Signer>& by) const {
  return sign_canonical("timestamp", tuf::serialize_signed(m), by, false);
}
std::string RepoSim::sign_with(const tuf::Snapshot& m, const std::vector<Signer>& by) const {
  return sign_canonical("snapshot", tuf::serialize_signed(m), by, false);
}
std::string RepoSim::sign_with(const tuf::Targets& m, const std::vector<Signer>& by) const {
  return sign_canonical("targets", tuf::serialize_signed(m), by, false);
}

std::string RepoSim::sign(std::string_view role) const {
  static const std::vector<Signer> kNone;
  auto s = signers.find(role);
  const std::vector<Signer>& by = s == signers.end() ? kNone : s->second;
  std::string canonical;
  if (role == "root") {
    canonical = tuf::serialize_signed(root);
  } else if (role == "timestamp") {
    canonical = tuf::serialize_signed(timestamp);
  } else if (role == "snapshot") {
    canonical = tuf::serialize_signed(snapshot);
  } else {
    auto t = targets.find(role);
    if (t == targets.end()) die("unknown role " + std::string(role));
    canonical = tuf::serialize_signed(t->second);
  }
  return sign_canonical(role, canonical, by, true);
}

void RepoSim::store_metadata(std::string_view role, std::uint64_t version, std::string bytes) {
  history_[std::string(role)][version] = bytes;
  current_[std::string(role)] = version;
  files_["metadata/" + file_name(role, version)] = std::move(bytes);
}

tuf::MetaInfo RepoSim::meta_info_for(const std::string& bytes, std::uint64_t version,
                                     bool lengths, bool hashes) const {
  tuf::MetaInfo info;
  info.version = version;
  if (lengths) info.length = bytes.size();
  if (hashes) info.hashes = {{"sha256", sim_digest_hex("sha256", bytes)}};
  return info;
}

const std::string& RepoSim::publish_root(bool bump) {
  if (bump) ++root.version;
  // 5.3.4: the new root must satisfy the previous root's threshold and its own.
  std::vector<Signer> by = previous_root_signers_;
  for (const Signer& s : signers["root"]) {
    const bool dup = std::any_of(by.begin(), by.end(),
                                 [&](const Signer& o) { return o.keyid() == s.keyid(); });
    if (!dup) by.push_back(s);
  }
  std::string bytes = sign_canonical("root", tuf::serialize_signed(root), by, true);
  store_metadata("root", root.version, std::move(bytes));
  previous_root_signers_ = signers["root"];
  return latest("root");
}

const std::string& RepoSim::publish_targets(std::string_view role, bool bump) {
  auto t = targets.find(role);
  if (t == targets.end()) die("unknown targets role " + std::string(role));
  if (bump) ++t->second.version;
  const std::uint64_t v = t->second.version;
  store_metadata(role, v, sign(role));
  targets_meta[std::string(role)] =
      meta_info_for(latest(role), v, snapshot_meta_lengths, snapshot_meta_hashes);
  return latest(role);
}

const std::string& RepoSim::publish_snapshot(bool bump) {
  if (bump) ++snapshot.version;
  snapshot.meta.clear();
  for (const auto& [role, info] : targets_meta) snapshot.meta[role + ".json"] = info;
  store_metadata("snapshot", snapshot.version, sign("snapshot"));
  timestamp.snapshot_meta = meta_info_for(latest("snapshot"), snapshot.version,
                                          timestamp_meta_lengths, timestamp_meta_hashes);
  return latest("snapshot");
}

const std::string& RepoSim::publish_timestamp(bool bump) {
  if (bump) ++timestamp.version;
  store_metadata("timestamp", timestamp.version, sign("timestamp"));
  return latest("timestamp");
}

void RepoSim::publish(std::initializer_list<std::string_view> targets_roles_to_publish) {
  for (std::string_view role : targets_roles_to_publish) publish_targets(role);
  publish_snapshot();
  publish_timestamp();
}

void RepoSim::publish_all() {
  for (const std::string& role : targets_roles()) publish_targets(role);
  publish_snapshot();
  publish_timestamp();
}

const std::string& RepoSim::bytes(std::string_view role, std::uint64_t version) const {
  auto h = history_.find(role);
  if (h == history_.end() || !h->second.contains(version)) {
    die("no published version " + std::to_string(version) + " of " + std::string(role));
  }
  return h->second.at(version);
}

const std::string& RepoSim::latest(std::string_view role) const {
  return bytes(role, latest_version(role));
}

std::uint64_t RepoSim::latest_version(std::string_view role) const {
  auto c = current_.find(role);
  if (c == current_.end()) die("nothing published for " + std::string(role));
  return c->second;
}

bool RepoSim::has_version(std::string_view role, std::uint64_t version) const {
  auto h = history_.find(role);
  return h != history_.end() && h->second.contains(version);
}

// ---- RepoSim: targets and delegations ----------------------------------------------------------

tuf::TargetFile RepoSim::add_target(std::string path, std::string content, std::string_view role,
                                    std::vector<std::string> algs) {
  auto t = targets.find(role);
  if (t == targets.end()) die("unknown targets role " + std::string(role));
  tuf::TargetFile file;
  file.length = content.size();
  for (const std::string& alg : algs) file.hashes.emplace_back(alg, sim_digest_hex(alg, content));
  t->second.targets[path] = file;
  target_files[std::move(path)] = std::move(content);
  return file;
}

tuf::DelegatedRole& RepoSim::add_delegation(std::string_view delegator_role, std::string name,
                                            std::vector<std::string> paths, bool terminating,
                                            std::vector<Signer> keys) {
  tuf::DelegatedRole role;
  role.name = name;
  role.terminating = terminating;
  role.paths = std::move(paths);
  tuf::Delegations& dels = delegations_of(delegator_role);
  if (keys.empty()) keys.push_back(Signer::generate());
  for (const Signer& s : keys) {
    dels.keys[s.keyid()] = s.key();
    role.keys.keyids.push_back(s.keyid());
  }
  role.keys.threshold = 1;
  dels.roles.push_back(std::move(role));
  // A role delegated a second time (e.g. a cycle) keeps its first delegator and signers.
  delegator.try_emplace(name, std::string(delegator_role));
  signers.try_emplace(name, std::move(keys));
  targets.try_emplace(name, fresh_targets());
  return dels.roles.back();
}

tuf::DelegatedRole& RepoSim::add_hash_prefix_delegation(std::string_view delegator_role,
                                                        std::string name,
                                                        std::vector<std::string> prefixes,
                                                        bool terminating,
                                                        std::vector<Signer> keys) {
  tuf::DelegatedRole& role =
      add_delegation(delegator_role, std::move(name), {}, terminating, std::move(keys));
  role.paths.reset();
  role.path_hash_prefixes = std::move(prefixes);
  return role;
}

std::vector<std::string> RepoSim::add_succinct_roles(std::string_view delegator_role,
                                                     std::uint32_t bit_length,
                                                     std::string name_prefix) {
  tuf::Delegations& dels = delegations_of(delegator_role);
  Signer key = Signer::generate();
  dels.keys[key.keyid()] = key.key();
  tuf::SuccinctRoles sr;
  sr.keys = tuf::RoleKeys{{key.keyid()}, 1};
  sr.bit_length = bit_length;
  sr.name_prefix = name_prefix;
  dels.succinct_roles = sr;
  const tuf_repo::BinLayout layout{bit_length, name_prefix};
  std::vector<std::string> names;
  for (std::uint64_t i = 0; i < layout.count(); ++i) {
    std::string name = layout.name(i);
    delegator[name] = std::string(delegator_role);
    signers[name] = {key};
    targets.emplace(name, fresh_targets());
    names.push_back(std::move(name));
  }
  return names;
}

std::string RepoSim::bin_for(std::string_view delegator_role, std::string_view target_path) const {
  auto t = targets.find(delegator_role);
  if (t == targets.end() || !t->second.delegations || !t->second.delegations->succinct_roles) {
    die("no succinct roles under " + std::string(delegator_role));
  }
  const tuf::SuccinctRoles& sr = *t->second.delegations->succinct_roles;
  const tuf_repo::BinLayout layout{sr.bit_length, sr.name_prefix};
  return layout.name(layout.bin_of(target_path));
}

std::vector<std::string> RepoSim::targets_roles() const {
  std::vector<std::string> out;
  std::set<std::string> seen;
  std::vector<std::string> stack{"targets"};
  while (!stack.empty()) {
    std::string role = std::move(stack.back());
    stack.pop_back();
    if (!seen.insert(role).second) continue;
    out.push_back(role);
    auto t = targets.find(role);
    if (t == targets.end() || !t->second.delegations) continue;
    std::vector<std::string> children;
    if (t->second.delegations->succinct_roles) {
      for (const auto& [name, del] : delegator) {  // bins sort in bin order (zero-padded)
        if (del == role) children.push_back(name);
      }
    } else {
      for (const auto& d : t->second.delegations->roles) children.push_back(d.name);
    }
    for (auto it = children.rbegin(); it != children.rend(); ++it) {
      if (targets.contains(*it)) stack.push_back(*it);
    }
  }
  return out;
}

// ---- RepoSim: expiry ---------------------------------------------------------------------------

tuf::SignedCommon& RepoSim::common(std::string_view role) {
  if (role == "root") return root;
  if (role == "timestamp") return timestamp;
  if (role == "snapshot") return snapshot;
  auto t = targets.find(role);
  if (t == targets.end()) die("unknown role " + std::string(role));
  return t->second;
}

void RepoSim::set_expires(std::string_view role, tuf::Timestamp expires) {
  common(role).expires = expires;
}

// ---- RepoSim: serving --------------------------------------------------------------------------

std::string RepoSim::metadata_url(std::string_view file) {
  return std::string(kMetadataUrl) + std::string(file);
}

std::string RepoSim::target_url(std::string_view file) {
  return std::string(kTargetsUrl) + std::string(file);
}

std::string RepoSim::file_name(std::string_view role, std::optional<std::uint64_t> version) const {
  const std::string quoted = sim_quote(role);
  if (role == "root") {
    return std::to_string(version.value_or(latest_version(role))) + ".root.json";
  }
  if (role == "timestamp" || !root.consistent_snapshot) return quoted + ".json";
  return std::to_string(version.value_or(latest_version(role))) + "." + quoted + ".json";
}

std::string RepoSim::short_name(std::string_view url) const { return strip_host(url); }

std::optional<std::string> RepoSim::resolve(const std::string& name) const {
  if (auto o = overrides_.find(name); o != overrides_.end()) return o->second;
  if (auto f = files_.find(name); f != files_.end()) return f->second;
  if (!name.starts_with("targets/")) return std::nullopt;
  const std::string path = name.substr(std::string_view("targets/").size());
  if (!root.consistent_snapshot) {
    auto t = target_files.find(path);
    if (t == target_files.end()) return std::nullopt;
    return t->second;
  }
  // 5.7.3: <dir>/<hash>.<basename>, for any hash of the content.
  const auto slash = path.rfind('/');
  const std::size_t base = slash == std::string::npos ? 0 : slash + 1;
  const auto dot = path.find('.', base);
  if (dot == std::string::npos) return std::nullopt;
  const std::string digest = path.substr(base, dot - base);
  const std::string real = path.substr(0, base) + path.substr(dot + 1);
  auto t = target_files.find(real);
  if (t == target_files.end()) return std::nullopt;
  for (const char* alg : {"sha256", "sha512", "blake2b-256"}) {
    if (sim_digest_hex(alg, t->second) == digest) return t->second;
  }
  return std::nullopt;
}

std::optional<std::string> RepoSim::fetch(std::string_view url) {
  std::string name = short_name(url);
  fetch_log.push_back(name);
  if (!url.starts_with(kHost)) return std::nullopt;
  return resolve(name);
}

std::optional<std::string> RepoSim::peek(std::string_view url) const {
  return resolve(short_name(url));
}

std::size_t RepoSim::fetch_count(std::string_view name) const {
  return static_cast<std::size_t>(std::count(fetch_log.begin(), fetch_log.end(), name));
}

void RepoSim::serve(std::string_view url, std::string bytes) {
  overrides_[short_name(url)] = std::move(bytes);
}

void RepoSim::unserve(std::string_view url) { overrides_[short_name(url)] = std::nullopt; }

void RepoSim::serve_version(std::string_view role, std::uint64_t version) {
  serve("metadata/" + file_name(role), bytes(role, version));
}

void RepoSim::serve_oversized(std::string_view url, std::size_t extra) {
  auto current = peek(url);
  if (!current) die("nothing served at " + std::string(url));
  serve(url, *current + std::string(extra, ' '));
}

}  // namespace tuf_test
