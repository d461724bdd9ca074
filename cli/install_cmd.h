// `tufget install`: resolve, download, verify and install wheels from a TUF-enabled index into a
// Python environment (docs/install.md). Nothing reaches the environment before every file of
// every wheel was verified: the simple page against its TUF hash bin, each wheel (and PEP 658
// .metadata file) against the page's sha256, each wheel member against the wheel's RECORD.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "commands.h"

namespace tufget {

struct InstallOptions {
  std::vector<std::string> requirements;       // NAME[extras][SPEC][; marker]
  std::vector<std::string> requirement_files;  // -r
  std::vector<std::string> constraint_files;   // -c
  std::string python;                          // --python PATH|VENV
  std::string target;                          // --target DIR
  std::string index_url;
  std::vector<std::string> index_routes;  // --index PROJECT=URL
  std::vector<std::string> find_links;  // --find-links DIR (with --no-index: a wheelhouse)
  bool no_index = false;
  bool require_hashes = false;  // hash-checking mode even without a hash in the files
  std::string root_file;
  bool trust_on_first_use = false;
  std::string trust_dir;
  bool no_deps = false;
  bool upgrade = false;
  bool force_reinstall = false;
  bool pre = false;
  std::vector<std::string> only_binary;
  std::vector<std::string> no_binary;
  bool compile = false;
  bool break_system_packages = false;
  bool dry_run = false;
  std::string report;  // FILE or "-"
  bool quiet = false;
  std::string color = "auto";
  bool no_cache = false;
  std::uint64_t max_wheel_bytes = std::uint64_t{1} << 30;
  std::uint64_t max_metadata_bytes = std::uint64_t{10} << 20;
};

// Adds the `install` subcommand; returns it (main checks whether it was given).
CLI::App* add_install_command(CLI::App& app, InstallOptions& options);

// Exit status: 0 installed (or nothing to do), 1 failure (the environment is unchanged; in
// hash-checking mode also a hash mismatch or a missing hash, with a report), 2 usage error.
int cmd_install(const GlobalOptions& g, const InstallOptions& o);

}  // namespace tufget
