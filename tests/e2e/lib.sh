# lib.sh: helpers for the end-to-end scripts (sourced).
set -euo pipefail
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# expect_status N CMD...: runs CMD, fails unless it exits with N.
expect_status() {
  local want=$1; shift
  set +e; "$@" >"$WORK/out" 2>"$WORK/err"; local got=$?; set -e
  [ "$got" -eq "$want" ] ||
    { cat "$WORK/out" "$WORK/err" >&2; fail "$* exited $got, wanted $want"; }
}
# jq is not assumed: python3 may be missing too, so JSON is read with grep.
json_field() { grep -o "\"$1\": [^,}]*" "$2" | head -n1 | sed 's/^[^:]*: //'; }
# start_serve ARGS...: runs `morgue serve --listen 127.0.0.1:0 ARGS` in the
# background (its pid in SPID, for the caller's trap to kill) and waits
# for the address it prints; sets PORT and URL.
start_serve() {
  "$MORGUE" serve --listen 127.0.0.1:0 "$@" 2> "$WORK/serve.err" &
  SPID=$!
  PORT=
  for _ in $(seq 200); do
    PORT=$(grep -o 'http://127.0.0.1:[0-9]*/' "$WORK/serve.err" | sed 's/.*:\([0-9]*\)\//\1/') || true
    [ -n "$PORT" ] && break
    sleep 0.05
  done
  [ -n "$PORT" ] || fail "serve did not start: $(cat "$WORK/serve.err")"
  URL="http://127.0.0.1:$PORT"
}
