// The provider's look-ahead: fetching a dependency tree level by level before the resolver asks.
//
// The resolver works depth first: it pins one project, reads its dependencies, and only then
// asks for their pages. Asked one project at a time, every project costs two round trips (its
// bin and page, then its .metadata file). The look-ahead guesses what the resolver will ask for
// (each project's first candidate, which is what it tries first) and fetches a whole level at
// once: one batch of bins and pages, then one batch of .metadata files, whose dependencies are
// the next level. A wrong guess (the resolver backtracks to another version) costs a fetch,
// never a wrong answer: nothing here decides anything, and every byte is verified as before.
#include <set>
#include <string>
#include <vector>

#include "client/install_provider.h"
#include "pkg/core_metadata.h"

namespace tufget {
namespace {

// A resolution deeper than this is unusual; past it the resolver fetches as it goes.
constexpr int kMaxLookAheadLevels = 64;

}  // namespace

void IndexProvider::look_ahead(std::span<const std::string> projects) {
  std::vector<std::string> level;
  for (const std::string& p : projects) {
    if (looked_ahead_.insert(p).second) level.push_back(p);
  }
  for (int depth = 0; depth < kMaxLookAheadLevels && !level.empty(); ++depth) {
    fetch_pages(level);
    std::vector<pkg::Candidate> first;
    for (const std::string& p : level) {
      if (!page(p)) continue;  // not on the index, or refused: the resolver reports it
      auto list = candidates(p);
      if (list && !list->candidates.empty()) first.push_back(list->candidates.front());
    }
    prefetch_metadata(first);
    std::vector<std::string> next;
    for (const pkg::Candidate& c : first) {
      const CandidateFile& f = *files_[c.handle];
      if (!f.installed && !f.metadata_text) continue;  // the resolver reports it, if needed
      auto m = metadata(c);
      if (!m) continue;
      for (const pkg::Requirement& r : m->dependencies(python_.markers, {})) {
        if (looked_ahead_.insert(r.project).second) next.push_back(r.project);
      }
    }
    level = std::move(next);
  }
}

}  // namespace tufget
