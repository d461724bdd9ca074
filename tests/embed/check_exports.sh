#!/usr/bin/env bash
# libtufcore exports exactly the functions tuf/tuf.h declares with TUF_API: nothing of the C++
# core, nothing of the C++ standard library.
#   check_exports.sh LIBTUFCORE TUF_H
set -euo pipefail
die() { echo "FAIL: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: check_exports.sh LIBTUFCORE TUF_H"
lib=$1 header=$2
[ -f "$lib" ] || die "library missing: $lib"
[ -f "$header" ] || die "header missing: $header"
command -v nm >/dev/null || die "nm (binutils) is not installed"

declared=$(grep -E '^TUF_API ' "$header" | sed -E 's/^.*[ *](tuf_[a-z0-9_]+)\(.*$/\1/' | sort)
exported=$(nm -D --defined-only "$lib" | awk '{print $NF}' | sort)
[ -n "$declared" ] || die "no TUF_API declarations found in $header"
if [ "$declared" != "$exported" ]; then
  echo "declared in $header:" >&2; echo "$declared" >&2
  echo "exported by $lib:" >&2; echo "$exported" >&2
  diff <(echo "$declared") <(echo "$exported") >&2 || true
  die "exported symbols differ from the TUF_API declarations"
fi
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ -n "$soname" ] || die "$lib has no SONAME"
echo "ok: $(echo "$exported" | wc -l) symbols exported, all declared; SONAME $soname"
