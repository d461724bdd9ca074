// The target interpreter: which Python an install goes into, and what it supports.
//
// query_interpreter runs the interpreter once (`python -I -c <script>`: isolated mode, no user
// site, PYTHON* variables ignored; stdin from /dev/null, at most 10 s, at most 1 MiB of output)
// to read its marker environment, tag information, install scheme (sysconfig paths), prefixes
// and EXTERNALLY-MANAGED marker. The site module is imported (no -S): a virtual environment's
// sys.prefix and scheme are set up by site, and without it a venv looks like its base.
//
// Two kinds of cache files in <cache_dir> (JSON; paths kept as sha256 hex digests; written
// atomically: temp file + rename, the directory created if missing; a file that does not parse
// or has another key is ignored and rewritten; a cache that cannot be written is not an error):
//
// - Per path: <sha256 of the executable path>.json, keyed by that path (absolute, as given, not
//   resolved: every venv's bin/python resolves to the same base interpreter), the resolved
//   path, the resolved file's size and mtime (nanoseconds), and the mtime of pyvenv.cfg in the
//   directory above the executable's (-1 when absent). A later query with the same key reads it
//   and does not start Python.
// - Per base interpreter: base-<sha256 of resolved path, NUL, home>.json, keyed by the resolved
//   executable's path, size and mtime and by `home`, written after every real query that knows
//   its home: for an interpreter outside a venv (that reports the path it was run as) the
//   directory of its resolved executable (Python finds its prefix from there, as a venv's
//   Python does from pyvenv.cfg's `home`), for one in a venv pyvenv.cfg's `home`, and then
//   only if the scheme template below reproduces that venv's own answer. It holds the query's
//   answer plus the scheme a venv of that interpreter gets (sysconfig's default scheme chosen
//   while sys.prefix is a placeholder, i.e. "venv" on 3.11+, with base and platbase set to the
//   placeholder).
//
// A query with no per-path entry, of <prefix>/bin/<name> with <prefix>/pyvenv.cfg (and none in
// bin/), derives the answer without starting Python when pyvenv.cfg has exactly one `home` and
// at least one of `version` / `version_info` (each must name the recorded X.Y.Z, virtualenv's
// "X.Y.Z.final.0" included), its `executable`, if given, resolves to the same file, and a base
// record exists for (resolved executable, home) with the current size and mtime. Then:
// executable = the path as given, prefix = <prefix>, scheme and stdlib from the template with
// the placeholder replaced by <prefix> (CPython keeps stdlib and include in the base),
// everything else (base_prefix, version, markers, tags) as recorded, no EXTERNALLY-MANAGED,
// from_cache set; the answer is not written back as a per-path entry.
// `include-system-site-packages` only changes sys.path and is not read. Anything else (another
// layout, a missing or repeated key, a mismatch, no record) runs the query, which fills both
// caches.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pkg/error.h"
#include "pkg/markers.h"
#include "pkg/tags.h"
#include "pkg/version.h"

namespace pkg_fs {

namespace fs = std::filesystem;

// Installation directories (absolute), sysconfig's scheme for the interpreter's prefix.
struct Scheme {
  fs::path purelib;
  fs::path platlib;
  fs::path scripts;
  fs::path headers;  // sysconfig "include" + "/<project>" is added by the installer, as pip does
  fs::path data;
};

struct Interpreter {
  fs::path executable;      // absolute path as found (sys.executable of the query)
  fs::path prefix;          // sys.prefix
  fs::path base_prefix;     // sys.base_prefix
  bool in_venv() const { return prefix != base_prefix; }
  pkg::Version version;     // python_full_version
  pkg::MarkerEnvironment markers;
  // Implementation, version, abis and platforms as packaging derives them: CPython abis from
  // Py_DEBUG / Py_GIL_DISABLED (cp311, cp311d + cp311, cp313t), others from EXT_SUFFIX/SOABI
  // (pypy310_pp73); platforms on Linux linux_platforms(arch of sysconfig.get_platform(), glibc
  // minor) (a 32-bit interpreter on x86_64 / aarch64 is i686 / armv7l), or without glibc
  // musllinux_1_<m>_<arch> for m from the musl loader's version (found through the
  // executable's ELF PT_INTERP, as packaging does) down to 0, then linux_<arch>; elsewhere only
  // the sysconfig platform with '-' and '.' as '_' (no macOS version expansion).
  pkg::TagInfo tag_info;
  pkg::TagSet tags;         // supported_tags(tag_info)
  Scheme scheme;
  fs::path stdlib;          // sysconfig "stdlib"
  // The EXTERNALLY-MANAGED file's [externally-managed] Error text (or a default sentence) when
  // the marker exists in `stdlib` and the interpreter is not in a virtual environment.
  std::optional<std::string> externally_managed;
  bool from_cache = false;
};

// Which interpreter `--python VALUE` names: an executable file, or a directory holding
// bin/python (or bin/python3: a virtual environment or prefix); a bare name ("python3.12") that
// is not an entry of the working directory is looked up in $PATH. With an empty value:
// $VIRTUAL_ENV when set, else ./.venv when it exists, else an io error explaining both. Returns
// the absolute executable path (not resolved through symlinks: a venv's bin/python is a symlink
// to the base interpreter, and must be run as itself).
pkg::Result<fs::path> find_python(std::string_view value);

// The process environment find_python reads, made explicit (for tests).
struct PythonSearch {
  std::string virtual_env;  // $VIRTUAL_ENV ("" = unset)
  fs::path cwd;             // the working directory (relative values and .venv are found there)
  std::string path;         // $PATH
};
pkg::Result<fs::path> find_python(std::string_view value, const PythonSearch& env);

struct QueryOptions {
  std::chrono::milliseconds timeout{10000};  // the interpreter is killed after this long
  std::size_t max_output = std::size_t{1} << 20;  // more stdout than this is an error
};

// See the top of this file. `cache_dir` empty: no cache. Errors (io, naming the executable): it
// does not exist or cannot be started, it exits with a non-zero status (the message quotes the
// first line of its stderr, or the last line of a Python traceback), it prints more than
// max_output bytes or something that is not the expected JSON (not a Python 3 interpreter), it
// runs longer than the timeout (it is killed).
pkg::Result<Interpreter> query_interpreter(const fs::path& python, const fs::path& cache_dir);
pkg::Result<Interpreter> query_interpreter(const fs::path& python, const fs::path& cache_dir,
                                           const QueryOptions& options);

// An Interpreter for a target given by --python-version X.Y[.Z] (or pip's "XY", e.g. "311")
// and --platform tags (for `tufget download`/`lock` about other machines): CPython, cpXY abi,
// no scheme. Platforms: as given (lowercased, duplicates dropped, and pip's expansion of the
// legacy names: manylinux2014_{x86_64,i686} adds manylinux2010 and manylinux1, manylinux2010
// adds manylinux1; macosx_X_Y_ARCH adds every older version and binary format,
// pkg::mac_platforms); none given: linux_platforms("x86_64", 17). Marker environment:
// MarkerEnvironment::cpython_linux, with os_name / sys_platform / platform_system /
// platform_machine taken from the first platform (win_amd64: nt, win32, Windows, AMD64;
// macosx_11_0_arm64: posix, darwin, Darwin, arm64; *linux*_aarch64: posix, linux, Linux,
// aarch64). Errors: invalid_version for a version that is not X.Y, X.Y.Z or XY.
pkg::Result<Interpreter> synthetic_interpreter(std::string_view python_version,
                                               const std::vector<std::string>& platforms);

}  // namespace pkg_fs
