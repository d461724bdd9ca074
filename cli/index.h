// `tufget index ...`: a local TUF-enabled package index in the Warehouse (PEP 458 / RSTUF)
// profile, for development, the README demo and the tests. See docs/index.md.
//
// Subcommands: init, add, publish, serve. Each runs from its CLI11 callback during
// CLI::App::parse; a failure prints "tufget index: error: ..." and throws
// CLI::RuntimeError(1).
#pragma once

namespace CLI {
class App;
}

// Registers the `index` subcommand (with its own subcommands) on `app`.
void add_index_commands(CLI::App& app);
