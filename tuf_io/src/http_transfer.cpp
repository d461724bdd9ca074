// One request/response exchange on one connection (http_internal.h: Exchange).
//
// Limits while reading: response_parser<buffer_body> with header_limit; a declared
// Content-Length above max_bytes fails before the body is read (checked after the header so
// that 404s with big bodies still report not_found); body_limit(max_bytes) cuts chunked and
// close-delimited bodies at max_bytes + 1; bytes beyond a declared length are an error. Bodies go
// either to the job's string or chunk by chunk to the caller's sink. A hop on a reused
// connection that fails before any response byte arrived retries once on a fresh one.
#include <algorithm>

#include <boost/asio/connect.hpp>
#include <boost/beast/http.hpp>

#include "http_internal.h"

namespace tuf_io::http_detail {
namespace {

namespace http = boost::beast::http;

bool is_redirect(unsigned status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// Bodies of redirects and error statuses are read and dropped when they declare at most this
// much, so that the connection can be reused (the 404 that ends every root walk).
constexpr std::uint64_t kDrainLimit = 64 * 1024;

// An idle connection the server closed, or that holds bytes nobody asked for, is not reused.
bool still_usable(Connection& conn) {
  error_code ec;
  return conn.lowest().is_open() && conn.lowest().available(ec) == 0 && !ec && conn.buffer.size() == 0;
}

}  // namespace

tuf::Error Exchange::socket_error(error_code ec, std::string_view doing) const {
  if (hop_->abort_reason) return job_error(job_, tuf::Errc::transport, *hop_->abort_reason);
  std::string what = std::string(doing) + ": " + ec.message();
  if (ec == asio::error::eof || ec == http::error::end_of_stream)
    what = std::string(doing) + ": connection closed by the server";
  return job_error(job_, tuf::Errc::transport, std::move(what));
}

HopOutcome Exchange::failed(tuf::Errc code, std::string what) const {
  return HopOutcome{HopOutcome::failed, job_error(job_, code, std::move(what)), {}, false};
}

std::uint32_t Exchange::header_limit() const {
  return static_cast<std::uint32_t>(std::clamp<std::size_t>(options_.max_header_bytes, 1024, 0xffffffffu));
}

asio::awaitable<HopOutcome> Exchange::run() {
  Hop& hop = *hop_;
  for (int attempt = 0;; ++attempt) {
    bool reused = hop.conn != nullptr;
    if (reused && !still_usable(*hop.conn)) {
      hop.conn->close();
      hop.conn.reset();
      reused = false;
    }
    if (!reused) {
      hop.connecting = true;
      hop.connect_deadline = Clock::now() + options_.connect_timeout;
      rearm_watchdog(options_, hop_);
      auto opened = co_await open_connection();
      if (!opened) co_return HopOutcome{HopOutcome::failed, std::move(opened.error()), {}, false};
      hop.connecting = false;
    }
    hop.transferring = true;
    hop.transfer_start = hop.last_activity = Clock::now();
    hop.transfer_bytes = 0;
    rearm_watchdog(options_, hop_);
    bool retry = false;
    HopOutcome outcome;
    if (hop.conn->tls)
      outcome = co_await transfer(*hop.conn->tls, reused && attempt == 0, retry);
    else
      outcome = co_await transfer(hop.conn->socket, reused && attempt == 0, retry);
    hop.transferring = false;
    if (!retry) co_return outcome;
    // A reused connection failed before any response byte: the server had probably closed it
    // while idle. Try once more on a fresh connection.
    hop.conn->close();
    hop.conn.reset();
  }
}

asio::awaitable<tuf::Result<void>> Exchange::open_connection() {
  Hop& hop = *hop_;
  auto conn = std::make_shared<Connection>(io_);
  hop.conn = conn;
  if (auto connected = co_await connect_socket(*conn); !connected) co_return connected;
  if (route_.tunnel) {
    if (auto tunnel = co_await connect_tunnel(*conn); !tunnel) co_return tunnel;
  }
  if (job_.target.https()) {
    auto failure = co_await tls_handshake(*conn, *tls_.context(), job_.target.host);
    if (hop.abort_reason) co_return std::unexpected(socket_error(failure ? failure->ec : error_code{}, ""));
    if (failure) co_return std::unexpected(job_error(job_, tuf::Errc::transport, std::move(failure->what)));
  }
  co_return tuf::Result<void>{};
}

// Resolves (IP literals skip the resolver) and connects the TCP socket.
asio::awaitable<tuf::Result<void>> Exchange::connect_socket(Connection& conn) {
  Hop& hop = *hop_;
  std::vector<tcp::endpoint> endpoints;
  error_code ec;
  auto literal = asio::ip::make_address(route_.connect_host, ec);
  if (!ec) {
    endpoints.emplace_back(literal, route_.connect_port);
  } else {
    hop.resolver.emplace(io_);
    auto [rec, results] = co_await hop.resolver->async_resolve(route_.connect_host,
                                                               std::to_string(route_.connect_port), nothrow_awaitable);
    hop.resolver.reset();
    if (hop.abort_reason || rec) co_return std::unexpected(socket_error(rec, "cannot resolve " + route_.connect_host));
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  }
  if (hop.abort_reason) co_return std::unexpected(socket_error({}, ""));
  auto [cec, ep] = co_await asio::async_connect(conn.socket, endpoints, nothrow_awaitable);
  if (cec || hop.abort_reason)
    co_return std::unexpected(socket_error(
        cec, "cannot connect to " + route_.connect_host + " port " + std::to_string(route_.connect_port)));
  conn.socket.set_option(tcp::no_delay(true), ec);
  co_return tuf::Result<void>{};
}

// https through a proxy: CONNECT host:port, then TLS end to end over the tunnel.
asio::awaitable<tuf::Result<void>> Exchange::connect_tunnel(Connection& conn) {
  const Target& target = job_.target;
  std::string authority = target.host.find(':') == std::string::npos ? target.host : "[" + target.host + "]";
  authority += ":" + std::to_string(target.port);
  http::request<http::empty_body> req{http::verb::connect, authority, 11};
  req.set(http::field::host, authority);
  req.set(http::field::user_agent, options_.user_agent);
  if (!route_.proxy_authorization.empty()) req.set(http::field::proxy_authorization, route_.proxy_authorization);
  auto [wec, wn] = co_await http::async_write(conn.socket, req, nothrow_awaitable);
  if (wec || hop_->abort_reason) co_return std::unexpected(socket_error(wec, "proxy CONNECT"));
  http::response_parser<http::empty_body> parser;
  parser.header_limit(header_limit());
  parser.skip(true);
  auto [rec, rn] = co_await http::async_read_header(conn.socket, conn.buffer, parser, nothrow_awaitable);
  if (rec || hop_->abort_reason) co_return std::unexpected(socket_error(rec, "proxy CONNECT"));
  const auto& res = parser.get();
  if (res.result_int() / 100 != 2)
    co_return std::unexpected(job_error(job_, tuf::Errc::transport,
                                        "proxy refused CONNECT to " + authority + ": HTTP status " +
                                            std::to_string(res.result_int()) + " " + std::string(res.reason())));
  if (conn.buffer.size() > 0)
    co_return std::unexpected(job_error(job_, tuf::Errc::transport, "proxy sent unexpected bytes after CONNECT"));
  co_return tuf::Result<void>{};
}

// Reads and discards the body of a response we do not use, if it declares a length of at most
// kDrainLimit. Returns whether the connection can be reused. The caller reports the status
// either way.
template <class Stream, class Parser>
asio::awaitable<bool> Exchange::drain_small_body(Stream& stream, Parser& parser) {
  Connection& conn = *hop_->conn;
  auto declared = parser.content_length();
  if (!parser.is_done() && (!declared || *declared > kDrainLimit)) co_return false;
  char scratch[4096];
  while (!parser.is_done()) {
    parser.get().body().data = scratch;
    parser.get().body().size = sizeof scratch;
    auto [ec, n] = co_await http::async_read_some(stream, conn.buffer, parser, nothrow_awaitable);
    hop_->activity(n);
    if (ec == http::error::need_buffer) ec = {};
    if (ec || hop_->abort_reason) co_return false;
  }
  co_return parser.keep_alive() && conn.buffer.size() == 0;
}

template <class Stream>
asio::awaitable<HopOutcome> Exchange::transfer(Stream& stream, bool may_retry, bool& retry) {
  Hop& hop = *hop_;
  Connection& conn = *hop.conn;
  http::request<http::empty_body> req{http::verb::get,
                                      route_.absolute_form ? job_.target.text : job_.target.origin_form, 11};
  req.set(http::field::host, job_.target.host_header);
  req.set(http::field::user_agent, options_.user_agent);
  req.set(http::field::accept_encoding, "identity");
  req.set(http::field::accept, "*/*");
  if (route_.absolute_form && !route_.proxy_authorization.empty())
    req.set(http::field::proxy_authorization, route_.proxy_authorization);
  auto [wec, wn] = co_await http::async_write(stream, req, nothrow_awaitable);
  if (wec || hop.abort_reason) {
    retry = may_retry && !hop.abort_reason;
    if (retry) co_return HopOutcome{};
    co_return HopOutcome{HopOutcome::failed, socket_error(wec, "sending request"), {}, false};
  }
  hop.last_activity = Clock::now();

  http::response_parser<http::buffer_body> parser;
  parser.header_limit(header_limit());
  parser.body_limit(boost::none);  // checked below, after the status is known
  auto [hec, hn] = co_await http::async_read_header(stream, conn.buffer, parser, nothrow_awaitable);
  hop.activity(hn);
  if (hec || hop.abort_reason) {
    retry = may_retry && !hop.abort_reason && !parser.got_some() && conn.buffer.size() == 0;
    if (retry) co_return HopOutcome{};
    if (hec == http::error::header_limit)
      co_return failed(tuf::Errc::transport, "response header larger than " + std::to_string(header_limit()) + " bytes");
    co_return HopOutcome{HopOutcome::failed, socket_error(hec, "reading response header"), {}, false};
  }
  auto& res = parser.get();
  const unsigned status = res.result_int();
  const std::string status_text = std::to_string(status) + " " + std::string(res.reason());
  if (is_redirect(status) || status / 100 != 2) {
    HopOutcome outcome;
    if (is_redirect(status)) {
      auto location = res[http::field::location];
      outcome = location.empty() ? failed(tuf::Errc::transport, "redirect " + status_text + " without Location")
                                 : HopOutcome{HopOutcome::redirect, {}, std::string(location), false};
    } else {
      outcome = failed(status == 404 || status == 410 ? tuf::Errc::not_found : tuf::Errc::transport,
                       "HTTP status " + status_text);
    }
    // Keep the connection for the next request (a refresh starts with a 404 for the next root)
    // when the body is small and framed by Content-Length; otherwise close it.
    outcome.reusable = co_await drain_small_body(stream, parser);
    co_return outcome;
  }
  co_return co_await read_body(stream, parser);
}

// The body of a 2xx response, within max_bytes, to the job's string or its sink.
template <class Stream, class Parser>
asio::awaitable<HopOutcome> Exchange::read_body(Stream& stream, Parser& parser) {
  Hop& hop = *hop_;
  Connection& conn = *hop.conn;
  auto& res = parser.get();
  const std::uint64_t max_bytes = job_.request.max_bytes;
  const std::string too_large = "body exceeds the limit of " + std::to_string(max_bytes) + " bytes";
  auto encoding = res[http::field::content_encoding];
  if (!encoding.empty() && !boost::beast::iequals(encoding, "identity"))
    co_return failed(tuf::Errc::transport, "unrequested Content-Encoding: " + std::string(encoding));
  if (auto declared = parser.content_length(); declared && *declared > max_bytes)
    co_return failed(tuf::Errc::too_large, "Content-Length " + std::to_string(*declared) + " exceeds the limit of " +
                                               std::to_string(max_bytes) + " bytes");
  parser.body_limit(max_bytes);
  if (!job_.request.sink) {
    job_.body.clear();
    if (auto declared = parser.content_length()) job_.body.reserve(*declared);
  }
  auto chunk = std::make_unique<char[]>(kChunkSize);
  std::uint64_t received = 0;
  while (!parser.is_done()) {
    res.body().data = chunk.get();
    res.body().size = kChunkSize;
    // read_some: completes after every socket read, so activity, the rate and the sink see
    // bytes as they arrive (async_read would wait for the whole chunk buffer to fill).
    auto [rec, rn] = co_await http::async_read_some(stream, conn.buffer, parser, nothrow_awaitable);
    if (rec == http::error::need_buffer) rec = {};
    const std::size_t got = kChunkSize - res.body().size;
    hop.activity(std::max<std::size_t>(rn, got));
    received += got;
    // Defence in depth; the parser's body_limit fires first.
    if (received > max_bytes) co_return failed(tuf::Errc::too_large, too_large);
    if (got > 0) {
      if (!job_.request.sink)
        job_.body.append(chunk.get(), got);
      else if (!job_.request.sink(tuf::Bytes(reinterpret_cast<const std::uint8_t*>(chunk.get()), got)))
        co_return failed(tuf::Errc::transport, "aborted by the receiver");
    }
    if (hop.abort_reason) co_return HopOutcome{HopOutcome::failed, socket_error(rec, ""), {}, false};
    if (rec == http::error::body_limit) co_return failed(tuf::Errc::too_large, too_large);
    if (rec == http::error::partial_message)
      co_return failed(tuf::Errc::transport,
                       "connection closed before the end of the body (" + std::to_string(received) + " bytes received)");
    if (rec) co_return HopOutcome{HopOutcome::failed, socket_error(rec, "reading body"), {}, false};
    if (auto why = limit_violation(options_, hop, Clock::now())) co_return failed(tuf::Errc::transport, *why);
  }
  if (conn.buffer.size() > 0) co_return failed(tuf::Errc::transport, "server sent more bytes than the response declared");
  co_return HopOutcome{HopOutcome::complete, {}, {}, parser.keep_alive()};
}

}  // namespace tuf_io::http_detail
