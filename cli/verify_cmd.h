// `tufget verify [NAME...]`: the installed distributions' files checked against their RECORD,
// every hash computed (pkg_fs::check_installed): the full form of the cheap check (existence and
// size) an install makes before it calls a distribution tufget installed "already satisfied".
//
//   $ tufget verify --python .venv
//   bigpkg 2.0: 2004 files match RECORD
//   sample 1.0: 2 of 12 files do not match RECORD:
//     sample/cli.py: sha256 does not match RECORD
//     sample/data.txt is missing
//
// Without names, every distribution with a RECORD in the environment; a name that is not
// installed is an error. The environment is locked while it is read (an interrupted install is
// recovered first, as by install). Exit status: 0 every file matches, 1 some do not (or a RECORD
// cannot be read, or a name is not installed), 2 usage error.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "install_cmd.h"

namespace tufget {

struct VerifyOptions {
  std::vector<std::string> names;
  std::string python;  // --python PATH|VENV
  std::string target;  // --target DIR
  bool quiet = false;  // -q: only what does not match
};

CLI::App* add_verify_command(CLI::App& app, VerifyOptions& options);
int cmd_verify(const VerifyOptions& options);

}  // namespace tufget
