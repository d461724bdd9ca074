// The metadata model: parsing and schema rules (TUF specification, "Document formats"; python-tuf
// where the specification leaves a choice), canonical bytes of `signed`, delegation matching,
// date-times and signer-side serialisation.
#include <catch2/catch.hpp>
#include <openssl/sha.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "tuf_repo/serialize.h"
#include "tuf/metadata.h"

namespace {

using Catch::Matchers::Contains;
using tuf::as_bytes;

// Keys of the specification's root.json example (keyid = sha256 of the canonical key).
constexpr std::string_view kKeyId =
    "1bf1c6e3cdd3d3a8420b19199e27511999850f4b376c4547b2f32fba7e80fca3";
constexpr std::string_view kPublic =
    "72378e5bc588793e58f81c8533da64a2e8f1565c1fcc7f253496394ffc52542c";

std::string replaced(std::string s, std::string_view from, std::string_view to) {
  const auto pos = s.find(from);
  INFO("replacing " << from);
  REQUIRE(pos != std::string::npos);
  s.replace(pos, from.size(), to);
  return s;
}

std::string envelope(std::string_view signed_json,
                     std::string_view sigs = R"([{"keyid":"aa","sig":"00"}])") {
  return std::string(R"({"signatures": )") + std::string(sigs) + R"(, "signed": )" +
         std::string(signed_json) + "}";
}

std::string canon(std::string_view json) {
  auto r = tuf::canonicalize_json(as_bytes(json));
  REQUIRE(r);
  return *r;
}

template <class R>
void require_invalid(const R& r, std::string_view detail_part, std::string_view role = {}) {
  REQUIRE_FALSE(r);
  INFO(r.error().message());
  CHECK(r.error().code == tuf::Errc::invalid_metadata);
  CHECK_THAT(r.error().detail, Contains(std::string(detail_part)));
  if (!role.empty()) CHECK(r.error().role == role);
}

const std::string kRootSigned = R"({
  "_type": "root",
  "spec_version": "1.0.31",
  "consistent_snapshot": true,
  "version": 1,
  "expires": "2030-01-01T00:00:00Z",
  "x-extra": {"nested": [1, 2, "\u00e9"]},
  "keys": {
    "1bf1c6e3cdd3d3a8420b19199e27511999850f4b376c4547b2f32fba7e80fca3": {
      "keytype": "ed25519", "scheme": "ed25519", "x-rstuf-key-name": "online",
      "keyval": {"public": "72378e5bc588793e58f81c8533da64a2e8f1565c1fcc7f253496394ffc52542c"}
    },
    "kunknown": {"keytype": "x-unknown", "scheme": "x-unknown", "keyval": {"public": "zz"}}
  },
  "roles": {
    "root": {"keyids": ["1bf1c6e3cdd3d3a8420b19199e27511999850f4b376c4547b2f32fba7e80fca3"],
             "threshold": 1},
    "timestamp": {"keyids": ["kunknown", "1bf1c6e3cdd3d3a8420b19199e27511999850f4b376c4547b2f32fba7e80fca3"],
                  "threshold": 1},
    "snapshot": {"keyids": ["1bf1c6e3cdd3d3a8420b19199e27511999850f4b376c4547b2f32fba7e80fca3"],
                 "threshold": 1},
    "targets": {"keyids": ["not-listed-in-keys"], "threshold": 2}
  }
})";

const std::string kTimestampSigned = R"({
  "_type": "timestamp", "spec_version": "1.0", "version": 3,
  "expires": "2030-01-01T00:00:00Z",
  "meta": {"snapshot.json": {"version": 7, "length": 1007, "hashes": {"sha256": "c14a"}}}
})";

const std::string kTargetsSigned = R"({
  "_type": "targets", "spec_version": "1.0.31", "version": 2,
  "expires": "2030-01-01T00:00:00Z",
  "targets": {
    "file1.txt": {"length": 31, "hashes": {"sha256": "65b8", "sha512": "0a"}, "custom": {"x": 1}},
    "dir/file2.txt": {"length": 0, "hashes": {"blake2b-256": "45"}}
  },
  "delegations": {
    "keys": {"k1": {"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": "00"}}},
    "roles": [
      {"name": "project", "keyids": ["k1"], "threshold": 1, "terminating": true,
       "paths": ["project/*", "other/file.txt"]},
      {"name": "hashed", "keyids": [], "threshold": 1, "terminating": false,
       "path_hash_prefixes": ["ab", "cd"]}
    ]
  }
})";

const std::string kSuccinctDelegations = R"("delegations": {
    "keys": {},
    "succinct_roles": {"keyids": ["k1"], "threshold": 1, "bit_length": 8, "name_prefix": "bins"}
  })";

std::string targets_with_delegations(std::string_view delegations) {
  const auto pos = kTargetsSigned.find(R"("delegations")");
  return kTargetsSigned.substr(0, pos) + std::string(delegations) + "\n}";
}

std::string sha256_hex(std::string_view s) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), md);
  std::string out;
  char buf[3];
  for (unsigned char c : md) {
    std::snprintf(buf, sizeof buf, "%02x", c);
    out += buf;
  }
  return out;
}

}  // namespace

// ---- Date-time --------------------------------------------------------------------------------

TEST_CASE("datetime parses and formats the TUF date-time form", "[metadata][datetime]") {
  struct Case {
    const char* text;
    tuf::Timestamp t;
  };
  // Values cross-checked with Python's calendar.timegm.
  const Case cases[] = {
      {"1970-01-01T00:00:00Z", 0},
      {"2030-01-01T00:00:00Z", 1893456000},
      {"2024-02-29T12:34:56Z", 1709210096},
      {"2000-03-01T00:00:00Z", 951868800},
      {"1969-12-31T23:59:59Z", -1},
      {"0001-01-01T00:00:00Z", -62135596800},
      {"9999-12-31T23:59:59Z", 253402300799},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto t = tuf::parse_datetime(c.text);
    REQUIRE(t);
    CHECK(*t == c.t);
    CHECK(tuf::format_datetime(c.t) == c.text);
  }
}

TEST_CASE("datetime rejects every other shape", "[metadata][datetime]") {
  for (const char* text : {
           "2030-01-01 00:00:00Z", "2030-13-01T00:00:00Z", "2030-01-01T00:00:00.5Z",
           "2030-01-01T00:00:00.000Z", "2030-01-01T00:00:00", "2030-01-01T00:00:00+00:00",
           "2030-1-01T00:00:00Z", "2030-00-01T00:00:00Z", "2030-01-00T00:00:00Z",
           "2030-01-32T00:00:00Z", "2030-04-31T00:00:00Z", "2023-02-29T00:00:00Z",
           "1900-02-29T00:00:00Z", "2030-01-01T24:00:00Z", "2030-01-01T00:60:00Z",
           "2030-01-01T00:00:60Z", "0000-01-01T00:00:00Z", "2030-01-01t00:00:00z",
           "+030-01-01T00:00:00Z", " 2030-01-01T00:00:00Z", "", "2030-01-01T00:00:0xZ"}) {
    INFO(text);
    auto t = tuf::parse_datetime(text);
    REQUIRE_FALSE(t);
    CHECK(t.error().code == tuf::Errc::invalid_metadata);
  }
  CHECK(tuf::parse_datetime("2000-02-29T00:00:00Z"));  // divisible by 400: a leap year
}

// ---- Root -------------------------------------------------------------------------------------

TEST_CASE("parse_root reads the model and keeps unknown fields in canonical_signed",
          "[metadata][root]") {
  const std::string doc = envelope(kRootSigned);
  auto md = tuf::parse_root(as_bytes(doc));
  if (!md) FAIL(md.error().message());
  const tuf::Root& r = md->signed_part;
  CHECK(r.type == "root");
  CHECK(r.spec_version == "1.0.31");
  CHECK(r.version == 1);
  CHECK(r.expires == 1893456000);
  CHECK(r.consistent_snapshot);
  REQUIRE(r.keys.size() == 2);
  const tuf::Key& k = r.keys.at(std::string(kKeyId));
  CHECK(k.keytype == "ed25519");
  CHECK(k.scheme == "ed25519");
  CHECK(k.public_value == kPublic);
  CHECK(k.verifier != nullptr);
  // An unknown key type is kept, and never verifies.
  CHECK(r.keys.at("kunknown").keytype == "x-unknown");
  CHECK(r.keys.at("kunknown").verifier == nullptr);
  REQUIRE(r.roles.size() == 4);
  CHECK(r.roles.at("timestamp").keyids ==
        std::vector<std::string>{"kunknown", std::string(kKeyId)});
  CHECK(r.roles.at("targets").threshold == 2);
  REQUIRE(md->signatures.size() == 1);
  CHECK(md->signatures[0].keyid == "aa");
  CHECK(md->signatures[0].sig == "00");

  // The signed bytes are the canonical form of the whole `signed` object, unknown fields too.
  CHECK(md->canonical_signed == canon(kRootSigned));
  CHECK_THAT(md->canonical_signed, Contains(R"("x-rstuf-key-name":"online")"));
  CHECK_THAT(md->canonical_signed, Contains("\"x-extra\":{\"nested\":[1,2,\"\xc3\xa9\"]}"));
  CHECK(md->canonical_signed.starts_with(R"({"_type":"root","consistent_snapshot":true,)"));
}

TEST_CASE("parse_root: consistent_snapshot is optional and defaults to false",
          "[metadata][root]") {
  auto md = tuf::parse_root(
      as_bytes(envelope(replaced(kRootSigned, R"("consistent_snapshot": true,)", ""))));
  REQUIRE(md);
  CHECK_FALSE(md->signed_part.consistent_snapshot);
  require_invalid(tuf::parse_root(as_bytes(envelope(
                      replaced(kRootSigned, R"("consistent_snapshot": true)",
                               R"("consistent_snapshot": 1)")))),
                  "signed.consistent_snapshot");
}

TEST_CASE("parse_root rejects a wrong _type", "[metadata][root]") {
  auto r = tuf::parse_root(
      as_bytes(envelope(replaced(kRootSigned, R"("_type": "root")", R"("_type": "timestamp")"))),
      "root");
  require_invalid(r, "signed._type", "root");
  CHECK(r.error().expected == "\"root\"");
  CHECK(r.error().got == "\"timestamp\"");
  require_invalid(tuf::parse_root(as_bytes(envelope(replaced(kRootSigned, R"("_type": "root",)", "")))),
                  "signed._type: missing");
}

TEST_CASE("parse_root checks spec_version major 1 in X.Y or X.Y.Z form", "[metadata][root]") {
  for (const char* ok : {"1.0", "1.0.0", "1.0.31", "1.99.7"}) {
    INFO(ok);
    CHECK(tuf::parse_root(as_bytes(envelope(replaced(kRootSigned, "1.0.31", ok)))));
  }
  for (const char* bad : {"2.0.0", "0.9", "1", "1.0.31.1", "1.x", "1..0", "", "v1.0", "1.0."}) {
    INFO(bad);
    require_invalid(tuf::parse_root(as_bytes(envelope(replaced(kRootSigned, "1.0.31", bad)))),
                    "signed.spec_version");
  }
}

TEST_CASE("parse_root requires an integer version >= 1", "[metadata][root]") {
  for (const char* bad : {"0", "-1", "\"1\"", "true", "null"}) {
    INFO(bad);
    auto r = tuf::parse_root(
        as_bytes(envelope(replaced(kRootSigned, R"("version": 1)", std::string("\"version\": ") + bad))));
    require_invalid(r, "signed.version");
    CHECK(r.error().expected == "integer >= 1");
  }
  // Floats, even integral ones, are not JSON integers.
  require_invalid(
      tuf::parse_root(as_bytes(envelope(replaced(kRootSigned, R"("version": 1)", R"("version": 1.0)")))),
      "floating-point");
  auto big = tuf::parse_root(as_bytes(envelope(
      replaced(kRootSigned, R"("version": 1)", R"("version": 18446744073709551615)"))));
  REQUIRE(big);
  CHECK(big->signed_part.version == 18446744073709551615ull);
}

TEST_CASE("parse_root rejects a malformed expires", "[metadata][root]") {
  for (const char* bad : {"\"2030-01-01 00:00:00Z\"", "\"2030-13-01T00:00:00Z\"",
                          "\"2030-01-01T00:00:00.123Z\"", "1893456000"}) {
    INFO(bad);
    require_invalid(tuf::parse_root(as_bytes(envelope(replaced(
                        kRootSigned, R"("2030-01-01T00:00:00Z")", bad)))),
                    "signed.expires");
  }
}

TEST_CASE("parse_root requires all four top-level roles", "[metadata][root]") {
  const std::string without_snapshot = replaced(
      kRootSigned,
      R"("snapshot": {"keyids": ["1bf1c6e3cdd3d3a8420b19199e27511999850f4b376c4547b2f32fba7e80fca3"],
                 "threshold": 1},)",
      "");
  require_invalid(tuf::parse_root(as_bytes(envelope(without_snapshot))),
                  "signed.roles.snapshot: missing");
  // Extra roles (the specification's optional "mirrors") are kept.
  auto md = tuf::parse_root(as_bytes(envelope(replaced(
      kRootSigned, R"("roles": {)", R"("roles": {"mirrors": {"keyids": [], "threshold": 1},)"))));
  REQUIRE(md);
  CHECK(md->signed_part.roles.count("mirrors") == 1);
}

TEST_CASE("parse_root role rules: threshold >= 1, unique string keyids", "[metadata][root]") {
  auto zero = tuf::parse_root(
      as_bytes(envelope(replaced(kRootSigned, R"("threshold": 2)", R"("threshold": 0)"))));
  require_invalid(zero, "signed.roles.targets.threshold");
  CHECK(zero.error().got == "0");
  require_invalid(tuf::parse_root(as_bytes(envelope(
                      replaced(kRootSigned, R"("threshold": 2)", R"("threshold": -1)")))),
                  "signed.roles.targets.threshold");
  require_invalid(tuf::parse_root(as_bytes(envelope(
                      replaced(kRootSigned, R"("threshold": 2)", R"("threshold": 4294967296)")))),
                  "signed.roles.targets.threshold");
  require_invalid(tuf::parse_root(as_bytes(envelope(replaced(
                      kRootSigned, R"(["not-listed-in-keys"])", R"(["a", "b", "a"])")))),
                  "signed.roles.targets.keyids: duplicate");
  require_invalid(tuf::parse_root(as_bytes(envelope(
                      replaced(kRootSigned, R"(["not-listed-in-keys"])", R"(["a", 7])")))),
                  "signed.roles.targets.keyids[1]");
  require_invalid(tuf::parse_root(as_bytes(envelope(replaced(
                      kRootSigned, R"("keyids": ["not-listed-in-keys"], )", "")))),
                  "signed.roles.targets.keyids: missing");
}

TEST_CASE("parse_root key rules", "[metadata][root]") {
  require_invalid(tuf::parse_root(as_bytes(envelope(replaced(
                      kRootSigned, R"("keytype": "x-unknown", )", "")))),
                  "signed.keys.kunknown.keytype: missing");
  require_invalid(tuf::parse_root(as_bytes(envelope(replaced(
                      kRootSigned, R"("keyval": {"public": "zz"})", R"("keyval": {"public": 5})")))),
                  "signed.keys.kunknown.keyval.public");
  require_invalid(tuf::parse_root(as_bytes(envelope(replaced(
                      kRootSigned, R"("keyval": {"public": "zz"})", R"("keyval": "zz")")))),
                  "signed.keys.kunknown.keyval");
  // A keyval without "public" (other key types carry other members) is kept, never verifies.
  auto md = tuf::parse_root(as_bytes(envelope(replaced(
      kRootSigned, R"("keyval": {"public": "zz"})", R"("keyval": {"identity": "x"})"))));
  REQUIRE(md);
  CHECK(md->signed_part.keys.at("kunknown").verifier == nullptr);
  // A known key type with a malformed value is kept as well, with no verifier.
  md = tuf::parse_root(as_bytes(envelope(replaced(kRootSigned, kPublic, "not-hex"))));
  REQUIRE(md);
  CHECK(md->signed_part.keys.at(std::string(kKeyId)).verifier == nullptr);
}

// ---- The envelope -----------------------------------------------------------------------------

TEST_CASE("parse rejects duplicate keys and floats anywhere in the document",
          "[metadata][envelope]") {
  // In signed, top level and nested deep.
  require_invalid(tuf::parse_root(as_bytes(envelope(
                      replaced(kRootSigned, R"("version": 1,)", R"("version": 1, "version": 2,)")))),
                  "duplicate object key");
  require_invalid(tuf::parse_root(as_bytes(envelope(
                      replaced(kRootSigned, R"("nested": [1, 2,)", R"("nested": [1, {"a": 1, "a": 1},)")))),
                  "signed.x-extra.nested[1]");
  // In the signatures.
  require_invalid(tuf::parse_root(as_bytes(envelope(
                      kRootSigned, R"([{"keyid": "aa", "sig": "00", "sig": "01"}])"))),
                  "signatures[0]: duplicate object key");
  require_invalid(tuf::parse_root(as_bytes(envelope(
                      kRootSigned, R"([{"keyid": "aa", "sig": "00", "x": {"y": 0.5}}])"))),
                  "signatures[0].x.y: floating-point");
  // At the top level and in unknown top-level members.
  const std::string doc = envelope(kRootSigned);
  require_invalid(tuf::parse_root(as_bytes(
                      replaced(doc, R"({"signatures")", R"({"signed": {}, "signatures")"))),
                  "duplicate object key");
  require_invalid(tuf::parse_root(as_bytes(
                      replaced(doc, R"({"signatures")", R"({"x": [1e5], "signatures")"))),
                  "x[0]: floating-point");
  // Unknown top-level members are otherwise allowed.
  CHECK(tuf::parse_root(as_bytes(replaced(doc, R"({"signatures")", R"({"x": [1], "signatures")"))));
}

TEST_CASE("parse checks the envelope shape and the signatures", "[metadata][envelope]") {
  require_invalid(tuf::parse_root(as_bytes(std::string("[1]"))), "(document)", "root");
  require_invalid(tuf::parse_root(as_bytes(std::string("{\"signed\": "))), "malformed JSON");
  require_invalid(tuf::parse_root(as_bytes(R"({"signatures": []})")), "signed: missing");
  require_invalid(tuf::parse_root(as_bytes(std::string(R"({"signed": )") + kRootSigned + "}")),
                  "signatures: missing");
  require_invalid(tuf::parse_root(as_bytes(envelope(kRootSigned, R"({})"))), "signatures");
  require_invalid(tuf::parse_root(as_bytes(envelope(kRootSigned, R"([{"keyid": "aa"}])"))),
                  "signatures[0].sig: missing");
  require_invalid(tuf::parse_root(as_bytes(envelope(kRootSigned, R"([{"keyid": 1, "sig": ""}])"))),
                  "signatures[0].keyid");
  require_invalid(tuf::parse_root(as_bytes(envelope(kRootSigned, R"(["x"])"))), "signatures[0]");
  require_invalid(tuf::parse_root(as_bytes(envelope("[]"))), "signed");
  // "The keyid MUST be unique in the signatures array".
  require_invalid(
      tuf::parse_root(as_bytes(envelope(
          kRootSigned, R"([{"keyid": "aa", "sig": "00"}, {"keyid": "bb", "sig": "00"}, {"keyid": "aa", "sig": "01"}])"))),
      "signatures: more than one signature");
  // No signatures at all is a valid document (it just will not verify); so is an empty sig.
  auto md = tuf::parse_root(as_bytes(envelope(kRootSigned, "[]")));
  REQUIRE(md);
  CHECK(md->signatures.empty());
  CHECK(tuf::parse_root(as_bytes(envelope(kRootSigned, R"([{"keyid": "aa", "sig": ""}])"))));
}

TEST_CASE("parse errors name the role hint", "[metadata][envelope]") {
  auto r = tuf::parse_targets(as_bytes(envelope(kRootSigned)), "bins-0a");
  require_invalid(r, "signed._type", "bins-0a");
  CHECK(r.error().expected == "\"targets\"");
}

// ---- Timestamp --------------------------------------------------------------------------------

TEST_CASE("parse_timestamp reads meta[snapshot.json]", "[metadata][timestamp]") {
  auto md = tuf::parse_timestamp(as_bytes(envelope(kTimestampSigned)));
  if (!md) FAIL(md.error().message());
  CHECK(md->signed_part.version == 3);
  CHECK(md->signed_part.spec_version == "1.0");
  const tuf::MetaInfo& m = md->signed_part.snapshot_meta;
  CHECK(m.version == 7);
  CHECK(m.length == 1007u);
  CHECK(m.hashes == tuf::HashList{{"sha256", "c14a"}});
  CHECK(md->canonical_signed == canon(kTimestampSigned));

  // length and hashes are optional; length 0 is allowed.
  md = tuf::parse_timestamp(as_bytes(envelope(replaced(
      kTimestampSigned, R"("version": 7, "length": 1007, "hashes": {"sha256": "c14a"})",
      R"("version": 7, "length": 0)"))));
  REQUIRE(md);
  CHECK(md->signed_part.snapshot_meta.length == 0u);
  CHECK(md->signed_part.snapshot_meta.hashes.empty());
}

TEST_CASE("parse_timestamp schema rules", "[metadata][timestamp]") {
  const auto bad = [](std::string_view from, std::string_view to, std::string_view where) {
    require_invalid(tuf::parse_timestamp(as_bytes(envelope(replaced(kTimestampSigned, from, to)))),
                    where);
  };
  bad(R"({"snapshot.json": )", R"({"targets.json": {"version": 1}, "snapshot.json": )",
      "signed.meta: unexpected entry");
  bad(R"("snapshot.json")", R"("snapshot2.json")", "signed.meta: unexpected entry");
  bad(R"("meta": {"snapshot.json": {"version": 7, "length": 1007, "hashes": {"sha256": "c14a"}}})",
      R"("meta": {})", "signed.meta.snapshot.json: missing");
  bad(R"("version": 7)", R"("version": 0)", "signed.meta.snapshot.json.version");
  bad(R"("version": 7, )", "", "signed.meta.snapshot.json.version: missing");
  bad(R"("length": 1007)", R"("length": -1)", "signed.meta.snapshot.json.length");
  bad(R"({"sha256": "c14a"})", "{}", "signed.meta.snapshot.json.hashes: empty");
  bad(R"({"sha256": "c14a"})", R"({"sha256": 5})", "signed.meta.snapshot.json.hashes.sha256");
  bad(R"("meta": {)", R"("meta": [{)", "malformed JSON");
}

// ---- Snapshot ---------------------------------------------------------------------------------

TEST_CASE("parse_snapshot reads many meta entries (PEP 458: 16,384 bins)",
          "[metadata][snapshot]") {
  // Written in canonical form, as python-tuf's serializer (sort_keys) would.
  std::string s = R"({"_type":"snapshot","expires":"2030-01-01T00:00:00Z","meta":{)";
  char name[64];
  for (unsigned i = 0; i < 16384; ++i) {
    std::snprintf(name, sizeof name, "\"bins-%04x.json\":{\"version\":%u},", i, i + 1);
    s += name;
  }
  s += R"("targets.json":{"hashes":{"sha256":"ab"},"length":12,"version":5})";
  s += R"(},"spec_version":"1.0.31","version":9})";
  auto md = tuf::parse_snapshot(as_bytes(envelope(s)));
  if (!md) FAIL(md.error().message());
  const tuf::Snapshot& snap = md->signed_part;
  CHECK(snap.version == 9);
  REQUIRE(snap.meta.size() == 16385);
  CHECK(snap.meta.at("targets.json").version == 5);
  CHECK(snap.meta.at("targets.json").length == 12u);
  CHECK_FALSE(snap.meta.at("bins-3fff.json").length.has_value());
  CHECK(snap.meta.at("bins-3fff.json").version == 16384);
  CHECK(snap.meta.at("bins-0000.json").version == 1);
  // Input already canonical: the signed bytes are exactly the input.
  CHECK(md->canonical_signed == s);

  // A duplicate entry far down the list is still caught.
  const std::string dup = replaced(s, "\"bins-3ffe.json\"", "\"bins-0001.json\"");
  require_invalid(tuf::parse_snapshot(as_bytes(envelope(dup))), "signed.meta: duplicate");
}

TEST_CASE("parse_snapshot schema rules", "[metadata][snapshot]") {
  const std::string s = R"({"_type": "snapshot", "spec_version": "1.0.31", "version": 1,
    "expires": "2030-01-01T00:00:00Z", "meta": {"targets.json": {"version": 1}}})";
  REQUIRE(tuf::parse_snapshot(as_bytes(envelope(s))));
  require_invalid(tuf::parse_snapshot(as_bytes(envelope(replaced(s, R"({"version": 1})", "1")))),
                  "signed.meta.targets.json");
  require_invalid(tuf::parse_snapshot(as_bytes(envelope(replaced(s, R"({"version": 1})", "{}")))),
                  "signed.meta.targets.json.version: missing");
  require_invalid(tuf::parse_snapshot(as_bytes(envelope(
                      replaced(s, R"(, "meta": {"targets.json": {"version": 1}})", "")))),
                  "signed.meta: missing");
  require_invalid(tuf::parse_snapshot(as_bytes(envelope(kTimestampSigned))), "signed._type");
}

TEST_CASE("one JsonParser parses document after document and results do not borrow from it",
          "[metadata][parser]") {
  tuf::JsonParser parser;
  auto root = tuf::parse_root(parser, as_bytes(envelope(kRootSigned)));
  REQUIRE(root);
  const std::string root_canonical = root->canonical_signed;
  // A larger document (the buffers grow), a malformed one and an unsorted one in between.
  std::string big = R"({"_type":"snapshot","expires":"2030-01-01T00:00:00Z","meta":{)";
  for (int i = 10000; i < 12000; ++i) big += "\"r" + std::to_string(i) + ".json\":{\"version\":1},";
  big += R"("targets.json":{"version":1}},"spec_version":"1.0.31","version":1})";
  auto snap = tuf::parse_snapshot(parser, as_bytes(envelope(big)));
  REQUIRE(snap);
  require_invalid(tuf::parse_timestamp(parser, as_bytes(std::string("{\"signed\": "))),
                  "malformed JSON");
  CHECK(*tuf::canonicalize_json(parser, as_bytes(R"({"b":{"d":1,"c":2},"a":0})")) ==
        R"({"a":0,"b":{"c":2,"d":1}})");
  auto ts = tuf::parse_timestamp(parser, as_bytes(envelope(kTimestampSigned)));
  REQUIRE(ts);
  CHECK(ts->signed_part.snapshot_meta.version == 7);
  // Earlier results are unchanged and equal to what a fresh parser gives.
  CHECK(root->canonical_signed == root_canonical);
  CHECK(root_canonical == tuf::parse_root(as_bytes(envelope(kRootSigned)))->canonical_signed);
  CHECK(snap->signed_part.meta.size() == 2001);
  CHECK(snap->canonical_signed == big);

  // A copy starts empty, a moved-from parser starts again: both still parse.
  const std::string doc = envelope(kRootSigned);
  tuf::JsonParser copy = parser;
  CHECK(tuf::parse_root(copy, as_bytes(doc))->canonical_signed == root_canonical);
  tuf::JsonParser moved = std::move(parser);
  CHECK(tuf::parse_root(moved, as_bytes(doc))->canonical_signed == root_canonical);
  // NOLINTNEXTLINE(bugprone-use-after-move): a moved-from parser is documented as usable
  CHECK(tuf::parse_root(parser, as_bytes(doc))->canonical_signed == root_canonical);
}

// ---- Targets ----------------------------------------------------------------------------------

TEST_CASE("parse_targets reads targets and delegated roles in order", "[metadata][targets]") {
  auto md = tuf::parse_targets(as_bytes(envelope(kTargetsSigned)));
  if (!md) FAIL(md.error().message());
  const tuf::Targets& t = md->signed_part;
  REQUIRE(t.targets.size() == 2);
  CHECK(t.targets.at("file1.txt").length == 31);
  CHECK(t.targets.at("file1.txt").hashes == tuf::HashList{{"sha256", "65b8"}, {"sha512", "0a"}});
  CHECK(t.targets.at("dir/file2.txt").length == 0);
  REQUIRE(t.delegations);
  CHECK(t.delegations->keys.count("k1") == 1);
  CHECK(t.delegations->keys.at("k1").verifier == nullptr);  // "00" is no ed25519 key
  CHECK_FALSE(t.delegations->succinct_roles);
  REQUIRE(t.delegations->roles.size() == 2);
  const tuf::DelegatedRole& p = t.delegations->roles[0];
  CHECK(p.name == "project");
  CHECK(p.terminating);
  CHECK(p.keys.keyids == std::vector<std::string>{"k1"});
  REQUIRE(p.paths);
  CHECK(*p.paths == std::vector<std::string>{"project/*", "other/file.txt"});
  CHECK_FALSE(p.path_hash_prefixes);
  const tuf::DelegatedRole& h = t.delegations->roles[1];
  CHECK(h.name == "hashed");
  CHECK_FALSE(h.terminating);
  CHECK(h.keys.keyids.empty());
  REQUIRE(h.path_hash_prefixes);
  CHECK(*h.path_hash_prefixes == std::vector<std::string>{"ab", "cd"});
  // "custom" and everything else is in the signed bytes.
  CHECK(md->canonical_signed == canon(kTargetsSigned));
  CHECK_THAT(md->canonical_signed, Contains(R"("custom":{"x":1})"));

  // targets may be empty; delegations are optional.
  const std::string bare = R"({"_type": "targets", "spec_version": "1.0.31", "version": 1,
    "expires": "2030-01-01T00:00:00Z", "targets": {}})";
  auto b = tuf::parse_targets(as_bytes(envelope(bare)));
  REQUIRE(b);
  CHECK(b->signed_part.targets.empty());
  CHECK_FALSE(b->signed_part.delegations);
}

TEST_CASE("parse_targets target file rules", "[metadata][targets]") {
  const auto bad = [](std::string_view from, std::string_view to, std::string_view where) {
    require_invalid(tuf::parse_targets(as_bytes(envelope(replaced(kTargetsSigned, from, to)))),
                    where);
  };
  bad(R"("length": 31, )", "", "signed.targets.file1.txt.length: missing");
  bad(R"("length": 31)", R"("length": -31)", "signed.targets.file1.txt.length");
  bad(R"("length": 31)", R"("length": "31")", "signed.targets.file1.txt.length");
  bad(R"({"blake2b-256": "45"})", "{}", "signed.targets.dir/file2.txt.hashes: empty");
  bad(R"(, "hashes": {"blake2b-256": "45"})", "", "signed.targets.dir/file2.txt.hashes: missing");
  bad(R"("targets": {)", R"("targets": [], "x": {)", "signed.targets");
}

TEST_CASE("parse_targets delegated role rules", "[metadata][targets]") {
  const auto bad = [](std::string_view from, std::string_view to, std::string_view where) {
    require_invalid(tuf::parse_targets(as_bytes(envelope(replaced(kTargetsSigned, from, to)))),
                    where);
  };
  // Exactly one of paths / path_hash_prefixes.
  bad(R"("paths": ["project/*", "other/file.txt"])",
      R"("paths": ["project/*"], "path_hash_prefixes": ["ab"])",
      "signed.delegations.roles[0]: exactly one of paths and path_hash_prefixes");
  bad(R"("path_hash_prefixes": ["ab", "cd"])", R"("x-other": 1)",
      "signed.delegations.roles[1]: exactly one of paths and path_hash_prefixes");
  bad(R"("paths": ["project/*", "other/file.txt"])", R"("paths": "project/*")",
      "signed.delegations.roles[0].paths");
  bad(R"("paths": ["project/*", "other/file.txt"])", R"("paths": ["project/*", 1])",
      "signed.delegations.roles[0].paths[1]");
  // Names: unique, not empty, not a top-level role.
  bad(R"("name": "hashed")", R"("name": "project")", "signed.delegations.roles: duplicate role name");
  bad(R"("name": "hashed")", R"("name": "targets")", "signed.delegations.roles[1].name");
  bad(R"("name": "hashed")", R"("name": "root")", "signed.delegations.roles[1].name");
  bad(R"("name": "hashed")", R"("name": "")", "signed.delegations.roles[1].name");
  bad(R"("name": "hashed", )", "", "signed.delegations.roles[1].name: missing");
  // terminating is required and boolean; threshold and keyids as for root roles.
  bad(R"("terminating": false,)", "", "signed.delegations.roles[1].terminating: missing");
  bad(R"("terminating": false)", R"("terminating": 0)", "signed.delegations.roles[1].terminating");
  bad(R"("keyids": ["k1"], "threshold": 1, "terminating": true)",
      R"("keyids": ["k1"], "threshold": 0, "terminating": true)",
      "signed.delegations.roles[0].threshold");
  bad(R"("keyids": ["k1"])", R"("keyids": ["k1", "k1"])",
      "signed.delegations.roles[0].keyids: duplicate");
  // keys is required.
  bad(R"("keys": {"k1": {"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": "00"}}},)",
      "", "signed.delegations.keys: missing");
  // Delegating to no roles at all is allowed.
  const std::string none = targets_with_delegations(R"("delegations": {"keys": {}, "roles": []})");
  auto md = tuf::parse_targets(as_bytes(envelope(none)));
  REQUIRE(md);
  CHECK(md->signed_part.delegations->roles.empty());
}

TEST_CASE("parse_targets succinct_roles rules", "[metadata][targets]") {
  auto md = tuf::parse_targets(as_bytes(envelope(targets_with_delegations(kSuccinctDelegations))));
  if (!md) FAIL(md.error().message());
  REQUIRE(md->signed_part.delegations);
  REQUIRE(md->signed_part.delegations->succinct_roles);
  const tuf::SuccinctRoles& s = *md->signed_part.delegations->succinct_roles;
  CHECK(s.bit_length == 8);
  CHECK(s.name_prefix == "bins");
  CHECK(s.keys.keyids == std::vector<std::string>{"k1"});
  CHECK(s.bin_count() == 256);
  CHECK(md->signed_part.delegations->roles.empty());

  const auto with = [](std::string_view from, std::string_view to) {
    return tuf::parse_targets(
        as_bytes(envelope(targets_with_delegations(replaced(kSuccinctDelegations, from, to)))));
  };
  require_invalid(with(R"("bit_length": 8)", R"("bit_length": 0)"),
                  "signed.delegations.succinct_roles.bit_length");
  require_invalid(with(R"("bit_length": 8)", R"("bit_length": 33)"),
                  "signed.delegations.succinct_roles.bit_length");
  require_invalid(with(R"(, "name_prefix": "bins")", ""),
                  "signed.delegations.succinct_roles.name_prefix: missing");
  require_invalid(with(R"("threshold": 1)", R"("threshold": 0)"),
                  "signed.delegations.succinct_roles.threshold");
  auto b32 = with(R"("bit_length": 8)", R"("bit_length": 32)");
  REQUIRE(b32);
  CHECK(b32->signed_part.delegations->succinct_roles->bin_count() == 4294967296ull);
  // Exactly one of roles and succinct_roles.
  require_invalid(with(R"("keys": {},)", R"("keys": {}, "roles": [],)"),
                  "signed.delegations: exactly one of roles and succinct_roles");
  require_invalid(tuf::parse_targets(as_bytes(envelope(
                      targets_with_delegations(R"("delegations": {"keys": {}})")))),
                  "signed.delegations: exactly one of roles and succinct_roles");
}

// ---- Delegation matching ----------------------------------------------------------------------

TEST_CASE("is_delegated_path matches paths like python-tuf", "[metadata][delegation]") {
  struct Case {
    const char* pattern;
    const char* target;
    bool match;
  };
  const Case cases[] = {
      // The specification's and python-tuf's examples.
      {"targets/*.tgz", "targets/foo.tgz", true},
      {"targets/*.tgz", "targets/bar.tgz", true},
      {"targets/*.tgz", "targets/foo.txt", false},
      {"targets/*.tgz", "targets/a/foo.tgz", false},
      {"foo-version-?.tgz", "foo-version-2.tgz", true},
      {"foo-version-?.tgz", "foo-version-a.tgz", true},
      {"foo-version-?.tgz", "foo-version-alpha.tgz", false},
      {"*.tgz", "foo.tgz", true},
      {"*.tgz", "targets/foo.tgz", false},
      {"foo.tgz", "foo.tgz", true},
      {"foo.tgz", "foo.tgzx", false},
      {"*", "a/b", false},
      {"*/*", "a/b", true},
      {"*", "", true},
      {"a/*", "a/", true},
      {"*/b", "a/b/c", false},
      {"a/*/c", "a/bbb/c", true},
      {"**", "abc", true},
      {"*a*b", "xxaxxbb", true},
      {"*a*b", "xxaxxbc", false},
      // ? is one character (a code point, as Python counts), never zero.
      {"?", "", false},
      {"?", "\xc3\xa9", true},
      {"a?c", "a/c", false},
      // Sets.
      {"file[0-9].txt", "file7.txt", true},
      {"file[0-9].txt", "filex.txt", false},
      {"file[!0-9].txt", "filex.txt", true},
      {"file[!0-9].txt", "file7.txt", false},
      {"[]]", "]", true},
      {"[!]]", "]", false},
      {"[a-]", "-", true},
      {"[z-a]", "m", false},
      {"[!z-a]", "m", true},
      {"[abc", "[abc", true},  // no closing bracket: a literal '['
      {"[abc", "a", false},
      // Case-sensitive, backslash is an ordinary character.
      {"FOO", "foo", false},
      {"a\\*", "a\\xyz", true},
  };
  for (const Case& c : cases) {
    INFO(c.pattern << " vs " << c.target);
    tuf::DelegatedRole role;
    role.paths = std::vector<std::string>{c.pattern};
    CHECK(role.is_delegated_path(c.target) == c.match);
  }
  // Any pattern of the list may match.
  tuf::DelegatedRole role;
  role.paths = std::vector<std::string>{"a/*", "b/*.whl"};
  CHECK(role.is_delegated_path("b/x.whl"));
  CHECK_FALSE(role.is_delegated_path("c/x.whl"));
  role.paths = std::vector<std::string>{};
  CHECK_FALSE(role.is_delegated_path("a/b"));
}

TEST_CASE("is_delegated_path matches path_hash_prefixes against sha256 hex",
          "[metadata][delegation]") {
  const std::string path = "sampleproject";
  const std::string digest = sha256_hex(path);  // db0de478...
  tuf::DelegatedRole role;
  role.path_hash_prefixes = std::vector<std::string>{"00", digest.substr(0, 3)};
  CHECK(role.is_delegated_path(path));
  role.path_hash_prefixes = std::vector<std::string>{digest.substr(0, 64)};
  CHECK(role.is_delegated_path(path));
  role.path_hash_prefixes = std::vector<std::string>{"ff", "00"};
  CHECK(role.is_delegated_path(path) == (digest.starts_with("ff") || digest.starts_with("00")));
  role.path_hash_prefixes = std::vector<std::string>{"DB0"};  // hex digests are lower case
  CHECK_FALSE(role.is_delegated_path(path));
  // A role with neither list (only constructible by hand) delegates nothing.
  CHECK_FALSE(tuf::DelegatedRole{}.is_delegated_path(path));
}

TEST_CASE("succinct role_for_target takes the leading bit_length bits of sha256",
          "[metadata][delegation]") {
  tuf::SuccinctRoles s;
  s.name_prefix = "bins";
  for (const char* path : {"sampleproject", "a/b/c.tgz", "", "numpy", "x\xc3\xa9"}) {
    INFO(path);
    const std::string digest = sha256_hex(path);
    const std::uint32_t first32 = static_cast<std::uint32_t>(std::stoul(digest.substr(0, 8), nullptr, 16));
    char buf[16];
    // bit_length 8 (RSTUF default): the first two hex characters.
    s.bit_length = 8;
    CHECK(s.role_for_target(path) == "bins-" + digest.substr(0, 2));
    // bit_length 14 (PEP 458): 4 digits, first32 >> 18.
    s.bit_length = 14;
    std::snprintf(buf, sizeof buf, "%04x", first32 >> 18);
    CHECK(s.role_for_target(path) == std::string("bins-") + buf);
    // bit_length 10: 3 digits.
    s.bit_length = 10;
    std::snprintf(buf, sizeof buf, "%03x", first32 >> 22);
    CHECK(s.role_for_target(path) == std::string("bins-") + buf);
    // bit_length 1: one digit, the top bit.
    s.bit_length = 1;
    CHECK(s.role_for_target(path) == std::string("bins-") + (first32 >> 31 ? "1" : "0"));
    // bit_length 32: no shift, all 8 digits.
    s.bit_length = 32;
    CHECK(s.role_for_target(path) == "bins-" + digest.substr(0, 8));
    CHECK(s.is_role(s.role_for_target(path)));
  }
  // Fixed values (sha256("sampleproject") starts db0de478).
  s.bit_length = 8;
  CHECK(s.role_for_target("sampleproject") == "bins-db");
  s.bit_length = 14;
  CHECK(s.role_for_target("sampleproject") == "bins-36c3");
}

TEST_CASE("succinct is_role accepts exactly the bin names", "[metadata][delegation]") {
  tuf::SuccinctRoles s;
  s.name_prefix = "bins";
  s.bit_length = 8;
  CHECK(s.is_role("bins-00"));
  CHECK(s.is_role("bins-0a"));
  CHECK(s.is_role("bins-ff"));
  for (const char* bad : {"bins-0", "bins-100", "bins-0A", "bins-FF", "bins-0g", "bins-",
                          "bins", "bin-00", "bins00", "bins--0", "xbins-00", "bins-+1",
                          "bins- 1", "bins-00 "}) {
    INFO(bad);
    CHECK_FALSE(s.is_role(bad));
  }
  s.bit_length = 14;
  CHECK(s.is_role("bins-0000"));
  CHECK(s.is_role("bins-3fff"));
  CHECK_FALSE(s.is_role("bins-4000"));
  CHECK_FALSE(s.is_role("bins-ffff"));
  CHECK_FALSE(s.is_role("bins-fff"));
  s.bit_length = 1;
  CHECK(s.is_role("bins-0"));
  CHECK(s.is_role("bins-1"));
  CHECK_FALSE(s.is_role("bins-2"));
  CHECK_FALSE(s.is_role("bins-00"));
  s.bit_length = 32;
  CHECK(s.is_role("bins-ffffffff"));
  CHECK(s.is_role("bins-00000000"));
  CHECK_FALSE(s.is_role("bins-fffffffff"));
  // A prefix containing '-' still works.
  s.name_prefix = "my-bins";
  s.bit_length = 4;
  CHECK(s.is_role("my-bins-f"));
  CHECK_FALSE(s.is_role("my-f"));
}

// ---- Serialisation round trips ----------------------------------------------------------------

namespace {

tuf::Key make_key(std::string public_value) {
  tuf::Key k;
  k.keytype = "ed25519";
  k.scheme = "ed25519";
  k.public_value = std::move(public_value);
  return k;
}

template <class T, class Parse>
tuf::Metadata<T> round_trip(const T& model, Parse parse) {
  const std::string signed_json = tuf::serialize_signed(model);
  // What signers produce is canonical already.
  REQUIRE(canon(signed_json) == signed_json);
  const std::string doc = tuf::make_envelope(signed_json, {{"aa", "0011"}});
  auto md = parse(as_bytes(doc), "role");
  if (!md) FAIL(md.error().message());
  CHECK(md->canonical_signed == signed_json);
  CHECK(tuf::serialize_signed(md->signed_part) == signed_json);
  REQUIRE(md->signatures.size() == 1);
  CHECK(md->signatures[0].sig == "0011");
  return std::move(*md);
}

}  // namespace

TEST_CASE("serialize_signed round trips a root", "[metadata][serialize]") {
  tuf::Root r;
  r.spec_version = "1.0.31";
  r.version = 4;
  r.expires = 1893456000;
  r.consistent_snapshot = true;
  tuf::Key k = make_key(std::string(kPublic));
  r.keys.emplace(tuf::compute_keyid(k), k);
  r.keys.emplace("b-other", make_key("ab\"cd"));
  for (const char* role : {"root", "timestamp", "snapshot", "targets"}) {
    r.roles[role] = tuf::RoleKeys{{std::string(kKeyId), "b-other"}, 2};
  }
  auto md = round_trip(r, [](tuf::Bytes b, std::string_view h) { return tuf::parse_root(b, h); });
  CHECK(md.signed_part.keys.size() == 2);
  CHECK(md.signed_part.keys.at(std::string(kKeyId)).public_value == kPublic);
  CHECK(md.signed_part.roles.at("snapshot").threshold == 2);
  CHECK(md.signed_part.expires == r.expires);
  CHECK(md.canonical_signed.starts_with(
      R"({"_type":"root","consistent_snapshot":true,"expires":"2030-01-01T00:00:00Z","keys":{"1bf1)"));
  CHECK(md.canonical_signed.ends_with(R"(,"spec_version":"1.0.31","version":4})"));
}

TEST_CASE("serialize_signed + make_envelope round trip PEM keys with newlines",
          "[metadata][serialize]") {
  tuf::Root r;
  r.version = 1;
  r.expires = 1893456000;
  tuf::Key k;
  k.keytype = "ecdsa";
  k.scheme = "ecdsa-sha2-nistp256";
  k.public_value = "-----BEGIN PUBLIC KEY-----\nMFkw\"x\\y\n-----END PUBLIC KEY-----\n";
  r.keys.emplace("pem", k);
  for (const char* role : {"root", "timestamp", "snapshot", "targets"}) {
    r.roles[role] = tuf::RoleKeys{{"pem"}, 1};
  }
  const std::string signed_json = tuf::serialize_signed(r);
  CHECK_THAT(signed_json, Contains("-----BEGIN PUBLIC KEY-----\nMFkw"));  // raw newline
  const std::string doc = tuf::make_envelope(signed_json, {});
  CHECK(doc.find('\n') == std::string::npos);
  auto md = tuf::parse_root(as_bytes(doc));
  if (!md) FAIL(md.error().message());
  CHECK(md->canonical_signed == signed_json);
  CHECK(md->signed_part.keys.at("pem").public_value == k.public_value);
}

TEST_CASE("serialize_signed round trips timestamp and snapshot", "[metadata][serialize]") {
  tuf::TimestampMeta t;
  t.spec_version = "1.0.31";
  t.version = 10;
  t.expires = 1700000000;
  t.snapshot_meta.version = 3;
  t.snapshot_meta.length = 512;
  t.snapshot_meta.hashes = {{"sha512", "ff"}, {"sha256", "ee"}};
  auto tm = round_trip(t, [](tuf::Bytes b, std::string_view h) { return tuf::parse_timestamp(b, h); });
  CHECK(tm.signed_part.snapshot_meta.length == 512u);
  CHECK(tm.canonical_signed ==
        R"({"_type":"timestamp","expires":"2023-11-14T22:13:20Z","meta":{"snapshot.json":{"hashes":{"sha256":"ee","sha512":"ff"},"length":512,"version":3}},"spec_version":"1.0.31","version":10})");

  tuf::Snapshot s;
  s.version = 2;  // spec_version left empty: written as the version implemented
  s.expires = 1893456000;
  s.meta["targets.json"].version = 2;
  s.meta["b.json"].version = 1;
  s.meta["b.json"].length = 0;
  auto sm = round_trip(s, [](tuf::Bytes b, std::string_view h) { return tuf::parse_snapshot(b, h); });
  CHECK(sm.signed_part.spec_version == "1.0.31");
  CHECK_THAT(sm.canonical_signed,
             Contains(R"("meta":{"b.json":{"length":0,"version":1},"targets.json":{"version":2}})"));
}

TEST_CASE("serialize_signed round trips targets with roles and with succinct_roles",
          "[metadata][serialize]") {
  tuf::Targets t;
  t.spec_version = "1.0.31";
  t.version = 1;
  t.expires = 1893456000;
  t.targets["sampleproject"] = tuf::TargetFile{1234, {{"blake2b-256", "aa"}}};
  t.targets["dir/\xc3\xa9.txt"] = tuf::TargetFile{0, {{"sha256", "bb"}}};
  tuf::Delegations d;
  d.keys.emplace("k1", make_key("00"));
  tuf::DelegatedRole a;
  a.name = "zeta";  // order of appearance is kept, not sorted
  a.keys = {{"k1"}, 1};
  a.terminating = true;
  a.paths = std::vector<std::string>{"a/*"};
  tuf::DelegatedRole b;
  b.name = "alpha";
  b.keys = {{}, 3};
  b.path_hash_prefixes = std::vector<std::string>{"0", "1"};
  d.roles = {a, b};
  t.delegations = d;
  auto md = round_trip(t, [](tuf::Bytes b2, std::string_view h) { return tuf::parse_targets(b2, h); });
  REQUIRE(md.signed_part.delegations);
  REQUIRE(md.signed_part.delegations->roles.size() == 2);
  CHECK(md.signed_part.delegations->roles[0].name == "zeta");
  CHECK(md.signed_part.delegations->roles[1].keys.threshold == 3);
  CHECK(md.signed_part.targets.at("sampleproject").hashes == tuf::HashList{{"blake2b-256", "aa"}});

  tuf::Delegations sd;
  sd.keys.emplace("k1", make_key("00"));
  sd.succinct_roles = tuf::SuccinctRoles{{{"k1"}, 1}, 14, "bins"};
  t.delegations = sd;
  auto smd = round_trip(t, [](tuf::Bytes b2, std::string_view h) { return tuf::parse_targets(b2, h); });
  REQUIRE(smd.signed_part.delegations->succinct_roles);
  CHECK(smd.signed_part.delegations->succinct_roles->bit_length == 14);
  CHECK_THAT(smd.canonical_signed,
             Contains(R"("succinct_roles":{"bit_length":14,"keyids":["k1"],"name_prefix":"bins","threshold":1})"));
}
