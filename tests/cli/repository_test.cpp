// The client's repository configuration (cli/repository.cpp), through `tufget download`:
// trust-root manifests, the pinned root's sha256, refusal of unknown repositories, --root,
// trust on first use, the target URL rule, and the client's own newer root.
#include <catch2/catch.hpp>

#include "warehouse_fixture.h"

using namespace warehouse_test;

namespace {

// A Warehouse with alpha 1.0 published and served.
struct Served : Warehouse {
  Served() {
    add({wheel("alpha", "1.0")});
    publish();
    serve();
  }
  fs::path user_store() const { return xdg_config / "tufget" / "trust_roots"; }
  std::string manifest_json(const std::string& name, const std::string& root_sha256,
                            std::uint64_t root_version, const std::string& extra = "") const {
    std::string m = "{\n  \"name\": \"" + name + "\",\n  \"index_url\": \"" + index_url() +
                    "\",\n  \"metadata_url\": \"" + server->base() + "/tuf-metadata/\"";
    if (!root_sha256.empty()) {
      m += ",\n  \"root_version\": " + std::to_string(root_version) + ",\n  \"root_sha256\": \"" +
           root_sha256 + "\"";
    }
    return m + extra + "\n}\n";
  }
  // <store>/<name>/{manifest.json, root.json (a copy of 1.root.json, when pinned)}.
  fs::path pin(const fs::path& store, const std::string& name, bool with_root = true,
               const std::string& extra = "") const {
    const fs::path dir = store / name;
    fs::create_directories(dir);
    std::string sha;
    if (with_root) {
      fs::copy_file(root_v1(), dir / "root.json", fs::copy_options::overwrite_existing);
      sha = sha256_hex(read(root_v1()));
    }
    write(dir / "manifest.json", manifest_json(name, sha, 1, extra));
    return dir;
  }
  std::string serve_log() const { return read(index.parent_path() / "index.serve.log"); }
};

}  // namespace

TEST_CASE("a manifest in the user's trust store pins the repository's root", "[cli][repository]") {
  Served w;
  w.pin(w.user_store(), "localdev");
  const RunResult r = w.download({"alpha"}, {"-v"}, /*with_root=*/false);
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK(r.has("repository localdev:"));
  CHECK(r.has("localdev/root.json (pinned, version 1)"));
  CHECK(fs::exists(w.dest / "alpha-1.0-py3-none-any.whl"));
  // Client metadata lives under $XDG_CACHE_HOME/tufget/<repository>/metadata.
  CHECK(fs::exists(w.xdg_cache / "tufget" / "localdev" / "metadata" / "timestamp.json"));
}

TEST_CASE("the --trust-dir store is searched before the user's trust store", "[cli][repository]") {
  Served w;
  // The user's store has a broken pin for the same URL; --trust-dir's good one wins.
  const fs::path bad = w.pin(w.user_store(), "localdev");
  flip_a_byte(bad / "root.json");
  const fs::path store = w.tmp.path / "store";
  w.pin(store, "other-name");
  const RunResult r = w.download({"alpha"}, {"--trust-dir", store.string(), "-v"}, false);
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK(r.has("repository other-name:"));
  CHECK(w.download({"alpha"}, {"--trust-dir", (w.tmp.path / "missing").string()}, false).status == 1);
}

TEST_CASE("a pinned root whose sha256 differs from its manifest is refused before any fetch",
          "[cli][repository]") {
  Served w;
  const fs::path dir = w.pin(w.user_store(), "localdev");
  SECTION("root.json changed") {
    std::string root = read(dir / "root.json");
    root.insert(root.size() - 1, " ");  // still valid JSON, still the same signatures
    write(dir / "root.json", root);
  }
  SECTION("root.json replaced by another repository's root") {
    Warehouse other;
    fs::copy_file(other.root_v1(), dir / "root.json", fs::copy_options::overwrite_existing);
  }
  const RunResult r = w.download({"alpha"}, {}, false);
  INFO(r.output);
  CHECK(r.status == 1);
  CHECK(r.has("does not match the sha256 in its manifest"));
  CHECK(empty_or_absent(w.dest));
  CHECK(w.serve_log().find("/tuf-metadata/") == std::string::npos);
}

TEST_CASE("a manifest's root_version must be the pinned root's version", "[cli][repository]") {
  Served w;
  const fs::path dir = w.pin(w.user_store(), "localdev");
  std::string m = read(dir / "manifest.json");
  m.replace(m.find("\"root_version\": 1"), 17, "\"root_version\": 2");
  write(dir / "manifest.json", m);
  const RunResult r = w.download({"alpha"}, {}, false);
  INFO(r.output);
  CHECK(r.status == 1);
  CHECK(r.has("bad_version_number"));
  CHECK(r.has("not the version its manifest names"));
}

TEST_CASE("an index URL without a pinned root is refused unless --root or --trust-on-first-use",
          "[cli][repository]") {
  Served w;
  SECTION("no manifest at all") {}
  SECTION("a manifest without a pinned root") { w.pin(w.user_store(), "localdev", /*with_root=*/false); }

  RunResult r = w.download({"alpha"}, {}, false);
  INFO(r.output);
  CHECK(r.status == 1);
  CHECK(r.has("--trust-on-first-use"));
  CHECK(r.has("--root FILE"));
  CHECK(empty_or_absent(w.dest));

  // --root: the user's explicit choice.
  r = w.download({"alpha"});
  INFO(r.output);
  CHECK(r.status == 0);
}

TEST_CASE("trust on first use warns loudly and is remembered", "[cli][repository]") {
  Served w;
  RunResult r = w.download({"alpha"}, {"--trust-on-first-use"}, false);
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK(r.has("WARNING: TRUST ON FIRST USE"));
  CHECK(r.has("sha256 " + sha256_hex(read(w.root_v1()))));
  // The root it adopted is the client's now; later runs say so.
  fs::remove_all(w.dest);
  r = w.download({"alpha"}, {"--trust-on-first-use"}, false);
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK_FALSE(r.has("WARNING: TRUST ON FIRST USE"));
  CHECK(r.has("trusted on first use earlier"));
  // Without the flag, still refused: the repository has no pinned root.
  CHECK(w.download({"alpha"}, {}, false).status == 1);
}

TEST_CASE("manifests are checked field by field", "[cli][repository]") {
  Served w;
  std::string expect;
  SECTION("unknown field") {
    w.pin(w.user_store(), "localdev", true, ",\n  \"target_url_rules\": \"x\"");
    expect = "unknown field \"target_url_rules\"";
  }
  SECTION("name differs from its folder") {
    const fs::path dir = w.pin(w.user_store(), "localdev");
    fs::rename(dir, w.user_store() / "elsewhere");
    expect = "differs from the folder name";
  }
  SECTION("bad placeholder in the target URL rule") {
    w.pin(w.user_store(), "localdev", true, ",\n  \"target_url_rule\": \"{index_url}{nope}\"");
    expect = "unknown placeholder {nope}";
  }
  SECTION("root.json without root_sha256") {
    const fs::path dir = w.pin(w.user_store(), "localdev", false);
    fs::copy_file(w.root_v1(), dir / "root.json");
    expect = "pins no root_sha256";
  }
  // The broken manifest is skipped (so its index URL has no pin), and the refusal says why.
  const RunResult r = w.download({"alpha"}, {}, false);
  INFO(r.output);
  CHECK(r.status == 1);
  CHECK(r.has("skipped"));
  CHECK(r.has(expect));
}

TEST_CASE("the manifest's target URL rule maps a project to its page URL", "[cli][repository]") {
  Served w;
  // The index serves the signed page's bytes at /simple/<name>/ too: same bytes, other URL.
  w.pin(w.user_store(), "localdev", true, ",\n  \"target_url_rule\": \"{index_url}{name}/\"");
  const RunResult r = w.download({"alpha"}, {}, false);
  INFO(r.output);
  REQUIRE(r.status == 0);
  const std::string log = w.serve_log();
  CHECK(log.find("GET /simple/alpha/ ") != std::string::npos);
  CHECK(log.find(".alpha.html") == std::string::npos);
}

TEST_CASE("after a root rotation the client keeps the newer root it verified", "[cli][repository]") {
  Served w;
  w.pin(w.user_store(), "localdev");
  w.publish({"--rotate-root"});
  RunResult r = w.download({"alpha"}, {}, false);
  INFO(r.output);
  REQUIRE(r.status == 0);
  fs::remove_all(w.dest);
  r = w.download({"alpha"}, {"-v"}, false);
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK(r.has("(version 2, verified from the pinned version 1)"));
  // --metadata-dir puts the client's metadata elsewhere (and starts from the pin again).
  const fs::path md = w.tmp.path / "md";
  fs::remove_all(w.dest);
  r = w.download({"alpha"}, {"--metadata-dir", md.string(), "-v"}, false);
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK(r.has("(pinned, version 1)"));
  CHECK(fs::exists(md / "root.json"));
}

// ---- --root FILE is the initial root of the metadata directory's chain -------------------------

namespace {

fs::path root_file(const Warehouse& w, int version) {
  return w.index / "tuf-metadata" / (std::to_string(version) + ".root.json");
}

// tufget download alpha with --root FILE and --metadata-dir MD (and a fresh DEST).
RunResult download_with(Warehouse& w, const fs::path& root, const fs::path& md,
                        std::vector<std::string> extra = {}) {
  fs::remove_all(w.dest);
  extra.insert(extra.end(), {"--root", root.string(), "--metadata-dir", md.string()});
  return w.download({"alpha"}, extra, /*with_root=*/false);
}

}  // namespace

TEST_CASE("a client given --root after a root rotation starts from the newer root: a v2 signed by the rotated-out "
          "keys is refused",
          "[cli][repository][root][attack]") {
  Served w;
  // The attacker keeps a copy of the repository's keys as they are before the rotation.
  const fs::path evil = w.tmp.path / "evil-index";
  fs::copy(w.index, evil, fs::copy_options::recursive);
  w.publish({"--rotate-root", "--rotate-online"});  // v2: new root, timestamp and snapshot keys

  const fs::path md = w.tmp.path / "md";
  RunResult r = download_with(w, w.root_v1(), md);
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK(read(md / "root.json") == read(root_file(w, 2)));
  CHECK(read(md / "root-chain.txt").find(sha256_hex(read(w.root_v1())) + " 1\n") !=
        std::string::npos);
  // The same --root again (as scripts/demo.sh passes it on every run): the verified v2 is used.
  r = download_with(w, w.root_v1(), md, {"-v"});
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK(r.has("(version 2, verified from --root " + w.root_v1().string() + " version 1)"));

  // The attacker serves another version 2, signed by the old root key (and a new one of its
  // own), with timestamp and snapshot signed by the old keys, and a new alpha.
  w.wheel("alpha", "2.0");
  run_ok({"index", "add", evil.string(), (w.wheels / "alpha-2.0-py3-none-any.whl").string()});
  run_ok({"index", "publish", evil.string(), "--rotate-root"});
  REQUIRE(read(evil / "tuf-metadata" / "2.root.json") != read(root_file(w, 2)));
  w.server.reset();
  w.server = std::make_unique<Server>(evil);

  // A client that only knows version 1 would take it: the attack is real.
  const fs::path fresh = w.tmp.path / "fresh-md";
  r = download_with(w, w.root_v1(), fresh);
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK(fs::exists(w.dest / "alpha-2.0-py3-none-any.whl"));

  // The client that verified the real version 2 refuses it, with the same --root 1.root.json.
  const std::string md_before = read(md / "root.json");
  r = download_with(w, w.root_v1(), md);
  INFO(r.output);
  CHECK(r.status == 1);
  CHECK(r.has("timestamp"));
  CHECK(r.has("not signed by a threshold"));
  CHECK(empty_or_absent(w.dest));
  CHECK(read(md / "root.json") == md_before);
}

TEST_CASE("a --root is refused for a metadata directory whose chain started from another root",
          "[cli][repository][root]") {
  Served w;
  Served other;  // another repository, with its own keys
  w.publish({"--rotate-root"});
  const fs::path md = w.tmp.path / "md";
  REQUIRE(download_with(w, w.root_v1(), md).status == 0);
  const std::string stored = read(md / "root.json");

  // Another repository's root (version 1, not a root of md's chain).
  RunResult r = download_with(w, other.root_v1(), md);
  INFO(r.output);
  CHECK(r.status == 1);
  CHECK(r.has("is not a root of the chain of trust kept in " + md.string()));
  CHECK(r.has("started from another root (sha256 " + sha256_hex(read(w.root_v1())) + ", version 1)"));
  CHECK(r.has("--metadata-dir with a new folder, or remove " + md.string()));
  CHECK(read(md / "root.json") == stored);
  CHECK(empty_or_absent(w.dest));

  // A directory without a record (an older tufget's, or hand-made): its origin is unknown.
  fs::remove(md / "root-chain.txt");
  r = download_with(w, w.root_v1(), md);
  INFO(r.output);
  CHECK(r.status == 1);
  CHECK(r.has("without a record of the root its chain started from"));
  // ... unless --root is the root it holds.
  REQUIRE(download_with(w, root_file(w, 2), md).status == 0);
  REQUIRE(download_with(w, w.root_v1(), md).status == 1);

  // A fresh directory starts from whatever --root names.
  r = download_with(w, w.root_v1(), w.tmp.path / "md2");
  INFO(r.output);
  CHECK(r.status == 0);
}

TEST_CASE("a newer --root continues the directory's chain only as a verified rotation",
          "[cli][repository][root]") {
  Served w;
  Served other;
  w.publish({"--rotate-root"});
  const fs::path md = w.tmp.path / "md";
  REQUIRE(download_with(w, w.root_v1(), md).status == 0);  // md: v2
  w.publish({"--rotate-root"});                            // v3

  // Version 3 of another repository is not signed by md's version 2 keys.
  other.publish({"--rotate-root"});
  other.publish({"--rotate-root"});
  RunResult r = download_with(w, root_file(other, 3), md);
  INFO(r.output);
  CHECK(r.status == 1);
  CHECK(r.has("accepts a newer --root only as a verified rotation"));
  CHECK(r.has("not signed by a threshold"));
  CHECK(read(md / "root.json") == read(root_file(w, 2)));

  // The repository's own version 3 is: it becomes the directory's root.
  r = download_with(w, root_file(w, 3), md);
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK(read(md / "root.json") == read(root_file(w, 3)));

  // Version 5 cannot be checked against version 3 without 4.
  w.publish({"--rotate-root"});
  w.publish({"--rotate-root"});
  r = download_with(w, root_file(w, 5), md);
  INFO(r.output);
  CHECK(r.status == 1);
  CHECK(r.has("only version 4 can be checked"));
  CHECK(read(md / "root.json") == read(root_file(w, 3)));
  // Any root of the chain the directory knows walks to 5: where it started, or 3.
  REQUIRE(download_with(w, w.root_v1(), md).status == 0);
  CHECK(read(md / "root.json") == read(root_file(w, 5)));
  REQUIRE(download_with(w, root_file(w, 3), md).status == 0);
  REQUIRE(download_with(w, root_file(w, 5), md).status == 0);

  // `tufget init` (the conformance protocol) replaces the chain: the record goes.
  run_ok({"--metadata-dir", md.string(), "init", w.root_v1().string()});
  CHECK_FALSE(fs::exists(md / "root-chain.txt"));
  CHECK(read(md / "root.json") == read(w.root_v1()));
}

TEST_CASE("a pinned repository does not continue a chain that another root started",
          "[cli][repository][root]") {
  Served w;
  Served other;
  w.pin(w.user_store(), "localdev");
  const fs::path md = w.tmp.path / "md";
  // --root names another repository's root for this index: the refresh fails, but md's chain
  // now starts from that root.
  RunResult r = download_with(w, other.root_v1(), md);
  INFO(r.output);
  REQUIRE(r.status == 1);
  REQUIRE(read(md / "root.json") == read(other.root_v1()));
  // The pin starts from itself, not from md's root.json of the other chain.
  fs::remove_all(w.dest);
  r = w.download({"alpha"}, {"--metadata-dir", md.string(), "-v"}, /*with_root=*/false);
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK(r.has("(pinned, version 1)"));
  CHECK(read(md / "root.json") == read(w.root_v1()));
}
