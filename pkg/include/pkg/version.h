// PEP 440 versions and version specifiers.
//
// Version::parse accepts exactly what the PEP's appendix regex accepts (case-insensitive,
// surrounding whitespace, leading 'v', the alternative spellings of pre/post/dev segments) and
// str() gives the normalised form. Ordering and equality follow the PEP (and the reference
// implementation, `packaging`): trailing zeros of the release do not count (1.0 == 1.0.0),
// X.devN < X.aN < X.bN < X.rcN < X < X.postN, a version without local label < the same version
// with one, local labels compared segment by segment (numbers greater than strings).
//
// Numbers (epoch, release, pre/post/dev) must fit in 64 bits; longer ones are rejected with
// invalid_version (PEP 440 puts no bound on them, no real index uses such numbers). Numeric
// local segments are compared as arbitrary-size numbers.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pkg/error.h"

namespace pkg {

struct PreRelease {
  enum class Kind : std::uint8_t { a, b, rc };  // alpha, beta, release candidate
  Kind kind = Kind::a;
  std::uint64_t number = 0;
  auto operator<=>(const PreRelease&) const = default;
};

// One segment of a local label ("+ubuntu.1" -> "ubuntu", "1"). Numeric segments keep their
// digits without leading zeros ("01" -> "1"); others are lowercased.
struct LocalSegment {
  bool numeric = false;
  std::string text;
  bool operator==(const LocalSegment&) const = default;
};

class Version {
 public:
  Version() = default;  // "0"

  // Parses PEP 440 text; errors are invalid_version naming the text and what is wrong.
  static Result<Version> parse(std::string_view text);

  std::uint64_t epoch() const { return epoch_; }
  const std::vector<std::uint64_t>& release() const { return release_; }  // never empty
  const std::optional<PreRelease>& pre() const { return pre_; }
  const std::optional<std::uint64_t>& post() const { return post_; }
  const std::optional<std::uint64_t>& dev() const { return dev_; }
  const std::vector<LocalSegment>& local() const { return local_; }  // empty: no local label

  bool is_prerelease() const { return pre_.has_value() || dev_.has_value(); }  // incl. dev
  bool is_postrelease() const { return post_.has_value(); }
  bool is_devrelease() const { return dev_.has_value(); }
  bool has_local() const { return !local_.empty(); }

  Version public_version() const;  // without the local label
  Version base_version() const;    // epoch and release only

  // Normalised text: "[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]". Two versions that compare
  // equal may still differ here (1.0 vs 1.0.0).
  std::string str() const;
  std::string local_str() const;  // "ubuntu.1" (no '+'), empty when none

  std::strong_ordering operator<=>(const Version& other) const;
  bool operator==(const Version& other) const { return (*this <=> other) == 0; }

 private:
  std::uint64_t epoch_ = 0;
  std::vector<std::uint64_t> release_{0};
  std::optional<PreRelease> pre_;
  std::optional<std::uint64_t> post_;
  std::optional<std::uint64_t> dev_;
  std::vector<LocalSegment> local_;
};

// Whether pre-releases (including dev releases) may match.
enum class Prereleases : std::uint8_t {
  implied,  // PEP 440 default: only when a specifier names a pre-release itself
  allow,
  exclude,
};

// One clause: "~=2.2", "==1.*", "!=1.5.*", "<3", ">=2", "<=1", ">1.7.post2", "===foo".
class Specifier {
 public:
  enum class Op : std::uint8_t {
    compatible,     // ~=
    equal,          // ==
    not_equal,      // !=
    less_equal,     // <=
    greater_equal,  // >=
    less,           // <
    greater,        // >
    arbitrary,      // ===
  };

  // Parses one clause. Whitespace around the operator and version is allowed. Per PEP 440:
  // wildcards ".*" only with == and !=, and not after a dev release or a local label; local
  // labels only with == and !=;
  // ~= needs at least two release numbers; === takes any text without whitespace.
  static Result<Specifier> parse(std::string_view text);

  Op op() const { return op_; }
  bool wildcard() const { return wildcard_; }
  // The version operand; for === it is set only when the operand parses as a version.
  const std::optional<Version>& version() const { return version_; }
  const std::string& operand() const { return operand_; }  // as written, without ".*"

  // True when the operand is a pre-release (ignoring !=): such a clause lets pre-releases
  // match under Prereleases::implied.
  bool names_prerelease() const;

  // PEP 440 matching, including: wildcard prefix matching on the zero-padded release
  // (==1.1.* matches 1.1.post1 and 1.1a1; ==1.1rc1.* matches 1.1.0rc1.post2); == without a local label ignores the candidate's
  // local label; <V excludes pre-releases of V unless V is one; >V excludes post-releases of
  // V unless V is one, and V's local versions; <=, >= and ~= compare public versions; ===
  // compares str() case-insensitively with the operand.
  bool contains(const Version& v, Prereleases prereleases = Prereleases::implied) const;

  std::string str() const;  // e.g. "~=2.2", "==1.1.*" (operand as written)

 private:
  Op op_ = Op::greater_equal;
  bool wildcard_ = false;
  std::optional<Version> version_;
  std::string operand_;
};

// A comma-separated conjunction of clauses; the empty set matches every version (subject to the
// pre-release rule).
class SpecifierSet {
 public:
  SpecifierSet() = default;

  // "==1.0, >=2,<3" ; empty clauses and surrounding whitespace are ignored.
  static Result<SpecifierSet> parse(std::string_view text);

  const std::vector<Specifier>& specifiers() const { return specs_; }
  bool empty() const { return specs_.empty(); }

  // Under Prereleases::implied, pre-releases match only when some clause names_prerelease().
  // Every clause must match.
  bool contains(const Version& v, Prereleases prereleases = Prereleases::implied) const;

  // Indices of `versions` that match, in order. Under Prereleases::implied this applies the
  // PEP's fallback: when no final release matches but pre-releases do, those are returned.
  std::vector<std::size_t> filter(std::span<const Version> versions,
                                  Prereleases prereleases = Prereleases::implied) const;

  std::string str() const;  // clauses joined with ","

 private:
  std::vector<Specifier> specs_;
};

}  // namespace pkg
