// `tufget trust list|show|add|update`: the pinned trust roots (trust_roots/README.md) and their
// refresh by root rotation (docs/ci-refresh.md).
//
//   tufget trust list [--trust-dir DIR] [--format text|json]
//   tufget trust show NAME [--trust-dir DIR] [--format text|json]
//   tufget trust add NAME --root FILE --metadata-url URL --index-url URL [--trust-dir DIR]
//                   [--target-url-rule RULE] [--description TEXT]
//   tufget trust update [NAME] [--trust-dir DIR] [--check] [--format text|json]
//
// Each command runs from its CLI11 callback during CLI::App::parse. A failure prints
// "tufget trust: error: ..." (text) and throws CLI::RuntimeError with the exit status:
//   0  success; for update: every repository is up to date or was updated
//   1  an error: a rotation failed verification, the final root is expired, a fetch failed
//      (anything but 404 on N+1.root.json), a manifest or pinned root is invalid, ...
//   2  a command-line usage error (CLI11)
//   3  update --check only: a newer, fully verified root exists for some repository
#pragma once

namespace CLI {
class App;
}

namespace tufget {

// Registers the `trust` subcommand (with list, show, add, update) on `app`.
void add_trust_commands(CLI::App& app);

}  // namespace tufget
