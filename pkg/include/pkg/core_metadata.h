// Core metadata (the METADATA file of a wheel, PKG-INFO, PEP 658 ".metadata" files): the
// email-header format of the "Core metadata specifications", versions 1.0 to 2.4.
//
// Only what installing needs is modelled: Metadata-Version, Name, Version, Requires-Python,
// Requires-Dist, Provides-Extra, Summary. Headers are case-insensitive, values unfolded
// (continuation lines starting with whitespace are joined with the newline and indentation
// replaced by a single space... as the email parser does), the header block ends at the first
// empty line (the body is the description and is ignored).
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

  // The dependencies that apply for `env` when `extras` were requested (markers evaluated;
  // a requirement whose marker mentions `extra` applies only if it matches one of `extras`).
  std::vector<Requirement> dependencies(const MarkerEnvironment& env,
                                        const std::vector<std::string>& extras) const;
};

// Errors (invalid_metadata, naming the header): no Name or Version, an invalid Name or Version,
// a Requires-Dist or Requires-Python that does not parse, a Metadata-Version with major > 2
// (refused: unsupported, per the spec), a header block larger than 1 MiB. Requires-Dist
// entries with a URL are kept (the caller refuses them when they apply).
Result<DistMetadata> parse_core_metadata(std::string_view text);

}  // namespace pkg
