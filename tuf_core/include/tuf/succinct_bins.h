// TAP 15 succinct hash bins: the one implementation of bin numbers and bin names.
//
// The client (SuccinctRoles in tuf/metadata.h) and the repository side (tuf_repo/bins.h) both
// name bins through these functions, so a publisher and a verifier cannot disagree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tuf {

// The bin of `target_path`: the leftmost `bit_length` bits (1..32) of sha256(path), read
// big-endian.
std::uint64_t succinct_bin_of(std::string_view target_path, std::uint32_t bit_length);

// Hex digits of a bin name's suffix: those of the largest bin number, 2^bit_length - 1.
std::size_t succinct_suffix_width(std::uint32_t bit_length);

// "<prefix>-<bin in lowercase hex, zero-padded to succinct_suffix_width>".
std::string succinct_bin_name(std::string_view prefix, std::uint32_t bit_length,
                              std::uint64_t bin);

}  // namespace tuf
