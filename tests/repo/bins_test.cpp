// The repository's bin layout names every bin as the client core looks it up.
#include <catch2/catch.hpp>

#include <vector>

#include "tuf/metadata.h"
#include "tuf_repo/bins.h"

TEST_CASE("BinLayout agrees with SuccinctRoles::role_for_target for every bin",
          "[repo][bins]") {
  struct Case {
    std::uint32_t bit_length;
    std::string_view first, last;
  };
  const Case cases[] = {{1, "bins-0", "bins-1"},
                        {8, "bins-00", "bins-ff"},
                        {14, "bins-0000", "bins-3fff"}};
  for (const Case& c : cases) {
    CAPTURE(c.bit_length);
    const tuf_repo::BinLayout layout{c.bit_length, "bins"};
    const tuf::SuccinctRoles core = layout.delegation({{"k"}, 1});
    CHECK(layout.count() == core.bin_count());
    CHECK(layout.name(0) == c.first);
    CHECK(layout.name(layout.count() - 1) == c.last);
    // Paths until every bin has been hit: each path's bin is named as the core names it.
    std::vector<bool> seen(layout.count());
    std::uint64_t hit = 0;
    bool agree = true;
    for (std::uint64_t n = 0; hit < layout.count(); ++n) {
      const std::string path = "project-" + std::to_string(n);
      const std::uint64_t bin = layout.bin_of(path);
      agree = agree && layout.name(bin) == core.role_for_target(path) &&
              core.is_role(layout.name(bin));
      if (!seen[bin]) {
        seen[bin] = true;
        ++hit;
      }
    }
    CHECK(agree);
  }
}
