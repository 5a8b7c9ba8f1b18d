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
