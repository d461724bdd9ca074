// What `tufget install -r/-c` and `tufget lock -r/-c` accept as requirements files
// (cli/install_common.cpp's loader, pkg/requirements_file's limits): regular files only, opened
// without blocking, 16 MiB each and 64 MiB in all, and error messages that show at most 200
// bytes of a line and nothing of a file that is not a requirements file. The real binary, no
// index needed: every case fails while the requirements are read.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <chrono>

#include "install_fixture.h"

using namespace install_test;

namespace {

struct Result {
  Proc proc;
  double seconds = 0;
};

// `tufget COMMAND args...` in `dir` with its own client folders, killed after 30 s so that a
// read that blocks fails the test instead of hanging it.
Result tufget(const TempDir& dir, const std::string& command, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"timeout", "-s", "KILL", "30", TUFGET_BINARY, command};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto t0 = std::chrono::steady_clock::now();
  Result r;
  r.proc = run_process(argv, client_env(dir.path), dir.path);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

// A usage error (exit 2) printed as "tufget: error: ..." with a hint, holding `words`, in plain
// words (no internal code names).
void check_refused(const Result& r, const std::vector<std::string>& words) {
  INFO(r.proc.all());
  CHECK(r.proc.status == 2);
  CHECK(r.seconds < 20);
  CHECK(r.proc.err.starts_with("tufget: error: "));
  for (const auto& w : words) CHECK_THAT(r.proc.err, Catch::Contains(w));
  for (const char* code : {"io:", "invalid_requirement", "unsupported:"}) {
    CHECK_THAT(r.proc.err, !Catch::Contains(code));
  }
}

void write_repeated(const fs::path& p, const std::string& head, std::size_t bytes) {
  std::string text = head;
  text.append(bytes, '#');
  write(p, text);
}

}  // namespace

TEST_CASE("install -r /dev/zero is refused at once: not a regular file", "[cli][reqinput]") {
  TempDir dir;
  for (const char* command : {"install", "lock"}) {
    const Result r = tufget(dir, command, {"-r", "/dev/zero"});
    check_refused(r, {"/dev/zero", "a character device, not a regular file", "\nhint: "});
    CHECK(r.seconds < 5);
  }
  // Through -c, and included from a file.
  write(dir.path / "reqs.txt", "a==1\n-c /dev/zero\n");
  check_refused(tufget(dir, "install", {"-r", "reqs.txt"}), {"reqs.txt:2: --constraint /dev/zero: ", "character device"});
  check_refused(tufget(dir, "install", {"a", "-c", "/dev/zero"}), {"character device"});
}

TEST_CASE("install -r of a FIFO is refused without waiting for a writer", "[cli][reqinput]") {
  TempDir dir;
  const fs::path fifo = dir.path / "pipe.txt";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  check_refused(tufget(dir, "install", {"-r", fifo.string()}), {"pipe.txt", "a named pipe (FIFO), not a regular file"});
  check_refused(tufget(dir, "lock", {"a", "-c", fifo.string()}), {"named pipe"});
  write(dir.path / "reqs.txt", "a==1\n-r pipe.txt\n");
  check_refused(tufget(dir, "install", {"-r", "reqs.txt"}), {"reqs.txt:2: --requirement pipe.txt: ", "named pipe"});
  // A directory is no requirements file either.
  fs::create_directory(dir.path / "adir");
  check_refused(tufget(dir, "install", {"-r", "adir"}), {"a directory, not a regular file"});
}

TEST_CASE("a requirements file over 16 MiB is refused", "[cli][reqinput]") {
  TempDir dir;
  write_repeated(dir.path / "big.txt", "a==1\n", std::size_t{20} << 20);
  check_refused(tufget(dir, "install", {"-r", "big.txt"}), {"big.txt", "larger than 16 MiB"});
  write(dir.path / "top.txt", "a==1\n-r big.txt\n");
  check_refused(tufget(dir, "install", {"-r", "top.txt"}), {"top.txt:2: --requirement big.txt: ", "larger than 16 MiB"});
}

TEST_CASE("requirements files past 64 MiB in all are refused, includes counted", "[cli][reqinput]") {
  TempDir dir;
  const std::size_t part = std::size_t{13} << 20;  // five of them: 65 MiB, each under 16 MiB
  write_repeated(dir.path / "f1.txt", "-r f2.txt\n", part);
  write_repeated(dir.path / "f2.txt", "-r f3.txt\n", part);
  write_repeated(dir.path / "f3.txt", "-c f4.txt\n", part);
  write_repeated(dir.path / "f4.txt", "-r f5.txt\n", part);
  write_repeated(dir.path / "f5.txt", "a==1\n", part);
  write(dir.path / "top.txt", "a==1\n-r f1.txt\n");
  check_refused(tufget(dir, "install", {"-r", "top.txt"}), {"f4.txt:1: ", "past 64 MiB in all"});
  // Several -r on the command line share the limit.
  check_refused(tufget(dir, "install", {"-r", "f2.txt", "-r", "f5.txt", "-r", "f5.txt"}), {"past 64 MiB in all"});
}

TEST_CASE("install -r - (standard input) is refused", "[cli][reqinput]") {
  TempDir dir;
  check_refused(tufget(dir, "install", {"-r", "-"}), {"standard input"});
}

TEST_CASE("a file that is not a requirements file is never quoted", "[cli][reqinput]") {
  TempDir dir;
  write(dir.path / "passwd", "root:x:0:0:SECRET GECOS,,,:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n");
  write(dir.path / "id_ed25519",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n");
  write(dir.path / "blob", std::string("SECRET") + '\0' + "\x01\x02" + "binary");
  write(dir.path / "latin1", "foo==1\nSECRET caf\xe9\n");
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"passwd", "SECRET", "passwd:1: this does not look like a requirements file"},
      {"id_ed25519", "b3BlbnNz", "id_ed25519:1: this does not look like a requirements file"},
      {"blob", "SECRET", "blob is not a requirements file (line 1 holds binary data)"},
      {"latin1", "SECRET", "latin1 is not a requirements file (line 2 holds binary data)"},
  };
  for (const auto& [file, secret, words] : cases) {
    const Result r = tufget(dir, "install", {"-r", file});
    check_refused(r, {words, "\nhint: "});
    CHECK_THAT(r.proc.err, !Catch::Contains(secret));
    CHECK_THAT(r.proc.err, !Catch::Contains("BEGIN OPENSSH"));
  }
}

TEST_CASE("an error quotes at most 200 bytes of a long line", "[cli][reqinput]") {
  TempDir dir;
  write(dir.path / "reqs.txt", "a==1\nfoo==1 --hash=sha256:" + std::string(1 << 20, 'f') + "\n");
  const Result r = tufget(dir, "install", {"-r", "reqs.txt"});
  check_refused(r, {"reqs.txt:2: 'foo==1 --hash=sha256:fff", "...': ", "64 lowercase hex digits"});
  CHECK(r.proc.err.size() < 1500);
}
