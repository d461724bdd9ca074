// PEP 508 dependency specifiers, parsed left to right over the PEP's grammar (the same token
// boundaries as `packaging`'s parser): name, extras, then either '@ URL' or version specifiers
// (optionally in parentheses), then '; marker'.
#include "pkg/requirement.h"

#include <algorithm>

#include "pkg/names.h"

namespace pkg {
namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_ws(char c) { return c == ' ' || c == '\t'; }  // PEP 508 wsp
bool is_name_sep(char c) { return c == '-' || c == '_' || c == '.'; }
bool is_op_char(char c) { return c == '<' || c == '>' || c == '=' || c == '!' || c == '~'; }
// Characters a PEP 440 version (with a wildcard or local label) can contain.
bool is_version_char(char c) {
  return is_alnum(c) || c == '.' || c == '-' || c == '_' || c == '+' || c == '!' || c == '*';
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// PEP 508: a URL names its scheme; a network scheme has an authority ("//host"); file: URLs
// are absolute paths.
bool plausible_url(std::string_view url) {
  if (url.empty() || !((url[0] >= 'a' && url[0] <= 'z') || (url[0] >= 'A' && url[0] <= 'Z')))
    return false;
  std::size_t i = 1;
  while (i < url.size() && (is_alnum(url[i]) || url[i] == '+' || url[i] == '-' || url[i] == '.'))
    ++i;
  if (i >= url.size() || url[i] != ':') return false;
  std::string scheme(url.substr(0, i));
  for (char& c : scheme) c = lower(c);
  const std::string_view rest = url.substr(i + 1);
  if (scheme == "file") return rest.starts_with('/');
  if (!rest.starts_with("//")) return false;
  const std::size_t host_end = rest.find_first_of("/?#", 2);
  return (host_end == std::string_view::npos ? rest.size() : host_end) > 2;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Result<Requirement> run() {
    Requirement r;
    skip_ws();
    const std::string_view name = identifier();
    if (name.empty()) {
      return bad("expected a project name (letters, digits, '-', '_', '.'; starting and ending "
                 "with a letter or digit)");
    }
    r.name = std::string(name);
    r.project = normalize_name(name);
    skip_ws();

    if (peek() == '[') {
      if (auto ok = extras(r.extras); !ok) return std::unexpected(std::move(ok.error()));
      skip_ws();
    }

    if (peek() == '@') {
      ++pos_;
      skip_ws();
      const std::size_t start = pos_;
      while (pos_ < s_.size() && !is_ws(s_[pos_])) ++pos_;
      const std::string_view url = s_.substr(start, pos_ - start);
      if (url.empty()) return bad("expected a URL after '@'");
      if (!plausible_url(url)) {
        return bad_at(start, "'" + std::string(url) +
                                 "' is not an absolute URL (scheme://host/... or file:/path)");
      }
      r.url = std::string(url);
      skip_ws();
      // A marker after a URL needs the whitespace: "name @ URL ; marker" (';' is a URL
      // character).
      if (at_end()) return r;
      if (peek() != ';') return bad("expected ';' or the end after the URL");
    } else {
      if (auto ok = specifiers(r.specifiers); !ok) return std::unexpected(std::move(ok.error()));
      skip_ws();
      if (at_end()) return r;
      if (peek() != ';') {
        return bad(r.specifiers.empty()
                       ? "expected version specifiers, '@ URL', ';' or the end after the name"
                       : "expected ',', ';' or the end after the version specifiers");
      }
    }

    // ';' marker
    auto marker = Marker::parse(s_, pos_ + 1);
    if (!marker) {
      marker.error().detail = "in the marker after ';': " + marker.error().detail;
      return std::unexpected(std::move(marker.error()));
    }
    r.marker = std::move(*marker);
    return r;
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;

  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  bool at_end() const { return pos_ >= s_.size(); }
  void skip_ws() {
    while (pos_ < s_.size() && is_ws(s_[pos_])) ++pos_;
  }
  std::unexpected<Error> bad(std::string_view what) const { return bad_at(pos_, what); }
  std::unexpected<Error> bad_at(std::size_t at, std::string_view what) const {
    return fail(Errc::invalid_requirement, s_,
                std::string(what) + " at position " + std::to_string(at));
  }

  // PEP 508 identifier: letterOrDigit ( letterOrDigit | [-_.]* letterOrDigit )*. Empty when
  // there is none at the cursor; separators not followed by a letter or digit are left.
  std::string_view identifier() {
    const std::size_t start = pos_;
    if (!is_alnum(peek())) return {};
    ++pos_;
    while (true) {
      std::size_t end = pos_;
      while (end < s_.size() && is_name_sep(s_[end])) ++end;
      if (end >= s_.size() || !is_alnum(s_[end])) break;
      pos_ = end + 1;
    }
    return s_.substr(start, pos_ - start);
  }

  // '[' wsp* ( identifier ( wsp* ',' wsp* identifier )* )? wsp* ']'
  Result<void> extras(std::vector<std::string>& out) {
    const std::size_t open = pos_++;
    skip_ws();
    if (peek() != ']') {
      while (true) {
        const std::string_view extra = identifier();
        if (extra.empty()) {
          if (out.empty() && at_end()) return bad_at(open, "'[' without a matching ']'");
          return bad(out.empty() ? "expected an extra name" : "expected an extra name after ','");
        }
        out.push_back(normalize_name(extra));
        skip_ws();
        if (peek() == ',') {
          ++pos_;
          skip_ws();
          continue;
        }
        if (peek() == ']') break;
        if (is_alnum(peek())) return bad("expected ',' between extra names");
        return bad_at(open, "'[' without a matching ']'");
      }
    }
    ++pos_;  // ']'
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return {};
  }

  // '(' wsp* version_many wsp* ')' | version_many, where version_many := ( clause ( wsp* ','
  // wsp* clause )* )?. The clauses are delimited here and parsed by SpecifierSet::parse.
  Result<void> specifiers(SpecifierSet& out) {
    std::size_t open = std::string_view::npos;
    if (peek() == '(') {
      open = pos_++;
      skip_ws();
    }
    const std::size_t start = pos_;
    std::size_t end = pos_;
    while (is_op_char(peek())) {
      const std::size_t clause = pos_;
      while (is_op_char(peek())) ++pos_;
      const bool arbitrary = s_.substr(clause, pos_ - clause) == "===";
      skip_ws();
      const std::size_t version = pos_;
      // === takes any text up to whitespace, ',', ';' or ')'; the others a version.
      while (!at_end() && (arbitrary ? !(is_ws(peek()) || peek() == ',' || peek() == ';' ||
                                         peek() == ')')
                                     : is_version_char(peek())))
        ++pos_;
      if (pos_ == version) return bad("expected a version after the operator");
      end = pos_;
      skip_ws();
      if (peek() != ',') break;
      ++pos_;  // a trailing ',' is allowed, as `packaging` allows it
      skip_ws();
    }
    if (end > start) {
      auto set = SpecifierSet::parse(s_.substr(start, end - start));
      if (!set) {
        return fail(Errc::invalid_specifier, s_,
                    set.error().detail + " (at position " + std::to_string(start) + ")");
      }
      out = std::move(*set);
    }
    if (open != std::string_view::npos) {
      skip_ws();
      if (peek() != ')') return bad_at(open, "'(' without a matching ')'");
      ++pos_;
    }
    return {};
  }
};

}  // namespace

Result<Requirement> Requirement::parse(std::string_view text) { return Parser(text).run(); }

bool Requirement::applies(const MarkerEnvironment& env,
                          const std::vector<std::string>& extras) const {
  return !marker || marker->evaluate(env, extras);
}

bool Requirement::is_pinned() const {
  const auto& specs = specifiers.specifiers();
  if (specs.size() != 1) return false;
  const Specifier& s = specs.front();
  return (s.op() == Specifier::Op::equal && !s.wildcard()) || s.op() == Specifier::Op::arbitrary;
}

std::string Requirement::str() const {
  std::string out = name;
  if (!extras.empty()) {
    out += '[';
    for (std::size_t i = 0; i < extras.size(); ++i) {
      if (i) out += ',';
      out += extras[i];
    }
    out += ']';
  }
  out += specifiers.str();
  if (url) {
    out += " @ ";
    out += *url;
    if (marker) out += ' ';  // ';' would otherwise be read as part of the URL
  }
  if (marker) {
    out += "; ";
    out += marker->str();
  }
  return out;
}

}  // namespace pkg
