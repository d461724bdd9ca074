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
