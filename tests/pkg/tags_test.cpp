// pkg/tags: the supported-tag list (pip's order) and TagSet lookups. The comparison with pip
// and packaging run by a real interpreter is in tests/pkg_fs/interpreter_test.cpp.
#include <catch2/catch.hpp>

#include "pkg/tags.h"

namespace {

std::vector<std::string> strs(const std::vector<pkg::WheelTag>& tags) {
  std::vector<std::string> out;
  for (const auto& t : tags) out.push_back(t.str());
  return out;
}

pkg::WheelTag tag(std::string_view text) {
  const auto a = text.find('-');
  const auto b = text.find('-', a + 1);
  return pkg::WheelTag{std::string(text.substr(0, a)), std::string(text.substr(a + 1, b - a - 1)),
                       std::string(text.substr(b + 1))};
}

// supported_tags(TagInfo{impl, major, minor, abis, platforms}) as strings.
std::vector<std::string> tags_for(std::string impl, unsigned major, unsigned minor,
                                  std::vector<std::string> abis,
                                  std::vector<std::string> platforms) {
  return strs(pkg::supported_tags(
      pkg::TagInfo{std::move(impl), major, minor, std::move(abis), std::move(platforms)}));
}

std::vector<std::string> platforms_2_36_x86_64() {
  std::vector<std::string> out;
  for (int m = 36; m >= 5; --m) {
    out.push_back("manylinux_2_" + std::to_string(m) + "_x86_64");
    if (m == 17) out.push_back("manylinux2014_x86_64");
    if (m == 12) out.push_back("manylinux2010_x86_64");
    if (m == 5) out.push_back("manylinux1_x86_64");
  }
  out.push_back("linux_x86_64");
  return out;
}

}  // namespace

TEST_CASE("linux_platforms lists glibc 2.N down to 2.5 with legacy aliases on x86_64",
          "[pkg][tags]") {
  const auto p = pkg::linux_platforms("x86_64", 36);
  CHECK(p == platforms_2_36_x86_64());
  CHECK(p.size() == 36);
  CHECK(p.front() == "manylinux_2_36_x86_64");
  CHECK(p.back() == "linux_x86_64");
  // The aliases sit right after their PEP 600 equal.
  CHECK(p[19] == "manylinux_2_17_x86_64");
  CHECK(p[20] == "manylinux2014_x86_64");
  CHECK(p[25] == "manylinux_2_12_x86_64");
  CHECK(p[26] == "manylinux2010_x86_64");
  CHECK(p[33] == "manylinux_2_5_x86_64");
  CHECK(p[34] == "manylinux1_x86_64");
}

TEST_CASE("linux_platforms table of architectures and libc", "[pkg][tags]") {
  struct Case {
    const char* arch;
    int glibc_minor;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      // aarch64 starts at 2.17 and still gets manylinux2014 (packaging emits it for all arches).
      {"aarch64", 18,
       {"manylinux_2_18_aarch64", "manylinux_2_17_aarch64", "manylinux2014_aarch64",
        "linux_aarch64"}},
      {"aarch64", 16, {"linux_aarch64"}},
      {"ppc64le", 17, {"manylinux_2_17_ppc64le", "manylinux2014_ppc64le", "linux_ppc64le"}},
      {"i686", 6,
       {"manylinux_2_6_i686", "manylinux_2_5_i686", "manylinux1_i686", "linux_i686"}},
      {"x86_64", 12,
       {"manylinux_2_12_x86_64", "manylinux2010_x86_64", "manylinux_2_11_x86_64",
        "manylinux_2_10_x86_64", "manylinux_2_9_x86_64", "manylinux_2_8_x86_64",
        "manylinux_2_7_x86_64", "manylinux_2_6_x86_64", "manylinux_2_5_x86_64",
        "manylinux1_x86_64", "linux_x86_64"}},
      {"x86_64", 4, {"linux_x86_64"}},
      {"x86_64", -1, {"linux_x86_64"}},  // musl or unknown libc
      {"mips", 30, {"linux_mips"}},      // no manylinux for this architecture
  };
  for (const auto& c : cases) {
    INFO(c.arch << " glibc 2." << c.glibc_minor);
    CHECK(pkg::linux_platforms(c.arch, c.glibc_minor) == c.expected);
  }
}

TEST_CASE("supported_tags for a small CPython gives the whole list in pip's order",
          "[pkg][tags]") {
  const std::vector<std::string> expected = {
      "cp33-cp33-manylinux1_x86_64", "cp33-cp33-linux_x86_64",
      "cp33-abi3-manylinux1_x86_64", "cp33-abi3-linux_x86_64",
      "cp33-none-manylinux1_x86_64", "cp33-none-linux_x86_64",
      "cp32-abi3-manylinux1_x86_64", "cp32-abi3-linux_x86_64",
      "py33-none-manylinux1_x86_64", "py33-none-linux_x86_64",
      "py3-none-manylinux1_x86_64",  "py3-none-linux_x86_64",
      "py32-none-manylinux1_x86_64", "py32-none-linux_x86_64",
      "py31-none-manylinux1_x86_64", "py31-none-linux_x86_64",
      "py30-none-manylinux1_x86_64", "py30-none-linux_x86_64",
      "cp33-none-any",               "py33-none-any",
      "py3-none-any",                "py32-none-any",
      "py31-none-any",               "py30-none-any",
  };
  CHECK(tags_for("cp", 3, 3, {"cp33"}, {"manylinux1_x86_64", "linux_x86_64"}) == expected);
}

TEST_CASE("supported_tags for cp311 on manylinux_2_36_x86_64 (fixed, no Python needed)",
          "[pkg][tags]") {
  const auto t = tags_for("cp", 3, 11, {"cp311"}, pkg::linux_platforms("x86_64", 36));
  // 36 platforms: (cp311 abi + abi3 + none + 9 older abi3) * 36 + 13 py ranges * 36 + 1 + 13.
  REQUIRE(t.size() == 914);
  CHECK(t[0] == "cp311-cp311-manylinux_2_36_x86_64");
  CHECK(t[1] == "cp311-cp311-manylinux_2_35_x86_64");
  CHECK(t[35] == "cp311-cp311-linux_x86_64");
  CHECK(t[36] == "cp311-abi3-manylinux_2_36_x86_64");
  CHECK(t[72] == "cp311-none-manylinux_2_36_x86_64");
  CHECK(t[108] == "cp310-abi3-manylinux_2_36_x86_64");
  CHECK(t[431] == "cp32-abi3-linux_x86_64");
  CHECK(t[432] == "py311-none-manylinux_2_36_x86_64");
  CHECK(t[468] == "py3-none-manylinux_2_36_x86_64");
  CHECK(t[504] == "py310-none-manylinux_2_36_x86_64");
  CHECK(t[899] == "py30-none-linux_x86_64");
  CHECK(t[900] == "cp311-none-any");
  CHECK(t[901] == "py311-none-any");
  CHECK(t[902] == "py3-none-any");
  CHECK(t[903] == "py310-none-any");
  CHECK(t[913] == "py30-none-any");
  // Group by group, platforms innermost: every block of 36 repeats the platform list.
  const auto plats = platforms_2_36_x86_64();
  for (std::size_t block = 0; block < 25; ++block) {
    for (std::size_t i = 0; i < plats.size(); ++i) {
      const auto& s = t[block * 36 + i];
      REQUIRE(s.substr(s.rfind('-') + 1) == plats[i]);
    }
  }
}

TEST_CASE("supported_tags with a debug ABI lists cpXYd then cpXY", "[pkg][tags]") {
  // Explicit abi3/none move to their usual places.
  const auto t = tags_for("cp", 3, 12, {"cp312d", "cp312", "abi3", "none"}, {"linux_x86_64"});
  REQUIRE(t.size() >= 5);
  CHECK(t[0] == "cp312-cp312d-linux_x86_64");
  CHECK(t[1] == "cp312-cp312-linux_x86_64");
  CHECK(t[2] == "cp312-abi3-linux_x86_64");
  CHECK(t[3] == "cp312-none-linux_x86_64");
  CHECK(t[4] == "cp311-abi3-linux_x86_64");
}

TEST_CASE("supported_tags for a free-threaded CPython has no abi3 tags", "[pkg][tags]") {
  const auto t = tags_for("cp", 3, 13, {"cp313t"}, {"linux_x86_64"});
  CHECK(t[0] == "cp313-cp313t-linux_x86_64");
  CHECK(t[1] == "cp313-none-linux_x86_64");
  CHECK(t[2] == "py313-none-linux_x86_64");
  for (const auto& s : t) CHECK(s.find("abi3") == std::string::npos);
}

TEST_CASE("supported_tags for PyPy uses generic tags and ppXY-none-any", "[pkg][tags]") {
  const auto t = tags_for("pp", 3, 10, {"pypy310_pp73"},
                          {"manylinux_2_17_x86_64", "linux_x86_64"});
  REQUIRE(t.size() == 4 + 12 * 2 + 1 + 12);
  CHECK(t[0] == "pp310-pypy310_pp73-manylinux_2_17_x86_64");
  CHECK(t[1] == "pp310-pypy310_pp73-linux_x86_64");
  CHECK(t[2] == "pp310-none-manylinux_2_17_x86_64");
  CHECK(t[3] == "pp310-none-linux_x86_64");
  CHECK(t[4] == "py310-none-manylinux_2_17_x86_64");
  CHECK(t[28] == "pp310-none-any");
  CHECK(t[29] == "py310-none-any");
  for (const auto& s : t) CHECK(s.find("abi3") == std::string::npos);
}

TEST_CASE("supported_tags lowercases what it is given", "[pkg][tags]") {
  CHECK(tags_for("CP", 3, 2, {"CP32"}, {"Linux_X86_64"}).front() == "cp32-cp32-linux_x86_64");
}

TEST_CASE("TagSet::best gives the priority of the best supported tag of a wheel",
          "[pkg][tags]") {
  const pkg::TagSet set(
      pkg::supported_tags(pkg::TagInfo{"cp", 3, 11, {"cp311"}, pkg::linux_platforms("x86_64", 36)}));
  REQUIRE_FALSE(set.empty());
  REQUIRE(set.tags().size() == 914);

  const std::vector<pkg::WheelTag> manylinux = {tag("cp311-cp311-manylinux_2_17_x86_64"),
                                                tag("cp311-cp311-manylinux2014_x86_64")};
  CHECK(set.best(manylinux) == std::optional<std::size_t>(19));

  // The order of the wheel's own tags does not matter: the best priority wins.
  const std::vector<pkg::WheelTag> mixed = {tag("py3-none-any"), tag("cp311-abi3-linux_x86_64"),
                                            tag("cp39-abi3-manylinux1_x86_64")};
  CHECK(set.best(mixed) == std::optional<std::size_t>(71));

  CHECK(set.best(std::vector<pkg::WheelTag>{tag("py3-none-any")}) ==
        std::optional<std::size_t>(902));
  CHECK_FALSE(set.best(std::vector<pkg::WheelTag>{tag("cp312-cp312-manylinux_2_17_x86_64"),
                                                  tag("py2-none-any"),
                                                  tag("cp311-cp311-win_amd64")}));
  CHECK_FALSE(set.best(std::vector<pkg::WheelTag>{}));
  CHECK_FALSE(pkg::TagSet().best(manylinux));
}

TEST_CASE("mac_platforms gives packaging's macOS platforms, most specific first", "[pkg][tags]") {
  auto joined = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
    return out;
  };
  // Whole lists, from packaging 21.3's mac_platforms.
  CHECK(joined(pkg::mac_platforms(10, 5, "x86_64")) ==
        "macosx_10_5_x86_64 macosx_10_5_intel macosx_10_5_fat64 macosx_10_5_fat32 "
        "macosx_10_5_universal2 macosx_10_5_universal macosx_10_4_x86_64 macosx_10_4_intel "
        "macosx_10_4_fat64 macosx_10_4_fat32 macosx_10_4_universal2 macosx_10_4_universal");
  CHECK(joined(pkg::mac_platforms(11, 0, "arm64")) ==
        "macosx_11_0_arm64 macosx_11_0_universal2 macosx_10_16_universal2 macosx_10_15_universal2 "
        "macosx_10_14_universal2 macosx_10_13_universal2 macosx_10_12_universal2 "
        "macosx_10_11_universal2 macosx_10_10_universal2 macosx_10_9_universal2 "
        "macosx_10_8_universal2 macosx_10_7_universal2 macosx_10_6_universal2 "
        "macosx_10_5_universal2 macosx_10_4_universal2");
  CHECK(joined(pkg::mac_platforms(10, 5, "ppc64")) ==
        "macosx_10_5_ppc64 macosx_10_5_fat64 macosx_10_5_universal macosx_10_4_ppc64 "
        "macosx_10_4_fat64 macosx_10_4_universal");
  CHECK(pkg::mac_platforms(10, 3, "i386").empty());
  // Longer ones: size and landmarks.
  struct Case {
    int major, minor;
    const char* arch;
    std::size_t size;
    const char *first, *second, *seventh, *last;
  };
  for (const Case& c : {Case{12, 3, "x86_64", 90, "macosx_12_0_x86_64", "macosx_12_0_intel", "macosx_11_0_x86_64", "macosx_10_4_universal"},
                        Case{10, 6, "ppc", 28, "macosx_10_6_ppc", "macosx_10_6_fat32", "macosx_10_5_fat", "macosx_10_0_universal"},
                        Case{13, 0, "universal2", 16, "macosx_13_0_universal2", "macosx_12_0_universal2", "macosx_10_13_universal2", "macosx_10_4_universal2"},
                        Case{14, 2, "arm64", 21, "macosx_14_0_arm64", "macosx_14_0_universal2", "macosx_11_0_arm64", "macosx_10_4_universal2"}}) {
    INFO(c.major << "." << c.minor << " " << c.arch);
    const auto p = pkg::mac_platforms(c.major, c.minor, c.arch);
    REQUIRE(p.size() == c.size);
    CHECK(p[0] == c.first);
    CHECK(p[1] == c.second);
    CHECK(p[6] == c.seventh);
    CHECK(p.back() == c.last);
  }
}
