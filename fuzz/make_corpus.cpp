// fuzz_make_corpus OUTDIR: writes the seed corpora of the fuzz targets into OUTDIR/<target>/.
//
// The metadata seeds are the deterministic repository's documents (fuzz_repo.h), so running
// this again reproduces the committed files byte for byte. Not a fuzz target: run it by hand
// after changing fuzz_repo.cpp (see docs/fuzzing.md).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fuzz_repo.h"

namespace fs = std::filesystem;

namespace {

bool write(const fs::path& file, const std::string& bytes) {
  fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

std::string seq(std::initializer_list<std::vector<std::uint8_t>> parts) {
  std::string s;
  for (const auto& p : parts) s.append(p.begin(), p.end());
  return s;
}
std::vector<std::uint8_t> rep(std::uint8_t b, std::size_t n) { return std::vector(n, b); }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
    return 2;
  }
  const fs::path out = argv[1];
  const tuf_fuzz::Repo& repo = tuf_fuzz::repo();
  bool ok = true;

  // fuzz_metadata: every signed document, and a plain JSON value for the canonicaliser.
  for (const tuf_fuzz::Document& d : repo.documents) {
    ok &= write(out / "fuzz_metadata" / (d.name + ".json"), d.bytes);
  }
  ok &= write(out / "fuzz_metadata" / "plain.json",
              "{\"b\": [1, -2, \"x\\\"y\\\\\", \"\\u00e9\"], \"a\": {\"t\": true, \"n\": null}}");

  // fuzz_updater: answer bytes. 2 = the honest answer, 0 = not found, 4 i = replay document i;
  // the byte after the refresh picks the lookup path.
  for (std::uint8_t path = 0; path < repo.lookup_paths.size(); ++path) {
    // Root rotation to v2, then timestamp, snapshot, targets, the path, its roles and target.
    ok &= write(out / "fuzz_updater" / ("honest-" + std::to_string(path)),
                seq({rep(2, 8), {path}, rep(2, 6)}));
  }
  // No rotation (2.root.json not found), then honest.
  ok &= write(out / "fuzz_updater" / "no-rotation", seq({{0}, rep(2, 7), {2}, rep(2, 6)}));
  // A cached timestamp replayed from the document list, then honest answers.
  ok &=
      write(out / "fuzz_updater" / "cached-replay", seq({{2, 0, 4, 9}, rep(2, 6), {1}, rep(2, 4)}));
  // Two full rounds.
  ok &= write(out / "fuzz_updater" / "two-rounds",
              seq({rep(2, 8), {2}, rep(2, 4), rep(2, 8), {3}, rep(2, 4)}));

  // fuzz_hash_verify: [count|flag] then (name, digest mode, edit) per hash, chunk, data.
  ok &= write(out / "fuzz_hash_verify" / "all-algs",
              seq({{0x83, 0, 0, 0, 1, 1, 0, 2, 0, 0}, {7}, rep('a', 40)}));
  ok &=
      write(out / "fuzz_hash_verify" / "mismatch", seq({{2, 0, 2, 5, 6, 0, 0}, {3}, rep('z', 9)}));
  ok &= write(out / "fuzz_hash_verify" / "empty-required", seq({{0x80, 0}}));

  if (!ok) {
    std::fprintf(stderr, "fuzz_make_corpus: could not write under %s\n", out.c_str());
    return 1;
  }
  return 0;
}
