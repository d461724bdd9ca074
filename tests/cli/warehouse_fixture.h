// Test fixture for `tufget download NAME...` (download_test.cpp, repository_test.cpp): a local
// index made with `tufget index init/add/publish`, served by `tufget index serve` as a child
// process on loopback, and a client environment of its own (XDG_CACHE_HOME, XDG_CONFIG_HOME).
// Wheels are written here as stored zip archives, without libzip.
#pragma once

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "support/zip_writer.h"
#include "tuf/hash.h"

extern char** environ;

namespace warehouse_test {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "tufget-dl-test-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

inline std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE(in);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write(const fs::path& p, std::string_view data) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  REQUIRE(out);
}

inline std::string sha256_hex(std::string_view data) {
  return tuf::digest_hex(tuf::HashAlg::sha256, tuf::as_bytes(data));
}
inline std::string blake2b_hex(std::string_view data) {
  return tuf::digest_hex(tuf::HashAlg::blake2b_256, tuf::as_bytes(data));
}

// True when `dir` does not exist or holds nothing.
inline bool empty_or_absent(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return true;
  return fs::directory_iterator(dir) == fs::directory_iterator();
}

inline std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// ---- running the binary ----------------------------------------------------------------------------

struct RunResult {
  int status = -1;
  std::string output;  // stdout and stderr together
  bool has(std::string_view s) const { return output.find(s) != std::string::npos; }
};

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out.push_back(c);
  }
  return out + "'";
}

// Runs `[prefix...] tufget args...` with extra environment variables; stdin is /dev/null.
inline RunResult run(const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env = {},
                     const std::vector<std::string>& prefix = {}) {
  std::string cmd = "env";
  for (const auto& [k, v] : env) cmd += " " + shell_quote(k + "=" + v);
  for (const auto& p : prefix) cmd += " " + shell_quote(p);
  cmd += " " + shell_quote(TUFGET_BINARY);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  cmd += " </dev/null 2>&1";
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

inline void run_ok(const std::vector<std::string>& args) {
  const RunResult r = run(args);
  INFO(r.output);
  REQUIRE(r.status == 0);
}

// ---- wheels --------------------------------------------------------------------------------------------

using test_zip::stored_zip;

inline std::string core_metadata(const std::string& dist, const std::string& version,
                                 const std::string& requires_python) {
  std::string m = "Metadata-Version: 2.1\nName: " + dist + "\nVersion: " + version + "\n";
  if (!requires_python.empty()) m += "Requires-Python: " + requires_python + "\n";
  return m + "Summary: download test package\n\n";
}

// <dir>/<dist>-<version>-<tag>.whl (dist as written in the file name, e.g. "sample_project").
inline fs::path make_wheel(const fs::path& dir, const std::string& dist, const std::string& version,
                           const std::string& tag = "py3-none-any",
                           const std::string& requires_python = "") {
  const std::string info = dist + "-" + version + ".dist-info/";
  const fs::path path = dir / (dist + "-" + version + "-" + tag + ".whl");
  write(path, stored_zip({{dist + "/__init__.py", "VERSION = '" + version + "'\n"},
                          {info + "METADATA", core_metadata(dist, version, requires_python)},
                          {info + "WHEEL", "Wheel-Version: 1.0\nGenerator: tufget-test\n"
                                           "Root-Is-Purelib: true\nTag: " + tag + "\n"},
                          {info + "RECORD", ""}}));
  return path;
}

// ---- HTTP over loopback -------------------------------------------------------------------------------

struct HttpResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

// One GET with Connection: close; the whole response is read until EOF.
inline HttpResponse http_get(int port, const std::string& path, const std::string& accept = "") {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!accept.empty()) req += "Accept: " + accept + "\r\n";
  req += "Connection: close\r\n\r\n";
  REQUIRE(::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size()));
  std::string raw;
  char buf[8192];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) raw.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  HttpResponse r;
  const auto end = raw.find("\r\n\r\n");
  REQUIRE(end != std::string::npos);
  r.status = std::stoi(raw.substr(9, 3));
  std::istringstream head(raw.substr(0, end));
  for (std::string line; std::getline(head, line);) {
    std::string lower = line;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.rfind("content-type:", 0) == 0) {
      r.content_type = line.substr(line.find_first_not_of(' ', 13));
      if (!r.content_type.empty() && r.content_type.back() == '\r') r.content_type.pop_back();
    }
  }
  r.body = raw.substr(end + 4);
  return r;
}

// `tufget index serve DIR --port 0 --port-file F` as a child process.
class Server {
 public:
  explicit Server(const fs::path& index) {
    const fs::path port_file = index.parent_path() / (index.filename().string() + ".port");
    std::error_code ec;
    fs::remove(port_file, ec);
    const std::string log = (index.parent_path() / (index.filename().string() + ".serve.log")).string();
    std::vector<std::string> args = {TUFGET_BINARY, "index", "serve", index.string(),
                                     "--port", "0", "--port-file", port_file.string()};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const int rc = ::posix_spawn(&pid_, args[0].c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE(rc == 0);
    for (int i = 0; i < 1000 && port_ == 0; ++i) {
      std::ifstream in(port_file);
      if (!(in >> port_)) {
        port_ = 0;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    REQUIRE(port_ > 0);
  }
  ~Server() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  int port() const { return port_; }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

// ---- the index's state file ------------------------------------------------------------------------------

// Rewrites DIR/index-state.json: each top-level field (minified JSON text) passes through
// `edit`. For tests that need the index to sign something it would not sign by itself;
// `publish` afterwards signs the result.
inline void edit_index_state(const fs::path& index,
                             const std::function<void(std::map<std::string, std::string>&)>& edit) {
  const std::string text = read(index / "index-state.json");
  simdjson::dom::parser parser;
  simdjson::dom::object doc;
  REQUIRE(parser.parse(text).get(doc) == simdjson::SUCCESS);
  std::map<std::string, std::string> fields;
  for (auto [key, value] : doc) fields[std::string(key)] = simdjson::to_string(value);
  edit(fields);
  std::string out = "{";
  for (const auto& [key, value] : fields) out += (out.size() > 1 ? ",\"" : "\"") + key + "\":" + value;
  write(index / "index-state.json", out + "}\n");
}

// The same for the "projects" field: project name -> its record (erase a name to drop it).
inline void edit_index_projects(const fs::path& index,
                                const std::function<void(std::map<std::string, std::string>&)>& edit) {
  edit_index_state(index, [&](std::map<std::string, std::string>& fields) {
    simdjson::dom::parser parser;
    simdjson::dom::object po;
    REQUIRE(parser.parse(fields.at("projects")).get(po) == simdjson::SUCCESS);
    std::map<std::string, std::string> projects;
    for (auto [name, record] : po) projects[std::string(name)] = simdjson::to_string(record);
    edit(projects);
    std::string out = "{";
    for (const auto& [name, record] : projects) out += (out.size() > 1 ? ",\"" : "\"") + name + "\":" + record;
    fields["projects"] = out + "}";
  });
}

inline std::string mark_dirty(std::string record) {
  const auto at = record.find("\"dirty\":false");
  if (at != std::string::npos) record.replace(at, 13, "\"dirty\":true");
  return record;
}

// ---- the whole arrangement ----------------------------------------------------------------------------------

// An index in <tmp>/index, wheels made in <tmp>/wheels, a client with its own XDG folders and
// destination <tmp>/dest. The server starts with serve().
struct Warehouse {
  TempDir tmp;
  fs::path index = tmp.path / "index";
  fs::path wheels = tmp.path / "wheels";
  fs::path dest = tmp.path / "dest";
  fs::path xdg_cache = tmp.path / "client-cache";
  fs::path xdg_config = tmp.path / "client-config";
  std::unique_ptr<Server> server;

  explicit Warehouse(std::vector<std::string> init_args = {"--bins", "16"}) {
    fs::create_directories(wheels);
    std::vector<std::string> args = {"index", "init", index.string()};
    args.insert(args.end(), init_args.begin(), init_args.end());
    run_ok(args);
  }

  fs::path wheel(const std::string& dist, const std::string& version,
                 const std::string& tag = "py3-none-any", const std::string& requires_python = "") {
    return make_wheel(wheels, dist, version, tag, requires_python);
  }
  void add(const std::vector<fs::path>& files) {
    std::vector<std::string> args = {"index", "add", index.string()};
    for (const auto& f : files) args.push_back(f.string());
    run_ok(args);
  }
  void publish(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"index", "publish", index.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    run_ok(args);
  }
  void serve() { server = std::make_unique<Server>(index); }

  std::string index_url() const { return server->base() + "/simple/"; }
  fs::path root_v1() const { return index / "tuf-metadata" / "1.root.json"; }
  std::map<std::string, std::string> env() const {
    return {{"XDG_CACHE_HOME", xdg_cache.string()}, {"XDG_CONFIG_HOME", xdg_config.string()},
            {"HOME", tmp.path.string()}};
  }

  // tufget download NAMES... -d dest --index-url URL [--root 1.root.json] [extra...]
  RunResult download(const std::vector<std::string>& names, std::vector<std::string> extra = {},
                     bool with_root = true, const std::vector<std::string>& prefix = {}) const {
    std::vector<std::string> args = {"download"};
    args.insert(args.end(), names.begin(), names.end());
    args.push_back("-d");
    args.push_back(dest.string());
    args.push_back("--index-url");
    args.push_back(index_url());
    if (std::find(extra.begin(), extra.end(), "--python-version") == extra.end()) {
      args.push_back("--python-version");
      args.push_back("3.11");
    }
    if (with_root) {
      args.push_back("--root");
      args.push_back(root_v1().string());
    }
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args, env(), prefix);
  }

  // Paths of the index's files.
  fs::path package(const fs::path& wheel_file) const {
    const std::string b = blake2b_hex(read(wheel_file));
    return index / "packages" / b.substr(0, 2) / b.substr(2, 2) / b.substr(4) /
           wheel_file.filename();
  }
  // The signed page of `project` currently listed (simple/<name>/<hash>.<name>.html).
  fs::path signed_page(const std::string& project) const {
    const std::string current = read(index / "simple" / project / "index.html");
    return index / "simple" / project / (blake2b_hex(current) + "." + project + ".html");
  }
  fs::path cached(const std::string& sha256) const {
    return xdg_cache / "tufget" / "files" / "sha256" / sha256.substr(0, 2) / sha256;
  }
};

// Replaces one byte in the middle of a file, keeping its length.
inline void flip_a_byte(const fs::path& p) {
  std::string data = read(p);
  REQUIRE(!data.empty());
  data[data.size() / 2] ^= 0x20;
  write(p, data);
}

}  // namespace warehouse_test
