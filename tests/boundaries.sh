#!/usr/bin/env bash
# Module boundaries, enforced: every #include "folder/..." in the library
# and the CLI must point down the layers of docs/ARCHITECTURE.md
#   util <- text <- formats;  util, text <- index <- indexer (which also
#   reads files through formats);  index <- searcher;  cli uses the public
#   include/morgue.h only (it links the library with its internals made
#   local, so the linker holds it to that too);
#   cluster/ (a Sphinx cluster behind the writer and searcher API) sits
#   above indexer and searcher.
# A folder not listed here fails: give it a row when you add it.
set -euo pipefail
cd "${SRC_DIR:-$(dirname "$0")/..}"
declare -A allowed=(
  [util]="util"
  [text]="util text"
  [formats]="util text formats"
  [index]="util text index"
  [indexer]="util text formats index indexer"
  [searcher]="util text index searcher"
  [cluster]="util text index indexer searcher cluster"
  [cli]="cli"
)
# folders that are not part of the library or the CLI
skip=" tests fuzz benchmarks examples docs scripts cmake contrib include build "
fail=0
for dir in */; do
  dir=${dir%/}
  case "$skip" in *" $dir "*) continue ;; esac
  ls "$dir"/*.c "$dir"/*.h >/dev/null 2>&1 || continue
  if [ -z "${allowed[$dir]+set}" ]; then
    echo "boundaries: $dir/ has no row in tests/boundaries.sh" >&2
    fail=1
    continue
  fi
  while IFS=: read -r file line text; do
    target=$(sed -n 's/^#include "\([a-z0-9_]*\)\/.*/\1/p' <<<"$text")
    [ -n "$target" ] || continue
    case " ${allowed[$dir]} " in
      *" $target "*) ;;
      *) echo "boundaries: $file:$line: $dir/ may not include $target/" \
              "(allowed: ${allowed[$dir]})" >&2
         fail=1 ;;
    esac
  done < <(grep -Hn '^#include "' "$dir"/*.c "$dir"/*.h 2>/dev/null || true)
done
# Inside indexer/ the files are layers (indexer/writer_int.h says what
# each holds): a file includes indexer/ headers of its own layer or
# below only, so calls go downward (the build refuses a call to an
# undeclared function: -Werror=implicit-function-declaration).
declare -A layer=(
  [slices]=0 [invert]=1 [sink]=1 [prep]=1 [writer]=2 [writer_int]=2 [update]=3 [commit]=4
  [merge]=5 [files]=6 [walk]=7
)
for file in indexer/*.c indexer/*.h; do
  base=$(basename "$file"); base=${base%.*}
  if [ -z "${layer[$base]+set}" ]; then
    echo "boundaries: $file has no layer in tests/boundaries.sh" >&2
    fail=1
    continue
  fi
  while IFS=: read -r line text; do
    target=$(sed -n 's/^#include "indexer\/\([a-z0-9_]*\)\.h".*/\1/p' <<<"$text")
    [ -n "$target" ] || continue
    if [ -z "${layer[$target]+set}" ] ||
       [ "${layer[$target]}" -gt "${layer[$base]}" ]; then
      echo "boundaries: $file:$line: layer ${layer[$base]} may not include" \
           "indexer/$target.h (layer ${layer[$target]:-none})" >&2
      fail=1
    fi
  done < <(grep -n '^#include "indexer/' "$file" || true)
done
# the public header stands alone
if grep -n '^#include "' include/morgue.h >&2; then
  echo "boundaries: include/morgue.h includes a project header" >&2
  fail=1
fi
[ "$fail" = 0 ] && echo "boundaries: ok"
exit "$fail"
