// Error codes as text and the one-line error message.
#include "tuf/error.h"

namespace tuf {

std::string_view to_string(Errc code) {
  switch (code) {
    case Errc::unsigned_metadata: return "unsigned_metadata";
    case Errc::bad_version_number: return "bad_version_number";
    case Errc::equal_version_number: return "equal_version_number";
    case Errc::expired_metadata: return "expired_metadata";
    case Errc::length_or_hash_mismatch: return "length_or_hash_mismatch";
    case Errc::invalid_metadata: return "invalid_metadata";
    case Errc::repository_error: return "repository_error";
    case Errc::target_not_found: return "target_not_found";
    case Errc::not_found: return "not_found";
    case Errc::too_large: return "too_large";
    case Errc::transport: return "transport";
    case Errc::usage: return "usage";
    case Errc::internal: return "internal";
  }
  return "unknown_error";
}

// "<code>: <role>: <detail> (expected X, got Y)"; empty role/detail are left out, and the
// parenthesis names only what is set.
std::string Error::message() const {
  std::string out(to_string(code));
  if (!role.empty()) out.append(": ").append(role);
  if (!detail.empty()) out.append(": ").append(detail);
  if (!expected.empty() || !got.empty()) {
    out.append(" (");
    if (!expected.empty()) out.append("expected ").append(expected);
    if (!expected.empty() && !got.empty()) out.append(", ");
    if (!got.empty()) out.append("got ").append(got);
    out.push_back(')');
  }
  return out;
}

}  // namespace tuf
