// Signer-side serialisation: the canonical JSON of a metadata model, key ids and envelopes.
//
// The client core (tuf_core) only parses; writing metadata is the repository's business. These
// functions keep the tuf:: names of the model types they write (tuf/metadata.h).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tuf/metadata.h"

namespace tuf {

// keyid of a key as TUF signers compute it: sha256 of the canonical JSON of
// {"keytype", "keyval": {"public"}, "scheme"}.
std::string compute_keyid(const Key& key);

// Canonical JSON of the model's `signed` part ("_type" is the function's type; an empty
// spec_version is written as "1.0.31"; MetaInfo hashes/length only when set). Throws
// tuf_repo::RepoError when a string is not UTF-8.
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

namespace tuf_repo {

class Signer;

// The one signer of the project: a signature over `canonical_signed` by each distinct key of
// `signers` (a key listed twice signs once), in order.
std::vector<tuf::Signature> sign_all(std::string_view canonical_signed,
                                     std::span<const Signer* const> signers);
// The whole metadata document: make_envelope(canonical_signed, sign_all(...)).
std::string sign_envelope(std::string_view canonical_signed,
                          std::span<const Signer* const> signers);

}  // namespace tuf_repo
