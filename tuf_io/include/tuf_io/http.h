// HTTP/1.1 (+TLS) and file:// fetching with hard byte limits, for servicing tuf::Fetch requests.
//
// Boost.Beast over Boost.Asio, driven from the calling thread (no threads of its own): requests
// are started with async_fetch and complete while the caller runs run_one()/run(). Several
// requests are in flight at once; connections to the same origin are kept alive and reused.
// Defences (DESIGN.md invariant 2 and the spec's endless-data and slow-retrieval attacks):
// - the body is cut off as soon as it exceeds max_bytes (Content-Length larger than max_bytes
//   fails before reading the body), and the header block is capped;
// - connect, per-read idle and whole-request timeouts, and a minimum average transfer rate
//   after a grace period;
// - at most max_redirects redirects, never from https to http;
// - TLS: system trust store, peer and host name verification, SNI.
// Proxies: http_proxy / https_proxy / no_proxy (either case) are read once, at construction,
// when use_proxy_env is set. http:// goes to the proxy in absolute-form; https:// through a
// proxy uses a CONNECT tunnel and TLS end to end. Loopback hosts (localhost, 127.0.0.0/8, ::1)
// are never proxied. Only http:// proxy URLs are supported (user:password -> Basic auth).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "tuf/bytes.h"
#include "tuf/error.h"

namespace tuf_io {

struct HttpOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds read_timeout{10'000};      // no byte received for this long: fail
  std::chrono::milliseconds request_timeout{300'000};  // whole request
  // Slow-retrieval defence: after `min_rate_grace`, the average rate must stay >= this.
  std::uint64_t min_bytes_per_second = 1024;
  std::chrono::milliseconds min_rate_grace{5'000};
  unsigned max_redirects = 5;
  // Requests to one origin in flight at once (more wait for a free connection). A resolution
  // round asks one index for the bin and the page of every project of a dependency level at
  // once, then for their .metadata files, and an install for every wheel: 32 keeps a level of
  // 16 projects to one round trip each while staying below what an index serves one client
  // (uv allows 50 downloads at once).
  unsigned max_connections_per_host = 32;
  std::size_t max_header_bytes = 64 * 1024;
  bool use_proxy_env = true;
  std::string user_agent = "tufget/0.2";
  std::string ca_file;  // extra CA bundle (PEM) in addition to the system store; tests use it
};

struct FetchRequest {
  std::string url;
  std::uint64_t max_bytes = 0;
  // Optional streaming sink: when set, body chunks go here (and are not accumulated); returning
  // false aborts the request with a transport error.
  std::function<bool(tuf::Bytes chunk)> sink;
};

// body: the whole body (empty when a sink was used). Errors use tuf::Errc::not_found (404/410,
// missing file), too_large (limit exceeded) or transport (anything else; detail says what:
// HTTP status, timeout, too slow, TLS, redirect loop, connection reset, ...).
using FetchResult = tuf::Result<std::string>;
using FetchCallback = std::function<void(FetchResult)>;

class HttpClient {
 public:
  explicit HttpClient(HttpOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Starts a request; `done` runs (exactly once) from inside run_one()/run().
  void async_fetch(FetchRequest request, FetchCallback done);
  // Runs until at least one callback has run, or nothing is pending. Returns the number run.
  std::size_t run_one();
  // Runs until nothing is pending.
  void run();
  // Requests started and not yet completed (their callbacks have not run).
  std::size_t pending() const;
  // Aborts every pending request: each callback still runs exactly once, from run_one()/run(),
  // with a transport error "cancelled". For callers that stop early (see drive()).
  void cancel_all();

  // Convenience: one request, synchronously.
  FetchResult fetch(const std::string& url, std::uint64_t max_bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tuf_io
