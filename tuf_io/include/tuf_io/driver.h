// The driver loop: services a tuf::Updater's requests with an HttpClient and a MetadataStore.
#pragma once

#include <functional>

#include "tuf/updater.h"
#include "tuf_io/http.h"
#include "tuf_io/store.h"

namespace tuf_io {

struct DriverHooks {
  // Called for every TargetReady (verified bytes); return an error to stop.
  std::function<tuf::Result<void>(const tuf::TargetReady&)> on_target;
  // Debug trace of every action, for -v.
  std::function<void(const tuf::Action&)> trace;
};

// Polls `updater` until Done or Failed, fetching with `http` (several fetches concurrently when
// the updater asks for them), loading and persisting through `store`. LoadCached reads at most
// the updater's configured cap for that role; any local read failure is answered as not_found.
// Returns the updater's error, the store's if persisting failed, the hook's if on_target
// failed, or a usage error if the updater waits while none of its requests is in flight.
// When it returns with fetches still in flight, it calls http.cancel_all() (the client is
// assumed to be used by this drive() alone meanwhile); their answers are dropped.
tuf::Result<void> drive(tuf::Updater& updater, HttpClient& http, MetadataStore& store,
                        const DriverHooks& hooks = {});

}  // namespace tuf_io
