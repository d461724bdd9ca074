// fuzz_metadata: the metadata parsers and the canonical JSON writer on arbitrary bytes.
//
// Every input goes through canonicalize_json and all four parse_<role> functions. Invariants
// (any violation aborts):
//   - canonicalize_json is idempotent: canonicalizing its output again succeeds and gives the
//     same bytes (for output without raw control characters: OLPC canonical JSON does not
//     escape them, so such output is not JSON any more).
//   - A document that parses is valid JSON for canonicalize_json too.
//   - canonical_signed of a parsed document is already canonical (a fixed point).
//   - Re-wrapping canonical_signed and the signatures with make_envelope parses again, to the
//     same canonical_signed and signatures (parse is stable), control characters included.
//   - serialize_signed of the parsed model is canonical JSON, parses again, and serializing that
//     gives the same bytes (the model round-trips through the signer side).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "tuf_repo/serialize.h"
#include "tuf/metadata.h"

namespace {

[[noreturn]] void violated(const char* what, const char* role) {
  std::fprintf(stderr, "fuzz_metadata: invariant violated (%s): %s\n", role, what);
  std::abort();
}
#define CHECK(cond, role)               \
  do {                                  \
    if (!(cond)) violated(#cond, role); \
  } while (0)

bool same_signatures(const std::vector<tuf::Signature>& a, const std::vector<tuf::Signature>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].keyid != b[i].keyid || a[i].sig != b[i].sig) return false;
  }
  return true;
}

bool has_control_char(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20) return true;
  }
  return false;
}

template <class Parse>
void check_parser(tuf::Bytes data, bool canonical_ok, const char* role, Parse parse) {
  auto m = parse(data);
  if (!m) {
    CHECK(m.error().code == tuf::Errc::invalid_metadata, role);
    return;
  }
  CHECK(canonical_ok, role);

  // canonical_signed is a fixed point of the canonicaliser. Re-reading canonical bytes as JSON
  // is not possible when they hold raw control characters (see the entry point).
  const bool raw_controls = has_control_char(m->canonical_signed);
  if (!raw_controls) {
    auto again = tuf::canonicalize_json(tuf::as_bytes(m->canonical_signed));
    CHECK(again.has_value(), role);
    CHECK(*again == m->canonical_signed, role);
  }

  // Stable: the envelope of the same signed part and signatures parses to the same. make_envelope
  // escapes control characters inside `signed` (so the envelope is JSON), not in signatures.
  const std::string envelope = tuf::make_envelope(m->canonical_signed, m->signatures);
  if (has_control_char(envelope)) return;
  auto reparsed = parse(tuf::as_bytes(envelope));
  CHECK(reparsed.has_value(), role);
  CHECK(reparsed->canonical_signed == m->canonical_signed, role);
  CHECK(same_signatures(reparsed->signatures, m->signatures), role);

  // The signer side: the model serialises to canonical JSON that round-trips.
  const std::string serialized = tuf::serialize_signed(m->signed_part);
  if (!raw_controls) {
    auto serialized_canonical = tuf::canonicalize_json(tuf::as_bytes(serialized));
    CHECK(serialized_canonical.has_value(), role);
    CHECK(*serialized_canonical == serialized, role);
  }
  auto from_model = parse(tuf::as_bytes(tuf::make_envelope(serialized, m->signatures)));
  CHECK(from_model.has_value(), role);
  CHECK(from_model->canonical_signed == serialized, role);
  CHECK(tuf::serialize_signed(from_model->signed_part) == serialized, role);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const tuf::Bytes input(data, size);

  auto canonical = tuf::canonicalize_json(input);
  // OLPC canonical JSON escapes only '"' and '\\': a string holding a control character (from
  // "\u0000".."\u001f" in the input) comes out raw, which is no longer JSON (RFC 8259 requires
  // those escaped), so only control-free output can be canonicalized again.
  if (canonical && !has_control_char(*canonical)) {
    auto twice = tuf::canonicalize_json(tuf::as_bytes(*canonical));
    CHECK(twice.has_value(), "canonicalize_json");
    CHECK(*twice == *canonical, "canonicalize_json");
  }

  const bool ok = canonical.has_value();
  check_parser(input, ok, "root", [](tuf::Bytes b) { return tuf::parse_root(b); });
  check_parser(input, ok, "timestamp", [](tuf::Bytes b) { return tuf::parse_timestamp(b); });
  check_parser(input, ok, "snapshot", [](tuf::Bytes b) { return tuf::parse_snapshot(b); });
  check_parser(input, ok, "targets", [](tuf::Bytes b) { return tuf::parse_targets(b); });
  return 0;
}
