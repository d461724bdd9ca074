/*
 * tuf.h: the C API of tufget's sans-io TUF client core (libtufcore).
 *
 * The library verifies TUF metadata and targets (TUF specification 1.0, section 5 "Detailed
 * client workflow") and never performs I/O or reads a clock. The embedding program does every
 * fetch, every cache read and write, and passes the current time in. It drives an updater by
 * polling it for the next action and answering the requests it makes:
 *
 *   tuf_updater *u;
 *   tuf_updater_new(root, rootlen, "https://repo.example/metadata/", NULL, &u, NULL, 0);
 *   tuf_start_refresh(u, time(NULL));     (then lookups: tuf_start_lookup(u, path, &id))
 *   for (;;) {
 *     tuf_action a;
 *     tuf_next(u, &a);
 *     switch (a.kind) {
 *     case TUF_ACTION_FETCH:        fetch a.url (at most a.max_bytes), then tuf_deliver()
 *                                   or tuf_fail(); keep polling
 *     case TUF_ACTION_LOAD_CACHED:  read the stored copy of a.role (at most a.max_bytes),
 *                                   tuf_deliver() or tuf_fail(.., TUF_E_NOT_FOUND, ..)
 *     case TUF_ACTION_PERSIST:      store a.data for a.role (atomically); no answer
 *     case TUF_ACTION_LOOKUP_DONE:  lookup a.id finished: a.found, a.target
 *     case TUF_ACTION_LOOKUP_FAILED: lookup a.id failed: a.error, a.message
 *     case TUF_ACTION_TARGET_READY: download a.id: a.data is the verified target; no answer
 *     case TUF_ACTION_DOWNLOAD_FAILED: download a.id failed: a.error, a.message
 *     case TUF_ACTION_WAITING:      answer the outstanding requests, then poll again
 *     case TUF_ACTION_DONE:         every operation started has reported
 *     case TUF_ACTION_FAILED:       the refresh failed: a.error, a.message
 *     }
 *   }
 *   tuf_updater_free(u);
 *
 * Operations: tuf_start_refresh() (root rotation, timestamp, snapshot, top-level targets)
 * runs alone. After it, any number of tuf_start_lookup() (find a target in the delegation
 * graph) and tuf_start_download() (fetch and verify a target a lookup found) may be
 * outstanding at once. Each reports its own result action carrying its id, and a failure ends
 * only the operation it belongs to: a bad delegated role fails the lookups that need it, not
 * the others. Lookups that need the same metadata share one fetch. DONE means every operation
 * started has reported. A failed refresh may be retried with tuf_start_refresh().
 *
 * Ids: request ids (FETCH, LOAD_CACHED), lookup ids and download ids are three separate
 * kinds; none is ever reused. Answer each request exactly once, with
 * tuf_deliver() or tuf_fail(), in any order; several may be outstanding at once and may be
 * serviced concurrently by the caller (but every call on one updater must come from one
 * thread at a time). Ids are never reused. Answering an unknown or already answered id is a
 * usage error that changes nothing.
 *
 * Errors: functions returning int return 0 (TUF_OK) or a negative tuf_error code;
 * tuf_last_error() gives a sentence for the last error on that updater. Failed operations
 * report their error in their action (error, message). No C++ exception ever leaves the
 * library; an allocation failure inside an operation fails that operation (TUF_E_INTERNAL,
 * message "out of memory"); one at the API boundary is reported as TUF_E_NOMEM and, like an
 * internal error there, makes the updater fail for good.
 *
 * Stability (0.x: the soname carries major.minor, so a new minor version is a new ABI): every
 * function and type in this header is part of the API of this version; fields are only ever
 * appended to tuf_config (sized by its `size` field) and to tuf_action.
 *
 * Trust: nothing the library hands out is unverified. PERSIST data is metadata that has been
 * verified; TARGET_READY data is a whole target whose length and every hash matched trusted
 * metadata. The caller's only security duty is to store PERSIST data faithfully, give back
 * exactly what it stored for LOAD_CACHED (the library re-verifies it anyway), and to pass the
 * most recently persisted root (role "root") to tuf_updater_new() the next time.
 *
 * Threads: a tuf_updater is not thread-safe; distinct updaters are independent.
 */
#ifndef TUF_TUF_H
#define TUF_TUF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(TUF_BUILDING_LIBRARY) && (defined(__GNUC__) || defined(__clang__))
#define TUF_API __attribute__((visibility("default")))
#else
#define TUF_API
#endif

/* The version of this header. tuf_version() gives the version of the library actually
 * loaded, which may differ when the header and the shared library come from different
 * installs. While the major version is 0, each minor version may change the ABI (the shared
 * library's soname carries major.minor). */
#define TUF_VERSION_MAJOR 0
#define TUF_VERSION_MINOR 2
#define TUF_VERSION_PATCH 0
#define TUF_VERSION "0.2.0"
/* 0xMMmmpp: compare with TUF_VERSION_NUM >= 0x000100 and the like. */
#define TUF_VERSION_NUM \
  ((TUF_VERSION_MAJOR << 16) | (TUF_VERSION_MINOR << 8) | TUF_VERSION_PATCH)

typedef struct tuf_version_info {
  int major;
  int minor;
  int patch;
  int num;             /* as TUF_VERSION_NUM */
  const char *string;  /* "MAJOR.MINOR.PATCH", static storage */
} tuf_version_info;

/* The version of the loaded library. Never NULL; static storage. */
TUF_API const tuf_version_info *tuf_version(void);

/* Error codes. They mirror tuf::Errc of the C++ core (values after TUF_E_USAGE exist only at
 * the C boundary). Verification codes are named after the TUF specification. */
typedef enum tuf_error {
  TUF_OK = 0,
  TUF_E_UNSIGNED_METADATA = -1,       /* signature threshold not met */
  TUF_E_BAD_VERSION_NUMBER = -2,      /* rollback, or a version that does not match a listing */
  TUF_E_EQUAL_VERSION_NUMBER = -3,    /* same version as the trusted one */
  TUF_E_EXPIRED_METADATA = -4,        /* freeze attack defence */
  TUF_E_LENGTH_OR_HASH_MISMATCH = -5, /* mix-and-match / arbitrary software defence */
  TUF_E_INVALID_METADATA = -6,        /* malformed JSON or a schema violation */
  TUF_E_REPOSITORY_ERROR = -7,        /* anything else the repository did wrong */
  TUF_E_TARGET_NOT_FOUND = -8,        /* no trusted metadata names the target */
  TUF_E_NOT_FOUND = -9,               /* transport: the file does not exist (HTTP 404/410) */
  TUF_E_TOO_LARGE = -10,              /* transport: the response exceeded max_bytes */
  TUF_E_TRANSPORT = -11,              /* transport: any other failure */
  TUF_E_USAGE = -12,                  /* the API was used wrongly; nothing changed */
  TUF_E_NOMEM = -13,                  /* out of memory; the updater (if any) is failed */
  TUF_E_INTERNAL = -14                /* a bug in the library; the updater is failed */
} tuf_error;

/* The name of an error code ("expired_metadata", "not_found", ...; "ok" for TUF_OK, "unknown"
 * for a value that is not a tuf_error). Static storage. */
TUF_API const char *tuf_strerror(int code);

/* Limits and options of an updater. Always initialise with tuf_config_default() and then
 * change fields: the library reads only the fields that fit in the first `size` bytes (the
 * others keep their defaults), so a program built against an older header keeps working with
 * a newer library. Names follow python-tuf's UpdaterConfig. A length limit of 0 is refused
 * (TUF_E_USAGE): every download is bounded. */
typedef struct tuf_config {
  size_t size;                     /* set by tuf_config_default(): sizeof(tuf_config) */
  uint32_t max_root_rotations;     /* 5.3.3: new root versions fetched per refresh (256) */
  uint32_t max_delegations;        /* 5.6.7.1: roles visited per lookup (32) */
  uint64_t root_max_length;        /* bytes, root metadata (512000) */
  uint64_t timestamp_max_length;   /* bytes, timestamp metadata (16384) */
  uint64_t snapshot_max_length;    /* bytes, snapshot when timestamp lists no length (2000000) */
  uint64_t targets_max_length;     /* bytes, targets when snapshot lists no length (5000000) */
  int prefix_targets_with_hash;    /* 5.7.3: with consistent snapshots, fetch targets as
                                      <dir>/<hash>.<name> (non-zero, the default) */
} tuf_config;

/* Fills *cfg with the defaults above. cfg must not be NULL. */
TUF_API void tuf_config_default(tuf_config *cfg);

typedef struct tuf_updater tuf_updater;

/* Creates an updater that trusts `root` (root metadata JSON, `rootlen` bytes), 5.2: the root
 * must be well formed and signed by a threshold of its own root keys; its expiry is checked
 * later, against the refresh's time. `metadata_base_url` (NUL-terminated) is the URL that
 * metadata file names are appended to; a '/' is added if missing. `cfg` may be NULL for the
 * defaults. The library copies everything it needs: the arguments may be freed on return.
 *
 * On success stores the updater in *out and returns TUF_OK. Next: tuf_start_refresh().
 * On failure stores NULL in *out and returns
 *   TUF_E_USAGE            out or metadata_base_url is NULL, root is NULL with rootlen > 0,
 *                          cfg->size is 0 (not initialised), or a length limit is 0;
 *   TUF_E_INVALID_METADATA, TUF_E_UNSIGNED_METADATA, TUF_E_REPOSITORY_ERROR: bad root;
 *   TUF_E_NOMEM, TUF_E_INTERNAL.
 * and, when `errbuf` is not NULL, writes the message there (NUL-terminated, truncated to
 * `errbuflen` bytes; the library keeps no per-thread state). */
TUF_API int tuf_updater_new(const uint8_t *root, size_t rootlen, const char *metadata_base_url,
                            const tuf_config *cfg, tuf_updater **out, char *errbuf,
                            size_t errbuflen);

/* Frees the updater and everything it handed out (action data, lookup results, messages).
 * Outstanding requests are abandoned. NULL is allowed and does nothing. */
TUF_API void tuf_updater_free(tuf_updater *u);

/* Starts a refresh (5.1-5.6: root rotation, timestamp, snapshot, top-level targets). `now` is
 * the current time in seconds since the Unix epoch (UTC); it is the fixed reference time for
 * this refresh and for every lookup after it. Each refresh starts again from the latest
 * trusted root. Next: poll with tuf_next() until TUF_ACTION_DONE or TUF_ACTION_FAILED.
 * Forgets every earlier lookup result.
 * Returns TUF_OK, or
 *   TUF_E_USAGE   u is NULL, or an operation (refresh, lookup, download) is outstanding;
 *   TUF_E_NOMEM. */
TUF_API int tuf_start_refresh(tuf_updater *u, int64_t now);

/* Starts looking up `target_path` (NUL-terminated, as named in targets metadata) in the
 * delegation graph (5.6.7). Requires a completed refresh; any number of lookups may be
 * outstanding. Stores the lookup's id in *id. Its result arrives as TUF_ACTION_LOOKUP_DONE
 * (found or not: a target that no trusted role lists is not a failure) or
 * TUF_ACTION_LOOKUP_FAILED with this id.
 * Returns TUF_OK, or
 *   TUF_E_USAGE   an argument is NULL, or no refresh has completed; TUF_E_NOMEM. */
TUF_API int tuf_start_lookup(tuf_updater *u, const char *target_path, uint64_t *id);

typedef struct tuf_hash {
  const char *algorithm;  /* "sha256", "sha512", "blake2b-256", ... as listed */
  const char *hex;        /* the digest in hex, as listed */
} tuf_hash;

/* A target as trusted metadata describes it. */
typedef struct tuf_target_info {
  const char *path;        /* the target path looked up */
  uint64_t length;         /* exact length in bytes */
  size_t nhashes;          /* at least 1 */
  const tuf_hash *hashes;  /* nhashes entries, in document order */
} tuf_target_info;

/* The result of lookup `lookup_id`, which must have reported TUF_ACTION_LOOKUP_DONE. Stores
 * 1 in *found and fills *out if a trusted role lists the target, else stores 0 in *found.
 * `out` may be NULL if only *found is wanted.
 * Lifetime: the strings and the hashes array stay valid until tuf_lookup_release() of this
 * id, tuf_start_refresh() or tuf_updater_free() on u.
 * Returns TUF_OK, or TUF_E_USAGE (u or found is NULL, or no such finished lookup). */
TUF_API int tuf_lookup_result(tuf_updater *u, uint64_t lookup_id, int *found,
                              tuf_target_info *out);

/* Forgets the result of lookup `lookup_id` (its memory is freed; downloads already started
 * from it are not affected). Unknown ids are ignored. */
TUF_API void tuf_lookup_release(tuf_updater *u, uint64_t lookup_id);

/* Starts downloading the target that lookup `lookup_id` found (5.7), from `target_base_url`
 * (NUL-terminated; the target path, or <hash>.<name> with consistent snapshots, is appended
 * after a '/'). Stores in *id the download id: a TUF_ACTION_FETCH (with its own request id and
 * max_bytes == the trusted length) follows, and, once its bytes are delivered, a
 * TUF_ACTION_TARGET_READY (verified) or TUF_ACTION_DOWNLOAD_FAILED with the download id.
 * Returns TUF_OK, or
 *   TUF_E_USAGE   an argument is NULL, no refresh has completed, or lookup `lookup_id` has
 *                 not reported LOOKUP_DONE with a found target; TUF_E_NOMEM. */
TUF_API int tuf_start_download(tuf_updater *u, uint64_t lookup_id, const char *target_base_url,
                               uint64_t *id);

typedef enum tuf_action_kind {
  /* Fetch `url`, reading at most `max_bytes` bytes (a server sending more must be cut off:
   * answer tuf_fail(u, id, TUF_E_TOO_LARGE, ...)). Answer with tuf_deliver() or tuf_fail()
   * with TUF_E_NOT_FOUND (the file does not exist: for root this ends the root walk),
   * TUF_E_TOO_LARGE or TUF_E_TRANSPORT. `role` is the metadata role, or "" for a target
   * (its download's id is in `download`). */
  TUF_ACTION_FETCH = 1,
  /* Read the locally stored copy of `role` (the bytes last PERSISTed for it), at most
   * `max_bytes` bytes (a longer copy is not usable: answer TUF_E_NOT_FOUND). Answer with
   * tuf_deliver(), or tuf_fail(u, id, TUF_E_NOT_FOUND, ...) when there is none (any of the
   * three codes means "no usable local copy": the file is then fetched). The copy is
   * verified again as if it came from the network, so a corrupt or stale file is harmless. */
  TUF_ACTION_LOAD_CACHED = 2,
  /* Store `data`/`datalen` as the trusted copy of `role`, replacing the previous one
   * atomically (write a temporary file, then rename). No answer. When `role` is "root", also
   * keep these bytes as the root to pass to the next tuf_updater_new(). */
  TUF_ACTION_PERSIST = 3,
  /* `data`/`datalen` is the complete target `path`, verified against trusted metadata (length
   * and every hash); `id` is the download id. No answer. */
  TUF_ACTION_TARGET_READY = 4,
  /* Requests are outstanding: answer at least one, then poll again. */
  TUF_ACTION_WAITING = 5,
  /* Every operation started has reported: start the next one or free the updater. */
  TUF_ACTION_DONE = 6,
  /* The refresh failed: `error` holds the code, `message` the sentence. The updater is not
   * refreshed; tuf_start_refresh() may be called again. */
  TUF_ACTION_FAILED = 7,
  /* Lookup `id` finished: `found` is 1 and `target` describes it, or `found` is 0. The result
   * stays available through tuf_lookup_result() until released. No answer. */
  TUF_ACTION_LOOKUP_DONE = 8,
  /* Lookup `id` failed (`error`, `message`); other operations are not affected. */
  TUF_ACTION_LOOKUP_FAILED = 9,
  /* Download `id` failed (`error`, `message`; `path` is the target); nothing was released. */
  TUF_ACTION_DOWNLOAD_FAILED = 10
} tuf_action_kind;

/* One action. Fields that do not apply to the kind are 0 / NULL.
 * Lifetime: url, role, path, data, message and target point into the updater and stay valid
 * until the next tuf_next() or tuf_updater_free() on the same updater (other calls, including tuf_deliver()
 * and tuf_fail(), do not invalidate them). Copy what you need to keep. Strings are
 * NUL-terminated; data may contain any bytes and is not NUL-terminated. */
typedef struct tuf_action {
  tuf_action_kind kind;
  int error;            /* FAILED, LOOKUP_FAILED, DOWNLOAD_FAILED: the tuf_error code */
  uint64_t id;          /* FETCH, LOAD_CACHED: request id; LOOKUP_*: lookup id;
                           TARGET_READY, DOWNLOAD_FAILED: download id */
  const char *url;      /* FETCH */
  uint64_t max_bytes;   /* FETCH, LOAD_CACHED: never read more than this */
  const char *role;     /* FETCH ("" for a target), LOAD_CACHED, PERSIST; LOOKUP_DONE: the
                           role that listed the target */
  const char *path;     /* TARGET_READY, DOWNLOAD_FAILED, LOOKUP_*: the target path */
  const uint8_t *data;  /* PERSIST, TARGET_READY */
  size_t datalen;       /* PERSIST, TARGET_READY */
  const char *message;  /* FAILED, LOOKUP_FAILED, DOWNLOAD_FAILED: the error sentence */
  uint64_t download;    /* FETCH of a target: its download id (0 for metadata) */
  int found;            /* LOOKUP_DONE: 1 if found */
  tuf_target_info target; /* LOOKUP_DONE with found == 1 */
} tuf_action;

/* Polls the updater for its next action and stores it in *out. Call it after starting an
 * operation and after every tuf_deliver()/tuf_fail(), until it returns WAITING, DONE or
 * FAILED. Returns TUF_OK when *out holds an action (a *FAILED kind is an action, not an error of
 * tuf_next() itself), or TUF_E_USAGE (u or out is NULL). */
TUF_API int tuf_next(tuf_updater *u, tuf_action *out);

/* Answers request `id` (a FETCH or LOAD_CACHED) with its bytes; the library copies them once.
 * `data` may be NULL when `datalen` is 0. Next: tuf_next().
 * Returns TUF_OK, or
 *   TUF_E_USAGE   u is NULL, data is NULL with datalen > 0, or id is not an outstanding
 *                 request (nothing changes);
 *   TUF_E_LENGTH_OR_HASH_MISMATCH  the bytes of a target download were refused on the spot:
 *                 a DOWNLOAD_FAILED for it follows from tuf_next();
 *   TUF_E_NOMEM.
 * Metadata bytes are judged while the workflow resumes: their verdict comes from tuf_next().
 * More than the request's max_bytes is refused (TOO_LARGE) even if the caller read it. */
TUF_API int tuf_deliver(tuf_updater *u, uint64_t id, const uint8_t *data, size_t datalen);

/* Answers request `id` with a transport failure. `transport_code` must be TUF_E_NOT_FOUND,
 * TUF_E_TOO_LARGE or TUF_E_TRANSPORT; `detail` (NUL-terminated, may be NULL) is kept in the
 * error message. A failed target download fails that download; a failed metadata fetch the
 * workflow cannot recover from (anything but NOT_FOUND for the next root version) fails the
 * operation(s) that needed it. Next: tuf_next().
 * Returns TUF_OK, or TUF_E_USAGE (u is NULL, transport_code is not one of the three, or id is
 * not an outstanding request; nothing changes), TUF_E_NOMEM. */
TUF_API int tuf_fail(tuf_updater *u, uint64_t id, int transport_code, const char *detail);

/* The message of the last error a call on `u` returned ("<code>: <role>: <detail> (expected
 * X, got Y)"), or "" if there was none (and for u == NULL). Never returns NULL.
 * Lifetime: valid until the next call on u that returns an error, or tuf_updater_free(u). */
TUF_API const char *tuf_last_error(const tuf_updater *u);

#ifdef __cplusplus
}
#endif

#endif /* TUF_TUF_H */
