// The driver loop: services a tuf::Updater's requests with an HttpClient and a MetadataStore.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tuf/updater.h"
#include "tuf_io/http.h"
#include "tuf_io/store.h"

namespace tuf_io {

struct DriverHooks {
  // Called for every TargetReady (verified bytes); return an error to stop.
  std::function<tuf::Result<void>(const tuf::TargetReady&)> on_target;
  // Called for every finished lookup (LookupDone or LookupFailed). Without it a LookupFailed
  // stops drive() with its error.
  std::function<void(const tuf::Action&)> on_lookup;
  // Called for every DownloadFailed; return an error to stop. Without it drive() stops with
  // the download's error.
  std::function<tuf::Result<void>(const tuf::DownloadFailed&)> on_download_failed;
  // Replaces the store for Persist (drive() without a store requires it).
  std::function<tuf::Result<void>(const tuf::Persist&)> on_persist;
  // Debug trace of every action, for -v.
  std::function<void(const tuf::Action&)> trace;
};

// Polls `updater` until Done or Failed, fetching with `http` (several fetches concurrently when
// the updater asks for them), loading and persisting through `store` under its lock.
// LoadCached reads at most the cap the action carries; any local read failure is answered as
// not_found. Returns the refresh's error (Failed), the store's if persisting failed, a hook's,
// or a usage error if the updater waits while none of its requests is in flight. When it
// returns with fetches still in flight, it calls http.cancel_all() (the client is assumed to
// be used by this drive() alone meanwhile); their answers are dropped.
tuf::Result<void> drive(tuf::Updater& updater, HttpClient& http, MetadataStore& store,
                        const DriverHooks& hooks = {});
// The same without a metadata store: LoadCached is answered not_found and Persist goes to
// hooks.on_persist (for a root update that writes nothing until it has finished).
tuf::Result<void> drive(tuf::Updater& updater, HttpClient& http, const DriverHooks& hooks);

// Looks up every path at once (the updater must be refreshed) and drives until all have
// finished: one result per path, in order; nullopt when no trusted role lists it. A failure
// is that path's alone. The outer error is a driver failure (store, transport bookkeeping).
using LookupResult = tuf::Result<std::optional<tuf::FoundTarget>>;
tuf::Result<std::vector<LookupResult>> lookup_all(tuf::Updater& updater, HttpClient& http,
                                                  MetadataStore& store,
                                                  const std::vector<std::string>& paths,
                                                  DriverHooks hooks = {});

}  // namespace tuf_io
