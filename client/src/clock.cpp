#include "client/clock.h"

#include <chrono>

namespace tufget {

tuf::Timestamp wall_clock_now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace tufget
