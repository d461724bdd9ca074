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
};

std::string_view to_string(Errc code);

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
