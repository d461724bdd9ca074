// TUF "Date-time" values: seconds since the Unix epoch (UTC) and their one text form.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tuf/error.h"

namespace tuf {

// Seconds since the Unix epoch (UTC).
using Timestamp = std::int64_t;

// "2030-01-01T00:00:00Z" <-> seconds. Parsing accepts exactly that shape (TUF "Date-time").
Result<Timestamp> parse_datetime(std::string_view text);
std::string format_datetime(Timestamp t);

}  // namespace tuf
