// The environment transaction: a journal on disk, the steps of a commit, their undo, and the
// recovery of a transaction that a crash or kill -9 interrupted (install_detail.h, Transaction;
// pkg_fs/environment.h).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <utility>

#include "fsutil/fault.h"
#include "fsutil/interrupt.h"
#include "fsutil/read.h"
#include "fsutil/temp_dir.h"
#include "pkg_fs/environment.h"
#include "pkg_fs/install_detail.h"

namespace pkg_fs {

namespace detail {

namespace {

constexpr std::string_view kHeader = "tufget-journal 1\n";
constexpr std::uint64_t kMaxJournal = std::uint64_t{256} << 20;

std::string escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\t') out += "\\t";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    const char n = text[++i];
    out += n == 't' ? '\t' : n == 'n' ? '\n' : n;
  }
  return out;
}

std::string record(char kind, std::initializer_list<std::string> fields) {
  std::string line(1, kind);
  for (const std::string& f : fields) line += "\t" + escape(f);
  return line + "\n";
}

std::string step_record(const Step& s) {
  switch (s.kind) {
    case Step::move: return record('M', {s.from.string(), s.to.string()});
    case Step::make_dir: return record('K', {s.from.string()});
    case Step::remove_dir: return record('R', {s.from.string(), std::to_string(s.mode)});
  }
  return {};
}

bool on_disk(const fs::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0;
}

bool is_dir(const fs::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

int sync_fd(int fd) { return ::fsync(fd) == 0 ? 0 : errno; }

int sync_dir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno;
  const int rc = sync_fd(fd);
  ::close(fd);
  return rc;
}

pkg::Error io_error(const fs::path& path, const std::string& what, int err) {
  return pkg::Error{pkg::Errc::io, path.string(), what + ": " + errno_text(err)};
}

}  // namespace

int do_step(const Step& s) {
  switch (s.kind) {
    case Step::move:
      if (::renameat2(AT_FDCWD, s.from.c_str(), AT_FDCWD, s.to.c_str(), RENAME_NOREPLACE) == 0) return 0;
      if (errno != EINVAL && errno != ENOSYS) return errno;
      if (on_disk(s.to)) return EEXIST;  // a file system without RENAME_NOREPLACE
      return ::rename(s.from.c_str(), s.to.c_str()) == 0 ? 0 : errno;
    case Step::make_dir: return ::mkdir(s.from.c_str(), 0777) == 0 ? 0 : errno;
    case Step::remove_dir: return ::rmdir(s.from.c_str()) == 0 ? 0 : errno;
  }
  return EINVAL;
}

std::string undo_steps(const std::vector<Step>& steps, std::size_t count) {
  std::string problems;
  auto note = [&](const fs::path& p, std::string_view what) {
    problems += (problems.empty() ? "" : "; ") + std::string(what) + " " + p.string() + ": " + errno_text(errno);
  };
  for (std::size_t i = count; i-- > 0;) {
    const Step& s = steps[i];
    switch (s.kind) {
      case Step::move:  // done when the source is gone and the destination is there
        if (!on_disk(s.from) && on_disk(s.to) && ::rename(s.to.c_str(), s.from.c_str()) != 0)
          note(s.from, "cannot restore");
        break;
      case Step::make_dir:
        if (is_dir(s.from) && ::rmdir(s.from.c_str()) != 0) note(s.from, "cannot remove");
        break;
      case Step::remove_dir:
        if (!on_disk(s.from) && (::mkdir(s.from.c_str(), s.mode) != 0 || ::chmod(s.from.c_str(), s.mode) != 0))
          note(s.from, "cannot recreate");
        break;
    }
  }
  return problems;
}

pkg::Result<Transaction> Transaction::begin(const fs::path& prefix, const std::string& description) {
  const fs::path dir = state_dir(prefix);
  std::error_code ec;
  fs::create_directories(dir, ec);
  Transaction t;
  t.path_ = dir / "journal";
  t.fd_ = ::open(t.path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0666);
  if (t.fd_ < 0) return std::unexpected(io_error(t.path_, "cannot create the transaction journal", errno));
  fsutil::interrupt::track(t.path_);  // removed with the staging folders by an early interrupt
  if (auto ok = t.append(std::string(kHeader) + record('D', {description}), false); !ok)
    return std::unexpected(ok.error());
  return t;
}

Transaction::Transaction(Transaction&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)),
      path_(std::move(o.path_)),
      staging_(std::move(o.staging_)),
      steps_(std::move(o.steps_)),
      emptied_(std::move(o.emptied_)),
      keep_(o.keep_) {}

Transaction::~Transaction() {
  if (fd_ >= 0) ::close(fd_);
}

pkg::Result<void> Transaction::append(const std::string& text, bool sync) {
  if (auto ok = write_all(fd_, path_, text); !ok) return ok;
  if (sync && ::fsync(fd_) != 0) return std::unexpected(io_error(path_, "cannot sync the journal", errno));
  return {};
}

void Transaction::add_staging(const fs::path& dir) {
  staging_.push_back(dir);
  (void)append(record('S', {dir.string()}), false);  // a folder not recorded is still swept
  fsutil::fault_at("stage");
}

pkg::Result<void> Transaction::write_plan() {
  std::string plan;
  for (const Step& s : steps_) plan += step_record(s);
  for (const fs::path& d : emptied_) plan += record('E', {d.string()});
  plan += "P\n";
  return append(plan, false);
}

pkg::Result<void> Transaction::sync_plan() {
  if (::fsync(fd_) != 0) return std::unexpected(io_error(path_, "cannot sync the journal", errno));
  if (int err = sync_dir(path_.parent_path()); err != 0)
    return std::unexpected(io_error(path_.parent_path(), "cannot sync", err));
  return {};
}

pkg::Result<void> Transaction::run() {
  const bool faults = fsutil::faults_enabled();
  for (std::size_t i = 0; i < steps_.size(); ++i) {
    int err = faults ? fsutil::fault_at(std::to_string(i + 1)) : 0;
    if (err == 0) err = do_step(steps_[i]);
    if (err == 0 && !fsutil::interrupt::requested()) continue;
    const Step& s = steps_[i];
    pkg::Error e = err == 0 ? pkg::Error{pkg::Errc::interrupted, "", "interrupted"}
                   : s.kind == Step::move
                       ? io_error(s.to, "cannot rename " + s.from.string() + " to it", err)
                       : io_error(s.from, s.kind == Step::make_dir ? "cannot create the directory"
                                                                   : "cannot remove the directory", err);
    return std::unexpected(undo(std::move(e), i + 1));
  }
  if (faults) fsutil::fault_at(std::to_string(steps_.size() + 1));  // every step done, not committed
  return {};
}

pkg::Error Transaction::undo(pkg::Error e, std::size_t count) {
  const std::string problems = undo_steps(steps_, count);
  if (problems.empty()) {
    e.detail += "; every change was undone";
  } else {
    keep_ = true;
    e.detail += "; UNDO INCOMPLETE: " + problems + "; the journal " + path_.string() +
                " and the staging folders are kept for the next run to finish the rollback";
  }
  return e;
}

pkg::Result<void> Transaction::commit() {
  auto ok = append("C\n", true);
  if (!ok) return std::unexpected(undo(ok.error(), steps_.size()));
  fsutil::fault_at("commit");
  return {};
}

void Transaction::finish() {
  for (const fs::path& d : staging_) {
    fsutil::remove_tree(d);
    fsutil::interrupt::untrack(d);
  }
  remove_empty_dirs(emptied_, [](const fs::path&) { return false; });
  ::unlink(path_.c_str());
  ::rmdir(path_.parent_path().c_str());  // the state folder, unless a lock file is in it
  fsutil::interrupt::untrack(path_);
}

void Transaction::abandon() {
  if (keep_) return;
  for (const fs::path& d : staging_) {
    fsutil::remove_tree(d);
    fsutil::interrupt::untrack(d);
  }
  ::unlink(path_.c_str());
  ::rmdir(path_.parent_path().c_str());  // the state folder, unless a lock file is in it
  fsutil::interrupt::untrack(path_);
}


namespace {

struct ParsedJournal {
  std::string description = "a change";
  std::vector<fs::path> staging, emptied;
  std::vector<Step> steps;
  bool planned = false, committed = false;
};

std::vector<std::string> fields_of(std::string_view line) {
  std::vector<std::string> out;
  for (std::size_t start = 0;;) {
    const std::size_t tab = line.find('\t', start);
    out.push_back(unescape(line.substr(start, tab == std::string_view::npos ? line.npos : tab - start)));
    if (tab == std::string_view::npos) return out;
    start = tab + 1;
  }
}

// A journal cut short by a crash is read up to its last whole line.
ParsedJournal parse_journal(std::string_view text) {
  ParsedJournal j;
  text.remove_prefix(std::min(text.size(), kHeader.size()));
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    if (nl == std::string_view::npos) break;
    const std::vector<std::string> f = fields_of(text.substr(0, nl));
    text.remove_prefix(nl + 1);
    const char kind = f[0].size() == 1 ? f[0][0] : '?';
    if (kind == 'D' && f.size() == 2) j.description = f[1];
    else if (kind == 'S' && f.size() == 2) j.staging.emplace_back(f[1]);
    else if (kind == 'E' && f.size() == 2) j.emptied.emplace_back(f[1]);
    else if (kind == 'M' && f.size() == 3) j.steps.push_back(Step{Step::move, f[1], f[2], 0});
    else if (kind == 'K' && f.size() == 2) j.steps.push_back(Step{Step::make_dir, f[1], {}, 0});
    else if (kind == 'R' && f.size() == 3)
      j.steps.push_back(Step{Step::remove_dir, f[1], {}, static_cast<mode_t>(std::stoul("0" + f[2]) & 07777)});
    else if (kind == 'P') j.planned = true;
    else if (kind == 'C') j.committed = true;
  }
  return j;
}

}  // namespace

pkg::Result<std::optional<std::string>> recover_journal(const fs::path& journal) {
  auto read = fsutil::read_regular_file(journal, kMaxJournal);
  if (!read && read.error() == ENOENT) return std::nullopt;
  if (!read && read.error() != EFBIG && read.error() != EINVAL && read.error() != EISDIR)
    return std::unexpected(io_error(journal, "cannot read the transaction journal", read.error()));
  const std::string text = read ? std::move(*read) : std::string();  // unusable: nothing to undo
  if (!text.starts_with(kHeader)) {
    ::unlink(journal.c_str());  // not a journal this version wrote, or empty: nothing to undo
    return std::nullopt;
  }
  ParsedJournal j = parse_journal(text);
  std::string done;
  if (j.committed) {
    remove_empty_dirs(j.emptied, [](const fs::path&) { return false; });
    done = "finished an interrupted " + j.description + " (every file was already in place)";
  } else if (j.planned) {
    if (std::string problems = undo_steps(j.steps, j.steps.size()); !problems.empty())
      return std::unexpected(pkg::Error{pkg::Errc::io, journal.string(),
                                        "cannot roll back an interrupted " + j.description + ": " + problems +
                                            "; the files moved aside are kept in the staging folders it names"});
    done = "rolled back an interrupted " + j.description + ": the environment is as it was before";
  } else {
    done = "removed what an interrupted " + j.description + " had staged (nothing in the environment had changed)";
  }
  for (const fs::path& d : j.staging) fsutil::remove_tree(d);
  ::unlink(journal.c_str());
  ::rmdir(journal.parent_path().c_str());  // the state folder, unless a lock file is in it
  return done;
}

}  // namespace detail

}  // namespace pkg_fs
