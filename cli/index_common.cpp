// Helpers of the local index: names, hashes, bins, files, escaping.
#include "index_common.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "tuf/hash.h"

namespace tufget::index {

namespace fs = std::filesystem;


namespace {
bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_sep(char c) { return c == '-' || c == '_' || c == '.'; }
}  // namespace

std::string normalize_project_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  bool in_run = false;
  for (char c : name) {
    if (is_sep(c)) {
      if (!in_run) out.push_back('-');
      in_run = true;
      continue;
    }
    in_run = false;
    out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

bool is_valid_project_name(std::string_view name) {
  if (name.empty() || !is_alnum(name.front()) || !is_alnum(name.back())) return false;
  for (char c : name)
    if (!is_alnum(c) && !is_sep(c)) return false;
  return true;
}

bool is_normalized_project_name(std::string_view name) {
  if (!is_valid_project_name(name)) return false;
  char prev = 0;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') return false;
    if (c == '.' || c == '_') return false;
    if (c == '-' && prev == '-') return false;
    prev = c;
  }
  return true;
}

bool is_lower_hex(std::string_view s, std::size_t length) {
  if (s.size() != length) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string blake2b_256_hex(tuf::Bytes data) {
  return tuf::digest_hex(tuf::HashAlg::blake2b_256, data);
}
std::string sha256_hex(tuf::Bytes data) { return tuf::digest_hex(tuf::HashAlg::sha256, data); }

std::uint32_t bin_index_for_path(std::string_view target_path, unsigned bit_length) {
  const std::string hex = sha256_hex(tuf::as_bytes(target_path));
  const std::uint32_t prefix = static_cast<std::uint32_t>(std::stoul(hex.substr(0, 8), nullptr, 16));
  return bit_length == 0 ? 0 : prefix >> (32 - bit_length);
}

std::string bin_role_name(std::uint32_t index, unsigned bit_length) {
  const std::uint32_t largest = (bit_length >= 32) ? 0xffffffffu : (1u << bit_length) - 1;
  int width = 1;
  for (std::uint32_t v = largest; v >= 16; v >>= 4) ++width;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%0*x", width, index);
  return std::string("bins-") + buf;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw IndexError("cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw IndexError("error reading " + p.string());
  return std::move(ss).str();
}

void atomic_write_file(const fs::path& p, std::string_view data, unsigned mode, bool durable) {
  static std::atomic<unsigned> counter{0};
  const fs::path tmp = p.parent_path() / ("." + p.filename().string() + ".tmp." +
                                          std::to_string(::getpid()) + "." +
                                          std::to_string(counter++));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) throw IndexError("cannot create " + tmp.string() + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw IndexError("cannot write " + tmp.string() + ": " + std::strerror(e));
    }
    done += static_cast<std::size_t>(n);
  }
  // open() applied the umask; the caller's mode (e.g. 0600 for keys) is what it asked for.
  ::fchmod(fd, mode);
  if ((durable && ::fsync(fd) != 0) || ::close(fd) != 0 || ::rename(tmp.c_str(), p.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    throw IndexError("cannot write " + p.string() + ": " + std::strerror(e));
  }
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#x27;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string url_escape_segment(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (is_alnum(static_cast<char>(c)) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string json_string(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace tufget::index
