// Internal to tuf_repo: the local index's file conventions shared by publishing and serving.
#pragma once

#include <cstddef>
#include <string_view>

namespace tuf_repo::detail {

// `s` is exactly `length` lowercase hex digits (blake2b/sha256 digests and their parts in
// package paths and hashed page names).
inline bool is_lower_hex(std::string_view s, std::size_t length) {
  if (s.size() != length) return false;
  for (const char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace tuf_repo::detail
