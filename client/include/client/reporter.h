// How client/ tells its caller about work in progress. client/ never prints: the embedder (the
// CLI's Progress, an installer's UI, or nothing) implements this.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace tufget {

class Reporter {
 public:
  virtual ~Reporter() = default;
  // A transfer starts; returns the handle later calls name it by.
  virtual std::size_t start(std::string label) = 0;
  virtual void advance(std::size_t handle, std::uint64_t bytes) = 0;
  virtual void finish(std::size_t handle) = 0;
};

// Reports nothing: for callers without a display (tests, quiet embedders).
class SilentReporter final : public Reporter {
 public:
  std::size_t start(std::string) override { return 0; }
  void advance(std::size_t, std::uint64_t) override {}
  void finish(std::size_t) override {}
};

}  // namespace tufget
