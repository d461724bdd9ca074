// Core metadata (METADATA / PKG-INFO): the header block read as Python's email parser reads it
// with the compat32 policy (what importlib.metadata and so pip use), then the fields installing
// needs, validated.
//
// The email parser's rules followed here (email/feedparser.py, email/_policybase.py):
//   - lines end at "\r\n", "\r" or "\n";
//   - a line starting with ' ' or '\t' continues the previous header (ignored when there is
//     none);
//   - a header line is a run of printable ASCII other than ':' and space ("[\041-\071\073-\176]*")
//     followed by ':'; the name is everything before the first ':' (a line starting with ':' has
//     no name and is skipped, ending the header before it); the value is the rest, with leading
//     spaces/tabs removed;
//   - a line starting with "From " is an mbox envelope line, not a header, and is skipped;
//   - the header block ends at the first empty line, or at the first line that is none of the
//     above (that line is the start of the body); the body (the description) is ignored.
// Deviation: compat32 keeps the line breaks of a folded value; here each line break and the
// indentation after it become one space (what the field parsers would do with the whitespace
// anyway), and values are trimmed of surrounding spaces/tabs.
#include "pkg/core_metadata.h"

#include <algorithm>

#include "pkg/names.h"

namespace pkg {
namespace {

constexpr std::size_t kMaxHeaderBlock = std::size_t{1} << 20;  // 1 MiB

struct RawHeader {
  std::string name;  // ASCII-lowercased
  std::string value;
};

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

// Length of the field name when `line` is a header line ("name:"), nullopt otherwise. The name
// may be empty (a line starting with ':').
std::optional<std::size_t> header_name_length(std::string_view line) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c == ':') return i;
    if (c < 0x21 || c > 0x7e) return std::nullopt;
  }
  return std::nullopt;
}

// Splits the header block into (lowercased name, unfolded value) pairs, in file order.
Result<std::vector<RawHeader>> read_header_block(std::string_view text) {
  std::vector<RawHeader> headers;
  bool open = false;  // the last entry of `headers` may still take continuation lines
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = pos;
    while (end < text.size() && text[end] != '\r' && text[end] != '\n') ++end;
    std::size_t next = end;
    if (next < text.size()) next += (text[next] == '\r' && next + 1 < text.size() && text[next + 1] == '\n') ? 2 : 1;
    if (next > kMaxHeaderBlock)
      return fail(Errc::invalid_metadata, text.substr(0, 80), "header block larger than 1 MiB");
    const std::string_view line = text.substr(pos, end - pos);
    pos = next;

    if (line.empty()) break;  // the separator between headers and body
    if (is_blank(line.front())) {
      if (open) {
        headers.back().value += ' ';
        headers.back().value += trim_blanks(line);
      }
      continue;
    }
    open = false;
    if (line.starts_with("From ")) continue;  // envelope line
    const auto name_len = header_name_length(line);
    if (!name_len) break;         // not a header: the body starts here
    if (*name_len == 0) continue;  // ":..." has no name
    RawHeader h;
    h.name.reserve(*name_len);
    for (char c : line.substr(0, *name_len)) h.name += lower(c);
    h.value = std::string(trim_blanks(line.substr(*name_len + 1)));
    headers.push_back(std::move(h));
    open = true;
  }
  for (auto& h : headers) h.value = std::string(trim_blanks(h.value));
  return headers;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "MAJOR.MINOR"; major 1 and 2 are read (any minor: the spec asks readers to accept newer minor
// versions), a larger major is refused.
Result<void> check_metadata_version(std::string_view v) {
  const auto dot = v.find('.');
  if (dot == std::string_view::npos || !all_digits(v.substr(0, dot)) || !all_digits(v.substr(dot + 1)) ||
      v.size() > 16)
    return fail(Errc::invalid_metadata, v, "Metadata-Version: expected MAJOR.MINOR");
  std::string_view major = v.substr(0, dot);
  while (major.size() > 1 && major.front() == '0') major.remove_prefix(1);
  if (major == "1" || major == "2") return {};
  if (major == "0") return fail(Errc::invalid_metadata, v, "Metadata-Version: there is no version 0.x");
  return fail(Errc::unsupported, v,
              "Metadata-Version: major version greater than 2 is not supported (the spec says to refuse it)");
}

// Requires-Python: a PEP 440 specifier set, strictly: no empty clause (a trailing or doubled
// comma), which SpecifierSet::parse (like `packaging`) would skip.
Result<SpecifierSet> parse_requires_python(std::string_view v) {
  std::size_t start = 0;
  while (true) {
    const auto comma = v.find(',', start);
    const auto clause = trim_blanks(v.substr(start, comma == std::string_view::npos ? v.npos : comma - start));
    if (clause.empty())
      return fail(Errc::invalid_metadata, v, "Requires-Python: empty clause (stray comma or empty value)");
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  auto set = SpecifierSet::parse(v);
  if (!set) return fail(Errc::invalid_metadata, v, "Requires-Python: " + set.error().detail);
  return std::move(*set);
}

bool contains_project(const std::vector<std::string>& normalised, std::string_view name) {
  return std::find(normalised.begin(), normalised.end(), normalize_name(name)) != normalised.end();
}

}  // namespace

std::vector<std::string> DistMetadata::missing_extras(const std::vector<std::string>& extras) const {
  std::vector<std::string> out;
  for (const auto& e : extras)
    if (!contains_project(provides_extra, e)) out.push_back(e);
  return out;
}

std::vector<Requirement> DistMetadata::dependencies(const MarkerEnvironment& env,
                                                    const std::vector<std::string>& extras) const {
  // pip (resolution/resolvelib/candidates.py, ExtrasCandidate) uses only the requested extras
  // the distribution declares in Provides-Extra, then (metadata/importlib) keeps a requirement
  // with no marker, or whose marker is true for one of those extras, or, when none is left,
  // true with extra == "".
  std::vector<std::string> used;
  for (const auto& e : extras)
    if (contains_project(provides_extra, e) && !contains_project(used, e)) used.push_back(normalize_name(e));
  std::vector<Requirement> out;
  for (const auto& r : requires_dist)
    if (r.applies(env, used)) out.push_back(r);
  return out;
}

Result<DistMetadata> parse_core_metadata(std::string_view text) {
  auto headers = read_header_block(text);
  if (!headers) return std::unexpected(std::move(headers.error()));

  DistMetadata md;
  bool have_mv = false, have_name = false, have_version = false, have_rp = false, have_summary = false;
  const auto single = [](bool& seen, const RawHeader& h, std::string_view display) -> Result<void> {
    if (seen) return fail(Errc::invalid_metadata, h.value, std::string(display) + ": appears more than once");
    seen = true;
    return {};
  };

  for (const auto& h : *headers) {
    Result<void> ok;
    if (h.name == "metadata-version") {
      ok = single(have_mv, h, "Metadata-Version");
      if (ok) ok = check_metadata_version(h.value);
      if (ok) md.metadata_version = h.value;
    } else if (h.name == "name") {
      ok = single(have_name, h, "Name");
      if (ok && !is_valid_project_name(h.value))
        ok = fail(Errc::invalid_metadata, h.value, "Name: not a valid project name (PEP 508)");
      if (ok) {
        md.name = h.value;
        md.project = normalize_name(h.value);
      }
    } else if (h.name == "version") {
      ok = single(have_version, h, "Version");
      if (ok) {
        auto v = Version::parse(h.value);
        if (!v) {
          ok = fail(Errc::invalid_metadata, h.value, "Version: " + v.error().detail);
        } else {
          md.version = std::move(*v);
          md.version_text = h.value;
        }
      }
    } else if (h.name == "requires-python") {
      ok = single(have_rp, h, "Requires-Python");
      if (ok) {
        auto set = parse_requires_python(h.value);
        if (!set) ok = std::unexpected(std::move(set.error()));
        else md.requires_python = std::move(*set);
      }
    } else if (h.name == "requires-dist") {
      auto r = Requirement::parse(h.value);
      if (!r) ok = fail(Errc::invalid_metadata, h.value, "Requires-Dist: " + r.error().detail);
      else md.requires_dist.push_back(std::move(*r));
    } else if (h.name == "provides-extra") {
      if (!h.value.empty() && !contains_project(md.provides_extra, h.value))
        md.provides_extra.push_back(normalize_name(h.value));
    } else if (h.name == "summary") {
      if (!have_summary) md.summary = h.value;  // the first one, as email.message.Message.get
      have_summary = true;
    }
    if (!ok) return std::unexpected(std::move(ok.error()));
  }

  if (!have_mv) return fail(Errc::invalid_metadata, "", "missing Metadata-Version");
  if (!have_name) return fail(Errc::invalid_metadata, "", "missing Name");
  if (!have_version) return fail(Errc::invalid_metadata, md.name, "missing Version");
  return md;
}

}  // namespace pkg
