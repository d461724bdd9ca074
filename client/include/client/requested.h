// What the user asked for: requirements (with their hash pins and where each came from) and the
// options a requirements file may carry. The CLI fills it from the command line and -r/-c files;
// an embedder may build it directly.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pkg/requirement.h"

namespace tufget {

struct RootRequirement {
  pkg::Requirement req;
  std::string origin;               // "the command line" or "reqs.txt:3"
  std::vector<std::string> sha256;  // hash pins: --hash=sha256: values and peep comments
  std::map<std::string, std::vector<std::string>> other_hashes;  // sha384 / sha512 pins
  bool hashed() const { return !sha256.empty() || !other_hashes.empty(); }
};

struct Requested {
  std::vector<RootRequirement> roots;
  std::vector<RootRequirement> constraints;  // -c lines (and constraint lines of -r files)
  bool pre = false;
  bool require_hashes = false;              // --require-hashes in a requirements file
  std::optional<std::string> index_url;     // -i in a requirements file
  std::vector<std::string> no_binary;       // --no-binary in a requirements file
  std::vector<std::string> find_links;      // --find-links in a requirements file
  bool no_index = false;                    // --no-index in a requirements file
  bool any_hashes() const;
  // The projects of `roots`, each once, in order (200,000 lines on one project: one page).
  std::vector<std::string> root_projects() const;
};

}  // namespace tufget
