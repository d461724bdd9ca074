// WarehouseClient against a loopback TUF-enabled index: refresh, lookup in the hash bins, and
// pages accepted only when their bytes match the bin's length and hashes.
#include <catch2/catch.hpp>

#include <fstream>

#include "client/warehouse.h"
#include "client_fixture.h"
#include "tuf_io/http.h"

using namespace client_test;

namespace {

tuf_io::HttpOptions loopback_options() {
  tuf_io::HttpOptions o;
  o.use_proxy_env = false;
  return o;
}

// A client of `idx` (--root 1.root.json), refreshed.
struct Refreshed {
  tuf_io::HttpClient http{loopback_options()};
  std::optional<tufget::WarehouseClient> client;
  explicit Refreshed(const LocalIndex& idx) {
    auto repo = tufget::resolve_repository(idx.options());
    REQUIRE(repo);
    CHECK(repo->root_source == tufget::RootSource::root_option);
    client.emplace(std::move(*repo), http, 0);
    REQUIRE(client->refresh(tufget::wall_clock_now()));
  }
};

}  // namespace

TEST_CASE("WarehouseClient refreshes, looks projects up and fetches their verified pages",
          "[client][warehouse]") {
  LocalIndex idx({{"alpha", "1.0"}, {"beta", "2.0"}});
  Refreshed r(idx);
  tufget::WarehouseClient& client = *r.client;
  CHECK(fs::exists(idx.tmp.path / "client-metadata" / "timestamp.json"));

  auto alpha = client.lookup("alpha");
  REQUIRE(alpha);
  auto beta = client.lookup("beta");
  REQUIRE(beta);
  CHECK_FALSE(client.bin_for("alpha").empty());

  auto missing = client.lookup("gamma");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == tuf::Errc::target_not_found);

  auto pages = client.fetch_pages({*alpha, *beta});
  REQUIRE(pages.size() == 2);
  REQUIRE(pages[0]);
  REQUIRE(pages[1]);
  CHECK(pages[0]->project == "alpha");
  CHECK(pages[1]->project == "beta");
  REQUIRE(pages[0]->page.files.size() == 1);
  CHECK(pages[0]->page.files[0].filename == "alpha-1.0-py3-none-any.whl");
  CHECK(pages[0]->provenance().find("TUF-verified") != std::string::npos);
}

TEST_CASE("WarehouseClient refuses a page whose bytes do not match its bin", "[client][warehouse]") {
  LocalIndex idx({{"alpha", "1.0"}, {"beta", "2.0"}});
  Refreshed r(idx);
  tufget::WarehouseClient& client = *r.client;
  auto alpha = client.lookup("alpha");
  REQUIRE(alpha);
  auto beta = client.lookup("beta");
  REQUIRE(beta);

  // Same length, one byte changed: only the hash can tell.
  warehouse_test::flip_a_byte(idx.signed_page("alpha"));
  auto pages = client.fetch_pages({*alpha, *beta});
  REQUIRE(pages.size() == 2);
  REQUIRE_FALSE(pages[0]);
  CHECK(pages[0].error().code == tuf::Errc::length_or_hash_mismatch);
  // The other project's page is unaffected.
  REQUIRE(pages[1]);
  CHECK(pages[1]->project == "beta");
}

namespace {

// The fixture's server, plus what Warehouse serves unsigned: <project>/ is its index.html.
void serve_pep503_urls(LocalIndex& idx) {
  idx.server.set_handler([files = static_files(idx.index)](const tufget_test::Request& r) {
    tufget_test::Request copy = r;
    if (copy.target.ends_with("/")) copy.target += "index.html";
    return files(copy);
  });
}

std::size_t requested(const LocalIndex& idx, const std::string& target) {
  std::size_t n = 0;
  for (const auto& r : idx.server.requests()) n += r.target == target;
  return n;
}

}  // namespace

TEST_CASE("WarehouseClient::pages takes the page fetched alongside the bin when the bin vouches "
          "for its bytes",
          "[client][warehouse][pages]") {
  LocalIndex idx({{"alpha", "1.0"}, {"beta", "2.0"}});
  serve_pep503_urls(idx);
  Refreshed r(idx);
  auto pages = r.client->pages({"alpha", "beta", "gamma"});
  REQUIRE(pages.size() == 3);
  REQUIRE(pages[0]);
  REQUIRE(pages[1]);
  CHECK(pages[0]->page.files.at(0).filename == "alpha-1.0-py3-none-any.whl");
  CHECK(pages[1]->project == "beta");
  // One request per page: the PEP 503 URL, not the signed copy.
  CHECK(requested(idx, "/simple/alpha/") == 1);
  CHECK(requested(idx, "/simple/alpha/" + idx.signed_page("alpha").filename().string()) == 0);
  // A project the bins do not list is refused, whatever its URL serves.
  REQUIRE_FALSE(pages[2]);
  CHECK(pages[2].error().code == tuf::Errc::target_not_found);
}

TEST_CASE("WarehouseClient::pages falls back to the signed page when the unsigned one differs",
          "[client][warehouse][pages]") {
  LocalIndex idx({{"alpha", "1.0"}, {"beta", "2.0"}});
  serve_pep503_urls(idx);
  const fs::path signed_alpha = idx.signed_page("alpha");
  // The unsigned copy offers another file: the bin does not vouch for it, so it is not used.
  const fs::path unsigned_page = idx.index / "simple" / "alpha" / "index.html";
  std::string text = warehouse_test::read(unsigned_page);
  text.insert(text.rfind("</body>"), "<a href=\"evil-1.0-py3-none-any.whl\">evil</a>\n");
  std::ofstream(unsigned_page, std::ios::binary | std::ios::trunc) << text;
  Refreshed r(idx);
  auto pages = r.client->pages({"alpha", "beta"});
  REQUIRE(pages[0]);
  REQUIRE(pages[0]->page.files.size() == 1);
  CHECK(pages[0]->page.files[0].filename == "alpha-1.0-py3-none-any.whl");
  CHECK(pages[0]->url.find(".alpha.html") != std::string::npos);  // the signed copy
  REQUIRE(pages[1]);
  CHECK(requested(idx, "/simple/beta/") == 1);

  // With the signed copy changed too, nothing vouches for any page of alpha.
  warehouse_test::flip_a_byte(signed_alpha);
  Refreshed again(idx);
  auto refused = again.client->pages({"alpha"});
  REQUIRE_FALSE(refused[0]);
  CHECK(refused[0].error().code == tuf::Errc::length_or_hash_mismatch);
}
