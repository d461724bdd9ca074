// The succinct hash-bin layout a repository publishes (TAP 15, the Warehouse profile).
//
// Bin numbers and names come from tuf/succinct_bins.h, the implementation the client's
// SuccinctRoles uses, so what is published is what a client looks up.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tuf/metadata.h"

namespace tuf_repo {

struct BinLayout {
  std::uint32_t bit_length = 8;  // 1..32
  std::string prefix = "bins";

  std::uint64_t count() const { return std::uint64_t{1} << bit_length; }
  // The bin listing `target_path`.
  std::uint64_t bin_of(std::string_view target_path) const;
  // "<prefix>-<hex>": the role name of bin number `bin` (< count()).
  std::string name(std::uint64_t bin) const;
  // The delegation a targets role publishes for this layout.
  tuf::SuccinctRoles delegation(tuf::RoleKeys keys) const;
};

}  // namespace tuf_repo
