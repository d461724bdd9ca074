// Reading a local file whose size is not to be trusted.
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>

namespace fsutil {

// Whether a final symbolic link is followed: not for files tufget itself wrote (RECORD, the
// journal, an index's state), yes for files the user names (a requirements file may be a link).
enum class Links { refuse, follow };

// The whole of `path` when it is a regular file of at most `max_bytes`: opened without
// blocking (a FIFO is refused, not waited on) and, by default, without following a final
// symbolic link; checked with fstat on the opened descriptor; read to the end with the cap
// enforced while reading (a file that grows is refused). Errors are errno values: ENOENT,
// ELOOP (a link, with Links::refuse), EISDIR / EINVAL (not a regular file), EFBIG (over the
// cap), or what open/read said.
std::expected<std::string, int> read_regular_file(const std::filesystem::path& path,
                                                  std::uint64_t max_bytes,
                                                  Links links = Links::refuse);

}  // namespace fsutil
