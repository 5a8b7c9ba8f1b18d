#!/usr/bin/env bash
# charts.sh: SVG charts from results.csv with gnuplot.
#   charts.sh RESULTS.csv OUTDIR SIZES ENGINES
# Writes latency-<size>x.svg (median latency per query class, one bar per
# engine) and, with more than one size, index-scaling.svg and
# query-scaling.svg (cost against corpus size).
set -euo pipefail

csv=$1 out=$2 sizes=$3 engines=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

IFS=, read -r -a size_list <<<"$sizes"
IFS=, read -r -a engine_list <<<"$engines"
ne=${#engine_list[@]}

# Table: one row per key, one column per engine; "?" where missing, and
# for morgue in a class where its answers differ from the peers' (the
# criterion of report.awk), since its time there answers another question.
#   table LABEL "key1=metric1=class1 ..." ('_' in a key: a blank)
table() {
    awk -F, -v label="$1" -v keys="$2" -v engines="$engines" '
        NR > 1 && $1 == "agreement" && $2 == label { a[$3] = $4; next }
        NR > 1 && $2 == label { v[$1, $3] = $4 }
        END {
            ne = split(engines, E, ","); nk = split(keys, K, " ")
            for (i = 1; i <= nk; i++) {
                split(K[i], kv, "="); gsub(/_/, " ", kv[1])
                mx = "overlap10.morgue_xapian." kv[3]
                xf = "overlap10.xapian_fts5." kv[3]
                differs = (mx in a) && \
                    a[mx] + 0 < ((xf in a) ? 0.5 * a[xf] : 0.3)
                line = "\"" kv[1] "\""
                for (j = 1; j <= ne; j++) {
                    ok = ((E[j], kv[2]) in v) && \
                         !(E[j] == "morgue" && differs)
                    line = line " " (ok ? v[E[j], kv[2]] : "?")
                }
                print line
            }
        }' "$csv"
}

# Series: one row per size, one column per engine, for metric $1.
series() {
    awk -F, -v metric="$1" -v sizes="$sizes" -v engines="$engines" '
        NR > 1 && $3 == metric { v[$1, $2] = $4 }
        END {
            ns = split(sizes, S, ","); ne = split(engines, E, ",")
            for (i = 1; i <= ns; i++) {
                line = S[i]
                for (j = 1; j <= ne; j++)
                    line = line " " (((E[j], S[i] "x") in v) ? v[E[j], S[i] "x"] : "?")
                print line
            }
        }' "$csv"
}

titles=""
for e in "${engine_list[@]}"; do
    case $e in xapian) t=Xapian ;; fts5) t="SQLite FTS5" ;; *) t=$e ;; esac
    titles="$titles \"$t\""
done

common='set terminal svg size 960,480 dynamic enhanced font "sans,12" background "white"
set datafile missing "?"
set key top left
set grid ytics
set style line 1 lc rgb "#1b7837"
set style line 2 lc rgb "#2166ac"
set style line 3 lc rgb "#b2182b"'

for n in "${size_list[@]}"; do
    label=${n}x
    table "$label" "and=query.and.plain.p50_us=and \
or=query.or.plain.p50_us=or phrase=query.phrase.plain.p50_us=phrase \
date=query.date.plain.p50_us=date news=query.news.plain.p50_us=news \
and_+snippets=query.and.snippets.p50_us=and \
facet_+facets=query.facet.facets.p50_us=facet" >"$tmp/lat-$label.dat"
    {
        echo "$common"
        echo "set output '$out/latency-$label.svg'"
        echo "set title 'Median query latency per class, $label corpus (warm, one thread; lower is better)'"
        echo "set label 1 'no bar: not measured, or answers that differ from the peers (see results.md)' at graph 0.01, graph -0.12 font ',9'"
        echo "set bmargin 5"
        echo "set ylabel 'microseconds (log scale)'"
        echo "set logscale y"
        # The axis starts one decade below the fastest bar, so none is lost.
        awk '{ for (i = 1; i <= NF; i++)
                   if ($i ~ /^[0-9.]+(e[-+]?[0-9]+)?$/ && (m == "" || $i + 0 < m))
                       m = $i + 0 }
             END { b = 1; while (b * 10 <= m / 1.5) b *= 10
                   printf "set yrange [%g:*]\n", b }' "$tmp/lat-$label.dat"
        echo "set style data histograms"
        echo "set style histogram clustered gap 1"
        echo "set style fill solid 0.85 border -1"
        echo "set boxwidth 0.9"
        echo "set xtics nomirror"
        echo "array T[$ne] = [$(echo "$titles" | sed 's/^ //; s/" "/", "/g')]"
        plot="plot"
        for i in $(seq 1 "$ne"); do
            col=$((i + 1))
            [ "$i" = 1 ] && xt=":xtic(1)" || xt=""
            plot="$plot '$tmp/lat-$label.dat' using $col$xt title T[$i] ls $i,"
        done
        echo "${plot%,}"
    } | gnuplot
done

if [ "${#size_list[@]}" -gt 1 ]; then
    series index.engine_s >"$tmp/index.dat"
    series query.and.plain.p50_us >"$tmp/query.dat"
    for what in index query; do
        {
            echo "$common"
            echo "set output '$out/$what-scaling.svg'"
            if [ $what = index ]; then
                echo "set title 'Indexing time against corpus size (lower is better)'"
                echo "set ylabel 'seconds (log scale)'"
            else
                echo "set title 'Median latency of the and queries against corpus size'"
                echo "set ylabel 'microseconds (log scale)'"
            fi
            echo "set xlabel 'corpus size, multiples of Reuters-21578 (log scale)'"
            echo "set logscale xy"
            echo "$sizes" | awk -F, '{ lo = $1; hi = $1
                for (i = 2; i <= NF; i++) { if ($i < lo) lo = $i; if ($i > hi) hi = $i }
                printf "set xrange [%g:%g]\n", lo / 1.25, hi * 1.25 }'
            echo "set xtics ($(echo "$sizes" | sed 's/\([0-9]*\)/"\1x" \1/g'))"
            echo "array T[$ne] = [$(echo "$titles" | sed 's/^ //; s/" "/", "/g')]"
            plot="plot"
            for i in $(seq 1 "$ne"); do
                plot="$plot '$tmp/$what.dat' using 1:$((i + 1)) with linespoints ls $i lw 2 pt 7 ps 1.3 title T[$i],"
            done
            echo "${plot%,}"
        } | gnuplot
    done
fi
