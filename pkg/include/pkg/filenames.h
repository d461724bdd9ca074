// Distribution file names: wheels (binary distribution format, PEP 427/491 with compressed tag
// sets, PEP 425) and source distributions (PEP 625 .tar.gz, legacy .zip).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pkg/error.h"
#include "pkg/version.h"

namespace pkg {

// One PEP 425 tag triple, lowercased: {"py3", "none", "any"}.
struct WheelTag {
  std::string interpreter;
  std::string abi;
  std::string platform;
  auto operator<=>(const WheelTag&) const = default;
  std::string str() const;  // "py3-none-any"
};

// A wheel build tag: digits then an optional suffix ("1", "2foo"); compares as (number, suffix).
struct BuildTag {
  std::uint64_t number = 0;
  std::string suffix;
  auto operator<=>(const BuildTag&) const = default;
};

struct WheelFilename {
  std::string name;       // PEP 503-normalised project name ("foo-bar" from "foo_bar")
  std::string version;    // the version text as written in the file name
  Version parsed_version;
  std::optional<BuildTag> build;
  // Every tag of the (possibly compressed) tag set, in file-name order: "py2.py3-none-any"
  // gives py2-none-any, py3-none-any. Never empty, no duplicates.
  std::vector<WheelTag> tags;
};

// "name-ver(-build)?-pytag-abitag-plattag.whl". Rejects (invalid_filename, naming the file and
// the problem): a missing ".whl", a part count other than 5 or 6, a name with characters other
// than letters, digits, '.', '_' (or "__"), a version that is not PEP 440, a build tag not
// starting with a digit, empty tags.
Result<WheelFilename> parse_wheel_filename(std::string_view filename);

struct SdistFilename {
  std::string name;     // PEP 503-normalised
  std::string version;  // as written
  Version parsed_version;
  std::string extension;  // ".tar.gz" or ".zip"
};

// "name-version.tar.gz" / "name-version.zip": the version is what follows the last '-'.
// Rejects other extensions, a missing '-', an invalid project name or a non-PEP 440 version.
Result<SdistFilename> parse_sdist_filename(std::string_view filename);

}  // namespace pkg
