// The C API (tuf/tuf.h) over tuf::Updater.
//
// Every entry point is noexcept and catches everything: no C++ exception crosses the boundary.
// An exception thrown while the core was changing state (bad_alloc in the middle of a step)
// leaves the C++ updater in an unknown state, so it poisons the handle: from then on every call
// fails with TUF_E_NOMEM or TUF_E_INTERNAL, and tuf_next() reports FAILED.
//
// The handle owns whatever a tuf_action or tuf_target_info points to: the last action handed
// out (kept as the core's Action) and the results of finished lookups (until released or the
// next refresh). The library keeps no global or per-thread state.
#include "tuf/tuf.h"

#include <cstddef>
#include <cstring>
#include <map>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "tuf/error.h"
#include "tuf/updater.h"

namespace {

static_assert(TUF_VERSION_NUM ==
              ((TUF_VERSION_MAJOR << 16) | (TUF_VERSION_MINOR << 8) | TUF_VERSION_PATCH));

int to_code(tuf::Errc code) noexcept {
  switch (code) {
    case tuf::Errc::unsigned_metadata: return TUF_E_UNSIGNED_METADATA;
    case tuf::Errc::bad_version_number: return TUF_E_BAD_VERSION_NUMBER;
    case tuf::Errc::equal_version_number: return TUF_E_EQUAL_VERSION_NUMBER;
    case tuf::Errc::expired_metadata: return TUF_E_EXPIRED_METADATA;
    case tuf::Errc::length_or_hash_mismatch: return TUF_E_LENGTH_OR_HASH_MISMATCH;
    case tuf::Errc::invalid_metadata: return TUF_E_INVALID_METADATA;
    case tuf::Errc::repository_error: return TUF_E_REPOSITORY_ERROR;
    case tuf::Errc::target_not_found: return TUF_E_TARGET_NOT_FOUND;
    case tuf::Errc::not_found: return TUF_E_NOT_FOUND;
    case tuf::Errc::too_large: return TUF_E_TOO_LARGE;
    case tuf::Errc::transport: return TUF_E_TRANSPORT;
    case tuf::Errc::usage: return TUF_E_USAGE;
    case tuf::Errc::internal: return TUF_E_INTERNAL;
  }
  return TUF_E_INTERNAL;
}

constexpr const char* kNoMemMessage = "nomem: out of memory";
constexpr const char* kInternalMessage = "internal: unexpected exception in libtufcore";

// Copies `message` into the caller's buffer (if any), truncated and NUL-terminated.
void copy_message(std::string_view message, char* buf, std::size_t len) noexcept {
  if (!buf || len == 0) return;
  const std::size_t n = message.size() < len - 1 ? message.size() : len - 1;
  std::memcpy(buf, message.data(), n);
  buf[n] = '\0';
}

// A finished lookup's result, in the shape tuf_target_info points into.
struct LookupResult {
  std::optional<tuf::FoundTarget> found;
  std::vector<tuf_hash> hashes;  // points into *found

  explicit LookupResult(std::optional<tuf::FoundTarget> f) : found(std::move(f)) {
    if (!found) return;
    for (const auto& [alg, hex] : found->info().hashes) hashes.push_back({alg.c_str(), hex.c_str()});
  }
  LookupResult(const LookupResult&) = delete;
  LookupResult& operator=(const LookupResult&) = delete;

  void fill(tuf_target_info& out) const {
    out.path = found->info().path.c_str();
    out.length = found->info().length;
    out.nhashes = hashes.size();
    out.hashes = hashes.data();
  }
};

}  // namespace

struct tuf_updater {
  explicit tuf_updater(tuf::Updater core) : core(std::move(core)) {}

  tuf::Updater core;
  // The last action tuf_next() handed out: tuf_action points into it.
  tuf::Action current = tuf::Waiting{};

  // The last error message; `error_ptr` is what tuf_last_error() returns (it points to a
  // static message when building the string itself failed).
  std::string error;
  const char* error_ptr = "";
  int poisoned = TUF_OK;  // TUF_E_NOMEM / TUF_E_INTERNAL after an exception

  // Finished lookups by id (node-based: pointers into a result stay valid).
  std::map<std::uint64_t, LookupResult> lookups;
  // The message of the last action that carries one (`current`'s error).
  std::string action_message;

  // Records `e` as the last error and returns its code.
  int record(const tuf::Error& e) noexcept {
    try {
      error = e.message();
      error_ptr = error.c_str();
    } catch (...) {
      error_ptr = kNoMemMessage;
    }
    return to_code(e.code);
  }
  int usage(const char* detail) noexcept {
    try {
      return record(tuf::Error{tuf::Errc::usage, "", detail, "", ""});
    } catch (...) {
      error_ptr = kNoMemMessage;
      return TUF_E_USAGE;
    }
  }
  int poison(int code) noexcept {
    poisoned = code;
    error_ptr = code == TUF_E_NOMEM ? kNoMemMessage : kInternalMessage;
    return code;
  }
};

namespace {

// Runs `body` (returning an int code) with every exception mapped to a code; a handle that was
// in use is poisoned.
template <class F>
int guarded(tuf_updater* u, F&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return u ? u->poison(TUF_E_NOMEM) : TUF_E_NOMEM;
  } catch (...) {
    return u ? u->poison(TUF_E_INTERNAL) : TUF_E_INTERNAL;
  }
}

bool valid_transport_code(int code) {
  return code == TUF_E_NOT_FOUND || code == TUF_E_TOO_LARGE || code == TUF_E_TRANSPORT;
}

tuf::Errc transport_errc(int code) {
  switch (code) {
    case TUF_E_NOT_FOUND: return tuf::Errc::not_found;
    case TUF_E_TOO_LARGE: return tuf::Errc::too_large;
    default: return tuf::Errc::transport;
  }
}

// Reads the fields of `cfg` that fit in cfg->size.
template <class T>
bool has_field(const tuf_config& cfg, std::size_t offset) {
  return cfg.size >= offset + sizeof(T);
}

// Fills `out` from the core's action (which must stay alive in u.current).
void describe(tuf_updater& u, tuf_action& out) {
  out = tuf_action{};
  const auto failed = [&](tuf_action_kind kind, const tuf::Error& e) {
    out.kind = kind;
    out.error = to_code(e.code);
    u.action_message = e.message();
    out.message = u.action_message.c_str();
  };
  std::visit(
      [&](const auto& a) {
        using A = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<A, tuf::Fetch>) {
          out.kind = TUF_ACTION_FETCH;
          out.id = tuf::value_of(a.id);
          out.url = a.url.c_str();
          out.max_bytes = a.max_bytes;
          out.role = a.role.c_str();
          out.download = a.download ? tuf::value_of(*a.download) : 0;
        } else if constexpr (std::is_same_v<A, tuf::LoadCached>) {
          out.kind = TUF_ACTION_LOAD_CACHED;
          out.id = tuf::value_of(a.id);
          out.role = a.role.c_str();
          out.max_bytes = a.max_bytes;
        } else if constexpr (std::is_same_v<A, tuf::Persist>) {
          out.kind = TUF_ACTION_PERSIST;
          out.role = a.role.c_str();
          out.data = reinterpret_cast<const std::uint8_t*>(a.bytes.data());
          out.datalen = a.bytes.size();
        } else if constexpr (std::is_same_v<A, tuf::LookupDone>) {
          out.kind = TUF_ACTION_LOOKUP_DONE;
          out.id = tuf::value_of(a.id);
          out.path = a.target_path.c_str();
          const LookupResult& r = u.lookups.try_emplace(out.id, a.found).first->second;
          out.found = r.found ? 1 : 0;
          if (r.found) {
            out.role = r.found->role().c_str();
            r.fill(out.target);
          }
        } else if constexpr (std::is_same_v<A, tuf::LookupFailed>) {
          failed(TUF_ACTION_LOOKUP_FAILED, a.error);
          out.id = tuf::value_of(a.id);
          out.path = a.target_path.c_str();
        } else if constexpr (std::is_same_v<A, tuf::TargetReady>) {
          out.kind = TUF_ACTION_TARGET_READY;
          out.id = tuf::value_of(a.id);
          out.path = a.info.path.c_str();
          out.data = reinterpret_cast<const std::uint8_t*>(a.bytes.data());
          out.datalen = a.bytes.size();
        } else if constexpr (std::is_same_v<A, tuf::DownloadFailed>) {
          failed(TUF_ACTION_DOWNLOAD_FAILED, a.error);
          out.id = tuf::value_of(a.id);
          out.path = a.info.path.c_str();
        } else if constexpr (std::is_same_v<A, tuf::Waiting>) {
          out.kind = TUF_ACTION_WAITING;
        } else if constexpr (std::is_same_v<A, tuf::Done>) {
          out.kind = TUF_ACTION_DONE;
        } else {
          static_assert(std::is_same_v<A, tuf::Failed>);
          failed(TUF_ACTION_FAILED, a.error);
        }
      },
      u.current);
}

}  // namespace

extern "C" {

TUF_API const tuf_version_info* tuf_version(void) {
  static const tuf_version_info info{TUF_VERSION_MAJOR, TUF_VERSION_MINOR, TUF_VERSION_PATCH,
                                     TUF_VERSION_NUM, TUF_VERSION};
  return &info;
}

TUF_API const char* tuf_strerror(int code) {
  switch (code) {
    case TUF_OK: return "ok";
    case TUF_E_UNSIGNED_METADATA: return "unsigned_metadata";
    case TUF_E_BAD_VERSION_NUMBER: return "bad_version_number";
    case TUF_E_EQUAL_VERSION_NUMBER: return "equal_version_number";
    case TUF_E_EXPIRED_METADATA: return "expired_metadata";
    case TUF_E_LENGTH_OR_HASH_MISMATCH: return "length_or_hash_mismatch";
    case TUF_E_INVALID_METADATA: return "invalid_metadata";
    case TUF_E_REPOSITORY_ERROR: return "repository_error";
    case TUF_E_TARGET_NOT_FOUND: return "target_not_found";
    case TUF_E_NOT_FOUND: return "not_found";
    case TUF_E_TOO_LARGE: return "too_large";
    case TUF_E_TRANSPORT: return "transport";
    case TUF_E_USAGE: return "usage";
    case TUF_E_NOMEM: return "nomem";
    case TUF_E_INTERNAL: return "internal";
    default: return "unknown";
  }
}

TUF_API void tuf_config_default(tuf_config* cfg) {
  if (!cfg) return;
  const tuf::UpdaterConfig d;
  *cfg = tuf_config{};
  cfg->size = sizeof(tuf_config);
  cfg->max_root_rotations = d.max_root_rotations;
  cfg->max_delegations = d.max_delegations;
  cfg->root_max_length = d.root_max_length;
  cfg->timestamp_max_length = d.timestamp_max_length;
  cfg->snapshot_max_length = d.snapshot_max_length;
  cfg->targets_max_length = d.targets_max_length;
  cfg->prefix_targets_with_hash = d.prefix_targets_with_hash ? 1 : 0;
}

TUF_API int tuf_updater_new(const uint8_t* root, size_t rootlen, const char* metadata_base_url,
                            const tuf_config* cfg, tuf_updater** out, char* errbuf,
                            size_t errbuflen) {
  copy_message("", errbuf, errbuflen);
  if (out) *out = nullptr;
  auto usage = [&](const char* detail) {
    copy_message(std::string("usage: ") + detail, errbuf, errbuflen);
    return TUF_E_USAGE;
  };
  const int rc = guarded(nullptr, [&]() -> int {
    if (!out) return usage("tuf_updater_new: out is NULL");
    if (!metadata_base_url) return usage("tuf_updater_new: metadata_base_url is NULL");
    if (!root && rootlen > 0) return usage("tuf_updater_new: root is NULL");

    tuf::UpdaterConfig config;
    if (cfg) {
      if (cfg->size == 0) {
        return usage("tuf_updater_new: tuf_config not initialised with tuf_config_default");
      }
#define TUF_READ_(field, expr)                                                       \
  if (has_field<decltype(cfg->field)>(*cfg, offsetof(tuf_config, field))) {         \
    config.field = expr;                                                             \
  }
      TUF_READ_(max_root_rotations, cfg->max_root_rotations)
      TUF_READ_(max_delegations, cfg->max_delegations)
      TUF_READ_(root_max_length, cfg->root_max_length)
      TUF_READ_(timestamp_max_length, cfg->timestamp_max_length)
      TUF_READ_(snapshot_max_length, cfg->snapshot_max_length)
      TUF_READ_(targets_max_length, cfg->targets_max_length)
      TUF_READ_(prefix_targets_with_hash, cfg->prefix_targets_with_hash != 0)
#undef TUF_READ_
      // The core treats a limit of 0 as "none": never let a configuration unbound a download.
      if (config.root_max_length == 0 || config.timestamp_max_length == 0 ||
          config.snapshot_max_length == 0 || config.targets_max_length == 0) {
        return usage("tuf_updater_new: a length limit in tuf_config is 0");
      }
    }

    auto created = tuf::Updater::create(tuf::Bytes(root, rootlen), metadata_base_url, config);
    if (!created) {
      copy_message(created.error().message(), errbuf, errbuflen);
      return to_code(created.error().code);
    }
    *out = new tuf_updater(std::move(*created));
    return TUF_OK;
  });
  if (rc == TUF_E_NOMEM) copy_message(kNoMemMessage, errbuf, errbuflen);
  if (rc == TUF_E_INTERNAL) copy_message(kInternalMessage, errbuf, errbuflen);
  return rc;
}

TUF_API void tuf_updater_free(tuf_updater* u) { delete u; }

TUF_API int tuf_start_refresh(tuf_updater* u, int64_t now) {
  if (!u) return TUF_E_USAGE;
  if (u->poisoned) return u->poisoned;
  return guarded(u, [&]() -> int {
    auto ok = u->core.start_refresh(now);
    if (!ok) return u->record(ok.error());
    // A new refresh may change what targets metadata says: forget earlier lookups.
    u->lookups.clear();
    return TUF_OK;
  });
}

TUF_API int tuf_start_lookup(tuf_updater* u, const char* target_path, uint64_t* id) {
  if (!u) return TUF_E_USAGE;
  if (u->poisoned) return u->poisoned;
  if (!target_path || !id) return u->usage("tuf_start_lookup: an argument is NULL");
  return guarded(u, [&]() -> int {
    auto started = u->core.start_lookup(target_path);
    if (!started) return u->record(started.error());
    *id = tuf::value_of(*started);
    return TUF_OK;
  });
}

TUF_API int tuf_lookup_result(tuf_updater* u, uint64_t lookup_id, int* found,
                              tuf_target_info* out) {
  if (!u) return TUF_E_USAGE;
  if (!found) return u->usage("tuf_lookup_result: found is NULL");
  auto it = u->lookups.find(lookup_id);
  if (it == u->lookups.end()) {
    return u->usage("tuf_lookup_result: no finished lookup has this id");
  }
  *found = it->second.found ? 1 : 0;
  if (it->second.found && out) it->second.fill(*out);
  return TUF_OK;
}

TUF_API void tuf_lookup_release(tuf_updater* u, uint64_t lookup_id) {
  if (u) u->lookups.erase(lookup_id);
}

TUF_API int tuf_start_download(tuf_updater* u, uint64_t lookup_id, const char* target_base_url,
                               uint64_t* id) {
  if (!u) return TUF_E_USAGE;
  if (u->poisoned) return u->poisoned;
  if (!target_base_url || !id) return u->usage("tuf_start_download: an argument is NULL");
  auto it = u->lookups.find(lookup_id);
  if (it == u->lookups.end() || !it->second.found) {
    return u->usage("tuf_start_download: no finished lookup with this id found its target");
  }
  return guarded(u, [&]() -> int {
    auto started = u->core.start_download(*it->second.found, target_base_url);
    if (!started) return u->record(started.error());
    *id = tuf::value_of(*started);
    return TUF_OK;
  });
}

TUF_API int tuf_next(tuf_updater* u, tuf_action* out) {
  if (!u) return TUF_E_USAGE;
  if (!out) return u->usage("tuf_next: out is NULL");
  const auto report_poisoned = [&] {
    // Nothing from the core is handed out after an exception; `current` may hold anything.
    *out = tuf_action{};
    out->kind = TUF_ACTION_FAILED;
    out->error = u->poisoned;
    out->message = u->error_ptr;
    return TUF_OK;
  };
  if (u->poisoned) return report_poisoned();
  const int rc = guarded(u, [&]() -> int {
    u->current = u->core.next();
    describe(*u, *out);
    return TUF_OK;
  });
  if (rc != TUF_OK) return report_poisoned();
  return TUF_OK;
}

TUF_API int tuf_deliver(tuf_updater* u, uint64_t id, const uint8_t* data, size_t datalen) {
  if (!u) return TUF_E_USAGE;
  if (u->poisoned) return u->poisoned;
  if (!data && datalen > 0) return u->usage("tuf_deliver: data is NULL");
  return guarded(u, [&]() -> int {
    std::string bytes(reinterpret_cast<const char*>(data), datalen);
    auto ok = u->core.deliver(tuf::RequestId{id}, std::move(bytes));
    if (!ok) return u->record(ok.error());
    return TUF_OK;
  });
}

TUF_API int tuf_fail(tuf_updater* u, uint64_t id, int transport_code, const char* detail) {
  if (!u) return TUF_E_USAGE;
  if (u->poisoned) return u->poisoned;
  if (!valid_transport_code(transport_code)) {
    return u->usage(
        "tuf_fail: transport_code must be TUF_E_NOT_FOUND, TUF_E_TOO_LARGE or TUF_E_TRANSPORT");
  }
  return guarded(u, [&]() -> int {
    tuf::Error error{transport_errc(transport_code), "",
                     detail ? std::string(detail) : std::string(tuf_strerror(transport_code)),
                     "", ""};
    auto ok = u->core.fail(tuf::RequestId{id}, std::move(error));
    if (!ok) return u->record(ok.error());
    return TUF_OK;
  });
}

TUF_API const char* tuf_last_error(const tuf_updater* u) {
  if (!u) return "";
  return u->error_ptr;
}

}  // extern "C"
