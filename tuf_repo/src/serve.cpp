// `tufget index serve`: a small Boost.Beast HTTP/1.1 server for the local index.
//
// One io_context on the calling thread; each connection is a C++20 coroutine (keep-alive, an
// idle timeout, header and body limits). Only names checked against the index's own naming
// rules are turned into file paths, so no request can reach outside DIR.
#include "tuf_repo/serve.h"

// GCC 12 reports a false -Wmismatched-new-delete for Asio's coroutine frames (its operator
// new/delete pair is recycling-allocator based and matched).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <boost/url/pct_string_view.hpp>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <vector>

#include "fsutil/atomic_write.h"
#include "index_files.h"
#include "pkg/names.h"
#include "tuf_repo/error.h"
#include "tuf_repo/publish.h"

namespace tuf_repo {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;

constexpr std::string_view kJsonType = "application/vnd.pypi.simple.v1+json";
constexpr std::string_view kHtmlType = "application/vnd.pypi.simple.v1+html";

struct Context {
  fs::path dir;
  std::ostream* log = nullptr;
  bool consistent_snapshot = true;
};

// What to answer: a file from the index, or a short text body / redirect.
struct Reply {
  http::status status = http::status::not_found;
  std::string content_type = "text/plain; charset=utf-8";
  std::optional<fs::path> file;
  std::string body;
  std::string location;
  bool vary_accept = false;
};

Reply text(http::status s, std::string body) {
  Reply r;
  r.status = s;
  r.body = std::move(body);
  return r;
}
Reply not_found() { return text(http::status::not_found, "404 Not Found\n"); }
Reply redirect(std::string location) {
  Reply r = text(http::status::moved_permanently, "moved to " + location + "\n");
  r.location = std::move(location);
  return r;
}

Reply file_reply(const fs::path& p, std::string content_type) {
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) return not_found();
  Reply r;
  r.status = http::status::ok;
  r.file = p;
  r.content_type = std::move(content_type);
  return r;
}

// Splits the request target's path into percent-decoded segments. Returns nullopt for any
// traversal attempt or malformed escape: "." / ".." segments (raw or encoded), an encoded
// '/' or '\\', a raw '\\', NUL or other control characters.
std::optional<std::vector<std::string>> split_path(std::string_view target, bool& trailing_slash) {
  const auto end = target.find_first_of("?#");
  std::string_view path = target.substr(0, end);
  if (path.empty() || path.front() != '/') return std::nullopt;
  std::vector<std::string> segments;
  std::size_t pos = 1;
  for (;;) {
    const auto slash = path.find('/', pos);
    const std::string_view raw = path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    const auto encoded = boost::urls::make_pct_string_view(raw);
    if (!encoded) return std::nullopt;  // a malformed escape
    std::string seg = encoded->decode();
    for (const char c : seg)
      if (c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
        return std::nullopt;
    if (seg == "." || seg == "..") return std::nullopt;
    segments.push_back(std::move(seg));
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  trailing_slash = segments.size() > 1 && segments.back().empty();
  if (trailing_slash) segments.pop_back();
  for (const auto& s : segments)
    if (s.empty() && segments.size() > 1) return std::vector<std::string>{};  // "//": 404
  return segments;
}

// Accept negotiation (PEP 691): JSON only when the client ranks it strictly above HTML.
struct Preference {
  bool json = false;
  bool vnd_html = false;  // answer HTML as application/vnd.pypi.simple.v1+html
};

Preference negotiate(std::string_view accept) {
  double json_q = 0, text_html_q = 0, vnd_html_q = 0;
  bool any = false;
  std::size_t pos = 0;
  while (pos <= accept.size()) {
    auto comma = accept.find(',', pos);
    if (comma == std::string_view::npos) comma = accept.size();
    std::string_view item = accept.substr(pos, comma - pos);
    pos = comma + 1;
    double q = 1.0;
    const auto semi = item.find(';');
    std::string_view type = item.substr(0, semi);
    if (semi != std::string_view::npos) {
      std::string_view params = item.substr(semi + 1);
      const auto qpos = params.find("q=");
      if (qpos != std::string_view::npos) {
        try {
          q = std::stod(std::string(params.substr(qpos + 2)));
        } catch (...) {
          q = 0;
        }
      }
    }
    while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
    std::string t(type);
    for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (t.empty()) continue;
    any = true;
    if (t == kJsonType || t == "application/vnd.pypi.simple.latest+json") json_q = std::max(json_q, q);
    if (t == kHtmlType || t == "application/vnd.pypi.simple.latest+html") vnd_html_q = std::max(vnd_html_q, q);
    if (t == "text/html") text_html_q = std::max(text_html_q, q);
    if (t == "*/*" || t == "text/*") text_html_q = std::max(text_html_q, q);
    if (t == "*/*" || t == "application/*") json_q = std::max(json_q, q * 0.999);  // ties: HTML
  }
  Preference p;
  if (!any) return p;
  p.json = json_q > std::max(text_html_q, vnd_html_q);
  p.vnd_html = vnd_html_q > 0 && vnd_html_q >= text_html_q;
  return p;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool safe_file_chars(std::string_view s) {
  if (s.empty() || s.front() == '.') return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '+' || c == '!' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// "<64 hex>.<name><suffix>" with a normalised name: the name, else empty.
std::string hashed_page_name(std::string_view file, std::string_view suffix) {
  if (file.size() < 66 + suffix.size() || file[64] != '.' || !detail::is_lower_hex(file.substr(0, 64), 64) ||
      !ends_with(file, suffix))
    return {};
  std::string name(file.substr(65, file.size() - 65 - suffix.size()));
  return pkg::is_normalized_name(name) ? name : std::string();
}

Reply simple_page(const fs::path& base, std::string_view accept) {
  const Preference pref = negotiate(accept);
  Reply r = pref.json ? file_reply(base / "index.json", std::string(kJsonType))
                      : file_reply(base / "index.html", pref.vnd_html ? std::string(kHtmlType)
                                                                      : "text/html; charset=utf-8");
  r.vary_accept = true;
  return r;
}

Reply route(const Context& ctx, std::string_view target, std::string_view accept) {
  bool trailing = false;
  const auto parsed = split_path(target, trailing);
  if (!parsed) return text(http::status::bad_request, "400 Bad Request: refused path\n");
  const std::vector<std::string>& seg = *parsed;
  if (seg.empty() || seg[0].empty()) return not_found();
  const std::string& top = seg[0];

  if (top == "tuf-metadata" && seg.size() == 2 && !trailing) {
    if (!safe_file_chars(seg[1]) || !ends_with(seg[1], ".json")) return not_found();
    return file_reply(ctx.dir / "tuf-metadata" / seg[1], "application/json");
  }
  if (top == "simple") {
    if (seg.size() == 1) return trailing ? simple_page(ctx.dir / "simple", accept) : redirect("/simple/");
    const std::string& name = seg[1];
    if (!pkg::is_valid_project_name(name)) return not_found();
    const std::string norm = pkg::normalize_name(name);
    if (seg.size() == 2) {
      if (norm != name || !trailing) return redirect("/simple/" + norm + "/");
      return simple_page(ctx.dir / "simple" / name, accept);
    }
    if (seg.size() == 3 && !trailing && norm == name) {
      const std::string& file = seg[2];
      if (file == "index.html") return file_reply(ctx.dir / "simple" / name / file, "text/html; charset=utf-8");
      if (file == "index.json") return file_reply(ctx.dir / "simple" / name / file, std::string(kJsonType));
      if (hashed_page_name(file, ".html") == name)
        return file_reply(ctx.dir / "simple" / name / file, "text/html; charset=utf-8");
      if (hashed_page_name(file, ".json") == name)
        return file_reply(ctx.dir / "simple" / name / file, std::string(kJsonType));
    }
    return not_found();
  }
  if (top == "packages" && seg.size() == 5 && !trailing) {
    if (!detail::is_lower_hex(seg[1], 2) || !detail::is_lower_hex(seg[2], 2) || !detail::is_lower_hex(seg[3], 60) ||
        !safe_file_chars(seg[4]))
      return not_found();
    const bool metadata = ends_with(seg[4], ".metadata");
    return file_reply(ctx.dir / "packages" / seg[1] / seg[2] / seg[3] / seg[4],
                      metadata ? "text/plain; charset=utf-8" : "application/octet-stream");
  }
  if (top == "targets" && seg.size() == 2 && !trailing) {
    // TUF target URLs: <hash>.<target path> with consistent snapshots, else <target path>.
    const std::string name = hashed_page_name(seg[1], "");
    if (!name.empty())
      return file_reply(ctx.dir / "simple" / name / (seg[1] + ".html"), "text/html; charset=utf-8");
    if (!ctx.consistent_snapshot && pkg::is_normalized_name(seg[1]))
      return file_reply(ctx.dir / "simple" / seg[1] / "index.html", "text/html; charset=utf-8");
    return not_found();
  }
  return not_found();
}

template <class Response>
void common_headers(Response& res, const Reply& r, bool keep_alive) {
  res.set(http::field::server, "tufget-index");
  res.set(http::field::content_type, r.content_type);
  if (!r.location.empty()) res.set(http::field::location, r.location);
  if (r.vary_accept) res.set(http::field::vary, "Accept");
  res.keep_alive(keep_alive);
}

asio::awaitable<void> session(beast::tcp_stream stream, const Context& ctx) {
  beast::flat_buffer buffer;
  beast::error_code ec;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(64 * 1024);
    stream.expires_after(std::chrono::seconds(60));
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;  // end of stream, timeout, or a malformed request: close
    const auto& req = parser.get();
    const bool keep_alive = req.keep_alive();
    const bool head = req.method() == http::verb::head;
    Reply r;
    if (req.method() != http::verb::get && !head) {
      r = text(http::status::method_not_allowed, "405 Method Not Allowed\n");
    } else {
      r = route(ctx, req.target(), req[http::field::accept]);
    }
    if (ctx.log)
      *ctx.log << "tufget index: " << req.method_string() << " " << req.target() << " "
              << static_cast<unsigned>(r.status) << "\n";
    stream.expires_after(std::chrono::seconds(60));
    if (r.file) {
      http::response<http::file_body> res{r.status, req.version()};
      common_headers(res, r, keep_alive);
      res.body().open(r.file->c_str(), beast::file_mode::scan, ec);
      if (ec) {
        r = not_found();
      } else {
        res.prepare_payload();
        if (head) {
          http::response<http::empty_body> hres{r.status, req.version()};
          common_headers(hres, r, keep_alive);
          hres.content_length(res.body().size());
          co_await http::async_write(stream, hres, asio::redirect_error(asio::use_awaitable, ec));
        } else {
          co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
        }
        if (ec || !keep_alive) break;
        continue;
      }
    }
    http::response<http::string_body> res{r.status, req.version()};
    common_headers(res, r, keep_alive);
    if (r.status == http::status::method_not_allowed) res.set(http::field::allow, "GET, HEAD");
    res.body() = head ? std::string() : r.body;
    res.prepare_payload();
    if (head) res.content_length(r.body.size());
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !keep_alive) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> listen(tcp::acceptor& acceptor, const Context& ctx) {
  for (;;) {
    beast::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      continue;
    }
    // Without TCP_NODELAY a small response written in two parts (header, body) waits for the
    // client's delayed ACK: ~40 ms per request on a keep-alive connection.
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(acceptor.get_executor(), session(beast::tcp_stream(std::move(socket)), ctx),
                   asio::detached);
  }
}

}  // namespace

void serve_index(const fs::path& dir, const ServeOptions& options, std::ostream& out) {
  std::error_code fec;
  if (!fs::exists(dir / "index-state.json", fec) || !fs::is_directory(dir / "tuf-metadata", fec))
    throw RepoError(dir.string() + " is not a tufget index (run `tufget index init` first)");
  Context ctx;
  ctx.dir = fs::absolute(dir);
  ctx.log = options.log;
  ctx.consistent_snapshot = index_consistent_snapshot(dir);

  asio::io_context ioc(1);
  beast::error_code ec;
  const auto address = asio::ip::make_address(options.bind, ec);
  if (ec) throw RepoError("--bind: '" + options.bind + "' is not an IP address");
  if (!address.is_loopback() && options.log)
    *options.log << "tufget index: warning: serving on a non-loopback address (" << options.bind
              << "): anyone who can reach it can read the index\n";
  tcp::acceptor acceptor(ioc);
  const tcp::endpoint endpoint(address, options.port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw RepoError("cannot listen on " + options.bind + ":" + std::to_string(options.port) + ": " + ec.message());
  const unsigned short port = acceptor.local_endpoint().port();

  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const beast::error_code&, int) {
    beast::error_code ignored;
    acceptor.close(ignored);
    ioc.stop();
  });
  asio::co_spawn(ioc, listen(acceptor, ctx), asio::detached);

  const std::string host = address.is_v6() ? "[" + options.bind + "]" : options.bind;
  out << "serving " << dir.string() << " on http://" << host << ":" << port << std::endl;
  if (options.port_file) {
    const auto written = fsutil::write_file_atomic(*options.port_file, std::to_string(port) + "\n",
                                                   {0644, /*durable=*/false});
    if (!written) throw RepoError(written.error().message());
  }
  ioc.run();
  out << "stopped serving " << dir.string() << std::endl;
}

}  // namespace tuf_repo
