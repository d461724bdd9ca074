// The pure parts of the wheel format: RECORD (CSV as Python's csv module reads and pip writes
// it), record hashes (urlsafe base64), WHEEL, entry_points.txt, launcher scripts, member names.
// Facts about pip's behaviour are from pip/_internal/operations/install/wheel.py and distlib's
// scripts.py; the code is our own.
#include "pkg/wheel.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <system_error>

#include "pkg/names.h"
#include "pkg/version.h"

namespace pkg {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Splits text into lines at "\r\n", "\n" or "\r" (the terminators are dropped).
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n' && text[i] != '\r') continue;
    lines.push_back(text.substr(start, i - start));
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

constexpr std::string_view kB64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string b64url_nopad(std::string_view raw) {
  std::string out;
  out.reserve((raw.size() * 4 + 2) / 3);
  std::size_t i = 0;
  auto byte = [&](std::size_t k) { return static_cast<unsigned>(static_cast<unsigned char>(raw[k])); };
  for (; i + 3 <= raw.size(); i += 3) {
    const unsigned v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += kB64Url[(v >> 18) & 63];
    out += kB64Url[(v >> 12) & 63];
    out += kB64Url[(v >> 6) & 63];
    out += kB64Url[v & 63];
  }
  if (raw.size() - i == 1) {
    const unsigned v = byte(i) << 16;
    out += kB64Url[(v >> 18) & 63];
    out += kB64Url[(v >> 12) & 63];
  } else if (raw.size() - i == 2) {
    const unsigned v = (byte(i) << 16) | (byte(i + 1) << 8);
    out += kB64Url[(v >> 18) & 63];
    out += kB64Url[(v >> 12) & 63];
    out += kB64Url[(v >> 6) & 63];
  }
  return out;
}

int b64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// Decodes urlsafe base64 with optional '=' padding; nullopt on any other character, misplaced
// padding or an impossible length.
std::optional<std::string> b64url_decode(std::string_view text) {
  std::size_t pad = 0;
  while (!text.empty() && text.back() == '=') {
    text.remove_suffix(1);
    ++pad;
  }
  if (pad > 2 || text.size() % 4 == 1) return std::nullopt;
  if (pad != 0 && (text.size() + pad) % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = b64url_value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

// One email-style header block: (name, value) pairs in order, continuation lines joined.
std::vector<std::pair<std::string_view, std::string>> header_block(std::string_view text) {
  std::vector<std::pair<std::string_view, std::string>> out;
  for (std::string_view line : split_lines(text)) {
    if (line.empty()) break;  // end of the header block
    if ((line.front() == ' ' || line.front() == '\t') && !out.empty()) {
      out.back().second += ' ';
      out.back().second += trim(line);
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    out.emplace_back(trim(line.substr(0, colon)), std::string(trim(line.substr(colon + 1))));
  }
  return out;
}

bool is_word_char(char c) {  // Python's \w for identifiers: ASCII word chars or any non-ASCII
  const auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         u >= 0x80;
}

std::size_t span_dotted(std::string_view s, std::size_t at) {
  std::size_t i = at;
  while (i < s.size() && (is_word_char(s[i]) || s[i] == '.')) ++i;
  return i - at;
}

// "module[:attr] [extras]" as importlib.metadata's EntryPoint pattern reads it.
Result<EntryPoint> parse_entry_value(std::string_view name, std::string_view value,
                                     std::string_view line) {
  auto bad = [&](std::string why) {
    return fail(Errc::invalid_wheel, line, "entry_points.txt: " + std::move(why));
  };
  EntryPoint ep;
  ep.name = std::string(name);
  std::size_t i = 0;
  const std::size_t module_len = span_dotted(value, i);
  if (module_len == 0) return bad("the value does not start with a module name");
  ep.module = std::string(value.substr(i, module_len));
  i += module_len;
  auto skip_ws = [&] {
    while (i < value.size() && is_space(value[i])) ++i;
  };
  skip_ws();
  if (i < value.size() && value[i] == ':') {
    ++i;
    skip_ws();
    const std::size_t attr_len = span_dotted(value, i);
    if (attr_len == 0) return bad("no attribute after ':'");
    ep.attr = std::string(value.substr(i, attr_len));
    i += attr_len;
    skip_ws();
  }
  if (i < value.size() && value[i] == '[') {
    const std::size_t close = value.rfind(']');
    if (close == std::string_view::npos || close < i) return bad("'[' without ']'");
    std::string_view inner = value.substr(i + 1, close - i - 1);
    while (!inner.empty()) {
      const std::size_t comma = inner.find(',');
      std::string_view extra = trim(inner.substr(0, comma));
      if (!extra.empty()) ep.extras.emplace_back(extra);
      if (comma == std::string_view::npos) break;
      inner.remove_prefix(comma + 1);
    }
    i = close + 1;
    skip_ws();
  }
  if (i != value.size()) return bad("unexpected text after the reference");
  if (ep.attr.empty())
    return bad("a script entry point needs a callable ('module:function'), as pip requires");
  if (ep.module.front() == '.' || ep.module.back() == '.' || ep.attr.front() == '.' ||
      ep.attr.back() == '.' || ep.module.find("..") != std::string::npos ||
      ep.attr.find("..") != std::string::npos)
    return bad("empty component in a dotted name");
  return ep;
}

bool valid_script_name(std::string_view name) {
  if (name.empty() || name.front() == '.') return false;
  return std::none_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return c == '/' || c == '\\' || u < 0x20 || u == 0x7f;
  });
}

std::string_view first_component(std::string_view path) { return path.substr(0, path.find('/')); }

}  // namespace

// ---- RECORD ------------------------------------------------------------------------------------

Result<std::vector<RecordEntry>> parse_record(std::string_view text) {
  std::vector<RecordEntry> rows;
  std::size_t line_no = 1;
  std::size_t i = 0;
  while (i < text.size()) {
    // One CSV record: fields until an unquoted line end (excel dialect, non-strict reader).
    std::vector<std::string> fields;
    std::string field;
    const std::size_t record_line = line_no;
    bool quoted_field = false, any_char = false;
    bool record_done = false;
    while (!record_done) {
      if (i >= text.size()) break;
      const char c = text[i];
      if (c == '\0') return fail(Errc::invalid_wheel, "RECORD", "line " + std::to_string(line_no) + " contains a NUL byte");
      if (c == '"' && field.empty() && !quoted_field) {
        // Opening quote: read until the closing quote ("" is a literal quote).
        quoted_field = any_char = true;
        ++i;
        while (true) {
          if (i >= text.size())
            return fail(Errc::invalid_wheel, "RECORD",
                        "line " + std::to_string(record_line) + ": unterminated quoted field");
          const char q = text[i];
          if (q == '\0') return fail(Errc::invalid_wheel, "RECORD", "line " + std::to_string(line_no) + " contains a NUL byte");
          if (q == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (q == '\n' || (q == '\r' && !(i + 1 < text.size() && text[i + 1] == '\n'))) ++line_no;
          field += q;
          ++i;
        }
        continue;
      }
      if (c == ',') {
        fields.push_back(std::move(field));
        field.clear();
        quoted_field = false;
        any_char = true;
        ++i;
        continue;
      }
      if (c == '\r' || c == '\n') {
        if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
        ++i;
        ++line_no;
        record_done = true;
        break;
      }
      field += c;  // includes a quote inside an unquoted field, or after a closing quote
      any_char = true;
      ++i;
    }
    if (!any_char && field.empty()) continue;  // an empty line
    fields.push_back(std::move(field));
    const std::string where = "line " + std::to_string(record_line);
    if (fields.size() > 3)
      return fail(Errc::invalid_wheel, "RECORD", where + " has " + std::to_string(fields.size()) + " fields (at most 3)");
    RecordEntry e;
    e.path = std::move(fields[0]);
    if (e.path.empty()) return fail(Errc::invalid_wheel, "RECORD", where + " has an empty path");
    if (fields.size() > 1) {
      e.hash = std::move(fields[1]);
      if (!e.hash.empty() && e.hash.find('=') == std::string::npos)
        return fail(Errc::invalid_wheel, "RECORD", where + ": hash '" + e.hash + "' is not 'algorithm=digest'");
    }
    if (fields.size() > 2 && !fields[2].empty()) {
      std::uint64_t size = 0;
      const std::string& s = fields[2];
      const auto r = std::from_chars(s.data(), s.data() + s.size(), size);
      if (!all_digits(s) || r.ec != std::errc() || r.ptr != s.data() + s.size())
        return fail(Errc::invalid_wheel, "RECORD", where + ": size '" + s + "' is not a number");
      e.size = size;
    }
    rows.push_back(std::move(e));
  }
  return rows;
}

namespace {
void write_csv_field(std::string& out, std::string_view f) {
  const bool quote = f.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out += f;
    return;
  }
  out += '"';
  for (char c : f) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}
}  // namespace

std::string write_record(const std::vector<RecordEntry>& rows) {
  std::string out;
  for (const RecordEntry& r : rows) {
    write_csv_field(out, r.path);
    out += ',';
    write_csv_field(out, r.hash);
    out += ',';
    if (r.size) out += std::to_string(*r.size);
    out += "\r\n";
  }
  return out;
}

std::string record_hash_from_digest(std::string_view raw32) { return "sha256=" + b64url_nopad(raw32); }

std::optional<std::string> record_hash_from_hex(std::string_view hex64) {
  if (hex64.size() != 64) return std::nullopt;
  std::string raw(32, '\0');
  for (std::size_t k = 0; k < 32; ++k) {
    // from_chars reads an unsigned value with no sign, prefix or space: exactly two hex digits.
    const char* const pair = hex64.data() + 2 * k;
    std::uint8_t byte = 0;
    const auto [end, ec] = std::from_chars(pair, pair + 2, byte, 16);
    if (ec != std::errc{} || end != pair + 2) return std::nullopt;
    raw[k] = static_cast<char>(byte);
  }
  return record_hash_from_digest(raw);
}

std::optional<RecordHash> parse_record_hash(std::string_view text) {
  const std::size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) return std::nullopt;
  auto digest = b64url_decode(text.substr(eq + 1));
  if (!digest || digest->empty()) return std::nullopt;
  return RecordHash{std::string(text.substr(0, eq)), std::move(*digest)};
}

// ---- WHEEL -------------------------------------------------------------------------------------

Result<WheelInfo> parse_wheel_info(std::string_view text) {
  WheelInfo info;
  bool have_version = false, have_purelib = false;
  for (const auto& [name, value] : header_block(text)) {
    if (iequals(name, "Wheel-Version")) {
      if (have_version) continue;  // the email parser's get() returns the first
      have_version = true;
      std::vector<unsigned> parts;
      std::string_view rest = value;
      while (true) {
        const std::size_t dot = rest.find('.');
        const std::string_view part = rest.substr(0, dot);
        unsigned n = 0;
        const auto r = std::from_chars(part.data(), part.data() + part.size(), n);
        if (!all_digits(part) || r.ec != std::errc() || r.ptr != part.data() + part.size())
          return fail(Errc::invalid_wheel, value, "WHEEL: Wheel-Version is not a dotted number");
        parts.push_back(n);
        if (dot == std::string_view::npos) break;
        rest.remove_prefix(dot + 1);
      }
      if (parts.size() > 3)
        return fail(Errc::invalid_wheel, value, "WHEEL: Wheel-Version is not a dotted number");
      info.version_major = parts[0];
      info.version_minor = parts.size() > 1 ? parts[1] : 0;
    } else if (iequals(name, "Root-Is-Purelib")) {
      if (have_purelib) continue;
      have_purelib = true;
      if (iequals(value, "true")) info.root_is_purelib = true;
      else if (iequals(value, "false")) info.root_is_purelib = false;
      else return fail(Errc::invalid_wheel, value, "WHEEL: Root-Is-Purelib must be 'true' or 'false'");
    } else if (iequals(name, "Tag")) {
      info.tags.push_back(value);
    } else if (iequals(name, "Generator")) {
      if (info.generator.empty()) info.generator = value;
    }
  }
  if (!have_version) return fail(Errc::invalid_wheel, "WHEEL", "no Wheel-Version header");
  if (info.version_major != 1)
    return fail(Errc::invalid_wheel, std::to_string(info.version_major) + "." + std::to_string(info.version_minor),
                "WHEEL: Wheel-Version major version is not 1: this wheel format is not supported");
  if (!have_purelib) info.root_is_purelib = false;  // pip: .get("Root-Is-Purelib", "") == "true"
  return info;
}

// ---- entry points ------------------------------------------------------------------------------

Result<EntryPoints> parse_entry_points(std::string_view text) {
  EntryPoints out;
  std::vector<EntryPoint>* section = nullptr;
  for (std::string_view raw : split_lines(text)) {
    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      const std::string_view name = trim(line.substr(1, line.size() - 2));
      section = name == "console_scripts" ? &out.console_scripts
                : name == "gui_scripts"   ? &out.gui_scripts
                                          : nullptr;
      continue;
    }
    if (section == nullptr) continue;  // other groups are not ours to judge
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos)
      return fail(Errc::invalid_wheel, line, "entry_points.txt: a script line without '='");
    const std::string_view name = trim(line.substr(0, eq));
    if (!valid_script_name(name))
      return fail(Errc::invalid_wheel, line,
                  "entry_points.txt: script name is empty, starts with '.' or contains '/', '\\' or a "
                  "control character");
    auto ep = parse_entry_value(name, trim(line.substr(eq + 1)), line);
    if (!ep) return std::unexpected(ep.error());
    auto same = std::find_if(section->begin(), section->end(),
                             [&](const EntryPoint& e) { return e.name == name; });
    if (same != section->end()) *same = std::move(*ep);
    else section->push_back(std::move(*ep));
  }
  return out;
}

std::string python_shebang(std::string_view python) {
  // distlib's _build_shebang (POSIX, not darwin): "#!" + executable + "\n" when the executable
  // has no space and the line, counting "#!" and "\n", is at most 127 bytes; otherwise the
  // /bin/sh trampoline, with the executable quoted when it has a space (enquote_executable).
  const bool has_space = python.find(' ') != std::string_view::npos;
  if (!has_space && python.size() + 3 <= 127) return "#!" + std::string(python) + "\n";
  std::string exe = has_space ? "\"" + std::string(python) + "\"" : std::string(python);
  return "#!/bin/sh\n'''exec' " + exe + " \"$0\" \"$@\"\n' '''\n";
}

std::string console_script(std::string_view python, const EntryPoint& ep) {
  const std::string_view head = std::string_view(ep.attr).substr(0, ep.attr.find('.'));
  std::string out = python_shebang(python);
  out += "# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom ";
  out += ep.module;
  out += " import ";
  out += head;
  out += "\nif __name__ == '__main__':\n"
         "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
         "    sys.exit(";
  out += ep.attr;
  out += "())\n";
  return out;
}

std::optional<std::string> rewrite_shebang(std::string_view script, std::string_view python) {
  if (!script.starts_with("#!python")) return std::nullopt;
  const std::size_t nl = script.find('\n');
  const std::string_view rest = nl == std::string_view::npos ? std::string_view() : script.substr(nl + 1);
  std::string out = python_shebang(python);
  out += rest;
  return out;
}

// ---- member names ------------------------------------------------------------------------------

Result<void> check_member_name(std::string_view name) {
  auto bad = [&](std::string why) { return fail(Errc::unsafe_path, name, "unsafe member name: " + std::move(why)); };
  if (name.empty()) return bad("it is empty");
  if (name.size() > 4096) return bad("it is longer than 4096 bytes");
  if (name.find('\0') != std::string_view::npos) return bad("it contains a NUL byte");
  if (name.find('\\') != std::string_view::npos) return bad("it contains a backslash");
  if (name.front() == '/') return bad("it is an absolute path");
  if (name.size() >= 2 && name[1] == ':' &&
      ((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z')))
    return bad("it starts with a drive letter");
  std::string_view rest = name;
  while (true) {
    const std::size_t slash = rest.find('/');
    const std::string_view part = rest.substr(0, slash);
    if (part.empty()) return bad("it has an empty path component");
    if (part == "." || part == "..") return bad("it has a '.' or '..' component");
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return {};
}

Result<MemberTarget> map_member(std::string_view member, std::string_view data_dir,
                               bool root_is_purelib) {
  const std::string_view top = first_component(member);
  if (!data_dir.empty() && top == data_dir) {
    const std::string_view rest = member.size() > top.size() ? member.substr(top.size() + 1) : std::string_view();
    const std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos || slash + 1 >= rest.size())
      return fail(Errc::invalid_wheel, member,
                  "a file in the .data directory must be '<scheme>/<path>'");
    const std::string_view scheme = rest.substr(0, slash);
    MemberTarget t;
    t.relative = std::string(rest.substr(slash + 1));
    if (scheme == "purelib") t.scheme = SchemeKey::purelib;
    else if (scheme == "platlib") t.scheme = SchemeKey::platlib;
    else if (scheme == "scripts") t.scheme = SchemeKey::scripts;
    else if (scheme == "headers") t.scheme = SchemeKey::headers;
    else if (scheme == "data") t.scheme = SchemeKey::data;
    else
      return fail(Errc::invalid_wheel, member,
                  "unknown .data scheme '" + std::string(scheme) +
                      "' (expected data, headers, platlib, purelib or scripts)");
    return t;
  }
  if (top.ends_with(".data"))  // pip treats every top-level *.data name as a data directory
    return fail(Errc::invalid_wheel, member,
                "a .data directory other than the wheel's own (" + std::string(data_dir) + ")");
  return MemberTarget{root_is_purelib ? SchemeKey::purelib : SchemeKey::platlib, std::string(member)};
}

Result<std::string> find_dist_info(const std::vector<std::string>& members,
                                   std::string_view project, std::string_view version) {
  std::vector<std::string_view> dirs;
  for (const std::string& m : members) {
    const std::size_t slash = m.find('/');
    if (slash == std::string::npos) continue;
    const std::string_view top = std::string_view(m).substr(0, slash);
    if (top.ends_with(".dist-info") && std::find(dirs.begin(), dirs.end(), top) == dirs.end())
      dirs.push_back(top);
  }
  const std::string wanted = normalize_name(project);
  const auto wanted_version = Version::parse(version);
  if (dirs.size() > 1) {
    std::string list;
    for (auto d : dirs) list += (list.empty() ? "" : ", ") + std::string(d);
    return fail(Errc::invalid_wheel, project, "more than one .dist-info directory: " + list);
  }
  for (std::string_view d : dirs) {
    const std::string_view stem = d.substr(0, d.size() - std::string_view(".dist-info").size());
    // "<name>-<version>": try every '-' (names are escaped with '_', old builders may not).
    for (std::size_t dash = stem.find('-'); dash != std::string_view::npos; dash = stem.find('-', dash + 1)) {
      if (normalize_name(stem.substr(0, dash)) != wanted) continue;
      const auto v = Version::parse(stem.substr(dash + 1));
      if (v && wanted_version && *v == *wanted_version) return std::string(d);
      if (!wanted_version && stem.substr(dash + 1) == version) return std::string(d);
    }
  }
  return fail(Errc::invalid_wheel, project,
              "no .dist-info directory for " + wanted + " " + std::string(version) +
                  (dirs.empty() ? std::string(" (none at all)") : " (found " + std::string(dirs[0]) + ")"));
}

}  // namespace pkg
