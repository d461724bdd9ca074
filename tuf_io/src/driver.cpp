// The driver loop: answers a tuf::Updater's actions with an HttpClient and a MetadataStore.
#include "tuf_io/driver.h"

#include <memory>
#include <optional>
#include <type_traits>
#include <unordered_map>

namespace tuf_io {
namespace {

// One drive() call: what is in flight, and how each action is answered.
class Loop {
 public:
  Loop(tuf::Updater& updater, HttpClient& http, MetadataStore* store, const DriverHooks& hooks)
      : updater_(updater), http_(http), store_(store), hooks_(hooks) {}
  // Answers that arrive after run() returned (it stops at the first failure while other
  // fetches may still be in flight) must not reach the updater: they are dropped, and the
  // requests are cancelled on the way out.
  ~Loop() {
    *alive_ = false;
    if (in_flight_ > 0) http_.cancel_all();
  }

  tuf::Result<void> run() {
    for (;;) {
      if (usage_error_) return std::unexpected(*usage_error_);
      tuf::Action action = updater_.next();
      if (hooks_.trace) hooks_.trace(action);
      std::optional<tuf::Result<void>> end = std::visit([&](auto& a) { return on(a); }, action);
      if (end) return std::move(*end);
    }
  }

 private:
  using Step = std::optional<tuf::Result<void>>;  // set: drive() returns it

  // An answer the updater rejects as a usage error means the driver and the updater disagree
  // about which requests exist: stop. Any other rejection is reported by a later action.
  void answered(tuf::Result<void> r) {
    if (!r && r.error().code == tuf::Errc::usage && !usage_error_) usage_error_ = r.error();
  }

  Step on(tuf::Fetch& fetch) {
    const tuf::RequestId id = fetch.id;
    ++in_flight_;
    FetchRequest request;
    request.url = std::move(fetch.url);
    request.max_bytes = fetch.max_bytes;
    http_.async_fetch(std::move(request), [this, alive = alive_, id](FetchResult result) {
      if (!*alive) return;
      --in_flight_;
      if (result)
        answered(updater_.deliver(id, std::move(*result)));
      else
        answered(updater_.fail(id, std::move(result.error())));
    });
    return std::nullopt;
  }
  Step on(tuf::LoadCached& load) {
    auto bytes = store_ ? store_->load(load.role, load.max_bytes)
                        : tuf::Result<std::string>(tuf::fail(tuf::Errc::not_found, load.role,
                                                             "no metadata store"));
    if (bytes) {
      answered(updater_.deliver(load.id, std::move(*bytes)));
    } else {
      // Whatever kept the local copy from being read (absent, too large, unreadable), the
      // updater treats it as not cached and goes to the network.
      tuf::Error e = std::move(bytes.error());
      e.code = tuf::Errc::not_found;
      answered(updater_.fail(load.id, std::move(e)));
    }
    return std::nullopt;
  }
  Step on(tuf::Persist& persist) {
    if (hooks_.on_persist) {
      if (auto r = hooks_.on_persist(persist); !r) return r;
    } else if (auto r = store_->persist(persist.role, tuf::as_bytes(persist.bytes)); !r) {
      return r;
    }
    return std::nullopt;
  }
  Step on(tuf::LookupDone& done) {
    if (hooks_.on_lookup) hooks_.on_lookup(tuf::Action(std::move(done)));
    return std::nullopt;
  }
  Step on(tuf::LookupFailed& failed) {
    if (!hooks_.on_lookup) return tuf::Result<void>(std::unexpected(failed.error));
    hooks_.on_lookup(tuf::Action(std::move(failed)));
    return std::nullopt;
  }
  Step on(tuf::TargetReady& ready) {
    if (hooks_.on_target)
      if (auto r = hooks_.on_target(ready); !r) return r;
    return std::nullopt;
  }
  Step on(tuf::DownloadFailed& failed) {
    if (!hooks_.on_download_failed) return tuf::Result<void>(std::unexpected(failed.error));
    if (auto r = hooks_.on_download_failed(failed); !r) return r;
    return std::nullopt;
  }
  Step on(tuf::Waiting&) {
    if (in_flight_ == 0)
      return tuf::fail(tuf::Errc::usage, "",
                       "updater is waiting for answers but none of its requests is in flight");
    if (http_.run_one() == 0)
      return tuf::fail(tuf::Errc::usage, "", "HTTP client stopped with requests pending");
    return std::nullopt;
  }
  Step on(tuf::Done&) { return tuf::Result<void>{}; }
  Step on(tuf::Failed& failed) { return tuf::Result<void>(std::unexpected(failed.error)); }

  tuf::Updater& updater_;
  HttpClient& http_;
  MetadataStore* store_;
  const DriverHooks& hooks_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::size_t in_flight_ = 0;
  std::optional<tuf::Error> usage_error_;
};

}  // namespace

tuf::Result<void> drive(tuf::Updater& updater, HttpClient& http, MetadataStore& store,
                        const DriverHooks& hooks) {
  auto held = store.lock();  // one writer per metadata directory
  if (!held) return std::unexpected(held.error());
  return Loop(updater, http, &store, hooks).run();
}

tuf::Result<void> drive(tuf::Updater& updater, HttpClient& http, const DriverHooks& hooks) {
  if (!hooks.on_persist) {
    return tuf::fail(tuf::Errc::usage, "", "drive without a store needs an on_persist hook");
  }
  return Loop(updater, http, nullptr, hooks).run();
}

tuf::Result<std::vector<LookupResult>> lookup_all(tuf::Updater& updater, HttpClient& http,
                                                  MetadataStore& store,
                                                  const std::vector<std::string>& paths,
                                                  DriverHooks hooks) {
  std::vector<LookupResult> results(paths.size(), std::optional<tuf::FoundTarget>{});
  std::unordered_map<std::uint64_t, std::size_t> slot;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    auto id = updater.start_lookup(paths[i]);
    if (!id) return std::unexpected(id.error());
    slot.emplace(tuf::value_of(*id), i);
  }
  hooks.on_lookup = [&](const tuf::Action& a) {
    if (const auto* done = std::get_if<tuf::LookupDone>(&a)) {
      results[slot.at(tuf::value_of(done->id))] = done->found;
    } else if (const auto* failed = std::get_if<tuf::LookupFailed>(&a)) {
      results[slot.at(tuf::value_of(failed->id))] = std::unexpected(failed->error);
    }
  };
  if (auto ok = drive(updater, http, store, hooks); !ok) return std::unexpected(ok.error());
  return results;
}

}  // namespace tuf_io
