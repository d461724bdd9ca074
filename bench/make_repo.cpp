// tufget-bench-repo OUTDIR [--bins 16384] [--targets 100000] [--keep project-00042,...]
//                          [--expires 2100-01-01T00:00:00Z] [--threads 2]
//
// Writes the benchmark repository (repo_gen.h) under OUTDIR: OUTDIR/metadata/... and
// OUTDIR/targets/<blake2b-256>.<project> for the kept pages. Deterministic: the same options
// give byte-identical files.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "repo_gen.h"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: tufget-bench-repo OUTDIR [--bins N] [--targets N] [--keep P1,P2,...] "
               "[--expires DATE] [--threads N]\n");
  return 2;
}

void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot create " + path.string() + ": " + std::strerror(errno));
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  if (std::fclose(f) != 0 || !ok) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

int main(int argc, char** argv) {
  tufget_bench::RepoOptions options;
  std::string out;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      return argv[++i];
    };
    try {
      if (arg == "--bins") {
        options.bins = static_cast<std::uint32_t>(std::stoul(value()));
      } else if (arg == "--targets") {
        options.targets = static_cast<std::uint32_t>(std::stoul(value()));
      } else if (arg == "--threads") {
        options.threads = static_cast<unsigned>(std::stoul(value()));
      } else if (arg == "--expires") {
        options.expires = value();
      } else if (arg == "--keep") {
        options.keep_pages.clear();
        const std::string list = value();
        for (std::size_t pos = 0; pos <= list.size();) {
          const std::size_t comma = std::min(list.find(',', pos), list.size());
          if (comma > pos) options.keep_pages.push_back(list.substr(pos, comma - pos));
          pos = comma + 1;
        }
      } else if (arg == "-h" || arg == "--help") {
        usage();
        return 0;
      } else if (!arg.empty() && arg[0] != '-' && out.empty()) {
        out = arg;
      } else {
        return usage();
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "tufget-bench-repo: %s\n", e.what());
      return usage();
    }
  }
  if (out.empty()) return usage();

  try {
    const auto t0 = std::chrono::steady_clock::now();
    const tufget_bench::Repo repo = tufget_bench::generate_repo(options);
    const auto t1 = std::chrono::steady_clock::now();
    namespace fs = std::filesystem;
    fs::create_directories(fs::path(out) / "metadata");
    fs::create_directories(fs::path(out) / "targets");
    std::uint64_t bytes = 0;
    for (const auto& [rel, content] : repo.files) {
      write_file(fs::path(out) / rel, content);
      bytes += content.size();
    }
    const auto t2 = std::chrono::steady_clock::now();
    auto ms = [](auto d) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    };
    std::printf(
        "tufget-bench-repo: %zu files, %llu bytes (snapshot %zu bytes) in %s; "
        "%u bins, %u targets (%llu page bytes hashed); generated in %lld ms, "
        "written in %lld ms\n",
        repo.files.size(), static_cast<unsigned long long>(bytes),
        repo.files.at("metadata/1.snapshot.json").size(), out.c_str(), options.bins,
        options.targets, static_cast<unsigned long long>(repo.page_bytes_total),
        static_cast<long long>(ms(t1 - t0)), static_cast<long long>(ms(t2 - t1)));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tufget-bench-repo: %s\n", e.what());
    return 1;
  }
  return 0;
}
