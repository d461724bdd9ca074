// Page sources: a named project is fetched only from the index routed to it (the
// dependency-confusion guard), and a wheelhouse's pages carry the sha256 of its files.
#include <catch2/catch.hpp>

#include "client/page_source.h"
#include "client_fixture.h"
#include "pkg_fs/wheelhouse.h"

using namespace client_test;

namespace {

// Answers every project with an empty page named after the source, recording what was asked.
class RecordingSource final : public tufget::PageSource {
 public:
  explicit RecordingSource(std::string name, bool verified = true)
      : name_(std::move(name)), verified_(verified) {}
  std::vector<tuf::Result<tufget::SourcedPage>> fetch(
      const std::vector<std::string>& projects) override {
    std::vector<tuf::Result<tufget::SourcedPage>> out;
    for (const auto& p : projects) {
      asked.push_back(p);
      tufget::SourcedPage page;
      page.provenance = name_;
      out.emplace_back(std::move(page));
    }
    return out;
  }
  bool verified() const override { return verified_; }
  std::string name() const override { return name_; }
  bool allows_file_urls() const override { return false; }
  std::vector<std::string> asked;

 private:
  std::string name_;
  bool verified_;
};

}  // namespace

TEST_CASE("RoutedSource takes a routed project only from its own index", "[client][page_source]") {
  RecordingSource main("main"), internal("internal");
  tufget::RoutedSource routed(main, {{"secret-tool", &internal}});
  auto pages = routed.fetch({"alpha", "secret-tool", "beta"});
  REQUIRE(pages.size() == 3);
  for (const auto& p : pages) REQUIRE(p);
  // Results come back in the order asked, each from its own source.
  CHECK(pages[0]->provenance == "main");
  CHECK(pages[1]->provenance == "internal");
  CHECK(pages[2]->provenance == "main");
  CHECK(main.asked == std::vector<std::string>{"alpha", "beta"});
  CHECK(internal.asked == std::vector<std::string>{"secret-tool"});
  CHECK(routed.name() == "main");
}

TEST_CASE("RoutedSource is verified only when every source is", "[client][page_source]") {
  RecordingSource main("main"), tuf_index("tuf"), plain("plain", /*verified=*/false);
  CHECK(tufget::RoutedSource(main, {{"a", &tuf_index}}).verified());
  CHECK_FALSE(tufget::RoutedSource(main, {{"a", &tuf_index}, {"b", &plain}}).verified());
}

TEST_CASE("WheelhouseSource serves a local folder's wheels with their sha256",
          "[client][page_source]") {
  TempDir tmp;
  const fs::path wheel = warehouse_test::make_wheel(tmp.path, "Alpha_Tool", "1.0");
  auto wheelhouse = pkg_fs::scan_wheelhouse(tmp.path);
  REQUIRE(wheelhouse);
  tufget::WheelhouseSource source(std::move(*wheelhouse), tmp.path);
  CHECK_FALSE(source.verified());
  CHECK(source.allows_file_urls());

  auto pages = source.fetch({"alpha-tool", "missing"});
  REQUIRE(pages.size() == 2);
  REQUIRE(pages[0]);
  REQUIRE(pages[0]->page.files.size() == 1);
  const auto& file = pages[0]->page.files[0];
  CHECK(file.filename == wheel.filename().string());
  CHECK(file.hashes.at("sha256") == warehouse_test::sha256_hex(warehouse_test::read(wheel)));
  CHECK_FALSE(pages[0]->verified);
  REQUIRE_FALSE(pages[1]);
  CHECK(pages[1].error().code == tuf::Errc::target_not_found);
}
