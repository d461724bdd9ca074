// Deterministic PEP 458-sized repository for the benchmarks (see repo_gen.h).
#include "repo_gen.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdio>
#include <stdexcept>
#include <thread>

#include "tuf/bytes.h"
#include "tuf/hash.h"
#include "tuf/metadata.h"
#include "tuf/updater.h"  // quote_role_name
#include "tuf_repo/bins.h"
#include "tuf_repo/serialize.h"
#include "tuf_repo/signer.h"

namespace tufget_bench {
namespace {

// A signing key with a fixed seed: sha256("tufget-bench:" + role).
tuf_repo::Signer seeded_key(const std::string& role) {
  const std::string label = "tufget-bench:" + role;
  std::array<std::uint8_t, 32> seed{};
  static_assert(crypto_hash_sha256_BYTES == 32);
  crypto_hash_sha256(seed.data(), reinterpret_cast<const unsigned char*>(label.data()),
                     label.size());
  return tuf_repo::Signer::ed25519_from_seed(seed);
}

// The whole metadata document: canonical signed part plus the key's signature.
template <class Model>
std::string signed_by(const tuf_repo::Signer& key, const Model& model) {
  return tuf_repo::sign_envelope(tuf::serialize_signed(model), std::array{&key});
}

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

void append_random_hex(std::string& out, std::uint64_t& state, std::size_t chars) {
  static constexpr char kHex[] = "0123456789abcdef";
  while (chars > 0) {
    std::uint64_t v = splitmix64(state);
    for (int i = 0; i < 16 && chars > 0; ++i, --chars) {
      out.push_back(kHex[v & 15]);
      v >>= 4;
    }
  }
}

// Runs f(begin, end) over [0, n) split across `threads` threads.
template <class F>
void parallel_for(std::size_t n, unsigned threads, F f) {
  threads = std::max(1u, threads);
  if (threads == 1 || n < 64) {
    f(std::size_t{0}, n);
    return;
  }
  std::vector<std::thread> pool;
  const std::size_t chunk = (n + threads - 1) / threads;
  for (unsigned t = 0; t < threads; ++t) {
    const std::size_t begin = std::min(n, t * chunk), end = std::min(n, begin + chunk);
    pool.emplace_back([=, &f] { f(begin, end); });
  }
  for (auto& th : pool) th.join();
}

}  // namespace

std::string project_name(std::uint32_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "project-%05u", i);
  return buf;
}

std::size_t page_size(std::uint32_t i) {
  if (i == 42) return 10 * 1024;
  std::uint64_t state = 0xC0FFEEull + i;
  return 512 + splitmix64(state) % (3584 + 1);
}

std::string make_page(std::uint32_t i) {
  const std::string name = project_name(i);
  const std::size_t size = page_size(i);
  std::uint64_t state = 0x5EEDull * (i + 1);
  std::string page;
  page.reserve(size);
  page +=
      "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" "
      "content=\"1.1\">\n    <title>Links for ";
  page += name;
  page += "</title>\n  </head>\n  <body>\n    <h1>Links for ";
  page += name;
  page += "</h1>\n";
  static constexpr std::string_view kFooter = "  </body>\n</html>\n";
  for (unsigned release = 0;; ++release) {
    std::string file = name + "-1." + std::to_string(release) + ".0-py3-none-any.whl";
    std::string line = "    <a href=\"https://files.pythonhosted.invalid/packages/";
    append_random_hex(line, state, 2);
    line += '/';
    append_random_hex(line, state, 2);
    line += '/';
    append_random_hex(line, state, 60);
    line += '/' + file + "#sha256=";
    append_random_hex(line, state, 64);
    line += "\" data-requires-python=\"&gt;=3.8\" data-dist-info-metadata=\"sha256=";
    append_random_hex(line, state, 64);
    line += "\">" + file + "</a><br />\n";
    if (page.size() + line.size() + kFooter.size() > size) break;
    page += line;
  }
  page.append(size - kFooter.size() - page.size(), '\n');
  page += kFooter;
  return page;
}

Repo generate_repo(const RepoOptions& o) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
  if (o.bins < 2 || o.bins > (1u << 14) || !std::has_single_bit(o.bins)) {
    throw std::invalid_argument("--bins must be a power of two between 2 and 16384");
  }
  if (o.targets == 0) throw std::invalid_argument("--targets must be at least 1");
  auto expires = tuf::parse_datetime(o.expires);
  if (!expires) throw std::invalid_argument("bad expiry date: " + o.expires);

  Repo repo;
  repo.bit_length = static_cast<std::uint32_t>(std::countr_zero(o.bins));
  const tuf_repo::Signer root_key = seeded_key("root"), timestamp_key = seeded_key("timestamp"),
                         snapshot_key = seeded_key("snapshot"), targets_key = seeded_key("targets"),
                         bins_key = seeded_key("bins");
  const tuf_repo::BinLayout layout{repo.bit_length, "bins"};

  // Root v1: one ed25519 key per top-level role (threshold 1), consistent snapshots.
  {
    tuf::Root root;
    root.version = 1;
    root.expires = *expires;
    root.consistent_snapshot = true;
    for (const tuf_repo::Signer* k : {&root_key, &timestamp_key, &snapshot_key, &targets_key}) {
      root.keys.emplace(k->keyid(), k->key());
    }
    root.roles["root"] = {{root_key.keyid()}, 1};
    root.roles["timestamp"] = {{timestamp_key.keyid()}, 1};
    root.roles["snapshot"] = {{snapshot_key.keyid()}, 1};
    root.roles["targets"] = {{targets_key.keyid()}, 1};
    repo.files["metadata/1.root.json"] = signed_by(root_key, root);
  }

  // Top-level targets: no targets of its own, everything delegated to the succinct bins.
  {
    tuf::Targets targets;
    targets.version = 1;
    targets.expires = *expires;
    tuf::Delegations d;
    d.keys.emplace(bins_key.keyid(), bins_key.key());
    d.succinct_roles = layout.delegation({{bins_key.keyid()}, 1});
    targets.delegations = std::move(d);
    repo.files["metadata/1.targets.json"] = signed_by(targets_key, targets);
  }

  // Pages: length + blake2b-256 of every project's simple page, and its bin.
  struct Entry {
    std::uint64_t length = 0;
    std::string blake2b;
    std::uint32_t bin = 0;
  };
  std::vector<Entry> entries(o.targets);
  parallel_for(o.targets, o.threads, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      const auto n = static_cast<std::uint32_t>(i);
      const std::string page = make_page(n);
      entries[i].length = page.size();
      entries[i].blake2b = tuf::digest_hex(tuf::HashAlg::blake2b_256, tuf::as_bytes(page));
      entries[i].bin = static_cast<std::uint32_t>(layout.bin_of(project_name(n)));
    }
  });
  for (const Entry& e : entries) repo.page_bytes_total += e.length;
  for (const std::string& keep : o.keep_pages) {
    std::uint32_t n = 0;
    if (std::sscanf(keep.c_str(), "project-%u", &n) != 1 || n >= o.targets) {
      throw std::invalid_argument("no such project: " + keep);
    }
    // 5.7.3 naming with consistent snapshots: <hash>.<basename>, the first listed hash.
    repo.files["targets/" + entries[n].blake2b + "." + keep] = make_page(n);
  }

  // Bins: every bin exists (an empty bin is signed too), version 1.
  std::vector<std::vector<std::uint32_t>> members(o.bins);
  for (std::uint32_t i = 0; i < o.targets; ++i) members[entries[i].bin].push_back(i);
  std::vector<std::string> bin_names(o.bins), bin_docs(o.bins);
  parallel_for(o.bins, o.threads, [&](std::size_t begin, std::size_t end) {
    for (std::size_t b = begin; b < end; ++b) {
      bin_names[b] = layout.name(b);
      tuf::Targets bin;
      bin.version = 1;
      bin.expires = *expires;
      for (std::uint32_t i : members[b]) {
        tuf::TargetFile f;
        f.length = entries[i].length;
        f.hashes = {{"blake2b-256", entries[i].blake2b}};
        bin.targets.emplace(project_name(i), std::move(f));
      }
      bin_docs[b] = signed_by(bins_key, bin);
    }
  });

  // Snapshot: versions only (RSTUF), targets.json and every bin.
  tuf::Snapshot snapshot;
  snapshot.version = 1;
  snapshot.expires = *expires;
  snapshot.meta.reserve(o.bins + 1);
  snapshot.meta["targets.json"] = tuf::MetaInfo{1, std::nullopt, {}};
  for (std::uint32_t b = 0; b < o.bins; ++b) {
    snapshot.meta[bin_names[b] + ".json"] = tuf::MetaInfo{1, std::nullopt, {}};
    repo.files["metadata/1." + tuf::quote_role_name(bin_names[b]) + ".json"] =
        std::move(bin_docs[b]);
  }
  repo.files["metadata/1.snapshot.json"] = signed_by(snapshot_key, snapshot);

  tuf::TimestampMeta timestamp;
  timestamp.version = 1;
  timestamp.expires = *expires;
  timestamp.snapshot_meta = tuf::MetaInfo{1, std::nullopt, {}};
  repo.files["metadata/timestamp.json"] = signed_by(timestamp_key, timestamp);
  return repo;
}

}  // namespace tufget_bench
