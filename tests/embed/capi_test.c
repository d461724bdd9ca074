/* The C API contract (tuf/tuf.h), from C: version, error names, argument checks, the first
 * requests of a refresh, byte limits and tuf_config's size field, sticky failure.
 *
 *   capi_test ROOT.json
 *
 * ROOT.json: a valid root (tests/embed/run_examples.sh makes one with `tufget index init`).
 * Built in-tree against the tufcore target, and again by the install test against the installed
 * package (find_package and pkg-config), so it must stay plain C11 using only tuf/tuf.h. */
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
  CHECK_RC(tuf_next(NULL, &a), TUF_E_USAGE);
  CHECK_RC(tuf_start_refresh(NULL, kNow), TUF_E_USAGE);
  CHECK(tuf_last_error(NULL) != NULL);
}

static void test_new(const uint8_t *root, size_t rootlen) {
  tuf_updater *u = (tuf_updater *)&u; /* must be overwritten with NULL on failure */
  CHECK_RC(tuf_updater_new(root, rootlen, kBase, NULL, NULL), TUF_E_USAGE);
  CHECK(strstr(tuf_last_error(NULL), "out is NULL") != NULL);
  CHECK_RC(tuf_updater_new(root, rootlen, NULL, NULL, &u), TUF_E_USAGE);
  CHECK(u == NULL);
  CHECK_RC(tuf_updater_new(NULL, 5, kBase, NULL, &u), TUF_E_USAGE);

  const char junk[] = "this is not json";
  CHECK_RC(tuf_updater_new((const uint8_t *)junk, sizeof junk - 1, kBase, NULL, &u),
           TUF_E_INVALID_METADATA);
  CHECK(u == NULL);
  CHECK(strstr(tuf_last_error(NULL), "invalid_metadata") != NULL);

  /* A root whose signature does not verify: change one byte of the signed part. */
  uint8_t *bad = malloc(rootlen + 1);
  if (!bad) abort();
  memcpy(bad, root, rootlen + 1); /* with read_file's NUL */
  char *expires = strstr((char *)bad, "\"expires\":\"");
  CHECK(expires != NULL);
  if (expires) {
    char *year_digit = expires + strlen("\"expires\":\"") + 3; /* still a valid date */
    *year_digit = *year_digit == '8' ? '7' : '8';
    CHECK_RC(tuf_updater_new(bad, rootlen, kBase, NULL, &u), TUF_E_UNSIGNED_METADATA);
    CHECK(u == NULL);
    CHECK(strstr(tuf_last_error(NULL), "unsigned_metadata") != NULL);
  }
  free(bad);

  tuf_config cfg;
  tuf_config_default(&cfg);
  cfg.size = 0;
  CHECK_RC(tuf_updater_new(root, rootlen, kBase, &cfg, &u), TUF_E_USAGE);
  tuf_config_default(&cfg);
  cfg.timestamp_max_length = 0; /* would mean "unbounded" to the core: refused */
  CHECK_RC(tuf_updater_new(root, rootlen, kBase, &cfg, &u), TUF_E_USAGE);

  CHECK_RC(tuf_updater_new(root, rootlen, kBase, NULL, &u), TUF_OK);
  CHECK(u != NULL);
  CHECK(strcmp(tuf_last_error(NULL), "") == 0);
  CHECK(strcmp(tuf_last_error(u), "") == 0);
  tuf_updater_free(u);
}

static void test_usage_errors_change_nothing(const uint8_t *root, size_t rootlen) {
  tuf_updater *u = NULL;
  CHECK_RC(tuf_updater_new(root, rootlen, kBase, NULL, &u), TUF_OK);
  if (!u) return;
  int found = -1;
  uint64_t id = 0;
  tuf_target_info info;
  /* Nothing started: DONE. */
  CHECK(next(u).kind == TUF_ACTION_DONE);
  CHECK_RC(tuf_start_lookup(u, "pip"), TUF_E_USAGE); /* refresh first */
  CHECK(strstr(tuf_last_error(u), "usage") != NULL);
  CHECK_RC(tuf_lookup_result(u, &found, &info), TUF_E_USAGE);
  CHECK(found == -1);
  CHECK_RC(tuf_start_download(u, "http://127.0.0.1:9/targets/", &id), TUF_E_USAGE);
  CHECK_RC(tuf_deliver(u, 999, (const uint8_t *)"x", 1), TUF_E_USAGE);
  CHECK_RC(tuf_deliver(u, 999, NULL, 1), TUF_E_USAGE);
  CHECK_RC(tuf_fail(u, 999, TUF_E_NOT_FOUND, "x"), TUF_E_USAGE);
  CHECK_RC(tuf_next(u, NULL), TUF_E_USAGE);

  CHECK_RC(tuf_start_refresh(u, kNow), TUF_OK);
  CHECK_RC(tuf_start_refresh(u, kNow), TUF_E_USAGE); /* one operation at a time */
  tuf_action a = next(u);
  CHECK(a.kind == TUF_ACTION_FETCH);
  /* Only the three transport codes may answer a request. */
  CHECK_RC(tuf_fail(u, a.id, TUF_E_EXPIRED_METADATA, "x"), TUF_E_USAGE);
  CHECK_RC(tuf_fail(u, a.id, TUF_OK, "x"), TUF_E_USAGE);
  /* None of that changed anything: the root probe is still outstanding. */
  CHECK(next(u).kind == TUF_ACTION_WAITING);
  CHECK_RC(tuf_fail(u, a.id, TUF_E_NOT_FOUND, "404"), TUF_OK);
  CHECK(next(u).kind == TUF_ACTION_LOAD_CACHED);
  tuf_updater_free(u); /* with requests outstanding */
}

static void test_byte_limit_and_sticky_failure(const uint8_t *root, size_t rootlen) {
  tuf_updater *u = NULL;
  CHECK_RC(tuf_updater_new(root, rootlen, kBase, NULL, &u), TUF_OK);
  if (!u) return;
  CHECK_RC(tuf_start_refresh(u, kNow), TUF_OK);
  tuf_action a = advance_to_timestamp_fetch(u);
  CHECK(a.max_bytes == 16384);
  /* A fetcher that forgot the limit: the core refuses the bytes anyway. */
  size_t n = (size_t)a.max_bytes + 1;
  uint8_t *big = calloc(n, 1);
  CHECK_RC(tuf_deliver(u, a.id, big, n), TUF_OK); /* verdict comes from tuf_next */
  free(big);
  a = next(u);
  CHECK(a.kind == TUF_ACTION_FAILED);
  CHECK(a.error == TUF_E_TOO_LARGE);
  CHECK(strstr(tuf_last_error(u), "too_large") != NULL);
  CHECK(strstr(tuf_last_error(u), "timestamp") != NULL);
  /* Sticky. */
  CHECK(next(u).kind == TUF_ACTION_FAILED);
  CHECK_RC(tuf_start_refresh(u, kNow), TUF_E_TOO_LARGE);
  CHECK_RC(tuf_start_lookup(u, "pip"), TUF_E_TOO_LARGE);
  CHECK_RC(tuf_deliver(u, a.id, NULL, 0), TUF_E_TOO_LARGE);
  tuf_updater_free(u);
}

static void test_config(const uint8_t *root, size_t rootlen) {
  tuf_updater *u = NULL;
  tuf_config cfg;
  tuf_config_default(&cfg);
  cfg.timestamp_max_length = 100;
  CHECK_RC(tuf_updater_new(root, rootlen, BASE "/", &cfg, &u), TUF_OK);
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
  CHECK_RC(tuf_updater_new(root, rootlen, kBase, &cfg, &u), TUF_OK);
  if (!u) return;
  CHECK_RC(tuf_start_refresh(u, kNow), TUF_OK);
  a = advance_to_timestamp_fetch(u);
  CHECK(a.max_bytes == 16384);
  tuf_updater_free(u);
}

static void test_expired_root(const uint8_t *root, size_t rootlen) {
  tuf_updater *u = NULL;
  CHECK_RC(tuf_updater_new(root, rootlen, kBase, NULL, &u), TUF_OK);
  if (!u) return;
  CHECK_RC(tuf_start_refresh(u, (int64_t)7258118400), TUF_OK); /* 2200-01-01 */
  tuf_action a = next(u);
  CHECK(a.kind == TUF_ACTION_FETCH);
  CHECK_RC(tuf_fail(u, a.id, TUF_E_NOT_FOUND, "404"), TUF_OK);
  a = next(u);
  CHECK(a.kind == TUF_ACTION_FAILED);
  CHECK(a.error == TUF_E_EXPIRED_METADATA);
  CHECK(strstr(tuf_last_error(u), "expired_metadata") != NULL);
  tuf_updater_free(u);
}

static void test_root_fetch_transport_error_is_fatal(const uint8_t *root, size_t rootlen) {
  /* Only not_found ends the root walk: any other failure aborts the refresh. */
  tuf_updater *u = NULL;
  CHECK_RC(tuf_updater_new(root, rootlen, kBase, NULL, &u), TUF_OK);
  if (!u) return;
  CHECK_RC(tuf_start_refresh(u, kNow), TUF_OK);
  tuf_action a = next(u);
  CHECK_RC(tuf_fail(u, a.id, TUF_E_TRANSPORT, "connection reset"), TUF_OK);
  a = next(u);
  CHECK(a.kind == TUF_ACTION_FAILED);
  CHECK(a.error == TUF_E_TRANSPORT);
  CHECK(strstr(tuf_last_error(u), "connection reset") != NULL);
  tuf_updater_free(u);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: capi_test ROOT.json\n");
    return 2;
  }
  size_t rootlen = 0;
  uint8_t *root = read_file(argv[1], &rootlen);
  if (!root) {
    fprintf(stderr, "capi_test: cannot read %s\n", argv[1]);
    return 2;
  }
  test_static_parts();
  test_new(root, rootlen);
  test_usage_errors_change_nothing(root, rootlen);
  test_byte_limit_and_sticky_failure(root, rootlen);
  test_config(root, rootlen);
  test_expired_root(root, rootlen);
  test_root_fetch_transport_error_is_fatal(root, rootlen);
  free(root);
  if (failures) {
    fprintf(stderr, "capi_test: %d check(s) failed\n", failures);
    return 1;
  }
  printf("capi_test: all checks passed (libtufcore %s)\n", tuf_version()->string);
  return 0;
}
