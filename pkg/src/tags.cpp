// Supported wheel tags (see pkg/tags.h). The order is pip's get_supported(), which is
// packaging.tags.sys_tags() plus "<impl>XY-none-any" before the py*-none-any tags.
#include "pkg/tags.h"

#include <array>
#include <algorithm>

namespace pkg {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// "cp" + 3 + 11 -> "cp311" (packaging's _version_nodot: the numbers joined).
std::string nodot(std::string_view prefix, unsigned major, unsigned minor) {
  return std::string(prefix) + std::to_string(major) + std::to_string(minor);
}

// packaging's _is_threaded_cpython: the first ABI is cpXY<flags> with 't' among the flags
// (free-threaded CPython 3.13+ cannot load abi3 extensions).
bool is_threaded_cpython(const std::vector<std::string>& abis) {
  if (abis.empty()) return false;
  std::string_view abi = abis.front();
  if (abi.size() < 3 || abi.substr(0, 2) != "cp") return false;
  std::size_t i = 2;
  if (abi[i] < '0' || abi[i] > '9') return false;
  while (i < abi.size() && abi[i] >= '0' && abi[i] <= '9') ++i;
  return abi.substr(i).find('t') != std::string_view::npos;
}

// packaging's _py_interpreter_range: pyXY, pyX, pyX(Y-1) ... pyX0.
std::vector<std::string> py_interpreter_range(unsigned major, unsigned minor) {
  std::vector<std::string> out;
  out.push_back(nodot("py", major, minor));
  out.push_back("py" + std::to_string(major));
  for (unsigned m = minor; m-- > 0;) out.push_back(nodot("py", major, m));
  return out;
}

// Architectures packaging gives manylinux tags for (_manylinux._have_compatible_abi; i686 and
// armv7l are assumed to be the 32-bit little-endian / hard-float builds packaging checks for).
bool has_manylinux(std::string_view arch) {
  static constexpr std::array<std::string_view, 9> kArchs = {
      "x86_64", "i686", "aarch64", "ppc64", "ppc64le", "s390x", "armv7l", "riscv64",
      "loongarch64"};
  for (auto a : kArchs) {
    if (a == arch) return true;
  }
  return false;
}

}  // namespace

std::vector<WheelTag> supported_tags(const TagInfo& info) {
  std::vector<WheelTag> out;
  const std::string impl = lower(info.implementation);
  const std::string interpreter = nodot(impl, info.major, info.minor);
  std::vector<std::string> platforms;
  platforms.reserve(info.platforms.size());
  for (const auto& p : info.platforms) platforms.push_back(lower(p));
  auto add_all = [&](const std::string& interp, const std::string& abi) {
    for (const auto& p : platforms) out.push_back(WheelTag{interp, abi, p});
  };

  std::vector<std::string> abis;
  for (const auto& a : info.abis) abis.push_back(lower(a));
  if (impl == "cp") {
    // packaging.tags.cpython_tags: explicit "abi3"/"none" are moved to their usual places.
    std::erase_if(abis, [](const std::string& a) { return a == "abi3" || a == "none"; });
    for (const auto& abi : abis) add_all(interpreter, abi);
    const bool abi3 = (info.major > 3 || (info.major == 3 && info.minor >= 2)) &&
                      !is_threaded_cpython(abis);
    if (abi3) add_all(interpreter, "abi3");
    add_all(interpreter, "none");
    if (abi3) {
      for (unsigned m = info.minor; m-- > 2;) add_all(nodot("cp", info.major, m), "abi3");
    }
  } else {
    // packaging.tags.generic_tags: the interpreter's ABIs, then "none" if not among them.
    if (std::find(abis.begin(), abis.end(), "none") == abis.end()) abis.push_back("none");
    for (const auto& abi : abis) add_all(interpreter, abi);
  }

  // packaging.tags.compatible_tags with pip's interpreter argument.
  const auto range = py_interpreter_range(info.major, info.minor);
  for (const auto& py : range) add_all(py, "none");
  out.push_back(WheelTag{interpreter, "none", "any"});
  for (const auto& py : range) out.push_back(WheelTag{py, "none", "any"});
  return out;
}

namespace {

// packaging's _mac_binary_formats: the binary formats a macOS version runs for `arch`.
std::vector<std::string> mac_binary_formats(int major, int minor, std::string_view arch) {
  auto before = [&](int ma, int mi) { return major < ma || (major == ma && minor < mi); };
  auto after = [&](int ma, int mi) { return major > ma || (major == ma && minor > mi); };
  std::vector<std::string> formats{std::string(arch)};
  if (arch == "x86_64") {
    if (before(10, 4)) return {};
    formats.insert(formats.end(), {"intel", "fat64", "fat32"});
  } else if (arch == "i386") {
    if (before(10, 4)) return {};
    formats.insert(formats.end(), {"intel", "fat32", "fat"});
  } else if (arch == "ppc64") {
    if (after(10, 5) || before(10, 4)) return {};
    formats.push_back("fat64");
  } else if (arch == "ppc") {
    if (after(10, 6)) return {};
    formats.insert(formats.end(), {"fat32", "fat"});
  }
  if (arch == "arm64" || arch == "x86_64") formats.push_back("universal2");
  if (arch == "x86_64" || arch == "i386" || arch == "ppc64" || arch == "ppc" || arch == "intel") {
    formats.push_back("universal");
  }
  return formats;
}

}  // namespace

std::vector<std::string> mac_platforms(int major, int minor, std::string_view arch) {
  std::vector<std::string> out;
  auto emit = [&](int ma, int mi, const std::string& format) {
    out.push_back("macosx_" + std::to_string(ma) + "_" + std::to_string(mi) + "_" + format);
  };
  if (major == 10) {
    for (int m = minor; m >= 0; --m) {
      for (const auto& f : mac_binary_formats(10, m, arch)) emit(10, m, f);
    }
  }
  if (major >= 11) {
    for (int ma = major; ma > 10; --ma) {
      for (const auto& f : mac_binary_formats(ma, 0, arch)) emit(ma, 0, f);
    }
    for (int m = 16; m > 3; --m) {
      if (arch == "x86_64") {
        for (const auto& f : mac_binary_formats(10, m, arch)) emit(10, m, f);
      } else {
        emit(10, m, "universal2");
      }
    }
  }
  return out;
}

std::vector<std::string> linux_platforms(std::string_view arch, int glibc_minor) {
  std::vector<std::string> out;
  const std::string a = lower(arch);
  if (glibc_minor >= 0 && has_manylinux(a)) {
    // PEP 600: every glibc 2.x from the running one down to the oldest manylinux supports
    // (2.5 on x86, 2.17 elsewhere); the PEP 513/571/599 names follow their PEP 600 equal.
    const int oldest = (a == "x86_64" || a == "i686") ? 5 : 17;
    for (int m = glibc_minor; m >= oldest; --m) {
      out.push_back("manylinux_2_" + std::to_string(m) + "_" + a);
      if (m == 17) out.push_back("manylinux2014_" + a);
      if (m == 12) out.push_back("manylinux2010_" + a);
      if (m == 5) out.push_back("manylinux1_" + a);
    }
  }
  out.push_back("linux_" + a);
  return out;
}

TagSet::TagSet(std::vector<WheelTag> tags) : tags_(std::move(tags)) {
  index_.reserve(tags_.size());
  for (std::size_t i = 0; i < tags_.size(); ++i) index_.emplace(tags_[i].str(), i);  // first wins
}

std::optional<std::size_t> TagSet::best(std::span<const WheelTag> wheel_tags) const {
  std::optional<std::size_t> best;
  std::string key;
  for (const auto& t : wheel_tags) {
    key.clear();
    key.append(t.interpreter).append(1, '-').append(t.abi).append(1, '-').append(t.platform);
    const auto it = index_.find(key);
    if (it != index_.end() && (!best || it->second < *best)) best = it->second;
  }
  return best;
}

}  // namespace pkg
