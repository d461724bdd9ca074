// pip's requirements file format, with hashes (pip's hash-checking mode) and peep's comments.
//
// Pure: the caller supplies the bytes of each file through a loader (the filesystem side lives
// in the CLI). Understood:
//   - one PEP 508 requirement per line; '#' starts a comment when at the start of the line or
//     preceded by whitespace; a line ending in '\' continues on the next one (joined first);
//   - per-requirement options after the requirement: --hash=ALG:HEX (repeatable; also
//     "--hash ALG:HEX"), --config-settings/--global-option (refused: unsupported);
//   - peep's form: "# sha256: <urlsafe base64 without padding>" comment lines directly above a
//     requirement (blank lines between end the block) give that requirement sha256 hashes,
//     converted to hex;
//   - -r FILE / --requirement FILE and -c FILE / --constraint FILE, relative to the including
//     file; include cycles are an error;
//   - global options: --require-hashes, -i/--index-url URL, --extra-index-url URL,
//     --find-links/-f URL, --no-index, --only-binary X, --no-binary X, --pre, --prefer-binary
//     (accepted and recorded; unknown options are an error naming the line).
//   - editable (-e) and bare path/URL lines are refused (unsupported) with the line number.
//   - environment variables ${VAR} are NOT expanded (pip does; tufget refuses a line with "${"
//     so a lock file never depends on the environment).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pkg/error.h"
#include "pkg/requirement.h"

namespace pkg {

struct RequirementLine {
  Requirement requirement;
  std::vector<std::string> sha256;  // lowercase hex, from --hash=sha256: and peep comments
  // Other algorithms given with --hash (name -> hex values), e.g. "sha384", "sha512".
  std::map<std::string, std::vector<std::string>> other_hashes;
  bool constraint = false;  // from a -c file: limits versions, does not request installation
  std::string file;         // the file it came from, as given to the loader
  unsigned line = 0;        // 1-based line number of the line's start
  std::string text;         // the whole logical line as written (continuations joined)
  bool has_hashes() const { return !sha256.empty() || !other_hashes.empty(); }
};

struct RequirementsFile {
  std::vector<RequirementLine> requirements;  // in file order (includes expanded in place)
  bool require_hashes = false;
  std::optional<std::string> index_url;
  std::vector<std::string> extra_index_urls;
  std::vector<std::string> find_links;
  bool no_index = false;
  bool pre = false;
  std::vector<std::string> only_binary;  // ":all:", ":none:" or names, as written
  std::vector<std::string> no_binary;
};

// Returns the contents of `path` (as named in the -r/-c line, resolved by the caller relative to
// `from`, the including file; `from` is empty for the top-level file) and the canonical name
// the caller gives it (used for cycle detection and messages), or an error.
struct LoadedFile {
  std::string name;
  std::string contents;
};
using RequirementsLoader =
    std::function<Result<LoadedFile>(std::string_view path, std::string_view from)>;

// Parses `path` and everything it includes. Errors name the file and line: "reqs.txt:3:
// --hash needs ALG:HEX". Include depth is capped at 32.
Result<RequirementsFile> parse_requirements_file(std::string_view path,
                                                 const RequirementsLoader& load);

// Parses contents directly (no includes allowed unless `load` is given).
Result<RequirementsFile> parse_requirements_text(std::string_view contents,
                                                 std::string_view name,
                                                 const RequirementsLoader& load = nullptr);

// peep's encoding of a sha256: urlsafe base64 without padding, 43 characters <-> 64 hex digits.
std::optional<std::string> peep_to_hex(std::string_view urlsafe_b64);
std::string hex_to_peep(std::string_view hex);

}  // namespace pkg
