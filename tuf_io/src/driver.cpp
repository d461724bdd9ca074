// The driver loop: answers a tuf::Updater's actions with an HttpClient and a MetadataStore.
#include "tuf_io/driver.h"

#include <memory>
#include <optional>
#include <type_traits>

namespace tuf_io {
namespace {

// The cap for a locally stored copy of `role`: the same the updater applies to downloads
// without a length from trusted metadata (5.3.3, 5.4.1, 5.5.1, 5.6.1).
std::uint64_t cached_cap(const tuf::UpdaterConfig& config, std::string_view role) {
  if (role == "root") return config.root_max_length;
  if (role == "timestamp") return config.timestamp_max_length;
  if (role == "snapshot") return config.snapshot_max_length;
  return config.targets_max_length;
}

}  // namespace

tuf::Result<void> drive(tuf::Updater& updater, HttpClient& http, MetadataStore& store,
                        const DriverHooks& hooks) {
  // Answers that arrive after drive() returned (it stops at the first failure while other
  // fetches may still be in flight) must not reach the updater: they are dropped, and the
  // requests are cancelled on the way out.
  auto held = store.lock();  // one writer per metadata directory
  if (!held) return std::unexpected(held.error());
  auto alive = std::make_shared<bool>(true);
  std::size_t in_flight = 0;
  struct Stop {
    std::shared_ptr<bool>& alive;
    std::size_t& in_flight;
    HttpClient& http;
    ~Stop() {
      *alive = false;
      if (in_flight > 0) http.cancel_all();
    }
  } stop{alive, in_flight, http};

  // An answer the updater rejects as a usage error means the driver and the updater disagree
  // about which requests exist: stop. Any other rejection is reported by next() as Failed.
  std::optional<tuf::Error> usage_error;
  auto answered = [&](tuf::Result<void> r) {
    if (!r && r.error().code == tuf::Errc::usage && !usage_error) usage_error = r.error();
  };

  for (;;) {
    if (usage_error) return std::unexpected(*usage_error);
    tuf::Action action = updater.next();
    if (hooks.trace) hooks.trace(action);

    if (auto* fetch = std::get_if<tuf::Fetch>(&action)) {
      const std::uint64_t id = fetch->id;
      ++in_flight;
      FetchRequest request;
      request.url = fetch->url;
      request.max_bytes = fetch->max_bytes;
      http.async_fetch(std::move(request),
                       [&updater, &answered, &in_flight, alive, id](FetchResult result) {
                         if (!*alive) return;
                         --in_flight;
                         if (result)
                           answered(updater.deliver(id, tuf::as_bytes(*result)));
                         else
                           answered(updater.fail(id, std::move(result.error())));
                       });
    } else if (auto* load = std::get_if<tuf::LoadCached>(&action)) {
      auto bytes = store.load(load->role, cached_cap(updater.config(), load->role));
      if (bytes) {
        answered(updater.deliver(load->id, tuf::as_bytes(*bytes)));
      } else {
        // Whatever kept the local copy from being read (absent, too large, unreadable), the
        // updater treats it as not cached and goes to the network.
        tuf::Error e = std::move(bytes.error());
        e.code = tuf::Errc::not_found;
        answered(updater.fail(load->id, std::move(e)));
      }
    } else if (auto* persist = std::get_if<tuf::Persist>(&action)) {
      if (auto r = store.persist(persist->role, tuf::as_bytes(persist->bytes)); !r) return r;
    } else if (auto* ready = std::get_if<tuf::TargetReady>(&action)) {
      if (hooks.on_target)
        if (auto r = hooks.on_target(*ready); !r) return r;
    } else if (std::holds_alternative<tuf::Waiting>(action)) {
      if (in_flight == 0)
        return tuf::fail(tuf::Errc::usage, "",
                         "updater is waiting for answers but none of its requests is in flight");
      if (http.run_one() == 0)
        return tuf::fail(tuf::Errc::usage, "", "HTTP client stopped with requests pending");
    } else if (std::holds_alternative<tuf::Done>(action)) {
      return {};
    } else if (auto* failed = std::get_if<tuf::Failed>(&action)) {
      return std::unexpected(failed->error);
    }
  }
}

}  // namespace tuf_io
