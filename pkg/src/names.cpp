#include "pkg/names.h"

namespace pkg {
namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_separator(char c) { return c == '-' || c == '_' || c == '.'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string normalize_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (is_separator(name[i])) {
      while (i + 1 < name.size() && is_separator(name[i + 1])) ++i;
      out += '-';
    } else {
      out += lower(name[i]);
    }
  }
  return out;
}

bool is_valid_project_name(std::string_view name) {
  if (name.empty() || !is_alnum(name.front()) || !is_alnum(name.back())) return false;
  for (char c : name)
    if (!is_alnum(c) && !is_separator(c)) return false;
  return true;
}

bool is_normalized_name(std::string_view name) {
  if (!is_valid_project_name(name)) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if ((c >= 'A' && c <= 'Z') || c == '_' || c == '.') return false;
    if (c == '-' && name[i + 1] == '-') return false;  // name.back() is alnum: i+1 valid
  }
  return true;
}

}  // namespace pkg
