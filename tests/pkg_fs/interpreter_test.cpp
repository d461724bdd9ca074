// pkg_fs/interpreter: finding the target interpreter, querying it (real venvs and fake
// interpreters that print crafted answers), the query cache, synthetic targets.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "pkg_fs/interpreter.h"

namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "tufget-interp-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path_ = fs::canonical(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void write_file(const fs::path& p, std::string_view text, bool executable = false) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
  if (executable) fs::permissions(p, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::size_t count_lines(const fs::path& p) {
  const std::string text = fs::exists(p) ? read_file(p) : "";
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// The output of a shell command, or nullopt when it fails.
std::optional<std::string> run(const std::string& command) {
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return std::nullopt;
  std::string out;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  if (::pclose(p) != 0) return std::nullopt;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// A venv made by `python` (by default Debian's python3, with python3-venv), or nullopt when
// that cannot be done here.
std::optional<fs::path> make_venv(const fs::path& dir, const fs::path& python = "/usr/bin/python3",
                                  const std::string& flags = "") {
  if (!fs::exists(python)) return std::nullopt;
  if (!run("'" + python.string() + "' -m venv --without-pip " + flags + " '" + dir.string() +
           "' 2>&1")) {
    return std::nullopt;
  }
  return dir;
}

// The JSON a fake interpreter prints: a CPython 3.12 on Linux x86_64 with glibc 2.31; tests
// override top-level fields with raw JSON values.
std::string query_json(const std::map<std::string, std::string>& overrides) {
  std::map<std::string, std::string> f = {
      {"tufget_interpreter", "1"},
      {"executable", R"("/opt/fake/bin/python")"},
      {"prefix", R"("/opt/fake")"},
      {"base_prefix", R"("/opt/fake")"},
      {"version", R"("3.12.1")"},
      {"version_info", "[3, 12, 1]"},
      {"implementation", R"("cpython")"},
      {"markers", R"({"implementation_name": "cpython", "implementation_version": "3.12.1",
          "os_name": "posix", "platform_machine": "x86_64", "platform_release": "fake-release",
          "platform_system": "Linux", "platform_version": "#1 SMP", "python_full_version": "3.12.1",
          "platform_python_implementation": "CPython", "python_version": "3.12",
          "sys_platform": "linux"})"},
      {"py_version_nodot", R"("312")"},
      {"soabi", R"("cpython-312-x86_64-linux-gnu")"},
      {"ext_suffix", R"(".cpython-312-x86_64-linux-gnu.so")"},
      {"abiflags", R"("")"},
      {"py_debug", "0"},
      {"gil_disabled", "null"},
      {"with_pymalloc", "1"},
      {"has_gettotalrefcount", "false"},
      {"debug_extensions", "false"},
      {"is_32bit", "false"},
      {"platform", R"("linux-x86_64")"},
      {"libc", R"("glibc 2.31")"},
      {"paths", R"({"stdlib": "/opt/fake/lib/python3.12", "purelib": "/opt/fake/lib/python3.12/site-packages",
          "platlib": "/opt/fake/lib64/python3.12/site-packages", "include": "/opt/fake/include/python3.12",
          "scripts": "/opt/fake/bin", "data": "/opt/fake"})"},
      {"externally_managed", "null"},
  };
  for (const auto& [k, v] : overrides) f[k] = v;
  std::string out = "{";
  for (const auto& [k, v] : f) {
    if (v == "<absent>") continue;
    out += (out.size() > 1 ? ", \"" : "\"") + k + "\": " + v;
  }
  return out + "}";
}

// A fake interpreter: a shell script that logs each run to `counter` and prints `output`.
fs::path fake_python(const fs::path& dir, const std::string& output, const fs::path& counter) {
  const fs::path exe = dir / "bin" / "python";
  write_file(exe,
             "#!/bin/sh\necho run >> '" + counter.string() + "'\ncat <<'TUFGET_EOF'\n" + output +
                 "\nTUFGET_EOF\n",
             true);
  return exe;
}

pkg::Result<pkg_fs::Interpreter> query_fake(const TempDir& tmp,
                                            const std::map<std::string, std::string>& fields) {
  const fs::path exe = fake_python(tmp.path() / "fake", query_json(fields), tmp.path() / "runs");
  return pkg_fs::query_interpreter(exe, {});
}

std::vector<std::string> tag_strings(const pkg::TagSet& set) {
  std::vector<std::string> out;
  for (const auto& t : set.tags()) out.push_back(t.str());
  return out;
}

bool inside(const fs::path& p, const fs::path& dir) {
  const auto rel = fs::weakly_canonical(p).lexically_relative(fs::weakly_canonical(dir));
  return !rel.empty() && *rel.begin() != "..";
}

constexpr const char* kPyenvPython = "/root/.pyenv/versions/3.11.7/bin/python3";

// The fields in which two answers differ (all but from_cache), by name.
std::vector<std::string> differences(const pkg_fs::Interpreter& a, const pkg_fs::Interpreter& b) {
  std::vector<std::string> out;
  auto check = [&](bool same, const std::string& name) {
    if (!same) out.push_back(name);
  };
  check(a.executable == b.executable, "executable");
  check(a.prefix == b.prefix, "prefix");
  check(a.base_prefix == b.base_prefix, "base_prefix");
  check(a.version.str() == b.version.str(), "version");
  for (const char* name :
       {"implementation_name", "implementation_version", "os_name", "platform_machine",
        "platform_release", "platform_system", "platform_version", "python_full_version",
        "platform_python_implementation", "python_version", "sys_platform"}) {
    check(a.markers.get(name) == b.markers.get(name), name);
  }
  check(a.tag_info.implementation == b.tag_info.implementation, "tag_info.implementation");
  check(a.tag_info.major == b.tag_info.major && a.tag_info.minor == b.tag_info.minor,
        "tag_info.version");
  check(a.tag_info.abis == b.tag_info.abis, "tag_info.abis");
  check(a.tag_info.platforms == b.tag_info.platforms, "tag_info.platforms");
  check(tag_strings(a.tags) == tag_strings(b.tags), "tags");
  check(a.scheme.purelib == b.scheme.purelib, "purelib");
  check(a.scheme.platlib == b.scheme.platlib, "platlib");
  check(a.scheme.scripts == b.scheme.scripts, "scripts");
  check(a.scheme.headers == b.scheme.headers, "headers");
  check(a.scheme.data == b.scheme.data, "data");
  check(a.stdlib == b.stdlib, "stdlib");
  check(a.externally_managed == b.externally_managed, "externally_managed");
  return out;
}

// The base records in a cache directory (base-*.json).
std::size_t base_records(const fs::path& cache) {
  std::size_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(cache, ec)) {
    n += e.path().filename().string().starts_with("base-") ? 1 : 0;
  }
  return n;
}

// Queries the venv at `venv` through `cache`, expecting an answer derived without a query, and
// compares it with a real query (no cache).
void check_derived(const fs::path& python, const fs::path& cache) {
  INFO(python);
  auto derived = pkg_fs::query_interpreter(python, cache);
  REQUIRE(derived);
  CHECK(derived->from_cache);
  auto real = pkg_fs::query_interpreter(python, {});
  REQUIRE(real);
  CHECK_FALSE(real->from_cache);
  CHECK(real->in_venv());
  CHECK(differences(*derived, *real) == std::vector<std::string>{});
}


}  // namespace

// ---- find_python ------------------------------------------------------------------------------

TEST_CASE("find_python takes a venv directory, a file, a relative path or a name on PATH",
          "[pkg_fs][interpreter]") {
  TempDir tmp;
  const fs::path venv = tmp.path() / "env";
  write_file(venv / "bin" / "python3.11", "#!/bin/sh\n", true);
  fs::create_symlink("python3.11", venv / "bin" / "python");
  write_file(tmp.path() / "tools" / "mypython", "#!/bin/sh\n", true);
  write_file(tmp.path() / "plain.txt", "not executable");
  fs::create_directories(tmp.path() / "empty");
  const pkg_fs::PythonSearch env{"", tmp.path(), (tmp.path() / "tools").string() + ":/nonexistent"};

  // A directory: its bin/python, not resolved through the symlink.
  CHECK(pkg_fs::find_python(venv.string(), env).value() == venv / "bin" / "python");
  CHECK(pkg_fs::find_python("env", env).value() == venv / "bin" / "python");
  CHECK(pkg_fs::find_python("./env/", env).value() == venv / "bin" / "python");
  // A file, absolute or relative to the working directory.
  CHECK(pkg_fs::find_python((venv / "bin" / "python3.11").string(), env).value() ==
        venv / "bin" / "python3.11");
  CHECK(pkg_fs::find_python("env/bin/python", env).value() == venv / "bin" / "python");
  // A bare name: $PATH.
  CHECK(pkg_fs::find_python("mypython", env).value() == tmp.path() / "tools" / "mypython");

  auto missing = pkg_fs::find_python("nosuchpython", env);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == pkg::Errc::io);
  CHECK_THAT(missing.error().detail, Catch::Contains("PATH"));
  auto not_exec = pkg_fs::find_python("plain.txt", env);
  REQUIRE_FALSE(not_exec);
  CHECK_THAT(not_exec.error().detail, Catch::Contains("not an executable"));
  auto no_bin = pkg_fs::find_python("empty", env);
  REQUIRE_FALSE(no_bin);
  CHECK_THAT(no_bin.error().detail, Catch::Contains("bin/python"));
  auto gone = pkg_fs::find_python((tmp.path() / "gone" / "python").string(), env);
  REQUIRE_FALSE(gone);
  CHECK_THAT(gone.error().detail, Catch::Contains("no such file"));
}

TEST_CASE("find_python without a value uses $VIRTUAL_ENV, then ./.venv, else says both",
          "[pkg_fs][interpreter]") {
  TempDir tmp;
  write_file(tmp.path() / "active" / "bin" / "python", "#!/bin/sh\n", true);
  write_file(tmp.path() / "project" / ".venv" / "bin" / "python", "#!/bin/sh\n", true);
  fs::create_directories(tmp.path() / "elsewhere");

  const pkg_fs::PythonSearch with_env{(tmp.path() / "active").string(), tmp.path() / "project", ""};
  CHECK(pkg_fs::find_python("", with_env).value() == tmp.path() / "active" / "bin" / "python");

  const pkg_fs::PythonSearch dot_venv{"", tmp.path() / "project", ""};
  CHECK(pkg_fs::find_python("", dot_venv).value() ==
        tmp.path() / "project" / ".venv" / "bin" / "python");

  const pkg_fs::PythonSearch nothing{"", tmp.path() / "elsewhere", ""};
  auto none = pkg_fs::find_python("", nothing);
  REQUIRE_FALSE(none);
  CHECK(none.error().code == pkg::Errc::io);
  CHECK_THAT(none.error().detail, Catch::Contains("VIRTUAL_ENV") && Catch::Contains(".venv"));

  // $VIRTUAL_ENV naming something that is not an environment is an error, not a fallback.
  const pkg_fs::PythonSearch broken{(tmp.path() / "elsewhere").string(), tmp.path() / "project", ""};
  auto bad = pkg_fs::find_python("", broken);
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().detail, Catch::Contains("VIRTUAL_ENV"));
}

TEST_CASE("find_python reads VIRTUAL_ENV from the process environment", "[pkg_fs][interpreter]") {
  TempDir tmp;
  write_file(tmp.path() / "bin" / "python", "#!/bin/sh\n", true);
  const char* old = std::getenv("VIRTUAL_ENV");
  const std::optional<std::string> saved = old ? std::optional<std::string>(old) : std::nullopt;
  ::setenv("VIRTUAL_ENV", tmp.path().c_str(), 1);
  auto found = pkg_fs::find_python("");
  if (saved) {
    ::setenv("VIRTUAL_ENV", saved->c_str(), 1);
  } else {
    ::unsetenv("VIRTUAL_ENV");
  }
  CHECK(found.value() == tmp.path() / "bin" / "python");
}

// ---- query_interpreter on real interpreters -----------------------------------------------------

TEST_CASE("query_interpreter reads a real venv's scheme, markers and tags",
          "[pkg_fs][interpreter]") {
  TempDir tmp;
  const auto venv = make_venv(tmp.path() / "venv");
  if (!venv) {
    WARN("skipped: cannot create a venv with /usr/bin/python3 -m venv");
    return;
  }
  const fs::path python = *venv / "bin" / "python";
  auto it = pkg_fs::query_interpreter(python, tmp.path() / "cache");
  REQUIRE(it);
  CHECK_FALSE(it->from_cache);
  CHECK(it->executable == python);
  CHECK(it->in_venv());
  CHECK(fs::weakly_canonical(it->prefix) == fs::weakly_canonical(*venv));
  CHECK(inside(it->scheme.purelib, *venv));
  CHECK(inside(it->scheme.platlib, *venv));
  CHECK(inside(it->scheme.scripts, *venv));
  CHECK(fs::weakly_canonical(it->scheme.data) == fs::weakly_canonical(*venv));
  CHECK_FALSE(inside(it->stdlib, *venv));
  // In a venv the base's EXTERNALLY-MANAGED marker does not apply (PEP 668).
  CHECK_FALSE(it->externally_managed);

  const auto facts = run("'" + python.string() +
                         "' -c 'import platform, sys; print(platform.python_version()); "
                         "print(sys.version_info[0], sys.version_info[1])'");
  REQUIRE(facts);
  std::istringstream in(*facts);
  std::string full;
  unsigned major = 0, minor = 0;
  in >> full >> major >> minor;
  CHECK(it->markers.python_full_version == full);
  CHECK(it->markers.python_version == std::to_string(major) + "." + std::to_string(minor));
  CHECK(it->markers.implementation_name == "cpython");
  CHECK(it->markers.os_name == "posix");
  CHECK(it->markers.sys_platform == "linux");
  CHECK(it->version.release().at(0) == major);
  CHECK(it->version.release().at(1) == minor);

  const std::string cp = "cp" + std::to_string(major) + std::to_string(minor);
  REQUIRE_FALSE(it->tags.empty());
  CHECK(it->tag_info.abis == std::vector<std::string>{cp});
  const auto& first = it->tags.tags().front();
  CHECK(first.interpreter == cp);
  CHECK(first.abi == cp);
  CHECK(first.platform == it->tag_info.platforms.front());
  if (it->markers.platform_machine == "x86_64") {
    CHECK(first.platform.starts_with("manylinux_2_"));
    const std::vector<pkg::WheelTag> wheel = {{cp, cp, "manylinux2014_x86_64"}};
    CHECK(it->tags.best(wheel).has_value());
  }
}

TEST_CASE("query_interpreter gives two venvs of one base interpreter their own answers",
          "[pkg_fs][interpreter]") {
  TempDir tmp;
  const auto a = make_venv(tmp.path() / "a");
  const auto b = make_venv(tmp.path() / "b");
  if (!a || !b) {
    WARN("skipped: cannot create a venv with /usr/bin/python3 -m venv");
    return;
  }
  const fs::path cache = tmp.path() / "cache";
  REQUIRE(pkg_fs::query_interpreter(*a / "bin" / "python", cache));
  auto second = pkg_fs::query_interpreter(*b / "bin" / "python", cache);
  REQUIRE(second);
  // Same resolved executable, other environment: derived from the base record a's query left,
  // with b's own prefix.
  CHECK(second->from_cache);
  CHECK(fs::weakly_canonical(second->prefix) == fs::weakly_canonical(*b));
  auto again = pkg_fs::query_interpreter(*a / "bin" / "python", cache);
  REQUIRE(again);
  CHECK(again->from_cache);
  CHECK(fs::weakly_canonical(again->prefix) == fs::weakly_canonical(*a));
}

TEST_CASE("query_interpreter on a system interpreter reports its EXTERNALLY-MANAGED marker",
          "[pkg_fs][interpreter]") {
  if (!fs::exists("/usr/bin/python3")) {
    WARN("skipped: no /usr/bin/python3");
    return;
  }
  auto it = pkg_fs::query_interpreter("/usr/bin/python3", {});
  REQUIRE(it);
  CHECK_FALSE(it->in_venv());
  const fs::path marker = it->stdlib / "EXTERNALLY-MANAGED";
  if (fs::exists(marker)) {
    REQUIRE(it->externally_managed);
    // Debian's marker: the [externally-managed] Error text, continuation lines joined.
    const std::string text = read_file(marker);
    const auto eq = text.find("Error=");
    if (eq != std::string::npos) {
      const auto first_line = text.substr(eq + 6, text.find('\n', eq) - eq - 6);
      CHECK(it->externally_managed->starts_with(first_line));
    }
  } else {
    CHECK_FALSE(it->externally_managed);
  }
}

TEST_CASE("query_interpreter's tags equal pip's and packaging's for a real CPython",
          "[pkg_fs][interpreter]") {
  if (!fs::exists(kPyenvPython)) {
    WARN("skipped: " << kPyenvPython << " (with pip) is not installed");
    return;
  }
  auto it = pkg_fs::query_interpreter(kPyenvPython, {});
  REQUIRE(it);
  // pip's get_supported() (the order tufget uses), "--", then packaging's sys_tags().
  const auto out = run(std::string(kPyenvPython) +
                       " -I -c 'from pip._internal.utils.compatibility_tags import get_supported\n"
                       "from pip._vendor.packaging import tags\n"
                       "for t in get_supported(): print(t)\n"
                       "print(\"--\")\n"
                       "for t in tags.sys_tags(): print(t)'");
  REQUIRE(out);
  std::vector<std::string> pip_tags, sys_tags;
  std::istringstream in(*out);
  bool second = false;
  for (std::string line; std::getline(in, line);) {
    if (line == "--") {
      second = true;
    } else {
      (second ? sys_tags : pip_tags).push_back(line);
    }
  }
  REQUIRE(pip_tags.size() > 100);
  const auto ours = tag_strings(it->tags);
  CHECK(ours == pip_tags);
  // sys_tags() is the same list without "<interpreter>-none-any".
  const std::string cp =
      "cp" + std::to_string(it->tag_info.major) + std::to_string(it->tag_info.minor);
  auto without = ours;
  std::erase(without, cp + "-none-any");
  CHECK(without.size() + 1 == ours.size());
  CHECK(without == sys_tags);
}

TEST_CASE("query_interpreter runs the interpreter isolated with stdin from /dev/null",
          "[pkg_fs][interpreter]") {
  TempDir tmp;
  // The fake reports its stdin and first two arguments in marker fields.
  const fs::path exe = tmp.path() / "bin" / "python";
  std::string json = query_json({});
  const auto at = json.find("\"fake-release\"");
  REQUIRE(at != std::string::npos);
  json.replace(at, 14, "\"$STDIN $1 $2\"");
  write_file(exe, "#!/bin/sh\nSTDIN=$(readlink /proc/self/fd/0)\ncat <<EOF\n" + json + "\nEOF\n",
             true);
  // Our own stdin is a pipe while the query runs, so inheriting it would show.
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const int saved = ::dup(0);
  ::dup2(fds[0], 0);
  auto it = pkg_fs::query_interpreter(exe, {});
  ::dup2(saved, 0);
  ::close(saved);
  ::close(fds[0]);
  ::close(fds[1]);
  REQUIRE(it);
  CHECK(it->markers.platform_release == "/dev/null -I -c");
}

// ---- the cache ----------------------------------------------------------------------------------

TEST_CASE("query_interpreter answers from its cache without running the interpreter again",
          "[pkg_fs][interpreter]") {
  TempDir tmp;
  const fs::path counter = tmp.path() / "runs";
  const fs::path exe = fake_python(tmp.path() / "fake", query_json({}), counter);
  const fs::path cache = tmp.path() / "no" / "such" / "cache";  // created when missing

  auto first = pkg_fs::query_interpreter(exe, cache);
  REQUIRE(first);
  CHECK_FALSE(first->from_cache);
  CHECK(count_lines(counter) == 1);
  CHECK(first->markers.platform_release == "fake-release");

  auto second = pkg_fs::query_interpreter(exe, cache);
  REQUIRE(second);
  CHECK(second->from_cache);
  CHECK(count_lines(counter) == 1);  // not run again
  CHECK(tag_strings(second->tags) == tag_strings(first->tags));
  CHECK(second->scheme.purelib == first->scheme.purelib);
  CHECK(second->prefix == first->prefix);

  // One cache file, no temp files left behind.
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(cache)) files.push_back(e.path());
  REQUIRE(files.size() == 1);
  CHECK(files[0].extension() == ".json");

  // The cache's content is what is used: an edited answer comes back.
  std::string text = read_file(files[0]);
  const auto at = text.find("fake-release");
  REQUIRE(at != std::string::npos);
  text.replace(at, 12, "edited-value");
  write_file(files[0], text);
  auto edited = pkg_fs::query_interpreter(exe, cache);
  REQUIRE(edited);
  CHECK(edited->from_cache);
  CHECK(edited->markers.platform_release == "edited-value");
  CHECK(count_lines(counter) == 1);

  // A cache file that does not parse is ignored and rewritten.
  write_file(files[0], "{not json");
  auto rerun = pkg_fs::query_interpreter(exe, cache);
  REQUIRE(rerun);
  CHECK_FALSE(rerun->from_cache);
  CHECK(count_lines(counter) == 2);
  CHECK(rerun->markers.platform_release == "fake-release");
  CHECK(pkg_fs::query_interpreter(exe, cache).value().from_cache);
  CHECK(count_lines(counter) == 2);

  // A changed executable (other size and mtime) is a new key.
  write_file(exe, read_file(exe) + "# changed\n", true);
  auto changed = pkg_fs::query_interpreter(exe, cache);
  REQUIRE(changed);
  CHECK_FALSE(changed->from_cache);
  CHECK(count_lines(counter) == 3);

  // No cache directory: always runs.
  REQUIRE(pkg_fs::query_interpreter(exe, {}));
  CHECK(count_lines(counter) == 4);
}

TEST_CASE("query_interpreter's cache notices a new mtime of the same-size executable",
          "[pkg_fs][interpreter]") {
  TempDir tmp;
  const fs::path counter = tmp.path() / "runs";
  const fs::path exe = fake_python(tmp.path() / "fake", query_json({}), counter);
  const fs::path cache = tmp.path() / "cache";
  REQUIRE(pkg_fs::query_interpreter(exe, cache));
  REQUIRE(pkg_fs::query_interpreter(exe, cache).value().from_cache);
  fs::last_write_time(exe, fs::last_write_time(exe) + std::chrono::seconds(5));
  auto after = pkg_fs::query_interpreter(exe, cache);
  REQUIRE(after);
  CHECK_FALSE(after->from_cache);
  CHECK(count_lines(counter) == 2);
}

// ---- venvs answered from their base interpreter's record ----------------------------------------

TEST_CASE("query_interpreter answers a new venv of a queried interpreter from its base record, "
          "exactly as a real query",
          "[pkg_fs][interpreter]") {
  for (const char* base : {"/usr/bin/python3", kPyenvPython}) {
    INFO(base);
    if (!fs::exists(base)) {
      WARN("skipped: no " << base);
      continue;
    }
    TempDir tmp;
    const fs::path cache = tmp.path() / "cache";
    auto first = pkg_fs::query_interpreter(base, cache);
    REQUIRE(first);
    CHECK_FALSE(first->in_venv());
    CHECK(base_records(cache) == 1);
    const auto plain = make_venv(tmp.path() / "plain", base);
    const auto system = make_venv(tmp.path() / "system", base, "--system-site-packages");
    REQUIRE(plain);
    REQUIRE(system);
    check_derived(*plain / "bin" / "python", cache);
    check_derived(*plain / "bin" / "python3", cache);
    check_derived(*system / "bin" / "python", cache);

    // A pyvenv.cfg naming another release is not derived (Python itself ignores the key).
    const fs::path cfg = *plain / "pyvenv.cfg";
    std::string text = read_file(cfg);
    const auto at = text.find("\nversion = ");
    REQUIRE(at != std::string::npos);
    text.insert(text.find('\n', at + 1), "99");
    write_file(cfg, text);
    auto other = pkg_fs::query_interpreter(*plain / "bin" / "python", cache);
    REQUIRE(other);
    CHECK_FALSE(other->from_cache);
  }
}

TEST_CASE("query_interpreter records the base from a venv's query and from a link to the base",
          "[pkg_fs][interpreter]") {
  if (!fs::exists("/usr/bin/python3")) {
    WARN("skipped: no /usr/bin/python3");
    return;
  }
  TempDir tmp;
  // A first venv's own query: its record stands for venvs with the same `home`.
  const fs::path by_venv = tmp.path() / "cache-venv";
  const auto a = make_venv(tmp.path() / "a");
  const auto b = make_venv(tmp.path() / "b");
  REQUIRE(a);
  REQUIRE(b);
  auto first = pkg_fs::query_interpreter(*a / "bin" / "python", by_venv);
  REQUIRE(first);
  CHECK_FALSE(first->from_cache);
  CHECK(base_records(by_venv) == 1);
  check_derived(*b / "bin" / "python", by_venv);

  // The base run through a link elsewhere: Python finds its prefix from the resolved
  // executable's directory, which is the venvs' `home`.
  const fs::path by_link = tmp.path() / "cache-link";
  fs::create_directories(tmp.path() / "links");
  fs::create_symlink("/usr/bin/python3", tmp.path() / "links" / "py");
  REQUIRE(pkg_fs::query_interpreter(tmp.path() / "links" / "py", by_link));
  CHECK(base_records(by_link) == 1);
  check_derived(*b / "bin" / "python", by_link);
}

TEST_CASE("query_interpreter derives every pyenv CPython's venv exactly as a real query",
          "[pkg_fs][interpreter]") {
  std::error_code ec;
  std::vector<fs::path> bases;
  for (const auto& e : fs::directory_iterator("/root/.pyenv/versions", ec)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with("3.") && e.path() != fs::path(kPyenvPython).parent_path().parent_path() &&
        fs::exists(e.path() / "bin" / "python3")) {
      bases.push_back(e.path() / "bin" / "python3");
    }
  }
  if (bases.empty()) {
    WARN("skipped: no other CPython 3 under /root/.pyenv/versions");
    return;
  }
  std::sort(bases.begin(), bases.end());
  for (const auto& base : bases) {
    INFO(base);
    TempDir tmp;
    const fs::path cache = tmp.path() / "cache";
    REQUIRE(pkg_fs::query_interpreter(base, cache));
    CHECK(base_records(cache) == 1);
    const auto venv = make_venv(tmp.path() / "venv", base);
    REQUIRE(venv);
    check_derived(*venv / "bin" / "python", cache);
  }
}

TEST_CASE("query_interpreter derives a venv without running anything, and runs the venv's "
          "interpreter when anything is uncertain",
          "[pkg_fs][interpreter]") {
  TempDir tmp;
  const fs::path counter = tmp.path() / "runs";
  const fs::path base = tmp.path() / "base";
  const std::string b = base.string();
  const std::string json = query_json({
      {"executable", "\"" + b + "/bin/python\""},
      {"prefix", "\"" + b + "\""},
      {"base_prefix", "\"" + b + "\""},
      {"paths", "{\"stdlib\": \"" + b + "/lib/python3.12\", \"purelib\": \"" + b +
                    "/lib/python3.12/site-packages\", \"platlib\": \"" + b +
                    "/lib/python3.12/site-packages\", \"include\": \"" + b +
                    "/include/python3.12\", \"scripts\": \"" + b + "/bin\", \"data\": \"" + b +
                    "\"}"},
      {"externally_managed", R"({"error": "managed by the distributor"})"},
      {"venv_scheme", "{\"prefix\": \"/tufget-venv-prefix\", \"paths\": {"
                      "\"purelib\": \"/tufget-venv-prefix/lib/python3.12/site-packages\", "
                      "\"platlib\": \"/tufget-venv-prefix/lib64/python3.12/site-packages\", "
                      "\"scripts\": \"/tufget-venv-prefix/bin\", "
                      "\"data\": \"/tufget-venv-prefix\", "
                      "\"stdlib\": \"" + b + "/lib/python3.12\", "
                      "\"include\": \"" + b + "/include/python3.12\"}}"},
  });
  const fs::path base_exe = fake_python(base, json, counter);
  const fs::path cache = tmp.path() / "cache";

  auto first = pkg_fs::query_interpreter(base_exe, cache);
  REQUIRE(first);
  REQUIRE(first->externally_managed);
  CHECK(count_lines(counter) == 1);
  CHECK(base_records(cache) == 1);

  // A venv: bin/python links to the base, pyvenv.cfg names its directory.
  int made = 0;
  const auto venv = [&](const std::string& cfg) {
    const fs::path dir = tmp.path() / ("venv" + std::to_string(++made));
    fs::create_directories(dir / "bin");
    fs::create_symlink(base_exe, dir / "bin" / "python");
    write_file(dir / "pyvenv.cfg", cfg);
    return dir;
  };
  const std::string home = "home = " + b + "/bin\n";

  const fs::path v = venv(home + "include-system-site-packages = false\nversion = 3.12.1\n");
  auto derived = pkg_fs::query_interpreter(v / "bin" / "python", cache);
  REQUIRE(derived);
  CHECK(count_lines(counter) == 1);  // no process started
  CHECK(derived->from_cache);
  CHECK(derived->executable == v / "bin" / "python");
  CHECK(derived->prefix == v);
  CHECK(derived->base_prefix == base);
  CHECK(derived->in_venv());
  CHECK(derived->scheme.purelib == v / "lib/python3.12/site-packages");
  CHECK(derived->scheme.platlib == v / "lib64/python3.12/site-packages");
  CHECK(derived->scheme.scripts == v / "bin");
  CHECK(derived->scheme.data == v);
  CHECK(derived->scheme.headers == base / "include/python3.12");
  CHECK(derived->stdlib == base / "lib/python3.12");
  CHECK_FALSE(derived->externally_managed);
  CHECK(derived->markers.platform_release == "fake-release");
  CHECK(tag_strings(derived->tags) == tag_strings(first->tags));

  struct Case {
    const char* what;
    std::string cfg;
    bool derived;
  };
  const std::vector<Case> cases = {
      {"virtualenv's version_info", home + "version_info = 3.12.1.final.0\n", true},
      {"keys in any case, spaces around '='", "Home=" + b + "/bin\n  VERSION =3.12.1  \n", true},
      {"its executable resolves to the base",
       home + "version = 3.12.1\nexecutable = " + b + "/bin/python\n", true},
      {"another home", "home = " + b + "/elsewhere\nversion = 3.12.1\n", false},
      {"home with a trailing slash", "home = " + b + "/bin/\nversion = 3.12.1\n", false},
      {"another version", home + "version = 3.12.2\n", false},
      {"a version_info that disagrees", home + "version = 3.12.1\nversion_info = 3.12.10\n", false},
      {"no version", home, false},
      {"no home", "version = 3.12.1\n", false},
      {"home twice", home + home + "version = 3.12.1\n", false},
      {"an executable elsewhere", home + "version = 3.12.1\nexecutable = /bin/sh\n", false},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    const auto before = count_lines(counter);
    auto it = pkg_fs::query_interpreter(venv(c.cfg) / "bin" / "python", cache);
    REQUIRE(it);
    CHECK(it->from_cache == c.derived);
    CHECK(count_lines(counter) == before + (c.derived ? 0 : 1));
  }

  // Layouts that are not <prefix>/bin/python with <prefix>/pyvenv.cfg.
  const std::string good = home + "version = 3.12.1\n";
  const fs::path next_to = venv(good);
  write_file(next_to / "bin" / "pyvenv.cfg", good);
  const fs::path scripts = tmp.path() / "scripts-venv";
  fs::create_directories(scripts / "Scripts");
  fs::create_symlink(base_exe, scripts / "Scripts" / "python");
  write_file(scripts / "pyvenv.cfg", good);
  const fs::path copied = venv(good);
  fs::remove(copied / "bin" / "python");
  fs::copy_file(base_exe, copied / "bin" / "python");
  for (const fs::path& exe : {next_to / "bin" / "python", scripts / "Scripts" / "python",
                              copied / "bin" / "python"}) {
    INFO(exe);
    const auto before = count_lines(counter);
    auto it = pkg_fs::query_interpreter(exe, cache);
    REQUIRE(it);
    CHECK_FALSE(it->from_cache);
    CHECK(count_lines(counter) == before + 1);
  }
  // None of those real runs was taken for a base record (the fake answers as the base).
  CHECK(base_records(cache) == 1);

  // A changed base executable (new mtime) has no record until it is queried again.
  fs::last_write_time(base_exe, fs::last_write_time(base_exe) + std::chrono::seconds(5));
  const auto before = count_lines(counter);
  auto stale = pkg_fs::query_interpreter(venv(good) / "bin" / "python", cache);
  REQUIRE(stale);
  CHECK_FALSE(stale->from_cache);
  CHECK(count_lines(counter) == before + 1);
  REQUIRE(pkg_fs::query_interpreter(base_exe, cache));
  CHECK(count_lines(counter) == before + 2);
  auto fresh = pkg_fs::query_interpreter(venv(good) / "bin" / "python", cache);
  REQUIRE(fresh);
  CHECK(fresh->from_cache);
  CHECK(count_lines(counter) == before + 2);
}

TEST_CASE("query_interpreter runs a venv whose base answer has no usable venv scheme",
          "[pkg_fs][interpreter]") {
  TempDir tmp;
  const std::string good_paths =
      R"("purelib": "/P/lib/site-packages", "platlib": "/P/lib/site-packages",
         "scripts": "/P/bin", "data": "/P", "include": "/opt/include")";
  struct Case {
    const char* what;
    std::string scheme;
    std::size_t records;
  };
  const std::vector<Case> cases = {
      {"none", "null", 0},
      {"the usable control", R"({"prefix": "/P", "paths": {)" + good_paths +
                                 R"(, "stdlib": "/opt/lib"}})", 1},
      {"no stdlib", R"({"prefix": "/P", "paths": {)" + good_paths + "}}", 1},
      {"a relative placeholder", R"({"prefix": "P", "paths": {)" + good_paths +
                                     R"(, "stdlib": "/opt/lib"}})", 1},
      {"a path that leaves the prefix", R"({"prefix": "/P", "paths": {)" + good_paths +
                                            R"(, "stdlib": "/P/../lib"}})", 1},
      {"the placeholder inside a path", R"({"prefix": "/P", "paths": {)" + good_paths +
                                            R"(, "stdlib": "/opt/P/lib"}})", 1},
      {"a relative path", R"({"prefix": "/P", "paths": {)" + good_paths +
                              R"(, "stdlib": "lib"}})", 1},
  };
  int n = 0;
  for (const auto& c : cases) {
    INFO(c.what);
    const fs::path dir = tmp.path() / std::to_string(++n);
    const std::string b = (dir / "base").string();
    const fs::path counter = dir / "runs";
    // As the default fake, but at its real path (a record needs sys.executable = the path run).
    const fs::path exe = fake_python(
        dir / "base",
        query_json({{"executable", "\"" + b + "/bin/python\""}, {"prefix", "\"" + b + "\""},
                    {"base_prefix", "\"" + b + "\""}, {"venv_scheme", c.scheme}}),
        counter);
    const fs::path cache = dir / "cache";
    REQUIRE(pkg_fs::query_interpreter(exe, cache));
    CHECK(base_records(cache) == c.records);
    const fs::path v = dir / "venv";
    fs::create_directories(v / "bin");
    fs::create_symlink(exe, v / "bin" / "python");
    write_file(v / "pyvenv.cfg", "home = " + b + "/bin\nversion = 3.12.1\n");
    auto it = pkg_fs::query_interpreter(v / "bin" / "python", cache);
    REQUIRE(it);
    const bool usable = std::string_view(c.what) == "the usable control";
    CHECK(it->from_cache == usable);
    CHECK(count_lines(counter) == (usable ? 1 : 2));
    if (usable) CHECK(it->stdlib == "/opt/lib");
  }
}

// ---- what the answer means ------------------------------------------------------------------------

TEST_CASE("query_interpreter applies EXTERNALLY-MANAGED only outside a virtual environment",
          "[pkg_fs][interpreter]") {
  TempDir tmp;
  struct Case {
    const char* prefix;
    const char* marker;
    std::optional<std::string> expected;  // "<default>": the default sentence
  };
  const std::vector<Case> cases = {
      {R"("/opt/fake")", R"({"error": "Use the distro's package manager."})",
       "Use the distro's package manager."},
      {R"("/opt/fake")", R"({"error": null})", "<default>"},
      {R"("/opt/fake")", "null", std::nullopt},
      {R"("/opt/venv")", R"({"error": "Use the distro's package manager."})", std::nullopt},
  };
  for (const auto& c : cases) {
    INFO(c.prefix << " " << c.marker);
    auto it = query_fake(tmp, {{"prefix", c.prefix}, {"externally_managed", c.marker}});
    REQUIRE(it);
    if (!c.expected) {
      CHECK_FALSE(it->externally_managed);
    } else if (*c.expected == "<default>") {
      REQUIRE(it->externally_managed);
      CHECK_THAT(*it->externally_managed,
                 Catch::Contains("/opt/fake") && Catch::Contains("managed externally"));
    } else {
      CHECK(it->externally_managed == c.expected);
    }
  }
}

TEST_CASE("query_interpreter derives ABIs and platforms as packaging does",
          "[pkg_fs][interpreter]") {
  TempDir tmp;
  struct Case {
    const char* what;
    std::map<std::string, std::string> fields;
    std::string implementation;
    std::vector<std::string> abis;
    std::vector<std::string> platforms;  // empty: linux_platforms("x86_64", 31)
  };
  const std::vector<Case> cases = {
      {"plain CPython", {}, "cp", {"cp312"}, {}},
      {"debug build", {{"py_debug", "1"}}, "cp", {"cp312d", "cp312"}, {}},
      {"debug from gettotalrefcount when Py_DEBUG is unset",
       {{"py_debug", "null"}, {"has_gettotalrefcount", "true"}}, "cp", {"cp312d", "cp312"}, {}},
      {"free-threaded 3.13",
       {{"version", R"("3.13.0")"}, {"gil_disabled", "1"}}, "cp", {"cp313t"}, {}},
      {"3.7 with pymalloc", {{"version", R"("3.7.9")"}}, "cp", {"cp37m"}, {}},
      {"PyPy",
       {{"implementation", R"("pypy")"}, {"version", R"("3.10.14")"},
        {"ext_suffix", R"(".pypy310-pp73-x86_64-linux-gnu.so")"}, {"soabi", R"("pypy310-pp73")"}},
       "pp", {"pypy310_pp73"}, {}},
      {"32-bit interpreter on x86_64", {{"is_32bit", "true"}}, "cp", {"cp312"},
       pkg::linux_platforms("i686", 31)},
      {"no glibc, no musl version", {{"libc", "null"}}, "cp", {"cp312"}, {"linux_x86_64"}},
      {"musl 1.2", {{"libc", "null"}, {"musl", R"("1.2")"}}, "cp", {"cp312"},
       {"musllinux_1_2_x86_64", "musllinux_1_1_x86_64", "musllinux_1_0_x86_64", "linux_x86_64"}},
      {"musl on aarch64", {{"platform", R"("linux-aarch64")"}, {"libc", "null"}, {"musl", R"("1.1")"}},
       "cp", {"cp312"}, {"musllinux_1_1_aarch64", "musllinux_1_0_aarch64", "linux_aarch64"}},
      {"aarch64", {{"platform", R"("linux-aarch64")"}, {"libc", R"("glibc 2.17")"}}, "cp",
       {"cp312"}, {"manylinux_2_17_aarch64", "manylinux2014_aarch64", "linux_aarch64"}},
      {"macOS", {{"platform", R"("macosx-11.0-arm64")"}, {"markers", R"({"implementation_name": "cpython", "implementation_version": "3.12.1",
          "os_name": "posix", "platform_machine": "arm64", "platform_release": "23.0",
          "platform_system": "Darwin", "platform_version": "x", "python_full_version": "3.12.1",
          "platform_python_implementation": "CPython", "python_version": "3.12",
          "sys_platform": "darwin"})"}},
       "cp", {"cp312"}, {"macosx_11_0_arm64"}},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    auto it = query_fake(tmp, c.fields);
    REQUIRE(it);
    CHECK(it->tag_info.implementation == c.implementation);
    CHECK(it->tag_info.abis == c.abis);
    CHECK(it->tag_info.platforms ==
          (c.platforms.empty() ? pkg::linux_platforms("x86_64", 31) : c.platforms));
    CHECK(tag_strings(it->tags) == [&] {
      std::vector<std::string> out;
      for (const auto& t : pkg::supported_tags(it->tag_info)) out.push_back(t.str());
      return out;
    }());
  }
}

// ---- errors -------------------------------------------------------------------------------------

TEST_CASE("query_interpreter refuses what is not a Python 3 interpreter, clearly",
          "[pkg_fs][interpreter]") {
  TempDir tmp;
  struct Case {
    const char* what;
    std::string script;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"junk output", "#!/bin/sh\necho hello world\n", "not a Python 3 interpreter"},
      {"no output", "#!/bin/sh\nexit 0\n", "not a Python 3 interpreter"},
      {"non-zero exit", "#!/bin/sh\necho 'boom: bad thing' >&2\necho second >&2\nexit 3\n",
       "exited with status 3: boom: bad thing"},
      {"a traceback", "#!/bin/sh\nprintf 'Traceback (most recent call last):\\n  File x\\nNameError: y\\n' >&2\nexit 1\n",
       "exited with status 1: NameError: y"},
      {"JSON without the fields", "#!/bin/sh\necho '{\"a\": 1}'\n", "no \"executable\""},
      {"Python 2", "#!/bin/sh\ncat <<'EOF'\n" + query_json({{"version", R"("2.7.18")"}}) + "\nEOF\n",
       "not Python 3"},
      {"a field of the wrong type",
       "#!/bin/sh\ncat <<'EOF'\n" + query_json({{"prefix", "7"}}) + "\nEOF\n",
       "\"prefix\" is not a string"},
      {"a relative scheme path",
       "#!/bin/sh\ncat <<'EOF'\n" +
           query_json({{"paths", R"({"stdlib": "/l", "purelib": "lib/site-packages", "platlib": "/p",
               "include": "/i", "scripts": "/s", "data": "/d"})"}}) +
           "\nEOF\n",
       "'lib/site-packages' is not absolute"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    const fs::path exe = tmp.path() / "bin" / "python";
    write_file(exe, c.script, true);
    auto it = pkg_fs::query_interpreter(exe, tmp.path() / "cache");
    REQUIRE_FALSE(it);
    CHECK(it.error().code == pkg::Errc::io);
    CHECK(it.error().input == exe.string());
    CHECK_THAT(it.error().detail, Catch::Contains(c.message));
    // Nothing is cached for a failed query.
    CHECK((!fs::exists(tmp.path() / "cache") || fs::is_empty(tmp.path() / "cache")));
  }

  auto t = pkg_fs::query_interpreter("/bin/true", {});
  REQUIRE_FALSE(t);
  CHECK_THAT(t.error().detail, Catch::Contains("not a Python 3 interpreter"));

  auto missing = pkg_fs::query_interpreter(tmp.path() / "nope" / "python", {});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == pkg::Errc::io);

  write_file(tmp.path() / "noexec", "#!/bin/sh\n");
  auto noexec = pkg_fs::query_interpreter(tmp.path() / "noexec", {});
  REQUIRE_FALSE(noexec);
  CHECK_THAT(noexec.error().detail, Catch::Contains("cannot run"));
}

TEST_CASE("query_interpreter kills an interpreter that does not answer in time",
          "[pkg_fs][interpreter]") {
  TempDir tmp;
  const fs::path exe = tmp.path() / "bin" / "python";
  write_file(exe, "#!/bin/sh\nexec sleep 30\n", true);
  const auto start = std::chrono::steady_clock::now();
  auto it = pkg_fs::query_interpreter(exe, {}, pkg_fs::QueryOptions{std::chrono::milliseconds(300)});
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(it);
  CHECK_THAT(it.error().detail, Catch::Contains("did not answer within 300 ms"));
  CHECK(took < std::chrono::seconds(5));

  // Closing stdout and staying alive is also a timeout, not a hang.
  write_file(exe, "#!/bin/sh\nexec >&- 2>&-\nexec sleep 30\n", true);
  auto closed = pkg_fs::query_interpreter(exe, {}, pkg_fs::QueryOptions{std::chrono::milliseconds(300)});
  REQUIRE_FALSE(closed);
  CHECK_THAT(closed.error().detail, Catch::Contains("did not answer"));
}

TEST_CASE("query_interpreter stops reading at the output cap", "[pkg_fs][interpreter]") {
  TempDir tmp;
  const fs::path exe = tmp.path() / "bin" / "python";
  write_file(exe, "#!/bin/sh\nexec yes\n", true);
  pkg_fs::QueryOptions options;
  options.max_output = 64 * 1024;
  auto it = pkg_fs::query_interpreter(exe, {}, options);
  REQUIRE_FALSE(it);
  CHECK_THAT(it.error().detail, Catch::Contains("more than 65536 bytes"));
}

// ---- synthetic targets --------------------------------------------------------------------------

TEST_CASE("synthetic_interpreter builds a CPython target from a version and platforms",
          "[pkg_fs][interpreter]") {
  for (const char* v : {"3.11", "311", "3.11.4"}) {
    INFO(v);
    auto it = pkg_fs::synthetic_interpreter(v, {});
    REQUIRE(it);
    CHECK(it->tag_info.implementation == "cp");
    CHECK(it->tag_info.abis == std::vector<std::string>{"cp311"});
    CHECK(it->tag_info.platforms == pkg::linux_platforms("x86_64", 17));
    CHECK(it->tags.tags().front().str() == "cp311-cp311-manylinux_2_17_x86_64");
    CHECK(it->markers.python_version == "3.11");
    CHECK(it->markers.sys_platform == "linux");
    CHECK(it->version.release().at(0) == 3);
    CHECK(it->version.release().at(1) == 11);
    CHECK_FALSE(it->in_venv());
    CHECK_FALSE(it->externally_managed);
  }
  CHECK(pkg_fs::synthetic_interpreter("3.11.4", {}).value().version.str() == "3.11.4");

  for (const char* bad : {"", "3", "3.", "3.x", "3.11.4.5", "python3.11", "3..11"}) {
    INFO(bad);
    auto it = pkg_fs::synthetic_interpreter(bad, {});
    REQUIRE_FALSE(it);
    CHECK(it.error().code == pkg::Errc::invalid_version);
  }
}

TEST_CASE("synthetic_interpreter expands legacy manylinux names and follows the platform",
          "[pkg_fs][interpreter]") {
  auto legacy = pkg_fs::synthetic_interpreter("3.12", {"manylinux2014_x86_64", "Linux_X86_64",
                                                       "manylinux1_x86_64"});
  REQUIRE(legacy);
  CHECK(legacy->tag_info.platforms ==
        std::vector<std::string>{"manylinux2014_x86_64", "manylinux2010_x86_64",
                                 "manylinux1_x86_64", "linux_x86_64"});

  auto exact = pkg_fs::synthetic_interpreter("3.12", {"manylinux_2_28_aarch64"});
  REQUIRE(exact);
  CHECK(exact->tag_info.platforms == std::vector<std::string>{"manylinux_2_28_aarch64"});
  CHECK(exact->markers.platform_machine == "aarch64");
  CHECK(exact->markers.sys_platform == "linux");

  auto win = pkg_fs::synthetic_interpreter("3.12", {"win_amd64"});
  REQUIRE(win);
  CHECK(win->markers.sys_platform == "win32");
  CHECK(win->markers.os_name == "nt");
  CHECK(win->markers.platform_system == "Windows");
  CHECK(win->markers.platform_machine == "AMD64");
  CHECK(win->tags.tags().front().str() == "cp312-cp312-win_amd64");

  auto mac = pkg_fs::synthetic_interpreter("3.12", {"macosx_11_0_arm64"});
  REQUIRE(mac);
  CHECK(mac->markers.sys_platform == "darwin");
  CHECK(mac->markers.platform_machine == "arm64");
  // As pip expands --platform macosx_X_Y_ARCH: every older macOS and binary format.
  CHECK(mac->tag_info.platforms == pkg::mac_platforms(11, 0, "arm64"));
  CHECK(mac->tags.best(std::vector<pkg::WheelTag>{{"cp312", "cp312", "macosx_10_9_universal2"}}));
}
