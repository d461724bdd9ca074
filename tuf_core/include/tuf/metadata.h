// The TUF metadata model: parsed, schema-checked, not yet trusted.
//
// Parsing (parse_root/parse_timestamp/...) validates the JSON document and the schema of the
// `signed` part, and produces the canonical JSON (OLPC) bytes of `signed` straight from the
// parsed document, including every field the model does not know. Whether a document is
// *trusted* is decided by tuf::TrustedSet, never here. Parsing never throws on bad input.
//
// Writing metadata (serialisation, key ids, envelopes) is the repository side's:
// tuf_repo/serialize.h.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tuf/bytes.h"
#include "tuf/dates.h"
#include "tuf/error.h"
#include "tuf/hash.h"
#include "tuf/json_parser.h"
#include "tuf/keys.h"
#include "tuf/meta_map.h"

namespace tuf {

struct Signature {
  std::string keyid;
  std::string sig;  // hex
};

struct Key {
  std::string keytype;
  std::string scheme;
  std::string public_value;  // keyval.public
  // Prepared verifier; null when the keytype/scheme is unknown or the value malformed (such a
  // key is kept, as the spec requires unknown keys to be ignored, but never verifies).
  std::shared_ptr<const PublicKey> verifier;
};


struct RoleKeys {
  std::vector<std::string> keyids;
  std::uint32_t threshold = 1;
};

struct TargetFile {
  std::uint64_t length = 0;
  HashList hashes;  // document order; never empty after parsing
};

struct DelegatedRole {
  std::string name;
  RoleKeys keys;
  bool terminating = false;
  std::optional<std::vector<std::string>> paths;               // glob patterns
  std::optional<std::vector<std::string>> path_hash_prefixes;  // hex prefixes of sha256(path)
  // Does this role's delegation cover `target_path`? (paths: fnmatch-like, '*' does not match
  // '/', each path segment matched separately; path_hash_prefixes: prefix of hex sha256.)
  bool is_delegated_path(std::string_view target_path) const;
};

// TAP 15 succinct hash-bin delegation.
struct SuccinctRoles {
  RoleKeys keys;
  std::uint32_t bit_length = 0;  // 1..32 (parsing enforces it)
  std::string name_prefix;
  // 2^bit_length; 64-bit so that bit_length 32 (allowed by TAP 15 and python-tuf) is defined.
  std::uint64_t bin_count() const { return std::uint64_t{1} << bit_length; }
  // Name of the bin covering target_path: prefix + "-" + lowercase hex of the bin number,
  // zero-padded to the width of the largest bin number.
  std::string role_for_target(std::string_view target_path) const;
  bool is_role(std::string_view role_name) const;
};

struct Delegations {
  std::unordered_map<std::string, Key> keys;
  std::vector<DelegatedRole> roles;            // in order of appearance
  std::optional<SuccinctRoles> succinct_roles;  // exclusive with roles
};

struct SignedCommon {
  std::string type;  // "_type"
  std::string spec_version;
  std::uint64_t version = 0;
  Timestamp expires = 0;
  bool is_expired(Timestamp reference_time) const { return reference_time >= expires; }
};

struct Root : SignedCommon {
  bool consistent_snapshot = false;
  std::unordered_map<std::string, Key> keys;
  std::map<std::string, RoleKeys> roles;  // contains root, timestamp, snapshot, targets
};

struct TimestampMeta : SignedCommon {  // "timestamp" role
  MetaInfo snapshot_meta;              // meta["snapshot.json"]
};

struct Snapshot : SignedCommon {
  MetaMap meta;  // "targets.json", "<role>.json"
};

struct Targets : SignedCommon {
  std::unordered_map<std::string, TargetFile> targets;
  std::optional<Delegations> delegations;
};

template <class T>
struct Metadata {
  T signed_part;
  std::vector<Signature> signatures;
  std::string canonical_signed;  // the bytes signatures are over
};

// Parse a whole metadata document ({"signed": ..., "signatures": [...]}). Fails with
// invalid_metadata naming `role_hint` (used only for messages) on malformed JSON, duplicate
// object keys, non-integer numbers, a wrong "_type", an unsupported spec_version major, a
// version < 1, a bad date, or any other schema violation. Error::detail starts with the JSON
// path of the offending value (e.g. "signed.roles.timestamp.threshold"); expected/got say more.
// Rules follow python-tuf where the specification leaves a choice: spec_version "1.x" or
// "1.x.y"; lengths >= 0; hashes, if present, a non-empty object; signature keyids unique;
// delegated role names unique, non-empty and not a top-level role name; exactly one of
// paths / path_hash_prefixes and of roles / succinct_roles. Lenient where harmless: a key
// without keyval.public is kept (it never verifies), root roles besides the four top-level
// ones (e.g. "mirrors") are kept. Stricter: thresholds above 2^32-1 are rejected.
//
// `parser` is scratch space reused from one document to the next (see tuf/json_parser.h); the
// results own their data and do not depend on it. The forms without it make a local parser.
Result<Metadata<Root>> parse_root(JsonParser& parser, Bytes json,
                                  std::string_view role_hint = "root");
Result<Metadata<TimestampMeta>> parse_timestamp(JsonParser& parser, Bytes json,
                                                std::string_view role_hint = "timestamp");
Result<Metadata<Snapshot>> parse_snapshot(JsonParser& parser, Bytes json,
                                          std::string_view role_hint = "snapshot");
Result<Metadata<Targets>> parse_targets(JsonParser& parser, Bytes json,
                                        std::string_view role_hint = "targets");
Result<Metadata<Root>> parse_root(Bytes json, std::string_view role_hint = "root");
Result<Metadata<TimestampMeta>> parse_timestamp(Bytes json,
                                                std::string_view role_hint = "timestamp");
Result<Metadata<Snapshot>> parse_snapshot(Bytes json, std::string_view role_hint = "snapshot");
Result<Metadata<Targets>> parse_targets(Bytes json, std::string_view role_hint = "targets");

// Canonical JSON (OLPC) of any JSON document: object keys sorted by bytes, no whitespace, only
// '"' and '\\' escaped in strings, integers only. Fails on floats and duplicate keys.
Result<std::string> canonicalize_json(JsonParser& parser, Bytes json);
Result<std::string> canonicalize_json(Bytes json);


}  // namespace tuf
