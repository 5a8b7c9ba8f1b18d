# report.awk: results.csv (engine,corpus,metric,value) -> results.md.
# Called by run.sh: awk -F, -v sizes=1,10 -v engines=morgue,xapian,fts5
#                   -v machine=machine.txt -f report.awk results.csv
# POSIX awk (Debian's mawk): no gawk extensions.

function has(e, l, m) { return (e SUBSEP l SUBSEP m) in V }
function val(e, l, m) { return V[e, l, m] }

# Latency in microseconds: whole numbers from 100 up.
function us(e, l, m) {
    if (!has(e, l, m)) return "n/a"
    return fmtnum(val(e, l, m))
}
function fmtnum(v) {
    if (v >= 100 || v <= -100) return sprintf("%.0f", v)
    if (v >= 10 || v <= -10) return sprintf("%.1f", v)
    return sprintf("%.2f", v)
}
function ratio(a, b) {
    if (a == "" || b == "" || b + 0 == 0) return "n/a"
    return sprintf("%.2f", a / b)
}
# A goal on a ratio: "yes"/"no", or "n/a" when a number is missing.
function met(r, op, bound) {
    if (r == "n/a") return "n/a"
    if (op == "<=") return (r + 0 <= bound) ? "yes" : "**no**"
    if (op == ">=") return (r + 0 >= bound) ? "yes" : "**no**"
    return (r + 0 < bound) ? "yes" : "**no**"
}
function get(e, l, m) { return has(e, l, m) ? val(e, l, m) : "" }
# 1 when morgue's top 10s in class c differ from Xapian's so much that its
# timings there answer another question (typically a query syntax the
# library does not implement yet): overlap@10 below half of what Xapian and
# FTS5 agree on (below 0.3 without FTS5).
function differs(l, c,    k, kp) {
    k = l SUBSEP "overlap10.morgue_xapian." c
    kp = l SUBSEP "overlap10.xapian_fts5." c
    if (!(k in A)) return 0
    return A[k] + 0 < ((kp in A) ? 0.5 * A[kp] : 0.3)
}
function name(e) {
    return e == "xapian" ? "Xapian" : e == "fts5" ? "FTS5" : e
}
function withcommas(n,    s, r) {
    s = sprintf("%.0f", n); r = ""
    while (length(s) > 3) { r = "," substr(s, length(s) - 2) r
                            s = substr(s, 1, length(s) - 3) }
    return s r
}

# One summary row comparing morgue with both peers on metric m at label l.
# kind "lower": morgue's value should be below the peers' (ratio < 1, or
# <= the bounds given); "higher": above (ratio >= bounds).
function row(title, goal, l, m, kind, bf, bx, cls,    vm, vf, vx, rf, rx, ok) {
    vm = get("morgue", l, m); vf = get("fts5", l, m); vx = get("xapian", l, m)
    rf = ratio(vm, vf); rx = ratio(vm, vx)
    if (m == "index.bytes") { # shown in MB
        if (vm != "") vm /= 1e6
        if (vf != "") vf /= 1e6
        if (vx != "") vx /= 1e6
    }
    if (cls != "" && differs(l, cls))
        ok = sprintf("n/a: answers differ (overlap@10 %.2f)",
                     A[l, "overlap10.morgue_xapian." cls])
    else if (kind == "higher")
        ok = combine(met(rf, ">=", bf), met(rx, ">=", bx))
    else if (kind == "lower")
        ok = combine(met(rf, "<=", bf), met(rx, "<=", bx))
    else
        ok = "-"
    printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", title, goal,
        vm == "" ? "n/a" : fmtnum(vm), vf == "" ? "n/a" : fmtnum(vf),
        vx == "" ? "n/a" : fmtnum(vx), rf, rx, ok
}
function combine(a, b) {
    if (a == "n/a" || b == "n/a") return "n/a"
    return (a == "yes" && b == "yes") ? "yes" : "**no**"
}

NR == 1 { next }               # header
$1 == "agreement" { A[$2, $3] = $4; next }
{ V[$1, $2, $3] = $4 }

END {
    ns = split(sizes, S, ",")
    ne = split(engines, E, ",")
    nc = split("and or phrase date facet news all", C, " ")
    ngc = split("intersection union", GC, " ") # the benchmark game's
    split("plain snippets facets", M, " ")
    base = S[1] "x"

    print "# morgue benchmarks: morgue, Xapian and SQLite FTS5"
    print ""
    print "Written by `benchmarks/run.sh` (see benchmarks/README.md for what is"
    print "measured and how). All times are wall-clock on this machine; the"
    print "CSV beside this file has every number."
    print ""
    print "## Machine and build"
    print ""
    while ((getline line < machine) > 0) print "- " line
    close(machine)
    print ""

    print "## Summary against the goals of issue 3 (" base ")"
    print ""
    print "Ratios are morgue / peer: above 1 is better for rates, below 1 for"
    print "sizes and latencies. Latencies are microseconds, warm, one thread."
    print ""
    print "| What | Goal | morgue | FTS5 | Xapian | morgue/FTS5 | morgue/Xapian | Met |"
    print "|---|---|---:|---:|---:|---:|---:|---|"
    row("Indexing, articles/s", ">= 2x FTS5, >= 10x Xapian", base,
        "index.articles_per_s", "higher", 2, 10)
    row("Indexing, peak RSS MiB", "bounded", base, "index.peak_rss_mib",
        "info")
    row("Index MB", "<= 0.5x FTS5, <= 0.2x Xapian", base, "index.bytes",
        "lower", 0.5, 0.2)
    for (i = 1; i <= nc; i++) {
        c = C[i]
        if (c == "all") continue
        for (j = 1; j <= 2; j++) {
            p = j == 1 ? "p50" : "p99"
            row(c " queries, " p, "below both", base,
                "query." c ".plain." p "_us", "lower", 0.999999, 0.999999, c)
        }
    }
    row("and queries + 10 snippets, p50", "below both", base,
        "query.and.snippets.p50_us", "lower", 0.999999, 0.999999, "and")
    row("and queries + 10 snippets, p99", "below both", base,
        "query.and.snippets.p99_us", "lower", 0.999999, 0.999999, "and")
    row("facet queries + month facets, p50", "below FTS5, <= 1/3 Xapian",
        base, "query.facet.facets.p50_us", "lower", 0.999999, 1 / 3, "facet")
    row("facet queries + month facets, p99", "below both", base,
        "query.facet.facets.p99_us", "lower", 0.999999, 0.999999, "facet")
    for (i = 1; i <= ngc; i++) {
        c = GC[i]
        for (j = 1; j <= 4; j++) {
            md = j <= 2 ? "plain" : "count"
            p = j % 2 ? "p50" : "p99"
            row(c " (game) " (md == "plain" ? "top 10" : "COUNT") ", " p,
                "below both", base, "query." c "." md "." p "_us", "lower",
                0.999999, 0.999999, md == "plain" ? c : "")
        }
    }
    row("Cold start (evicted), open + first query", "<= 2x Xapian", base,
        "cold.evicted.total_us", "lower", 1e9, 2)
    print ""

    if (ns > 1) {
        print "### Cost growth (relative to " base ")"
        print ""
        print "Indexing time should grow linearly with the corpus (ratio close"
        print "to the size factor); query medians far less than linearly. The"
        print "synthetic corpora keep Reuters' word statistics but spread dates"
        print "over 1970-2024 (see README), so facet counts cover more months."
        print ""
        hdr = "| Engine | Measure |"; sep = "|---|---|"
        for (i = 2; i <= ns; i++) {
            hdr = hdr " " S[i] "x / " base " |"; sep = sep "---:|"
        }
        print hdr; print sep
        for (k = 1; k <= ne; k++) {
            e = E[k]
            ng = split("index.engine_s index.bytes query.and.plain.p50_us query.and.plain.p99_us query.or.plain.p50_us query.facet.facets.p50_us", G, " ")
            split("indexing time|index bytes|and p50|and p99|or p50|facets p50", GN, "|")
            for (g = 1; g <= ng; g++) {
                line = "| " name(e) " | " GN[g] " |"
                for (i = 2; i <= ns; i++)
                    line = line " " ratio(get(e, S[i] "x", G[g]),
                                          get(e, base, G[g])) " |"
                print line
            }
        }
        print ""
    }

    for (i = 1; i <= ns; i++) {
        l = S[i] "x"
        art = ""
        for (k = 1; k <= ne; k++)
            if (has(E[k], l, "index.articles")) {
                art = val(E[k], l, "index.articles")
                tb = val(E[k], l, "index.text_bytes")
            }
        print "## " l (art == "" ? "" : ": " withcommas(art) " articles, " \
              sprintf("%.1f", tb / 1e6) " MB of title and body text")
        print ""
        print "### Indexing"
        print ""
        print "| Engine | Wall s | Engine s | Articles/s | MB/s | Peak RSS MiB | Index MB | Index bytes / text byte |"
        print "|---|---:|---:|---:|---:|---:|---:|---:|"
        for (k = 1; k <= ne; k++) {
            e = E[k]
            printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", name(e),
                us(e, l, "index.wall_s"), us(e, l, "index.engine_s"),
                us(e, l, "index.articles_per_s"), us(e, l, "index.mb_per_s"),
                us(e, l, "index.peak_rss_mib"),
                has(e, l, "index.bytes") ? \
                    fmtnum(val(e, l, "index.bytes") / 1e6) : "n/a",
                us(e, l, "index.bytes_per_text_byte")
        }
        print ""
        print "### Query latency, microseconds (warm, one thread, in-process)"
        print ""
        print "plain: top 10 with their ids; +snippets: and a snippet for each;"
        print "+facets: and month counts over all matches. n/a: not supported."
        print "A query's latency is the median of its timed passes; the"
        print "percentiles are over the queries of the class."
        print ""
        print "| Class | Engine | plain p50 | p95 | p99 | mean | +snippets p50 | p95 | p99 | mean | +facets p50 | p95 | p99 | mean |"
        print "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        for (j = 1; j <= nc; j++) {
            c = C[j]
            for (k = 1; k <= ne; k++) {
                e = E[k]
                flag = (e == "morgue" && differs(l, c)) ? " †" : ""
                if (flag != "") flagged = 1
                line = "| " (k == 1 ? c : "") " | " name(e) flag " |"
                for (mm = 1; mm <= 3; mm++) {
                    pre = "query." c "." M[mm] "."
                    line = line " " us(e, l, pre "p50_us") " | " \
                        us(e, l, pre "p95_us") " | " us(e, l, pre "p99_us") \
                        " | " us(e, l, pre "mean_us") " |"
                }
                print line
            }
        }
        if (flagged) {
            print ""
            print "†: morgue's top 10s in this class differ from Xapian's (mean"
            print "overlap@10 below half of Xapian's with FTS5; see Agreement):"
            print "it answers another question there, so its timing is not"
            print "comparable."
        }
        flagged = 0
        print ""
        print "### The benchmark game's shapes, microseconds"
        print ""
        print "As Tantivy's search-benchmark-game runs them: 2-4 words, all of"
        print "them (intersection) or any (union); TOP 10: the best 10 with"
        print "their ids; COUNT: only the exact number of matches."
        print ""
        print "| Class | Engine | TOP 10 p50 | p95 | p99 | mean | COUNT p50 | p95 | p99 | mean |"
        print "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
        for (j = 1; j <= ngc; j++) {
            c = GC[j]
            for (k = 1; k <= ne; k++) {
                e = E[k]
                line = "| " (k == 1 ? c : "") " | " name(e) " |"
                for (mm = 1; mm <= 2; mm++) {
                    pre = "query." c "." (mm == 1 ? "plain" : "count") "."
                    line = line " " us(e, l, pre "p50_us") " | " \
                        us(e, l, pre "p95_us") " | " us(e, l, pre "p99_us") \
                        " | " us(e, l, pre "mean_us") " |"
                }
                print line
            }
        }
        print ""
        print "### Cold start, microseconds (fresh process; median of runs)"
        print ""
        print "evicted: the index files dropped from the page cache first"
        print "(fdatasync + posix_fadvise DONTNEED on each file of the index,"
        print "the same for every engine); cached: the next fresh process."
        print "Median of rounds that alternate the engines (see README)."
        print ""
        print "| Engine | open, cached | first query, cached | open, evicted | first query, evicted |"
        print "|---|---:|---:|---:|---:|"
        for (k = 1; k <= ne; k++) {
            e = E[k]
            printf "| %s | %s | %s | %s | %s |\n", name(e),
                us(e, l, "cold.cached.open_us"),
                us(e, l, "cold.cached.first_query_us"),
                us(e, l, "cold.evicted.open_us"),
                us(e, l, "cold.evicted.first_query_us")
        }
        print ""
        print "### Agreement: overlap@10 of the top 10s"
        print ""
        print "Mean over the queries of |A and B| / max(|A|, |B|); in brackets,"
        print "queries only one of the two engines found anything for. The AND"
        print "row (and + news classes) is the sanity check of issue 3."
        print ""
        np = split("morgue_xapian morgue_fts5 xapian_fts5", P, " ")
        hdr = "| Class |"; sep = "|---|"; shown = 0
        for (k = 1; k <= np; k++) {
            if (!((l, "overlap10." P[k]) in A)) continue
            split(P[k], PE, "_")
            hdr = hdr " " name(PE[1]) " / " name(PE[2]) " |"; sep = sep "---:|"
            SP[++shown] = P[k]
        }
        if (shown) {
            print hdr; print sep
            line = "| AND (and + news) |"
            for (k = 1; k <= shown; k++)
                line = line sprintf(" %.2f (%d queries) |",
                    A[l, "overlap10." SP[k]], A[l, "overlap10." SP[k] ".n"])
            print line
            for (j = 1; j <= nc + ngc; j++) {
                c = j <= nc ? C[j] : GC[j - nc]
                if (c == "all") continue
                line = "| " c " |"
                for (k = 1; k <= shown; k++) {
                    key = l SUBSEP "overlap10." SP[k] "." c
                    line = line ((key in A) ? sprintf(" %.2f (%d) |", A[key],
                        A[l, "empty." SP[k] "." c]) : " n/a |")
                }
                print line
            }
        }
        print ""
        print "![Latency per query class, " l "](latency-" l ".svg)"
        print ""
    }
    if (ns > 1) {
        print "## Cost against corpus size"
        print ""
        print "![Indexing time against corpus size](index-scaling.svg)"
        print ""
        print "![Query median against corpus size](query-scaling.svg)"
        print ""
    }
}
