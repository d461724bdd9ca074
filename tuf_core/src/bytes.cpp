// Table-driven hex encoding and decoding.
#include "tuf/bytes.h"

#include <array>

namespace tuf {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// Nibble value of each byte, or -1 for a non-hex character.
constexpr std::array<std::int8_t, 256> kNibble = [] {
  std::array<std::int8_t, 256> t{};
  t.fill(-1);
  for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<std::int8_t>(i);
  for (int i = 0; i < 6; ++i) {
    t['a' + i] = static_cast<std::int8_t>(10 + i);
    t['A' + i] = static_cast<std::int8_t>(10 + i);
  }
  return t;
}();

// Decodes exactly out_len bytes from 2*out_len hex characters; false on a non-hex character.
template <class Byte>
bool decode(const char* hex, Byte* out, std::size_t out_len) {
  for (std::size_t i = 0; i < out_len; ++i) {
    const int hi = kNibble[static_cast<unsigned char>(hex[2 * i])];
    const int lo = kNibble[static_cast<unsigned char>(hex[2 * i + 1])];
    if ((hi | lo) < 0) return false;
    out[i] = static_cast<Byte>((hi << 4) | lo);
  }
  return true;
}

}  // namespace

std::string to_hex(Bytes b) {
  std::string out(b.size() * 2, '\0');
  char* p = out.data();
  for (std::uint8_t c : b) {
    *p++ = kHexDigits[c >> 4];
    *p++ = kHexDigits[c & 0x0f];
  }
  return out;
}

bool from_hex(std::string_view hex, std::string& out) {
  if (hex.size() % 2 != 0) {
    out.clear();
    return false;
  }
  out.resize(hex.size() / 2);
  if (!decode(hex.data(), out.data(), out.size())) {
    out.clear();
    return false;
  }
  return true;
}

bool from_hex_exact(std::string_view hex, std::span<std::uint8_t> out) {
  if (hex.size() != out.size() * 2) return false;
  return decode(hex.data(), out.data(), out.size());
}

}  // namespace tuf
