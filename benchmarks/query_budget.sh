#!/usr/bin/env bash
# query_budget.sh: the abusive queries of issue 10 against a Reuters-21578
# index, each run once by the morgue command under GNU time: whether it
# answered or failed, its wall time and its peak RSS beyond an open
# searcher answering a query that matches nothing. The promise measured
# (docs/QUERY.md, "Limits"): every query answers or fails within 1 s
# using at most 64 MB beyond the open searcher.
#
#   benchmarks/query_budget.sh MORGUE_BINARY [INDEX_DIR] [CORPUS_DIR]
#
# INDEX_DIR is built from CORPUS_DIR (default ../shared/corpora/
# reuters21578 beside the checkout) when it holds no index. Prints a
# markdown table; exits 1 when a query breaks the promise.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
morgue=${1:?usage: query_budget.sh MORGUE_BINARY [INDEX_DIR] [CORPUS_DIR]}
idx=${2:-/tmp/morgue-query-budget-index}
corpus=${3:-$here/../../shared/corpora/reuters21578}
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -f "$idx/MANIFEST" ] || "$morgue" index --quiet --index "$idx" "$corpus"

# The most frequent words of the corpus, most frequent first.
cat "$corpus"/reut2-*.sgm | tr -cs 'A-Za-z' '\n' | tr 'A-Z' 'a-z' |
  awk 'length($0) > 1' | sort | uniq -c | sort -rn |
  awk 'NR <= 20000 {print $2}' > "$work/common"

rep() { awk -v w="$1" -v n="$2" -v s="$3" \
  'BEGIN { for (i = 0; i < n; i++) printf "%s%s", (i ? s : ""), w }'; }
top() { awk -v n="$1" -v s="$2" \
  'NR <= n { printf "%s%s", (NR > 1 ? s : ""), $0 }' "$work/common"; }

# name|flags|query file
add() { printf '%s' "$3" > "$work/q.$n"; printf '%s|%s|%s\n' "$1" "$2" "$work/q.$n" >> "$work/list"; n=$((n + 1)); }
n=0
: > "$work/list"
add 'nothing (baseline)' '' 'zzqxjv'
add 'phrase of 5,000 x "the"' '' "\"$(rep the 5000 ' ')\""
add 'phrase of 64 x "the"' '' "\"$(rep the 64 ' ')\""
add 'phrase of the 64 commonest words' '' "\"$(top 64 ' ')\""
add 'NEAR/1000 chain of 64 common words' '' "$(top 64 ' NEAR/1000 ')"
add '10,000 OR terms' '' "$(top 10000 ' OR ')"
add '1,024 OR terms (commonest)' '' "$(top 1024 ' OR ')"
add '1,024 AND terms (commonest)' '' "$(top 1024 ' ')"
top 20000 ' ' > "$work/words"
add '100 KB --any query' '--any' "$(cut -c1-102400 "$work/words")"
add '60 KB --any query' '--any' "$(cut -c1-61440 "$work/words")"
add 'eight wide prefixes OR-ed' '' 'exp* OR imp* OR pri* OR tra* OR ban* OR sta* OR mar* OR dec*'
add 'NEAR/1000 chain of the 8 commonest words' '' "$(top 8 ' NEAR/1000 ')"
add 'phrase of the 8 commonest words, repeated 8 times' '' "\"$(for i in 1 2 3 4 5 6 7 8; do top 8 ' '; printf ' '; done)\""
add '"the" sorted by date, faceted' '--sort date --facet day --facet source' 'the'
add 'every article, limit 1,000,000' '--limit 1000000 --no-snippets' 'the OR a OR said'
printf '| query | bytes | outcome | time (s) | RSS beyond baseline (MB) |\n|---|---:|---|---:|---:|\n'
base_kb=0
bad=0
while IFS='|' read -r name flags qfile; do
  bytes=$(wc -c < "$qfile")
  # shellcheck disable=SC2086
  set +e
  /usr/bin/time -f '%e %M' -o "$work/time" "$morgue" search --index "$idx" \
    --json $flags -- "$(cat "$qfile")" > "$work/out" 2> "$work/err"
  st=$?
  set -e
  read -r secs kb < <(tail -n 1 "$work/time")
  [ "$base_kb" -eq 0 ] && base_kb=$kb
  if [ "$st" -eq 0 ]; then
    outcome="answered, $(grep -o '"total": [0-9]*' "$work/out" | head -n1 | cut -d' ' -f2) hits"
  else
    outcome="exit $st: $(grep -v '^Command' "$work/err" | head -n1 | cut -c1-70)"
  fi
  beyond=$(awk -v a="$kb" -v b="$base_kb" 'BEGIN { printf "%.1f", (a - b) / 1024 }')
  printf '| %s | %s | %s | %s | %s |\n' "$name" "$bytes" "$outcome" "$secs" "$beyond"
  awk -v s="$secs" -v m="$beyond" 'BEGIN { exit !(s > 1.0 || m > 64) }' && bad=1
done < "$work/list"

# --batch lines: a 1.3 MB line of 120,000 OR terms, a 20 MB "oil oil ...".
top 20000 ' OR ' > "$work/b1"; for i in 1 2 3 4 5; do cat "$work/b1"; printf ' OR '; done > "$work/b2"
{ cut -c1-1300000 "$work/b2"; rep oil 5000000 ' '; printf '\n'; } > "$work/batch"
/usr/bin/time -f '%e %M' -o "$work/time" "$morgue" search --index "$idx" --batch \
  < "$work/batch" > "$work/out" 2> "$work/err" || true
read -r secs kb < <(tail -n 1 "$work/time")
beyond=$(awk -v a="$kb" -v b="$base_kb" 'BEGIN { printf "%.1f", (a - b) / 1024 }')
printf '| --batch: 1.3 MB OR line + 20 MB "oil oil ..." line | %s | %s | %s | %s |\n' \
  "$(wc -c < "$work/batch")" "$(grep -c error "$work/out") of 2 lines refused" "$secs" "$beyond"
echo
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $bad
