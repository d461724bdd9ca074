// `tufget index serve`: the local index over HTTP/1.1 (Boost.Beast), for demos and tests.
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

namespace tuf_repo {

struct ServeOptions {
  std::string bind = "127.0.0.1";
  unsigned short port = 0;  // 0: an ephemeral port
  std::optional<std::filesystem::path> port_file;  // gets the port number once listening
  std::ostream* log = nullptr;  // one line per request, and warnings; none when null
};

// Serves DIR until SIGINT or SIGTERM. URL layout (docs/index.md):
//   /tuf-metadata/<file>.json            TUF metadata
//   /simple/ , /simple/<name>/            PEP 503 HTML, or PEP 691 JSON when Accept prefers
//                                         application/vnd.pypi.simple.v1+json
//   /simple/<name>/<hash>.<name>.html     the signed detail page (and .json, index.html/json)
//   /packages/<aa>/<bb>/<60 hex>/<file>   distributions and their PEP 658 .metadata files
//   /targets/<hash>.<name>                the signed detail page under its TUF target URL
// Anything else is 404; a path with a "." or ".." segment (raw or percent-encoded), an encoded
// '/' or '\\', or a bad escape is refused with 400. Throws RepoError if it cannot listen.
void serve_index(const std::filesystem::path& dir, const ServeOptions& options, std::ostream& out);

}  // namespace tuf_repo
