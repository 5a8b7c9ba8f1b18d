#!/usr/bin/env bash
# eval.sh: trec_eval's MAP, nDCG@10, P@10 and recall@1000 of a run.
#
#   benchmarks/relevance/eval.sh QRELS RUN [--per-query]
#
# QRELS: "qid iter docid rel" a line (rel > 0 is relevant; binary gains);
# RUN: "qid Q0 docid rank score tag" a line (a TREC run).
# Prints "map ndcg10 p10 recall1000 queries" (means, 4 decimals); with
# --per-query one such line per judged query first, headed by its qid.
#
# Definitions as trec_eval 9 computes them (map, ndcg_cut_10, P_10,
# recall_1000):
# - a run is ordered by score descending, ties by docid descending (byte
#   order), whatever its rank column says; a docid repeated in a query is
#   counted once, at its first (best) place;
# - AP = (sum over relevant retrieved of precision at its rank) / number
#   relevant; P@10 = relevant in the first 10 / 10; recall@1000 = relevant
#   in the first 1000 / number relevant; nDCG@10 = DCG@10 / ideal DCG@10,
#   DCG = sum of gain / log2(rank + 1), gain 1 for relevant;
# - means are over every query with at least one relevant document in
#   QRELS, a query the run does not answer counting as 0 (trec_eval -c).
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: eval.sh QRELS RUN [--per-query]" >&2; exit 2; }
qrels=$1 run=$2 per=${3:-}
export LC_ALL=C
sort -k1,1 -k5,5gr -k3,3r "$run" |
awk -v QRELS="$qrels" -v PER="$per" '
BEGIN {
    while ((getline l < QRELS) > 0) {
        split(l, f, " ")
        if (f[4] + 0 > 0 && !((f[1], f[3]) in rel)) {
            rel[f[1], f[3]] = 1; nrel[f[1]]++
        }
    }
}
$1 != q { q = $1; r = 0 }
{
    if ((q, $3) in seen) next
    seen[q, $3] = 1
    r++
    if (!((q, $3) in rel)) next
    hits[q]++
    ap[q] += hits[q] / r
    if (r <= 10) { p10[q]++; dcg[q] += 1 / log2(r + 1) }
    if (r <= 1000) r1000[q]++
}
function log2(x) { return log(x) / log(2) }
END {
    n = 0
    for (q in nrel) {
        ideal = 0
        for (i = 1; i <= nrel[q] && i <= 10; i++) ideal += 1 / log2(i + 1)
        m = ap[q] / nrel[q]; g = dcg[q] / ideal; p = p10[q] / 10
        c = r1000[q] / nrel[q]
        if (PER == "--per-query")
            printf "%s %.4f %.4f %.4f %.4f\n", q, m, g, p, c
        sm += m; sg += g; sp += p; sc += c; n++
    }
    if (n == 0) { print "eval.sh: no judged queries" > "/dev/stderr"; exit 1 }
    printf "%.4f %.4f %.4f %.4f %d\n", sm / n, sg / n, sp / n, sc / n, n
}'
