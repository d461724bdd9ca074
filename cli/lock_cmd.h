// `tufget lock` and `tufget bootstrap` (docs/hash-pinning.md).
//
// lock: resolves requirements through a TUF-enabled index (every page, .metadata file and wheel
// verified) and writes a fully pinned requirements file with the sha256 of every wheel of each
// chosen version that suits the target (pkg/lockfile.h: sorted, stable, byte-identical for the
// same index state), each entry noting what pulled it in. `tufget install -r LOCK` then installs
// exactly those files (hash-checking mode), later too, even when the index has newer versions.
//
// bootstrap: installs pinned, hashed pip, setuptools and wheel into an interpreter that has
// none (e.g. `python3 -m venv --without-pip`), from the lock shipped with tufget
// (bootstrap/bootstrap.lock, compiled in) or one given with -r; hash-checking mode, so the
// result is the same files on every run.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "commands.h"
#include "install_cmd.h"

namespace tufget {

struct LockOptions {
  std::vector<std::string> requirements;
  std::vector<std::string> requirement_files;
  std::vector<std::string> constraint_files;
  std::string output;  // -o FILE ("" or "-": stdout)
  std::string python;  // --python PATH|VENV
  std::string python_version;
  std::vector<std::string> platforms;
  std::string index_url, root_file, trust_dir;
  std::vector<std::string> index_routes;  // --index PROJECT=URL
  bool trust_on_first_use = false;
  bool pre = false;
  std::vector<std::string> no_binary;
  bool quiet = false;
  std::string color = "auto";
  bool no_cache = false;
  std::uint64_t max_wheel_bytes = std::uint64_t{1} << 30;
  std::uint64_t max_metadata_bytes = std::uint64_t{10} << 20;
  std::string command_line;  // for the header: "tufget lock ..." as given
};

CLI::App* add_lock_command(CLI::App& app, LockOptions& options);
// 0 written, 1 failure (nothing written), 2 usage error.
int cmd_lock(const GlobalOptions& g, const LockOptions& o);

// The bootstrap command shares install's options (a subset is exposed).
CLI::App* add_bootstrap_command(CLI::App& app, InstallOptions& options);
int cmd_bootstrap(const GlobalOptions& g, InstallOptions o);

// The lock shipped with tufget for bootstrap (bootstrap/bootstrap.lock).
const std::string& shipped_bootstrap_lock();
inline constexpr const char* kShippedBootstrapLockName = "tufget:bootstrap.lock";

}  // namespace tufget
