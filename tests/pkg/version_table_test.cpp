// PEP 440 in tables: normalisation of every spelling the PEP allows, versions the grammar
// rejects, the total order, and specifier matching (~=, wildcards, local labels, the exclusive
// ordered comparisons, ===, the pre-release rules and SpecifierSet::filter's fallback).
//
// The expected values were checked against `packaging` 24.1 (the reference implementation);
// the few places where tufget deliberately differs say so next to the rows.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "pkg/version.h"

namespace {

using pkg::Prereleases;

pkg::Version V(std::string_view s) {
  auto v = pkg::Version::parse(s);
  INFO("version " << s);
  REQUIRE(v);
  return *v;
}

pkg::SpecifierSet S(std::string_view s) {
  auto set = pkg::SpecifierSet::parse(s);
  INFO("specifier " << s << (set ? "" : " " + set.error().message()));
  REQUIRE(set);
  return *set;
}

constexpr Prereleases I = Prereleases::implied;
constexpr Prereleases A = Prereleases::allow;
constexpr Prereleases X = Prereleases::exclude;

const char* letter(Prereleases p) { return p == I ? "I" : p == A ? "A" : "X"; }

struct MatchRow {
  const char* spec;
  const char* version;
  Prereleases pre;
  bool expected;
};

}  // namespace

TEST_CASE("PEP 440 table: every alternative spelling normalises", "[pkg][pep440]") {
  const std::vector<std::pair<const char*, const char*>> table = {
      {"1.0", "1.0"}, {"1.0.0", "1.0.0"}, {"0.0", "0.0"}, {"01.02.003", "1.2.3"}, {"0", "0"},
      {"2023.01.31", "2023.1.31"}, {"1.2.3.4.5.6.7.8.9.10", "1.2.3.4.5.6.7.8.9.10"},
      {"v1.0", "1.0"}, {"V1.0", "1.0"}, {" 1.0 ", "1.0"}, {"\t1.0\n", "1.0"}, {"\r\n1.0\f", "1.0"},
      {"1!1.0", "1!1.0"}, {"01!1.0", "1!1.0"}, {"0!1.0", "1.0"}, {"v1!2.0", "1!2.0"},
      {"100!0.1", "100!0.1"}, {"1.0a", "1.0a0"}, {"1.0a1", "1.0a1"}, {"1.0A1", "1.0a1"},
      {"1.0alpha", "1.0a0"}, {"1.0alpha1", "1.0a1"}, {"1.0ALPHA1", "1.0a1"},
      {"1.0_alpha_1", "1.0a1"}, {"1.0-alpha-1", "1.0a1"}, {"1.0.alpha.1", "1.0a1"},
      {"1.0a.1", "1.0a1"}, {"1.0a-", "1.0a0"}, {"1.0a01", "1.0a1"}, {"1.0b", "1.0b0"},
      {"1.0beta", "1.0b0"}, {"1.0.BETA.2", "1.0b2"}, {"1.0-b-2", "1.0b2"}, {"1.0c", "1.0rc0"},
      {"1.0c1", "1.0rc1"}, {"1.0C1", "1.0rc1"}, {"1.0-c-1", "1.0rc1"}, {"1.0rc1", "1.0rc1"},
      {"1.0.rc.1", "1.0rc1"}, {"1.0_RC_1", "1.0rc1"}, {"1.0pre", "1.0rc0"}, {"1.0pre2", "1.0rc2"},
      {"1.0-preview-3", "1.0rc3"}, {"1.0preview", "1.0rc0"}, {"1.0-1", "1.0.post1"},
      {"1.0-0", "1.0.post0"}, {"1.0.post", "1.0.post0"}, {"1.0post1", "1.0.post1"},
      {"1.0-post-1", "1.0.post1"}, {"1.0_post_1", "1.0.post1"}, {"1.0.POST1", "1.0.post1"},
      {"1.0.post01", "1.0.post1"}, {"1.0.post-", "1.0.post0"}, {"1.0r", "1.0.post0"},
      {"1.0-r-5", "1.0.post5"}, {"1.0.rev1", "1.0.post1"}, {"1.0rev", "1.0.post0"},
      {"1.0-dev", "1.0.dev0"}, {"1.0dev", "1.0.dev0"}, {"1.0.dev", "1.0.dev0"},
      {"1.0_dev_5", "1.0.dev5"}, {"1.0.DEV.5", "1.0.dev5"}, {"1.0-dev-5", "1.0.dev5"},
      {"1.0.dev01", "1.0.dev1"}, {"1.0.dev-", "1.0.dev0"}, {"1.0.post1.dev2", "1.0.post1.dev2"},
      {"1.0-1.dev2", "1.0.post1.dev2"}, {"1.0-1-dev2", "1.0.post1.dev2"},
      {"1.0a1.post2.dev3", "1.0a1.post2.dev3"}, {"1.0alpha1-2", "1.0a1.post2"},
      {"1.0-rc1-1", "1.0rc1.post1"}, {"1.0a1-dev", "1.0a1.dev0"},
      {"1.0.postdev", "1.0.post0.dev0"}, {"1.0rc1dev1", "1.0rc1.dev1"},
      {"1.0+ubuntu-1", "1.0+ubuntu.1"}, {"1.0+ubuntu_1", "1.0+ubuntu.1"},
      {"1.0+UBUNTU.1", "1.0+ubuntu.1"}, {"1.0+001", "1.0+1"}, {"1.0+0", "1.0+0"},
      {"1.0+abc.00", "1.0+abc.0"}, {"1.0+1a", "1.0+1a"}, {"1.0+01a", "1.0+01a"},
      {"1.0a1+local", "1.0a1+local"}, {"1.0+a-b_c.d", "1.0+a.b.c.d"},
      {"V1.0RC1.POST2.DEV3+LOCAL", "1.0rc1.post2.dev3+local"},
      {"1!2.0b3.post4.dev5+six.7", "1!2.0b3.post4.dev5+six.7"},
  };
  for (const auto& [in, out] : table) {
    INFO(in);
    const auto v = pkg::Version::parse(in);
    REQUIRE(v);
    CHECK(v->str() == out);
    // The normalised text is a fixed point and equal to the original.
    const auto again = pkg::Version::parse(v->str());
    REQUIRE(again);
    CHECK(again->str() == out);
    CHECK(*again == *v);
  }
}

TEST_CASE("PEP 440 table: invalid versions", "[pkg][pep440]") {
  for (const char* bad : {
      "", "  ", "v", "vv1.0", "v 1.0", "1.0-", "1.0.", ".1", "1..0", "-1.0", "+1.0", "1.0+",
      "1.0+.", "1.0+a..b", "1.0+a_", "1.0+-a", "1.0+loc al", "1.0+local+other", "1.0a1b1",
      "1.0a1a", "1.0.post1.post2", "1.0.dev1.dev2", "1.0.dev1a1", "1.0.dev1.post1", "1.0-1-1",
      "1.0 .post1", "1.0 a1", "1!2!3", "1!", "!1", "1.0x", "1.0-beta-gamma", "one", "1.0.*", "1.*",
      "1,0", "1.0;", "1e3", "0x10", "1.0_", "1.0a1.-1", "1.0-0.1", "1.0-post-post", "1.0\xc3\xa9",
      "==1.0", "1.0 1.0",
       }) {
    INFO(bad);
    const auto v = pkg::Version::parse(bad);
    REQUIRE_FALSE(v);
    CHECK(v.error().code == pkg::Errc::invalid_version);
    CHECK(v.error().input == bad);
    CHECK_FALSE(v.error().detail.empty());
  }
  // tufget only: numbers past 64 bits (packaging takes them; no index has them).
  for (const char* big : {"18446744073709551616", "1.18446744073709551616", "18446744073709551616!1",
                          "1.0a18446744073709551616", "1.0.post18446744073709551616",
                          "1.0-18446744073709551616", "1.0.dev18446744073709551616"}) {
    INFO(big);
    CHECK_FALSE(pkg::Version::parse(big));
  }
  CHECK(V("18446744073709551615").release().front() == 18446744073709551615u);
}

TEST_CASE("PEP 440 table: a strictly increasing sequence", "[pkg][pep440]") {
  // The PEP's example sequences plus packaging's: dev < pre < final < local < post, epochs last.
  const std::vector<std::string> sorted = {
      "0.dev0", "0", "0.0.0.1", "0.1.dev0", "0.1a0", "0.1", "0.1.post0", "0.9", "0.10", "1.dev0",
      "1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456", "1.0b2",
      "1.0b2.post345.dev456", "1.0b2.post345", "1.0b2-346", "1.0rc1.dev456", "1.0rc1",
      "1.0rc1+local", "1.0rc2", "1.0c3", "1.0", "1.0+abc", "1.0+abc.5", "1.0+abc.7", "1.0+abd",
      "1.0+5", "1.0+5.abc", "1.0+5.0", "1.0+10", "1.0.post456.dev34", "1.0.post456", "1.0.post457",
      "1.0.0.1", "1.0.15", "1.1.dev1", "1.1a1", "1.1", "1.1.post1", "1.2", "1.10", "1.11",
      "2.0.dev0", "2.0rc1", "2.0", "2.0.post1.dev1", "2.0.post1", "10.0", "2023.1", "1!0.dev0",
      "1!0.1", "1!1.0.dev0", "1!1.0", "1!1.0.post1", "2!0.0.1",
  };
  std::vector<pkg::Version> versions;
  for (const auto& s : sorted) versions.push_back(V(s));
  for (std::size_t i = 0; i < versions.size(); ++i) {
    for (std::size_t j = 0; j < versions.size(); ++j) {
      INFO(sorted[i] << " vs " << sorted[j]);
      const auto c = versions[i] <=> versions[j];
      CHECK((c < 0) == (i < j));
      CHECK((c == 0) == (i == j));
      CHECK((c > 0) == (i > j));
    }
  }
  for (unsigned seed : {1u, 2u, 3u}) {
    auto shuffled = versions;
    std::mt19937 rng(seed);
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    std::sort(shuffled.begin(), shuffled.end());
    for (std::size_t i = 0; i < sorted.size(); ++i) CHECK(shuffled[i].str() == V(sorted[i]).str());
  }
}

TEST_CASE("PEP 440 table: spellings of the same version compare equal", "[pkg][pep440]") {
  const std::vector<std::pair<const char*, const char*>> equal = {
      {"1.0", "1"}, {"1.0.0.0", "1"}, {"1.0", "v1.0.0"}, {"1.0a1", "1.0.0alpha1"},
      {"1.0rc1", "1.0c1"}, {"1.0rc1", "1.0pre1"}, {"1.0rc1", "1.0preview1"},
      {"1.0.post0", "1.0-0"}, {"1.0.post1", "1.0r1"}, {"1.0.dev0", "1.0dev"},
      {"0!1.0", "1.0"}, {"1.0+ABC", "1.0+abc"}, {"1.0+1", "1.0+01"},
      {"1.0+ubuntu-1", "1.0.0+ubuntu.1"}, {"1!2.0.0", "1!2"}};
  for (const auto& [a, b] : equal) {
    INFO(a << " == " << b);
    CHECK(V(a) == V(b));
    CHECK(std::is_eq(V(a) <=> V(b)));
  }
  const std::vector<std::pair<const char*, const char*>> different = {
      {"1.0", "1.0+0"},       {"1.0", "1.0.post0"}, {"1.0", "1.0.dev0"}, {"1.0", "1!1.0"},
      {"1.0+1", "1.0+1.0"},   {"1.0+a", "1.0+A.0"}, {"1.0a0", "1.0"},    {"1.0", "1.0.0.1"},
      {"1.0+abc", "1.0+0abc"}};
  for (const auto& [a, b] : different) {
    INFO(a << " != " << b);
    CHECK(V(a) != V(b));
  }
}

TEST_CASE("PEP 440 table: specifier matching", "[pkg][pep440]") {
  // pre: I = implied (the PEP's default), A = pre-releases allowed, X = excluded.
  const std::vector<MatchRow> table = {
      // ~=
      {"~=2.2", "2.1", I, false},
      {"~=2.2", "2.2", I, true},
      {"~=2.2", "2.2.0", I, true},
      {"~=2.2", "2.2.1", I, true},
      {"~=2.2", "2.3", I, true},
      {"~=2.2", "2.10", I, true},
      {"~=2.2", "2.2.post1", I, true},
      {"~=2.2", "3.0", I, false},
      {"~=2.2", "3", I, false},
      {"~=2.2", "2.2a1", I, false},
      {"~=2.2", "2.3.dev0", I, false},
      {"~=2.2", "1!2.2", I, false},
      {"~=2.2", "2.2+local", I, true},
      {"~=2.2", "2.9.9", I, true},
      {"~=2.2", "1.9", I, false},
      {"~=2.2", "2.2a1", A, false},
      {"~=2.2", "2.3a1", A, true},
      {"~=2.2", "2.3.dev0", A, true},
      {"~=2.2", "3.0a1", A, false},
      {"~=2.2", "3.0.dev0", A, false},
      {"~=1.4.5", "1.4.4", I, false},
      {"~=1.4.5", "1.4.5", I, true},
      {"~=1.4.5", "1.4.6", I, true},
      {"~=1.4.5", "1.4.10", I, true},
      {"~=1.4.5", "1.5", I, false},
      {"~=1.4.5", "1.5.0", I, false},
      {"~=1.4.5", "2.0", I, false},
      {"~=1.4.5", "1.4.5.1", I, true},
      {"~=1.4.5", "1.4.5.post1", I, true},
      {"~=1.4.5", "1.4.6a1", I, false},
      {"~=1.4.5", "1.4", I, false},
      {"~=1.4.5", "1.4.5+local", I, true},
      {"~=2.2.post3", "2.2", I, false},
      {"~=2.2.post3", "2.2.post2", I, false},
      {"~=2.2.post3", "2.2.post3", I, true},
      {"~=2.2.post3", "2.2.post4", I, true},
      {"~=2.2.post3", "2.3", I, true},
      {"~=2.2.post3", "2.9", I, true},
      {"~=2.2.post3", "3.0", I, false},
      {"~=2.2.post3", "2.2.1", I, true},
      {"~=1.4.5a4", "1.4.5a3", I, false},
      {"~=1.4.5a4", "1.4.5a4", I, true},
      {"~=1.4.5a4", "1.4.5a5", I, true},
      {"~=1.4.5a4", "1.4.5b1", I, true},
      {"~=1.4.5a4", "1.4.5rc1", I, true},
      {"~=1.4.5a4", "1.4.5", I, true},
      {"~=1.4.5a4", "1.4.6", I, true},
      {"~=1.4.5a4", "1.4.6a1", I, true},
      {"~=1.4.5a4", "1.5", I, false},
      {"~=1.4.5a4", "1.4.4", I, false},
      {"~=2.2.0", "2.2", I, true},
      {"~=2.2.0", "2.2.0", I, true},
      {"~=2.2.0", "2.2.9", I, true},
      {"~=2.2.0", "2.3", I, false},
      {"~=2.2.0", "3.0", I, false},
      {"~=1!2.2", "2.5", I, false},
      {"~=1!2.2", "1!2.2", I, true},
      {"~=1!2.2", "1!2.5", I, true},
      {"~=1!2.2", "1!3.0", I, false},
      {"~=1!2.2", "2!2.5", I, false},
      {"~=0.9", "0.9", I, true},
      {"~=0.9", "0.10", I, true},
      {"~=0.9", "0.99", I, true},
      {"~=0.9", "1.0", I, false},
      {"~=0.9", "0.8", I, false},
      {"~=1.0.dev1", "1.0.dev0", I, false},
      {"~=1.0.dev1", "1.0.dev1", I, true},
      {"~=1.0.dev1", "1.0a1", I, true},
      {"~=1.0.dev1", "1.0", I, true},
      {"~=1.0.dev1", "1.5", I, true},
      {"~=1.0.dev1", "2.0", I, false},
      {"~=3.7.0", "3.7.0", I, true},
      {"~=3.7.0", "3.7.12", I, true},
      {"~=3.7.0", "3.8.0", I, false},
      {"~=3.7.0", "3.6.15", I, false},
      // == with wildcards
      {"==1.1.*", "1.1", I, true},
      {"==1.1.*", "1.1.0", I, true},
      {"==1.1.*", "1.1.5", I, true},
      {"==1.1.*", "1.1.post1", I, true},
      {"==1.1.*", "1.1.0+local", I, true},
      {"==1.1.*", "1.10", I, false},
      {"==1.1.*", "1.2", I, false},
      {"==1.1.*", "1", I, false},
      {"==1.1.*", "1.0", I, false},
      {"==1.1.*", "2.1.1", I, false},
      {"==1.1.*", "1!1.1", I, false},
      {"==1.1.*", "1.1a1", I, false},
      {"==1.1.*", "1.1.dev1", I, false},
      {"==1.1.*", "1.1a1", A, true},
      {"==1.1.*", "1.1.dev1", A, true},
      {"==1.1.*", "1.1.5rc1", A, true},
      {"==1.1.*", "1.2a1", A, false},
      {"==1.1.*", "1.0.post1", A, false},
      {"==1.0.*", "1", I, true},
      {"==1.0.*", "1.0", I, true},
      {"==1.0.*", "1.0.0", I, true},
      {"==1.0.*", "1.0.0.1", I, true},
      {"==1.0.*", "1.1", I, false},
      {"==1.0.*", "0.9", I, false},
      {"==1.0.*", "1.0+local", I, true},
      {"==1.0.*", "1.post2", I, true},
      {"==1.0.*", "1rc2", A, true},
      {"==1.0.*", "1.0a1", A, true},
      {"==1.0.*", "1.0.dev1", A, true},
      {"==1.0.*", "1.1rc2", A, false},
      {"==1.*", "1", I, true},
      {"==1.*", "1.0", I, true},
      {"==1.*", "1.99", I, true},
      {"==1.*", "2.0", I, false},
      {"==1.*", "0.9", I, false},
      {"==1.*", "1!1.0", I, false},
      {"==2!1.*", "2!1.0", I, true},
      {"==2!1.*", "1.0", I, false},
      {"==2!1.*", "2!2.0", I, false},
      {"==1.0.0.*", "1", I, true},
      {"==1.0.0.*", "1.0", I, true},
      {"==1.0.0.*", "1.0.0", I, true},
      {"==1.0.0.*", "1.0.0.0", I, true},
      {"==1.0.0.*", "1.0.0.1", I, true},
      {"==1.0.0.*", "1.0.1", I, false},
      {"==0.*", "0", I, true},
      {"==0.*", "0.1", I, true},
      {"==0.*", "0.99.1", I, true},
      {"==0.*", "1.0", I, false},
      {"== 3.10.*", "3.10", I, true},
      {"== 3.10.*", "3.10.4", I, true},
      {"== 3.10.*", "3.1", I, false},
      {"== 3.10.*", "3.100", I, false},
      {"!=1.5.*", "1.4", I, true},
      {"!=1.5.*", "1.6", I, true},
      {"!=1.5.*", "1.50", I, true},
      {"!=1.5.*", "1.5", I, false},
      {"!=1.5.*", "1.5.1", I, false},
      {"!=1.5.*", "1.5.post1", I, false},
      {"!=1.5.*", "1.5+local", I, false},
      {"!=1.*", "0.9", I, true},
      {"!=1.*", "1.0", I, false},
      {"!=1.*", "1.9", I, false},
      {"!=1.*", "2.0", I, true},
      {"!=1.5.*", "1.5a1", A, false},
      {"!=1.5.*", "1.6a1", A, true},
      // == and != exact, local versions
      {"==1.1", "1.1", I, true},
      {"==1.1", "1.1.0", I, true},
      {"==1.1", "1.1+local", I, true},
      {"==1.1", "1.1.0+anything.7", I, true},
      {"==1.1", "1.1.post1", I, false},
      {"==1.1", "1.1.1", I, false},
      {"==1.1", "1.0", I, false},
      {"==1.1", "1.1a1", I, false},
      {"==1.1", "1.1.dev0", I, false},
      {"==1.1+local", "1.1+local", I, true},
      {"==1.1+local", "1.1.0+LOCAL", I, true},
      {"==1.1+local", "1.1", I, false},
      {"==1.1+local", "1.1+other", I, false},
      {"==1.1+local", "1.1+local.1", I, false},
      {"==1.0a1", "1.0a1", I, true},
      {"==1.0a1", "1.0.0a1", I, true},
      {"==1.0a1", "1.0a2", I, false},
      {"==1.0a1", "1.0", I, false},
      {"==1.0.post1", "1.0.post1", I, true},
      {"==1.0.post1", "1.0-1", I, true},
      {"==1.0.post1", "1.0.post1+local", I, true},
      {"==1.0.post1", "1.0.post2", I, false},
      {"==1.0.post1", "1.0", I, false},
      {"==1.0.dev1", "1.0.dev1", I, true},
      {"==1.0.dev1", "1.0.dev2", I, false},
      {"==1.0.dev1", "1.0", I, false},
      {"==1!1.0", "1!1.0", I, true},
      {"==1!1.0", "1.0", I, false},
      {"==v1.0", "1.0", I, true},
      {"==v1.0", "1.0.0", I, true},
      {"==1.0+ubuntu-1", "1.0+ubuntu.1", I, true},
      {"==1.0+ubuntu-1", "1.0+ubuntu.2", I, false},
      {"!=1.1", "1.0", I, true},
      {"!=1.1", "1.1.1", I, true},
      {"!=1.1", "1.1.post1", I, true},
      {"!=1.1", "1.1", I, false},
      {"!=1.1", "1.1.0", I, false},
      {"!=1.1", "1.1+local", I, false},
      {"!=1.1+local", "1.1", I, true},
      {"!=1.1+local", "1.1+other", I, true},
      {"!=1.1+local", "1.1+local", I, false},
      {"!=1.0a1", "1.0", I, true},
      {"!=1.0a1", "1.0a2", I, false},
      {"!=1.0a1", "1.0a1", I, false},
      {"!=1.0a1", "1.0a2", A, true},
      {"!=1.0a1", "1.0a1", A, false},
      // <= >=
      {">=1.7", "1.7", I, true},
      {">=1.7", "1.7.0", I, true},
      {">=1.7", "1.7+local", I, true},
      {">=1.7", "1.7.post1", I, true},
      {">=1.7", "2.0", I, true},
      {">=1.7", "1.6", I, false},
      {">=1.7", "1.7rc1", I, false},
      {">=1.7", "1.7.dev0", I, false},
      {">=1.7", "1.8a1", I, false},
      {">=1.7", "1.7rc1", A, false},
      {">=1.7", "1.8a1", A, true},
      {">=1.7", "1.7.0.dev0", A, false},
      {"<=1.7", "1.7", I, true},
      {"<=1.7", "1.7+local", I, true},
      {"<=1.7", "1.6", I, true},
      {"<=1.7", "0.1", I, true},
      {"<=1.7", "1.7.post1", I, false},
      {"<=1.7", "1.7.1", I, false},
      {"<=1.7", "1.7a1", I, false},
      {"<=1.7", "1.7a1", A, true},
      {"<=1.7", "1.7.dev0", A, true},
      {"<=1.7", "1.6rc1", A, true},
      {">=1.0a1", "1.0a1", I, true},
      {">=1.0a1", "1.0b1", I, true},
      {">=1.0a1", "1.0", I, true},
      {">=1.0a1", "2.0a1", I, true},
      {">=1.0a1", "1.0.dev0", I, false},
      {">=1.0a1", "0.9", I, false},
      {"<=2.0a1", "2.0a1", I, true},
      {"<=2.0a1", "2.0.dev0", I, true},
      {"<=2.0a1", "1.0", I, true},
      {"<=2.0a1", "1.9b1", I, true},
      {"<=2.0a1", "2.0a2", I, false},
      {"<=2.0a1", "2.0", I, false},
      {">=1!1.0", "1!1.0", I, true},
      {">=1!1.0", "2.0", I, false},
      {">=1!1.0", "1!0.9", I, false},
      // > and < exclusive rules
      {">1.7", "1.7.1", I, true},
      {">1.7", "1.8", I, true},
      {">1.7", "2.0", I, true},
      {">1.7", "1.7", I, false},
      {">1.7", "1.7.0", I, false},
      {">1.7", "1.7.0.post1", I, false},
      {">1.7", "1.7.post2", I, false},
      {">1.7", "1.7+local", I, false},
      {">1.7", "1.6", I, false},
      {">1.7", "1.7.1+local", I, true},
      {">1.7", "1.8a1", A, true},
      {">1.7", "1.7.0.post1.dev0", A, false},
      {">1.7", "1.7.1.dev0", A, true},
      {">1.7", "1.7.1a1", A, true},
      {">1.7.post2", "1.7.1", I, true},
      {">1.7.post2", "1.7.post3", I, true},
      {">1.7.post2", "1.7.0", I, false},
      {">1.7.post2", "1.7.post2", I, false},
      {">1.7.post2", "1.7.post1", I, false},
      {">1.7.post2", "1.7.1+local", I, true},
      {">1.7.post2", "1.7.post3+local", I, false},
      {">1.7.post2", "1.7.post3.dev0", A, true},
      {">1.7.post2", "1.7.1rc1", A, true},
      {">1.7a1", "1.7a2", A, true},
      {">1.7a1", "1.7", A, true},
      {">1.7a1", "1.7a1", A, false},
      {">1.7a1", "1.7a1.post1", A, false},
      {"<1.7", "1.6", I, true},
      {"<1.7", "1.6.9", I, true},
      {"<1.7", "1.6.post1", I, true},
      {"<1.7", "0.1", I, true},
      {"<1.7", "1.7", I, false},
      {"<1.7", "1.7.0", I, false},
      {"<1.7", "1.7.1", I, false},
      {"<1.7", "1.6+local", I, true},
      {"<1.7", "1.7+local", I, false},
      {"<1.7", "1.6.9rc1", A, true},
      {"<1.7", "1.6.dev0", A, true},
      {"<1.7", "1.7.0.dev0", A, false},
      {"<1.7", "1.7rc1", A, false},
      {"<1.7", "1.7a1", A, false},
      {"<1.7", "1.7.dev0", A, false},
      {"<1.7", "1.7.0rc1", A, false},
      {"<3", "2.9", I, true},
      {"<3", "3.0a1", I, false},
      {"<3", "3.0.dev0", I, false},
      {"<3", "2.99.post1", I, true},
      {"<3", "3.0a1", A, false},
      {"<3", "3.0.dev0", A, false},
      {"<3", "2.9rc1", A, true},
      {"<1.7rc1", "1.7a1", A, true},
      {"<1.7rc1", "1.7b2", A, true},
      {"<1.7rc1", "1.7.dev0", A, true},
      {"<1.7rc1", "1.6", A, true},
      {"<1.7rc1", "1.7rc1", A, false},
      {"<1.7rc1", "1.7", A, false},
      {"<1.7rc1", "1.7rc2", A, false},
      {"<1!1.0", "5.0", I, true},
      {"<1!1.0", "1!0.9", I, true},
      {"<1!1.0", "1!1.0", I, false},
      {">1!1.0", "5.0", I, false},
      {">1!1.0", "1!1.1", I, true},
      {">1!1.0", "1!1.0.post1", I, false},
      {">1!1.0", "2!0.1", I, true},
      // ===
      {"===1.0", "1.0", I, true},
      {"===1.0", "1.0.0", I, false},
      {"===1.0", "1", I, false},
      {"===1.0", "1.0+local", I, false},
      {"===1.0RC1", "1.0rc1", A, true},
      {"===1.0RC1", "1.0c1", A, true},
      {"===1.0RC1", "1.0rc1.post0", A, false},
      {"===1.0+Local", "1.0+local", I, true},
      {"===1.0+Local", "1.0", I, false},
      {"===foobar", "1.0", A, false},
      // sets
      {">=2,<3", "2", I, true},
      {">=2,<3", "2.5", I, true},
      {">=2,<3", "2.99", I, true},
      {">=2,<3", "1.9", I, false},
      {">=2,<3", "3", I, false},
      {">=2,<3", "3.0", I, false},
      {">=2,<3", "2.5rc1", I, false},
      {"==1.0, >=2,<3", "1.0", I, false},
      {"==1.0, >=2,<3", "2.5", I, false},
      {">=1.0, !=1.5.*, <2", "1.0", I, true},
      {">=1.0, !=1.5.*, <2", "1.4", I, true},
      {">=1.0, !=1.5.*, <2", "1.6", I, true},
      {">=1.0, !=1.5.*, <2", "1.5", I, false},
      {">=1.0, !=1.5.*, <2", "1.5.3", I, false},
      {">=1.0, !=1.5.*, <2", "2.0", I, false},
      {">=1.0a1,<2", "1.5a1", I, true},
      {">=1.0a1,<2", "1.0a1", I, true},
      {">=1.0a1,<2", "1.9.dev3", I, true},
      {">=1.0a1,<2", "1.5", I, true},
      {">=1.0a1,<2", "2.0a1", I, false},
      {"", "0", I, true},
      {"", "1.0", I, true},
      {"", "1!5.0", I, true},
      {"", "1.0.post1", I, true},
      {"", "1.0+local", I, true},
      {"", "1.0a1", I, false},
      {"", "1.0.dev0", I, false},
      {"", "1.0a1", A, true},
      {"", "1.0.dev0", A, true},
      {">=1.0a1", "1.0a2", X, false},
      {">=1.0a1", "1.0", X, true},
      {"~=2.0,!=2.1.*", "2.0", I, true},
      {"~=2.0,!=2.1.*", "2.1", I, false},
      {"~=2.0,!=2.1.*", "2.1.5", I, false},
      {"~=2.0,!=2.1.*", "2.2", I, true},
      {"~=2.0,!=2.1.*", "3.0", I, false},
      {">=1.0,<=1.0", "1.0", I, true},
      {">=1.0,<=1.0", "1.0.0", I, true},
      {">=1.0,<=1.0", "1.0+local", I, true},
      {">=1.0,<=1.0", "1.0.post1", I, false},
      {"<2,>1,!=1.5", "1.5", I, false},
      {"<2,>1,!=1.5", "1.5.0", I, false},
      {"<2,>1,!=1.5", "1.5.1", I, true},
      {"<2,>1,!=1.5", "1.1", I, true},
      {"<2,>1,!=1.5", "2.0", I, false},
  };
  for (const auto& row : table) {
    INFO(row.spec << " contains " << row.version << " (prereleases " << letter(row.pre) << ")");
    CHECK(S(row.spec).contains(V(row.version), row.pre) == row.expected);
  }
  // ~= reads its operand as a version: ~=v0.2 is >=0.2,==0.* (packaging 24.1 splits the text
  // "v0.2" and matches nothing here).
  CHECK(S("~=v0.2").contains(V("0.3")));
  CHECK(S("~=01.02").contains(V("1.5")));
  CHECK_FALSE(S("~=01.02").contains(V("2.0")));
}

TEST_CASE("PEP 440 table: which clauses let pre-releases in", "[pkg][pep440]") {
  // packaging counts ==, ===, ~=, <=, >= naming a pre-release; tufget (as uv) counts < and >
  // too, so "<2.0b1" accepts 2.0a1 without --pre. != never does.
  const std::vector<std::pair<const char*, bool>> table = {
      {"==1.0a1", true},    {"==1.0.dev1", true}, {">=1.0.dev1", true}, {"<=1.0rc1", true},
      {"~=1.0b1", true},    {"===1.0a1", true},   {"<1.0a1", true},     {">1.0.dev1", true},
      {"!=1.0a1", false},   {"==1.0", false},     {">=1.0", false},     {"==1.0.*", false},
      {"===foobar", false}, {"<=1.0.post1", false}, {"==1.0+local", false}, {"!=1.0.dev0", false}};
  for (const auto& [text, expected] : table) {
    INFO(text);
    const auto s = pkg::Specifier::parse(text);
    REQUIRE(s);
    CHECK(s->names_prerelease() == expected);
  }
  // The set follows from its clauses: one naming a pre-release lets them through every clause.
  CHECK(S(">=1.0a1,<2").contains(V("1.5b1")));
  CHECK_FALSE(S(">=1.0,<2").contains(V("1.5b1")));
  CHECK_FALSE(S("!=1.0a1,<2").contains(V("1.5b1")));
}

TEST_CASE("PEP 440 table: SpecifierSet::filter and the pre-release fallback", "[pkg][pep440]") {
  // PEP 440: pre-releases are excluded by default but accepted when they are the only versions
  // that match. (packaging 24.1 falls back only for an empty set; tufget, like uv, for any.)
  struct FilterRow {
    const char* spec;
    std::vector<const char*> versions;
    Prereleases pre;
    std::vector<std::size_t> expected;
  };
  const std::vector<FilterRow> table = {
      {"", {"1.0a1", "1.0b1", "0.9.dev1"}, I, {0, 1, 2}},
      {"", {"1.0a1", "1.0", "1.1b1"}, I, {1}},
      {"", {}, I, {}},
      {">=1.0a1", {"1.0a1", "1.0b1", "0.9.dev1"}, I, {0, 1}},
      {">=1.0", {"1.0a1", "1.1b1", "0.9"}, I, {1}},
      {">=1.0", {"0.9", "1.0", "1.1a1"}, I, {1}},
      {">=1.0", {"0.9", "1.0", "1.1a1"}, A, {1, 2}},
      {">=1.0", {"1.0a1", "1.1b1"}, X, {}},
      {">=0.9", {"0.9", "1.0a1", "1.0", "1.1.dev0"}, I, {0, 2}},
      {">1.0", {"0.9", "1.0a1", "1.0", "1.1.dev0"}, I, {3}},
      {">1.0", {"0.9", "1.0a1", "1.0", "1.1.dev0"}, X, {}},
      {"<2", {"2.0a1", "1.9", "2.0"}, I, {1}},
      {"<2", {"2.0a1", "2.0.dev1"}, I, {}},  // the < rule holds in the fallback too
      {"<2", {"1.9rc1", "2.0a1"}, I, {0}},
      {"==1.0", {"1.0a1", "1.0rc1"}, I, {}},
      {"~=1.0", {"1.1rc1", "1.0.dev0", "2.0a1"}, I, {0}},
      {"!=1.0", {"1.0", "1.1a1"}, I, {1}},
      {"==1.*", {"1.0a1", "1.5", "2.0"}, I, {1}},
      {"==1.*", {"1.0a1", "2.0"}, I, {0}},
      {">=1", {"3.0", "1.0", "2.0"}, I, {0, 1, 2}},  // order kept
  };
  for (const auto& row : table) {
    std::vector<pkg::Version> versions;
    for (const char* v : row.versions) versions.push_back(V(v));
    INFO(row.spec << " over " << row.versions.size() << " versions");
    CHECK(S(row.spec).filter(versions, row.pre) == row.expected);
  }
}

TEST_CASE("PEP 440 table: invalid specifiers", "[pkg][pep440]") {
  for (const char* bad : {
      "~=1", "~=1!2", "~=1.*", "~=1.0.*", "~=1.0+local", "==1.0.*+local", "==1.0+local.*",
      "==1.0.dev1.*", "==1.*.0", "==1.0.*.*", "!=1.0.*.*", "<=1.*", ">=1.*", "<1.*", ">1.0.*",
      "<1.0+local", ">1.0+local", "<=1.0+local", ">=1.0+local", "=>1.0", "=<1.0", "=1.0", "1.0",
      "==", ">=", "~=", "== 1.0 2", "==1.0 .1", "<>1.0", "!==1.0", "~1.0", "^1.0", ">=foo",
      "==french toast", "===a b", ">=1.0,<", ">=1.0;", "(>=1.0)", "==1.0)", ">= 1.0 or < 2",
      "==1.0.", "==1..0", "!=1.0+", ">=1.0-", "==1.0.*a1",
       }) {
    INFO(bad);
    const auto s = pkg::SpecifierSet::parse(bad);
    REQUIRE_FALSE(s);
    CHECK(s.error().code == pkg::Errc::invalid_specifier);
  }
}

TEST_CASE("PEP 440 table: specifiers print as written and parse back", "[pkg][pep440]") {
  const std::vector<std::pair<const char*, const char*>> table = {
      {">=1.0", ">=1.0"},         {" >= 1.0 ", ">=1.0"},        {"~=2.2.post3", "~=2.2.post3"},
      {"== 1.1.*", "==1.1.*"},    {"!=1.5.*", "!=1.5.*"},       {"===foobar", "===foobar"},
      {"==1.0+local", "==1.0+local"}, {">=2,<3", ">=2,<3"},     {"<3 , >=2", "<3,>=2"},
      {">=1.0,", ">=1.0"},        {"", ""}};
  for (const auto& [in, out] : table) {
    INFO(in);
    const auto s = S(in);
    CHECK(s.str() == out);
    CHECK(S(s.str()).str() == out);
  }
}
