#!/usr/bin/env bash
# Consumer test: cmake --install, then find_package + pkg-config builds.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$CMAKE" --install "$BUILD_DIR" --prefix "$work/prefix" >/dev/null
libdir=$(ls -d "$work"/prefix/lib*/ | head -n1)

# 1. CMake package
"$CMAKE" -S "$SRC_DIR/tests/consumer/project" -B "$work/build" \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DEXAMPLE_SRC="$SRC_DIR/examples" \
  >/dev/null
"$CMAKE" --build "$work/build" >/dev/null
LD_LIBRARY_PATH="$libdir" "$work/build/search_example" "$work/idx1" \
  "emergency" | tee "$work/out1"
grep -q '^1 hits for "emergency"' "$work/out1"
grep -q 'State of emergency in Almaty' "$work/out1"
# the shared library was used (SONAME travels)
readelf -d "$work/build/search_example" | grep -q 'libmorgue.so.1'

# 2. pkg-config, static and shared
export PKG_CONFIG_PATH="$libdir/pkgconfig"
cc -o "$work/pc_example" "$SRC_DIR/examples/search_example.c" \
  $(pkg-config --cflags --libs morgue)
LD_LIBRARY_PATH="$libdir" "$work/pc_example" "$work/idx2" "harbour" |
  grep -q '^1 hits for "harbour"'
cc -o "$work/pc_static" "$SRC_DIR/examples/search_example.c" \
  $(pkg-config --cflags morgue) -DMORGUE_STATIC \
  "$libdir/libmorgue.a" $(pkg-config --libs --static morgue | sed 's/-lmorgue//')
"$work/pc_static" "$work/idx3" "almaty" | grep -q '^1 hits for "almaty"'
# --cflags: only the header's folder; the private dependencies' flags
# (-DUTF8PROC_EXPORTS, libxml2's include path) do not leak
cflags=$(pkg-config --cflags morgue)
set -- $cflags
[ $# = 1 ] && [ "$(cd "${1#-I}" && pwd -P)" = "$(cd "$work/prefix/include" && pwd -P)" ] ||
  { echo "pkg-config --cflags morgue: '$cflags'" >&2; exit 1; }
# for people: the manual page, bash completion, and the documents the man
# page and the systemd unit name
for f in share/man/man1/morgue.1 share/bash-completion/completions/morgue \
         share/doc/morgue/OPERATIONS.md share/doc/morgue/QUERY.md \
         share/doc/morgue/FORMATS-INPUT.md share/doc/morgue/README.md \
         share/doc/morgue/systemd/morgue-index.service; do
  [ -s "$work/prefix/$f" ] || { echo "not installed: $f" >&2; exit 1; }
done
doc=$(sed -n 's|^Documentation=.*file:///usr/local/||p' \
      "$SRC_DIR/contrib/systemd/morgue-index.service")
[ -s "$work/prefix/$doc" ] || { echo "Documentation= names $doc, not installed" >&2; exit 1; }
echo "consumer: ok"
