// Updater: the client workflow of TUF specification section 5 as a polled state machine.
//
// The workflow is written as straight-line C++20 coroutines (refresh_flow, lookup_flow) that
// read like the specification. A coroutine suspends where the workflow needs something from the
// outside world (a fetch or a cached file); the suspension becomes an Action in the outbox, and
// deliver()/fail() resume the coroutine with the answer. Nothing here performs I/O, reads a
// clock, uses threads or globals: every input arrives through the public methods.
#include "tuf/updater.h"

#include <algorithm>
#include <coroutine>
#include <deque>
#include <exception>
#include <new>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tuf {
namespace {

// ---- a minimal coroutine task with symmetric transfer ----------------------------------------

// What an exception escaping the workflow was, as an error of the operation it ended.
Error internal_error(std::exception_ptr ep) {
  try {
    std::rethrow_exception(ep);
  } catch (const std::bad_alloc&) {
    return Error{Errc::internal, "", "out of memory", "", ""};
  } catch (const std::exception& e) {
    return Error{Errc::internal, "", std::string("internal error: ") + e.what(), "", ""};
  } catch (...) {
    return Error{Errc::internal, "", "internal error: unknown exception", "", ""};
  }
}

template <class T>
class Task {
 public:
  struct promise_type {
    std::optional<T> value;
    std::coroutine_handle<> continuation;
    std::exception_ptr exception;

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
    // Ends the operation with an internal error that says what was thrown.
    void unhandled_exception() noexcept { exception = std::current_exception(); }
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
  // T is always a Result<...>: an exception becomes its error.
  T take() {
    auto& p = h_.promise();
    if (p.exception) return std::unexpected(internal_error(p.exception));
    if (!p.value) return tuf::fail(Errc::internal, "", "operation ended without a result");
    return std::move(*p.value);
  }

 private:
  std::coroutine_handle<promise_type> h_;
};

using Flow = Task<Result<void>>;
using LookupFlow = Task<Result<std::optional<FoundTarget>>>;

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
  // Coroutines to resume from next(): waiters of a shared load whose loader finished.
  std::deque<std::coroutine_handle<>> ready;

  // A suspended workflow step waiting for an answer.
  struct Pending {
    std::coroutine_handle<> waiter;
    Result<std::string>* slot;
    std::uint64_t max_bytes;
    std::string role;  // for error messages
  };
  std::unordered_map<RequestId, Pending> pending;
  struct Download {
    DownloadId id;
    TargetInfo info;
  };
  std::unordered_map<RequestId, Download> downloads;  // by the id of their Fetch

  std::optional<Flow> main_op;  // the running refresh or root update
  std::unordered_map<LookupId, Flow> lookups;  // running lookups (run_lookup frames)
  std::deque<Action> finished;  // LookupDone / LookupFailed, reported by next()

  // Targets roles being loaded: later lookups that need the same role wait for the first.
  struct Joiner {
    std::coroutine_handle<> waiter;
    Result<void>* slot;
  };
  std::unordered_map<std::string, std::vector<Joiner>> loading;

  // Awaitable for a Fetch or LoadCached request.
  struct Request {
    State* s;
    Action action;  // Fetch or LoadCached with id filled in
    RequestId id;
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
  // Awaitable: wait for another operation's load of `role` and get its result.
  struct Join {
    State* s;
    std::string role;
    Result<void> result = Result<void>{};

    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) { s->loading[role].push_back({h, &result}); }
    Result<void> await_resume() { return std::move(result); }
  };

  RequestId new_request_id() { return RequestId{next_id++}; }
  Request fetch(std::string url, std::uint64_t max_bytes, std::string role) {
    const RequestId id = new_request_id();
    return Request{this, Fetch{id, std::move(url), max_bytes, role, std::nullopt}, id, max_bytes,
                   role};
  }
  Request load_cached(std::string role, std::uint64_t max_bytes) {
    const RequestId id = new_request_id();
    return Request{this, LoadCached{id, role, max_bytes}, id, max_bytes, role};
  }
  void persist(std::string role, std::string bytes) {
    outbox.push_back(Persist{std::move(role), std::move(bytes)});
  }
  // The loader of `role` is done: every joiner gets its result and resumes from next().
  void finish_load(const std::string& role, const Result<void>& result) {
    auto it = loading.find(role);
    if (it == loading.end()) return;
    for (Joiner& j : it->second) {
      *j.slot = result;
      ready.push_back(j.waiter);
    }
    loading.erase(it);
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
  // The most a stored or fetched copy of a targets role may be: its length in snapshot, else
  // the configured cap (5.6.1).
  std::uint64_t targets_cap(const std::string& role) const {
    const Snapshot& snap = trusted->snapshot()->signed_part;
    auto listed = snap.meta.find(role + ".json");
    if (listed == snap.meta.end()) return config.targets_max_length;
    return listed->second.length.value_or(config.targets_max_length);
  }

  Flow root_flow();
  Flow root_update_flow();
  Flow refresh_flow();
  Flow load_targets(std::string role, std::string delegator);
  Flow fetch_targets(std::string role, std::string delegator);
  LookupFlow lookup_flow(std::string target_path);
  Flow run_lookup(LookupId id, std::string target_path);
  std::optional<Action> take_finished();
};

// 5.3.2 - 5.3.10: probe N+1 until the repository has no newer root, at most
// max_root_rotations times. Only not_found ends the walk; any other failure aborts.
Flow Updater::State::root_flow() {
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
  co_return trusted->check_root_not_expired();
}

Flow Updater::State::root_update_flow() { co_return co_await root_flow(); }

// 5.3: update the root role.
// 5.4 - 5.6: timestamp, snapshot and top-level targets.
Flow Updater::State::refresh_flow() {
  if (auto ok = co_await root_flow(); !ok) co_return ok;
  // 5.3.11: timestamp/snapshot files signed by rotated-out keys are never loaded below: the
  // local copies are re-verified with the new root's keys and silently ignored when they fail,
  // which is the effect of deleting them (recovery from fast-forward attacks).

  // 5.4: timestamp. The local copy, if valid, is the rollback reference.
  {
    auto local = co_await load_cached("timestamp", config.timestamp_max_length);
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
    const MetaInfo& listed = trusted->timestamp()->signed_part.snapshot_meta;
    // 5.5.1: bounded by the listed length, else the configured cap.
    const std::uint64_t max = listed.length.value_or(config.snapshot_max_length);
    auto local = co_await load_cached("snapshot", max);
    bool have_final = false;
    if (local) have_final = trusted->update_snapshot(as_bytes(*local), true).has_value();
    if (!have_final) {
      if (auto ok = trusted->check_final_timestamp(); !ok) co_return ok;
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

// `role` (top-level or delegated) trusted for `delegator`: already trusted in this session
// (re-checked against this delegator: a role reached through a second parent must be vouched
// for by that parent too), being loaded by another lookup (wait for it), or loaded here.
Flow Updater::State::load_targets(std::string role, std::string delegator) {
  if (trusted->targets(role)) co_return trusted->verify_delegated_by(role, delegator);
  if (loading.contains(role)) {
    Join join{this, role};  // named: GCC 12 frees a temporary awaitable's members twice
    if (auto ok = co_await join; !ok) co_return ok;
    if (!trusted->targets(role)) {
      co_return tuf::fail(Errc::internal, role, "shared load finished without the role");
    }
    co_return trusted->verify_delegated_by(role, delegator);
  }
  loading[role];  // later lookups of this role join this load
  Result<void> result = co_await fetch_targets(role, delegator);
  finish_load(role, result);
  co_return result;
}

// 5.6.1 - 5.6.6: the local copy if it is still the version snapshot lists, else a download
// bounded by the listed length or the configured cap.
Flow Updater::State::fetch_targets(std::string role, std::string delegator) {
  if (auto ok = trusted->check_final_snapshot(); !ok) co_return ok;
  const std::uint64_t max = targets_cap(role);
  {
    auto local = co_await load_cached(role, max);
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

// 5.6.7: pre-order depth-first search of the delegation graph. Not found (or the delegation
// budget ran out) is not a failure: the result is nullopt.
LookupFlow Updater::State::lookup_flow(std::string target_path) {
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
    if (auto ok = co_await load_targets(v.role, v.delegator); !ok) {
      co_return std::unexpected(ok.error());
    }
    const Targets& targets = trusted->targets(v.role)->signed_part;

    if (auto hit = targets.targets.find(target_path); hit != targets.targets.end()) {
      co_return Updater::make_found(
          TargetInfo{target_path, hit->second.length, hit->second.hashes}, v.role);
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
  co_return std::optional<FoundTarget>{};
}

// A lookup's top-level frame: its result is queued for next() to report.
Flow Updater::State::run_lookup(LookupId id, std::string target_path) {
  auto found = co_await lookup_flow(target_path);
  if (found) {
    finished.push_back(LookupDone{id, std::move(target_path), std::move(*found)});
  } else {
    Error e = std::move(found.error());
    if (e.role.empty()) e.role = target_path;
    finished.push_back(LookupFailed{id, std::move(target_path), std::move(e)});
  }
  co_return Result<void>{};
}

// The next finished lookup, its frame destroyed (it is suspended at its end).
std::optional<Action> Updater::State::take_finished() {
  if (finished.empty()) return std::nullopt;
  Action a = std::move(finished.front());
  finished.pop_front();
  const LookupId id =
      std::holds_alternative<LookupDone>(a) ? std::get<LookupDone>(a).id : std::get<LookupFailed>(a).id;
  lookups.erase(id);
  return a;
}

// ---- public API ----------------------------------------------------------------------------

Updater::Updater(std::unique_ptr<State> state) : state_(std::move(state)) {}
Updater::Updater(Updater&&) noexcept = default;
Updater& Updater::operator=(Updater&&) noexcept = default;
Updater::~Updater() = default;

FoundTarget Updater::make_found(TargetInfo info, std::string role) {
  return FoundTarget(std::move(info), std::move(role));
}

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

namespace {
bool busy(const auto& s) {
  return s.main_op || !s.lookups.empty() || !s.downloads.empty() || !s.finished.empty();
}
}  // namespace

// A refresh or a root update: alone, from the latest trusted root, with `now` fixed (5.1).
Result<void> Updater::start_main(Timestamp now, bool refresh) {
  State& s = *state_;
  if (busy(s)) return tuf::fail(Errc::usage, "", "operations are still outstanding");
  auto trusted = TrustedSet::create(as_bytes(s.root_bytes), now);
  if (!trusted) return std::unexpected(trusted.error());
  s.trusted = std::move(*trusted);
  s.refreshed = false;
  s.main_op = refresh ? s.refresh_flow() : s.root_update_flow();
  s.main_op->start();
  return {};
}

Result<void> Updater::start_refresh(Timestamp now) { return start_main(now, true); }
Result<void> Updater::start_root_update(Timestamp now) { return start_main(now, false); }

Result<LookupId> Updater::start_lookup(std::string target_path) {
  State& s = *state_;
  if (!s.refreshed || s.main_op) {
    return tuf::fail(Errc::usage, "", "refresh must complete before a lookup");
  }
  const LookupId id{s.next_id++};
  auto [it, inserted] = s.lookups.emplace(id, s.run_lookup(id, std::move(target_path)));
  it->second.start();
  return id;
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

Result<DownloadId> Updater::start_download(const FoundTarget& target,
                                           std::string_view target_base_url) {
  State& s = *state_;
  const TargetInfo& info = target.info();
  if (!s.refreshed) return tuf::fail(Errc::usage, info.path, "refresh must complete first");
  const DownloadId id{s.next_id++};
  const RequestId request = s.new_request_id();
  s.downloads.emplace(request, State::Download{id, info});
  // 5.7.3: at most the length listed in trusted metadata.
  s.outbox.push_back(Fetch{request, target_url(info, target_base_url), info.length, "", id});
  return id;
}

Action Updater::next() {
  State& s = *state_;
  while (!s.ready.empty()) {
    auto h = s.ready.front();
    s.ready.pop_front();
    h.resume();
  }
  if (!s.outbox.empty()) {
    Action a = std::move(s.outbox.front());
    s.outbox.pop_front();
    return a;
  }
  if (auto a = s.take_finished()) return std::move(*a);
  if (s.main_op) {
    if (!s.main_op->done()) return Waiting{};
    Result<void> result = s.main_op->take();
    s.main_op.reset();
    if (!result) return Failed{std::move(result.error())};
  }
  if (!s.lookups.empty() || !s.downloads.empty()) return Waiting{};
  return Done{};
}

Result<void> Updater::deliver(RequestId id, std::string bytes) {
  State& s = *state_;
  if (auto d = s.downloads.find(id); d != s.downloads.end()) {
    State::Download download = std::move(d->second);
    s.downloads.erase(d);
    // Nothing unverified is released: length and hashes first (5.7.1, 5.7.3).
    if (auto ok = verify_target(download.info, as_bytes(bytes)); !ok) {
      s.outbox.push_back(DownloadFailed{download.id, std::move(download.info), ok.error()});
      return ok;
    }
    s.outbox.push_back(TargetReady{download.id, std::move(download.info), std::move(bytes)});
    return {};
  }
  auto p = s.pending.find(id);
  if (p == s.pending.end()) {
    return tuf::fail(Errc::usage, "",
                     "deliver: unknown or already answered request id " + str(value_of(id)));
  }
  State::Pending pending = std::move(p->second);
  s.pending.erase(p);
  // Defence in depth: the I/O layer must enforce the limit, but never trust that it did.
  if (bytes.size() > pending.max_bytes) {
    *pending.slot = tuf::fail(Errc::too_large, pending.role, "response exceeds the byte limit",
                              "<= " + str(pending.max_bytes), str(bytes.size()));
  } else {
    *pending.slot = std::move(bytes);
  }
  pending.waiter.resume();
  return {};
}

Result<void> Updater::fail(RequestId id, Error error) {
  State& s = *state_;
  if (auto d = s.downloads.find(id); d != s.downloads.end()) {
    if (error.role.empty()) error.role = d->second.info.path;
    s.outbox.push_back(DownloadFailed{d->second.id, std::move(d->second.info), std::move(error)});
    s.downloads.erase(d);
    return {};
  }
  auto p = s.pending.find(id);
  if (p == s.pending.end()) {
    return tuf::fail(Errc::usage, "",
                     "fail: unknown or already answered request id " + str(value_of(id)));
  }
  State::Pending pending = std::move(p->second);
  s.pending.erase(p);
  if (error.role.empty()) error.role = pending.role;
  *pending.slot = std::unexpected(std::move(error));
  pending.waiter.resume();
  return {};
}

bool Updater::refreshed() const { return state_->refreshed; }
const TrustedSet& Updater::trusted() const { return *state_->trusted; }
const UpdaterConfig& Updater::config() const { return state_->config; }
const std::string& Updater::root_bytes() const { return state_->root_bytes; }

}  // namespace tuf
