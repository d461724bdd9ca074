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

// "tufget ARG..." as a shell would need it typed (arguments with special characters quoted);
// "" without arguments.
std::string quoted_command_line(int argc, char** argv) {
  std::string out;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.find_first_of(" \t'\"$;&|<>*?") != std::string::npos) {
      std::string quoted = "'";
      for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
      arg = quoted + "'";
    }
    out += (out.empty() ? "tufget " : " ") + arg;
  }
  return out;
}

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

  tufget::DownloadOptions d;
  tufget::WarehouseDownloadOptions w;
  auto* download = tufget::add_download_command(app, d, w);

  tufget::HashOptions hash_options;
  auto* hash = tufget::add_hash_command(app, hash_options);
  tufget::InstallOptions install_options;
  auto* install = tufget::add_install_command(app, install_options);
  tufget::LockOptions lock_options;
  auto* lock = tufget::add_lock_command(app, lock_options);
  lock_options.command_line = quoted_command_line(argc, argv);  // the lock file's header
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
