// fuzz_simple_page: the simple-index page parsers (PEP 503 HTML, PEP 691 JSON) and resolve_url
// on fuzzer-chosen bytes.
//
// Input: one selector byte (bit 0: HTML or JSON; bits 1-2: which page URL), then the page.
// Invariants (any violation aborts):
//   - parsing never crashes or reads out of bounds (ASan/UBSan), and gives the same result twice;
//   - a failure has code invalid_page or unsupported (the page URLs are all valid);
//   - every file's URL is absolute (Boost.URL parse_uri succeeds), http(s) with a host or file,
//     without fragment, and resolving it again against the page URL gives it back unchanged;
//   - every file name is plain (not empty, ".", ".."; no '/', '\\', control characters);
//   - hash names and values are lowercase, values hex; core-metadata hashes only when available;
//     a yank reason only when yanked;
//   - JSON pages carry a name; HTML pages do not.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <boost/url/parse.hpp>

#include "pkg/simple_page.h"

namespace {

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "fuzz_simple_page: invariant violated: %s\n", what);
  std::abort();
}
#define CHECK(cond)               \
  do {                            \
    if (!(cond)) violated(#cond); \
  } while (0)

constexpr std::string_view kPageUrls[] = {
    "https://pypi.org/simple/sampleproject/",
    "http://127.0.0.1:8080/simple/x/0123abcd.x.html",
    "file:///srv/index/simple/x/index.html",
    "https://a/b/c/d;p?q",
};

bool plain_filename(std::string_view f) {
  if (f.empty() || f == "." || f == "..") return false;
  for (char c : f) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '/' || c == '\\') return false;
  }
  return true;
}

bool lower_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return !s.empty();
}

bool lower_name(std::string_view s) {
  for (char c : s)
    if (c >= 'A' && c <= 'Z') return false;
  return !s.empty();
}

void check_hashes(const pkg::Hashes& hashes) {
  for (const auto& [name, value] : hashes) {
    CHECK(lower_name(name));
    CHECK(lower_hex(value));
  }
}

bool same(const pkg::ProjectPage& a, const pkg::ProjectPage& b) {
  if (a.name != b.name || a.api_version != b.api_version || a.versions != b.versions ||
      a.skipped != b.skipped || a.files.size() != b.files.size())
    return false;
  for (std::size_t i = 0; i < a.files.size(); ++i) {
    const auto& x = a.files[i];
    const auto& y = b.files[i];
    if (x.filename != y.filename || x.url != y.url || x.hashes != y.hashes ||
        x.requires_python != y.requires_python || x.yanked != y.yanked ||
        x.yanked_reason != y.yanked_reason || !(x.core_metadata == y.core_metadata) ||
        x.gpg_sig != y.gpg_sig || x.size != y.size || x.upload_time != y.upload_time)
      return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  const bool json = selector & 1;
  const std::string_view page_url = kPageUrls[(selector >> 1) & 3];
  // A copy of exactly the page bytes, so ASan sees any read past the end.
  const std::string page(reinterpret_cast<const char*>(data + 1), size - 1);

  auto parse = [&] {
    return json ? pkg::parse_simple_json(page, page_url) : pkg::parse_simple_html(page, page_url);
  };
  const auto result = parse();
  const auto again = parse();
  CHECK(result.has_value() == again.has_value());
  if (!result) {
    CHECK(result.error().code == pkg::Errc::invalid_page ||
          result.error().code == pkg::Errc::unsupported);
    CHECK(result.error().code == again.error().code);
    return 0;
  }
  CHECK(same(*result, *again));
  CHECK(json == result->name.has_value());

  for (const pkg::DistFile& f : result->files) {
    CHECK(plain_filename(f.filename));
    auto u = boost::urls::parse_uri(f.url);
    CHECK(u.has_value());
    CHECK(!u->has_fragment());
    const std::string_view scheme(u->scheme().data(), u->scheme().size());
    CHECK(scheme == "http" || scheme == "https" || scheme == "file");
    if (scheme != "file") CHECK(u->has_authority() && !u->encoded_host().empty());
    auto again_url = pkg::resolve_url(page_url, f.url);
    CHECK(again_url.has_value());
    CHECK(*again_url == f.url);
    check_hashes(f.hashes);
    check_hashes(f.core_metadata.hashes);
    if (!f.core_metadata.available) CHECK(f.core_metadata.hashes.empty());
    if (f.yanked_reason) CHECK(f.yanked && !f.yanked_reason->empty());
    if (f.requires_python) CHECK(!f.requires_python->empty());
  }
  return 0;
}
