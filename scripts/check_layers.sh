#!/usr/bin/env bash
# tuf_core is the sans-io TUF client: it reads no files, sockets, clock or randomness, starts no
# threads, keeps no thread-local state and depends on no other layer of tufget. This check keeps
# it so (run by CTest as "check_layers"):
#   1. every #include in tuf_core/ is the core's own header, a C++ standard header that does no
#      I/O or threading, or one of its libraries (simdjson, libsodium, OpenSSL);
#   2. no clock, thread, thread_local, environment, stream or random-device use in the code;
#   3. the CMake link libraries of tuf_core and tufcore are the crypto/JSON libraries only;
#   4. the shared libtufcore.so needs nothing else at run time (it links with --no-undefined, so
#      its NEEDED entries are everything it uses).
#
# usage: check_layers.sh SOURCE_DIR [LIBTUFCORE_SO [LINK_LIBRARIES...]]
#   LINK_LIBRARIES: ';'-separated lists, e.g. $<TARGET_PROPERTY:tuf_core,LINK_LIBRARIES>
set -euo pipefail

src=${1:?usage: check_layers.sh SOURCE_DIR [LIBTUFCORE_SO [LINK_LIBRARIES...]]}
so=${2:-}
shift $(( $# < 2 ? $# : 2 ))
core="$src/tuf_core"
problems=0

report() {
  echo "check_layers: $*" >&2
  problems=$((problems + 1))
}

# Standard headers the core may not include: I/O, threads, clocks and randomness.
forbidden_std='thread|jthread|mutex|shared_mutex|condition_variable|future|stop_token|semaphore|latch|barrier|fstream|iostream|istream|ostream|sstream|syncstream|cstdio|filesystem|random|ctime|csignal'

# Every file of the core, comments stripped (so a comment may name what is forbidden).
files=$(find "$core" -type f \( -name '*.h' -o -name '*.cpp' \) | sort)
[ -n "$files" ] || report "no sources under $core"

for f in $files; do
  rel=${f#"$src"/}
  # Comments blanked, line numbers kept.
  code=$(perl -0777 -pe 's{/\*.*?\*/}{"\n" x ($& =~ tr/\n//)}gse; s{//[^\n]*}{}g' "$f")
  # 1. includes
  while IFS= read -r inc; do
    [ -n "$inc" ] || continue
    case "$inc" in
      '"tuf/'*) [ -f "$core/include/${inc//\"/}" ] || report "$rel: $inc is not a tuf_core header" ;;
      '"'*'/'*) report "$rel: includes $inc from another layer" ;;
      '"'*) [ -f "$core/src/${inc//\"/}" ] || report "$rel: includes $inc, not a tuf_core file" ;;
      '<simdjson.h>' | '<sodium.h>' | '<openssl/'*) ;;
      '<stdint.h>' | '<stddef.h>') ;;  # the C API header
      '<'*'/'* | '<'*'.h>') report "$rel: includes $inc (not the core's crypto/JSON libraries)" ;;
      *)
        name=${inc#<}
        name=${name%>}
        if [[ "$name" =~ ^($forbidden_std)$ ]]; then
          report "$rel: includes $inc (I/O, threads, clock or randomness)"
        fi
        ;;
    esac
  done < <(printf '%s\n' "$code" | sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*\([<"][^>"]*[>"]\).*/\1/p')
  # 2. code
  while IFS= read -r hit; do
    [ -n "$hit" ] && report "$rel:$hit"
  done < <(printf '%s\n' "$code" | grep -nE \
    '\bthread_local\b|_clock\b|\bclock_gettime\b|\bgettimeofday\b|\btime\(|\bstd::(j?thread|async|mutex|random_device|cout|cerr|clog|getenv)\b|\b(getenv|fopen|open|socket|rand|srand|syslog)\(' \
    || true)
done

# 3. CMake link libraries of the core targets.
allowed_cmake='simdjson::simdjson|PkgConfig::SODIUM|OpenSSL::Crypto'
for list in "$@"; do
  IFS=';' read -r -a libs <<< "$list"
  for lib in "${libs[@]}"; do
    [ -n "$lib" ] || continue
    [[ "$lib" =~ ^($allowed_cmake)$ ]] || report "tuf_core links $lib (only $allowed_cmake)"
  done
done

# 4. What the shared library needs at run time.
if [ -n "$so" ]; then
  if [ ! -f "$so" ]; then
    report "$so not built"
  else
    allowed_so='libsodium|libcrypto|libsimdjson|libstdc\+\+|libm|libgcc_s|libc|ld-linux[^ ]*'
    while IFS= read -r needed; do
      [[ "$needed" =~ ^($allowed_so)\.so ]] || report "$(basename "$so") needs $needed"
    done < <(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p')
  fi
fi

if [ "$problems" -ne 0 ]; then
  echo "check_layers: $problems problem(s): tuf_core must stay free of I/O and of other layers" >&2
  exit 1
fi
echo "check_layers: tuf_core includes and links only itself and its crypto/JSON libraries"
