// Distribution files for the local index: file names (wheel / sdist) and wheel METADATA.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace tuf_repo {

struct DistributionName {
  std::string project;  // as spelled in the file name (not normalised)
  std::string version;
  bool is_wheel = false;
};

// Parses a distribution file name: wheels "{name}-{version}(-{build})?-{py}-{abi}-{plat}.whl"
// and sdists "{name}-{version}.tar.gz" / ".zip". Names must be PEP 508 names and the file name
// may only use [A-Za-z0-9._+!-]. Throws RepoError with the reason otherwise.
DistributionName parse_distribution_filename(std::string_view filename);

// The bytes of the wheel's "{name}-{version}.dist-info/METADATA" (libzip), the file PEP 658
// serves as "<filename>.metadata". When the wheel holds several top-level *.dist-info
// directories, the one matching the file name's name and version is chosen. Throws RepoError
// when the wheel cannot be read or has no (or an ambiguous, or an oversized) METADATA.
std::string read_wheel_metadata(const std::filesystem::path& wheel, const DistributionName& dist);

// The first value of a core-metadata header ("Requires-Python", "Name", ...), unfolded, with
// surrounding whitespace removed; nullopt when absent. Only the header block (up to the first
// empty line) is searched; names compare case-insensitively.
std::optional<std::string> metadata_header(std::string_view metadata, std::string_view name);

}  // namespace tuf_repo
