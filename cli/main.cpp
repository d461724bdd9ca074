// tufget: the command-line program. Thin: parses arguments, wires tuf_core and tuf_io, prints.
//
// The TUF commands (init, refresh, download --target-name) implement the public TUF
// conformance client protocol (../shared/DESIGN.md), so any conformance runner can test tufget:
//   tufget --metadata-dir DIR init ROOT_FILE
//   tufget --metadata-dir DIR --metadata-url URL refresh
//   tufget --metadata-dir DIR --metadata-url URL --target-name PATH [--target-name PATH ...]
//          --target-base-url URL --target-dir DIR download
// Exit status: 0 on success, 1 when any part failed, 2 for a command-line usage error.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "commands.h"

#if __has_include("index.h")
#include "index.h"
#define TUFGET_HAVE_INDEX 1
#endif

int main(int argc, char** argv) {
  CLI::App app{
      "tufget: a TUF client that verifies every byte it downloads against signed repository "
      "metadata (The Update Framework, specification 1.0.34)."};
  app.fallthrough();  // global options may also follow the subcommand
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("tufget ") + tufget::kVersion);

  tufget::GlobalOptions g;
  app.add_option("--metadata-dir", g.metadata_dir,
                 "Directory holding the trusted metadata (root.json, timestamp.json, ...)");
  app.add_option("--metadata-url", g.metadata_url,
                 "Base URL of the repository's metadata (N.root.json, timestamp.json, ...)");
  app.add_flag("-v,--verbose", g.verbose, "Print every request and step to stderr (repeatable)");

  auto* init = app.add_subcommand(
      "init", "Trust ROOT_FILE as the initial root metadata (no network access)");
  std::string root_file;
  init->add_option("root_file", root_file, "Initial trusted root.json")->required();

  auto* refresh = app.add_subcommand(
      "refresh",
      "Update the trusted top-level metadata (root rotation, timestamp, snapshot, targets) "
      "following the TUF client workflow");

  auto* download = app.add_subcommand(
      "download",
      "Refresh, then find each target in the delegation graph, download it and verify its "
      "length and hashes before storing it in the target directory. A file already there with "
      "matching length and hashes is not downloaded again.");
  // The conformance protocol puts these before the subcommand name, so they belong to the
  // top-level app (fallthrough lets them follow `download` too).
  tufget::DownloadOptions d;
  app.add_option("--target-name", d.target_names,
                 "download: TUF target path (repeatable; targets are fetched in order)");
  app.add_option("--target-base-url", d.target_base_url,
                 "download: base URL of the target files");
  app.add_option("--target-dir", d.target_dir, "download: where verified targets are stored");

#ifdef TUFGET_HAVE_INDEX
  add_index_commands(app);
#endif

  try {
    app.parse(argc, argv);  // subcommands with callbacks (index ...) run in here
  } catch (const CLI::RuntimeError& e) {  // a callback's failure: its message was printed
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tufget: error: %s\n", e.what());
    return 1;
  }

  try {
    if (*init) return tufget::cmd_init(g, root_file);
    if (*refresh) return tufget::cmd_refresh(g);
    if (*download) return tufget::cmd_download(g, d);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tufget: error: %s\n", e.what());
    return 1;
  }
  return 0;  // another subcommand ran its own callback
}
