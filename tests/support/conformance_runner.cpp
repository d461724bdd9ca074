#include "support/conformance_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <charconv>
#include <chrono>
#include <ctime>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "tuf/metadata.h"

extern char** environ;

namespace tufget_conformance {
namespace fs = std::filesystem;
using tufget_test::Behaviour;
using tufget_test::Request;
using tufget_test::Response;

// ---- quoting -----------------------------------------------------------------------------------

// Python's urllib.parse.quote(s, safe=""): everything but RFC 3986 unreserved characters
// percent-encoded, upper-case hex (Boost.URL's encoder: independent of the core's).
std::string py_quote(std::string_view s) {
  return boost::urls::encode(s, boost::urls::unreserved_chars);
}

std::string py_unquote(std::string_view s) {
  auto hexval = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::ostream& operator<<(std::ostream& os, const MetaRequest& r) {
  os << "(" << r.role << ", ";
  if (r.version) {
    os << *r.version;
  } else {
    os << "None";
  }
  return os << ")";
}

std::ostream& operator<<(std::ostream& os, const ArtifactRequest& r) {
  return os << "(" << r.path << ", " << (r.prefix ? *r.prefix : std::string("None")) << ")";
}

// ---- SimulatorServer ---------------------------------------------------------------------------

namespace {

tuf::Timestamp wall_now() { return static_cast<tuf::Timestamp>(std::time(nullptr)); }

std::string http_date() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

// Python's BaseHTTPRequestHandler: "HTTP/1.0"-style, the connection closes after the response.
Response python_ok(std::string body) {
  Response r;
  r.status = 200;
  r.behaviour = Behaviour::close_delimited;  // headers + body, then close (no keep-alive)
  r.headers = {{"Server", "BaseHTTP/0.6 Python/3.12.3"},
               {"Date", http_date()},
               {"Content-length", std::to_string(body.size())}};
  r.body = std::move(body);
  return r;
}

// send_error(code, message): the message is the reason phrase; an HTML body.
Response python_error(int code, std::string message) {
  Response r;
  r.status = code;
  r.reason = message;
  r.body = "<!DOCTYPE HTML>\n<html lang=\"en\">\n<head><title>Error response</title></head>\n"
           "<body><h1>Error response</h1><p>Error code: " +
           std::to_string(code) + "</p><p>Message: " + message + ".</p></body>\n</html>\n";
  r.behaviour = Behaviour::close_delimited;
  r.headers = {{"Server", "BaseHTTP/0.6 Python/3.12.3"},
               {"Date", http_date()},
               {"Content-Type", "text/html;charset=utf-8"},
               {"Content-Length", std::to_string(r.body.size())}};
  return r;
}

// An exception escaping the handler: the socket is closed with no response at all.
Response dropped() { return Response::with(Behaviour::reset_before_response); }

std::optional<std::uint64_t> parse_int(std::string_view s) {
  std::uint64_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

SimulatorServer::SimulatorServer(std::string test_name)
    : sim(/*consistent_snapshot=*/true, tuf_test::KeyType::ecdsa_p256),
      now(wall_now()),
      safe_expiry(now + 30 * kDay),
      name_(std::move(test_name)) {
  // RepoSim's models expire relative to a fixed date; re-sign v1 of everything relative to the
  // real clock, as the suite's simulator does (now + 30 days).
  for (const char* role : {"root", "timestamp", "snapshot", "targets"}) {
    sim.set_expires(role, safe_expiry);
  }
  sim.publish_root(false);
  sim.publish_targets("targets", false);
  sim.publish_snapshot(false);
  sim.publish_timestamp(false);

  const std::string prefix = server_.base_url() + "/" + py_quote(name_) + "/";
  init_data_ = {prefix + "metadata/", prefix + "targets/", sim.bytes("root", 1)};
  server_.set_handler([this](const Request& r) { return handle(r); });
}

SimulatorServer::~SimulatorServer() { server_.stop(); }

Response SimulatorServer::handle(const Request& request) {
  std::lock_guard lock(mutex_);
  std::string_view path = request.target;
  while (path.starts_with('/')) path.remove_prefix(1);
  const auto slash = path.find('/');
  const std::string_view test = path.substr(0, slash);
  const std::string_view sub =
      slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  if (py_unquote(test) != name_) {
    return python_error(404, "Did not find repository for " + std::string(test));
  }
  if (sub.starts_with("metadata/") && sub.ends_with(".json")) return serve_metadata(sub);
  if (sub.starts_with("targets/")) return serve_target(sub);
  return python_error(404, "Unknown path '" + std::string(sub) + "'");
}

Response SimulatorServer::serve_metadata(std::string_view sub) {
  std::string_view ver_and_name = sub.substr(9, sub.size() - 9 - 5);
  const auto dot = ver_and_name.find('.');
  std::string_view version_str = ver_and_name.substr(0, dot);
  std::string role(dot == std::string_view::npos ? std::string_view() : ver_and_name.substr(dot + 1));
  std::optional<std::uint64_t> version;
  if (role == "root" || (sim.root.consistent_snapshot && ver_and_name != "timestamp")) {
    version = parse_int(version_str);
    if (!version) {  // int() raises ValueError before anything is recorded
      return python_error(404, "invalid literal for int() with base 10: '" +
                                   std::string(version_str) + "'");
    }
  } else {
    role = std::string(ver_and_name);
  }
  metadata_stats_.push_back({role, version});

  const std::string name = py_unquote(role);
  bool published = !forgotten_.contains(name);
  if (published) {
    try {
      (void)sim.latest_version(name);
    } catch (const std::exception&) {
      published = false;
    }
  }
  if (!published) return dropped();  // KeyError in the simulator

  std::string short_name = "metadata/";
  if (version) short_name += std::to_string(*version) + ".";
  short_name += tuf_test::sim_quote(name) + ".json";
  auto bytes = sim.peek(short_name);
  if (!bytes) {
    return python_error(404, "Unknown " + name + " version " +
                                 (version ? std::to_string(*version) : std::string("None")));
  }
  return python_ok(std::move(*bytes));
}

Response SimulatorServer::serve_target(std::string_view sub) {
  const std::string_view target = sub.substr(8);
  const auto slash = target.rfind('/');
  const std::string_view dir =
      slash == std::string_view::npos ? std::string_view() : target.substr(0, slash + 1);
  const std::string_view prefixed =
      slash == std::string_view::npos ? target : target.substr(slash + 1);
  std::optional<std::string> prefix;
  std::string_view file = prefixed;
  if (sim.root.consistent_snapshot) {
    const auto dot = prefixed.find('.');
    prefix = std::string(prefixed.substr(0, dot));
    file = dot == std::string_view::npos ? std::string_view() : prefixed.substr(dot + 1);
  }
  const std::string path = std::string(dir) + std::string(file);
  artifact_stats_.push_back({path, prefix});

  auto a = artifacts_.find(path);
  if (a == artifacts_.end()) return python_error(404, "No target " + path);
  if (prefix && !prefix->empty()) {
    const bool listed = std::any_of(a->second.hashes.begin(), a->second.hashes.end(),
                                    [&](const auto& h) { return h.second == *prefix; });
    if (!listed) return python_error(404, "hash mismatch for " + path);
  }
  return python_ok(a->second.data);
}

void SimulatorServer::add_artifact(std::string_view role, std::string data, std::string path,
                                   std::vector<std::string> algs) {
  tuf::TargetFile file = sim.add_target(path, data, role, std::move(algs));
  std::lock_guard lock(mutex_);
  artifacts_[std::move(path)] = Artifact{std::move(data), file.hashes};
}

Artifact& SimulatorServer::artifact(const std::string& path) {
  std::lock_guard lock(mutex_);
  auto it = artifacts_.find(path);
  if (it == artifacts_.end()) throw std::runtime_error("no artifact " + path);
  return it->second;
}

void SimulatorServer::add_delegation(std::string_view delegator, std::string name,
                                     std::vector<std::string> paths, bool terminating) {
  tuf_test::Signer key = tuf_test::Signer::generate(tuf_test::KeyType::ecdsa_p256);
  const bool existed = sim.targets.contains(name);
  sim.add_delegation(delegator, name, paths, terminating, {key});
  if (existed) {
    sim.signers[name].push_back(key);  // RepoSim keeps the first signers only
  } else {
    sim.set_expires(name, safe_expiry);  // RepoSim's default is relative to its fixed date
  }
}

void SimulatorServer::forget_role(std::string role) {
  std::lock_guard lock(mutex_);
  forgotten_.insert(std::move(role));
}

std::vector<MetaRequest> SimulatorServer::metadata_statistics() const {
  std::lock_guard lock(mutex_);
  return metadata_stats_;
}

std::vector<ArtifactRequest> SimulatorServer::artifact_statistics() const {
  std::lock_guard lock(mutex_);
  return artifact_stats_;
}

void SimulatorServer::clear_statistics() {
  std::lock_guard lock(mutex_);
  metadata_stats_.clear();
  artifact_stats_.clear();
}

std::vector<std::string> SimulatorServer::request_paths() const {
  std::vector<std::string> out;
  for (const auto& r : server_.requests()) out.push_back(r.target);
  return out;
}

// ---- FakeTime ----------------------------------------------------------------------------------

FakeTime FakeTime::at(tuf::Timestamp t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count() %
                      1'000'000;
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%06lld", static_cast<long long>(micros));
  return at(std::string(buf) + frac + "+00:00");
}

FakeTime FakeTime::at(std::string datetime) { return FakeTime{{std::move(datetime)}}; }

FakeTime FakeTime::days_in_future(int days) {
  return FakeTime{{"-f", "+" + std::to_string(days) + "d"}};
}

// ---- ClientRunner ------------------------------------------------------------------------------

namespace {

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_all(const fs::path& p, std::string_view data) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

std::uint64_t parse_version_of(std::string_view role, const std::string& bytes) {
  const tuf::Bytes b = tuf::as_bytes(bytes);
  auto fail = [&](const tuf::Error& e) -> std::uint64_t {
    throw std::runtime_error("invalid metadata stored for " + std::string(role) + ": " +
                             e.message());
  };
  if (role == "root") {
    auto m = tuf::parse_root(b);
    return m ? m->signed_part.version : fail(m.error());
  }
  if (role == "timestamp") {
    auto m = tuf::parse_timestamp(b);
    return m ? m->signed_part.version : fail(m.error());
  }
  if (role == "snapshot") {
    auto m = tuf::parse_snapshot(b);
    return m ? m->signed_part.version : fail(m.error());
  }
  auto m = tuf::parse_targets(b, role);
  return m ? m->signed_part.version : fail(m.error());
}

bool hidden(const fs::path& rel) {
  for (const auto& part : rel) {
    if (part.string().starts_with('.')) return true;
  }
  return false;
}

}  // namespace

ClientRunner::ClientRunner(std::string test_name, std::string binary)
    : name_(std::move(test_name)), binary_(std::move(binary)) {
  std::random_device rd;
  base_dir_ = fs::temp_directory_path() /
              ("tufget-conformance-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
  temp_dir_ = base_dir_ / "tmp";
  metadata_dir_ = temp_dir_ / "metadata";
  target_dir_ = temp_dir_ / "targets";
  log_file_ = base_dir_ / "tufget.log";
  fs::create_directories(metadata_dir_);
  fs::create_directories(target_dir_);
}

ClientRunner::~ClientRunner() {
  std::error_code ec;
  fs::remove_all(base_dir_, ec);
}

int ClientRunner::run(std::vector<std::string> args, const std::optional<FakeTime>& fake_time) {
  std::vector<std::string> argv;
  if (fake_time) {
    argv.push_back("faketime");
    argv.insert(argv.end(), fake_time->args.begin(), fake_time->args.end());
  }
  argv.push_back(binary_);
  argv.insert(argv.end(), args.begin(), args.end());

  last_command_.clear();
  for (const auto& a : argv) {
    if (!last_command_.empty()) last_command_ += ' ';
    last_command_ += a.find(' ') == std::string::npos ? a : "'" + a + "'";
  }
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_file_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  const int err = posix_spawnp(&pid, cargv[0], &actions, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ++runs_;
  if (err != 0) {
    last_output_ = "spawn failed: " + std::string(std::strerror(err));
    return -1;
  }
  // The suite has no timeout; a hung client would hang it. Here: kill after 60 s.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int status = 0;
  for (;;) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) {
      last_output_ = "waitpid failed";
      return -1;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      last_output_ = read_all(log_file_) + "\n[killed after 60 s]";
      return -2;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(300));
  }
  last_output_ = read_all(log_file_);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int ClientRunner::init_client(const ClientInitData& data) {
  const fs::path root_file = temp_dir_ / "initial_root.json";
  write_all(root_file, data.trusted_root);
  return run({"--metadata-dir", metadata_dir_.string(), "init", root_file.string()}, {});
}

int ClientRunner::refresh(const ClientInitData& data, std::optional<FakeTime> fake_time) {
  return run({"--metadata-url", data.metadata_url, "--metadata-dir", metadata_dir_.string(),
              "refresh"},
             fake_time);
}

int ClientRunner::download_target(const ClientInitData& data,
                                  const std::vector<std::string>& target_names,
                                  std::optional<FakeTime> fake_time) {
  std::vector<std::string> args{"--metadata-url", data.metadata_url, "--metadata-dir",
                                metadata_dir_.string()};
  for (const auto& t : target_names) {
    args.push_back("--target-name");
    args.push_back(t);
  }
  args.insert(args.end(), {"--target-dir", target_dir_.string(), "--target-base-url",
                           data.targets_url, "download"});
  const int rc = run(std::move(args), fake_time);
  // File mtimes have the kernel tick's granularity (4 ms here): keep successive downloads
  // apart so that get_downloaded_target_bytes() orders them like the suite's slower runs do.
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return rc;
}

std::optional<std::string> ClientRunner::metadata_bytes(std::string_view role) const {
  const fs::path p = metadata_dir_ / (py_quote(role) + ".json");
  if (!fs::exists(p)) return std::nullopt;
  return read_all(p);
}

std::optional<std::uint64_t> ClientRunner::version(std::string_view role) const {
  auto bytes = metadata_bytes(role);
  if (!bytes) return std::nullopt;
  return parse_version_of(role, *bytes);
}

std::vector<std::pair<std::string, std::uint64_t>> ClientRunner::trusted_roles() const {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  for (const auto& name : metadata_dir_entries()) {
    if (!name.ends_with(".json")) continue;
    const std::string stem = name.substr(0, name.size() - 5);
    out.emplace_back(stem, parse_version_of(py_unquote(stem), read_all(metadata_dir_ / name)));
  }
  return out;
}

std::vector<std::string> ClientRunner::metadata_dir_entries() const {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(metadata_dir_)) {
    out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> ClientRunner::get_downloaded_target_bytes() const {
  struct File {
    fs::file_time_type mtime;
    fs::path path;
  };
  std::vector<File> files;
  for (const auto& e : fs::recursive_directory_iterator(target_dir_)) {
    if (!e.is_regular_file()) continue;
    if (hidden(fs::relative(e.path(), target_dir_))) continue;
    files.push_back({e.last_write_time(), e.path()});
  }
  std::stable_sort(files.begin(), files.end(),
                   [](const File& a, const File& b) { return a.mtime < b.mtime; });
  std::vector<std::string> out;
  for (const auto& f : files) out.push_back(read_all(f.path));
  return out;
}

std::vector<std::string> ClientRunner::target_dir_entries() const {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(target_dir_)) {
    out.push_back(fs::relative(e.path(), target_dir_).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> ClientRunner::temp_dir_entries() const {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(temp_dir_)) {
    out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace tufget_conformance
