// Simple repository API project pages: PEP 503 HTML (with PEP 592 yanking, PEP 658/714 core
// metadata, PEP 629 repository version) and PEP 691 JSON.
//
// Both parsers are pure: page bytes and the page's own URL in, a ProjectPage out. The caller
// decides whether the bytes are trusted (in tufget: verified against the project's bin before
// they get here). Guarantees for every returned DistFile:
//   - `url` is absolute (http, https or file), resolved with Boost.URL against the page URL
//     or the HTML page's first <base href>, has no fragment, dot segments removed, scheme and
//     host lowercased;
//   - `filename` is a plain file name: not empty, not "." or "..", no '/', '\\' or NUL;
//   - hash names are lowercase, values lowercase hex; a hash whose value is not hex is dropped
//     (the file then simply lacks that hash, and a downloader requiring it refuses the file).
// Links that cannot meet these are left out and described in ProjectPage::skipped.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pkg/error.h"

namespace pkg {

// Hash algorithm name ("sha256", "blake2b-256", ...) -> hex digest.
using Hashes = std::map<std::string, std::string>;

struct CoreMetadata {
  bool available = false;  // PEP 658: "<url>.metadata" is served
  Hashes hashes;           // may be empty even when available ("true")
  bool operator==(const CoreMetadata&) const = default;
};

struct DistFile {
  std::string filename;
  std::string url;  // absolute, no fragment
  Hashes hashes;    // HTML: from the "#<algo>=<hex>" fragment; JSON: "hashes"
  std::optional<std::string> requires_python;  // HTML-unescaped; absent or empty -> nullopt
  bool yanked = false;                         // PEP 592: data-yanked present, even empty
  std::optional<std::string> yanked_reason;    // set only for a non-empty reason
  CoreMetadata core_metadata;  // data-core-metadata, else data-dist-info-metadata (PEP 714)
  std::optional<bool> gpg_sig;  // data-gpg-sig / "gpg-sig"
  std::optional<std::uint64_t> size;        // JSON (PEP 700) only
  std::optional<std::string> upload_time;   // JSON (PEP 700) only, as written

  // The sha256 digest, when the page gives one.
  std::optional<std::string> sha256() const;
};

struct ProjectPage {
  std::optional<std::string> name;  // JSON "name"; HTML pages carry no reliable name: nullopt
  std::optional<std::string> api_version;  // JSON meta.api-version / HTML pypi:repository-version
  std::vector<DistFile> files;             // in page order
  std::vector<std::string> versions;       // JSON "versions" (PEP 700), else empty
  std::vector<std::string> skipped;        // one sentence per link that was left out
};

// Limits on what the HTML tokenizer accepts. An <a> tag beyond them is skipped (and reported in
// `skipped`), never read past: the parser never reads outside `page`.
inline constexpr std::size_t kMaxHtmlAttributes = 64;           // per tag
inline constexpr std::size_t kMaxHtmlAttributeBytes = 64 * 1024;  // per value, before unescaping
inline constexpr std::size_t kMaxPageFiles = 1'000'000;

// Resolves a link `reference` (as found in a page, HTML-unescaped, fragment allowed and dropped)
// against the absolute URL `base`, the way the page parsers do: RFC 3986 section 5.2 reference
// resolution (dot segments removed, ".." never climbs above the root), bytes that cannot appear
// in a URI percent-encoded as browsers do, scheme and host lowercased. Errors (invalid_url):
// `base` not absolute, `reference` unparseable, or a result that is not http(s) with a host, or
// file.
Result<std::string> resolve_url(std::string_view base, std::string_view reference);

// PEP 503 HTML project page. Tolerant like a browser: tag and attribute names in any case,
// values quoted with " or ' or unquoted, character references (named, decimal, hex), comments,
// doctype, script/style contents, whitespace and newlines inside tags. Errors (invalid_url /
// invalid_page / unsupported): `page_url` not an absolute URL, more than kMaxPageFiles links,
// or a repository-version with a major version other than 1 (PEP 629: clients must refuse).
Result<ProjectPage> parse_simple_html(std::string_view page, std::string_view page_url);

// PEP 691 JSON project page (application/vnd.pypi.simple.v1+json). Errors: not JSON, missing
// or mistyped required keys (meta.api-version, name, files[].filename/url/hashes), an
// api-version whose major is not 1, `page_url` not absolute.
Result<ProjectPage> parse_simple_json(std::string_view page, std::string_view page_url);

}  // namespace pkg
