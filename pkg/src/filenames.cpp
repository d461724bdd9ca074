// Wheel and sdist file names. The rules follow the binary distribution format specification
// (PEP 427 as amended by PEP 491, with PEP 425 compressed tag sets) and the source distribution
// format (PEP 625; legacy .zip still accepted because real indexes list them).
#include "pkg/filenames.h"

#include <algorithm>
#include <charconv>

#include "pkg/names.h"

namespace pkg {
namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Characters that never belong in a distribution file name (path separators, whitespace,
// controls): refusing them early keeps a file name usable as a plain name on disk.
bool has_forbidden_char(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f || c == '/' || c == '\\';
  });
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos
                                                               : at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return out;
}

}  // namespace

std::string WheelTag::str() const { return interpreter + "-" + abi + "-" + platform; }

Result<WheelFilename> parse_wheel_filename(std::string_view filename) {
  auto bad = [&](std::string why) {
    return fail(Errc::invalid_filename, filename, "not a wheel file name: " + std::move(why));
  };
  if (!filename.ends_with(".whl")) return bad("it does not end in .whl");
  if (has_forbidden_char(filename)) return bad("it contains whitespace, a control character or a path separator");
  const std::string_view stem = filename.substr(0, filename.size() - 4);
  const auto parts = split(stem, '-');
  if (parts.size() != 5 && parts.size() != 6)
    return bad("expected name-version(-build)?-python-abi-platform, found " +
               std::to_string(parts.size()) + " dash-separated parts");

  WheelFilename w;
  const std::string_view name = parts[0];
  if (name.find("__") != std::string_view::npos ||
      !std::all_of(name.begin(), name.end(),
                   [](char c) { return is_alnum(c) || c == '_' || c == '.'; }) ||
      !is_valid_project_name(name))
    return bad("'" + std::string(name) + "' is not a valid (escaped) project name");
  w.name = normalize_name(name);

  w.version = std::string(parts[1]);
  auto v = Version::parse(parts[1]);
  if (!v) return bad("'" + w.version + "' is not a PEP 440 version");
  w.parsed_version = std::move(*v);

  if (parts.size() == 6) {
    const std::string_view b = parts[2];
    std::size_t digits = 0;
    while (digits < b.size() && b[digits] >= '0' && b[digits] <= '9') ++digits;
    if (digits == 0) return bad("build tag '" + std::string(b) + "' does not start with a digit");
    BuildTag tag;
    auto [ptr, ec] = std::from_chars(b.data(), b.data() + digits, tag.number);
    if (ec != std::errc()) return bad("build tag '" + std::string(b) + "' is too large");
    tag.suffix = std::string(b.substr(digits));
    w.build = std::move(tag);
  }

  // Compressed tag sets: each of the three parts may list alternatives separated by '.'.
  std::vector<std::string> sets[3];
  const char* what[3] = {"python", "abi", "platform"};
  for (std::size_t i = 0; i < 3; ++i) {
    const std::string_view part = parts[parts.size() - 3 + i];
    for (std::string_view item : split(part, '.')) {
      if (item.empty() || !std::all_of(item.begin(), item.end(),
                                       [](char c) { return is_alnum(c) || c == '_'; }))
        return bad(std::string(what[i]) + " tag '" + std::string(part) + "' is malformed");
      std::string t(item);
      for (char& c : t) c = lower(c);
      sets[i].push_back(std::move(t));
    }
  }
  for (const auto& py : sets[0])
    for (const auto& abi : sets[1])
      for (const auto& plat : sets[2]) {
        WheelTag t{py, abi, plat};
        if (std::find(w.tags.begin(), w.tags.end(), t) == w.tags.end())
          w.tags.push_back(std::move(t));
      }
  return w;
}

Result<SdistFilename> parse_sdist_filename(std::string_view filename) {
  auto bad = [&](std::string why) {
    return fail(Errc::invalid_filename, filename, "not an sdist file name: " + std::move(why));
  };
  SdistFilename s;
  std::string_view stem;
  if (filename.ends_with(".tar.gz")) {
    s.extension = ".tar.gz";
  } else if (filename.ends_with(".zip")) {
    s.extension = ".zip";
  } else {
    return bad("it does not end in .tar.gz or .zip");
  }
  if (has_forbidden_char(filename)) return bad("it contains whitespace, a control character or a path separator");
  stem = filename.substr(0, filename.size() - s.extension.size());
  const std::size_t dash = stem.rfind('-');
  if (dash == std::string_view::npos) return bad("no '-' between name and version");
  const std::string_view name = stem.substr(0, dash);
  if (!is_valid_project_name(name))
    return bad("'" + std::string(name) + "' is not a valid project name");
  s.name = normalize_name(name);
  s.version = std::string(stem.substr(dash + 1));
  auto v = Version::parse(s.version);
  if (!v) return bad("'" + s.version + "' is not a PEP 440 version");
  s.parsed_version = std::move(*v);
  return s;
}

}  // namespace pkg
