// Proxies for HttpClient: http_proxy / https_proxy / no_proxy and the route a request takes
// (http_internal.h). Only http:// proxy URLs are supported; user:password becomes Basic auth.
#include <cstdlib>

#include <boost/url/parse.hpp>
#include <openssl/evp.h>

#include "http_internal.h"

namespace tuf_io::http_detail {
namespace {

// Standard base64 with padding, for Basic proxy credentials.
std::string base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');  // EVP_EncodeBlock adds a NUL
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

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

}  // namespace

bool ProxyConfig::bypass(std::string_view host) const {
  if (no_proxy_all || is_loopback_host(host)) return true;
  for (const auto& entry : no_proxy) {
    if (host == entry) return true;
    if (host.size() > entry.size() && host.ends_with(entry) &&
        host[host.size() - entry.size() - 1] == '.')
      return true;
  }
  return false;
}

ProxyConfig ProxyConfig::from_env() {
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

Route ProxyConfig::route_for(const Target& t) const {
  Route r;
  const std::optional<ProxySpec>& proxy = t.https() ? https : http;
  bool proxied = proxy && !bypass(t.host);
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

}  // namespace tuf_io::http_detail
