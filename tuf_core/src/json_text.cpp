// The JSON string escaper (tuf/json_text.h).
#include "tuf/json_text.h"

namespace tuf {
namespace {

// Appends `c` escaped if it is a control character; false (nothing appended) otherwise.
bool append_control(std::string& out, unsigned char c) {
  if (c >= 0x20) return false;
  switch (c) {
    case '\b': out += "\\b"; break;
    case '\f': out += "\\f"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return true;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (!append_control(out, static_cast<unsigned char>(c))) {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

std::string json_string(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  append_json_string(out, s);
  return out;
}

void append_json_text(std::string& out, std::string_view canonical) {
  out.reserve(out.size() + canonical.size());
  for (const char c : canonical)
    if (!append_control(out, static_cast<unsigned char>(c))) out.push_back(c);
}

}  // namespace tuf
