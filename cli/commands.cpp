// The TUF client commands: wiring of tuf_core::Updater, tuf_io's driver, HTTP client and stores.
#include "commands.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <variant>

#include "client/repository.h"
#include "tuf/updater.h"
#include "tuf_io/driver.h"
#include "tuf_io/http.h"
#include "tuf_io/store.h"

namespace tufget {

RepositoryOptions repository_options(const GlobalOptions& g, std::string index_url,
                                     std::string root_file, std::string trust_dir,
                                     bool trust_on_first_use) {
  RepositoryOptions ro;
  ro.index_url = std::move(index_url);
  ro.metadata_url = g.metadata_url;
  ro.metadata_dir = g.metadata_dir;
  ro.root_file = std::move(root_file);
  ro.trust_dir = std::move(trust_dir);
  ro.trust_on_first_use = trust_on_first_use;
  return ro;
}

namespace {

namespace fs = std::filesystem;


int report(const tuf::Error& e) {
  std::fprintf(stderr, "tufget: error: %s\n", e.message().c_str());
  return 1;
}

int usage(const std::string& what) {
  std::fprintf(stderr, "tufget: error: %s\n", what.c_str());
  return 1;
}

void trace_action(const tuf::Action& a) {
  std::visit(
      [](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, tuf::Fetch>) {
          std::fprintf(stderr, "tufget: fetch #%llu %s (at most %llu bytes)\n",
                       static_cast<unsigned long long>(tuf::value_of(x.id)), x.url.c_str(),
                       static_cast<unsigned long long>(x.max_bytes));
        } else if constexpr (std::is_same_v<T, tuf::LoadCached>) {
          std::fprintf(stderr, "tufget: load cached %s\n", x.role.c_str());
        } else if constexpr (std::is_same_v<T, tuf::Persist>) {
          std::fprintf(stderr, "tufget: persist verified %s (%zu bytes)\n", x.role.c_str(),
                       x.bytes.size());
        } else if constexpr (std::is_same_v<T, tuf::TargetReady>) {
          std::fprintf(stderr, "tufget: verified target %s (%zu bytes)\n", x.info.path.c_str(),
                       x.bytes.size());
        } else if constexpr (std::is_same_v<T, tuf::LookupDone>) {
          std::fprintf(stderr, "tufget: lookup %s: %s\n", x.target_path.c_str(),
                       x.found ? ("listed by " + x.found->role()).c_str() : "not listed");
        } else if constexpr (std::is_same_v<T, tuf::LookupFailed> ||
                             std::is_same_v<T, tuf::DownloadFailed> ||
                             std::is_same_v<T, tuf::Failed>) {
          std::fprintf(stderr, "tufget: failed: %s\n", x.error.message().c_str());
        }
      },
      a);
}

// A client session: the trusted root from the metadata directory, an updater, I/O.
struct Session {
  tuf_io::MetadataStore store;
  tuf_io::HttpClient http;
  tuf_io::DriverHooks hooks;
  std::optional<tuf::Updater> updater;

  explicit Session(const GlobalOptions& g) : store(g.metadata_dir) {
    if (g.verbose > 0) hooks.trace = trace_action;
  }

  tuf::Result<void> open(const GlobalOptions& g) {
    if (g.metadata_dir.empty()) {
      return tuf::fail(tuf::Errc::usage, "", "--metadata-dir is required");
    }
    if (g.metadata_url.empty()) {
      return tuf::fail(tuf::Errc::usage, "", "--metadata-url is required");
    }
    tuf::UpdaterConfig config;
    auto root = store.load("root", config.root_max_length);
    if (!root) {
      root.error().detail += " (" + store.path_for("root").string() +
                             "; run 'tufget --metadata-dir DIR init ROOT_FILE' first)";
      return std::unexpected(root.error());
    }
    auto u = tuf::Updater::create(tuf::as_bytes(*root), g.metadata_url, config);
    if (!u) {
      u.error().detail += " (trusted root " + store.path_for("root").string() + ")";
      return std::unexpected(u.error());
    }
    updater.emplace(std::move(*u));
    return {};
  }

  tuf::Result<void> drive() { return tuf_io::drive(*updater, http, store, hooks); }

  tuf::Result<void> refresh() {
    if (auto ok = updater->start_refresh(wall_clock_now()); !ok) return ok;
    return drive();
  }
};

}  // namespace

int cmd_init(const GlobalOptions& g, const std::string& root_file) {
  if (g.metadata_dir.empty()) return usage("--metadata-dir is required");
  tuf::UpdaterConfig config;
  auto bytes = tuf_io::read_file_limited(root_file, config.root_max_length);
  if (!bytes) {
    bytes.error().detail += " (" + root_file + ")";
    return report(bytes.error());
  }
  // The initial root is trusted as given (no network), but it must at least be a root that
  // is signed by its own keys: anything else could never be updated from.
  if (auto u = tuf::Updater::create(tuf::as_bytes(*bytes), "/", config); !u) {
    u.error().detail += " (" + root_file + ")";
    return report(u.error());
  }
  std::error_code ec;
  fs::create_directories(g.metadata_dir, ec);
  if (ec) return usage("cannot create " + g.metadata_dir + ": " + ec.message());
  tuf_io::MetadataStore store(g.metadata_dir);
  auto held = store.lock();
  if (!held) return report(held.error());
  // The given root replaces the directory's chain: a record of it (--root) would now lie.
  if (auto ok = forget_root_chain(g.metadata_dir); !ok) return report(ok.error());
  if (auto ok = store.persist("root", tuf::as_bytes(*bytes)); !ok) return report(ok.error());
  if (g.verbose > 0) {
    std::fprintf(stderr, "tufget: trusted %s as %s\n", root_file.c_str(),
                 store.path_for("root").c_str());
  }
  return 0;
}

int cmd_refresh(const GlobalOptions& g) {
  Session s(g);
  if (auto ok = s.open(g); !ok) return report(ok.error());
  if (auto ok = s.refresh(); !ok) return report(ok.error());
  if (g.verbose > 0) {
    const auto& t = s.updater->trusted();
    std::fprintf(stderr, "tufget: refreshed: root v%llu, timestamp v%llu, snapshot v%llu\n",
                 static_cast<unsigned long long>(t.root().signed_part.version),
                 static_cast<unsigned long long>(t.timestamp()->signed_part.version),
                 static_cast<unsigned long long>(t.snapshot()->signed_part.version));
  }
  return 0;
}

int cmd_download(const GlobalOptions& g, const DownloadOptions& d) {
  if (d.target_names.empty()) return usage("download needs at least one --target-name");
  if (d.target_base_url.empty()) return usage("download needs --target-base-url");
  if (d.target_dir.empty()) return usage("download needs --target-dir");
  Session s(g);
  if (auto ok = s.open(g); !ok) return report(ok.error());
  if (auto ok = s.refresh(); !ok) return report(ok.error());

  std::error_code ec;
  fs::create_directories(d.target_dir, ec);
  if (ec) return usage("cannot create " + d.target_dir + ": " + ec.message());
  tuf_io::TargetCache cache(d.target_dir);

  s.hooks.on_target = [&](const tuf::TargetReady& ready) -> tuf::Result<void> {
    // Only verified bytes reach this point; they are written atomically.
    return cache.store(ready.info, tuf::as_bytes(ready.bytes));
  };

  for (const std::string& name : d.target_names) {
    auto looked_up = tuf_io::lookup_all(*s.updater, s.http, s.store, {name}, s.hooks);
    if (!looked_up) return report(looked_up.error());
    auto& found = looked_up->front();
    if (!found) return report(found.error());
    if (!*found) {
      return report(tuf::Error{tuf::Errc::target_not_found, name,
                               "no trusted targets metadata lists this target", {}, {}});
    }
    const tuf::TargetInfo* info = &(*found)->info();
    if (cache.is_current(*info)) {
      if (g.verbose > 0) {
        std::fprintf(stderr, "tufget: %s is already downloaded and verified\n", name.c_str());
      }
      continue;
    }
    auto id = s.updater->start_download(**found, d.target_base_url);
    if (!id) return report(id.error());
    if (auto ok = s.drive(); !ok) return report(ok.error());
    if (g.verbose > 0) {
      std::fprintf(stderr, "tufget: %s -> %s (%llu bytes, verified)\n", name.c_str(),
                   cache.path_for(name).c_str(), static_cast<unsigned long long>(info->length));
    }
  }
  return 0;
}

}  // namespace tufget
