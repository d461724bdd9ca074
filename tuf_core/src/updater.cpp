// Updater: the client workflow of TUF specification section 5 as a polled state machine.
//
// The workflow is written as straight-line C++20 coroutines (refresh_flow, lookup_flow) that
// read like the specification. A coroutine suspends where the workflow needs something from the
// outside world (a fetch or a cached file); the suspension becomes an Action in the outbox, and
// deliver()/fail() resume the coroutine with the answer. Nothing here performs I/O, reads a
// clock, uses threads or globals: every input arrives through the public methods.
#include "tuf/updater.h"

#include <algorithm>
#include <exception>
#include <utility>

namespace tuf {
namespace {

// ---- a minimal coroutine task with symmetric transfer ----------------------------------------

template <class T>
class Task {
 public:
  struct promise_type {
    std::optional<T> value;
    std::coroutine_handle<> continuation;
    bool threw = false;

    Task get_return_object() {
      return Task(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    struct FinalAwaiter {
      bool await_ready() noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
        auto next = h.promise().continuation;
        return next ? next : std::noop_coroutine();
      }
      void await_resume() noexcept {}
    };
    FinalAwaiter final_suspend() noexcept { return {}; }
    void return_value(T v) { value = std::move(v); }
    // Only std::bad_alloc can get here; it ends the operation with a usage error.
    void unhandled_exception() noexcept { threw = true; }
  };

  Task() = default;
  explicit Task(std::coroutine_handle<promise_type> h) : h_(h) {}
  Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Task& operator=(Task&& o) noexcept {
    if (this != &o) {
      if (h_) h_.destroy();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  ~Task() {
    if (h_) h_.destroy();
  }

  // Awaiting a task runs it and continues here when it finishes.
  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> caller) noexcept {
    h_.promise().continuation = caller;
    return h_;
  }
  T await_resume() { return take(); }

  // For the top-level owner.
  void start() { h_.resume(); }
  bool done() const { return h_ && h_.done(); }
  T take() {
    auto& p = h_.promise();
    if (p.threw || !p.value) {
      if constexpr (std::is_same_v<T, Result<void>>) {
        return tuf::fail(Errc::usage, "", "internal error (out of memory)");
      } else {
        std::terminate();
      }
    }
    return std::move(*p.value);
  }

 private:
  std::coroutine_handle<promise_type> h_;
};

using Flow = Task<Result<void>>;

std::string str(std::uint64_t v) { return std::to_string(v); }

}  // namespace

// ---- free functions ------------------------------------------------------------------------

Result<void> verify_target(const TargetInfo& info, Bytes bytes) {
  // 5.7.3: the length and every hash listed in trusted targets metadata.
  if (bytes.size() != info.length) {
    return tuf::fail(Errc::length_or_hash_mismatch, info.path,
                "target length does not match trusted metadata", str(info.length),
                str(bytes.size()));
  }
  return verify_hashes(info.path, info.hashes, bytes, /*require_nonempty=*/true);
}

std::string quote_role_name(std::string_view role) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(role.size());
  for (unsigned char c : role) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                            c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// ---- state ---------------------------------------------------------------------------------

struct Updater::State {
  UpdaterConfig config;
  std::string metadata_base;  // ends with '/'
  std::string root_bytes;     // latest trusted root, as delivered
  std::optional<TrustedSet> trusted;
  bool refreshed = false;

  std::uint64_t next_id = 1;
  std::deque<Action> outbox;

  // A suspended workflow step waiting for an answer.
  struct Pending {
    std::coroutine_handle<> waiter;
    Result<std::string>* slot;
    std::uint64_t max_bytes;  // 0 for LoadCached (the store enforces its own cap)
    std::string role;         // for error messages
  };
  std::unordered_map<std::uint64_t, Pending> pending;
  std::unordered_map<std::uint64_t, TargetInfo> downloads;

  std::optional<Flow> op;  // the running refresh or lookup
  std::optional<TargetInfo> lookup_result;
  std::optional<Error> failed;  // sticky

  // Awaitable for a Fetch or LoadCached request.
  struct Request {
    State* s;
    Action action;  // Fetch or LoadCached with id filled in
    std::uint64_t id;
    std::uint64_t max_bytes;
    std::string role;
    Result<std::string> result = std::string();

    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
      s->pending.emplace(id, Pending{h, &result, max_bytes, std::move(role)});
      s->outbox.push_back(std::move(action));
    }
    Result<std::string> await_resume() { return std::move(result); }
  };

  Request fetch(std::string url, std::uint64_t max_bytes, std::string role) {
    const std::uint64_t id = next_id++;
    return Request{this, Fetch{id, std::move(url), max_bytes, role}, id, max_bytes, role};
  }
  Request load_cached(std::string role) {
    const std::uint64_t id = next_id++;
    return Request{this, LoadCached{id, role}, id, 0, role};
  }
  void persist(std::string role, std::string bytes) {
    outbox.push_back(Persist{std::move(role), std::move(bytes)});
  }

  std::string metadata_url(std::string_view role, std::optional<std::uint64_t> version) const {
    std::string url = metadata_base;
    if (version) {
      url += str(*version);
      url += '.';
    }
    url += quote_role_name(role);
    url += ".json";
    return url;
  }

  const Root& root() const { return trusted->root().signed_part; }
  bool consistent() const { return root().consistent_snapshot; }

  Flow refresh_flow();
  Flow load_targets(std::string role, std::string delegator);
  Flow lookup_flow(std::string target_path);
};

// 5.3: update the root role.
// 5.4 - 5.6: timestamp, snapshot and top-level targets.
Flow Updater::State::refresh_flow() {
  // 5.3.2 - 5.3.9: probe N+1 until the repository has no newer root, at most
  // max_root_rotations times. Only not_found ends the walk; any other failure aborts.
  for (std::uint32_t i = 0; i < config.max_root_rotations; ++i) {
    const std::uint64_t next_version = root().version + 1;
    auto bytes = co_await fetch(metadata_url("root", next_version), config.root_max_length,
                                "root");
    if (!bytes) {
      if (bytes.error().code == Errc::not_found) break;
      co_return std::unexpected(bytes.error());
    }
    if (auto ok = trusted->update_root(as_bytes(*bytes)); !ok) co_return ok;
    // 5.3.8: persist each new trusted root.
    root_bytes = *bytes;
    persist("root", std::move(*bytes));
  }
  // 5.3.10: freeze attack on the final root.
  if (auto ok = trusted->check_root_not_expired(); !ok) co_return ok;
  // 5.3.11: timestamp/snapshot files signed by rotated-out keys are never loaded below: the
  // local copies are re-verified with the new root's keys and silently ignored when they fail,
  // which is the effect of deleting them (recovery from fast-forward attacks).

  // 5.4: timestamp. The local copy, if valid, is the rollback reference.
  {
    auto local = co_await load_cached("timestamp");
    if (local) (void)trusted->update_timestamp(as_bytes(*local));
    auto bytes = co_await fetch(metadata_url("timestamp", std::nullopt),
                                config.timestamp_max_length, "timestamp");
    if (!bytes) co_return std::unexpected(bytes.error());
    auto ok = trusted->update_timestamp(as_bytes(*bytes));
    if (!ok) {
      // 5.4.3.1: equal version is normal: keep the trusted one (its expiry is re-checked
      // before snapshot is used).
      if (ok.error().code != Errc::equal_version_number) co_return ok;
    } else {
      persist("timestamp", std::move(*bytes));  // 5.4.5
    }
  }

  // 5.5: snapshot. A local copy that is still the version timestamp lists is used as is.
  {
    auto local = co_await load_cached("snapshot");
    bool have_final = false;
    if (local) have_final = trusted->update_snapshot(as_bytes(*local), true).has_value();
    if (!have_final) {
      if (auto ok = trusted->check_final_timestamp(); !ok) co_return ok;
      const MetaInfo& listed = trusted->timestamp()->signed_part.snapshot_meta;
      // 5.5.1: bounded by the listed length, else the configured cap.
      const std::uint64_t max = listed.length.value_or(config.snapshot_max_length);
      auto bytes = co_await fetch(
          metadata_url("snapshot", consistent() ? std::optional(listed.version) : std::nullopt),
          max, "snapshot");
      if (!bytes) co_return std::unexpected(bytes.error());
      if (auto ok = trusted->update_snapshot(as_bytes(*bytes)); !ok) co_return ok;
      persist("snapshot", std::move(*bytes));  // 5.5.7
    }
  }

  // 5.6: top-level targets.
  if (auto ok = co_await load_targets("targets", "root"); !ok) co_return ok;
  refreshed = true;
  co_return Result<void>{};
}

// 5.6.1 - 5.6.6 for `role` (top-level or delegated): the local copy if it is still the version
// snapshot lists, else a download bounded by the listed length or the configured cap.
Flow Updater::State::load_targets(std::string role, std::string delegator) {
  // Already trusted in this session: re-checked against this delegator (a role name reached
  // through a second parent must be vouched for by that parent too).
  if (trusted->targets(role)) co_return trusted->verify_delegated_by(role, delegator);
  {
    auto local = co_await load_cached(role);
    if (local && trusted->update_delegated_targets(as_bytes(*local), role, delegator)) {
      co_return Result<void>{};
    }
  }
  if (auto ok = trusted->check_final_snapshot(); !ok) co_return ok;
  const auto& meta = trusted->snapshot()->signed_part.meta;
  auto listed = meta.find(role + ".json");
  if (listed == meta.end()) {
    co_return tuf::fail(Errc::repository_error, role, "snapshot does not list " + role + ".json");
  }
  const std::uint64_t max = listed->second.length.value_or(config.targets_max_length);
  auto bytes = co_await fetch(
      metadata_url(role, consistent() ? std::optional(listed->second.version) : std::nullopt),
      max, role);
  if (!bytes) co_return std::unexpected(bytes.error());
  if (auto ok = trusted->update_delegated_targets(as_bytes(*bytes), role, delegator); !ok) {
    co_return ok;
  }
  persist(role, std::move(*bytes));  // 5.6.6
  co_return Result<void>{};
}

// 5.6.7: pre-order depth-first search of the delegation graph.
Flow Updater::State::lookup_flow(std::string target_path) {
  struct Visit {
    std::string role, delegator;
  };
  std::vector<Visit> to_visit{{"targets", "root"}};
  std::vector<std::string> visited;
  std::uint32_t budget = config.max_delegations;

  while (budget > 0 && !to_visit.empty()) {
    Visit v = std::move(to_visit.back());
    to_visit.pop_back();
    // 5.6.7.1: skip roles already visited (cycles).
    if (std::find(visited.begin(), visited.end(), v.role) != visited.end()) continue;
    if (auto ok = co_await load_targets(v.role, v.delegator); !ok) co_return ok;
    const Targets& targets = trusted->targets(v.role)->signed_part;

    if (auto hit = targets.targets.find(target_path); hit != targets.targets.end()) {
      lookup_result = TargetInfo{target_path, hit->second.length, hit->second.hashes};
      co_return Result<void>{};
    }
    visited.push_back(v.role);
    --budget;

    // 5.6.7.2: children in order of appearance; a terminating match ends the search below
    // this point (nothing else queued is visited).
    if (!targets.delegations) continue;
    std::vector<Visit> children;
    if (const auto& succinct = targets.delegations->succinct_roles) {
      // TAP 15: exactly one bin covers a path, and bins are terminating.
      children.push_back({succinct->role_for_target(target_path), v.role});
      to_visit.clear();
    } else {
      for (const DelegatedRole& d : targets.delegations->roles) {
        if (!d.is_delegated_path(target_path)) continue;
        children.push_back({d.name, v.role});
        if (d.terminating) {
          to_visit.clear();
          break;
        }
      }
    }
    std::reverse(children.begin(), children.end());
    for (Visit& c : children) to_visit.push_back(std::move(c));
  }
  // Not found (or the delegation budget ran out): not a failure of the updater.
  co_return Result<void>{};
}

// ---- public API ----------------------------------------------------------------------------

Updater::Updater(std::unique_ptr<State> state) : state_(std::move(state)) {}
Updater::Updater(Updater&&) noexcept = default;
Updater& Updater::operator=(Updater&&) noexcept = default;
Updater::~Updater() = default;

Result<Updater> Updater::create(Bytes trusted_root, std::string metadata_base_url,
                                UpdaterConfig config) {
  // 5.2: the caller's root must be signed by its own root keys. Its expiry is checked
  // after the root update (5.3.10), against the refresh's reference time.
  auto trusted = TrustedSet::create(trusted_root, 0);
  if (!trusted) return std::unexpected(trusted.error());
  auto state = std::make_unique<State>();
  state->config = config;
  state->metadata_base = std::move(metadata_base_url);
  if (state->metadata_base.empty() || state->metadata_base.back() != '/') {
    state->metadata_base.push_back('/');
  }
  state->root_bytes.assign(as_chars(trusted_root));
  state->trusted = std::move(*trusted);
  return Updater(std::move(state));
}

Result<void> Updater::start_refresh(Timestamp now) {
  State& s = *state_;
  if (s.failed) return std::unexpected(*s.failed);
  if (s.op) return tuf::fail(Errc::usage, "", "an operation is already running");
  // 5.1: fix the update start time; start again from the latest trusted root.
  auto trusted = TrustedSet::create(as_bytes(s.root_bytes), now);
  if (!trusted) return std::unexpected(trusted.error());
  s.trusted = std::move(*trusted);
  s.refreshed = false;
  s.op = s.refresh_flow();
  s.op->start();
  return {};
}

Result<void> Updater::start_lookup(std::string target_path) {
  State& s = *state_;
  if (s.failed) return std::unexpected(*s.failed);
  if (s.op) return tuf::fail(Errc::usage, "", "an operation is already running");
  if (!s.refreshed) return tuf::fail(Errc::usage, "", "refresh must complete before a lookup");
  s.lookup_result.reset();
  s.op = s.lookup_flow(std::move(target_path));
  s.op->start();
  return {};
}

std::string Updater::target_url(const TargetInfo& info, std::string_view target_base_url) const {
  std::string url(target_base_url);
  if (url.empty() || url.back() != '/') url.push_back('/');
  // 5.7.3: with consistent snapshots, <dir>/<hash>.<basename> using a listed hash.
  if (state_->trusted && state_->consistent() && state_->config.prefix_targets_with_hash &&
      !info.hashes.empty()) {
    const auto slash = info.path.rfind('/');
    const std::size_t base = slash == std::string::npos ? 0 : slash + 1;
    url.append(info.path, 0, base);
    url += info.hashes.front().second;
    url += '.';
    url.append(info.path, base);
  } else {
    url += info.path;
  }
  return url;
}

Result<std::uint64_t> Updater::start_download(const TargetInfo& info,
                                              std::string_view target_base_url) {
  State& s = *state_;
  if (s.failed) return std::unexpected(*s.failed);
  if (!s.refreshed) return tuf::fail(Errc::usage, info.path, "refresh must complete first");
  if (info.hashes.empty()) {
    return tuf::fail(Errc::usage, info.path, "target info has no hashes: not from a lookup");
  }
  const std::uint64_t id = s.next_id++;
  s.downloads.emplace(id, info);
  // 5.7.3: at most the length listed in trusted metadata.
  s.outbox.push_back(Fetch{id, target_url(info, target_base_url), info.length, ""});
  return id;
}

Action Updater::next() {
  State& s = *state_;
  if (s.failed) return Failed{*s.failed};
  if (!s.outbox.empty()) {
    Action a = std::move(s.outbox.front());
    s.outbox.pop_front();
    return a;
  }
  if (s.op) {
    if (!s.op->done()) return Waiting{};
    Result<void> result = s.op->take();
    s.op.reset();
    if (!result) {
      s.failed = result.error();
      return Failed{*s.failed};
    }
  }
  if (!s.downloads.empty()) return Waiting{};
  return Done{};
}

Result<void> Updater::deliver(std::uint64_t id, Bytes bytes) {
  State& s = *state_;
  if (s.failed) return std::unexpected(*s.failed);
  if (auto d = s.downloads.find(id); d != s.downloads.end()) {
    TargetInfo info = std::move(d->second);
    s.downloads.erase(d);
    // Nothing unverified is released: length and hashes first (5.7.1, 5.7.3).
    if (auto ok = verify_target(info, bytes); !ok) {
      s.failed = ok.error();
      return ok;
    }
    s.outbox.push_back(TargetReady{id, std::move(info), std::string(as_chars(bytes))});
    return {};
  }
  auto p = s.pending.find(id);
  if (p == s.pending.end()) {
    return tuf::fail(Errc::usage, "", "deliver: unknown or already answered request id " + str(id));
  }
  State::Pending pending = std::move(p->second);
  s.pending.erase(p);
  // Defence in depth: the I/O layer must enforce the limit, but never trust that it did.
  if (pending.max_bytes != 0 && bytes.size() > pending.max_bytes) {
    *pending.slot = tuf::fail(Errc::too_large, pending.role, "response exceeds the byte limit",
                         "<= " + str(pending.max_bytes), str(bytes.size()));
  } else {
    *pending.slot = std::string(as_chars(bytes));
  }
  pending.waiter.resume();
  return {};
}

Result<void> Updater::fail(std::uint64_t id, Error error) {
  State& s = *state_;
  if (s.failed) return std::unexpected(*s.failed);
  if (auto d = s.downloads.find(id); d != s.downloads.end()) {
    if (error.role.empty()) error.role = d->second.path;
    s.downloads.erase(d);
    s.failed = std::move(error);
    return {};
  }
  auto p = s.pending.find(id);
  if (p == s.pending.end()) {
    return tuf::fail(Errc::usage, "", "fail: unknown or already answered request id " + str(id));
  }
  State::Pending pending = std::move(p->second);
  s.pending.erase(p);
  if (error.role.empty()) error.role = pending.role;
  *pending.slot = std::unexpected(std::move(error));
  pending.waiter.resume();
  return {};
}

bool Updater::refreshed() const { return state_->refreshed; }
const std::optional<TargetInfo>& Updater::lookup_result() const {
  return state_->lookup_result;
}
const TrustedSet& Updater::trusted() const { return *state_->trusted; }
const UpdaterConfig& Updater::config() const { return state_->config; }

}  // namespace tuf
