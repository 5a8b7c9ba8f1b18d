#!/usr/bin/env bash
# morgue serve under load on loopback: 16 keep-alive clients for 4 s
# over page, API and article requests, while `morgue index` commits three
# times; no request may fail. Prints requests/s and latency p50/p99.
# (LOAD_CLIENTS and LOAD_SECONDS change the load, for benchmarking.)
. "$(dirname "$0")/lib.sh"
SPID=
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/in" "$WORK/more"
cp -r "$SRC_DIR/examples/archive" "$WORK/in/"
printf '{"id": "zz-1", "title": "Zebra crossing", "body": "A zebra crossing opened."}\n' > "$WORK/in/feed.jsonl"
expect_status 0 "$MORGUE" index --index "$WORK/idx" --quiet "$WORK/in"
start_serve --index "$WORK/idx" --threads 4
clients=${LOAD_CLIENTS:-16} secs=${LOAD_SECONDS:-4}
"$HTTP_LOAD" 127.0.0.1 "$PORT" "$clients" "$secs" \
  "/?q=state+of+emergency" "/api/search?q=harbour&limit=10" \
  "/api/search?q=kazakhstan&facet=month&sort=date" "/?q=flood&sort=date&mode=natural" \
  "/api/article/zz-1" "/api/stats" "/?q=eurovision+OR+election" \
  > "$WORK/load" 2>&1 &
LOAD=$!
for i in 1 2 3; do   # commits during the load
  sleep 0.8
  printf 'Update %s\n\nThe wombat number %s went by the harbour.\n' "$i" "$i" > "$WORK/more/u$i.txt"
  expect_status 0 "$MORGUE" index --index "$WORK/idx" --quiet "$WORK/more"
done
wait "$LOAD" || fail "errors under load: $(cat "$WORK/load")"
cat "$WORK/load"
curl -s "http://127.0.0.1:$PORT/api/search?q=wombat" > "$WORK/out"
[ "$(json_field total "$WORK/out")" = 3 ] || fail "the commits made under load were not picked up"
echo ok
