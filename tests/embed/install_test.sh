#!/usr/bin/env bash
# Installs the tufcore component into a temporary prefix and builds tests/embed/capi_test.c
# against the installed files twice: with CMake's find_package(tufcore) and with pkg-config.
# Both programs must run and pass against a 2-bin index holding the pip wheel.
#   install_test.sh --build-dir B --source-dir S --cmake CMAKE --cc CC --generator G --tufget T
set -euo pipefail
die() { echo "FAIL: $*" >&2; exit 1; }
build="" source="" cmake="" cc="" generator="" tufget=""
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || die "option $1 needs a value"
  case $1 in
    --build-dir) build=$2 ;;
    --source-dir) source=$2 ;;
    --cmake) cmake=$2 ;;
    --cc) cc=$2 ;;
    --generator) generator=$2 ;;
    --tufget) tufget=$2 ;;
    *) die "unknown option $1" ;;
  esac
  shift 2
done
[ -d "$build" ] && [ -d "$source" ] || die "--build-dir and --source-dir are required"
[ -x "$cmake" ] || die "cmake missing: '$cmake'"
[ -x "$cc" ] || command -v "$cc" >/dev/null || die "C compiler missing: '$cc'"
[ -x "$tufget" ] || die "tufget missing: '$tufget'"
command -v pkg-config >/dev/null || die "pkg-config is not installed"

work=$(mktemp -d "${TMPDIR:-/tmp}/tufget-embed-install.XXXXXX")
ok=0
cleanup() { if [ "$ok" = 1 ]; then rm -rf "$work"; else echo "(work directory kept: $work)" >&2; fi; }
trap cleanup EXIT
prefix="$work/prefix"

"$cmake" --install "$build" --prefix "$prefix" --component tufcore >"$work/install.log" ||
  { cat "$work/install.log" >&2; die "cmake --install failed"; }

# Exactly the package: the C header, the library and its links, CMake and pkg-config files.
header="$prefix/include/tuf/tuf.h"
[ -f "$header" ] || die "tuf/tuf.h not installed"
[ "$(find "$prefix/include" -type f | wc -l)" = 1 ] || die "headers other than tuf/tuf.h installed"
pc=$(find "$prefix" -name tufcore.pc)
config=$(find "$prefix" -name tufcoreConfig.cmake)
[ -n "$pc" ] || die "tufcore.pc not installed"
[ -n "$config" ] || die "tufcoreConfig.cmake not installed"
libdir=$(dirname "$(dirname "$pc")")
ls "$libdir"/libtufcore.so.* >/dev/null || die "libtufcore.so.* not in $libdir"
[ -L "$libdir/libtufcore.so" ] || die "libtufcore.so development link missing"
echo "ok: installed $(find "$prefix" \( -type f -o -type l \) | sed "s|$prefix/||" | sort | tr '\n' ' ')"

# The index capi_test runs against (tests/embed/run_examples.sh makes the same one).
wheels=(/usr/share/python-wheels/pip-*.whl)
[ -f "${wheels[0]}" ] || die "no pip wheel in /usr/share/python-wheels (scripts/deps.sh installs python3-pip-whl)"
index="$work/index"
"$tufget" index init "$index" --bins 2 >/dev/null
"$tufget" index add "$index" "${wheels[@]}" >/dev/null
"$tufget" index publish "$index" >/dev/null

# 1. find_package(tufcore)
gen=()
[ -n "$generator" ] && gen=(-G "$generator")
"$cmake" -S "$source/tests/embed/consumer" -B "$work/consumer" "${gen[@]}" \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" \
  -DCONSUMER_SOURCE="$source/tests/embed/capi_test.c" >"$work/consumer.log" 2>&1 ||
  { cat "$work/consumer.log" >&2; die "configuring the find_package consumer failed"; }
grep -q "found tufcore" "$work/consumer.log" || die "consumer did not report the package"
"$cmake" --build "$work/consumer" >>"$work/consumer.log" 2>&1 ||
  { cat "$work/consumer.log" >&2; die "building the find_package consumer failed"; }
"$work/consumer/consumer" "$index" || die "find_package consumer failed"
echo "ok: find_package(tufcore) consumer"

# 2. pkg-config
export PKG_CONFIG_PATH="$(dirname "$pc")"
version=$(pkg-config --modversion tufcore)
want=$(sed -n 's/^#define TUF_VERSION "\(.*\)"$/\1/p' "$header")
[ "$version" = "$want" ] || die "pkg-config says version '$version', tuf.h says '$want'"
# shellcheck disable=SC2046
"$cc" -std=c11 -Wall -Wextra -pedantic -Werror $(pkg-config --cflags tufcore) \
  "$source/tests/embed/capi_test.c" -o "$work/pc_consumer" $(pkg-config --libs tufcore) \
  -Wl,-rpath,"$(pkg-config --variable=libdir tufcore)" || die "building with pkg-config failed"
"$work/pc_consumer" "$index" || die "pkg-config consumer failed"
echo "ok: pkg-config consumer (tufcore $version)"
ok=1
