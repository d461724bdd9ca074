// Hash-checking mode, without the printing (the CLI's hash_mode.cpp prints and installs).
//
// It applies when any requirement carries a hash (pip's --hash, peep's "# sha256:" comments) or
// with --require-hashes. Then the requirements are the whole install:
//   - every requirement that applies must be pinned with == (or ===) and hashed;
//   - nothing is pulled in implicitly: every dependency of every pinned wheel must itself be
//     pinned (the wheel's own METADATA, read after the wheel matched its pin);
//   - every file is downloaded and checked against its pins (and, from a TUF-enabled index,
//     against the TUF-verified page as well) before anything is installed.
// Each step adds what is wrong to one HashReport, so every problem can be shown at once, with
// paste-ready lines for requirements that lack a hash.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client/install_provider.h"
#include "client/requested.h"
#include "pkg/core_metadata.h"
#include "pkg/markers.h"

namespace tufget {

// One project of the requirements: its requirement, the hashes allowed for it, the chosen file.
struct PinnedEntry {
  const RootRequirement* root = nullptr;
  std::vector<const RootRequirement*> constraints;
  std::vector<std::string> sha256;                        // allowed sha256 values
  std::map<std::string, std::vector<std::string>> other;  // sha384 / sha512 pins
  std::optional<std::size_t> handle;                      // chosen candidate file
  std::string got;                                        // sha256 of the bytes served
  bool verified = false;                                  // the file matched its pins
  bool trusted = false;  // its bytes are vouched for: pins matched, or the TUF-verified page's sha256
  std::set<std::string> extras;  // requested extras (normalised)
  pkg::DistMetadata metadata;
  bool has_metadata = false;
  std::vector<std::string> required_by;
};

// Normalised project -> its entry.
using PinnedSet = std::map<std::string, PinnedEntry>;

// What is wrong, collected by the steps below.
struct HashReport {
  std::vector<std::string> mismatches;  // one block per file ("  name version (origin)\n...")
  std::vector<std::string> missing;     // paste-ready lines, each with a trailing comment
  std::vector<std::string> unpinned;    // blocks
  std::vector<std::string> other;       // one line each
  bool missing_unverified = false;      // some suggested hashes come from an unverified page
  std::vector<std::string> warnings;    // not failures (a yanked file used because it is pinned)
  bool empty() const {
    return mismatches.empty() && missing.empty() && unpinned.empty() && other.empty();
  }
};

// 1. One entry per project whose requirement applies in `env`, with the hashes of its line and
// of its constraints (a constraint never adds a project).
PinnedSet pinned_set(const Requested& requested, const pkg::MarkerEnvironment& env,
                     HashReport& report);

// 2. Fetches every entry's page and chooses the file its pin names. Returns their handles.
std::vector<std::size_t> choose_pinned_files(PinnedSet& entries, IndexProvider& provider, bool pre,
                                             HashReport& report);

// 3. Downloads the chosen files (checked against the page's sha256) and compares each with its
// pins. A file is needed even when its line lacks a hash: the report then gives its hash.
void check_pinned_files(PinnedSet& entries, IndexProvider& provider,
                        const std::vector<std::size_t>& handles, HashReport& report);

// 4. Reads each trusted wheel's METADATA and checks that every dependency is pinned too (extras
// asked for by a dependent widen the set); `no_deps`: the lines themselves only. Returns whether
// every entry matched its pins.
bool check_dependencies_pinned(PinnedSet& entries, IndexProvider& provider,
                               const pkg::MarkerEnvironment& env, bool pre, bool no_deps,
                               HashReport& report);

// "name==version --hash=sha256:hex".
std::string paste_line(const std::string& name, const std::string& version,
                       const std::string& sha256);

}  // namespace tufget
