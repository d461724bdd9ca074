// Internals of the wheel installer (pkg_fs/installer.h), shared by its source files and reachable
// from tests. Not a stable interface.
//
//   wheel_zip.cpp    phase 1: a wheel opened with libzip and verified against its RECORD
//   install_fs.cpp   staging, the commit/rollback journal, RECORD-based removal, compiling
//   installer.cpp    the phases put together, list_installed, uninstall
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "pkg/error.h"
#include "pkg/wheel.h"
#include "pkg_fs/installer.h"

struct zip;  // libzip's zip_t

namespace pkg_fs::detail {

namespace fs = std::filesystem;

// ---- hashing (OpenSSL EVP) ------------------------------------------------------------------------

class Hasher {
 public:
  Hasher();
  ~Hasher();
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;
  // "sha256", "sha384" or "sha512"; false for any other name.
  bool start(std::string_view algorithm);
  void update(const void* data, std::size_t size);
  std::string finish();  // the raw digest
 private:
  void* ctx_;  // EVP_MD_CTX
};
std::string sha256_raw(std::string_view bytes);
// The RECORD hash field ("sha256=...") of bytes.
std::string record_hash_of(std::string_view bytes);

// ---- phase 1: a verified wheel ----------------------------------------------------------------

struct ZipCloser {
  void operator()(zip* z) const;
};

struct WheelMember {
  std::string name;          // the zip member name (a file, never a directory)
  std::uint64_t index = 0;   // libzip index
  std::uint64_t size = 0;    // verified uncompressed size
  bool executable = false;   // the zip's unix mode is a regular file with an x bit (pip's rule)
  bool exempt = false;       // RECORD, RECORD.jws, RECORD.p7s: not hashed by RECORD
  std::string algorithm;     // from RECORD ("sha256", ...), empty when exempt
  std::string digest;        // raw expected digest, empty when exempt
  std::optional<std::string> bytes;  // kept in memory when the budget allowed it
};

struct VerifiedWheel {
  fs::path path;
  std::string filename;
  std::string project;       // normalised, from the file name
  std::string name;          // METADATA Name, as written
  std::string version;       // METADATA Version, as written
  std::string dist_info;     // "foo-1.0.dist-info"
  std::string data_dir;      // "foo-1.0.data"
  pkg::WheelInfo info;
  std::vector<pkg::RecordEntry> record;  // the wheel's RECORD rows, in file order
  std::vector<WheelMember> members;      // files only, in zip order
  std::string metadata;                  // METADATA bytes
  pkg::EntryPoints entry_points;
  std::vector<char> file_bytes;  // the whole wheel when it fitted the budget (before `archive`,
                                 // which reads from it and must be destroyed first)
  std::unique_ptr<zip, ZipCloser> archive;
};

// Opens and verifies one wheel (see installer.h, phase 1). The wheel file, then member bytes,
// are kept in memory while `memory_budget` (decremented) allows; other members are re-read from
// the file by copy_member / read_member. A wheel whose members declare more than `max_unpacked`
// bytes is refused; a member inflating past its declared size is refused as it does.
pkg::Result<VerifiedWheel> open_verified_wheel(const fs::path& path, std::string_view filename,
                                              std::uint64_t& memory_budget,
                                              std::uint64_t max_unpacked = kDefaultMaxUnpacked);

// Writes a member's bytes to fd: from memory, or re-read from the archive with `buffer` and hashed
// again (a wheel file changed since phase 1 is a record_mismatch).
pkg::Result<void> copy_member(VerifiedWheel& wheel, const WheelMember& member, int fd,
                              std::vector<char>& buffer);
// A member's bytes as a string (from memory or re-read and verified).
pkg::Result<std::string> read_member(VerifiedWheel& wheel, const WheelMember& member,
                                     std::vector<char>& buffer);

// ---- filesystem helpers -------------------------------------------------------------------------

// Lexically normal absolute path.
fs::path clean(const fs::path& p);
// `p` with symbolic links and ".." resolved as realpath() does (physically), clean; a missing
// tail is appended as is (like weakly_canonical).
fs::path real_path(const fs::path& p);
// Whether `p` is `dir` or below it (both clean).
bool is_within(const fs::path& p, const fs::path& dir);
std::string errno_text(int err);

// A directory for staged and moved-aside files, "<anchor>/.tufget-staging-XXXXXX".
struct Staging {
  fs::path anchor;       // clean; the directory it was created in
  fs::path real_anchor;  // the same, symbolic links resolved
  fs::path dir;
  dev_t device = 0;
  std::uint64_t next = 0;
  fs::path fresh_name(char kind) { return dir / (std::string(1, kind) + std::to_string(next++)); }
};

// All staging directories of one transaction; removed (with their contents) by clean_up.
class StagingSet {
 public:
  // The staging directory for files under `root` (created in its nearest existing ancestor).
  pkg::Result<Staging*> for_root(const fs::path& root);
  // The staging directory for moving aside an existing `path` (clean): the one on its file system
  // whose anchor contains it most closely (symbolic links of its parent resolved), else a new
  // one in its parent directory.
  pkg::Result<Staging*> for_existing(const fs::path& path);
  // Called with each staging directory as it is created (the transaction records it).
  std::function<void(const fs::path&)> on_create;
  // syncfs() once per file system holding a staging directory; then fsync() of each of `also`
  // (and its directory) that is on none of them.
  pkg::Result<void> sync(const std::vector<fs::path>& also = {});
  void clean_up();
  // After a rollback that could not restore everything: the staging directories (which may hold
  // the only copy of moved-aside files) are left in place; returns their paths.
  std::string keep();
  ~StagingSet() { clean_up(); }

 private:
  pkg::Result<Staging*> create(const fs::path& anchor);
  pkg::Result<Staging*> find_or_create_for_root(const fs::path& root);
  std::vector<std::unique_ptr<Staging>> dirs_;
  std::map<fs::path, Staging*> by_root_;
  std::map<fs::path, fs::path> real_dirs_;  // directory -> its real path
  std::map<fs::path, dev_t> devices_;       // directory -> its file system
};

// Creates `name` (a fresh file) and writes `bytes`; mode 0666 (0777 when `exec`) before the
// umask, then "+x for everyone" for exec (pip: 0777 & ~umask | 0111) or "+r+x for everyone" for
// launcher (distlib's set_mode: st_mode | 0555).
enum class FileMode { regular, exec, launcher };
pkg::Result<int> create_file(const fs::path& path, FileMode mode);  // returns the fd
pkg::Result<void> finish_file(int fd, const fs::path& path, FileMode mode);  // chmod, close
pkg::Result<void> write_all(int fd, const fs::path& path, std::string_view bytes);
pkg::Result<void> write_new_file(const fs::path& path, std::string_view bytes, FileMode mode);

// ---- the environment transaction (transaction.cpp) --------------------------------------------------

// One change of the commit. Each is a single system call, so after a crash it is either done or
// not, and which one can be seen on disk: a move is done when `from` is gone and `to` exists.
struct Step {
  enum Kind { move, make_dir, remove_dir } kind = move;
  fs::path from;    // move: the source; make_dir / remove_dir: the directory
  fs::path to;      // move: the destination (never an existing path)
  mode_t mode = 0;  // remove_dir: the directory's mode, for the undo
};

// An install or uninstall as a transaction with an on-disk journal, <prefix>/.tufget/journal:
//   tufget-journal 1          header
//   D <description>           what the transaction does ("install foo 2.0 (replacing 1.0)")
//   S <folder>                a staging folder, recorded before anything is put in it
//   M <from> <to> / K <dir> / R <dir> <mode>   the plan: moves, directories made and removed
//   E <dir>                   a directory to remove after the commit when left empty
//   P                         the plan is complete (synced before the first step is done)
//   C                         every step is done (synced): from here the transaction is complete
// Fields are tab-separated, with "\\", "\t" and "\n" escaped. After a crash, recover() (see
// pkg_fs/environment.h) undoes a planned transaction newest step first, judging each step by what
// is on disk, or finishes a committed one; either way it then removes the staging folders.
class Transaction {
 public:
  // Creates the journal (the caller holds the environment's lock and has run recovery).
  static pkg::Result<Transaction> begin(const fs::path& prefix, const std::string& description);
  Transaction(Transaction&&) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  void add_staging(const fs::path& dir);
  void add(Step step) { steps_.push_back(std::move(step)); }
  void add_emptied(const fs::path& dir) { emptied_.push_back(dir); }
  // Appends the plan (every step added, the emptied directories, the end-of-plan mark) to the
  // journal; sync_plan() makes it durable (install() lets its syncfs of the staged files do it
  // when the journal is on the same file system).
  pkg::Result<void> write_plan();
  pkg::Result<void> sync_plan();
  const fs::path& journal() const { return path_; }
  // With the plan written and durable: does every step in order, checking for an interrupt between
  // steps. On a failure or an interrupt (Errc::interrupted) the steps done are undone, newest
  // first, and the error says whether that succeeded. The journal is kept only when it did not.
  pkg::Result<void> run();
  // Syncs the commit mark: from here recovery completes the transaction instead of undoing it.
  pkg::Result<void> commit();
  // After commit(): removes the staging folders, the emptied directories, then the journal.
  void finish();
  // After a failed run(): removes the staging folders and the journal, unless the undo was
  // incomplete (then both stay, for the next run's recovery).
  void abandon();
  bool kept() const { return keep_; }  // run() failed and its undo was incomplete

 private:
  Transaction() = default;
  pkg::Error undo(pkg::Error e, std::size_t count);  // undoes steps [0, count), says how it went
  pkg::Result<void> append(const std::string& record, bool sync);
  int fd_ = -1;
  fs::path path_;
  std::vector<fs::path> staging_;
  std::vector<Step> steps_;
  std::vector<fs::path> emptied_;
  bool keep_ = false;
};

// Undoes steps[0..count) newest first, judging each by what is on disk; returns "" or what could
// not be undone.
std::string undo_steps(const std::vector<Step>& steps, std::size_t count);
// Does one step; 0 or an errno.
int do_step(const Step& step);
// Recovers the transaction of a journal left by a crash (see pkg_fs/environment.h): nullopt when
// there is none, else a sentence saying what was done. The journal is removed unless the undo
// could not be completed (an io error).
pkg::Result<std::optional<std::string>> recover_journal(const fs::path& journal);

// What removing an installed distribution touches: existing files (real paths) of its RECORD,
// the .pyc / __pycache__ files of its .py files and every file of its .dist-info directory.
// Refused (invalid_wheel, "cannot uninstall X: ...") without RECORD or when a path is outside
// `prefix`.
struct RemovalPlan {
  std::string project;
  std::string version;
  fs::path info_dir;            // the .dist-info directory (real path): moved aside first, whole
  std::vector<fs::path> files;  // sorted, unique; the files outside info_dir
  std::vector<fs::path> dirs;   // directories holding the files, to remove when left empty
};
pkg::Result<RemovalPlan> plan_removal(const InstalledDist& dist, const fs::path& prefix);

// Removes the directories of `dirs` that are empty, deepest first, never one for which `keep(dir)`
// is true. Like pip, only the directories that held the removed files (and the .dist-info tree)
// are candidates: their parents are not walked up (a namespace directory without files of its own
// stays, as with pip).
void remove_empty_dirs(std::vector<fs::path> dirs, const std::function<bool(const fs::path&)>& keep);

// Byte-compiles `sources` with one run of `python` (compileall.compile_file, force, quiet, as pip
// does) and returns (source, .pyc written) pairs. A source that does not compile, or an
// interpreter that does not run, gives no pair; neither is an error (pip ignores them too).
std::vector<std::pair<fs::path, fs::path>> compile_sources(const std::string& python,
                                                           const std::vector<fs::path>& sources);

// The Name and Version headers of METADATA text / a METADATA file (nullopt when unreadable or
// missing). Only the header block is read.
std::optional<std::pair<std::string, std::string>> parse_name_version(std::string_view text);
std::optional<std::pair<std::string, std::string>> read_name_version(const fs::path& metadata);

}  // namespace pkg_fs::detail
