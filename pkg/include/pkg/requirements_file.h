// pip's requirements file format, with hashes (pip's hash-checking mode) and peep's comments.
//
// Pure: the caller supplies the bytes of each file through a loader (the filesystem side lives
// in the CLI). Lines are read as pip 23 reads them (details in requirements_file.cpp):
//   - UTF-8 (a UTF-8 BOM is skipped; UTF-16/32 or another "coding:" declaration is refused),
//     split into lines as Python's str.splitlines (CRLF, CR, LF, and the rarer breaks);
//   - a line ending in '\' continues on the next one (joined first; a comment line never
//     continues, and a comment line ends a continuation); '#' starts a comment when at the start
//     of the line or preceded by whitespace ("foo==1 # c" is "foo==1", "x#y" keeps its '#');
//   - one PEP 508 requirement per line, up to the first space-separated word starting with '-';
//     the options after it are split as shlex (POSIX) and read as optparse (a long option may
//     be abbreviated to a unique prefix; "--opt=V", "--opt V", "-rFILE", "-r FILE");
//   - per-requirement option: --hash=ALG:HEX (repeatable; also "--hash ALG:HEX"; ALG sha256,
//     sha384 or sha512, HEX lowercase of the right length); --config-settings/--global-option
//     are refused (unsupported); any other option after a requirement is an error (pip would
//     ignore it);
//   - peep's form: "# sha256: <urlsafe base64 without padding>" comment lines, each a whole
//     line, directly above a requirement line give that requirement sha256 hashes, converted to
//     hex, merged with its --hash values (duplicates dropped, peep's first). The block must be
//     followed at once by the requirement's first line: a blank line, another comment, an option
//     line or the end of the file after it is an error (the hashes would apply to nothing), as is
//     a "# sha256:" comment at the end of a requirement line or a malformed peep hash;
//   - -r FILE / --requirement FILE and -c FILE / --constraint FILE, alone on their line, resolved
//     by the loader relative to the including file; the requirements of a -c file are
//     constraints (its own -r includes are requirements again, as in pip); constraints cannot
//     have extras; include cycles, nesting deeper than 32 and more than 1024 files in all are
//     errors; including by URL is refused;
//   - global options: --require-hashes, -i/--index-url/--pypi-url URL (a second, different one
//     is an error), --extra-index-url URL, --find-links/-f URL (one per line), --no-index,
//     --only-binary X, --no-binary X, --pre, --prefer-binary (accepted and recorded, from
//     included files too; unknown options are an error naming the line; --hash or a stray word
//     on an option line is an error);
//   - editable (-e), --trusted-host, --use-feature, bare path/URL lines, "name @ URL" and names
//     of archive files ("x.whl", "x.tar.gz", which pip reads as paths) are refused (unsupported)
//     with the line number;
//   - environment variables ${VAR} are NOT expanded (pip does; tufget refuses a line with "${"
//     outside a comment, so a lock file never depends on the environment);
//   - non-ASCII or control characters outside comments are refused.
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
  std::string text;         // the logical line: continuations joined, comment removed, trimmed
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
  bool prefer_binary = false;
  // Each value split at commas, otherwise as written (":all:", ":none:" or names).
  std::vector<std::string> only_binary;
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

// Parses `path` (read through `load(path, "")`) and everything it includes. Errors name the
// file and line at the start of the detail ("reqs.txt:3: --hash needs ALG:HEX ..."), the line's
// text as the input; codes: invalid_requirement (or the code of a failing Requirement part, or
// of the loader's error), unsupported for the refused features.
Result<RequirementsFile> parse_requirements_file(std::string_view path,
                                                 const RequirementsLoader& load);

// Parses contents directly (no includes allowed unless `load` is given).
Result<RequirementsFile> parse_requirements_text(std::string_view contents,
                                                 std::string_view name,
                                                 const RequirementsLoader& load = nullptr);

// peep's encoding of a sha256: urlsafe base64 without padding, 43 characters <-> 64 hex digits.
// peep_to_hex gives lowercase hex, nullopt unless exactly 43 characters of the urlsafe alphabet
// in canonical form (the 4 unused low bits of the last character zero). hex_to_peep takes hex of
// either case and gives "" unless `hex` is 64 hex digits.
std::optional<std::string> peep_to_hex(std::string_view urlsafe_b64);
std::string hex_to_peep(std::string_view hex);

}  // namespace pkg
