// Reading a local file whose size is not to be trusted.
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>

namespace fsutil {

// The whole of `path` when it is a regular file of at most `max_bytes`: opened without
// following a final symbolic link and without blocking (a FIFO is refused, not waited on),
// checked with fstat, read to the end with the cap enforced while reading (a file that grows is
// refused). Errors are errno values: ENOENT, EISDIR / EINVAL (not a regular file), EFBIG (over
// the cap), or what open/read said.
std::expected<std::string, int> read_regular_file(const std::filesystem::path& path, std::uint64_t max_bytes);

}  // namespace fsutil
