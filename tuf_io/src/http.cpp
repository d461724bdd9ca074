// HttpClient: Boost.Beast HTTP/1.1 (+TLS) and file:// fetching with hard limits. This file holds
// the client itself: jobs, per-origin connection pools, redirects; http_internal.h lists the
// other parts (URLs, proxies, TLS trust, file: URLs, watchdog, the exchange on a connection).
//
// Design
// - One io_context owned by the client, run only from the caller's thread (run_one/run). No
//   threads of our own (Asio's resolver uses its internal helper thread for host names; IP
//   literals skip resolution).
// - A Job is one async_fetch. It moves through one or more Hops (a redirect starts a new hop).
//   A hop is one request/response exchange on one connection, written as an Asio C++20
//   coroutine (Exchange). Hops are admitted per pool (one pool per origin, or per proxy for
//   plain http): at most max_connections_per_host active hops; the rest wait in the pool's FIFO
//   queue.
// - Connections are kept alive: after a complete response whose parser says keep-alive and
//   with no stray bytes left, the connection goes back to the pool's idle list (at most
//   max_connections_per_host of them). Small bodies of redirects and error statuses are drained
//   so that they do not cost a connection.
// - Each hop has a watchdog (http_watchdog.cpp) for the connect, idle, whole-request and
//   minimum-rate limits.
// - Every error is a tuf::Error (not_found, too_large or transport) whose detail starts with
//   the URL concerned.
#include "tuf_io/http.h"

#include <deque>
#include <map>
#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include "http_internal.h"

namespace tuf_io {

using namespace http_detail;

tuf::Error http_detail::job_error(const Job& job, tuf::Errc code, std::string what) {
  const std::string where =
      job.redirects == 0 ? job.original_url : job.target.text + " (redirected from " + job.original_url + ")";
  return tuf::Error{code, "", where + ": " + std::move(what), {}, {}};
}

struct HttpClient::Impl {
  // The connections of one origin (or of one proxy, for plain http through it).
  struct Pool {
    std::vector<std::shared_ptr<Connection>> idle;
    unsigned active = 0;
    std::deque<std::shared_ptr<Job>> queue;
  };

  explicit Impl(HttpOptions opts) : options(std::move(opts)), tls(options.ca_file) {
    if (options.max_connections_per_host == 0) options.max_connections_per_host = 1;
    if (options.use_proxy_env) proxies = ProxyConfig::from_env();
    io.emplace();
  }

  ~Impl() {
    for (auto& [key, pool] : pools)
      for (auto& conn : pool.idle) conn->close();
    pools.clear();
    jobs.clear();
    // Destroys suspended coroutine frames (and the connections they hold) without running them;
    // no user callback runs.
    io.reset();
  }

  HttpOptions options;
  TlsTrust tls;
  ProxyConfig proxies;
  std::map<std::string, Pool> pools;
  std::set<std::shared_ptr<Job>> jobs;  // not yet finished
  std::size_t completed = 0;
  std::optional<asio::io_context> io;  // declared last: reset first in ~Impl

  // ---- job lifecycle -----------------------------------------------------------------------

  void start(FetchRequest request, FetchCallback done) {
    auto job = std::make_shared<Job>();
    job->original_url = request.url;
    job->request = std::move(request);
    job->done = std::move(done);
    jobs.insert(job);
    auto target = parse_target(job->original_url);
    if (!target) return fail_later(job, target.error());
    job->target = std::move(*target);
    job->visited.push_back(job->target.text);
    dispatch(job);
  }

  void finish(const std::shared_ptr<Job>& job, FetchResult result) {
    if (!jobs.erase(job)) return;  // already finished
    ++completed;
    auto callback = std::move(job->done);
    job->done = nullptr;
    if (callback) callback(std::move(result));
  }

  // Callbacks only ever run from run_one(), never from inside async_fetch.
  void fail_later(const std::shared_ptr<Job>& job, std::string what) {
    tuf::Error e = job_error(*job, tuf::Errc::transport, std::move(what));
    asio::post(*io, [this, job, e] { finish(job, std::unexpected(e)); });
  }

  void dispatch(const std::shared_ptr<Job>& job) {
    if (job->target.scheme == urls::scheme::file) {
      asio::post(*io, [this, job] { finish(job, read_file_url(*job)); });
      return;
    }
    if (job->target.https() && !tls.context())
      return fail_later(job, "TLS trust store setup failed: " + tls.error().message());
    Route route = proxies.route_for(job->target);
    if (!route.error.empty()) return fail_later(job, route.error);
    Pool& pool = pools[route.key];
    if (pool.active < options.max_connections_per_host)
      start_hop(job, std::move(route));
    else
      pool.queue.push_back(job);
  }

  // ---- the pools ---------------------------------------------------------------------------

  void pump(const std::string& key) {
    auto it = pools.find(key);
    while (it != pools.end() && !it->second.queue.empty() &&
           it->second.active < options.max_connections_per_host) {
      auto job = std::move(it->second.queue.front());
      it->second.queue.pop_front();
      start_hop(job, proxies.route_for(job->target));
    }
  }

  void start_hop(const std::shared_ptr<Job>& job, Route route) {
    Pool& pool = pools[route.key];
    ++pool.active;
    auto hop = std::make_shared<Hop>(*io);
    hop->key = route.key;
    if (!pool.idle.empty()) {
      hop->conn = std::move(pool.idle.back());
      pool.idle.pop_back();
    }
    if (!job->started) {
      job->started = true;
      job->deadline = Clock::now() + options.request_timeout;
    }
    hop->request_deadline = job->deadline;
    job->hop = hop;
    asio::co_spawn(*io, run_hop(job, hop, std::move(route)), asio::detached);
  }

  asio::awaitable<void> run_hop(std::shared_ptr<Job> job, std::shared_ptr<Hop> hop, Route route) {
    HopOutcome outcome;
    try {
      arm_watchdog(options, hop);
      Exchange exchange(options, *io, tls, *job, hop, route);
      outcome = co_await exchange.run();
    } catch (const std::exception& e) {
      outcome.kind = HopOutcome::failed;
      outcome.error = job_error(*job, tuf::Errc::transport, std::string("internal error: ") + e.what());
    }
    hop_finished(job, hop, std::move(outcome));
  }

  // Returns the hop's connection to its pool (or closes it) and admits the next queued hop.
  void release(const std::shared_ptr<Job>& job, Hop& hop, bool reusable) {
    Pool& pool = pools[hop.key];
    if (hop.conn) {
      if (reusable && !hop.abort_reason && !job->cancelled && pool.idle.size() < options.max_connections_per_host)
        pool.idle.push_back(hop.conn);
      else
        hop.conn->close();
    }
    hop.conn.reset();
    --pool.active;
    pump(hop.key);
  }

  void hop_finished(const std::shared_ptr<Job>& job, const std::shared_ptr<Hop>& hop, HopOutcome outcome) {
    hop->done = true;
    hop->timer.cancel();
    job->hop.reset();
    release(job, *hop, outcome.reusable);
    if (job->cancelled) {
      finish(job, std::unexpected(job_error(*job, tuf::Errc::transport, *job->cancelled)));
      return;
    }
    switch (outcome.kind) {
      case HopOutcome::complete:
        finish(job, std::move(job->body));
        return;
      case HopOutcome::failed:
        finish(job, std::unexpected(std::move(outcome.error)));
        return;
      case HopOutcome::redirect:
        follow_redirect(job, outcome.location);
        return;
    }
  }

  void follow_redirect(const std::shared_ptr<Job>& job, const std::string& location) {
    auto fail = [&](std::string what) {
      finish(job, std::unexpected(job_error(*job, tuf::Errc::transport, std::move(what))));
    };
    if (job->redirects >= options.max_redirects)
      return fail("too many redirects (limit " + std::to_string(options.max_redirects) + ")");
    auto target = redirect_target(job->target, location, job->visited);
    if (!target) return fail(target.error());
    ++job->redirects;
    job->visited.push_back(target->text);
    job->target = std::move(*target);
    dispatch(job);
  }

  void cancel_all(const std::string& why) {
    std::vector<std::shared_ptr<Job>> all(jobs.begin(), jobs.end());
    for (auto& [key, pool] : pools) {
      for (auto& job : pool.queue) {
        job->cancelled = why;
        asio::post(*io, [this, job] {
          finish(job, std::unexpected(job_error(*job, tuf::Errc::transport, *job->cancelled)));
        });
      }
      pool.queue.clear();
    }
    for (auto& job : all) {
      job->cancelled = why;
      if (job->hop) abort_hop(*job->hop, why);
    }
  }

  // ---- driving -----------------------------------------------------------------------------

  std::size_t run_one() {
    const std::size_t before = completed;
    while (completed == before && !jobs.empty()) {
      if (io->stopped()) io->restart();
      if (io->run_one() == 0) break;  // no work left: nothing more can complete
    }
    return completed - before;
  }
};

HttpClient::HttpClient(HttpOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpClient::~HttpClient() = default;

void HttpClient::async_fetch(FetchRequest request, FetchCallback done) {
  impl_->start(std::move(request), std::move(done));
}

std::size_t HttpClient::run_one() { return impl_->run_one(); }

void HttpClient::run() {
  while (pending() > 0)
    if (run_one() == 0) break;
}

std::size_t HttpClient::pending() const { return impl_->jobs.size(); }

void HttpClient::cancel_all() { impl_->cancel_all("cancelled"); }

FetchResult HttpClient::fetch(const std::string& url, std::uint64_t max_bytes) {
  std::optional<FetchResult> out;
  FetchRequest request;
  request.url = url;
  request.max_bytes = max_bytes;
  async_fetch(std::move(request), [&out](FetchResult r) { out = std::move(r); });
  while (!out)
    if (run_one() == 0 && !out) break;
  if (!out) return tuf::fail(tuf::Errc::usage, "", url + ": request never completed");
  return std::move(*out);
}

}  // namespace tuf_io
