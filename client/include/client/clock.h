// The program's only wall-clock read. tuf_core never reads the clock: callers pass it this.
#pragma once

#include "tuf/metadata.h"

namespace tufget {

// Seconds since the epoch through the C library (std::chrono::system_clock), so that tests can
// shift it with faketime.
tuf::Timestamp wall_clock_now();

}  // namespace tufget
