#!/usr/bin/env bash
# Installs the build into a scratch prefix and checks that libmorgue.a and
# libmorgue.so define no global symbol outside the API: every one starts
# with morgue_ (an embedder's own functions can then never collide with
# the library's internals), and every MORGUE_API function of the header is
# there.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$CMAKE" --install "$BUILD_DIR" --prefix "$work/prefix" >/dev/null
libdir=$(ls -d "$work"/prefix/lib*/ | head -n1)
fail=0
# nm -g --defined-only: one "address type name" line per defined global
# (weak ones included); lines of two fields are archive member headers.
for lib in "$libdir/libmorgue.a" "$libdir/libmorgue.so"; do
  if [ "${lib##*.}" = so ]; then opt=-D; else opt=-g; fi
  bad=$(nm $opt --defined-only "$lib" | awk 'NF == 3 && $3 !~ /^morgue_/ {print $3}')
  if [ -n "$bad" ]; then
    echo "symbols: $(basename "$lib") defines globals outside the API:" >&2
    echo "$bad" | head -20 >&2
    fail=1
  fi
  nm $opt --defined-only "$lib" | awk 'NF == 3 {print $3}' | sort -u \
    >"$work/$(basename "$lib").syms"
done
# every function the header declares is defined, in both
grep -h '^MORGUE_API ' "$SRC_DIR/include/morgue.h" |
  grep -o 'morgue_[a-z0-9_]*(' | tr -d '(' | sort -u >"$work/header.syms"
for lib in libmorgue.a libmorgue.so; do
  missing=$(comm -23 "$work/header.syms" "$work/$lib.syms")
  if [ -n "$missing" ]; then
    echo "symbols: $lib lacks API functions: $missing" >&2
    fail=1
  fi
done
[ "$fail" = 0 ] && echo "symbols: ok ($(wc -l <"$work/header.syms") API functions, nothing else global)"
exit "$fail"
