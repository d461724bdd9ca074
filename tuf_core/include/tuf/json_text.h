// Writing JSON text: the one JSON string escaper of the project.
//
// Canonical JSON (tuf/metadata.h, canonicalize_json) writes strings with only '"' and '\\'
// escaped, so control characters stay raw (a PEM public key's newlines), which JSON forbids.
// These functions write valid JSON: control characters become \b \f \n \r \t or \u00XX.
#pragma once

#include <string>
#include <string_view>

namespace tuf {

// Appends `s` as a JSON string literal (quotes included), escaping '"', '\\' and control
// characters. Other bytes (UTF-8) are copied as they are.
void append_json_string(std::string& out, std::string_view s);
std::string json_string(std::string_view s);

// Appends canonical JSON text with its control characters escaped. Canonical JSON has no
// whitespace, so control characters occur only inside strings: the result is a valid JSON
// document that parses back to the same values (and so has the same canonical form).
void append_json_text(std::string& out, std::string_view canonical);

}  // namespace tuf
