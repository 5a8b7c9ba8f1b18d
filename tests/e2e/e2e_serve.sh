#!/usr/bin/env bash
# morgue serve: the JSON API gives the CLI's answers, the page is escaped
# and bookmarkable, folds near-duplicates and shows the story timeline on
# request, bad requests are refused, a new commit is picked up while
# serving, and headless Chromium renders the pages with their hits.
. "$(dirname "$0")/lib.sh"
SPID=
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf "$WORK"' EXIT
command -v curl >/dev/null || fail "curl is needed (scripts/deps.sh)"
mkdir -p "$WORK/in" "$WORK/in2"
cp -r "$SRC_DIR/examples/archive" "$WORK/in/"
printf 'Title: <script>alert("x")</script> & "zebra"\nDate: 2023-02-01\nSource: Evil <b>Wire</b>\n\nThe zebra <img src=x onerror=alert(1)> crossed.\n' \
  > "$WORK/in/evil.txt"
printf '{"id": "zz-1", "url": "javascript:alert(1)", "title": "Zebra crossing", "body": "A zebra crossing opened."}\n' \
  > "$WORK/in/feed.jsonl"
expect_status 0 "$MORGUE" index --index "$WORK/idx" --quiet "$WORK/in"
start_serve --index "$WORK/idx"
get() { curl -s -o "$WORK/body" -w '%{http_code}' "$@"; }
# the API answers as the CLI does
[ "$(get "$URL/api/stats")" = 200 ] || fail "/api/stats"
"$MORGUE" stats --index "$WORK/idx" --json > "$WORK/cli"
cmp -s "$WORK/body" "$WORK/cli" || fail "/api/stats differs from stats --json"
[ "$(get "$URL/api/search?q=state+of+emergency&limit=3&facet=month&facet=source&sort=date")" = 200 ] ||
  fail "/api/search: $(cat "$WORK/body")"
"$MORGUE" search --index "$WORK/idx" --json --limit 3 --facet month \
  --facet source --sort date state of emergency > "$WORK/cli"
diff <(grep -v took_us "$WORK/body") <(grep -v took_us "$WORK/cli") ||
  fail "/api/search differs from search --json"
[ "$(get "$URL/api/article/zz-1")" = 200 ] || fail "/api/article/zz-1"
grep -q '"title": "Zebra crossing"' "$WORK/body" || fail "article title"
grep -q '"body": "A zebra crossing opened."' "$WORK/body" || fail "article body"
[ "$(get "$URL/api/article/no-such-id")" = 404 ] || fail "missing article"
[ "$(get "$URL/api/search?q=almaty&frobnicate=1")" = 400 ] || fail "unknown option"
grep -q "unknown search option 'frobnicate'" "$WORK/body" || fail "option message"
[ "$(get "$URL/api/search?q=almaty&from=2024&to=2022")" = 400 ] || fail "from after to"
[ "$(get "$URL/api/search?q=%22open")" = 400 ] || fail "query error status"
grep -q 'column' "$WORK/body" || fail "query error names no column"
[ "$(get "$URL/api/search?q=$(printf 'a%.0s' $(seq 1200))")" = 414 ] || fail "long query"
[ "$(get -X POST -d x=1 "$URL/api/search?q=a")" = 405 ] || fail "POST accepted"
[ "$(get "$URL/nowhere")" = 404 ] || fail "unknown page"
# the page: bookmarkable, every value escaped, no unsafe links
[ "$(get "$URL/?q=zebra")" = 200 ] || fail "page status"
grep -q 'class="hit"' "$WORK/body" || fail "page has no hits"
grep -q '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;' "$WORK/body" || fail "title not escaped"
! grep -qi '<script\|<img\|href="javascript:' "$WORK/body" || fail "markup from the index got through"
grep -q 'Evil &lt;b&gt;Wire&lt;/b&gt;' "$WORK/body" || fail "source not escaped"
[ "$(get "$URL/?q=%22%3Cscript%3E")" = 400 ] || fail "bad query page status"
! grep -q '<script>' "$WORK/body" || fail "query echoed unescaped"
grep -q 'value="&quot;&lt;script&gt;"' "$WORK/body" || fail "query not kept in the box"
[ "$(get "$URL/?q=kazakhstan&sort=date&mode=natural")" = 200 ] || fail "natural, by date"
grep -q '<svg' "$WORK/body" || fail "no month chart"
grep -q 'from=2022-01&amp;to=2022-01' "$WORK/body" || fail "bars do not link to their month"
[ "$(get "$URL/?q=kazakhstan&from=2022-01&to=2022-01")" = 200 ] || fail "month link"
grep -q '8 articles match' "$WORK/body" || fail "month filter: $(grep total "$WORK/body")"
# dates on the page: the article's own day, the instant with its offset
grep -q '<time datetime="2022-01-0[0-9]T[0-9:]*+06:00">2022-01-0' "$WORK/body" ||
  fail "page dates lack their offset"
# near-duplicates folded on request: counted, linked, paging by stories
[ "$(get "$URL/?q=government+resigns&collapse=1")" = 200 ] || fail "collapse page"
grep -q 'class="dups">+2 near-duplicates' "$WORK/body" || fail "no folded copies"
grep -q 'with copies folded' "$WORK/body" || fail "no story count"
grep -q 'name="collapse" value="1" checked' "$WORK/body" || fail "fold box not kept"
[ "$(get "$URL/?q=government+resigns")" = 200 ] || fail "unfolded page"
! grep -q 'class="dups"' "$WORK/body" || fail "folded without asking"
# the story timeline: periods link to their hits, stories to articles
[ "$(get "$URL/?q=almaty&view=timeline")" = 200 ] || fail "timeline page"
grep -q '<li class="story"><a href="/article?id=' "$WORK/body" || fail "no stories"
grep -q 'week of 2022-01-03</a> — 6 articles' "$WORK/body" || fail "timeline period: $(grep -o '<h3>[^/]*' "$WORK/body" | head -3)"
grep -q 'href="/?q=almaty&amp;from=2022-01-03&amp;to=2022-01-09"' "$WORK/body" || fail "period link"
[ "$(get "$URL/?q=almaty&view=timeline&by=month")" = 200 ] || fail "timeline by month"
grep -q '>2022-01</a> — 8 articles' "$WORK/body" || fail "month period"
[ "$(get "$URL/?q=almaty&view=timeline&by=year")" = 400 ] || fail "bad by"
[ "$(get "$URL/?q=almaty&view=nope")" = 400 ] || fail "bad view"
[ "$(get "$URL/api/timeline?q=almaty&by=week")" = 200 ] || fail "/api/timeline"
"$MORGUE" timeline --index "$WORK/idx" --json --by week almaty > "$WORK/cli"
cmp -s "$WORK/body" "$WORK/cli" || fail "/api/timeline differs from timeline --json"
[ "$(get "$URL/api/timeline?q=almaty&limit=3")" = 400 ] || fail "timeline option"
[ "$(get "$URL/article?id=zz-1")" = 200 ] || fail "article page"
grep -q 'A zebra crossing opened.' "$WORK/body" || fail "article page text"
# a commit while serving is picked up, and requests keep being answered
printf 'Quokka census\n\nThe quokka count rose.\n' > "$WORK/in2/quokka.txt"
( ok=0; for _ in $(seq 60); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/search?q=harbour")" = 200 ] || { echo bad; exit 1; }
  done ) > "$WORK/during" &
LOOP=$!
expect_status 0 "$MORGUE" index --index "$WORK/idx" --quiet "$WORK/in2"
wait "$LOOP" || fail "a request failed while indexing: $(cat "$WORK/during")"
[ "$(get "$URL/api/search?q=quokka")" = 200 ] || fail "quokka"
[ "$(json_field total "$WORK/body")" = 1 ] || fail "new commit not picked up"
# a real browser: headless Chromium renders the page; the DOM has the hits
# and the screenshot is not blank
CHROME=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROME" ] || fail "chromium is needed (scripts/deps.sh)"
chrome() {
  timeout 90 "$CHROME" --headless --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --disable-background-networking --disable-component-update \
    --disable-sync --user-data-dir="$WORK/chrome-$1" --window-size=1200,900 "${@:2}" \
    2>>"$WORK/chrome.log"
}
chrome dom --dump-dom "$URL/?q=state+of+emergency" > "$WORK/dom.html" ||
  fail "chromium failed: $(tail -5 "$WORK/chrome.log")"
[ "$(grep -o '<li class="hit">' "$WORK/dom.html" | wc -l)" -ge 3 ] || fail "DOM has too few hits"
grep -q 'State of emergency declared as River Wend floods Eastbridge' "$WORK/dom.html" ||
  fail "DOM lacks a known hit"
chrome tl --dump-dom "$URL/?q=almaty&view=timeline" > "$WORK/tl.html" ||
  fail "chromium failed on the timeline"
[ "$(grep -o '<li class="story">' "$WORK/tl.html" | wc -l)" -ge 5 ] ||
  fail "timeline DOM has too few stories"
chrome fold --dump-dom "$URL/?q=government+resigns&collapse=1" > "$WORK/fold.html" ||
  fail "chromium failed on the folded page"
grep -q '<a class="dup" href="/article?id=' "$WORK/fold.html" || fail "folded DOM lacks copies"
chrome shot --screenshot="$WORK/page.png" "$URL/?q=state+of+emergency" >/dev/null ||
  fail "chromium screenshot failed"
chrome blank --screenshot="$WORK/blank.png" "about:blank" >/dev/null
[ "$("$PNG_INK" "$WORK/blank.png")" -eq 0 ] || fail "png_ink sees ink on a blank page"
ink=$("$PNG_INK" "$WORK/page.png")
[ "$ink" -ge 20 ] || fail "the screenshot is blank ($ink per mille inked)"
echo "page screenshot: $ink per mille of pixels inked"
kill "$SPID"; wait "$SPID" || fail "serve did not stop cleanly on SIGTERM"
SPID=
echo ok
