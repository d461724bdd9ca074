// tuf_repo's signer: what it signs, the core verifies (TrustedSet), for every key type.
#include <catch2/catch.hpp>

#include <array>

#include "tuf/json_text.h"
#include "tuf/trusted_set.h"
#include "tuf_repo/error.h"
#include "tuf_repo/serialize.h"
#include "tuf_repo/signer.h"

namespace {

constexpr tuf::Timestamp kNow = 1'700'000'000;

struct TopLevelKeys {
  tuf_repo::Signer root, timestamp;
};

std::string signed_root(const TopLevelKeys& k) {
  tuf::Root r;
  r.version = 1;
  r.expires = kNow + 86400;
  r.consistent_snapshot = true;
  for (const tuf_repo::Signer* s : {&k.root, &k.timestamp}) r.keys[s->keyid()] = s->key();
  r.roles["root"] = {{k.root.keyid()}, 1};
  r.roles["timestamp"] = {{k.timestamp.keyid()}, 1};
  r.roles["snapshot"] = {{k.timestamp.keyid()}, 1};
  r.roles["targets"] = {{k.timestamp.keyid()}, 1};
  return tuf_repo::sign_envelope(tuf::serialize_signed(r), std::array{&k.root});
}

std::string signed_timestamp(const tuf_repo::Signer& key) {
  tuf::TimestampMeta t;
  t.version = 1;
  t.expires = kNow + 86400;
  t.snapshot_meta = tuf::MetaInfo{1, std::nullopt, {}};
  return tuf_repo::sign_envelope(tuf::serialize_signed(t), std::array{&key});
}

}  // namespace

TEST_CASE("tuf_repo signs metadata the core verifies, for each key type", "[repo][signer]") {
  const auto type = GENERATE(tuf_repo::KeyType::ed25519, tuf_repo::KeyType::ecdsa,
                             tuf_repo::KeyType::rsa);
  CAPTURE(tuf_repo::key_type_name(type));
  const TopLevelKeys keys{tuf_repo::Signer::generate(type, 2048),
                          tuf_repo::Signer::generate(type, 2048)};
  CHECK(keys.root.keyid() == tuf::compute_keyid(keys.root.key()));

  auto set = tuf::TrustedSet::create(tuf::as_bytes(signed_root(keys)), kNow);
  REQUIRE(set.has_value());
  CHECK(set->update_timestamp(tuf::as_bytes(signed_timestamp(keys.timestamp))).has_value());

  // The same timestamp signed by a key the root does not list is refused.
  const tuf_repo::Signer stranger = tuf_repo::Signer::generate(type, 2048);
  auto again = tuf::TrustedSet::create(tuf::as_bytes(signed_root(keys)), kNow);
  REQUIRE(again.has_value());
  CHECK_FALSE(again->update_timestamp(tuf::as_bytes(signed_timestamp(stranger))).has_value());
}

TEST_CASE("a key file round trips and a key signs once however often it is listed",
          "[repo][signer]") {
  const auto type = GENERATE(tuf_repo::KeyType::ed25519, tuf_repo::KeyType::ecdsa);
  const tuf_repo::Signer key = tuf_repo::Signer::generate(type);
  const tuf_repo::Signer back = tuf_repo::Signer::from_key_file(key.to_key_file("root"));
  CHECK(back.keyid() == key.keyid());
  CHECK(tuf_repo::sign_all("{}", std::array{&key, &back}).size() == 1);
  CHECK_THROWS_AS(tuf_repo::Signer::from_key_file("{}"), tuf_repo::RepoError);
}

TEST_CASE("seeded ed25519 keys are deterministic", "[repo][signer]") {
  std::array<std::uint8_t, 32> seed{};
  seed.fill(7);
  CHECK(tuf_repo::Signer::ed25519_from_seed(seed).keyid() ==
        tuf_repo::Signer::ed25519_from_seed(seed).keyid());
}

TEST_CASE("json_string escapes quotes, backslashes and control characters", "[repo][json]") {
  struct Case {
    std::string_view in, out;
  };
  const Case cases[] = {{"plain", R"("plain")"},
                        {"a\"b\\c", R"("a\"b\\c")"},
                        {"l1\nl2\tx\r", R"("l1\nl2\tx\r")"},
                        {std::string_view("\x01\x1f", 2), R"("\u0001\u001f")"},
                        {"é", "\"é\""}};
  for (const Case& c : cases) CHECK(tuf::json_string(c.in) == c.out);
}
