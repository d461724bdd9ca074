// Fault injection for tests (fsutil/fault.h).
#include "fsutil/fault.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "fsutil/interrupt.h"

namespace fsutil {

bool faults_enabled() { return std::getenv("TUFGET_TEST_FAULT") != nullptr; }

int fault_at(std::string_view point) {
  const char* spec = std::getenv("TUFGET_TEST_FAULT");
  if (spec == nullptr) return 0;
  const std::string_view s = spec;
  const std::size_t colon = s.find(':');
  if (colon == std::string_view::npos || s.substr(colon + 1) != point) return 0;
  const std::string_view action = s.substr(0, colon);
  if (action == "kill") ::kill(::getpid(), SIGKILL);
  const int sig = action == "interrupt" ? SIGINT : action == "term" ? SIGTERM : action == "hup" ? SIGHUP : 0;
  if (sig != 0) {
    ::kill(::getpid(), sig);
    for (int i = 0; i < 2000 && !interrupt::requested(); ++i) ::usleep(1000);
  }
  return action == "fail" ? EIO : 0;
}

}  // namespace fsutil
