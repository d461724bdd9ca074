// `tufget index init|add|publish|serve`: argument parsing (CLI11), then tuf_repo.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "client/clock.h"
#include "index.h"
#include "tuf_repo/error.h"
#include "tuf_repo/publish.h"
#include "tuf_repo/serve.h"
#include "tuf_repo/signer.h"

namespace {

namespace fs = std::filesystem;
namespace ix = tuf_repo;

// Runs one index command; failures become a message and exit status 1.
template <class F>
void run(F&& f) {
  try {
    f();
  } catch (const ix::RepoError& e) {
    std::cout.flush();
    std::fprintf(stderr, "tufget index: error: %s\n", e.what());
    throw CLI::RuntimeError(1);
  } catch (const fs::filesystem_error& e) {
    std::cout.flush();
    std::fprintf(stderr, "tufget index: error: %s\n", e.what());
    throw CLI::RuntimeError(1);
  }
}

ix::KeyType key_type_or_throw(const std::string& name) {
  const auto t = ix::parse_key_type(name);
  if (!t) throw ix::RepoError("--key-type must be ed25519, ecdsa or rsa");
  return *t;
}

struct IndexArgs {
  std::string dir;
  // init
  unsigned bins = 256;
  std::string key_type = "ed25519";
  bool consistent_snapshot = true;
  unsigned expires_days = 7;
  unsigned root_expires_days = 365;
  // add
  std::vector<std::string> files;
  // publish
  bool rotate_root = false;
  bool rotate_online = false;
  // serve
  std::string bind = "127.0.0.1";
  unsigned short port = 0;
  std::string port_file;
};

}  // namespace

void add_index_commands(CLI::App& app) {
  auto args = std::make_shared<IndexArgs>();
  CLI::App* index = app.add_subcommand(
      "index",
      "A local TUF-enabled package index (Warehouse / PEP 458 profile) for development and "
      "tests. Its keys are DEVELOPMENT keys: never use them to protect real users.");
  index->require_subcommand(1);

  CLI::App* init = index->add_subcommand(
      "init", "Create DIR with fresh DEVELOPMENT keys and version-1 metadata (root, targets, "
              "hash bins, snapshot, timestamp)");
  init->add_option("dir", args->dir, "Index directory to create (must not exist, or be empty)")
      ->required();
  init->add_option("--bins", args->bins,
                   "Number of hash bins: a power of two from 2 to 16384 (PEP 458 recommends "
                   "16384)")
      ->capture_default_str();
  init->add_option("--key-type", args->key_type, "Key type for all keys: ed25519, ecdsa, rsa")
      ->capture_default_str();
  init->add_flag("--consistent-snapshot,!--no-consistent-snapshot", args->consistent_snapshot,
                 "Versioned metadata file names and hash-prefixed target URLs (default on)");
  init->add_option("--expires-days", args->expires_days,
                   "Lifetime of bins, snapshot and timestamp metadata, in days")
      ->capture_default_str();
  init->add_option("--root-expires-days", args->root_expires_days,
                   "Lifetime of root and targets metadata, in days")
      ->capture_default_str();
  init->callback([args] {
    run([&] {
      ix::InitOptions o;
      o.bins = args->bins;
      o.key_type = key_type_or_throw(args->key_type);
      o.consistent_snapshot = args->consistent_snapshot;
      o.expires_days = args->expires_days;
      o.root_expires_days = args->root_expires_days;
      ix::init_index(args->dir, o, tufget::wall_clock_now(), std::cout);
    });
  });

  CLI::App* add = index->add_subcommand(
      "add", "Copy wheels and sdists into DIR/packages (by blake2b-256) and record them; "
             "`publish` signs them");
  add->add_option("dir", args->dir, "Index directory")->required();
  add->add_option("files", args->files, "Distribution files (.whl, .tar.gz, .zip)")->required();
  add->callback([args] {
    run([&] {
      std::vector<fs::path> files(args->files.begin(), args->files.end());
      ix::add_distributions(args->dir, files, tufget::wall_clock_now(), std::cout);
    });
  });

  CLI::App* publish = index->add_subcommand(
      "publish", "Write the simple pages of changed projects and sign new bins, snapshot and "
                 "timestamp metadata");
  publish->add_option("dir", args->dir, "Index directory")->required();
  publish->add_flag("--rotate-root", args->rotate_root,
                    "Generate a new root key; N+1.root.json is signed by the old and new keys");
  publish->add_flag("--rotate-online", args->rotate_online,
                    "With --rotate-root: new timestamp and snapshot keys as well");
  auto* pkt = publish->add_option("--key-type", args->key_type,
                                  "Type of newly generated keys (default: the index's)");
  auto* pexp = publish->add_option("--expires-days", args->expires_days,
                                   "New lifetime of bins, snapshot and timestamp, in days");
  auto* prexp = publish->add_option("--root-expires-days", args->root_expires_days,
                                    "New lifetime of root and targets, in days");
  publish->callback([args, pkt, pexp, prexp] {
    run([&] {
      ix::PublishOptions o;
      o.rotate_root = args->rotate_root;
      o.rotate_online = args->rotate_online;
      if (pkt->count() > 0) o.key_type = key_type_or_throw(args->key_type);
      if (pexp->count() > 0) o.expires_days = args->expires_days;
      if (prexp->count() > 0) o.root_expires_days = args->root_expires_days;
      ix::publish_index(args->dir, o, tufget::wall_clock_now(), std::cout);
    });
  });

  CLI::App* serve = index->add_subcommand(
      "serve", "Serve DIR over HTTP/1.1 until SIGINT/SIGTERM (see docs/index.md for the URLs)");
  serve->add_option("dir", args->dir, "Index directory")->required();
  serve->add_option("--port", args->port, "TCP port; 0 picks a free one")->capture_default_str();
  serve->add_option("--bind", args->bind, "Address to listen on")->capture_default_str();
  serve->add_option("--port-file", args->port_file,
                    "Write the port number to this file once listening");
  serve->callback([args] {
    run([&] {
      ix::ServeOptions o;
      o.bind = args->bind;
      o.port = args->port;
      if (!args->port_file.empty()) o.port_file = fs::path(args->port_file);
      o.log = &std::cerr;
      ix::serve_index(args->dir, o, std::cout);
    });
  });
}
