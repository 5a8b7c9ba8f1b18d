# agreement.awk: how far two engines' top 10s agree, per query class.
#   awk -F'\t' -v label=1x -v pair=morgue_xapian -f agreement.awk A.tsv B.tsv
# Inputs: the --top files of two engines for the same query set (query
# number, class, words, space-separated ids). For each query, overlap@10 =
# |A and B| / max(|A|, |B|); queries both engines answer with nothing are
# left out; one empty answer counts 0 (and as an "empty" mismatch).
# Prints agreement,LABEL,METRIC,VALUE lines:
#   overlap10.PAIR          mean over the AND classes (and, news)
#   overlap10.PAIR.n        queries in that mean
#   overlap10.PAIR.CLASS    mean per class
#   empty.PAIR.CLASS        queries only one engine found anything for
FNR == NR { top[$1] = $4; next }
($1 in top) {
    c = $2
    na = split(top[$1], x, " "); nb = split($4, y, " ")
    if (na == 0 && nb == 0) next
    for (k in in_a) delete in_a[k]
    for (i = 1; i <= na; i++) in_a[x[i]] = 1
    hit = 0
    for (i = 1; i <= nb; i++) hit += (y[i] in in_a)
    o = hit / (na > nb ? na : nb)
    sum[c] += o; cnt[c]++
    if (na == 0 || nb == 0) empty[c]++
    if (c == "and" || c == "news") { asum += o; acnt++ }
    if (!(c in seen)) { seen[c] = 1; order[++nc] = c }
}
END {
    if (acnt) {
        printf "agreement,%s,overlap10.%s,%.4f\n", label, pair, asum / acnt
        printf "agreement,%s,overlap10.%s.n,%d\n", label, pair, acnt
    }
    for (j = 1; j <= nc; j++) {
        c = order[j]
        printf "agreement,%s,overlap10.%s.%s,%.4f\n", label, pair, c,
            sum[c] / cnt[c]
        printf "agreement,%s,empty.%s.%s,%d\n", label, pair, c, empty[c] + 0
    }
}
