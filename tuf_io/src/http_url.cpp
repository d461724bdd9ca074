// URLs for HttpClient: parsing a request target, resolving a redirect (http_internal.h).
#include <algorithm>
#include <cctype>

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>

#include "http_internal.h"

namespace tuf_io::http_detail {

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

std::expected<Target, std::string> redirect_target(const Target& from, std::string_view location,
                                                   const std::vector<std::string>& visited) {
  auto ref = urls::parse_uri_reference(location);
  if (!ref) return std::unexpected("redirect with an invalid Location: " + std::string(location));
  urls::url next(from.url);
  if (auto r = next.resolve(*ref); !r) return std::unexpected("cannot resolve redirect to " + std::string(location));
  auto target = parse_target(next);
  if (!target) return std::unexpected("redirect to " + std::string(location) + ": " + target.error());
  if (target->scheme == urls::scheme::file) return std::unexpected("refusing redirect to a file: URL");
  if (from.https() && !target->https()) return std::unexpected("refusing redirect from https to " + target->text);
  if (std::find(visited.begin(), visited.end(), target->text) != visited.end())
    return std::unexpected("redirect loop (back to " + target->text + ")");
  return target;
}

}  // namespace tuf_io::http_detail
