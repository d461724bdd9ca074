// The wheel installer: verified wheels in, an environment changed all at once (or not at all).
//
// install() works in phases, so that nothing is written into the environment before every file
// of every wheel has been verified, and a failure leaves the environment as it was:
//
//   1. Verify (read only). For each wheel (libzip): the WHEEL file (version 1.x), the
//      .dist-info directory, RECORD. Every member must be listed in RECORD with a sha256 (or
//      stronger) hash and size that match its bytes (RECORD itself, and RECORD.jws / RECORD.p7s,
//      are exempt); every RECORD entry must be a member (apart from RECORD and entries for
//      files the install generates, e.g. .pyc); every member name must be safe
//      (pkg::check_member_name) and map inside its scheme directory; two wheels may not install
//      the same path. Any failure: Errc::record_mismatch / invalid_wheel / unsafe_path naming
//      the wheel and the member, and nothing is written.
//   2. Plan. The installed distributions of the same projects (found in purelib/platlib by
//      their .dist-info) are to be removed by their RECORD; one without RECORD, or whose RECORD
//      names a path outside the environment's prefix, is refused (invalid_wheel: "cannot
//      uninstall X: ..."), before anything is written.
//   3. Stage. Every file is extracted into a staging folder per destination root (on the same
//      file system, e.g. <purelib>/.tufget-staging-XXXXXX), written and fsync'ed; scripts are
//      generated there, "#!python" shebangs rewritten, the executable bit set for scripts (and
//      for members whose zip mode has it), INSTALLER ("tufget\n"), REQUESTED (empty, for
//      requested distributions) and the new RECORD written.
//   4. Commit. The old distributions' files are moved aside (renamed into the staging folder),
//      then every staged file is renamed into place (directories created as needed). If any
//      rename fails, everything done in this phase is undone in reverse order.
//   5. Clean up: the staging folders (with the old files) are removed; directories left empty
//      by an uninstall are removed (never a scheme directory itself).
//
// The RECORD written matches pip's: rows of the wheel's RECORD with paths as installed (relative
// to the root scheme directory, "../../../bin/x" for scripts), generated files (scripts,
// INSTALLER, REQUESTED, .pyc when compiling) with their sha256 and size, RECORD itself with
// empty hash and size; sorted as pip sorts them.
#pragma once

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
  fs::path dist_info;    // absolute path of the .dist-info directory
  bool has_record = false;
  std::string installer;  // INSTALLER contents, trimmed ("" when absent)
  bool requested = false;  // REQUESTED exists
};

// The distributions installed in purelib and platlib (each directory scanned once; a
// .dist-info without a readable METADATA Name/Version is skipped). Sorted by project.
pkg::Result<std::vector<InstalledDist>> list_installed(const Scheme& scheme);

struct WheelToInstall {
  fs::path path;          // a wheel file already verified against its trusted hash
  std::string filename;   // its real file name ("name-ver-...-tag.whl")
  bool requested = false;  // write REQUESTED
};

struct InstallOptions {
  Scheme scheme;
  fs::path prefix;         // the environment's prefix: nothing is written or removed outside it
                           // (a --target install passes the target directory)
  std::string python;      // absolute interpreter path for shebangs and launchers
  bool compile = false;    // byte-compile the installed .py files (runs `python -m compileall`
                           // on the staged files' final paths after commit; .pyc recorded)
  std::string installer = "tufget";
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

// Removes an installed distribution by its RECORD (same rules as phase 2, all or nothing).
pkg::Result<void> uninstall(const InstalledDist& dist, const fs::path& prefix);

}  // namespace pkg_fs
