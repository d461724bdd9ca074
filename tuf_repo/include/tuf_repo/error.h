// The repository library's error: a message for the person running the repository.
#pragma once

#include <stdexcept>

namespace tuf_repo {

// Thrown by every tuf_repo function that fails (bad input, unreadable or damaged files, a
// crypto library failure); what() is plain words, without a "tufget: error:" prefix.
struct RepoError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace tuf_repo
