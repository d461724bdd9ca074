// The TUF client commands of the tufget program (conformance protocol and friendly forms).
#pragma once

#include <string>
#include <vector>

#include "tuf/metadata.h"

namespace tufget {

inline constexpr const char* kVersion = "0.1.0";

// The program's only wall-clock read, through the C library (std::chrono::system_clock) so that
// tests can shift it with faketime. tuf_core receives the result as an argument.
tuf::Timestamp wall_clock_now();

struct GlobalOptions {
  std::string metadata_dir;
  std::string metadata_url;
  int verbose = 0;
};

struct DownloadOptions {
  std::vector<std::string> target_names;
  std::string target_base_url;
  std::string target_dir;
};

// Each returns the process exit status (0 ok, 1 failed) and prints diagnostics to stderr.
int cmd_init(const GlobalOptions& g, const std::string& root_file);
int cmd_refresh(const GlobalOptions& g);
int cmd_download(const GlobalOptions& g, const DownloadOptions& d);

}  // namespace tufget
