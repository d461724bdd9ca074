// Core metadata (the METADATA file of a wheel, PKG-INFO, PEP 658 ".metadata" files): the
// email-header format of the "Core metadata specifications", versions 1.0 to 2.4.
//
// Only what installing needs is modelled: Metadata-Version, Name, Version, Requires-Python,
// Requires-Dist, Provides-Extra, Summary. The header block is read as Python's email parser
// (compat32 policy) reads it: lines end at CRLF, CR or LF; names are case-insensitive; a line
// starting with space/tab continues the previous header (the line break and indentation become
// one space; values are trimmed); a "From " line is skipped; the block ends at the first empty
// line or at the first line that is not a header ("name:" with printable ASCII name), which
// starts the body (the description, ignored). Other headers are ignored.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pkg/error.h"
#include "pkg/requirement.h"
#include "pkg/version.h"

namespace pkg {

struct DistMetadata {  // (pkg::CoreMetadata, in simple_page.h, is the page's PEP 658 flag)
  std::string metadata_version;  // "2.1"
  std::string name;              // as written
  std::string project;           // normalised
  Version version;
  std::string version_text;  // as written
  std::optional<SpecifierSet> requires_python;
  std::vector<Requirement> requires_dist;  // in file order
  std::vector<std::string> provides_extra;  // normalised
  std::string summary;

  // The dependencies that apply for `env` when `extras` were requested, as pip selects them:
  // requested extras not declared in Provides-Extra are dropped (pip warns and ignores them);
  // a requirement without marker always applies; one with a marker applies when the marker is
  // true for one of the remaining extras, or, when none remains, true with extra == "" (so a
  // marker mentioning `extra` only applies for a requested, declared extra). File order.
  std::vector<Requirement> dependencies(const MarkerEnvironment& env,
                                        const std::vector<std::string>& extras) const;

  // The requested `extras` that Provides-Extra does not declare (compared normalised), as
  // given; for a warning like pip's "... does not provide the extra ...".
  std::vector<std::string> missing_extras(const std::vector<std::string>& extras) const;
};

// Errors (invalid_metadata, the detail starting with the header name): no Metadata-Version,
// Name or Version; Metadata-Version not MAJOR.MINOR; an invalid Name or Version; a Requires-Dist
// or Requires-Python that does not parse (Requires-Python strictly: an empty clause such as a
// trailing comma is refused, though `packaging` skips it); Metadata-Version, Name, Version or
// Requires-Python given twice; a header block larger than 1 MiB. A Metadata-Version with major
// > 2 is Errc::unsupported (the spec says to refuse it); any 1.x and 2.x is read. Summary: the
// first one. Provides-Extra: normalised, duplicates dropped, not validated. Requires-Dist
// entries with a URL are kept (the caller refuses them when they apply).
Result<DistMetadata> parse_core_metadata(std::string_view text);

}  // namespace pkg
