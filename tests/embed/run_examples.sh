#!/usr/bin/env bash
# Runs the embedding examples against a local TUF-enabled index served on an ephemeral loopback
# port (registered with CTest by tests/embed/CMakeLists.txt).
#
#   run_examples.sh python --tufget T --python PY --example tuf_ctypes.py --lib libtufcore.so
#   run_examples.sh cpp    --tufget T --fetcher embed_fetcher
#   run_examples.sh capi   --tufget T --capi-test capi_test
#
# A missing tool is a failure, never a skip. The work directory is kept when a check fails.
set -euo pipefail

die() { echo "FAIL: $*" >&2; exit 1; }
[ $# -ge 1 ] || die "usage: run_examples.sh python|cpp|capi --tufget PATH ..."
mode=$1
shift
tufget="" python="" example="" lib="" fetcher="" capi_test=""
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || die "option $1 needs a value"
  case $1 in
    --tufget) tufget=$2 ;;
    --python) python=$2 ;;
    --example) example=$2 ;;
    --lib) lib=$2 ;;
    --fetcher) fetcher=$2 ;;
    --capi-test) capi_test=$2 ;;
    *) die "unknown option $1" ;;
  esac
  shift 2
done
need_exe() { [ -n "$2" ] && [ -x "$2" ] || die "$1 missing or not executable: '${2}'"; }
need_file() { [ -n "$2" ] && [ -f "$2" ] || die "$1 missing: '${2}'"; }
need_exe tufget "$tufget"
case $mode in
  python)
    need_exe python3 "$python"
    need_file "examples/python/tuf_ctypes.py" "$example"
    need_file libtufcore "$lib"
    ;;
  cpp) need_exe embed_fetcher "$fetcher" ;;
  capi) need_exe capi_test "$capi_test" ;;
  *) die "unknown mode $mode" ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/tufget-embed-$mode.XXXXXX")
server=""
ok=0
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ "$ok" = 1 ]; then rm -rf "$work"; else echo "(work directory kept: $work)" >&2; fi
}
trap cleanup EXIT
idx="$work/index"

# ---- a local index holding Debian's pip wheel ---------------------------------------------------
wheels=(/usr/share/python-wheels/pip-*.whl)
[ -f "${wheels[0]}" ] || die "no pip wheel in /usr/share/python-wheels (scripts/deps.sh installs python3-pip-whl)"
# The C API test serves the metadata itself and needs few bins (names that share one).
bins=()
[ "$mode" = capi ] && bins=(--bins 2)
"$tufget" index init "$idx" "${bins[@]}" >/dev/null
"$tufget" index add "$idx" "${wheels[@]}" >/dev/null
"$tufget" index publish "$idx" >/dev/null

if [ "$mode" = capi ]; then
  "$capi_test" "$idx"
  ok=1
  exit 0
fi

# ---- served on 127.0.0.1 -----------------------------------------------------------------------
"$tufget" index serve "$idx" --port 0 --port-file "$work/port" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 200); do [ -s "$work/port" ] && break; sleep 0.05; done
[ -s "$work/port" ] || { cat "$work/serve.log" >&2; die "index server did not start"; }
base="http://127.0.0.1:$(cat "$work/port")"

# The signed target "pip" (its simple page) and the unsigned byte-identical copy to compare with.
page=$(ls "$idx"/simple/pip/*.pip.html)
[ -f "$page" ] || die "no signed page for pip in $idx/simple/pip"
want_sha=$(sha256sum "$idx/simple/pip/index.html" | cut -d' ' -f1)

case $mode in
  python)
    run() {
      "$python" "$example" --lib "$lib" --root "$idx/tuf-metadata/1.root.json" \
        --metadata-url "$base/tuf-metadata/" --target-base-url "$base/targets/" "$@"
    }
    ;;
  cpp)
    run() {
      "$fetcher" --root "$idx/tuf-metadata/1.root.json" --metadata-url "$base/tuf-metadata/" \
        --target-base-url "$base/targets/" "$@"
    }
    ;;
esac

n=0
# expect_ok NAME ARGS...: the example succeeds and prints the right sha256 for "pip".
expect_ok() {
  local name=$1
  shift
  n=$((n + 1))
  if ! run "$@" >"$work/$n.out" 2>"$work/$n.err"; then
    cat "$work/$n.err" >&2
    die "$name: expected success"
  fi
  [ "$(cat "$work/$n.out")" = "$want_sha  pip" ] ||
    die "$name: printed '$(cat "$work/$n.out")', expected '$want_sha  pip'"
  echo "ok: $name"
}
# expect_fail NAME PATTERN ARGS...: the example exits 1 and says PATTERN on stderr.
expect_fail() {
  local name=$1 pattern=$2 rc=0
  shift 2
  n=$((n + 1))
  run "$@" >"$work/$n.out" 2>"$work/$n.err" || rc=$?
  [ "$rc" = 1 ] || { cat "$work/$n.err" >&2; die "$name: exit status $rc, expected 1"; }
  grep -q -- "$pattern" "$work/$n.err" ||
    { cat "$work/$n.err" >&2; die "$name: stderr does not mention '$pattern'"; }
  [ ! -s "$work/$n.out" ] || die "$name: printed a result although it failed"
  echo "ok: $name (exit 1, $pattern)"
}
snapshot_fetches() { grep -c "GET /tuf-metadata/[0-9]*\.snapshot\.json 200" "$work/serve.log" || true; }

cp "$page" "$work/page.orig"
restore_page() { cp "$work/page.orig" "$page"; }

# 1. A fresh client: refresh, lookup through the hash bins, verified download.
expect_ok "fresh download" --cache "$work/c1" --target pip --out "$work/pip.html"
cmp "$idx/simple/pip/index.html" "$work/pip.html" || die "downloaded bytes differ from the page"
for f in timestamp snapshot targets; do
  [ -f "$work/c1/$f.json" ] || die "metadata cache lacks $f.json"
done
ls "$work/c1"/bins-*.json >/dev/null || die "metadata cache lacks the hash bin"

# 2. Tampered target, same length: the core refuses it (nothing is written).
sed -i '0,/html/s//HTML/' "$page"
cmp -s "$page" "$work/page.orig" && die "tampering did not change the page"
expect_fail "tampered target" length_or_hash_mismatch --cache "$work/c1" --target pip \
  --out "$work/tampered.html"
[ ! -e "$work/tampered.html" ] || die "a tampered target was written"
restore_page

# 3. A server that sends more than the trusted length: cut off at the limit.
printf 'extra' >>"$page"
expect_fail "oversized target" too_large --cache "$work/c1" --target pip
restore_page

# 4. A target no trusted metadata lists.
if [ "$mode" = python ]; then
  expect_fail "unknown target" "no trusted targets metadata lists it" --cache "$work/c1" \
    --target no-such-project
else
  expect_fail "unknown target" target_not_found --cache "$work/c1" --target no-such-project
fi

if [ "$mode" = python ]; then
  # 5. The second run uses the cached metadata (LOAD_CACHED): snapshot is not fetched again.
  before=$(snapshot_fetches)
  expect_ok "second run from the cache" --cache "$work/c1" --target pip
  [ "$(snapshot_fetches)" = "$before" ] || die "the cached snapshot was fetched again"

  # 6. Tampered timestamp metadata: signature check fails; a fresh cache has no fallback.
  ts="$idx/tuf-metadata/timestamp.json"
  cp "$ts" "$work/ts.orig"
  sed -E -i '0,/"version":([0-9]+)/s//"version":\19/' "$ts"
  cmp -s "$ts" "$work/ts.orig" && die "tampering did not change timestamp.json"
  expect_fail "tampered timestamp" unsigned_metadata --cache "$work/c2" --target pip
  cp "$work/ts.orig" "$ts"

  # 7. Root rotation: the client walks to 2.root.json, persists it, and trusts it next time.
  "$tufget" index publish "$idx" --rotate-root >/dev/null
  [ -f "$idx/tuf-metadata/2.root.json" ] || die "index publish --rotate-root made no 2.root.json"
  expect_ok "after a root rotation" --cache "$work/c1" --target pip
  cmp "$idx/tuf-metadata/2.root.json" "$work/c1/root.json" || die "rotated root not persisted"
  expect_ok "starting from the persisted root" --cache "$work/c1" --target pip
else
  # 5. The C++ example's cache works the same way: a second run succeeds.
  expect_ok "second run from the cache" --cache "$work/c1" --target pip --out "$work/pip2.html"
  cmp "$idx/simple/pip/index.html" "$work/pip2.html" || die "second download differs"
fi

ok=1
echo "all $n $mode example checks passed"
