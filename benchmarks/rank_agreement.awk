# rank_agreement.awk: how far two engines' top 10s agree in membership
# and in order, per query class (used for morgue vs its cluster).
#   awk -F'\t' -v label=1x -v pair=morgue_cluster -f rank_agreement.awk A.tsv B.tsv
# Inputs: the --top files of two engines for the same query set (query
# number, class, words, space-separated ids, best first). Per query:
#   overlap@10 = |A and B| / max(|A|, |B|) (as agreement.awk);
#   Kendall's tau over the ids in both lists: (concordant - discordant)
#   pairs / all pairs of them, 1 when both lists order them alike; queries
#   with fewer than two ids in common have no tau.
# Queries both engines answer with nothing are left out. Prints
# agreement,LABEL,METRIC,VALUE lines:
#   overlap10.PAIR.CLASS, tau10.PAIR.CLASS (mean), tau10.PAIR.CLASS.n,
#   min_overlap10.PAIR.CLASS (the worst query), and the same over "all".
FNR == NR { top[$1] = $4; next }
($1 in top) {
    c = $2
    na = split(top[$1], x, " "); nb = split($4, y, " ")
    if (na == 0 && nb == 0) next
    for (k in ra) delete ra[k]
    for (i = 1; i <= na; i++) ra[x[i]] = i
    m = 0
    for (i = 1; i <= nb; i++)
        if (y[i] in ra) { m++; pa[m] = ra[y[i]]; pb[m] = i }
    o = m / (na > nb ? na : nb)
    add(c, o); add("all", o)
    if (m >= 2) {
        s = 0; p = 0
        for (i = 1; i < m; i++)
            for (j = i + 1; j <= m; j++) {
                d = (pa[i] - pa[j]) * (pb[i] - pb[j])
                s += d > 0 ? 1 : -1; p++
            }
        tsum[c] += s / p; tcnt[c]++; tsum["all"] += s / p; tcnt["all"]++
    }
}
function add(k, v) {
    if (!(k in cnt)) { order[++nc] = k; low[k] = v }
    sum[k] += v; cnt[k]++
    if (v < low[k]) low[k] = v
}
END {
    for (j = 1; j <= nc; j++) {
        k = order[j]
        if (k == "all") continue
        out(k)
    }
    if ("all" in cnt) out("all")
}
function out(k) {
    printf "agreement,%s,overlap10.%s.%s,%.4f\n", label, pair, k, sum[k] / cnt[k]
    printf "agreement,%s,min_overlap10.%s.%s,%.4f\n", label, pair, k, low[k]
    if (tcnt[k])
        printf "agreement,%s,tau10.%s.%s,%.4f\n", label, pair, k, tsum[k] / tcnt[k]
    printf "agreement,%s,tau10.%s.%s.n,%d\n", label, pair, k, tcnt[k] + 0
}
