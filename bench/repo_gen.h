// A PEP 458-sized TUF repository, generated deterministically for the benchmarks.
//
// Layout (what Warehouse/RSTUF publishes, consistent snapshots on):
//   metadata/1.root.json, metadata/1.targets.json, metadata/1.bins-XXXX.json (every bin),
//   metadata/1.snapshot.json (versions only), metadata/timestamp.json
//   targets/<blake2b-256 hex>.<project>  (simple detail pages; only the ones asked for)
// `targets` delegates all paths through TAP 15 succinct_roles ("bins", bit_length =
// log2(bins)). Each project "project-NNNNN" is one target (its simple page: length +
// blake2b-256), placed in its bin (tuf_repo::BinLayout); signed through tuf_repo. Keys are ed25519
// with fixed seeds, so two runs produce byte-identical repositories.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tufget_bench {

struct RepoOptions {
  std::uint32_t bins = 16384;      // a power of two, 2..2^14 (PEP 458 recommends 2^14)
  std::uint32_t targets = 100000;  // projects
  // Projects whose page bytes are kept (the files the benchmarks download).
  std::vector<std::string> keep_pages = {"project-00042"};
  std::string expires = "2100-01-01T00:00:00Z";
  unsigned threads = 2;  // for hashing pages and signing bins
};

struct Repo {
  // Relative path ("metadata/1.root.json", "targets/<hash>.project-00042") -> bytes.
  std::map<std::string, std::string> files;
  std::uint32_t bit_length = 0;
  std::uint64_t page_bytes_total = 0;  // bytes of all pages hashed
};

// Name of project number i: "project-00042".
std::string project_name(std::uint32_t i);
// Size in bytes of project i's simple page: 10 KiB for project 42, 0.5-4 KiB for the others.
std::size_t page_size(std::uint32_t i);
// Project i's simple detail page (PEP 503 HTML), exactly page_size(i) bytes.
std::string make_page(std::uint32_t i);

// Throws std::invalid_argument on bad options.
Repo generate_repo(const RepoOptions& options);

}  // namespace tufget_bench
