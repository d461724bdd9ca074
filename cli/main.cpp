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
#include <string_view>

#include "commands.h"
#include "fsutil/interrupt.h"
#include "fsutil/lock.h"
#include "download_cmd.h"
#include "hash_cmd.h"
#include "install_cmd.h"
#include "lock_cmd.h"
#include "trust_cmd.h"
#include "verify_cmd.h"

#if __has_include("index.h")
#include "index.h"
#define TUFGET_HAVE_INDEX 1
#endif

namespace {

// Every command ends here: an interrupt that a transaction turned into a rollback (or that came
// after the work was done) is reported with its outcome and exit code 128 + signal.
int finish(int code) {
  if (!fsutil::interrupt::requested()) return code;
  std::fprintf(stderr, "tufget: interrupted; %s\n", fsutil::interrupt::outcome().c_str());
  return fsutil::interrupt::exit_code();
}

int run(int argc, char** argv);

}  // namespace

int main(int argc, char** argv) {
  // Answered before the CLI (a few hundred options and a thrown exception) is built: the
  // start-up floor is measured with it (bench/startup.sh). Same output as CLI11's flag.
  if (argc == 2 && std::string_view(argv[1]) == "--version") {
    std::printf("tufget %s\n", tufget::kVersion);
    return 0;
  }
  return finish(run(argc, argv));
}

namespace {

int run(int argc, char** argv) {
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
      "With NAME...: download the best wheel of each project (and its .metadata) from a "
      "TUF-enabled package index, verified from a pinned root down to the file's sha256, into "
      "-d DIR. With --target-name (the TUF conformance protocol): refresh, then find each "
      "target in the delegation graph, download it and verify its length and hashes before "
      "storing it in the target directory; a file already there with matching length and hashes "
      "is not downloaded again.");
  // The conformance protocol puts these before the subcommand name, so they belong to the
  // top-level app (fallthrough lets them follow `download` too).
  tufget::DownloadOptions d;
  app.add_option("--target-name", d.target_names,
                 "download: TUF target path (repeatable; targets are fetched in order)");
  app.add_option("--target-base-url", d.target_base_url,
                 "download: base URL of the target files");
  app.add_option("--target-dir", d.target_dir, "download: where verified targets are stored");
  // The Warehouse form: `tufget download NAME[==VERSION|SPEC]...` (docs/warehouse.md).
  tufget::WarehouseDownloadOptions w;
  download->add_option("names", w.requirements,
                       "Projects to download from a TUF-enabled package index: NAME, NAME==VERSION "
                       "or NAME with PEP 440 specifiers (best wheel for the target interpreter, "
                       "plus its .metadata; no dependency resolution)");
  download->add_option("-d,--dest", w.dest, "Directory for the verified wheels (default: .)");
  download->add_option("--index-url", w.index_url,
                       "Simple index URL; picks the repository (and its pinned root) from the "
                       "trust store (default: https://pypi.org/simple/)");
  download->add_option("--root", w.root_file,
                       "Trust this root.json as the initial root instead of a pinned one");
  download->add_flag("--trust-on-first-use", w.trust_on_first_use,
                     "With no pinned root, trust the root the server presents (unsafe; warns)");
  download->add_option("--trust-dir", w.trust_dir,
                       "Extra trust store searched first (folders with manifest.json + root.json)");
  download->add_option("--platform", w.platforms,
                       "Wheel platform tag to accept (repeatable; default: this machine's)")
      ->allow_extra_args(false);
  download->add_option("--python-version", w.python_version,
                       "Target Python X.Y (default: the version of python3)");
  download->add_flag("--no-cache", w.no_cache, "Neither read nor fill the download cache");
  download->add_option("--max-wheel-bytes", w.max_wheel_bytes, "Size cap per wheel (default 1 GiB)");
  download->add_option("--max-metadata-bytes", w.max_metadata_bytes,
                       "Size cap per .metadata file (default 10 MiB)");

  tufget::HashOptions hash_options;
  auto* hash = tufget::add_hash_command(app, hash_options);
  tufget::InstallOptions install_options;
  auto* install = tufget::add_install_command(app, install_options);
  tufget::LockOptions lock_options;
  auto* lock = tufget::add_lock_command(app, lock_options);
  for (int i = 1; i < argc; ++i) {  // the lock file's header repeats the command as given
    std::string arg = argv[i];
    if (arg.find_first_of(" \t'\"$;&|<>*?") != std::string::npos) {
      std::string quoted = "'";
      for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
      arg = quoted + "'";
    }
    lock_options.command_line += (lock_options.command_line.empty() ? "tufget " : " ") + arg;
  }
  fsutil::set_command_line(lock_options.command_line.empty() ? "tufget" : lock_options.command_line);
  tufget::InstallOptions bootstrap_options;
  auto* bootstrap = tufget::add_bootstrap_command(app, bootstrap_options);

#ifdef TUFGET_HAVE_INDEX
  add_index_commands(app);
#endif
  tufget::VerifyOptions verify_options;
  auto* verify = tufget::add_verify_command(app, verify_options);
  tufget::add_trust_commands(app);  // trust list|show|add|update (cli/trust_cmd.h)

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

  // Signals are handled from here on (not for --version or --help, answered while parsing).
  fsutil::interrupt::install();
  try {
    if (*init) return tufget::cmd_init(g, root_file);
    if (*refresh) return tufget::cmd_refresh(g);
    if (*install) return tufget::cmd_install(g, install_options);
    if (*lock) return tufget::cmd_lock(g, lock_options);
    if (*hash) return tufget::cmd_hash(hash_options);
    if (*verify) return tufget::cmd_verify(verify_options);
    if (*bootstrap) return tufget::cmd_bootstrap(g, bootstrap_options);
    if (*download) {
      if (w.requirements.empty()) return tufget::cmd_download(g, d);  // conformance protocol
      if (!d.target_names.empty()) {
        std::fprintf(stderr, "tufget: error: download takes project names or --target-name, not both\n");
        return 2;
      }
      return tufget::cmd_download_warehouse(g, w);
    }
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "tufget: error: out of memory (is a memory limit such as ulimit -v set too low?)\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tufget: error: %s\n", e.what());
    return 1;
  }
  return 0;  // another subcommand ran its own callback
}

}  // namespace
