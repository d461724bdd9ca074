// A loopback HTTP/1.1 (optionally TLS) server for tests, with scripted hostile behaviours.
//
// Listens on 127.0.0.1 with an ephemeral port and serves from its own io_context on a
// background thread until stop() (or destruction). Requests are answered from exact-target
// routes (route()) or, failing that, from a generic handler (set_handler(); default: 404), so a
// simulated TUF repository can be served through it. Every request is recorded, with the id of
// the connection it arrived on, so tests can assert keep-alive reuse and what was sent.
//
// Thread safety: routes, handler and the records are guarded; handlers run on the server
// thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace tufget_test {

struct Request {
  std::string method;
  std::string target;  // as sent: origin-form, absolute-form (proxy) or authority (CONNECT)
  std::vector<std::pair<std::string, std::string>> headers;
  std::uint64_t connection = 0;  // 1-based id of the accepted connection
  // First header with this name (case-insensitive), or "" if absent.
  std::string header(std::string_view name) const;
};

enum class Behaviour {
  normal,                // Content-Length: body.size(), body; keep-alive unless close_after
  close_delimited,       // no Content-Length; body; then close
  chunked,               // Transfer-Encoding: chunked, body in chunks of chunk_size, terminated
  endless,               // chunked body that never ends (stops after endless_limit bytes or
                         // when the client goes away)
  longer_than_declared,  // Content-Length: declared_length (< body.size()), then all of body
  declared_length,       // Content-Length: declared_length, then body, then hold the connection
  slow_drip,             // Content-Length: body.size(), one byte every drip_interval
  reset_after_headers,   // headers with Content-Length: body.size(), then TCP reset
  reset_mid_body,        // headers, the first half of body, then TCP reset
  reset_before_response, // TCP reset as soon as the request was read
  hang,                  // read the request, never answer
};

struct Response {
  int status = 200;
  std::string reason;  // default: the usual phrase for status
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  Behaviour behaviour = Behaviour::normal;
  std::uint64_t declared_length = 0;
  std::chrono::milliseconds delay{0};            // wait before answering
  std::chrono::milliseconds drip_interval{200};  // slow_drip
  std::size_t chunk_size = 1024;                 // chunked
  std::uint64_t endless_limit = 64ull << 20;     // endless
  bool close_after = false;                      // "Connection: close" and close after sending

  static Response ok(std::string body);
  static Response status_only(int status);
  static Response redirect(int status, std::string location);
  static Response with(Behaviour behaviour, std::string body = {});
};

using Handler = std::function<Response(const Request&)>;

// A self-signed certificate (ECDSA P-256) and its key, PEM, valid for the given names.
struct TlsIdentity {
  std::string cert_pem;
  std::string key_pem;
  // e.g. make_self_signed({"localhost"}, {"127.0.0.1"}).
  static TlsIdentity make_self_signed(const std::vector<std::string>& dns_names,
                                      const std::vector<std::string>& ip_addresses);
};

class HostileServer {
 public:
  HostileServer();                              // plain HTTP
  explicit HostileServer(TlsIdentity identity);  // HTTPS with that certificate
  ~HostileServer();
  HostileServer(const HostileServer&) = delete;
  HostileServer& operator=(const HostileServer&) = delete;

  // Closes the listener and every connection, and joins the thread. Idempotent.
  void stop();

  std::uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port>" (or https).
  std::string base_url() const;
  // base_url() + path (path should start with '/').
  std::string url(std::string_view path) const;

  // Exact request-target match.
  void route(std::string target, Response response);
  // Called for requests no route matches.
  void set_handler(Handler handler);

  std::vector<Request> requests() const;
  std::size_t request_count() const;
  std::size_t connections_accepted() const { return accepted_.load(); }
  // Most connections that were open at the same time.
  std::size_t max_concurrent_connections() const { return max_open_.load(); }
  // Body bytes written so far, over all connections (bounded-download assertions).
  std::uint64_t body_bytes_sent() const { return body_bytes_sent_.load(); }

  struct Impl;  // Asio/Beast state; defined in the .cpp only

 private:
  friend struct Impl;
  Response respond(const Request& request);
  void record(Request request);

  std::unique_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
  bool tls_ = false;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::map<std::string, Response> routes_;
  Handler handler_;
  std::vector<Request> requests_;
  std::atomic<std::size_t> accepted_{0};
  std::atomic<std::size_t> open_{0};
  std::atomic<std::size_t> max_open_{0};
  std::atomic<std::uint64_t> body_bytes_sent_{0};
};

}  // namespace tufget_test
