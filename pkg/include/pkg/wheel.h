// The pure parts of the binary distribution format (wheel 1.x, PEP 427/491 and the "Binary
// distribution format" and "Recording installed projects" specifications): RECORD, WHEEL,
// entry_points.txt, member-name safety, .data scheme mapping, script shebangs and launchers.
// The filesystem side (reading the zip, writing files) is pkg_fs/installer.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pkg/error.h"

namespace pkg {

// ---- RECORD (CSV: path,hash,size) ---------------------------------------------------------------

struct RecordEntry {
  std::string path;  // '/'-separated, relative to the install root (may start with "../")
  std::string hash;  // "sha256=<urlsafe base64, no padding>" or "" (RECORD itself, .pyc, ...)
  std::optional<std::uint64_t> size;
  bool operator==(const RecordEntry&) const = default;
};

// Parses RECORD as Python's csv module reads it (excel dialect: ',' separator, '"' quoting with
// "" escapes, \r\n or \n line ends). Rows must have 1 to 3 fields (a 3rd-field-less row is
// accepted as pip does); an empty path, a non-numeric size or a hash without '=' is an error
// (invalid_wheel) naming the line. Empty lines are skipped.
Result<std::vector<RecordEntry>> parse_record(std::string_view text);

// Writes rows as Python's csv.writer does (excel dialect, lineterminator "\n" as pip passes):
// a field is quoted when it contains ',', '"', '\r' or '\n' (or leading/trailing space
// is NOT a reason), with '"' doubled. Rows are written in the given order.
std::string write_record(const std::vector<RecordEntry>& rows);

// "sha256=<urlsafe base64 without padding>" of 32 raw digest bytes / of a hex digest.
std::string record_hash_from_digest(std::string_view raw32);
std::optional<std::string> record_hash_from_hex(std::string_view hex64);
// Splits "alg=b64" and decodes the urlsafe base64 (padding optional) to raw bytes; nullopt when
// malformed.
struct RecordHash {
  std::string algorithm;  // "sha256", "sha384", "sha512", ...
  std::string digest;     // raw bytes
};
std::optional<RecordHash> parse_record_hash(std::string_view text);

// ---- WHEEL -------------------------------------------------------------------------------------

struct WheelInfo {
  unsigned version_major = 1;
  unsigned version_minor = 0;
  bool root_is_purelib = true;
  std::vector<std::string> tags;  // "Tag:" lines
  std::string generator;
};
// Email-header format. Errors (invalid_wheel): no Wheel-Version, a malformed one, a major
// version other than 1 (the spec: refuse); Root-Is-Purelib must be "true"/"false"
// (case-insensitive). A minor version above the one tufget knows (0) is accepted (the caller may
// warn, as the spec says).
Result<WheelInfo> parse_wheel_info(std::string_view text);

// ---- entry points -------------------------------------------------------------------------------

struct EntryPoint {
  std::string name;    // script name, e.g. "sample"
  std::string module;  // "sample.cli"
  std::string attr;    // "main" or "Cls.method" (may be empty: then the module is run... refused)
  std::vector<std::string> extras;  // "[x]" after the reference (ignored for scripts)
};
struct EntryPoints {
  std::vector<EntryPoint> console_scripts;
  std::vector<EntryPoint> gui_scripts;
};
// entry_points.txt (INI, configparser-like: [section], "name = module:attr [extras]", ';' and
// '#' comment lines, keys case-sensitive). Only console_scripts and gui_scripts are returned.
// Errors (invalid_wheel): a malformed line in those sections, a script name that is empty or
// contains '/', '\\' or starts with '.', a missing attr.
Result<EntryPoints> parse_entry_points(std::string_view text);

// The text of a console/gui launcher script for POSIX, executed by `python` (absolute path):
//   #!<python>\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom <module> import <attr-head>\n
//   if __name__ == "__main__":\n    sys.argv[0] = re.sub(r"(-script\.pyw|\.exe)?$", "", sys.argv[0])\n
//   sys.exit(<attr>())\n
// (the same behaviour as pip's launchers; the bytes need not be pip's). A python path with
// spaces or longer than 127 bytes uses the "/bin/sh" exec trampoline pip/distlib use.
std::string console_script(std::string_view python, const EntryPoint& ep);

// Rewrites a "#!python" / "#!pythonw" first line of a script from <name>.data/scripts/ to
// "#!<python>" (and keeps the rest, including the original line end). Other contents are
// returned unchanged. Returns nullopt when nothing was changed.
std::optional<std::string> rewrite_shebang(std::string_view script, std::string_view python);

// ---- member names ------------------------------------------------------------------------------

// Whether a zip member name is safe to install: relative, '/'-separated, no empty / "." / ".."
// component, no '\\', no NUL, no drive letter ("C:"), at most 4096 bytes. unsafe_path otherwise,
// naming the member.
Result<void> check_member_name(std::string_view name);

// Where a member goes. <name>.data/<scheme>/rest maps to that scheme ("purelib", "platlib",
// "scripts", "headers", "data"; any other scheme is invalid_wheel); everything else goes to the
// root scheme (purelib or platlib, per Root-Is-Purelib).
enum class SchemeKey { purelib, platlib, scripts, headers, data };
struct MemberTarget {
  SchemeKey scheme = SchemeKey::purelib;
  std::string relative;  // path below the scheme's directory
};
Result<MemberTarget> map_member(std::string_view member, std::string_view data_dir,
                               bool root_is_purelib);

// The "<name>-<version>.dist-info" directory of a wheel: the one top-level *.dist-info whose
// name and version match the file name's (names compared normalised, versions as PEP 440).
// Errors (invalid_wheel): none or several such directories.
Result<std::string> find_dist_info(const std::vector<std::string>& members,
                                   std::string_view project, std::string_view version);

}  // namespace pkg
