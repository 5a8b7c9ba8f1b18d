#!/usr/bin/env bash
# run.sh: what folding Cyrillic and Greek names to Latin keys costs
# (text/translit.h): index size, indexing CPU and query CPU with the fold
# off and on, on Reuters-21578 plus Russian articles made from Debian's
# manpages-ru (corpus.py), and what it finds.
#
#   benchmarks/translit/run.sh WITHOUT WITH [REUTERS_DIR]
#
# WITHOUT and WITH are morgue binaries built without the fold and with it
# (text/translit.h); run under the shared benchmark lock. Prints a
# Markdown table: user CPU seconds (best of 2 builds, of 3 query passes)
# and index bytes, then the Reuters query words the fold gave more
# matches, with the Russian articles among their first ten.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
without=$(readlink -f "$1")
with=$(readlink -f "$2")
reuters=${3:-$here/../../../shared/corpora/reuters21578}
work=${TMPDIR:-/tmp}/morgue-translit-bench
mkdir -p "$work"
[ -s "$work/ru.jsonl" ] || python3 "$here/corpus.py" "$work/ru.jsonl"
# Latin query words: 500 drawn from Reuters' bodies by frequency (seed 13)
# and names whose Russian spellings the manual pages hold
if [ ! -s "$work/queries.txt" ]; then
  cat "$reuters"/*.sgm | tr -cs 'A-Za-z' '\n' | tr 'A-Z' 'a-z' |
    awk 'length($0) >= 4' | sort | uniq -c | sort -rn |
    awk 'BEGIN { srand(13) } NR <= 3000 && n < 500 && rand() < 0.17 {
      print $2; n++ }' > "$work/queries.txt"
fi
cpu() { /usr/bin/time -f %U -o "$work/t" "$@" > /dev/null; cat "$work/t"; }
best() { # best user CPU of 2 runs of an index build into $work/ix
  local b=
  for _ in 1 2; do
    rm -rf "$work/ix"
    t=$(cpu "$@")
    b=$(awk -v a="$t" -v b="$b" 'BEGIN { print (b == "" || a < b) ? a : b }')
  done
  echo "$b"
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| corpus | fold | index user CPU s | index bytes | 500 queries user CPU s |"
echo "|---|---|---|---|---|"
for corpus in reuters+ru ru reuters; do
  case $corpus in
    ru) src=("$work/ru.jsonl") ;;
    reuters) src=("$reuters") ;;
    *) src=("$reuters" "$work/ru.jsonl") ;;
  esac
  for fold in off on; do
    M=$without; [ $fold = on ] && M=$with
    t=$(best "$M" index --quiet --index "$work/ix" "${src[@]}")
    size=$(du -sb "$work/ix" | cut -f1)
    q=
    for _ in 1 2 3; do
      x=$(cpu "$M" search --batch --limit 10 --index "$work/ix" < "$work/queries.txt")
      q=$(awk -v a="$x" -v b="$q" 'BEGIN { print (b == "" || a < b) ? a : b }')
    done
    "$M" search --batch --limit 10 --index "$work/ix" \
      < "$work/queries.txt" > "$work/answers-$corpus-$fold.jsonl"
    echo "| $corpus | $fold | $t | $size | $q |"
  done
done
# what the fold added: queries whose match count grew, with examples
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
def load(c, f):
    return {j["query"]: j for j in map(json.loads, open("%s/answers-%s-%s.jsonl" % (w, c, f)))}
off, on = load("reuters+ru", "off"), load("reuters+ru", "on")
grew = [(q, off[q]["total"], on[q]["total"]) for q in off if on[q]["total"] != off[q]["total"]]
print("\n%d of %d Reuters query words match more with the fold:" % (len(grew), len(off)))
for q, a, b in sorted(grew, key=lambda x: x[2] - x[1], reverse=True)[:40]:
    new = [h["title"] for h in on[q]["hits"] if h["id"].startswith("ru-")]
    print("- %s: %d -> %d (%s)" % (q, a, b, "; ".join(new[:2])))
PY
