// The target interpreter: which Python an install goes into, and what it supports.
//
// query_interpreter runs the interpreter once (`python -I -S -c <script>`, no site import,
// stdin closed, at most 10 s) to read its marker environment, tag information, install scheme
// (sysconfig paths), prefixes and EXTERNALLY-MANAGED marker, and caches the answer as JSON in
// <cache_dir>/<sha256 of the resolved executable path>.json keyed by the executable's resolved
// path, size and mtime (nanoseconds): a later query with the same key reads the cache and does
// not start Python. A cache file that does not parse or has another key is ignored and
// rewritten (atomically: temp file + rename).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

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
  pkg::TagInfo tag_info;    // implementation, version, abis (from SOABI / abiflags), platforms
  pkg::TagSet tags;         // supported_tags(tag_info)
  Scheme scheme;
  fs::path stdlib;          // sysconfig "stdlib"
  // The EXTERNALLY-MANAGED file's [externally-managed] Error text (or a default sentence) when
  // the marker exists in `stdlib` and the interpreter is not in a virtual environment.
  std::optional<std::string> externally_managed;
  bool from_cache = false;
};

// Which interpreter `--python VALUE` names: an executable file, or a directory holding
// bin/python (a virtual environment or prefix). With an empty value: $VIRTUAL_ENV when set,
// else ./.venv when it exists, else an io error explaining both. Returns the executable path
// (not resolved through symlinks: a venv's bin/python is a symlink to the base interpreter, and
// must be run as itself).
pkg::Result<fs::path> find_python(std::string_view value);

// See the top of this file. `cache_dir` empty: no cache. Errors (io): the executable does not
// exist or cannot run, it is not CPython/PyPy 3 (the script's output does not parse), timeout.
pkg::Result<Interpreter> query_interpreter(const fs::path& python, const fs::path& cache_dir);

// An Interpreter for a target given by --python-version X.Y[.Z] and --platform tags (for
// `tufget download`/`lock` about other machines): CPython, cpXY abi, marker environment of
// MarkerEnvironment::cpython_linux; no scheme.
pkg::Result<Interpreter> synthetic_interpreter(std::string_view python_version,
                                               const std::vector<std::string>& platforms);

}  // namespace pkg_fs
