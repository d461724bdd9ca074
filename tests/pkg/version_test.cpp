// pkg/version: PEP 440 parsing, normalisation, ordering and specifier matching. The tables come
// from the PEP's text (normalisation section, the ordering example, the specifier examples).
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "pkg/version.h"

namespace {

pkg::Version V(std::string_view s) {
  auto v = pkg::Version::parse(s);
  INFO(s);
  REQUIRE(v);
  return *v;
}

pkg::SpecifierSet S(std::string_view s) {
  auto v = pkg::SpecifierSet::parse(s);
  INFO(s);
  if (!v) INFO(v.error().message());
  REQUIRE(v);
  return *v;
}

}  // namespace

// ---- parsing and normalisation -----------------------------------------------------------------

TEST_CASE("Version normalises every spelling the PEP allows", "[pkg][version]") {
  const std::vector<std::pair<const char*, const char*>> table = {
      // plain releases, integer normalisation
      {"1.0", "1.0"}, {"1", "1"}, {"00", "0"}, {"09000", "9000"}, {"1.0000", "1.0"},
      {"1.2.3.4.5", "1.2.3.4.5"}, {"2023.10.01", "2023.10.1"},
      // case, whitespace, leading v
      {"1.1RC1", "1.1rc1"}, {"  1.0\n", "1.0"}, {"\t1.0 ", "1.0"}, {"v1.0", "1.0"}, {"V1.0", "1.0"},
      // epochs
      {"1!2.0", "1!2.0"}, {"0!1.0", "1.0"}, {"v1!1.0", "1!1.0"},
      // pre-release separators and spellings, implicit number
      {"1.1.a1", "1.1a1"}, {"1.1-a1", "1.1a1"}, {"1.1_a1", "1.1a1"}, {"1.1a.1", "1.1a1"},
      {"1.1alpha1", "1.1a1"}, {"1.1beta2", "1.1b2"}, {"1.1c3", "1.1rc3"}, {"1.1pre4", "1.1rc4"},
      {"1.1preview5", "1.1rc5"}, {"1.1RC6", "1.1rc6"}, {"1.2a", "1.2a0"}, {"1.2-b", "1.2b0"},
      {"1.0a.", "1.0a0"},
      // post-release separators and spellings, implicit number, implicit post
      {"1.2-post2", "1.2.post2"}, {"1.2post2", "1.2.post2"}, {"1.2.post-2", "1.2.post2"},
      {"1.2.post_2", "1.2.post2"}, {"1.0-r4", "1.0.post4"}, {"1.0-rev4", "1.0.post4"},
      {"1.0r4", "1.0.post4"}, {"1.2.post", "1.2.post0"}, {"1.0-1", "1.0.post1"},
      {"1.0a1-1", "1.0a1.post1"},
      // dev releases
      {"1.2-dev2", "1.2.dev2"}, {"1.2dev2", "1.2.dev2"}, {"1.2.dev", "1.2.dev0"},
      {"1.0.dev.1", "1.0.dev1"}, {"1.0post1dev", "1.0.post1.dev0"},
      {"1.0.post456.dev34", "1.0.post456.dev34"}, {"1.0b2.post345.dev456", "1.0b2.post345.dev456"},
      // local labels
      {"1.0+ubuntu-1", "1.0+ubuntu.1"}, {"1.0+Ubuntu_1", "1.0+ubuntu.1"}, {"1.0+01", "1.0+1"},
      {"1.0+1.2.3-4_5", "1.0+1.2.3.4.5"}, {"1.0+abc.5", "1.0+abc.5"},
      {"1!1.0rc1.post2.dev3+local.7", "1!1.0rc1.post2.dev3+local.7"},
  };
  for (const auto& [in, out] : table) {
    INFO(in);
    auto v = pkg::Version::parse(in);
    REQUIRE(v);
    CHECK(v->str() == out);
    // The normalised form parses to itself.
    auto again = pkg::Version::parse(v->str());
    REQUIRE(again);
    CHECK(again->str() == out);
    CHECK(*again == *v);
  }
}

TEST_CASE("Version rejects what the PEP's grammar rejects", "[pkg][version]") {
  for (const char* bad : {"", " ", "v", "french toast", "1.0+", "1.0+_foo", "1.0+foo_",
                          "1.0+foo..bar", "1..0", "1.0.", ".1.0", "1.0-", "1.0a1a2",
                          "1.0 beta", "1.0+abc def", "1!", "!1.0", "1.0.post1.post2",
                          "1.0.dev1.post1", "1.0-dev-1-2", "1.0.*", "a1.0", "1.0a1-1-1",
                          "1.0\xc3\xa9", "99999999999999999999", "1.99999999999999999999",
                          "1.0a99999999999999999999", "==1.0", "1,0"}) {
    INFO(bad);
    auto v = pkg::Version::parse(bad);
    REQUIRE_FALSE(v);
    CHECK(v.error().code == pkg::Errc::invalid_version);
  }
}

TEST_CASE("Version exposes its parts", "[pkg][version]") {
  auto v = V("2!1.2.3rc4.post5.dev6+abc.7");
  CHECK(v.epoch() == 2);
  CHECK(v.release() == std::vector<std::uint64_t>{1, 2, 3});
  REQUIRE(v.pre());
  CHECK(v.pre()->kind == pkg::PreRelease::Kind::rc);
  CHECK(v.pre()->number == 4);
  CHECK(v.post() == 5u);
  CHECK(v.dev() == 6u);
  CHECK(v.local_str() == "abc.7");
  CHECK(v.is_prerelease());
  CHECK(v.is_postrelease());
  CHECK(v.is_devrelease());
  CHECK(v.public_version().str() == "2!1.2.3rc4.post5.dev6");
  CHECK(v.base_version().str() == "2!1.2.3");
  CHECK_FALSE(V("1.0.post1").is_prerelease());
  CHECK(V("1.0.dev1").is_prerelease());
  CHECK(pkg::Version().str() == "0");
}

// ---- ordering ----------------------------------------------------------------------------------

TEST_CASE("Version orders the PEP's example list (dev < pre < final < post, local)", "[pkg][version]") {
  // The PEP's "summary of permitted suffixes and relative ordering", extended with epochs and
  // local labels; strictly increasing.
  const std::vector<std::string> sorted = {
      "0.9", "1.dev0", "1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12",
      "1.0b1.dev456", "1.0b2", "1.0b2.post345.dev456", "1.0b2.post345", "1.0rc1.dev456",
      "1.0rc1", "1.0", "1.0+abc.5", "1.0+abc.7", "1.0+5", "1.0.post456.dev34", "1.0.post456",
      "1.0.15", "1.1.dev1", "1.1", "1.10", "2.0.dev0", "2.0", "10.0", "1!0.1", "1!1.0.dev0",
      "1!1.0", "2!0.0.1"};
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    for (std::size_t j = 0; j < sorted.size(); ++j) {
      INFO(sorted[i] << " vs " << sorted[j]);
      const auto c = V(sorted[i]) <=> V(sorted[j]);
      CHECK((c < 0) == (i < j));
      CHECK((c == 0) == (i == j));
    }
  }
  // Sorting a shuffled copy gives the list back.
  std::vector<pkg::Version> versions;
  for (const auto& s : sorted) versions.push_back(V(s));
  std::mt19937 rng(42);
  std::shuffle(versions.begin(), versions.end(), rng);
  std::sort(versions.begin(), versions.end());
  for (std::size_t i = 0; i < sorted.size(); ++i) CHECK(versions[i].str() == sorted[i]);
}

TEST_CASE("Version equality ignores trailing zeros and spelling, not local labels", "[pkg][version]") {
  CHECK(V("1.0") == V("1"));
  CHECK(V("1.0") == V("1.0.0.0"));
  CHECK(V("1.0a1") == V("1.0.0alpha1"));
  CHECK(V("1.0+abc") == V("1.0.0+ABC"));
  CHECK(V("1.0+1") == V("1.0+01"));
  CHECK(V("1.0.post0") == V("1.0-0"));
  CHECK(V("0!1.0") == V("1.0"));
  CHECK(V("1.0") != V("1.0+0"));
  CHECK(V("1.0") != V("1.0.post0"));
  CHECK(V("1.0") != V("1.0.dev0"));
  CHECK(V("1.0") != V("1!1.0"));
}

TEST_CASE("Version compares local labels segment by segment", "[pkg][version]") {
  // No label < any label; numbers > strings; strings lexicographic; prefix shorter first;
  // numbers by value (any size).
  CHECK(V("1.0") < V("1.0+a"));
  CHECK(V("1.0+a") < V("1.0+b"));
  CHECK(V("1.0+z") < V("1.0+0"));
  CHECK(V("1.0+a") < V("1.0+a.1"));
  CHECK(V("1.0+2") < V("1.0+10"));
  CHECK(V("1.0+99999999999999999999") < V("1.0+100000000000000000000"));
  CHECK(V("1.0+abc") < V("1.0+abd"));
  CHECK(V("1.0+ab") < V("1.0+abc"));
  CHECK(V("1.0+9.z") < V("1.0+9.1"));
}

// ---- specifiers --------------------------------------------------------------------------------

namespace {

void check_matches(std::string_view spec, std::initializer_list<const char*> yes,
                   std::initializer_list<const char*> no,
                   pkg::Prereleases pre = pkg::Prereleases::implied) {
  const pkg::SpecifierSet set = S(spec);
  for (const char* v : yes) {
    INFO(spec << " should match " << v);
    CHECK(set.contains(V(v), pre));
  }
  for (const char* v : no) {
    INFO(spec << " should not match " << v);
    CHECK_FALSE(set.contains(V(v), pre));
  }
}

}  // namespace

TEST_CASE("Specifier ~= is >= together with a prefix match one level up", "[pkg][specifier]") {
  // ~=2.2 is >=2.2,==2.*
  check_matches("~=2.2", {"2.2", "2.3", "2.10", "2.2.post1", "2.2.0", "2.9.9"},
                {"3.0", "2.1", "1.9", "2.2a1", "2.2.dev0", "1!2.2"});
  // The equivalence holds version by version.
  const auto compatible = S("~=2.2");
  const auto spelled = S(">=2.2,==2.*");
  for (const char* v : {"2.1", "2.2", "2.2.1", "2.3", "3.0", "2.2.post1", "2.2rc1", "1!2.5"}) {
    INFO(v);
    CHECK(compatible.contains(V(v), pkg::Prereleases::allow) ==
          spelled.contains(V(v), pkg::Prereleases::allow));
  }
  // ~=1.4.5 is >=1.4.5,==1.4.*
  check_matches("~=1.4.5", {"1.4.5", "1.4.9", "1.4.5.1"}, {"1.5", "1.4.4", "2.0"});
  // Pre/post/dev suffixes on the operand are left out of the prefix.
  check_matches("~=2.2.post3", {"2.2.post3", "2.2.post4", "2.3", "2.9"}, {"2.2", "2.2.post2", "3.0"});
  check_matches("~=1.4.5a4", {"1.4.5a4", "1.4.5", "1.4.6", "1.4.5b1"}, {"1.5", "1.4.5a3", "1.4.4"});
  check_matches("~=1!2.2", {"1!2.2", "1!2.5"}, {"2.5", "1!3.0"});
  check_matches("~=2.2.0", {"2.2.0", "2.2.9"}, {"2.3", "3.0"});
}

TEST_CASE("Specifier == with a wildcard matches the zero-padded release prefix", "[pkg][specifier]") {
  check_matches("==1.1.*", {"1.1", "1.1.0", "1.1.5", "1.1.post1", "1.1.0+local"},
                {"1.10", "1.2", "1", "1.0", "2.1.1", "1!1.1"});
  // Pre-releases are inside the prefix but excluded unless allowed.
  check_matches("==1.1.*", {"1.1a1", "1.1.dev1", "1.1.5rc1"}, {"1.2a1"}, pkg::Prereleases::allow);
  check_matches("==1.1.*", {}, {"1.1a1", "1.1.dev1"});
  check_matches("==1.0.*", {"1", "1.0", "1.0.0.1"}, {"1.1"});
  // "If the specified version includes only a release segment, then trailing components (or the
  // lack thereof) in the release segment are also ignored": 1.post2 is in 1.0.* (packaging
  // shortens before padding and says no; the PEP's text says yes).
  check_matches("==1.0.*", {"1.post2", "1rc2"}, {"1.1rc2"}, pkg::Prereleases::allow);
  check_matches("==1.*", {"1", "1.0", "1.99"}, {"2.0", "0.9"});
  check_matches("==2!1.*", {"2!1.0"}, {"1.0"});
  // Pre- and post-release operands: the release must be complete, later segments are ignored.
  check_matches("==1.1rc1.*", {"1.1rc1", "1.1.0rc1", "1.1rc1.post2", "1.1rc1.dev3", "1.1rc1+local"},
                {"1.1rc2", "1.1", "1.1.1rc1", "1.1b1"});
  check_matches("==1.1.post1.*", {"1.1.post1", "1.1.0.post1.dev2"}, {"1.1.post2", "1.1", "1.1rc1.post1"},
                pkg::Prereleases::allow);
  check_matches("!=1.1rc1.*", {"1.1rc2", "1.1"}, {"1.1rc1.post1"}, pkg::Prereleases::allow);
}

TEST_CASE("Specifier == and != without wildcard compare exactly, local labels aside", "[pkg][specifier]") {
  check_matches("==1.1", {"1.1", "1.1.0", "1.1+local", "1.1.0+anything.7"},
                {"1.1.post1", "1.1.1", "1.0", "1.1a1"});
  // An operand with a local label must match the label too.
  check_matches("==1.1+local", {"1.1+local", "1.1.0+LOCAL"}, {"1.1", "1.1+other", "1.1+local.1"});
  check_matches("==1.0a1", {"1.0a1", "1.0.0a1"}, {"1.0a2", "1.0"});  // implies pre-releases
  check_matches("!=1.1", {"1.0", "1.1.1", "1.1.post1"}, {"1.1", "1.1.0", "1.1+local"});
  check_matches("!=1.1+local", {"1.1", "1.1+other"}, {"1.1+local"});
  check_matches("!=1.5.*", {"1.4", "1.6", "1.50"}, {"1.5", "1.5.1", "1.5.post1"});
  // != never implies pre-releases.
  check_matches("!=1.0a1", {"1.0"}, {"1.0a2"});
}

TEST_CASE("Specifier <= and >= compare public versions", "[pkg][specifier]") {
  check_matches(">=1.7", {"1.7", "1.7.0", "1.7+local", "1.7.post1", "2.0"}, {"1.6", "1.7rc1", "1.7.dev0"});
  check_matches("<=1.7", {"1.7", "1.7+local", "1.6", "0.1"}, {"1.7.post1", "1.7.1"});
  check_matches(">=1.0a1", {"1.0a1", "1.0b1", "1.0", "2.0a1"}, {"1.0.dev0", "0.9"});
}

TEST_CASE("Specifier > excludes post-releases and local versions of its operand", "[pkg][specifier]") {
  // PEP 440: ">1.7 will allow 1.7.1 but not 1.7.0.post1"; ">1.7.post2 will allow 1.7.1 and
  // 1.7.post3 but not 1.7.0".
  check_matches(">1.7", {"1.7.1", "1.8", "2.0"}, {"1.7", "1.7.0", "1.7.0.post1", "1.7.post2", "1.7+local", "1.6"});
  check_matches(">1.7.post2", {"1.7.1", "1.7.post3"}, {"1.7.0", "1.7.post2", "1.7.post1"});
  // ...and, like the reference implementation, local versions of the same release.
  check_matches(">1.7.post2", {"1.7.1+local"}, {"1.7.post3+local"});
  check_matches(">1.7.post2", {"1.7.post3.dev0"}, {}, pkg::Prereleases::allow);
  check_matches(">1.7", {"1.8a1"}, {"1.7.0.post1.dev0"}, pkg::Prereleases::allow);
}

TEST_CASE("Specifier < excludes pre-releases of its operand", "[pkg][specifier]") {
  // PEP 440: "<V MUST NOT allow a pre-release of the specified version unless the specified
  // version is itself a pre-release" - even when pre-releases are otherwise allowed.
  check_matches("<1.7", {"1.6", "1.6.9", "1.6.post1", "0.1"}, {"1.7", "1.7.0", "1.7.1"});
  check_matches("<1.7", {"1.6.9rc1", "1.6.dev0"}, {"1.7.0.dev0", "1.7rc1", "1.7a1", "1.7.dev0", "1.7.0rc1"},
                pkg::Prereleases::allow);
  check_matches("<1.7rc1", {"1.7a1", "1.7b2", "1.7.dev0", "1.6"}, {"1.7rc1", "1.7", "1.7rc2"});
}

TEST_CASE("Specifier === compares the normalised text case-insensitively", "[pkg][specifier]") {
  check_matches("===1.0", {"1.0"}, {"1.0.0", "1", "1.0+local"});
  check_matches("===1.0RC1", {"1.0rc1", "1.0c1"}, {"1.0rc1.post0"});
  auto arb = pkg::Specifier::parse("===foobar");
  REQUIRE(arb);
  CHECK_FALSE(arb->version());
  CHECK_FALSE(arb->contains(V("1.0")));
}

TEST_CASE("SpecifierSet is a conjunction with the PEP's pre-release rule", "[pkg][specifier]") {
  check_matches(">=2,<3", {"2", "2.5", "2.99"}, {"1.9", "3", "3.0", "2.5rc1"});
  check_matches("==1.0, >=2,<3", {}, {"1.0", "2.5"});
  check_matches(">=1.0, !=1.5.*, <2", {"1.0", "1.4", "1.6"}, {"1.5", "1.5.3", "2.0"});
  // An operand that is a pre-release lets pre-releases match the whole set.
  check_matches(">=1.0a1,<2", {"1.5a1", "1.0a1", "1.9.dev3"}, {"2.0a1"});
  // The empty set matches every final release.
  check_matches("", {"0", "1.0", "1!5.0", "1.0.post1", "1.0+local"}, {"1.0a1", "1.0.dev0"});
  check_matches("", {"1.0a1"}, {}, pkg::Prereleases::allow);
  check_matches(">=1.0a1", {}, {"1.0a2"}, pkg::Prereleases::exclude);
}

TEST_CASE("SpecifierSet::filter falls back to pre-releases when nothing else matches", "[pkg][specifier]") {
  const std::vector<pkg::Version> only_pre = {V("1.0a1"), V("1.0b1"), V("0.9.dev1")};
  CHECK(S("").filter(only_pre) == std::vector<std::size_t>{0, 1, 2});
  CHECK(S(">=1.0a1").filter(only_pre) == std::vector<std::size_t>{0, 1});
  CHECK(S(">=1.0").filter(only_pre).empty());
  const std::vector<pkg::Version> mixed = {V("0.9"), V("1.0a1"), V("1.0"), V("1.1.dev0")};
  CHECK(S(">=0.9").filter(mixed) == std::vector<std::size_t>{0, 2});
  CHECK(S(">=0.9").filter(mixed, pkg::Prereleases::allow) == std::vector<std::size_t>{0, 1, 2, 3});
  CHECK(S(">1.0").filter(mixed) == std::vector<std::size_t>{3});
  CHECK(S(">1.0").filter(mixed, pkg::Prereleases::exclude).empty());
}

TEST_CASE("Specifier parsing accepts whitespace and rejects what the PEP forbids", "[pkg][specifier]") {
  auto s = pkg::SpecifierSet::parse("  >= 2.0 ,  <3 ,, ==v2.5.*");
  REQUIRE(s);
  CHECK(s->specifiers().size() == 3);
  CHECK(s->str() == ">=2.0,<3,==v2.5.*");
  CHECK(s->specifiers()[2].wildcard());
  CHECK(s->specifiers()[2].op() == pkg::Specifier::Op::equal);

  for (const char* bad : {"1.0", "=1.0", "==", ">=", "== 1.0 2", ">=1.0.*", "<1.0.*", "~=1.0.*",
                          "~=1", "~=1.0+local", "<1.0+local", ">=1.0+local", "==1.0.dev1.*",
                          "==1.0a1.dev1.*", "==1.0+local.*", "==1.*.0", "===a b", "=>1.0",
                          ">=1.0,<", "==french toast", "~=1!2"}) {
    INFO(bad);
    auto r = pkg::SpecifierSet::parse(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == pkg::Errc::invalid_specifier);
  }
}
