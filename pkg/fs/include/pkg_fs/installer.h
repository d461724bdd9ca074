// The wheel installer: verified wheels in, an environment changed all at once (or not at all).
//
// install() works in phases, so that nothing is written into the environment before every file
// of every wheel has been verified, and a failure leaves the environment as it was:
//
//   1. Verify (read only). For each wheel (libzip, consistency-checked): the WHEEL file (version
//      1.x), the one .dist-info directory matching the file name, RECORD, METADATA (Name and
//      Version must match the file name), entry_points.txt. Every member must be listed in RECORD
//      with a sha256, sha384 or sha512 hash (and the size, when RECORD gives one) that match its
//      bytes (RECORD itself, and RECORD.jws / RECORD.p7s, are exempt); every RECORD entry must be
//      a member (apart from RECORD, directory entries, and hashless .pyc/.pyo entries of files an
//      install generates); every member name must be safe (pkg::check_member_name), appear once,
//      not be a symbolic link or other non-regular file (zip unix mode), and map to a known
//      scheme (pkg::map_member). Each member is read once and hashed as it streams; its bytes are
//      kept for phase 3 while the wheels' total stays under 64 MiB, else phase 3 reads it again
//      and compares the hash again. Sizes are not trusted: a member is inflated as a stream and
//      refused the moment it produces more bytes than its zip header or RECORD declares; a wheel
//      whose zip headers declare more than InstallOptions::max_unpacked bytes in total (8 GiB by
//      default) is refused before anything is inflated; a .data/scripts file, read whole to
//      rewrite its shebang (phase 2), is refused above 64 MiB. So memory does not grow with
//      what one member declares or holds. Any failure: Errc::record_mismatch / invalid_wheel /
//      unsafe_path naming the wheel (Error::input) and the member (in the detail), and nothing is
//      written.
//   2. Plan. Every destination must lie inside its scheme directory and the prefix; two wheels
//      may not install the same path (launchers included), nor one a file where another needs a
//      directory, nor two wheels the same project. The installed distributions of the same
//      projects (found in purelib/platlib by their .dist-info) are to be removed by their RECORD;
//      one without RECORD, or whose RECORD names a path outside the environment's prefix (after
//      resolving symbolic links in its directories), is refused (invalid_wheel: "cannot uninstall
//      X: ..."), before anything is written.
//   3. Stage. The transaction begins (its journal, <prefix>/.tufget/journal, see
//      pkg_fs/environment.h and Transaction in install_detail.h, records every staging folder as
//      it is made). Every file is written into a staging folder per destination root (on the same
//      file system: <nearest existing directory of the root>/.tufget-staging-XXXXXX), each wheel's
//      .dist-info files into a folder of their own there, assembled whole; scripts are
//      generated, "#!python" shebangs rewritten (pkg::rewrite_shebang), INSTALLER ("tufget\n"),
//      REQUESTED (empty, for requested distributions) and the new RECORD written.
//      Modes are pip's: 0666 & ~umask; (0777 & ~umask) | 0111 for members whose zip mode has an x
//      bit and for .data/scripts files; launchers st_mode | 0555 (distlib). Then, once the
//      commit's plan is in the journal (phase 4), one syncfs() per file system holding a staging
//      folder makes every staged byte and the plan durable before any rename (the journal is
//      fsync'ed on its own only when it is on another file system), so no renamed file can be
//      seen half-written after a crash (measured on ext4 in a busy VM, 340
//      files of 2 kB: one fdatasync per file 1.7-2.0 s, one syncfs 0.1 s).
//   4. Commit. Every change is planned first (what is in the way is found now: a file is moved
//      aside, an empty directory removed, a non-empty one refused), written to the journal and
//      synced, then done step by step, each step one rename, mkdir or rmdir: the old
//      distributions' .dist-info directories are moved aside first (each disappears in one
//      rename, before any of its files), then their files; then the new files are renamed into
//      place (directories made as needed); each new .dist-info directory comes last, in one
//      rename, once every file of its distribution is in place. A failure, or an interrupt
//      (fsutil/interrupt.h: the commit is a critical section, so SIGINT/SIGTERM/SIGHUP only
//      set a flag checked between steps), undoes the steps done, newest first
//      (Errc::io / Errc::interrupted, "every change was undone"). The commit mark is then synced:
//      a crash (kill -9) before it is undone by the next run's recovery, one after it finished.
//   5. Clean up: the staging folders (with the old files) are removed; directories that held
//      removed files and are left empty are removed, as pip does (never a scheme directory, one
//      of their parents or the prefix); then the journal.
//
// The caller holds the environment's lock (pkg_fs::lock_environment, which also recovers what
// a crash left) from listing what is installed until install() returns; install() and
// uninstall() recover a journal they find themselves too (one stat when there is none).
//
// The RECORD written matches pip's (byte for byte but for INSTALLER): rows of the wheel's RECORD
// with paths as installed (relative to the root scheme directory, "../../../bin/x" for scripts),
// rewritten scripts rehashed, generated files (launchers, INSTALLER, REQUESTED) with their sha256
// and size, members RECORD cannot hash (signatures) and RECORD itself with empty hash and size;
// sorted as pip sorts them; CRLF line ends (pip's csv.writer). Like pip, .data/scripts files
// named after an entry point (setuptools' wrappers "X", "X.exe", "X-script.py") are not
// installed; unlike pip, the versioned pip/easy_install launchers pip invents are not, and
// .pyc files written by `compile` are recorded with their hash and size (pip leaves them empty).

#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pkg/error.h"
#include "pkg/version.h"
#include "pkg_fs/interpreter.h"

namespace pkg_fs {

struct InstalledDist {
  std::string name;      // as in METADATA
  std::string project;   // normalised
  pkg::Version version;
  std::string version_text;
  fs::path dist_info;    // absolute path of the .dist-info directory (or .egg-info)
  fs::path metadata;     // its METADATA (PKG-INFO for an .egg-info; the file itself for a
                         // distutils .egg-info file)
  bool has_record = false;
  bool egg_info = false;   // installed by setuptools/distutils as an .egg-info: never removed
  std::string installer;  // INSTALLER contents, trimmed ("" when absent)
  bool requested = false;  // REQUESTED exists
};

// The distributions installed in purelib and platlib (each directory scanned once): every
// .dist-info directory, and every .egg-info directory or file (setuptools and distutils
// installs: seen, so that nothing is installed beside them, but never removed, as they have no
// RECORD). One without a readable Name/Version is skipped. Sorted by project.
pkg::Result<std::vector<InstalledDist>> list_installed(const Scheme& scheme);

struct WheelToInstall {
  fs::path path;          // a wheel file already verified against its trusted hash
  std::string filename;   // its real file name ("name-ver-...-tag.whl")
  bool requested = false;  // write REQUESTED
};

inline constexpr std::uint64_t kDefaultMaxUnpacked = 8ull << 30;  // 8 GiB unpacked per wheel

struct InstallOptions {
  Scheme scheme;
  fs::path prefix;         // the environment's prefix: nothing is written or removed outside it
                           // (a --target install passes the target directory)
  std::string python;      // absolute interpreter path for shebangs and launchers
  bool compile = false;    // byte-compile the installed .py files after commit: one run of
                           // `python -I -S -c <script>` calling compileall.compile_file(force,
                           // quiet) per file, as pip does in-process; the .pyc files are added to
                           // RECORD (rewritten atomically). A file that does not compile is
                           // skipped, as with pip.
  std::string installer = "tufget";
  // Per wheel: members whose zip headers declare more bytes in total are refused (phase 1).
  std::uint64_t max_unpacked = kDefaultMaxUnpacked;
};

struct InstalledWheel {
  std::string project;
  std::string version;
  std::optional<std::string> replaced_version;  // the version that was uninstalled, if any
  std::size_t files = 0;                        // files written (incl. generated)
  std::uint64_t bytes = 0;
};

// See the top of this file. On success every wheel is installed; on failure nothing changed.
pkg::Result<std::vector<InstalledWheel>> install(const std::vector<WheelToInstall>& wheels,
                                                 const InstallOptions& options);

// Phase 1 alone, for one wheel: verifies the wheel against its RECORD (and its file name) and
// returns its METADATA bytes. Used to read dependencies from a wheel when the index offers no
// PEP 658 metadata, and by tests.
pkg::Result<std::string> verify_wheel(const fs::path& wheel, std::string_view filename);

// Removes an installed distribution by its RECORD (same rules as phase 2), as a transaction
// like install()'s: the .dist-info directory is moved aside first (the distribution disappears
// in one rename), then the recorded files and the .pyc files of recorded .py files (legacy and
// __pycache__, any interpreter tag); only once all moves succeeded is anything deleted, with the
// emptied directories that held them, except the prefix's own subdirectories (bin/, share/, ...)
// and the .dist-info's parents. A failure, interrupt or crash leaves it fully installed.
pkg::Result<void> uninstall(const InstalledDist& dist, const fs::path& prefix);

// An installed distribution's files checked against its RECORD: every row with a hash must be a
// regular file of the size RECORD gives (rows without a hash, such as RECORD itself and .pyc
// files, are not checked); with `hashes`, its hash must match too (reads every file). Used for
// "already satisfied" (cheap) and `tufget verify` (full). Errors: RECORD unreadable (io) or
// malformed.
struct InstalledCheck {
  std::size_t files = 0;               // rows checked
  std::size_t damaged = 0;             // rows that failed
  std::vector<std::string> problems;   // the first ten, in plain words
  bool ok() const { return damaged == 0; }
};
pkg::Result<InstalledCheck> check_installed(const InstalledDist& dist, bool hashes);

// Whether the installed distribution `dist` came from the wheel file `wheel` (its real file name
// is wheel.filename()), judged by RECORD, without reading the installed files: true when
//   - the wheel verifies (phase 1 of install(); a wheel that does not is an error, not false),
//   - `dist` is the wheel's <name>-<version>.dist-info directory in the wheel's root scheme
//     directory (purelib or platlib, per Root-Is-Purelib; compared with symbolic links resolved),
//   - its RECORD row for METADATA has the hash of the wheel's METADATA bytes, and
//   - every hashed member of the wheel has an installed RECORD row at the path install() maps it
//     to (relative to the root scheme directory, "../../../bin/x" style for other schemes), with
//     the same hash (same algorithm and digest) and size (a size absent from both is equal).
// Not compared, because an installer writes or rewrites them: the .dist-info's RECORD,
// INSTALLER, REQUESTED and direct_url.json, and <name>.data/scripts/* (shebangs rewritten,
// entry-point wrappers dropped). False (not an error) when `dist` has no readable RECORD or its
// RECORD cannot be parsed. Extra installed rows (launchers, .pyc files) do not matter.
// Errors: the wheel's (invalid_wheel, record_mismatch, io, ...); an I/O error reading RECORD
// other than its absence (io). Defined in installed_match.cpp.
// `filename`: the wheel's real file name when `wheel` is stored under another (a staged
// download); empty: wheel.filename().
pkg::Result<bool> installed_matches_wheel(const InstalledDist& dist, const fs::path& wheel,
                                          const Scheme& scheme, std::string_view filename = {});

}  // namespace pkg_fs
