// PEP 508 environment markers: parsing and evaluation against a target interpreter's
// environment (the marker grammar of the "Dependency specifiers" specification).
//
// Grammar: marker_or := marker_and ('or' marker_and)*; marker_and := marker_expr ('and'
// marker_expr)*; marker_expr := marker_var marker_op marker_var | '(' marker_or ')'. Variables:
// python_version, python_full_version, os_name, sys_platform, platform_release, platform_system,
// platform_version, platform_machine, platform_python_implementation, implementation_name,
// implementation_version, extra (and the legacy dotted spellings os.name, sys.platform,
// platform.version, platform.machine, platform.python_implementation, python_implementation,
// which are accepted and mapped to the PEP 508 names). Strings use ' or ". Operators: the PEP
// 440 comparison operators, 'in', 'not in'.
//
// Strings have no escapes (PEP 508 has none; a backslash is refused rather than read the way
// `packaging` reads Python literals). Parentheses nest at most 64 deep.
//
// Evaluation follows `packaging` (the reference implementation):
//   - for a PEP 440 operator, when "<op><right side>" parses as a Specifier and the left side
//     as a Version, PEP 440 matching with pre-releases allowed (Specifier::contains); so
//     `python_version > "3.8"` holds for "3.10" and `"3.8" < python_version` reads the same;
//   - otherwise plain strings, as newer `packaging` compares them (24.1 used Python's string
//     order): == and != compare the text, <= and >= are equality, < and > never hold, ~= and
//     === do not hold (packaging raises; tufget treats it as not matching);
//     'in' / 'not in' are substring tests (`"2.7" in python_full_version`);
//   - `extra` compares PEP 503-normalised names on both sides, always as strings ("extra ==
//     'Foo_Bar'" matches extra "foo-bar"; "v2" is not the version 2); str() shows the
//     normalised literal;
//   - an `extra` marker evaluated with no extra in the environment compares against "";
//   - a python_full_version ending in '+' (an untagged CPython build) reads as "...+local".
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pkg/error.h"

namespace pkg {

// The values of the marker variables for one interpreter (Python's own names).
struct MarkerEnvironment {
  std::string implementation_name;             // "cpython"
  std::string implementation_version;          // "3.11.7"
  std::string os_name;                         // "posix"
  std::string platform_machine;                // "x86_64"
  std::string platform_release;                // "6.1.0-18-amd64"
  std::string platform_system;                 // "Linux"
  std::string platform_version;                // "#1 SMP PREEMPT_DYNAMIC Debian ..."
  std::string python_full_version;             // "3.11.7"
  std::string platform_python_implementation;  // "CPython"
  std::string python_version;                  // "3.11"
  std::string sys_platform;                    // "linux"

  // The value of a variable by its PEP 508 name; nullopt for an unknown name or "extra".
  std::optional<std::string_view> get(std::string_view variable) const;

  // A typical CPython on Linux x86_64 for `python_version` "X.Y[.Z]" (for --python-version
  // without a real interpreter, and for tests): python_version "X.Y", python_full_version and
  // implementation_version "X.Y.Z" ("X.Y.0" when Z is not given), cpython / CPython, posix,
  // linux / Linux, x86_64; platform_release and platform_version empty (unknown).
  static MarkerEnvironment cpython_linux(std::string_view python_full_version);
};

// A parsed marker expression (immutable, cheap to copy: shares its tree).
class Marker {
 public:
  // Parses the text after ';' in a requirement (without the ';'). Errors are invalid_marker
  // naming the marker text and the position/what was expected.
  static Result<Marker> parse(std::string_view text);

  // Parses text[start..] (the part after ';' of a requirement); errors name all of `text` and
  // count positions from its beginning.
  static Result<Marker> parse(std::string_view text, std::size_t start);

  // Evaluates with `extras` as the set of extras being considered (normalised or not). With no
  // extras, `extra == "x"` is false. With several, the marker is true when it is true for at
  // least one of them (how pip evaluates a dependency of "pkg[a,b]").
  bool evaluate(const MarkerEnvironment& env, const std::vector<std::string>& extras = {}) const;

  // True when the expression mentions the variable `extra` anywhere.
  bool mentions_extra() const;

  // Normalised text as `packaging` prints it: 'python_version >= "3.8" and extra == "test"'
  // (double quotes, single spaces, legacy names mapped, parentheses kept where written except
  // around a single comparison or the whole marker); parsing it again gives the same text.
  std::string str() const;

  struct Node;  // implementation detail

 private:
  std::shared_ptr<const Node> root_;
};

}  // namespace pkg
