// Errors as values for the TUF core.
//
// Every fallible core function returns tuf::Result<T> (std::expected<T, Error>). An Error names
// the rule that failed (code), the role it concerns, a human sentence (detail) and, where it
// applies, what was expected and what was found. Codes are named after the TUF specification.
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace tuf {

enum class Errc {
  // Metadata verification (TUF specification section 5).
  unsigned_metadata,        // signature threshold not met
  bad_version_number,       // rollback, or a version that does not match a listing
  equal_version_number,     // same version as trusted: nothing changed (not an attack)
  expired_metadata,         // freeze attack defence
  length_or_hash_mismatch,  // mix-and-match / arbitrary software defence
  invalid_metadata,         // malformed JSON or a schema violation
  repository_error,         // anything else the repository did wrong (wrong type, ...)
  target_not_found,         // no trusted metadata names the target
  // Transport (reported by the I/O layer through Updater::fail).
  not_found,
  too_large,
  transport,
  // The caller used the API wrongly (unknown request id, action in wrong state, ...).
  usage,
  // The core itself failed: out of memory, or a bug (an exception inside the workflow).
  internal,
};

std::string_view to_string(Errc code);

// Whether an error is the repository's doing (its metadata or targets were refused, or it
// does not list what was asked), as opposed to the network's (not_found, too_large,
// transport), the caller's (usage) or the core's (internal). A client may fall back to another
// mirror on a network error, but a repository error is what TUF exists to catch.
constexpr bool is_repository_fault(Errc code) {
  switch (code) {
    case Errc::unsigned_metadata:
    case Errc::bad_version_number:
    case Errc::equal_version_number:
    case Errc::expired_metadata:
    case Errc::length_or_hash_mismatch:
    case Errc::invalid_metadata:
    case Errc::repository_error:
    case Errc::target_not_found:
      return true;
    default:
      return false;
  }
}

struct Error {
  Errc code = Errc::usage;
  std::string role;      // role the error concerns, may be empty
  std::string detail;    // what went wrong, in a sentence
  std::string expected;  // optional: what the rule required
  std::string got;       // optional: what was found

  // "<code>: <role>: <detail> (expected X, got Y)"
  std::string message() const;
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(Errc code, std::string role, std::string detail,
                                   std::string expected = {}, std::string got = {}) {
  return std::unexpected<Error>(Error{code, std::move(role), std::move(detail),
                                      std::move(expected), std::move(got)});
}

}  // namespace tuf
