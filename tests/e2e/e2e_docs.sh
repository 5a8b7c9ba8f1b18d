#!/usr/bin/env bash
# The manual page and the bash completion cover every command and every
# option that the commands' --help lists; the man page renders without
# errors; README and the man page name no missing document.
. "$(dirname "$0")/lib.sh"
man="$SRC_DIR/docs/man/morgue.1"
comp="$SRC_DIR/contrib/bash-completion/morgue"
cmds=$("$MORGUE" --help | sed -n 's/^  \([a-z]*\) .*/\1/p')
[ -n "$cmds" ] || fail "no commands in morgue --help"
for c in $cmds; do
  grep -q "^\.SS morgue $c" "$man" || fail "man page: no section for $c"
  grep -q "$c)" "$comp" || fail "completion: no case for $c"
  "$MORGUE" "$c" --help > "$WORK/help" || fail "$c --help"
  # options: from the usage lines and the lines that list them
  for o in $(grep -E '^(usage:| +morgue| +-)' "$WORK/help" |
             grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
    roff=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
    grep -q -- "$roff" "$man" || fail "man page: $c $o missing"
    sed -n "/^        $c)/p" "$comp" | grep -q -- "[ \"]$o[ \"]" ||
      fail "completion: $c $o missing"
  done
done
if command -v groff >/dev/null; then
  groff -man -ww -z "$man" 2> "$WORK/groff" || fail "groff failed"
  ! grep -v 'cannot adjust line' "$WORK/groff" | grep -q . ||
    fail "man page warnings: $(cat "$WORK/groff")"
fi
# completion loads in bash and completes a command and an option
bash -c ". '$comp'; COMP_WORDS=(morgue se); COMP_CWORD=1; _morgue; echo \${COMPREPLY[*]}" > "$WORK/c1"
grep -q 'search' "$WORK/c1" && grep -q 'serve' "$WORK/c1" || fail "completion of 'se': $(cat "$WORK/c1")"
bash -c ". '$comp'; COMP_WORDS=(morgue search --col); COMP_CWORD=2; _morgue; echo \${COMPREPLY[*]}" > "$WORK/c2"
grep -q -- '--color' "$WORK/c2" || fail "completion of --col: $(cat "$WORK/c2")"
# every docs/ link in README exists
for f in $(grep -o 'docs/[A-Za-z_-]*\.md' "$SRC_DIR/README.md" | sort -u); do
  [ -f "$SRC_DIR/$f" ] || fail "README links $f, which is missing"
done
echo ok
