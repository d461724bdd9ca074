// Errors as values for the package layer (pkg/).
//
// Every fallible pkg function returns pkg::Result<T> (std::expected<T, pkg::Error>). pkg does
// not reuse tuf::Error: its failures are about Python packaging formats (PEP 440, 503, 691,
// wheel/sdist names), not TUF roles, and pkg must not depend on tuf_core. An Error names the
// kind of input that was rejected (code), the offending input itself (truncated to a sane
// length) and what is wrong with it, in a sentence.
//
// Nothing in pkg/ throws on bad input, performs I/O or reads a clock; pkg/fs (library pkg_fs)
// holds the parts that touch the filesystem or run the interpreter, with the same errors.
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace pkg {

enum class Errc {
  invalid_name,       // a project name that is not a PEP 508 name
  invalid_filename,   // a wheel or sdist file name that does not follow its spec
  invalid_version,    // not a PEP 440 version
  invalid_specifier,  // not a PEP 440 version specifier (set)
  invalid_page,       // a simple-index page (PEP 503 HTML / PEP 691 JSON) that cannot be used
  invalid_url,        // a URL that cannot be parsed or resolved to an absolute http(s)/file URL
  unsupported,        // a well-formed input using a feature pkg refuses (e.g. API major > 1)
  invalid_marker,       // not a PEP 508 environment marker
  invalid_requirement,  // not a PEP 508 requirement / requirements-file line
  invalid_metadata,     // core metadata (METADATA / PKG-INFO) that cannot be used
  invalid_wheel,        // a wheel whose contents break the binary distribution format
  record_mismatch,      // a wheel member whose bytes or size differ from the wheel's RECORD
  unsafe_path,          // a path that would escape its target directory
  no_solution,          // the resolver found no set of versions satisfying the requirements
  io,                   // a filesystem or subprocess failure (pkg_fs only)
  interrupted,          // stopped by SIGINT/SIGTERM/SIGHUP; what was done was undone (pkg_fs only)
};

std::string_view to_string(Errc code);

struct Error {
  Errc code = Errc::invalid_page;
  std::string input;   // the rejected input (file name, version text, ...), may be truncated
  std::string detail;  // what is wrong with it

  // "<code>: '<input>': <detail>" (the input part is left out when empty)
  std::string message() const;
};

template <class T>
using Result = std::expected<T, Error>;

// Builds an Error; `input` longer than 200 bytes is truncated with "...".
std::unexpected<Error> fail(Errc code, std::string_view input, std::string detail);

}  // namespace pkg
