// A backtracking dependency resolver (the resolvelib model), pure: everything it knows about
// projects comes through a Provider, which the caller implements (tufget's fetches verified
// pages and metadata through TUF; tests use an in-memory table).
//
// What it guarantees:
//   - every root requirement whose marker applies is satisfied, with its extras; every
//     dependency (Requires-Dist whose marker applies for the chosen extras) of every chosen
//     candidate is satisfied; every constraint that names a chosen project is satisfied;
//   - candidates are tried in the provider's order (best first: newest version, with the
//     already-installed one first when the caller prefers it), subject to:
//       * pre-releases only when a specifier of that project names one, when
//         Options::prereleases is allow, or when no final release satisfies (PEP 440 fallback);
//       * a yanked candidate only when a requirement on its project pins its exact version
//         (==V without wildcard, or ===V) (PEP 592);
//   - on a conflict it backtracks (undoes the most recent choice involved and tries that
//     project's next candidate); when nothing works, Error{no_solution} with a human explanation
//     that names the requirements in conflict and who asked for each, e.g.
//         Cannot install app==1.0 and lib==2.0:
//           app 1.0 depends on lib<2
//           the user requested lib==2.0
//     and, for a project without usable candidates, the provider's reasons (e.g. "foo 1.0:
//     sdist only (tufget installs wheels only)");
//   - a candidate is skipped (as if its dependencies conflicted) when its metadata names another
//     project or version, when its Requires-Python excludes environment.python_full_version,
//     or when a dependency that applies is a direct URL reference;
//   - the work is bounded: at most Options::max_rounds pin attempts (one candidate tried is one
//     round), then no_solution ("gave up after N rounds");
//   - adding a requirement costs O(its length + the candidates its project still has), never
//     O(requirements already on the project): 200,000 lines on one project cost twice what
//     100,000 cost (Resolution::checks counts the work);
//   - candidates() is called at most once per project and metadata() at most once per candidate;
//     prefetch_projects() names each project before its candidates() call, and
//     prefetch_metadata() names the first usable candidate of each newly required project.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pkg/core_metadata.h"
#include "pkg/error.h"
#include "pkg/markers.h"
#include "pkg/requirement.h"
#include "pkg/version.h"

namespace pkg {

struct Candidate {
  std::string project;  // normalised
  Version version;
  bool yanked = false;
  bool installed = false;  // the already-installed distribution (no download needed)
  // Opaque to the resolver: which file (or installed dist) the provider means.
  std::size_t handle = 0;
};

struct CandidateList {
  std::vector<Candidate> candidates;  // best first
  // Why files/versions were left out, one sentence each, for no_solution explanations
  // ("1.0: no wheel for CPython 3.11 on linux_x86_64", "2.0: requires Python >=3.12").
  std::vector<std::string> rejected;
};

class Provider {
 public:
  virtual ~Provider() = default;
  // Every usable candidate of `project` (already filtered for the target interpreter: wheel
  // tags, Requires-Python, binary policy). An error (e.g. the project is not on the index, or
  // its page failed verification) stops the resolution with that error.
  virtual Result<CandidateList> candidates(const std::string& project) = 0;
  // The core metadata of a candidate (its dependencies). An error stops the resolution.
  virtual Result<DistMetadata> metadata(const Candidate& candidate) = 0;
  // Hints that these will be asked for soon: a provider may fetch them concurrently.
  virtual void prefetch_projects(std::span<const std::string> projects) {}
  virtual void prefetch_metadata(std::span<const Candidate> candidates) {}
};

struct ResolveOptions {
  MarkerEnvironment environment;
  Prereleases prereleases = Prereleases::implied;
  bool no_deps = false;  // only the root requirements, their dependencies are not followed
  std::size_t max_rounds = 200000;
};

struct ResolvedDist {
  Candidate candidate;
  std::vector<std::string> extras;  // normalised, sorted: the extras that were requested
  bool requested = false;           // named by a root requirement
  // Who required it: "-r" style text such as "the user (sampleproject)" or
  // "sampleproject 4.0.0 (peppercorn)"; sorted, unique. Used for lock files' "# via" lines.
  std::vector<std::string> required_by;
  DistMetadata metadata;
};

struct Resolution {
  // Dependencies before dependents where the graph allows (a topological order, ties by name),
  // so an installer may install in this order.
  std::vector<ResolvedDist> dists;
  std::size_t rounds = 0;  // pin attempts made (for -v and the benchmarks)
  // Work done on requirements: specifier sets compared, candidate versions tested against a
  // specifier set or a project's filter, extras counted. It grows linearly with the number of
  // requirements (200,000 requirement lines on one project cost twice what 100,000 cost): the
  // tests hold the resolver to that.
  std::size_t checks = 0;
};

// `constraints`: pip's -c lines: they restrict versions of projects that get chosen, never
// add a project. Requirements and constraints whose marker does not apply are ignored. A root
// requirement or constraint with a URL is refused (unsupported).
Result<Resolution> resolve(const std::vector<Requirement>& requirements,
                           const std::vector<Requirement>& constraints, Provider& provider,
                           const ResolveOptions& options);

}  // namespace pkg
