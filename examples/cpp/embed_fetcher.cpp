// embed_fetcher: embedding tuf_core (the C++ API) with a fetcher of your own.
//
// tuf::Updater never does I/O. This program is everything around it, in about 300 lines of
// plain POSIX and the standard library, with no dependency on tufget's own I/O layer:
//
//   - a deliberately small HTTP/1.0 client (one GET per connection, http:// only, no TLS, no
//     redirects, no proxies) that enforces the updater's byte limit while reading;
//   - a metadata store in a directory, written atomically (temporary file, fsync, rename);
//   - the poll loop: ask next(), answer Fetch/LoadCached with deliver()/fail(), store Persist,
//     collect each lookup's and each download's own result by id, stop at Done/Failed.
//
// Usage:
//   embed_fetcher --root ROOT.json --metadata-url URL --target-base-url URL
//                 --cache DIR --target PATH [--out FILE]
// Prints "<sha256 hex>  <target path>" of the verified target. Exit status: 0 on success,
// 1 when the update fails (verification or transport), 2 on a command-line error.
//
// A real embedder swaps fetch_http() for its own transport (an event loop, a download manager
// with progress bars, a CDN client): the updater only ever sees bytes and three kinds of
// failure (not_found, too_large, transport).
#include <netdb.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>

#include "tuf/bytes.h"
#include "tuf/error.h"
#include "tuf/hash.h"
#include "tuf/updater.h"

namespace fs = std::filesystem;

namespace {

// ---- the custom fetcher: HTTP/1.0 GET over a POSIX socket ------------------------------------

// Closes a file descriptor on scope exit.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

tuf::Error transport_error(tuf::Errc code, std::string detail) {
  return tuf::Error{code, "", std::move(detail), "", ""};
}

// GETs `url` (http://HOST[:PORT]/PATH) and returns the body, reading at most max_bytes + 1
// bytes of it: one byte more than allowed is enough to know the server sent too much.
tuf::Result<std::string> fetch_http(const std::string& url, std::uint64_t max_bytes) {
  constexpr std::string_view scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0) {
    return std::unexpected(transport_error(tuf::Errc::transport, "only http:// URLs: " + url));
  }
  const std::string rest = url.substr(scheme.size());
  const auto slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  const std::string path = slash == std::string::npos ? "/" : rest.substr(slash);
  std::string host = authority, port = "80";
  if (const auto colon = authority.rfind(':'); colon != std::string::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return std::unexpected(
        transport_error(tuf::Errc::transport, host + ": " + ::gai_strerror(rc)));
  }
  int connected = -1;
  for (addrinfo* ai = found; ai && connected < 0; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
      connected = fd;
    } else {
      ::close(fd);
    }
  }
  ::freeaddrinfo(found);
  if (connected < 0) {
    return std::unexpected(transport_error(tuf::Errc::transport,
                                           "cannot connect to " + authority + ": " +
                                               std::strerror(errno)));
  }
  Fd sock(connected);
  timeval timeout{30, 0};  // a stalled server is a transport failure, not a hang
  ::setsockopt(sock.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(sock.fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);

  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: " + authority +
                              "\r\nUser-Agent: embed_fetcher\r\nConnection: close\r\n\r\n";
  for (std::size_t sent = 0; sent < request.size();) {
    const ssize_t n = ::send(sock.fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return std::unexpected(transport_error(tuf::Errc::transport, "send failed"));
    }
    sent += static_cast<std::size_t>(n);
  }

  // Headers (capped), then the body up to max_bytes + 1.
  constexpr std::size_t kMaxHeader = 64 * 1024;
  std::string data;
  std::size_t header_end = std::string::npos;
  std::uint64_t body_cap = 0;
  char buf[16 * 1024];
  for (;;) {
    if (header_end != std::string::npos && data.size() - header_end > body_cap) break;
    const ssize_t n = ::recv(sock.fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return std::unexpected(transport_error(tuf::Errc::transport, "receive failed or timed out"));
    }
    if (n == 0) break;  // HTTP/1.0: the body ends when the server closes
    data.append(buf, static_cast<std::size_t>(n));
    if (header_end == std::string::npos) {
      const auto pos = data.find("\r\n\r\n");
      if (pos == std::string::npos) {
        if (data.size() > kMaxHeader) {
          return std::unexpected(transport_error(tuf::Errc::transport, "header too long"));
        }
        continue;
      }
      header_end = pos + 4;
      body_cap = max_bytes;  // read one byte past it, then stop
    }
  }
  if (header_end == std::string::npos) {
    return std::unexpected(transport_error(tuf::Errc::transport, "truncated response header"));
  }

  // "HTTP/1.x SSS reason"
  int status = 0;
  const std::string_view status_line(data.data(), data.find("\r\n"));
  if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/" ||
      std::from_chars(status_line.data() + 9, status_line.data() + 12, status).ec !=
          std::errc()) {
    return std::unexpected(transport_error(tuf::Errc::transport, "malformed status line"));
  }
  if (status == 404 || status == 410) {
    return std::unexpected(transport_error(tuf::Errc::not_found, "HTTP " + std::to_string(status)));
  }
  if (status != 200) {
    return std::unexpected(transport_error(tuf::Errc::transport, "HTTP " + std::to_string(status)));
  }
  std::string body = data.substr(header_end);
  if (body.size() > max_bytes) {
    return std::unexpected(transport_error(
        tuf::Errc::too_large, "server sent more than " + std::to_string(max_bytes) + " bytes"));
  }
  return body;
}

// ---- the metadata store: one file per role, written atomically -------------------------------

// Temporary file in the same directory, fsync, rename over the old file: a crash leaves the old
// or the new copy, never a torn one (and the core re-verifies whatever it loads anyway).
void write_atomically(const fs::path& path, std::string_view bytes) {
  const fs::path tmp = path.string() + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw std::system_error(errno, std::generic_category(), tmp.string());
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size() &&
                  std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
  if (std::fclose(f) != 0 || !ok) {
    throw std::system_error(errno, std::generic_category(), "writing " + tmp.string());
  }
  fs::rename(tmp, path);
}

class DirStore {
 public:
  explicit DirStore(fs::path dir) : dir_(std::move(dir)) { fs::create_directories(dir_); }

  // The stored copy of `role`, or nullopt when there is none or it is longer than max_bytes
  // (a copy that long is not usable: the updater fetches the file instead).
  std::optional<std::string> load(const std::string& role, std::uint64_t max_bytes) const {
    std::ifstream in(file(role), std::ios::binary);
    if (!in) return std::nullopt;
    std::string bytes(max_bytes < kChunk ? max_bytes + 1 : kChunk, '\0');
    std::string out;
    while (in.read(bytes.data(), static_cast<std::streamsize>(bytes.size())) || in.gcount()) {
      out.append(bytes.data(), static_cast<std::size_t>(in.gcount()));
      if (out.size() > max_bytes) return std::nullopt;
    }
    return out;
  }

  void persist(const std::string& role, std::string_view bytes) const {
    write_atomically(file(role), bytes);
  }

  fs::path file(const std::string& role) const {
    // Role names are escaped (percent-encoding) so they are safe file names.
    return dir_ / (tuf::quote_role_name(role) + ".json");
  }

 private:
  static constexpr std::uint64_t kChunk = 64 * 1024;
  fs::path dir_;
};

// ---- the poll loop -----------------------------------------------------------------------------

// What the operations started on an updater reported, by their ids. Each lookup and each
// download reports exactly once; a failure is that operation's alone.
struct Outcomes {
  std::map<tuf::LookupId, tuf::Result<std::optional<tuf::FoundTarget>>> lookups;
  std::map<tuf::DownloadId, tuf::Result<std::string>> downloads;
};

// Answers one Fetch or LoadCached. deliver() takes the bytes (no copy). Its result only says
// whether a target's bytes were refused on the spot; the download's DownloadFailed follows.
void answer(tuf::Updater& updater, const DirStore& store, const tuf::Action& action) {
  if (auto* f = std::get_if<tuf::Fetch>(&action)) {
    auto body = fetch_http(f->url, f->max_bytes);
    (void)(body ? updater.deliver(f->id, std::move(*body)) : updater.fail(f->id, body.error()));
  } else if (auto* l = std::get_if<tuf::LoadCached>(&action)) {
    // The stored copy is read only up to the cap the request carries.
    if (auto bytes = store.load(l->role, l->max_bytes)) {
      (void)updater.deliver(l->id, std::move(*bytes));
    } else {
      (void)updater.fail(l->id, transport_error(tuf::Errc::not_found, "no usable local copy"));
    }
  }
}

// Polls until every operation started on the updater has reported (Done). Lookup and download
// results go to `out`; the error returned is a failed refresh's (or a broken loop's).
tuf::Result<void> run(tuf::Updater& updater, const DirStore& store, Outcomes& out) {
  for (;;) {
    tuf::Action action = updater.next();
    if (std::holds_alternative<tuf::Fetch>(action) ||
        std::holds_alternative<tuf::LoadCached>(action)) {
      answer(updater, store, action);
    } else if (auto* p = std::get_if<tuf::Persist>(&action)) {
      store.persist(p->role, p->bytes);
    } else if (auto* d = std::get_if<tuf::LookupDone>(&action)) {
      out.lookups.insert_or_assign(d->id, std::move(d->found));
    } else if (auto* lf = std::get_if<tuf::LookupFailed>(&action)) {
      out.lookups.insert_or_assign(lf->id, std::unexpected(lf->error));
    } else if (auto* t = std::get_if<tuf::TargetReady>(&action)) {
      out.downloads.insert_or_assign(t->id, std::move(t->bytes));
    } else if (auto* df = std::get_if<tuf::DownloadFailed>(&action)) {
      out.downloads.insert_or_assign(df->id, std::unexpected(df->error));
    } else if (std::holds_alternative<tuf::Waiting>(action)) {
      // Every request above is answered before polling again, so nothing is ever outstanding
      // here. A concurrent fetcher would wait for one of its transfers to finish instead.
      return std::unexpected(transport_error(tuf::Errc::usage, "waiting with nothing in flight"));
    } else if (std::holds_alternative<tuf::Done>(action)) {
      return {};
    } else {
      return std::unexpected(std::get<tuf::Failed>(action).error);
    }
  }
}

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int usage() {
  std::cerr << "usage: embed_fetcher --root ROOT.json --metadata-url URL --target-base-url URL"
               " --cache DIR --target PATH [--out FILE]\n";
  return 2;
}

int fail_with(const tuf::Error& e) {
  std::cerr << "embed_fetcher: " << e.message() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) try {
  std::map<std::string, std::string> opt;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0 || i + 1 >= argc) return usage();
    opt[arg.substr(2)] = argv[++i];
  }
  for (const char* required : {"root", "metadata-url", "target-base-url", "cache", "target"}) {
    if (!opt.count(required)) return usage();
  }
  const DirStore store(opt["cache"]);

  // The trusted root: the newest one persisted by an earlier run, else the bootstrap root.
  auto root = store.load("root", tuf::UpdaterConfig{}.root_max_length);
  if (!root) root = read_file(opt["root"]);
  if (!root) {
    std::cerr << "embed_fetcher: cannot read " << opt["root"] << "\n";
    return 1;
  }
  auto updater = tuf::Updater::create(tuf::as_bytes(*root), opt["metadata-url"]);
  if (!updater) return fail_with(updater.error());

  // 1. Refresh: the clock is read here, once; the core never reads it.
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  Outcomes out;
  if (auto ok = updater->start_refresh(now); !ok) return fail_with(ok.error());
  if (auto ok = run(*updater, store, out); !ok) return fail_with(ok.error());

  // 2. Lookup through the delegation graph. Any number of lookups may be started before
  // running the loop; each reports under its own id.
  const std::string target = opt["target"];
  auto lookup = updater->start_lookup(target);
  if (!lookup) return fail_with(lookup.error());
  if (auto ok = run(*updater, store, out); !ok) return fail_with(ok.error());
  auto& found = out.lookups.at(*lookup);
  if (!found) return fail_with(found.error());
  if (!*found) {
    return fail_with(tuf::Error{tuf::Errc::target_not_found, target,
                                "no trusted targets metadata lists it", "", ""});
  }

  // 3. Download from the lookup's result: the bytes come back only after their length and
  // hashes verified against the metadata that listed them.
  auto id = updater->start_download(**found, opt["target-base-url"]);
  if (!id) return fail_with(id.error());
  if (auto ok = run(*updater, store, out); !ok) return fail_with(ok.error());
  const auto& bytes = out.downloads.at(*id);
  if (!bytes) return fail_with(bytes.error());

  if (opt.count("out")) write_atomically(opt["out"], *bytes);
  std::cout << tuf::digest_hex(tuf::HashAlg::sha256, tuf::as_bytes(*bytes)) << "  " << target
            << "\n";
  return 0;
} catch (const std::exception& e) {
  std::cerr << "embed_fetcher: " << e.what() << "\n";
  return 1;
}
