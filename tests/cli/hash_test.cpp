// cli/hash_cmd: `tufget hash FILE...` run as a program: pip's output shape, peep's form, several
// files, errors naming the file, exit status.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "pkg/requirements_file.h"
#include "pkg_fs/install_support.h"

namespace {

namespace fs = std::filesystem;

// FIPS 180-2 vectors.
const std::string kEmpty256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const std::string kAbc256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const std::string kAbc384 =
    "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7";
const std::string kAbc512 =
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
    "454d4423643ce80e2a9ac94fa54ca49f";

struct Output {
  int status = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// A scratch directory that is the working directory of the commands run in it.
struct Scratch {
  install_support::TempDir tmp;
  const fs::path& dir = tmp.path();
  void write(const std::string& name, const std::string& bytes) const { install_support::write_file(dir / name, bytes); }
  // Runs `cd DIR && [program] args...` with stdout and stderr kept apart.
  Output run(const std::vector<std::string>& args, const std::string& program = TUFGET_BINARY) const {
    std::string cmd = "cd " + quoted(dir.string()) + " && " + quoted(program);
    for (const auto& a : args) cmd += " " + quoted(a);
    cmd += " </dev/null 2>" + quoted((dir / ".stderr").string());
    Output r;
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    const int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r.err = install_support::read_file(dir / ".stderr");
    return r;
  }
};

}  // namespace

TEST_CASE("tufget hash prints pip's FILE:/--hash= form with known sha256 vectors", "[cli][hash]") {
  Scratch s;
  s.write("empty.bin", "");
  s.write("abc.txt", "abc");
  const Output r = s.run({"hash", "empty.bin", "abc.txt"});
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.out == "empty.bin:\n--hash=sha256:" + kEmpty256 + "\nabc.txt:\n--hash=sha256:" + kAbc256 + "\n");
  CHECK(r.err.empty());
}

TEST_CASE("tufget hash -a/--algorithm takes sha384 and sha512 and refuses others", "[cli][hash]") {
  Scratch s;
  s.write("abc.txt", "abc");
  CHECK(s.run({"hash", "-a", "sha384", "abc.txt"}).out == "abc.txt:\n--hash=sha384:" + kAbc384 + "\n");
  CHECK(s.run({"hash", "--algorithm", "sha512", "abc.txt"}).out == "abc.txt:\n--hash=sha512:" + kAbc512 + "\n");
  CHECK(s.run({"hash", "--algorithm=sha256", "abc.txt"}).out == "abc.txt:\n--hash=sha256:" + kAbc256 + "\n");
  for (const char* weak : {"md5", "sha1", "SHA256"}) {
    const Output r = s.run({"hash", "-a", weak, "abc.txt"});
    CHECK(r.status == 2);
    CHECK(r.out.empty());
  }
  CHECK(s.run({"hash"}).status == 2);  // no file
}

TEST_CASE("tufget hash --peep prints peep's comment, which round-trips with peep_to_hex", "[cli][hash]") {
  Scratch s;
  s.write("abc.txt", "abc");
  s.write("empty.bin", "");
  const Output r = s.run({"hash", "--peep", "abc.txt", "empty.bin"});
  REQUIRE(r.status == 0);
  CHECK(r.out == "# sha256: ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0\n"
                 "# sha256: 47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU\n");
  CHECK(pkg::peep_to_hex(r.out.substr(10, 43)) == kAbc256);
  // A peep line directly above a requirement gives it that hash.
  const auto f = pkg::parse_requirements_text(r.out.substr(0, r.out.find('\n') + 1) + "abc==1.0\n", "r.txt");
  REQUIRE(f);
  REQUIRE(f->requirements.size() == 1);
  CHECK(f->requirements[0].sha256 == std::vector<std::string>{kAbc256});
  const Output other = s.run({"hash", "--peep", "-a", "sha512", "abc.txt"});
  CHECK(other.status == 2);
  CHECK(other.out.empty());
}

TEST_CASE("tufget hash output after a requirement parses as its --hash", "[cli][hash]") {
  Scratch s;
  s.write("abc.txt", "abc");
  for (const char* alg : {"sha256", "sha512"}) {
    const Output r = s.run({"hash", "-a", alg, "abc.txt"});
    REQUIRE(r.status == 0);
    const std::string option = r.out.substr(r.out.find('\n') + 1);  // "--hash=ALG:HEX\n"
    const auto f = pkg::parse_requirements_text("abc==1.0 \\\n    " + option, "r.txt");
    INFO(option);
    REQUIRE(f);
    REQUIRE(f->requirements.size() == 1);
    if (std::string(alg) == "sha256") CHECK(f->requirements[0].sha256 == std::vector<std::string>{kAbc256});
    else CHECK(f->requirements[0].other_hashes.at("sha512") == std::vector<std::string>{kAbc512});
  }
}

TEST_CASE("tufget hash reports an unreadable file by name, hashes the others and exits 1", "[cli][hash]") {
  Scratch s;
  s.write("abc.txt", "abc");
  s.write("empty.bin", "");
  fs::create_directory(s.dir / "adir");
  const Output r = s.run({"hash", "abc.txt", "missing.whl", "adir", "empty.bin"});
  CHECK(r.status == 1);
  CHECK(r.out == "abc.txt:\n--hash=sha256:" + kAbc256 + "\nempty.bin:\n--hash=sha256:" + kEmpty256 + "\n");
  CHECK(r.err ==
        "tufget: error: missing.whl: No such file or directory\n"
        "tufget: error: adir: Is a directory\n");
}

TEST_CASE("tufget hash hashes files larger than its read buffer", "[cli][hash]") {
  Scratch s;
  // 3 MiB + 1 of a repeating pattern, checked against coreutils' sha256sum.
  std::string big;
  big.reserve((3u << 20) + 1);
  for (std::size_t i = 0; i < (3u << 20) + 1; ++i) big += static_cast<char>('a' + i % 23);
  s.write("big.bin", big);
  const Output r = s.run({"hash", "big.bin"});
  REQUIRE(r.status == 0);
  const Output sum = s.run({"big.bin"}, "sha256sum");
  REQUIRE(sum.status == 0);
  CHECK(r.out == "big.bin:\n--hash=sha256:" + sum.out.substr(0, 64) + "\n");
}

TEST_CASE("tufget hash prints what pip hash prints", "[cli][hash]") {
  Scratch s;
  s.write("abc.txt", "abc");
  s.write("a b.whl", "wheel bytes");
  const Output pip = s.run({"-I", "-m", "pip", "hash", "-a", "sha384", "abc.txt", "a b.whl"}, "python3");
  if (pip.status != 0) {
    WARN("python3 -m pip is not available: " << pip.err);
    return;
  }
  const Output ours = s.run({"hash", "-a", "sha384", "abc.txt", "a b.whl"});
  CHECK(ours.status == 0);
  CHECK(ours.out == pip.out);
}
