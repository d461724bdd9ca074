// Test fixture for `tufget install` (install_test.cpp): valid wheels with a RECORD (members with
// zip modes, METADATA with Requires-Dist / Requires-Python / Provides-Extra, WHEEL,
// entry_points.txt, .data/<scheme>/ members), virtual environments made with
// `python3 -m venv --without-pip`, snapshots of directory trees (paths, bytes, modes) to compare
// an environment before and after, and a process runner that keeps stdout and stderr apart.
// The index and its server come from warehouse_fixture.h.
#pragma once

#include <sys/stat.h>

#include <cstring>
#include <optional>
#include <set>

#include "warehouse_fixture.h"

namespace install_test {

namespace fs = std::filesystem;
using warehouse_test::read;
using warehouse_test::sha256_hex;
using warehouse_test::TempDir;
using warehouse_test::write;

// The interpreter the venvs are made from.
inline const char* const kBasePython = "/usr/bin/python3";

// A file's bytes, or a line saying it is missing (for CHECKs that should not end the test).
inline std::string contents(const fs::path& p) {
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) return "(no file " + p.string() + ")";
  return read(p);
}

// ---- RECORD hashes -------------------------------------------------------------------------------

// "sha256=<urlsafe base64 of the raw digest, no padding>", as RECORD writes it.
inline std::string record_hash(std::string_view data) {
  const std::string hex = sha256_hex(data);
  std::string raw;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    raw.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out = "sha256=";
  std::size_t i = 0;
  for (; i + 2 < raw.size(); i += 3) {
    const auto n = (static_cast<std::uint32_t>(static_cast<unsigned char>(raw[i])) << 16) |
                   (static_cast<std::uint32_t>(static_cast<unsigned char>(raw[i + 1])) << 8) |
                   static_cast<unsigned char>(raw[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kAlphabet[(n >> shift) & 63]);
  }
  if (i < raw.size()) {  // 32 bytes: two left over, three characters
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(raw[i])) << 16;
    if (i + 1 < raw.size()) n |= static_cast<std::uint32_t>(static_cast<unsigned char>(raw[i + 1])) << 8;
    const int chars = i + 1 < raw.size() ? 3 : 2;
    for (int c = 0; c < chars; ++c) out.push_back(kAlphabet[(n >> (18 - 6 * c)) & 63]);
  }
  return out;
}

struct RecordRow {
  std::string path, hash, size;
  bool operator==(const RecordRow&) const = default;
  auto operator<=>(const RecordRow&) const = default;
};

// RECORD as written for paths without ',' or '"' (the tests' own and pip's, here): the last two
// commas split the fields.
inline std::vector<RecordRow> parse_record(const std::string& text) {
  REQUIRE(text.find('"') == std::string::npos);
  std::vector<RecordRow> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto second = line.rfind(',');
    REQUIRE(second != std::string::npos);
    const auto first = line.rfind(',', second - 1);
    REQUIRE(first != std::string::npos);
    rows.push_back({line.substr(0, first), line.substr(first + 1, second - first - 1),
                    line.substr(second + 1)});
  }
  return rows;
}

// ---- wheels ----------------------------------------------------------------------------------------

// A wheel described by its parts; members are written in order, then the .dist-info files,
// RECORD last (as bdist_wheel does). Every member is listed in RECORD with its sha256 and size
// unless `record_lies` names it: then RECORD gives the hash and size of other bytes.
struct WheelSpec {
  struct Member {
    std::string path;  // as in the zip
    std::string data;
    unsigned mode = 0644;
  };
  std::string name;  // as in METADATA (Name:)
  std::string version;
  std::string tag = "py3-none-any";
  std::string requires_python;
  std::vector<std::string> requires_dist;
  std::vector<std::string> provides_extra;
  std::vector<std::pair<std::string, std::string>> console_scripts;  // name, "module:attr"
  std::vector<Member> members;
  std::map<std::string, std::string> record_lies;  // member -> the bytes RECORD describes
  std::string metadata_version;  // METADATA's Version when it must lie ("" = `version`)

  WheelSpec(std::string n, std::string v) : name(std::move(n)), version(std::move(v)) {}

  WheelSpec& file(std::string path, std::string data, unsigned mode = 0644) {
    members.push_back({std::move(path), std::move(data), mode});
    return *this;
  }
  // <name>-<version>.data/<scheme>/<path>
  WheelSpec& data_file(const std::string& scheme, const std::string& path, std::string data,
                       unsigned mode = 0644) {
    return file(data_dir() + "/" + scheme + "/" + path, std::move(data), mode);
  }
  WheelSpec& depends(std::string req) {
    requires_dist.push_back(std::move(req));
    return *this;
  }
  WheelSpec& script(std::string script_name, std::string reference) {
    console_scripts.emplace_back(std::move(script_name), std::move(reference));
    return *this;
  }

  // The name as a wheel file name writes it: runs of "-_." become "_".
  std::string escaped_name() const {
    std::string out;
    for (char c : name) {
      const bool sep = c == '-' || c == '_' || c == '.';
      if (!sep) out.push_back(c);
      else if (out.empty() || out.back() != '_') out.push_back('_');
    }
    return out;
  }
  std::string dist_info() const { return escaped_name() + "-" + version + ".dist-info"; }
  std::string data_dir() const { return escaped_name() + "-" + version + ".data"; }
  std::string filename() const { return escaped_name() + "-" + version + "-" + tag + ".whl"; }

  std::string metadata() const {
    std::string m = "Metadata-Version: 2.1\nName: " + name + "\nVersion: " +
                    (metadata_version.empty() ? version : metadata_version) +
                    "\nSummary: tufget install test package\n";
    if (!requires_python.empty()) m += "Requires-Python: " + requires_python + "\n";
    for (const auto& e : provides_extra) m += "Provides-Extra: " + e + "\n";
    for (const auto& r : requires_dist) m += "Requires-Dist: " + r + "\n";
    return m + "\n";
  }

  std::string bytes() const {
    std::vector<Member> all = members;
    const std::string info = dist_info() + "/";
    all.push_back({info + "METADATA", metadata(), 0644});
    all.push_back({info + "WHEEL",
                   "Wheel-Version: 1.0\nGenerator: tufget-install-test\nRoot-Is-Purelib: true\n"
                   "Tag: " + tag + "\n\n",
                   0644});
    if (!console_scripts.empty()) {
      std::string ep = "[console_scripts]\n";
      for (const auto& [script_name, ref] : console_scripts) ep += script_name + " = " + ref + "\n";
      all.push_back({info + "entry_points.txt", ep + "\n", 0644});
    }
    std::string record;
    for (const auto& m : all) {
      const auto lie = record_lies.find(m.path);
      const std::string& described = lie == record_lies.end() ? m.data : lie->second;
      record += m.path + "," + record_hash(described) + "," + std::to_string(described.size()) + "\n";
    }
    all.push_back({info + "RECORD", record + info + "RECORD,,\n", 0644});

    std::vector<test_zip::ZipEntry> entries;
    for (const auto& m : all) entries.push_back({m.path, m.data, S_IFREG | m.mode});
    return test_zip::stored_zip(entries);
  }

  fs::path write_to(const fs::path& dir) const {
    const fs::path p = dir / filename();
    write(p, bytes());
    return p;
  }
};

// ---- processes ----------------------------------------------------------------------------------

struct Proc {
  int status = -1;
  std::string out;
  std::string err;
  bool has(std::string_view s) const {
    return out.find(s) != std::string::npos || err.find(s) != std::string::npos;
  }
  std::string all() const { return "[exit " + std::to_string(status) + "]\n" + out + err; }
};

// Runs argv (argv[0] looked up in PATH) with stdin from /dev/null; stdout and stderr are kept
// apart. The environment is the test's without the variables that would change which Python,
// which packages or which pip options are used (VIRTUAL_ENV, PYTHON*, PIP_*), plus `env`.
inline Proc run_process(const std::vector<std::string>& argv,
                        const std::map<std::string, std::string>& env = {},
                        const fs::path& cwd = {}) {
  auto dropped = [](const std::string& key) {
    return key == "VIRTUAL_ENV" || key == "CONDA_PREFIX" || key == "NO_COLOR" ||
           key.rfind("PYTHON", 0) == 0 || key.rfind("PIP_", 0) == 0;
  };
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string key = entry.substr(0, entry.find('='));
    if (!dropped(key) && env.count(key) == 0) env_strings.push_back(entry);
  }
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (auto& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);

  std::string out_tmpl = (fs::temp_directory_path() / "tufget-proc-out-XXXXXX").string();
  std::string err_tmpl = (fs::temp_directory_path() / "tufget-proc-err-XXXXXX").string();
  const int out_fd = ::mkstemp(out_tmpl.data());
  const int err_fd = ::mkstemp(err_tmpl.data());
  REQUIRE(out_fd >= 0);
  REQUIRE(err_fd >= 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  const std::string dir = cwd.string();
  if (!dir.empty()) posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, argp[0], &actions, nullptr, argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_fd);
  ::close(err_fd);
  Proc p;
  if (rc == 0) {
    int st = 0;
    ::waitpid(pid, &st, 0);
    p.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    p.out = read(out_tmpl);
    p.err = read(err_tmpl);
  } else {
    p.err = "cannot start " + argv[0] + ": " + std::strerror(rc);
  }
  fs::remove(out_tmpl);
  fs::remove(err_tmpl);
  return p;
}

// ---- a client's own folders ------------------------------------------------------------------------

// The environment of a tufget client living in `dir`: its own cache and configuration (trust
// stores), and HOME.
inline std::map<std::string, std::string> client_env(const fs::path& dir) {
  return {{"XDG_CACHE_HOME", (dir / "cache").string()},
          {"XDG_CONFIG_HOME", (dir / "config").string()},
          {"HOME", dir.string()}};
}

// ---- virtual environments -------------------------------------------------------------------------

// `python3 -m venv --without-pip DIR`.
inline void make_venv(const fs::path& dir) {
  const Proc p = run_process({kBasePython, "-m", "venv", "--without-pip", dir.string()});
  INFO(p.all());
  REQUIRE(p.status == 0);
}

// DIR/lib/pythonX.Y/site-packages (the only one).
inline fs::path site_packages(const fs::path& venv) {
  std::vector<fs::path> found;
  for (const auto& e : fs::directory_iterator(venv / "lib")) {
    if (e.path().filename().string().rfind("python", 0) == 0 && fs::is_directory(e.path() / "site-packages")) {
      found.push_back(e.path() / "site-packages");
    }
  }
  REQUIRE(found.size() == 1);
  return found[0];
}

// The *.dist-info directories in a directory, sorted.
inline std::vector<std::string> dist_infos(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& name : warehouse_test::names_in(dir)) {
    if (name.size() > 10 && name.ends_with(".dist-info")) out.push_back(name);
  }
  return out;
}

// The Debian wheel of `project` in /usr/share/python-wheels (pip, setuptools), if any.
inline std::optional<fs::path> debian_wheel(const std::string& project) {
  const fs::path dir = "/usr/share/python-wheels";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return std::nullopt;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(project + "-", 0) == 0 && name.ends_with("-py3-none-any.whl")) return e.path();
  }
  return std::nullopt;
}

// A Python that is not a virtual environment and whose stdlib holds an EXTERNALLY-MANAGED
// marker (PEP 668), all inside `prefix`: a copy of the base interpreter's executable in
// prefix/bin (so that sys.prefix is `prefix`), prefix/lib/pythonX.Y with a symbolic link to
// every entry of the real stdlib but its own marker. Its install scheme points inside `prefix`.
// nullopt when the base interpreter's layout is not the expected one.
inline std::optional<fs::path> externally_managed_python(const fs::path& prefix,
                                                         const std::string& error_text) {
  std::error_code ec;
  const fs::path real = fs::canonical(kBasePython, ec);
  if (ec) return std::nullopt;
  const std::string version_dir = real.filename().string();  // "python3.11"
  const fs::path stdlib = real.parent_path().parent_path() / "lib" / version_dir;
  if (version_dir.rfind("python3.", 0) != 0 || !fs::exists(stdlib / "os.py", ec)) return std::nullopt;
  fs::create_directories(prefix / "bin");
  fs::create_directories(prefix / "lib" / version_dir);
  fs::copy_file(real, prefix / "bin" / version_dir);
  fs::create_symlink(version_dir, prefix / "bin" / "python");
  for (const auto& e : fs::directory_iterator(stdlib)) {
    if (e.path().filename() == "EXTERNALLY-MANAGED") continue;
    fs::create_symlink(e.path(), prefix / "lib" / version_dir / e.path().filename());
  }
  write(prefix / "lib" / version_dir / "EXTERNALLY-MANAGED",
        "[externally-managed]\nError=" + error_text + "\n");
  const Proc p = run_process({(prefix / "bin" / "python").string(), "-I", "-c",
                              "import sys; print(sys.prefix == sys.base_prefix)"});
  if (p.status != 0 || p.out != "True\n") return std::nullopt;
  return prefix / "bin" / "python";
}

// ---- tree snapshots ---------------------------------------------------------------------------------

struct Node {
  char type = 'f';     // 'f' file, 'd' directory, 'l' symbolic link, '?' other
  unsigned mode = 0;   // permission bits
  std::string bytes;   // a file's contents, a link's target
  bool operator==(const Node&) const = default;
};
using Tree = std::map<std::string, Node>;  // path relative to the root, '/'-separated

// Everything under `root` (links not followed), except the subtrees of `skip` (relative paths).
inline Tree snapshot(const fs::path& root, const std::set<std::string>& skip = {}) {
  Tree tree;
  std::error_code ec;
  if (!fs::exists(root, ec)) return tree;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    const std::string rel = it->path().lexically_relative(root).generic_string();
    if (skip.count(rel) != 0) {
      it.disable_recursion_pending();
      continue;
    }
    const fs::file_status st = it->symlink_status();
    Node n;
    n.mode = static_cast<unsigned>(st.permissions()) & 07777u;
    if (fs::is_symlink(st)) {
      n.type = 'l';
      n.bytes = fs::read_symlink(it->path()).string();
    } else if (fs::is_directory(st)) {
      n.type = 'd';
    } else if (fs::is_regular_file(st)) {
      n.bytes = read(it->path());
    } else {
      n.type = '?';
    }
    tree[rel] = std::move(n);
  }
  return tree;
}

// What differs, one line per path ("+ added", "- removed", "~ changed"); "" when equal.
inline std::string tree_diff(const Tree& before, const Tree& after) {
  std::string out;
  for (const auto& [path, node] : before) {
    const auto it = after.find(path);
    if (it == after.end()) out += "- " + path + "\n";
    else if (!(it->second == node)) out += "~ " + path + "\n";
  }
  for (const auto& [path, node] : after) {
    if (before.count(path) == 0) out += "+ " + path + "\n";
  }
  return out;
}

// The regular files and links of `after` that are new or changed since `before`.
inline std::set<std::string> new_files(const Tree& before, const Tree& after) {
  std::set<std::string> out;
  for (const auto& [path, node] : after) {
    if (node.type == 'd') continue;
    const auto it = before.find(path);
    if (it == before.end() || !(it->second == node)) out.insert(path);
  }
  return out;
}

}  // namespace install_test
