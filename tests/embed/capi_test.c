/* The C API contract (tuf/tuf.h), from C: version, error names, argument checks, the first
 * requests of a refresh, byte limits and tuf_config's size field, a failed refresh that may be
 * retried, tuf_updater_new's error buffer; and, against a whole repository, several lookups
 * outstanding at once with their answers interleaved, shared fetches of a hash bin, a bad bin
 * that fails only the lookups that need it, and downloads started from a lookup's id.
 *
 *   capi_test INDEX
 *
 * INDEX: a `tufget index` directory with 2 hash bins and the pip wheel published (made by
 * tests/embed/run_examples.sh and install_test.sh): its tuf-metadata/ is served from memory
 * under BASE and the target "pip" is simple/pip/index.html. Built in-tree against the tufcore
 * target, and again by the install test against the installed package (find_package and
 * pkg-config), so it must stay plain C11 using only tuf/tuf.h. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tuf/tuf.h>

static int failures = 0;

#define CHECK(cond)                                                      \
  do {                                                                   \
    if (!(cond)) {                                                       \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                        \
    }                                                                    \
  } while (0)

#define CHECK_RC(expr, want)                                                               \
  do {                                                                                     \
    int rc_ = (expr);                                                                      \
    if (rc_ != (want)) {                                                                   \
      fprintf(stderr, "%s:%d: %s returned %d (%s), wanted %d (%s)\n", __FILE__, __LINE__, \
              #expr, rc_, tuf_strerror(rc_), (int)(want), tuf_strerror(want));             \
      ++failures;                                                                          \
    }                                                                                      \
  } while (0)

#define BASE "http://127.0.0.1:9/meta" /* never contacted: there is no I/O here */
static const char kBase[] = BASE;
static const int64_t kNow = 1700000000;                  /* 2023-11-14 */

/* The file's bytes, followed by a NUL that is not counted in *len. */
static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0;
  uint8_t *buf = malloc(cap);
  for (;;) {
    if (n + 1 >= cap) buf = realloc(buf, cap *= 2);
    if (!buf) abort();
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    if (got == 0) break;
    n += got;
  }
  fclose(f);
  buf[n] = 0;
  *len = n;
  return buf;
}

static tuf_action next(tuf_updater *u) {
  tuf_action a;
  memset(&a, 0xAB, sizeof a); /* every field must be written */
  CHECK_RC(tuf_next(u, &a), TUF_OK);
  return a;
}

/* Answers the root walk's first probe with not_found and the timestamp's LOAD_CACHED with
 * not_found; returns the timestamp FETCH. */
static tuf_action advance_to_timestamp_fetch(tuf_updater *u) {
  tuf_action a = next(u);
  CHECK(a.kind == TUF_ACTION_FETCH);
  CHECK(a.id != 0);
  CHECK(a.role && strcmp(a.role, "root") == 0);
  CHECK(a.url && strcmp(a.url, "http://127.0.0.1:9/meta/2.root.json") == 0);
  CHECK(a.path == NULL && a.data == NULL && a.datalen == 0 && a.error == 0);
  const uint64_t root_id = a.id;
  CHECK_RC(tuf_fail(u, root_id, TUF_E_NOT_FOUND, "404"), TUF_OK);
  /* An id is answered once. */
  CHECK_RC(tuf_fail(u, root_id, TUF_E_NOT_FOUND, "404"), TUF_E_USAGE);
  CHECK_RC(tuf_deliver(u, root_id, (const uint8_t *)"x", 1), TUF_E_USAGE);

  a = next(u);
  CHECK(a.kind == TUF_ACTION_LOAD_CACHED);
  CHECK(a.role && strcmp(a.role, "timestamp") == 0);
  CHECK(a.url == NULL);
  CHECK(a.id != 0 && a.id != root_id);
  CHECK_RC(tuf_fail(u, a.id, TUF_E_NOT_FOUND, NULL), TUF_OK);

  a = next(u);
  CHECK(a.kind == TUF_ACTION_FETCH);
  CHECK(a.role && strcmp(a.role, "timestamp") == 0);
  CHECK(a.url && strcmp(a.url, "http://127.0.0.1:9/meta/timestamp.json") == 0);
  return a;
}

static void test_static_parts(void) {
  const tuf_version_info *v = tuf_version();
  CHECK(v != NULL);
  CHECK(v->major == TUF_VERSION_MAJOR && v->minor == TUF_VERSION_MINOR &&
        v->patch == TUF_VERSION_PATCH);
  CHECK(v->num == TUF_VERSION_NUM);
  CHECK(strcmp(v->string, TUF_VERSION) == 0);
  CHECK(TUF_VERSION_NUM >= 0x000200);

  CHECK(strcmp(tuf_strerror(TUF_OK), "ok") == 0);
  CHECK(strcmp(tuf_strerror(TUF_E_EXPIRED_METADATA), "expired_metadata") == 0);
  CHECK(strcmp(tuf_strerror(TUF_E_LENGTH_OR_HASH_MISMATCH), "length_or_hash_mismatch") == 0);
  CHECK(strcmp(tuf_strerror(TUF_E_TOO_LARGE), "too_large") == 0);
  CHECK(strcmp(tuf_strerror(TUF_E_NOMEM), "nomem") == 0);
  CHECK(strcmp(tuf_strerror(12345), "unknown") == 0);

  tuf_config cfg;
  tuf_config_default(&cfg);
  CHECK(cfg.size == sizeof(tuf_config));
  CHECK(cfg.max_root_rotations == 256 && cfg.max_delegations == 32);
  CHECK(cfg.root_max_length == 512000 && cfg.timestamp_max_length == 16384);
  CHECK(cfg.prefix_targets_with_hash == 1);

  tuf_updater_free(NULL);
  tuf_action a;
  uint64_t id = 0;
  int found = 0;
  CHECK_RC(tuf_next(NULL, &a), TUF_E_USAGE);
  CHECK_RC(tuf_start_refresh(NULL, kNow), TUF_E_USAGE);
  CHECK_RC(tuf_start_lookup(NULL, "pip", &id), TUF_E_USAGE);
  CHECK_RC(tuf_lookup_result(NULL, 1, &found, NULL), TUF_E_USAGE);
  CHECK_RC(tuf_start_download(NULL, 1, kBase, &id), TUF_E_USAGE);
  tuf_lookup_release(NULL, 1);
  CHECK(tuf_last_error(NULL) != NULL);
}

static void test_new(const uint8_t *root, size_t rootlen) {
  tuf_updater *u = (tuf_updater *)&u; /* must be overwritten with NULL on failure */
  char err[256];
  CHECK_RC(tuf_updater_new(root, rootlen, kBase, NULL, NULL, err, sizeof err), TUF_E_USAGE);
  CHECK(strstr(err, "out is NULL") != NULL);
  CHECK_RC(tuf_updater_new(root, rootlen, NULL, NULL, &u, err, sizeof err), TUF_E_USAGE);
  CHECK(u == NULL);
  CHECK_RC(tuf_updater_new(NULL, 5, kBase, NULL, &u, err, sizeof err), TUF_E_USAGE);

  const char junk[] = "this is not json";
  CHECK_RC(tuf_updater_new((const uint8_t *)junk, sizeof junk - 1, kBase, NULL, &u, err,
                           sizeof err),
           TUF_E_INVALID_METADATA);
  CHECK(u == NULL);
  CHECK(strstr(err, "invalid_metadata") != NULL);

  /* A root whose signature does not verify: change one byte of the signed part. */
  uint8_t *bad = malloc(rootlen + 1);
  if (!bad) abort();
  memcpy(bad, root, rootlen + 1); /* with read_file's NUL */
  char *expires = strstr((char *)bad, "\"expires\":\"");
  CHECK(expires != NULL);
  if (expires) {
    char *year_digit = expires + strlen("\"expires\":\"") + 3; /* still a valid date */
    *year_digit = *year_digit == '8' ? '7' : '8';
    CHECK_RC(tuf_updater_new(bad, rootlen, kBase, NULL, &u, err, sizeof err),
             TUF_E_UNSIGNED_METADATA);
    CHECK(u == NULL);
    CHECK(strstr(err, "unsigned_metadata") != NULL);
  }
  free(bad);

  tuf_config cfg;
  tuf_config_default(&cfg);
  cfg.size = 0;
  CHECK_RC(tuf_updater_new(root, rootlen, kBase, &cfg, &u, err, sizeof err), TUF_E_USAGE);
  tuf_config_default(&cfg);
  cfg.timestamp_max_length = 0; /* would mean "unbounded" to the core: refused */
  CHECK_RC(tuf_updater_new(root, rootlen, kBase, &cfg, &u, err, sizeof err), TUF_E_USAGE);
  CHECK(strstr(err, "length limit") != NULL);

  CHECK_RC(tuf_updater_new(root, rootlen, kBase, NULL, &u, err, sizeof err), TUF_OK);
  CHECK(u != NULL);
  CHECK(strcmp(err, "") == 0); /* success clears the buffer */
  CHECK(strcmp(tuf_last_error(u), "") == 0);
  tuf_updater_free(u);
}

/* tuf_updater_new's message goes to the caller's buffer only: truncated and NUL-terminated,
 * never written past errbuflen, and not needed at all. */
static void test_new_error_buffer(void) {
  tuf_updater *u = NULL;
  const char junk[] = "this is not json";
  char err[16];
  memset(err, 'Z', sizeof err);
  CHECK_RC(tuf_updater_new((const uint8_t *)junk, sizeof junk - 1, kBase, NULL, &u, err, 8),
           TUF_E_INVALID_METADATA);
  CHECK(strlen(err) == 7 && strncmp(err, "invalid", 7) == 0);
  CHECK(err[8] == 'Z'); /* nothing written past errbuflen */
  memset(err, 'Z', sizeof err);
  CHECK_RC(tuf_updater_new((const uint8_t *)junk, sizeof junk - 1, kBase, NULL, &u, err, 1),
           TUF_E_INVALID_METADATA);
  CHECK(err[0] == '\0' && err[1] == 'Z');
  memset(err, 'Z', sizeof err);
  CHECK_RC(tuf_updater_new((const uint8_t *)junk, sizeof junk - 1, kBase, NULL, &u, err, 0),
           TUF_E_INVALID_METADATA);
  CHECK(err[0] == 'Z'); /* errbuflen 0: untouched */
  CHECK_RC(tuf_updater_new((const uint8_t *)junk, sizeof junk - 1, kBase, NULL, &u, NULL, 64),
           TUF_E_INVALID_METADATA);
  CHECK_RC(tuf_updater_new(NULL, 0, kBase, NULL, NULL, NULL, 0), TUF_E_USAGE);
  CHECK(u == NULL);
  CHECK(strcmp(tuf_last_error(NULL), "") == 0); /* no per-thread message */
}

static void test_usage_errors_change_nothing(const uint8_t *root, size_t rootlen) {
  tuf_updater *u = NULL;
  CHECK_RC(tuf_updater_new(root, rootlen, kBase, NULL, &u, NULL, 0), TUF_OK);
  if (!u) return;
  int found = -1;
  uint64_t id = 0;
  tuf_target_info info;
  /* Nothing started: DONE. */
  CHECK(next(u).kind == TUF_ACTION_DONE);
  CHECK_RC(tuf_start_lookup(u, "pip", &id), TUF_E_USAGE); /* refresh first */
  CHECK(strstr(tuf_last_error(u), "usage") != NULL);
  CHECK(id == 0);
  CHECK_RC(tuf_start_lookup(u, NULL, &id), TUF_E_USAGE);
  CHECK_RC(tuf_start_lookup(u, "pip", NULL), TUF_E_USAGE);
  CHECK_RC(tuf_lookup_result(u, 1, &found, &info), TUF_E_USAGE);
  CHECK_RC(tuf_lookup_result(u, 1, NULL, &info), TUF_E_USAGE);
  CHECK(found == -1);
  tuf_lookup_release(u, 12345); /* unknown ids are ignored */
  CHECK_RC(tuf_start_download(u, 1, "http://127.0.0.1:9/targets/", &id), TUF_E_USAGE);
  CHECK_RC(tuf_deliver(u, 999, (const uint8_t *)"x", 1), TUF_E_USAGE);
  CHECK_RC(tuf_deliver(u, 999, NULL, 1), TUF_E_USAGE);
  CHECK_RC(tuf_fail(u, 999, TUF_E_NOT_FOUND, "x"), TUF_E_USAGE);
  CHECK_RC(tuf_next(u, NULL), TUF_E_USAGE);

  CHECK_RC(tuf_start_refresh(u, kNow), TUF_OK);
  CHECK_RC(tuf_start_refresh(u, kNow), TUF_E_USAGE); /* a refresh runs alone */
  CHECK_RC(tuf_start_lookup(u, "pip", &id), TUF_E_USAGE);
  tuf_action a = next(u);
  CHECK(a.kind == TUF_ACTION_FETCH);
  CHECK(a.download == 0 && a.found == 0 && a.message == NULL);
  /* Only the three transport codes may answer a request. */
  CHECK_RC(tuf_fail(u, a.id, TUF_E_EXPIRED_METADATA, "x"), TUF_E_USAGE);
  CHECK_RC(tuf_fail(u, a.id, TUF_OK, "x"), TUF_E_USAGE);
  /* None of that changed anything: the root probe is still outstanding. */
  CHECK(next(u).kind == TUF_ACTION_WAITING);
  CHECK_RC(tuf_fail(u, a.id, TUF_E_NOT_FOUND, "404"), TUF_OK);
  CHECK(next(u).kind == TUF_ACTION_LOAD_CACHED);
  tuf_updater_free(u); /* with requests outstanding */
}

/* A failed refresh reports FAILED once, with its message in the action; the updater is then
 * idle (DONE), not refreshed, and may be refreshed again. */
static void test_byte_limit_and_failed_refresh_retried(const uint8_t *root, size_t rootlen) {
  tuf_updater *u = NULL;
  CHECK_RC(tuf_updater_new(root, rootlen, kBase, NULL, &u, NULL, 0), TUF_OK);
  if (!u) return;
  CHECK_RC(tuf_start_refresh(u, kNow), TUF_OK);
  tuf_action a = advance_to_timestamp_fetch(u);
  CHECK(a.max_bytes == 16384);
  const uint64_t ts_id = a.id;
  /* A fetcher that forgot the limit: the core refuses the bytes anyway. */
  size_t n = (size_t)a.max_bytes + 1;
  uint8_t *big = calloc(n, 1);
  CHECK_RC(tuf_deliver(u, a.id, big, n), TUF_OK); /* verdict comes from tuf_next */
  free(big);
  a = next(u);
  CHECK(a.kind == TUF_ACTION_FAILED);
  CHECK(a.error == TUF_E_TOO_LARGE);
  CHECK(a.message && strstr(a.message, "too_large") != NULL);
  CHECK(a.message && strstr(a.message, "timestamp") != NULL);
  /* Reported once; nothing is sticky. */
  CHECK(next(u).kind == TUF_ACTION_DONE);
  uint64_t id = 0;
  CHECK_RC(tuf_start_lookup(u, "pip", &id), TUF_E_USAGE); /* not refreshed */
  CHECK_RC(tuf_deliver(u, ts_id, NULL, 0), TUF_E_USAGE);  /* answered already */
  CHECK_RC(tuf_start_refresh(u, kNow), TUF_OK);
  a = next(u);
  CHECK(a.kind == TUF_ACTION_FETCH);
  CHECK(a.role && strcmp(a.role, "root") == 0);
  CHECK(a.id != 0 && a.id != ts_id); /* ids are never reused */
  tuf_updater_free(u);
}

static void test_config(const uint8_t *root, size_t rootlen) {
  tuf_updater *u = NULL;
  tuf_config cfg;
  tuf_config_default(&cfg);
  cfg.timestamp_max_length = 100;
  CHECK_RC(tuf_updater_new(root, rootlen, BASE "/", &cfg, &u, NULL, 0), TUF_OK);
  if (!u) return;
  CHECK_RC(tuf_start_refresh(u, kNow), TUF_OK);
  tuf_action a = advance_to_timestamp_fetch(u);
  CHECK(a.max_bytes == 100);
  const char junk[] = "{}";
  CHECK_RC(tuf_deliver(u, a.id, (const uint8_t *)junk, 2), TUF_OK);
  a = next(u);
  CHECK(a.kind == TUF_ACTION_FAILED);
  CHECK(a.error == TUF_E_INVALID_METADATA);
  tuf_updater_free(u);

  /* A program built against an older, shorter tuf_config: fields past `size` are not read. */
  tuf_config_default(&cfg);
  cfg.size = offsetof(tuf_config, timestamp_max_length);
  cfg.timestamp_max_length = 7; /* beyond size: ignored, the default applies */
  CHECK_RC(tuf_updater_new(root, rootlen, kBase, &cfg, &u, NULL, 0), TUF_OK);
  if (!u) return;
  CHECK_RC(tuf_start_refresh(u, kNow), TUF_OK);
  a = advance_to_timestamp_fetch(u);
  CHECK(a.max_bytes == 16384);
  tuf_updater_free(u);
}

static void test_expired_root(const uint8_t *root, size_t rootlen) {
  tuf_updater *u = NULL;
  CHECK_RC(tuf_updater_new(root, rootlen, kBase, NULL, &u, NULL, 0), TUF_OK);
  if (!u) return;
  CHECK_RC(tuf_start_refresh(u, (int64_t)7258118400), TUF_OK); /* 2200-01-01 */
  tuf_action a = next(u);
  CHECK(a.kind == TUF_ACTION_FETCH);
  CHECK_RC(tuf_fail(u, a.id, TUF_E_NOT_FOUND, "404"), TUF_OK);
  a = next(u);
  CHECK(a.kind == TUF_ACTION_FAILED);
  CHECK(a.error == TUF_E_EXPIRED_METADATA);
  CHECK(a.message && strstr(a.message, "expired_metadata") != NULL);
  tuf_updater_free(u);
}

static void test_root_fetch_transport_error_fails_the_refresh(const uint8_t *root,
                                                              size_t rootlen) {
  /* Only not_found ends the root walk: any other failure aborts the refresh. */
  tuf_updater *u = NULL;
  CHECK_RC(tuf_updater_new(root, rootlen, kBase, NULL, &u, NULL, 0), TUF_OK);
  if (!u) return;
  CHECK_RC(tuf_start_refresh(u, kNow), TUF_OK);
  tuf_action a = next(u);
  CHECK_RC(tuf_fail(u, a.id, TUF_E_TRANSPORT, "connection reset"), TUF_OK);
  a = next(u);
  CHECK(a.kind == TUF_ACTION_FAILED);
  CHECK(a.error == TUF_E_TRANSPORT);
  CHECK(a.message && strstr(a.message, "connection reset") != NULL);
  tuf_updater_free(u);
}

/* ---- against a whole repository: concurrent lookups, shared fetches, downloads ------------ */

#define TBASE "http://127.0.0.1:9/targets/"
#define MAX_REQUESTS 64
#define MAX_RESULTS 32

static const char *g_index;       /* the INDEX directory */
static uint8_t *g_page;           /* the target "pip" */
static size_t g_page_len;

typedef struct request {
  uint64_t id;
  int cached;      /* LOAD_CACHED */
  char role[64];   /* "" for a target */
  char url[512];
  uint64_t max_bytes;
} request;

typedef struct result {
  int kind;        /* LOOKUP_DONE, LOOKUP_FAILED, TARGET_READY, DOWNLOAD_FAILED */
  uint64_t id;
  char path[64];
  int found, error;
  uint64_t length; /* LOOKUP_DONE with found: the target's; TARGET_READY: of the data */
  int data_ok;     /* TARGET_READY: the data is the page */
  char message[256];
} result;

/* A driver that keeps every request outstanding until the updater says WAITING, then answers
 * them in an interleaved order (newest, oldest, newest, ...), and records what each
 * operation reported. */
typedef struct driver {
  request pending[MAX_REQUESTS];
  size_t npending, max_pending;
  result results[MAX_RESULTS];
  size_t nresults;
  const char *corrupt_role;   /* metadata answered with junk */
  int tamper_target;          /* target answered with one byte changed */
  int bin_fetches[2];         /* FETCHes of bins-0 / bins-1 */
  int bin_loads[2];           /* LOAD_CACHED of bins-0 / bins-1 */
  uint64_t request_ids[256];  /* every request id seen, to check none is reused */
  size_t nrequest_ids;
  int deliver_rc;             /* the last tuf_deliver's code for a target */
  uint64_t expect_download;   /* the download a target FETCH belongs to */
} driver;

static void copy_str(char *dst, size_t cap, const char *src) {
  snprintf(dst, cap, "%s", src ? src : "");
}

static void note_request(driver *d, const tuf_action *a) {
  for (size_t i = 0; i < d->nrequest_ids; ++i) CHECK(d->request_ids[i] != a->id);
  if (d->nrequest_ids < 256) d->request_ids[d->nrequest_ids++] = a->id;
  if (strncmp(a->role, "bins-", 5) == 0 && (a->role[5] == '0' || a->role[5] == '1')) {
    int *count = a->kind == TUF_ACTION_FETCH ? d->bin_fetches : d->bin_loads;
    ++count[a->role[5] - '0'];
  }
  if (a->kind == TUF_ACTION_FETCH && a->role[0] == '\0') {
    CHECK(a->download == d->expect_download);
  } else {
    CHECK(a->download == 0);
  }
  CHECK(d->npending < MAX_REQUESTS);
  if (d->npending == MAX_REQUESTS) return;
  request *r = &d->pending[d->npending++];
  r->id = a->id;
  r->cached = a->kind == TUF_ACTION_LOAD_CACHED;
  copy_str(r->role, sizeof r->role, a->role);
  copy_str(r->url, sizeof r->url, a->url);
  r->max_bytes = a->max_bytes;
  if (d->npending > d->max_pending) d->max_pending = d->npending;
}

static void note_result(driver *d, const tuf_action *a) {
  CHECK(d->nresults < MAX_RESULTS);
  if (d->nresults == MAX_RESULTS) return;
  result *r = &d->results[d->nresults++];
  memset(r, 0, sizeof *r);
  r->kind = a->kind;
  r->id = a->id;
  copy_str(r->path, sizeof r->path, a->path);
  r->error = a->error;
  copy_str(r->message, sizeof r->message, a->message);
  if (a->kind == TUF_ACTION_LOOKUP_DONE) {
    r->found = a->found;
    if (a->found) {
      r->length = a->target.length;
      CHECK(a->target.path && strcmp(a->target.path, a->path) == 0);
      CHECK(a->target.nhashes >= 1 && a->target.hashes && a->target.hashes[0].hex);
      CHECK(a->role && (strcmp(a->role, "bins-0") == 0 || strcmp(a->role, "bins-1") == 0));
    }
  } else if (a->kind == TUF_ACTION_TARGET_READY) {
    r->length = a->datalen;
    r->data_ok = a->datalen == g_page_len && memcmp(a->data, g_page, g_page_len) == 0;
  } else {
    CHECK(a->error != 0 && a->message != NULL); /* LOOKUP_FAILED, DOWNLOAD_FAILED */
  }
}

/* The served metadata file for `url`, or NULL (not found). */
static uint8_t *serve_metadata(const char *url, size_t *len) {
  const char *prefix = BASE "/";
  if (strncmp(url, prefix, strlen(prefix)) != 0) return NULL;
  char path[1024];
  snprintf(path, sizeof path, "%s/tuf-metadata/%s", g_index, url + strlen(prefix));
  return read_file(path, len);
}

static void answer(tuf_updater *u, driver *d, const request *r) {
  if (r->cached) { /* an empty local store */
    CHECK_RC(tuf_fail(u, r->id, TUF_E_NOT_FOUND, NULL), TUF_OK);
    return;
  }
  if (r->role[0] == '\0') { /* a target */
    CHECK(strncmp(r->url, TBASE, strlen(TBASE)) == 0);
    CHECK(strlen(r->url) > 4 && strcmp(r->url + strlen(r->url) - 4, ".pip") == 0);
    CHECK(r->max_bytes == g_page_len); /* bounded by the trusted length */
    uint8_t *copy = malloc(g_page_len);
    if (!copy) abort();
    memcpy(copy, g_page, g_page_len);
    if (d->tamper_target) copy[g_page_len / 2] ^= 1;
    d->deliver_rc = tuf_deliver(u, r->id, copy, g_page_len);
    free(copy);
    return;
  }
  size_t len = 0;
  uint8_t *bytes = serve_metadata(r->url, &len);
  if (!bytes) {
    CHECK_RC(tuf_fail(u, r->id, TUF_E_NOT_FOUND, "404"), TUF_OK);
  } else if (d->corrupt_role && strcmp(r->role, d->corrupt_role) == 0) {
    CHECK_RC(tuf_deliver(u, r->id, (const uint8_t *)"{\"signed\":", 10), TUF_OK);
  } else {
    CHECK(len <= r->max_bytes);
    CHECK_RC(tuf_deliver(u, r->id, bytes, len), TUF_OK);
  }
  free(bytes);
}

/* Polls until DONE or FAILED (returned), answering requests only when the updater waits. */
static int drive(tuf_updater *u, driver *d) {
  for (int steps = 0, turn = 0; steps < 10000; ++steps) {
    tuf_action a = next(u);
    switch (a.kind) {
      case TUF_ACTION_FETCH:
      case TUF_ACTION_LOAD_CACHED: note_request(d, &a); break;
      case TUF_ACTION_PERSIST: CHECK(a.data != NULL && a.datalen > 0); break;
      case TUF_ACTION_WAITING: {
        CHECK(d->npending > 0); /* no deadlock */
        if (d->npending == 0) return TUF_ACTION_FAILED;
        const size_t i = turn++ % 2 ? 0 : d->npending - 1;
        const request r = d->pending[i];
        memmove(&d->pending[i], &d->pending[i + 1], (d->npending - i - 1) * sizeof(request));
        --d->npending;
        answer(u, d, &r);
        break;
      }
      case TUF_ACTION_DONE:
        CHECK(d->npending == 0);
        return TUF_ACTION_DONE;
      case TUF_ACTION_FAILED:
        fprintf(stderr, "capi_test: FAILED: %s\n", a.message ? a.message : "(no message)");
        return TUF_ACTION_FAILED;
      default: note_result(d, &a); break;
    }
  }
  CHECK(!"the updater did not converge");
  return TUF_ACTION_FAILED;
}

/* The one result reported with `id` of `kind_a` or `kind_b`; NULL (and a failed check) unless
 * exactly one. */
static const result *result_for(const driver *d, uint64_t id, int kind_a, int kind_b) {
  const result *found = NULL;
  int n = 0;
  for (size_t i = 0; i < d->nresults; ++i) {
    const result *r = &d->results[i];
    if (r->id == id && (r->kind == kind_a || r->kind == kind_b)) {
      found = r;
      ++n;
    }
  }
  CHECK(n == 1);
  return n == 1 ? found : NULL;
}

static tuf_updater *refreshed_updater(const uint8_t *root, size_t rootlen) {
  tuf_updater *u = NULL;
  CHECK_RC(tuf_updater_new(root, rootlen, kBase, NULL, &u, NULL, 0), TUF_OK);
  CHECK(u != NULL);
  if (!u) return NULL;
  driver d;
  memset(&d, 0, sizeof d);
  CHECK_RC(tuf_start_refresh(u, kNow), TUF_OK);
  if (drive(u, &d) != TUF_ACTION_DONE) {
    CHECK(!"the refresh failed");
    tuf_updater_free(u);
    return NULL;
  }
  return u;
}

/* Names looked up together: with 2 bins, several share one (pip is listed, the rest not). */
static const char *const kNames[] = {"pip", "alpha", "bravo", "charlie", "delta", "echo"};
#define NNAMES (sizeof kNames / sizeof kNames[0])

/* Starts a lookup of every name at once, for a fresh driver. */
static void start_lookups(tuf_updater *u, driver *d, uint64_t ids[NNAMES]) {
  memset(d, 0, sizeof *d);
  for (size_t i = 0; i < NNAMES; ++i) {
    ids[i] = 0;
    CHECK_RC(tuf_start_lookup(u, kNames[i], &ids[i]), TUF_OK);
    CHECK(ids[i] != 0);
    for (size_t j = 0; j < i; ++j) CHECK(ids[j] != ids[i]);
  }
}
/* Downloads start from a lookup's id; each reports under its own download id, and a tampered
 * one fails alone. */
static void check_downloads(tuf_updater *u, uint64_t pip, uint64_t absent) {
  driver d;
  memset(&d, 0, sizeof d);
  uint64_t good = 0, bad = 0, id = 0;
  CHECK_RC(tuf_start_download(u, absent, TBASE, &id), TUF_E_USAGE); /* it found nothing */
  CHECK_RC(tuf_start_download(u, 999999, TBASE, &id), TUF_E_USAGE); /* no such lookup */
  CHECK_RC(tuf_start_download(u, pip, NULL, &id), TUF_E_USAGE);
  CHECK_RC(tuf_start_download(u, pip, TBASE, NULL), TUF_E_USAGE);
  CHECK_RC(tuf_start_download(u, pip, TBASE, &good), TUF_OK);
  d.expect_download = good;
  CHECK(drive(u, &d) == TUF_ACTION_DONE);
  const result *r = result_for(&d, good, TUF_ACTION_TARGET_READY, TUF_ACTION_DOWNLOAD_FAILED);
  CHECK(r && r->kind == TUF_ACTION_TARGET_READY && r->data_ok && strcmp(r->path, "pip") == 0);

  /* The same lookup again, answered with one byte changed: refused at tuf_deliver, reported
   * as that download's DOWNLOAD_FAILED; nothing was released. */
  memset(&d, 0, sizeof d);
  d.tamper_target = 1;
  CHECK_RC(tuf_start_download(u, pip, TBASE, &bad), TUF_OK);
  CHECK(bad != good);
  d.expect_download = bad;
  CHECK(drive(u, &d) == TUF_ACTION_DONE);
  CHECK(d.deliver_rc == TUF_E_LENGTH_OR_HASH_MISMATCH);
  r = result_for(&d, bad, TUF_ACTION_TARGET_READY, TUF_ACTION_DOWNLOAD_FAILED);
  CHECK(r && r->kind == TUF_ACTION_DOWNLOAD_FAILED);
  CHECK(r && r->error == TUF_E_LENGTH_OR_HASH_MISMATCH && strcmp(r->path, "pip") == 0);
  CHECK(r && strstr(r->message, "length_or_hash_mismatch") != NULL);

  /* Released: the result is gone and no download can start from it. */
  int found = -1;
  tuf_lookup_release(u, pip);
  CHECK_RC(tuf_lookup_result(u, pip, &found, NULL), TUF_E_USAGE);
  CHECK_RC(tuf_start_download(u, pip, TBASE, &id), TUF_E_USAGE);
  tuf_lookup_release(u, pip); /* twice: ignored */
}

/* Every lookup started at once, answers interleaved: each reports once, with its id and path;
 * a hash bin needed by several lookups is fetched once. */
static void test_concurrent_lookups_and_downloads(const uint8_t *root, size_t rootlen) {
  tuf_updater *u = refreshed_updater(root, rootlen);
  if (!u) return;
  driver d;
  uint64_t ids[NNAMES];
  start_lookups(u, &d, ids);
  CHECK(drive(u, &d) == TUF_ACTION_DONE);
  CHECK(d.max_pending > 1); /* requests of several lookups were outstanding together */
  CHECK(d.nresults == NNAMES);
  CHECK(d.bin_fetches[0] <= 1 && d.bin_fetches[1] <= 1);
  CHECK(d.bin_fetches[0] + d.bin_fetches[1] >= 1);
  CHECK(d.bin_loads[0] == d.bin_fetches[0] && d.bin_loads[1] == d.bin_fetches[1]);
  for (size_t i = 0; i < NNAMES; ++i) {
    const result *r = result_for(&d, ids[i], TUF_ACTION_LOOKUP_DONE, TUF_ACTION_LOOKUP_FAILED);
    if (!r) continue;
    CHECK(r->kind == TUF_ACTION_LOOKUP_DONE);
    CHECK(strcmp(r->path, kNames[i]) == 0);
    CHECK(r->found == (i == 0)); /* only pip is listed */
    int found = -1;
    tuf_target_info info;
    memset(&info, 0, sizeof info);
    CHECK_RC(tuf_lookup_result(u, ids[i], &found, &info), TUF_OK);
    CHECK(found == (i == 0));
    if (found == 1) {
      CHECK(info.path && strcmp(info.path, "pip") == 0);
      CHECK(info.length == g_page_len && r->length == g_page_len);
      CHECK(info.nhashes >= 1 && strlen(info.hashes[0].hex) >= 64);
    }
  }
  check_downloads(u, ids[0], ids[1]);
  tuf_updater_free(u); /* with unreleased lookup results */
}

/* A bin that does not verify fails the lookups that need it, once each, and only those; the
 * next lookup fetches the bin again, and the updater refreshes again. */
static void test_bad_bin_fails_only_its_lookups(const uint8_t *root, size_t rootlen) {
  tuf_updater *u = refreshed_updater(root, rootlen);
  if (!u) return;
  driver d;
  uint64_t ids[NNAMES];
  start_lookups(u, &d, ids);
  d.corrupt_role = "bins-0";
  CHECK(drive(u, &d) == TUF_ACTION_DONE);
  CHECK(d.bin_fetches[0] == 1); /* one fetch failed every lookup waiting for it */
  int failed = 0, done = 0;
  size_t failed_name = 0;
  for (size_t i = 0; i < NNAMES; ++i) {
    const result *r = result_for(&d, ids[i], TUF_ACTION_LOOKUP_DONE, TUF_ACTION_LOOKUP_FAILED);
    if (!r) continue;
    CHECK(strcmp(r->path, kNames[i]) == 0);
    if (r->kind == TUF_ACTION_LOOKUP_FAILED) {
      ++failed;
      failed_name = i;
      CHECK(strstr(r->message, "bins-0") != NULL);
      CHECK(r->error != TUF_E_USAGE && r->error != TUF_E_INTERNAL);
    } else {
      ++done;
    }
  }
  CHECK(failed >= 1 && done >= 1); /* kNames fall into both bins */

  memset(&d, 0, sizeof d);
  uint64_t again = 0;
  CHECK_RC(tuf_start_lookup(u, kNames[failed_name], &again), TUF_OK);
  CHECK(drive(u, &d) == TUF_ACTION_DONE);
  CHECK(d.bin_fetches[0] == 1); /* fetched again: the failure was not kept */
  const result *r = result_for(&d, again, TUF_ACTION_LOOKUP_DONE, TUF_ACTION_LOOKUP_FAILED);
  CHECK(r && r->kind == TUF_ACTION_LOOKUP_DONE);

  memset(&d, 0, sizeof d);
  CHECK_RC(tuf_start_refresh(u, kNow), TUF_OK);
  CHECK(drive(u, &d) == TUF_ACTION_DONE);
  tuf_updater_free(u);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: capi_test INDEX\n");
    return 2;
  }
  g_index = argv[1];
  char path[1024];
  size_t rootlen = 0;
  snprintf(path, sizeof path, "%s/tuf-metadata/1.root.json", g_index);
  uint8_t *root = read_file(path, &rootlen);
  snprintf(path, sizeof path, "%s/simple/pip/index.html", g_index);
  g_page = read_file(path, &g_page_len);
  if (!root || !g_page) {
    fprintf(stderr, "capi_test: cannot read %s or %s/tuf-metadata/1.root.json\n", path, g_index);
    return 2;
  }
  test_static_parts();
  test_new(root, rootlen);
  test_new_error_buffer();
  test_usage_errors_change_nothing(root, rootlen);
  test_byte_limit_and_failed_refresh_retried(root, rootlen);
  test_config(root, rootlen);
  test_expired_root(root, rootlen);
  test_root_fetch_transport_error_fails_the_refresh(root, rootlen);
  test_concurrent_lookups_and_downloads(root, rootlen);
  test_bad_bin_fails_only_its_lookups(root, rootlen);
  free(root);
  free(g_page);
  if (failures) {
    fprintf(stderr, "capi_test: %d check(s) failed\n", failures);
    return 1;
  }
  printf("capi_test: all checks passed (libtufcore %s)\n", tuf_version()->string);
  return 0;
}
