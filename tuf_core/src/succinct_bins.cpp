// TAP 15 bin numbers and names (tuf/succinct_bins.h).
#include "tuf/succinct_bins.h"

#include <algorithm>
#include <array>

#include "tuf/bytes.h"
#include "tuf/hash.h"

namespace tuf {

std::uint64_t succinct_bin_of(std::string_view target_path, std::uint32_t bit_length) {
  const std::string digest = digest_hex(HashAlg::sha256, as_bytes(target_path));
  std::array<std::uint8_t, 4> head{};
  from_hex_exact(std::string_view(digest).substr(0, 8), head);  // our own hex: always decodes
  std::uint64_t first32 = 0;
  for (std::uint8_t b : head) first32 = (first32 << 8) | b;
  return first32 >> (32 - std::clamp<std::uint32_t>(bit_length, 0, 32));
}

std::size_t succinct_suffix_width(std::uint32_t bit_length) {
  return std::max<std::size_t>(1, (bit_length + 3) / 4);
}

std::string succinct_bin_name(std::string_view prefix, std::uint32_t bit_length,
                              std::uint64_t bin) {
  const std::array<std::uint8_t, 4> big_endian = {
      static_cast<std::uint8_t>(bin >> 24), static_cast<std::uint8_t>(bin >> 16),
      static_cast<std::uint8_t>(bin >> 8), static_cast<std::uint8_t>(bin)};
  const std::string hex = to_hex(big_endian);  // 8 digits: the name keeps the last `width`
  std::string name(prefix);
  name.push_back('-');
  const std::size_t width = std::min<std::size_t>(hex.size(), succinct_suffix_width(bit_length));
  name.append(hex, hex.size() - width);
  return name;
}

}  // namespace tuf
