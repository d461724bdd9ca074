// The TUF client commands of the tufget program (conformance protocol and friendly forms).
#pragma once

#include <string>
#include <vector>

namespace tufget {

inline constexpr const char* kVersion = "0.1.0";

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
