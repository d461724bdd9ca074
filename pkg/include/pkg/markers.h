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
// Evaluation follows `packaging` (the reference implementation):
//   - when both sides can be read as PEP 440 version / specifier (operator is a version
//     comparison and the variable is one of the version-valued ones or the literal parses), PEP
//     440 comparison (Specifier::contains with pre-releases allowed); otherwise plain string
//     comparison for == != and 'in'/'not in' substring tests; < <= > >= ~= === on strings
//     that are not versions are false (packaging raises; tufget treats it as not matching and
//     records nothing);
//   - `extra` compares PEP 503-normalised names on both sides ("extra == 'Foo_Bar'" matches
//     extra "foo-bar");
//   - an `extra` marker evaluated with no extra in the environment compares against "".
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
  // without a real interpreter, and for tests).
  static MarkerEnvironment cpython_linux(std::string_view python_full_version);
};

// A parsed marker expression (immutable, cheap to copy: shares its tree).
class Marker {
 public:
  // Parses the text after ';' in a requirement (without the ';'). Errors are invalid_marker
  // naming the marker text and the position/what was expected.
  static Result<Marker> parse(std::string_view text);

  // Evaluates with `extras` as the set of extras being considered (normalised or not). With no
  // extras, `extra == "x"` is false. With several, the marker is true when it is true for at
  // least one of them (how pip evaluates a dependency of "pkg[a,b]").
  bool evaluate(const MarkerEnvironment& env, const std::vector<std::string>& extras = {}) const;

  // True when the expression mentions the variable `extra` anywhere.
  bool mentions_extra() const;

  // Normalised text as `packaging` prints it: 'python_version >= "3.8" and extra == "test"'
  // (double quotes, single spaces, legacy names mapped, parentheses kept where written).
  std::string str() const;

  struct Node;  // implementation detail

 private:
  std::shared_ptr<const Node> root_;
};

}  // namespace pkg
