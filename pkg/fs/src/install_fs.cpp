// The filesystem side of the installer: staging directories, files written and synced, the
// commit journal that rollback replays backwards, RECORD-based removal plans, byte-compiling.
#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>

#include "fsutil/interrupt.h"
#include "fsutil/temp_dir.h"
#include "pkg/wheel.h"
#include "pkg_fs/install_detail.h"

extern char** environ;

namespace pkg_fs::detail {

std::string errno_text(int err) { return std::strerror(err); }

fs::path clean(const fs::path& p) {
  std::error_code ec;
  fs::path out = fs::absolute(p, ec).lexically_normal();
  if (ec) out = p.lexically_normal();
  if (!out.has_filename() && out.has_relative_path()) out = out.parent_path();
  return out;
}

bool is_within(const fs::path& p, const fs::path& dir) {
  auto pi = p.begin(), di = dir.begin();
  for (; di != dir.end(); ++di, ++pi) {
    if (di->empty()) continue;  // a trailing separator
    if (pi == p.end() || *pi != *di) return false;
  }
  return true;
}

namespace {

pkg::Error io_error(const fs::path& path, std::string what, int err) {
  return pkg::fail(pkg::Errc::io, path.string(), std::move(what) + ": " + errno_text(err)).error();
}

// real_path of a directory, remembered.
const fs::path& cached_real(std::map<fs::path, fs::path>& cache, const fs::path& dir) {
  auto it = cache.find(dir);
  if (it == cache.end()) it = cache.emplace(dir, real_path(dir)).first;
  return it->second;
}

}  // namespace

fs::path real_path(const fs::path& p) {
  // The kernel's name for the opened directory: 3 system calls whatever the depth (the library's
  // canonical() costs an lstat and a readlink per component). ".." is resolved physically, after
  // symbolic links, as realpath() does.
  const int fd = ::open(p.c_str(), O_PATH | O_CLOEXEC);
  if (fd >= 0) {
    char buf[4096];
    const std::string link = "/proc/self/fd/" + std::to_string(fd);
    const ssize_t n = ::readlink(link.c_str(), buf, sizeof buf);
    ::close(fd);
    if (n > 0 && static_cast<std::size_t>(n) < sizeof buf && buf[0] == '/') return clean(std::string(buf, static_cast<std::size_t>(n)));
  } else if (errno == ENOENT && p.has_relative_path() && p.has_filename()) {
    const fs::path leaf = p.filename();
    if (leaf != "." && leaf != "..") return real_path(p.parent_path()) / leaf;
  }
  std::error_code ec;
  fs::path r = fs::weakly_canonical(p, ec);
  return ec ? clean(p) : clean(r);
}

// ---- staging -------------------------------------------------------------------------------------

pkg::Result<Staging*> StagingSet::create(const fs::path& anchor) {
  std::string templ = (anchor / ".tufget-staging-XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr)
    return std::unexpected(io_error(anchor, "cannot create a staging directory", errno));
  auto s = std::make_unique<Staging>();
  s->anchor = anchor;
  s->real_anchor = real_path(anchor);
  s->dir = templ;
  struct stat st {};
  if (::stat(templ.c_str(), &st) == 0) s->device = st.st_dev;
  fsutil::interrupt::track(s->dir);
  if (on_create) on_create(s->dir);
  dirs_.push_back(std::move(s));
  return dirs_.back().get();
}

pkg::Result<Staging*> StagingSet::for_root(const fs::path& root) {
  if (auto known = by_root_.find(root); known != by_root_.end()) return known->second;
  auto found = find_or_create_for_root(root);
  if (found) by_root_.emplace(root, *found);
  return found;
}

pkg::Result<Staging*> StagingSet::find_or_create_for_root(const fs::path& root) {
  fs::path anchor = clean(root);
  struct stat st {};
  while (::stat(anchor.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    if (!anchor.has_relative_path())
      return pkg::fail(pkg::Errc::io, root.string(), "no existing directory above it");
    anchor = anchor.parent_path();
  }
  for (auto& s : dirs_)
    if (s->anchor == anchor) return s.get();
  return create(anchor);
}

pkg::Result<Staging*> StagingSet::for_existing(const fs::path& path) {
  // The file system of the file's directory (a file that is itself a mount point would make the
  // rename fail with EXDEV, and the commit roll back).
  const fs::path parent = path.parent_path();
  auto dev = devices_.find(parent);
  if (dev == devices_.end()) {
    struct stat st {};
    if (::stat(parent.c_str(), &st) != 0) return std::unexpected(io_error(parent, "cannot stat", errno));
    dev = devices_.emplace(parent, st.st_dev).first;
  }
  const fs::path real = cached_real(real_dirs_, parent) / path.filename();
  Staging* best = nullptr;
  for (auto& s : dirs_) {
    if (s->device != dev->second || !is_within(real, s->real_anchor)) continue;
    if (best == nullptr || std::distance(s->real_anchor.begin(), s->real_anchor.end()) >
                               std::distance(best->real_anchor.begin(), best->real_anchor.end()))
      best = s.get();
  }
  if (best != nullptr) return best;
  return create(path.parent_path());
}

pkg::Result<void> StagingSet::sync(const std::vector<fs::path>& also) {
  std::vector<dev_t> done;
  for (auto& s : dirs_) {
    if (std::find(done.begin(), done.end(), s->device) != done.end()) continue;
    done.push_back(s->device);
    const int fd = ::open(s->dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return std::unexpected(io_error(s->dir, "cannot open", errno));
    const int rc = ::syncfs(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) return std::unexpected(io_error(s->dir, "syncfs failed", err));
  }
  for (const fs::path& p : also) {
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0 && std::find(done.begin(), done.end(), st.st_dev) != done.end()) continue;
    for (const fs::path& one : {p, p.parent_path()}) {
      const int fd = ::open(one.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return std::unexpected(io_error(one, "cannot open", errno));
      const int rc = ::fsync(fd);
      const int err = errno;
      ::close(fd);
      if (rc != 0) return std::unexpected(io_error(one, "cannot sync", err));
    }
  }
  return {};
}

std::string StagingSet::keep() {
  std::string paths;
  for (auto& s : dirs_) {
    paths += (paths.empty() ? "" : ", ") + s->dir.string();
    fsutil::interrupt::untrack(s->dir);
  }
  dirs_.clear();
  by_root_.clear();
  return paths;
}

void StagingSet::clean_up() {
  for (auto& s : dirs_) {
    fsutil::remove_tree(s->dir);
    fsutil::interrupt::untrack(s->dir);
  }
  dirs_.clear();
  by_root_.clear();
}

// ---- files ---------------------------------------------------------------------------------------

pkg::Result<int> create_file(const fs::path& path, FileMode mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                        mode == FileMode::exec ? 0777 : 0666);
  if (fd < 0) return std::unexpected(io_error(path, "cannot create", errno));
  return fd;
}

pkg::Result<void> write_all(int fd, const fs::path& path, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(io_error(path, "cannot write", errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

pkg::Result<void> finish_file(int fd, const fs::path& path, FileMode mode) {
  if (mode != FileMode::regular) {
    struct stat st {};
    const mode_t add = mode == FileMode::exec ? 0111 : 0555;
    if (::fstat(fd, &st) != 0 || ::fchmod(fd, (st.st_mode | add) & 07777) != 0) {
      const int err = errno;
      ::close(fd);
      return std::unexpected(io_error(path, "cannot set the mode", err));
    }
  }
  if (::close(fd) != 0) return std::unexpected(io_error(path, "cannot close", errno));
  return {};
}

pkg::Result<void> write_new_file(const fs::path& path, std::string_view bytes, FileMode mode) {
  auto fd = create_file(path, mode);
  if (!fd) return std::unexpected(fd.error());
  if (auto ok = write_all(*fd, path, bytes); !ok) {
    ::close(*fd);
    return ok;
  }
  return finish_file(*fd, path, mode);
}

// ---- removal plans ---------------------------------------------------------------------------------

namespace {

// "mod.cpython-311.pyc", "mod.cpython-311.opt-1.pyc" for stem "mod" (never "mod.other.x.pyc").
bool is_cache_file_of(std::string_view file, std::string_view stem) {
  if (!file.starts_with(stem) || file.size() <= stem.size() + 5 || file[stem.size()] != '.' ||
      !file.ends_with(".pyc"))
    return false;
  std::string_view tag = file.substr(stem.size() + 1, file.size() - stem.size() - 5);
  if (const std::size_t opt = tag.find(".opt-"); opt != std::string_view::npos) {
    const std::string_view level = tag.substr(opt + 5);
    if (level.empty() || level.find_first_not_of("0123456789") != std::string_view::npos) return false;
    tag = tag.substr(0, opt);
  }
  return !tag.empty() && tag.find('.') == std::string_view::npos;
}

}  // namespace

pkg::Result<RemovalPlan> plan_removal(const InstalledDist& dist, const fs::path& prefix) {
  RemovalPlan plan;
  plan.project = dist.project;
  plan.version = dist.version_text;
  const std::string who = dist.name + " " + dist.version_text;
  auto refuse = [&](std::string why) {
    return pkg::fail(pkg::Errc::invalid_wheel, dist.dist_info.string(), "cannot uninstall " + who + ": " + std::move(why));
  };
  if (dist.egg_info) {
    return refuse("it was installed as an .egg-info (by setuptools or distutils, " +
                  dist.dist_info.filename().string() +
                  "), which has no RECORD, so its files are not known for sure; uninstall it "
                  "with the tool that installed it (e.g. pip uninstall " + dist.name + ") first");
  }
  const fs::path location = dist.dist_info.parent_path();
  const fs::path record_path = dist.dist_info / "RECORD";
  std::ifstream in(record_path, std::ios::binary);
  if (!in) {
    std::string why = "it has no RECORD file, so its files are unknown";
    if (!dist.installer.empty()) why += " (it was installed by " + dist.installer + ")";
    return refuse(why + "; remove it by hand");
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto rows = pkg::parse_record(text);
  if (!rows) return refuse("its RECORD cannot be read: " + rows.error().message());

  const fs::path real_prefix = real_path(prefix);
  std::map<fs::path, fs::path> real_dirs;
  // Directory listings (name -> is a directory), one getdents pass per directory instead of an
  // lstat per RECORD entry and per possible .pyc.
  std::map<fs::path, std::map<std::string, bool>> listings;
  auto listing = [&](const fs::path& dir) -> const std::map<std::string, bool>& {
    auto [it, fresh] = listings.try_emplace(dir);
    if (fresh) {
      std::error_code ec;
      for (fs::directory_iterator d(dir, ec), end; !ec && d != end; d.increment(ec)) {
        std::error_code type_ec;
        const bool is_dir = d->is_directory(type_ec) && !d->is_symlink(type_ec);
        it->second.emplace(d->path().filename().string(), is_dir);
      }
    }
    return it->second;
  };
  auto add_if_file = [&](const fs::path& dir, const std::string& name) {
    const auto& names = listing(dir);
    if (auto f = names.find(name); f != names.end() && !f->second) plan.files.push_back(dir / name);
  };
  for (const pkg::RecordEntry& row : *rows) {
    if (row.path.ends_with('/')) continue;
    const fs::path full = location / row.path;
    const fs::path leaf = full.filename();
    if (leaf.empty() || leaf == "." || leaf == "..")
      return refuse("RECORD names '" + row.path + "', which is not a file path");
    const fs::path parent = cached_real(real_dirs, full.parent_path());
    const fs::path target = parent / leaf;
    if (!is_within(target, real_prefix) || target == real_prefix)
      return refuse("RECORD names '" + row.path + "', which is outside " + real_prefix.string());
    const std::string name = leaf.string();
    add_if_file(parent, name);
    if (name.ends_with(".py")) {
      const std::string stem = name.substr(0, name.size() - 3);
      add_if_file(parent, stem + ".pyc");
      add_if_file(parent, stem + ".pyo");
      const auto& here = listing(parent);
      if (auto c = here.find("__pycache__"); c != here.end() && c->second) {
        const fs::path cache = parent / "__pycache__";
        for (const auto& [f, is_dir] : listing(cache))
          if (!is_dir && is_cache_file_of(f, stem)) plan.files.push_back(cache / f);
      }
    }
  }
  // The whole .dist-info directory belongs to the distribution.
  const fs::path real_info = real_path(dist.dist_info);
  if (!is_within(real_info, real_prefix) || real_info == real_prefix)
    return refuse(real_info.string() + " is outside " + real_prefix.string());
  plan.info_dir = real_info;
  std::erase_if(plan.files, [&](const fs::path& f) { return is_within(f, real_info); });
  std::sort(plan.files.begin(), plan.files.end());
  plan.files.erase(std::unique(plan.files.begin(), plan.files.end()), plan.files.end());
  for (const fs::path& f : plan.files) plan.dirs.push_back(f.parent_path());
  std::sort(plan.dirs.begin(), plan.dirs.end());
  plan.dirs.erase(std::unique(plan.dirs.begin(), plan.dirs.end()), plan.dirs.end());
  return plan;
}

void remove_empty_dirs(std::vector<fs::path> dirs, const std::function<bool(const fs::path&)>& keep) {
  auto depth = [](const fs::path& p) { return std::distance(p.begin(), p.end()); };
  std::sort(dirs.begin(), dirs.end(), [&](const fs::path& a, const fs::path& b) { return depth(a) > depth(b); });
  for (const fs::path& d : dirs)
    if (d.has_relative_path() && !keep(d)) ::rmdir(d.c_str());  // fails (and stays) when not empty
}

// ---- METADATA Name / Version ---------------------------------------------------------------------

std::optional<std::pair<std::string, std::string>> parse_name_version(std::string_view text) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
  };
  auto is_header = [](std::string_view line, std::string_view key) {
    if (line.size() <= key.size() || line[key.size()] != ':') return false;
    for (std::size_t i = 0; i < key.size(); ++i)
      if ((line[i] | 0x20) != key[i]) return false;
    return true;
  };
  std::optional<std::string> name, version;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // end of the header block
    if (!name && is_header(line, "name")) name = std::string(trim(line.substr(5)));
    else if (!version && is_header(line, "version")) version = std::string(trim(line.substr(8)));
    if (name && version) break;
  }
  if (!name || !version || name->empty() || version->empty()) return std::nullopt;
  return std::pair{std::move(*name), std::move(*version)};
}

std::optional<std::pair<std::string, std::string>> read_name_version(const fs::path& metadata) {
  const int fd = ::open(metadata.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text(64 * 1024, '\0');
  std::size_t have = 0;
  while (have < text.size()) {
    const ssize_t n = ::read(fd, text.data() + have, text.size() - have);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    have += static_cast<std::size_t>(n);
  }
  ::close(fd);
  text.resize(have);
  return parse_name_version(text);
}

// ---- byte-compiling -------------------------------------------------------------------------------

namespace {

// Reads NUL-separated source paths on stdin, compiles each as pip does (compileall.compile_file,
// force=True, quiet) and prints "source NUL pyc NUL" for each .pyc written.
constexpr const char* kCompileScript =
    "import compileall, importlib.util, os, sys, warnings\n"
    "warnings.filterwarnings('ignore')\n"
    "out = sys.stdout.buffer\n"
    "for raw in sys.stdin.buffer.read().split(b'\\0'):\n"
    "    if not raw:\n"
    "        continue\n"
    "    src = os.fsdecode(raw)\n"
    "    try:\n"
    "        ok = compileall.compile_file(src, force=True, quiet=2)\n"
    "    except Exception:\n"
    "        ok = False\n"
    "    pyc = importlib.util.cache_from_source(src)\n"
    "    if ok and os.path.isfile(pyc):\n"
    "        out.write(raw + b'\\0' + os.fsencode(pyc) + b'\\0')\n"
    "out.flush()\n";

}  // namespace

std::vector<std::pair<fs::path, fs::path>> compile_sources(const std::string& python,
                                                           const std::vector<fs::path>& sources) {
  std::vector<std::pair<fs::path, fs::path>> written;
  if (sources.empty()) return written;
  std::string list;
  for (const fs::path& s : sources) {
    list += s.string();
    list += '\0';
  }
  const int input = ::memfd_create("tufget-compile", MFD_CLOEXEC);
  if (input < 0) return written;
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(input);
    return written;
  }
  pid_t pid = -1;
  bool spawned = false;
  if (write_all(input, "memfd", list) && ::lseek(input, 0, SEEK_SET) == 0) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, input, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    std::string arg0 = python, arg1 = "-I", arg2 = "-S", arg3 = "-c", arg4 = kCompileScript;
    char* argv[] = {arg0.data(), arg1.data(), arg2.data(), arg3.data(), arg4.data(), nullptr};
    spawned = ::posix_spawn(&pid, python.c_str(), &actions, nullptr, argv, environ) == 0;
    posix_spawn_file_actions_destroy(&actions);
  }
  ::close(input);
  ::close(out[1]);
  std::string output;
  if (spawned) {
    char buf[8192];
    while (true) {
      const ssize_t n = ::read(out[0], buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      output.append(buf, static_cast<std::size_t>(n));
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  ::close(out[0]);
  std::size_t start = 0;
  while (start < output.size()) {
    const std::size_t mid = output.find('\0', start);
    if (mid == std::string::npos) break;
    const std::size_t end = output.find('\0', mid + 1);
    if (end == std::string::npos) break;  // a truncated last pair: ignore it
    written.emplace_back(output.substr(start, mid - start), output.substr(mid + 1, end - mid - 1));
    start = end + 1;
  }
  return written;
}

}  // namespace pkg_fs::detail
