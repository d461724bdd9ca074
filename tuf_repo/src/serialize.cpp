// Signer-side serialisation (tuf_repo/serialize.h).
//
// Each model is written as plain JSON (strings through the one escaper, tuf/json_text.h) and
// then put into canonical form by the core's canonicalize_json, which sorts the members: the
// writer needs no ordering rules of its own, and its output is canonical by construction.
#include "tuf_repo/serialize.h"

#include <set>

#include "tuf/hash.h"
#include "tuf/json_text.h"
#include "tuf_repo/error.h"
#include "tuf_repo/signer.h"

namespace tuf {
namespace {

// Appends `"name":` (with a leading comma unless first).
void member(std::string& out, std::string_view name, bool first = false) {
  if (!first) out.push_back(',');
  append_json_string(out, name);
  out.push_back(':');
}

void write_uint(std::string& out, std::uint64_t v) { out += std::to_string(v); }

void write_string_array(std::string& out, const std::vector<std::string>& v) {
  out.push_back('[');
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i != 0) out.push_back(',');
    append_json_string(out, v[i]);
  }
  out.push_back(']');
}

void write_hashes(std::string& out, const HashList& hashes) {
  out.push_back('{');
  bool first = true;
  for (const auto& [alg, digest] : hashes) {
    member(out, alg, first);
    first = false;
    append_json_string(out, digest);
  }
  out.push_back('}');
}

void write_key(std::string& out, const Key& k) {
  out += "{\"keytype\":";
  append_json_string(out, k.keytype);
  out += ",\"keyval\":{\"public\":";
  append_json_string(out, k.public_value);
  out += "},\"scheme\":";
  append_json_string(out, k.scheme);
  out.push_back('}');
}

void write_keys(std::string& out, const std::unordered_map<std::string, Key>& keys) {
  out.push_back('{');
  bool first = true;
  for (const auto& [keyid, key] : keys) {
    member(out, keyid, first);
    first = false;
    write_key(out, key);
  }
  out.push_back('}');
}

void write_role_keys(std::string& out, const RoleKeys& keys) {
  member(out, "keyids");
  write_string_array(out, keys.keyids);
  member(out, "threshold");
  write_uint(out, keys.threshold);
}

void write_meta_info(std::string& out, const MetaInfo& m) {
  out += "{\"version\":";
  write_uint(out, m.version);
  if (!m.hashes.empty()) {
    member(out, "hashes");
    write_hashes(out, m.hashes);
  }
  if (m.length) {
    member(out, "length");
    write_uint(out, *m.length);
  }
  out.push_back('}');
}

// "_type", "spec_version", "version" and "expires", without the closing brace.
void write_common(std::string& out, std::string_view type, const SignedCommon& c) {
  out.push_back('{');
  member(out, "_type", true);
  append_json_string(out, type);
  member(out, "spec_version");
  // An unset spec_version is written as the version this client implements.
  append_json_string(out, c.spec_version.empty() ? std::string_view("1.0.31") : c.spec_version);
  member(out, "version");
  write_uint(out, c.version);
  member(out, "expires");
  append_json_string(out, format_datetime(c.expires));
}

std::string canonical(const std::string& json) {
  auto canon = canonicalize_json(as_bytes(json));
  if (!canon) throw tuf_repo::RepoError("cannot serialise metadata: " + canon.error().message());
  return std::move(*canon);
}

void write_delegated_role(std::string& out, const DelegatedRole& role) {
  out += "{\"name\":";
  append_json_string(out, role.name);
  write_role_keys(out, role.keys);
  if (role.path_hash_prefixes) {
    member(out, "path_hash_prefixes");
    write_string_array(out, *role.path_hash_prefixes);
  }
  if (role.paths) {
    member(out, "paths");
    write_string_array(out, *role.paths);
  }
  member(out, "terminating");
  out += role.terminating ? "true" : "false";
  out.push_back('}');
}

void write_delegations(std::string& out, const Delegations& d) {
  member(out, "delegations");
  out.push_back('{');
  member(out, "keys", true);
  write_keys(out, d.keys);
  if (d.succinct_roles) {
    const SuccinctRoles& s = *d.succinct_roles;
    member(out, "succinct_roles");
    out += "{\"bit_length\":";
    write_uint(out, s.bit_length);
    member(out, "name_prefix");
    append_json_string(out, s.name_prefix);
    write_role_keys(out, s.keys);
    out.push_back('}');
  } else {
    member(out, "roles");
    out.push_back('[');
    for (std::size_t i = 0; i < d.roles.size(); ++i) {
      if (i != 0) out.push_back(',');
      write_delegated_role(out, d.roles[i]);
    }
    out.push_back(']');
  }
  out.push_back('}');
}

}  // namespace

std::string compute_keyid(const Key& key) {
  std::string json;
  write_key(json, key);
  return digest_hex(HashAlg::sha256, as_bytes(canonical(json)));
}

std::string serialize_signed(const Root& r) {
  std::string out;
  write_common(out, "root", r);
  member(out, "consistent_snapshot");
  out += r.consistent_snapshot ? "true" : "false";
  member(out, "keys");
  write_keys(out, r.keys);
  member(out, "roles");
  out.push_back('{');
  bool first = true;
  for (const auto& [name, role] : r.roles) {
    member(out, name, first);
    first = false;
    out.push_back('{');
    member(out, "keyids", true);
    write_string_array(out, role.keyids);
    member(out, "threshold");
    write_uint(out, role.threshold);
    out.push_back('}');
  }
  out += "}}";
  return canonical(out);
}

std::string serialize_signed(const TimestampMeta& t) {
  std::string out;
  write_common(out, "timestamp", t);
  member(out, "meta");
  out += "{\"snapshot.json\":";
  write_meta_info(out, t.snapshot_meta);
  out += "}}";
  return canonical(out);
}

std::string serialize_signed(const Snapshot& s) {
  std::string out;
  out.reserve(128 + s.meta.size() * 40);
  write_common(out, "snapshot", s);
  member(out, "meta");
  out.push_back('{');
  bool first = true;
  for (const auto& [name, info] : s.meta) {
    member(out, name, first);
    first = false;
    write_meta_info(out, info);
  }
  out += "}}";
  return canonical(out);
}

std::string serialize_signed(const Targets& t) {
  std::string out;
  write_common(out, "targets", t);
  if (t.delegations) write_delegations(out, *t.delegations);
  member(out, "targets");
  out.push_back('{');
  bool first = true;
  for (const auto& [path, file] : t.targets) {
    member(out, path, first);
    first = false;
    out += "{\"hashes\":";
    write_hashes(out, file.hashes);
    member(out, "length");
    write_uint(out, file.length);
    out.push_back('}');
  }
  out += "}}";
  return canonical(out);
}

std::string make_envelope(std::string_view canonical_signed,
                          const std::vector<Signature>& signatures) {
  std::string out;
  out.reserve(canonical_signed.size() + 64 + signatures.size() * 200);
  out += "{\"signatures\":[";
  for (std::size_t i = 0; i < signatures.size(); ++i) {
    if (i != 0) out.push_back(',');
    out += "{\"keyid\":";
    append_json_string(out, signatures[i].keyid);
    out += ",\"sig\":";
    append_json_string(out, signatures[i].sig);
    out.push_back('}');
  }
  out += "],\"signed\":";
  append_json_text(out, canonical_signed);
  out.push_back('}');
  return out;
}

}  // namespace tuf

namespace tuf_repo {

std::vector<tuf::Signature> sign_all(std::string_view canonical_signed,
                                     std::span<const Signer* const> signers) {
  std::vector<tuf::Signature> sigs;
  std::set<std::string_view> seen;
  for (const Signer* s : signers)
    if (seen.insert(s->keyid()).second) sigs.push_back(s->sign(canonical_signed));
  return sigs;
}

std::string sign_envelope(std::string_view canonical_signed,
                          std::span<const Signer* const> signers) {
  return tuf::make_envelope(canonical_signed, sign_all(canonical_signed, signers));
}

}  // namespace tuf_repo
