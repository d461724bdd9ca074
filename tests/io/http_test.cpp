// HttpClient against the loopback HostileServer: limits, timeouts, keep-alive, redirects, TLS,
// proxies, file: URLs. Every test uses 127.0.0.1 only.
#include "tuf_io/http.h"

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/hostile_server.h"

namespace {

using namespace std::chrono_literals;
using tufget_test::Behaviour;
using tufget_test::HostileServer;
using tufget_test::Response;
using Catch::Matchers::Contains;

tuf_io::HttpOptions test_options() {
  tuf_io::HttpOptions o;
  o.use_proxy_env = false;
  o.connect_timeout = 2s;
  o.read_timeout = 2s;
  o.request_timeout = 5s;
  o.min_bytes_per_second = 0;
  return o;
}

std::string error_text(const tuf_io::FetchResult& r) { return r ? "(success)" : r.error().detail; }

std::chrono::milliseconds since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start);
}

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(gen() & 0xff);
  return out;
}

// Sets environment variables for one test and restores them afterwards.
class EnvGuard {
 public:
  EnvGuard() {
    for (const char* name :
         {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY"}) {
      const char* v = std::getenv(name);
      saved_.emplace_back(name, v ? std::optional<std::string>(v) : std::nullopt);
      ::unsetenv(name);
    }
  }
  ~EnvGuard() {
    for (const auto& [name, value] : saved_) {
      if (value)
        ::setenv(name.c_str(), value->c_str(), 1);
      else
        ::unsetenv(name.c_str());
    }
  }
  void set(const char* name, const std::string& value) { ::setenv(name, value.c_str(), 1); }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

}  // namespace

TEST_CASE("http: a normal fetch returns the body and sends Host, User-Agent, identity encoding",
          "[io][http]") {
  HostileServer server;
  server.route("/metadata/1.root.json", Response::ok("{\"signed\":{}}"));
  tuf_io::HttpClient client(test_options());
  auto r = client.fetch(server.url("/metadata/1.root.json"), 1000);
  INFO(error_text(r));
  REQUIRE(r.has_value());
  CHECK(*r == "{\"signed\":{}}");
  auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "GET");
  CHECK(requests[0].target == "/metadata/1.root.json");
  CHECK(requests[0].header("Host") == "127.0.0.1:" + std::to_string(server.port()));
  CHECK(requests[0].header("User-Agent") == "tufget/0.2");
  CHECK(requests[0].header("Accept-Encoding") == "identity");
  CHECK(client.pending() == 0);
}

TEST_CASE("http: keep-alive reuses one connection for sequential requests", "[io][http]") {
  HostileServer server;
  for (int i = 0; i < 5; ++i) server.route("/f" + std::to_string(i), Response::ok("body" + std::to_string(i)));
  tuf_io::HttpClient client(test_options());
  for (int i = 0; i < 5; ++i) {
    auto r = client.fetch(server.url("/f" + std::to_string(i)), 100);
    INFO(error_text(r));
    REQUIRE(r.has_value());
    CHECK(*r == "body" + std::to_string(i));
  }
  CHECK(server.connections_accepted() == 1);
  for (const auto& req : server.requests()) CHECK(req.connection == 1);
}

TEST_CASE("http: Connection: close is honoured (a new connection per request)", "[io][http]") {
  HostileServer server;
  Response r = Response::ok("x");
  r.close_after = true;
  server.route("/close", r);
  tuf_io::HttpClient client(test_options());
  for (int i = 0; i < 3; ++i) REQUIRE(client.fetch(server.url("/close"), 10).has_value());
  CHECK(server.connections_accepted() == 3);
}

TEST_CASE("http: a reused connection that fails before any response byte is retried once",
          "[io][http]") {
  HostileServer server;
  server.route("/a", Response::ok("a"));
  std::atomic<int> calls{0};
  server.set_handler([&](const tufget_test::Request& req) {
    if (req.target == "/b" && calls++ == 0) return Response::with(Behaviour::reset_before_response);
    return Response::ok("b");
  });
  tuf_io::HttpClient client(test_options());
  REQUIRE(client.fetch(server.url("/a"), 10).has_value());
  auto r = client.fetch(server.url("/b"), 10);
  INFO(error_text(r));
  REQUIRE(r.has_value());
  CHECK(*r == "b");
  CHECK(calls == 2);
  CHECK(server.connections_accepted() == 2);
}

TEST_CASE("http: a fresh connection reset before the response is a transport error, not retried",
          "[io][http]") {
  HostileServer server;
  server.route("/reset", Response::with(Behaviour::reset_before_response));
  tuf_io::HttpClient client(test_options());
  auto r = client.fetch(server.url("/reset"), 10);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == tuf::Errc::transport);
  CHECK_THAT(r.error().detail, Contains(server.url("/reset")));
  CHECK(server.request_count() == 1);
}

TEST_CASE("http: concurrent requests all complete, at most max_connections_per_host at a time",
          "[io][http]") {
  HostileServer server;
  server.set_handler([](const tufget_test::Request& req) {
    Response r = Response::ok("reply to " + req.target);
    r.delay = 200ms;
    return r;
  });
  auto options = test_options();
  options.max_connections_per_host = 4;
  tuf_io::HttpClient client(options);
  std::vector<std::optional<tuf_io::FetchResult>> results(8);
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 8; ++i) {
    tuf_io::FetchRequest req;
    req.url = server.url("/c" + std::to_string(i));
    req.max_bytes = 100;
    client.async_fetch(std::move(req), [&results, i](tuf_io::FetchResult r) { results[i] = std::move(r); });
  }
  CHECK(client.pending() == 8);
  client.run();
  auto elapsed = since(start);
  for (int i = 0; i < 8; ++i) {
    REQUIRE(results[i].has_value());
    INFO(error_text(*results[i]));
    REQUIRE(results[i]->has_value());
    CHECK(**results[i] == "reply to /c" + std::to_string(i));
  }
  CHECK(server.max_concurrent_connections() <= 4);
  CHECK(server.connections_accepted() <= 4);
  CHECK(elapsed < 1200ms);  // 8 x 200 ms one at a time would take 1600 ms
  CHECK(client.pending() == 0);
}

TEST_CASE("http: run_one returns after each completed request", "[io][http]") {
  HostileServer server;
  server.route("/x", Response::ok("x"));
  tuf_io::HttpClient client(test_options());
  int done = 0;
  for (int i = 0; i < 2; ++i)
    client.async_fetch({server.url("/x"), 10, nullptr}, [&](tuf_io::FetchResult r) {
      CHECK(r.has_value());
      ++done;
    });
  std::size_t ran = 0;
  while (client.pending() > 0) ran += client.run_one();
  CHECK(ran == 2);
  CHECK(done == 2);
  CHECK(client.run_one() == 0);
}

TEST_CASE("http: an endless body is cut off at the limit with too_large", "[io][http]") {
  HostileServer server;
  server.route("/endless", Response::with(Behaviour::endless));
  tuf_io::HttpClient client(test_options());
  std::uint64_t streamed = 0;
  auto start = std::chrono::steady_clock::now();
  std::optional<tuf_io::FetchResult> result;
  SECTION("accumulated") { result = client.fetch(server.url("/endless"), 1 << 20); }
  SECTION("streamed to a sink") {
    tuf_io::FetchRequest req{server.url("/endless"), 1 << 20, [&](tuf::Bytes b) {
                               streamed += b.size();
                               return true;
                             }};
    client.async_fetch(std::move(req), [&](tuf_io::FetchResult r) { result = std::move(r); });
    client.run();
    CHECK(streamed <= (1u << 20));
  }
  REQUIRE(result.has_value());
  REQUIRE_FALSE(result->has_value());
  CHECK(result->error().code == tuf::Errc::too_large);
  CHECK_THAT(result->error().detail, Contains(server.url("/endless")));
  CHECK(since(start) < 3s);
}

TEST_CASE("http: a body longer than its Content-Length is refused", "[io][http]") {
  HostileServer server;
  Response r = Response::with(Behaviour::longer_than_declared, std::string(100, 'x'));
  r.declared_length = 10;
  server.route("/longer", r);
  tuf_io::HttpClient client(test_options());
  auto result = client.fetch(server.url("/longer"), 1000);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().code == tuf::Errc::transport);
  CHECK_THAT(result.error().detail, Contains("more bytes than the response declared"));
}

TEST_CASE("http: a Content-Length above the limit fails with too_large before the body",
          "[io][http]") {
  HostileServer server;
  Response r = Response::with(Behaviour::declared_length, "abc");
  r.declared_length = 100ull << 20;
  server.route("/huge", r);
  tuf_io::HttpClient client(test_options());
  auto start = std::chrono::steady_clock::now();
  auto result = client.fetch(server.url("/huge"), 1000);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().code == tuf::Errc::too_large);
  CHECK_THAT(result.error().detail, Contains("Content-Length 104857600"));
  CHECK(since(start) < 1s);  // the server never sends the body: we did not wait for it
}

TEST_CASE("http: a body within the declared length but above the limit is too_large",
          "[io][http]") {
  HostileServer server;
  server.route("/big", Response::ok(std::string(2000, 'b')));
  server.route("/exact", Response::ok(std::string(1000, 'e')));
  tuf_io::HttpClient client(test_options());
  auto big = client.fetch(server.url("/big"), 1000);
  REQUIRE_FALSE(big.has_value());
  CHECK(big.error().code == tuf::Errc::too_large);
  auto exact = client.fetch(server.url("/exact"), 1000);
  REQUIRE(exact.has_value());
  CHECK(exact->size() == 1000);
}

TEST_CASE("http: chunked and close-delimited bodies are read whole, and cut at the limit",
          "[io][http]") {
  HostileServer server;
  const std::string body = random_bytes(50'000, 1);
  server.route("/chunked", Response::with(Behaviour::chunked, body));
  server.route("/closed", Response::with(Behaviour::close_delimited, body));
  tuf_io::HttpClient client(test_options());
  for (const char* path : {"/chunked", "/closed"}) {
    INFO(path);
    auto whole = client.fetch(server.url(path), body.size());
    INFO(error_text(whole));
    REQUIRE(whole.has_value());
    CHECK(*whole == body);
    auto cut = client.fetch(server.url(path), body.size() - 1);
    REQUIRE_FALSE(cut.has_value());
    CHECK(cut.error().code == tuf::Errc::too_large);
  }
}

TEST_CASE("http: a slow drip fails as too slow once the grace period is over", "[io][http]") {
  HostileServer server;
  server.route("/drip", Response::with(Behaviour::slow_drip, std::string(100, 'd')));
  auto options = test_options();
  options.min_bytes_per_second = 100;
  options.min_rate_grace = 500ms;
  options.read_timeout = 5s;
  tuf_io::HttpClient client(options);
  auto start = std::chrono::steady_clock::now();
  auto result = client.fetch(server.url("/drip"), 1000);
  auto elapsed = since(start);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().code == tuf::Errc::transport);
  CHECK_THAT(result.error().detail, Contains("too slow"));
  CHECK(elapsed >= 500ms);
  CHECK(elapsed < 2s);
}

TEST_CASE("http: a server that sends nothing hits the read timeout", "[io][http]") {
  HostileServer server;
  server.route("/hang", Response::with(Behaviour::hang));
  auto options = test_options();
  options.read_timeout = 300ms;
  tuf_io::HttpClient client(options);
  auto start = std::chrono::steady_clock::now();
  auto result = client.fetch(server.url("/hang"), 1000);
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().code == tuf::Errc::transport);
  CHECK_THAT(result.error().detail, Contains("read timed out"));
  CHECK(since(start) < 2s);
}

TEST_CASE("http: a steady drip faster than the read timeout is not an idle connection",
          "[io][http]") {
  HostileServer server;
  Response drip = Response::with(Behaviour::slow_drip, "12345");
  drip.drip_interval = 100ms;
  server.route("/drip", drip);
  auto options = test_options();
  options.read_timeout = 350ms;  // the whole body takes 500 ms; no gap reaches 350 ms
  tuf_io::HttpClient client(options);
  std::vector<std::size_t> chunks;
  std::optional<tuf_io::FetchResult> result;
  client.async_fetch({server.url("/drip"), 100,
                      [&](tuf::Bytes b) {
                        chunks.push_back(b.size());
                        return true;
                      }},
                     [&](tuf_io::FetchResult r) { result = std::move(r); });
  client.run();
  REQUIRE(result.has_value());
  INFO(error_text(*result));
  REQUIRE(result->has_value());
  CHECK(chunks.size() == 5);  // each byte reached the sink as it arrived
}

TEST_CASE("http: the whole-request timeout bounds a drip that keeps the idle timer happy",
          "[io][http]") {
  HostileServer server;
  server.route("/drip", Response::with(Behaviour::slow_drip, std::string(100, 'd')));
  auto options = test_options();
  options.request_timeout = 600ms;
  tuf_io::HttpClient client(options);
  auto start = std::chrono::steady_clock::now();
  auto result = client.fetch(server.url("/drip"), 1000);
  REQUIRE_FALSE(result.has_value());
  CHECK_THAT(result.error().detail, Contains("request timed out"));
  CHECK(since(start) < 2s);
}

TEST_CASE("http: 404 and 410 are not_found: other statuses are transport errors naming them",
          "[io][http]") {
  HostileServer server;
  for (int status : {404, 410, 403, 500}) server.route("/s" + std::to_string(status), Response::status_only(status));
  tuf_io::HttpClient client(test_options());
  for (int status : {404, 410}) {
    auto r = client.fetch(server.url("/s" + std::to_string(status)), 1000);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == tuf::Errc::not_found);
  }
  for (int status : {403, 500}) {
    auto r = client.fetch(server.url("/s" + std::to_string(status)), 1000);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == tuf::Errc::transport);
    CHECK_THAT(r.error().detail, Contains("HTTP status " + std::to_string(status)));
    CHECK_THAT(r.error().detail, Contains(server.url("/s" + std::to_string(status))));
  }
  // Small error bodies are drained so the connection is kept.
  CHECK(server.connections_accepted() == 1);
}

TEST_CASE("http: a connection reset after the headers or mid-body is a transport error",
          "[io][http]") {
  HostileServer server;
  server.route("/after-headers", Response::with(Behaviour::reset_after_headers, std::string(1000, 'r')));
  server.route("/mid-body", Response::with(Behaviour::reset_mid_body, std::string(1000, 'r')));
  tuf_io::HttpClient client(test_options());
  for (const char* path : {"/after-headers", "/mid-body"}) {
    INFO(path);
    auto r = client.fetch(server.url(path), 5000);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == tuf::Errc::transport);
  }
}

TEST_CASE("http: redirects are followed, relative and absolute", "[io][http]") {
  HostileServer server;
  server.route("/final", Response::ok("final"));
  server.route("/dir/relative", Response::redirect(302, "../final"));
  server.route("/absolute", Response::redirect(301, server.url("/dir/relative")));
  server.route("/temporary", Response::redirect(307, "/absolute"));
  tuf_io::HttpClient client(test_options());
  auto r = client.fetch(server.url("/temporary"), 100);
  INFO(error_text(r));
  REQUIRE(r.has_value());
  CHECK(*r == "final");
  auto requests = server.requests();
  REQUIRE(requests.size() == 4);
  CHECK(requests[3].target == "/final");
}

TEST_CASE("http: redirect loops and too many redirects are errors", "[io][http]") {
  HostileServer server;
  server.route("/loop1", Response::redirect(302, "/loop2"));
  server.route("/loop2", Response::redirect(302, "/loop1"));
  for (int i = 0; i < 10; ++i)
    server.route("/chain" + std::to_string(i), Response::redirect(302, "/chain" + std::to_string(i + 1)));
  server.route("/chain10", Response::ok("end"));
  auto options = test_options();
  options.max_redirects = 5;
  tuf_io::HttpClient client(options);
  auto loop = client.fetch(server.url("/loop1"), 100);
  REQUIRE_FALSE(loop.has_value());
  CHECK(loop.error().code == tuf::Errc::transport);
  CHECK_THAT(loop.error().detail, Contains("redirect loop"));
  auto chain = client.fetch(server.url("/chain0"), 100);
  REQUIRE_FALSE(chain.has_value());
  CHECK_THAT(chain.error().detail, Contains("too many redirects"));
  CHECK(server.request_count() == 2 + 6);
}

TEST_CASE("http: a redirect to a file: URL is refused", "[io][http]") {
  HostileServer server;
  server.route("/evil", Response::redirect(302, "file:///etc/passwd"));
  tuf_io::HttpClient client(test_options());
  auto r = client.fetch(server.url("/evil"), 100000);
  REQUIRE_FALSE(r.has_value());
  CHECK_THAT(r.error().detail, Contains("refusing redirect"));
}

TEST_CASE("http: an unrequested Content-Encoding is refused", "[io][http]") {
  HostileServer server;
  Response gz = Response::ok("not really gzip");
  gz.headers.emplace_back("Content-Encoding", "gzip");
  server.route("/gz", gz);
  tuf_io::HttpClient client(test_options());
  auto r = client.fetch(server.url("/gz"), 1000);
  REQUIRE_FALSE(r.has_value());
  CHECK_THAT(r.error().detail, Contains("Content-Encoding"));
}

TEST_CASE("http: an oversized response header is refused", "[io][http]") {
  HostileServer server;
  Response r = Response::ok("x");
  r.headers.emplace_back("X-Padding", std::string(100'000, 'p'));
  server.route("/fat", r);
  auto options = test_options();
  options.max_header_bytes = 16 * 1024;
  tuf_io::HttpClient client(options);
  auto result = client.fetch(server.url("/fat"), 1000);
  REQUIRE_FALSE(result.has_value());
  CHECK_THAT(result.error().detail, Contains("header larger than"));
}

TEST_CASE("http: a streaming sink receives exactly the body bytes", "[io][http]") {
  HostileServer server;
  const std::string body = random_bytes(300'000, 2);
  server.route("/target.bin", Response::ok(body));
  Response chunked = Response::with(Behaviour::chunked, body);
  chunked.chunk_size = 7000;
  server.route("/target-chunked.bin", chunked);
  tuf_io::HttpClient client(test_options());
  for (const char* path : {"/target.bin", "/target-chunked.bin"}) {
    INFO(path);
    std::string received;
    int calls = 0;
    std::optional<tuf_io::FetchResult> result;
    client.async_fetch({server.url(path), body.size(),
                        [&](tuf::Bytes chunk) {
                          received.append(tuf::as_chars(chunk));
                          ++calls;
                          return true;
                        }},
                       [&](tuf_io::FetchResult r) { result = std::move(r); });
    client.run();
    REQUIRE(result.has_value());
    INFO(error_text(*result));
    REQUIRE(result->has_value());
    CHECK((*result)->empty());
    CHECK(received == body);
    CHECK(calls >= 1);
  }
}

TEST_CASE("http: a sink returning false aborts the request", "[io][http]") {
  HostileServer server;
  server.route("/t", Response::ok(std::string(10'000, 't')));
  tuf_io::HttpClient client(test_options());
  std::optional<tuf_io::FetchResult> result;
  client.async_fetch({server.url("/t"), 10'000, [](tuf::Bytes) { return false; }},
                     [&](tuf_io::FetchResult r) { result = std::move(r); });
  client.run();
  REQUIRE(result.has_value());
  REQUIRE_FALSE(result->has_value());
  CHECK(result->error().code == tuf::Errc::transport);
}

TEST_CASE("http: file: URLs are read with the byte limit: a missing file is not_found",
          "[io][http]") {
  auto dir = std::filesystem::temp_directory_path() /
             ("tufget-http-file-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "timestamp.json", std::ios::binary) << "{\"t\":1}";
  }
  tuf_io::HttpClient client(test_options());
  const std::string base = "file://" + dir.string();
  auto ok = client.fetch(base + "/timestamp.json", 100);
  INFO(error_text(ok));
  REQUIRE(ok.has_value());
  CHECK(*ok == "{\"t\":1}");
  auto big = client.fetch(base + "/timestamp.json", 3);
  REQUIRE_FALSE(big.has_value());
  CHECK(big.error().code == tuf::Errc::too_large);
  auto missing = client.fetch(base + "/2.root.json", 100);
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == tuf::Errc::not_found);
  CHECK_THAT(missing.error().detail, Contains("2.root.json"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("http: a file: URL that cannot be read says which local path and why", "[io][http]") {
  auto dir = std::filesystem::temp_directory_path() / ("tufget-http-file-err-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "metadata");
  tuf_io::HttpClient client(test_options());
  const std::string base = "file://" + dir.string();
  auto missing = client.fetch(base + "/gone.json", 100);
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == tuf::Errc::not_found);
  CHECK_THAT(missing.error().detail,
             Contains("cannot open " + (dir / "gone.json").string() + ": No such file or directory"));
  auto directory = client.fetch(base + "/metadata", 100);
  REQUIRE_FALSE(directory.has_value());
  CHECK(directory.error().code == tuf::Errc::transport);
  CHECK_THAT(directory.error().detail, Contains((dir / "metadata").string() + ": is a directory"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("http: bad and unsupported URLs fail through the callback, naming the URL",
          "[io][http]") {
  tuf_io::HttpClient client(test_options());
  for (const char* url : {"not a url", "ftp://127.0.0.1/x", "http://user:pw@127.0.0.1:1/x"}) {
    INFO(url);
    auto r = client.fetch(url, 10);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == tuf::Errc::transport);
    CHECK_THAT(r.error().detail, Contains(url));
  }
}

TEST_CASE("http: cancel_all completes in-flight and queued requests with a transport error",
          "[io][http]") {
  HostileServer server;
  server.route("/drip", Response::with(Behaviour::slow_drip, std::string(100, 'd')));
  server.route("/queued", Response::ok("q"));
  auto options = test_options();
  options.max_connections_per_host = 1;  // the second request waits in the queue
  tuf_io::HttpClient client(options);
  std::vector<tuf_io::FetchResult> results;
  // Cancel from inside the transfer, once the first byte arrived.
  client.async_fetch({server.url("/drip"), 1000,
                      [&](tuf::Bytes) {
                        client.cancel_all();
                        return true;
                      }},
                     [&](tuf_io::FetchResult r) { results.push_back(std::move(r)); });
  client.async_fetch({server.url("/queued"), 10, nullptr},
                     [&](tuf_io::FetchResult r) { results.push_back(std::move(r)); });
  auto start = std::chrono::steady_clock::now();
  client.run();
  REQUIRE(results.size() == 2);
  for (const auto& r : results) {
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == tuf::Errc::transport);
    CHECK_THAT(r.error().detail, Contains("cancelled"));
  }
  CHECK(since(start) < 1s);  // the drip alone would take 20 s
  CHECK(server.request_count() == 1);
}

TEST_CASE("http: TLS with the test CA verifies: unknown CA and wrong host name are refused",
          "[io][http][tls]") {
  auto dir = std::filesystem::temp_directory_path() /
             ("tufget-http-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto good = tufget_test::TlsIdentity::make_self_signed({"localhost"}, {"127.0.0.1"});
  auto wrong = tufget_test::TlsIdentity::make_self_signed({"other.test"}, {});
  std::ofstream(dir / "good.pem") << good.cert_pem;
  std::ofstream(dir / "wrong.pem") << wrong.cert_pem;

  HostileServer server(good);
  server.route("/x", Response::ok("secret"));
  REQUIRE(server.base_url().starts_with("https://"));

  SECTION("trusted CA: the fetch succeeds") {
    auto options = test_options();
    options.ca_file = (dir / "good.pem").string();
    tuf_io::HttpClient client(options);
    auto r = client.fetch(server.url("/x"), 100);
    INFO(error_text(r));
    REQUIRE(r.has_value());
    CHECK(*r == "secret");
    REQUIRE(client.fetch(server.url("/x"), 100).has_value());
    CHECK(server.connections_accepted() == 1);  // keep-alive over TLS too
  }
  SECTION("unknown CA: refused") {
    tuf_io::HttpClient client(test_options());
    auto r = client.fetch(server.url("/x"), 100);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == tuf::Errc::transport);
    CHECK_THAT(r.error().detail, Contains("TLS handshake failed"));
    CHECK(server.request_count() == 0);
  }
  SECTION("certificate for another host: refused") {
    HostileServer other(wrong);
    other.route("/x", Response::ok("secret"));
    auto options = test_options();
    options.ca_file = (dir / "wrong.pem").string();
    tuf_io::HttpClient client(options);
    auto r = client.fetch(other.url("/x"), 100);
    REQUIRE_FALSE(r.has_value());
    CHECK_THAT(r.error().detail, Contains("does not match host 127.0.0.1"));
    CHECK(other.request_count() == 0);
  }
  SECTION("redirect from https to http: refused") {
    HostileServer plain;
    plain.route("/x", Response::ok("plain"));
    server.route("/down", Response::redirect(302, plain.url("/x")));
    auto options = test_options();
    options.ca_file = (dir / "good.pem").string();
    tuf_io::HttpClient client(options);
    auto r = client.fetch(server.url("/down"), 100);
    REQUIRE_FALSE(r.has_value());
    CHECK_THAT(r.error().detail, Contains("refusing redirect from https"));
    CHECK(plain.request_count() == 0);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("http: http_proxy gets absolute-form requests: loopback hosts bypass it",
          "[io][http][proxy]") {
  EnvGuard env;
  HostileServer proxy;
  HostileServer origin;
  proxy.route("http://tuf.test/metadata/timestamp.json", Response::ok("via proxy"));
  origin.route("/direct", Response::ok("direct"));
  env.set("http_proxy", proxy.base_url());
  auto options = test_options();
  options.use_proxy_env = true;
  tuf_io::HttpClient client(options);

  auto r = client.fetch("http://tuf.test/metadata/timestamp.json", 100);
  INFO(error_text(r));
  REQUIRE(r.has_value());
  CHECK(*r == "via proxy");
  auto requests = proxy.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].target == "http://tuf.test/metadata/timestamp.json");
  CHECK(requests[0].header("Host") == "tuf.test");

  auto direct = client.fetch(origin.url("/direct"), 100);
  REQUIRE(direct.has_value());
  CHECK(proxy.request_count() == 1);
  CHECK(origin.request_count() == 1);
}

TEST_CASE("http: credentials in http_proxy are sent as Proxy-Authorization: Basic",
          "[io][http][proxy]") {
  EnvGuard env;
  HostileServer proxy;
  proxy.route("http://tuf.test/a", Response::ok("a"));
  // "al:x" is 4 bytes: its base64 ends in "==" padding.
  env.set("http_proxy", "http://al:x@127.0.0.1:" + std::to_string(proxy.port()));
  auto options = test_options();
  options.use_proxy_env = true;
  tuf_io::HttpClient client(options);
  auto r = client.fetch("http://tuf.test/a", 100);
  INFO(error_text(r));
  REQUIRE(r.has_value());
  auto requests = proxy.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].header("Proxy-Authorization") == "Basic YWw6eA==");
}

TEST_CASE("http: https_proxy is used through CONNECT: a refused CONNECT is an error",
          "[io][http][proxy]") {
  EnvGuard env;
  HostileServer proxy;
  proxy.route("tuf.test:443", Response::status_only(403));
  env.set("https_proxy", "127.0.0.1:" + std::to_string(proxy.port()));  // scheme-less form
  auto options = test_options();
  options.use_proxy_env = true;
  tuf_io::HttpClient client(options);
  auto r = client.fetch("https://tuf.test/metadata/root.json", 100);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == tuf::Errc::transport);
  CHECK_THAT(r.error().detail, Contains("proxy refused CONNECT to tuf.test:443"));
  auto requests = proxy.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "CONNECT");
  CHECK(requests[0].target == "tuf.test:443");
}
