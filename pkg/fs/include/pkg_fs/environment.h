// One writer per environment, and what a crashed or interrupted writer left behind.
//
// Every change to an environment (install, upgrade, uninstall) is a transaction with a journal in
// <prefix>/.tufget/journal (see Transaction in install_detail.h), made while holding the
// exclusive lock <prefix>/.tufget/lock. The next run that locks the environment finds a journal
// left by a crash and, before anything else:
//   - a transaction whose plan was complete but not committed is undone, newest step first, each
//     step judged by what is on disk (the environment ends as before);
//   - a committed one is finished (the environment ends as after): its staging folders and the
//     directories it emptied are removed;
//   - one that never got to its plan had changed nothing: its staging folders are removed.
// Then any ".tufget-staging-*" folder left in the environment's scheme directories is removed
// (only a lock holder creates them, so they are all leftovers).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "fsutil/lock.h"
#include "pkg/error.h"
#include "pkg_fs/interpreter.h"

namespace pkg_fs {

// <prefix>/.tufget: the environment's lock and transaction journal.
std::filesystem::path state_dir(const std::filesystem::path& prefix);

struct LockedEnvironment {
  fsutil::FileLock lock;
  std::vector<std::string> recovered;  // what recovery did, one sentence each
};

// Takes the environment's lock (waiting as `wait` says; `holder` names this run in the lock
// file), then recovers. Errors: io (the lock cannot be taken, or times out: the detail names the
// holding process), or recovery's.
pkg::Result<LockedEnvironment> lock_environment(const std::filesystem::path& prefix, const Scheme& scheme,
                                                const std::string& holder, const fsutil::LockWait& wait);

// Recovery alone (the caller holds the lock). Returns what was done; an undo that cannot be
// completed is an io error naming what could not be restored (the journal stays for a retry).
pkg::Result<std::vector<std::string>> recover_environment(const std::filesystem::path& prefix,
                                                          const Scheme& scheme);

}  // namespace pkg_fs
