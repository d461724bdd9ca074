// Project names: PEP 503 normalisation and PEP 508 validity.
#pragma once

#include <string>
#include <string_view>

namespace pkg {

// PEP 503 normalised form: ASCII-lowercased, every run of '-', '_' and '.' replaced by a single
// '-'. Total: any input gives an output (validate with is_valid_project_name first when the
// input is untrusted). "Foo.Bar__baz" -> "foo-bar-baz".
std::string normalize_name(std::string_view name);

// PEP 508 name: ASCII letters and digits, with '.', '_' and '-' allowed only between them
// (regex ^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$, case-insensitive). Empty is invalid.
bool is_valid_project_name(std::string_view name);

// True when `name` is valid and already normalised (what TUF target paths and the local index
// use): lowercase letters and digits separated by single '-'.
bool is_normalized_name(std::string_view name);

}  // namespace pkg
