// Signals turned into a prompt, clean stop (fsutil/interrupt.h).
#include "fsutil/interrupt.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <set>
#include <thread>

#include "fsutil/temp_dir.h"

namespace fsutil::interrupt {

namespace {

struct Registry {
  std::mutex mutex;
  std::set<std::filesystem::path> tracked;
  std::set<std::filesystem::path> folders;  // removed when empty, after the tracked paths
  int critical = 0;
  std::string outcome = "stopped";
};

Registry& registry() {
  static Registry* r = new Registry;  // never destroyed: the watcher may use it during exit
  return *r;
}

std::atomic<int> g_signal{0};
int g_pipe[2] = {-1, -1};

extern "C" void on_signal(int sig) {
  const int saved = errno;
  const unsigned char b = static_cast<unsigned char>(sig);
  [[maybe_unused]] const ssize_t n = ::write(g_pipe[1], &b, 1);
  errno = saved;
}

void write_stderr(const std::string& text) {
  std::string_view rest = text;
  while (!rest.empty()) {
    const ssize_t n = ::write(STDERR_FILENO, rest.data(), rest.size());
    if (n <= 0) break;
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
}

// A tracked folder is renamed first: the main thread, which may still be writing into it, then
// fails to create anything more there, and what it had created is removed with the folder.
void remove_now(const std::filesystem::path& p) {
  const std::filesystem::path gone = p.string() + ".interrupted";
  if (::renameat2(AT_FDCWD, p.c_str(), AT_FDCWD, gone.c_str(), RENAME_NOREPLACE) == 0) remove_tree(gone);
  else remove_tree(p);
}

void act_on(int sig) {
  Registry& r = registry();
  std::unique_lock lock(r.mutex);
  int expected = 0;
  if (!g_signal.compare_exchange_strong(expected, sig)) return;  // only the first signal counts
  if (r.critical > 0) return;  // the transaction sees requested() and rolls back
  for (const auto& p : r.tracked) remove_now(p);
  for (auto it = r.folders.rbegin(); it != r.folders.rend(); ++it) ::rmdir(it->c_str());
  write_stderr("tufget: interrupted; " + r.outcome + "\n");
  ::_exit(128 + sig);  // with the mutex held: nothing starts after the decision
}

void watch() {
  while (true) {
    unsigned char b = 0;
    const ssize_t n = ::read(g_pipe[0], &b, 1);
    if (n == 1) act_on(b);
    else if (n < 0 && errno == EINTR) continue;
    else return;
  }
}

}  // namespace

void install() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (::pipe2(g_pipe, O_CLOEXEC) != 0) return;
    std::thread(watch).detach();
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &sa, nullptr);
  });
}

int received() { return g_signal.load(); }
bool requested() { return g_signal.load() != 0; }
int exit_code() { return received() == 0 ? 0 : 128 + received(); }

void set_outcome(std::string text) {
  std::lock_guard lock(registry().mutex);
  registry().outcome = std::move(text);
}

std::string outcome() {
  std::lock_guard lock(registry().mutex);
  return registry().outcome;
}

void track(const std::filesystem::path& path) {
  std::lock_guard lock(registry().mutex);
  registry().tracked.insert(path);
}

void untrack(const std::filesystem::path& path) {
  std::lock_guard lock(registry().mutex);
  registry().tracked.erase(path);
}

void track_folder(const std::filesystem::path& path) {
  std::lock_guard lock(registry().mutex);
  registry().folders.insert(path);
}

void untrack_folder(const std::filesystem::path& path) {
  std::lock_guard lock(registry().mutex);
  registry().folders.erase(path);
}

Critical::Critical() {
  std::lock_guard lock(registry().mutex);
  ++registry().critical;
}

Critical::~Critical() {
  std::lock_guard lock(registry().mutex);
  --registry().critical;
}

}  // namespace fsutil::interrupt
