#!/usr/bin/env bash
# Running under cron: one writer at a time (a second one waits --wait
# seconds, then exits 75 with one line, changing nothing), --quiet prints
# nothing when all is well, a path-less run updates every recorded
# folder, and the contrib/systemd units are valid.
. "$(dirname "$0")/lib.sh"
S="$WORK/src"
mkdir -p "$S"
printf 'Harbour flood\n\ncommon water rose\n' > "$S/a.txt"
printf 'Pilots strike\n\ncommon pilots walked out\n' > "$S/b.txt"
expect_status 0 "$MORGUE" index --quiet --index "$WORK/idx" "$S"
[ ! -s "$WORK/err" ] && [ ! -s "$WORK/out" ] || fail "--quiet printed: $(cat "$WORK/err")"

# another writer holds the lock (flock(1) takes the same lock) until it
# is told to let go: no sleep decides who holds it, however loaded the
# machine is
mkfifo "$WORK/release"
flock "$WORK/idx/LOCK" sh -c 'read -r _ < "$1"' sh "$WORK/release" &
holder=$!
until ! flock -n "$WORK/idx/LOCK" true; do sleep 0.05; done
printf 'Markets calm\n\ncommon quiet\n' > "$S/c.txt"
for cmd in "index --quiet" "delete j1" "compact"; do
  # shellcheck disable=SC2086
  expect_status 75 "$MORGUE" $cmd --index "$WORK/idx" --wait 1
  [ "$(wc -l < "$WORK/err")" = 1 ] || fail "$cmd: not one line: $(cat "$WORK/err")"
  grep -q 'locked by another writer (waited 1 s)' "$WORK/err" || fail "$cmd: message"
done
expect_status 0 "$MORGUE" stats --index "$WORK/idx" --json
[ "$(json_field documents "$WORK/out")" = 2 ] || fail "the busy runs changed the index"
# a long enough --wait gets the lock once it is free
(sleep 1; echo go > "$WORK/release") &
expect_status 0 "$MORGUE" index --quiet --index "$WORK/idx" --wait 30 "$S"
wait "$holder"
expect_status 0 "$MORGUE" stats --index "$WORK/idx" --json
[ "$(json_field documents "$WORK/out")" = 3 ] || fail "waiting run"

# a path-less run updates the recorded folders; --quiet stays quiet
rm "$S/a.txt"
expect_status 0 "$MORGUE" index --quiet --index "$WORK/idx"
[ ! -s "$WORK/err" ] || fail "quiet update printed: $(cat "$WORK/err")"
expect_status 0 "$MORGUE" stats --index "$WORK/idx" --json
[ "$(json_field documents "$WORK/out")" = 2 ] || fail "vanished file kept"
# a missing folder deletes nothing and is an error
mv "$S" "$WORK/moved"
expect_status 1 "$MORGUE" index --quiet --index "$WORK/idx"
grep -q 'nothing recorded under it was deleted' "$WORK/err" || fail "missing root"
expect_status 0 "$MORGUE" stats --index "$WORK/idx" --json
[ "$(json_field documents "$WORK/out")" = 2 ] || fail "missing root deleted articles"
# warnings still show under --quiet, with status 3
mv "$WORK/moved" "$S"
printf '\x00\x01binary\x00' > "$S/blob.bin"
expect_status 3 "$MORGUE" index --quiet --index "$WORK/idx" "$S"
grep -q 'blob.bin' "$WORK/err" || fail "quiet hid a warning"
expect_status 0 "$MORGUE" check --quiet --index "$WORK/idx"
[ ! -s "$WORK/out" ] || fail "check --quiet printed"

# the systemd units in contrib/ are well-formed
if command -v systemd-analyze > /dev/null; then
  cp "$SRC_DIR"/contrib/systemd/morgue-index.* "$WORK/"
  sed -i "s|/usr/local/bin/morgue|$MORGUE|" "$WORK"/morgue-index.service
  if ! systemd-analyze verify "$WORK"/morgue-index.service \
        "$WORK"/morgue-index.timer > "$WORK/verify" 2>&1; then
    grep -v -i 'offline\|not running\|Failed to connect\|No such file' \
      "$WORK/verify" | grep -i 'error\|invalid\|unknown' &&
      fail "systemd units: $(cat "$WORK/verify")"
  fi
fi
echo "e2e_cron: ok"
