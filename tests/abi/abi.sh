#!/usr/bin/env bash
# ABI check: the built libmorgue.so against the ABI of the last release
# with the same SONAME, kept in tests/abi/libmorgue.so.<SOVERSION>.abi
# (libabigail's XML, made by abidw from the release's library and
# include/). abidiff fails the test on any change a program built against
# that release could notice: a removed or changed function, a changed type.
# Allowed without a new SONAME: new functions, new enumerators, and
# fields appended past the end of a struct of morgue.h (the version
# policy: every struct the caller allocates says which version it is, and
# the library never touches fields past it). abidiff's own suppression
# for appended members (has_data_member_inserted_at = end) also hides
# other changes made to the same struct, so the report is read here
# instead.
#   bash tests/abi/abi.sh --update   writes the baseline for this SONAME:
#     the first one when a release starts a new SONAME, or a newer one
#     when the library only adds to the old one (the check below passes),
#     so that what was added is held to from then on
#     (docs/ABI.md)
set -euo pipefail
lib=$(readlink -f "$BUILD_DIR/libmorgue.so")
soname=$(readelf -d "$lib" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
base="$SRC_DIR/tests/abi/$soname.abi"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
abidw --headers-dir "$SRC_DIR/include" --drop-private-types \
  --no-corpus-path --no-comp-dir-path --short-locs \
  --out-file "$work/current.abi" "$lib"
update=0
[ "${1:-}" = --update ] && update=1
if [ ! -f "$base" ] && [ $update = 1 ]; then
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
abidiff --no-added-syms "$base" "$work/current.abi" >"$work/diff"
rc=$?
set -e
# abidiff's status is a bit set: 1 error, 2 usage, 4 ABI change, 8
# incompatible change; 0 means no change at all. A change (4) passes only
# when all it does is add fields to a struct past the end of the
# baseline's struct (what the version policy allows): no field changed,
# moved or removed, no type renamed or resized but a struct, no enumerator
# changed or removed.
verdict=ok
if [ $((rc & 11)) -ne 0 ]; then
  verdict=incompatible
elif [ $((rc & 4)) -ne 0 ]; then
  verdict=$(awk -v base="$base" '
    BEGIN {
      # from the baseline, per struct: the offset of its last field
      while ((getline l < base) > 0) {
        if (match(l, /<class-decl name=.[a-z_0-9]+./)) {
          cur = substr(l, RSTART + 18, RLENGTH - 19); last[cur] = -1
        } else if (l ~ /<\/class-decl>/) {
          cur = ""
        } else if (cur != "" && match(l, /layout-offset-in-bits=.[0-9]+/)) {
          o = substr(l, RSTART + 23, RLENGTH - 23) + 0
          if (o > last[cur]) last[cur] = o
        }
      }
      bad = ""
    }
    /data member (change|deletion)|offset changed|type name changed|entity changed|return type|enumerator.*(deleted|changed)|\[D\]|\[C\].*variable/ {
      bad = bad "\n" $0
    }
    /underlying type .struct [a-z_0-9]+. .*changed:/ {
      match($0, /struct [a-z_0-9]+/); st = substr($0, RSTART + 7, RLENGTH - 7)
    }
    /^ *.[^\047]+., at offset [0-9]+ \(in bits\)/ {
      match($0, /at offset [0-9]+/); off = substr($0, RSTART + 10, RLENGTH - 10) + 0
      # past the last old field; no field changed (checked above), so
      # it cannot overlap one either
      if (!(st in last) || off <= last[st])
        bad = bad "\n" $0 " (inside " st ", whose last field is at bit " last[st] ")"
    }
    END { print bad == "" ? "appended" : "changed:" bad }
  ' "$work/diff")
fi
if [ $update = 1 ] && { [ "$verdict" = ok ] || [ "$verdict" = appended ]; }; then
  abidiff "$base" "$work/current.abi" | grep -E 'Added|^  \[A\]' || true
  cp "$work/current.abi" "$base"
  echo "abi: $base rewritten: it only adds to the old one"
  exit 0
fi
case "$verdict" in
  ok) echo "abi: $soname identical to its baseline" ;;
  appended) echo "abi: $soname compatible with its baseline (fields appended to versioned structs)" ;;
  *)
    cat "$work/diff" >&2
    echo "abi: libmorgue.so breaks the $soname baseline (abidiff status" \
         "$rc; $verdict). Keep the old ABI (append fields to versioned" \
         "structs, add functions instead of changing them), or raise" \
         "MORGUE_SOVERSION (docs/ABI.md)." >&2
    exit 1 ;;
esac
