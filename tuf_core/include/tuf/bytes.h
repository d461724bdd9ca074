// Byte views used across the core's API.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace tuf {

using Bytes = std::span<const std::uint8_t>;

inline Bytes as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_chars(Bytes b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// Lowercase hex of bytes.
std::string to_hex(Bytes b);
// Decodes hex (either case). Returns false on odd length or a non-hex character.
bool from_hex(std::string_view hex, std::string& out);
// Decodes exactly out.size() bytes without allocating. Returns false unless `hex` has exactly
// 2 * out.size() hex characters (either case); `out` is then unspecified.
bool from_hex_exact(std::string_view hex, std::span<std::uint8_t> out);

}  // namespace tuf
