// Fault injection for the crash and interrupt tests; nothing else sets TUFGET_TEST_FAULT.
//
// TUFGET_TEST_FAULT=ACTION:POINT. At the named point, ACTION "kill" ends the process with
// SIGKILL (a crash), "interrupt", "term" and "hup" send it a real SIGINT, SIGTERM or SIGHUP and
// wait until the handler has seen it (fsutil/interrupt.h), and "fail" makes fault_at() return EIO for the caller to fail with.
// Points: "download" (the first bytes of a download written to its staging file), "stage" (an
// install's first staging folder recorded), "N" (step N of a commit, counted from 1, is about to
// be done; one more than the steps: all done, the commit mark not yet written), "commit" (the
// commit mark synced).
#pragma once

#include <string_view>

namespace fsutil {

// 0, or EIO for a "fail" at `point`.
int fault_at(std::string_view point);
// Whether TUFGET_TEST_FAULT is set at all (to skip formatting points in hot loops).
bool faults_enabled();

}  // namespace fsutil
