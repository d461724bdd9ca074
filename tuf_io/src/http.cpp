// HttpClient: Boost.Beast HTTP/1.1 (+TLS) and file:// fetching with hard limits.
//
// Design
// - One io_context owned by the client, run only from the caller's thread (run_one/run). No
//   threads of our own (Asio's resolver uses its internal helper thread for host names; IP
//   literals skip resolution).
// - A Job is one async_fetch. It moves through one or more Hops (a redirect starts a new hop).
//   A hop is one request/response exchange on one connection, written as an Asio C++20
//   coroutine. Hops are admitted per pool (one pool per origin, or per proxy for plain http):
//   at most max_connections_per_host active hops; the rest wait in the pool's FIFO queue.
// - Connections are kept alive: after a complete response whose parser says keep-alive and
//   with no stray bytes left, the connection goes back to the pool's idle list (bodies of
//   redirects and error statuses are drained when they declare at most 64 KiB, so the 404 that
//   ends every root walk does not cost a connection). A hop on a reused connection that fails
//   before any response byte arrived retries once on a fresh one; an idle connection with
//   unread bytes or closed by the server is never reused.
// - Each hop has a watchdog timer that fires at the earliest of: request deadline (whole job),
//   connect deadline (resolve + connect + proxy CONNECT + TLS handshake), idle deadline (last
//   byte + read_timeout) and the moment the average rate would fall below min_bytes_per_second
//   (after min_rate_grace). On expiry it records the reason and closes the socket; the
//   coroutine's pending operation then fails and reports that reason. The rate is also checked
//   after every read.
// - Limits while reading: response_parser<buffer_body> with header_limit; a declared
//   Content-Length above max_bytes fails before the body is read (checked by us after the
//   header so that 404s with big bodies still report not_found); body_limit(max_bytes) cuts
//   chunked and close-delimited bodies at max_bytes + 1; bytes beyond a declared length are an
//   error. Bodies go either to the job's string or chunk by chunk to the caller's sink.
// - Redirects: resolved with Boost.URL against the current URL; only http/https targets,
//   never https -> http; a URL seen before in the chain is a loop.
// - Proxies from the environment: http_proxy/https_proxy/no_proxy (either case); loopback
//   hosts are never proxied. http goes to the proxy in absolute-form; https tunnels with
//   CONNECT, then TLS end to end.
// - Every error is a tuf::Error (not_found, too_large or transport) whose detail starts with
//   the URL concerned.
#include "tuf_io/http.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <expected>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

namespace tuf_io {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace urls = boost::urls;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

constexpr auto nothrow_awaitable = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kChunkSize = 64 * 1024;

std::string ms_text(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host.ends_with(".localhost")) return true;
  error_code ec;
  auto addr = asio::ip::make_address(std::string(host), ec);
  return !ec && addr.is_loopback();
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) | static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

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
std::expected<Target, std::string> parse_target(urls::url_view view) {
  Target t;
  t.url = urls::url(view);
  // Only the scheme and authority are normalized: normalizing the path would decode %2F into
  // '/' and collapse %2E%2E segments, changing which resource is asked for (role names such
  // as "../x" are sent percent-encoded and must stay so).
  t.url.normalize_scheme();
  t.url.normalize_authority();
  t.url.remove_fragment();
  t.text = std::string(t.url.buffer());
  t.scheme = t.url.scheme_id();
  if (t.scheme == urls::scheme::file) {
    if (t.url.has_query()) return std::unexpected("file: URL with a query");
    std::string host = t.url.host();
    if (!host.empty() && lowercase(host) != "localhost")
      return std::unexpected("file: URL names a remote host");
    return t;
  }
  if (t.scheme != urls::scheme::http && t.scheme != urls::scheme::https)
    return std::unexpected("unsupported URL scheme");
  if (t.url.has_userinfo()) return std::unexpected("credentials in URLs are not supported");
  switch (t.url.host_type()) {
    case urls::host_type::name:
      t.host = lowercase(t.url.host());
      break;
    case urls::host_type::ipv4:
      t.host = t.url.host_ipv4_address().to_string();
      break;
    case urls::host_type::ipv6:
      t.host = t.url.host_ipv6_address().to_string();
      break;
    default:
      return std::unexpected("URL has no usable host");
  }
  if (t.host.empty()) return std::unexpected("URL has an empty host");
  std::uint16_t default_port = t.https() ? 443 : 80;
  t.port = default_port;
  if (t.url.has_port() && !t.url.port().empty()) {
    t.port = t.url.port_number();
    if (t.port == 0) return std::unexpected("URL has an invalid port");
  }
  std::string bracketed = t.url.host_type() == urls::host_type::ipv6 ? "[" + t.host + "]" : t.host;
  t.host_header = t.port == default_port ? bracketed : bracketed + ":" + std::to_string(t.port);
  t.origin_form = std::string(t.url.encoded_path());
  if (t.origin_form.empty()) t.origin_form = "/";
  if (t.url.has_query()) t.origin_form += "?" + std::string(t.url.encoded_query());
  return t;
}

std::expected<Target, std::string> parse_target(std::string_view text) {
  auto parsed = urls::parse_uri(text);
  if (!parsed) return std::unexpected("invalid URL (" + parsed.error().message() + ")");
  return parse_target(*parsed);
}

struct ProxySpec {
  std::string host;
  std::uint16_t port = 0;
  std::string authorization;  // "Basic ..." or empty
  std::string error;          // non-empty: the variable could not be used
};

std::optional<ProxySpec> proxy_from_env(const char* lower, const char* upper) {
  const char* value = std::getenv(lower);
  if (!value || !*value) value = std::getenv(upper);
  if (!value || !*value) return std::nullopt;
  std::string text = value;
  if (text.find("://") == std::string::npos) text = "http://" + text;
  ProxySpec spec;
  auto parsed = urls::parse_uri(text);
  if (!parsed || parsed->scheme_id() != urls::scheme::http || parsed->host().empty()) {
    spec.error = std::string("unusable proxy setting ") + lower + "=" + value +
                 " (only http:// proxies are supported)";
    return spec;
  }
  if (parsed->host_type() == urls::host_type::ipv6)
    spec.host = parsed->host_ipv6_address().to_string();
  else
    spec.host = lowercase(parsed->host());
  spec.port = parsed->has_port() && !parsed->port().empty() ? parsed->port_number() : 80;
  if (parsed->has_userinfo())
    spec.authorization = "Basic " + base64(parsed->user() + ":" + parsed->password());
  return spec;
}

struct ProxyConfig {
  std::optional<ProxySpec> http;
  std::optional<ProxySpec> https;
  std::vector<std::string> no_proxy;  // lowercase domain suffixes / hosts
  bool no_proxy_all = false;

  bool bypass(std::string_view host) const {
    if (no_proxy_all || is_loopback_host(host)) return true;
    for (const auto& entry : no_proxy) {
      if (host == entry) return true;
      if (host.size() > entry.size() && host.ends_with(entry) &&
          host[host.size() - entry.size() - 1] == '.')
        return true;
    }
    return false;
  }
};

ProxyConfig proxy_config_from_env() {
  ProxyConfig config;
  config.http = proxy_from_env("http_proxy", "HTTP_PROXY");
  config.https = proxy_from_env("https_proxy", "HTTPS_PROXY");
  const char* value = std::getenv("no_proxy");
  if (!value || !*value) value = std::getenv("NO_PROXY");
  if (value) {
    std::string_view rest = value;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
      while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
      if (item == "*") config.no_proxy_all = true;
      if (item.starts_with("*.")) item.remove_prefix(2);
      while (item.starts_with(".")) item.remove_prefix(1);
      if (item.starts_with("[") && item.ends_with("]")) item = item.substr(1, item.size() - 2);
      if (!item.empty()) config.no_proxy.push_back(lowercase(item));
    }
  }
  return config;
}

// ---- the system trust store ------------------------------------------------------------------
//
// The same certificates as SSL_CTX_set_default_verify_paths (OpenSSL's default CA directory and
// bundle file, or $SSL_CERT_DIR and $SSL_CERT_FILE), looked up lazily:
//  1. the hashed directory (X509_LOOKUP_hash_dir): a chain lookup reads only the <hash>.N files
//     of the issuer names it needs (on Debian, update-ca-certificates links every certificate of
//     the bundle there);
//  2. the bundle file, parsed whole the first time the directory does not have an issuer or
//     anchor asked for (a directory without hash links, an unknown CA); from then on its
//     certificates are in the store like the directory's.
// set_default_verify_paths parses the whole bundle up front instead (144 certificates through
// OpenSSL 3's decoders, ~22 ms here). The trusted set is the same union either way.

struct LazyBundle {
  std::string file;
  bool loaded = false;
};

int lazy_bundle_new(X509_LOOKUP* lookup) {
  const char* env = ::secure_getenv(X509_get_default_cert_file_env());
  auto* state = new (std::nothrow) LazyBundle{env ? env : X509_get_default_cert_file()};
  if (!state) return 0;
  if (!X509_LOOKUP_set_method_data(lookup, state)) {
    delete state;
    return 0;
  }
  return 1;
}

void lazy_bundle_free(X509_LOOKUP* lookup) {
  delete static_cast<LazyBundle*>(X509_LOOKUP_get_method_data(lookup));
}

int lazy_bundle_get_by_subject(X509_LOOKUP* lookup, X509_LOOKUP_TYPE type, const X509_NAME* name,
                               X509_OBJECT* ret) {
  auto* state = static_cast<LazyBundle*>(X509_LOOKUP_get_method_data(lookup));
  // Once loaded, the store's own object cache (searched before any lookup) has the bundle.
  if (!state || state->loaded) return 0;
  state->loaded = true;
  // Adds every certificate (and CRL) of the file to the lookup's store, as X509_LOOKUP_file
  // does. A missing or unreadable file adds nothing, as with set_default_verify_paths.
  if (X509_load_cert_crl_file(lookup, state->file.c_str(), X509_FILETYPE_PEM) <= 0) {
    ERR_clear_error();
    return 0;
  }
  X509_STORE* store = X509_LOOKUP_get_store(lookup);
  if (!X509_STORE_lock(store)) return 0;
  int found = 0;
  X509_OBJECT* obj = X509_OBJECT_retrieve_by_subject(X509_STORE_get0_objects(store), type,
                                                     const_cast<X509_NAME*>(name));
  // Like OpenSSL's own lookups, hand back the store's object without a reference of its own:
  // X509_STORE_CTX_get_by_subject takes one for the caller. set1 takes a reference, so drop it.
  if (obj && type == X509_LU_X509) {
    X509* cert = X509_OBJECT_get0_X509(obj);
    found = X509_OBJECT_set1_X509(ret, cert);
    if (found) X509_free(cert);
  } else if (obj && type == X509_LU_CRL) {
    X509_CRL* crl = X509_OBJECT_get0_X509_CRL(obj);
    found = X509_OBJECT_set1_X509_CRL(ret, crl);
    if (found) X509_CRL_free(crl);
  }
  X509_STORE_unlock(store);
  return found;
}

X509_LOOKUP_METHOD* lazy_bundle_method() {
  static X509_LOOKUP_METHOD* method = [] {
    X509_LOOKUP_METHOD* m = X509_LOOKUP_meth_new("tufget lazy CA bundle");
    if (m && (!X509_LOOKUP_meth_set_new_item(m, lazy_bundle_new) ||
              !X509_LOOKUP_meth_set_free(m, lazy_bundle_free) ||
              !X509_LOOKUP_meth_set_get_by_subject(m, lazy_bundle_get_by_subject))) {
      X509_LOOKUP_meth_free(m);
      m = nullptr;
    }
    return m;  // lives as long as the process (stores may outlive any one client)
  }();
  return method;
}

// Adds the two lookups above to `store`. False (with an OpenSSL error queued) on failure.
bool add_system_trust_store(X509_STORE* store) {
  X509_LOOKUP* dir = X509_STORE_add_lookup(store, X509_LOOKUP_hash_dir());
  if (!dir) return false;
  // NULL + X509_FILETYPE_DEFAULT: $SSL_CERT_DIR (colon-separated) or OpenSSL's default directory.
  X509_LOOKUP_add_dir(dir, nullptr, X509_FILETYPE_DEFAULT);
  X509_LOOKUP_METHOD* method = lazy_bundle_method();
  if (!method || !X509_STORE_add_lookup(store, method)) return false;
  ERR_clear_error();
  return true;
}

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

struct Connection {
  // Beast sizes each socket read by the buffer's free capacity (at least 512 bytes): without
  // this reserve a 508 KB snapshot took ~1,000 recv calls (and as many epoll_waits).
  explicit Connection(asio::io_context& io) : socket(io) { buffer.reserve(kChunkSize); }
  tcp::socket socket;  // moved into `tls` once TLS starts
  std::unique_ptr<asio::ssl::stream<tcp::socket>> tls;
  beast::flat_buffer buffer;
  tcp::socket& lowest() { return tls ? tls->next_layer() : socket; }
  void close() {
    error_code ignored;
    lowest().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close(ignored);
  }
};

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

}  // namespace

struct HttpClient::Impl {
  struct Pool {
    std::vector<std::shared_ptr<Connection>> idle;
    unsigned active = 0;
    std::deque<std::shared_ptr<Job>> queue;
  };

  explicit Impl(HttpOptions opts) : options(std::move(opts)) {
    if (options.max_connections_per_host == 0) options.max_connections_per_host = 1;
    if (options.use_proxy_env) proxies = proxy_config_from_env();
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
  // Created by the first https:// request (tls_context()): plain-http and file: clients never
  // pay for OpenSSL's SSL_CTX and trust store set-up (about 22 ms and 1 to 4 MiB when the whole
  // system CA bundle is parsed; see docs/performance.md).
  std::optional<asio::ssl::context> ssl_ctx;
  error_code ssl_init_error;
  ProxyConfig proxies;
  std::map<std::string, Pool> pools;
  std::set<std::shared_ptr<Job>> jobs;  // not yet finished
  std::size_t completed = 0;
  std::optional<asio::io_context> io;  // declared last: reset first in ~Impl

  // ---- errors ------------------------------------------------------------------------------

  static std::string where(const Job& job) {
    if (job.redirects == 0) return job.original_url;
    return job.target.text + " (redirected from " + job.original_url + ")";
  }
  static tuf::Error error(const Job& job, tuf::Errc code, std::string what) {
    return tuf::Error{code, "", where(job) + ": " + std::move(what), {}, {}};
  }

  // ---- job lifecycle -----------------------------------------------------------------------

  void start(FetchRequest request, FetchCallback done) {
    auto job = std::make_shared<Job>();
    job->original_url = request.url;
    job->request = std::move(request);
    job->done = std::move(done);
    jobs.insert(job);
    auto target = parse_target(job->original_url);
    if (!target) {
      tuf::Error e = error(*job, tuf::Errc::transport, target.error());
      asio::post(*io, [this, job, e] { finish(job, std::unexpected(e)); });
      return;
    }
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

  void dispatch(const std::shared_ptr<Job>& job) {
    if (job->target.scheme == urls::scheme::file) {
      asio::post(*io, [this, job] { finish(job, read_file_url(*job)); });
      return;
    }
    if (job->target.https() && !tls_context()) {
      tuf::Error e = error(*job, tuf::Errc::transport,
                           "TLS trust store setup failed: " + ssl_init_error.message());
      asio::post(*io, [this, job, e] { finish(job, std::unexpected(e)); });
      return;
    }
    Route route = route_for(job->target);
    if (!route.error.empty()) {
      tuf::Error e = error(*job, tuf::Errc::transport, route.error);
      asio::post(*io, [this, job, e] { finish(job, std::unexpected(e)); });
      return;
    }
    Pool& pool = pools[route.key];
    if (pool.active < options.max_connections_per_host)
      start_hop(job, std::move(route));
    else
      pool.queue.push_back(job);
  }

  // The TLS context, created on first use: TLS 1.2 or later, peer verification, the system
  // trust store (add_system_trust_store) plus options.ca_file. nullptr when set-up failed
  // (ssl_init_error says why); every https request then fails with that error.
  asio::ssl::context* tls_context() {
    if (!ssl_ctx && !ssl_init_error) {
      try {
        ssl_ctx.emplace(asio::ssl::context::tls_client);
      } catch (const boost::system::system_error& e) {
        ssl_init_error = e.code();
        return nullptr;
      }
      SSL_CTX* native = ssl_ctx->native_handle();
      if (!add_system_trust_store(SSL_CTX_get_cert_store(native))) {
        unsigned long e = ::ERR_get_error();
        ssl_init_error = e ? error_code(static_cast<int>(e), asio::error::get_ssl_category())
                           : error_code(asio::error::no_memory);
      }
      if (!ssl_init_error && !options.ca_file.empty())
        ssl_ctx->load_verify_file(options.ca_file, ssl_init_error);
      SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
      ssl_ctx->set_verify_mode(asio::ssl::verify_peer);
      if (ssl_init_error) ssl_ctx.reset();
    }
    return ssl_ctx ? &*ssl_ctx : nullptr;
  }

  void pump(const std::string& key) {
    auto it = pools.find(key);
    while (it != pools.end() && !it->second.queue.empty() &&
           it->second.active < options.max_connections_per_host) {
      auto job = std::move(it->second.queue.front());
      it->second.queue.pop_front();
      start_hop(job, route_for(job->target));
    }
  }

  Route route_for(const Target& t) const {
    Route r;
    const std::optional<ProxySpec>& proxy = t.https() ? proxies.https : proxies.http;
    bool proxied = proxy && !proxies.bypass(t.host);
    if (proxied && !proxy->error.empty()) {
      r.error = proxy->error;
      return r;
    }
    std::string origin = std::string(t.https() ? "https" : "http") + "://" + t.host + ":" +
                         std::to_string(t.port);
    if (!proxied) {
      r.key = origin;
      r.connect_host = t.host;
      r.connect_port = t.port;
      return r;
    }
    r.connect_host = proxy->host;
    r.connect_port = proxy->port;
    r.proxy_authorization = proxy->authorization;
    std::string via = " via proxy " + proxy->host + ":" + std::to_string(proxy->port);
    if (t.https()) {
      r.tunnel = true;
      r.key = origin + via;
    } else {
      r.absolute_form = true;
      r.key = "http" + via;  // one pool for all plain-http origins through this proxy
    }
    return r;
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
      arm(hop);
      outcome = co_await exchange(*job, *hop, route);
    } catch (const std::exception& e) {
      outcome.kind = HopOutcome::failed;
      outcome.error = error(*job, tuf::Errc::transport, std::string("internal error: ") + e.what());
    }
    hop_finished(job, hop, std::move(outcome));
  }

  void hop_finished(const std::shared_ptr<Job>& job, const std::shared_ptr<Hop>& hop,
                    HopOutcome outcome) {
    hop->done = true;
    hop->timer.cancel();
    Pool& pool = pools[hop->key];
    if (hop->conn) {
      if (outcome.reusable && !hop->abort_reason && !job->cancelled &&
          pool.idle.size() < options.max_connections_per_host)
        pool.idle.push_back(hop->conn);
      else
        hop->conn->close();
    }
    hop->conn.reset();
    --pool.active;
    job->hop.reset();
    pump(hop->key);
    if (job->cancelled) {
      finish(job, std::unexpected(error(*job, tuf::Errc::transport, *job->cancelled)));
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
      finish(job, std::unexpected(error(*job, tuf::Errc::transport, std::move(what))));
    };
    if (job->redirects >= options.max_redirects)
      return fail("too many redirects (limit " + std::to_string(options.max_redirects) + ")");
    auto ref = urls::parse_uri_reference(location);
    if (!ref) return fail("redirect with an invalid Location: " + location);
    urls::url next(job->target.url);
    if (auto r = next.resolve(*ref); !r) return fail("cannot resolve redirect to " + location);
    auto target = parse_target(next);
    if (!target) return fail("redirect to " + location + ": " + target.error());
    if (target->scheme == urls::scheme::file) return fail("refusing redirect to a file: URL");
    if (job->target.https() && !target->https())
      return fail("refusing redirect from https to " + target->text);
    if (std::find(job->visited.begin(), job->visited.end(), target->text) != job->visited.end())
      return fail("redirect loop (back to " + target->text + ")");
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
          finish(job, std::unexpected(error(*job, tuf::Errc::transport, *job->cancelled)));
        });
      }
      pool.queue.clear();
    }
    for (auto& job : all) {
      job->cancelled = why;
      if (job->hop) abort_hop(*job->hop, why);
    }
  }

  // ---- watchdog ----------------------------------------------------------------------------

  std::optional<std::string> violation(const Hop& hop, Clock::time_point now) const {
    if (now >= hop.request_deadline)
      return "request timed out (limit " + ms_text(options.request_timeout) + ")";
    if (hop.connecting && now >= hop.connect_deadline)
      return "connect timed out (limit " + ms_text(options.connect_timeout) + ")";
    if (hop.transferring) {
      if (now - hop.last_activity >= options.read_timeout)
        return "read timed out: no data for " + ms_text(options.read_timeout);
      auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - hop.transfer_start);
      if (options.min_bytes_per_second > 0 && elapsed >= options.min_rate_grace &&
          elapsed.count() > 0 &&
          hop.transfer_bytes * 1000 < options.min_bytes_per_second * std::uint64_t(elapsed.count()))
        return "too slow: " + std::to_string(hop.transfer_bytes) + " bytes in " +
               ms_text(elapsed) + " (minimum " + std::to_string(options.min_bytes_per_second) +
               " bytes/s)";
    }
    return std::nullopt;
  }

  Clock::time_point next_check(const Hop& hop) const {
    Clock::time_point next = hop.request_deadline;
    if (hop.connecting) next = std::min(next, hop.connect_deadline);
    if (hop.transferring) {
      next = std::min(next, hop.last_activity + options.read_timeout);
      if (options.min_bytes_per_second > 0) {
        // The average falls below the minimum at transfer_start + bytes/rate, if nothing more
        // arrives; never before the grace period ends.
        std::uint64_t ms = hop.transfer_bytes * 1000 / options.min_bytes_per_second + 1;
        ms = std::min<std::uint64_t>(ms, 24ull * 3600 * 1000);
        auto at = hop.transfer_start +
                  std::max(options.min_rate_grace, std::chrono::milliseconds(ms));
        next = std::min(next, at);
      }
    }
    return next;
  }

  void arm(const std::shared_ptr<Hop>& hop) {
    if (hop->done) return;
    hop->timer.expires_at(next_check(*hop));
    hop->timer.async_wait([this, hop](error_code ec) {
      // operation_aborted: cancelled by hop_finished, or re-armed after a phase change.
      if (ec || hop->done || hop->abort_reason) return;
      if (auto why = violation(*hop, Clock::now()))
        abort_hop(*hop, *why);
      else
        arm(hop);
    });
  }

  // Phase changes move deadlines earlier; re-arm so the timer does not sleep past them.
  void rearm(const std::shared_ptr<Hop>& hop) {
    hop->timer.cancel();
    arm(hop);
  }

  void abort_hop(Hop& hop, const std::string& why) {
    if (hop.abort_reason) return;
    hop.abort_reason = why;
    if (hop.resolver) hop.resolver->cancel();
    if (hop.conn) hop.conn->close();
  }

  // ---- one exchange ------------------------------------------------------------------------

  tuf::Error socket_error(const Job& job, const Hop& hop, error_code ec, std::string_view doing) {
    if (hop.abort_reason) return error(job, tuf::Errc::transport, *hop.abort_reason);
    std::string what = std::string(doing) + ": " + ec.message();
    if (ec == asio::error::eof || ec == http::error::end_of_stream)
      what = std::string(doing) + ": connection closed by the server";
    return error(job, tuf::Errc::transport, std::move(what));
  }

  asio::awaitable<HopOutcome> exchange(Job& job, Hop& hop, const Route& route) {
    const std::shared_ptr<Hop> self = job.hop;  // keeps `hop` alive for arm()
    for (int attempt = 0;; ++attempt) {
      bool reused = hop.conn != nullptr;
      if (reused) {
        error_code ec;
        if (!hop.conn->lowest().is_open() || hop.conn->lowest().available(ec) > 0 || ec ||
            hop.conn->buffer.size() > 0) {
          hop.conn->close();  // closed by the server, or unsolicited bytes: do not use
          hop.conn.reset();
          reused = false;
        }
      }
      if (!reused) {
        hop.connecting = true;
        hop.connect_deadline = Clock::now() + options.connect_timeout;
        rearm(self);
        auto opened = co_await open_connection(job, hop, route);
        if (!opened) co_return HopOutcome{HopOutcome::failed, std::move(opened.error()), {}, false};
        hop.connecting = false;
      }
      hop.transferring = true;
      hop.transfer_start = hop.last_activity = Clock::now();
      hop.transfer_bytes = 0;
      rearm(self);
      bool retry = false;
      HopOutcome outcome;
      if (hop.conn->tls)
        outcome = co_await transfer(*hop.conn->tls, job, hop, route, reused && attempt == 0, retry);
      else
        outcome = co_await transfer(hop.conn->socket, job, hop, route, reused && attempt == 0, retry);
      hop.transferring = false;
      if (!retry) co_return outcome;
      // A reused connection failed before any response byte: the server had probably closed it
      // while idle. Try once more on a fresh connection.
      hop.conn->close();
      hop.conn.reset();
    }
  }

  asio::awaitable<tuf::Result<void>> open_connection(Job& job, Hop& hop, const Route& route) {
    auto conn = std::make_shared<Connection>(*io);
    hop.conn = conn;
    std::vector<tcp::endpoint> endpoints;
    error_code ec;
    auto literal = asio::ip::make_address(route.connect_host, ec);
    if (!ec) {
      endpoints.emplace_back(literal, route.connect_port);
    } else {
      hop.resolver.emplace(*io);
      auto [rec, results] = co_await hop.resolver->async_resolve(
          route.connect_host, std::to_string(route.connect_port), nothrow_awaitable);
      hop.resolver.reset();
      if (hop.abort_reason || rec)
        co_return std::unexpected(
            socket_error(job, hop, rec, "cannot resolve " + route.connect_host));
      for (const auto& entry : results) endpoints.push_back(entry.endpoint());
    }
    if (hop.abort_reason) co_return std::unexpected(socket_error(job, hop, {}, ""));
    auto [cec, ep] = co_await asio::async_connect(conn->socket, endpoints, nothrow_awaitable);
    if (cec || hop.abort_reason)
      co_return std::unexpected(socket_error(
          job, hop, cec, "cannot connect to " + route.connect_host + " port " +
                             std::to_string(route.connect_port)));
    conn->socket.set_option(tcp::no_delay(true), ec);

    if (route.tunnel) {
      std::string authority = job.target.host.find(':') == std::string::npos
                                  ? job.target.host
                                  : "[" + job.target.host + "]";
      authority += ":" + std::to_string(job.target.port);
      http::request<http::empty_body> req{http::verb::connect, authority, 11};
      req.set(http::field::host, authority);
      req.set(http::field::user_agent, options.user_agent);
      if (!route.proxy_authorization.empty())
        req.set(http::field::proxy_authorization, route.proxy_authorization);
      auto [wec, wn] = co_await http::async_write(conn->socket, req, nothrow_awaitable);
      if (wec || hop.abort_reason)
        co_return std::unexpected(socket_error(job, hop, wec, "proxy CONNECT"));
      http::response_parser<http::empty_body> parser;
      parser.header_limit(header_limit());
      parser.skip(true);
      auto [rec, rn] =
          co_await http::async_read_header(conn->socket, conn->buffer, parser, nothrow_awaitable);
      if (rec || hop.abort_reason)
        co_return std::unexpected(socket_error(job, hop, rec, "proxy CONNECT"));
      const auto& res = parser.get();
      if (res.result_int() / 100 != 2)
        co_return std::unexpected(error(
            job, tuf::Errc::transport,
            "proxy refused CONNECT to " + authority + ": HTTP status " +
                std::to_string(res.result_int()) + " " + std::string(res.reason())));
      if (conn->buffer.size() > 0)
        co_return std::unexpected(
            error(job, tuf::Errc::transport, "proxy sent unexpected bytes after CONNECT"));
    }

    if (job.target.https()) {
      conn->tls = std::make_unique<asio::ssl::stream<tcp::socket>>(std::move(conn->socket), *ssl_ctx);
      const std::string& host = job.target.host;
      error_code not_ip;
      asio::ip::make_address(host, not_ip);
      if (not_ip && !SSL_set_tlsext_host_name(conn->tls->native_handle(), host.c_str()))
        co_return std::unexpected(error(job, tuf::Errc::transport, "cannot set TLS SNI"));
      conn->tls->set_verify_mode(asio::ssl::verify_peer);
      auto mismatch = std::make_shared<bool>(false);
      conn->tls->set_verify_callback(
          [mismatch, host](bool preverified, asio::ssl::verify_context& ctx) {
            bool ok = asio::ssl::host_name_verification(host)(preverified, ctx);
            if (!ok && preverified && X509_STORE_CTX_get_error_depth(ctx.native_handle()) == 0)
              *mismatch = true;
            return ok;
          });
      auto [hec] = co_await conn->tls->async_handshake(asio::ssl::stream_base::client,
                                                        nothrow_awaitable);
      if (hec || hop.abort_reason) {
        if (hop.abort_reason) co_return std::unexpected(socket_error(job, hop, hec, ""));
        std::string what = "TLS handshake failed: " + hec.message();
        long verify = SSL_get_verify_result(conn->tls->native_handle());
        if (*mismatch)
          what += " (certificate does not match host " + host + ")";
        else if (verify != X509_V_OK)
          what += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
        co_return std::unexpected(error(job, tuf::Errc::transport, std::move(what)));
      }
    }
    co_return tuf::Result<void>{};
  }

  std::uint32_t header_limit() const {
    return static_cast<std::uint32_t>(
        std::clamp<std::size_t>(options.max_header_bytes, 1024, 0xffffffffu));
  }

  static bool is_redirect(unsigned status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  // Reads and discards the body of a response we do not use, if it declares a length of at
  // most kDrainLimit. Returns whether the connection can be reused. The caller reports the
  // status either way.
  static constexpr std::uint64_t kDrainLimit = 64 * 1024;
  template <class Stream>
  asio::awaitable<bool> drain_small_body(Stream& stream, Connection& conn,
                                         http::response_parser<http::buffer_body>& parser,
                                         Hop& hop) {
    auto declared = parser.content_length();
    if (!parser.is_done() && (!declared || *declared > kDrainLimit)) co_return false;
    char scratch[4096];
    while (!parser.is_done()) {
      parser.get().body().data = scratch;
      parser.get().body().size = sizeof scratch;
      auto [ec, n] = co_await http::async_read_some(stream, conn.buffer, parser, nothrow_awaitable);
      hop.activity(n);
      if (ec == http::error::need_buffer) ec = {};
      if (ec || hop.abort_reason) co_return false;
    }
    co_return parser.keep_alive() && conn.buffer.size() == 0;
  }

  template <class Stream>
  asio::awaitable<HopOutcome> transfer(Stream& stream, Job& job, Hop& hop, const Route& route,
                                       bool may_retry, bool& retry) {
    Connection& conn = *hop.conn;
    const std::uint64_t max_bytes = job.request.max_bytes;
    auto failed = [&](tuf::Errc code, std::string what) {
      return HopOutcome{HopOutcome::failed, error(job, code, std::move(what)), {}, false};
    };
    auto socket_failed = [&](error_code ec, std::string_view doing) {
      return HopOutcome{HopOutcome::failed, socket_error(job, hop, ec, doing), {}, false};
    };

    http::request<http::empty_body> req{
        http::verb::get, route.absolute_form ? job.target.text : job.target.origin_form, 11};
    req.set(http::field::host, job.target.host_header);
    req.set(http::field::user_agent, options.user_agent);
    req.set(http::field::accept_encoding, "identity");
    req.set(http::field::accept, "*/*");
    if (route.absolute_form && !route.proxy_authorization.empty())
      req.set(http::field::proxy_authorization, route.proxy_authorization);
    auto [wec, wn] = co_await http::async_write(stream, req, nothrow_awaitable);
    if (wec || hop.abort_reason) {
      if (may_retry && !hop.abort_reason) {
        retry = true;
        co_return HopOutcome{};
      }
      co_return socket_failed(wec, "sending request");
    }
    hop.last_activity = Clock::now();

    http::response_parser<http::buffer_body> parser;
    parser.header_limit(header_limit());
    parser.body_limit(boost::none);  // checked below, after the status is known
    auto [hec, hn] = co_await http::async_read_header(stream, conn.buffer, parser, nothrow_awaitable);
    hop.activity(hn);
    if (hec || hop.abort_reason) {
      if (may_retry && !hop.abort_reason && !parser.got_some() && conn.buffer.size() == 0) {
        retry = true;
        co_return HopOutcome{};
      }
      if (hec == http::error::header_limit)
        co_return failed(tuf::Errc::transport, "response header larger than " +
                                                   std::to_string(header_limit()) + " bytes");
      co_return socket_failed(hec, "reading response header");
    }
    auto& res = parser.get();
    const unsigned status = res.result_int();
    const std::string status_text = std::to_string(status) + " " + std::string(res.reason());
    if (is_redirect(status) || status / 100 != 2) {
      HopOutcome outcome;
      if (is_redirect(status)) {
        auto location = res[http::field::location];
        outcome = location.empty()
                      ? failed(tuf::Errc::transport, "redirect " + status_text + " without Location")
                      : HopOutcome{HopOutcome::redirect, {}, std::string(location), false};
      } else {
        outcome = failed(status == 404 || status == 410 ? tuf::Errc::not_found
                                                        : tuf::Errc::transport,
                         "HTTP status " + status_text);
      }
      // Keep the connection for the next request (a refresh starts with a 404 for the next
      // root) when the body is small and framed by Content-Length; otherwise close it.
      outcome.reusable = co_await drain_small_body(stream, conn, parser, hop);
      co_return outcome;
    }
    auto encoding = res[http::field::content_encoding];
    if (!encoding.empty() && !beast::iequals(encoding, "identity"))
      co_return failed(tuf::Errc::transport,
                       "unrequested Content-Encoding: " + std::string(encoding));
    if (auto declared = parser.content_length(); declared && *declared > max_bytes)
      co_return failed(tuf::Errc::too_large, "Content-Length " + std::to_string(*declared) +
                                                 " exceeds the limit of " +
                                                 std::to_string(max_bytes) + " bytes");
    parser.body_limit(max_bytes);
    if (!job.request.sink) {
      job.body.clear();
      if (auto declared = parser.content_length()) job.body.reserve(*declared);
    }

    auto chunk = std::make_unique<char[]>(kChunkSize);
    std::uint64_t received = 0;
    while (!parser.is_done()) {
      res.body().data = chunk.get();
      res.body().size = kChunkSize;
      // read_some: completes after every socket read, so activity, the rate and the sink see
      // bytes as they arrive (async_read would wait for the whole chunk buffer to fill).
      auto [rec, rn] =
          co_await http::async_read_some(stream, conn.buffer, parser, nothrow_awaitable);
      if (rec == http::error::need_buffer) rec = {};
      const std::size_t got = kChunkSize - res.body().size;
      hop.activity(std::max<std::size_t>(rn, got));
      received += got;
      if (received > max_bytes)  // defence in depth; the parser's body_limit fires first
        co_return failed(tuf::Errc::too_large,
                         "body exceeds the limit of " + std::to_string(max_bytes) + " bytes");
      if (got > 0) {
        if (job.request.sink) {
          if (!job.request.sink(tuf::Bytes(reinterpret_cast<const std::uint8_t*>(chunk.get()), got)))
            co_return failed(tuf::Errc::transport, "aborted by the receiver");
        } else {
          job.body.append(chunk.get(), got);
        }
      }
      if (hop.abort_reason) co_return socket_failed(rec, "");
      if (rec == http::error::body_limit)
        co_return failed(tuf::Errc::too_large,
                         "body exceeds the limit of " + std::to_string(max_bytes) + " bytes");
      if (rec == http::error::partial_message)
        co_return failed(tuf::Errc::transport,
                         "connection closed before the end of the body (" +
                             std::to_string(received) + " bytes received)");
      if (rec) co_return socket_failed(rec, "reading body");
      if (auto why = violation(hop, Clock::now())) co_return failed(tuf::Errc::transport, *why);
    }
    if (conn.buffer.size() > 0)
      co_return failed(tuf::Errc::transport, "server sent more bytes than the response declared");
    co_return HopOutcome{HopOutcome::complete, {}, {}, parser.keep_alive()};
  }

  // ---- file: URLs --------------------------------------------------------------------------

  FetchResult read_file_url(Job& job) {
    std::string path = job.target.url.path();
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);  // never block on a FIFO
    if (fd < 0) {
      int err = errno;
      if (err == ENOENT || err == ENOTDIR)
        return std::unexpected(error(job, tuf::Errc::not_found, "no such file"));
      return std::unexpected(error(job, tuf::Errc::transport, std::strerror(err)));
    }
    struct Closer {
      int fd;
      ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
      return std::unexpected(error(job, tuf::Errc::transport, "not a regular file"));
    const std::uint64_t max_bytes = job.request.max_bytes;
    if (static_cast<std::uint64_t>(st.st_size) > max_bytes)
      return std::unexpected(error(job, tuf::Errc::too_large,
                                   "file is " + std::to_string(st.st_size) +
                                       " bytes, limit " + std::to_string(max_bytes)));
    std::string body;
    std::uint64_t total = 0;
    std::vector<char> chunk(kChunkSize);
    for (;;) {
      ssize_t n = ::read(fd, chunk.data(), chunk.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return std::unexpected(error(job, tuf::Errc::transport, std::strerror(errno)));
      if (n == 0) break;
      total += static_cast<std::uint64_t>(n);
      if (total > max_bytes)  // the file grew while we read it
        return std::unexpected(error(job, tuf::Errc::too_large,
                                     "file exceeds the limit of " + std::to_string(max_bytes) +
                                         " bytes"));
      if (job.request.sink) {
        if (!job.request.sink(
                tuf::Bytes(reinterpret_cast<const std::uint8_t*>(chunk.data()), std::size_t(n))))
          return std::unexpected(error(job, tuf::Errc::transport, "aborted by the receiver"));
      } else {
        body.append(chunk.data(), std::size_t(n));
      }
    }
    return body;
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
