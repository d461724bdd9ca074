// Small helpers shared by the local index's modules (`tufget index ...`).
//
// The index is CLI code: it reads the wall clock and reports failures by throwing
// IndexError, which add_index_commands() turns into a message and exit status 1.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include "tuf/bytes.h"
#include "tuf/metadata.h"

#include "commands.h"

namespace tufget::index {

struct IndexError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The wall clock: the program's one definition (cli/commands.h).
using tufget::wall_clock_now;

// PEP 503 normalisation: lowercase, each run of '-', '_' and '.' becomes one '-'.
std::string normalize_project_name(std::string_view name);
// PEP 508 project name: ASCII letters/digits, inner '.', '_' or '-'.
bool is_valid_project_name(std::string_view name);
// A normalised name: [a-z0-9] with single inner '-'.
bool is_normalized_project_name(std::string_view name);
bool is_lower_hex(std::string_view s, std::size_t length);

std::string blake2b_256_hex(tuf::Bytes data);
std::string sha256_hex(tuf::Bytes data);

// Hash-bin layout (TAP 15 / the Warehouse profile): bin of a target path is the first four
// bytes of sha256(path), big-endian, shifted right by 32 - bit_length. Names are
// "bins-<lowercase hex>", zero-padded to the width of the largest bin number.
std::uint32_t bin_index_for_path(std::string_view target_path, unsigned bit_length);
std::string bin_role_name(std::uint32_t index, unsigned bit_length);

// Whole-file read; throws IndexError.
std::string read_file(const std::filesystem::path& p);
// Writes `data` to a temporary file in the same directory, then renames it over `p`, so a
// reader (the server, a client) sees either the old or the new file, never a partial one.
// `mode` is the new file's permission bits. `durable`: fsync the file before the rename, so a
// crash leaves the old or the new contents, not an empty file (the index's many files skip it).
void atomic_write_file(const std::filesystem::path& p, std::string_view data,
                       unsigned mode = 0644, bool durable = false);

// For HTML text and attribute values: & < > " ' escaped.
std::string html_escape(std::string_view s);
// For a URL path segment: everything but RFC 3986 unreserved characters percent-encoded.
std::string url_escape_segment(std::string_view s);
// A JSON string literal (quotes included), escaping '"', '\\' and control characters.
std::string json_string(std::string_view s);

}  // namespace tufget::index
