#include "pkg/error.h"

namespace pkg {

std::string_view to_string(Errc code) {
  switch (code) {
    case Errc::invalid_name: return "invalid_name";
    case Errc::invalid_filename: return "invalid_filename";
    case Errc::invalid_version: return "invalid_version";
    case Errc::invalid_specifier: return "invalid_specifier";
    case Errc::invalid_page: return "invalid_page";
    case Errc::invalid_url: return "invalid_url";
    case Errc::unsupported: return "unsupported";
    case Errc::invalid_marker: return "invalid_marker";
    case Errc::invalid_requirement: return "invalid_requirement";
    case Errc::invalid_metadata: return "invalid_metadata";
    case Errc::invalid_wheel: return "invalid_wheel";
    case Errc::record_mismatch: return "record_mismatch";
    case Errc::unsafe_path: return "unsafe_path";
    case Errc::no_solution: return "no_solution";
    case Errc::io: return "io";
    case Errc::interrupted: return "interrupted";
  }
  return "unknown";
}

std::string Error::message() const {
  std::string out(to_string(code));
  out += ": ";
  if (!input.empty()) out += "'" + input + "': ";
  out += detail;
  return out;
}

std::unexpected<Error> fail(Errc code, std::string_view input, std::string detail) {
  constexpr std::size_t kMaxInput = 200;
  std::string shown(input.substr(0, kMaxInput));
  if (input.size() > kMaxInput) shown += "...";
  return std::unexpected<Error>(Error{code, std::move(shown), std::move(detail)});
}

}  // namespace pkg
