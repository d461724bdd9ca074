// The target interpreter: find it, ask it about itself once, cache the answer (see
// pkg_fs/interpreter.h).
#include "pkg_fs/interpreter.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <simdjson.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "fsutil/atomic_write.h"

extern char** environ;

namespace pkg_fs {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// Printed by the interpreter as one JSON object. Kept to Python 3.x syntax without f-strings
// so that an old interpreter still answers (and is then refused with a clear message).
constexpr const char* kQueryScript = R"PY(
import os, sys, sysconfig
# Neither json nor platform: importing them (and the re module they pull in) costs more than
# the rest of the script. JSON is written by hand; the marker values come from os.uname() and
# sys as platform computes them on POSIX, with platform itself only as a fallback.
def enc(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (list, tuple)):
        return "[" + ",".join([enc(x) for x in v]) + "]"
    if isinstance(v, dict):
        return "{" + ",".join([enc(str(k)) + ":" + enc(x) for k, x in v.items()]) + "}"
    out = []
    for c in str(v):
        o = ord(c)
        if 0x20 <= o < 0x7f and c != '"' and c != "\\":
            out.append(c)
        elif o > 0xffff:
            o -= 0x10000
            out.append("\\u%04x\\u%04x" % (0xd800 + (o >> 10), 0xdc00 + (o & 0x3ff)))
        else:
            out.append("\\u%04x" % o)
    return '"' + "".join(out) + '"'
try:
    u = os.uname()
    machine, release, system, version = u.machine, u.release, u.sysname, u.version
except AttributeError:
    import platform
    machine, release, system, version = (platform.machine(), platform.release(),
                                         platform.system(), platform.version())
impl_names = {"cpython": "CPython", "pypy": "PyPy", "ironpython": "IronPython", "jython": "Jython"}
if sys.implementation.name in impl_names:
    python_impl = impl_names[sys.implementation.name]
    python_full = sys.version.split()[0]
else:
    import platform
    python_impl, python_full = platform.python_implementation(), platform.python_version()
def full(v):
    s = "%d.%d.%d" % (v[0], v[1], v[2])
    if v[3] != "final":
        s += v[3][0] + str(v[4])
    return s
def var(name):
    v = sysconfig.get_config_var(name)
    return v if v is None or isinstance(v, (bool, int, str)) else str(v)
try:
    libc = os.confstr("CS_GNU_LIBC_VERSION")
except (AttributeError, ValueError, OSError):
    libc = None
# musl (no glibc): the version its dynamic loader prints, found as packaging finds it: the
# executable's ELF PT_INTERP names the loader (ld-musl-<arch>.so.1), which prints "Version X.Y.Z".
def musl_version():
    import struct
    with open(sys.executable, "rb") as f:
        head = f.read(64)
        if head[:4] != b"\x7fELF" or head[4] not in (1, 2) or head[5] not in (1, 2):
            return None
        wide, end = head[4] == 2, "<" if head[5] == 1 else ">"
        if wide:
            phoff, = struct.unpack(end + "Q", head[32:40])
            phentsize, phnum = struct.unpack(end + "HH", head[54:58])
        else:
            phoff, = struct.unpack(end + "I", head[28:32])
            phentsize, phnum = struct.unpack(end + "HH", head[42:46])
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            ph = f.read(phentsize)
            if struct.unpack(end + "I", ph[:4])[0] != 3:  # PT_INTERP
                continue
            if wide:
                offset, = struct.unpack(end + "Q", ph[8:16])
                size, = struct.unpack(end + "Q", ph[32:40])
            else:
                offset, size = struct.unpack(end + "I", ph[4:8])[0], struct.unpack(end + "I", ph[16:20])[0]
            f.seek(offset)
            loader = f.read(size).split(b"\0")[0].decode("ascii", "replace")
            break
        else:
            return None
    if "musl" not in loader:
        return None
    import subprocess
    out = subprocess.run([loader], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, timeout=5).stderr.decode("ascii", "replace")
    for line in out.splitlines():
        if line.startswith("Version "):
            parts = line[8:].strip().split(".")
            if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
                return "%s.%s" % (parts[0], parts[1])
    return None
musl = None
if libc is None and sys.platform.startswith("linux"):
    try:
        musl = musl_version()
    except Exception:
        musl = None
try:
    from importlib.machinery import EXTENSION_SUFFIXES as suffixes
except ImportError:
    suffixes = []
paths = sysconfig.get_paths()
managed = None
marker = os.path.join(paths.get("stdlib", ""), "EXTERNALLY-MANAGED")
# PEP 668: the marker does not apply inside a virtual environment (and configparser is slow
# to import), so it is read only outside one.
if sys.prefix == getattr(sys, "base_prefix", sys.prefix) and os.path.isfile(marker):
    managed = {"error": None}
    try:
        import configparser
        cp = configparser.ConfigParser(interpolation=None)
        cp.read(marker, encoding="utf-8")
        managed["error"] = cp.get("externally-managed", "Error", fallback=None)
    except Exception:
        pass
# The scheme a virtual environment of this interpreter gets, for a placeholder prefix: chosen
# by sysconfig itself while sys.prefix says "in a venv" (3.11+: "venv"; distributors patch the
# choice, e.g. Debian's posix_local outside a venv), with base and platbase set to the prefix.
VENV = "/tufget-venv-prefix"
def venv_scheme():
    choose = (getattr(sysconfig, "get_default_scheme", None) or
              getattr(sysconfig, "_get_default_scheme", None))
    if choose is None:
        return None
    saved = sys.prefix, sys.exec_prefix
    try:
        sys.prefix = sys.exec_prefix = VENV
        return {"prefix": VENV,
                "paths": sysconfig.get_paths(choose(), vars={"base": VENV, "platbase": VENV})}
    except Exception:
        return None
    finally:
        sys.prefix, sys.exec_prefix = saved
impl = sys.implementation
print(enc({
    "tufget_interpreter": 1,
    "executable": sys.executable,
    "prefix": sys.prefix,
    "base_prefix": getattr(sys, "base_prefix", sys.prefix),
    "version": full(sys.version_info),
    "version_info": [sys.version_info[0], sys.version_info[1], sys.version_info[2]],
    "implementation": impl.name,
    "markers": {
        "implementation_name": impl.name,
        "implementation_version": full(impl.version),
        "os_name": os.name,
        "platform_machine": machine,
        "platform_release": release,
        "platform_system": system,
        "platform_version": version,
        "python_full_version": python_full,
        "platform_python_implementation": python_impl,
        "python_version": "%d.%d" % (sys.version_info[0], sys.version_info[1]),
        "sys_platform": sys.platform,
    },
    "py_version_nodot": var("py_version_nodot"),
    "soabi": var("SOABI"),
    "ext_suffix": var("EXT_SUFFIX"),
    "abiflags": getattr(sys, "abiflags", ""),
    "py_debug": var("Py_DEBUG"),
    "gil_disabled": var("Py_GIL_DISABLED"),
    "with_pymalloc": var("WITH_PYMALLOC"),
    "has_gettotalrefcount": hasattr(sys, "gettotalrefcount"),
    "debug_extensions": "_d.pyd" in suffixes,
    "is_32bit": sys.maxsize <= 2 ** 32,
    "platform": sysconfig.get_platform(),
    "libc": libc,
    "musl": musl,
    "paths": paths,
    "externally_managed": managed,
    "venv_scheme": venv_scheme(),
}))
)PY";

pkg::Error io_error(const fs::path& python, std::string detail) {
  return pkg::fail(pkg::Errc::io, python.string(), std::move(detail)).error();
}

// ---- running the interpreter ------------------------------------------------------------------

struct Output {
  int status = 0;  // waitpid status
  std::string out;
  std::string err;
};

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

bool make_pipe(Fd& read_end, Fd& write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  read_end.reset(fds[0]);
  write_end.reset(fds[1]);
  return true;
}

// Reaps `pid` (after killing it when `kill_first`).
int reap(pid_t pid, bool kill_first) {
  if (kill_first) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// Waits for `pid` to exit until `deadline`; nullopt (and the child killed and reaped) after it.
std::optional<int> wait_until(pid_t pid, std::chrono::steady_clock::time_point deadline) {
  auto pause = std::chrono::microseconds(200);
  for (;;) {
    int status = 0;
    const pid_t got = ::waitpid(pid, &status, WNOHANG);
    if (got == pid) return status;
    if (got < 0 && errno != EINTR) return status;
    if (std::chrono::steady_clock::now() >= deadline) {
      reap(pid, true);
      return std::nullopt;
    }
    ::usleep(static_cast<useconds_t>(pause.count()));
    pause = std::min(pause * 2, std::chrono::microseconds(10000));
  }
}

// Runs `exe args...` with stdin from /dev/null and stdout/stderr captured.
pkg::Result<Output> run_captured(const fs::path& exe, const std::vector<std::string>& args,
                                 const QueryOptions& options) {
  Fd out_r, out_w, err_r, err_w;
  if (!make_pipe(out_r, out_w) || !make_pipe(err_r, err_w)) {
    return std::unexpected(io_error(exe, std::string("pipe: ") + std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawnattr_init(&attr);
  ::posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_adddup2(&actions, out_w.get(), 1);
  ::posix_spawn_file_actions_adddup2(&actions, err_w.get(), 2);
  // The child starts with default signal handling (a caller that ignores SIGPIPE must not pass
  // that on) and nothing blocked.
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  ::posix_spawnattr_setsigmask(&attr, &none);
  ::posix_spawnattr_setsigdefault(&attr, &defaults);
  ::posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> argv_text;
  argv_text.push_back(exe.string());
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, exe.c_str(), &actions, &attr, argv.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  ::posix_spawnattr_destroy(&attr);
  if (rc != 0) return std::unexpected(io_error(exe, std::string("cannot run: ") + std::strerror(rc)));
  out_w.reset();
  err_w.reset();

  constexpr std::size_t kMaxStderr = 64 * 1024;
  Output result;
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  const auto timed_out = [&] {
    return std::unexpected(io_error(
        exe, "did not answer within " + std::to_string(options.timeout.count()) + " ms (killed)"));
  };
  bool out_open = true, err_open = true;
  char buf[16384];
  while (out_open || err_open) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      reap(pid, true);
      return timed_out();
    }
    pollfd fds[2] = {{out_open ? out_r.get() : -1, POLLIN, 0},
                     {err_open ? err_r.get() : -1, POLLIN, 0}};
    const int n = ::poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      reap(pid, true);
      return std::unexpected(io_error(exe, std::string("poll: ") + std::strerror(e)));
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (got <= 0) {
        (i == 0 ? out_open : err_open) = false;
        continue;
      }
      if (i == 0) {
        result.out.append(buf, static_cast<std::size_t>(got));
        if (result.out.size() > options.max_output) {
          reap(pid, true);
          return std::unexpected(io_error(
              exe, "printed more than " + std::to_string(options.max_output) +
                       " bytes (not a Python interpreter?)"));
        }
      } else if (result.err.size() < kMaxStderr) {
        result.err.append(buf, std::min(static_cast<std::size_t>(got), kMaxStderr - result.err.size()));
      }
    }
  }
  const auto status = wait_until(pid, deadline);
  if (!status) return timed_out();
  result.status = *status;
  return result;
}

// The line of stderr that says what went wrong: the first, or for a Python traceback the last.
std::string stderr_summary(std::string_view err) {
  std::vector<std::string_view> lines;
  while (!err.empty()) {
    const auto nl = err.find('\n');
    auto line = err.substr(0, nl);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (!line.empty()) lines.push_back(line);
    if (nl == std::string_view::npos) break;
    err.remove_prefix(nl + 1);
  }
  if (lines.empty()) return "";
  const auto pick = lines.front().starts_with("Traceback") ? lines.back() : lines.front();
  return std::string(pick.substr(0, 300));
}

// ---- reading the answer -----------------------------------------------------------------------

// A JSON reader that remembers the first problem.
struct Reader {
  std::string problem;

  std::optional<element> at(const object& o, std::string_view key) {
    element e;
    if (o.at_key(key).get(e) != simdjson::SUCCESS) {
      note("no \"" + std::string(key) + "\"");
      return std::nullopt;
    }
    return e;
  }
  std::string str(const object& o, std::string_view key) {
    auto e = at(o, key);
    std::string_view s;
    if (!e) return {};
    if (e->get(s) != simdjson::SUCCESS) {
      note("\"" + std::string(key) + "\" is not a string");
      return {};
    }
    return std::string(s);
  }
  // A string or null.
  std::optional<std::string> opt_str(const object& o, std::string_view key) {
    element e;
    std::string_view s;
    if (o.at_key(key).get(e) != simdjson::SUCCESS || e.is_null()) return std::nullopt;
    if (e.get(s) != simdjson::SUCCESS) {
      note("\"" + std::string(key) + "\" is not a string");
      return std::nullopt;
    }
    return std::string(s);
  }
  // Python truthiness of a config var: nullopt for None/absent.
  std::optional<bool> truthy(const object& o, std::string_view key) {
    element e;
    if (o.at_key(key).get(e) != simdjson::SUCCESS || e.is_null()) return std::nullopt;
    bool b = false;
    int64_t i = 0;
    std::string_view s;
    if (e.get(b) == simdjson::SUCCESS) return b;
    if (e.get(i) == simdjson::SUCCESS) return i != 0;
    if (e.get(s) == simdjson::SUCCESS) return !s.empty();
    return true;
  }
  object obj(const object& o, std::string_view key) {
    object out;
    auto e = at(o, key);
    if (e && e->get(out) != simdjson::SUCCESS) note("\"" + std::string(key) + "\" is not an object");
    return out;
  }
  void note(std::string what) {
    if (problem.empty()) problem = std::move(what);
  }
};

const char* short_name(std::string_view implementation) {
  if (implementation == "cpython") return "cp";
  if (implementation == "pypy") return "pp";
  if (implementation == "ironpython") return "ip";
  if (implementation == "jython") return "jy";
  if (implementation == "python") return "py";
  return nullptr;
}

// '-' and '.' become '_' (packaging's _normalize_string), lowercased.
std::string normalize_tag(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '-' || c == '.') c = '_';
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    out.push_back(c);
  }
  return out;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  for (;;) {
    const auto at = s.find(sep);
    out.emplace_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

// packaging's _cpython_abis: cpXY[t][d][m], and plain cpXY[t] after a debug one.
std::vector<std::string> cpython_abis(Reader& r, const object& q, unsigned major, unsigned minor) {
  const std::string version = std::to_string(major) + std::to_string(minor);
  const auto py_debug = r.truthy(q, "py_debug");
  const bool debug = py_debug.value_or(r.truthy(q, "has_gettotalrefcount").value_or(false) ||
                                       r.truthy(q, "debug_extensions").value_or(false));
  const std::string threading = r.truthy(q, "gil_disabled").value_or(false) ? "t" : "";
  std::string pymalloc;
  if (major == 3 && minor < 8 && r.truthy(q, "with_pymalloc").value_or(true)) pymalloc = "m";
  std::vector<std::string> abis{"cp" + version + threading + (debug ? "d" : "") + pymalloc};
  if (debug && !(major == 3 && minor < 8)) abis.push_back("cp" + version + threading);
  return abis;
}

// packaging's _generic_abi: the ABI part of EXT_SUFFIX (".pypy310-pp73-x86_64-linux-gnu.so" ->
// pypy310_pp73), else SOABI.
std::vector<std::string> generic_abis(Reader& r, const object& q) {
  const auto ext = r.opt_str(q, "ext_suffix");
  if (ext && ext->starts_with('.')) {
    const auto parts = split(*ext, '.');
    if (parts.size() >= 3 && !parts[1].empty()) {
      const auto soabi = split(parts[1], '-');
      std::size_t keep = soabi.size();
      if (parts[1].starts_with("cpython") && soabi.size() > 1) return {"cp" + soabi[1]};
      if (parts[1].starts_with("cp")) keep = 1;
      if (parts[1].starts_with("pypy")) keep = 2;
      if (parts[1].starts_with("graalpy")) keep = 3;
      std::string abi;
      for (std::size_t i = 0; i < std::min(keep, soabi.size()); ++i) {
        abi += (i ? "-" : "") + soabi[i];
      }
      return {normalize_tag(abi)};
    }
  }
  if (auto soabi = r.opt_str(q, "soabi"); soabi && !soabi->empty()) return {normalize_tag(*soabi)};
  return {};
}

std::vector<std::string> platforms_of(Reader& r, const object& q, std::string_view system) {
  const std::string plat = normalize_tag(r.str(q, "platform"));
  if (system != "Linux" || !plat.starts_with("linux_")) return {plat};
  std::string arch = plat.substr(6);
  if (r.truthy(q, "is_32bit").value_or(false)) {
    if (arch == "x86_64") arch = "i686";
    if (arch == "aarch64") arch = "armv7l";
  }
  int glibc_minor = -1;
  if (auto libc = r.opt_str(q, "libc"); libc && libc->starts_with("glibc 2.")) {
    const std::string_view rest = std::string_view(*libc).substr(8);
    int minor = 0;
    std::size_t i = 0;
    for (; i < rest.size() && rest[i] >= '0' && rest[i] <= '9' && minor < 10000; ++i) {
      minor = minor * 10 + (rest[i] - '0');
    }
    if (i > 0) glibc_minor = minor;
  }
  // musl: musllinux_1_<minor>_<arch> from the loader's version down to 1_0, then linux_<arch>
  // (packaging's order; no manylinux tags without glibc).
  if (auto musl = r.opt_str(q, "musl"); glibc_minor < 0 && musl && musl->starts_with("1.")) {
    const std::string_view rest = std::string_view(*musl).substr(2);
    int minor = 0;
    std::size_t i = 0;
    for (; i < rest.size() && rest[i] >= '0' && rest[i] <= '9' && minor < 1000; ++i) {
      minor = minor * 10 + (rest[i] - '0');
    }
    if (i > 0 && i == rest.size()) {
      std::vector<std::string> out;
      for (int m = minor; m >= 0; --m) out.push_back("musllinux_1_" + std::to_string(m) + "_" + arch);
      out.push_back("linux_" + arch);
      return out;
    }
  }
  return pkg::linux_platforms(arch, glibc_minor);
}

// The Interpreter described by the query script's JSON object.
pkg::Result<Interpreter> interpreter_from(const element& doc, const fs::path& python) {
  auto bad = [&](const std::string& why) {
    return std::unexpected(io_error(
        python, "did not describe itself as expected (not a Python 3 interpreter?): " + why));
  };
  object q;
  if (doc.get(q) != simdjson::SUCCESS) return bad("the output is not a JSON object");
  Reader r;
  Interpreter it;
  it.executable = r.str(q, "executable");
  it.prefix = r.str(q, "prefix");
  it.base_prefix = r.str(q, "base_prefix");
  const std::string version_text = r.str(q, "version");
  const std::string implementation = r.str(q, "implementation");

  const object m = r.obj(q, "markers");
  auto& mk = it.markers;
  if (r.problem.empty()) {
    mk.implementation_name = r.str(m, "implementation_name");
    mk.implementation_version = r.str(m, "implementation_version");
    mk.os_name = r.str(m, "os_name");
    mk.platform_machine = r.str(m, "platform_machine");
    mk.platform_release = r.str(m, "platform_release");
    mk.platform_system = r.str(m, "platform_system");
    mk.platform_version = r.str(m, "platform_version");
    mk.python_full_version = r.str(m, "python_full_version");
    mk.platform_python_implementation = r.str(m, "platform_python_implementation");
    mk.python_version = r.str(m, "python_version");
    mk.sys_platform = r.str(m, "sys_platform");
  }
  const object paths = r.obj(q, "paths");
  if (r.problem.empty()) {
    it.scheme.purelib = r.str(paths, "purelib");
    it.scheme.platlib = r.str(paths, "platlib");
    it.scheme.scripts = r.str(paths, "scripts");
    it.scheme.headers = r.str(paths, "include");
    it.scheme.data = r.str(paths, "data");
    it.stdlib = r.str(paths, "stdlib");
    for (const fs::path* p : {&it.scheme.purelib, &it.scheme.platlib, &it.scheme.scripts,
                              &it.scheme.headers, &it.scheme.data, &it.stdlib}) {
      if (!p->is_absolute()) r.note("the scheme path '" + p->string() + "' is not absolute");
    }
  }
  if (!r.problem.empty()) return bad(r.problem);

  auto version = pkg::Version::parse(version_text);
  if (!version) return bad("version " + version_text + ": " + version.error().detail);
  it.version = std::move(*version);
  const auto& release = it.version.release();
  if (release.size() < 2 || release[0] != 3 || release[1] > 1000) {
    return bad("Python " + version_text + " is not Python 3");
  }

  auto& ti = it.tag_info;
  const char* short_impl = short_name(implementation);
  ti.implementation = short_impl ? short_impl : implementation;
  ti.major = static_cast<unsigned>(release[0]);
  ti.minor = static_cast<unsigned>(release[1]);
  ti.abis = ti.implementation == "cp" ? cpython_abis(r, q, ti.major, ti.minor) : generic_abis(r, q);
  ti.platforms = platforms_of(r, q, mk.platform_system);
  if (!r.problem.empty()) return bad(r.problem);
  it.tags = pkg::TagSet(pkg::supported_tags(ti));

  element managed;
  if (!it.in_venv() && q.at_key("externally_managed").get(managed) == simdjson::SUCCESS &&
      !managed.is_null()) {
    object em;
    std::optional<std::string> text;
    if (managed.get(em) == simdjson::SUCCESS) text = r.opt_str(em, "error");
    it.externally_managed =
        text && !text->empty()
            ? *text
            : "The Python environment at " + it.prefix.string() +
                  " is managed externally (it has an EXTERNALLY-MANAGED marker): install "
                  "packages with its distributor's tools, or into a virtual environment.";
  }
  return it;
}

// ---- the cache --------------------------------------------------------------------------------

// Bumped when the cache file or the query script's answer changes shape. (The answer's
// "venv_scheme" was added without a bump: a per-path entry without it is still right, and a
// base record is only ever written from an answer that has it.)
constexpr std::int64_t kCacheFormat = 1;

// Paths are kept as sha256 hex digests: the cache file needs no string escaping.
struct CacheKey {
  std::string path;       // absolute, as given
  std::string path_sha256;
  fs::path real;          // the resolved path
  std::string realpath_sha256;
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t venv_cfg_mtime_ns = -1;  // <exe>/../../pyvenv.cfg, -1 when absent
};

std::int64_t mtime_ns(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

pkg::Result<CacheKey> cache_key(const fs::path& python) {
  CacheKey key;
  std::error_code ec;
  const fs::path abs = fs::absolute(python, ec).lexically_normal();
  if (ec) return std::unexpected(io_error(python, "cannot make the path absolute: " + ec.message()));
  key.real = fs::canonical(abs, ec);
  if (ec) return std::unexpected(io_error(python, "no such interpreter (" + ec.message() + ")"));
  struct stat st {};
  if (::stat(key.real.c_str(), &st) != 0) {
    return std::unexpected(io_error(python, std::string("cannot stat: ") + std::strerror(errno)));
  }
  key.path = abs.string();
  key.path_sha256 = sha256_hex(key.path);
  key.realpath_sha256 = sha256_hex(key.real.string());
  key.size = static_cast<std::int64_t>(st.st_size);
  key.mtime_ns = mtime_ns(st);
  const fs::path cfg = abs.parent_path().parent_path() / "pyvenv.cfg";
  if (::stat(cfg.c_str(), &st) == 0) key.venv_cfg_mtime_ns = mtime_ns(st);
  return key;
}

bool has_int(const object& o, std::string_view name, std::int64_t want) {
  std::int64_t got = 0;
  return o[name].get(got) == simdjson::SUCCESS && got == want;
}

bool has_str(const object& o, std::string_view name, std::string_view want) {
  std::string_view got;
  return o[name].get(got) == simdjson::SUCCESS && got == want;
}

// The fields of a per-path entry's key, and of a base record's key (see the header).
std::string path_key_fields(const CacheKey& key) {
  return "\"path_sha256\":\"" + key.path_sha256 + "\",\"realpath_sha256\":\"" +
         key.realpath_sha256 + "\",\"size\":" + std::to_string(key.size) +
         ",\"mtime_ns\":" + std::to_string(key.mtime_ns) +
         ",\"venv_cfg_mtime_ns\":" + std::to_string(key.venv_cfg_mtime_ns);
}

bool path_key_matches(const object& o, const CacheKey& key) {
  return has_str(o, "path_sha256", key.path_sha256) &&
         has_str(o, "realpath_sha256", key.realpath_sha256) && has_int(o, "size", key.size) &&
         has_int(o, "mtime_ns", key.mtime_ns) &&
         has_int(o, "venv_cfg_mtime_ns", key.venv_cfg_mtime_ns);
}

std::string base_key_fields(const CacheKey& key, std::string_view home) {
  return "\"realpath_sha256\":\"" + key.realpath_sha256 + "\",\"home_sha256\":\"" +
         sha256_hex(home) + "\",\"size\":" + std::to_string(key.size) +
         ",\"mtime_ns\":" + std::to_string(key.mtime_ns);
}

bool base_key_matches(const object& o, const CacheKey& key, std::string_view home) {
  return has_str(o, "realpath_sha256", key.realpath_sha256) &&
         has_str(o, "home_sha256", sha256_hex(home)) && has_int(o, "size", key.size) &&
         has_int(o, "mtime_ns", key.mtime_ns);
}

// The "query" of a cache file of this format whose key `matches` accepts; it lives in `parser`.
template <class Matches>
std::optional<element> load_query(simdjson::dom::parser& parser, const fs::path& file,
                                  Matches matches) {
  element doc;
  object o;
  element query;
  if (parser.load(file.string()).get(doc) != simdjson::SUCCESS || doc.get(o) != simdjson::SUCCESS ||
      !has_int(o, "format", kCacheFormat) || !matches(o) ||
      o["query"].get(query) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return query;
}

std::optional<Interpreter> read_cache(const fs::path& file, const CacheKey& key,
                                      const fs::path& python) {
  simdjson::dom::parser parser;
  const auto query =
      load_query(parser, file, [&](const object& o) { return path_key_matches(o, key); });
  if (!query) return std::nullopt;
  auto it = interpreter_from(*query, python);
  if (!it) return std::nullopt;
  it->from_cache = true;
  return std::move(*it);
}

// Best effort: a cache that cannot be written only costs a later query.
void write_cache(const fs::path& dir, const fs::path& file, const std::string& key_fields,
                 const element& query) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return;
  const std::string text = "{\"format\":" + std::to_string(kCacheFormat) + "," + key_fields +
                           ",\"query\":" + simdjson::minify(query) + "}\n";
  // Not durable: a record a crash truncated fails to parse and is only queried again.
  (void)fsutil::write_file_atomic(file, text, {.mode = 0644, .durable = false});
}

// ---- virtual environments of a known base interpreter -------------------------------------------
//
// A venv's answer differs from its base interpreter's only in executable, prefix and the
// sysconfig paths: the base prefix is found from pyvenv.cfg's `home` exactly as the base finds
// its own from its resolved executable's directory, and everything else comes from the same
// binary and standard library. So the answer of one query, plus the venv scheme the script
// computed for a placeholder prefix, gives the answer for any venv whose bin/python resolves to
// the same file and whose `home` is the same string.

// pyvenv.cfg as site.py and getpath read it: "key = value" lines (a line without '=' is
// ignored), keys without case, whitespace around both stripped.
struct VenvConfig {
  fs::path prefix;                    // the directory holding bin/ and pyvenv.cfg
  std::string home;                   // the base interpreter's directory
  std::vector<std::string> versions;  // the "version" and "version_info" values given
  std::optional<std::string> executable;
};

enum class Layout { plain, venv, unknown };

struct VenvLayout {
  Layout layout = Layout::unknown;
  VenvConfig config;
};

std::string_view strip(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  const auto first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

// Whether `p` exists, or might: only "no such file" counts as absent.
bool maybe_exists(const fs::path& p, struct stat& st) {
  return ::stat(p.c_str(), &st) == 0 || (errno != ENOENT && errno != ENOTDIR);
}

// How the executable at `exe` (absolute, normal, not resolved) sits in a venv. Python looks for
// pyvenv.cfg next to the executable, then one level up; only the usual <prefix>/bin/<python>
// with <prefix>/pyvenv.cfg is derived, anything else is `unknown`.
VenvLayout venv_layout(const fs::path& exe) {
  VenvLayout out;
  const fs::path bin = exe.parent_path();
  const fs::path prefix = bin.parent_path();
  struct stat st {};
  if (maybe_exists(bin / "pyvenv.cfg", st)) return out;
  const fs::path cfg_file = prefix / "pyvenv.cfg";
  if (!maybe_exists(cfg_file, st)) {
    out.layout = Layout::plain;
    return out;
  }
  constexpr off_t kMaxConfig = 64 * 1024;
  if (bin.filename() != "bin" || prefix == prefix.root_path() || !S_ISREG(st.st_mode) ||
      st.st_size > kMaxConfig) {
    return out;
  }
  std::ifstream in(cfg_file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in && !in.eof()) return out;
  VenvConfig& cfg = out.config;
  cfg.prefix = prefix;
  std::vector<std::string> seen;
  for (const auto& raw : split(text, '\n')) {
    const auto eq = raw.find('=');
    if (eq == std::string::npos) continue;
    std::string name(strip(std::string_view(raw).substr(0, eq)));
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    const std::string value(strip(std::string_view(raw).substr(eq + 1)));
    if (name != "home" && name != "version" && name != "version_info" && name != "executable") {
      continue;  // include-system-site-packages and the rest change sys.path, not the scheme
    }
    // getpath takes the first `home`, site.py the last: a repeated key is not guessed at.
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) return out;
    seen.push_back(name);
    if (name == "home") cfg.home = value;
    if (name == "version" || name == "version_info") cfg.versions.push_back(value);
    if (name == "executable") cfg.executable = value;
  }
  if (cfg.home.empty() || cfg.versions.empty()) return out;
  out.layout = Layout::venv;
  return out;
}

// Where the answer of the interpreter resolving to key.real, run as a venv with this `home`
// (or, for home = the resolved directory, run outside any venv), is kept.
fs::path base_record_file(const fs::path& cache_dir, const CacheKey& key, std::string_view home) {
  std::string id = key.real.string();
  id.push_back('\0');
  id += home;
  return cache_dir / ("base-" + sha256_hex(id) + ".json");
}

// A template path with the placeholder prefix replaced by `prefix`; nullopt when the
// placeholder appears anywhere but at the start of a path that sysconfig normalised.
std::optional<fs::path> venv_path(std::string_view templ, std::string_view placeholder,
                                  const fs::path& prefix) {
  if (templ == placeholder) return prefix;
  if (templ.starts_with(placeholder) && templ.size() > placeholder.size() &&
      templ[placeholder.size()] == '/') {
    const std::string_view rest = templ.substr(placeholder.size() + 1);
    for (const auto& part : split(rest, '/')) {
      if (part.empty() || part == "." || part == "..") return std::nullopt;
    }
    return fs::path(prefix.string() + "/" + std::string(rest));
  }
  if (templ.find(placeholder) != std::string_view::npos || !templ.starts_with('/')) {
    return std::nullopt;
  }
  return fs::path(templ);
}

// Makes `it` (the answer of the base, or of another venv of it) the answer for the venv at
// `prefix` run as `exe`, from the answer's "venv_scheme". False when that is missing or unusable.
bool apply_venv_scheme(Interpreter& it, const object& q, const fs::path& exe,
                       const fs::path& prefix) {
  object scheme, paths;
  std::string_view placeholder;
  if (q["venv_scheme"].get(scheme) != simdjson::SUCCESS ||
      scheme["prefix"].get(placeholder) != simdjson::SUCCESS ||
      scheme["paths"].get(paths) != simdjson::SUCCESS || placeholder.size() < 2 ||
      !placeholder.starts_with('/') || placeholder.ends_with('/') ||
      fs::path(placeholder).lexically_normal() != fs::path(placeholder)) {
    return false;
  }
  Scheme out;
  fs::path stdlib;
  const std::pair<const char*, fs::path*> fields[] = {
      {"purelib", &out.purelib}, {"platlib", &out.platlib}, {"scripts", &out.scripts},
      {"include", &out.headers}, {"data", &out.data},       {"stdlib", &stdlib}};
  for (const auto& [name, target] : fields) {
    std::string_view templ;
    if (paths[name].get(templ) != simdjson::SUCCESS) return false;
    auto path = venv_path(templ, placeholder, prefix);
    if (!path) return false;
    *target = std::move(*path);
  }
  it.executable = exe;
  it.prefix = prefix;
  it.scheme = std::move(out);
  it.stdlib = std::move(stdlib);
  it.externally_managed.reset();  // PEP 668: the marker does not apply inside a venv
  return it.in_venv();
}

// "X.Y.Z" of the answer's version_info.
std::optional<std::string> release_text(const object& q) {
  simdjson::dom::array info;
  if (q["version_info"].get(info) != simdjson::SUCCESS || info.size() != 3) return std::nullopt;
  std::string out;
  for (const element e : info) {
    std::int64_t n = 0;
    if (e.get(n) != simdjson::SUCCESS || n < 0) return std::nullopt;
    out += (out.empty() ? "" : ".") + std::to_string(n);
  }
  return out;
}

// The answer for a venv built from its base interpreter's record, or nullopt when anything is
// uncertain (the caller then runs the venv's interpreter).
std::optional<Interpreter> derive_venv(const fs::path& cache_dir, const CacheKey& key) {
  const auto layout = venv_layout(key.path);
  if (layout.layout != Layout::venv) return std::nullopt;
  const VenvConfig& cfg = layout.config;
  if (cfg.executable) {
    std::error_code ec;
    const fs::path target = fs::canonical(*cfg.executable, ec);
    if (ec || !fs::path(*cfg.executable).is_absolute() || target != key.real) return std::nullopt;
  }
  simdjson::dom::parser parser;
  const auto matches = [&](const object& o) { return base_key_matches(o, key, cfg.home); };
  const auto query = load_query(parser, base_record_file(cache_dir, key, cfg.home), matches);
  object q;
  if (!query || query->get(q) != simdjson::SUCCESS) return std::nullopt;
  // pyvenv.cfg's "3.11.2" (venv, uv) or "3.11.2.final.0" (virtualenv) names the base's release.
  const auto release = release_text(q);
  if (!release) return std::nullopt;
  for (const auto& v : cfg.versions) {
    if (v != *release && !v.starts_with(*release + ".")) return std::nullopt;
  }
  auto it = interpreter_from(*query, key.path);
  if (!it || !apply_venv_scheme(*it, q, key.path, cfg.prefix)) return std::nullopt;
  it->from_cache = true;
  return std::move(*it);
}

bool same_location(const Interpreter& a, const Interpreter& b) {
  return a.executable == b.executable && a.prefix == b.prefix && a.base_prefix == b.base_prefix &&
         a.scheme.purelib == b.scheme.purelib && a.scheme.platlib == b.scheme.platlib &&
         a.scheme.scripts == b.scheme.scripts && a.scheme.headers == b.scheme.headers &&
         a.scheme.data == b.scheme.data && a.stdlib == b.stdlib;
}

// After a real query: keeps the answer as the record for venvs of this interpreter, when it is
// known which `home` it stands for.
void write_base_record(const fs::path& cache_dir, const CacheKey& key, const element& doc,
                       const Interpreter& it) {
  object q;
  if (doc.get(q) != simdjson::SUCCESS) return;
  const auto layout = venv_layout(key.path);
  std::string home;
  if (layout.layout == Layout::plain) {
    // Outside a venv Python searches for its prefix from its resolved executable's directory,
    // in a venv from `home`: the same search when `home` names that directory. An executable
    // that reports another path (a wrapper that runs some other Python) is not recorded.
    element scheme;
    if (it.in_venv() || it.executable != fs::path(key.path) ||
        q["venv_scheme"].get(scheme) != simdjson::SUCCESS || scheme.is_null()) {
      return;
    }
    home = key.real.parent_path().string();
  } else if (layout.layout == Layout::venv) {
    // The template must give exactly this venv's own answer.
    Interpreter check = it;
    if (!apply_venv_scheme(check, q, key.path, layout.config.prefix) || !same_location(check, it)) {
      return;
    }
    home = layout.config.home;
  } else {
    return;
  }
  write_cache(cache_dir, base_record_file(cache_dir, key, home), base_key_fields(key, home), doc);
}

// ---- find_python ------------------------------------------------------------------------------

bool is_executable_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

pkg::Result<fs::path> python_in_dir(const fs::path& dir, std::string_view what) {
  for (const char* name : {"bin/python", "bin/python3"}) {
    if (is_executable_file(dir / name)) return (dir / name).lexically_normal();
  }
  return pkg::fail(pkg::Errc::io, dir.string(),
                   std::string(what) + " has no bin/python (not a virtual environment or Python "
                                       "prefix)");
}

}  // namespace

pkg::Result<fs::path> find_python(std::string_view value, const PythonSearch& env) {
  std::error_code ec;
  if (value.empty()) {
    if (!env.virtual_env.empty()) {
      return python_in_dir(env.cwd / env.virtual_env, "$VIRTUAL_ENV's directory");
    }
    if (fs::is_directory(env.cwd / ".venv", ec)) return python_in_dir(env.cwd / ".venv", ".venv");
    return pkg::fail(pkg::Errc::io, "",
                     "no target interpreter: pass --python, activate a virtual environment "
                     "($VIRTUAL_ENV is not set), or create one in ./.venv (there is none in " +
                         env.cwd.string() + ")");
  }
  fs::path p = env.cwd / fs::path(value);  // an absolute value replaces cwd
  if (value.find('/') == std::string_view::npos && !fs::exists(fs::symlink_status(p, ec))) {
    for (const auto& dir : split(env.path, ':')) {
      const fs::path candidate = (dir.empty() ? env.cwd : env.cwd / dir) / fs::path(value);
      if (is_executable_file(candidate)) return candidate.lexically_normal();
    }
    return pkg::fail(pkg::Errc::io, value, "no such file, directory or program on $PATH");
  }
  p = p.lexically_normal();
  if (fs::is_directory(p, ec)) return python_in_dir(p, "the directory");
  if (!fs::exists(p, ec)) return pkg::fail(pkg::Errc::io, p.string(), "no such file");
  if (!is_executable_file(p)) return pkg::fail(pkg::Errc::io, p.string(), "not an executable file");
  return p;
}

pkg::Result<fs::path> find_python(std::string_view value) {
  PythonSearch env;
  if (const char* v = std::getenv("VIRTUAL_ENV")) env.virtual_env = v;
  if (const char* v = std::getenv("PATH")) env.path = v;
  std::error_code ec;
  env.cwd = fs::current_path(ec);
  if (ec) return pkg::fail(pkg::Errc::io, "", "cannot read the working directory: " + ec.message());
  return find_python(value, env);
}

pkg::Result<Interpreter> query_interpreter(const fs::path& python, const fs::path& cache_dir,
                                           const QueryOptions& options) {
  auto key = cache_key(python);
  if (!key) return std::unexpected(key.error());
  const fs::path exe = key->path;
  const fs::path cache_file =
      cache_dir.empty() ? fs::path() : cache_dir / (key->path_sha256 + ".json");
  if (!cache_file.empty()) {
    if (auto cached = read_cache(cache_file, *key, exe)) return std::move(*cached);
    if (auto derived = derive_venv(cache_dir, *key)) return std::move(*derived);
  }

  auto run = run_captured(exe, {"-I", "-c", kQueryScript}, options);
  if (!run) return std::unexpected(run.error());
  const int status = run->status;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string why = WIFEXITED(status)
                          ? "exited with status " + std::to_string(WEXITSTATUS(status))
                          : "was killed by signal " + std::to_string(WTERMSIG(status));
    const std::string line = stderr_summary(run->err);
    if (!line.empty()) why += ": " + line;
    return std::unexpected(io_error(exe, why));
  }
  simdjson::dom::parser parser;
  element doc;
  if (auto err = parser.parse(run->out).get(doc); err != simdjson::SUCCESS) {
    std::string why = "did not describe itself as expected (not a Python 3 interpreter?): the "
                      "output is not JSON (" + std::string(simdjson::error_message(err)) + ")";
    if (const auto line = stderr_summary(run->err); !line.empty()) why += "; stderr: " + line;
    return std::unexpected(io_error(exe, why));
  }
  auto it = interpreter_from(doc, exe);
  if (!it) return std::unexpected(it.error());
  if (!cache_file.empty()) {
    write_cache(cache_dir, cache_file, path_key_fields(*key), doc);
    write_base_record(cache_dir, *key, doc, *it);
  }
  return it;
}

pkg::Result<Interpreter> query_interpreter(const fs::path& python, const fs::path& cache_dir) {
  return query_interpreter(python, cache_dir, QueryOptions{});
}

// ---- synthetic targets ------------------------------------------------------------------------

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && s.size() <= 4 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

unsigned to_uint(std::string_view s) {
  unsigned v = 0;
  for (char c : s) v = v * 10 + static_cast<unsigned>(c - '0');
  return v;
}

// pip's expansion of --platform values (legacy manylinux names imply the older ones).
std::vector<std::string> expand_platforms(const std::vector<std::string>& given) {
  std::vector<std::string> out;
  auto add = [&](std::string p) {
    if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(std::move(p));
  };
  for (const auto& g : given) {
    const std::string p = normalize_tag(g);
    add(p);
    const auto sep = p.find('_');
    const std::string prefix = p.substr(0, sep);
    const std::string arch = sep == std::string::npos ? "" : p.substr(sep + 1);
    if (prefix == "macosx") {  // macosx_X_Y_ARCH: every older version and binary format, as pip
      int major = 0, minor = 0;
      std::size_t at = 7, n = 0;
      for (; at < p.size() && p[at] >= '0' && p[at] <= '9' && n < 4; ++at, ++n) major = major * 10 + (p[at] - '0');
      const bool have_major = n > 0 && at < p.size() && p[at] == '_';
      n = 0;
      for (++at; have_major && at < p.size() && p[at] >= '0' && p[at] <= '9' && n < 4; ++at, ++n) {
        minor = minor * 10 + (p[at] - '0');
      }
      if (have_major && n > 0 && at < p.size() && p[at] == '_' && at + 1 < p.size()) {
        for (auto& m : pkg::mac_platforms(major, minor, std::string_view(p).substr(at + 1))) add(std::move(m));
      }
    } else if (prefix == "manylinux2014" && (arch == "x86_64" || arch == "i686")) {
      add("manylinux2010_" + arch);
      add("manylinux1_" + arch);
    } else if (prefix == "manylinux2010") {
      add("manylinux1_" + arch);
    }
  }
  return out;
}

// The marker values a platform tag implies (os_name, sys_platform, platform_system, machine).
void apply_platform(pkg::MarkerEnvironment& m, std::string_view plat) {
  auto machine_after = [&](std::size_t parts) {
    std::size_t at = 0;
    for (std::size_t i = 0; i < parts && at != std::string_view::npos; ++i) {
      at = plat.find('_', at);
      if (at != std::string_view::npos) ++at;
    }
    return at == std::string_view::npos ? std::string() : std::string(plat.substr(at));
  };
  if (plat.starts_with("win")) {
    m.os_name = "nt";
    m.sys_platform = "win32";
    m.platform_system = "Windows";
    m.platform_machine = plat == "win32" ? "x86" : plat == "win_arm64" ? "ARM64" : "AMD64";
  } else if (plat.starts_with("macosx_")) {
    m.os_name = "posix";
    m.sys_platform = "darwin";
    m.platform_system = "Darwin";
    const std::string arch = machine_after(3);  // macosx_<major>_<minor>_<arch>
    m.platform_machine = arch == "arm64" ? "arm64" : "x86_64";
  } else if (plat.starts_with("linux_") || plat.starts_with("manylinux") ||
             plat.starts_with("musllinux")) {
    m.os_name = "posix";
    m.sys_platform = "linux";
    m.platform_system = "Linux";
    // linux_<arch>, manylinux<year>_<arch>, many/musllinux_<x>_<y>_<arch>
    const bool pep600 = plat.starts_with("manylinux_") || plat.starts_with("musllinux_");
    const std::string arch = machine_after(pep600 ? 3 : 1);
    if (!arch.empty()) m.platform_machine = arch;
  }
}

}  // namespace

pkg::Result<Interpreter> synthetic_interpreter(std::string_view python_version,
                                               const std::vector<std::string>& platforms) {
  auto bad = [&] {
    return pkg::fail(pkg::Errc::invalid_version, python_version,
                     "a target Python version is X.Y, X.Y.Z or XY (3.11, 3.11.4, 311)");
  };
  std::vector<std::string> parts;
  if (python_version.find('.') == std::string_view::npos) {
    if (python_version.size() < 2 || !all_digits(python_version)) return bad();
    parts = {std::string(python_version.substr(0, 1)), std::string(python_version.substr(1))};
  } else {
    parts = split(python_version, '.');
  }
  if (parts.size() < 2 || parts.size() > 3) return bad();
  for (const auto& p : parts) {
    if (!all_digits(p)) return bad();
  }
  Interpreter it;
  const std::string dotted = [&] {
    std::string s;
    for (const auto& p : parts) s += (s.empty() ? "" : ".") + std::to_string(to_uint(p));
    return s;
  }();
  auto version = pkg::Version::parse(dotted);
  if (!version) return bad();
  it.version = std::move(*version);
  it.markers = pkg::MarkerEnvironment::cpython_linux(dotted);
  auto& ti = it.tag_info;
  ti.implementation = "cp";
  ti.major = to_uint(parts[0]);
  ti.minor = to_uint(parts[1]);
  ti.abis = {"cp" + std::to_string(ti.major) + std::to_string(ti.minor)};
  ti.platforms = platforms.empty() ? pkg::linux_platforms("x86_64", 17) : expand_platforms(platforms);
  if (!ti.platforms.empty()) apply_platform(it.markers, ti.platforms.front());
  it.tags = pkg::TagSet(pkg::supported_tags(ti));
  return it;
}

}  // namespace pkg_fs
