// fuzz_updater: the Updater driven by fuzzer bytes.
//
// The updater trusts root v1 of the deterministic repository (fuzz_repo.h) and runs up to three
// rounds of refresh -> lookup -> download. Every Fetch and LoadCached is answered as the input
// says: not found, a transport error, the honest file, any document the repository ever signed
// (replayed in the wrong place, rolled back, signed by a rotated-out key, expired ...), the
// honest file with some bytes overwritten, raw input bytes, or a call with an unknown id.
//
// Invariants (any violation aborts):
//   - Persist carries only what the repository signed for that role under the root in force,
//     and exactly the listed bytes where the referrer lists hashes; TargetReady only a target's
//     true content, with the info the repository lists (nothing unverified leaves the core).
//   - Every Fetch is bounded (configured caps for metadata, the trusted length for targets),
//     uses a fresh id and the expected base URL.
//   - A lookup finds only what the repository lists, with its true length and hashes.
//   - No deadlock (Waiting with nothing outstanding) and a bounded number of next() calls.
//   - An unknown id is a usage error that changes nothing; after Failed every call returns the
//     same error.
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

bool same_error(const tuf::Error& a, const tuf::Error& b) {
  return a.code == b.code && a.role == b.role && a.detail == b.detail && a.expected == b.expected &&
         a.got == b.got;
}

struct Request {
  std::uint64_t id;
  std::string role;  // metadata role; empty for a target
  std::string url;   // empty for LoadCached
  bool cached;
};

class Driver {
 public:
  Driver(tuf::Updater& u, Input& in) : u_(u), in_(in) {}

  // Polls until Done or Failed; returns the error on Failed.
  std::optional<tuf::Error> run() {
    for (;;) {
      CHECK(++steps_ < kMaxSteps, "next() called too often: the updater does not converge");
      tuf::Action a = u_.next();
      if (trace_) print(a);
      if (auto* f = std::get_if<tuf::Fetch>(&a)) {
        on_fetch(*f);
      } else if (auto* c = std::get_if<tuf::LoadCached>(&a)) {
        new_id(c->id);
        CHECK(!c->role.empty());
        pending_.push_back({c->id, c->role, {}, true});
      } else if (auto* p = std::get_if<tuf::Persist>(&a)) {
        on_persist(*p);
      } else if (auto* t = std::get_if<tuf::TargetReady>(&a)) {
        on_target(*t);
      } else if (std::holds_alternative<tuf::Waiting>(a)) {
        CHECK(!pending_.empty(), "Waiting with no request outstanding: deadlock");
        answer();
      } else if (std::holds_alternative<tuf::Done>(a)) {
        CHECK(pending_.empty(), "Done with requests outstanding");
        return std::nullopt;
      } else {
        return std::get<tuf::Failed>(a).error;
      }
    }
  }

  // TUFGET_FUZZ_TRACE=1: print every action (to replay a crash by hand).
  void print(const tuf::Action& a) const {
    if (auto* f = std::get_if<tuf::Fetch>(&a)) {
      std::fprintf(stderr, "  Fetch %llu %s (max %llu)\n", (unsigned long long)f->id,
                   f->url.c_str(), (unsigned long long)f->max_bytes);
    } else if (auto* c = std::get_if<tuf::LoadCached>(&a)) {
      std::fprintf(stderr, "  LoadCached %llu %s\n", (unsigned long long)c->id, c->role.c_str());
    } else if (auto* p = std::get_if<tuf::Persist>(&a)) {
      std::fprintf(stderr, "  Persist %s (%zu bytes)\n", p->role.c_str(), p->bytes.size());
    } else if (auto* t = std::get_if<tuf::TargetReady>(&a)) {
      std::fprintf(stderr, "  TargetReady %s\n", t->info.path.c_str());
    } else if (std::holds_alternative<tuf::Done>(a)) {
      std::fprintf(stderr, "  Done\n");
    } else if (auto* e = std::get_if<tuf::Failed>(&a)) {
      std::fprintf(stderr, "  Failed %s\n", e->error.message().c_str());
    }
  }

  void expect_download(std::uint64_t id, const tuf::TargetInfo& info) { downloads_[id] = info; }

 private:
  static constexpr int kMaxSteps = 20000;

  void new_id(std::uint64_t id) {
    CHECK(ids_.insert(id).second, "request id reused: " + std::to_string(id));
    max_id_ = std::max(max_id_, id);
  }

  void on_fetch(const tuf::Fetch& f) {
    const tuf::UpdaterConfig& cfg = u_.config();
    if (f.role.empty()) {  // a target download started by start_download
      auto d = downloads_.find(f.id);
      CHECK(d != downloads_.end(), "target fetch with an id start_download did not return");
      CHECK(f.max_bytes == d->second.length, "target fetch not bounded by the trusted length");
      CHECK(f.url.starts_with(tuf_fuzz::kTargetsBase), f.url);
      max_id_ = std::max(max_id_, f.id);
    } else {
      new_id(f.id);
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
    pending_.push_back({f.id, f.role, f.url, false});
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

  void on_target(const tuf::TargetReady& t) {
    auto d = downloads_.find(t.id);
    CHECK(d != downloads_.end(), "TargetReady for an unknown download");
    CHECK(t.info.path == d->second.path);
    auto content = repo().target_content.find(t.info.path);
    CHECK(content != repo().target_content.end(), "released a target nobody listed");
    CHECK(t.bytes == content->second, "released unverified bytes for " + t.info.path);
    downloads_.erase(d);
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

  void check_unknown_id(std::uint64_t id, bool use_deliver) {
    auto r = use_deliver ? u_.deliver(id, tuf::as_bytes("{}"))
                         : u_.fail(id, transport_error(tuf::Errc::not_found, "", "x"));
    CHECK(!r.has_value(), "an unknown id was accepted: " + std::to_string(id));
    CHECK(r.error().code == tuf::Errc::usage, "an unknown id is not a usage error");
  }

  void answer() {
    const std::size_t index = pending_.size() > 1 ? in_.byte() % pending_.size() : 0;
    const Request q = pending_[index];
    const std::uint8_t mode = in_.byte() % 8;
    if (mode == 7) {
      // An id that is not outstanding (answered already, or never issued): must change nothing.
      std::uint64_t id = max_id_ + 1 + in_.byte();
      if (in_.byte() & 1 && !ids_.empty()) id = *ids_.begin();
      bool outstanding = false;
      for (const Request& p : pending_) outstanding |= p.id == id;
      if (!outstanding && !downloads_.contains(id)) check_unknown_id(id, in_.byte() & 1);
      return;  // the request is still pending: the updater must still say Waiting
    }
    pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(index));
    tuf::Result<void> r;
    switch (mode) {
      case 0:
        r = u_.fail(q.id, transport_error(tuf::Errc::not_found, q.role, "fuzz: not found"));
        break;
      case 1:
        r = u_.fail(q.id,
                    transport_error(in_.byte() & 1 ? tuf::Errc::transport : tuf::Errc::too_large,
                                    q.role, "fuzz: transport"));
        break;
      case 2:
      case 3:
        if (const std::string* h = honest(q)) {
          r = u_.deliver(q.id, tuf::as_bytes(*h));
        } else {
          r = u_.fail(q.id, transport_error(tuf::Errc::not_found, q.role, "fuzz: not found"));
        }
        break;
      case 4:
        r = u_.deliver(q.id, tuf::as_bytes(any_document()));
        break;
      case 5: {
        const std::string raw = in_.bytes(in_.u16());
        r = u_.deliver(q.id, tuf::as_bytes(raw));
        break;
      }
      case 6: {
        // Some bytes of a signed document overwritten, or the document cut short.
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
        r = u_.deliver(q.id, tuf::as_bytes(doc));
        break;
      }
    }
    // An answer to an outstanding request is never refused as a usage error; a failure here
    // can only be a target that did not verify (sticky from now on).
    if (!r) {
      CHECK(r.error().code != tuf::Errc::usage, "answer to an outstanding request refused");
      CHECK(q.role.empty(), "a metadata answer returned an error: " + r.error().message());
    }
  }

  tuf::Updater& u_;
  Input& in_;
  std::deque<Request> pending_;
  std::set<std::uint64_t> ids_;
  std::map<std::uint64_t, tuf::TargetInfo> downloads_;
  std::uint64_t max_id_ = 0;
  bool rotated_ = false;
  int steps_ = 0;
  const bool trace_ = std::getenv("TUFGET_FUZZ_TRACE") != nullptr;
};

// After Failed, every call fails with the same error.
void check_sticky(tuf::Updater& u, const tuf::Error& e) {
  for (int i = 0; i < 2; ++i) {
    tuf::Action a = u.next();
    CHECK(std::holds_alternative<tuf::Failed>(a), "failure is not sticky (next)");
    CHECK(same_error(std::get<tuf::Failed>(a).error, e), "next() changed the error");
  }
  auto expect_same = [&e](const auto& r, const char* call) {
    CHECK(!r.has_value(), std::string("failure is not sticky: ") + call);
    CHECK(same_error(r.error(), e), std::string("error changed by ") + call);
  };
  expect_same(u.start_refresh(tuf_fuzz::kNow), "start_refresh");
  expect_same(u.start_lookup("a.txt"), "start_lookup");
  tuf::TargetInfo info{"a.txt", 1, {{"sha256", std::string(64, '0')}}};
  expect_same(u.start_download(info, tuf_fuzz::kTargetsBase), "start_download");
  expect_same(u.deliver(1, tuf::as_bytes("{}")), "deliver");
  expect_same(u.fail(1, transport_error(tuf::Errc::not_found, "", "")), "fail");
}

void check_lookup(const std::string& path, const std::optional<tuf::TargetInfo>& found) {
  auto content = repo().target_content.find(path);
  if (content == repo().target_content.end()) {
    CHECK(!found.has_value(), "lookup found a target nobody listed: " + path);
    return;
  }
  if (!found) return;  // e.g. the delegation budget ran out
  CHECK(found->path == path);
  CHECK(found->length == content->second.size(), "looked-up length is not the listed one");
  CHECK(!found->hashes.empty());
  CHECK(tuf::verify_target(*found, tuf::as_bytes(content->second)).has_value(),
        "looked-up hashes are not the listed ones");
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
    if (auto err = driver.run()) {
      check_sticky(u, *err);
      return 0;
    }
    CHECK(u.refreshed(), "refresh Done but not refreshed");

    const std::string& path = repo().lookup_paths[in.byte() % repo().lookup_paths.size()];
    CHECK(u.start_lookup(path).has_value(), "start_lookup refused after a refresh");
    if (auto err = driver.run()) {
      check_sticky(u, *err);
      return 0;
    }
    check_lookup(path, u.lookup_result());
    if (!u.lookup_result()) continue;

    const tuf::TargetInfo info = *u.lookup_result();
    auto id = u.start_download(info, tuf_fuzz::kTargetsBase);
    CHECK(id.has_value(), "start_download refused a looked-up target");
    driver.expect_download(*id, info);
    if (auto err = driver.run()) {
      check_sticky(u, *err);
      return 0;
    }
  }
  return 0;
}
