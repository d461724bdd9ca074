// Delegation matching: which delegated role covers a target path (TUF specification,
// "delegations": PATHPATTERN and path_hash_prefixes, with Python fnmatch semantics as python-tuf
// applies them) and TAP 15 succinct hash bins.
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "tuf/hash.h"
#include "tuf/metadata.h"
#include "tuf/succinct_bins.h"

namespace tuf {

namespace {

// Decodes the UTF-8 code point at s[i] and advances i. Python's fnmatch works on code points; a
// byte that does not start a valid sequence decodes to U+DC80..U+DCFF (as Python's
// "surrogateescape" would), so it only ever matches itself, '?', '*' or a negated set.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t len = 0;
  char32_t cp = 0;
  if (b0 < 0x80) {
    ++i;
    return b0;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  }
  if (len == 0 || i + len > s.size()) {
    ++i;
    return 0xDC00 + b0;
  }
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return 0xDC00 + b0;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += len;
  return cp;
}

// A "[...]" set starting at pat[open] as Python's fnmatch reads it: "!" negates, a "]" right
// after "[" or "[!" is a member, "a-z" is a range (an empty range such as "z-a" matches
// nothing), a "-" first or last is literal. Returns false if there is no closing "]" (then "["
// is an ordinary character); otherwise sets `matched` and `end` (index after "]").
bool match_set(std::string_view pat, std::size_t open, char32_t c, bool& matched,
               std::size_t& end) {
  std::size_t j = open + 1;
  if (j < pat.size() && pat[j] == '!') ++j;
  if (j < pat.size() && pat[j] == ']') ++j;
  while (j < pat.size() && pat[j] != ']') ++j;
  if (j >= pat.size()) return false;
  end = j + 1;

  std::size_t k = open + 1;
  const bool negate = pat[k] == '!';
  if (negate) ++k;
  bool in = false;
  while (k < j) {
    const char32_t lo = next_code_point(pat, k);
    if (k + 1 < j && pat[k] == '-') {
      ++k;
      const char32_t hi = next_code_point(pat, k);
      in = in || (lo <= c && c <= hi);
    } else {
      in = in || lo == c;
    }
  }
  matched = in != negate;
  return true;
}

// fnmatch.fnmatch(text, pat) for one path segment: '*' any run, '?' one code point, [seq].
bool glob_match(std::string_view pat, std::string_view text) {
  constexpr std::size_t none = std::string_view::npos;
  std::size_t p = 0, t = 0;
  std::size_t star_p = none, star_t = 0;
  while (t < text.size()) {
    if (p < pat.size()) {
      if (pat[p] == '*') {
        star_p = ++p;
        star_t = t;
        continue;
      }
      std::size_t t_next = t;
      const char32_t tc = next_code_point(text, t_next);
      std::size_t p_next = p + 1;
      bool ok;
      if (pat[p] == '?') {
        ok = true;
      } else if (pat[p] != '[' || !match_set(pat, p, tc, ok, p_next)) {
        p_next = p;
        ok = next_code_point(pat, p_next) == tc;
      }
      if (ok) {
        p = p_next;
        t = t_next;
        continue;
      }
    }
    if (star_p == none) return false;
    // Let the last '*' absorb one more code point and retry from there.
    p = star_p;
    next_code_point(text, star_t);
    t = star_t;
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

// PATHPATTERN match as python-tuf does it: the pattern and the target must have the same number
// of '/'-separated segments and each segment must fnmatch, so a wildcard never crosses '/'.
bool path_matches(std::string_view pattern, std::string_view target) {
  for (;;) {
    const std::size_t ps = pattern.find('/');
    const std::size_t ts = target.find('/');
    if ((ps == std::string_view::npos) != (ts == std::string_view::npos)) return false;
    if (!glob_match(pattern.substr(0, ps), target.substr(0, ts))) return false;
    if (ps == std::string_view::npos) return true;
    pattern.remove_prefix(ps + 1);
    target.remove_prefix(ts + 1);
  }
}

}  // namespace

bool DelegatedRole::is_delegated_path(std::string_view target_path) const {
  if (path_hash_prefixes) {
    // "each target path, when hashed with the SHA-256 hash function ... must share the same
    // prefix as one of the prefixes in path_hash_prefixes".
    const std::string digest = digest_hex(HashAlg::sha256, as_bytes(target_path));
    for (const std::string& prefix : *path_hash_prefixes) {
      if (std::string_view(digest).starts_with(prefix)) return true;
    }
    return false;
  }
  if (paths) {
    for (const std::string& pattern : *paths) {
      if (path_matches(pattern, target_path)) return true;
    }
  }
  return false;
}

std::string SuccinctRoles::role_for_target(std::string_view target_path) const {
  return succinct_bin_name(name_prefix, bit_length, succinct_bin_of(target_path, bit_length));
}

bool SuccinctRoles::is_role(std::string_view role_name) const {
  // Deviation: the suffix must be lower-case hex of exactly the bin-name width (python-tuf's
  // int(suffix, 16) would also take upper case, a sign or "0x"; those are never bin names).
  if (role_name.size() <= name_prefix.size() || !role_name.starts_with(name_prefix) ||
      role_name[name_prefix.size()] != '-') {
    return false;
  }
  const std::string_view suffix = role_name.substr(name_prefix.size() + 1);
  if (suffix.size() != succinct_suffix_width(bit_length)) return false;
  if (std::any_of(suffix.begin(), suffix.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return false;
  }
  // from_chars takes no sign, prefix or space for an unsigned value: only hex digits.
  std::uint64_t value = 0;
  const char* const end = suffix.data() + suffix.size();
  const auto [stop, ec] = std::from_chars(suffix.data(), end, value, 16);
  return ec == std::errc{} && stop == end && value < bin_count();
}

}  // namespace tuf
