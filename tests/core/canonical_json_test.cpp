// Canonical JSON (OLPC, as python-securesystemslib's encode_canonical writes it): the bytes
// every TUF signature is over (TUF specification, "Metaformat").
#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "tuf_repo/serialize.h"
#include "tuf/metadata.h"

namespace {

using Catch::Matchers::Contains;

tuf::Result<std::string> canon(std::string_view json) {
  return tuf::canonicalize_json(tuf::as_bytes(json));
}

std::string canon_ok(std::string_view json) {
  auto r = canon(json);
  INFO(json);
  if (!r) FAIL(r.error().message());
  return *r;
}

void require_rejected(std::string_view json, std::string_view detail_part) {
  auto r = canon(json);
  INFO(json);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == tuf::Errc::invalid_metadata);
  CHECK_THAT(r.error().detail, Contains(std::string(detail_part)));
}

}  // namespace

TEST_CASE("canonical json sorts object keys and drops whitespace", "[canonical_json]") {
  CHECK(canon_ok(R"( { "b" : 1 , "a" : 2 , "c" : { "z" : 1 , "y" : [ 3 , 2 , 1 ] } } )") ==
        R"({"a":2,"b":1,"c":{"y":[3,2,1],"z":1}})");
  // "_" (0x5f) sorts before lower case and after upper case.
  CHECK(canon_ok(R"({"version":1,"_type":"root","Z":0})") == R"({"Z":0,"_type":"root","version":1})");
  // A prefix sorts before its extensions.
  CHECK(canon_ok(R"({"ab":1,"a":2,"":3})") == R"({"":3,"a":2,"ab":1})");
}

TEST_CASE("canonical json sorts non-ASCII keys by UTF-8 bytes", "[canonical_json]") {
  // Bytes: "A" 41, "z" 7a, "é" c3 a9, "\uffff" ef bf bf, U+1F600 f0 9f 98 80. UTF-16 code-unit
  // order would put U+1F600 (d83d de00) before U+FFFF; byte (= code point) order does not.
  const std::string out =
      canon_ok(R"({"\ud83d\ude00":5,"\uffff":4,"é":3,"z":2,"A":1})");
  CHECK(out == "{\"A\":1,\"z\":2,\"\xc3\xa9\":3,\"\xef\xbf\xbf\":4,\"\xf0\x9f\x98\x80\":5}");
}

TEST_CASE("canonical json escapes only quote and backslash", "[canonical_json]") {
  // Input escapes are decoded; on output only '"' and '\' are escaped, everything else is raw
  // (control characters, '/', non-ASCII).
  const std::string out = canon_ok(R"(["q\"b\\s\/\u0001\n\t\u001f\u00e9\u0000end"])");
  const std::string expected = std::string("[\"q\\\"b\\\\s/\x01\n\t\x1f\xc3\xa9") +
                               std::string(1, '\0') + "end\"]";
  CHECK(out == expected);
  // Keys are escaped the same way.
  CHECK(canon_ok(R"({"k\"e\\y\n":"v"})") == "{\"k\\\"e\\\\y\n\":\"v\"}");
}

TEST_CASE("canonical json keeps nested structures, literals and empty containers",
          "[canonical_json]") {
  CHECK(canon_ok(R"({"a":[{"d":null,"c":true},[],{},[false,[["x"]]]],"b":{}})") ==
        R"({"a":[{"c":true,"d":null},[],{},[false,[["x"]]]],"b":{}})");
  CHECK(canon_ok(R"("just a string")") == R"("just a string")");
  CHECK(canon_ok("[]") == "[]");
}

TEST_CASE("canonical json writes integers exactly, including beyond int64", "[canonical_json]") {
  CHECK(canon_ok("[0,-5,42,-0]") == "[0,-5,42,0]");
  CHECK(canon_ok("[9223372036854775807,9223372036854775808,18446744073709551615]") ==
        "[9223372036854775807,9223372036854775808,18446744073709551615]");
  CHECK(canon_ok("[-9223372036854775808]") == "[-9223372036854775808]");
  // Beyond uint64 there is no exact integer: rejected, never rounded.
  require_rejected("[18446744073709551616]", "malformed JSON");
}

TEST_CASE("canonical json rejects floats in any spelling", "[canonical_json]") {
  require_rejected("1.0", "floating-point");
  require_rejected("[1e2]", "floating-point");
  require_rejected("[1E2]", "floating-point");
  require_rejected("[0.0]", "floating-point");
  require_rejected("[-0.5]", "floating-point");
  // The error names where the float is.
  require_rejected(R"({"a":{"b":[1,2,3.5]}})", "a.b[2]");
}

TEST_CASE("canonical json rejects duplicate object keys at any depth", "[canonical_json]") {
  require_rejected(R"({"a":1,"a":2})", "duplicate object key");
  require_rejected(R"({"b":1,"a":2,"b":3})", "duplicate object key");
  // Same key after unescaping.
  require_rejected(R"({"a":1,"\u0061":2})", "duplicate object key");
  // Deep inside arrays and objects, with the path in the message.
  auto r = canon(R"({"x":[0,{"y":{"k":1,"j":2,"k":3}}]})");
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().detail, Contains("x[1].y"));
  CHECK_THAT(r.error().got, Contains("\"k\""));
}

TEST_CASE("canonical json rejects malformed input", "[canonical_json]") {
  require_rejected("", "malformed JSON");
  require_rejected("{\"a\":1", "malformed JSON");
  require_rejected("{\"a\":1} x", "malformed JSON");
  require_rejected("[\"\xff\"]", "malformed JSON");      // invalid UTF-8
  require_rejected(R"(["\ud800"])", "malformed JSON");     // lone surrogate
  require_rejected("{'a':1}", "malformed JSON");
}

TEST_CASE("canonical json handles deep nesting within the parser's depth limit",
          "[canonical_json]") {
  const std::string deep = std::string(1000, '[') + std::string(1000, ']');
  CHECK(canon_ok(deep) == deep);
  const std::string too_deep = std::string(5000, '[') + std::string(5000, ']');
  require_rejected(too_deep, "malformed JSON");
}

TEST_CASE("canonical json is a fixed point", "[canonical_json]") {
  const std::string once = canon_ok(R"({"z":[1,{"b":"\"","a":"é"}],"a":null})");
  CHECK(canon_ok(once) == once);
}

TEST_CASE("compute_keyid matches the keyids of the specification's examples",
          "[canonical_json]") {
  // TUF specification, root.json example: these keyids are sha256 of the canonical key.
  tuf::Key k;
  k.keytype = "ed25519";
  k.scheme = "ed25519";
  k.public_value = "72378e5bc588793e58f81c8533da64a2e8f1565c1fcc7f253496394ffc52542c";
  CHECK(tuf::compute_keyid(k) ==
        "1bf1c6e3cdd3d3a8420b19199e27511999850f4b376c4547b2f32fba7e80fca3");
  k.public_value = "68ead6e54a43f8f36f9717b10669d1ef0ebb38cee6b05317669341309f1069cb";
  CHECK(tuf::compute_keyid(k) ==
        "135c2f50e57ff11e744d234a62cebad8c38daf399604a7655661cc9199c69164");
}

TEST_CASE("make_envelope is canonical JSON of signatures and signed", "[canonical_json]") {
  const std::string env =
      tuf::make_envelope(R"({"a":1})", {{"k1", "ab"}, {"k\"2", "cd"}});
  CHECK(env == R"({"signatures":[{"keyid":"k1","sig":"ab"},{"keyid":"k\"2","sig":"cd"}],"signed":{"a":1}})");
  CHECK(canon_ok(env) == env);
}

TEST_CASE("make_envelope escapes control characters so the document is valid JSON",
          "[canonical_json]") {
  // Canonical JSON writes control characters raw (a PEM key has newlines); a JSON document may
  // not. The envelope escapes them, and its canonical form gives the raw bytes back.
  const std::string signed_part = "{\"k\\\"\":\"a\nb\x01\tc\\\\\",\"n\":[1]}";
  const std::string env = tuf::make_envelope(signed_part, {});
  CHECK(env == R"({"signatures":[],"signed":{"k\"":"a\nb\u0001\tc\\","n":[1]}})");
  CHECK(canon_ok(env) == R"({"signatures":[],"signed":)" + signed_part + "}");
}
