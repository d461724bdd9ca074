// Ctrl-C, SIGTERM and SIGHUP: stop promptly, remove this run's temporary files, say what happened.
//
// install() sets handlers that only write the signal number to a pipe; a watcher thread acts on
// the first signal:
//   - outside a critical section it removes every tracked path (staging folders, partial
//     downloads), prints "tufget: interrupted; <outcome>" and ends the process with 128 + the
//     signal number (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP). It holds the registry's
//     mutex from the decision to the exit, so no critical section starts and no path is tracked
//     after it;
//   - inside a critical section (an environment transaction's renames and rollback) it only
//     records the signal: the code there checks requested() between steps, undoes what it did and
//     returns; main() then prints the outcome and exits with exit_code(). Further signals are
//     ignored while a rollback runs, as it is what makes the environment whole again.
// A kill -9 cannot be caught: what it leaves behind is found by the next run (journals, swept
// staging folders, fsutil::sweep_abandoned).
#pragma once

#include <filesystem>
#include <string>

namespace fsutil::interrupt {

// Sets the handlers and starts the watcher (idempotent). Called by main().
void install();

// The first signal received (0: none).
int received();
bool requested();
// 128 + the signal (0 when none was received).
int exit_code();

// What the watcher or main() prints after "tufget: interrupted; " (default: "stopped").
void set_outcome(std::string outcome);
std::string outcome();

// Paths (files or directory trees) that exist only for this run: removed when the process is
// interrupted outside a critical section. untrack() once they are gone or handed over.
void track(const std::filesystem::path& path);
void untrack(const std::filesystem::path& path);

// A folder removed, when it is empty, after the tracked paths (a lock's own folder).
void track_folder(const std::filesystem::path& path);
void untrack_folder(const std::filesystem::path& path);

// track() for as long as it lives.
class TrackedPath {
 public:
  explicit TrackedPath(std::filesystem::path path) : path_(std::move(path)) { track(path_); }
  ~TrackedPath() { untrack(path_); }
  TrackedPath(const TrackedPath&) = delete;
  TrackedPath& operator=(const TrackedPath&) = delete;

 private:
  std::filesystem::path path_;
};

// While one lives, an interrupt only sets requested(): see the top of this file.
class Critical {
 public:
  Critical();
  ~Critical();
  Critical(const Critical&) = delete;
  Critical& operator=(const Critical&) = delete;
};

}  // namespace fsutil::interrupt
