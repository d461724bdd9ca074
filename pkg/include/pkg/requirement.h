// PEP 508 dependency specifiers ("requirements"): name, extras, version specifiers or a URL,
// and an environment marker.
//
//   name [ '[' extra (',' extra)* ']' ] [ specifiers | '(' specifiers ')' | '@' url ] [ ';' marker ]
//
// Whitespace (space and tab) is allowed where the PEP allows it; a trailing ',' after the
// specifiers is accepted, as `packaging` accepts it. The URL runs to the next whitespace, so a
// marker after a URL needs a space before ';'. Names and extras end with a letter or digit
// (PEP 508; `packaging` also takes a trailing '_'). Examples:
//   "requests"  "requests[security,tests] >= 2.8.1, == 2.8.*"  "name (>=1.0)"
//   "pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee"
//   "argparse; python_version < '2.7'"  "foo[bar]>=1; extra == 'test' and os_name == 'posix'"
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pkg/error.h"
#include "pkg/markers.h"
#include "pkg/version.h"

namespace pkg {

struct Requirement {
  std::string name;                 // as written
  std::string project;              // PEP 503-normalised name
  std::vector<std::string> extras;  // PEP 685-normalised (normalize_name), sorted, unique
  SpecifierSet specifiers;
  std::optional<std::string> url;  // "name @ URL" (tufget refuses to install these: the caller)
  std::optional<Marker> marker;

  // Errors are invalid_requirement (or invalid_specifier / invalid_marker from the parts),
  // naming the text and what is wrong: a bad name, an unclosed '[' or '(', junk after the
  // specifiers, a URL without a scheme, an empty marker after ';'.
  static Result<Requirement> parse(std::string_view text);

  // True when the marker is absent or evaluates true for `env` with `extras` (see
  // Marker::evaluate).
  bool applies(const MarkerEnvironment& env, const std::vector<std::string>& extras = {}) const;

  // "==V" (no wildcard) or "===V" as the only clause: PEP 592 lets such a pin select a yanked
  // file.
  bool is_pinned() const;

  // Normalised text: "name[a,b]>=1,<2; python_version >= \"3.8\"" (name as written,
  // clauses in the order written); with a URL "name[a] @ URL ; marker". Parses back to the
  // same requirement.
  std::string str() const;
};

}  // namespace pkg
