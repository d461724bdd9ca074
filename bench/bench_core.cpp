// tufget_bench: in-process benchmarks of tuf_core against a PEP 458-sized repository
// (16,384 succinct hash bins, 100,000 projects; see repo_gen.h), generated in memory at start.
//
//   snapshot/*   parse, canonicalise and verify a snapshot listing 16,384 bins
//   refresh/*    the whole client workflow with the Updater fed from memory: cold (nothing
//                cached), warm (everything cached from the cold run, nothing changed)
//   pieces/*     the steps a refresh is made of, for attribution
//   hash/*       sha256 (OpenSSL EVP) and blake2b-256 (libsodium) throughput
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "repo_gen.h"
#include "tuf/hash.h"
#include "tuf/metadata.h"
#include "tuf/trusted_set.h"
#include "tuf/updater.h"

namespace {

constexpr std::string_view kMetadataBase = "http://127.0.0.1:1/metadata/";
constexpr std::string_view kTargetBase = "http://127.0.0.1:1/targets/";
constexpr std::string_view kTarget = "project-00042";

struct Fixture {
  tufget_bench::Repo repo;
  std::unordered_map<std::string, std::string> by_url;  // what the "server" answers
  std::string root, timestamp, snapshot, targets, bin;  // documents used directly
  std::string bin_role;
  tuf::Timestamp now = 0;
  // Trusted metadata as a cold refresh + lookup + download persisted it (plus the root).
  std::map<std::string, std::string, std::less<>> persisted;
};

const Fixture& fixture();

// The I/O half of the poll loop, from memory: Fetch -> by_url, LoadCached -> `cache` (or
// not_found), Persist -> `persist_to` (or discarded), TargetReady -> counted.
struct Pump {
  const Fixture* f;
  const std::map<std::string, std::string, std::less<>>* cache = nullptr;
  std::map<std::string, std::string, std::less<>>* persist_to = nullptr;
  std::size_t fetches = 0, fetched_bytes = 0, ready = 0;
  std::optional<tuf::FoundTarget> found;  // the last LookupDone's

  tuf::Result<void> run(tuf::Updater& u) {
    for (;;) {
      tuf::Action a = u.next();
      if (auto* fetch = std::get_if<tuf::Fetch>(&a)) {
        ++fetches;
        auto hit = f->by_url.find(fetch->url);
        if (hit == f->by_url.end()) {
          (void)u.fail(fetch->id, tuf::Error{tuf::Errc::not_found, "", "404", "", ""});
        } else {
          fetched_bytes += hit->second.size();
          (void)u.deliver(fetch->id, hit->second);
        }
      } else if (auto* load = std::get_if<tuf::LoadCached>(&a)) {
        const std::string* bytes = nullptr;
        if (cache) {
          if (auto hit = cache->find(load->role); hit != cache->end()) bytes = &hit->second;
        }
        if (bytes) {
          (void)u.deliver(load->id, *bytes);
        } else {
          (void)u.fail(load->id, tuf::Error{tuf::Errc::not_found, "", "not cached", "", ""});
        }
      } else if (auto* persist = std::get_if<tuf::Persist>(&a)) {
        if (persist_to) (*persist_to)[persist->role] = std::move(persist->bytes);
      } else if (std::holds_alternative<tuf::TargetReady>(a)) {
        ++ready;
      } else if (auto* done = std::get_if<tuf::LookupDone>(&a)) {
        found = std::move(done->found);
      } else if (auto* lf = std::get_if<tuf::LookupFailed>(&a)) {
        return std::unexpected(lf->error);
      } else if (auto* df = std::get_if<tuf::DownloadFailed>(&a)) {
        return std::unexpected(df->error);
      } else if (std::holds_alternative<tuf::Done>(a)) {
        return {};
      } else if (auto* failed = std::get_if<tuf::Failed>(&a)) {
        return std::unexpected(failed->error);
      } else {  // Waiting: every request is answered at once, so this cannot happen
        return tuf::fail(tuf::Errc::usage, "", "pump: updater waits with nothing outstanding");
      }
    }
  }
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "tufget_bench: %s\n", what.c_str());
  std::exit(1);
}

template <class T>
T check(tuf::Result<T> r, const char* what) {
  if (!r) die(std::string(what) + ": " + r.error().message());
  if constexpr (!std::is_void_v<T>) return std::move(*r);
}

// Refresh, look up kTarget and (optionally) download it; returns the pump's counters.
Pump client_run(const Fixture& f, const std::map<std::string, std::string, std::less<>>* cache,
                std::map<std::string, std::string, std::less<>>* persist_to, bool lookup,
                bool download) {
  Pump pump{&f, cache, persist_to};
  auto u = check(tuf::Updater::create(tuf::as_bytes(f.root), std::string(kMetadataBase)), "create");
  check(u.start_refresh(f.now), "start_refresh");
  check(pump.run(u), "refresh");
  if (lookup) {
    check(u.start_lookup(std::string(kTarget)), "start_lookup");
    check(pump.run(u), "lookup");
    if (!pump.found) die("lookup: project-00042 not found");
    if (download) {
      check(u.start_download(*pump.found, kTargetBase), "start_download");
      check(pump.run(u), "download");
      if (pump.ready != 1) die("download: no verified target");
    }
  }
  return pump;
}

const Fixture& fixture() {
  static const Fixture* f = [] {
    auto* f = new Fixture;
    f->repo = tufget_bench::generate_repo({});
    for (const auto& [rel, bytes] : f->repo.files) {
      f->by_url["http://127.0.0.1:1/" + rel] = bytes;
    }
    f->root = f->repo.files.at("metadata/1.root.json");
    f->timestamp = f->repo.files.at("metadata/timestamp.json");
    f->snapshot = f->repo.files.at("metadata/1.snapshot.json");
    f->targets = f->repo.files.at("metadata/1.targets.json");
    auto targets = check(tuf::parse_targets(tuf::as_bytes(f->targets)), "parse targets");
    f->bin_role = targets.signed_part.delegations->succinct_roles->role_for_target(kTarget);
    f->bin = f->repo.files.at("metadata/1." + f->bin_role + ".json");
    f->now = check(tuf::parse_datetime("2025-06-01T00:00:00Z"), "now");
    f->persisted["root"] = f->root;
    client_run(*f, nullptr, &f->persisted, true, true);
    return f;
  }();
  return *f;
}

// ---- snapshot: 16,384 bins ---------------------------------------------------------------

void BM_SnapshotParse(benchmark::State& state) {
  const Fixture& f = fixture();
  for (auto _ : state) {
    auto s = tuf::parse_snapshot(tuf::as_bytes(f.snapshot));
    if (!s) die(s.error().message());
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(state.iterations() * f.snapshot.size());
  state.counters["entries"] = 16385;
}
BENCHMARK(BM_SnapshotParse)
    ->Name("snapshot/parse (canonicalise + model)")
    ->Unit(benchmark::kMillisecond);

void BM_SnapshotCanonicalize(benchmark::State& state) {
  const Fixture& f = fixture();
  for (auto _ : state) {
    auto s = tuf::canonicalize_json(tuf::as_bytes(f.snapshot));
    if (!s) die(s.error().message());
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(state.iterations() * f.snapshot.size());
}
BENCHMARK(BM_SnapshotCanonicalize)
    ->Name("snapshot/canonicalize_json only")
    ->Unit(benchmark::kMillisecond);

void BM_SnapshotVerifySignature(benchmark::State& state) {
  const Fixture& f = fixture();
  const auto root = check(tuf::parse_root(tuf::as_bytes(f.root)), "root");
  const auto snap = check(tuf::parse_snapshot(tuf::as_bytes(f.snapshot)), "snapshot");
  for (auto _ : state) {
    check(tuf::verify_threshold("snapshot", root.signed_part.keys,
                                root.signed_part.roles.at("snapshot"), snap.canonical_signed,
                                snap.signatures),
          "verify");
  }
  state.SetBytesProcessed(state.iterations() * snap.canonical_signed.size());
}
BENCHMARK(BM_SnapshotVerifySignature)
    ->Name("snapshot/verify_threshold (ed25519)")
    ->Unit(benchmark::kMillisecond);

void BM_SnapshotTrustedSetUpdate(benchmark::State& state) {
  const Fixture& f = fixture();
  for (auto _ : state) {
    state.PauseTiming();
    auto set = check(tuf::TrustedSet::create(tuf::as_bytes(f.root), f.now), "create");
    check(set.update_timestamp(tuf::as_bytes(f.timestamp)), "timestamp");
    state.ResumeTiming();
    check(set.update_snapshot(tuf::as_bytes(f.snapshot)), "update_snapshot");
    state.PauseTiming();
    { auto drop = std::move(set); }  // destruction is not part of the update
    state.ResumeTiming();
  }
  state.SetBytesProcessed(state.iterations() * f.snapshot.size());
}
BENCHMARK(BM_SnapshotTrustedSetUpdate)
    ->Name("snapshot/TrustedSet::update_snapshot")
    ->Unit(benchmark::kMillisecond);

// ---- whole workflow, Updater fed from memory ---------------------------------------------

void BM_ColdRefreshLookup(benchmark::State& state) {
  const Fixture& f = fixture();
  Pump last{&f};
  for (auto _ : state) last = client_run(f, nullptr, nullptr, true, false);
  state.counters["fetches"] = static_cast<double>(last.fetches);
  state.counters["fetched_bytes"] = static_cast<double>(last.fetched_bytes);
}
BENCHMARK(BM_ColdRefreshLookup)
    ->Name("refresh/cold refresh + lookup")
    ->Unit(benchmark::kMillisecond);

void BM_ColdRefreshLookupDownload(benchmark::State& state) {
  const Fixture& f = fixture();
  Pump last{&f};
  for (auto _ : state) last = client_run(f, nullptr, nullptr, true, true);
  state.counters["fetches"] = static_cast<double>(last.fetches);
  state.counters["fetched_bytes"] = static_cast<double>(last.fetched_bytes);
}
BENCHMARK(BM_ColdRefreshLookupDownload)
    ->Name("refresh/cold refresh + lookup + download")
    ->Unit(benchmark::kMillisecond);

void BM_WarmRefresh(benchmark::State& state) {
  const Fixture& f = fixture();
  Pump last{&f};
  for (auto _ : state) last = client_run(f, &f.persisted, nullptr, false, false);
  state.counters["fetches"] = static_cast<double>(last.fetches);
  state.counters["fetched_bytes"] = static_cast<double>(last.fetched_bytes);
}
BENCHMARK(BM_WarmRefresh)
    ->Name("refresh/warm refresh (nothing changed)")
    ->Unit(benchmark::kMillisecond);

void BM_WarmRefreshLookup(benchmark::State& state) {
  const Fixture& f = fixture();
  Pump last{&f};
  for (auto _ : state) last = client_run(f, &f.persisted, nullptr, true, false);
  state.counters["fetches"] = static_cast<double>(last.fetches);
  state.counters["fetched_bytes"] = static_cast<double>(last.fetched_bytes);
}
BENCHMARK(BM_WarmRefreshLookup)
    ->Name("refresh/warm refresh + lookup")
    ->Unit(benchmark::kMillisecond);

// ---- pieces ------------------------------------------------------------------------------

void BM_RootCreate(benchmark::State& state) {
  const Fixture& f = fixture();
  for (auto _ : state) {
    benchmark::DoNotOptimize(check(tuf::TrustedSet::create(tuf::as_bytes(f.root), f.now), "root"));
  }
}
BENCHMARK(BM_RootCreate)->Name("pieces/TrustedSet::create (root)")->Unit(benchmark::kMicrosecond);

void BM_UpdaterCreate(benchmark::State& state) {
  const Fixture& f = fixture();
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        check(tuf::Updater::create(tuf::as_bytes(f.root), std::string(kMetadataBase)), "create"));
  }
}
BENCHMARK(BM_UpdaterCreate)->Name("pieces/Updater::create")->Unit(benchmark::kMicrosecond);

void BM_ParseTargets(benchmark::State& state) {
  const Fixture& f = fixture();
  for (auto _ : state)
    benchmark::DoNotOptimize(check(tuf::parse_targets(tuf::as_bytes(f.targets)), "targets"));
}
BENCHMARK(BM_ParseTargets)->Name("pieces/parse_targets (top-level)")->Unit(benchmark::kMicrosecond);

void BM_ParseBin(benchmark::State& state) {
  const Fixture& f = fixture();
  for (auto _ : state)
    benchmark::DoNotOptimize(check(tuf::parse_targets(tuf::as_bytes(f.bin)), "bin"));
  state.counters["bytes"] = static_cast<double>(f.bin.size());
}
BENCHMARK(BM_ParseBin)->Name("pieces/parse_targets (one bin)")->Unit(benchmark::kMicrosecond);

void BM_Ed25519Verify(benchmark::State& state) {
  const Fixture& f = fixture();
  const auto bin = check(tuf::parse_targets(tuf::as_bytes(f.bin)), "bin");
  const auto targets = check(tuf::parse_targets(tuf::as_bytes(f.targets)), "targets");
  const auto& d = *targets.signed_part.delegations;
  for (auto _ : state) {
    check(tuf::verify_threshold(f.bin_role, d.keys, d.succinct_roles->keys, bin.canonical_signed,
                                bin.signatures),
          "verify");
  }
}
BENCHMARK(BM_Ed25519Verify)
    ->Name("pieces/verify_threshold (one bin, ed25519)")
    ->Unit(benchmark::kMicrosecond);

void BM_RoleForTarget(benchmark::State& state) {
  const Fixture& f = fixture();
  const auto targets = check(tuf::parse_targets(tuf::as_bytes(f.targets)), "targets");
  const auto& succinct = *targets.signed_part.delegations->succinct_roles;
  for (auto _ : state) benchmark::DoNotOptimize(succinct.role_for_target(kTarget));
}
BENCHMARK(BM_RoleForTarget)
    ->Name("pieces/SuccinctRoles::role_for_target")
    ->Unit(benchmark::kMicrosecond);

// ---- hashing -----------------------------------------------------------------------------

const std::vector<std::uint8_t>& buffer(std::size_t size) {
  static std::map<std::size_t, std::vector<std::uint8_t>> buffers;
  auto& b = buffers[size];
  if (b.empty()) {
    b.resize(size);
    std::uint32_t x = 2463534242u;
    for (auto& byte : b) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      byte = static_cast<std::uint8_t>(x);
    }
  }
  return b;
}

void BM_Hash(benchmark::State& state, tuf::HashAlg alg) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const auto& b = buffer(size);
  for (auto _ : state) benchmark::DoNotOptimize(tuf::digest_hex(alg, {b.data(), b.size()}));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(size));
}
BENCHMARK_CAPTURE(BM_Hash, sha256, tuf::HashAlg::sha256)
    ->Name("hash/sha256")
    ->Arg(16 << 10)
    ->Arg(1 << 20)
    ->Arg(64 << 20)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Hash, blake2b_256, tuf::HashAlg::blake2b_256)
    ->Name("hash/blake2b-256")
    ->Arg(16 << 10)
    ->Arg(1 << 20)
    ->Arg(64 << 20)
    ->Unit(benchmark::kMicrosecond);

// Streaming, as a download is checked: 16 KiB chunks through MultiHasher.
void BM_HashStreaming(benchmark::State& state, tuf::HashAlg alg) {
  const auto& b = buffer(64 << 20);
  const std::string want = tuf::digest_hex(alg, {b.data(), b.size()});
  const tuf::HashList list{{std::string(tuf::hash_alg_name(alg)), want}};
  for (auto _ : state) {
    auto h = check(tuf::MultiHasher::create(list), "hasher");
    for (std::size_t off = 0; off < b.size(); off += 16 << 10) h.update({b.data() + off, 16 << 10});
    check(h.verify("buffer"), "verify");
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(b.size()));
}
BENCHMARK_CAPTURE(BM_HashStreaming, sha256, tuf::HashAlg::sha256)
    ->Name("hash/sha256 streaming 16KiB chunks/67108864")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_HashStreaming, blake2b_256, tuf::HashAlg::blake2b_256)
    ->Name("hash/blake2b-256 streaming 16KiB chunks/67108864")
    ->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  (void)fixture();  // generate the repository before any timing
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
