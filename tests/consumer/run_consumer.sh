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
echo "consumer: ok"
