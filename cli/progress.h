// Download progress: one status line that redraws itself on a terminal, nothing otherwise.
//
// Permanent lines (one per verified file) go through line(), which first clears the status
// line so the two never mix. Not thread-safe: tufget's downloads run on one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "client/reporter.h"

namespace tufget {

class Progress final : public Reporter {
 public:
  // live: redraw a status line on stderr (use when stderr is a terminal).
  explicit Progress(bool live);
  ~Progress();

  // A transfer starts; returns its handle.
  std::size_t start(std::string label) override;
  void advance(std::size_t handle, std::uint64_t bytes) override;
  void finish(std::size_t handle) override;
  // A permanent line on `out` (newline added).
  void line(std::FILE* out, const std::string& text);

  static bool stderr_is_terminal();

 private:
  struct Transfer {
    std::string label;
    std::uint64_t bytes = 0;
    bool active = true;
  };
  void redraw(bool force);
  void clear();

  bool live_;
  bool shown_ = false;
  std::vector<Transfer> transfers_;
  std::uint64_t total_bytes_ = 0;
  std::chrono::steady_clock::time_point last_draw_{};
};

// "1.2 MB", "512 B".
std::string human_bytes(std::uint64_t bytes);

}  // namespace tufget
