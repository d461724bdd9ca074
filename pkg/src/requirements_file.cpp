// pip's requirements file format (pip/_internal/req/req_file.py), with peep's hash comments.
//
// The reading follows pip step by step, so a file means the same to tufget and to pip:
//   1. the bytes are UTF-8 (a UTF-8 BOM is skipped; UTF-16/32 and other declared encodings are
//      refused) and are split into lines as Python's str.splitlines splits them (LF, CR, CRLF,
//      VT, FF, FS, GS, RS, NEL, U+2028, U+2029);
//   2. a line ending in '\' is joined with the following ones, unless it is a comment line (its
//      first non-space character is '#'); each joined part loses its leading and trailing
//      backslashes (str.strip("\\")); a comment line or a line without '\' ends the join (a
//      comment line so joined is a comment at the end of the logical line);
//   3. '#' at the start of the line or after whitespace starts a comment, to the end of the
//      line; the rest is stripped, and empty lines are skipped;
//   4. the line is cut at the first space-separated token starting with '-': before it is the
//      requirement, after it the options, split as shlex.split (POSIX) splits and read as optparse
//      reads them (long options may be abbreviated to a unique prefix, "--opt=V" or "--opt V",
//      "-rFILE" or "-r FILE").
// Where pip would silently ignore something that changes what gets installed (an option after a
// requirement, a second -r on one line, a --hash on a line without requirement, a stray argument
// among options), tufget refuses the line instead.
//
// Peep hash comments: a run of comment lines, each "# sha256: <43 urlsafe base64 chars>"
// (whole line, spaces optional), gives sha256 hashes to the requirement on the very next line.
// Anything else after the run (a blank line, another comment, an option line, the end of the
// file) leaves the run without a requirement, which is an error (the hashes would otherwise be
// silently dropped). A "# sha256:" comment at the end of a requirement line is an error too.
//
// Hostile input (the limits and the quoting rule are described in requirements_file.h): the
// lines are read one at a time (no list of every line of a 16 MiB file is built), every step
// is linear in the line's length, and an error message quotes at most kMaxQuoted printable
// bytes of a line, and only once its file has shown it is a requirements file.
#include "pkg/requirements_file.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

#include "pkg/wheel.h"

namespace pkg {
namespace {

constexpr unsigned kMaxIncludeDepth = 32;
constexpr std::size_t kMaxQuoted = 200;     // bytes of a line an error message may show
constexpr std::size_t kMaxNameShown = 400;  // bytes of a file name an error message shows

// Python's str.isspace for ASCII (the characters \s and str.strip() take there).
bool is_py_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
         (c >= '\x1c' && c <= '\x1f');
}

std::string_view py_strip(std::string_view s) {
  while (!s.empty() && is_py_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_py_space(s.back())) s.remove_suffix(1);
  return s;
}

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string ascii_lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

// What a message may show of some input: at most `max` bytes, each one printable ASCII (any
// other byte is shown as '?', so no terminal escape or binary data reaches the output), "..."
// when cut.
std::string excerpt(std::string_view text, std::size_t max = kMaxQuoted) {
  std::string out;
  out.reserve(std::min(text.size(), max) + 3);
  for (const char ch : text.substr(0, max)) {
    const auto u = static_cast<unsigned char>(ch);
    out += (u >= 0x20 && u < 0x7f) ? ch : '?';
  }
  if (text.size() > max) out += "...";
  return out;
}

std::string quoted(std::string_view text, std::size_t max = kMaxQuoted) {
  return "'" + excerpt(text, max) + "'";
}

std::string location(std::string_view file, unsigned line) {
  return excerpt(file, kMaxNameShown) + ":" + std::to_string(line) + ": ";
}

// "FILE:LINE: 'SHOWN': REASON" (without the quote when `shown` is empty); Error::input holds the
// quote alone.
std::unexpected<Error> fail_at(Errc code, std::string_view file, unsigned line, std::string_view shown,
                               std::string_view reason) {
  std::string input = shown.empty() ? std::string() : excerpt(shown);
  std::string detail = location(file, line);
  if (!input.empty()) detail += "'" + input + "': ";
  detail += reason;
  return std::unexpected(Error{code, std::move(input), std::move(detail)});
}

std::string binary_data(std::string_view file, unsigned line) {
  return excerpt(file, kMaxNameShown) + " is not a requirements file (line " + std::to_string(line) +
         " holds binary data)";
}

// ---- base64url (peep) ---------------------------------------------------------------------------

constexpr std::string_view kBase64Url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kHexDigits = "0123456789abcdef";

// ---- lines --------------------------------------------------------------------------------------

struct PhysicalLine {
  unsigned number;
  std::string_view text;
};

// Calls on_line(PhysicalLine) for each line as Python's str.splitlines() splits `s`, stopping at
// the first error on_line returns. Fails on bytes that are not UTF-8 text: invalid UTF-8 or a
// NUL byte (binary data).
template <class OnLine>
Result<void> for_each_line(std::string_view s, std::string_view file, OnLine&& on_line) {
  std::size_t start = 0, i = 0;
  unsigned number = 1;
  const auto end_line = [&](std::size_t end, std::size_t next) -> Result<void> {
    const PhysicalLine line{number++, s.substr(start, end - start)};
    start = i = next;
    return on_line(line);
  };
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    Result<void> ok;
    if (c == '\r') {
      ok = end_line(i, (i + 1 < s.size() && s[i + 1] == '\n') ? i + 2 : i + 1);
    } else if (c == '\n' || c == 0x0b || c == 0x0c || c == 0x1c || c == 0x1d || c == 0x1e) {
      ok = end_line(i, i + 1);
    } else if (c == 0) {
      return fail_at(Errc::invalid_requirement, file, number, {}, "a NUL byte: " + binary_data(file, number));
    } else if (c < 0x80) {
      ++i;
    } else {
      std::size_t len = 0;
      std::uint32_t cp = 0;
      if ((c & 0xe0) == 0xc0) len = 2, cp = c & 0x1fu;
      else if ((c & 0xf0) == 0xe0) len = 3, cp = c & 0x0fu;
      else if ((c & 0xf8) == 0xf0) len = 4, cp = c & 0x07u;
      bool valid = len != 0 && i + len <= s.size();
      for (std::size_t k = 1; valid && k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        valid = (b & 0xc0) == 0x80;
        cp = (cp << 6) | (b & 0x3fu);
      }
      static constexpr std::array<std::uint32_t, 5> kMin{0, 0, 0x80, 0x800, 0x10000};
      if (!valid || cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return fail_at(Errc::invalid_requirement, file, number, {}, "not valid UTF-8: " + binary_data(file, number));
      if (cp == 0x85 || cp == 0x2028 || cp == 0x2029) ok = end_line(i, i + len);
      else i += len;
    }
    if (!ok) return ok;
  }
  if (start < s.size()) return on_line(PhysicalLine{number, s.substr(start)});
  return {};
}

// pip's auto_decode: a BOM, or a PEP 263 "coding" declaration in the first two lines, chooses
// the encoding. Only UTF-8 (and ASCII) is read here; returns the contents without a UTF-8 BOM.
Result<std::string_view> check_encoding(std::string_view s, std::string_view file) {
  if (s.starts_with("\xef\xbb\xbf")) return s.substr(3);
  if (s.starts_with("\xff\xfe") || s.starts_with("\xfe\xff") || s.starts_with(std::string_view("\0\0\xfe\xff", 4)))
    return fail_at(Errc::unsupported, file, 1, {}, "UTF-16/UTF-32 files are not supported (use UTF-8)");
  std::size_t pos = 0;
  for (int n = 0; n < 2 && pos <= s.size(); ++n) {
    const auto nl = s.find('\n', pos);
    const auto line = s.substr(pos, nl == s.npos ? s.npos : nl - pos);
    pos = nl == s.npos ? s.size() + 1 : nl + 1;
    const auto at = line.find("coding");
    if (!line.starts_with('#') || at == line.npos || at + 6 >= line.size()) continue;
    if (line[at + 6] != ':' && line[at + 6] != '=') continue;
    auto rest = line.substr(at + 7);
    while (!rest.empty() && is_py_space(rest.front())) rest.remove_prefix(1);
    std::string enc;
    for (char c : ascii_lowered(rest)) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')) break;
      enc += (c == '_') ? '-' : c;
    }
    if (enc.empty()) continue;  // Python's regex needs at least one character
    if (enc == "utf-8" || enc == "utf8") return s;
    if (enc == "ascii" || enc == "us-ascii") {
      if (std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) return s;
      return fail_at(Errc::invalid_requirement, file, 1, {}, "declared ASCII but has non-ASCII bytes");
    }
    return fail_at(Errc::unsupported, file, static_cast<unsigned>(n + 1), {},
                   "coding declaration " + quoted(enc, 40) + ": only UTF-8 files are supported");
  }
  return s;
}

bool is_comment_line(std::string_view line) {
  while (!line.empty() && is_py_space(line.front())) line.remove_prefix(1);
  return line.starts_with('#');
}

// Where the comment starts ('#' at the start or after whitespace), npos if none.
std::size_t comment_start(std::string_view line) {
  for (std::size_t i = 0; i < line.size(); ++i)
    if (line[i] == '#' && (i == 0 || is_py_space(line[i - 1]))) return i;
  return std::string_view::npos;
}

struct LogicalLine {
  unsigned number;        // of its first physical line
  std::string_view text;  // joined, comment not yet removed
  bool comment_only;      // a single physical comment line
};

// pip's join_lines, one physical line at a time: feed() passes each complete logical line to
// `emit`; finish() passes the last one. A joined line lives in a buffer reused for the next.
class Joiner {
 public:
  template <class Emit>
  Result<void> feed(const PhysicalLine& p, Emit&& emit) {
    const bool comment = is_comment_line(p.text);
    if (comment || !p.text.ends_with('\\')) {
      if (!joining_) return emit(LogicalLine{p.number, p.text, comment});
      if (comment) buffer_ += ' ';
      buffer_ += p.text;
      joining_ = false;
      return emit(LogicalLine{first_, buffer_, false});
    }
    if (!joining_) {
      joining_ = true;
      first_ = p.number;
      buffer_.clear();
    }
    auto part = p.text;
    while (!part.empty() && part.front() == '\\') part.remove_prefix(1);
    while (!part.empty() && part.back() == '\\') part.remove_suffix(1);
    buffer_ += part;
    return {};
  }

  template <class Emit>
  Result<void> finish(Emit&& emit) {
    if (!joining_) return {};
    joining_ = false;
    return emit(LogicalLine{first_, buffer_, false});
  }

 private:
  bool joining_ = false;
  unsigned first_ = 0;
  std::string buffer_;
};

// The text after "sha256:" when a comment (the text after its '#') is a peep hash comment.
std::optional<std::string_view> peep_comment(std::string_view comment) {
  comment = py_strip(comment);
  if (!comment.starts_with("sha256:")) return std::nullopt;
  return py_strip(comment.substr(7));
}

// ---- shlex / optparse ---------------------------------------------------------------------------

// shlex.split(s) (POSIX mode, no comments): whitespace separates; '\' escapes the next character
// outside quotes; '...' is literal; inside "..." only \" and \\ are escapes.
std::expected<std::vector<std::string>, std::string> shlex_split(std::string_view s) {
  std::vector<std::string> out;
  std::string token;
  bool in_token = false;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      if (in_token) out.push_back(std::move(token));
      token.clear();
      in_token = false;
      ++i;
      continue;
    }
    in_token = true;
    if (c == '\\') {
      if (i + 1 >= s.size()) return std::unexpected("no escaped character after '\\'");
      token += s[i + 1];
      i += 2;
    } else if (c == '\'') {
      const auto close = s.find('\'', i + 1);
      if (close == s.npos) return std::unexpected("no closing quotation");
      token.append(s.substr(i + 1, close - i - 1));
      i = close + 1;
    } else if (c == '"') {
      for (++i;; ++i) {
        if (i >= s.size()) return std::unexpected("no closing quotation");
        if (s[i] == '"') break;
        if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == '"' || s[i + 1] == '\\')) ++i;
        token += s[i];
      }
      ++i;
    } else {
      token += c;
      ++i;
    }
  }
  if (in_token) out.push_back(std::move(token));
  return out;
}

enum class Opt : std::uint8_t {
  index_url, extra_index_url, no_index, constraint, requirement, editable, find_links, no_binary,
  only_binary, prefer_binary, require_hashes, pre, trusted_host, use_feature, global_option, hash,
  config_settings,
};

struct OptSpec {
  std::string_view name;  // long spelling
  char short_name;        // 0: none
  Opt opt;
  bool takes_value;
};

// Every option pip's requirements-file parser knows (so abbreviations resolve as in pip).
constexpr std::array<OptSpec, 18> kOptions{{
    {"--index-url", 'i', Opt::index_url, true},
    {"--pypi-url", 0, Opt::index_url, true},
    {"--extra-index-url", 0, Opt::extra_index_url, true},
    {"--no-index", 0, Opt::no_index, false},
    {"--constraint", 'c', Opt::constraint, true},
    {"--requirement", 'r', Opt::requirement, true},
    {"--editable", 'e', Opt::editable, true},
    {"--find-links", 'f', Opt::find_links, true},
    {"--no-binary", 0, Opt::no_binary, true},
    {"--only-binary", 0, Opt::only_binary, true},
    {"--prefer-binary", 0, Opt::prefer_binary, false},
    {"--require-hashes", 0, Opt::require_hashes, false},
    {"--pre", 0, Opt::pre, false},
    {"--trusted-host", 0, Opt::trusted_host, true},
    {"--use-feature", 0, Opt::use_feature, true},
    {"--global-option", 0, Opt::global_option, true},
    {"--hash", 0, Opt::hash, true},
    {"--config-settings", 0, Opt::config_settings, true},
}};

struct ParsedOption {
  Opt opt;
  std::string_view name;  // the option's long name (for messages)
  std::string value;
};

struct ParsedOptions {
  std::vector<ParsedOption> options;
  std::vector<std::string> positional;
};

// optparse's _match_abbrev: the exact name, or the only option it is a prefix of.
std::expected<const OptSpec*, std::string> match_long(std::string_view written) {
  const OptSpec* found = nullptr;
  std::size_t count = 0;
  std::string candidates;
  for (const auto& spec : kOptions) {
    if (spec.name == written) return &spec;
    if (spec.name.starts_with(written)) {
      candidates += candidates.empty() ? "" : ", ";
      candidates += spec.name;
      found = &spec;
      ++count;
    }
  }
  if (count == 0) return std::unexpected("no such option: " + excerpt(written, 60));
  if (count > 1) return std::unexpected("ambiguous option: " + excerpt(written, 60) + " (" + candidates + "?)");
  return found;
}

// Whether the line's first word is an option pip knows (spelled as optparse reads it).
bool starts_with_known_option(std::string_view line) {
  const auto word = line.substr(0, line.find_first_of(" \t"));
  if (word.starts_with("--")) return match_long(word.substr(0, word.find('='))).has_value();
  return word.size() > 1 && word[0] == '-' &&
         std::any_of(kOptions.begin(), kOptions.end(), [&](const OptSpec& s) { return s.short_name == word[1]; });
}

// optparse's _process_args with interspersed arguments allowed.
std::expected<ParsedOptions, std::string> parse_options(const std::vector<std::string>& args) {
  ParsedOptions out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      out.positional.insert(out.positional.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
      break;
    }
    const OptSpec* spec = nullptr;
    std::optional<std::string> value;
    if (arg.starts_with("--")) {
      const auto eq = arg.find('=');
      auto matched = match_long(std::string_view(arg).substr(0, eq));
      if (!matched) return std::unexpected(matched.error());
      spec = *matched;
      if (eq != arg.npos) {
        if (!spec->takes_value) return std::unexpected(std::string(spec->name) + " option does not take a value");
        value = arg.substr(eq + 1);
      }
    } else if (arg.size() > 1 && arg[0] == '-') {
      for (const auto& s : kOptions)
        if (s.short_name == arg[1]) spec = &s;
      if (!spec) return std::unexpected("no such option: -" + excerpt(arg.substr(1, 1)));
      if (arg.size() > 2) value = arg.substr(2);  // every short option takes a value
    } else {
      out.positional.push_back(arg);
      continue;
    }
    if (spec->takes_value && !value) {
      if (i + 1 >= args.size()) return std::unexpected(std::string(spec->name) + " option requires 1 argument");
      value = args[++i];
    }
    out.options.push_back({spec->opt, spec->name, value.value_or("")});
  }
  return out;
}

// ---- requirement text ---------------------------------------------------------------------------

bool is_archive_name(std::string_view text) {
  const std::string lowered = ascii_lowered(text);
  for (std::string_view ext : {".zip", ".whl", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tlz", ".tar.lz",
                               ".tar.lzma", ".tar.gz", ".tgz", ".tar"})
    if (lowered.ends_with(ext)) return true;
  return false;
}

// What pip would take for a file: the text before any marker, without trailing "[extras]".
std::string_view path_part(std::string_view req) {
  req = py_strip(req.substr(0, req.find(';')));
  if (req.ends_with(']')) {
    const auto open = req.rfind('[');
    if (open != req.npos && open > 0 && req.substr(open + 1).find(']') == req.size() - open - 2)
      req = req.substr(0, open);
  }
  return req;
}

// Validates --hash's "ALG:HEX" (pip allows sha256, sha384, sha512).
std::expected<std::pair<std::string, std::string>, std::string> parse_hash(std::string_view value) {
  const auto colon = value.find(':');
  if (colon == value.npos)
    return std::unexpected("--hash needs ALG:HEX, like --hash=sha256:<64 hex digits>; got " + quoted(value, 140));
  const auto alg = value.substr(0, colon), hex = value.substr(colon + 1);
  std::size_t digits = 0;
  if (alg == "sha256") digits = 64;
  else if (alg == "sha384") digits = 96;
  else if (alg == "sha512") digits = 128;
  else
    return std::unexpected("hash algorithm " + quoted(alg, 40) + " is not allowed (use sha256, sha384 or sha512)");
  const bool lower_hex = std::all_of(hex.begin(), hex.end(), [](char c) { return kHexDigits.find(c) != kHexDigits.npos; });
  if (hex.size() != digits || !lower_hex)
    return std::unexpected(std::string(alg) + " digest must be " + std::to_string(digits) +
                           " lowercase hex digits; got " + quoted(hex, 140));
  return std::pair{std::string(alg), std::string(hex)};
}

void add_unique(std::vector<std::string>& to, std::string value) {
  if (std::find(to.begin(), to.end(), value) == to.end()) to.push_back(std::move(value));
}

// ---- the parser ---------------------------------------------------------------------------------

struct PeepBlock {
  unsigned first_line = 0;
  std::vector<std::string> sha256;  // hex
};

class Parser {
 public:
  Parser(const RequirementsLoader& load, RequirementsBudget& budget) : load_(load), budget_(budget) {}

  struct Context {
    std::string_view file;
    unsigned line;
    std::string_view text;
    bool constraint;
    unsigned depth;
    bool quote;  // an error may show `text` (see the quoting rule in the header)
  };

  // Counts the file against the budget, then parses it. `from`: the including line, if any.
  Result<void> read(std::string_view name, std::string_view contents, bool constraint, unsigned depth,
                    const Context* from);

  RequirementsFile result;

 private:
  // The state of one file while it is read.
  struct FileState {
    std::string_view name;
    bool constraint;
    unsigned depth;
    bool recognised = false;  // one of its lines was a requirement or an option
    std::optional<PeepBlock> peep;
  };

  std::unexpected<Error> error(const Context& c, Errc code, std::string_view reason) const {
    return fail_at(code, c.file, c.line, c.quote ? c.text : std::string_view{}, reason);
  }
  // The line is neither a requirement nor an option, and nothing before it in its file was one:
  // say so without showing any of it (it may be a line of a password file or a key).
  std::unexpected<Error> not_requirements_file(const Context& c) const {
    return fail_at(Errc::invalid_requirement, c.file, c.line, {},
                   "this does not look like a requirements file: the line is neither a requirement "
                   "nor an option (its text is not shown)");
  }

  Result<void> parse(std::string_view name, std::string_view contents, bool constraint, unsigned depth);
  Result<void> logical_line(FileState& f, const LogicalLine& logical);
  std::optional<std::unexpected<Error>> check_characters(const Context& c) const;
  std::unexpected<Error> requirement_error(const Context& c, std::string_view req_text, const Error& e) const;
  Result<void> requirement_line(const Context& c, std::string_view req_text, Requirement req,
                                const ParsedOptions& opts, std::optional<PeepBlock> peep);
  Result<void> option_line(const Context& c, const ParsedOptions& opts);
  Result<void> include(const Context& c, const ParsedOption& opt);
  std::optional<std::unexpected<Error>> refuse_unsupported(const Context& c, const ParsedOption& o) const;

  const RequirementsLoader& load_;
  RequirementsBudget& budget_;
  std::vector<std::string> stack_;  // names of the files being read, outermost first
};

std::string mib(std::size_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

Result<void> Parser::read(std::string_view name, std::string_view contents, bool constraint, unsigned depth,
                          const Context* from) {
  const auto refuse = [&](std::string reason) {
    return std::unexpected(Error{Errc::io, excerpt(name, kMaxNameShown),
                                 (from ? location(from->file, from->line) : std::string()) + std::move(reason)});
  };
  const std::string shown = excerpt(name, kMaxNameShown);
  if (contents.size() > kMaxRequirementsFileBytes)
    return refuse(shown + " is larger than " + mib(kMaxRequirementsFileBytes) + " (" +
                  std::to_string(contents.size()) + " bytes): too big for a requirements file");
  if (budget_.files_left == 0)
    return refuse("more than " + std::to_string(kMaxRequirementsFiles) + " requirements files (includes counted)");
  if (contents.size() > budget_.bytes_left)
    return refuse("reading " + shown + " would take the requirements files past " +
                  mib(kMaxRequirementsTotalBytes) + " in all (includes counted)");
  --budget_.files_left;
  budget_.bytes_left -= contents.size();
  return parse(name, contents, constraint, depth);
}

std::optional<std::unexpected<Error>> Parser::refuse_unsupported(const Context& c, const ParsedOption& o) const {
  switch (o.opt) {
    case Opt::editable:
      return error(c, Errc::unsupported, "editable requirements (-e) are not supported: tufget installs wheels from its index");
    case Opt::global_option:
    case Opt::config_settings:
      return error(c, Errc::unsupported, std::string(o.name) + " is not supported: tufget installs wheels only, it builds nothing");
    case Opt::trusted_host:
      return error(c, Errc::unsupported, "--trusted-host is not supported: tufget verifies what it downloads through TUF");
    case Opt::use_feature:
      return error(c, Errc::unsupported, "--use-feature is not supported (pip-specific)");
    default:
      return std::nullopt;
  }
}

// Outside comments a line is printable ASCII (and tabs). A control character means binary data.
std::optional<std::unexpected<Error>> Parser::check_characters(const Context& c) const {
  for (const char ch : c.text) {
    const auto u = static_cast<unsigned char>(ch);
    if ((u < 0x20 && ch != '\t') || u == 0x7f)
      return fail_at(Errc::invalid_requirement, c.file, c.line, {},
                     "a control character outside a comment: " + binary_data(c.file, c.line));
  }
  for (const char ch : c.text)
    if (static_cast<unsigned char>(ch) >= 0x80)
      return error(c, Errc::invalid_requirement, "a non-ASCII character outside a comment (requirements and options are ASCII)");
  return std::nullopt;
}

// A line whose requirement part does not parse, in a file known to be a requirements file.
std::unexpected<Error> Parser::requirement_error(const Context& c, std::string_view req_text, const Error& e) const {
  const auto word = req_text.substr(0, req_text.find_first_of(" \t;[(<>=!~@,"));
  if (word.find(':') != word.npos)
    return error(c, Errc::unsupported, "a URL is not a requirement tufget can install (name==version from the index only)");
  if (word.find('/') != word.npos || word.find('\\') != word.npos || word.starts_with('.'))
    return error(c, Errc::unsupported, "local paths are not supported (name==version from the index only)");
  return error(c, e.code, excerpt(e.detail, 2 * kMaxQuoted));
}

Result<void> Parser::requirement_line(const Context& c, std::string_view req_text, Requirement req,
                                      const ParsedOptions& opts, std::optional<PeepBlock> peep) {
  for (const auto& o : opts.options) {
    if (auto refused = refuse_unsupported(c, o)) return *refused;
    if (o.opt != Opt::hash)
      return error(c, Errc::invalid_requirement,
                   std::string(o.name) + " applies to the whole file: put it on a line of its own (pip ignores it after a requirement)");
  }
  if (!opts.positional.empty())
    return error(c, Errc::invalid_requirement, "unexpected " + quoted(opts.positional.front()) + " among the options");
  if (req.url)
    return error(c, Errc::unsupported, "direct URL references (name @ URL) are not supported: tufget installs from its index");
  if (is_archive_name(path_part(req_text)))
    return error(c, Errc::unsupported, "this names an archive file (pip would read it as a local path): not supported");
  if (c.constraint && !req.extras.empty())
    return error(c, Errc::invalid_requirement, "constraints cannot have extras (as in pip)");

  if (budget_.lines_left == 0)
    return error(c, Errc::io, "more than " + std::to_string(kMaxRequirementLines) +
                                  " requirement lines in all (includes counted): too many for tufget to hold");
  --budget_.lines_left;
  RequirementLine line;
  line.requirement = std::move(req);
  line.constraint = c.constraint;
  line.file = std::string(c.file);
  line.line = c.line;
  line.text = std::string(c.text);
  if (peep)
    for (auto& h : peep->sha256) add_unique(line.sha256, std::move(h));
  for (const auto& o : opts.options) {
    auto h = parse_hash(o.value);
    if (!h) return error(c, Errc::invalid_requirement, h.error());
    if (h->first == "sha256") add_unique(line.sha256, std::move(h->second));
    else add_unique(line.other_hashes[h->first], std::move(h->second));
  }
  result.requirements.push_back(std::move(line));
  return {};
}

Result<void> Parser::include(const Context& c, const ParsedOption& o) {
  const std::string_view path = o.value;
  const std::string lowered = ascii_lowered(path.substr(0, 8));
  if (path.find("://") != path.npos || lowered.starts_with("http:") || lowered.starts_with("https:") ||
      lowered.starts_with("file:"))
    return error(c, Errc::unsupported, "including a file by URL is not supported");
  if (!load_) return error(c, Errc::unsupported, std::string(o.name) + " is not allowed here (no loader for included files)");
  if (c.depth + 1 > kMaxIncludeDepth)
    return error(c, Errc::invalid_requirement, "includes nested deeper than " + std::to_string(kMaxIncludeDepth));
  if (budget_.files_left == 0)
    return error(c, Errc::io, "more than " + std::to_string(kMaxRequirementsFiles) + " requirements files (includes counted)");
  auto loaded = load_(path, c.file);
  if (!loaded) {
    Error e = loaded.error();
    e.detail = location(c.file, c.line) + std::string(o.name) + " " + excerpt(path) + ": " + e.detail;
    return std::unexpected(std::move(e));
  }
  if (std::find(stack_.begin(), stack_.end(), loaded->name) != stack_.end()) {
    std::string cycle;
    for (const auto& s : stack_) cycle += s + " -> ";
    return error(c, Errc::invalid_requirement, "include cycle: " + excerpt(cycle + loaded->name, 3 * kMaxQuoted));
  }
  return read(loaded->name, loaded->contents, o.opt == Opt::constraint, c.depth + 1, &c);
}

Result<void> Parser::option_line(const Context& c, const ParsedOptions& opts) {
  if (!opts.positional.empty())
    return error(c, Errc::invalid_requirement,
                 "unexpected " + quoted(opts.positional.front()) + " among the options (a requirement goes first on its line)");
  unsigned find_links = 0;
  for (const auto& o : opts.options) {
    if (auto refused = refuse_unsupported(c, o)) return *refused;
    if (o.opt == Opt::hash)
      return error(c, Errc::invalid_requirement,
                   "--hash without a requirement on this line (is a '\\' missing at the end of the line before?)");
    if ((o.opt == Opt::requirement || o.opt == Opt::constraint) && opts.options.size() != 1)
      return error(c, Errc::invalid_requirement,
                   std::string(o.name) + " must be alone on its line (pip ignores the other options)");
    if (o.opt != Opt::no_index && o.opt != Opt::pre && o.opt != Opt::prefer_binary && o.opt != Opt::require_hashes &&
        o.value.empty())
      return error(c, Errc::invalid_requirement, std::string(o.name) + " needs a value");
  }
  for (const auto& o : opts.options) {
    switch (o.opt) {
      case Opt::requirement:
      case Opt::constraint:
        return include(c, o);
      case Opt::index_url:
        if (result.index_url && *result.index_url != o.value)
          return error(c, Errc::invalid_requirement, "a second, different --index-url (the first was " + quoted(*result.index_url) + ")");
        result.index_url = o.value;
        break;
      case Opt::extra_index_url:
        result.extra_index_urls.push_back(o.value);
        break;
      case Opt::find_links:
        if (++find_links > 1)
          return error(c, Errc::invalid_requirement, "one --find-links per line (pip reads only the first)");
        result.find_links.push_back(o.value);
        break;
      case Opt::no_index: result.no_index = true; break;
      case Opt::pre: result.pre = true; break;
      case Opt::prefer_binary: result.prefer_binary = true; break;
      case Opt::require_hashes: result.require_hashes = true; break;
      case Opt::only_binary:
      case Opt::no_binary: {
        auto& to = o.opt == Opt::only_binary ? result.only_binary : result.no_binary;
        std::string_view rest = o.value;
        while (true) {
          const auto comma = rest.find(',');
          to.emplace_back(rest.substr(0, comma));
          if (comma == rest.npos) break;
          rest.remove_prefix(comma + 1);
        }
        break;
      }
      default:
        break;  // refused above
    }
  }
  return {};
}

Result<void> Parser::logical_line(FileState& f, const LogicalLine& logical) {
  const auto cut = comment_start(logical.text);
  const std::string_view comment = cut == std::string_view::npos ? std::string_view{} : logical.text.substr(cut + 1);
  const std::string_view content = py_strip(logical.text.substr(0, cut));
  Context c{f.name, logical.number, content, f.constraint, f.depth, f.recognised};
  const std::string_view whole = f.recognised ? logical.text : std::string_view{};
  const auto orphan = [&](std::string_view why) {
    return fail_at(Errc::invalid_requirement, f.name, f.peep->first_line, "# sha256: ...",
                   "peep hash comment(s) not directly above a requirement (" + std::string(why) + ")");
  };

  if (logical.comment_only) {
    if (auto token = peep_comment(comment)) {
      auto hex = peep_to_hex(*token);
      if (!hex)
        return fail_at(Errc::invalid_requirement, f.name, logical.number, whole,
                       "peep hash must be 43 characters of urlsafe base64 (32 bytes, no padding)");
      if (!f.peep) f.peep = PeepBlock{logical.number, {}};
      f.peep->sha256.push_back(std::move(*hex));
      return {};
    }
    if (f.peep) return orphan("another comment follows");
    return {};
  }
  if (peep_comment(comment))
    return fail_at(Errc::invalid_requirement, f.name, logical.number, whole,
                   "a peep hash comment must be on a line of its own, directly above its requirement");
  if (content.empty()) {
    if (f.peep) return orphan("a blank line follows");
    return {};
  }
  if (content.find("${") != content.npos)
    return error(c, Errc::unsupported,
                 "environment variables (${...}) are not expanded: a requirements file must not depend on the environment");
  if (auto bad = check_characters(c)) return *bad;

  // pip's break_args_options: the requirement ends at the first ' '-separated token that
  // starts with '-'.
  std::size_t split = 0;
  while (split < content.size() && content[split] != '-') {
    const auto space = content.find(' ', split);
    if (space == content.npos) {
      split = content.size();
      break;
    }
    split = space + 1;
  }
  const std::string_view req_text = content.substr(0, split);
  std::optional<Requirement> req;
  if (!py_strip(req_text).empty()) {
    auto parsed = Requirement::parse(py_strip(req_text));
    if (!parsed) return c.quote ? requirement_error(c, req_text, parsed.error()) : not_requirements_file(c);
    req = std::move(*parsed);
    c.quote = true;  // a requirement: its line may be shown
  }
  auto words = shlex_split(content.substr(split));
  if (!words) {
    c.quote = c.quote || starts_with_known_option(content.substr(split));
    return c.quote ? error(c, Errc::invalid_requirement, "could not split the options: " + words.error())
                   : not_requirements_file(c);
  }
  auto opts = parse_options(*words);
  if (!opts) return c.quote ? error(c, Errc::invalid_requirement, opts.error()) : not_requirements_file(c);
  c.quote = true;  // options pip knows: the line may be shown

  Result<void> ok;
  if (req) {
    ok = requirement_line(c, req_text, std::move(*req), *opts, std::move(f.peep));
    f.peep.reset();
  } else {
    if (f.peep) return orphan("an option line follows");
    ok = option_line(c, *opts);
  }
  if (ok) f.recognised = true;
  return ok;
}

Result<void> Parser::parse(std::string_view name_view, std::string_view bytes, bool constraint, unsigned depth) {
  const std::string name(name_view);  // (stack_ may reallocate while an include is read)
  stack_.push_back(name);
  auto contents = check_encoding(bytes, name);
  if (!contents) return std::unexpected(std::move(contents.error()));
  // Binary data (not UTF-8, NUL bytes) is refused before any line is read.
  if (auto text = for_each_line(*contents, name, [](const PhysicalLine&) -> Result<void> { return {}; }); !text)
    return text;

  FileState f{name, constraint, depth, false, std::nullopt};
  const auto on_logical = [&](const LogicalLine& l) { return logical_line(f, l); };
  Joiner joiner;
  auto ok = for_each_line(*contents, name, [&](const PhysicalLine& p) { return joiner.feed(p, on_logical); });
  if (ok) ok = joiner.finish(on_logical);
  if (!ok) return ok;
  if (f.peep)
    return fail_at(Errc::invalid_requirement, name, f.peep->first_line, "# sha256: ...",
                   "peep hash comment(s) not directly above a requirement (the file ends)");
  stack_.pop_back();
  return {};
}

}  // namespace

std::optional<std::string> peep_to_hex(std::string_view b64) {
  if (b64.size() != 43) return std::nullopt;
  std::string hex;
  hex.reserve(64);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char ch : b64) {
    const auto v = kBase64Url.find(ch);
    if (v == kBase64Url.npos) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      const auto byte = (acc >> bits) & 0xffu;
      hex += kHexDigits[byte >> 4];
      hex += kHexDigits[byte & 0xf];
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;  // non-canonical: unused bits set
  return hex;
}

std::string hex_to_peep(std::string_view hex) {
  // A peep hash is written as a RECORD hash is: urlsafe base64 without padding.
  constexpr std::string_view kRecordPrefix = "sha256=";
  auto record = record_hash_from_hex(hex);
  return record ? record->substr(kRecordPrefix.size()) : std::string{};
}

Result<RequirementsFile> parse_requirements_text(std::string_view contents, std::string_view name,
                                                 const RequirementsLoader& load) {
  RequirementsBudget budget;
  Parser parser(load, budget);
  auto ok = parser.read(name, contents, false, 0, nullptr);
  if (!ok) return std::unexpected(std::move(ok.error()));
  return std::move(parser.result);
}

Result<RequirementsFile> parse_requirements_file(std::string_view path, const RequirementsLoader& load,
                                                 RequirementsBudget* budget) {
  if (!load) return fail(Errc::unsupported, path, "parse_requirements_file needs a loader");
  RequirementsBudget own;
  RequirementsBudget& b = budget != nullptr ? *budget : own;
  if (b.files_left == 0)
    return fail(Errc::io, path, "more than " + std::to_string(kMaxRequirementsFiles) + " requirements files (includes counted)");
  auto top = load(path, "");
  if (!top) return std::unexpected(std::move(top.error()));
  Parser parser(load, b);
  auto ok = parser.read(top->name, top->contents, false, 0, nullptr);
  if (!ok) return std::unexpected(std::move(ok.error()));
  return std::move(parser.result);
}

}  // namespace pkg
