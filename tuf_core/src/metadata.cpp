// Parsing of the four roles (TUF specification, "File formats"), on top of the schema reader
// (json_reader.h); signer-side serialisation is in tuf_repo/serialize.h. Where the
// specification leaves a choice, the rules follow python-tuf (tuf/api/_payload.py); each
// deviation is marked "Deviation".
#include <algorithm>
#include <utility>

#include "json_reader.h"
#include "tuf/metadata.h"

namespace tuf {

namespace dom = simdjson::dom;
using detail::describe;
using detail::JsonPath;
using detail::kU32Max;
using detail::kU64Max;
using detail::read_hashes;
using detail::read_keys;
using detail::read_meta_info;
using detail::read_role_keys;
using detail::read_strings;
using detail::Reader;

namespace {

constexpr std::string_view kTopLevelRoles[] = {"root", "timestamp", "snapshot", "targets"};

bool is_top_level_role(std::string_view name) {
  return std::find(std::begin(kTopLevelRoles), std::end(kTopLevelRoles), name) !=
         std::end(kTopLevelRoles);
}

template <class T, class Fill>
Result<Metadata<T>> parse_metadata(JsonParser& parser, Bytes json, std::string_view role,
                                   std::string_view type, Fill fill) {
  auto doc = detail::parse_json(parser, json, role);
  if (!doc) return std::unexpected(doc.error());
  Reader r(role);
  Metadata<T> md;
  dom::object s;
  if (!detail::read_envelope(r, *doc, json.size(), md.signatures, md.canonical_signed, s)) {
    return r.error();
  }
  const JsonPath top;
  const JsonPath sp = top.child("signed");
  if (!detail::read_common(r, s, sp, type, md.signed_part)) return r.error();
  if (!fill(r, s, sp, md.signed_part)) return r.error();
  return md;
}

// ---- Role-specific `signed` parts -------------------------------------------------------------

// "File formats: root.json".
bool read_root(Reader& r, dom::object s, const JsonPath& sp, Root& out) {
  dom::element e;
  if (Reader::optional(s, "consistent_snapshot", e) &&
      !r.boolean(e, sp.child("consistent_snapshot"), out.consistent_snapshot)) {
    return false;
  }
  if (!r.member(s, sp, "keys", e, "object")) return false;
  if (!read_keys(r, e, sp.child("keys"), out.keys)) return false;

  const JsonPath rp = sp.child("roles");
  dom::object roles;
  if (!r.member(s, sp, "roles", e, "object") || !r.object(e, rp, roles)) return false;
  // Deviation: roles other than the four top-level ones (the specification names an optional
  // "mirrors") are accepted and kept; python-tuf rejects them.
  for (dom::key_value_pair kv : roles) {
    const JsonPath p = rp.child(kv.key);
    dom::object ro;
    RoleKeys keys;
    if (!r.object(kv.value, p, ro) || !read_role_keys(r, ro, p, keys)) return false;
    out.roles.emplace(std::string(kv.key), std::move(keys));
  }
  // "A role for each of root, snapshot, timestamp, and targets MUST be specified".
  for (std::string_view name : kTopLevelRoles) {
    if (out.roles.find(std::string(name)) == out.roles.end()) {
      return r.missing(rp.child(name), "object with keyids and threshold");
    }
  }
  return true;
}

// "File formats: timestamp.json": METAFILES that "MUST only include" snapshot.json.
bool read_timestamp(Reader& r, dom::object s, const JsonPath& sp, TimestampMeta& out) {
  dom::element e;
  dom::object meta;
  const JsonPath mp = sp.child("meta");
  if (!r.member(s, sp, "meta", e, "object") || !r.object(e, mp, meta)) return false;
  bool found = false;
  for (dom::key_value_pair kv : meta) {
    if (kv.key != "snapshot.json") {
      return r.fail(mp, ": unexpected entry", "only \"snapshot.json\"",
                    "\"" + std::string(kv.key) + "\"");
    }
    if (!read_meta_info(r, kv.value, mp.child(kv.key), out.snapshot_meta)) return false;
    found = true;
  }
  if (!found) return r.missing(mp.child("snapshot.json"), "object with version");
  return true;
}

// "File formats: snapshot.json".
bool read_snapshot(Reader& r, dom::object s, const JsonPath& sp, Snapshot& out) {
  dom::element e;
  dom::object meta;
  const JsonPath mp = sp.child("meta");
  if (!r.member(s, sp, "meta", e, "object") || !r.object(e, mp, meta)) return false;
  // Canonical documents list the names sorted (and the canonicaliser has refused duplicates),
  // so MetaMap's constructor normally has nothing to sort.
  std::vector<MetaMap::value_type> entries;
  entries.reserve(meta.size());
  for (dom::key_value_pair kv : meta) {
    auto& entry = entries.emplace_back(std::string(kv.key), MetaInfo{});
    if (!read_meta_info(r, kv.value, mp.child(kv.key), entry.second)) return false;
  }
  out.meta = MetaMap(std::move(entries));
  return true;
}

// One entry of delegations.roles (python-tuf DelegatedRole).
bool read_delegated_role(Reader& r, dom::element e, const JsonPath& p, DelegatedRole& out) {
  dom::object o;
  dom::element f;
  if (!r.object(e, p, o)) return false;
  if (!r.member(o, p, "name", f, "string") || !r.string(f, p.child("name"), out.name)) {
    return false;
  }
  // Delegated role names may not be empty or a top-level role name (python-tuf Delegations).
  if (out.name.empty() || is_top_level_role(out.name)) {
    return r.fail(p.child("name"), ": not a valid delegated role name",
                  "a non-empty name other than root, timestamp, snapshot, targets",
                  describe(f));
  }
  if (!read_role_keys(r, o, p, out.keys)) return false;
  if (!r.member(o, p, "terminating", f, "boolean") ||
      !r.boolean(f, p.child("terminating"), out.terminating)) {
    return false;
  }
  // "path_hash_prefixes and paths ... exactly one of them should be set" (python-tuf requires
  // exactly one).
  dom::element paths, prefixes;
  const bool has_paths = Reader::optional(o, "paths", paths);
  const bool has_prefixes = Reader::optional(o, "path_hash_prefixes", prefixes);
  if (has_paths == has_prefixes) {
    return r.fail(p, ": exactly one of paths and path_hash_prefixes must be set",
                  "one of paths, path_hash_prefixes", has_paths ? "both" : "neither");
  }
  if (has_paths) {
    out.paths.emplace();
    return read_strings(r, paths, p.child("paths"), *out.paths, false);
  }
  out.path_hash_prefixes.emplace();
  return read_strings(r, prefixes, p.child("path_hash_prefixes"), *out.path_hash_prefixes,
                             false);
}

// TAP 15 succinct_roles (python-tuf SuccinctRoles): bit_length 1..32.
bool read_succinct_roles(Reader& r, dom::element e, const JsonPath& p, SuccinctRoles& out) {
  dom::object o;
  dom::element f;
  if (!r.object(e, p, o) || !read_role_keys(r, o, p, out.keys)) return false;
  std::uint64_t bits = 0;
  if (!r.member(o, p, "bit_length", f, "integer between 1 and 32") ||
      !r.integer(f, p.child("bit_length"), 1, 32, bits)) {
    return false;
  }
  out.bit_length = static_cast<std::uint32_t>(bits);
  return r.member(o, p, "name_prefix", f, "string") &&
         r.string(f, p.child("name_prefix"), out.name_prefix);
}

// DELEGATIONS: keys, and exactly one of roles / succinct_roles.
bool read_delegations(Reader& r, dom::element e, const JsonPath& p, Delegations& out) {
  dom::object o;
  dom::element f;
  if (!r.object(e, p, o)) return false;
  if (!r.member(o, p, "keys", f, "object") || !read_keys(r, f, p.child("keys"), out.keys)) {
    return false;
  }
  dom::element roles, succinct;
  const bool has_roles = Reader::optional(o, "roles", roles);
  const bool has_succinct = Reader::optional(o, "succinct_roles", succinct);
  if (has_roles == has_succinct) {
    return r.fail(p, ": exactly one of roles and succinct_roles must be set",
                  "one of roles, succinct_roles", has_roles ? "both" : "neither");
  }
  if (has_succinct) {
    out.succinct_roles.emplace();
    return read_succinct_roles(r, succinct, p.child("succinct_roles"), *out.succinct_roles);
  }
  const JsonPath rp = p.child("roles");
  dom::array a;
  if (!r.array(roles, rp, a)) return false;
  out.roles.reserve(a.size());
  std::size_t i = 0;
  for (dom::element item : a) {
    DelegatedRole role;
    if (!read_delegated_role(r, item, rp.at(i++), role)) return false;
    out.roles.push_back(std::move(role));
  }
  // ROLENAME "MUST be unique in the delegations object".
  std::vector<std::string_view> names;
  names.reserve(out.roles.size());
  for (const DelegatedRole& role : out.roles) names.push_back(role.name);
  if (auto dup = detail::first_repeat(std::move(names))) {
    return r.fail(rp, ": duplicate role name", "unique names", "\"" + std::string(*dup) + "\"");
  }
  return true;
}

// "File formats: targets.json and delegated target roles".
bool read_targets(Reader& r, dom::object s, const JsonPath& sp, Targets& out) {
  dom::element e;
  dom::object targets;
  const JsonPath tp = sp.child("targets");
  if (!r.member(s, sp, "targets", e, "object") || !r.object(e, tp, targets)) return false;
  out.targets.reserve(targets.size());
  for (dom::key_value_pair kv : targets) {
    const JsonPath p = tp.child(kv.key);
    dom::object o;
    dom::element f;
    TargetFile tf;
    if (!r.object(kv.value, p, o)) return false;
    // LENGTH (>= 0, python-tuf) and HASHES (non-empty) are required; "custom" is opaque.
    if (!r.member(o, p, "length", f, "integer >= 0") ||
        !r.integer(f, p.child("length"), 0, kU64Max, tf.length)) {
      return false;
    }
    if (!r.member(o, p, "hashes", f, "object") || !read_hashes(r, f, p.child("hashes"), tf.hashes)) {
      return false;
    }
    out.targets.emplace(std::string(kv.key), std::move(tf));
  }
  if (Reader::optional(s, "delegations", e)) {
    out.delegations.emplace();
    if (!read_delegations(r, e, sp.child("delegations"), *out.delegations)) return false;
  }
  return true;
}

}  // namespace

Result<Metadata<Root>> parse_root(JsonParser& parser, Bytes json, std::string_view role_hint) {
  return parse_metadata<Root>(parser, json, role_hint, "root", read_root);
}
Result<Metadata<TimestampMeta>> parse_timestamp(JsonParser& parser, Bytes json,
                                                std::string_view role_hint) {
  return parse_metadata<TimestampMeta>(parser, json, role_hint, "timestamp", read_timestamp);
}
Result<Metadata<Snapshot>> parse_snapshot(JsonParser& parser, Bytes json,
                                          std::string_view role_hint) {
  return parse_metadata<Snapshot>(parser, json, role_hint, "snapshot", read_snapshot);
}
Result<Metadata<Targets>> parse_targets(JsonParser& parser, Bytes json,
                                        std::string_view role_hint) {
  return parse_metadata<Targets>(parser, json, role_hint, "targets", read_targets);
}

// The one-off forms: a local parser, freed on return (one definition for the four roles).
#define TUF_ONE_OFF_PARSE(parse, Model)                                    \
  Result<Metadata<Model>> parse(Bytes json, std::string_view role_hint) { \
    JsonParser parser;                                                     \
    return parse(parser, json, role_hint);                                 \
  }
TUF_ONE_OFF_PARSE(parse_root, Root)
TUF_ONE_OFF_PARSE(parse_timestamp, TimestampMeta)
TUF_ONE_OFF_PARSE(parse_snapshot, Snapshot)
TUF_ONE_OFF_PARSE(parse_targets, Targets)
#undef TUF_ONE_OFF_PARSE

}  // namespace tuf
