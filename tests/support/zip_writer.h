// The tests' one zip writer: archives of stored (uncompressed) members, "made by" Unix with each
// member's mode, UTF-8 names, every timestamp 1980-01-01, so a test controls names, modes and
// bytes exactly (including names and RECORDs a real tool would refuse to write). A member may
// also be given as a raw deflate stream with the CRC-32 and size its headers declare (true or not).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace test_zip {

struct ZipEntry {
  std::string name;
  std::string data;
  std::uint32_t mode = 0100644;  // Unix mode, stored in the high 16 bits of external_attr
  // deflated: `data` is a raw deflate stream; both headers declare `crc` and `size` for it.
  bool deflated = false;
  std::uint32_t crc = 0;
  std::uint32_t size = 0;
};

inline std::uint32_t crc32(std::string_view data) {
  std::uint32_t crc = ~0u;
  for (unsigned char byte : data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1u) ? (crc >> 1) ^ 0xedb88320u : crc >> 1;
  }
  return ~crc;
}

inline void put_le(std::string& out, std::uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

inline std::string stored_zip(const std::vector<ZipEntry>& entries) {
  std::string body, directory;
  for (const ZipEntry& e : entries) {
    const auto offset = static_cast<std::uint32_t>(body.size());
    const std::uint32_t crc = e.deflated ? e.crc : crc32(e.data);
    const auto stored = static_cast<std::uint32_t>(e.data.size());
    const std::uint32_t size = e.deflated ? e.size : stored;
    const std::uint32_t method = e.deflated ? 8 : 0;
    const auto name_len = static_cast<std::uint32_t>(e.name.size());
    put_le(body, 0x04034b50, 4);  // local file header
    put_le(body, 20, 2);          // version needed
    put_le(body, 0x0800, 2);      // flags: UTF-8 name
    put_le(body, method, 2);      // 0 stored, 8 deflated
    put_le(body, 0, 2);           // time
    put_le(body, 0x21, 2);        // date: 1980-01-01
    put_le(body, crc, 4);
    put_le(body, stored, 4);
    put_le(body, size, 4);
    put_le(body, name_len, 2);
    put_le(body, 0, 2);
    body += e.name;
    body += e.data;
    put_le(directory, 0x02014b50, 4);  // central directory entry
    put_le(directory, (3u << 8) | 20u, 2);  // made by: Unix, zip 2.0
    put_le(directory, 20, 2);
    put_le(directory, 0x0800, 2);
    put_le(directory, method, 2);
    put_le(directory, 0, 2);
    put_le(directory, 0x21, 2);
    put_le(directory, crc, 4);
    put_le(directory, stored, 4);
    put_le(directory, size, 4);
    put_le(directory, name_len, 2);
    put_le(directory, 0, 2);  // extra
    put_le(directory, 0, 2);  // comment
    put_le(directory, 0, 2);  // disk
    put_le(directory, 0, 2);  // internal attributes
    put_le(directory, (e.mode << 16) | ((e.mode & 0170000) == 0040000 ? 0x10u : 0u), 4);
    put_le(directory, offset, 4);
    directory += e.name;
  }
  const auto dir_offset = static_cast<std::uint32_t>(body.size());
  std::string out = body + directory;
  put_le(out, 0x06054b50, 4);  // end of central directory
  put_le(out, 0, 2);
  put_le(out, 0, 2);
  put_le(out, static_cast<std::uint32_t>(entries.size()), 2);
  put_le(out, static_cast<std::uint32_t>(entries.size()), 2);
  put_le(out, static_cast<std::uint32_t>(directory.size()), 4);
  put_le(out, dir_offset, 4);
  put_le(out, 0, 2);
  return out;
}

}  // namespace test_zip
