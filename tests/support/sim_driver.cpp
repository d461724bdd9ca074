#include "support/sim_driver.h"

#include <algorithm>
#include <stdexcept>
#include <type_traits>
#include <variant>

namespace tuf_test {

namespace {
tuf::Error sim_error(tuf::Errc code, std::string detail, std::string expected = {},
                     std::string got = {}) {
  return tuf::Error{code, "", std::move(detail), std::move(expected), std::move(got)};
}
// The error of a failed lookup or download, else nullptr.
const tuf::Error* operation_error(const tuf::Action& a) {
  if (const auto* lf = std::get_if<tuf::LookupFailed>(&a)) return &lf->error;
  if (const auto* df = std::get_if<tuf::DownloadFailed>(&a)) return &df->error;
  return nullptr;
}
}  // namespace

std::string short_url(std::string_view url) {
  if (url.starts_with(RepoSim::kHost)) url.remove_prefix(RepoSim::kHost.size());
  return std::string(url);
}

// ---- MemoryStore -------------------------------------------------------------------------------

bool MemoryStore::persisted(std::string_view role) const { return persist_count(role) > 0; }

std::size_t MemoryStore::persist_count(std::string_view role) const {
  return static_cast<std::size_t>(std::count_if(
      persists.begin(), persists.end(), [&](const auto& p) { return p.first == role; }));
}

std::optional<std::string> MemoryStore::get(std::string_view role) const {
  auto it = files.find(role);
  if (it == files.end()) return std::nullopt;
  return it->second;
}

// ---- Run ---------------------------------------------------------------------------------------

std::string Run::describe() const {
  std::string out;
  if (error) {
    out = "failed: " + error->message();
  } else {
    out = "ok";
  }
  out += ", " + std::to_string(ready.size()) + " target(s) ready";
  if (found) out += ", found " + found->info().path;
  return out;
}

// ---- SimDriver ---------------------------------------------------------------------------------

SimDriver::SimDriver(RepoSim& sim, tuf::UpdaterConfig config,
                     std::optional<std::string> trusted_root)
    : sim_(sim), config_(config) {
  store.files["root"] = trusted_root ? *trusted_root : sim.bytes("root", 1);
  restart();
}

void SimDriver::restart() { restart(config_); }

void SimDriver::restart(tuf::UpdaterConfig config) {
  config_ = config;
  held_.clear();
  updater_.reset();
  auto u = tuf::Updater::create(tuf::as_bytes(store.files.at("root")),
                                std::string(RepoSim::kMetadataUrl), config_);
  if (!u) throw std::runtime_error("Updater::create failed: " + u.error().message());
  updater_.emplace(std::move(*u));
}

std::vector<std::string> SimDriver::fetched_urls() const {
  std::vector<std::string> out;
  for (const auto& f : fetches) out.push_back(short_url(f.url));
  return out;
}

void SimDriver::clear_records() {
  fetches.clear();
  request_ids.clear();
  trace.clear();
  refused_answers.clear();
  store.forget_history();
  sim_.clear_log();
}

void SimDriver::answer(const tuf::Action& action) {
  tuf::Result<void> r;
  if (const auto* f = std::get_if<tuf::Fetch>(&action)) {
    auto bytes = sim_.fetch(f->url);
    if (!bytes) {
      r = updater_->fail(f->id, sim_error(tuf::Errc::not_found, "sim: no such file"));
    } else if (enforce_max_bytes && bytes->size() > f->max_bytes) {
      // The transport stops reading at the limit and reports it.
      r = updater_->fail(f->id, sim_error(tuf::Errc::too_large, "sim: response exceeds max_bytes",
                                          std::to_string(f->max_bytes),
                                          std::to_string(bytes->size())));
    } else {
      r = updater_->deliver(f->id, std::move(*bytes));
    }
  } else if (const auto* l = std::get_if<tuf::LoadCached>(&action)) {
    auto bytes = store.get(l->role);
    if (bytes && bytes->size() > l->max_bytes) bytes.reset();  // the store's cap
    r = bytes ? updater_->deliver(l->id, std::move(*bytes))
              : updater_->fail(l->id, sim_error(tuf::Errc::not_found, "store: absent"));
  }
  if (!r) refused_answers.push_back(r.error());
}

Run SimDriver::pump() {
  Run run;
  for (int steps = 0; steps < 1'000'000; ++steps) {
    tuf::Action a = updater_->next();
    if (const auto* f = std::get_if<tuf::Fetch>(&a)) {
      fetches.push_back(*f);
      request_ids.push_back(f->id);
      trace.push_back("fetch " + short_url(f->url));
    } else if (const auto* l = std::get_if<tuf::LoadCached>(&a)) {
      store.loads.push_back(l->role);
      request_ids.push_back(l->id);
      trace.push_back("load " + l->role);
    } else if (auto* p = std::get_if<tuf::Persist>(&a)) {
      trace.push_back("persist " + p->role);
      store.persists.emplace_back(p->role, p->bytes);
      store.files[p->role] = p->bytes;
      continue;
    } else if (auto* t = std::get_if<tuf::TargetReady>(&a)) {
      trace.push_back("ready " + t->info.path);
      run.ready.push_back(std::move(*t));
      continue;
    } else if (auto* ld = std::get_if<tuf::LookupDone>(&a)) {
      trace.push_back("lookup " + ld->target_path + (ld->found ? " found" : " absent"));
      run.found = ld->found;
      run.finished.push_back(std::move(a));
      continue;
    } else if (const tuf::Error* e = operation_error(a)) {
      const char* what = std::holds_alternative<tuf::LookupFailed>(a) ? "lookup" : "download";
      trace.push_back(std::string(what) + " failed " + std::string(tuf::to_string(e->code)) + " " +
                      e->role);
      if (!run.error) run.error = *e;
      run.finished.push_back(std::move(a));
      continue;
    } else if (std::holds_alternative<tuf::Waiting>(a)) {
      if (held_.empty()) {
        trace.push_back("stuck");
        run.error = sim_error(tuf::Errc::usage, "sim: Waiting with nothing outstanding");
        return run;
      }
      auto held = std::move(held_);
      held_.clear();
      for (const auto& h : held) answer(h);
      continue;
    } else if (std::holds_alternative<tuf::Done>(a)) {
      // A failed lookup or download reports its error and the loop runs on to Done; the
      // trace keeps the "failed" line the tests look for.
      trace.push_back(run.error ? "failed " + std::string(tuf::to_string(run.error->code)) + " " +
                                      run.error->role
                                : std::string("done"));
      return run;
    } else if (auto* fl = std::get_if<tuf::Failed>(&a)) {
      trace.push_back("failed " + std::string(tuf::to_string(fl->error.code)) + " " +
                      fl->error.role);
      run.error = fl->error;
      return run;
    }
    // Fetch or LoadCached.
    if (defer_answers) {
      held_.push_back(std::move(a));
    } else {
      answer(a);
    }
  }
  run.error = sim_error(tuf::Errc::usage, "sim: the poll loop did not terminate");
  return run;
}

Run SimDriver::refresh(tuf::Timestamp now) {
  if (auto ok = updater_->start_refresh(now); !ok) return Run{ok.error(), {}, {}, {}};
  return pump();
}

Run SimDriver::lookup(std::string target_path) {
  if (auto ok = updater_->start_lookup(std::move(target_path)); !ok) {
    return Run{ok.error(), {}, {}, {}};
  }
  return pump();
}

Run SimDriver::download(const tuf::FoundTarget& target) {
  auto id = updater_->start_download(target, RepoSim::kTargetsUrl);
  if (!id) return Run{id.error(), {}, {}, {}};
  return pump();
}

Run SimDriver::refresh_and_download(std::string target_path, tuf::Timestamp now) {
  Run run = refresh(now);
  if (!run.ok()) return run;
  run = lookup(std::move(target_path));
  if (!run.ok() || !run.found) return run;
  const tuf::FoundTarget target = *run.found;
  Run dl = download(target);
  dl.found = target;
  return dl;
}

}  // namespace tuf_test
