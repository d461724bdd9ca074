// Download progress (see progress.h).
#include "progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

namespace tufget {

Progress::Progress(bool live) : live_(live) {}

Progress::~Progress() { clear(); }

bool Progress::stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

std::size_t Progress::start(std::string label) {
  transfers_.push_back(Transfer{std::move(label), 0, true});
  redraw(true);
  return transfers_.size() - 1;
}

void Progress::advance(std::size_t handle, std::uint64_t bytes) {
  if (handle >= transfers_.size()) return;
  transfers_[handle].bytes += bytes;
  total_bytes_ += bytes;
  redraw(false);
}

void Progress::finish(std::size_t handle) {
  if (handle >= transfers_.size()) return;
  transfers_[handle].active = false;
  redraw(true);
}

void Progress::line(std::FILE* out, const std::string& text) {
  clear();
  std::fprintf(out, "%s\n", text.c_str());
  std::fflush(out);
  redraw(true);
}

void Progress::clear() {
  if (!shown_) return;
  std::fputs("\r\x1b[K", stderr);
  std::fflush(stderr);
  shown_ = false;
}

void Progress::redraw(bool force) {
  if (!live_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  std::size_t active = 0, done = 0;
  std::string names;
  for (const Transfer& t : transfers_) {
    if (!t.active) {
      ++done;
      continue;
    }
    ++active;
    names += (names.empty() ? "" : ", ") + t.label + " " + human_bytes(t.bytes);
  }
  if (active == 0) {
    clear();
    return;
  }
  std::string text = "downloading " + std::to_string(done) + "/" +
                     std::to_string(transfers_.size()) + " done, " + human_bytes(total_bytes_) +
                     ": " + names;
  std::size_t width = 80;
  winsize ws{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10) width = ws.ws_col;
  if (text.size() > width - 1) text = text.substr(0, width - 4) + "...";
  std::fprintf(stderr, "\r\x1b[K%s", text.c_str());
  std::fflush(stderr);
  shown_ = true;
}

std::string human_bytes(std::uint64_t bytes) {
  static const char* const kUnits[] = {"B", "kB", "MB", "GB", "TB"};
  if (bytes < 1000) return std::to_string(bytes) + " B";
  double v = static_cast<double>(bytes);
  int unit = 0;
  while (v >= 1000 && unit < 4) {
    v /= 1000;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[unit]);
  return buf;
}

}  // namespace tufget
