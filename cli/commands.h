// The TUF client commands of the tufget program (conformance protocol and friendly forms).
#pragma once

#include <string>
#include <vector>

#include "client/clock.h"
#include "client/repository.h"
#include "tuf/metadata.h"

namespace tufget {

inline constexpr const char* kVersion = "0.2.0";  // = project(VERSION) in CMakeLists.txt

struct GlobalOptions {
  std::string metadata_dir;
  std::string metadata_url;
  int verbose = 0;
};

// A command's repository choice: its --index-url, --root, --trust-dir and --trust-on-first-use,
// with the global --metadata-url and --metadata-dir.
RepositoryOptions repository_options(const GlobalOptions& g, std::string index_url,
                                     std::string root_file, std::string trust_dir,
                                     bool trust_on_first_use);

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
