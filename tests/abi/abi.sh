#!/usr/bin/env bash
# ABI check: the built libmorgue.so against the ABI of the last release
# with the same SONAME, kept in tests/abi/libmorgue.so.<SOVERSION>.abi
# (libabigail's XML, made by abidw from the release's library and
# include/). abidiff fails the test on any change a program built against
# that release could notice: a removed or changed function, a changed type.
# Allowed without a new SONAME (tests/abi/suppressions.abignore): new
# functions, new enumerators, and fields appended at the end of a struct
# of morgue.h (the version policy: every struct the caller allocates says
# which version it is; the library never touches fields past it).
#   bash tests/abi/abi.sh --update   writes the baseline for this SONAME
#                                    (only when making a release)
set -euo pipefail
lib=$(readlink -f "$BUILD_DIR/libmorgue.so")
soname=$(readelf -d "$lib" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
base="$SRC_DIR/tests/abi/$soname.abi"
supp="$SRC_DIR/tests/abi/suppressions.abignore"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
abidw --headers-dir "$SRC_DIR/include" --drop-private-types \
  --no-corpus-path --no-comp-dir-path --short-locs \
  --out-file "$work/current.abi" "$lib"
if [ "${1:-}" = --update ]; then
  cp "$work/current.abi" "$base"
  echo "abi: wrote $base"
  exit 0
fi
if [ ! -f "$base" ]; then
  echo "abi: no baseline for $soname ($base). A new SONAME starts a new" \
       "ABI: write its baseline with 'bash tests/abi/abi.sh --update'" \
       "(BUILD_DIR and SRC_DIR set) when releasing it." >&2
  exit 1
fi
set +e
abidiff --no-added-syms --suppressions "$supp" "$base" "$work/current.abi" \
  >"$work/diff"
rc=$?
set -e
# abidiff's status is a bit set: 1 error, 2 usage, 4 ABI change, 8
# incompatible change; 0 means nothing a caller could notice.
if [ "$rc" -ne 0 ]; then
  cat "$work/diff" >&2
  echo "abi: libmorgue.so differs from the $soname baseline (abidiff" \
       "status $rc). Keep the old ABI (append fields to versioned structs," \
       "add functions instead of changing them), or raise MORGUE_SOVERSION" \
       "(docs/ABI.md)." >&2
  exit 1
fi
echo "abi: $soname compatible with its baseline"
