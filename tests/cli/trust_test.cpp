// `tufget trust list|show|add|update` (cli/trust_cmd.cpp) against `tufget index serve` over
// loopback. Root versions the index cannot make by itself (a key added next to the old one, a
// threshold raised, a key removed, an expired root, roots signed by the wrong keys) are written
// here: the index's current root model is edited, serialised with tuf_core's serialize_signed
// and signed with libsodium, by the index's own root key (DIR/keys/root.json) and/or by fresh
// keys made here.
#include <catch2/catch.hpp>

#include <sodium.h>

#include <array>

#include "tuf_repo/serialize.h"
#include "tuf/metadata.h"
#include "warehouse_fixture.h"

using namespace warehouse_test;

namespace {

constexpr tuf::Timestamp kDay = 86400;

tuf::Timestamp now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

// An ed25519 private key that signs TUF metadata.
struct Ed25519Key {
  tuf::Key key;
  std::string keyid;
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> secret{};

  static Ed25519Key from_seed(const std::array<unsigned char, crypto_sign_SEEDBYTES>& seed) {
    Ed25519Key k;
    std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
    crypto_sign_seed_keypair(pk.data(), k.secret.data(), seed.data());
    k.key.keytype = "ed25519";
    k.key.scheme = "ed25519";
    k.key.public_value = tuf::to_hex(tuf::Bytes(pk.data(), pk.size()));
    k.keyid = tuf::compute_keyid(k.key);
    return k;
  }
  static Ed25519Key generate() {
    REQUIRE(sodium_init() >= 0);
    std::array<unsigned char, crypto_sign_SEEDBYTES> seed{};
    randombytes_buf(seed.data(), seed.size());
    return from_seed(seed);
  }
  // The index's current key for `role` (DIR/keys/<role>.json, ed25519 by default).
  static Ed25519Key of_index(const fs::path& index, const std::string& role) {
    REQUIRE(sodium_init() >= 0);
    const std::string text = read(index / "keys" / (role + ".json"));
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    REQUIRE(parser.parse(text).get(doc) == simdjson::SUCCESS);
    std::string_view priv, keyid;
    REQUIRE(doc["keyval"]["private"].get(priv) == simdjson::SUCCESS);
    REQUIRE(doc["keyid"].get(keyid) == simdjson::SUCCESS);
    std::array<unsigned char, crypto_sign_SEEDBYTES> seed{};
    REQUIRE(tuf::from_hex_exact(priv, seed));
    Ed25519Key k = from_seed(seed);
    REQUIRE(k.keyid == keyid);
    return k;
  }
  tuf::Signature sign(std::string_view message) const {
    std::array<unsigned char, crypto_sign_BYTES> sig{};
    crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                         message.size(), secret.data());
    return {keyid, tuf::to_hex(tuf::Bytes(sig.data(), sig.size()))};
  }
};

fs::path root_file(const fs::path& index, std::uint64_t version) {
  return index / "tuf-metadata" / (std::to_string(version) + ".root.json");
}

// The model of the index's root version `version`.
tuf::Root root_model(const fs::path& index, std::uint64_t version) {
  const std::string bytes = read(root_file(index, version));
  auto md = tuf::parse_root(tuf::as_bytes(bytes));
  REQUIRE(md.has_value());
  return md->signed_part;
}

void add_key(tuf::Root& root, const std::string& role, const Ed25519Key& k) {
  root.keys[k.keyid] = k.key;
  root.roles.at(role).keyids.push_back(k.keyid);
}

void remove_key(tuf::Root& root, const std::string& role, const std::string& keyid) {
  auto& ids = root.roles.at(role).keyids;
  ids.erase(std::remove(ids.begin(), ids.end(), keyid), ids.end());
  bool used = false;
  for (const auto& [r, rk] : root.roles) {
    used = used || std::find(rk.keyids.begin(), rk.keyids.end(), keyid) != rk.keyids.end();
  }
  if (!used) root.keys.erase(keyid);
}

// Signs `root` with `signers` and serves it as <index>/tuf-metadata/<root.version>.root.json.
std::string publish_root(const fs::path& index, const tuf::Root& root,
                         const std::vector<const Ed25519Key*>& signers) {
  const std::string canonical = tuf::serialize_signed(root);
  std::vector<tuf::Signature> sigs;
  for (const Ed25519Key* k : signers) sigs.push_back(k->sign(canonical));
  const std::string doc = tuf::make_envelope(canonical, sigs);
  write(root_file(index, root.version), doc);
  return doc;
}

// The next version of the index's root `from`, with a year of validity.
tuf::Root next_root(const fs::path& index, std::uint64_t from) {
  tuf::Root r = root_model(index, from);
  r.version = from + 1;
  r.expires = now() + 365 * kDay;
  return r;
}

struct TrustFixture {
  Warehouse w;
  fs::path store = w.tmp.path / "trust";
  fs::path folder = store / "localdev";

  TrustFixture() {
    w.serve();
    fs::create_directories(store);
  }
  std::string metadata_url() const { return w.server->base() + "/tuf-metadata/"; }

  RunResult trust(std::vector<std::string> args, bool with_store = true) const {
    args.insert(args.begin(), "trust");
    if (with_store) {
      args.push_back("--trust-dir");
      args.push_back(store.string());
    }
    return run(args, w.env());
  }
  void add() const {
    const RunResult r = trust({"add", "localdev", "--root", w.root_v1().string(), "--metadata-url",
                               metadata_url(), "--index-url", w.index_url()});
    INFO(r.output);
    REQUIRE(r.status == 0);
  }
  std::string pinned_root() const { return read(folder / "root.json"); }
  std::string manifest() const { return read(folder / "manifest.json"); }
};

struct Json {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  explicit Json(const std::string& text) {
    INFO(text);
    REQUIRE(parser.parse(text).get(doc) == simdjson::SUCCESS);
  }
};

std::uint64_t u64(simdjson::dom::element e) {
  std::uint64_t v = 0;
  REQUIRE(e.get_uint64().get(v) == simdjson::SUCCESS);
  return v;
}
std::string str(simdjson::dom::element e) {
  std::string_view v;
  REQUIRE(e.get_string().get(v) == simdjson::SUCCESS);
  return std::string(v);
}
bool boolean(simdjson::dom::element e) {
  bool v = false;
  REQUIRE(e.get_bool().get(v) == simdjson::SUCCESS);
  return v;
}

// The entry of `roles` (update's JSON) for `role`, or a null element.
simdjson::dom::element role_change(simdjson::dom::element repo, const std::string& role) {
  simdjson::dom::array roles;
  REQUIRE(repo["roles"].get(roles) == simdjson::SUCCESS);
  for (simdjson::dom::element r : roles) {
    if (str(r["role"]) == role) return r;
  }
  FAIL("no change listed for role " << role);
  return {};
}

std::vector<std::string> keyids(simdjson::dom::element list) {
  std::vector<std::string> out;
  simdjson::dom::array a;
  REQUIRE(list.get(a) == simdjson::SUCCESS);
  for (simdjson::dom::element k : a) {
    out.push_back(str(k["keyid"]));
    CHECK(str(k["keytype"]) == "ed25519");
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_CASE("trust add pins a self-signed root: list and show report it", "[trust]") {
  TrustFixture t;
  t.add();
  const std::string v1 = read(t.w.root_v1());
  CHECK(t.pinned_root() == v1);
  {
    Json m(t.manifest());
    CHECK(str(m.doc["name"]) == "localdev");
    CHECK(str(m.doc["index_url"]) == t.w.index_url());
    CHECK(str(m.doc["metadata_url"]) == t.metadata_url());
    CHECK(u64(m.doc["root_version"]) == 1);
    CHECK(str(m.doc["root_sha256"]) == sha256_hex(v1));
  }
  const tuf::Root root = root_model(t.w.index, 1);
  const std::string expires = tuf::format_datetime(root.expires);

  SECTION("list") {
    const RunResult r = t.trust({"list"});
    INFO(r.output);
    REQUIRE(r.status == 0);
    CHECK(r.has("NAME"));
    CHECK(r.has("localdev"));
    CHECK(r.has(t.w.index_url()));
    CHECK(r.has(t.metadata_url()));
    CHECK(r.has(expires));
    CHECK(r.has(t.folder.string() + " (--trust-dir)"));

    const RunResult j = t.trust({"list", "--format", "json"});
    REQUIRE(j.status == 0);
    Json doc(j.output);
    simdjson::dom::array repos;
    REQUIRE(doc.doc["repositories"].get(repos) == simdjson::SUCCESS);
    REQUIRE(repos.size() == 1);
    simdjson::dom::element e = repos.at(0);
    CHECK(str(e["name"]) == "localdev");
    CHECK(str(e["index_url"]) == t.w.index_url());
    CHECK(str(e["metadata_url"]) == t.metadata_url());
    CHECK(u64(e["root_version"]) == 1);
    CHECK(str(e["expires"]) == expires);
    CHECK_FALSE(boolean(e["expired"]));
    CHECK(str(e["store_kind"]) == "--trust-dir");
  }
  SECTION("show") {
    const RunResult r = t.trust({"show", "localdev"});
    INFO(r.output);
    REQUIRE(r.status == 0);
    CHECK(r.has("root version:        1"));
    CHECK(r.has("expires:             " + expires));
    CHECK(r.has("consistent_snapshot: true"));
    for (const char* role : {"root", "targets", "snapshot", "timestamp"}) {
      CHECK(r.has(std::string(role) + ": threshold 1 of 1 key(s)"));
      CHECK(r.has(root.roles.at(role).keyids.at(0) + "  ed25519 (ed25519)"));
    }
    const RunResult j = t.trust({"show", "localdev", "--format", "json"});
    REQUIRE(j.status == 0);
    Json doc(j.output);
    CHECK(u64(doc.doc["root"]["version"]) == 1);
    CHECK(str(doc.doc["root"]["sha256"]) == sha256_hex(v1));
    CHECK(boolean(doc.doc["root"]["consistent_snapshot"]));
    CHECK(u64(doc.doc["root"]["roles"]["timestamp"]["threshold"]) == 1);
    CHECK(str(doc.doc["root"]["roles"]["timestamp"]["keys"].at(0)["keyid"]) ==
          root.roles.at("timestamp").keyids.at(0));
  }
  SECTION("the pinned root is what download uses") {
    const fs::path wheel = t.w.wheel("alpha", "1.0");
    t.w.add({wheel});
    t.w.publish();
    const RunResult r = t.w.download({"alpha"}, {"--trust-dir", t.store.string()}, false);
    INFO(r.output);
    CHECK(r.status == 0);
    CHECK(fs::exists(t.w.dest / wheel.filename()));
  }
  SECTION("a name already pinned is refused") {
    const RunResult r = t.trust({"add", "localdev", "--root", t.w.root_v1().string(),
                                 "--metadata-url", t.metadata_url(), "--index-url",
                                 t.w.index_url()});
    CHECK(r.status == 1);
    CHECK(r.has("already exists"));
    CHECK(t.pinned_root() == v1);
  }
  SECTION("show of an unknown name fails") {
    const RunResult r = t.trust({"show", "nosuch"});
    CHECK(r.status == 1);
    CHECK(r.has("no repository named nosuch"));
  }
}

TEST_CASE("trust add refuses a root not signed by its own keys, and unsafe names", "[trust]") {
  TrustFixture t;
  // Version 1 re-signed by a key that root does not list.
  tuf::Root r = root_model(t.w.index, 1);
  const Ed25519Key stranger = Ed25519Key::generate();
  const std::string canonical = tuf::serialize_signed(r);
  const fs::path forged = t.w.tmp.path / "forged-root.json";
  write(forged, tuf::make_envelope(canonical, {stranger.sign(canonical)}));

  RunResult res = t.trust({"add", "forged", "--root", forged.string(), "--metadata-url",
                           t.metadata_url(), "--index-url", t.w.index_url()});
  INFO(res.output);
  CHECK(res.status == 1);
  CHECK(res.has("unsigned_metadata"));
  CHECK_FALSE(fs::exists(t.store / "forged"));

  res = t.trust({"add", "../escape", "--root", t.w.root_v1().string(), "--metadata-url",
                 t.metadata_url(), "--index-url", t.w.index_url()});
  CHECK(res.status == 1);
  CHECK_FALSE(fs::exists(t.store.parent_path() / "escape"));
  CHECK(names_in(t.store).empty());
}

TEST_CASE("trust add without --trust-dir writes the user's store", "[trust]") {
  TrustFixture t;
  const RunResult r = t.trust({"add", "localdev", "--root", t.w.root_v1().string(),
                               "--metadata-url", t.metadata_url(), "--index-url", t.w.index_url()},
                              false);
  INFO(r.output);
  REQUIRE(r.status == 0);
  const fs::path user = t.w.xdg_config / "tufget" / "trust_roots" / "localdev";
  CHECK(fs::exists(user / "root.json"));
  CHECK(fs::exists(user / "manifest.json"));
  const RunResult list = t.trust({"list"}, false);
  CHECK(list.has(user.string() + " (user)"));
}

TEST_CASE("trust update walks a rotation chain: key replaced, key added, expired intermediate, "
          "threshold raised, key removed",
          "[trust]") {
  TrustFixture t;
  t.add();
  const std::string v1 = read(t.w.root_v1());
  const std::string manifest_v1 = t.manifest();
  const std::string r1 = root_model(t.w.index, 1).roles.at("root").keyids.at(0);

  RunResult res = t.trust({"update", "--check"});
  INFO(res.output);
  CHECK(res.status == 0);
  CHECK(res.has("localdev: up to date (root version 1"));

  // v2: the index replaces its root key (signed by the old and the new key).
  t.w.publish({"--rotate-root"});
  const Ed25519Key r2 = Ed25519Key::of_index(t.w.index, "root");
  REQUIRE(r2.keyid != r1);
  res = t.trust({"update", "--check"});
  INFO(res.output);
  CHECK(res.status == 3);
  CHECK(res.has("newer root available: version 1 -> 2"));
  CHECK(t.pinned_root() == v1);
  CHECK(t.manifest() == manifest_v1);

  // v3: key A added next to R2 (threshold 1), and already expired: an intermediate root may be.
  const Ed25519Key a = Ed25519Key::generate();
  const Ed25519Key b = Ed25519Key::generate();
  tuf::Root v3 = next_root(t.w.index, 2);
  add_key(v3, "root", a);
  v3.expires = now() - 10 * kDay;
  publish_root(t.w.index, v3, {&r2, &a});
  // v4: key B added, the root threshold raised to 2, A also signs timestamp.
  tuf::Root v4 = next_root(t.w.index, 3);
  add_key(v4, "root", b);
  v4.roles.at("root").threshold = 2;
  add_key(v4, "timestamp", a);
  publish_root(t.w.index, v4, {&r2, &a});
  // v5: R2 removed (2 of {A, B}), A no longer signs timestamp.
  tuf::Root v5 = next_root(t.w.index, 4);
  remove_key(v5, "root", r2.keyid);
  remove_key(v5, "timestamp", a.keyid);
  v5.expires = now() + 400 * kDay;
  const std::string v5_bytes = publish_root(t.w.index, v5, {&a, &b});

  // --check --format json: the whole chain verified, nothing written, exit 3.
  res = t.trust({"update", "--check", "--format", "json"});
  REQUIRE(res.status == 3);
  {
    Json doc(res.output);
    CHECK(boolean(doc.doc["check"]));
    CHECK(u64(doc.doc["exit_status"]) == 3);
    simdjson::dom::element repo = doc.doc["repositories"].at(0);
    CHECK(str(repo["name"]) == "localdev");
    CHECK(str(repo["status"]) == "update_available");
    CHECK(u64(repo["version"]["from"]) == 1);
    CHECK(u64(repo["version"]["to"]) == 5);
    CHECK(u64(repo["rotations"]) == 4);
    CHECK(str(repo["expires"]["to"]) == tuf::format_datetime(v5.expires));
    CHECK_FALSE(boolean(repo["final_root_expired"]));
    CHECK(str(repo["root_sha256"]["from"]) == sha256_hex(v1));
    CHECK(str(repo["root_sha256"]["to"]) == sha256_hex(v5_bytes));
    CHECK_FALSE(boolean(repo["written"]));
    CHECK(repo["error"].is_null());
    simdjson::dom::element root = role_change(repo, "root");
    CHECK(u64(root["threshold"]["from"]) == 1);
    CHECK(u64(root["threshold"]["to"]) == 2);
    CHECK(keyids(root["keys_added"]) == sorted({a.keyid, b.keyid}));
    CHECK(keyids(root["keys_removed"]) == std::vector<std::string>{r1});
    simdjson::dom::array roles;
    REQUIRE(repo["roles"].get(roles) == simdjson::SUCCESS);
    CHECK(roles.size() == 1);  // timestamp: A added in v4 and removed in v5, no net change
  }
  CHECK(t.pinned_root() == v1);
  CHECK(t.manifest() == manifest_v1);

  res = t.trust({"update"});
  INFO(res.output);
  REQUIRE(res.status == 0);
  CHECK(res.has("localdev: updated version 1 -> 5"));
  CHECK(res.has("root: threshold 1 -> 2"));
  CHECK(res.has("root: key added   " + a.keyid + " (ed25519)"));
  CHECK(res.has("root: key added   " + b.keyid + " (ed25519)"));
  CHECK(res.has("root: key removed " + r1 + " (ed25519)"));
  CHECK(res.has("expires: " + tuf::format_datetime(root_model(t.w.index, 1).expires) + " -> " +
                tuf::format_datetime(v5.expires)));
  CHECK(t.pinned_root() == v5_bytes);
  {
    Json m(t.manifest());
    CHECK(u64(m.doc["root_version"]) == 5);
    CHECK(str(m.doc["root_sha256"]) == sha256_hex(v5_bytes));
    CHECK(str(m.doc["index_url"]) == t.w.index_url());
  }
  // Only the two root fields of the manifest changed, and no staging folder is left.
  std::string expected = manifest_v1;
  auto replace = [&](const std::string& from, const std::string& to) {
    const auto at = expected.find(from);
    REQUIRE(at != std::string::npos);
    expected.replace(at, from.size(), to);
  };
  replace("\"root_version\": 1", "\"root_version\": 5");
  replace(sha256_hex(v1), sha256_hex(v5_bytes));
  CHECK(t.manifest() == expected);
  CHECK(names_in(t.store) == std::vector<std::string>{"localdev"});
  CHECK(names_in(t.folder) == std::vector<std::string>{"manifest.json", "root.json"});

  res = t.trust({"update", "--check"});
  CHECK(res.status == 0);
  CHECK(res.has("up to date (root version 5"));
  res = t.trust({"show", "localdev"});
  CHECK(res.has("root: threshold 2 of 2 key(s)"));

  // The client starts from the new pin: its refresh verifies timestamp etc. with v5's keys.
  t.w.add({t.w.wheel("alpha", "1.0")});
  t.w.publish();
  res = t.w.download({"alpha"}, {"--trust-dir", t.store.string()}, false);
  INFO(res.output);
  CHECK(res.status == 0);
}

TEST_CASE("trust update refuses a root signed only by the new keys and changes nothing",
          "[trust]") {
  TrustFixture t;
  t.add();
  const std::string v1 = read(t.w.root_v1());
  const std::string manifest_v1 = t.manifest();
  // v2 is a valid rotation; v3 replaces R2 by C and is signed by C alone.
  t.w.publish({"--rotate-root"});
  const Ed25519Key r2 = Ed25519Key::of_index(t.w.index, "root");
  const Ed25519Key c = Ed25519Key::generate();
  tuf::Root v3 = next_root(t.w.index, 2);
  remove_key(v3, "root", r2.keyid);
  add_key(v3, "root", c);
  publish_root(t.w.index, v3, {&c});

  for (const char* check : {"--check", ""}) {
    std::vector<std::string> args = {"update"};
    if (*check) args.push_back(check);
    RunResult res = t.trust(args);
    INFO(res.output);
    CHECK(res.status == 1);
    CHECK(res.has("root version 3 (" + t.metadata_url() + "3.root.json) was not accepted"));
    CHECK(res.has("spec 5.3.4"));
    CHECK(res.has("threshold of the trusted root's (version 2) root keys"));
    CHECK(res.has("role:     root"));
    CHECK(res.has("expected: 1 valid signatures"));
    CHECK(res.has("got:      0"));
    CHECK(res.has("unsigned_metadata"));
    CHECK(res.has("verified: version 1 -> 2 before stopping"));
    CHECK(t.pinned_root() == v1);
    CHECK(t.manifest() == manifest_v1);
  }
  RunResult res = t.trust({"update", "--format", "json"});
  CHECK(res.status == 1);
  Json doc(res.output);
  CHECK(u64(doc.doc["exit_status"]) == 1);
  simdjson::dom::element repo = doc.doc["repositories"].at(0);
  CHECK(str(repo["status"]) == "error");
  CHECK_FALSE(boolean(repo["written"]));
  CHECK(str(repo["error"]["code"]) == "unsigned_metadata");
  CHECK(str(repo["error"]["role"]) == "root");
  CHECK(u64(repo["error"]["version"]) == 3);
  CHECK(str(repo["error"]["expected"]) == "1 valid signatures");
  CHECK(str(repo["error"]["got"]) == "0");
  CHECK(t.pinned_root() == v1);
}

TEST_CASE("trust update refuses a root not signed by a threshold of its own keys", "[trust]") {
  TrustFixture t;
  t.add();
  const std::string v1 = read(t.w.root_v1());
  const Ed25519Key r1 = Ed25519Key::of_index(t.w.index, "root");
  const Ed25519Key c = Ed25519Key::generate();
  const Ed25519Key d = Ed25519Key::generate();
  tuf::Root v2 = next_root(t.w.index, 1);
  remove_key(v2, "root", r1.keyid);
  add_key(v2, "root", c);
  add_key(v2, "root", d);
  v2.roles.at("root").threshold = 2;
  publish_root(t.w.index, v2, {&r1, &c});  // old threshold met; new needs C and D

  const RunResult res = t.trust({"update"});
  INFO(res.output);
  CHECK(res.status == 1);
  CHECK(res.has("threshold of its own root keys"));
  CHECK(res.has("expected: 2 valid signatures"));
  CHECK(res.has("got:      1"));
  CHECK(t.pinned_root() == v1);
}

TEST_CASE("trust update refuses a root whose version is not N+1", "[trust]") {
  TrustFixture t;
  t.add();
  const std::string v1 = read(t.w.root_v1());
  const Ed25519Key r1 = Ed25519Key::of_index(t.w.index, "root");
  tuf::Root v3 = next_root(t.w.index, 1);
  v3.version = 3;
  const std::string canonical = tuf::serialize_signed(v3);
  write(root_file(t.w.index, 2), tuf::make_envelope(canonical, {r1.sign(canonical)}));

  const RunResult res = t.trust({"update"});
  INFO(res.output);
  CHECK(res.status == 1);
  CHECK(res.has("spec 5.3.5"));
  CHECK(res.has("bad_version_number"));
  CHECK(res.has("expected: 2"));
  CHECK(res.has("got:      3"));
  CHECK(t.pinned_root() == v1);
}

TEST_CASE("trust update reports an expired final root and writes nothing", "[trust]") {
  TrustFixture t;
  t.add();
  const std::string v1 = read(t.w.root_v1());
  const std::string manifest_v1 = t.manifest();
  const Ed25519Key r1 = Ed25519Key::of_index(t.w.index, "root");
  const Ed25519Key a = Ed25519Key::generate();
  tuf::Root v2 = next_root(t.w.index, 1);
  add_key(v2, "root", a);
  v2.expires = now() - kDay;
  publish_root(t.w.index, v2, {&r1, &a});

  for (const char* check : {"--check", ""}) {
    std::vector<std::string> args = {"update"};
    if (*check) args.push_back(check);
    const RunResult res = t.trust(args);
    INFO(res.output);
    CHECK(res.status == 1);
    CHECK(res.has("the final root (version 2) is expired; nothing was written"));
    CHECK(res.has("spec 5.3.10"));
    CHECK(res.has("expired_metadata"));
    CHECK(res.has("root: key added   " + a.keyid));
    CHECK(t.pinned_root() == v1);
    CHECK(t.manifest() == manifest_v1);
  }
  const RunResult res = t.trust({"update", "--check", "--format", "json"});
  CHECK(res.status == 1);
  Json doc(res.output);
  simdjson::dom::element repo = doc.doc["repositories"].at(0);
  CHECK(boolean(repo["final_root_expired"]));
  CHECK(u64(repo["version"]["to"]) == 2);
  CHECK(str(repo["error"]["code"]) == "expired_metadata");

  // A later, valid root repairs it: the expired v2 is then only an intermediate.
  tuf::Root v3 = next_root(t.w.index, 2);
  publish_root(t.w.index, v3, {&r1, &a});
  const RunResult fixed = t.trust({"update"});
  INFO(fixed.output);
  CHECK(fixed.status == 0);
  CHECK(fixed.has("updated version 1 -> 3"));
}

TEST_CASE("trust update: a failed fetch is an error, never 'no newer root'", "[trust]") {
  TrustFixture t;
  t.add();
  const std::string v1 = read(t.w.root_v1());
  t.w.server.reset();  // connection refused from now on
  for (const char* check : {"--check", ""}) {
    std::vector<std::string> args = {"update"};
    if (*check) args.push_back(check);
    const RunResult res = t.trust(args);
    INFO(res.output);
    CHECK(res.status == 1);
    CHECK(res.has("2.root.json"));
    CHECK(res.has("transport"));
    CHECK(t.pinned_root() == v1);
  }
}

TEST_CASE("trust update refuses a pinned root that does not match its manifest", "[trust]") {
  TrustFixture t;
  t.add();
  t.w.publish({"--rotate-root"});
  flip_a_byte(t.folder / "root.json");
  const std::string tampered = t.pinned_root();
  const RunResult res = t.trust({"update"});
  INFO(res.output);
  CHECK(res.status == 1);
  CHECK(res.has("does not match the sha256 in its manifest"));
  CHECK(t.pinned_root() == tampered);
  const RunResult list = t.trust({"list"});
  CHECK(list.status == 0);
  CHECK(list.has("invalid"));
  CHECK(t.trust({"show", "localdev"}).status == 1);
}

TEST_CASE("trust update NAME only touches that repository: without NAME every pinned one",
          "[trust]") {
  TrustFixture t;
  t.add();
  // A second repository, pinned to the same index's root under another name and index URL.
  const std::string other_index = t.w.server->base() + "/other/simple/";
  RunResult res = t.trust({"add", "other", "--root", t.w.root_v1().string(), "--metadata-url",
                           t.metadata_url(), "--index-url", other_index});
  REQUIRE(res.status == 0);
  t.w.publish({"--rotate-root"});

  res = t.trust({"update", "other"});
  INFO(res.output);
  CHECK(res.status == 0);
  CHECK(res.has("other: updated version 1 -> 2"));
  CHECK_FALSE(res.has("localdev"));
  CHECK(u64(Json(t.manifest()).doc["root_version"]) == 1);

  res = t.trust({"update", "--check"});
  CHECK(res.status == 3);
  CHECK(res.has("localdev: newer root available"));
  CHECK(res.has("other: up to date (root version 2"));

  res = t.trust({"update"});
  CHECK(res.status == 0);
  CHECK(u64(Json(t.manifest()).doc["root_version"]) == 2);

  res = t.trust({"update", "nosuch"});
  CHECK(res.status == 1);
  CHECK(res.has("no repository named nosuch"));
}
