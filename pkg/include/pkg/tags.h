// PEP 425 compatibility tags an interpreter supports, best first (the order of `packaging`'s
// sys_tags()), and a fast lookup of a wheel's best tag.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pkg/filenames.h"

namespace pkg {

// What the tag list is computed from (read off the interpreter by pkg_fs, or given with
// --python-version / --platform).
struct TagInfo {
  std::string implementation = "cp";  // interpreter short name: "cp", "pp", ...
  unsigned major = 3;
  unsigned minor = 0;
  // The interpreter's own ABI tags, best first: e.g. {"cp311"} (or {"cp311d"}, {"cp313t"});
  // "abi3" and "none" are added by supported_tags where they apply.
  std::vector<std::string> abis;
  // Platform tags, most specific first: e.g. manylinux_2_36_x86_64 ... manylinux_2_5_x86_64,
  // manylinux2014_x86_64, manylinux2010_x86_64, manylinux1_x86_64, linux_x86_64.
  std::vector<std::string> platforms;
};

// The tags in the order pip uses (pip._internal.utils.compatibility_tags.get_supported(): it is
// packaging.tags.sys_tags() plus "<impl>XY-none-any", which sys_tags leaves out).
// CPython: cpXY-<abi>-P for each abi, cpXY-abi3-P, cpXY-none-P, cpX(Y-1..2)-abi3-P (abi3 only
// for CPython >= 3.2 and not for a free-threaded build, i.e. a first abi "cpXY...t..."), then
// compatible tags: pyXY-none-P, pyX-none-P, pyX(Y-1..0)-none-P, cpXY-none-any, pyXY-none-any,
// pyX-none-any, pyX(Y-1..0)-none-any. Other implementations: <impl>XY-<abi>-P for each abi
// ("none" appended when absent), then the same compatible tags with <impl>XY-none-any.
// Platforms loop innermost, as packaging does. Every part is lowercased.
std::vector<WheelTag> supported_tags(const TagInfo& info);

// The platform tags of a Linux machine `arch` ("x86_64", "aarch64", "i686", ...) with glibc
// 2.`glibc_minor` (negative: not glibc, only linux_<arch>), most specific first, as packaging's
// _manylinux.platform_tags gives them: manylinux_2_{glibc_minor..min}_<arch> where min is 5 for
// x86_64/i686 and 17 for the others, each legacy name right after its PEP 600 equal
// (manylinux2014 after 2_17, manylinux2010 after 2_12, manylinux1 after 2_5: packaging emits them
// for every architecture, so aarch64 gets manylinux2014_aarch64), then linux_<arch>.
// Architectures packaging gives no manylinux tags (e.g. "mips") get only linux_<arch>.
std::vector<std::string> linux_platforms(std::string_view arch, int glibc_minor);

// The platform tags of macOS `major`.`minor` on `arch` ("arm64", "x86_64", "i386", "ppc",
// "ppc64", "universal2", ...), most specific first, as packaging's mac_platforms gives them:
// for 10.x, macosx_10_{minor..0}_<format>; from 11, macosx_{major..11}_0_<format>, then
// macosx_10_{16..4}_<format> (x86_64: every binary format; other arches: universal2 only).
// Binary formats per version and arch as packaging's _mac_binary_formats: the arch, then
// intel/fat64/fat32 (x86_64, from 10.4), intel/fat32/fat (i386), fat64 (ppc64, 10.4-10.5),
// fat32/fat (ppc, up to 10.6), universal2 (arm64, x86_64), universal (x86_64, i386, ppc64,
// ppc, intel). pip expands a --platform macosx_X_Y_ARCH this way.
std::vector<std::string> mac_platforms(int major, int minor, std::string_view arch);

// The supported tags indexed for lookup: priority 0 is best.
class TagSet {
 public:
  TagSet() = default;
  explicit TagSet(std::vector<WheelTag> tags);
  const std::vector<WheelTag>& tags() const { return tags_; }
  // The priority of the best tag of `wheel_tags` this interpreter supports; nullopt when none.
  std::optional<std::size_t> best(std::span<const WheelTag> wheel_tags) const;
  bool empty() const { return tags_.empty(); }

 private:
  std::vector<WheelTag> tags_;
  std::unordered_map<std::string, std::size_t> index_;  // "py3-none-any" -> priority
};

}  // namespace pkg
