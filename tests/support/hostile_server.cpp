// The loopback test server (see hostile_server.h). Requests are parsed with Beast; responses
// are written as raw bytes so that every behaviour, including the broken ones, is exact.
#include "support/hostile_server.h"

#include <algorithm>
#include <cctype>
#include <future>
#include <set>
#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace tufget_test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {
constexpr auto nothrow_awaitable = asio::as_tuple(asio::use_awaitable);
}

std::string Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (beast::iequals(key, name)) return value;
  return {};
}

Response Response::ok(std::string body) {
  Response r;
  r.body = std::move(body);
  return r;
}

Response Response::status_only(int status) {
  Response r;
  r.status = status;
  r.body = std::to_string(status) + "\n";
  return r;
}

Response Response::redirect(int status, std::string location) {
  Response r;
  r.status = status;
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

Response Response::with(Behaviour behaviour, std::string body) {
  Response r;
  r.behaviour = behaviour;
  r.body = std::move(body);
  return r;
}

// ---- TLS identity ------------------------------------------------------------------------------

TlsIdentity TlsIdentity::make_self_signed(const std::vector<std::string>& dns_names,
                                          const std::vector<std::string>& ip_addresses) {
  auto check = [](bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("make_self_signed: ") + what);
  };
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  check(key != nullptr, "key generation");
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  std::uint32_t serial = 0;
  RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), long(serial & 0x7fffffff) + 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("tufget test"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);

  std::string san;
  for (const auto& d : dns_names) san += (san.empty() ? "DNS:" : ",DNS:") + d;
  for (const auto& ip : ip_addresses) san += (san.empty() ? "IP:" : ",IP:") + ip;
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  auto add_ext = [&](int nid, const std::string& value) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    check(ext != nullptr, "extension");
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  };
  add_ext(NID_basic_constraints, "critical,CA:TRUE");
  if (!san.empty()) add_ext(NID_subject_alt_name, san);
  check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "sign");

  auto to_pem = [&](auto write) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    check(write(bio.get()) == 1, "PEM");
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, std::size_t(n));
  };
  TlsIdentity id;
  id.cert_pem = to_pem([&](BIO* b) { return PEM_write_bio_X509(b, cert.get()); });
  id.key_pem = to_pem([&](BIO* b) {
    return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  return id;
}

// ---- server ------------------------------------------------------------------------------------

struct HostileServer::Impl {
  explicit Impl(HostileServer& o) : owner(o), acceptor(io) {}

  HostileServer& owner;
  std::unique_ptr<asio::ssl::context> tls;  // outlives every TLS stream
  asio::io_context io;                      // outlives the acceptor and every socket
  tcp::acceptor acceptor;
  std::set<tcp::socket*> open_sockets;  // server thread only
  bool stopping = false;                // server thread only

  asio::awaitable<void> accept_loop() {
    for (;;) {
      tcp::socket socket(io);
      auto [ec] = co_await acceptor.async_accept(socket, nothrow_awaitable);
      if (ec || stopping) co_return;
      std::uint64_t id = ++owner.accepted_;
      std::size_t open = ++owner.open_;
      std::size_t seen = owner.max_open_.load();
      while (open > seen && !owner.max_open_.compare_exchange_weak(seen, open)) {
      }
      asio::co_spawn(io, session(std::move(socket), id), asio::detached);
    }
  }

  asio::awaitable<void> session(tcp::socket socket, std::uint64_t id) {
    if (tls) {
      asio::ssl::stream<tcp::socket> stream(std::move(socket), *tls);
      tcp::socket& raw = stream.next_layer();
      open_sockets.insert(&raw);
      auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server,
                                                  nothrow_awaitable);
      if (!ec) co_await serve(stream, raw, id);
      open_sockets.erase(&raw);
    } else {
      open_sockets.insert(&socket);
      co_await serve(socket, socket, id);
      open_sockets.erase(&socket);
    }
    --owner.open_;
  }

  template <class Stream>
  asio::awaitable<bool> write(Stream& stream, std::string_view data) {
    auto [ec, n] = co_await asio::async_write(stream, asio::buffer(data), nothrow_awaitable);
    co_return !ec && !stopping;
  }

  template <class Stream>
  asio::awaitable<bool> write_body(Stream& stream, std::string_view data) {
    bool ok = co_await write(stream, data);
    if (ok) owner.body_bytes_sent_ += data.size();
    co_return ok;
  }

  asio::awaitable<bool> sleep(std::chrono::milliseconds d) {
    asio::steady_timer timer(io, d);
    auto [ec] = co_await timer.async_wait(nothrow_awaitable);
    co_return !ec && !stopping;
  }

  static void reset(tcp::socket& raw) {
    error_code ignored;
    raw.set_option(asio::socket_base::linger(true, 0), ignored);
    raw.close(ignored);
  }

  // Waits until the peer closes (or the server stops).
  template <class Stream>
  asio::awaitable<void> hold(Stream& stream) {
    char sink[512];
    for (;;) {
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), nothrow_awaitable);
      if (ec || stopping) co_return;
    }
  }

  static std::string head(const Response& r, std::string_view framing, bool close) {
    std::string reason = r.reason;
    if (reason.empty()) reason = std::string(http::obsolete_reason(http::int_to_status(r.status)));
    std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + reason + "\r\n";
    for (const auto& [k, v] : r.headers) out += k + ": " + v + "\r\n";
    out += framing;
    if (close) out += "Connection: close\r\n";
    out += "\r\n";
    return out;
  }

  static std::string chunk(std::string_view data) {
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    return size + std::string(data) + "\r\n";
  }

  // Sends `r`; returns whether the connection should go on serving requests.
  template <class Stream>
  asio::awaitable<bool> send(Stream& stream, tcp::socket& raw, const Response& r, bool keep) {
    const std::string length = "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
    switch (r.behaviour) {
      case Behaviour::normal: {
        std::string all = head(r, length, !keep) + r.body;
        if (!co_await write(stream, all)) co_return false;
        owner.body_bytes_sent_ += r.body.size();
        co_return keep;
      }
      case Behaviour::close_delimited: {
        if (!co_await write(stream, head(r, "", true))) co_return false;
        if (!co_await write_body(stream, r.body)) co_return false;
        error_code ignored;
        raw.shutdown(tcp::socket::shutdown_send, ignored);
        co_await hold(stream);
        co_return false;
      }
      case Behaviour::chunked: {
        if (!co_await write(stream, head(r, "Transfer-Encoding: chunked\r\n", !keep)))
          co_return false;
        std::string_view rest = r.body;
        while (!rest.empty()) {
          std::string_view part = rest.substr(0, std::max<std::size_t>(r.chunk_size, 1));
          rest.remove_prefix(part.size());
          if (!co_await write(stream, chunk(part))) co_return false;
          owner.body_bytes_sent_ += part.size();
        }
        if (!co_await write(stream, "0\r\n\r\n")) co_return false;
        co_return keep;
      }
      case Behaviour::endless: {
        if (!co_await write(stream, head(r, "Transfer-Encoding: chunked\r\n", false)))
          co_return false;
        const std::string piece = chunk(std::string(64 * 1024, 'x'));
        std::uint64_t sent = 0;
        while (sent < r.endless_limit) {
          if (!co_await write(stream, piece)) co_return false;
          sent += 64 * 1024;
          owner.body_bytes_sent_ += 64 * 1024;
        }
        co_return false;
      }
      case Behaviour::longer_than_declared:
      case Behaviour::declared_length: {
        std::string declared = "Content-Length: " + std::to_string(r.declared_length) + "\r\n";
        std::string all = head(r, declared, false) + r.body;
        if (!co_await write(stream, all)) co_return false;
        owner.body_bytes_sent_ += r.body.size();
        co_await hold(stream);
        co_return false;
      }
      case Behaviour::slow_drip: {
        if (!co_await write(stream, head(r, length, !keep))) co_return false;
        for (char c : r.body) {
          if (!co_await sleep(r.drip_interval)) co_return false;
          if (!co_await write_body(stream, std::string_view(&c, 1))) co_return false;
        }
        co_return keep;
      }
      case Behaviour::reset_after_headers:
        if (!co_await write(stream, head(r, length, false))) co_return false;
        co_await sleep(std::chrono::milliseconds(20));
        reset(raw);
        co_return false;
      case Behaviour::reset_mid_body:
        if (!co_await write(stream, head(r, length, false))) co_return false;
        if (!co_await write_body(stream, std::string_view(r.body).substr(0, r.body.size() / 2)))
          co_return false;
        co_await sleep(std::chrono::milliseconds(20));
        reset(raw);
        co_return false;
      case Behaviour::reset_before_response:
        reset(raw);
        co_return false;
      case Behaviour::hang:
        co_await hold(stream);
        co_return false;
    }
    co_return false;
  }

  template <class Stream>
  asio::awaitable<void> serve(Stream& stream, tcp::socket& raw, std::uint64_t id) {
    beast::flat_buffer buffer;
    while (!stopping) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(1 << 20);
      auto [ec, n] = co_await http::async_read(stream, buffer, parser, nothrow_awaitable);
      if (ec || stopping) co_return;
      const auto& msg = parser.get();
      Request request;
      request.method = std::string(msg.method_string());
      request.target = std::string(msg.target());
      request.connection = id;
      for (const auto& field : msg)
        request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      owner.record(request);
      Response response = owner.respond(request);
      if (response.delay.count() > 0 && !co_await sleep(response.delay)) co_return;
      bool keep = msg.keep_alive() && !response.close_after;
      if (!co_await send(stream, raw, response, keep)) co_return;
    }
  }

  void close_everything() {
    stopping = true;
    error_code ignored;
    acceptor.close(ignored);
    for (tcp::socket* s : open_sockets) {
      s->shutdown(tcp::socket::shutdown_both, ignored);
      s->close(ignored);
    }
  }
};

HostileServer::HostileServer() : impl_(std::make_unique<Impl>(*this)) {
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  thread_ = std::thread([this] { impl_->io.run(); });
}

HostileServer::HostileServer(TlsIdentity identity) : HostileServer() {
  // Installed on the server thread, which reads it when a connection starts.
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  ctx->use_certificate_chain(asio::buffer(identity.cert_pem));
  ctx->use_private_key(asio::buffer(identity.key_pem), asio::ssl::context::pem);
  std::promise<void> installed;
  asio::post(impl_->io, [&] {
    impl_->tls = std::move(ctx);
    installed.set_value();
  });
  installed.get_future().wait();
  tls_ = true;
}

HostileServer::~HostileServer() { stop(); }

void HostileServer::stop() {
  if (!thread_.joinable()) return;
  asio::post(impl_->io, [this] {
    impl_->close_everything();
    impl_->io.stop();
  });
  thread_.join();
}

std::string HostileServer::base_url() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

std::string HostileServer::url(std::string_view path) const { return base_url() + std::string(path); }

void HostileServer::route(std::string target, Response response) {
  std::lock_guard lock(mutex_);
  routes_[std::move(target)] = std::move(response);
}

void HostileServer::set_handler(Handler handler) {
  std::lock_guard lock(mutex_);
  handler_ = std::move(handler);
}

std::vector<Request> HostileServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::size_t HostileServer::request_count() const {
  std::lock_guard lock(mutex_);
  return requests_.size();
}

void HostileServer::record(Request request) {
  std::lock_guard lock(mutex_);
  requests_.push_back(std::move(request));
}

Response HostileServer::respond(const Request& request) {
  Handler handler;
  {
    std::lock_guard lock(mutex_);
    if (auto it = routes_.find(request.target); it != routes_.end()) return it->second;
    handler = handler_;
  }
  if (handler) return handler(request);
  return Response::status_only(404);
}

}  // namespace tufget_test
