// pkg_fs: wheels that lie about their sizes (issue 11). A member whose deflate stream inflates past
// the size its zip header or RECORD declares is refused by name as soon as it does; a wheel past
// InstallOptions::max_unpacked is refused; a .data/scripts member too large to rewrite in memory is
// refused. Each check that inflates gigabytes runs in a forked child whose peak resident memory
// (wait4's ru_maxrss) may exceed that of an idle child forked from the same state by less than
// 64 MiB, the installer's budget for member bytes.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <map>
#include <new>

#include <openssl/evp.h>

#include "pkg/wheel.h"
#include "pkg_fs/installer.h"
#include "pkg_fs/install_support.h"

namespace fs = std::filesystem;
using namespace install_support;

namespace {

constexpr std::uint64_t MiB = 1ull << 20;
constexpr std::uint64_t GiB = 1ull << 30;

// One MiB of zeros as raw deflate blocks ending in a full flush: byte-aligned and referring to
// nothing before it, so any number of copies in a row is a valid stream. Its CRC-32 too.
const std::pair<std::string, std::uint32_t>& deflated_zero_mib() {
  static const std::pair<std::string, std::uint32_t> chunk = [] {
    const std::string zeros(MiB, '\0');
    std::string out(2 * MiB, '\0');
    z_stream z{};
    if (deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
    z.avail_in = static_cast<uInt>(zeros.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    if (deflate(&z, Z_FULL_FLUSH) != Z_OK || z.avail_in != 0) std::abort();
    out.resize(out.size() - z.avail_out);
    deflateEnd(&z);
    const auto crc = static_cast<std::uint32_t>(::crc32(0, reinterpret_cast<const Bytef*>(zeros.data()), MiB));
    return std::pair{out, crc};
  }();
  return chunk;
}

// A deflated member of `n` zero bytes (whole MiB) whose zip headers declare `declared` bytes.
ZipEntry deflated_zeros(std::string name, std::uint64_t n, std::uint32_t declared) {
  const auto& [chunk, chunk_crc] = deflated_zero_mib();
  ZipEntry e{std::move(name), {}};
  e.deflated = true;
  e.size = declared;
  e.crc = static_cast<std::uint32_t>(::crc32(0, nullptr, 0));
  for (std::uint64_t done = 0; done < n; done += MiB) {
    e.data += chunk;
    e.crc = static_cast<std::uint32_t>(::crc32_combine(e.crc, chunk_crc, static_cast<z_off_t>(MiB)));
  }
  e.data += std::string("\x03\x00", 2);  // an empty final block (fixed Huffman codes)
  return e;
}

// RECORD's sha256 of `n` zero bytes, for the sizes these tests use (one streamed pass).
std::string zeros_record_hash(std::uint64_t n) {
  static const std::map<std::uint64_t, std::string> hashes = [] {
    std::map<std::uint64_t, std::string> out;
    const std::string zeros(MiB, '\0');
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_MD_CTX* copy = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
    std::uint64_t done = 0;
    for (const std::uint64_t size : {65 * MiB, GiB, 3 * GiB}) {
      for (; done < size; done += MiB) EVP_DigestUpdate(ctx, zeros.data(), zeros.size());
      unsigned char md[32];
      unsigned int len = 0;
      EVP_MD_CTX_copy_ex(copy, ctx);
      EVP_DigestFinal_ex(copy, md, &len);
      out[size] = pkg::record_hash_from_digest(std::string(reinterpret_cast<char*>(md), len));
    }
    EVP_MD_CTX_free(copy);
    EVP_MD_CTX_free(ctx);
    return out;
  }();
  return hashes.at(n);
}

// Writes `project`-1.0 with the stored files `files` and one deflated member of `true_size` zero
// bytes, which RECORD lists with its true size and hash. Returns the wheel's path.
fs::path write_zeros_wheel(const fs::path& dir, const std::string& project, ZipEntry zeros, std::uint64_t true_size,
                           std::vector<ZipEntry> files = {}) {
  WheelSpec spec;
  spec.name = project;
  spec.files = std::move(files);
  std::vector<ZipEntry> entries = wheel_entries(spec);
  auto rows = pkg::parse_record(entries.back().data);
  if (!rows) std::abort();
  rows->insert(rows->begin(), pkg::RecordEntry{zeros.name, zeros_record_hash(true_size), true_size});
  entries.back().data = pkg::write_record(*rows);
  entries.insert(entries.begin(), std::move(zeros));
  return write_wheel(dir, spec, entries);
}

// A venv-like scheme under `prefix` (purelib and platlib the same directory).
pkg_fs::InstallOptions venv_options(const fs::path& prefix) {
  const fs::path lib = prefix / "lib/python3.11/site-packages";
  fs::create_directories(lib);
  fs::create_directories(prefix / "bin");
  pkg_fs::InstallOptions o;
  o.scheme = pkg_fs::Scheme{lib, lib, prefix / "bin", prefix / "include/site/python3.11", prefix};
  o.prefix = prefix;
  o.python = "/fake/bin/python";
  return o;
}

// "installed", or the error's message.
std::string try_install(const fs::path& wheel, const pkg_fs::InstallOptions& o) {
  auto r = pkg_fs::install({{wheel, wheel.filename().string(), true}}, o);
  return r ? "installed" : r.error().message();
}

std::string try_verify(const fs::path& wheel) {
  auto r = pkg_fs::verify_wheel(wheel, wheel.filename().string());
  return r ? "verified" : r.error().message();
}

struct ChildRun {
  int exit_code = -1;  // -1: killed by a signal
  double peak_mib = 0;
  double added_mib = 0;  // peak_mib less that of an idle child (the pages it inherits)
  std::string output;
};

void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Runs `check` (returning text) in a forked child with at most 2 GiB of address space, so that a
// regression fails the test rather than the machine: exit code (3 for std::bad_alloc), output and
// peak resident memory. No Catch2 assertion may run in the child.
template <class Check>
ChildRun fork_and_wait(Check check) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    const rlimit limit{2 * GiB, 2 * GiB};
    ::setrlimit(RLIMIT_AS, &limit);
    int code = 0;
    try {
      write_all(fds[1], check());
    } catch (const std::bad_alloc&) {
      code = 3;
    } catch (...) {
      code = 4;
    }
    ::_exit(code);
  }
  ::close(fds[1]);
  ChildRun run;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) run.output.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  rusage usage{};
  REQUIRE(::wait4(pid, &status, 0, &usage) == pid);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.peak_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB
  return run;
}

// fork_and_wait(check), with what it adds to the memory an idle child starts with.
template <class Check>
ChildRun in_child(Check check) {
  const double idle = fork_and_wait([] { return std::string(); }).peak_mib;
  ChildRun run = fork_and_wait(check);
  run.added_mib = run.peak_mib - idle;
  return run;
}

}  // namespace

TEST_CASE("a member inflating past the size its zip header declares is refused by name, in bounded memory",
          "[pkg_fs][wheel_bounds]") {
  TempDir tmp;
  const pkg_fs::InstallOptions options = venv_options(tmp.path() / "env");
  const std::vector<std::pair<std::string, std::uint64_t>> liars{{"onegib", GiB}, {"threegib", 3 * GiB}};
  for (const auto& [project, size] : liars) {
    const std::string member = project + "/zeros.bin";
    const fs::path wheel = write_zeros_wheel(tmp.path(), project, deflated_zeros(member, size, 10), size);
    const std::string expected = "member '" + member + "' inflates to more than the 10 bytes its zip header declares";
    const ChildRun install = in_child([&] { return try_install(wheel, options); });
    INFO(project << ": install peaks at " << install.peak_mib << " MiB (+" << install.added_mib
                 << "): " << install.output);
    CHECK(install.exit_code == 0);
    CHECK_THAT(install.output, Catch::StartsWith("invalid_wheel: '" + wheel.filename().string() + "': ") &&
                                   Catch::Contains(expected));
    CHECK(install.added_mib < 64);
    const ChildRun verify = in_child([&] { return try_verify(wheel); });
    INFO(project << ": verify_wheel peaks at " << verify.peak_mib << " MiB (+" << verify.added_mib
                 << "): " << verify.output);
    CHECK(verify.exit_code == 0);
    CHECK_THAT(verify.output, Catch::Contains(expected));
    CHECK(verify.added_mib < 64);
  }
  CHECK(fs::is_empty(options.scheme.purelib));
}

TEST_CASE("a member inflating past the size RECORD declares is refused by name", "[pkg_fs][wheel_bounds]") {
  TempDir tmp;
  WheelSpec spec;
  spec.name = "recordlies";
  spec.files = {{"recordlies/data.bin", std::string(1000, 'x')}};
  std::vector<ZipEntry> entries = wheel_entries(spec);
  auto rows = pkg::parse_record(entries.back().data);
  REQUIRE(rows);
  REQUIRE(rows->front().path == "recordlies/data.bin");
  rows->front().size = 10;  // the hash stays true
  entries.back().data = pkg::write_record(*rows);
  const fs::path wheel = write_wheel(tmp.path(), spec, entries);
  CHECK(try_verify(wheel) == "record_mismatch: '" + filename_of(spec) +
                                 "': member 'recordlies/data.bin' inflates to more than the 10 bytes RECORD declares");
}

TEST_CASE("an honest 1 GiB member installs in bounded memory", "[pkg_fs][wheel_bounds]") {
  TempDir tmp;
  const pkg_fs::InstallOptions options = venv_options(tmp.path() / "env");
  const fs::path wheel = write_zeros_wheel(tmp.path(), "honest", deflated_zeros("honest/zeros.bin", GiB, GiB), GiB);
  const double wheel_mib = static_cast<double>(fs::file_size(wheel)) / MiB;
  const ChildRun install = in_child([&] { return try_install(wheel, options); });
  INFO("install peaks at " << install.peak_mib << " MiB (+" << install.added_mib << "; wheel " << wheel_mib
                            << " MiB): " << install.output);
  CHECK(install.exit_code == 0);
  CHECK(install.output == "installed");
  CHECK(install.added_mib < 64 + wheel_mib);
  CHECK(fs::file_size(options.scheme.purelib / "honest/zeros.bin") == GiB);
}

TEST_CASE("a wheel unpacking to more than max_unpacked is refused, naming the wheel and the limit",
          "[pkg_fs][wheel_bounds]") {
  TempDir tmp;
  pkg_fs::InstallOptions options = venv_options(tmp.path() / "env");
  WheelSpec spec;
  spec.name = "roomy";
  spec.files = {{"roomy/a.bin", std::string(600 << 10, 'a')}, {"roomy/b.bin", std::string(600 << 10, 'b')}};
  const fs::path wheel = write_wheel(tmp.path(), spec);
  options.max_unpacked = MiB;
  auto refused = pkg_fs::install({{wheel, filename_of(spec), true}}, options);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == pkg::Errc::invalid_wheel);
  CHECK(refused.error().input == filename_of(spec));
  CHECK_THAT(refused.error().detail, Catch::Contains("more than 1048576 bytes"));
  CHECK(fs::is_empty(options.scheme.purelib));
  options.max_unpacked = 2 * MiB;
  CHECK(try_install(wheel, options) == "installed");
  CHECK(pkg_fs::InstallOptions{}.max_unpacked == 8 * GiB);
}

TEST_CASE("a .data/scripts member larger than 64 MiB is refused by name, in bounded memory", "[pkg_fs][wheel_bounds]") {
  TempDir tmp;
  const pkg_fs::InstallOptions options = venv_options(tmp.path() / "env");
  const std::string script = "bigscript-1.0.data/scripts/huge";
  const fs::path wheel = write_zeros_wheel(tmp.path(), "bigscript", deflated_zeros(script, 65 * MiB, 65 * MiB),
                                           65 * MiB, {{"bigscript/__init__.py", ""}});
  const ChildRun install = in_child([&] { return try_install(wheel, options); });
  INFO("install peaks at " << install.peak_mib << " MiB (+" << install.added_mib << "): " << install.output);
  CHECK(install.exit_code == 0);
  CHECK_THAT(install.output, Catch::Contains("member '" + script + "'") && Catch::Contains("64 MiB"));
  CHECK(install.added_mib < 64);
  CHECK(fs::is_empty(options.scheme.purelib));
}
