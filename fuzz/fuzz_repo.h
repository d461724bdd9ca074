// A small, deterministic TUF repository for the fuzz targets and the corpus generator.
//
// Every key comes from crypto_sign_seed_keypair with a fixed seed and ed25519 signatures are
// deterministic, so the documents are byte-identical on every run and every machine. The
// repository has a root rotation (v1 trusted, v2 signed by both root keys, a v3 that lacks the
// v2 root signature), timestamps for either root (and an expired one), a snapshot that lists
// lengths and hashes for some roles and versions only for others, top-level targets that
// delegate by `paths` and by `path_hash_prefixes`, and a delegated role that delegates to TAP 15
// succinct hash bins.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tuf/metadata.h"

namespace tuf_fuzz {

// The clock of every refresh: 2024-01-01T00:00:00Z. Valid documents expire in 2030.
inline constexpr tuf::Timestamp kNow = 1704067200;
inline constexpr const char* kMetadataBase = "https://repo.example/metadata/";
inline constexpr const char* kTargetsBase = "https://repo.example/targets/";

struct Document {
  std::string name;   // a label for humans and corpus file names, e.g. "root.v2"
  std::string role;   // the role the document claims to be ("root", "bin-2", ...)
  std::string bytes;  // the whole signed envelope
};

struct Repo {
  std::string root_v1;  // the fuzzers' trusted root

  // Everything signed with the repository's keys, valid or not (rotated-out keys, expired,
  // missing signatures): what a fuzzer may replay in any position.
  std::vector<Document> documents;

  // Metadata URL (relative to kMetadataBase) -> bytes an honest repository serves. "timestamp"
  // depends on the root in force, so it is kept apart.
  std::map<std::string, std::string> honest_files;
  std::string honest_timestamp_v1;  // signed by the v1 timestamp key
  std::string honest_timestamp_v2;  // signed by the v2 timestamp key
  // Their canonical `signed` bytes: a timestamp may be persisted only if it is the one for the
  // root in force (v1 before the rotation to root v2, v2 after it).
  std::string timestamp_v1_signed, timestamp_v2_signed;

  // Target path -> content, and the URL an honest repository serves it at (consistent
  // snapshots: <dir>/<sha256>.<basename>).
  std::map<std::string, std::string> target_content;
  std::map<std::string, std::string> target_urls;  // full URL -> target path

  // Persist checks. For roles whose referrer lists hashes, the persisted bytes must be exactly
  // the repository's (5.5.2 / 5.6.2 hash the bytes as delivered); for the others, the
  // canonical `signed` bytes must be one the role's keys signed (the timestamp's also depends
  // on the root in force, see below).
  std::map<std::string, std::string> exact_bytes;             // role -> bytes
  std::map<std::string, std::set<std::string>> signed_parts;  // role -> canonical_signed

  // Lookup paths the fuzzer chooses from (some present at each level, some absent).
  std::vector<std::string> lookup_paths;
};

// Built once, on first use.
const Repo& repo();

}  // namespace tuf_fuzz
