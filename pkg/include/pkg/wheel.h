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
// accepted as pip does); an empty path, a non-numeric size, a hash without '=', a NUL byte or
// an unterminated quoted field (which Python's non-strict reader would accept) is an error
// (invalid_wheel) naming the line. Empty lines are skipped.
Result<std::vector<RecordEntry>> parse_record(std::string_view text);

// Writes rows as pip does: Python's csv.writer with the excel dialect and its default
// lineterminator "\r\n" (pip passes none). A field is quoted when it contains ',', '"', '\r' or
// '\n' (leading/trailing space is NOT a reason), with '"' doubled. Rows are written in the given
// order.
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
// Email-header format. Errors (invalid_wheel): no Wheel-Version, a malformed one (1 to 3
// dot-separated numbers), a major version other than 1 (the spec: refuse); Root-Is-Purelib must
// be "true"/"false" (case-insensitive) when present; absent means false (platlib), as pip reads
// it. A minor version above the one tufget knows (0) is accepted (the caller may warn, as the
// spec says).
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
// entry_points.txt, read as importlib.metadata reads it (what pip uses): lines stripped, empty
// and ';' / '#' comment lines skipped, "[section]" lines, "name = value" split at the first '=',
// names case-sensitive; a later entry of the same name in a section replaces the earlier one (in
// the earlier one's place). Only console_scripts and gui_scripts are returned. The value is
// "module[:attr] [extras]" with module and attr made of word characters and dots.
// Errors (invalid_wheel): a malformed line in those sections, a script name that is empty or
// contains '/', '\\', a control character or starts with '.', a missing attr (pip refuses it too).
Result<EntryPoints> parse_entry_points(std::string_view text);

// The text of a console/gui launcher script for POSIX, executed by `python` (absolute path),
// byte for byte what pip (distlib's ScriptMaker) writes:
//   #!<python>\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom <module> import <attr-head>\n
//   if __name__ == '__main__':\n    sys.argv[0] = re.sub(r'(-script\.pyw|\.exe)?$', '', sys.argv[0])\n
//       sys.exit(<attr>())\n
// A python path with a space, or a shebang line longer than 127 bytes, uses distlib's "/bin/sh"
// exec trampoline (the path in double quotes when it has a space).
std::string console_script(std::string_view python, const EntryPoint& ep);

// The shebang for `python` as console_script writes it (with its final '\n').
std::string python_shebang(std::string_view python);

// pip's rule for scripts from <name>.data/scripts/: when the file starts with "#!python" (which
// covers "#!pythonw", "#!python3", "#!python -u"), its first line (up to and including the first
// '\n', or the whole file when there is none) is replaced by python_shebang(python); arguments
// after "#!python" are dropped, as pip drops them. Returns nullopt when the file does not start
// with "#!python" (nothing to change).
std::optional<std::string> rewrite_shebang(std::string_view script, std::string_view python);

// ---- member names ------------------------------------------------------------------------------

// Whether a zip member name is safe to install: relative, '/'-separated, no empty / "." / ".."
// component, no '\\', no NUL, no drive letter ("C:"), at most 4096 bytes. unsafe_path otherwise,
// naming the member.
Result<void> check_member_name(std::string_view name);

// Where a member goes. <data_dir>/<scheme>/rest maps to that scheme ("purelib", "platlib",
// "scripts", "headers", "data"; any other scheme, or nothing after the scheme, is invalid_wheel);
// a member whose first component is any other "*.data" name is invalid_wheel (pip refuses or
// misplaces those; the spec knows only <name>-<version>.data); everything else goes to the root
// scheme (purelib or platlib, per Root-Is-Purelib). `member` must have passed check_member_name.
enum class SchemeKey { purelib, platlib, scripts, headers, data };
struct MemberTarget {
  SchemeKey scheme = SchemeKey::purelib;
  std::string relative;  // path below the scheme's directory
};
Result<MemberTarget> map_member(std::string_view member, std::string_view data_dir,
                               bool root_is_purelib);

// The "<name>-<version>.dist-info" directory of a wheel: the one top-level *.dist-info whose
// name and version match the file name's (names compared normalised, versions as PEP 440).
// Errors (invalid_wheel): no such directory, or more than one top-level *.dist-info directory
// (a second one would install another project's metadata; pip refuses it too).
Result<std::string> find_dist_info(const std::vector<std::string>& members,
                                   std::string_view project, std::string_view version);

}  // namespace pkg
