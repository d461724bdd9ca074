// The TUF metadata model: parsed, schema-checked, not yet trusted.
//
// Parsing (parse_root/parse_timestamp/...) validates the JSON document and the schema of the
// `signed` part, and produces the canonical JSON (OLPC) bytes of `signed` straight from the
// parsed document, including every field the model does not know. Whether a document is
// *trusted* is decided by tuf::TrustedSet, never here. Parsing never throws on bad input.
//
// Serialisation (serialize_signed / make_envelope) exists for signers: the test repository
// simulator and the local index. It emits canonical JSON of the model's known fields.
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
#include "tuf/error.h"
#include "tuf/hash.h"
#include "tuf/keys.h"

namespace tuf {

// Seconds since the Unix epoch (UTC).
using Timestamp = std::int64_t;

// "2030-01-01T00:00:00Z" <-> seconds. Parsing accepts exactly that shape (TUF "Date-time").
Result<Timestamp> parse_datetime(std::string_view text);
std::string format_datetime(Timestamp t);

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

// keyid of a key as TUF signers compute it: sha256 of the canonical JSON of
// {"keytype":..,"scheme":..,"keyval":{"public":..}}, lowercase hex.
std::string compute_keyid(const Key& key);

struct RoleKeys {
  std::vector<std::string> keyids;
  std::uint32_t threshold = 1;
};

struct MetaInfo {  // an entry of timestamp "meta" / snapshot "meta"
  std::uint64_t version = 0;
  std::optional<std::uint64_t> length;
  HashList hashes;  // may be empty
  bool operator==(const MetaInfo&) const = default;
};

// Snapshot "meta": metadata file name ("targets.json", "<role>.json") -> MetaInfo.
//
// A flat vector sorted by name (byte order), searched by binary search: a PEP 458 snapshot has
// 16,385 entries, which as std::unordered_map nodes cost 16,385 allocations, hashing and 1.6 MB;
// here they are one allocation, built in one pass from the (canonical, hence sorted) document.
// The interface is the subset of std::unordered_map<std::string, MetaInfo> that callers use
// (find/at/operator[]/count/contains/emplace/erase, iteration yielding name/info pairs), so code
// written against the map compiles unchanged. Iteration is in name order. As with a vector,
// inserting or erasing invalidates iterators and references.
class MetaMap {
 public:
  using key_type = std::string;
  using mapped_type = MetaInfo;
  using value_type = std::pair<std::string, MetaInfo>;
  using size_type = std::size_t;
  using iterator = std::vector<value_type>::iterator;
  using const_iterator = std::vector<value_type>::const_iterator;

  MetaMap() = default;
  // From entries in any order: sorted by name; of entries with the same name only the first is
  // kept.
  explicit MetaMap(std::vector<value_type> entries);

  iterator begin() { return entries_.begin(); }
  iterator end() { return entries_.end(); }
  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  const_iterator cbegin() const { return entries_.cbegin(); }
  const_iterator cend() const { return entries_.cend(); }
  size_type size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  void reserve(size_type n) { entries_.reserve(n); }
  void clear() { entries_.clear(); }

  iterator find(std::string_view name);
  const_iterator find(std::string_view name) const;
  size_type count(std::string_view name) const { return find(name) == end() ? 0 : 1; }
  bool contains(std::string_view name) const { return find(name) != end(); }
  // Throws std::out_of_range when absent, like std::unordered_map::at.
  MetaInfo& at(std::string_view name);
  const MetaInfo& at(std::string_view name) const;
  // Inserts a default MetaInfo when absent.
  MetaInfo& operator[](std::string_view name);
  std::pair<iterator, bool> emplace(std::string name, MetaInfo info);
  std::pair<iterator, bool> insert(value_type entry) {
    return emplace(std::move(entry.first), std::move(entry.second));
  }
  size_type erase(std::string_view name);

  bool operator==(const MetaMap& other) const;

 private:
  iterator lower_bound(std::string_view name);
  std::vector<value_type> entries_;  // sorted by name, names unique
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
Result<Metadata<Root>> parse_root(Bytes json, std::string_view role_hint = "root");
Result<Metadata<TimestampMeta>> parse_timestamp(Bytes json,
                                                std::string_view role_hint = "timestamp");
Result<Metadata<Snapshot>> parse_snapshot(Bytes json, std::string_view role_hint = "snapshot");
Result<Metadata<Targets>> parse_targets(Bytes json, std::string_view role_hint = "targets");

// Canonical JSON (OLPC) of any JSON document: object keys sorted by bytes, no whitespace, only
// '"' and '\\' escaped in strings, integers only. Fails on floats and duplicate keys.
Result<std::string> canonicalize_json(Bytes json);

// Signer side: canonical JSON of the model's `signed` part ("_type" is the function's type;
// an empty spec_version is written as "1.0.31"; MetaInfo hashes/length only when set).
std::string serialize_signed(const Root& r);
std::string serialize_signed(const TimestampMeta& t);
std::string serialize_signed(const Snapshot& s);
std::string serialize_signed(const Targets& t);
// {"signatures":[{"keyid":..,"sig":..}...],"signed":<canonical_signed>}: canonical JSON, except
// that control characters inside strings (raw in canonical JSON, e.g. the newlines of a PEM key)
// are escaped so that the document is valid JSON. Parsing it gives back canonical_signed.
std::string make_envelope(std::string_view canonical_signed,
                          const std::vector<Signature>& signatures);

}  // namespace tuf
