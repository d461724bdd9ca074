// The backtracking resolver of resolver.h.
//
// Model (resolvelib's, which pip uses): per project a "criterion" = the requirements on it with
// who asked (Info), the candidates excluded by earlier conflicts, and the pin. Each round picks
// one unpinned project that something requires, tries its remaining candidates in the
// provider's order, and pins the first whose dependencies are consistent with every pin made so
// far and leave every unpinned project at least one candidate.
//
// State changes go through a trail (an undo log) rather than copies of the whole state per
// round: a pin, an added requirement, an added exclusion. A level is one pin; undoing to a
// level's trail mark restores the state before that pin exactly.
//
// Backtracking is conflict-directed (a backjump). Every requirement carries its culprits: the
// pinned projects whose choice put it there (its parent; for a dependency a pinned project adds
// because a later requirement asked for one of its extras, also that requirement's). When no
// candidate of project P works, the union of the culprits of P's requirements, of P's
// exclusions and of each failed attempt is the set of pins that together rule P out. The
// resolver undoes everything back to the latest of those pins and excludes that pin's
// candidate, the exclusion itself carrying the other culprits (they stay pinned while it lives).
// Pins made after it that played no part are undone without being blamed, so unrelated projects
// are not re-tried version by version (chronological backtracking would). When the set is empty
// the user's requirements alone rule P out: no solution. Culprit sets over-approximate, never
// under-approximate, so no solution is lost (the tests check this against brute force).
//
// Two departures from resolvelib: a requirement that a pinned project's version does not
// satisfy is a conflict of the candidate being pinned (resolvelib 1.0 un-pins the other
// project in place); the backjump then decides which pin goes. And the pre-release and yanked
// rules can let candidates in as requirements arrive (a requirement naming a pre-release or
// pinning a yanked version), so a project whose only candidates are held back by them waits
// until every other project is pinned; if it still has none, every pin is blamed.
//
// A round is one pin attempt (one candidate tried); candidates() is asked once per project and
// metadata() once per candidate, whatever the backtracking.
#include "pkg/resolver.h"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace pkg {
namespace {

constexpr int kUser = -1;                 // the parent of a root requirement
constexpr std::size_t kMaxCauses = 40;     // lines kept per explanation
constexpr std::size_t kMaxVersionsShown = 12;

// A requirement the resolver holds (root, constraint or dependency); its text is made on use.
struct Req {
  Requirement req;
  mutable std::string text;
  const std::string& str() const {
    if (text.empty()) text = req.str();
    return text;
  }
};

// One line of a no_solution explanation, and the "Cannot install ..." item it stands for.
struct Cause {
  int rank = 0;  // 0: "X 1.0 depends on ...", 1: "the user requested ...", 2: constraint, 3: note
  std::string line;
  std::string trigger;  // empty for constraints and notes
  auto operator<=>(const Cause&) const = default;
};

using Culprits = std::vector<int>;  // project indices, sorted, unique

void merge_into(Culprits& into, const Culprits& from) {
  if (from.empty()) return;
  into.insert(into.end(), from.begin(), from.end());
  std::sort(into.begin(), into.end());
  into.erase(std::unique(into.begin(), into.end()), into.end());
}

Culprits with(Culprits set, int project) {
  merge_into(set, Culprits{project});
  return set;
}

void merge_causes(std::vector<Cause>& into, const std::vector<Cause>& from) {
  into.insert(into.end(), from.begin(), from.end());
  std::sort(into.begin(), into.end());
  into.erase(std::unique(into.begin(), into.end()), into.end());
}

struct Conflict {
  Culprits culprits;
  std::vector<Cause> causes;
};

// The candidates (indices) that match a project's requirements so far; shared by consecutive
// infos when a requirement filters nothing, so 200,000 lines on one project hold one list.
using Matching = std::shared_ptr<const std::vector<std::uint32_t>>;

struct Info {
  const Req* req;
  int parent;  // project index or kUser
  Culprits culprits;
  // The candidates whose version matches this and every earlier requirement and the
  // constraints (so a new requirement tests only these, and undo is a pop).
  Matching matching;
  std::string key;  // specifier_key() of req
};

struct Exclusion {
  std::size_t candidate;
  Culprits culprits;
  std::vector<Cause> causes;  // why it was excluded
};

struct CandidateData {
  bool loaded = false;
  DistMetadata metadata;
  std::vector<const Req*> base;  // dependencies without extras
  std::vector<std::pair<std::vector<std::string>, std::vector<const Req*>>> with_extras;
};

struct Project {
  int id = 0;
  std::string name;  // normalised
  bool prefetched = false;
  bool loaded = false;
  bool metadata_hinted = false;
  CandidateList list;
  std::vector<std::unique_ptr<CandidateData>> data;  // per candidate of `list`, made on use
  std::vector<const Req*> constraints;
  Matching allowed = std::make_shared<const std::vector<std::uint32_t>>();  // the constraints allow
  bool constraint_names_prerelease = false;
  bool constraint_pins = false;  // a constraint pins an exact version (==V, ===V)

  // Search state, changed only through the trail.
  std::vector<Info> infos;
  std::vector<Exclusion> exclusions;
  std::vector<const Req*> added;  // the pin's dependencies already added (extras included)
  int pin = -1;                   // candidate index
  int level = -1;                 // index of the pin's level
  int exact_reqs = 0;             // infos that pin an exact version (==V, ===V)
  int prerelease_reqs = 0;        // infos with a specifier naming a pre-release
  // Kept with the infos (and undone with them), so that adding a requirement costs the same
  // whether the project has 1 or 200,000 requirements: how many infos have each specifier set
  // (specifier_key) and each extra.
  std::unordered_map<std::string, std::uint32_t> spec_keys;
  std::map<std::string, std::uint32_t> extras;

  std::uint64_t gen = 1;  // bumped on every change of infos/exclusions
  std::uint64_t cached_gen = 0;
  std::vector<std::uint32_t> remaining;  // cache for `gen`
  std::size_t held = 0;                  // cache for `gen`: see filter()
};

enum class Change : std::uint8_t { info, exclusion, pin, added };
struct TrailEntry {
  Change change;
  int project;
};

struct Level {
  int project;
  std::size_t candidate;
  std::size_t mark;  // trail size before the pin
};

struct Pending {
  const Req* req;
  int parent;
  Culprits culprits;
  int project = -1;
};

// Two requirements with the same key filter candidates the same way.
std::string specifier_key(const SpecifierSet& specs) {
  std::string key;
  for (const Specifier& s : specs.specifiers()) {
    key += static_cast<char>('0' + static_cast<int>(s.op()));
    key += s.wildcard() ? '*' : ' ';
    key += s.operand();
    key += ',';
  }
  return key;
}

bool names_prerelease(const Requirement& r) {
  return std::any_of(r.specifiers.specifiers().begin(), r.specifiers.specifiers().end(),
                     [](const Specifier& s) { return s.names_prerelease(); });
}

std::vector<std::string> union_extras(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  std::sort(a.begin(), a.end());
  a.erase(std::unique(a.begin(), a.end()), a.end());
  return a;
}

std::string join_and(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += (i + 1 == items.size()) ? " and " : ", ";
    out += items[i];
  }
  return out;
}

class Resolver {
 public:
  Resolver(Provider& provider, const ResolveOptions& options)
      : provider_(provider), opt_(options) {
    if (auto v = Version::parse(opt_.environment.python_full_version)) python_ = *v;
  }

  Result<Resolution> run(const std::vector<Requirement>& requirements,
                         const std::vector<Requirement>& constraints);

 private:
  int project_id(const std::string& name);
  Result<void> load(int q);
  Result<CandidateData*> candidate_data(int q, std::size_t c);
  const std::vector<const Req*>& deps_for(int q, std::size_t c, const std::vector<std::string>& extras);
  std::optional<std::string> unusable(const Project& p, std::size_t c) const;

  const std::vector<std::uint32_t>& remaining(Project& p);
  std::size_t filter(const Project& p, bool use_exclusions, std::vector<std::uint32_t>& out) const;
  std::vector<std::string> extras_of(const Project& p) const;
  static const Matching& matching_of(const Project& p) {
    return p.infos.empty() ? p.allowed : p.infos.back().matching;
  }

  void touch(Project& p) { p.gen = ++next_gen_; }
  void add_info(int q, const Req* req, int parent, Culprits culprits);
  void pop_info(Project& p);
  void add_exclusion(int q, std::size_t c, Culprits culprits, std::vector<Cause> causes);
  void set_pin(int q, std::size_t c);
  void add_dependency_record(int q, const Req* req);
  void undo_to(std::size_t mark);

  std::pair<int, bool> pick();
  bool others_to_pin(int p);
  Result<std::optional<Conflict>> try_pin(int p, std::size_t c);
  Result<std::optional<Conflict>> process(std::vector<Pending>& queue, std::vector<int>& touched);
  void hint_metadata(const std::vector<int>& projects);

  // Explanations.
  std::string describe(int parent) const;  // "app 1.0"
  std::string trigger(int parent) const;   // "app==1.0" or the user's requirement on app
  Cause info_cause(const Info& info) const;
  std::vector<Cause> requirement_causes(const Project& p) const;
  std::vector<Cause> unsatisfiable_notes(const Project& p) const;
  std::string available(const Project& p) const;
  std::vector<Cause> policy_notes(const Project& p) const;
  Conflict no_candidate_left(const Project& q) const;
  Error explain(int p, const std::vector<Conflict>& tried) const;

  Result<Resolution> build() const;

  Provider& provider_;
  const ResolveOptions& opt_;
  std::optional<Version> python_;
  std::deque<Req> reqs_;          // stable addresses
  std::deque<Project> projects_;  // stable addresses
  std::unordered_map<std::string, int> index_;
  std::vector<TrailEntry> trail_;
  std::vector<Level> levels_;
  std::size_t rounds_ = 0;
  mutable std::size_t checks_ = 0;  // Resolution::checks
  std::uint64_t next_gen_ = 1;
};

// ---- projects, candidates, metadata -------------------------------------------------------------

int Resolver::project_id(const std::string& name) {
  auto [it, inserted] = index_.try_emplace(name, static_cast<int>(projects_.size()));
  if (inserted) {
    Project& p = projects_.emplace_back();
    p.id = it->second;
    p.name = name;
  }
  return it->second;
}

Result<void> Resolver::load(int q) {
  Project& p = projects_[q];
  if (p.loaded) return {};
  auto list = provider_.candidates(p.name);
  if (!list) return std::unexpected(std::move(list.error()));
  p.list = std::move(*list);
  p.data.resize(p.list.candidates.size());
  // Each distinct constraint once (a constraints file may repeat one thousands of times).
  std::vector<const Req*> distinct;
  std::unordered_map<std::string, bool> seen;
  for (const Req* r : p.constraints) {
    ++checks_;
    if (seen.try_emplace(specifier_key(r->req.specifiers), true).second) distinct.push_back(r);
    p.constraint_names_prerelease = p.constraint_names_prerelease || names_prerelease(r->req);
    p.constraint_pins = p.constraint_pins || r->req.is_pinned();
  }
  auto allowed = std::make_shared<std::vector<std::uint32_t>>();
  for (std::size_t i = 0; i < p.list.candidates.size(); ++i) {
    const auto fits = [&](const Req* r) {
      ++checks_;
      return r->req.specifiers.contains(p.list.candidates[i].version, Prereleases::allow);
    };
    if (std::all_of(distinct.begin(), distinct.end(), fits))
      allowed->push_back(static_cast<std::uint32_t>(i));
  }
  p.allowed = std::move(allowed);
  p.loaded = true;
  return {};
}

Result<CandidateData*> Resolver::candidate_data(int q, std::size_t c) {
  Project& p = projects_[q];
  if (!p.data[c]) p.data[c] = std::make_unique<CandidateData>();
  CandidateData& d = *p.data[c];
  if (d.loaded) return &d;
  auto md = provider_.metadata(p.list.candidates[c]);
  if (!md) return std::unexpected(std::move(md.error()));
  d.metadata = std::move(*md);
  if (!opt_.no_deps)
    for (auto& r : d.metadata.dependencies(opt_.environment, {}))
      d.base.push_back(&reqs_.emplace_back(Req{std::move(r), {}}));
  d.loaded = true;
  return &d;
}

// The dependencies of candidate `c` of `q` when `extras` are requested: those without extras
// plus those the extras add (pip: the base distribution is always part of "name[extras]").
const std::vector<const Req*>& Resolver::deps_for(int q, std::size_t c,
                                                  const std::vector<std::string>& extras) {
  CandidateData& d = *projects_[q].data[c];
  if (extras.empty() || opt_.no_deps) return d.base;
  for (const auto& [key, deps] : d.with_extras)
    if (key == extras) return deps;
  std::vector<const Req*> deps = d.base;
  for (auto& r : d.metadata.dependencies(opt_.environment, extras)) {
    const std::string text = r.str();
    const bool known = std::any_of(d.base.begin(), d.base.end(),
                                   [&](const Req* b) { return b->str() == text; });
    if (!known) deps.push_back(&reqs_.emplace_back(Req{std::move(r), text}));
  }
  return d.with_extras.emplace_back(extras, std::move(deps)).second;
}

// Why a candidate cannot be used whatever else is chosen (nullopt: it can).
std::optional<std::string> Resolver::unusable(const Project& p, std::size_t c) const {
  const Candidate& cand = p.list.candidates[c];
  const DistMetadata& md = p.data[c]->metadata;
  if (md.project != p.name || !(md.version == cand.version))
    return p.name + " " + cand.version.str() + ": its metadata names " + md.name + " " +
           md.version.str() + " (ignored)";
  if (md.requires_python && python_ && !md.requires_python->contains(*python_, Prereleases::allow))
    return p.name + " " + cand.version.str() + " requires Python " + md.requires_python->str() +
           " (the target is " + python_->str() + ")";
  return std::nullopt;
}

// ---- the criterion of a project ------------------------------------------------------------------

// Candidates allowed by every requirement and constraint on `p`, in the provider's order, with
// the PEP 440 pre-release rule and the PEP 592 yanked rule applied project-wide (as pip merges
// all specifiers of a project into one set), and without the excluded ones when asked.
//
// Returns how many candidates match every specifier and are not excluded, but are held back by
// those two rules. Unlike specifiers, the rules can let more candidates in as requirements are
// added (one that names a pre-release or pins a yanked version; the pre-release fallback), so an
// empty list with candidates held back is not yet a failure: a later pin may open one.
std::size_t Resolver::filter(const Project& p, bool use_exclusions,
                             std::vector<std::uint32_t>& out) const {
  const bool pre_never = opt_.prereleases == Prereleases::exclude;
  const bool pre_ok = opt_.prereleases == Prereleases::allow ||
                      (!pre_never && (p.prerelease_reqs > 0 || p.constraint_names_prerelease));
  const bool yank_ok = p.exact_reqs > 0 || p.constraint_pins;

  const auto excluded = [&](std::size_t i) {
    return use_exclusions && std::any_of(p.exclusions.begin(), p.exclusions.end(),
                                         [&](const Exclusion& e) { return e.candidate == i; });
  };

  out.clear();
  std::size_t matching = 0;
  bool any_final = false;  // (exclusions do not count: they must not turn the fallback on)
  const auto& cands = p.list.candidates;
  for (std::uint32_t i : *matching_of(p)) {
    ++checks_;
    const bool out_of_play = excluded(i);
    if (!out_of_play) ++matching;
    if (cands[i].yanked && !yank_ok) continue;  // PEP 592
    any_final = any_final || !cands[i].version.is_prerelease();
    if (!out_of_play) out.push_back(static_cast<std::uint32_t>(i));
  }
  // PEP 440: pre-releases only when named or allowed, or (implied) when no final release fits.
  if (!pre_ok && (pre_never || any_final))
    std::erase_if(out, [&](std::uint32_t i) { return cands[i].version.is_prerelease(); });
  return matching - out.size();
}

const std::vector<std::uint32_t>& Resolver::remaining(Project& p) {
  if (p.cached_gen != p.gen) {
    p.held = filter(p, true, p.remaining);
    p.cached_gen = p.gen;
  }
  return p.remaining;
}

std::vector<std::string> Resolver::extras_of(const Project& p) const {
  std::vector<std::string> out;
  for (const auto& [extra, count] : p.extras) out.push_back(extra);
  return out;  // sorted, unique (a std::map's keys)
}

// ---- the trail ------------------------------------------------------------------------------------

// Costs O(candidates still matching + length of the requirement), never O(requirements on
// the project): the earlier requirements are found through spec_keys, not scanned.
void Resolver::add_info(int q, const Req* req, int parent, Culprits culprits) {
  Project& p = projects_[q];
  const SpecifierSet& specs = req->req.specifiers;
  std::string key = specifier_key(specs);
  ++checks_;
  // The same specifiers as an earlier requirement (common: "six>=1.5" from several parents)
  // filter nothing more.
  const auto seen = p.spec_keys.find(key);
  Matching matching = matching_of(p);
  if (!specs.empty() && (seen == p.spec_keys.end() || seen->second == 0)) {
    auto narrowed = std::make_shared<std::vector<std::uint32_t>>();
    for (std::uint32_t i : *matching) {
      ++checks_;
      if (specs.contains(p.list.candidates[i].version, Prereleases::allow)) narrowed->push_back(i);
    }
    if (narrowed->size() != matching->size()) matching = std::move(narrowed);
  }
  ++p.spec_keys[key];
  for (const auto& e : req->req.extras) {
    ++checks_;
    ++p.extras[e];
  }
  if (req->req.is_pinned()) ++p.exact_reqs;
  if (names_prerelease(req->req)) ++p.prerelease_reqs;
  p.infos.push_back(Info{req, parent, std::move(culprits), std::move(matching), std::move(key)});
  touch(p);
  trail_.push_back({Change::info, q});
}

void Resolver::pop_info(Project& p) {
  const Info& info = p.infos.back();
  const Requirement& r = info.req->req;
  if (r.is_pinned()) --p.exact_reqs;
  if (names_prerelease(r)) --p.prerelease_reqs;
  if (auto it = p.spec_keys.find(info.key); it != p.spec_keys.end() && --it->second == 0)
    p.spec_keys.erase(it);
  for (const auto& e : r.extras)
    if (auto it = p.extras.find(e); it != p.extras.end() && --it->second == 0) p.extras.erase(it);
  p.infos.pop_back();
  touch(p);
}

void Resolver::add_exclusion(int q, std::size_t c, Culprits culprits, std::vector<Cause> causes) {
  Project& p = projects_[q];
  p.exclusions.push_back(Exclusion{c, std::move(culprits), std::move(causes)});
  touch(p);
  trail_.push_back({Change::exclusion, q});
}

void Resolver::set_pin(int q, std::size_t c) {
  Project& p = projects_[q];
  p.pin = static_cast<int>(c);
  p.level = static_cast<int>(levels_.size());
  trail_.push_back({Change::pin, q});
}

void Resolver::add_dependency_record(int q, const Req* req) {
  projects_[q].added.push_back(req);
  trail_.push_back({Change::added, q});
}

void Resolver::undo_to(std::size_t mark) {
  while (trail_.size() > mark) {
    const TrailEntry e = trail_.back();
    trail_.pop_back();
    Project& p = projects_[e.project];
    switch (e.change) {
      case Change::info:
        pop_info(p);
        break;
      case Change::exclusion:
        p.exclusions.pop_back();
        touch(p);
        break;
      case Change::pin:
        p.pin = -1;
        p.level = -1;
        break;
      case Change::added:
        p.added.pop_back();
        break;
    }
  }
}

// ---- the search -----------------------------------------------------------------------------------

// The next project to pin: required, unpinned; one with an exact pin first, then the fewest
// remaining candidates (a project with none comes first and fails at once), then by name. A
// project whose only candidates are held back (see filter) waits until nothing else is left, as
// another pin may still open one; .second tells that it is such a project.
std::pair<int, bool> Resolver::pick() {
  int best = -1;
  bool best_exact = false;
  std::size_t best_count = 0;
  int waiting = -1;
  for (std::size_t i = 0; i < projects_.size(); ++i) {
    Project& p = projects_[i];
    if (p.pin >= 0 || p.infos.empty()) continue;
    const bool exact = p.exact_reqs > 0;
    const std::size_t count = remaining(p).size();
    if (count == 0 && p.held > 0) {
      if (waiting < 0 || p.name < projects_[waiting].name) waiting = static_cast<int>(i);
      continue;
    }
    if (best >= 0) {
      if (exact != best_exact) {
        if (!exact) continue;
      } else if (count != best_count) {
        if (count > best_count) continue;
      } else if (p.name >= projects_[best].name) {
        continue;
      }
    }
    best = static_cast<int>(i);
    best_exact = exact;
    best_count = count;
  }
  if (best >= 0) return {best, false};
  return {waiting, waiting >= 0};
}

// Whether a project other than `p` can still be pinned (and so add requirements).
bool Resolver::others_to_pin(int p) {
  for (std::size_t i = 0; i < projects_.size(); ++i) {
    Project& q = projects_[i];
    if (static_cast<int>(i) == p || q.pin >= 0 || q.infos.empty()) continue;
    if (!remaining(q).empty() || q.held == 0) return true;
  }
  return false;
}

// Pins candidate `c` of `p` and adds its dependencies; on a conflict undoes all of it and says
// why. Errors are the provider's.
Result<std::optional<Conflict>> Resolver::try_pin(int p, std::size_t c) {
  const std::size_t mark = trail_.size();
  auto data = candidate_data(p, c);
  if (!data) return std::unexpected(std::move(data.error()));
  if (auto why = unusable(projects_[p], c)) return Conflict{{}, {Cause{3, *why, {}}}};

  set_pin(p, c);
  const Project& proj = projects_[p];
  // A dependency is due to this pin only: a dependency behind an extra is also due to who asked
  // for the extra, but that requirement is on p, so any failure of p counts its culprits.
  std::vector<Pending> queue;
  for (const Req* d : deps_for(p, c, extras_of(proj))) {
    queue.push_back(Pending{d, p, Culprits{p}});
    add_dependency_record(p, d);
  }
  std::vector<int> touched;
  auto conflict = process(queue, touched);
  if (!conflict) return std::unexpected(std::move(conflict.error()));
  if (*conflict) {
    undo_to(mark);
    return conflict;
  }
  hint_metadata(touched);
  return std::optional<Conflict>{};
}

// Adds the queued requirements (and what they imply through extras of pinned projects), in
// batches: the projects of a batch are announced to the provider before any is fetched.
Result<std::optional<Conflict>> Resolver::process(std::vector<Pending>& queue,
                                                  std::vector<int>& touched) {
  std::size_t head = 0;
  while (head < queue.size()) {
    const std::size_t end = queue.size();
    std::vector<std::string> fresh;
    for (std::size_t i = head; i < end; ++i) {
      if (queue[i].req->req.url) continue;  // refused below, not fetched
      const int q = project_id(queue[i].req->req.project);
      queue[i].project = q;
      touched.push_back(q);
      if (!projects_[q].prefetched) {
        projects_[q].prefetched = true;
        fresh.push_back(projects_[q].name);
      }
    }
    if (!fresh.empty()) provider_.prefetch_projects(fresh);
    for (std::size_t i = head; i < end; ++i)
      if (queue[i].project >= 0)
        if (auto ok = load(queue[i].project); !ok) return std::unexpected(std::move(ok.error()));

    for (; head < end; ++head) {
      Pending item = std::move(queue[head]);
      const Requirement& r = item.req->req;
      const int q = item.project;
      if (r.url)
        return Conflict{item.culprits,
                        {Cause{0,
                               describe(item.parent) + " depends on " + item.req->str() +
                                   " (a direct URL reference: not supported)",
                               trigger(item.parent)}}};
      std::vector<std::string> before;
      if (projects_[q].pin >= 0 && !r.extras.empty()) before = extras_of(projects_[q]);
      add_info(q, item.req, item.parent, item.culprits);
      Project& target = projects_[q];

      if (target.pin < 0) {
        if (remaining(target).empty() && target.held == 0) return no_candidate_left(target);
        continue;
      }
      // Already pinned (maybe the candidate being pinned itself): the pin must satisfy it.
      const auto pin = static_cast<std::size_t>(target.pin);
      if (!r.specifiers.contains(target.list.candidates[pin].version, Prereleases::allow))
        return Conflict{with(item.culprits, q), requirement_causes(target)};
      if (r.extras.empty()) continue;
      const auto now = union_extras(before, r.extras);
      if (now == before) continue;
      // New extras of a pinned project: add the dependencies they bring.
      for (const Req* d : deps_for(q, pin, now)) {
        const bool known = std::any_of(target.added.begin(), target.added.end(),
                                       [&](const Req* a) { return a == d || a->str() == d->str(); });
        if (known) continue;
        queue.push_back(Pending{d, q, with(item.culprits, q)});
        add_dependency_record(q, d);
      }
    }
  }
  return std::optional<Conflict>{};
}

// Tells the provider which metadata will likely be wanted next: the first remaining candidate of
// each project it has not been told about yet.
void Resolver::hint_metadata(const std::vector<int>& projects) {
  std::vector<Candidate> hints;
  for (int q : projects) {
    Project& p = projects_[q];
    if (p.metadata_hinted || p.pin >= 0 || p.infos.empty()) continue;
    const auto& rem = remaining(p);
    if (rem.empty()) continue;
    p.metadata_hinted = true;
    if (!p.data[rem.front()]) hints.push_back(p.list.candidates[rem.front()]);
  }
  if (!hints.empty()) provider_.prefetch_metadata(hints);
}

Result<Resolution> Resolver::run(const std::vector<Requirement>& requirements,
                                 const std::vector<Requirement>& constraints) {
  for (const auto& c : constraints) {
    if (!c.applies(opt_.environment)) continue;
    if (c.url) return fail(Errc::unsupported, c.str(), "a constraint with a URL is not supported");
    projects_[project_id(c.project)].constraints.push_back(&reqs_.emplace_back(Req{c, {}}));
  }
  std::vector<int> roots;
  std::vector<const Requirement*> applying;
  std::vector<std::string> fresh;
  for (const auto& r : requirements) {
    if (!r.applies(opt_.environment)) continue;
    applying.push_back(&r);
    if (r.url)
      return fail(Errc::unsupported, r.str(),
                  "direct URL requirements are not supported (tufget installs verified index "
                  "files only)");
    const int q = project_id(r.project);
    roots.push_back(q);
    if (!projects_[q].prefetched) {
      projects_[q].prefetched = true;
      fresh.push_back(projects_[q].name);
    }
  }
  if (!fresh.empty()) provider_.prefetch_projects(fresh);
  for (int q : roots)
    if (auto ok = load(q); !ok) return std::unexpected(std::move(ok.error()));
  for (std::size_t i = 0; i < roots.size(); ++i)
    add_info(roots[i], &reqs_.emplace_back(Req{*applying[i], {}}), kUser, {});
  hint_metadata(roots);
  // The user's requirements are never undone: clear the trail so undo stops above them.
  trail_.clear();

  for (;;) {
    const auto [p, waiting] = pick();
    if (p < 0) break;
    const std::vector<std::uint32_t> order = remaining(projects_[p]);
    std::vector<std::pair<std::size_t, Conflict>> tried;
    bool pinned = false;
    for (std::uint32_t c : order) {
      if (rounds_ >= opt_.max_rounds)
        return fail(Errc::no_solution, projects_[p].name,
                    "gave up after " + std::to_string(rounds_) +
                        " rounds: the requirements need too much backtracking (add constraints "
                        "or narrower version specifiers)");
      ++rounds_;
      const std::size_t mark = trail_.size();
      auto attempt = try_pin(p, c);
      if (!attempt) return std::unexpected(std::move(attempt.error()));
      if (!*attempt) {
        levels_.push_back(Level{p, c, mark});
        pinned = true;
        break;
      }
      tried.emplace_back(c, std::move(**attempt));
    }
    if (pinned) continue;

    // No candidate of p works. When the policy holds candidates back that a later pin may open,
    // remember why the tried ones failed and pin the others first.
    remaining(projects_[p]);
    const bool held = projects_[p].held > 0;
    if (held && !waiting && others_to_pin(p)) {
      for (auto& [c, conflict] : tried) {
        std::erase(conflict.culprits, p);
        add_exclusion(p, c, std::move(conflict.culprits), std::move(conflict.causes));
      }
      continue;
    }

    // Find the pins that rule p out. With candidates held back, every pin may be the reason no
    // requirement opened them.
    const Project& proj = projects_[p];
    Culprits culprits;
    for (const auto& i : proj.infos) merge_into(culprits, i.culprits);
    for (const auto& e : proj.exclusions) merge_into(culprits, e.culprits);
    for (const auto& t : tried) merge_into(culprits, t.second.culprits);
    if (held)
      for (const auto& l : levels_) merge_into(culprits, Culprits{l.project});
    std::erase(culprits, p);
    std::vector<Conflict> conflicts;
    for (auto& t : tried) conflicts.push_back(std::move(t.second));
    if (culprits.empty()) return std::unexpected(explain(p, conflicts));

    std::vector<Cause> causes = requirement_causes(proj);
    for (const auto& t : conflicts) merge_causes(causes, t.causes);
    for (const auto& e : proj.exclusions) merge_causes(causes, e.causes);
    if (conflicts.empty()) merge_causes(causes, unsatisfiable_notes(proj));
    if (causes.size() > kMaxCauses) causes.resize(kMaxCauses);

    int latest = culprits.front();
    for (int q : culprits)
      if (projects_[q].level > projects_[latest].level) latest = q;
    const auto index = static_cast<std::size_t>(projects_[latest].level);
    const Level level = levels_[index];
    undo_to(level.mark);
    levels_.resize(index);
    std::erase(culprits, level.project);
    add_exclusion(level.project, level.candidate, std::move(culprits), std::move(causes));
  }
  return build();
}

// ---- explanations ---------------------------------------------------------------------------------

std::string Resolver::describe(int parent) const {
  if (parent == kUser) return "the user";
  const Project& p = projects_[parent];
  return p.name + " " + p.list.candidates[static_cast<std::size_t>(p.pin)].version.str();
}

// What the user asked for that brought `parent` in: the nearest root requirement above it
// (breadth first through who required it), else "name==version".
std::string Resolver::trigger(int parent) const {
  std::vector<int> queue{parent};
  std::vector<bool> seen(projects_.size(), false);
  seen[static_cast<std::size_t>(parent)] = true;
  for (std::size_t head = 0; head < queue.size(); ++head) {
    for (const auto& i : projects_[queue[head]].infos) {
      if (i.parent == kUser) return i.req->str();
      if (!seen[static_cast<std::size_t>(i.parent)]) {
        seen[static_cast<std::size_t>(i.parent)] = true;
        queue.push_back(i.parent);
      }
    }
  }
  const Project& p = projects_[parent];
  return p.name + "==" + p.list.candidates[static_cast<std::size_t>(p.pin)].version.str();
}

Cause Resolver::info_cause(const Info& info) const {
  if (info.parent == kUser) return Cause{1, "the user requested " + info.req->str(), info.req->str()};
  return Cause{0, describe(info.parent) + " depends on " + info.req->str(), trigger(info.parent)};
}

std::vector<Cause> Resolver::requirement_causes(const Project& p) const {
  std::vector<Cause> out;
  for (const auto& i : p.infos)
    if (i.parent != p.id) out.push_back(info_cause(i));  // not a self-dependency
  for (const auto* c : p.constraints)
    out.push_back(Cause{2, "the user requested (constraint) " + c->str(), {}});
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// "1.0, 2.0b1, 3.0": the distinct versions, oldest first, the newest kMaxVersionsShown.
std::string Resolver::available(const Project& p) const {
  std::vector<Version> versions;
  for (const auto& c : p.list.candidates) versions.push_back(c.version);
  std::sort(versions.begin(), versions.end());
  versions.erase(std::unique(versions.begin(), versions.end()), versions.end());
  std::string out;
  std::size_t first = 0;
  if (versions.size() > kMaxVersionsShown) {
    first = versions.size() - kMaxVersionsShown;
    out = "..., ";
  }
  for (std::size_t i = first; i < versions.size(); ++i) out += (i > first ? ", " : "") + versions[i].str();
  return out;
}

// Why candidates that match every specifier were still left out (yanked, pre-release), and the
// provider's reasons for files it left out.
std::vector<Cause> Resolver::policy_notes(const Project& p) const {
  std::vector<Cause> out;
  const auto matches = [&](const Version& v) {
    for (const auto& i : p.infos)
      if (!i.req->req.specifiers.contains(v, Prereleases::allow)) return false;
    for (const auto* r : p.constraints)
      if (!r->req.specifiers.contains(v, Prereleases::allow)) return false;
    return true;
  };
  std::vector<std::string> yanked, pre;
  for (const auto& c : p.list.candidates) {
    if (!matches(c.version)) continue;
    if (c.yanked) yanked.push_back(c.version.str());
    else if (c.version.is_prerelease()) pre.push_back(c.version.str());
  }
  const auto unique = [](std::vector<std::string>& v) {
    v.erase(std::unique(v.begin(), v.end()), v.end());
  };
  unique(yanked);
  unique(pre);
  if (!yanked.empty())
    out.push_back(Cause{3, p.name + " " + join_and(yanked) + (yanked.size() == 1 ? " is" : " are") +
                               " yanked: a yanked version is used only when pinned with == or ===", {}});
  if (!pre.empty())
    out.push_back(Cause{3, p.name + " " + join_and(pre) + (pre.size() == 1 ? " is a pre-release" : " are pre-releases") +
                               ", excluded here (allow pre-releases to use " + (pre.size() == 1 ? "it" : "them") + ")", {}});
  for (std::size_t i = 0; i < p.list.rejected.size() && i < kMaxCauses / 2; ++i) {
    const std::string& r = p.list.rejected[i];
    out.push_back(Cause{3, r.starts_with(p.name + " ") ? r : p.name + " " + r, {}});
  }
  return out;
}

// Notes for a project that has no candidate left for its requirements: the versions there are
// and why others were left out (nothing when exclusions, not requirements, emptied it).
std::vector<Cause> Resolver::unsatisfiable_notes(const Project& p) const {
  std::vector<std::uint32_t> unexcluded;
  filter(p, false, unexcluded);
  if (!unexcluded.empty()) return {};
  std::vector<Cause> out = policy_notes(p);
  if (p.list.candidates.empty()) {
    if (p.list.rejected.empty()) out.push_back(Cause{3, p.name + ": the index has no files for it", {}});
  } else {
    out.push_back(Cause{3, "available versions of " + p.name + ": " + available(p), {}});
  }
  return out;
}

Conflict Resolver::no_candidate_left(const Project& q) const {
  Conflict c;
  for (const auto& i : q.infos) merge_into(c.culprits, i.culprits);
  for (const auto& e : q.exclusions) {
    merge_into(c.culprits, e.culprits);
    merge_causes(c.causes, e.causes);
  }
  merge_causes(c.causes, requirement_causes(q));
  merge_causes(c.causes, unsatisfiable_notes(q));
  if (c.causes.size() > kMaxCauses) c.causes.resize(kMaxCauses);
  return c;
}

Error Resolver::explain(int pi, const std::vector<Conflict>& tried) const {
  const Project& p = projects_[pi];
  std::string detail;
  const auto add_lines = [&](const std::vector<Cause>& causes) {
    for (std::size_t i = 0; i < causes.size(); ++i) {
      if (i == kMaxCauses) {
        detail += "\n  ... (" + std::to_string(causes.size() - i) + " more)";
        break;
      }
      detail += "\n  " + causes[i].line;
    }
  };
  std::vector<Cause> causes = requirement_causes(p);

  if (tried.empty() && p.exclusions.empty() && p.list.candidates.empty()) {
    // The provider left every file out (or there is none): its reasons.
    detail = "no usable version of " + p.name +
             (p.list.rejected.empty() ? " (the index has no files for it):" : ":");
    for (const auto& r : p.list.rejected) causes.push_back(Cause{3, r, {}});
    add_lines(causes);
    return Error{Errc::no_solution, p.name, detail};
  }
  if (tried.empty() && p.exclusions.empty() && p.infos.size() == 1 && p.constraints.empty()) {
    // One requirement that no version satisfies.
    const SpecifierSet& specs = p.infos.front().req->req.specifiers;
    detail = "no version of " + p.name + " satisfies " +
             (specs.empty() ? std::string("the requirement") : specs.str()) +
             " (available: " + available(p) + "):";
    merge_causes(causes, policy_notes(p));
    add_lines(causes);
    return Error{Errc::no_solution, p.name, detail};
  }

  for (const auto& t : tried) merge_causes(causes, t.causes);
  for (const auto& e : p.exclusions) merge_causes(causes, e.causes);
  if (tried.empty()) merge_causes(causes, unsatisfiable_notes(p));
  std::vector<std::string> triggers;
  for (const auto& c : causes)
    if (!c.trigger.empty()) triggers.push_back(c.trigger);
  std::sort(triggers.begin(), triggers.end());
  triggers.erase(std::unique(triggers.begin(), triggers.end()), triggers.end());
  detail = "Cannot install " +
           (triggers.empty() ? std::string("the requested packages") : join_and(triggers)) + ":";
  add_lines(causes);
  return Error{Errc::no_solution, p.name, detail};
}

// ---- the result -----------------------------------------------------------------------------------

Result<Resolution> Resolver::build() const {
  // Dependencies first: repeatedly take, among the projects whose dependencies are all placed,
  // the first by name; in a cycle, the one with the fewest unplaced dependencies, then by name.
  std::vector<int> chosen;
  for (std::size_t i = 0; i < projects_.size(); ++i)
    if (projects_[i].pin >= 0) chosen.push_back(static_cast<int>(i));
  std::sort(chosen.begin(), chosen.end(),
            [&](int a, int b) { return projects_[a].name < projects_[b].name; });
  std::unordered_map<int, std::size_t> slot;
  for (std::size_t i = 0; i < chosen.size(); ++i) slot[chosen[i]] = i;
  const std::size_t n = chosen.size();
  std::vector<std::vector<std::size_t>> dependents(n);
  std::vector<std::size_t> pending(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<std::size_t> parents;
    for (const auto& info : projects_[chosen[i]].infos)
      if (info.parent != kUser && info.parent != chosen[i]) parents.push_back(slot.at(info.parent));
    std::sort(parents.begin(), parents.end());
    parents.erase(std::unique(parents.begin(), parents.end()), parents.end());
    for (std::size_t parent : parents) {
      dependents[i].push_back(parent);
      ++pending[parent];
    }
  }
  std::vector<bool> placed(n, false);
  std::vector<std::size_t> order;
  while (order.size() < n) {
    std::size_t next = n;
    for (std::size_t i = 0; i < n; ++i)  // names are sorted: the first minimum wins
      if (!placed[i] && (next == n || pending[i] < pending[next])) next = i;
    placed[next] = true;
    order.push_back(next);
    for (std::size_t d : dependents[next]) --pending[d];
  }

  Resolution res;
  res.rounds = rounds_;
  res.checks = checks_;
  for (std::size_t i : order) {
    const int q = chosen[i];
    const Project& p = projects_[q];
    ResolvedDist dist;
    const auto c = static_cast<std::size_t>(p.pin);
    dist.candidate = p.list.candidates[c];
    dist.extras = extras_of(p);
    for (const auto& info : p.infos) {
      if (info.parent == kUser) {
        dist.requested = true;
        dist.required_by.push_back("the user (" + info.req->str() + ")");
      } else if (info.parent != q) {
        dist.required_by.push_back(describe(info.parent) + " (" + info.req->str() + ")");
      }
    }
    std::sort(dist.required_by.begin(), dist.required_by.end());
    dist.required_by.erase(std::unique(dist.required_by.begin(), dist.required_by.end()),
                           dist.required_by.end());
    dist.metadata = p.data[c]->metadata;
    res.dists.push_back(std::move(dist));
  }
  return res;
}

}  // namespace

Result<Resolution> resolve(const std::vector<Requirement>& requirements,
                           const std::vector<Requirement>& constraints, Provider& provider,
                           const ResolveOptions& options) {
  Resolver resolver(provider, options);
  return resolver.run(requirements, constraints);
}

}  // namespace pkg
