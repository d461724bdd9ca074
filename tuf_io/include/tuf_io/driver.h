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

// Polls `updater` until Done or Failed, fetching with `http`, loading and persisting through
// `store`. Returns the updater's error, or the store's if persisting failed.
tuf::Result<void> drive(tuf::Updater& updater, HttpClient& http, MetadataStore& store,
                        const DriverHooks& hooks = {});

}  // namespace tuf_io
