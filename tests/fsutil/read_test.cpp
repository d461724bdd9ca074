// fsutil::read_regular_file: the one bounded reader of local files.
#include "fsutil/read.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>

#include "fsutil/temp_dir.h"

namespace {

namespace fs = std::filesystem;
using fsutil::Links;

struct Files {
  fsutil::OwnedTempDir owned = *fsutil::OwnedTempDir::create(fs::temp_directory_path(), "tufget-read-");
  fs::path dir = owned.path();
  fs::path file = dir / "file";
  fs::path link = dir / "link";
  Files() {
    std::ofstream(file, std::ios::binary) << "0123456789";
    fs::create_symlink(file, link);
  }
};

}  // namespace

TEST_CASE("read_regular_file: the cap, and what is not a regular file, by errno",
          "[fsutil][read]") {
  Files f;
  struct Case {
    fs::path path;
    std::uint64_t cap;
    Links links;
    int error;  // 0: reads "0123456789"
  };
  const fs::path fifo = f.dir / "fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const Case cases[] = {
      {f.file, 10, Links::refuse, 0},
      {f.file, 9, Links::refuse, EFBIG},
      {f.link, 10, Links::refuse, ELOOP},   // tufget's own files: a link is refused
      {f.link, 10, Links::follow, 0},       // the user's files (requirements, --root): followed
      {f.dir, 10, Links::follow, EISDIR},
      {fifo, 10, Links::follow, EINVAL},    // refused without waiting for a writer
      {f.dir / "absent", 10, Links::follow, ENOENT},
  };
  for (const Case& c : cases) {
    INFO(c.path << " cap " << c.cap);
    auto r = fsutil::read_regular_file(c.path, c.cap, c.links);
    if (c.error == 0) {
      REQUIRE(r.has_value());
      CHECK(*r == "0123456789");
    } else {
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error() == c.error);
    }
  }
}
