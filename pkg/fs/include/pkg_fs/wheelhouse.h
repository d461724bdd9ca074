// A wheelhouse: a local directory of distribution files, the source of
// `tufget install --find-links DIR --no-index`. Nothing in it is signed: the hashes of the pages
// built here are computed from the files themselves, so only hash pins (a lock file,
// --require-hashes) protect such an install.
//
// As pip's --find-links for a directory, the directory is listed once and not recursed into;
// the files whose names parse as a wheel or an sdist (pkg/filenames.h) are kept, grouped by
// PEP 503-normalised project, and every other entry (other files, subdirectories, dot files
// that are not distribution names) is ignored.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "pkg/error.h"
#include "pkg/simple_page.h"

namespace pkg_fs {

struct Wheelhouse {
  std::filesystem::path dir;  // absolute, lexically normal
  // Normalised project name -> file names in that directory, sorted (byte order).
  std::map<std::string, std::vector<std::string>> files;

  // A simple-index page for `project` (normalised here, so "Foo_Bar" finds foo-bar): one
  // DistFile per file, with
  //   url     "file://" + the absolute path, percent-encoded as Python's
  //           urllib.request.pathname2url does (every byte but ASCII letters, digits, "_.-~/");
  //   hashes  {"sha256": hex of the file's bytes, read now}; size: the bytes hashed;
  // and nothing else (no yanked, requires-python or core metadata). page.name is the normalised
  // project. A project without files gives an empty page, not an error. Only that project's
  // files are read. A file that cannot be read any more (removed since the scan, unreadable) is
  // an Errc::io error naming it.
  pkg::Result<pkg::ProjectPage> page(std::string_view project) const;
};

// Lists `dir` once (see the top of this file). Errors (Errc::io, the directory as input and the
// strerror text as detail): a missing directory, one that is not a directory or cannot be read.
// Symbolic links to regular files count as files.
pkg::Result<Wheelhouse> scan_wheelhouse(const std::filesystem::path& dir);

// "file://" + `absolute_path` percent-encoded as described for Wheelhouse::page.
std::string file_url(const std::filesystem::path& absolute_path);

}  // namespace pkg_fs
