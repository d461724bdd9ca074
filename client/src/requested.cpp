#include "client/requested.h"

#include <set>

namespace tufget {

std::vector<std::string> Requested::root_projects() const {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& r : roots) {
    if (seen.insert(r.req.project).second) out.push_back(r.req.project);
  }
  return out;
}

bool Requested::any_hashes() const {
  for (const auto& r : roots) {
    if (r.hashed()) return true;
  }
  for (const auto& r : constraints) {
    if (r.hashed()) return true;
  }
  return false;
}

}  // namespace tufget
