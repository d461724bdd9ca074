// Simple repository API project pages: PEP 503 HTML and PEP 691 JSON.
//
// No HTML library is among the allowed dependencies (and a full HTML5 parser would be far more
// code than a project page needs), so the HTML side is a small hand-written tokenizer that
// follows the HTML5 tokenization rules where they matter for <a>, <base> and <meta> start tags:
// comments, doctype and other markup declarations, end tags, raw-text elements (script, style,
// ...) whose contents are not markup, attribute names in any case, values in "", '' or none,
// the first of duplicate attributes wins, a tag cut off by the end of the page is dropped, and
// character references decoded as in attribute values. Every access is bounds-checked against
// the page view; nothing reads past it.
#include "pkg/simple_page.h"

#include <algorithm>
#include <array>
#include <cstring>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <simdjson.h>

namespace pkg {
namespace {

namespace urls = boost::urls;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
bool is_hex(char c) { return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f'); }
// HTML "ASCII whitespace".
bool is_html_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

std::string_view trim_html_space(std::string_view s) {
  while (!s.empty() && is_html_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_html_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string shorten(std::string_view s) {
  constexpr std::size_t kMax = 120;
  std::string out(s.substr(0, kMax));
  if (s.size() > kMax) out += "...";
  return out;
}

// ---- character references -----------------------------------------------------------------------

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// HTML5 "numeric character reference end state": the C1 range maps through windows-1252, and
// NUL, surrogates and out-of-range values become U+FFFD.
std::uint32_t fix_numeric_reference(std::uint32_t cp) {
  static constexpr std::array<std::uint16_t, 32> kC1{
      0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
      0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0xFFFD;
  if (cp >= 0x80 && cp <= 0x9F) return kC1[cp - 0x80];
  return cp;
}

struct NamedReference {
  std::string_view name;
  std::string_view text;
  bool legacy;  // recognised without the ';' too (HTML5 legacy references)
};
// The references that appear in project pages. Unknown references are kept literally.
constexpr std::array<NamedReference, 7> kNamedReferences{{{"amp", "&", true},
                                                          {"lt", "<", true},
                                                          {"gt", ">", true},
                                                          {"quot", "\"", true},
                                                          {"apos", "'", false},
                                                          {"nbsp", "\xC2\xA0", true},
                                                          {"sol", "/", false}}};

// Decodes character references as the HTML5 tokenizer does inside attribute values.
std::string unescape_attribute(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c != '&') {
      out += c;
      ++i;
      continue;
    }
    // Numeric: &#123; &#x7B; (';' optional).
    if (i + 1 < s.size() && s[i + 1] == '#') {
      std::size_t j = i + 2;
      const bool hex = j < s.size() && (s[j] == 'x' || s[j] == 'X');
      if (hex) ++j;
      const std::size_t digits_start = j;
      std::uint32_t cp = 0;
      bool overflow = false;
      while (j < s.size() && (hex ? is_hex(s[j]) : is_digit(s[j]))) {
        const char d = lower(s[j]);
        const std::uint32_t v = is_digit(d) ? static_cast<std::uint32_t>(d - '0')
                                            : static_cast<std::uint32_t>(d - 'a' + 10);
        if (!overflow) {
          cp = cp * (hex ? 16 : 10) + v;
          if (cp > 0x10FFFF) overflow = true;
        }
        ++j;
      }
      if (j == digits_start) {  // "&#" or "&#x" with no digits: literal
        out += s.substr(i, j - i);
        i = j;
        continue;
      }
      if (j < s.size() && s[j] == ';') ++j;
      append_utf8(out, fix_numeric_reference(overflow ? 0x110000 : cp));
      i = j;
      continue;
    }
    // Named.
    std::size_t j = i + 1;
    while (j < s.size() && is_alnum(s[j])) ++j;
    const std::string_view name = s.substr(i + 1, j - i - 1);
    const bool semicolon = j < s.size() && s[j] == ';';
    const NamedReference* found = nullptr;
    for (const auto& r : kNamedReferences)
      if (r.name == name) found = &r;
    // Without ';', a legacy reference is decoded in an attribute value only when not followed
    // by '=' (the alphanumeric case cannot happen: the whole run is the name).
    if (found && (semicolon || (found->legacy && !(j < s.size() && s[j] == '=')))) {
      out += found->text;
      i = semicolon ? j + 1 : j;
      continue;
    }
    out += '&';
    ++i;
  }
  return out;
}

// ---- the tokenizer ------------------------------------------------------------------------------

struct Attribute {
  std::string name;        // lowercased
  std::string_view value;  // raw (references not decoded); empty when absent
};

struct StartTag {
  std::string name;  // lowercased
  std::vector<Attribute> attributes;
  bool too_many_attributes = false;
  bool value_too_long = false;

  const Attribute* find(std::string_view n) const {
    for (const auto& a : attributes)
      if (a.name == n) return &a;
    return nullptr;
  }
};

class Tokenizer {
 public:
  explicit Tokenizer(std::string_view page) : s_(page) {}

  // The next start tag, or false at the end of the page.
  bool next(StartTag& tag) {
    while (pos_ < s_.size()) {
      const std::size_t lt = s_.find('<', pos_);
      if (lt == std::string_view::npos) {
        pos_ = s_.size();
        return false;
      }
      pos_ = lt + 1;
      const char c = at(pos_);
      if (c == '!') {
        skip_markup_declaration();
      } else if (c == '?') {
        skip_to_gt();  // bogus comment
      } else if (c == '/') {
        ++pos_;
        if (is_alpha(at(pos_))) {
          StartTag ignored;
          if (!read_tag(ignored)) return false;
        } else if (at(pos_) == '>') {
          ++pos_;
        } else {
          skip_to_gt();
        }
      } else if (is_alpha(c)) {
        tag = StartTag{};
        if (!read_tag(tag)) return false;  // cut off by the end of the page: dropped
        skip_raw_text(tag.name);
        return true;
      }
      // Anything else: the '<' was text.
    }
    return false;
  }

 private:
  char at(std::size_t i) const { return i < s_.size() ? s_[i] : '\0'; }
  bool at_end() const { return pos_ >= s_.size(); }

  void skip_to_gt() {
    const std::size_t gt = s_.find('>', pos_);
    pos_ = gt == std::string_view::npos ? s_.size() : gt + 1;
  }

  // After "<!": comment, doctype, CDATA or another declaration.
  void skip_markup_declaration() {
    if (s_.substr(pos_).starts_with("!--")) {
      pos_ += 3;
      // "<!-->" and "<!--->" are complete (empty) comments.
      if (at(pos_) == '>') {
        ++pos_;
        return;
      }
      if (at(pos_) == '-' && at(pos_ + 1) == '>') {
        pos_ += 2;
        return;
      }
      // Ends at "-->" or "--!>"; one forward scan, so many comments stay linear.
      for (std::size_t at = s_.find("--", pos_); at != std::string_view::npos;
           at = s_.find("--", at + 1)) {
        if (at + 2 < s_.size() && s_[at + 2] == '>') {
          pos_ = at + 3;
          return;
        }
        if (at + 3 < s_.size() && s_[at + 2] == '!' && s_[at + 3] == '>') {
          pos_ = at + 4;
          return;
        }
      }
      pos_ = s_.size();
      return;
    }
    skip_to_gt();
  }

  void skip_spaces() {
    while (!at_end() && is_html_space(s_[pos_])) ++pos_;
  }

  // At the first letter of a tag name. Reads name and attributes up to and including '>'.
  bool read_tag(StartTag& tag) {
    while (!at_end() && !is_html_space(s_[pos_]) && s_[pos_] != '/' && s_[pos_] != '>')
      tag.name += lower(s_[pos_++]);
    while (true) {
      // Before attribute name: whitespace and stray '/' are skipped.
      while (!at_end() && (is_html_space(s_[pos_]) || s_[pos_] == '/')) ++pos_;
      if (at_end()) return false;
      if (s_[pos_] == '>') {
        ++pos_;
        return true;
      }
      // Attribute name: the first character may be '=' (HTML5 keeps it in the name).
      std::string name;
      name += lower(s_[pos_++]);
      while (!at_end() && !is_html_space(s_[pos_]) && s_[pos_] != '/' && s_[pos_] != '>' &&
             s_[pos_] != '=') {
        if (name.size() < 256) name += lower(s_[pos_]);
        ++pos_;
      }
      skip_spaces();
      std::string_view value;
      if (at(pos_) == '=') {
        ++pos_;
        skip_spaces();
        if (at_end()) return false;
        const char q = s_[pos_];
        if (q == '"' || q == '\'') {
          const std::size_t end = s_.find(q, pos_ + 1);
          if (end == std::string_view::npos) return false;
          value = s_.substr(pos_ + 1, end - pos_ - 1);
          pos_ = end + 1;
        } else if (q != '>') {  // '>' here: missing value, the tag ends below
          const std::size_t start = pos_;
          while (!at_end() && !is_html_space(s_[pos_]) && s_[pos_] != '>') ++pos_;
          value = s_.substr(start, pos_ - start);
        }
      }
      if (value.size() > kMaxHtmlAttributeBytes) tag.value_too_long = true;
      if (tag.find(name) != nullptr) continue;  // duplicate: the first one wins
      if (tag.attributes.size() >= kMaxHtmlAttributes) {
        tag.too_many_attributes = true;
        continue;
      }
      tag.attributes.push_back(Attribute{std::move(name), value});
    }
  }

  // Elements whose contents are text, not markup: skip to their end tag.
  void skip_raw_text(const std::string& name) {
    static constexpr std::array<std::string_view, 9> kRaw{
        "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
        "plaintext"};
    if (std::find(kRaw.begin(), kRaw.end(), name) == kRaw.end()) return;
    if (name == "plaintext") {
      pos_ = s_.size();
      return;
    }
    while (pos_ < s_.size()) {
      const std::size_t lt = s_.find("</", pos_);
      if (lt == std::string_view::npos) {
        pos_ = s_.size();
        return;
      }
      const std::size_t after = lt + 2 + name.size();
      if (after <= s_.size() && iequals(s_.substr(lt + 2, name.size()), name)) {
        const char next = at(after);
        if (after == s_.size() || is_html_space(next) || next == '/' || next == '>') {
          pos_ = lt;  // the end tag itself is read by next()
          return;
        }
      }
      pos_ = lt + 2;
    }
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

// ---- URLs and hashes ----------------------------------------------------------------------------

bool allowed_scheme(const urls::url_view_base& u) {
  if (!u.has_scheme()) return false;
  const std::string scheme = to_lower(std::string_view(u.scheme().data(), u.scheme().size()));
  if (scheme == "file") return true;
  // http(s) needs a host: "http:foo" parses as a URI but names nothing.
  return (scheme == "http" || scheme == "https") && u.has_authority() &&
         !u.encoded_host().empty();
}

// Makes an href usable as a URI reference the way browsers do: drops the whitespace a URL
// attribute may carry, and percent-encodes bytes that cannot appear in a URI (spaces,
// non-ASCII, '\', '"', '<', '>', '^', '`', '{', '|', '}', a '%' not followed by two hex digits).
std::string sanitize_reference(std::string_view href) {
  href = trim_html_space(href);
  static constexpr std::string_view kAllowed =
      "-._~:/?#[]@!$&'()*+,;=";
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(href.size());
  for (std::size_t i = 0; i < href.size(); ++i) {
    const char c = href[i];
    if (c == '\t' || c == '\n' || c == '\r') continue;  // WHATWG URL: removed
    const bool ok = is_alnum(c) || kAllowed.find(c) != std::string_view::npos ||
                    (c == '%' && i + 2 < href.size() && is_hex(href[i + 1]) &&
                     is_hex(href[i + 2]));
    if (ok) {
      out += c;
    } else {
      const auto u = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

// RFC 3986 section 5.2.4, on an encoded path. "%2e" counts as "." (as in browsers and
// Boost.URL); ".." above the root is dropped.
bool is_dot(std::string_view seg) { return seg == "." || iequals(seg, "%2e"); }
bool is_dot_dot(std::string_view seg) {
  return seg == ".." || iequals(seg, ".%2e") || iequals(seg, "%2e.") || iequals(seg, "%2e%2e");
}

std::string remove_dot_segments(std::string_view path) {
  const bool absolute = path.starts_with('/');
  if (absolute) path.remove_prefix(1);
  std::vector<std::string_view> out;
  bool trailing_slash = false;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    const bool last = slash == std::string_view::npos;
    if (last) slash = path.size();
    const std::string_view seg = path.substr(start, slash - start);
    trailing_slash = false;
    if (is_dot(seg)) {
      trailing_slash = true;  // "a/." is "a/"
    } else if (is_dot_dot(seg)) {
      if (!out.empty()) out.pop_back();
      trailing_slash = true;
    } else {
      out.push_back(seg);
    }
    if (last) break;
    start = slash + 1;
  }
  std::string result = absolute ? "/" : "";
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i) result += '/';
    result += out[i];
  }
  if (trailing_slash && !out.empty()) result += '/';
  return result;
}

// Resolves `reference` (no fragment) against `base` (absolute): RFC 3986 section 5.2.2, with
// Boost.URL parsing both and validating the result. The merge and dot-segment removal are done
// here on the encoded components because Boost.URL 1.81's resolve() keeps ".." segments above
// the root and decodes "%2F" into a path separator. nullopt when a part cannot be parsed or the
// result is not http(s)/file.
std::optional<urls::url> resolve_reference(const urls::url_view_base& base,
                                           std::string_view reference) {
  const std::string clean = sanitize_reference(reference);
  auto parsed = urls::parse_uri_reference(clean);
  if (!parsed) return std::nullopt;
  const urls::url_view& ref = *parsed;
  auto sv = [](auto s) { return std::string_view(s.data(), s.size()); };

  std::string scheme, authority, path, query;
  bool has_authority, has_query;
  if (ref.has_scheme()) {
    scheme = sv(ref.scheme());
    has_authority = ref.has_authority();
    authority = sv(ref.encoded_authority());
    path = remove_dot_segments(sv(ref.encoded_path()));
    has_query = ref.has_query();
    query = sv(ref.encoded_query());
  } else {
    scheme = sv(base.scheme());
    if (ref.has_authority()) {
      has_authority = true;
      authority = sv(ref.encoded_authority());
      path = remove_dot_segments(sv(ref.encoded_path()));
      has_query = ref.has_query();
      query = sv(ref.encoded_query());
    } else {
      has_authority = base.has_authority();
      authority = sv(base.encoded_authority());
      const std::string_view ref_path = sv(ref.encoded_path());
      if (ref_path.empty()) {
        path = sv(base.encoded_path());
        has_query = ref.has_query() || base.has_query();
        query = ref.has_query() ? sv(ref.encoded_query()) : sv(base.encoded_query());
      } else {
        if (ref_path.starts_with('/')) {
          path = remove_dot_segments(ref_path);
        } else {
          const std::string_view base_path = sv(base.encoded_path());
          std::string merged;
          if (base.has_authority() && base_path.empty()) {
            merged = "/" + std::string(ref_path);
          } else {
            const std::size_t slash = base_path.rfind('/');
            merged = std::string(slash == std::string_view::npos ? std::string_view()
                                                                 : base_path.substr(0, slash + 1));
            merged += ref_path;
          }
          path = remove_dot_segments(merged);
        }
        has_query = ref.has_query();
        query = sv(ref.encoded_query());
      }
    }
  }
  std::string text = scheme + ":";
  if (has_authority) text += "//" + authority;
  if (has_authority && !path.empty() && !path.starts_with('/')) path.insert(0, "/");
  // Without an authority a path starting with "//" would read as one: RFC 3986 section 5.2.4
  // notes the ambiguity; such a result is refused.
  if (!has_authority && path.starts_with("//")) return std::nullopt;
  text += path;
  if (has_query) text += "?" + query;
  auto resolved = urls::parse_uri(text);
  if (!resolved) return std::nullopt;
  urls::url out(*resolved);
  if (!allowed_scheme(out)) return std::nullopt;
  out.normalize_scheme();
  out.normalize_authority();
  return out;
}

bool is_hash_name(std::string_view s) {
  return !s.empty() && s.size() <= 32 && std::all_of(s.begin(), s.end(), [](char c) {
           return is_alnum(c) || c == '-' || c == '_';
         });
}
bool is_hex_digest(std::string_view s) {
  return !s.empty() && s.size() <= 256 && std::all_of(s.begin(), s.end(), is_hex);
}

// "sha256=abc&egg=x" (a URL fragment) or "sha256=abc" (data-core-metadata): hash pairs are
// kept, anything else is ignored. The first value given for an algorithm wins.
void parse_hash_pairs(std::string_view s, Hashes& out) {
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t amp = s.find('&', start);
    if (amp == std::string_view::npos) amp = s.size();
    const std::string_view pair = s.substr(start, amp - start);
    const std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos) {
      const std::string_view name = pair.substr(0, eq);
      const std::string_view value = pair.substr(eq + 1);
      if (is_hash_name(name) && is_hex_digest(value) && name != "egg" && name != "subdirectory")
        out.emplace(to_lower(name), to_lower(value));
    }
    start = amp + 1;
  }
}

// A plain file name: not empty, not "." or "..", no path separator, no control character.
bool is_plain_filename(std::string_view f) {
  if (f.empty() || f == "." || f == "..") return false;
  return std::none_of(f.begin(), f.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f || c == '/' || c == '\\';
  });
}

std::string last_segment(const urls::url& u) {
  const auto segs = static_cast<const urls::url_view_base&>(u).segments();  // decoded
  if (segs.empty()) return {};
  return std::string(segs.back());
}

// PEP 629: a client must refuse a major version it does not know; the minor only informs.
Result<void> check_api_version(std::string_view v) {
  const std::string_view major = v.substr(0, v.find('.'));
  if (major.empty() || !std::all_of(major.begin(), major.end(), is_digit))
    return fail(Errc::invalid_page, v, "repository API version is not of the form MAJOR.MINOR");
  if (major != "1")
    return fail(Errc::unsupported, v, "repository API major version is not 1 (PEP 629)");
  return {};
}

Result<urls::url> parse_page_url(std::string_view page_url) {
  auto u = urls::parse_uri(page_url);
  if (!u || !allowed_scheme(*u))
    return fail(Errc::invalid_url, page_url, "the page URL is not an absolute http(s) or file URL");
  return urls::url(*u);
}

CoreMetadata parse_core_metadata_attribute(std::string_view raw) {
  CoreMetadata m;
  const std::string value = unescape_attribute(raw);
  const std::string_view v = trim_html_space(value);
  if (iequals(v, "true")) {
    m.available = true;
  } else if (v.find('=') != std::string_view::npos) {
    parse_hash_pairs(v, m.hashes);
    m.available = !m.hashes.empty();
  }
  return m;
}

}  // namespace

Result<std::string> resolve_url(std::string_view base, std::string_view reference) {
  auto b = parse_page_url(base);
  if (!b) return std::unexpected(b.error());
  auto r = resolve_reference(*b, reference.substr(0, reference.find('#')));
  if (!r) {
    return fail(Errc::invalid_url, reference,
                "not a valid URL reference, or not an http(s)/file URL once resolved");
  }
  return std::string(r->buffer());
}

std::optional<std::string> DistFile::sha256() const {
  const auto it = hashes.find("sha256");
  if (it == hashes.end()) return std::nullopt;
  return it->second;
}

// ---- PEP 503 HTML -------------------------------------------------------------------------------

Result<ProjectPage> parse_simple_html(std::string_view page, std::string_view page_url) {
  auto page_base = parse_page_url(page_url);
  if (!page_base) return std::unexpected(page_base.error());

  ProjectPage out;
  std::vector<StartTag> anchors;
  std::optional<urls::url> base;  // the first <base href> that resolves
  bool base_seen = false;
  Tokenizer tokens(page);
  StartTag tag;
  while (tokens.next(tag)) {
    if (tag.name == "a") {
      if (anchors.size() >= kMaxPageFiles)
        return fail(Errc::invalid_page, page_url, "more than " + std::to_string(kMaxPageFiles) +
                                                      " links on the page");
      anchors.push_back(std::move(tag));
    } else if (tag.name == "base" && !base_seen) {
      // HTML5: the first <base> element with an href sets the document base URL.
      if (const Attribute* href = tag.find("href")) {
        base_seen = true;
        base = resolve_reference(*page_base, unescape_attribute(href->value));
        if (!base) out.skipped.push_back("<base href> '" + shorten(href->value) +
                                         "' does not resolve; links resolve against the page URL");
      }
    } else if (tag.name == "meta" && !out.api_version) {
      const Attribute* name = tag.find("name");
      const Attribute* content = tag.find("content");
      if (name && content && iequals(unescape_attribute(name->value), "pypi:repository-version")) {
        std::string v(trim_html_space(unescape_attribute(content->value)));
        if (auto ok = check_api_version(v); !ok) return std::unexpected(ok.error());
        out.api_version = std::move(v);
      }
    }
  }

  const urls::url& resolve_base = base ? *base : *page_base;
  for (const StartTag& a : anchors) {
    const Attribute* href = a.find("href");
    if (!href) continue;  // not a link (e.g. <a name=...>)
    if (a.too_many_attributes || a.value_too_long) {
      out.skipped.push_back("a link with more than " + std::to_string(kMaxHtmlAttributes) +
                            " attributes or an attribute value over " +
                            std::to_string(kMaxHtmlAttributeBytes) + " bytes");
      continue;
    }
    const std::string decoded = unescape_attribute(href->value);
    const std::string_view h = trim_html_space(decoded);
    if (h.empty()) {
      out.skipped.push_back("a link with an empty href");
      continue;
    }
    const std::size_t hash_at = h.find('#');
    const std::string_view reference = h.substr(0, hash_at);
    if (trim_html_space(reference).empty()) {
      out.skipped.push_back("link '" + shorten(h) + "' points to the page itself");
      continue;
    }
    auto url = resolve_reference(resolve_base, reference);
    if (!url) {
      out.skipped.push_back("link '" + shorten(h) +
                            "' is not a valid URL or not http(s)/file once resolved");
      continue;
    }
    DistFile f;
    f.filename = last_segment(*url);
    if (!is_plain_filename(f.filename)) {
      out.skipped.push_back("link '" + shorten(h) + "' does not end in a file name");
      continue;
    }
    f.url = std::string(url->buffer());
    if (hash_at != std::string_view::npos) parse_hash_pairs(h.substr(hash_at + 1), f.hashes);
    if (const Attribute* rp = a.find("data-requires-python")) {
      std::string v = unescape_attribute(rp->value);
      if (!trim_html_space(v).empty()) f.requires_python = std::move(v);
    }
    if (const Attribute* y = a.find("data-yanked")) {
      f.yanked = true;  // PEP 592: present means yanked, whatever the value
      std::string reason = unescape_attribute(y->value);
      if (!reason.empty()) f.yanked_reason = std::move(reason);
    }
    // PEP 714: data-core-metadata first; data-dist-info-metadata is the older spelling.
    if (const Attribute* m = a.find("data-core-metadata")) {
      f.core_metadata = parse_core_metadata_attribute(m->value);
    } else if (const Attribute* d = a.find("data-dist-info-metadata")) {
      f.core_metadata = parse_core_metadata_attribute(d->value);
    }
    if (const Attribute* g = a.find("data-gpg-sig")) {
      const std::string v = unescape_attribute(g->value);
      if (iequals(trim_html_space(v), "true")) f.gpg_sig = true;
      else if (iequals(trim_html_space(v), "false")) f.gpg_sig = false;
    }
    out.files.push_back(std::move(f));
  }
  return out;
}

// ---- PEP 691 JSON -------------------------------------------------------------------------------

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// Optional member: absent and null are both "not given".
std::optional<element> member(const object& obj, std::string_view key) {
  element e;
  if (obj.at_key(key).get(e) != simdjson::SUCCESS) return std::nullopt;
  if (e.type() == element_type::NULL_VALUE) return std::nullopt;
  return e;
}

// "core-metadata"/"dist-info-metadata": true/false, or a hashes object.
bool json_core_metadata(const element& e, CoreMetadata& out) {
  if (e.type() == element_type::BOOL) {
    out.available = bool(e.get_bool());
    return true;
  }
  object o;
  if (e.get(o) != simdjson::SUCCESS) return false;
  out.available = true;
  for (auto [k, v] : o) {
    std::string_view hex;
    if (v.get(hex) != simdjson::SUCCESS) return false;
    if (is_hash_name(k) && is_hex_digest(hex)) out.hashes.emplace(to_lower(k), to_lower(hex));
  }
  return true;
}

// One entry of "files"; an error string when it has to be left out.
std::optional<std::string> json_file(const element& e, const urls::url& base, DistFile& f) {
  object o;
  if (e.get(o) != simdjson::SUCCESS) return "a files entry that is not an object";
  std::string_view filename, url;
  if (o.at_key("filename").get(filename) != simdjson::SUCCESS) return "a file without a filename";
  if (!is_plain_filename(filename)) return "file name '" + shorten(filename) + "' is not plain";
  f.filename = std::string(filename);
  const std::string who = "file '" + shorten(filename) + "': ";
  if (o.at_key("url").get(url) != simdjson::SUCCESS) return who + "no url";
  const std::string_view reference = url.substr(0, url.find('#'));
  if (trim_html_space(reference).empty()) return who + "empty url";
  auto resolved = resolve_reference(base, reference);
  if (!resolved) return who + "url is not valid or not http(s)/file once resolved";
  f.url = std::string(resolved->buffer());
  object hashes;
  if (o.at_key("hashes").get(hashes) != simdjson::SUCCESS) return who + "no hashes object";
  for (auto [k, v] : hashes) {
    std::string_view hex;
    if (v.get(hex) != simdjson::SUCCESS) return who + "a hash value that is not a string";
    if (is_hash_name(k) && is_hex_digest(hex)) f.hashes.emplace(to_lower(k), to_lower(hex));
  }
  if (auto rp = member(o, "requires-python")) {
    std::string_view s;
    if (rp->get(s) != simdjson::SUCCESS) return who + "requires-python is not a string";
    if (!trim_html_space(s).empty()) f.requires_python = std::string(s);
  }
  if (auto y = member(o, "yanked")) {
    std::string_view reason;
    if (y->type() == element_type::BOOL) {
      f.yanked = bool(y->get_bool());
    } else if (y->get(reason) == simdjson::SUCCESS) {
      f.yanked = true;  // PEP 691: a string means yanked, with that reason
      if (!reason.empty()) f.yanked_reason = std::string(reason);
    } else {
      return who + "yanked is neither a boolean nor a string";
    }
  }
  // PEP 714: "core-metadata" first, "dist-info-metadata" is the older key.
  if (auto m = member(o, "core-metadata")) {
    if (!json_core_metadata(*m, f.core_metadata)) return who + "core-metadata is malformed";
  } else if (auto d = member(o, "dist-info-metadata")) {
    if (!json_core_metadata(*d, f.core_metadata)) return who + "dist-info-metadata is malformed";
  }
  if (auto g = member(o, "gpg-sig")) {
    bool b;
    if (g->get(b) != simdjson::SUCCESS) return who + "gpg-sig is not a boolean";
    f.gpg_sig = b;
  }
  if (auto s = member(o, "size")) {
    std::uint64_t n;
    if (s->get(n) != simdjson::SUCCESS) return who + "size is not a non-negative integer";
    f.size = n;
  }
  if (auto t = member(o, "upload-time")) {
    std::string_view s;
    if (t->get(s) != simdjson::SUCCESS) return who + "upload-time is not a string";
    f.upload_time = std::string(s);
  }
  return std::nullopt;
}

}  // namespace

Result<ProjectPage> parse_simple_json(std::string_view page, std::string_view page_url) {
  auto base = parse_page_url(page_url);
  if (!base) return std::unexpected(base.error());
  auto bad = [&](std::string why) { return fail(Errc::invalid_page, page_url, std::move(why)); };

  simdjson::dom::parser parser;
  element doc;
  if (auto err = parser.parse(page.data(), page.size()).get(doc); err != simdjson::SUCCESS)
    return bad(std::string("not JSON: ") + simdjson::error_message(err));
  object root;
  if (doc.get(root) != simdjson::SUCCESS) return bad("the page is not a JSON object");

  ProjectPage out;
  object meta;
  std::string_view api;
  if (root.at_key("meta").get(meta) != simdjson::SUCCESS ||
      meta.at_key("api-version").get(api) != simdjson::SUCCESS)
    return bad("no meta.api-version string (PEP 691)");
  if (auto ok = check_api_version(api); !ok) return std::unexpected(ok.error());
  out.api_version = std::string(api);

  std::string_view name;
  if (root.at_key("name").get(name) != simdjson::SUCCESS) return bad("no name string (PEP 691)");
  out.name = std::string(name);

  simdjson::dom::array files;
  if (root.at_key("files").get(files) != simdjson::SUCCESS) return bad("no files array (PEP 691)");
  if (files.size() > kMaxPageFiles)
    return bad("more than " + std::to_string(kMaxPageFiles) + " files on the page");
  for (element e : files) {
    DistFile f;
    if (auto why = json_file(e, *base, f)) {
      out.skipped.push_back(std::move(*why));
      continue;
    }
    out.files.push_back(std::move(f));
  }

  if (auto versions = member(root, "versions")) {
    simdjson::dom::array arr;
    if (versions->get(arr) != simdjson::SUCCESS) return bad("versions is not an array (PEP 700)");
    for (element v : arr) {
      std::string_view s;
      if (v.get(s) != simdjson::SUCCESS) return bad("versions holds a non-string (PEP 700)");
      out.versions.emplace_back(s);
    }
  }
  return out;
}

}  // namespace pkg
