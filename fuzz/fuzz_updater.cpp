// fuzz_updater: the Updater driven by fuzzer bytes.
//
// The updater trusts root v1 of the deterministic repository (fuzz_repo.h) and runs up to three
// rounds. A round refreshes, then starts 1-4 lookups at once, then downloads what they found
// while 0-2 more lookups run alongside. Requests of every operation are outstanding together
// and answered in the order the input picks. Each is answered as the input says: not found, a
// transport error, the honest file, any document the repository ever signed (replayed in the
// wrong place, rolled back, signed by a rotated-out key, expired ...), the honest file with
// some bytes overwritten, raw input bytes, or a call with an id that is not outstanding.
//
// Invariants (any violation aborts):
//   - Persist carries only what the repository signed for that role under the root in force,
//     and exactly the listed bytes where the referrer lists hashes; TargetReady only a target's
//     true content, with the info the repository lists, for a download started from a
//     lookup's FoundTarget (nothing unverified leaves the core).
//   - Every Fetch is bounded (configured caps for metadata, the trusted length for targets),
//     uses a fresh id and the expected URL.
//   - Request, lookup and download ids are never reused; each started lookup reports exactly
//     one LookupDone/LookupFailed with its id and path, each download exactly one
//     TargetReady/DownloadFailed with its id; Done only when nothing is outstanding.
//   - A lookup finds only what the repository lists, with its true length and hashes.
//   - No deadlock (Waiting with nothing outstanding) and a bounded number of next() calls.
//   - An id that is not outstanding is a usage error that changes nothing. A failure ends only
//     its own operation: a failed refresh reports Failed once (then Done), leaves the updater
//     unrefreshed and may be retried; failed lookups and downloads leave the others running.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>
#include <variant>

#include "fuzz_repo.h"
#include "tuf/updater.h"

namespace {

using tuf_fuzz::repo;

[[noreturn]] void violated(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "fuzz_updater: invariant violated: %s %s\n", what, detail.c_str());
  std::abort();
}
#define CHECK(cond, ...)                         \
  do {                                           \
    if (!(cond)) violated(#cond, ##__VA_ARGS__); \
  } while (0)

// Reads the input front to back; an exhausted input reads as zeros (which answer "not found",
// so every run ends quickly).
class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}
  bool empty() const { return p_ == end_; }
  std::uint8_t byte() { return p_ == end_ ? 0 : *p_++; }
  std::uint16_t u16() { return static_cast<std::uint16_t>(byte() << 8 | byte()); }
  std::string bytes(std::size_t n) {
    n = std::min<std::size_t>(n, static_cast<std::size_t>(end_ - p_));
    std::string s(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return s;
  }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

// What the I/O layer reports through Updater::fail.
tuf::Error transport_error(tuf::Errc code, std::string role, std::string detail) {
  tuf::Error e;
  e.code = code;
  e.role = std::move(role);
  e.detail = std::move(detail);
  return e;
}

// What a failed operation may report: never a usage error (every answer was to an
// outstanding request) and never an internal one (a bug or an escaped exception).
void check_operation_error(const tuf::Error& e, const char* what) {
  CHECK(e.code != tuf::Errc::usage, std::string(what) + " failed with a usage error: " + e.message());
  CHECK(e.code != tuf::Errc::internal, std::string(what) + " failed internally: " + e.message());
}

bool same_info(const tuf::TargetInfo& a, const tuf::TargetInfo& b) {
  return a.path == b.path && a.length == b.length && a.hashes == b.hashes;
}

struct Request {
  tuf::RequestId id;
  std::string role;  // metadata role; empty for a target
  std::string url;   // empty for LoadCached
  bool cached;
  std::optional<tuf::DownloadId> download;  // a target's Fetch: its download
};

// Every id of one kind the updater handed out: none may come twice.
template <class Id>
class IdLog {
 public:
  void add(Id id, const char* kind) {
    const std::uint64_t v = tuf::value_of(id);
    CHECK(seen_.insert(v).second, std::string(kind) + " id reused: " + std::to_string(v));
    max_ = std::max(max_, v);
  }
  std::uint64_t max() const { return max_; }
  std::uint64_t any_or(std::uint64_t fallback) const {
    return seen_.empty() ? fallback : *seen_.begin();
  }

 private:
  std::set<std::uint64_t> seen_;
  std::uint64_t max_ = 0;
};

class Driver {
 public:
  Driver(tuf::Updater& u, Input& in) : u_(u), in_(in) {}

  // Polls until Done or Failed; returns the error on Failed (a refresh's only).
  std::optional<tuf::Error> run() {
    for (;;) {
      CHECK(++steps_ < kMaxSteps, "next() called too often: the updater does not converge");
      tuf::Action a = u_.next();
      if (trace_) print(a);
      if (std::holds_alternative<tuf::Waiting>(a)) {
        CHECK(!pending_.empty(), "Waiting with no request outstanding: deadlock");
        answer();
      } else if (std::holds_alternative<tuf::Done>(a)) {
        CHECK(pending_.empty(), "Done with requests outstanding");
        CHECK(lookups_.empty(), "Done with a lookup that never reported");
        CHECK(downloads_.empty(), "Done with a download that never reported");
        return std::nullopt;
      } else if (auto* f = std::get_if<tuf::Failed>(&a)) {
        // Only a refresh reports Failed, and it runs alone, one request at a time.
        CHECK(lookups_.empty() && downloads_.empty(), "Failed while lookups or downloads ran");
        CHECK(pending_.empty(), "Failed with requests outstanding");
        check_operation_error(f->error, "the refresh");
        return f->error;
      } else {
        on_action(a);
      }
    }
  }

  void start_lookup(const std::string& path) {
    auto id = u_.start_lookup(path);
    CHECK(id.has_value(), "start_lookup refused after a refresh");
    lookup_ids_.add(*id, "lookup");
    lookups_.emplace(*id, path);
  }

  void start_download(const tuf::FoundTarget& target) {
    auto id = u_.start_download(target, tuf_fuzz::kTargetsBase);
    CHECK(id.has_value(), "start_download refused a looked-up target");
    download_ids_.add(*id, "download");
    downloads_.emplace(*id, target.info());
    unclaimed_.push_back(*id);  // its Fetch comes next, in start order
  }

  // The targets lookups found since the last call.
  std::vector<tuf::FoundTarget> take_found() { return std::exchange(found_, {}); }

  // An id that is not outstanding: must be refused as a usage error and change nothing.
  void check_unknown_id(std::uint64_t id, bool use_deliver) {
    for (const Request& p : pending_) {
      if (tuf::value_of(p.id) == id) return;
    }
    const tuf::RequestId rid{id};
    auto r = use_deliver ? u_.deliver(rid, "{}")
                         : u_.fail(rid, transport_error(tuf::Errc::not_found, "", "x"));
    CHECK(!r.has_value(), "an unknown id was accepted: " + std::to_string(id));
    CHECK(r.error().code == tuf::Errc::usage, "an unknown id is not a usage error");
  }
  std::uint64_t max_request_id() const { return request_ids_.max(); }

 private:
  static constexpr int kMaxSteps = 20000;

  void on_action(tuf::Action& a) {
    if (auto* f = std::get_if<tuf::Fetch>(&a)) {
      on_fetch(*f);
    } else if (auto* c = std::get_if<tuf::LoadCached>(&a)) {
      on_load_cached(*c);
    } else if (auto* p = std::get_if<tuf::Persist>(&a)) {
      on_persist(*p);
    } else if (auto* d = std::get_if<tuf::LookupDone>(&a)) {
      on_lookup_done(*d);
    } else if (auto* lf = std::get_if<tuf::LookupFailed>(&a)) {
      finish_lookup(lf->id, lf->target_path);
      check_operation_error(lf->error, "a lookup");
    } else if (auto* t = std::get_if<tuf::TargetReady>(&a)) {
      on_target(*t);
    } else {
      on_download_failed(std::get<tuf::DownloadFailed>(a));
    }
  }

  // TUFGET_FUZZ_TRACE=1: print every action (to replay a crash by hand).
  void print(const tuf::Action& a) const {
    if (auto* f = std::get_if<tuf::Fetch>(&a)) {
      std::fprintf(stderr, "  Fetch %llu %s (max %llu)\n",
                   (unsigned long long)tuf::value_of(f->id), f->url.c_str(),
                   (unsigned long long)f->max_bytes);
    } else if (auto* c = std::get_if<tuf::LoadCached>(&a)) {
      std::fprintf(stderr, "  LoadCached %llu %s\n", (unsigned long long)tuf::value_of(c->id),
                   c->role.c_str());
    } else if (auto* p = std::get_if<tuf::Persist>(&a)) {
      std::fprintf(stderr, "  Persist %s (%zu bytes)\n", p->role.c_str(), p->bytes.size());
    } else if (auto* d = std::get_if<tuf::LookupDone>(&a)) {
      std::fprintf(stderr, "  LookupDone %llu %s %s\n", (unsigned long long)tuf::value_of(d->id),
                   d->target_path.c_str(), d->found ? "found" : "not listed");
    } else if (auto* lf = std::get_if<tuf::LookupFailed>(&a)) {
      std::fprintf(stderr, "  LookupFailed %llu %s\n", (unsigned long long)tuf::value_of(lf->id),
                   lf->error.message().c_str());
    } else if (auto* t = std::get_if<tuf::TargetReady>(&a)) {
      std::fprintf(stderr, "  TargetReady %s\n", t->info.path.c_str());
    } else if (auto* df = std::get_if<tuf::DownloadFailed>(&a)) {
      std::fprintf(stderr, "  DownloadFailed %s\n", df->error.message().c_str());
    } else if (std::holds_alternative<tuf::Done>(a)) {
      std::fprintf(stderr, "  Done\n");
    } else if (auto* e = std::get_if<tuf::Failed>(&a)) {
      std::fprintf(stderr, "  Failed %s\n", e->error.message().c_str());
    }
  }

  void on_fetch(const tuf::Fetch& f) {
    request_ids_.add(f.id, "request");
    std::optional<tuf::DownloadId> download;
    if (f.role.empty()) {  // the Fetch start_download queued
      CHECK(!unclaimed_.empty(), "a target fetch no start_download asked for");
      download = unclaimed_.front();
      unclaimed_.pop_front();
      const tuf::TargetInfo& info = downloads_.at(*download);
      CHECK(f.max_bytes == info.length, "target fetch not bounded by the trusted length");
      CHECK(f.url == u_.target_url(info, tuf_fuzz::kTargetsBase), f.url);
    } else {
      check_metadata_fetch(f);
    }
    pending_.push_back({f.id, f.role, f.url, false, download});
  }

  void check_metadata_fetch(const tuf::Fetch& f) const {
    const tuf::UpdaterConfig& cfg = u_.config();
    CHECK(f.url.starts_with(tuf_fuzz::kMetadataBase), f.url);
    CHECK(f.max_bytes > 0);
    if (f.role == "root") {
      CHECK(f.max_bytes == cfg.root_max_length);
    } else if (f.role == "timestamp") {
      CHECK(f.max_bytes == cfg.timestamp_max_length);
    } else if (f.role == "snapshot") {
      CHECK(f.max_bytes <= cfg.snapshot_max_length);
    } else {
      CHECK(f.max_bytes <= cfg.targets_max_length);
    }
  }

  void on_load_cached(const tuf::LoadCached& c) {
    request_ids_.add(c.id, "request");
    CHECK(!c.role.empty());
    CHECK(c.max_bytes > 0, "LoadCached without a byte cap");
    CHECK(c.max_bytes <= std::max({u_.config().root_max_length, u_.config().timestamp_max_length,
                                   u_.config().snapshot_max_length,
                                   u_.config().targets_max_length}),
          "LoadCached cap above every configured cap");
    pending_.push_back({c.id, c.role, {}, true, std::nullopt});
  }

  void on_persist(const tuf::Persist& p) {
    const tuf_fuzz::Repo& r = repo();
    if (auto exact = r.exact_bytes.find(p.role); exact != r.exact_bytes.end()) {
      CHECK(p.bytes == exact->second, "persisted " + p.role + " differs from the listed bytes");
      return;
    }
    auto allowed = r.signed_parts.find(p.role);
    CHECK(allowed != r.signed_parts.end(), "persist of a role never signed: " + p.role);
    std::string canonical;
    if (p.role == "root") {
      auto m = tuf::parse_root(tuf::as_bytes(p.bytes));
      CHECK(m.has_value(), "persisted root does not parse");
      canonical = m->canonical_signed;
      rotated_ = true;
    } else if (p.role == "timestamp") {
      auto m = tuf::parse_timestamp(tuf::as_bytes(p.bytes));
      CHECK(m.has_value(), "persisted timestamp does not parse");
      canonical = m->canonical_signed;
      CHECK(canonical == (rotated_ ? r.timestamp_v2_signed : r.timestamp_v1_signed),
            "persisted a timestamp not signed by the root in force");
    } else {
      auto m = tuf::parse_targets(tuf::as_bytes(p.bytes), p.role);
      CHECK(m.has_value(), "persisted targets role does not parse: " + p.role);
      canonical = m->canonical_signed;
    }
    CHECK(allowed->second.contains(canonical), "persisted unsigned " + p.role);
  }

  // A lookup reports once, with the id start_lookup returned and the path it was given.
  void finish_lookup(tuf::LookupId id, const std::string& path) {
    auto it = lookups_.find(id);
    CHECK(it != lookups_.end(), "a lookup reported twice, or one never started: " +
                                    std::to_string(tuf::value_of(id)));
    CHECK(it->second == path, "lookup reported another path: " + path);
    lookups_.erase(it);
  }

  void on_lookup_done(tuf::LookupDone& d) {
    finish_lookup(d.id, d.target_path);
    const std::string& path = d.target_path;
    auto content = repo().target_content.find(path);
    if (!d.found) return;  // not listed, or the delegation budget ran out
    CHECK(content != repo().target_content.end(), "lookup found a target nobody listed: " + path);
    const tuf::TargetInfo& info = d.found->info();
    CHECK(info.path == path);
    CHECK(!d.found->role().empty(), "a found target without the role that listed it");
    CHECK(info.length == content->second.size(), "looked-up length is not the listed one");
    CHECK(!info.hashes.empty());
    CHECK(tuf::verify_target(info, tuf::as_bytes(content->second)).has_value(),
          "looked-up hashes are not the listed ones");
    found_.push_back(std::move(*d.found));
  }

  tuf::TargetInfo finish_download(tuf::DownloadId id) {
    auto d = downloads_.find(id);
    CHECK(d != downloads_.end(), "a download reported twice, or one never started");
    tuf::TargetInfo info = std::move(d->second);
    downloads_.erase(d);
    return info;
  }

  void on_target(const tuf::TargetReady& t) {
    CHECK(!refused_.contains(t.id), "TargetReady for bytes deliver() refused");
    const tuf::TargetInfo info = finish_download(t.id);
    CHECK(same_info(t.info, info), "TargetReady with other info than the lookup found");
    auto content = repo().target_content.find(t.info.path);
    CHECK(content != repo().target_content.end(), "released a target nobody listed");
    CHECK(t.bytes == content->second, "released unverified bytes for " + t.info.path);
  }

  void on_download_failed(const tuf::DownloadFailed& f) {
    const tuf::TargetInfo info = finish_download(f.id);
    CHECK(same_info(f.info, info), "DownloadFailed with other info than the lookup found");
    check_operation_error(f.error, "a download");
    if (refused_.erase(f.id)) {
      CHECK(f.error.code == tuf::Errc::length_or_hash_mismatch, "refused bytes, other error");
    }
  }

  const std::string* honest(const Request& q) const {
    const tuf_fuzz::Repo& r = repo();
    if (q.cached) return nullptr;  // an empty local store
    if (q.role.empty()) {
      auto t = r.target_urls.find(q.url);
      return t == r.target_urls.end() ? nullptr : &r.target_content.at(t->second);
    }
    const std::string file = q.url.substr(std::string_view(tuf_fuzz::kMetadataBase).size());
    if (file == "timestamp.json") return rotated_ ? &r.honest_timestamp_v2 : &r.honest_timestamp_v1;
    auto f = r.honest_files.find(file);
    return f == r.honest_files.end() ? nullptr : &f->second;
  }

  const std::string& any_document() {
    const auto& docs = repo().documents;
    const std::size_t i = in_.byte() % (docs.size() + repo().target_content.size());
    if (i < docs.size()) return docs[i].bytes;
    auto t = repo().target_content.begin();
    std::advance(t, i - docs.size());
    return t->second;
  }

  // Some bytes of a signed document overwritten, or the document cut short.
  std::string damaged(const Request& q) {
    const std::string* h = honest(q);
    std::string doc = h ? *h : any_document();
    const int edits = 1 + in_.byte() % 4;
    for (int e = 0; e < edits && !doc.empty(); ++e) {
      const std::size_t at = in_.u16() % doc.size();
      const std::uint8_t op = in_.byte();
      if (op < 16) {
        doc.resize(at);
      } else if (op < 32) {
        doc.insert(at, in_.bytes(op - 15));
      } else {
        doc[at] = static_cast<char>(in_.byte());
      }
    }
    return doc;
  }

  tuf::Result<void> respond(const Request& q, std::uint8_t mode) {
    switch (mode) {
      case 0:
        return u_.fail(q.id, transport_error(tuf::Errc::not_found, q.role, "fuzz: not found"));
      case 1:
        return u_.fail(q.id,
                       transport_error(in_.byte() & 1 ? tuf::Errc::transport : tuf::Errc::too_large,
                                       q.role, "fuzz: transport"));
      case 2:
      case 3:
        if (const std::string* h = honest(q)) return u_.deliver(q.id, *h);
        return u_.fail(q.id, transport_error(tuf::Errc::not_found, q.role, "fuzz: not found"));
      case 4:
        return u_.deliver(q.id, any_document());
      case 5:
        return u_.deliver(q.id, in_.bytes(in_.u16()));
      default:
        return u_.deliver(q.id, damaged(q));
    }
  }

  void answer() {
    const std::size_t index = pending_.size() > 1 ? in_.byte() % pending_.size() : 0;
    const Request q = pending_[index];
    const std::uint8_t mode = in_.byte() % 8;
    if (mode == 7) {
      // An id that is not outstanding (answered already, never issued, or a lookup's or a
      // download's id passed as a request id): must change nothing.
      std::uint64_t id = max_request_id() + 1 + in_.byte();
      const std::uint8_t pick = in_.byte() % 4;
      if (pick == 1) id = request_ids_.any_or(id);
      if (pick == 2) id = lookup_ids_.any_or(id);
      if (pick == 3) id = download_ids_.any_or(id);
      check_unknown_id(id, in_.byte() & 1);
      return;  // the request is still pending: the updater must still say Waiting
    }
    pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(index));
    const tuf::Result<void> r = respond(q, mode);
    // An answer to an outstanding request is never refused as a usage error; a failure here
    // can only be a target's bytes refused on the spot (its DownloadFailed follows).
    if (!r) {
      CHECK(r.error().code != tuf::Errc::usage, "answer to an outstanding request refused");
      CHECK(q.role.empty(), "a metadata answer returned an error: " + r.error().message());
      CHECK(r.error().code == tuf::Errc::length_or_hash_mismatch, r.error().message());
      refused_.insert(*q.download);  // its DownloadFailed must follow, never TargetReady
    }
  }

  tuf::Updater& u_;
  Input& in_;
  std::deque<Request> pending_;
  IdLog<tuf::RequestId> request_ids_;
  IdLog<tuf::LookupId> lookup_ids_;
  IdLog<tuf::DownloadId> download_ids_;
  std::map<tuf::LookupId, std::string> lookups_;        // started, not yet reported
  std::map<tuf::DownloadId, tuf::TargetInfo> downloads_;  // started, not yet reported
  std::deque<tuf::DownloadId> unclaimed_;  // downloads whose Fetch has not appeared yet
  std::set<tuf::DownloadId> refused_;      // deliver() refused their bytes
  std::vector<tuf::FoundTarget> found_;
  bool rotated_ = false;
  int steps_ = 0;
  const bool trace_ = std::getenv("TUFGET_FUZZ_TRACE") != nullptr;
};

// A failed refresh reports Failed once and ends only itself: the updater is then idle and
// unrefreshed, and may be refreshed again.
void check_after_failed_refresh(tuf::Updater& u, Driver& driver) {
  CHECK(std::holds_alternative<tuf::Done>(u.next()), "a failed refresh reported more than once");
  CHECK(!u.refreshed(), "refreshed after a failed refresh");
  auto lookup = u.start_lookup("a.txt");
  CHECK(!lookup && lookup.error().code == tuf::Errc::usage, "lookup allowed after Failed");
  driver.check_unknown_id(driver.max_request_id(), true);
}

// Starts 1 to max_count lookups at once (paths from the input, repeats allowed).
void lookup_round(Input& in, Driver& driver, int max_count) {
  const auto& paths = repo().lookup_paths;
  const int count = 1 + in.byte() % max_count;
  for (int i = 0; i < count; ++i) driver.start_lookup(paths[in.byte() % paths.size()]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in(data, size);
  auto created = tuf::Updater::create(tuf::as_bytes(repo().root_v1), tuf_fuzz::kMetadataBase);
  CHECK(created.has_value(), "the fuzzing root is not accepted");
  tuf::Updater& u = *created;
  Driver driver(u, in);

  for (int round = 0; round < 3; ++round) {
    if (round > 0 && in.empty()) break;
    CHECK(u.start_refresh(tuf_fuzz::kNow).has_value(), "start_refresh refused");
    if (driver.run()) {
      check_after_failed_refresh(u, driver);
      continue;
    }
    CHECK(u.refreshed(), "refresh Done but not refreshed");

    // Several lookups at once, their requests answered in the order the input picks.
    lookup_round(in, driver, 4);
    CHECK(!driver.run(), "Failed reported by lookups");

    // Download what they found (some twice), with 0-2 more lookups running alongside.
    for (const tuf::FoundTarget& t : driver.take_found()) {
      const int copies = in.byte() % 3;
      for (int i = 0; i < copies; ++i) driver.start_download(t);
    }
    if (in.byte() & 1) lookup_round(in, driver, 2);
    CHECK(!driver.run(), "Failed reported by lookups or downloads");
    (void)driver.take_found();
  }
  return 0;
}
