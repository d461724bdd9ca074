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
//
// Hostile input. A requirements file is input the user may not have written (a downloaded
// project's requirements.txt), and -r accepts any path, so:
//   - limits: each file at most kMaxRequirementsFileBytes (16 MiB), all the files of one
//     RequirementsBudget (a command line's -r and -c files and everything they include) at most
//     kMaxRequirementsTotalBytes (64 MiB), kMaxRequirementsFiles (1024) files and
//     kMaxRequirementLines (500,000) requirement lines; the work is linear in the size (lines
//     are read one at a time, never all held as a list);
//   - binary data (a NUL byte, bytes that are not UTF-8, a control character outside a comment)
//     is refused as "FILE is not a requirements file (line N holds binary data)", quoting none
//     of it;
//   - quoting: an error message shows at most 200 bytes of the offending line, printable ASCII
//     only (other bytes become '?', "..." marks a cut), and only once the line's file has shown
//     it is a requirements file: an earlier line of it was a requirement or an option, or the
//     line's own requirement part parses, or its options are ones pip knows. Otherwise (the
//     first line of /etc/shadow, of a private key or of a .env file) the message names the
//     file and line and says "this does not look like a requirements file", showing nothing of
//     the line. pip quotes the whole line ("Invalid requirement: 'root:x:0:0:...'"); tufget
//     gives up a little help for a typo on a file's first line to leak nothing of a file that
//     -r was pointed at by mistake or by someone else;
//   - the loader decides what may be read at all (the CLI's reads regular files only, opened
//     without blocking, with the cap enforced while reading).
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

constexpr std::size_t kMaxRequirementsFileBytes = std::size_t{16} << 20;
constexpr std::size_t kMaxRequirementsTotalBytes = std::size_t{64} << 20;
constexpr std::size_t kMaxRequirementsFiles = 1024;
// Each requirement line becomes objects many times its own size (a 16 MiB file of "a" lines
// would become gigabytes), so their number is capped too, far above real files (the largest
// lock files hold thousands) and above the 200,000 lines the tests resolve.
constexpr std::size_t kMaxRequirementLines = 500'000;

// What may still be read; one budget may be shared by several parse_requirements_file calls (a
// command line's -r and -c files), so the limits hold for all of them together.
struct RequirementsBudget {
  std::size_t bytes_left = kMaxRequirementsTotalBytes;
  std::size_t files_left = kMaxRequirementsFiles;
  std::size_t lines_left = kMaxRequirementLines;  // requirement lines (constraints included)
};
using RequirementsLoader =
    std::function<Result<LoadedFile>(std::string_view path, std::string_view from)>;

// Parses `path` (read through `load(path, "")`) and everything it includes, counting every file
// against `budget` (a fresh one when null). Errors are whole sentences in `detail`, naming the
// file and line first ("reqs.txt:3: 'foo==1 --hash=md5:...': hash algorithm 'md5' is not
// allowed ..."); `input` holds the quoted excerpt of the line alone (empty when the quoting rule
// shows nothing). Codes: invalid_requirement (or the code of a failing Requirement part),
// unsupported for the refused features, io for the loader's errors and the limits.
Result<RequirementsFile> parse_requirements_file(std::string_view path,
                                                 const RequirementsLoader& load,
                                                 RequirementsBudget* budget = nullptr);

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
