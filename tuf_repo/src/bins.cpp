// The published bin layout (tuf_repo/bins.h), on the core's bin functions.
#include "tuf_repo/bins.h"

#include "tuf/succinct_bins.h"

namespace tuf_repo {

std::uint64_t BinLayout::bin_of(std::string_view target_path) const {
  return tuf::succinct_bin_of(target_path, bit_length);
}

std::string BinLayout::name(std::uint64_t bin) const {
  return tuf::succinct_bin_name(prefix, bit_length, bin);
}

tuf::SuccinctRoles BinLayout::delegation(tuf::RoleKeys keys) const {
  tuf::SuccinctRoles roles;
  roles.keys = std::move(keys);
  roles.bit_length = bit_length;
  roles.name_prefix = prefix;
  return roles;
}

}  // namespace tuf_repo
