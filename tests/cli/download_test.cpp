// `tufget download NAME...` against `tufget index serve` over loopback (cli/download_cmd.cpp,
// cli/warehouse.cpp, cli/cache.cpp): verified downloads, and every tampering the Warehouse
// profile defends against refused with nothing written to the destination.
#include <catch2/catch.hpp>

#include "pkg/simple_page.h"
#include "warehouse_fixture.h"

using namespace warehouse_test;

namespace {

// TAP 15: the bin of a target path is the first four bytes of sha256(path), big-endian,
// shifted right by 32 - bit_length; its name is zero-padded lowercase hex.
std::string bin_of(const std::string& project, unsigned bit_length) {
  const std::string digest = sha256_hex(project);
  const std::uint32_t prefix = static_cast<std::uint32_t>(std::stoul(digest.substr(0, 8), nullptr, 16));
  const std::uint32_t bin = prefix >> (32 - bit_length);
  const unsigned width = (bit_length + 3) / 4;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%0*x", static_cast<int>(width), bin);
  return std::string("bins-") + buf;
}

bool faketime_available() { return std::system("command -v faketime >/dev/null 2>&1") == 0; }

// Nothing left behind in the client's staging folder.
bool staging_is_empty(const Warehouse& w) {
  return empty_or_absent(w.xdg_cache / "tufget" / "files" / "tmp");
}

}  // namespace

TEST_CASE("download verifies the newest wheel and a pinned version, with their .metadata",
          "[download]") {
  Warehouse w;
  const fs::path a1 = w.wheel("alpha", "1.0");
  const fs::path a2 = w.wheel("alpha", "2.0", "py3-none-any", ">=3.8");
  const fs::path b = w.wheel("beta", "0.1");
  w.add({a1, a2, b});
  w.publish();
  w.serve();

  RunResult r = w.download({"alpha", "beta"});
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK(names_in(w.dest) == std::vector<std::string>{
                                "alpha-2.0-py3-none-any.whl", "alpha-2.0-py3-none-any.whl.metadata",
                                "beta-0.1-py3-none-any.whl", "beta-0.1-py3-none-any.whl.metadata"});
  CHECK(read(w.dest / "alpha-2.0-py3-none-any.whl") == read(a2));
  CHECK(read(w.dest / "beta-0.1-py3-none-any.whl") == read(b));
  CHECK(read(w.dest / "alpha-2.0-py3-none-any.whl.metadata") == core_metadata("alpha", "2.0", ">=3.8"));
  // Each file says what verified it: the page's sha256, the page verified through its bin.
  CHECK(r.has("alpha-2.0-py3-none-any.whl: sha256 from TUF-verified simple page (targets -> " +
              bin_of("alpha", 4) + ", blake2b-256), " + std::to_string(fs::file_size(a2)) + " bytes"));
  CHECK(r.has("beta-0.1-py3-none-any.whl: sha256 from TUF-verified simple page (targets -> " +
              bin_of("beta", 4) + ", blake2b-256)"));
  CHECK(r.has("alpha-2.0-py3-none-any.whl.metadata: sha256 (PEP 658 core-metadata) from"));
  CHECK(staging_is_empty(w));

  // A pinned version, then a specifier, into a fresh destination.
  fs::remove_all(w.dest);
  r = w.download({"alpha==1.0"});
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK(names_in(w.dest) ==
        std::vector<std::string>{"alpha-1.0-py3-none-any.whl", "alpha-1.0-py3-none-any.whl.metadata"});
  CHECK(read(w.dest / "alpha-1.0-py3-none-any.whl") == read(a1));
  r = w.download({"Alpha<2"});  // names are normalised; DEST already holds 1.0
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK(r.has("alpha-1.0-py3-none-any.whl: sha256 from TUF-verified simple page"));
  CHECK(r.has("already in"));

  // Nothing matches / no such project: refused, DEST untouched.
  fs::remove_all(w.dest);
  r = w.download({"alpha==3.0"});
  CHECK(r.status == 1);
  CHECK(r.has("no wheel of alpha"));
  CHECK(r.has("wheel versions listed: 1.0, 2.0"));
  r = w.download({"gamma"});
  CHECK(r.status == 1);
  CHECK(r.has("does not list this project"));
  CHECK(empty_or_absent(w.dest));

  // Malformed requirements are usage errors.
  CHECK(w.download({"alpha[extra]"}).status == 2);
  CHECK(w.download({"alpha==="}).status == 2);
  CHECK(w.download({"alpha", "ALPHA"}).status == 2);
}

TEST_CASE("download picks the best wheel for the target interpreter and platform", "[download]") {
  Warehouse w;
  w.add({w.wheel("alpha", "1.0"), w.wheel("alpha", "2.0", "py3-none-any", ">=3.12"),
         w.wheel("alpha", "3.0", "cp311-cp311-manylinux_2_17_x86_64")});
  w.publish();
  w.serve();
  auto chosen = [&](std::vector<std::string> extra) {
    fs::remove_all(w.dest);
    const RunResult r = w.download({"alpha"}, std::move(extra));
    INFO(r.output);
    REQUIRE(r.status == 0);
    auto names = names_in(w.dest);
    REQUIRE(names.size() == 2);
    return names[0];
  };
  // --python-version 3.11 is the fixture's default.
  CHECK(chosen({"--platform", "manylinux_2_17_x86_64"}) == "alpha-3.0-cp311-cp311-manylinux_2_17_x86_64.whl");
  CHECK(chosen({"--platform", "win_amd64"}) == "alpha-1.0-py3-none-any.whl");  // 2.0 needs 3.12
  CHECK(chosen({"--platform", "win_amd64", "--python-version", "3.12"}) == "alpha-2.0-py3-none-any.whl");
  CHECK(chosen({"--platform", "manylinux_2_17_x86_64", "--python-version", "3.12"}) ==
        "alpha-2.0-py3-none-any.whl");
}

TEST_CASE("a tampered simple page, wheel or .metadata file is refused and nothing lands in DEST",
          "[download]") {
  Warehouse w;
  const fs::path a = w.wheel("alpha", "2.0");
  w.add({a, w.wheel("beta", "1.0")});
  w.publish();
  w.serve();
  const std::string wheel_sha = sha256_hex(read(a));

  // A hostile server changes every copy of the page it serves: the signed one and the PEP 503
  // URL that download fetches alongside the bin.
  const fs::path signed_copy = w.signed_page("alpha");
  const fs::path unsigned_copy = signed_copy.parent_path() / "index.html";
  SECTION("page: one byte changed") {
    flip_a_byte(signed_copy);
    flip_a_byte(unsigned_copy);
    const RunResult r = w.download({"beta", "alpha"});
    INFO(r.output);
    CHECK(r.status == 1);
    CHECK(r.has("length_or_hash_mismatch"));
    CHECK(r.has("simple page"));
  }
  SECTION("page: longer than the bin says") {
    for (const fs::path& page : {signed_copy, unsigned_copy}) write(page, read(page) + "<!-- more -->\n");
    const RunResult r = w.download({"alpha"});
    INFO(r.output);
    CHECK(r.status == 1);
    CHECK((r.has("too_large") || r.has("length_or_hash_mismatch")));
  }
  SECTION("wheel") {
    flip_a_byte(w.package(a));
    const RunResult r = w.download({"alpha"});
    INFO(r.output);
    CHECK(r.status == 1);
    CHECK(r.has("alpha-2.0-py3-none-any.whl: sha256 differs from the TUF-verified simple page"));
    CHECK(r.has("nothing was written"));
    CHECK_FALSE(fs::exists(w.cached(wheel_sha)));
  }
  SECTION(".metadata") {
    flip_a_byte(fs::path(w.package(a).string() + ".metadata"));
    const RunResult r = w.download({"alpha", "beta"});
    INFO(r.output);
    CHECK(r.status == 1);
    CHECK(r.has("alpha-2.0-py3-none-any.whl.metadata: sha256 differs"));
  }
  // All or nothing: not even the files that did verify.
  CHECK(empty_or_absent(w.dest));
  CHECK(staging_is_empty(w));
}

TEST_CASE("a project removed from its bin is refused although the server still has its page",
          "[download]") {
  Warehouse w({"--bins", "16"});
  // A second project in alpha's bin, so that changing it makes the index re-sign that bin.
  std::string sibling;
  for (int i = 0; sibling.empty() && i < 1000; ++i) {
    const std::string name = "sibling" + std::to_string(i);
    if (bin_of(name, 4) == bin_of("alpha", 4)) sibling = name;
  }
  REQUIRE(!sibling.empty());
  w.add({w.wheel("alpha", "1.0"), w.wheel(sibling, "1.0")});
  w.publish();
  w.serve();
  REQUIRE(w.download({"alpha"}).status == 0);  // the client now holds the bin listing alpha
  fs::remove_all(w.dest);

  edit_index_projects(w.index, [](auto& projects) { projects.erase("alpha"); });
  w.add({w.wheel(sibling, "2.0")});
  w.publish();
  REQUIRE(fs::exists(w.signed_page("alpha")));  // still there, still served
  CHECK(http_get(w.server->port(), "/simple/alpha/").status == 200);

  const RunResult r = w.download({"alpha"});
  INFO(r.output);
  CHECK(r.status == 1);
  CHECK(r.has("target_not_found"));
  CHECK(r.has("its bin " + bin_of("alpha", 4) + " has no such target"));
  CHECK(empty_or_absent(w.dest));
  CHECK(w.download({sibling}).status == 0);
}

TEST_CASE("rolled-back metadata is refused: an older bin or an older timestamp", "[download]") {
  Warehouse w;
  w.add({w.wheel("alpha", "1.0")});
  w.publish();  // bins v2, timestamp v2
  const fs::path meta = w.index / "tuf-metadata";
  const std::string old_timestamp = read(meta / "timestamp.json");
  w.serve();
  REQUIRE(w.download({"alpha"}).status == 0);
  w.add({w.wheel("alpha", "2.0")});
  w.publish();  // alpha's bin v3, timestamp v3
  const std::string bin = bin_of("alpha", 4);
  REQUIRE(fs::exists(meta / ("3." + bin + ".json")));
  fs::remove_all(w.dest);

  SECTION("the old bin served under the new version's name") {
    fs::copy_file(meta / ("2." + bin + ".json"), meta / ("3." + bin + ".json"),
                  fs::copy_options::overwrite_existing);
    const RunResult r = w.download({"alpha==2.0"});
    INFO(r.output);
    CHECK(r.status == 1);
    CHECK(r.has("bad_version_number"));
    CHECK(r.has(bin));
  }
  SECTION("the old timestamp, to a client that has seen the new one") {
    REQUIRE(w.download({"alpha==2.0"}).status == 0);
    fs::remove_all(w.dest);
    write(meta / "timestamp.json", old_timestamp);
    const RunResult r = w.download({"alpha==1.0"});
    INFO(r.output);
    CHECK(r.status == 1);
    CHECK(r.has("bad_version_number"));
    CHECK(r.has("timestamp"));
  }
  CHECK(empty_or_absent(w.dest));
}

TEST_CASE("an expired bin is refused", "[download]") {
  if (!faketime_available()) {
    WARN("faketime is not installed: skipping the expired-bin test");
    return;
  }
  // Bins expire after one day. Then timestamp and snapshot are renewed for 30 days while the
  // bins keep their one-day expiry: the index is told (in its state file) that its bins are
  // not due for renewal, so it leaves the signed bin files as they are.
  Warehouse w({"--bins", "16", "--expires-days", "1"});
  w.add({w.wheel("alpha", "1.0")});
  w.publish();
  const std::string bin = bin_of("alpha", 4);
  const std::string signed_bin = read(w.index / "tuf-metadata" / ("2." + bin + ".json"));
  edit_index_state(w.index, [](std::map<std::string, std::string>& fields) {
    simdjson::dom::parser parser;
    simdjson::dom::array bins;
    REQUIRE(parser.parse(fields.at("bins")).get(bins) == simdjson::SUCCESS);
    std::string out = "[";
    for (auto entry : bins) {
      const std::uint64_t version = entry.at(0).get_uint64().value();
      out += (out.size() > 1 ? ",[" : "[") + std::to_string(version) + ",4102444800]";
    }
    fields["bins"] = out + "]";
  });
  w.publish({"--expires-days", "30"});
  REQUIRE(read(w.index / "tuf-metadata" / ("2." + bin + ".json")) == signed_bin);
  REQUIRE_FALSE(fs::exists(w.index / "tuf-metadata" / ("3." + bin + ".json")));
  w.serve();

  const std::vector<std::string> in_two_days = {"FAKETIME_DONT_FAKE_MONOTONIC=1", "faketime", "-f", "+2d"};
  const RunResult r = w.download({"alpha"}, {}, true, in_two_days);
  INFO(r.output);
  CHECK(r.status == 1);
  CHECK(r.has("expired_metadata"));
  CHECK(r.has(bin));
  CHECK(empty_or_absent(w.dest));
  // Today the same repository is fine.
  const RunResult ok = w.download({"alpha"});
  INFO(ok.output);
  CHECK(ok.status == 0);
}

TEST_CASE("a signed page that lists another project's files is refused", "[download]") {
  Warehouse w;
  w.add({w.wheel("alpha", "1.0"), w.wheel("beta", "1.0")});
  w.publish();
  // The index is made to sign, as alpha's page, a page listing beta's files.
  edit_index_projects(w.index, [](auto& projects) { projects["alpha"] = mark_dirty(projects["beta"]); });
  w.publish();
  REQUIRE(read(w.signed_page("alpha")).find("beta-1.0-py3-none-any.whl") != std::string::npos);
  w.serve();

  const RunResult r = w.download({"alpha"});
  INFO(r.output);
  CHECK(r.status == 1);
  CHECK(r.has("another project"));
  CHECK(empty_or_absent(w.dest));
}

TEST_CASE("download works against an index with 16384 bins", "[download][slow]") {
  Warehouse w({"--bins", "16384"});
  w.add({w.wheel("alpha", "1.0"), w.wheel("beta", "2.0")});
  w.publish();
  w.serve();
  const RunResult r = w.download({"alpha", "beta"});
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK(r.has("(targets -> " + bin_of("alpha", 14) + ", blake2b-256)"));
  CHECK(r.has("(targets -> " + bin_of("beta", 14) + ", blake2b-256)"));
  CHECK(bin_of("alpha", 14).size() == std::string("bins-0000").size());
  CHECK(names_in(w.dest).size() == 4);
}

TEST_CASE("the index's PEP 503 and PEP 691 pages give the same candidates", "[download]") {
  Warehouse w;
  const fs::path sdist = w.wheels / "alpha-1.5.tar.gz";
  write(sdist, "an sdist the index does not open");
  w.add({w.wheel("alpha", "1.0"), w.wheel("alpha", "2.0", "py3-none-any", ">=3.8, <4"), sdist});
  w.publish();
  w.serve();

  const std::string page_url = w.server->base() + "/simple/alpha/";
  const HttpResponse html = http_get(w.server->port(), "/simple/alpha/", "text/html");
  const HttpResponse json = http_get(w.server->port(), "/simple/alpha/", "application/vnd.pypi.simple.v1+json");
  REQUIRE(html.status == 200);
  REQUIRE(json.status == 200);
  CHECK(json.content_type == "application/vnd.pypi.simple.v1+json");
  CHECK(html.body == read(w.signed_page("alpha")));  // the negotiated HTML is the signed page

  auto from_html = pkg::parse_simple_html(html.body, page_url);
  auto from_json = pkg::parse_simple_json(json.body, page_url);
  REQUIRE(from_html.has_value());
  REQUIRE(from_json.has_value());
  REQUIRE(from_html->files.size() == 3);
  REQUIRE(from_json->files.size() == from_html->files.size());
  for (std::size_t i = 0; i < from_html->files.size(); ++i) {
    const pkg::DistFile& h = from_html->files[i];
    const pkg::DistFile& j = from_json->files[i];
    INFO(h.filename);
    CHECK(h.filename == j.filename);
    CHECK(h.url == j.url);
    CHECK(h.hashes == j.hashes);
    CHECK(h.requires_python == j.requires_python);
    CHECK(h.yanked == j.yanked);
    CHECK(h.core_metadata == j.core_metadata);
  }
  CHECK(from_json->name == std::optional<std::string>("alpha"));

  const RunResult r = w.download({"alpha"});
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK(fs::exists(w.dest / "alpha-2.0-py3-none-any.whl"));
}

TEST_CASE("the download cache is content-addressed and re-verified before reuse", "[download]") {
  Warehouse w;
  const fs::path a = w.wheel("alpha", "1.0");
  w.add({a});
  w.publish();
  w.serve();
  const std::string sha = sha256_hex(read(a));

  REQUIRE(w.download({"alpha"}).status == 0);
  REQUIRE(fs::exists(w.cached(sha)));
  CHECK(read(w.cached(sha)) == read(a));

  // A hit is copied out and re-hashed.
  fs::remove_all(w.dest);
  RunResult r = w.download({"alpha"});
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK(r.has("alpha-1.0-py3-none-any.whl: sha256 from TUF-verified simple page (targets -> " +
              bin_of("alpha", 4) + ", blake2b-256), " + std::to_string(fs::file_size(a)) +
              " bytes, from the download cache (re-verified)"));
  CHECK(read(w.dest / a.filename()) == read(a));

  // A corrupted entry is dropped and the file downloaded again.
  flip_a_byte(w.cached(sha));
  fs::remove_all(w.dest);
  r = w.download({"alpha"});
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK(r.has("no longer matches its sha256"));
  CHECK_FALSE(r.has("alpha-1.0-py3-none-any.whl: sha256 from TUF-verified simple page (targets -> " +
                    bin_of("alpha", 4) + ", blake2b-256), " + std::to_string(fs::file_size(a)) +
                    " bytes, from the download cache"));
  CHECK(read(w.dest / a.filename()) == read(a));
  CHECK(read(w.cached(sha)) == read(a));

  // --no-cache neither reads nor writes it.
  fs::remove_all(w.xdg_cache / "tufget" / "files");
  fs::remove_all(w.dest);
  r = w.download({"alpha"}, {"--no-cache"});
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK_FALSE(r.has("from the download cache"));
  CHECK_FALSE(fs::exists(w.cached(sha)));
}

TEST_CASE("download takes project names or --target-name, not both", "[download]") {
  const RunResult r = run({"--target-name", "x", "download", "alpha"});
  CHECK(r.status == 2);
  CHECK(r.has("not both"));
}
