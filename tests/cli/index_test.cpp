// Tests for the local TUF-enabled index (cli/index_*.cpp), through the built `tufget` binary:
// init/add/publish write a repository that tuf_core's TrustedSet verifies from 1.root.json down
// to the project's hash bin and its simple page; `serve` answers the URLs of docs/index.md.
// Wheels are written here with a minimal stored-zip writer (independent of libzip, which the
// index uses to read them).
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/zip_writer.h"
#include "tuf_repo/serialize.h"
#include "tuf/hash.h"
#include "tuf/metadata.h"
#include "tuf/trusted_set.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;

// ---- helpers -------------------------------------------------------------------------------------

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "tufget-index-test-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE(in);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const fs::path& p, std::string_view data) {
  std::ofstream out(p, std::ios::binary);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  REQUIRE(out);
}

tuf::Timestamp now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

std::string hex_of(tuf::HashAlg alg, std::string_view data) {
  return tuf::digest_hex(alg, tuf::as_bytes(data));
}

struct RunResult {
  int status = -1;
  std::string output;  // stdout and stderr
};

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out.push_back(c);
  }
  return out + "'";
}

RunResult tufget(const std::vector<std::string>& args) {
  std::string cmd = quote(TUFGET_BINARY);
  for (const auto& a : args) cmd += " " + quote(a);
  cmd += " 2>&1";
  RunResult r;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  const int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

void tufget_ok(const std::vector<std::string>& args) {
  const RunResult r = tufget(args);
  INFO(r.output);
  REQUIRE(r.status == 0);
}

std::string make_zip(const std::vector<test_zip::ZipEntry>& entries) {
  return test_zip::stored_zip(entries);
}

std::string wheel_metadata(const std::string& name, const std::string& version,
                           const std::string& requires_python) {
  std::string m = "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n";
  if (!requires_python.empty()) m += "Requires-Python: " + requires_python + "\n";
  m += "Summary: a test package\n\nLong description.\n";
  return m;
}

// Writes dir/<dist>-<version>-py3-none-any.whl; returns its path.
fs::path make_wheel(const fs::path& dir, const std::string& dist, const std::string& version,
                    const std::string& requires_python = "",
                    std::string metadata_name = "") {
  if (metadata_name.empty()) metadata_name = dist;
  const std::string info = dist + "-" + version + ".dist-info/";
  const std::string metadata = wheel_metadata(metadata_name, version, requires_python);
  const std::string init = "VALUE = 1\n";
  const std::string wheel = "Wheel-Version: 1.0\nGenerator: tufget-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n";
  const std::string record = "pkg/__init__.py,,\n" + info + "METADATA,,\n" + info + "WHEEL,,\n" +
                             info + "RECORD,,\n";
  const fs::path p = dir / (dist + "-" + version + "-py3-none-any.whl");
  spit(p, make_zip({{"pkg/__init__.py", init},
                    {info + "METADATA", metadata},
                    {info + "WHEEL", wheel},
                    {info + "RECORD", record}}));
  return p;
}

// ---- verification with tuf_core -------------------------------------------------------------------

fs::path meta(const fs::path& index, const std::string& file) { return index / "tuf-metadata" / file; }

// Verifies root (with rotations up to `root_version`), timestamp, snapshot and targets from
// the index's files, the way a client would.
tuf::TrustedSet verified_top_level(const fs::path& index, std::uint64_t root_version = 1) {
  const std::string root1 = slurp(meta(index, "1.root.json"));
  auto ts = tuf::TrustedSet::create(tuf::as_bytes(root1), now());
  INFO((ts ? std::string() : ts.error().message()));
  REQUIRE(ts.has_value());
  for (std::uint64_t v = 2; v <= root_version; ++v) {
    const std::string next = slurp(meta(index, std::to_string(v) + ".root.json"));
    auto r = ts->update_root(tuf::as_bytes(next));
    INFO((r ? std::string() : r.error().message()));
    REQUIRE(r.has_value());
  }
  REQUIRE(ts->check_root_not_expired().has_value());
  const bool consistent = ts->root().signed_part.consistent_snapshot;
  const std::string timestamp = slurp(meta(index, "timestamp.json"));
  auto r = ts->update_timestamp(tuf::as_bytes(timestamp));
  INFO((r ? std::string() : r.error().message()));
  REQUIRE(r.has_value());
  const std::uint64_t sv = ts->timestamp()->signed_part.snapshot_meta.version;
  const std::string snapshot =
      slurp(meta(index, consistent ? std::to_string(sv) + ".snapshot.json" : "snapshot.json"));
  r = ts->update_snapshot(tuf::as_bytes(snapshot));
  INFO((r ? std::string() : r.error().message()));
  REQUIRE(r.has_value());
  const std::uint64_t tv = ts->snapshot()->signed_part.meta.at("targets.json").version;
  const std::string targets =
      slurp(meta(index, consistent ? std::to_string(tv) + ".targets.json" : "targets.json"));
  r = ts->update_targets(tuf::as_bytes(targets));
  INFO((r ? std::string() : r.error().message()));
  REQUIRE(r.has_value());
  return std::move(*ts);
}

// Verifies the bin of `project` and returns its role name.
std::string verify_bin(tuf::TrustedSet& ts, const fs::path& index, const std::string& project) {
  const auto& delegations = ts.targets()->signed_part.delegations;
  REQUIRE(delegations.has_value());
  REQUIRE(delegations->succinct_roles.has_value());
  const std::string role = delegations->succinct_roles->role_for_target(project);
  const std::uint64_t v = ts.snapshot()->signed_part.meta.at(role + ".json").version;
  const bool consistent = ts.root().signed_part.consistent_snapshot;
  const std::string bytes =
      slurp(meta(index, consistent ? std::to_string(v) + "." + role + ".json" : role + ".json"));
  auto r = ts.update_delegated_targets(tuf::as_bytes(bytes), role, "targets");
  INFO((r ? std::string() : r.error().message()));
  REQUIRE(r.has_value());
  return role;
}

// The verified simple page of `project`: the bin's target info checked against the file the
// index stores under simple/<name>/<blake2b>.<name>.html.
std::string verified_page(tuf::TrustedSet& ts, const fs::path& index, const std::string& project) {
  const std::string role = verify_bin(ts, index, project);
  const auto& targets = ts.targets(role)->signed_part.targets;
  REQUIRE(targets.count(project) == 1);
  const tuf::TargetFile& info = targets.at(project);
  REQUIRE(info.hashes.size() == 1);
  REQUIRE(info.hashes[0].first == "blake2b-256");
  const std::string page =
      slurp(index / "simple" / project / (info.hashes[0].second + "." + project + ".html"));
  CHECK(page.size() == info.length);
  CHECK(tuf::verify_hashes(project, info.hashes, tuf::as_bytes(page), true).has_value());
  return page;
}

std::uint64_t snapshot_version_of(const tuf::TrustedSet& ts, const std::string& role) {
  return ts.snapshot()->signed_part.meta.at(role + ".json").version;
}

std::string file_sha256(const fs::path& p) { return hex_of(tuf::HashAlg::sha256, slurp(p)); }

// ---- a tiny blocking HTTP/1.1 client over loopback --------------------------------------------------

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
};

int connect_loopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

std::string http_exchange(int port, const std::string& request) {
  const int fd = connect_loopback(port);
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    REQUIRE(n > 0);
    sent += static_cast<std::size_t>(n);
  }
  std::string raw;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return raw;
}

// Parses one response from the front of `raw`, consuming it.
HttpResponse parse_response(std::string& raw) {
  HttpResponse r;
  const auto end = raw.find("\r\n\r\n");
  REQUIRE(end != std::string::npos);
  std::istringstream head(raw.substr(0, end));
  std::string line;
  std::getline(head, line);
  REQUIRE(line.rfind("HTTP/1.1 ", 0) == 0);
  r.status = std::stoi(line.substr(9, 3));
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
  }
  const std::size_t length = r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
  REQUIRE(raw.size() >= end + 4 + length);
  r.body = raw.substr(end + 4, length);
  raw.erase(0, end + 4 + length);
  return r;
}

HttpResponse http_get(int port, const std::string& target, const std::string& accept = "",
                      const std::string& method = "GET") {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!accept.empty()) req += "Accept: " + accept + "\r\n";
  req += "Connection: close\r\n\r\n";
  std::string raw = http_exchange(port, req);
  if (method == "HEAD") {
    HttpResponse r;
    std::string head_only = raw;
    const auto end = head_only.find("\r\n\r\n");
    REQUIRE(end != std::string::npos);
    r.status = std::stoi(head_only.substr(9, 3));
    r.body = head_only.substr(end + 4);
    return r;
  }
  return parse_response(raw);
}

// The server as a child process on an ephemeral port.
class Server {
 public:
  explicit Server(const fs::path& index) : port_file_(index.parent_path() / "port") {
    const std::string bin = TUFGET_BINARY;
    const std::string dir = index.string(), pf = port_file_.string();
    const std::string log = (index.parent_path() / "serve.log").string();
    std::vector<std::string> args = {bin, "index", "serve", dir, "--port", "0", "--port-file", pf};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    const int rc = ::posix_spawn(&pid_, bin.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    REQUIRE(rc == 0);
    for (int i = 0; i < 1000 && port_ == 0; ++i) {
      std::ifstream in(port_file_);
      int p = 0;
      if (in >> p) port_ = p;
      else std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(port_ > 0);
  }
  ~Server() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  int port() const { return port_; }
  // Stops the server with SIGTERM and returns its exit status.
  int stop() {
    ::kill(pid_, SIGTERM);
    int st = 0;
    ::waitpid(pid_, &st, 0);
    pid_ = -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }

 private:
  fs::path port_file_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// An index with one published wheel of "Sample_Project" (normalised "sample-project").
struct PublishedIndex {
  TempDir tmp;
  fs::path index = tmp.path / "index";
  fs::path wheel;
  explicit PublishedIndex(std::vector<std::string> init_args = {"--bins", "16"}) {
    std::vector<std::string> args = {"index", "init", index.string()};
    args.insert(args.end(), init_args.begin(), init_args.end());
    tufget_ok(args);
    wheel = make_wheel(tmp.path, "Sample_Project", "1.0", ">=3.8, <4");
    tufget_ok({"index", "add", index.string(), wheel.string()});
    tufget_ok({"index", "publish", index.string()});
  }
};

}  // namespace

// ---- init ----------------------------------------------------------------------------------------

TEST_CASE("index init writes version-1 metadata that verifies from 1.root.json", "[cli][index]") {
  TempDir tmp;
  const fs::path index = tmp.path / "index";
  const RunResult r = tufget({"index", "init", index.string(), "--bins", "16"});
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK(r.output.find("DEVELOPMENT KEYS") != std::string::npos);

  for (const char* f : {"1.root.json", "1.targets.json", "1.snapshot.json", "timestamp.json"})
    CHECK(fs::is_regular_file(meta(index, f)));
  CHECK_FALSE(fs::exists(meta(index, "root.json")));  // the profile: N.root.json only
  for (const char* role : {"root", "timestamp", "snapshot", "targets", "bins"}) {
    const fs::path key = index / "keys" / (std::string(role) + ".json");
    REQUIRE(fs::is_regular_file(key));
    CHECK((fs::status(key).permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::owner_write));
    CHECK(slurp(key).find("DEVELOPMENT KEY") != std::string::npos);
  }

  tuf::TrustedSet ts = verified_top_level(index);
  const auto& root = ts.root().signed_part;
  CHECK(root.version == 1);
  CHECK(root.consistent_snapshot);
  for (const char* role : {"root", "timestamp", "snapshot", "targets"}) {
    REQUIRE(root.roles.count(role) == 1);
    CHECK(root.roles.at(role).threshold == 1);
    CHECK(root.roles.at(role).keyids.size() == 1);
  }
  // RSTUF's extra key fields survive in the signed bytes.
  CHECK(ts.root().canonical_signed.find("\"x-rstuf-key-name\"") != std::string::npos);
  CHECK(root.expires - now() > 364 * 86400);

  const auto& targets = ts.targets()->signed_part;
  REQUIRE(targets.delegations.has_value());
  REQUIRE(targets.delegations->succinct_roles.has_value());
  const auto& sr = *targets.delegations->succinct_roles;
  CHECK(sr.bit_length == 4);
  CHECK(sr.name_prefix == "bins");
  CHECK(sr.keys.keyids.size() == 1);
  CHECK(targets.delegations->keys.count(sr.keys.keyids[0]) == 1);
  CHECK(targets.targets.empty());

  // Snapshot: targets.json and every bin, versions only.
  const auto& snap = ts.snapshot()->signed_part;
  CHECK(snap.meta.size() == 17);
  for (const char* name : {"targets.json", "bins-0.json", "bins-9.json", "bins-f.json"}) {
    REQUIRE(snap.meta.count(name) == 1);
    CHECK(snap.meta.at(name).version == 1);
    CHECK_FALSE(snap.meta.at(name).length.has_value());
    CHECK(snap.meta.at(name).hashes.empty());
  }
  CHECK_FALSE(ts.timestamp()->signed_part.snapshot_meta.length.has_value());
  CHECK(ts.timestamp()->signed_part.snapshot_meta.hashes.empty());
  CHECK(ts.timestamp()->signed_part.expires - now() > 6 * 86400);
  CHECK(ts.timestamp()->signed_part.expires - now() <= 7 * 86400);

  // Every bin verifies, empty.
  for (int i = 0; i < 16; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "bins-%x", i);
    const std::string bytes = slurp(meta(index, std::string("1.") + name + ".json"));
    auto ok = ts.update_delegated_targets(tuf::as_bytes(bytes), name, "targets");
    INFO(name << (ok ? "" : ": " + ok.error().message()));
    REQUIRE(ok.has_value());
    CHECK(ts.targets(name)->signed_part.targets.empty());
  }

  // A second init on a non-empty directory is refused.
  CHECK(tufget({"index", "init", index.string()}).status == 1);
}

TEST_CASE("index init refuses bin counts that are not a power of two in 2..16384", "[cli][index]") {
  TempDir tmp;
  for (const char* bins : {"0", "1", "3", "100", "32768"}) {
    INFO(bins);
    CHECK(tufget({"index", "init", (tmp.path / bins).string(), "--bins", bins}).status != 0);
  }
  CHECK(tufget({"index", "init", (tmp.path / "k").string(), "--key-type", "dsa"}).status != 0);
}

// ---- add + publish -----------------------------------------------------------------------------

TEST_CASE("index publish signs the project's simple page in its hash bin", "[cli][index]") {
  PublishedIndex ix;
  const fs::path& index = ix.index;
  tuf::TrustedSet ts = verified_top_level(index);
  CHECK(ts.timestamp()->signed_part.version == 2);
  CHECK(ts.snapshot()->signed_part.version == 2);
  const std::string page = verified_page(ts, index, "sample-project");
  const std::string role = ts.targets()->signed_part.delegations->succinct_roles->role_for_target("sample-project");
  CHECK(ts.targets(role)->signed_part.version == 2);
  CHECK(snapshot_version_of(ts, role) == 2);

  // The distribution lives under packages/<b[0:2]>/<b[2:4]>/<b[4:]>/, by blake2b-256.
  const std::string wheel_bytes = slurp(ix.wheel);
  const std::string b = hex_of(tuf::HashAlg::blake2b_256, wheel_bytes);
  const std::string filename = ix.wheel.filename().string();
  const fs::path stored = index / "packages" / b.substr(0, 2) / b.substr(2, 2) / b.substr(4) / filename;
  REQUIRE(fs::is_regular_file(stored));
  CHECK(slurp(stored) == wheel_bytes);

  // PEP 658: the wheel's METADATA next to it, announced with its sha256.
  const fs::path metadata = fs::path(stored.string() + ".metadata");
  REQUIRE(fs::is_regular_file(metadata));
  CHECK(slurp(metadata) == wheel_metadata("Sample_Project", "1.0", ">=3.8, <4"));
  const std::string msha = file_sha256(metadata);

  // The PEP 503 link: relative URL with #sha256, escaped Requires-Python, metadata hashes.
  const std::string href = "../../packages/" + b.substr(0, 2) + "/" + b.substr(2, 2) + "/" +
                           b.substr(4) + "/" + filename + "#sha256=" +
                           hex_of(tuf::HashAlg::sha256, wheel_bytes);
  CHECK(page.find("href=\"" + href + "\"") != std::string::npos);
  CHECK(page.find("data-requires-python=\"&gt;=3.8, &lt;4\"") != std::string::npos);
  CHECK(page.find("data-dist-info-metadata=\"sha256=" + msha + "\"") != std::string::npos);
  CHECK(page.find("data-core-metadata=\"sha256=" + msha + "\"") != std::string::npos);
  CHECK(page.find(">" + filename + "</a>") != std::string::npos);

  // The unsigned index.html is byte-identical; the JSON page and the project list exist.
  CHECK(slurp(index / "simple" / "sample-project" / "index.html") == page);
  const std::string json = slurp(index / "simple" / "sample-project" / "index.json");
  CHECK(json.find("\"api-version\":\"1.1\"") != std::string::npos);
  CHECK(json.find("\"requires-python\":\">=3.8, <4\"") != std::string::npos);
  CHECK(json.find("\"core-metadata\":{\"sha256\":\"" + msha + "\"}") != std::string::npos);
  CHECK(fs::is_regular_file(index / "simple" / "sample-project" /
                            (hex_of(tuf::HashAlg::blake2b_256, json) + ".sample-project.json")));
  CHECK(slurp(index / "simple" / "index.html").find("href=\"sample-project/\"") != std::string::npos);

  // Every other bin is untouched.
  for (const auto& [name, info] : ts.snapshot()->signed_part.meta)
    if (name != role + ".json" && name != "targets.json") CHECK(info.version == 1);
}

TEST_CASE("index publish bumps exactly the versions that changed", "[cli][index]") {
  PublishedIndex ix;
  const fs::path& index = ix.index;
  const std::string role = [&] {
    tuf::TrustedSet ts = verified_top_level(index);
    return ts.targets()->signed_part.delegations->succinct_roles->role_for_target("sample-project");
  }();
  const std::string ts_v2 = slurp(meta(index, "timestamp.json"));

  // Nothing changed: new snapshot and timestamp (fresh expiry), no bin or targets version.
  tufget_ok({"index", "publish", index.string()});
  {
    tuf::TrustedSet ts = verified_top_level(index);
    CHECK(ts.timestamp()->signed_part.version == 3);
    CHECK(ts.snapshot()->signed_part.version == 3);
    CHECK(snapshot_version_of(ts, role) == 2);
    CHECK(snapshot_version_of(ts, "targets") == 1);
    CHECK_FALSE(fs::exists(meta(index, "3." + role + ".json")));
    verified_page(ts, index, "sample-project");
  }

  // A second file for the project (an sdist, and the same wheel again: a no-op).
  const fs::path sdist = ix.tmp.path / "sample_project-1.1.tar.gz";
  spit(sdist, "not really a tarball, the index does not open sdists");
  const RunResult added = tufget({"index", "add", index.string(), sdist.string(), ix.wheel.string()});
  INFO(added.output);
  REQUIRE(added.status == 0);
  CHECK(added.output.find("already in the index") != std::string::npos);
  // add alone signs nothing.
  CHECK(verified_top_level(index).timestamp()->signed_part.version == 3);

  tufget_ok({"index", "publish", index.string()});
  tuf::TrustedSet ts = verified_top_level(index);
  CHECK(ts.timestamp()->signed_part.version == 4);
  CHECK(ts.snapshot()->signed_part.version == 4);
  CHECK(snapshot_version_of(ts, role) == 3);
  const std::string page = verified_page(ts, index, "sample-project");
  CHECK(page.find("sample_project-1.1.tar.gz#sha256=" + file_sha256(sdist)) != std::string::npos);
  CHECK(page.find(ix.wheel.filename().string()) != std::string::npos);
  // History is kept: the older bin and page still exist; old snapshots are pruned to three.
  CHECK(fs::exists(meta(index, "2." + role + ".json")));
  CHECK(fs::exists(meta(index, "2.snapshot.json")));
  CHECK_FALSE(fs::exists(meta(index, "1.snapshot.json")));

  // A client holding timestamp v2 accepts v4 (no rollback), and would refuse the reverse.
  {
    auto client = tuf::TrustedSet::create(tuf::as_bytes(slurp(meta(index, "1.root.json"))), now());
    REQUIRE(client.has_value());
    REQUIRE(client->update_timestamp(tuf::as_bytes(ts_v2)).has_value());
    CHECK(client->update_timestamp(tuf::as_bytes(slurp(meta(index, "timestamp.json")))).has_value());
    CHECK_FALSE(client->update_timestamp(tuf::as_bytes(ts_v2)).has_value());
  }
}

TEST_CASE("index add refuses bad distributions and never rewrites a file name", "[cli][index]") {
  PublishedIndex ix;
  const fs::path& index = ix.index;
  const std::string state_before = slurp(index / "index-state.json");

  // Same file name, different bytes.
  const fs::path other = ix.tmp.path / "other";
  fs::create_directories(other);
  const fs::path changed = make_wheel(other, "Sample_Project", "1.0", ">=3.9");
  RunResult r = tufget({"index", "add", index.string(), changed.string()});
  CHECK(r.status == 1);
  CHECK(r.output.find("never reused") != std::string::npos);

  // A wheel whose METADATA names another project; a zip without METADATA; a bad file name.
  const fs::path liar = make_wheel(other, "honest", "1.0", "", "other-name");
  CHECK(tufget({"index", "add", index.string(), liar.string()}).status == 1);
  const fs::path empty = other / "empty-1.0-py3-none-any.whl";
  spit(empty, make_zip({{"empty/__init__.py", ""}}));
  CHECK(tufget({"index", "add", index.string(), empty.string()}).status == 1);
  const fs::path garbage = other / "garbage-1.0-py3-none-any.whl";
  spit(garbage, "this is not a zip file");
  CHECK(tufget({"index", "add", index.string(), garbage.string()}).status == 1);
  const fs::path badname = other / "no_version.whl";
  spit(badname, "x");
  CHECK(tufget({"index", "add", index.string(), badname.string()}).status == 1);
  CHECK(tufget({"index", "add", index.string(), (other / "missing-1.0.tar.gz").string()}).status == 1);
  // One bad file in a batch records nothing.
  const fs::path good = make_wheel(other, "good", "2.0");
  CHECK(tufget({"index", "add", index.string(), good.string(), garbage.string()}).status == 1);

  CHECK(slurp(index / "index-state.json") == state_before);
}

TEST_CASE("index publish --rotate-root writes 2.root.json that update_root accepts", "[cli][index]") {
  PublishedIndex ix;
  const fs::path& index = ix.index;
  const std::string old_root_key = slurp(index / "keys" / "root.json");
  const std::string old_ts_key = slurp(index / "keys" / "timestamp.json");
  const std::string old_targets_key = slurp(index / "keys" / "targets.json");
  tufget_ok({"index", "publish", index.string(), "--rotate-root", "--rotate-online"});

  CHECK(fs::exists(meta(index, "1.root.json")));  // never deleted
  REQUIRE(fs::exists(meta(index, "2.root.json")));
  CHECK(slurp(index / "keys" / "root.json") != old_root_key);
  CHECK(slurp(index / "keys" / "timestamp.json") != old_ts_key);
  CHECK(slurp(index / "keys" / "targets.json") == old_targets_key);
  CHECK(std::distance(fs::directory_iterator(index / "keys" / "old"), fs::directory_iterator()) == 3);

  // A client that trusts 1.root.json rotates to 2 and verifies the rest with the new keys.
  tuf::TrustedSet ts = verified_top_level(index, 2);
  const auto root1 = tuf::parse_root(tuf::as_bytes(slurp(meta(index, "1.root.json"))));
  REQUIRE(root1.has_value());
  const tuf::Root& r1 = root1->signed_part;
  const auto& r2 = ts.root().signed_part;
  CHECK(r2.version == 2);
  CHECK(r2.roles.at("root").keyids != r1.roles.at("root").keyids);
  CHECK(r2.roles.at("timestamp").keyids != r1.roles.at("timestamp").keyids);
  CHECK(r2.roles.at("targets").keyids == r1.roles.at("targets").keyids);
  CHECK(ts.root().signatures.size() == 2);  // old and new root key
  verified_page(ts, index, "sample-project");

  // 2.root.json signed by the new key alone would not be accepted by a v1 client.
  auto doc = tuf::parse_root(tuf::as_bytes(slurp(meta(index, "2.root.json")))).value();
  std::vector<tuf::Signature> only_new;
  for (const auto& s : doc.signatures)
    if (s.keyid == r2.roles.at("root").keyids[0]) only_new.push_back(s);
  REQUIRE(only_new.size() == 1);
  auto v1 = tuf::TrustedSet::create(tuf::as_bytes(slurp(meta(index, "1.root.json"))), now());
  REQUIRE(v1.has_value());
  const std::string forged = tuf::make_envelope(doc.canonical_signed, only_new);
  CHECK_FALSE(v1->update_root(tuf::as_bytes(forged)).has_value());

  // A later rotation: 3.root.json, verifiable through 2.
  tufget_ok({"index", "publish", index.string(), "--rotate-root"});
  verified_top_level(index, 3);
}

TEST_CASE("index works with ecdsa and rsa keys", "[cli][index]") {
  for (const char* type : {"ecdsa", "rsa"}) {
    INFO(type);
    PublishedIndex ix({"--bins", "4", "--key-type", type});
    tuf::TrustedSet ts = verified_top_level(ix.index);
    const auto& root = ts.root().signed_part;
    const auto& key = root.keys.at(root.roles.at("root").keyids[0]);
    CHECK(key.keytype == type);
    CHECK(key.scheme == (std::string(type) == "rsa" ? "rsassa-pss-sha256" : "ecdsa-sha2-nistp256"));
    verified_page(ts, ix.index, "sample-project");
    // Rotating to an ed25519 root key.
    tufget_ok({"index", "publish", ix.index.string(), "--rotate-root", "--key-type", "ed25519"});
    tuf::TrustedSet ts2 = verified_top_level(ix.index, 2);
    CHECK(ts2.root().signed_part.keys.at(ts2.root().signed_part.roles.at("root").keyids[0]).keytype == "ed25519");
  }
}

TEST_CASE("index without consistent snapshots uses unversioned file names", "[cli][index]") {
  PublishedIndex ix({"--bins", "2", "--no-consistent-snapshot"});
  const fs::path& index = ix.index;
  CHECK(fs::exists(meta(index, "1.root.json")));
  CHECK(fs::exists(meta(index, "snapshot.json")));
  CHECK(fs::exists(meta(index, "targets.json")));
  CHECK(fs::exists(meta(index, "bins-0.json")));
  CHECK_FALSE(fs::exists(meta(index, "1.snapshot.json")));
  tuf::TrustedSet ts = verified_top_level(index);
  CHECK_FALSE(ts.root().signed_part.consistent_snapshot);
  verified_page(ts, index, "sample-project");
}

TEST_CASE("index with 16384 bins: init and publish stay fast", "[cli][index][slow]") {
  TempDir tmp;
  const fs::path index = tmp.path / "index";
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  tufget_ok({"index", "init", index.string(), "--bins", "16384"});
  const auto t1 = clock::now();
  std::vector<std::string> add = {"index", "add", index.string()};
  for (const char* name : {"alpha", "beta", "gamma", "delta", "sample_project"})
    add.push_back(make_wheel(tmp.path, name, "1.0").string());
  tufget_ok(add);
  const auto t2 = clock::now();
  tufget_ok({"index", "publish", index.string()});
  const auto t3 = clock::now();
  auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
  std::fprintf(stderr, "index 16384 bins: init %lld ms, add 5 wheels %lld ms, publish %lld ms\n",
               static_cast<long long>(ms(t1 - t0)), static_cast<long long>(ms(t2 - t1)),
               static_cast<long long>(ms(t3 - t2)));
  CHECK(ms(t1 - t0) < 120'000);
  CHECK(ms(t3 - t2) < 60'000);

  CHECK(fs::exists(meta(index, "1.bins-0000.json")));
  CHECK(fs::exists(meta(index, "1.bins-3fff.json")));
  CHECK_FALSE(fs::exists(meta(index, "1.bins-4000.json")));
  tuf::TrustedSet ts = verified_top_level(index);
  CHECK(ts.targets()->signed_part.delegations->succinct_roles->bit_length == 14);
  CHECK(ts.snapshot()->signed_part.meta.size() == 16385);
  for (const char* name : {"alpha", "beta", "gamma", "delta", "sample-project"}) {
    INFO(name);
    verified_page(ts, index, name);
  }
}

// ---- serve ---------------------------------------------------------------------------------------

TEST_CASE("index serve answers the Warehouse URL layout over loopback", "[cli][index][serve]") {
  PublishedIndex ix;
  const fs::path& index = ix.index;
  tuf::TrustedSet ts = verified_top_level(index);
  const std::string page = verified_page(ts, index, "sample-project");
  const std::string page_hash = hex_of(tuf::HashAlg::blake2b_256, page);

  Server server(index);
  const int port = server.port();

  // Metadata.
  HttpResponse r = http_get(port, "/tuf-metadata/1.root.json");
  CHECK(r.status == 200);
  CHECK(r.body == slurp(meta(index, "1.root.json")));
  r = http_get(port, "/tuf-metadata/timestamp.json");
  CHECK(r.status == 200);
  CHECK(r.body == slurp(meta(index, "timestamp.json")));
  CHECK(http_get(port, "/tuf-metadata/99.root.json").status == 404);

  // The detail page: HTML by default, byte-identical to the signed page; JSON when preferred.
  r = http_get(port, "/simple/sample-project/");
  CHECK(r.status == 200);
  CHECK(r.headers["content-type"].find("text/html") == 0);
  CHECK(r.body == page);
  r = http_get(port, "/simple/sample-project/", "text/html");
  CHECK(r.body == page);
  r = http_get(port, "/simple/sample-project/",
               "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.1, text/html;q=0.01");
  CHECK(r.status == 200);
  CHECK(r.headers["content-type"] == "application/vnd.pypi.simple.v1+json");
  CHECK(r.headers["vary"] == "Accept");
  CHECK(r.body == slurp(index / "simple" / "sample-project" / "index.json"));
  r = http_get(port, "/simple/sample-project/", "application/vnd.pypi.simple.v1+json;q=0.5, text/html");
  CHECK(r.body == page);
  r = http_get(port, "/simple/sample-project/", "application/vnd.pypi.simple.v1+html");
  CHECK(r.headers["content-type"] == "application/vnd.pypi.simple.v1+html");
  CHECK(r.body == page);
  r = http_get(port, "/simple/sample-project/" + page_hash + ".sample-project.html");
  CHECK(r.status == 200);
  CHECK(r.body == page);
  r = http_get(port, "/simple/", "application/vnd.pypi.simple.v1+json");
  CHECK(r.body.find("{\"name\":\"sample-project\"}") != std::string::npos);
  CHECK(http_get(port, "/simple/").body.find("href=\"sample-project/\"") != std::string::npos);

  // Non-normalised names and missing slashes redirect.
  r = http_get(port, "/simple/Sample_Project/");
  CHECK(r.status == 301);
  CHECK(r.headers["location"] == "/simple/sample-project/");
  r = http_get(port, "/simple/sample-project");
  CHECK(r.status == 301);
  CHECK(r.headers["location"] == "/simple/sample-project/");

  // The page as a TUF target, as a generic client fetches it with consistent snapshots.
  r = http_get(port, "/targets/" + page_hash + ".sample-project");
  CHECK(r.status == 200);
  CHECK(r.body == page);
  CHECK(http_get(port, "/targets/sample-project").status == 404);

  // Distribution and PEP 658 metadata, at the page's relative URL.
  const std::string wheel = slurp(ix.wheel);
  const std::string b = hex_of(tuf::HashAlg::blake2b_256, wheel);
  const std::string url = "/packages/" + b.substr(0, 2) + "/" + b.substr(2, 2) + "/" + b.substr(4) +
                          "/" + ix.wheel.filename().string();
  r = http_get(port, url);
  CHECK(r.status == 200);
  CHECK(r.body == wheel);
  r = http_get(port, url + ".metadata");
  CHECK(r.status == 200);
  CHECK(r.body == wheel_metadata("Sample_Project", "1.0", ">=3.8, <4"));
  r = http_get(port, url, "", "HEAD");
  CHECK(r.status == 200);
  CHECK(r.body.empty());

  // 404 for anything else; traversal refused whether raw or percent-encoded.
  for (const char* path : {"/", "/nope", "/index-state.json", "/keys/root.json", "/tuf-metadata/",
                           "/packages/aa/bb/cc/x.whl", "/simple/sample-project/extra.html",
                           "/simple/no-such-project/"}) {
    INFO(path);
    CHECK(http_get(port, path).status == 404);
  }
  for (const char* path : {"/tuf-metadata/../index-state.json", "/tuf-metadata/%2e%2e/keys/root.json",
                           "/simple/%2E%2E/%2E%2E/keys/root.json", "/simple/..%2Fkeys/",
                           "/packages/..%5c..%5ckeys/root.json", "/simple/%zz/", "/.."}) {
    INFO(path);
    r = http_get(port, path);
    CHECK(r.status == 400);
    CHECK(r.body.find("\"keyval\"") == std::string::npos);
  }
  CHECK(http_get(port, "/simple/", "", "POST").status == 405);

  // Keep-alive: two requests on one connection.
  {
    std::string raw = http_exchange(port,
                               "GET /tuf-metadata/timestamp.json HTTP/1.1\r\nHost: x\r\n\r\n"
                               "GET /simple/sample-project/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const HttpResponse first = parse_response(raw);
    const HttpResponse second = parse_response(raw);
    CHECK(first.status == 200);
    CHECK(first.body == slurp(meta(index, "timestamp.json")));
    CHECK(second.status == 200);
    CHECK(second.body == page);
  }

  CHECK(server.stop() == 0);
}
