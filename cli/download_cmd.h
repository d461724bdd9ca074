// `tufget download NAME[==VERSION|SPEC]... [-d DIR]`: verified wheel downloads from a
// TUF-enabled Warehouse (docs/warehouse.md). The conformance form of `download`
// (--target-name ...) stays in commands.h; main.cpp dispatches on which one is given.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "commands.h"
#include "client/repository.h"

namespace tufget {

struct WarehouseDownloadOptions {
  std::vector<std::string> requirements;
  std::string dest = ".";
  std::string index_url;
  std::string root_file;
  bool trust_on_first_use = false;
  std::string trust_dir;
  std::vector<std::string> platforms;
  std::string python_version;
  bool no_cache = false;
  std::uint64_t max_wheel_bytes = std::uint64_t{1} << 30;     // 1 GiB
  std::uint64_t max_metadata_bytes = std::uint64_t{10} << 20;  // 10 MiB
};

// Exit status: 0 when every requested wheel (and its .metadata, where the page offers one)
// was verified and is in DEST; 1 when anything failed (then nothing new is written to DEST);
// 2 for a malformed requirement.
int cmd_download_warehouse(const GlobalOptions& g, const WarehouseDownloadOptions& o);

// Registers `download` on `app`: its NAME... form fills `w`; the conformance protocol's
// --target-name/--target-base-url/--target-dir fill `d` (top-level options, as that protocol
// puts them before the subcommand name).
CLI::App* add_download_command(CLI::App& app, DownloadOptions& d, WarehouseDownloadOptions& w);

}  // namespace tufget
