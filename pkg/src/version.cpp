// PEP 440 versions and specifiers. The grammar is the PEP's appendix regex (VERSION_PATTERN),
// matched by hand: every optional part is tried greedily, which the regex also does, and no
// alternative that a greedy choice skips could have led to a match (the keywords that can
// follow are disjoint from the characters a shorter choice would leave behind).
#include "pkg/version.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <tuple>

namespace pkg {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z'); }
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_sep(char c) { return c == '-' || c == '_' || c == '.'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

// Cursor over lowercased text.
struct Cursor {
  std::string_view s;
  std::size_t pos = 0;
  bool at_end() const { return pos >= s.size(); }
  char peek(std::size_t ahead = 0) const {
    return pos + ahead < s.size() ? s[pos + ahead] : '\0';
  }
  bool starts_with(std::string_view word, std::size_t ahead = 0) const {
    return pos + ahead <= s.size() && s.substr(pos + ahead).starts_with(word);
  }
};

enum class NumStatus { none, ok, overflow };

// Reads [0-9]+ as a 64-bit number.
NumStatus read_number(Cursor& c, std::uint64_t& out) {
  const std::size_t start = c.pos;
  while (!c.at_end() && is_digit(c.peek())) ++c.pos;
  if (c.pos == start) return NumStatus::none;
  const auto digits = c.s.substr(start, c.pos - start);
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  return ec == std::errc() ? NumStatus::ok : NumStatus::overflow;
}

// Tries "[-_.]?<keyword>[-_.]?<digits>?" at the cursor; keywords are tried in order (longest
// spellings first). On success advances and returns the keyword index.
struct OptionalPart {
  int keyword = -1;
  std::optional<std::uint64_t> number;
  bool overflow = false;
};

template <std::size_t N>
OptionalPart try_part(Cursor& c, const std::array<std::string_view, N>& keywords) {
  OptionalPart part;
  std::size_t skip = is_sep(c.peek()) ? 1 : 0;
  for (std::size_t k = 0; k < N; ++k) {
    if (!c.starts_with(keywords[k], skip)) continue;
    c.pos += skip + keywords[k].size();
    part.keyword = static_cast<int>(k);
    // "[-_.]?" then "[0-9]+"? : the separator may be taken even with no number after it.
    if (is_sep(c.peek())) ++c.pos;
    std::uint64_t n = 0;
    switch (read_number(c, n)) {
      case NumStatus::ok: part.number = n; break;
      case NumStatus::overflow: part.overflow = true; break;
      case NumStatus::none: break;
    }
    return part;
  }
  return part;
}

// Compares two digit strings without leading zeros as numbers.
std::strong_ordering compare_numeric_text(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() <=> b.size();
  return a.compare(b) <=> 0;
}

std::strong_ordering compare_local(const std::vector<LocalSegment>& a,
                                   const std::vector<LocalSegment>& b) {
  // No local label sorts before any local label; then segment by segment, numeric segments
  // above alphanumeric ones, shorter before longer when one is a prefix of the other.
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto& x = a[i];
    const auto& y = b[i];
    if (x.numeric != y.numeric) return x.numeric ? std::strong_ordering::greater
                                                 : std::strong_ordering::less;
    const auto c = x.numeric ? compare_numeric_text(x.text, y.text) : (x.text.compare(y.text) <=> 0);
    if (c != 0) return c;
  }
  return a.size() <=> b.size();
}

std::size_t significant_release_size(const std::vector<std::uint64_t>& r) {
  std::size_t n = r.size();
  while (n > 0 && r[n - 1] == 0) --n;
  return n;
}

}  // namespace

Result<Version> Version::parse(std::string_view text) {
  const std::string lowered = to_lower(trim(text));
  Cursor c{lowered};
  Version v;
  auto bad = [&](std::string why) { return fail(Errc::invalid_version, text, std::move(why)); };
  auto too_big = [&] { return bad("a number does not fit in 64 bits"); };

  if (c.peek() == 'v') ++c.pos;
  // Epoch and release: "(N!)?N(.N)*".
  std::uint64_t n = 0;
  switch (read_number(c, n)) {
    case NumStatus::none: return bad("does not start with a release number");
    case NumStatus::overflow: return too_big();
    case NumStatus::ok: break;
  }
  v.release_.clear();
  if (c.peek() == '!') {
    ++c.pos;
    v.epoch_ = n;
    switch (read_number(c, n)) {
      case NumStatus::none: return bad("no release number after the epoch");
      case NumStatus::overflow: return too_big();
      case NumStatus::ok: break;
    }
  }
  v.release_.push_back(n);
  while (c.peek() == '.' && is_digit(c.peek(1))) {
    ++c.pos;
    if (read_number(c, n) == NumStatus::overflow) return too_big();
    v.release_.push_back(n);
  }

  // Pre-release: [-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?N?
  static constexpr std::array<std::string_view, 8> kPre{"alpha", "a",   "beta", "b",
                                                        "preview", "pre", "rc",  "c"};
  if (auto p = try_part(c, kPre); p.keyword >= 0) {
    if (p.overflow) return too_big();
    static constexpr std::array<PreRelease::Kind, 8> kKinds{
        PreRelease::Kind::a,  PreRelease::Kind::a,  PreRelease::Kind::b,  PreRelease::Kind::b,
        PreRelease::Kind::rc, PreRelease::Kind::rc, PreRelease::Kind::rc, PreRelease::Kind::rc};
    v.pre_ = PreRelease{kKinds[static_cast<std::size_t>(p.keyword)], p.number.value_or(0)};
  }

  // Post-release: "-N" (implicit) or [-_.]?(post|rev|r)[-_.]?N?
  if (c.peek() == '-' && is_digit(c.peek(1))) {
    ++c.pos;
    if (read_number(c, n) == NumStatus::overflow) return too_big();
    v.post_ = n;
  } else {
    static constexpr std::array<std::string_view, 3> kPost{"post", "rev", "r"};
    if (auto p = try_part(c, kPost); p.keyword >= 0) {
      if (p.overflow) return too_big();
      v.post_ = p.number.value_or(0);
    }
  }

  // Development release: [-_.]?dev[-_.]?N?
  static constexpr std::array<std::string_view, 1> kDev{"dev"};
  if (auto p = try_part(c, kDev); p.keyword >= 0) {
    if (p.overflow) return too_big();
    v.dev_ = p.number.value_or(0);
  }

  // Local label: +[a-z0-9]+([-_.][a-z0-9]+)*
  if (c.peek() == '+') {
    ++c.pos;
    while (true) {
      const std::size_t start = c.pos;
      while (!c.at_end() && is_lower_alnum(c.peek())) ++c.pos;
      if (c.pos == start) return bad("empty segment in the local version label");
      std::string seg(lowered.substr(start, c.pos - start));
      LocalSegment ls;
      ls.numeric = std::all_of(seg.begin(), seg.end(), is_digit);
      if (ls.numeric) {
        const auto first = seg.find_first_not_of('0');
        seg = first == std::string::npos ? "0" : seg.substr(first);
      }
      ls.text = std::move(seg);
      v.local_.push_back(std::move(ls));
      if (c.at_end()) break;
      if (!is_sep(c.peek())) return bad("unexpected character in the local version label");
      ++c.pos;
    }
  }

  if (!c.at_end()) {
    return bad("unexpected text '" + std::string(lowered.substr(c.pos, 20)) + "' at position " +
               std::to_string(c.pos));
  }
  return v;
}

Version Version::public_version() const {
  Version v = *this;
  v.local_.clear();
  return v;
}

Version Version::base_version() const {
  Version v;
  v.epoch_ = epoch_;
  v.release_ = release_;
  return v;
}

std::string Version::local_str() const {
  std::string out;
  for (std::size_t i = 0; i < local_.size(); ++i) {
    if (i) out += '.';
    out += local_[i].text;
  }
  return out;
}

std::string Version::str() const {
  std::string out;
  if (epoch_ != 0) out += std::to_string(epoch_) + "!";
  for (std::size_t i = 0; i < release_.size(); ++i) {
    if (i) out += '.';
    out += std::to_string(release_[i]);
  }
  if (pre_) {
    static constexpr std::array<std::string_view, 3> kNames{"a", "b", "rc"};
    out += kNames[static_cast<std::size_t>(pre_->kind)];
    out += std::to_string(pre_->number);
  }
  if (post_) out += ".post" + std::to_string(*post_);
  if (dev_) out += ".dev" + std::to_string(*dev_);
  if (!local_.empty()) out += "+" + local_str();
  return out;
}

std::strong_ordering Version::operator<=>(const Version& o) const {
  if (auto c = epoch_ <=> o.epoch_; c != 0) return c;
  // Release, ignoring trailing zeros.
  {
    const std::size_t na = significant_release_size(release_);
    const std::size_t nb = significant_release_size(o.release_);
    const std::size_t n = std::min(na, nb);
    for (std::size_t i = 0; i < n; ++i)
      if (auto c = release_[i] <=> o.release_[i]; c != 0) return c;
    if (auto c = na <=> nb; c != 0) return c;
  }
  // Pre-release key: a bare dev release (X.devN, no pre, no post) sorts before every pre-release
  // of X; no pre-release sorts after all of them. Encoded as (rank, kind, number).
  auto pre_key = [](const Version& v) {
    if (!v.pre_ && !v.post_ && v.dev_) return std::tuple<int, int, std::uint64_t>{0, 0, 0};
    if (!v.pre_) return std::tuple<int, int, std::uint64_t>{2, 0, 0};
    return std::tuple<int, int, std::uint64_t>{1, static_cast<int>(v.pre_->kind), v.pre_->number};
  };
  if (auto c = pre_key(*this) <=> pre_key(o); c != 0) return c;
  // Post: none sorts first.
  if (auto c = post_.has_value() <=> o.post_.has_value(); c != 0) return c;
  if (post_) {
    if (auto c = *post_ <=> *o.post_; c != 0) return c;
  }
  // Dev: none sorts last.
  if (auto c = (!dev_.has_value()) <=> (!o.dev_.has_value()); c != 0) return c;
  if (dev_) {
    if (auto c = *dev_ <=> *o.dev_; c != 0) return c;
  }
  return compare_local(local_, o.local_);
}

// ---- specifiers ---------------------------------------------------------------------------------

namespace {

struct OpSpelling {
  std::string_view text;
  Specifier::Op op;
};
// Longest first, so "===" is not read as "==" and "<=" not as "<".
constexpr std::array<OpSpelling, 8> kOps{{{"===", Specifier::Op::arbitrary},
                                          {"~=", Specifier::Op::compatible},
                                          {"==", Specifier::Op::equal},
                                          {"!=", Specifier::Op::not_equal},
                                          {"<=", Specifier::Op::less_equal},
                                          {">=", Specifier::Op::greater_equal},
                                          {"<", Specifier::Op::less},
                                          {">", Specifier::Op::greater}}};

std::string_view op_text(Specifier::Op op) {
  for (const auto& s : kOps)
    if (s.op == op) return s.text;
  return "?";
}

// Whether `v` has epoch `epoch` and a release that, zero-padded, starts with `p` (the PEP's
// prefix matching: ==1.1.* matches 1.1, 1.1.0, 1.1.5, 1.1a1, 1.1.post1, 1.1.dev1).
bool release_prefix_equal(const Version& v, std::uint64_t epoch,
                          std::span<const std::uint64_t> p) {
  if (v.epoch() != epoch) return false;
  const auto& r = v.release();
  for (std::size_t i = 0; i < p.size(); ++i) {
    const std::uint64_t x = i < r.size() ? r[i] : 0;
    if (x != p[i]) return false;
  }
  return true;
}

}  // namespace

Result<Specifier> Specifier::parse(std::string_view text) {
  const std::string_view t = trim(text);
  auto bad = [&](std::string why) { return fail(Errc::invalid_specifier, text, std::move(why)); };
  Specifier s;
  std::size_t op_len = 0;
  for (const auto& sp : kOps) {
    if (t.starts_with(sp.text)) {
      s.op_ = sp.op;
      op_len = sp.text.size();
      break;
    }
  }
  if (op_len == 0) return bad("no operator (one of ~= == != <= >= < > ===)");
  std::string_view operand = trim(t.substr(op_len));
  if (operand.empty()) return bad("no version after the operator");

  if (s.op_ == Op::arbitrary) {
    // PEP 440: any string; the reference grammar stops at whitespace, ';' and ')'.
    for (char ch : operand)
      if (is_space(ch) || ch == ';' || ch == ')' || ch == ',')
        return bad("=== takes a single word");
    s.operand_ = std::string(operand);
    if (auto v = Version::parse(operand)) s.version_ = std::move(*v);
    return s;
  }
  for (char ch : operand)
    if (is_space(ch)) return bad("whitespace inside the version");

  if (operand.ends_with(".*")) {
    if (s.op_ != Op::equal && s.op_ != Op::not_equal)
      return bad("a '.*' wildcard is allowed only with == and !=");
    s.wildcard_ = true;
    operand.remove_suffix(2);
  }
  auto v = Version::parse(operand);
  if (!v) return bad("'" + std::string(operand) + "' is not a PEP 440 version");
  s.operand_ = std::string(operand);
  // PEP 440: "it is invalid to have a prefix match containing a development or local release".
  if (s.wildcard_ && (v->dev() || v->has_local()))
    return bad("a '.*' wildcard cannot follow a dev release or a local label");
  if (v->has_local() && s.op_ != Op::equal && s.op_ != Op::not_equal)
    return bad("a local version label is allowed only with == and !=");
  if (s.op_ == Op::compatible && v->release().size() < 2)
    return bad("~= needs a version with at least two release numbers");
  s.version_ = std::move(*v);
  return s;
}

bool Specifier::names_prerelease() const {
  if (op_ == Op::not_equal) return false;
  return version_ && version_->is_prerelease();
}

std::string Specifier::str() const {
  std::string out(op_text(op_));
  out += operand_;
  if (wildcard_) out += ".*";
  return out;
}

bool Specifier::contains(const Version& v, Prereleases prereleases) const {
  const bool allow_pre = prereleases == Prereleases::allow ||
                         (prereleases == Prereleases::implied && names_prerelease());
  if (v.is_prerelease() && !allow_pre) return false;

  if (op_ == Op::arbitrary) {
    const std::string a = to_lower(v.str());
    const std::string b = to_lower(operand_);
    return a == b;
  }
  const Version& spec = *version_;
  switch (op_) {
    case Op::equal:
    case Op::not_equal: {
      bool eq;
      if (wildcard_ && !spec.pre() && !spec.post()) {
        eq = release_prefix_equal(v, spec.epoch(), spec.release());
      } else if (wildcard_) {
        // "==1.0rc1.*", "==1.0.post1.*": the release is complete (equal up to trailing
        // zeros), the given suffixes equal, and later segments (post, dev, local) ignored.
        eq = v.epoch() == spec.epoch() && v.base_version() == spec.base_version() &&
             v.pre() == spec.pre() && (!spec.post() || v.post() == spec.post());
      } else if (!spec.has_local()) {
        eq = v.public_version() == spec;
      } else {
        eq = v == spec;
      }
      return op_ == Op::equal ? eq : !eq;
    }
    case Op::compatible: {
      // ~=X.Y.Z is >=X.Y.Z together with ==X.Y.* (same epoch).
      if (!(v.public_version() >= spec)) return false;
      const auto& r = spec.release();  // parse() guarantees at least two numbers
      return release_prefix_equal(v, spec.epoch(),
                                  std::span<const std::uint64_t>(r.data(), r.size() - 1));
    }
    case Op::less_equal: return v.public_version() <= spec;
    case Op::greater_equal: return v.public_version() >= spec;
    case Op::less:
      // <V must not match pre-releases of V itself unless V is a pre-release.
      if (!(v < spec)) return false;
      if (!spec.is_prerelease() && v.is_prerelease() && v.base_version() == spec.base_version())
        return false;
      return true;
    case Op::greater:
      // >V must not match post-releases of V unless V is one, nor local versions of V.
      if (!(v > spec)) return false;
      if (!spec.is_postrelease() && v.is_postrelease() && v.base_version() == spec.base_version())
        return false;
      if (v.has_local() && v.base_version() == spec.base_version()) return false;
      return true;
    case Op::arbitrary: break;
  }
  return false;
}

Result<SpecifierSet> SpecifierSet::parse(std::string_view text) {
  SpecifierSet set;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    const std::string_view clause = trim(text.substr(start, comma - start));
    if (!clause.empty()) {
      auto s = Specifier::parse(clause);
      if (!s) {
        return fail(Errc::invalid_specifier, text,
                    "clause '" + std::string(clause) + "': " + s.error().detail);
      }
      set.specs_.push_back(std::move(*s));
    }
    start = comma + 1;
  }
  return set;
}

bool SpecifierSet::contains(const Version& v, Prereleases prereleases) const {
  if (prereleases == Prereleases::implied) {
    const bool implied = std::any_of(specs_.begin(), specs_.end(),
                                     [](const Specifier& s) { return s.names_prerelease(); });
    prereleases = implied ? Prereleases::allow : Prereleases::exclude;
  }
  if (prereleases == Prereleases::exclude && v.is_prerelease()) return false;
  return std::all_of(specs_.begin(), specs_.end(),
                     [&](const Specifier& s) { return s.contains(v, Prereleases::allow); });
}

std::vector<std::size_t> SpecifierSet::filter(std::span<const Version> versions,
                                              Prereleases prereleases) const {
  std::vector<std::size_t> out;
  if (prereleases != Prereleases::implied) {
    for (std::size_t i = 0; i < versions.size(); ++i)
      if (contains(versions[i], prereleases)) out.push_back(i);
    return out;
  }
  // PEP 440: pre-releases are excluded by default, but accepted when they are the only
  // versions that satisfy the specifiers.
  std::vector<std::size_t> pre;
  for (std::size_t i = 0; i < versions.size(); ++i) {
    if (contains(versions[i], Prereleases::implied)) out.push_back(i);
    else if (versions[i].is_prerelease() && contains(versions[i], Prereleases::allow))
      pre.push_back(i);
  }
  return out.empty() ? pre : out;
}

std::string SpecifierSet::str() const {
  std::string out;
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    if (i) out += ',';
    out += specs_[i].str();
  }
  return out;
}

}  // namespace pkg
