// pkg/resolver: the backtracking resolver against an in-memory index (a table of projects ->
// versions -> Requires-Dist) that records every call the resolver makes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "pkg/names.h"
#include "pkg/resolver.h"

namespace {

struct Release {
  std::string version;
  std::vector<std::string> deps;  // Requires-Dist lines
  bool yanked = false;
  bool installed = false;
  std::string requires_python;        // empty: none
  std::string metadata_name;          // empty: the project's own name
};

// Projects are listed best first, as a real provider orders them.
class TableProvider : public pkg::Provider {
 public:
  Release& add(const std::string& project, const std::string& version,
               std::vector<std::string> deps = {}) {
    Release& r = table[project].emplace_back();
    r.version = version;
    r.deps = std::move(deps);
    return r;
  }

  pkg::Result<pkg::CandidateList> candidates(const std::string& project) override {
    calls.push_back("candidates " + project);
    ++candidate_calls[project];
    if (failing.count(project)) return pkg::fail(pkg::Errc::invalid_page, project, "page failed verification");
    pkg::CandidateList out;
    const auto it = table.find(project);
    if (it != table.end()) {
      for (std::size_t i = 0; i < it->second.size(); ++i) {
        const Release& r = it->second[i];
        auto v = pkg::Version::parse(r.version);
        REQUIRE(v);
        out.candidates.push_back(pkg::Candidate{project, *v, r.yanked, r.installed, i});
      }
    }
    if (auto rj = rejected.find(project); rj != rejected.end()) out.rejected = rj->second;
    return out;
  }

  pkg::Result<pkg::DistMetadata> metadata(const pkg::Candidate& c) override {
    calls.push_back("metadata " + c.project + " " + c.version.str());
    ++metadata_calls[c.project + " " + c.version.str()];
    const Release& r = table.at(c.project).at(c.handle);
    pkg::DistMetadata md;
    md.metadata_version = "2.1";
    md.name = r.metadata_name.empty() ? c.project : r.metadata_name;
    md.project = pkg::normalize_name(md.name);
    md.version = c.version;
    md.version_text = r.version;
    if (!r.requires_python.empty()) {
      auto rp = pkg::SpecifierSet::parse(r.requires_python);
      REQUIRE(rp);
      md.requires_python = *rp;
    }
    for (const auto& d : r.deps) {
      auto req = pkg::Requirement::parse(d);
      INFO(d);
      REQUIRE(req);
      md.requires_dist.push_back(*req);
      // Provides-Extra: every extra a marker names ("extra == 'x'").
      for (std::size_t pos = d.find("extra == "); pos != std::string::npos;
           pos = d.find("extra == ", pos + 1)) {
        const std::size_t open = pos + 10;
        const std::size_t close = d.find_first_of("'\"", open);
        const std::string extra = pkg::normalize_name(d.substr(open, close - open));
        if (std::find(md.provides_extra.begin(), md.provides_extra.end(), extra) == md.provides_extra.end())
          md.provides_extra.push_back(extra);
      }
    }
    return md;
  }

  void prefetch_projects(std::span<const std::string> projects) override {
    std::string line = "prefetch_projects";
    for (const auto& p : projects) line += " " + p;
    calls.push_back(line);
  }

  void prefetch_metadata(std::span<const pkg::Candidate> cands) override {
    std::string line = "prefetch_metadata";
    for (const auto& c : cands) line += " " + c.project + "-" + c.version.str();
    calls.push_back(line);
  }

  std::size_t index_of(const std::string& call) const {
    const auto it = std::find(calls.begin(), calls.end(), call);
    return it == calls.end() ? calls.size() : static_cast<std::size_t>(it - calls.begin());
  }

  std::map<std::string, std::vector<Release>> table;
  std::map<std::string, std::vector<std::string>> rejected;
  std::set<std::string> failing;
  std::vector<std::string> calls;
  std::map<std::string, int> candidate_calls;
  std::map<std::string, int> metadata_calls;
};

pkg::MarkerEnvironment linux_311() { return pkg::MarkerEnvironment::cpython_linux("3.11.7"); }

pkg::ResolveOptions options() {
  pkg::ResolveOptions o;
  o.environment = linux_311();
  return o;
}

std::vector<pkg::Requirement> parse_all(const std::vector<std::string>& texts) {
  std::vector<pkg::Requirement> out;
  for (const auto& t : texts) {
    auto r = pkg::Requirement::parse(t);
    INFO(t);
    if (!r) INFO(r.error().message());
    REQUIRE(r);
    out.push_back(*r);
  }
  return out;
}

pkg::Result<pkg::Resolution> run(TableProvider& p, const std::vector<std::string>& reqs,
                                 const std::vector<std::string>& constraints = {},
                                 const pkg::ResolveOptions& o = options()) {
  return pkg::resolve(parse_all(reqs), parse_all(constraints), p, o);
}

pkg::Resolution solved(TableProvider& p, const std::vector<std::string>& reqs,
                       const std::vector<std::string>& constraints = {},
                       const pkg::ResolveOptions& o = options()) {
  auto r = run(p, reqs, constraints, o);
  if (!r) INFO(r.error().message());
  REQUIRE(r);
  return *r;
}

std::string failure(TableProvider& p, const std::vector<std::string>& reqs,
                    const std::vector<std::string>& constraints = {},
                    const pkg::ResolveOptions& o = options()) {
  auto r = run(p, reqs, constraints, o);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == pkg::Errc::no_solution);
  return r.error().detail;
}

// "a 1.0, b 2.0" in the resolution's order.
std::string pins(const pkg::Resolution& r) {
  std::string out;
  for (const auto& d : r.dists) out += (out.empty() ? "" : ", ") + d.candidate.project + " " + d.candidate.version.str();
  return out;
}

const pkg::ResolvedDist& dist(const pkg::Resolution& r, const std::string& project) {
  const auto it = std::find_if(r.dists.begin(), r.dists.end(),
                               [&](const pkg::ResolvedDist& d) { return d.candidate.project == project; });
  REQUIRE(it != r.dists.end());
  return *it;
}

bool has(const pkg::Resolution& r, const std::string& project) {
  return std::any_of(r.dists.begin(), r.dists.end(),
                     [&](const pkg::ResolvedDist& d) { return d.candidate.project == project; });
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

// ---- the basic walk ------------------------------------------------------------------------------

TEST_CASE("Resolver follows a chain of dependencies and orders dependencies first", "[pkg][resolver]") {
  TableProvider p;
  p.add("a", "1.0", {"b>=1"});
  p.add("b", "1.0", {"c"});
  p.add("c", "1.0");
  const auto r = solved(p, {"a"});
  CHECK(pins(r) == "c 1.0, b 1.0, a 1.0");
  CHECK(r.rounds == 3);
  CHECK(dist(r, "a").requested);
  CHECK_FALSE(dist(r, "b").requested);
  CHECK(dist(r, "a").required_by == std::vector<std::string>{"the user (a)"});
  CHECK(dist(r, "b").required_by == std::vector<std::string>{"a 1.0 (b>=1)"});
  CHECK(dist(r, "c").required_by == std::vector<std::string>{"b 1.0 (c)"});
  CHECK(dist(r, "b").metadata.requires_dist.size() == 1);
}

TEST_CASE("Resolver takes the provider's first candidate that fits", "[pkg][resolver]") {
  TableProvider p;
  p.add("a", "3.0");
  p.add("a", "2.0");
  p.add("a", "1.0");
  CHECK(pins(solved(p, {"a"})) == "a 3.0");
  CHECK(pins(solved(p, {"a<3"})) == "a 2.0");
  CHECK(pins(solved(p, {"a!=3.0,!=2.0"})) == "a 1.0");
}

TEST_CASE("Resolver picks one version for a diamond that satisfies both sides", "[pkg][resolver]") {
  TableProvider p;
  p.add("app", "1.0", {"left", "right"});
  p.add("left", "1.0", {"base>=1"});
  p.add("right", "1.0", {"base<2"});
  p.add("base", "2.0");
  p.add("base", "1.5");
  p.add("base", "1.0");
  const auto r = solved(p, {"app"});
  CHECK(dist(r, "base").candidate.version.str() == "1.5");
  CHECK(dist(r, "base").required_by ==
        std::vector<std::string>{"left 1.0 (base>=1)", "right 1.0 (base<2)"});
  CHECK(pins(r) == "base 1.5, left 1.0, right 1.0, app 1.0");
}

TEST_CASE("Resolver returns nothing for no requirements", "[pkg][resolver]") {
  TableProvider p;
  const auto r = solved(p, {});
  CHECK(r.dists.empty());
  CHECK(p.calls.empty());
}

TEST_CASE("Resolver merges requirements on one project written differently", "[pkg][resolver]") {
  TableProvider p;
  p.add("foo-bar", "2.0");
  p.add("foo-bar", "1.0");
  const auto r = solved(p, {"Foo_Bar>=1", "foo.bar<2"});
  CHECK(pins(r) == "foo-bar 1.0");
  CHECK(dist(r, "foo-bar").required_by ==
        std::vector<std::string>{"the user (Foo_Bar>=1)", "the user (foo.bar<2)"});
  CHECK(p.candidate_calls["foo-bar"] == 1);
}

// ---- extras --------------------------------------------------------------------------------------

TEST_CASE("Resolver adds an extra's dependencies only when the extra is requested", "[pkg][resolver]") {
  TableProvider p;
  p.add("a", "1.0", {"core", "speed; extra == 'fast'"});
  p.add("core", "1.0");
  p.add("speed", "1.0");
  CHECK(pins(solved(p, {"a"})) == "core 1.0, a 1.0");
  const auto r = solved(p, {"a[fast]"});
  CHECK(pins(r) == "core 1.0, speed 1.0, a 1.0");
  CHECK(dist(r, "a").extras == std::vector<std::string>{"fast"});
  CHECK(dist(r, "speed").required_by == std::vector<std::string>{"a 1.0 (speed; extra == \"fast\")"});
}

TEST_CASE("Resolver evaluates the rest of an extra's marker", "[pkg][resolver]") {
  TableProvider p;
  p.add("a", "1.0", {"old; extra == 'test' and python_version < '3'",
                     "new; extra == 'test' and python_version >= '3.8'"});
  p.add("old", "1.0");
  p.add("new", "1.0");
  const auto r = solved(p, {"a[test]"});
  CHECK(pins(r) == "new 1.0, a 1.0");
  CHECK(p.candidate_calls.count("old") == 0);
}

TEST_CASE("Resolver follows extras through extras", "[pkg][resolver]") {
  TableProvider p;
  p.add("a", "1.0", {"b[y]; extra == 'x'"});
  p.add("b", "1.0", {"c; extra == 'y'"});
  p.add("c", "1.0");
  CHECK(pins(solved(p, {"a[x]"})) == "c 1.0, b 1.0, a 1.0");
  CHECK(pins(solved(p, {"a"})) == "a 1.0");
}

TEST_CASE("Resolver adds an extra's dependencies when the extra is requested after the pin", "[pkg][resolver]") {
  TableProvider p;
  // lib==1.0 is pinned first (an exact pin is preferred); app, pinned later, asks for lib[fast].
  p.add("app", "1.0", {"lib[fast]"});
  p.add("lib", "1.0", {"speedup>=2; extra == 'fast'"});
  p.add("speedup", "2.0");
  const auto r = solved(p, {"lib==1.0", "app"});
  CHECK(p.index_of("metadata lib 1.0") < p.index_of("metadata app 1.0"));
  CHECK(has(r, "speedup"));
  CHECK(dist(r, "lib").extras == std::vector<std::string>{"fast"});
  CHECK(dist(r, "speedup").required_by == std::vector<std::string>{"lib 1.0 (speedup>=2; extra == \"fast\")"});
  CHECK(pins(r) == "speedup 2.0, lib 1.0, app 1.0");
}

TEST_CASE("Resolver backtracks when an extra added after the pin conflicts", "[pkg][resolver]") {
  TableProvider p;
  // app 2.0 asks for lib[fast], whose dependency conflicts with the user's speedup<2; app 1.0
  // does not ask for the extra.
  p.add("app", "2.0", {"lib[fast]"});
  p.add("app", "1.0", {"lib"});
  p.add("lib", "1.0", {"speedup>=2; extra == 'fast'"});
  p.add("speedup", "2.0");
  p.add("speedup", "1.0");
  const auto r = solved(p, {"lib==1.0", "speedup<2", "app"});
  CHECK(dist(r, "app").candidate.version.str() == "1.0");
  CHECK(dist(r, "lib").extras.empty());
  CHECK(dist(r, "speedup").candidate.version.str() == "1.0");
}

TEST_CASE("Resolver blames who asked for an extra of a pinned project when its dependency conflicts", "[pkg][resolver]") {
  TableProvider p;
  // q is pinned first (exact); x 2.0 then asks for q[e], which brings r>=2; every y needs r<2.
  // The conflict on r must lead back to x (which has a version without the extra), not to q
  // (which has no other version).
  p.add("q", "1.0", {"r>=2; extra == 'e'"});
  p.add("x", "2.0", {"q[e]"});
  p.add("x", "1.0");
  for (const char* v : {"3.0", "2.0", "1.0"}) p.add("y", v, {"r<2"});
  p.add("r", "2.0");
  p.add("r", "1.0");
  const auto r = solved(p, {"q==1.0", "x", "y"});
  CHECK(pins(r) == "q 1.0, r 1.0, x 1.0, y 3.0");
  CHECK(dist(r, "q").extras.empty());
}

TEST_CASE("Resolver unions the extras every requirement asks for", "[pkg][resolver]") {
  TableProvider p;
  p.add("a", "1.0", {"b[y]"});
  p.add("b", "1.0", {"x-dep; extra == 'x'", "y-dep; extra == 'y'", "z-dep; extra == 'z'"});
  p.add("x-dep", "1.0");
  p.add("y-dep", "1.0");
  p.add("z-dep", "1.0");
  const auto r = solved(p, {"b[x]", "a"});
  CHECK(dist(r, "b").extras == std::vector<std::string>{"x", "y"});
  CHECK(has(r, "x-dep"));
  CHECK(has(r, "y-dep"));
  CHECK_FALSE(has(r, "z-dep"));
}

TEST_CASE("Resolver does not loop on a self-dependency with extras", "[pkg][resolver]") {
  TableProvider p;
  p.add("foo", "1.0", {"foo[x,y]; extra == 'all'", "bar; extra == 'x'", "baz; extra == 'y'",
                       "foo>=1; extra == 'x'"});
  p.add("bar", "1.0");
  p.add("baz", "1.0");
  const auto r = solved(p, {"foo[all]"});
  CHECK(pins(r) == "bar 1.0, baz 1.0, foo 1.0");
  CHECK(dist(r, "foo").extras == std::vector<std::string>{"all", "x", "y"});
  CHECK(dist(r, "foo").required_by == std::vector<std::string>{"the user (foo[all])"});
  CHECK(p.metadata_calls["foo 1.0"] == 1);
}

TEST_CASE("Resolver rejects a candidate whose self-dependency excludes its own version", "[pkg][resolver]") {
  TableProvider p;
  p.add("foo", "2.0", {"foo<2; extra == 'x'"});
  p.add("foo", "1.0", {"foo<2; extra == 'x'"});
  CHECK(pins(solved(p, {"foo[x]"})) == "foo 1.0");
  CHECK(pins(solved(p, {"foo"})) == "foo 2.0");
}

TEST_CASE("Resolver allows cycles between projects", "[pkg][resolver]") {
  TableProvider p;
  p.add("a", "1.0", {"b"});
  p.add("b", "1.0", {"a>=1"});
  p.add("c", "1.0", {"a"});
  const auto r = solved(p, {"c"});
  CHECK(r.dists.size() == 3);
  CHECK(pins(r) == "a 1.0, b 1.0, c 1.0");  // the cycle is broken by name, c comes last
  CHECK(dist(r, "a").required_by == std::vector<std::string>{"b 1.0 (a>=1)", "c 1.0 (a)"});
}

// ---- markers -------------------------------------------------------------------------------------

TEST_CASE("Resolver drops dependencies whose markers do not apply", "[pkg][resolver]") {
  TableProvider p;
  p.add("a", "1.0", {"backport; python_version < '3.8'", "winonly; sys_platform == 'win32'",
                     "linuxonly; sys_platform == 'linux'", "modern; python_version >= '3.10'"});
  p.add("backport", "1.0");
  p.add("winonly", "1.0");
  p.add("linuxonly", "1.0");
  p.add("modern", "1.0");
  const auto r = solved(p, {"a"});
  CHECK(pins(r) == "linuxonly 1.0, modern 1.0, a 1.0");
  CHECK(p.candidate_calls.count("backport") == 0);
  CHECK(p.candidate_calls.count("winonly") == 0);

  auto o = options();
  o.environment.sys_platform = "win32";
  o.environment.python_version = "3.7";
  o.environment.python_full_version = "3.7.9";
  CHECK(pins(solved(p, {"a"}, {}, o)) == "backport 1.0, winonly 1.0, a 1.0");
}

TEST_CASE("Resolver ignores requirements and constraints whose markers do not apply", "[pkg][resolver]") {
  TableProvider p;
  p.add("a", "2.0");
  p.add("a", "1.0");
  p.add("b", "1.0");
  const auto r = solved(p, {"a", "b; sys_platform == 'win32'"}, {"a<2; python_version < '3'"});
  CHECK(pins(r) == "a 2.0");
  CHECK(p.candidate_calls.count("b") == 0);
}

// ---- pre-releases --------------------------------------------------------------------------------

TEST_CASE("Resolver skips pre-releases by default", "[pkg][resolver]") {
  TableProvider p;
  p.add("a", "2.0b1");
  p.add("a", "1.0");
  p.add("b", "1.0", {"a>=0.5"});
  CHECK(pins(solved(p, {"a"})) == "a 1.0");
  CHECK(pins(solved(p, {"b"})) == "a 1.0, b 1.0");
}

TEST_CASE("Resolver takes a pre-release when a specifier names one", "[pkg][resolver]") {
  TableProvider p;
  p.add("a", "2.0b1");
  p.add("a", "1.0");
  p.add("b", "1.0", {"a>=2.0a1"});
  CHECK(pins(solved(p, {"a>=2.0b1"})) == "a 2.0b1");
  CHECK(pins(solved(p, {"a==2.0b1"})) == "a 2.0b1");
  CHECK(pins(solved(p, {"b"})) == "a 2.0b1, b 1.0");
  // One requirement naming a pre-release lets them match for the whole project.
  CHECK(pins(solved(p, {"a", "b"})) == "a 2.0b1, b 1.0");
}

TEST_CASE("Resolver falls back to pre-releases when no final release fits", "[pkg][resolver]") {
  TableProvider p;
  p.add("a", "1.0rc2");
  p.add("a", "1.0rc1");
  p.add("b", "3.0b1");
  p.add("b", "2.0");
  CHECK(pins(solved(p, {"a"})) == "a 1.0rc2");
  CHECK(pins(solved(p, {"b>2"})) == "b 3.0b1");
}

TEST_CASE("Resolver follows the pre-release option", "[pkg][resolver]") {
  TableProvider p;
  p.add("a", "2.0b1");
  p.add("a", "1.0");
  p.add("only-pre", "1.0rc1");
  auto o = options();
  o.prereleases = pkg::Prereleases::allow;
  CHECK(pins(solved(p, {"a"}, {}, o)) == "a 2.0b1");
  o.prereleases = pkg::Prereleases::exclude;
  CHECK(pins(solved(p, {"a"}, {}, o)) == "a 1.0");
  const std::string why = failure(p, {"only-pre"}, {}, o);
  CHECK(contains(why, "no version of only-pre"));
  CHECK(contains(why, "1.0rc1 is a pre-release"));
}

// ---- yanked --------------------------------------------------------------------------------------

TEST_CASE("Resolver skips yanked versions unless pinned exactly", "[pkg][resolver]") {
  TableProvider p;
  p.add("a", "2.0").yanked = true;
  p.add("a", "1.0");
  CHECK(pins(solved(p, {"a"})) == "a 1.0");
  CHECK(pins(solved(p, {"a>=1"})) == "a 1.0");
  CHECK(pins(solved(p, {"a==2.0"})) == "a 2.0");
  CHECK(pins(solved(p, {"a===2.0"})) == "a 2.0");
  CHECK_FALSE(run(p, {"a==2.*"}));  // a wildcard is not an exact pin
  // A pin from a dependency counts too, and one exact pin opens the project for every requirement.
  p.add("b", "1.0", {"a==2.0"});
  CHECK(pins(solved(p, {"a", "b"})) == "a 2.0, b 1.0");
}

TEST_CASE("Resolver explains a project with only yanked versions", "[pkg][resolver]") {
  TableProvider p;
  p.add("a", "1.0").yanked = true;
  const std::string why = failure(p, {"a"});
  CHECK(contains(why, "no version of a satisfies"));
  CHECK(contains(why, "a 1.0 is yanked"));
  CHECK(contains(why, "=="));
}

TEST_CASE("Resolver waits for a later requirement that opens a held-back version", "[pkg][resolver]") {
  // a is tried first (fewer candidates, then name) and its only usable version conflicts with
  // b; the versions left are held back by the rules, until b's pin opens one.
  SECTION("a yanked version pinned by a dependency") {
    TableProvider p;
    p.add("a", "2.0").yanked = true;
    p.add("a", "1.0");
    p.add("b", "1.0", {"a==2.0"});
    CHECK(pins(solved(p, {"a", "b"})) == "a 2.0, b 1.0");
  }
  SECTION("a pre-release named by a dependency") {
    TableProvider p;
    p.add("a", "2.0b1");
    p.add("a", "1.0");
    p.add("b", "1.0", {"a>=2.0b1"});
    CHECK(pins(solved(p, {"a", "b"})) == "a 2.0b1, b 1.0");
  }
  SECTION("a pre-release, after every final release failed") {
    TableProvider p;
    p.add("a", "2.0b1");
    p.add("a", "1.0", {"x>=5"});
    p.add("x", "1.0");
    p.add("b", "1.0", {"a>=2.0b1"});
    CHECK(pins(solved(p, {"a", "b"})) == "a 2.0b1, b 1.0");
    // Without b nothing opens it: the final release's failure is the answer.
    CHECK(contains(failure(p, {"a"}), "a 1.0 depends on x>=5"));
  }
  SECTION("a pre-release opened by another version of a project pinned meanwhile") {
    TableProvider p;
    p.add("a", "2.0b1");
    p.add("a", "1.0", {"x>=5"});
    p.add("x", "1.0");
    p.add("b", "2.0");
    p.add("b", "1.0", {"a>=2.0b1"});
    // b 2.0 is pinned while a waits; nothing opens a's pre-release until b goes back to 1.0.
    CHECK(pins(solved(p, {"a", "b"})) == "a 2.0b1, b 1.0");
  }
}

// ---- backtracking --------------------------------------------------------------------------------

TEST_CASE("Resolver backtracks to an older version when the newest conflicts", "[pkg][resolver]") {
  TableProvider p;
  p.add("a", "2.0", {"c<1"});
  p.add("a", "1.0");
  p.add("b", "1.0", {"c>=1"});
  p.add("c", "1.0");
  p.add("c", "0.5");
  const auto r = solved(p, {"a", "b"});
  CHECK(pins(r) == "a 1.0, c 1.0, b 1.0");
  CHECK(p.metadata_calls["a 2.0"] == 1);
}

TEST_CASE("Resolver backtracks over two levels", "[pkg][resolver]") {
  TableProvider p;
  // x 2.0 -> y -> z -> w>=2, and there is no w 2: y and z fail, x must go back to 1.0.
  p.add("x", "2.0", {"y"});
  p.add("x", "1.0");
  p.add("y", "1.0", {"z"});
  p.add("z", "1.0", {"w>=2"});
  p.add("w", "1.0");
  const auto r = solved(p, {"x"});
  CHECK(pins(r) == "x 1.0");
  // Without x 1.0 the explanation walks the chain and names what the user asked for.
  p.table["x"].pop_back();
  const std::string why = failure(p, {"x"});
  CHECK(why.starts_with("Cannot install x:"));
  CHECK(contains(why, "x 2.0 depends on y"));
  CHECK(contains(why, "y 1.0 depends on z"));
  CHECK(contains(why, "z 1.0 depends on w>=2"));
  CHECK(contains(why, "available versions of w: 1.0"));
}

TEST_CASE("Resolver re-pins a project chosen before a conflict that blames it", "[pkg][resolver]") {
  TableProvider p;
  // shared is pinned first (2.0: it has fewer candidates than app). No app version accepts
  // shared 2.0, so app's failure blames shared's pin: shared goes back to 1.0, and app takes its
  // newest version again.
  p.add("app", "3.0", {"shared<2"});
  p.add("app", "2.0", {"shared<2"});
  p.add("app", "1.0", {"shared<1"});
  p.add("shared", "2.0");
  p.add("shared", "1.0");
  const auto r = solved(p, {"app", "shared"});
  CHECK(pins(r) == "shared 1.0, app 3.0");
}

TEST_CASE("Resolver jumps back over pins that play no part in a conflict", "[pkg][resolver]") {
  TableProvider p;
  // x 2.0 needs u (30 versions, pinned before z since it has fewer) and z (40 versions, each
  // needing a w that does not exist). Blaming u would try its 30 versions for each z version.
  // u is pinned again under x 1.0, from the cached metadata.
  p.add("x", "2.0", {"u", "z"});
  p.add("x", "1.0", {"u"});
  for (int i = 30; i >= 1; --i) p.add("u", std::to_string(i) + ".0");
  for (int i = 40; i >= 1; --i) p.add("z", std::to_string(i) + ".0", {"w>=2"});
  p.add("w", "1.0");
  const auto r = solved(p, {"x"});
  CHECK(pins(r) == "u 30.0, x 1.0");
  CHECK(r.rounds <= 45);
  CHECK(p.metadata_calls.count("u 29.0") == 0);
  CHECK(p.metadata_calls["u 30.0"] == 1);
}

TEST_CASE("Resolver finds the one combination among many through repeated backjumps", "[pkg][resolver]") {
  TableProvider p;
  // a's and b's versions agree on c only for a 1.x and b 1.x; c's versions pin d, and only d 1.0
  // is allowed by the user.
  for (int i = 5; i >= 1; --i) p.add("a", std::to_string(i) + ".0", {"c==" + std::to_string(i) + ".0"});
  for (int i = 5; i >= 1; --i) p.add("b", std::to_string(i) + ".0", {"c>=" + std::to_string(i) + ".0"});
  for (int i = 5; i >= 1; --i) p.add("c", std::to_string(i) + ".0", {"d==" + std::to_string(i) + ".0"});
  for (int i = 5; i >= 1; --i) p.add("d", std::to_string(i) + ".0");
  const auto r = solved(p, {"a", "b", "d<2"});
  CHECK(pins(r) == "d 1.0, c 1.0, a 1.0, b 1.0");
  for (const auto& [name, n] : p.candidate_calls) CHECK(n == 1);
  for (const auto& [name, n] : p.metadata_calls) CHECK(n == 1);
}

// ---- constraints, no_deps ------------------------------------------------------------------------

TEST_CASE("Resolver constraints restrict chosen projects and add none", "[pkg][resolver]") {
  TableProvider p;
  p.add("a", "2.0", {"b"});
  p.add("a", "1.0", {"b"});
  p.add("b", "2.0");
  p.add("b", "1.0");
  p.add("unrelated", "1.0");
  const auto r = solved(p, {"a"}, {"b<2", "unrelated==1.0"});
  CHECK(pins(r) == "b 1.0, a 2.0");
  CHECK(p.candidate_calls.count("unrelated") == 0);
  CHECK_FALSE(dist(r, "b").requested);
}

TEST_CASE("Resolver names a constraint in a conflict", "[pkg][resolver]") {
  TableProvider p;
  p.add("a", "1.0", {"b>=2"});
  p.add("b", "2.0");
  p.add("b", "1.0");
  const std::string why = failure(p, {"a"}, {"b<2"});
  CHECK(contains(why, "a 1.0 depends on b>=2"));
  CHECK(contains(why, "the user requested (constraint) b<2"));
}

TEST_CASE("Resolver with no_deps installs only the root requirements", "[pkg][resolver]") {
  TableProvider p;
  p.add("a", "1.0", {"b"});
  p.add("b", "1.0");
  auto o = options();
  o.no_deps = true;
  const auto r = solved(p, {"a"}, {}, o);
  CHECK(pins(r) == "a 1.0");
  CHECK(p.candidate_calls.count("b") == 0);
  CHECK(dist(r, "a").metadata.requires_dist.size() == 1);
}

// ---- explanations --------------------------------------------------------------------------------

TEST_CASE("Resolver explains a conflict between a dependency and the user", "[pkg][resolver]") {
  TableProvider p;
  p.add("app", "1.0", {"lib<2"});
  p.add("lib", "2.0");
  p.add("lib", "1.0");
  auto r = run(p, {"app==1.0", "lib==2.0"});
  REQUIRE_FALSE(r);
  CHECK(r.error().code == pkg::Errc::no_solution);
  const std::string& why = r.error().detail;
  CHECK(why.starts_with("Cannot install app==1.0 and lib==2.0:"));
  CHECK(contains(why, "\n  app 1.0 depends on lib<2"));
  CHECK(contains(why, "\n  the user requested lib==2.0"));
}

TEST_CASE("Resolver explains a conflict found after backtracking, naming both sides", "[pkg][resolver]") {
  TableProvider p;
  p.add("a", "2.0", {"c<1"});
  p.add("a", "1.0", {"c<1"});
  p.add("b", "1.0", {"c>=1"});
  p.add("c", "1.0");
  p.add("c", "0.5");
  const std::string why = failure(p, {"a", "b"});
  CHECK(why.starts_with("Cannot install a and b:"));
  CHECK(contains(why, "a 2.0 depends on c<1"));
  CHECK(contains(why, "a 1.0 depends on c<1"));
  CHECK(contains(why, "b 1.0 depends on c>=1"));
}

TEST_CASE("Resolver explains a requirement no version satisfies", "[pkg][resolver]") {
  TableProvider p;
  p.add("a", "2.0");
  p.add("a", "1.0");
  p.rejected["a"] = {"3.0: requires Python >=3.12"};
  const std::string why = failure(p, {"a>=3"});
  CHECK(why.starts_with("no version of a satisfies >=3 (available: 1.0, 2.0)"));
  CHECK(contains(why, "the user requested a>=3"));
  CHECK(contains(why, "a 3.0: requires Python >=3.12"));
}

TEST_CASE("Resolver explains a project without usable files with the provider's reasons", "[pkg][resolver]") {
  TableProvider p;
  p.rejected["foo"] = {"foo 1.0: sdist only (tufget installs wheels only)",
                       "foo 0.9: no wheel for CPython 3.11 on linux_x86_64"};
  const std::string why = failure(p, {"foo"});
  CHECK(why.starts_with("no usable version of foo"));
  CHECK(contains(why, "foo 1.0: sdist only (tufget installs wheels only)"));
  CHECK(contains(why, "foo 0.9: no wheel for CPython 3.11"));

  // The same reasons when the project is a dependency that makes its parent fail.
  p.add("app", "1.0", {"foo"});
  const std::string deep = failure(p, {"app"});
  CHECK(contains(deep, "app 1.0 depends on foo"));
  CHECK(contains(deep, "foo 1.0: sdist only"));
}

TEST_CASE("Resolver stops on a provider error", "[pkg][resolver]") {
  TableProvider p;
  p.add("a", "1.0", {"b"});
  p.failing.insert("b");
  auto r = run(p, {"a"});
  REQUIRE_FALSE(r);
  CHECK(r.error().code == pkg::Errc::invalid_page);
  CHECK(r.error().input == "b");
}

TEST_CASE("Resolver refuses a URL requirement", "[pkg][resolver]") {
  TableProvider p;
  p.add("pip", "1.0");
  auto r = run(p, {"pip @ https://example.org/pip-1.3.1.zip"});
  REQUIRE_FALSE(r);
  CHECK(r.error().code == pkg::Errc::unsupported);
  CHECK(p.calls.empty());
  // Not when its marker does not apply.
  CHECK(pins(solved(p, {"pip", "other @ https://example.org/o.zip ; sys_platform == 'win32'"})) == "pip 1.0");
}

TEST_CASE("Resolver skips a candidate that depends on a URL", "[pkg][resolver]") {
  TableProvider p;
  p.add("a", "2.0", {"b @ https://example.org/b.zip"});
  p.add("a", "1.0");
  CHECK(pins(solved(p, {"a"})) == "a 1.0");
  const std::string why = failure(p, {"a==2.0"});
  CHECK(contains(why, "direct URL"));
}

TEST_CASE("Resolver skips candidates whose metadata rules them out", "[pkg][resolver]") {
  TableProvider p;
  p.add("a", "3.0").requires_python = ">=3.12";
  p.add("a", "2.0").metadata_name = "evil";
  p.add("a", "1.0").requires_python = ">=3.8";
  CHECK(pins(solved(p, {"a"})) == "a 1.0");
  const std::string why = failure(p, {"a>=2"});
  CHECK(contains(why, "a 3.0 requires Python >=3.12"));
  CHECK(contains(why, "a 2.0: its metadata names evil"));
}

TEST_CASE("Resolver gives up after max_rounds pin attempts", "[pkg][resolver]") {
  TableProvider p;
  for (int i = 20; i >= 1; --i) p.add("a", std::to_string(i) + ".0", {"b>=2"});
  p.add("b", "1.0");
  auto o = options();
  o.max_rounds = 5;
  auto r = run(p, {"a"}, {}, o);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == pkg::Errc::no_solution);
  CHECK(contains(r.error().detail, "gave up after 5 rounds"));
  CHECK(p.metadata_calls.size() == 5);
  o.max_rounds = 20;
  CHECK(contains(failure(p, {"a"}, {}, o), "a 1.0 depends on b>=2"));
}

// ---- provider calls ------------------------------------------------------------------------------

TEST_CASE("Resolver announces projects and metadata before fetching them", "[pkg][resolver]") {
  TableProvider p;
  p.add("a", "1.0", {"b", "c"});
  p.add("b", "2.0b1");
  p.add("b", "1.0");
  p.add("c", "1.0");
  solved(p, {"a"});
  const std::vector<std::string> expected_start = {
      "prefetch_projects a", "candidates a", "prefetch_metadata a-1.0", "metadata a 1.0",
      "prefetch_projects b c", "candidates b", "candidates c",
      "prefetch_metadata b-1.0 c-1.0"};  // b's first compatible candidate, not the pre-release
  REQUIRE(p.calls.size() >= expected_start.size());
  CHECK(std::vector<std::string>(p.calls.begin(), p.calls.begin() + 8) == expected_start);
}

TEST_CASE("Resolver asks for each project's candidates and each candidate's metadata once", "[pkg][resolver]") {
  TableProvider p;
  p.add("a", "2.0", {"c<1", "d"});
  p.add("a", "1.0", {"d"});
  p.add("b", "1.0", {"c>=1", "d"});
  p.add("c", "1.0", {"d"});
  p.add("c", "0.5");
  p.add("d", "1.0");
  solved(p, {"a", "b"});
  for (const auto& [name, n] : p.candidate_calls) CHECK(n == 1);
  for (const auto& [name, n] : p.metadata_calls) CHECK(n == 1);
  CHECK(p.metadata_calls.count("a 2.0") == 1);
}

TEST_CASE("Resolver keeps an installed candidate the provider lists first", "[pkg][resolver]") {
  TableProvider p;
  p.add("a", "1.0").installed = true;
  p.add("a", "2.0");
  const auto r = solved(p, {"a"});
  CHECK(pins(r) == "a 1.0");
  CHECK(dist(r, "a").candidate.installed);
  CHECK(dist(r, "a").candidate.handle == 0);
  // ...and moves off it when a requirement excludes it.
  const auto up = solved(p, {"a>=2"});
  CHECK(pins(up) == "a 2.0");
  CHECK_FALSE(dist(up, "a").candidate.installed);
}

TEST_CASE("Resolver output does not depend on the order of the requirements", "[pkg][resolver]") {
  TableProvider p;
  p.add("zeta", "1.0", {"shared"});
  p.add("alpha", "1.0", {"shared", "mid"});
  p.add("mid", "1.0");
  p.add("shared", "1.0");
  const auto one = solved(p, {"zeta", "alpha"});
  const auto two = solved(p, {"alpha", "zeta"});
  CHECK(pins(one) == "mid 1.0, shared 1.0, alpha 1.0, zeta 1.0");
  CHECK(pins(two) == pins(one));
}

TEST_CASE("Resolver resolves a 50-project tree without backtracking", "[pkg][resolver]") {
  TableProvider p;
  std::vector<std::string> top;
  for (int i = 0; i < 50; ++i) {
    const std::string name = "p" + std::to_string(100 + i);
    std::vector<std::string> deps;
    for (int j = i + 1; j < 50 && j <= i + 3; ++j) deps.push_back("p" + std::to_string(100 + j) + ">=1");
    p.add(name, "2.0", deps);
    p.add(name, "1.0", deps);
  }
  const auto r = solved(p, {"p100"});
  CHECK(r.dists.size() == 50);
  CHECK(r.rounds == 50);
  CHECK(r.dists.front().candidate.project == "p149");
  CHECK(r.dists.back().candidate.project == "p100");
}

// ---- against brute force -------------------------------------------------------------------------

namespace {

// Whether version `v` of a project may be chosen when `reqs` are all the requirements on it:
// every specifier matches, and the PEP 592 / PEP 440 rules as resolver.h states them, with the
// rules' inputs taken from `policy` (a requirement that names a pre-release or pins a version,
// and the final releases that fit, for the fallback).
bool allowed(const std::vector<Release>& releases, std::size_t v, const std::vector<pkg::Requirement>& reqs,
             const std::vector<pkg::Requirement>& policy) {
  bool pre_ok = false, yank_ok = false;
  for (const auto& r : policy) {
    for (const auto& s : r.specifiers.specifiers()) pre_ok = pre_ok || s.names_prerelease();
    yank_ok = yank_ok || r.is_pinned();
  }
  const auto version = [&](std::size_t i) { return *pkg::Version::parse(releases[i].version); };
  const auto eligible = [&](std::size_t i, const std::vector<pkg::Requirement>& by) {
    if (releases[i].yanked && !yank_ok) return false;
    for (const auto& r : by)
      if (!r.specifiers.contains(version(i), pkg::Prereleases::allow)) return false;
    return true;
  };
  if (!eligible(v, reqs)) return false;
  if (pre_ok || !version(v).is_prerelease()) return true;
  for (std::size_t i = 0; i < releases.size(); ++i)
    if (eligible(i, policy) && !version(i).is_prerelease()) return false;  // a final release fits
  return true;
}

// Checks an assignment (project -> release index, or -1 for absent): every root present, every
// present project required by a root or a present project, and allowed by its requirements.
// `strict`: the pre-release and yanked rules look at the user's requirements only. Otherwise a
// version can open itself: a pre-release whose own dependency names it again, which no
// resolver that decides the candidates of a project from the requirements known so far (pip's
// and this one) finds.
bool valid(const TableProvider& p, const std::vector<std::string>& names,
           const std::vector<pkg::Requirement>& roots, const std::vector<int>& pick, bool strict) {
  const auto slot = [&](const std::string& project) {
    return static_cast<std::size_t>(std::find(names.begin(), names.end(), project) - names.begin());
  };
  const pkg::MarkerEnvironment env = linux_311();
  std::vector<std::vector<pkg::Requirement>> reqs(names.size()), user(names.size());
  for (const auto& r : roots) user[slot(r.project)].push_back(r);
  // The requirements grow with the extras they request: repeat until nothing is added.
  for (std::size_t total = 0;;) {
    std::vector<std::vector<pkg::Requirement>> next = user;
    for (std::size_t s = 0; s < names.size(); ++s) {
      if (reqs[s].empty() && user[s].empty()) continue;  // not required (yet)
      if (pick[s] < 0) return false;
      std::vector<std::string> extras;
      for (const auto& r : reqs[s]) extras.insert(extras.end(), r.extras.begin(), r.extras.end());
      for (const auto& r : user[s]) extras.insert(extras.end(), r.extras.begin(), r.extras.end());
      for (const auto& d : p.table.at(names[s])[static_cast<std::size_t>(pick[s])].deps) {
        const auto r = *pkg::Requirement::parse(d);
        if (r.applies(env, {}) || (!extras.empty() && r.applies(env, extras))) next[slot(r.project)].push_back(r);
      }
    }
    std::size_t now = 0;
    for (const auto& v : next) now += v.size();
    reqs = std::move(next);
    if (now == total) break;
    total = now;
  }
  for (std::size_t s = 0; s < names.size(); ++s) {
    if (reqs[s].empty() != (pick[s] < 0)) return false;
    if (pick[s] >= 0 && !allowed(p.table.at(names[s]), static_cast<std::size_t>(pick[s]), reqs[s],
                                 strict ? user[s] : reqs[s]))
      return false;
  }
  return true;
}

bool any_solution(const TableProvider& p, const std::vector<std::string>& names,
                  const std::vector<pkg::Requirement>& roots, bool strict) {
  std::vector<int> pick(names.size(), -1);
  for (;;) {
    if (valid(p, names, roots, pick, strict)) return true;
    std::size_t i = 0;
    for (; i < names.size(); ++i) {
      if (++pick[i] < static_cast<int>(p.table.at(names[i]).size())) break;
      pick[i] = -1;
    }
    if (i == names.size()) return false;
  }
}

}  // namespace

TEST_CASE("Resolver finds a solution whenever one exists (random indexes against brute force)", "[pkg][resolver]") {
  std::mt19937 rng(20240611);
  const auto roll = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const std::vector<std::string> pool = {"3.0", "2.0", "2.0b1", "1.0"};  // best first
  const std::vector<std::string> specs = {"", "", ">=2.0", "<2.0", "==1.0", "==2.0", "!=2.0",
                                          ">=2.0b1", "==3.0", "<3"};
  int solvable = 0, unsolvable = 0;
  for (int round = 0; round < 1500; ++round) {
    TableProvider p;
    std::vector<std::string> names;
    const int n = 2 + roll(4);
    for (int i = 0; i < n; ++i) names.push_back("p" + std::to_string(i));
    for (const auto& name : names) {
      for (const auto& v : pool) {
        if (roll(3) == 0) continue;
        std::vector<std::string> deps;
        for (int d = roll(3); d > 0; --d) {
          std::string dep = names[static_cast<std::size_t>(roll(n))];
          if (roll(4) == 0) dep += "[e]";
          dep += specs[static_cast<std::size_t>(roll(static_cast<int>(specs.size())))];
          if (roll(4) == 0) dep += "; extra == 'e'";
          deps.push_back(dep);
        }
        p.add(name, v, deps).yanked = roll(8) == 0;
      }
      if (p.table[name].empty()) p.add(name, "1.0");
    }
    std::vector<std::string> root_texts;
    for (int r = 1 + roll(2); r > 0; --r)
      root_texts.push_back(names[static_cast<std::size_t>(roll(n))] + (roll(3) == 0 ? "[e]" : "") +
                           specs[static_cast<std::size_t>(roll(static_cast<int>(specs.size())))]);
    const auto roots = parse_all(root_texts);
    const auto r = run(p, root_texts);
    std::string listing;
    for (const auto& [name, releases] : p.table)
      for (const auto& rel : releases) {
        listing += name + " " + rel.version + (rel.yanked ? " (yanked)" : "") + ":";
        for (const auto& d : rel.deps) listing += " " + d;
        listing += "\n";
      }
    INFO("roots: " << root_texts.front() << (root_texts.size() > 1 ? ", " + root_texts.back() : std::string()) << "\n" << listing);
    if (!r) {
      INFO(r.error().message());
      REQUIRE(r.error().code == pkg::Errc::no_solution);
      REQUIRE_FALSE(any_solution(p, names, roots, true));
      ++unsolvable;
      continue;
    }
    ++solvable;
    std::vector<int> pick(names.size(), -1);
    for (const auto& d : r->dists) {
      const std::size_t s = static_cast<std::size_t>(std::find(names.begin(), names.end(), d.candidate.project) - names.begin());
      REQUIRE(s < names.size());
      REQUIRE(pick[s] == -1);
      pick[s] = static_cast<int>(d.candidate.handle);
    }
    REQUIRE(valid(p, names, roots, pick, false));
  }
  CHECK(solvable > 300);
  CHECK(unsolvable > 100);
}
