// tufget-bench-serve DIR --port-file F [--port N]
//
// A minimal static file server for the end-to-end benchmarks: HTTP/1.1 on 127.0.0.1 only,
// keep-alive, one thread, asynchronous (several connections at once). GET/HEAD of
// /<relative path> serves DIR/<relative path>; anything missing is 404, paths with ".." are 400.
// The chosen port is written to F (atomically: fsutil::write_file_atomic) once the server listens. SIGINT or
// SIGTERM stops it. Files are read on every request, so they may change between requests.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "fsutil/atomic_write.h"
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The file a request target names, or nullopt if it tries to leave the root.
std::optional<fs::path> resolve(const fs::path& root, std::string_view target) {
  target = target.substr(0, target.find_first_of("?#"));
  std::string decoded;
  for (std::size_t i = 0; i < target.size(); ++i) {
    if (target[i] == '%' && i + 2 < target.size() && hex_digit(target[i + 1]) >= 0 &&
        hex_digit(target[i + 2]) >= 0) {
      decoded.push_back(
          static_cast<char>(hex_digit(target[i + 1]) * 16 + hex_digit(target[i + 2])));
      i += 2;
    } else {
      decoded.push_back(target[i]);
    }
  }
  if (decoded.empty() || decoded[0] != '/' || decoded.find('\0') != std::string::npos) {
    return std::nullopt;
  }
  fs::path rel = fs::path(decoded).relative_path();
  for (const auto& part : rel) {
    if (part == "..") return std::nullopt;
  }
  return root / rel;
}

std::optional<std::string> read_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const fs::path& root) : socket_(std::move(socket)), root_(root) {}
  void start() { read(); }

 private:
  void read() {
    request_ = {};
    http::async_read(socket_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) {
                         self->close();
                         return;
                       }
                       self->respond();
                     });
  }

  void respond() {
    response_ = {};
    response_.version(request_.version());
    response_.keep_alive(request_.keep_alive());
    response_.set(http::field::server, "tufget-bench-serve");
    const auto method = request_.method();
    if (method != http::verb::get && method != http::verb::head) {
      response_.result(http::status::method_not_allowed);
    } else if (auto path = resolve(root_, request_.target()); !path) {
      response_.result(http::status::bad_request);
    } else if (auto body = read_file(*path); !body) {
      response_.result(http::status::not_found);
    } else {
      response_.result(http::status::ok);
      response_.set(http::field::content_type,
                    path->extension() == ".json" ? "application/json" : "application/octet-stream");
      const std::size_t size = body->size();
      if (method == http::verb::get) response_.body() = std::move(*body);
      response_.content_length(size);
    }
    if (response_.result() != http::status::ok) response_.content_length(0);
    http::async_write(socket_, response_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec || !self->response_.keep_alive()) {
                          self->close();
                          return;
                        }
                        self->read();
                      });
  }

  void close() {
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;
  const fs::path& root_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

void accept(tcp::acceptor& acceptor, const fs::path& root) {
  acceptor.async_accept([&acceptor, &root](beast::error_code ec, tcp::socket socket) {
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(std::move(socket), root)->start();
    }
    if (acceptor.is_open()) accept(acceptor, root);
  });
}

int usage() {
  std::fprintf(stderr, "usage: tufget-bench-serve DIR --port-file FILE [--port N]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir, port_file;
  unsigned short port = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--port-file" && i + 1 < argc) {
      port_file = argv[++i];
    } else if (arg == "--port" && i + 1 < argc) {
      port = static_cast<unsigned short>(std::stoul(argv[++i]));
    } else if (!arg.empty() && arg[0] != '-' && dir.empty()) {
      dir = arg;
    } else {
      return usage();
    }
  }
  if (dir.empty() || port_file.empty()) return usage();
  const fs::path root = fs::absolute(dir);

  try {
    asio::io_context io(1);
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    const std::string port_text = std::to_string(acceptor.local_endpoint().port()) + "\n";
    if (auto w = fsutil::write_file_atomic(port_file, port_text, {.durable = false}); !w) {
      throw std::runtime_error(w.error().message());
    }
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](beast::error_code, int) { io.stop(); });
    accept(acceptor, root);
    io.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tufget-bench-serve: %s\n", e.what());
    return 1;
  }
  return 0;
}
