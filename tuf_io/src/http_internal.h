// What the parts of HttpClient share (tuf_io/http.h is the public side). The parts:
//   http_url.cpp       URLs: parsing a request target, resolving a redirect;
//   http_proxy.cpp     proxies from the environment (http_proxy, https_proxy, no_proxy) and the
//                      route a request takes;
//   http_tls.cpp       TLS trust: the context, the lazily read system store, the handshake with
//                      host name verification;
//   http_file.cpp      file: URLs;
//   http_watchdog.cpp  timeouts and the minimum transfer rate of one hop;
//   http_transfer.cpp  one request/response exchange on one connection (connect, proxy tunnel,
//                      TLS, request, bounded body);
//   http.cpp           the client: jobs, per-origin connection pools and keep-alive, redirects.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/url/url.hpp>
#include <boost/url/url_view.hpp>

#include "tuf_io/http.h"

namespace tuf_io::http_detail {

namespace asio = boost::asio;
namespace urls = boost::urls;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

inline constexpr auto nothrow_awaitable = asio::as_tuple(asio::use_awaitable);
// Read buffer size, and the connection buffer's reserve (see Connection).
inline constexpr std::size_t kChunkSize = 64 * 1024;

// ---- URLs (http_url.cpp) -----------------------------------------------------------------------

std::string lowercase(std::string_view s);
// localhost, *.localhost, 127.0.0.0/8, ::1.
bool is_loopback_host(std::string_view host);

// A parsed http(s)/file URL, with what a request needs.
struct Target {
  urls::url url;             // scheme and authority normalized; path sent as given
  urls::scheme scheme = urls::scheme::none;
  std::string host;          // without brackets; empty for file:
  std::uint16_t port = 0;
  std::string host_header;   // host[:port], IPv6 in brackets
  std::string origin_form;   // path[?query]
  std::string text;          // url as text, for messages
  bool https() const { return scheme == urls::scheme::https; }
};

// Parses an absolute URL. Returns an error sentence on failure.
std::expected<Target, std::string> parse_target(std::string_view text);
std::expected<Target, std::string> parse_target(urls::url_view view);
// Where a redirect from `from` to `location` goes: only http/https, never https -> http, never
// back to a URL in `visited`. Returns an error sentence when it must not be followed.
std::expected<Target, std::string> redirect_target(const Target& from, std::string_view location,
                                                   const std::vector<std::string>& visited);

// ---- proxies (http_proxy.cpp) ------------------------------------------------------------------

struct ProxySpec {
  std::string host;
  std::uint16_t port = 0;
  std::string authorization;  // "Basic ..." or empty
  std::string error;          // non-empty: the variable could not be used
};

// How a hop reaches its target.
struct Route {
  std::string key;           // pool key
  std::string connect_host;  // where the TCP connection goes
  std::uint16_t connect_port = 0;
  bool absolute_form = false;  // plain http through a proxy
  bool tunnel = false;         // https through a proxy (CONNECT)
  std::string proxy_authorization;
  std::string error;  // non-empty: unusable proxy configuration
};

struct ProxyConfig {
  std::optional<ProxySpec> http;
  std::optional<ProxySpec> https;
  std::vector<std::string> no_proxy;  // lowercase domain suffixes / hosts
  bool no_proxy_all = false;

  // http_proxy / https_proxy / no_proxy, lower case first, then upper case.
  static ProxyConfig from_env();
  // Whether `host` is reached directly (no_proxy, or a loopback host).
  bool bypass(std::string_view host) const;
  // Direct, absolute-form through the http proxy, or a CONNECT tunnel through the https proxy.
  // The key names the pool: one per origin, one per proxy for all plain-http origins.
  Route route_for(const Target& t) const;
};

// ---- one connection ----------------------------------------------------------------------------

struct Connection {
  // Beast sizes each socket read by the buffer's free capacity (at least 512 bytes): without
  // this reserve a 508 KB snapshot took ~1,000 recv calls (and as many epoll_waits).
  explicit Connection(asio::io_context& io) : socket(io) { buffer.reserve(kChunkSize); }
  tcp::socket socket;  // moved into `tls` once TLS starts
  std::unique_ptr<asio::ssl::stream<tcp::socket>> tls;
  boost::beast::flat_buffer buffer;
  tcp::socket& lowest() { return tls ? tls->next_layer() : socket; }
  void close() {
    error_code ignored;
    lowest().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close(ignored);
  }
};

// ---- TLS trust (http_tls.cpp) ------------------------------------------------------------------

// The TLS context, created on first use: TLS 1.2 or later, peer verification, the system trust
// store (read lazily) plus an extra CA file. Plain-http and file: clients never pay for
// OpenSSL's SSL_CTX and trust store set-up (see docs/performance.md).
class TlsTrust {
 public:
  explicit TlsTrust(std::string ca_file) : ca_file_(std::move(ca_file)) {}
  // nullptr when set-up failed (error() says why); every https request then fails with it.
  asio::ssl::context* context();
  const error_code& error() const { return error_; }

 private:
  std::string ca_file_;
  std::optional<asio::ssl::context> ctx_;
  error_code error_;
};

struct TlsFailure {
  error_code ec;
  std::string what;  // "TLS handshake failed: ... (certificate does not match host h)", ...
};
// Moves conn.socket into conn.tls and runs the client handshake with SNI and verification of
// `host` (name or IP address). Nothing on success.
asio::awaitable<std::optional<TlsFailure>> tls_handshake(Connection& conn, asio::ssl::context& ctx,
                                                         const std::string& host);

// ---- a request and its hops --------------------------------------------------------------------

struct Hop {
  explicit Hop(asio::io_context& io) : timer(io) {}
  asio::steady_timer timer;
  std::shared_ptr<Connection> conn;
  std::optional<tcp::resolver> resolver;
  std::string key;
  bool connecting = false;
  bool transferring = false;
  bool done = false;
  Clock::time_point connect_deadline{};
  Clock::time_point request_deadline{};
  Clock::time_point transfer_start{};
  Clock::time_point last_activity{};
  std::uint64_t transfer_bytes = 0;
  std::optional<std::string> abort_reason;  // set by the watchdog or cancel_all

  void activity(std::size_t bytes) {
    transfer_bytes += bytes;
    if (bytes) last_activity = Clock::now();
  }
};

struct Job {
  FetchRequest request;
  FetchCallback done;
  std::string original_url;
  Target target;
  unsigned redirects = 0;
  std::vector<std::string> visited;
  std::string body;
  bool started = false;
  Clock::time_point deadline{};
  std::shared_ptr<Hop> hop;
  std::optional<std::string> cancelled;
};

struct HopOutcome {
  enum Kind { complete, redirect, failed } kind = failed;
  tuf::Error error;
  std::string location;
  bool reusable = false;
};

// An error about `job`: the detail starts with the URL (and where it was redirected from).
tuf::Error job_error(const Job& job, tuf::Errc code, std::string what);

// ---- file: URLs (http_file.cpp) ----------------------------------------------------------------

FetchResult read_file_url(Job& job);

// ---- the watchdog (http_watchdog.cpp) ----------------------------------------------------------

// Which limit `hop` has broken at `now`, if any.
std::optional<std::string> limit_violation(const HttpOptions& options, const Hop& hop, Clock::time_point now);
// Sets the hop's timer for its next deadline; on expiry, aborts the hop with the reason.
// `options` must outlive the hop.
void arm_watchdog(const HttpOptions& options, const std::shared_ptr<Hop>& hop);
// After a phase change (deadlines move earlier).
void rearm_watchdog(const HttpOptions& options, const std::shared_ptr<Hop>& hop);
// Records why and closes the hop's resolver and socket: its pending operation fails with it.
void abort_hop(Hop& hop, const std::string& why);

// ---- one exchange (http_transfer.cpp) ----------------------------------------------------------

// One hop: a connection (reused or new: resolve, connect, proxy CONNECT, TLS) and one request
// and response on it, with the limits. Lives in the coroutine frame that awaits run().
class Exchange {
 public:
  Exchange(const HttpOptions& options, asio::io_context& io, TlsTrust& tls, Job& job,
           std::shared_ptr<Hop> hop, const Route& route)
      : options_(options), io_(io), tls_(tls), job_(job), hop_(std::move(hop)), route_(route) {}
  asio::awaitable<HopOutcome> run();

 private:
  asio::awaitable<tuf::Result<void>> open_connection();
  asio::awaitable<tuf::Result<void>> connect_socket(Connection& conn);
  asio::awaitable<tuf::Result<void>> connect_tunnel(Connection& conn);
  template <class Stream>
  asio::awaitable<HopOutcome> transfer(Stream& stream, bool may_retry, bool& retry);
  template <class Stream, class Parser>
  asio::awaitable<HopOutcome> read_body(Stream& stream, Parser& parser);
  template <class Stream, class Parser>
  asio::awaitable<bool> drain_small_body(Stream& stream, Parser& parser);
  tuf::Error socket_error(error_code ec, std::string_view doing) const;
  HopOutcome failed(tuf::Errc code, std::string what) const;
  std::uint32_t header_limit() const;

  const HttpOptions& options_;
  asio::io_context& io_;
  TlsTrust& tls_;
  Job& job_;
  std::shared_ptr<Hop> hop_;
  const Route& route_;
};

}  // namespace tuf_io::http_detail
