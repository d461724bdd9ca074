// `tufget hash FILE...`: the digest of local files, in the form a requirements file (or a lock
// file) takes, as `pip hash` prints it:
//
//   $ tufget hash dist/sampleproject-4.0.0-py3-none-any.whl
//   dist/sampleproject-4.0.0-py3-none-any.whl:
//   --hash=sha256:<64 hex digits>
//
//   -a, --algorithm sha256|sha384|sha512   as pip's (default sha256)
//   --peep                                  peep's form instead, one line per file:
//                                           "# sha256: <urlsafe base64 of the digest, no '='>"
//                                           (sha256 only, as peep; see pkg/requirements_file.h)
//
// Files are hashed in the order given (pkg_fs::hash_file: OpenSSL EVP over 1 MiB reads). A file
// that cannot be read (missing, a directory, no permission) prints
// "tufget: error: FILE: <reason>" to stderr and the others are still hashed.
// Exit status: 0 all hashed, 1 some file could not be read, 2 usage error (no FILE, an unknown
// algorithm, --peep with another algorithm than sha256).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace tufget {

struct HashOptions {
  std::vector<std::string> files;
  std::string algorithm = "sha256";
  bool peep = false;
};

// Adds the `hash` subcommand; returns it (main checks whether it was given).
CLI::App* add_hash_command(CLI::App& app, HashOptions& options);

// Prints the hashes (stdout) and errors (stderr); returns the exit status above.
int cmd_hash(const HashOptions& options);

}  // namespace tufget
